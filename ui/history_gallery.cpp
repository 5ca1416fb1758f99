#include "history_gallery.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDesktopServices>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QTimer>
#include <QUrl>
#include <QVBoxLayout>

#include "compare_view.h"
#include "png.h"
#include "thumbnail_cache.h"

namespace newbie::ui {

// ---- model ----

HistoryModel::HistoryModel(HistoryDatabase* db, ThumbnailCache* thumbs, QObject* parent)
    : QAbstractListModel(parent), db_(db), thumbs_(thumbs) {
  if (thumbs_) connect(thumbs_, &ThumbnailCache::thumbnailReady, this, &HistoryModel::onThumbnail);
  reload();
}

void HistoryModel::setQuery(const HistoryQuery& q) {
  query_ = q;
  reload();
}

void HistoryModel::reload() {
  beginResetModel();
  pages_.clear();
  lru_.clear();
  count_ = db_ ? db_->count(query_) : 0;
  endResetModel();
}

int HistoryModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : count_; }

const HistoryDatabase::Row* HistoryModel::rowAt(int row) const {
  if (row < 0 || row >= count_) return nullptr;
  const int page = row / kPageSize;
  auto it = pages_.find(page);
  if (it == pages_.end()) {
    ++pageLoads_;
    it = pages_.insert(page, db_->rows(query_, page * kPageSize, kPageSize));
    lru_.append(page);
    while (lru_.size() > 16) pages_.remove(lru_.takeFirst());
  } else {
    lru_.removeOne(page);
    lru_.append(page);
  }
  const int k = row % kPageSize;
  return k < it->size() ? &it->at(k) : nullptr;
}

qint64 HistoryModel::idAt(int row) const {
  const auto* r = rowAt(row);
  return r ? r->id : -1;
}

int HistoryModel::rowOfId(qint64 id) const {
  for (auto it = pages_.cbegin(); it != pages_.cend(); ++it)
    for (int k = 0; k < it->size(); ++k)
      if (it->at(k).id == id) return it.key() * kPageSize + k;
  return -1;
}

QVariant HistoryModel::data(const QModelIndex& index, int role) const {
  const auto* r = rowAt(index.row());
  if (!r) return {};
  switch (role) {
    case Qt::DisplayRole:
      return QStringLiteral("%1%2").arg(r->favourite ? QStringLiteral("★ ") : QString()).arg(r->seed);
    case Qt::DecorationRole:
      return thumbs_ ? thumbs_->thumbnail(r->path) : QImage();
    case Qt::ToolTipRole:
      return tr("#%1 — %2×%3, seed %4\n%5\n%6")
          .arg(r->id)
          .arg(r->width)
          .arg(r->height)
          .arg(r->seed)
          .arg(QLocale().toString(r->created.toLocalTime(), QLocale::ShortFormat), r->path);
    case IdRole:
      return r->id;
    case PathRole:
      return r->path;
    case FavouriteRole:
      return r->favourite;
    case SeedRole:
      return static_cast<qulonglong>(r->seed);
    case SizeRole:
      return QSize(r->width, r->height);
    case CreatedRole:
      return r->created;
    default:
      return {};
  }
}

void HistoryModel::onThumbnail(const QString& path) {
  for (auto it = pages_.cbegin(); it != pages_.cend(); ++it)
    for (int k = 0; k < it->size(); ++k)
      if (it->at(k).path == path) {
        const QModelIndex i = index(it.key() * kPageSize + k);
        emit dataChanged(i, i, {Qt::DecorationRole});
      }
}

// ---- PNG import ----

