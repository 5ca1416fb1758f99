// Queue model, worker thread and job controller with a fake backend (tests only).
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "fake_backend.h"
#include "job_queue_controller.h"

using namespace newbie;
using test::FakeBackend;

namespace {
GenerationParams params(const char* prompt, int steps = 6, uint64_t seed = 1) {
  GenerationParams p;
  p.prompt = prompt;
  p.steps = steps;
  p.width = 64;
  p.height = 64;
  p.seed = seed;
  p.previewEvery = 2;
  return p;
}
}  // namespace

class TestJobQueue : public QObject {
  Q_OBJECT
 private:
  std::shared_ptr<FakeBackend::Shared> shared_;
  std::unique_ptr<JobController> c_;
  QTemporaryDir dir_;

  void makeController(bool load = true) {
    shared_ = std::make_shared<FakeBackend::Shared>();
    c_ = std::make_unique<JobController>(std::make_unique<FakeBackend>(shared_));
    c_->setOutputDir(dir_.filePath(QStringLiteral("images")));
    if (load) {
      QSignalSpy loaded(c_.get(), &JobController::modelLoaded);
      c_->loadModel({QStringLiteral("/fake")}, LoadOptions{});
      QVERIFY(loaded.wait(5000));
      QVERIFY(c_->modelInfo().isDemo);
    }
  }

 private Q_SLOTS:
  void cleanup() { c_.reset(); }

  void paramsJsonRoundTrip() {
    GenerationParams p = params("<a>x</a>", 9, 0xFFFFFFFFFFFFFFF1ull);
    p.negativePrompt = "bad";
    p.systemPrompt = "sys";
    p.sampler = "dpmpp_2m";
    p.cfgScale = 5.25;
    const GenerationParams q = paramsFromJson(paramsToJson(p));
    QCOMPARE(q.prompt, p.prompt);
    QCOMPARE(q.negativePrompt, p.negativePrompt);
    QCOMPARE(*q.systemPrompt, std::string("sys"));
    QCOMPARE(q.steps, 9);
    QCOMPARE(q.seed, p.seed);  // all 64 bits survive
    QCOMPARE(q.sampler, std::string("dpmpp_2m"));
    QCOMPARE(q.cfgScale, 5.25);
  }

  void modelReorderRemove() {
    JobQueueModel m;
    const quint64 a = m.enqueue(params("a")), b = m.enqueue(params("b")), c = m.enqueue(params("c"));
    QCOMPARE(m.queuedIds(), (QList<quint64>{a, b, c}));
    QVERIFY(m.move(c, -1));
    QCOMPARE(m.queuedIds(), (QList<quint64>{a, c, b}));
    QVERIFY(m.moveTo(b, 0));
    QCOMPARE(m.queuedIds(), (QList<quint64>{b, a, c}));
    QVERIFY(!m.move(b, -1));  // already first
    const quint64 f = m.enqueue(params("f"), {}, true);
    QCOMPARE(m.queuedIds().front(), f);
    QVERIFY(m.remove(a));
    QCOMPARE(m.queuedIds(), (QList<quint64>{f, b, c}));
    auto started = m.startNext();
    QVERIFY(started && started->id == f);
    QVERIFY(!m.remove(f));  // running jobs cannot be removed
    QCOMPARE(m.cancelQueued(), 2);
    QCOMPARE(m.queuedCount(), 0);
    QCOMPARE(m.rowCount(), 1);
    // Drag and drop goes through the mime data by id.
    const quint64 x = m.enqueue(params("x")), y = m.enqueue(params("y"));
    std::unique_ptr<QMimeData> md(m.mimeData({m.index(m.rowOf(y))}));
    QVERIFY(m.dropMimeData(md.get(), Qt::CopyAction, m.rowOf(x), 0, {}));
    QCOMPARE(m.queuedIds(), (QList<quint64>{y, x}));
  }

  void storePersistsAcrossRestart() {
    const QString db = dir_.filePath(QStringLiteral("history.sqlite"));
    QList<quint64> ids;
    {
      JobQueueModel m;
      m.setStore(std::make_unique<JobQueueStore>(db));
      ids << m.enqueue(params("one", 3, 11), QStringLiteral("d")) << m.enqueue(params("two", 4, 22));
      m.startNext();  // running at "crash" time: comes back queued
      m.move(ids[1], -1);
    }
    JobQueueModel m2;
    m2.setStore(std::make_unique<JobQueueStore>(db));
    QCOMPARE(m2.queuedIds(), (QList<quint64>{ids[1], ids[0]}));
    QCOMPARE(m2.find(ids[0])->params.seed, uint64_t(11));
    QCOMPARE(m2.find(ids[0])->draftId, QStringLiteral("d"));
    QCOMPARE(m2.find(ids[1])->params.prompt, std::string("two"));
    QVERIFY(m2.enqueue(params("three")) > ids[1]);  // ids keep growing
    QFile::remove(db);
  }

