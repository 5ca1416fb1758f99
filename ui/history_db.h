#pragma once
// HistoryDatabase: the SQLite index of generated images (`<dataDir>/history.sqlite`, WAL).
//
// Tables (created on open, shared file with the job queue's own `queue` table):
//   jobs          one row per job, committed by beginJob() BEFORE the GPU starts
//   images        one row per image, committed by recordImage() AFTER the PNG was written
//                 atomically; favourite flag; soft delete (file moved to <dataDir>/trash/)
//   prompt_fields one row per (image, field path, value), from newbie::text::Document::fieldPaths()
//                 (e.g. "character_1.clothing" -> "serafuku, ..."), for search and learned tags
// Every write is its own transaction (synchronous=FULL), so a crash loses nothing committed.
//
// Thread-safety: an object and its connection belong to the thread that created it (the UI
// thread); other threads must call through queued signals. Errors: write methods return false /
// -1 and set lastError(); they never throw.

#include <QDateTime>
#include <QList>
#include <QPair>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

namespace newbie {
struct Timings;
}

namespace newbie::ui {

struct JobRecord {
  QString prompt;
  QString negativePrompt;
  QString systemPreset;
  QString model;        ///< model identity / folder name (used by the model filter)
  QString paramsJson;   ///< all settings as JSON (free-form)
  QDateTime created;    ///< default: now
};

struct ImageRecord {
  qint64 id = -1;
  qint64 jobId = -1;
  QString path;          ///< current file path (in trash while deleted)
  QString metadataJson;  ///< the PNG's `newbie` record
  QString timingsJson;
  int width = 0, height = 0;
  quint64 seed = 0;
  QDateTime created;
  bool favourite = false;
  bool deleted = false;
  QString prompt, negativePrompt, systemPreset, model, paramsJson;  ///< from the job row
};

/// A search: free text (prompt / negative contains) AND every field filter AND the rest.
struct HistoryQuery {
  QString text;
  /// (field path or bare field name, value contained). "clothing" matches any
  /// "character_N.clothing" or "general_tags.clothing"; "character_1.clothing" matches exactly.
  QList<QPair<QString, QString>> fields;
  QDateTime from, to;  ///< invalid = open
  bool favouritesOnly = false;
  QString model;       ///< empty = any
  bool includeDeleted = false;

  /// Parses the search box syntax: words are free text, `path:value` (or `path:"a b"`) are
  /// field filters, e.g. `smile character_1.clothing:serafuku`.
  static HistoryQuery parse(const QString& searchText);
};

class HistoryDatabase {
 public:
  /// Opens (creating) `<dataDir>/history.sqlite`. Check isOpen().
  explicit HistoryDatabase(const QString& dataDir);
  ~HistoryDatabase();
  HistoryDatabase(const HistoryDatabase&) = delete;
  HistoryDatabase& operator=(const HistoryDatabase&) = delete;

  bool isOpen() const;
  QString lastError() const { return lastError_; }
  QString dataDir() const { return dataDir_; }
  QString trashDir() const;

  /// Commits the job row; returns its id (or -1).
  qint64 beginJob(const JobRecord& job);
  /// Commits the image row + its prompt fields (parsed from the job's prompt); returns the id or -1.
  qint64 recordImage(qint64 jobId, const QString& pngPath, const QString& metadataJson, const QString& timingsJson,
                     int width, int height, quint64 seed);
  /// JSON of the core's timings (encode/denoise/decode/total ms, cache hit, per-step ms).
  static QString timingsToJson(const newbie::Timings& t);

  ImageRecord image(qint64 id) const;
  bool setFavourite(qint64 id, bool favourite);
  /// Moves the file to trash/ and marks the row deleted. Returns false when missing.
  bool deleteImage(qint64 id);
  /// Moves the file back and clears the mark.
  bool undoDelete(qint64 id);
  /// Removes rows and trash files of deleted images; returns how many.
  int purgeTrash();

  /// Matching image ids, newest first, `limit` from `offset` (a page).
  QList<qint64> search(const HistoryQuery& q, int offset = 0, int limit = 200) const;
  QList<qint64> search(const QString& text, const QList<QPair<QString, QString>>& fieldFilters,
                       const QPair<QDateTime, QDateTime>& dateRange, bool favouritesOnly, const QString& model,
                       int offset = 0, int limit = 200) const;
  int count(const HistoryQuery& q) const;
  /// Rows of a page for the gallery model: id, path, favourite, width, height, seed (newest first).
  struct Row {
    qint64 id;
    QString path;
    bool favourite;
    int width, height;
    quint64 seed;
    QDateTime created;
  };
  QList<Row> rows(const HistoryQuery& q, int offset, int limit) const;
  /// Distinct model names, for the filter.
  QStringList models() const;
  /// Tags the user wrote in a field (bare name, e.g. "clothing"), most frequent first.
  QStringList learnedTags(const QString& field, int limit = 500) const;
  /// Structured prompt fields of an image (path -> value) in document order.
  QList<QPair<QString, QString>> promptFields(qint64 imageId) const;

  /// The underlying connection (owned; same thread only). For tests and batch inserts.
  QSqlDatabase connection() const;

 private:
  bool exec(const QString& sql);
  QString where(const HistoryQuery& q, QVariantList& binds) const;
  QString dataDir_;
  QString connectionName_;
  QString lastError_;
};

}  // namespace newbie::ui