QString HistoryGallery::readPngMetadata(const QString& path, QString* error) {
  try {
    const auto r = newbie::readPng(std::filesystem::path(path.toStdString()), false);
    if (r.newbieRecordJson) {
      const QJsonDocument d = QJsonDocument::fromJson(QByteArray::fromStdString(*r.newbieRecordJson));
      if (d.isObject()) return QString::fromUtf8(d.toJson(QJsonDocument::Compact));
    }
    if (r.parameters) {
      const auto& p = *r.parameters;
      QJsonObject o;
      o.insert(QStringLiteral("source"), QStringLiteral("a1111"));
      o.insert(QStringLiteral("prompt"), QString::fromStdString(p.prompt));
      o.insert(QStringLiteral("negative_prompt"), QString::fromStdString(p.negativePrompt));
      if (p.steps) o.insert(QStringLiteral("steps"), *p.steps);
      if (!p.sampler.empty()) o.insert(QStringLiteral("sampler"), QString::fromStdString(p.sampler));
      if (p.cfgScale) o.insert(QStringLiteral("cfg_scale"), *p.cfgScale);
      if (p.seed) o.insert(QStringLiteral("seed"), static_cast<qint64>(*p.seed));
      if (p.width > 0) o.insert(QStringLiteral("width"), p.width);
      if (p.height > 0) o.insert(QStringLiteral("height"), p.height);
      if (!p.model.empty()) o.insert(QStringLiteral("model"), QString::fromStdString(p.model));
      for (const auto& [k, v] : p.extra) {
        const QString key = QString::fromStdString(k).toLower().replace(QLatin1Char(' '), QLatin1Char('_'));
        if (!o.contains(key)) o.insert(key, QString::fromStdString(v));
      }
      return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
    }
    if (error) *error = tr("%1 has no generation parameters").arg(path);
  } catch (const std::exception& e) {
    if (error) *error = QString::fromStdString(e.what());
  }
  return {};
}

bool HistoryGallery::importPng(const QString& path, QString* error) {
  const QString json = readPngMetadata(path, error);
  if (json.isEmpty()) return false;
  emit reuseRequested(json, ReuseMode::All);
  return true;
}

// ---- widget ----

HistoryGallery::HistoryGallery(HistoryDatabase* db, const QString& dataDir, QWidget* parent)
    : QWidget(parent), db_(db), thumbs_(new ThumbnailCache(dataDir, 160, this)) {
  setAcceptDrops(true);
  auto* lay = new QVBoxLayout(this);
  lay->setContentsMargins(2, 2, 2, 2);
  auto* bar = new QHBoxLayout;
  search_ = new QLineEdit(this);
  search_->setObjectName(QStringLiteral("searchEdit"));
  search_->setClearButtonEnabled(true);
  bar->addWidget(search_, 1);
  date_ = new QComboBox(this);
  date_->setObjectName(QStringLiteral("dateFilter"));
  for (int days : {0, 1, 7, 30}) date_->addItem(QString(), days);  // texts: retranslateUi()
  bar->addWidget(date_);
  modelFilter_ = new QComboBox(this);
  modelFilter_->setObjectName(QStringLiteral("modelFilter"));
  modelFilter_->addItem(QString(), QString());
  if (db_)
    for (const QString& m : db_->models()) modelFilter_->addItem(m, m);
  bar->addWidget(modelFilter_);
  favOnly_ = new QCheckBox(this);
  favOnly_->setObjectName(QStringLiteral("favouritesOnly"));
  bar->addWidget(favOnly_);
  importButton_ = new QPushButton(this);
  importButton_->setObjectName(QStringLiteral("importPng"));
  bar->addWidget(importButton_);
  countLabel_ = new QLabel(this);
  countLabel_->setObjectName(QStringLiteral("countLabel"));
  bar->addWidget(countLabel_);
  lay->addLayout(bar);

  undoBar_ = new QWidget(this);
  auto* ub = new QHBoxLayout(undoBar_);
  ub->setContentsMargins(0, 0, 0, 0);
  undoLabel_ = new QLabel(undoBar_);
  undoButton_ = new QPushButton(undoBar_);
  ub->addWidget(undoLabel_, 1);
  ub->addWidget(undoButton_);
  undoBar_->hide();
  lay->addWidget(undoBar_);

  view_ = new QListView(this);
  view_->setViewMode(QListView::IconMode);
  view_->setResizeMode(QListView::Adjust);
  view_->setMovement(QListView::Static);
  view_->setUniformItemSizes(true);
  view_->setLayoutMode(QListView::Batched);
  view_->setBatchSize(200);
  view_->setIconSize(QSize(thumbs_->size(), thumbs_->size()));
  view_->setGridSize(QSize(thumbs_->size() + 16, thumbs_->size() + 28));
  view_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  view_->setContextMenuPolicy(Qt::CustomContextMenu);
  model_ = new HistoryModel(db_, thumbs_, this);
  view_->setModel(model_);
  lay->addWidget(view_, 1);

  auto* searchTimer = new QTimer(this);
  searchTimer->setSingleShot(true);
  searchTimer->setInterval(250);
  connect(search_, &QLineEdit::textChanged, searchTimer, qOverload<>(&QTimer::start));
  connect(searchTimer, &QTimer::timeout, this, &HistoryGallery::applyFilters);
  connect(date_, qOverload<int>(&QComboBox::currentIndexChanged), this, &HistoryGallery::applyFilters);
  connect(modelFilter_, qOverload<int>(&QComboBox::currentIndexChanged), this, &HistoryGallery::applyFilters);
  connect(favOnly_, &QCheckBox::toggled, this, &HistoryGallery::applyFilters);
  connect(view_, &QListView::customContextMenuRequested, this, &HistoryGallery::showContextMenu);
  connect(view_, &QListView::activated, this, [this](const QModelIndex& i) {
    emit imageActivated(i.data(HistoryModel::IdRole).toLongLong(), i.data(HistoryModel::PathRole).toString());
  });
  connect(undoButton_, &QPushButton::clicked, this, &HistoryGallery::undoLastDelete);
  connect(importButton_, &QPushButton::clicked, this, [this] {
    const QString f = QFileDialog::getOpenFileName(this, tr("Import PNG"), QString(), tr("PNG images (*.png)"));
    if (f.isEmpty()) return;
    QString err;
    if (!importPng(f, &err)) QMessageBox::warning(this, tr("Import PNG"), err);
  });
  auto* del = new QAction(this);
  del->setShortcut(QKeySequence::Delete);
  del->setShortcutContext(Qt::WidgetWithChildrenShortcut);
  connect(del, &QAction::triggered, this, [this] { deleteSelected(true); });
  view_->addAction(del);
  retranslateUi();
  applyFilters();
}

