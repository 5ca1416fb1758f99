#pragma once
// The worker: ONE long-lived QThread owns the loaded pipeline (load + generate) and takes
// jobs one at a time (STYLE.md §7–§8). Params in, result out; signals started / progress /
// succeeded / failed. Everything crosses threads by queued signals or invokeMethod.
//
// Threading contract:
//  - Worker lives on its own QThread (moved there by JobController). Its slots run there.
//  - requestCancel() is thread-safe (atomic CancelToken) and may be called from the GUI thread.
//  - countTokens() is thread-safe (the core's tokenizer is).
//  - Every signal carries the job id (or load request id); receivers drop stale ids.

#include <QImage>
#include <QMetaType>
#include <QObject>
#include <QString>
#include <QStringList>

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include "pipeline.h"

namespace newbie {

/// What the worker calls. The real implementation wraps newbie::Pipeline
/// (makePipelineBackend()); tests use a fake.
class PipelineBackend {
 public:
  virtual ~PipelineBackend() = default;
  /// Replaces any loaded model. Throws like Pipeline::load.
  virtual void load(const std::vector<std::filesystem::path>& paths, const LoadOptions& options,
                    const LoadProgressFn& progress, const CancelToken* cancel) = 0;
  virtual bool isLoaded() const = 0;
  virtual void unload() = 0;
  /// Throws like Pipeline::generate (CancelledError, OutOfMemoryError, InvalidParamsError, ...).
  virtual GenerationResult generate(const GenerationParams& params, const Callbacks& callbacks,
                                    CancelToken& cancel) = 0;
  /// Thread-safe; -1 when no model is loaded.
  virtual int countTokens(const std::string& prompt, const std::string& preset) const = 0;
  virtual ModelSummary summary() const = 0;
};

/// The real backend over newbie::Pipeline (defined in pipeline_backend.cpp).
std::unique_ptr<PipelineBackend> makePipelineBackend();

/// Why a job or load failed. `kind` lets the UI pick a remedy.
struct JobFailure {
  enum class Kind { Error, OutOfMemory, Cancelled, InvalidParams, NoModel };
  Kind kind = Kind::Error;
  QString message;  ///< readable, translated where it is our own text
};

struct JobProgress {
  Phase phase = Phase::Load;
  int step = 0;       ///< 1-based steps done (0 before the first step)
  int total = 0;
  double sigma = 0;
  double etaSeconds = -1;  ///< -1 unknown
  double stepMs = 0;
  QImage preview;     ///< null when this step has no preview
};

struct JobOutput {
  QImage image;
  QString pngPath;        ///< empty if saving failed (then `saveError` says why)
  QString saveError;
  QString metadataJson;
  double totalMs = 0, encodeMs = 0, denoiseMs = 0, decodeMs = 0;
  Timings timings;
  int gemmaTokens = 0;
  bool gemmaTruncated = false;
  bool cancelledAfterImage = false;
};

/// Model summary as plain Qt values (for the status bar).
struct ModelInfo {
  bool loaded = false;
  bool isDemo = false;
  QString identity, layout, device, precision;
  qint64 ditParameters = 0;
};

QImage toQImage(const RGBImage& img);
QString failureText(const JobFailure& f);  ///< message + remedy (OOM gets its own)

/// Writes `image` as PNG with the metadata record (core/png.h: `newbie` JSON chunk + A1111
/// `parameters`) atomically (temp file + rename) into `dir`/YYYY-MM-DD/. Returns the path, or
/// an empty string with `error` set.
QString writePngAtomically(const RGBImage& image, const QString& metadataJson, const QString& dir, quint64 jobId,
                           QString* error);

class Worker : public QObject {
  Q_OBJECT
 public:
  explicit Worker(std::unique_ptr<PipelineBackend> backend, QObject* parent = nullptr);
  ~Worker() override;

  /// Thread-safe: asks the job `jobId` (if it is the one running) to stop.
  void requestCancel(quint64 jobId, CancelToken::Mode mode);
  /// Thread-safe: cancels a running load.
  void cancelLoad();
  /// Thread-safe token count; -1 without a model.
  int countTokens(const QString& prompt, const QString& preset) const;
  quint64 runningJob() const { return running_.load(); }

 public Q_SLOTS:
  /// Runs on the worker thread.
  void loadModel(quint64 requestId, const QStringList& paths, const newbie::LoadOptions& options);
  void runJob(quint64 jobId, const newbie::GenerationParams& params, const QString& outputDir);

 Q_SIGNALS:
  void loadProgress(quint64 requestId, const QString& stage, const QString& detail, double fraction);
  void loadSucceeded(quint64 requestId, const newbie::ModelInfo& info);
  void loadFailed(quint64 requestId, const newbie::JobFailure& failure);
  void started(quint64 jobId);
  void progress(quint64 jobId, const newbie::JobProgress& progress);
  void succeeded(quint64 jobId, const newbie::JobOutput& output);
  void failed(quint64 jobId, const newbie::JobFailure& failure);

 private:
  std::unique_ptr<PipelineBackend> backend_;
  mutable std::mutex backendMutex_;  // guards backend_ replacement vs countTokens
  CancelToken jobCancel_;
  CancelToken loadCancel_;
  std::atomic<quint64> running_{0};
};

}  // namespace newbie

Q_DECLARE_METATYPE(newbie::JobFailure)
Q_DECLARE_METATYPE(newbie::JobProgress)
Q_DECLARE_METATYPE(newbie::JobOutput)
Q_DECLARE_METATYPE(newbie::ModelInfo)
Q_DECLARE_METATYPE(newbie::LoadOptions)
Q_DECLARE_METATYPE(newbie::GenerationParams)
