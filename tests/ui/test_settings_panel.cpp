// Settings panel: params round-trip, applyMetadata, seed modes, precision availability, VRAM estimate.
#include <QComboBox>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTemporaryDir>
#include <QtTest>

#include "settings_panel.h"

using namespace newbie;

class TestSettingsPanel : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("NewBieTest"));
    QCoreApplication::setApplicationName(QStringLiteral("settings-test"));
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, dir_.path());
    QSettings().clear();
  }

  void paramsRoundTrip() {
    SettingsPanel s;
    GenerationParams p;
    p.width = 832;
    p.height = 1216;
    p.steps = 35;
    p.sampler = "dpmpp_2m";
    p.schedule = s.scheduleNames().last().toStdString();
    p.shift = 3.5;
    p.cfgScale = 6.5;
    p.cfgTrunc = 0.75;
    p.renorm = 1.5;
    p.seed = 1234567890123ull;
    p.previewEvery = 4;
    s.setParams(p);
    const GenerationParams q = s.params();
    QCOMPARE(q.width, 832);
    QCOMPARE(q.height, 1216);
    QCOMPARE(q.steps, 35);
    QCOMPARE(q.sampler, std::string("dpmpp_2m"));
    QCOMPARE(q.schedule, p.schedule);
    QCOMPARE(q.shift, 3.5);
    QCOMPARE(q.cfgScale, 6.5);
    QCOMPARE(q.cfgTrunc, 0.75);
    QCOMPARE(q.renorm, 1.5);
    QCOMPARE(q.seed, p.seed);
    QCOMPARE(q.previewEvery, 4);
    // Persisted: a new panel reads the same values back.
    SettingsPanel s2;
    QCOMPARE(s2.params().steps, 35);
    QCOMPARE(s2.params().seed, p.seed);
    QCOMPARE(s2.params().width, 832);
  }

  void customSizeRoundsToMultipleOf16() {
    SettingsPanel s;
    GenerationParams p;
    p.width = 1000;
    p.height = 776;
    s.setParams(p);
    QCOMPARE(s.params().width, 992);
    QCOMPARE(s.params().height, 768);
  }

  void applyMetadata() {
    SettingsPanel s;
    s.setSeedMode(SettingsPanel::SeedMode::Random);
    QVERIFY(!s.applyMetadata(QStringLiteral("{not json")));
    QVERIFY(s.applyMetadata(QStringLiteral(
        R"({"prompt":"<x/>","params":{"steps":12,"cfg_scale":3.0,"sampler":"unipc","width":1344,"height":768,"seed":"99"}})")));
    QCOMPARE(s.params().steps, 12);
    QCOMPARE(s.params().cfgScale, 3.0);
    QCOMPARE(s.params().sampler, std::string("unipc"));
    QCOMPARE(s.params().width, 1344);
    QCOMPARE(s.params().seed, uint64_t(99));
    QCOMPARE(s.seedMode(), SettingsPanel::SeedMode::Fixed);
    // camelCase keys and missing keys: only what is there changes.
    QVERIFY(s.applyMetadata(QStringLiteral(R"({"cfgScale":7.5})")));
    QCOMPARE(s.params().cfgScale, 7.5);
    QCOMPARE(s.params().steps, 12);
  }

  void seedModes() {
    SettingsPanel s;
    GenerationParams p;
    p.seed = 10;
    s.setParams(p);
    s.setSeedMode(SettingsPanel::SeedMode::Fixed);
    QCOMPARE(s.nextSeed(), uint64_t(10));
    QCOMPARE(s.nextSeed(), uint64_t(10));
    s.setSeedMode(SettingsPanel::SeedMode::Increment);
    QCOMPARE(s.nextSeed(), uint64_t(10));
    QCOMPARE(s.nextSeed(), uint64_t(11));
    s.setSeedMode(SettingsPanel::SeedMode::Random);
    const uint64_t a = s.nextSeed(), b = s.nextSeed();
    QVERIFY(a != b);
  }

  void cpuDisablesHalfPrecisionWithReason() {
    SettingsPanel s;
    s.setDevices({QStringLiteral("cpu"), QStringLiteral("cuda")});
    auto* prec = s.findChild<QComboBox*>(QStringLiteral("precision"));
    auto* m = qobject_cast<QStandardItemModel*>(prec->model());
    QVERIFY(m);
    QCOMPARE(m->item(0)->text(), QStringLiteral("bf16"));
    QVERIFY(!m->item(0)->isEnabled());
    QVERIFY(m->item(0)->toolTip().contains(QStringLiteral("CPU runs use fp32")));
    QCOMPARE(s.loadOptions().precision, Precision::FP32);
    QSignalSpy reload(&s, &SettingsPanel::loadOptionsChanged);
    auto* device = s.findChild<QComboBox*>(QStringLiteral("device"));
    device->setCurrentIndex(1);  // cuda
    QVERIFY(reload.count() >= 1);
    QVERIFY(m->item(0)->isEnabled());
    prec->setCurrentIndex(0);
    QCOMPARE(s.loadOptions().precision, Precision::BF16);
    QCOMPARE(s.loadOptions().device, std::string("cuda"));
  }

  void vramEstimate() {
    const double gib = 1024.0 * 1024 * 1024;
    const VramEstimate bf = estimateVram(1024, 1024, Precision::BF16, EncoderPlacement::CPU);
    const VramEstimate fp = estimateVram(1024, 1024, Precision::FP32, EncoderPlacement::CPU);
    const VramEstimate dev = estimateVram(1024, 1024, Precision::BF16, EncoderPlacement::Device);
    QVERIFY(std::abs(bf.weights - (3.49e9 * 2 + 8.4e7 * 2)) < 1e6);
    QVERIFY(fp.weights > 1.9 * bf.weights);
    QVERIFY(dev.weights > bf.weights + 9e9);
    QVERIFY(estimateVram(1536, 1024, Precision::BF16, EncoderPlacement::CPU).activations > bf.activations);
    QVERIFY(bf.total() > 7 * gib && bf.total() < 14 * gib);
    SettingsPanel s;
    s.setDevices({QStringLiteral("cpu"), QStringLiteral("cuda")});
    s.findChild<QComboBox*>(QStringLiteral("device"))->setCurrentIndex(1);
    s.setFreeVram(4 * gib);
    QVERIFY(s.estimateExceedsFree());
    s.setFreeVram(200 * gib);
    QVERIFY(!s.estimateExceedsFree());
  }
};

QTEST_MAIN(TestSettingsPanel)
#include "test_settings_panel.moc"
