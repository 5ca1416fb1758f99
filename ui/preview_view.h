#pragma once
// Centre view: live previews while a job runs and the final image after it. Zoom with the
// wheel (around the cursor), drag to pan, double-click to fit. Overlay "step i / N · σ · ETA".
// GUI thread only.

#include <QImage>
#include <QPointF>
#include <QWidget>

namespace newbie {

class PreviewView : public QWidget {
  Q_OBJECT
 public:
  explicit PreviewView(QWidget* parent = nullptr);

  /// A live preview (shown scaled to the final size) with its progress overlay.
  void showPreview(const QImage& image, int step, int total, double sigma, double etaSeconds);
  /// Progress without a new picture (keeps the last one).
  void showProgress(const QString& text, double fraction);
  /// The final image replaces the previews; the overlay goes.
  void showFinal(const QImage& image);
  /// A message in the middle (no model, error, ...).
  void showMessage(const QString& text);
  void clear();

  QImage image() const { return image_; }
  QString overlayText() const { return overlay_; }
  bool isFinal() const { return final_; }
  double zoom() const { return fit_ ? fitScale() : zoom_; }
  void setZoom(double z);
  void fitToWindow();

 protected:
  void paintEvent(QPaintEvent* e) override;
  void changeEvent(QEvent* e) override;  ///< QEvent::LanguageChange: tooltip and hint
  void wheelEvent(QWheelEvent* e) override;
  void mousePressEvent(QMouseEvent* e) override;
  void mouseMoveEvent(QMouseEvent* e) override;
  void mouseDoubleClickEvent(QMouseEvent* e) override;

 private:
  double fitScale() const;
  QImage image_;
  QString overlay_;
  QString message_;
  double fraction_ = -1;
  bool final_ = false;
  bool fit_ = true;
  double zoom_ = 1.0;
  QPointF pan_;
  QPointF dragStart_;
  QPointF panStart_;
};

}  // namespace newbie
