#include "job_queue_controller.h"

#include <spdlog/spdlog.h>

namespace newbie {

JobController::JobController(std::unique_ptr<PipelineBackend> backend, QObject* parent)
    : QObject(parent), model_(new JobQueueModel(this)), worker_(new Worker(std::move(backend))) {
  thread_.setObjectName(QStringLiteral("newbie-worker"));
  worker_->moveToThread(&thread_);
  connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
  connect(worker_, &Worker::started, this, &JobController::onStarted, Qt::QueuedConnection);
  connect(worker_, &Worker::progress, this, &JobController::onProgress, Qt::QueuedConnection);
  connect(worker_, &Worker::succeeded, this, &JobController::onSucceeded, Qt::QueuedConnection);
  connect(worker_, &Worker::failed, this, &JobController::onFailed, Qt::QueuedConnection);
  connect(
      worker_, &Worker::loadProgress, this,
      [this](quint64 req, const QString& stage, const QString& detail, double f) {
        if (req == loadRequest_) Q_EMIT modelLoadProgress(stage, detail, f);
      },
      Qt::QueuedConnection);
  connect(
      worker_, &Worker::loadSucceeded, this,
      [this](quint64 req, const ModelInfo& info) {
        if (req != loadRequest_) return;
        loadRequest_ = 0;
        model_info_ = info;
        Q_EMIT modelLoaded(info);
        dispatch();
      },
      Qt::QueuedConnection);
  connect(
      worker_, &Worker::loadFailed, this,
      [this](quint64 req, const JobFailure& f) {
        if (req != loadRequest_) return;
        loadRequest_ = 0;
        model_info_ = ModelInfo{};
        Q_EMIT modelLoadFailed(f);
        dispatch();
      },
      Qt::QueuedConnection);
  thread_.start();
}

JobController::~JobController() {
  if (current_) worker_->requestCancel(current_, CancelToken::Mode::Now);
  worker_->cancelLoad();
  thread_.quit();
  thread_.wait();
}

bool JobController::openStore(const QString& dbPath, QString* error) {
  auto store = std::make_unique<JobQueueStore>(dbPath);
  if (!store->ok()) {
    if (error) *error = store->error();
    spdlog::error("queue store: {}", store->error().toStdString());
    return false;
  }
  model_->setStore(std::move(store));
  dispatch();
  return true;
}

quint64 JobController::enqueue(const GenerationParams& params, const QString& draftId, bool front) {
  const quint64 id = model_->enqueue(params, draftId, front);
  dispatch();
  return id;
}

QList<quint64> JobController::enqueueBatch(const QList<GenerationParams>& batch, const QString& draftId, bool front) {
  QList<quint64> ids;
  for (int i = batch.size() - 1; front && i >= 0; --i) ids.prepend(model_->enqueue(batch[i], draftId, true));
  for (int i = 0; !front && i < batch.size(); ++i) ids.append(model_->enqueue(batch[i], draftId, false));
  dispatch();
  return ids;
}

void JobController::stopNow() {
  if (!current_) return;
  worker_->requestCancel(current_, CancelToken::Mode::Now);
  // The worker stops at its next step; anything it still sends for this id is stale.
  model_->setState(current_, JobState::Cancelled, tr("Stopped."));
  current_ = 0;
  dispatch();
}

void JobController::finishCurrent() {
  if (!current_) return;
  worker_->requestCancel(current_, CancelToken::Mode::AfterImage);
  pauseAfterCurrent_ = true;
}

int JobController::cancelQueued() { return model_->cancelQueued(); }

void JobController::setPaused(bool paused) {
  if (paused_ == paused) return;
  paused_ = paused;
  Q_EMIT pausedChanged(paused_);
  dispatch();
}

quint64 JobController::supersede(const QString& draftId, const GenerationParams& params) {
  if (!supersede_ || draftId.isEmpty() || !current_) return 0;
  const QueuedJob* running = model_->find(current_);
  if (!running || running->draftId != draftId) return 0;
  const quint64 old = current_;
  worker_->requestCancel(old, CancelToken::Mode::Now);
  model_->setState(old, JobState::Cancelled, tr("Superseded by an edit."));
  current_ = 0;
  for (quint64 id : model_->queuedIds()) {
    const QueuedJob* j = model_->find(id);
    if (j && j->draftId == draftId) model_->remove(id);
  }
  const quint64 id = model_->enqueue(params, draftId, true);
  dispatch();
  return id;
}

quint64 JobController::loadModel(const QStringList& paths, const LoadOptions& options) {
  if (loadRequest_) worker_->cancelLoad();
  if (current_) stopNow();
  loadRequest_ = nextLoadRequest_++;
  modelPaths_ = paths;
  const quint64 req = loadRequest_;
  Q_EMIT modelLoadStarted();
  QMetaObject::invokeMethod(
      worker_, [w = worker_, req, paths, options] { w->loadModel(req, paths, options); }, Qt::QueuedConnection);
  return req;
}

void JobController::cancelLoad() {
  if (loadRequest_) worker_->cancelLoad();
}

const GenerationParams* JobController::runningParams() const { return current_ ? &currentParams_ : nullptr; }

void JobController::dispatch() {
  if (current_ || paused_ || loadRequest_) return;
  std::optional<QueuedJob> next = model_->startNext();
  if (!next) {
    Q_EMIT idle();
    return;
  }
  current_ = next->id;
  currentParams_ = next->params;
  if (!model_info_.loaded) {
    // No model: fail right away with a readable message instead of waiting forever.
    const quint64 id = current_;
    QMetaObject::invokeMethod(
        this, [this, id] { onFailed(id, JobFailure{JobFailure::Kind::NoModel, {}}); }, Qt::QueuedConnection);
    return;
  }
  Q_EMIT jobAboutToStart(current_, currentParams_);
  const quint64 id = current_;
  const GenerationParams params = currentParams_;
  const QString dir = outputDir_;
  QMetaObject::invokeMethod(
      worker_, [w = worker_, id, params, dir] { w->runJob(id, params, dir); }, Qt::QueuedConnection);
}

void JobController::onStarted(quint64 id) {
  if (id != current_) return;
  Q_EMIT jobStarted(id);
}

void JobController::onProgress(quint64 id, const JobProgress& p) {
  if (id != current_) return;  // stale: a job we already stopped
  Q_EMIT jobProgress(id, p);
}

void JobController::onSucceeded(quint64 id, const JobOutput& out) {
  if (id != current_) {
    spdlog::debug("dropping stale result of job {}", id);
    return;
  }
  const GenerationParams params = currentParams_;
  model_->setState(id, JobState::Done, out.pngPath.isEmpty() ? out.saveError : out.pngPath);
  current_ = 0;
  if (pauseAfterCurrent_) {
    pauseAfterCurrent_ = false;
    setPaused(true);
  }
  Q_EMIT jobSucceeded(id, out, params);
  dispatch();
}

void JobController::onFailed(quint64 id, const JobFailure& f) {
  if (id != current_) return;
  model_->setState(id, f.kind == JobFailure::Kind::Cancelled ? JobState::Cancelled : JobState::Failed,
                   failureText(f));
  current_ = 0;
  if (pauseAfterCurrent_) {
    pauseAfterCurrent_ = false;
    setPaused(true);
  }
  Q_EMIT jobFailed(id, f);
  dispatch();
}

}  // namespace newbie
