// GPU monitor with a fake TelemetrySource (tests only) and the real ProcSource.
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <qcustomplot.h>

#include <atomic>
#include <thread>

#include "gpu_monitor.h"

using namespace newbie;

namespace {
class FakeNvml : public TelemetrySource {
 public:
  explicit FakeNvml(std::atomic<std::thread::id>* samplingThread) : thread_(samplingThread) {}
  bool available() const override { return true; }
  std::string reason() const override { return {}; }
  void sample(TelemetrySample& out) override {
    thread_->store(std::this_thread::get_id());
    GpuSample g;
    g.name = "Fake H100";
    g.utilisationPercent = 37 + (n_ % 2);
    g.memoryUsedBytes = 30e9;
    g.memoryTotalBytes = 80e9;
    g.temperatureC = 55;
    g.powerWatts = 310.5;
    g.smClockMHz = 1980;
    out.gpus.push_back(g);
    out.timeSeconds = ++n_ * 0.5;
  }

 private:
  std::atomic<std::thread::id>* thread_;
  int n_ = 0;
};

class NoGpu : public TelemetrySource {
 public:
  bool available() const override { return false; }
  std::string reason() const override { return "libnvidia-ml.so.1 not found"; }
  void sample(TelemetrySample&) override {}
};
}  // namespace

class TestGpuMonitor : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void procSourceSane() {
    ProcSource p;
    QVERIFY(p.available());
    TelemetrySample s;
    p.sample(s);
    QThread::msleep(120);
    p.sample(s);
    QVERIFY(s.host.has_value());
    QVERIFY(s.host->ramTotalBytes && *s.host->ramTotalBytes > 256e6 && *s.host->ramTotalBytes < 64e12);
    QVERIFY(s.host->ramUsedBytes && *s.host->ramUsedBytes > 0 && *s.host->ramUsedBytes <= *s.host->ramTotalBytes);
    QVERIFY(s.host->processRssBytes && *s.host->processRssBytes > 1e6);
    QVERIFY(s.host->cpuPercent && *s.host->cpuPercent >= 0 && *s.host->cpuPercent <= 100);
  }

  void procSourceFakeRoot() {
    QTemporaryDir d;
    QDir().mkpath(d.filePath(QStringLiteral("self")));
    auto write = [&](const QString& f, const QByteArray& text) {
      QFile file(d.filePath(f));
      QVERIFY(file.open(QIODevice::WriteOnly));
      file.write(text);
    };
    write(QStringLiteral("meminfo"), "MemTotal:       1000 kB\nMemFree:  10 kB\nMemAvailable:    250 kB\n");
    write(QStringLiteral("self/status"), "Name: x\nVmRSS:\t  100 kB\n");
    write(QStringLiteral("stat"), "cpu  100 0 100 800 0 0 0 0 0 0\n");
    ProcSource p(d.path().toStdString());
    TelemetrySample s;
    p.sample(s);
    QVERIFY(!s.host->cpuPercent);  // needs a delta
    write(QStringLiteral("stat"), "cpu  150 0 150 900 0 0 0 0 0 0\n");  // 100 busy of 200
    p.sample(s);
    QCOMPARE(*s.host->cpuPercent, 50.0);
    QCOMPARE(*s.host->ramTotalBytes, 1000.0 * 1024);
    QCOMPARE(*s.host->ramUsedBytes, 750.0 * 1024);
    QCOMPARE(*s.host->processRssBytes, 100.0 * 1024);
  }

  void nvmlAbsentHasReason() {
    NvmlSource n;  // no NVIDIA driver on the test machine (or a real one: then it is available)
    if (!n.available()) QVERIFY(!n.reason().empty());
    else QVERIFY(n.reason().empty());
  }

  void monitorWithFakeGpu() {
    std::atomic<std::thread::id> samplingThread{};
    GpuMonitor m(std::make_unique<FakeNvml>(&samplingThread), nullptr, 20);
    QSignalSpy vram(&m, &GpuMonitor::freeVramChanged);
    QTRY_VERIFY_WITH_TIMEOUT(m.sampleCount() >= 3, 3000);
    QVERIFY(samplingThread.load() != std::this_thread::get_id());  // sampled off the UI thread
    QVERIFY(m.hasGpu());
    QCOMPARE(m.freeVram(), 50e9);
    QVERIFY(vram.count() >= 1);
    QVERIFY(m.statusText().contains(QStringLiteral("Fake H100")));
    QVERIFY(m.statusText().contains(QStringLiteral("30.0 / 80.0 GB")));
    QVERIFY(m.plot(0)->graph(0)->dataCount() >= 3);
    const double u = m.plot(0)->graph(0)->data()->at(0)->value;
    QVERIFY(u == 37 || u == 38);
    QCOMPARE(m.plot(1)->graph(0)->data()->at(0)->value, 30.0);
    QCOMPARE(m.plot(2)->graph(1)->data()->at(0)->value, 310.5);
    const int before = m.plot(1)->itemCount();
    m.addMarker(QStringLiteral("denoise"));
    m.addMarker(QStringLiteral("job #2"), true);
    QCOMPARE(m.plot(1)->itemCount(), before + 2);
  }

  void monitorWithoutGpuSaysWhy() {
    std::vector<std::unique_ptr<TelemetrySource>> src;
    src.push_back(std::make_unique<NoGpu>());
    src.push_back(std::make_unique<ProcSource>());
    GpuMonitor m(std::make_unique<CombinedSource>(std::move(src)), nullptr, 20);
    QTRY_VERIFY_WITH_TIMEOUT(m.sampleCount() >= 3, 3000);
    QVERIFY(!m.hasGpu());
    QVERIFY(m.statusText().contains(QStringLiteral("libnvidia-ml.so.1 not found")));
    QVERIFY(m.statusText().contains(QStringLiteral("RAM")));
    QVERIFY(m.plot(1)->graph(1)->dataCount() >= 3);  // RAM charted
    QCOMPARE(m.freeVram(), -1.0);
  }
};

QTEST_MAIN(TestGpuMonitor)
#include "test_gpu_monitor.moc"
