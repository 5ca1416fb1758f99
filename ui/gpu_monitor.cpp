#include "gpu_monitor.h"

#include <QEvent>
#include <QLabel>
#include <QTimer>
#include <QVBoxLayout>

#include <qcustomplot.h>

namespace newbie {

namespace {
constexpr double kWindowSeconds = 120.0;
constexpr double kGB = 1e9;

void registerTelemetryType() {
  static const int id = qRegisterMetaType<TelemetrySample>();
  (void)id;
}
}  // namespace

TelemetrySampler::TelemetrySampler(std::unique_ptr<TelemetrySource> source, int intervalMs)
    : source_(std::move(source)), intervalMs_(intervalMs) {
  registerTelemetryType();
  reason_ = source_ ? source_->reason() : std::string("no telemetry source");
}

TelemetrySampler::~TelemetrySampler() = default;

void TelemetrySampler::start() {
  if (!timer_) {
    timer_ = new QTimer(this);  // created on the sampling thread, so it fires there
    connect(timer_, &QTimer::timeout, this, &TelemetrySampler::sampleOnce);
  }
  timer_->start(intervalMs_);
  sampleOnce();
}

void TelemetrySampler::stop() {
  if (timer_) timer_->stop();
}

void TelemetrySampler::sampleOnce() {
  if (!source_) return;
  TelemetrySample s;
  try {
    source_->sample(s);
  } catch (...) {
    return;  // a failing driver call must not kill the sampling thread
  }
  if (s.timeSeconds == 0) s.timeSeconds = telemetryNowSeconds();
  Q_EMIT sampled(s);
}

GpuMonitor::GpuMonitor(std::unique_ptr<TelemetrySource> source, QWidget* parent, int intervalMs) : QWidget(parent) {
  registerTelemetryType();
  if (!source) source = std::make_unique<CombinedSource>();
  sampler_ = new TelemetrySampler(std::move(source), intervalMs);
  reason_ = QString::fromStdString(sampler_->reason());

  auto* lay = new QVBoxLayout(this);
  lay->setContentsMargins(4, 4, 4, 4);
  status_ = new QLabel(this);
  status_->setWordWrap(true);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  lay->addWidget(status_);
  for (int i = 0; i < 3; ++i) {
    auto* p = new QCustomPlot(this);
    p->setMinimumHeight(90);
    p->setObjectName(QStringLiteral("plot%1").arg(i));
    p->xAxis->setRange(-kWindowSeconds, 0);
    p->legend->setVisible(true);
    p->legend->setFont(QFont(font().family(), 7));
    p->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
    plots_[i] = p;
    lay->addWidget(p, 1);
  }
  auto addGraph = [](QCustomPlot* p, QColor c, QCPAxis* y = nullptr) {
    QCPGraph* g = y ? p->addGraph(p->xAxis, y) : p->addGraph();
    g->setPen(QPen(c, 1.5));
    return g;
  };
  // Graph names and axis labels: retranslateUi().
  addGraph(plots_[0], QColor(0x76, 0xb9, 0x00));  // GPU
  addGraph(plots_[0], QColor(0x3d, 0xae, 0xe9));  // CPU
  plots_[0]->yAxis->setRange(0, 100);
  addGraph(plots_[1], QColor(0x76, 0xb9, 0x00));  // VRAM used
  addGraph(plots_[1], QColor(0x3d, 0xae, 0xe9));  // RAM used
  addGraph(plots_[1], QColor(0xe6, 0x7e, 0x22));  // this process
  plots_[2]->yAxis2->setVisible(true);
  addGraph(plots_[2], QColor(0xc0, 0x39, 0x2b));                      // temperature
  addGraph(plots_[2], QColor(0x8e, 0x44, 0xad), plots_[2]->yAxis2);  // power
  plots_[2]->yAxis->setRange(20, 95);
  plots_[2]->yAxis2->setRange(0, 400);
  retranslateUi();

  thread_.setObjectName(QStringLiteral("newbie-telemetry"));
  sampler_->moveToThread(&thread_);
  connect(&thread_, &QThread::started, sampler_, &TelemetrySampler::start);
  connect(&thread_, &QThread::finished, sampler_, &QObject::deleteLater);
  connect(sampler_, &TelemetrySampler::sampled, this, &GpuMonitor::onSample, Qt::QueuedConnection);
  thread_.start(QThread::LowPriority);
}

GpuMonitor::~GpuMonitor() {
  QMetaObject::invokeMethod(sampler_, &TelemetrySampler::stop, Qt::BlockingQueuedConnection);
  thread_.quit();
  thread_.wait();
}

QCustomPlot* GpuMonitor::plot(int i) const { return (i >= 0 && i < 3) ? plots_[i] : nullptr; }

QString GpuMonitor::statusText() const { return status_->text(); }

void GpuMonitor::onSample(const TelemetrySample& s) {
  if (t0_ < 0) t0_ = s.timeSeconds;
  const double t = s.timeSeconds - t0_;
  ++samples_;
  last_ = s;
  hasGpu_ = !s.gpus.empty();
  if (hasGpu_) {
    const GpuSample& g = s.gpus.front();
    if (g.utilisationPercent) plots_[0]->graph(0)->addData(t, *g.utilisationPercent);
    if (g.memoryUsedBytes) plots_[1]->graph(0)->addData(t, *g.memoryUsedBytes / kGB);
    if (g.temperatureC) plots_[2]->graph(0)->addData(t, *g.temperatureC);
    if (g.powerWatts) plots_[2]->graph(1)->addData(t, *g.powerWatts);
    if (g.memoryUsedBytes && g.memoryTotalBytes) {
      freeVram_ = *g.memoryTotalBytes - *g.memoryUsedBytes;
      Q_EMIT freeVramChanged(freeVram_);
    }
  }
  if (s.host) {
    const HostSample& h = *s.host;
    if (h.cpuPercent) plots_[0]->graph(1)->addData(t, *h.cpuPercent);
    if (h.ramUsedBytes) plots_[1]->graph(1)->addData(t, *h.ramUsedBytes / kGB);
    if (h.processRssBytes) plots_[1]->graph(2)->addData(t, *h.processRssBytes / kGB);
  }
  updateStatusText();
  plots_[2]->setVisible(hasGpu_);
  double memMax = 1;
  if (hasGpu_ && s.gpus.front().memoryTotalBytes) memMax = *s.gpus.front().memoryTotalBytes / kGB;
  else if (s.host && s.host->ramTotalBytes) memMax = *s.host->ramTotalBytes / kGB;
  plots_[1]->yAxis->setRange(0, memMax * 1.05);
  for (QCustomPlot* p : plots_) {
    for (int g = 0; g < p->graphCount(); ++g) p->graph(g)->data()->removeBefore(t - kWindowSeconds - 5);
    p->xAxis->setRange(t - kWindowSeconds, t);
    for (int i = p->itemCount() - 1; i >= 0; --i) {
      auto* line = qobject_cast<QCPItemStraightLine*>(p->item(i));
      if (line && line->point1->coords().x() < t - kWindowSeconds) p->removeItem(i);
    }
    if (p->isVisible()) p->replot(QCustomPlot::rpQueuedReplot);
  }
  Q_EMIT sampleArrived(s);
}

void GpuMonitor::retranslateUi() {
  const QString titles[3] = {tr("Utilisation %"), tr("Memory GB"), tr("Temperature °C / power W")};
  for (int i = 0; i < 3; ++i) {
    plots_[i]->yAxis->setLabel(titles[i]);
    plots_[i]->xAxis->setLabel(tr("seconds"));
  }
  plots_[0]->graph(0)->setName(tr("GPU"));
  plots_[0]->graph(1)->setName(tr("CPU"));
  plots_[1]->graph(0)->setName(tr("VRAM used"));
  plots_[1]->graph(1)->setName(tr("RAM used"));
  plots_[1]->graph(2)->setName(tr("this process"));
  plots_[2]->yAxis2->setLabel(tr("W"));
  plots_[2]->graph(0)->setName(tr("temperature"));
  plots_[2]->graph(1)->setName(tr("power"));
  updateStatusText();
  for (QCustomPlot* p : plots_) p->replot(QCustomPlot::rpQueuedReplot);
}

void GpuMonitor::changeEvent(QEvent* e) {
  if (e->type() == QEvent::LanguageChange && status_) retranslateUi();
  QWidget::changeEvent(e);
}

/// The status line from the last sample (or the waiting / no-GPU note before the first one).
void GpuMonitor::updateStatusText() {
  if (samples_ == 0) {
    status_->setText(reason_.isEmpty() ? tr("Waiting for the first sample…") : tr("No GPU data: %1").arg(reason_));
    return;
  }
  const TelemetrySample& s = last_;
  QStringList parts;
  if (hasGpu_) {
    const GpuSample& g = s.gpus.front();
    parts << QString::fromStdString(g.name);
    if (g.utilisationPercent) parts << tr("%1 %").arg(*g.utilisationPercent, 0, 'f', 0);
    if (g.memoryUsedBytes && g.memoryTotalBytes)
      parts << tr("%1 / %2 GB").arg(*g.memoryUsedBytes / kGB, 0, 'f', 1).arg(*g.memoryTotalBytes / kGB, 0, 'f', 1);
    if (g.temperatureC) parts << tr("%1 °C").arg(*g.temperatureC, 0, 'f', 0);
    if (g.powerWatts) parts << tr("%1 W").arg(*g.powerWatts, 0, 'f', 0);
    if (g.smClockMHz) parts << tr("%1 MHz").arg(*g.smClockMHz, 0, 'f', 0);
    if (auto own = processGpuMemoryBytes()) parts << tr("this process %1 GB").arg(*own / kGB, 0, 'f', 1);
  }
  if (s.host) {
    const HostSample& h = *s.host;
    if (h.cpuPercent) parts << tr("CPU %1 %").arg(*h.cpuPercent, 0, 'f', 0);
    if (h.ramUsedBytes && h.ramTotalBytes)
      parts << tr("RAM %1 / %2 GB").arg(*h.ramUsedBytes / kGB, 0, 'f', 1).arg(*h.ramTotalBytes / kGB, 0, 'f', 1);
  }
  QString text = parts.join(QStringLiteral(" · "));
  if (!hasGpu_)
    text = tr("No GPU data (%1). Showing CPU and RAM.").arg(reason_.isEmpty() ? tr("no NVIDIA GPU") : reason_) +
           QStringLiteral("\n") + text;
  status_->setText(text);
}

void GpuMonitor::addMarker(const QString& label, bool boundary) {
  const double t = t0_ < 0 ? 0 : telemetryNowSeconds() - t0_;
  for (int i = 0; i < 3; ++i) {
    QCustomPlot* p = plots_[i];
    auto* line = new QCPItemStraightLine(p);
    line->point1->setCoords(t, 0);
    line->point2->setCoords(t, 1);
    line->setPen(QPen(boundary ? QColor(0x95, 0xa5, 0xa6) : QColor(0xf3, 0x9c, 0x12), 1,
                      boundary ? Qt::SolidLine : Qt::DashLine));
    line->setObjectName(label);
    if (i == 0) {
      auto* text = new QCPItemText(p);
      text->position->setType(QCPItemPosition::ptPlotCoords);
      text->position->setCoords(t, 95);
      text->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
      text->setText(label);
      text->setFont(QFont(font().family(), 7));
      text->setColor(QColor(0x7f, 0x8c, 0x8d));
    }
  }
  // Old texts go with their lines.
  QCustomPlot* p0 = plots_[0];
  const double now = t;
  for (int i = p0->itemCount() - 1; i >= 0; --i) {
    auto* text = qobject_cast<QCPItemText*>(p0->item(i));
    if (text && text->position->coords().x() < now - kWindowSeconds) p0->removeItem(i);
  }
}

}  // namespace newbie
