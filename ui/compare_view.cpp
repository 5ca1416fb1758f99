#include "compare_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QSlider>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableWidget>
#include <QVBoxLayout>
#include <map>

#include "text/newbie_xml.h"

namespace newbie::ui {

SplitImageWidget::SplitImageWidget(QWidget* parent) : QWidget(parent) {
  setMouseTracking(false);
  setMinimumSize(200, 200);
}

void SplitImageWidget::setImages(const QImage& a, const QImage& b) {
  a_ = a;
  b_ = b;
  update();
}

void SplitImageWidget::setSplit(double f) {
  split_ = qBound(0.0, f, 1.0);
  update();
}

void SplitImageWidget::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), QColor(0x20, 0x20, 0x20));
  const QImage& ref = a_.isNull() ? b_ : a_;
  if (ref.isNull()) return;
  const QSize s = ref.size().scaled(size(), Qt::KeepAspectRatio);
  const QRect target(QPoint((width() - s.width()) / 2, (height() - s.height()) / 2), s);
  const int x = target.left() + static_cast<int>(split_ * target.width());
  p.save();
  p.setClipRect(QRect(target.topLeft(), QPoint(x, target.bottom())));
  if (!a_.isNull()) p.drawImage(target, a_);
  p.setClipRect(QRect(QPoint(x, target.top()), target.bottomRight()));
  if (!b_.isNull()) p.drawImage(target, b_);
  p.restore();
  p.setPen(QPen(Qt::white, 2));
  p.drawLine(x, target.top(), x, target.bottom());
}

void SplitImageWidget::mousePressEvent(QMouseEvent* e) { setSplit(e->position().x() / qMax(1, width())); }
void SplitImageWidget::mouseMoveEvent(QMouseEvent* e) { setSplit(e->position().x() / qMax(1, width())); }

CompareView::CompareView(QWidget* parent) : QWidget(parent) {
  auto* lay = new QVBoxLayout(this);
  auto* bar = new QHBoxLayout;
  mode_ = new QComboBox(this);
  mode_->addItem(QString());  // "Side by side" (texts: retranslateUi())
  mode_->addItem(QString());  // "Slider"
  viewLabel_ = new QLabel(this);
  bar->addWidget(viewLabel_);
  bar->addWidget(mode_);
  only_ = new QCheckBox(this);
  bar->addWidget(only_);
  bar->addStretch();
  lay->addLayout(bar);

  auto* splitter = new QSplitter(Qt::Vertical, this);
  stack_ = new QStackedWidget(splitter);
  auto* side = new QWidget;
  auto* sl = new QHBoxLayout(side);
  left_ = new QLabel(side);
  right_ = new QLabel(side);
  for (QLabel* l : {left_, right_}) {
    l->setAlignment(Qt::AlignCenter);
    l->setMinimumSize(200, 200);
    l->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Ignored);
    sl->addWidget(l);
  }
  stack_->addWidget(side);
  auto* sliderPage = new QWidget;
  auto* spl = new QVBoxLayout(sliderPage);
  split_ = new SplitImageWidget(sliderPage);
  slider_ = new QSlider(Qt::Horizontal, sliderPage);
  slider_->setRange(0, 1000);
  slider_->setValue(500);
  spl->addWidget(split_, 1);
  spl->addWidget(slider_);
  stack_->addWidget(sliderPage);
  table_ = new QTableWidget(splitter);
  table_->setColumnCount(3);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  lay->addWidget(splitter, 1);

  connect(mode_, qOverload<int>(&QComboBox::currentIndexChanged), stack_, &QStackedWidget::setCurrentIndex);
  connect(slider_, &QSlider::valueChanged, this, [this](int v) { split_->setSplit(v / 1000.0); });
  connect(only_, &QCheckBox::toggled, this, &CompareView::setDifferencesOnly);
  retranslateUi();
}

