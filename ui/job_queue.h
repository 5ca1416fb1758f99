#pragma once
// The visible job queue: a list model of jobs (queued, running, finished) with reorder /
// remove, persisted to SQLite (table `queue` in history.sqlite, own connection) so jobs queued
// when the app closes or crashes come back. GUI thread only.

#include <QAbstractListModel>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

#include "pipeline.h"

namespace newbie {

enum class JobState { Queued, Running, Done, Failed, Cancelled };

struct QueuedJob {
  quint64 id = 0;
  QString draftId;  ///< which editor draft made it (supersede mode); may be empty
  GenerationParams params;
  JobState state = JobState::Queued;
  QString message;  ///< failure / cancel text, or the saved PNG path
  QDateTime created;
};

/// GenerationParams <-> JSON (keys are the field names in snake_case). fromJson accepts
/// snake_case and camelCase and ignores unknown keys; missing keys keep `base`'s values.
QJsonObject paramsToJson(const GenerationParams& p);
GenerationParams paramsFromJson(const QJsonObject& o, const GenerationParams& base = {});

/// SQLite persistence of the queued (and running) jobs.
class JobQueueStore {
 public:
  /// Opens (creating) `dbPath` on its own named connection. Check ok()/error().
  explicit JobQueueStore(const QString& dbPath);
  ~JobQueueStore();
  JobQueueStore(const JobQueueStore&) = delete;
  JobQueueStore& operator=(const JobQueueStore&) = delete;
  bool ok() const { return error_.isEmpty(); }
  QString error() const { return error_; }
  /// Replaces the table's content with `jobs` in one transaction (order = position).
  bool save(const QList<QueuedJob>& jobs);
  QList<QueuedJob> load();

 private:
  QString connection_;
  QString error_;
};

class JobQueueModel : public QAbstractListModel {
  Q_OBJECT
 public:
  enum Roles { IdRole = Qt::UserRole + 1, StateRole, DraftRole, MessageRole };
  explicit JobQueueModel(QObject* parent = nullptr);
  ~JobQueueModel() override;

  int rowCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  Qt::ItemFlags flags(const QModelIndex& index) const override;
  Qt::DropActions supportedDropActions() const override;
  Qt::DropActions supportedDragActions() const override;
  QStringList mimeTypes() const override;
  QMimeData* mimeData(const QModelIndexList& indexes) const override;
  bool dropMimeData(const QMimeData* data, Qt::DropAction action, int row, int column,
                    const QModelIndex& parent) override;

  /// Takes ownership; every change is then saved; jobs already in it are appended.
  void setStore(std::unique_ptr<JobQueueStore> store);

  /// Appends (or puts before the first queued job when `front`). Returns the new id.
  quint64 enqueue(const GenerationParams& params, const QString& draftId = {}, bool front = false);
  /// Removes a job that is not running. False if unknown or running.
  bool remove(quint64 id);
  /// Moves a queued job by `delta` places among the list. False if it cannot move.
  bool move(quint64 id, int delta);
  /// Moves a job to `row` (drag and drop).
  bool moveTo(quint64 id, int row);
  /// Removes every queued job; returns how many.
  int cancelQueued();
  /// Removes finished / failed / cancelled jobs.
  void clearFinished();

  /// The first queued job, marked Running. nullopt if none.
  std::optional<QueuedJob> startNext();
  void setState(quint64 id, JobState state, const QString& message = {});

  const QueuedJob* find(quint64 id) const;
  int rowOf(quint64 id) const;
  QList<quint64> queuedIds() const;
  int queuedCount() const;
  QList<quint64> ids() const;

 Q_SIGNALS:
  void queueChanged();

 private:
  void changed();
  QList<QueuedJob> jobs_;
  quint64 nextId_ = 1;
  std::unique_ptr<JobQueueStore> store_;
};

}  // namespace newbie