void HistoryGallery::retranslateUi() {
  search_->setPlaceholderText(tr("Search prompts… (field:value, e.g. character_1.clothing:serafuku)"));
  // Item texts only: indexes and data (the filter values) stay, so the query does not change.
  date_->setItemText(0, tr("Any time"));
  date_->setItemText(1, tr("Today"));
  date_->setItemText(2, tr("Last 7 days"));
  date_->setItemText(3, tr("Last 30 days"));
  modelFilter_->setItemText(0, tr("All models"));
  favOnly_->setText(tr("Favourites"));
  importButton_->setText(tr("Import PNG…"));
  importButton_->setToolTip(tr("Load the parameters of a PNG made by NewBie Studio or an A1111-style tool (or drop it here)"));
  undoButton_->setText(tr("Undo"));
  countLabel_->setText(tr("%n image(s)", nullptr, model_->rowCount()));
  if (!lastDeleted_.isEmpty())
    undoLabel_->setText(tr("Deleted %n image(s).", nullptr, static_cast<int>(lastDeleted_.size())));
}

void HistoryGallery::changeEvent(QEvent* e) {
  if (e->type() == QEvent::LanguageChange) retranslateUi();
  QWidget::changeEvent(e);
}

QList<qint64> HistoryGallery::selectedIds() const {
  QList<qint64> ids;
  for (const QModelIndex& i : view_->selectionModel()->selectedIndexes()) ids << i.data(HistoryModel::IdRole).toLongLong();
  return ids;
}

void HistoryGallery::applyFilters() {
  HistoryQuery q = HistoryQuery::parse(search_->text());
  const int days = date_->currentData().toInt();
  if (days > 0) {
    const QDateTime startOfToday = QDateTime(QDate::currentDate(), QTime(0, 0));
    q.from = startOfToday.addDays(1 - days);
  }
  q.model = modelFilter_->currentData().toString();
  q.favouritesOnly = favOnly_->isChecked();
  model_->setQuery(q);
  countLabel_->setText(tr("%n image(s)", nullptr, model_->rowCount()));
}

void HistoryGallery::refresh() {
  const QString current = modelFilter_->currentData().toString();
  if (db_ && modelFilter_->count() - 1 != db_->models().size()) {
    QSignalBlocker b(modelFilter_);
    while (modelFilter_->count() > 1) modelFilter_->removeItem(1);
    for (const QString& m : db_->models()) modelFilter_->addItem(m, m);
    modelFilter_->setCurrentIndex(qMax(0, modelFilter_->findData(current)));
  }
  applyFilters();
}

void HistoryGallery::deleteSelected(bool confirm) {
  const QList<qint64> ids = selectedIds();
  if (ids.isEmpty() || !db_) return;
  if (confirm &&
      QMessageBox::question(this, tr("Delete images"),
                            tr("Move %n image(s) to the trash? You can undo this.", nullptr, static_cast<int>(ids.size()))) !=
          QMessageBox::Yes)
    return;
  lastDeleted_.clear();
  for (qint64 id : ids)
    if (db_->deleteImage(id)) lastDeleted_ << id;
  undoLabel_->setText(tr("Deleted %n image(s).", nullptr, static_cast<int>(lastDeleted_.size())));
  undoBar_->setVisible(!lastDeleted_.isEmpty());
  applyFilters();
}

