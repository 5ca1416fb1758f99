#include "preview_view.h"

#include <QEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>

namespace newbie {

PreviewView::PreviewView(QWidget* parent) : QWidget(parent) {
  setMinimumSize(256, 256);
  setAutoFillBackground(true);
  QPalette pal = palette();
  pal.setColor(QPalette::Window, QColor(0x26, 0x28, 0x2b));
  setPalette(pal);
  setFocusPolicy(Qt::ClickFocus);
  setToolTip(tr("Wheel: zoom · drag: pan · double-click: fit"));
}

void PreviewView::changeEvent(QEvent* e) {
  if (e->type() == QEvent::LanguageChange) {
    setToolTip(tr("Wheel: zoom · drag: pan · double-click: fit"));
    update();  // the "no image yet" hint is translated when painted
  }
  QWidget::changeEvent(e);
}

void PreviewView::showPreview(const QImage& image, int step, int total, double sigma, double etaSeconds) {
  if (!image.isNull()) image_ = image;
  final_ = false;
  message_.clear();
  QString eta = etaSeconds >= 0 ? tr("ETA %1 s").arg(etaSeconds, 0, 'f', etaSeconds < 10 ? 1 : 0) : QString();
  overlay_ = tr("step %1 / %2 · σ %3").arg(step).arg(total).arg(sigma, 0, 'f', 3);
  if (!eta.isEmpty()) overlay_ += QStringLiteral(" · ") + eta;
  fraction_ = total > 0 ? static_cast<double>(step) / total : -1;
  update();
}

void PreviewView::showProgress(const QString& text, double fraction) {
  overlay_ = text;
  fraction_ = fraction;
  message_.clear();
  update();
}

void PreviewView::showFinal(const QImage& image) {
  image_ = image;
  final_ = true;
  overlay_.clear();
  message_.clear();
  fraction_ = -1;
  update();
}

void PreviewView::showMessage(const QString& text) {
  message_ = text;
  update();
}

void PreviewView::clear() {
  image_ = QImage();
  overlay_.clear();
  message_.clear();
  final_ = false;
  fraction_ = -1;
  update();
}

double PreviewView::fitScale() const {
  if (image_.isNull()) return 1.0;
  return std::min(static_cast<double>(width()) / image_.width(), static_cast<double>(height()) / image_.height());
}

void PreviewView::setZoom(double z) {
  zoom_ = std::clamp(z, 0.05, 16.0);
  fit_ = false;
  update();
}

void PreviewView::fitToWindow() {
  fit_ = true;
  pan_ = {};
  update();
}

void PreviewView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setRenderHint(QPainter::SmoothPixmapTransform);
  if (!image_.isNull()) {
    const double s = zoom();
    const QSizeF sz(image_.width() * s, image_.height() * s);
    const QPointF topLeft(QPointF((width() - sz.width()) / 2, (height() - sz.height()) / 2) + (fit_ ? QPointF() : pan_));
    p.drawImage(QRectF(topLeft, sz), image_);
  }
  const QString centre = !message_.isEmpty() ? message_ : (image_.isNull() && overlay_.isEmpty() ? tr("No image yet — write a prompt and press Ctrl+Enter") : QString());
  if (!centre.isEmpty()) {
    p.setPen(QColor(0xdd, 0xdd, 0xdd));
    QRect r = rect().adjusted(24, 24, -24, -24);
    p.drawText(r, Qt::AlignCenter | Qt::TextWordWrap, centre);
  }
  if (!overlay_.isEmpty()) {
    QFont f = font();
    f.setBold(true);
    p.setFont(f);
    const QFontMetrics fm(f);
    const QRect tb = fm.boundingRect(overlay_).adjusted(-8, -4, 8, 4);
    QRect box(QPoint(12, height() - tb.height() - 12), tb.size());
    p.fillRect(box, QColor(0, 0, 0, 160));
    p.setPen(Qt::white);
    p.drawText(box, Qt::AlignCenter, overlay_);
    if (fraction_ >= 0) {
      const QRect bar(0, height() - 4, static_cast<int>(width() * std::clamp(fraction_, 0.0, 1.0)), 4);
      p.fillRect(bar, QColor(0x3d, 0xae, 0xe9));
    }
  }
}

void PreviewView::wheelEvent(QWheelEvent* e) {
  if (image_.isNull()) return;
  const double old = zoom();
  const double factor = e->angleDelta().y() > 0 ? 1.25 : 0.8;
  const double nz = std::clamp(old * factor, 0.05, 16.0);
  // Keep the point under the cursor fixed.
  const QPointF c = e->position() - QPointF(width() / 2.0, height() / 2.0);
  const QPointF pan = fit_ ? QPointF() : pan_;
  pan_ = c - (c - pan) * (nz / old);
  zoom_ = nz;
  fit_ = false;
  update();
  e->accept();
}

void PreviewView::mousePressEvent(QMouseEvent* e) {
  dragStart_ = e->position();
  panStart_ = fit_ ? QPointF() : pan_;
}

void PreviewView::mouseMoveEvent(QMouseEvent* e) {
  if (!(e->buttons() & Qt::LeftButton) || image_.isNull()) return;
  if (fit_) {
    zoom_ = fitScale();
    fit_ = false;
  }
  pan_ = panStart_ + (e->position() - dragStart_);
  update();
}

void PreviewView::mouseDoubleClickEvent(QMouseEvent*) { fitToWindow(); }

}  // namespace newbie