void CompareView::retranslateUi() {
  setWindowTitle(tr("Compare images"));
  mode_->setItemText(0, tr("Side by side"));
  mode_->setItemText(1, tr("Slider"));
  viewLabel_->setText(tr("View:"));
  only_->setText(tr("Only differences"));
  table_->setHorizontalHeaderLabels({tr("Field"), tr("Image A"), tr("Image B")});
}

void CompareView::changeEvent(QEvent* e) {
  if (e->type() == QEvent::LanguageChange && only_) retranslateUi();
  QWidget::changeEvent(e);
}

QList<CompareRow> CompareView::diff(const QString& promptA, const QString& metadataA, const QString& promptB,
                                    const QString& metadataB) {
  QList<CompareRow> out;
  auto fields = [](const QString& prompt) {
    std::vector<std::pair<std::string, std::string>> v = newbie::text::Document::parse(prompt.toStdString()).fieldPaths();
    return v;
  };
  const auto fa = fields(promptA), fb = fields(promptB);
  QStringList order;
  std::map<std::string, std::pair<QString, QString>> vals;
  for (const auto& [k, v] : fa) {
    if (!vals.count(k)) order << QString::fromStdString(k);
    vals[k].first = QString::fromStdString(v);
  }
  for (const auto& [k, v] : fb) {
    if (!vals.count(k)) order << QString::fromStdString(k);
    vals[k].second = QString::fromStdString(v);
  }
  for (const QString& k : order) out.append({k, vals[k.toStdString()].first, vals[k.toStdString()].second});
  if (fa.empty() && fb.empty()) out.append({QStringLiteral("prompt"), promptA, promptB});

  const QJsonObject ja = QJsonDocument::fromJson(metadataA.toUtf8()).object();
  const QJsonObject jb = QJsonDocument::fromJson(metadataB.toUtf8()).object();
  QStringList keys = ja.keys();
  for (const QString& k : jb.keys())
    if (!keys.contains(k)) keys << k;
  keys.sort();
  auto str = [](const QJsonValue& v) -> QString {
    if (v.isUndefined() || v.isNull()) return {};
    if (v.isString()) return v.toString();
    if (v.isBool()) return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    if (v.isDouble()) return QString::number(v.toDouble(), 'g', 10);
    return QString::fromUtf8(QJsonDocument::fromVariant(v.toVariant()).toJson(QJsonDocument::Compact));
  };
  for (const QString& k : keys) {
    if (k == QStringLiteral("prompt") && !(fa.empty() && fb.empty())) continue;
    out.append({k, str(ja.value(k)), str(jb.value(k))});
  }
  return out;
}

void CompareView::setImages(const ImageRecord& a, const ImageRecord& b) {
  const QImage ia(a.path), ib(b.path);
  left_->setPixmap(QPixmap::fromImage(ia.scaled(512, 512, Qt::KeepAspectRatio, Qt::SmoothTransformation)));
  right_->setPixmap(QPixmap::fromImage(ib.scaled(512, 512, Qt::KeepAspectRatio, Qt::SmoothTransformation)));
  split_->setImages(ia, ib);
  const QList<CompareRow> rows = diff(a.prompt, a.metadataJson, b.prompt, b.metadataJson);
  table_->setRowCount(static_cast<int>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) {
    const CompareRow& r = rows[i];
    auto* f = new QTableWidgetItem(r.field);
    auto* x = new QTableWidgetItem(r.a);
    auto* y = new QTableWidgetItem(r.b);
    if (r.differs()) {
      for (auto* it : {f, x, y}) it->setBackground(QColor(0xff, 0xe8, 0xa0));
      f->setData(Qt::UserRole, true);
    }
    table_->setItem(i, 0, f);
    table_->setItem(i, 1, x);
    table_->setItem(i, 2, y);
  }
}

void CompareView::setDifferencesOnly(bool on) {
  for (int i = 0; i < table_->rowCount(); ++i)
    table_->setRowHidden(i, on && !table_->item(i, 0)->data(Qt::UserRole).toBool());
}

}  // namespace newbie::ui
