#include "worker.h"

#include "png.h"

#include <QCoreApplication>
#include <QDate>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QThread>

#include <spdlog/spdlog.h>

#include <chrono>
#include <exception>

namespace newbie {

namespace {
void registerTypes() {
  static const bool once = [] {
    qRegisterMetaType<JobFailure>();
    qRegisterMetaType<JobProgress>();
    qRegisterMetaType<JobOutput>();
    qRegisterMetaType<ModelInfo>();
    qRegisterMetaType<LoadOptions>();
    qRegisterMetaType<GenerationParams>();
    return true;
  }();
  (void)once;
}

ModelInfo toInfo(const ModelSummary& s) {
  ModelInfo i;
  i.loaded = true;
  i.isDemo = s.isDemo;
  i.identity = QString::fromStdString(s.identity);
  i.layout = QString::fromStdString(s.layout);
  i.device = QString::fromStdString(s.device);
  i.precision = QString::fromLatin1(precisionName(s.precision));
  i.ditParameters = s.ditParameters;
  return i;
}

/// Runs `fn`, turning every exception into a JobFailure (STYLE.md §8).
template <typename F>
bool guarded(F&& fn, JobFailure& failure) {
  try {
    fn();
    return true;
  } catch (const CancelledError& e) {
    failure = {JobFailure::Kind::Cancelled, QString::fromStdString(e.what())};
  } catch (const OutOfMemoryError& e) {
    failure = {JobFailure::Kind::OutOfMemory, QString::fromStdString(e.what())};
  } catch (const InvalidParamsError& e) {
    failure = {JobFailure::Kind::InvalidParams, QString::fromStdString(e.what())};
  } catch (const std::exception& e) {
    // c10::Error derives from std::exception; its what() carries a backtrace we trim.
    QString msg = QString::fromStdString(e.what());
    const qsizetype cut = msg.indexOf(QStringLiteral("\nException raised from"));
    if (cut > 0) msg.truncate(cut);
    failure = {JobFailure::Kind::Error, msg};
  } catch (...) {
    failure = {JobFailure::Kind::Error, QCoreApplication::translate("Worker", "Unknown error")};
  }
  return false;
}
}  // namespace

QImage toQImage(const RGBImage& img) {
  if (img.empty() || img.width <= 0 || img.height <= 0) return {};
  QImage q(reinterpret_cast<const uchar*>(img.rgb.data()), img.width, img.height, img.width * 3,
           QImage::Format_RGB888);
  return q.copy();  // own the pixels
}

QString failureText(const JobFailure& f) {
  switch (f.kind) {
    case JobFailure::Kind::OutOfMemory:
      return QCoreApplication::translate(
                 "Worker",
                 "Out of GPU memory. Try a smaller size, fp16/bf16 precision, or text encoders on CPU / "
                 "freed after encoding (Settings ▸ Text encoders), then generate again.") +
             QStringLiteral("\n") + f.message;
    case JobFailure::Kind::Cancelled:
      return QCoreApplication::translate("Worker", "Cancelled.");
    case JobFailure::Kind::InvalidParams:
      return QCoreApplication::translate("Worker", "Invalid settings: %1").arg(f.message);
    case JobFailure::Kind::NoModel:
      return QCoreApplication::translate("Worker", "No model loaded — File ▸ Open model…");
    case JobFailure::Kind::Error:
      break;
  }
  return f.message;
}

QString writePngAtomically(const RGBImage& image, const QString& metadataJson, const QString& dir, quint64 jobId,
                           QString* error) {
  const QString day = QDate::currentDate().toString(QStringLiteral("yyyy-MM-dd"));
  QDir d(dir);
  if (!d.mkpath(day)) {
    if (error) *error = QCoreApplication::translate("Worker", "Cannot create folder %1").arg(d.filePath(day));
    return {};
  }
  const QString stamp = QDateTime::currentDateTime().toString(QStringLiteral("HHmmss-zzz"));
  const QString path = d.filePath(QStringLiteral("%1/newbie-%2-%3.png").arg(day, stamp).arg(jobId));
  try {
    writePngWithRecord(path.toStdString(), image, metadataJson.toStdString());
  } catch (const std::exception& e) {
    if (error) *error = QCoreApplication::translate("Worker", "Cannot save the image: %1").arg(QString::fromStdString(e.what()));
    return {};
  }
  return path;
}

Worker::Worker(std::unique_ptr<PipelineBackend> backend, QObject* parent)
    : QObject(parent), backend_(std::move(backend)) {
  registerTypes();
}

Worker::~Worker() = default;

void Worker::requestCancel(quint64 jobId, CancelToken::Mode mode) {
  if (jobId != 0 && running_.load() == jobId) jobCancel_.request(mode);
}

void Worker::cancelLoad() { loadCancel_.request(CancelToken::Mode::Now); }

int Worker::countTokens(const QString& prompt, const QString& preset) const {
  std::unique_lock<std::mutex> lock(backendMutex_, std::try_to_lock);
  if (!lock.owns_lock() || !backend_ || !backend_->isLoaded()) return -1;  // loading: never block the UI
  try {
    return backend_->countTokens(prompt.toStdString(), preset.toStdString());
  } catch (...) {
    return -1;
  }
}

void Worker::loadModel(quint64 requestId, const QStringList& paths, const LoadOptions& options) {
  loadCancel_.reset();
  std::vector<std::filesystem::path> ps;
  for (const QString& p : paths) ps.emplace_back(p.toStdString());
  spdlog::info("loading model from {} path(s), device {}, {}", ps.size(), options.device,
               precisionName(options.precision));
  JobFailure failure;
  ModelInfo info;
  const bool ok = guarded(
      [&] {
        std::lock_guard<std::mutex> lock(backendMutex_);
        backend_->unload();
        backend_->load(
            ps, options,
            [&](const LoadProgress& p) {
              Q_EMIT loadProgress(requestId, QString::fromStdString(p.stage), QString::fromStdString(p.detail),
                                  p.fraction);
            },
            &loadCancel_);
        info = toInfo(backend_->summary());
      },
      failure);
  if (ok) {
    spdlog::info("model loaded: {} ({})", info.identity.toStdString(), info.layout.toStdString());
    Q_EMIT loadSucceeded(requestId, info);
  } else {
    spdlog::error("model load failed: {}", failure.message.toStdString());
    Q_EMIT loadFailed(requestId, failure);
  }
}

void Worker::runJob(quint64 jobId, const GenerationParams& params, const QString& outputDir) {
  // Reset before publishing the id: a cancel for this job can only land after the reset.
  jobCancel_.reset();
  running_.store(jobId);
  Q_EMIT started(jobId);
  JobFailure failure;
  JobOutput out;
  QElapsedTimer clock;
  clock.start();
  const bool ok = guarded(
      [&] {
        if (!backend_ || !backend_->isLoaded()) {
          throw std::logic_error("no model");
        }
        Callbacks cb;
        Phase phase = Phase::Encode;
        double denoiseStartMs = -1;
        cb.onPhase = [&](Phase p) {
          phase = p;
          JobProgress jp;
          jp.phase = p;
          Q_EMIT progress(jobId, jp);
        };
        cb.onStep = [&](const StepInfo& s) {
          const double now = static_cast<double>(clock.elapsed());
          if (denoiseStartMs < 0) denoiseStartMs = now - s.stepMs;
          JobProgress jp;
          jp.phase = Phase::Denoise;
          jp.step = s.index + 1;
          jp.total = s.total;
          jp.sigma = s.sigma;
          jp.stepMs = s.stepMs;
          const double perStep = (now - denoiseStartMs) / std::max(1, jp.step);
          jp.etaSeconds = perStep * (s.total - jp.step) / 1000.0;
          if (s.preview) jp.preview = toQImage(*s.preview);
          (void)phase;
          Q_EMIT progress(jobId, jp);
        };
        GenerationResult r = backend_->generate(params, cb, jobCancel_);
        out.image = toQImage(r.image);
        out.metadataJson = QString::fromStdString(r.metadataJson);
        out.totalMs = r.timings.totalMs;
        out.encodeMs = r.timings.encodeMs;
        out.denoiseMs = r.timings.denoiseMs;
        out.decodeMs = r.timings.decodeMs;
        out.timings = r.timings;
        out.gemmaTokens = r.gemmaTokens;
        out.gemmaTruncated = r.gemmaTruncated;
        out.cancelledAfterImage = jobCancel_.mode() == CancelToken::Mode::AfterImage;
        if (!outputDir.isEmpty() && !r.image.empty())
          out.pngPath = writePngAtomically(r.image, out.metadataJson, outputDir, jobId, &out.saveError);
      },
      failure);
  if (!ok && failure.message == QStringLiteral("no model")) failure.kind = JobFailure::Kind::NoModel;
  running_.store(0);
  if (ok) {
    spdlog::info("job {} done in {:.0f} ms -> {}", jobId, out.totalMs, out.pngPath.toStdString());
    Q_EMIT succeeded(jobId, out);
  } else {
    if (failure.kind == JobFailure::Kind::Cancelled)
      spdlog::info("job {} cancelled", jobId);
    else
      spdlog::error("job {} failed: {}", jobId, failure.message.toStdString());
    Q_EMIT failed(jobId, failure);
  }
}

}  // namespace newbie