void HistoryGallery::undoLastDelete() {
  if (!db_) return;
  for (qint64 id : std::as_const(lastDeleted_)) db_->undoDelete(id);
  lastDeleted_.clear();
  undoBar_->hide();
  applyFilters();
}

void HistoryGallery::toggleFavourite() {
  if (!db_) return;
  for (const QModelIndex& i : view_->selectionModel()->selectedIndexes())
    db_->setFavourite(i.data(HistoryModel::IdRole).toLongLong(), !i.data(HistoryModel::FavouriteRole).toBool());
  model_->reload();
}

void HistoryGallery::reuse(ReuseMode mode) {
  const QList<qint64> ids = selectedIds();
  if (ids.isEmpty() || !db_) return;
  const ImageRecord r = db_->image(ids.front());
  QJsonObject o = QJsonDocument::fromJson(r.metadataJson.toUtf8()).object();
  // Fill what the record lacks from the job row.
  if (!o.contains(QStringLiteral("prompt"))) o.insert(QStringLiteral("prompt"), r.prompt);
  if (!o.contains(QStringLiteral("negative_prompt"))) o.insert(QStringLiteral("negative_prompt"), r.negativePrompt);
  if (!o.contains(QStringLiteral("seed"))) o.insert(QStringLiteral("seed"), static_cast<qint64>(r.seed));
  if (!o.contains(QStringLiteral("width"))) o.insert(QStringLiteral("width"), r.width);
  if (!o.contains(QStringLiteral("height"))) o.insert(QStringLiteral("height"), r.height);
  if (!o.contains(QStringLiteral("system_preset")) && !r.systemPreset.isEmpty())
    o.insert(QStringLiteral("system_preset"), r.systemPreset);
  emit reuseRequested(QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact)), mode);
}

void HistoryGallery::compareSelected() {
  const QList<qint64> ids = selectedIds();
  if (ids.size() != 2 || !db_) return;
  auto* cv = new CompareView(nullptr);
  cv->setAttribute(Qt::WA_DeleteOnClose);
  cv->setImages(db_->image(ids[0]), db_->image(ids[1]));
  cv->resize(1100, 700);
  cv->show();
}

void HistoryGallery::showContextMenu(const QPoint& pos) {
  const QModelIndex at = view_->indexAt(pos);
  if (at.isValid() && !view_->selectionModel()->isSelected(at))
    view_->selectionModel()->select(at, QItemSelectionModel::ClearAndSelect);
  const QList<qint64> ids = selectedIds();
  if (ids.isEmpty()) return;
  QMenu m(this);
  m.addAction(tr("Reuse all parameters"), this, [this] { reuse(ReuseMode::All); });
  m.addAction(tr("Reuse prompt only"), this, [this] { reuse(ReuseMode::PromptOnly); });
  m.addAction(tr("Reuse seed only"), this, [this] { reuse(ReuseMode::SeedOnly); });
  m.addSeparator();
  m.addAction(tr("Toggle favourite"), this, &HistoryGallery::toggleFavourite);
  QAction* cmp = m.addAction(tr("Compare the two selected images"), this, &HistoryGallery::compareSelected);
  cmp->setEnabled(ids.size() == 2);
  const QString path = db_ ? db_->image(ids.front()).path : QString();
  m.addAction(tr("Open image folder"), this,
              [path] { QDesktopServices::openUrl(QUrl::fromLocalFile(QFileInfo(path).absolutePath())); });
  m.addSeparator();
  m.addAction(tr("Delete…"), this, [this] { deleteSelected(true); });
  m.exec(view_->viewport()->mapToGlobal(pos));
}

void HistoryGallery::dragEnterEvent(QDragEnterEvent* e) {
  if (e->mimeData()->hasUrls())
    for (const QUrl& u : e->mimeData()->urls())
      if (u.isLocalFile() && u.toLocalFile().endsWith(QStringLiteral(".png"), Qt::CaseInsensitive)) {
        e->acceptProposedAction();
        return;
      }
}

void HistoryGallery::dropEvent(QDropEvent* e) {
  for (const QUrl& u : e->mimeData()->urls()) {
    if (!u.isLocalFile()) continue;
    QString err;
    if (importPng(u.toLocalFile(), &err)) {
      e->acceptProposedAction();
      return;
    }
    QMessageBox::warning(this, tr("Import PNG"), err);
  }
}

}  // namespace newbie::ui