  void workerSignalsAndPng() {
    makeController();
    QSignalSpy started(c_.get(), &JobController::jobStarted);
    QSignalSpy progress(c_.get(), &JobController::jobProgress);
    QSignalSpy ok(c_.get(), &JobController::jobSucceeded);
    const quint64 id = c_->enqueue(params("hello", 6, 7));
    QVERIFY(ok.wait(5000));
    QCOMPARE(started.count(), 1);
    QCOMPARE(started.at(0).at(0).toULongLong(), id);
    int previews = 0, lastStep = 0;
    for (const auto& args : progress) {
      const auto p = args.at(1).value<JobProgress>();
      if (p.step > 0) {
        QVERIFY(p.step > lastStep);
        lastStep = p.step;
        QCOMPARE(p.total, 6);
        QVERIFY(p.etaSeconds >= 0);
      }
      if (!p.preview.isNull()) ++previews;
    }
    QCOMPARE(lastStep, 6);
    QCOMPARE(previews, 3);  // every 2 steps
    const auto out = ok.at(0).at(1).value<JobOutput>();
    QCOMPARE(out.image.size(), QSize(8, 8));
    QVERIFY2(QFileInfo::exists(out.pngPath), qPrintable(out.saveError));
    QImage back(out.pngPath);
    QCOMPARE(back.size(), QSize(8, 8));
    QCOMPARE(back.text(QStringLiteral("newbie")), out.metadataJson);  // the record, byte for byte
    QVERIFY(back.text(QStringLiteral("parameters")).startsWith(QStringLiteral("hello")));  // A1111 text
    QCOMPARE(c_->model()->find(id)->state, JobState::Done);
  }

  void failuresAreReadable() {
    makeController();
    QSignalSpy failed(c_.get(), &JobController::jobFailed);
    shared_->fail = static_cast<int>(FakeBackend::Fail::OutOfMemory);
    const quint64 a = c_->enqueue(params("oom"));
    QVERIFY(failed.wait(5000));
    auto f = failed.at(0).at(1).value<JobFailure>();
    QCOMPARE(f.kind, JobFailure::Kind::OutOfMemory);
    QVERIFY(failureText(f).contains(QStringLiteral("smaller size")));
    QCOMPARE(c_->model()->find(a)->state, JobState::Failed);
    shared_->fail = static_cast<int>(FakeBackend::Fail::Runtime);
    c_->enqueue(params("rt"));
    QVERIFY(failed.wait(5000));
    f = failed.at(1).at(1).value<JobFailure>();
    QCOMPARE(f.kind, JobFailure::Kind::Error);
    QVERIFY(f.message.contains(QStringLiteral("tensor 'x'")));
    // The worker keeps working after errors.
    shared_->fail = 0;
    QSignalSpy ok(c_.get(), &JobController::jobSucceeded);
    c_->enqueue(params("fine"));
    QVERIFY(ok.wait(5000));
  }

  void noModelFailsClearly() {
    makeController(false);
    QSignalSpy failed(c_.get(), &JobController::jobFailed);
    c_->enqueue(params("x"));
    QVERIFY(failed.wait(2000));
    QCOMPARE(failed.at(0).at(1).value<JobFailure>().kind, JobFailure::Kind::NoModel);
  }

  void loadFailureIsReported() {
    makeController(false);
    shared_->loadFails = true;
    QSignalSpy lf(c_.get(), &JobController::modelLoadFailed);
    c_->loadModel({QStringLiteral("/nowhere")}, {});
    QVERIFY(lf.wait(5000));
    QVERIFY(lf.at(0).at(0).value<JobFailure>().message.contains(QStringLiteral("missing model files")));
    QVERIFY(!c_->isLoading());
  }

