#pragma once
// GPU monitor dock: samples a TelemetrySource ~2 Hz on a timer in its own QThread (never the
// UI thread) and draws rolling QCustomPlot charts: utilisation %, memory GB, temperature /
// power, with vertical markers for job phases (load / encode / denoise / decode) and job
// boundaries. Without an NVIDIA GPU it charts CPU % and RAM and says why there is no GPU data.

#include <QMetaType>
#include <QObject>
#include <QThread>
#include <QWidget>

#include <memory>

#include "telemetry.h"

class QCustomPlot;
class QLabel;
class QTimer;

namespace newbie {

/// Lives on the sampling thread. Owns the source.
class TelemetrySampler : public QObject {
  Q_OBJECT
 public:
  explicit TelemetrySampler(std::unique_ptr<TelemetrySource> source, int intervalMs = 500);
  ~TelemetrySampler() override;
  std::string reason() const { return reason_; }

 public Q_SLOTS:
  void start();  ///< on the sampling thread
  void stop();
  void sampleOnce();

 Q_SIGNALS:
  void sampled(const newbie::TelemetrySample& sample);

 private:
  std::unique_ptr<TelemetrySource> source_;
  std::string reason_;
  int intervalMs_;
  QTimer* timer_ = nullptr;
};

class GpuMonitor : public QWidget {
  Q_OBJECT
 public:
  /// `source` null → CombinedSource (NVML + /proc).
  explicit GpuMonitor(std::unique_ptr<TelemetrySource> source = nullptr, QWidget* parent = nullptr,
                      int intervalMs = 500);
  ~GpuMonitor() override;  ///< stops and joins the sampling thread

  /// A labelled vertical marker at "now" (phase names, "job #3", ...).
  void addMarker(const QString& label, bool boundary = false);
  /// Free memory of GPU 0 in bytes from the last sample, < 0 unknown.
  double freeVram() const { return freeVram_; }
  bool hasGpu() const { return hasGpu_; }
  int sampleCount() const { return samples_; }
  QString statusText() const;
  const TelemetrySample& lastSample() const { return last_; }
  /// Graphs for tests: 0 utilisation/CPU, 1 memory, 2 temperature/power.
  QCustomPlot* plot(int i) const;

 Q_SIGNALS:
  void sampleArrived(const newbie::TelemetrySample& sample);
  void freeVramChanged(double bytes);

 protected:
  /// QEvent::LanguageChange re-sets axis labels, legend names and the status line.
  void changeEvent(QEvent* e) override;

 private:
  void onSample(const TelemetrySample& s);
  void retranslateUi();
  void updateStatusText();
  QThread thread_;
  TelemetrySampler* sampler_;
  QLabel* status_ = nullptr;
  QCustomPlot* plots_[3];
  QString reason_;
  double t0_ = -1;
  double freeVram_ = -1;
  bool hasGpu_ = false;
  int samples_ = 0;
  TelemetrySample last_;
};

}  // namespace newbie

Q_DECLARE_METATYPE(newbie::TelemetrySample)
