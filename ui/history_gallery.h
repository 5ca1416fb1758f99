#pragma once
// History gallery: a virtualised thumbnail grid over HistoryDatabase.
//
// HistoryModel (QAbstractListModel): rowCount comes from one COUNT query; rows are read in
// windows of kPageSize on demand (only the pages the view asks for, a few kept in an LRU), so
// 100 000 images cost a handful of small queries. Thumbnails come from ThumbnailCache
// (placeholder first, dataChanged when loaded off the UI thread).
//
// HistoryGallery (QWidget): search box (free text and `field:value`, e.g.
// `character_1.clothing:serafuku`), date / favourite / model filters, the grid, favourite
// toggle, delete with confirmation and undo, context menu (reuse all / prompt only / seed only,
// compare, open folder), PNG import (ours or A1111) and drag & drop of PNG files.
// UI thread only.

#include <QAbstractListModel>
#include <QHash>
#include <QList>
#include <QWidget>

#include "history_db.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QPushButton;
class QLineEdit;
class QListView;
class QPushButton;

namespace newbie::ui {

class ThumbnailCache;

enum class ReuseMode { All, PromptOnly, SeedOnly };

class HistoryModel : public QAbstractListModel {
  Q_OBJECT
 public:
  static constexpr int kPageSize = 256;
  enum Roles { IdRole = Qt::UserRole + 1, PathRole, FavouriteRole, SeedRole, SizeRole, CreatedRole };
  HistoryModel(HistoryDatabase* db, ThumbnailCache* thumbs, QObject* parent = nullptr);
  void setQuery(const HistoryQuery& q);
  const HistoryQuery& query() const { return query_; }
  /// Re-counts and drops cached pages (after inserts / deletes).
  void reload();
  int rowCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  qint64 idAt(int row) const;
  /// Row of an image among the loaded pages (-1 when not loaded / not present).
  int rowOfId(qint64 id) const;
  /// Number of page queries run so far (for tests: laziness).
  int pageLoads() const { return pageLoads_; }

 private:
  const HistoryDatabase::Row* rowAt(int row) const;
  void onThumbnail(const QString& path);
  HistoryDatabase* db_;
  ThumbnailCache* thumbs_;
  HistoryQuery query_;
  int count_ = 0;
  mutable QHash<int, QList<HistoryDatabase::Row>> pages_;
  mutable QList<int> lru_;
  mutable int pageLoads_ = 0;
};

class HistoryGallery : public QWidget {
  Q_OBJECT
 public:
  HistoryGallery(HistoryDatabase* db, const QString& dataDir, QWidget* parent = nullptr);
  HistoryModel* model() const { return model_; }
  QListView* view() const { return view_; }
  QLineEdit* searchEdit() const { return search_; }
  /// Selected image ids.
  QList<qint64> selectedIds() const;

  /// Reads a PNG's parameters (our `newbie` record, else A1111 `parameters`) and emits
  /// reuseRequested(json, All). Returns false (and shows nothing) when the file has neither;
  /// `error` receives the reason. The JSON has at least "prompt", "negative_prompt", and
  /// what the file carried of steps / sampler / cfg_scale / seed / width / height / model.
  bool importPng(const QString& path, QString* error = nullptr);
  /// Same, without emitting: the metadata JSON ("" on failure).
  static QString readPngMetadata(const QString& path, QString* error = nullptr);

 public slots:
  /// Re-runs the query (call after recordImage).
  void refresh();
  void deleteSelected(bool confirm = true);
  void undoLastDelete();
  void toggleFavourite();
  void compareSelected();

 signals:
  void reuseRequested(const QString& metadataJson, newbie::ui::ReuseMode mode);
  void imageActivated(qint64 id, const QString& path);

 protected:
  void dragEnterEvent(QDragEnterEvent* e) override;
  void dropEvent(QDropEvent* e) override;
  /// QEvent::LanguageChange re-sets every visible text (filters keep their selection).
  void changeEvent(QEvent* e) override;

 private:
  void retranslateUi();
  void applyFilters();
  void showContextMenu(const QPoint& pos);
  void reuse(ReuseMode mode);

  HistoryDatabase* db_;
  ThumbnailCache* thumbs_;
  HistoryModel* model_;
  QListView* view_;
  QLineEdit* search_;
  QComboBox* date_;
  QComboBox* modelFilter_;
  QCheckBox* favOnly_;
  QLabel* countLabel_;
  QPushButton* importButton_;
  QWidget* undoBar_;
  QLabel* undoLabel_;
  QPushButton* undoButton_;
  QList<qint64> lastDeleted_;
};

}  // namespace newbie::ui

Q_DECLARE_METATYPE(newbie::ui::ReuseMode)