  void stopNowDropsStaleResult() {
    makeController();
    shared_->stepMs = 40;
    QSignalSpy started(c_.get(), &JobController::jobStarted);
    QSignalSpy ok(c_.get(), &JobController::jobSucceeded);
    QSignalSpy progress(c_.get(), &JobController::jobProgress);
    const quint64 a = c_->enqueue(params("long", 50));
    const quint64 b = c_->enqueue(params("next", 3));
    QVERIFY(started.wait(3000));
    QTRY_VERIFY_WITH_TIMEOUT(progress.count() >= 3, 3000);
    c_->stopNow();
    QCOMPARE(c_->model()->find(a)->state, JobState::Cancelled);
    QVERIFY(ok.wait(5000));
    QCOMPARE(ok.at(0).at(0).toULongLong(), b);  // a's late signals were dropped
    for (const auto& args : progress)
      if (args.at(0).toULongLong() == a) QVERIFY(args.at(1).value<JobProgress>().step < 50);
    QCOMPARE(shared_->generated.load(), 1);
  }

  void finishCurrentPausesAfterImage() {
    makeController();
    shared_->stepMs = 20;
    QSignalSpy started(c_.get(), &JobController::jobStarted);
    QSignalSpy ok(c_.get(), &JobController::jobSucceeded);
    const quint64 a = c_->enqueue(params("a", 10));
    const quint64 b = c_->enqueue(params("b", 3));
    QVERIFY(started.wait(3000));
    c_->finishCurrent();
    QVERIFY(ok.wait(5000));
    QCOMPARE(ok.at(0).at(0).toULongLong(), a);  // the image finished
    QVERIFY(c_->isPaused());
    QTest::qWait(150);
    QCOMPARE(c_->model()->find(b)->state, JobState::Queued);  // and nothing else started
    c_->setPaused(false);
    QVERIFY(ok.wait(5000));
    QCOMPARE(ok.at(1).at(0).toULongLong(), b);
  }

  void cancelQueuedKeepsRunning() {
    makeController();
    shared_->stepMs = 20;
    QSignalSpy started(c_.get(), &JobController::jobStarted);
    QSignalSpy ok(c_.get(), &JobController::jobSucceeded);
    const quint64 a = c_->enqueue(params("a", 8));
    c_->enqueue(params("b"));
    c_->enqueue(params("c"));
    QVERIFY(started.wait(3000));
    QCOMPARE(c_->cancelQueued(), 2);
    QVERIFY(ok.wait(5000));
    QCOMPARE(ok.at(0).at(0).toULongLong(), a);
    QTest::qWait(150);
    QCOMPARE(ok.count(), 1);
    QCOMPARE(c_->model()->queuedCount(), 0);
  }

  void pauseHoldsQueue() {
    makeController();
    c_->setPaused(true);
    QSignalSpy started(c_.get(), &JobController::jobStarted);
    const quint64 a = c_->enqueue(params("a", 2));
    QTest::qWait(150);
    QCOMPARE(started.count(), 0);
    c_->setPaused(false);
    QVERIFY(started.wait(3000));
    QCOMPARE(started.at(0).at(0).toULongLong(), a);
  }

  void supersedeRestartsEditedDraft() {
    makeController();
    shared_->stepMs = 30;
    QSignalSpy started(c_.get(), &JobController::jobStarted);
    QSignalSpy ok(c_.get(), &JobController::jobSucceeded);
    const quint64 a = c_->enqueue(params("draft v1", 40), QStringLiteral("editor"));
    const quint64 other = c_->enqueue(params("other draft", 2), QStringLiteral("x"));
    QVERIFY(started.wait(3000));
    // Off: nothing happens.
    QCOMPARE(c_->supersede(QStringLiteral("editor"), params("draft v2", 2)), quint64(0));
    c_->setSupersede(true);
    QCOMPARE(c_->supersede(QStringLiteral("x"), params("nope", 2)), quint64(0));  // other draft is not running
    const quint64 b = c_->supersede(QStringLiteral("editor"), params("draft v2", 2));
    QVERIFY(b != 0);
    QCOMPARE(c_->model()->find(a)->state, JobState::Cancelled);
    QVERIFY(ok.wait(5000));
    QCOMPARE(ok.at(0).at(0).toULongLong(), b);  // the edited one runs first
    QCOMPARE(ok.at(0).at(2).value<GenerationParams>().prompt, std::string("draft v2"));
    QVERIFY(ok.wait(5000));
    QCOMPARE(ok.at(1).at(0).toULongLong(), other);
  }

  void batchAtFrontKeepsOrder() {
    makeController();
    c_->setPaused(true);
    const quint64 q = c_->enqueue(params("queued"));
    const QList<quint64> ids = c_->enqueueBatch({params("b1"), params("b2")}, {}, true);
    QCOMPARE(c_->model()->queuedIds(), (QList<quint64>{ids[0], ids[1], q}));
  }
};

QTEST_MAIN(TestJobQueue)
#include "test_job_queue.moc"
