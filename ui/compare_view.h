#pragma once
// CompareView: two history images side by side or overlaid with a split slider, and a
// per-field diff table of their prompts (structured XML fields via newbie::text) and settings
// (top-level keys of the metadata records). UI thread only.

#include <QImage>
#include <QList>
#include <QWidget>

#include "history_db.h"

class QCheckBox;
class QComboBox;
class QSlider;
class QStackedWidget;
class QTableWidget;
class QLabel;

namespace newbie::ui {

/// One row of the diff: field name, value in A, value in B.
struct CompareRow {
  QString field;
  QString a, b;
  bool differs() const { return a != b; }
};

class SplitImageWidget : public QWidget {
  Q_OBJECT
 public:
  explicit SplitImageWidget(QWidget* parent = nullptr);
  void setImages(const QImage& a, const QImage& b);
  /// Split position in [0, 1]: left of it shows A, right of it B.
  void setSplit(double f);
  double split() const { return split_; }
  QSize sizeHint() const override { return {512, 512}; }

 protected:
  void paintEvent(QPaintEvent*) override;
  void mouseMoveEvent(QMouseEvent* e) override;
  void mousePressEvent(QMouseEvent* e) override;

 private:
  QImage a_, b_;
  double split_ = 0.5;
};

class CompareView : public QWidget {
  Q_OBJECT
 public:
  explicit CompareView(QWidget* parent = nullptr);
  void setImages(const ImageRecord& a, const ImageRecord& b);
  /// The diff rows (prompt fields first, then settings), all rows including equal ones.
  static QList<CompareRow> diff(const QString& promptA, const QString& metadataA, const QString& promptB,
                                const QString& metadataB);
  QTableWidget* table() const { return table_; }

 protected:
  /// QEvent::LanguageChange re-sets the title, the view modes (index kept) and the headers.
  void changeEvent(QEvent* e) override;

 private:
  void retranslateUi();
  void setDifferencesOnly(bool on);
  QComboBox* mode_;
  QLabel* viewLabel_ = nullptr;
  QCheckBox* only_ = nullptr;
  QStackedWidget* stack_;
  QLabel* left_;
  QLabel* right_;
  SplitImageWidget* split_;
  QSlider* slider_;
  QTableWidget* table_;
};

}  // namespace newbie::ui
