#pragma once
// JobController: owns the worker thread and the queue model and dispatches jobs one at a time.
// GUI thread only (the worker's signals arrive here queued; stale job ids are dropped).
//
// Verbs: stopNow() (CancelToken Now: the running job stops at the next step),
// finishCurrent() (AfterImage: the running image finishes, then the queue pauses),
// cancelQueued() (drops every queued job, the running one continues).
// Supersede mode: supersede(draft, params) cancels a running job of the same draft at its
// next step and queues the edited one first.

#include <QObject>
#include <QPointer>
#include <QThread>

#include <memory>

#include "job_queue.h"
#include "worker.h"

namespace newbie {

class JobController : public QObject {
  Q_OBJECT
 public:
  explicit JobController(std::unique_ptr<PipelineBackend> backend, QObject* parent = nullptr);
  ~JobController() override;  ///< stops the running job and joins the worker thread

  JobQueueModel* model() const { return model_; }
  Worker* worker() const { return worker_; }

  /// Folder for the finished PNGs (dated sub-folders are made inside).
  void setOutputDir(const QString& dir) { outputDir_ = dir; }
  QString outputDir() const { return outputDir_; }
  /// Persists the queue in `dbPath` (table `queue`) and restores what it holds.
  bool openStore(const QString& dbPath, QString* error = nullptr);

  quint64 enqueue(const GenerationParams& params, const QString& draftId = {}, bool front = false);
  /// Queues several jobs in order (at the front: ahead of every queued job). Returns their ids.
  QList<quint64> enqueueBatch(const QList<GenerationParams>& batch, const QString& draftId = {}, bool front = false);
  bool removeJob(quint64 id) { return model_->remove(id); }

  void stopNow();
  void finishCurrent();
  int cancelQueued();

  void setPaused(bool paused);
  bool isPaused() const { return paused_; }
  void setSupersede(bool on) { supersede_ = on; }
  bool supersedeEnabled() const { return supersede_; }
  /// In supersede mode: if the running job came from `draftId`, cancel it at the next step,
  /// drop queued jobs of that draft and queue `params` first. Returns the new job id, or 0
  /// when supersede did not apply (mode off, or no job of that draft is running).
  quint64 supersede(const QString& draftId, const GenerationParams& params);

  /// Loads (or reloads) the model on the worker thread. Jobs wait while it loads.
  quint64 loadModel(const QStringList& paths, const LoadOptions& options);
  void cancelLoad();
  bool isLoading() const { return loadRequest_ != 0; }
  const ModelInfo& modelInfo() const { return model_info_; }
  QStringList modelPaths() const { return modelPaths_; }

  quint64 runningJob() const { return current_; }
  const GenerationParams* runningParams() const;

 Q_SIGNALS:
  /// Emitted synchronously just before the job is handed to the worker (history beginJob).
  void jobAboutToStart(quint64 id, const newbie::GenerationParams& params);
  void jobStarted(quint64 id);
  void jobProgress(quint64 id, const newbie::JobProgress& progress);
  void jobSucceeded(quint64 id, const newbie::JobOutput& output, const newbie::GenerationParams& params);
  void jobFailed(quint64 id, const newbie::JobFailure& failure);
  void idle();
  void pausedChanged(bool paused);
  void modelLoadStarted();
  void modelLoadProgress(const QString& stage, const QString& detail, double fraction);
  void modelLoaded(const newbie::ModelInfo& info);
  void modelLoadFailed(const newbie::JobFailure& failure);

 private:
  void dispatch();
  void onStarted(quint64 id);
  void onProgress(quint64 id, const JobProgress& p);
  void onSucceeded(quint64 id, const JobOutput& out);
  void onFailed(quint64 id, const JobFailure& f);

  JobQueueModel* model_;
  QThread thread_;
  Worker* worker_;  // lives on thread_, deleted when it finishes
  QString outputDir_;
  quint64 current_ = 0;
  GenerationParams currentParams_;
  bool paused_ = false;
  bool supersede_ = false;
  bool pauseAfterCurrent_ = false;
  quint64 loadRequest_ = 0;
  quint64 nextLoadRequest_ = 1;
  ModelInfo model_info_;
  QStringList modelPaths_;
};

}  // namespace newbie
