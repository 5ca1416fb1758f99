#include "job_queue.h"

#include <QCoreApplication>
#include <QIODevice>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMimeData>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

#include <spdlog/spdlog.h>

namespace newbie {

// ---------------------------------------------------------------- params JSON
QJsonObject paramsToJson(const GenerationParams& p) {
  QJsonObject o;
  o[QStringLiteral("prompt")] = QString::fromStdString(p.prompt);
  o[QStringLiteral("negative_prompt")] = QString::fromStdString(p.negativePrompt);
  if (p.systemPrompt) o[QStringLiteral("system_prompt")] = QString::fromStdString(*p.systemPrompt);
  o[QStringLiteral("system_preset")] = QString::fromStdString(p.systemPreset);
  o[QStringLiteral("comfy_compatible")] = p.comfyCompatible;
  o[QStringLiteral("width")] = p.width;
  o[QStringLiteral("height")] = p.height;
  o[QStringLiteral("steps")] = p.steps;
  o[QStringLiteral("sampler")] = QString::fromStdString(p.sampler);
  o[QStringLiteral("schedule")] = QString::fromStdString(p.schedule);
  o[QStringLiteral("shift")] = p.shift;
  o[QStringLiteral("cfg_scale")] = p.cfgScale;
  o[QStringLiteral("cfg_trunc")] = p.cfgTrunc;
  o[QStringLiteral("renorm")] = p.renorm;
  o[QStringLiteral("cfg_normalization")] = p.cfgNormalization;
  // Seeds are 64-bit: a string keeps every bit (JSON numbers are doubles).
  o[QStringLiteral("seed")] = QString::number(p.seed);
  if (!p.noiseFile.empty()) o[QStringLiteral("noise_file")] = QString::fromStdString(p.noiseFile.string());
  o[QStringLiteral("preview_every")] = p.previewEvery;
  o[QStringLiteral("preview_kind")] = QString::fromStdString(p.previewKind);
  return o;
}

namespace {
QJsonValue pick(const QJsonObject& o, std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    auto it = o.find(QLatin1String(k));
    if (it != o.end() && !it->isNull() && !it->isUndefined()) return *it;
  }
  return {};
}
void readStr(const QJsonObject& o, std::initializer_list<const char*> keys, std::string& out) {
  QJsonValue v = pick(o, keys);
  if (v.isString()) out = v.toString().toStdString();
}
void readInt(const QJsonObject& o, std::initializer_list<const char*> keys, int& out) {
  QJsonValue v = pick(o, keys);
  if (v.isDouble()) out = v.toInt();
  else if (v.isString()) {
    bool ok = false;
    int x = v.toString().toInt(&ok);
    if (ok) out = x;
  }
}
void readDouble(const QJsonObject& o, std::initializer_list<const char*> keys, double& out) {
  QJsonValue v = pick(o, keys);
  if (v.isDouble()) out = v.toDouble();
  else if (v.isString()) {
    bool ok = false;
    double x = v.toString().toDouble(&ok);
    if (ok) out = x;
  }
}
void readBool(const QJsonObject& o, std::initializer_list<const char*> keys, bool& out) {
  QJsonValue v = pick(o, keys);
  if (v.isBool()) out = v.toBool();
}
}  // namespace

GenerationParams paramsFromJson(const QJsonObject& in, const GenerationParams& base) {
  GenerationParams p = base;
  // Metadata records may nest the parameters under "params" / "parameters".
  QJsonObject o = in;
  for (const char* k : {"params", "parameters", "generation"}) {
    if (in.value(QLatin1String(k)).isObject()) {
      o = in.value(QLatin1String(k)).toObject();
      for (auto it = in.begin(); it != in.end(); ++it)
        if (!o.contains(it.key())) o.insert(it.key(), it.value());
      break;
    }
  }
  readStr(o, {"prompt"}, p.prompt);
  readStr(o, {"negative_prompt", "negativePrompt", "negative"}, p.negativePrompt);
  QJsonValue sp = pick(o, {"system_prompt", "systemPrompt"});
  if (sp.isString()) p.systemPrompt = sp.toString().toStdString();
  readStr(o, {"system_preset", "systemPreset"}, p.systemPreset);
  readBool(o, {"comfy_compatible", "comfyCompatible"}, p.comfyCompatible);
  readInt(o, {"width"}, p.width);
  readInt(o, {"height"}, p.height);
  readInt(o, {"steps"}, p.steps);
  readStr(o, {"sampler"}, p.sampler);
  readStr(o, {"schedule", "scheduler"}, p.schedule);
  readDouble(o, {"shift"}, p.shift);
  readDouble(o, {"cfg_scale", "cfgScale", "cfg", "guidance_scale"}, p.cfgScale);
  readDouble(o, {"cfg_trunc", "cfgTrunc", "cfg_truncation"}, p.cfgTrunc);
  readDouble(o, {"renorm", "renorm_cfg"}, p.renorm);
  readBool(o, {"cfg_normalization", "cfgNormalization"}, p.cfgNormalization);
  QJsonValue seed = pick(o, {"seed"});
  if (seed.isString()) {
    bool ok = false;
    qulonglong s = seed.toString().toULongLong(&ok);
    if (ok) p.seed = s;
  } else if (seed.isDouble()) {
    p.seed = static_cast<uint64_t>(seed.toDouble());
  }
  std::string noise;
  readStr(o, {"noise_file", "noiseFile"}, noise);
  if (!noise.empty()) p.noiseFile = noise;
  readInt(o, {"preview_every", "previewEvery"}, p.previewEvery);
  readStr(o, {"preview_kind", "previewKind"}, p.previewKind);
  return p;
}

// ---------------------------------------------------------------- store
JobQueueStore::JobQueueStore(const QString& dbPath)
    : connection_(QStringLiteral("newbie-queue-") + QUuid::createUuid().toString(QUuid::WithoutBraces)) {
  QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection_);
  db.setDatabaseName(dbPath);
  if (!db.open()) {
    error_ = QCoreApplication::translate("JobQueue", "Cannot open %1: %2").arg(dbPath, db.lastError().text());
    return;
  }
  QSqlQuery q(db);
  q.exec(QStringLiteral("PRAGMA journal_mode=WAL"));
  q.exec(QStringLiteral("PRAGMA busy_timeout=3000"));
  if (!q.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS queue (id INTEGER PRIMARY KEY, position INTEGER NOT NULL, "
                             "draft TEXT, params TEXT NOT NULL, created TEXT)"))) {
    error_ = QCoreApplication::translate("JobQueue", "Cannot create the queue table in %1: %2")
                 .arg(dbPath, q.lastError().text());
  }
}

JobQueueStore::~JobQueueStore() {
  {
    QSqlDatabase db = QSqlDatabase::database(connection_, false);
    if (db.isOpen()) db.close();
  }
  QSqlDatabase::removeDatabase(connection_);
}

bool JobQueueStore::save(const QList<QueuedJob>& jobs) {
  if (!ok()) return false;
  QSqlDatabase db = QSqlDatabase::database(connection_, false);
  if (!db.transaction()) return false;
  QSqlQuery q(db);
  bool good = q.exec(QStringLiteral("DELETE FROM queue"));
  q.prepare(QStringLiteral("INSERT INTO queue (id, position, draft, params, created) VALUES (?, ?, ?, ?, ?)"));
  int pos = 0;
  for (const QueuedJob& j : jobs) {
    if (!good) break;
    q.addBindValue(static_cast<qlonglong>(j.id));
    q.addBindValue(pos++);
    q.addBindValue(j.draftId);
    q.addBindValue(QString::fromUtf8(QJsonDocument(paramsToJson(j.params)).toJson(QJsonDocument::Compact)));
    q.addBindValue(j.created.toString(Qt::ISODateWithMs));
    good = q.exec();
  }
  if (!good) {
    spdlog::error("queue: saving failed: {}", q.lastError().text().toStdString());
    db.rollback();
    return false;
  }
  return db.commit();
}

QList<QueuedJob> JobQueueStore::load() {
  QList<QueuedJob> out;
  if (!ok()) return out;
  QSqlQuery q(QSqlDatabase::database(connection_, false));
  if (!q.exec(QStringLiteral("SELECT id, draft, params, created FROM queue ORDER BY position"))) return out;
  while (q.next()) {
    QueuedJob j;
    j.id = static_cast<quint64>(q.value(0).toLongLong());
    j.draftId = q.value(1).toString();
    j.params = paramsFromJson(QJsonDocument::fromJson(q.value(2).toString().toUtf8()).object());
    j.created = QDateTime::fromString(q.value(3).toString(), Qt::ISODateWithMs);
    out.push_back(std::move(j));
  }
  return out;
}

// ---------------------------------------------------------------- model
namespace {
const QString kMime = QStringLiteral("application/x-newbie-job-ids");

QString stateText(JobState s) {
  switch (s) {
    case JobState::Queued: return QCoreApplication::translate("JobQueue", "queued");
    case JobState::Running: return QCoreApplication::translate("JobQueue", "running");
    case JobState::Done: return QCoreApplication::translate("JobQueue", "done");
    case JobState::Failed: return QCoreApplication::translate("JobQueue", "failed");
    case JobState::Cancelled: return QCoreApplication::translate("JobQueue", "cancelled");
  }
  return {};
}
}  // namespace

JobQueueModel::JobQueueModel(QObject* parent) : QAbstractListModel(parent) {}
JobQueueModel::~JobQueueModel() = default;

int JobQueueModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : jobs_.size(); }

QVariant JobQueueModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= jobs_.size()) return {};
  const QueuedJob& j = jobs_[index.row()];
  switch (role) {
    case Qt::DisplayRole: {
      QString prompt = QString::fromStdString(j.params.prompt).simplified();
      if (prompt.size() > 48) prompt = prompt.left(47) + QChar(0x2026);
      QString line = QStringLiteral("#%1  %2×%3 · %4 · %5  [%6]")
                         .arg(j.id)
                         .arg(j.params.width)
                         .arg(j.params.height)
                         .arg(QCoreApplication::translate("JobQueue", "%n step(s)", nullptr, j.params.steps))
                         .arg(prompt, stateText(j.state));
      if (j.state == JobState::Failed && !j.message.isEmpty()) line += QStringLiteral("\n") + j.message;
      return line;
    }
    case Qt::ToolTipRole:
      return j.message.isEmpty() ? QString::fromStdString(j.params.prompt) : j.message;
    case IdRole: return static_cast<qulonglong>(j.id);
    case StateRole: return static_cast<int>(j.state);
    case DraftRole: return j.draftId;
    case MessageRole: return j.message;
    default: return {};
  }
}

Qt::ItemFlags JobQueueModel::flags(const QModelIndex& index) const {
  Qt::ItemFlags f = QAbstractListModel::flags(index);
  if (!index.isValid()) return f | Qt::ItemIsDropEnabled;
  if (jobs_[index.row()].state == JobState::Queued) f |= Qt::ItemIsDragEnabled;
  return f;
}

// Drag and drop is "copy" on purpose: the view then never removes source rows itself and
// dropMimeData performs the move by id.
Qt::DropActions JobQueueModel::supportedDropActions() const { return Qt::CopyAction | Qt::MoveAction; }
Qt::DropActions JobQueueModel::supportedDragActions() const { return Qt::CopyAction; }
QStringList JobQueueModel::mimeTypes() const { return {kMime}; }

QMimeData* JobQueueModel::mimeData(const QModelIndexList& indexes) const {
  QStringList ids;
  for (const QModelIndex& i : indexes)
    if (i.isValid()) ids << QString::number(jobs_[i.row()].id);
  auto* m = new QMimeData;
  m->setData(kMime, ids.join(QLatin1Char(',')).toUtf8());
  return m;
}

bool JobQueueModel::dropMimeData(const QMimeData* data, Qt::DropAction, int row, int, const QModelIndex& parent) {
  if (!data || !data->hasFormat(kMime)) return false;
  if (row < 0) row = parent.isValid() ? parent.row() : jobs_.size();
  const QStringList ids = QString::fromUtf8(data->data(kMime)).split(QLatin1Char(','), Qt::SkipEmptyParts);
  bool any = false;
  for (const QString& s : ids) {
    const quint64 id = s.toULongLong();
    const int from = rowOf(id);
    if (from < 0) continue;
    const int to = from < row ? row - 1 : row;
    if (moveTo(id, to)) any = true;
    if (from >= row) ++row;
  }
  return any;
}

void JobQueueModel::setStore(std::unique_ptr<JobQueueStore> store) {
  store_ = std::move(store);
  if (!store_) return;
  const QList<QueuedJob> restored = store_->load();
  if (!restored.isEmpty()) {
    beginInsertRows({}, jobs_.size(), jobs_.size() + restored.size() - 1);
    for (QueuedJob j : restored) {
      j.state = JobState::Queued;  // a job running at a crash runs again
      nextId_ = std::max(nextId_, j.id + 1);
      jobs_.push_back(std::move(j));
    }
    endInsertRows();
    spdlog::info("queue: restored {} job(s)", restored.size());
  }
  changed();
}

void JobQueueModel::changed() {
  if (store_) {
    QList<QueuedJob> pending;
    for (const QueuedJob& j : jobs_)
      if (j.state == JobState::Queued || j.state == JobState::Running) pending.push_back(j);
    store_->save(pending);
  }
  Q_EMIT queueChanged();
}

quint64 JobQueueModel::enqueue(const GenerationParams& params, const QString& draftId, bool front) {
  QueuedJob j;
  j.id = nextId_++;
  j.draftId = draftId;
  j.params = params;
  j.created = QDateTime::currentDateTime();
  int row = jobs_.size();
  if (front) {
    for (int i = 0; i < jobs_.size(); ++i)
      if (jobs_[i].state == JobState::Queued) {
        row = i;
        break;
      }
  }
  beginInsertRows({}, row, row);
  jobs_.insert(row, j);
  endInsertRows();
  changed();
  return j.id;
}

bool JobQueueModel::remove(quint64 id) {
  const int r = rowOf(id);
  if (r < 0 || jobs_[r].state == JobState::Running) return false;
  beginRemoveRows({}, r, r);
  jobs_.removeAt(r);
  endRemoveRows();
  changed();
  return true;
}

bool JobQueueModel::moveTo(quint64 id, int to) {
  const int from = rowOf(id);
  if (from < 0 || jobs_[from].state != JobState::Queued) return false;
  to = std::clamp(to, 0, static_cast<int>(jobs_.size()) - 1);
  if (to == from) return false;
  // beginMoveRows wants the destination as "insert before" in the old numbering.
  if (!beginMoveRows({}, from, from, {}, to > from ? to + 1 : to)) return false;
  jobs_.move(from, to);
  endMoveRows();
  changed();
  return true;
}

bool JobQueueModel::move(quint64 id, int delta) {
  const int from = rowOf(id);
  if (from < 0) return false;
  return moveTo(id, from + delta);
}

int JobQueueModel::cancelQueued() {
  int n = 0;
  for (int i = jobs_.size() - 1; i >= 0; --i) {
    if (jobs_[i].state != JobState::Queued) continue;
    beginRemoveRows({}, i, i);
    jobs_.removeAt(i);
    endRemoveRows();
    ++n;
  }
  if (n) changed();
  return n;
}

void JobQueueModel::clearFinished() {
  bool any = false;
  for (int i = jobs_.size() - 1; i >= 0; --i) {
    const JobState s = jobs_[i].state;
    if (s == JobState::Queued || s == JobState::Running) continue;
    beginRemoveRows({}, i, i);
    jobs_.removeAt(i);
    endRemoveRows();
    any = true;
  }
  if (any) changed();
}

std::optional<QueuedJob> JobQueueModel::startNext() {
  for (int i = 0; i < jobs_.size(); ++i) {
    if (jobs_[i].state != JobState::Queued) continue;
    jobs_[i].state = JobState::Running;
    Q_EMIT dataChanged(index(i), index(i));
    changed();
    return jobs_[i];
  }
  return std::nullopt;
}

void JobQueueModel::setState(quint64 id, JobState state, const QString& message) {
  const int r = rowOf(id);
  if (r < 0) return;
  jobs_[r].state = state;
  jobs_[r].message = message;
  Q_EMIT dataChanged(index(r), index(r));
  // Keep the list short: only the last 50 finished jobs stay visible.
  int finished = 0;
  for (int i = jobs_.size() - 1; i >= 0; --i) {
    const JobState s = jobs_[i].state;
    if (s == JobState::Queued || s == JobState::Running) continue;
    if (++finished > 50) {
      beginRemoveRows({}, i, i);
      jobs_.removeAt(i);
      endRemoveRows();
    }
  }
  changed();
}

const QueuedJob* JobQueueModel::find(quint64 id) const {
  const int r = rowOf(id);
  return r < 0 ? nullptr : &jobs_[r];
}

int JobQueueModel::rowOf(quint64 id) const {
  for (int i = 0; i < jobs_.size(); ++i)
    if (jobs_[i].id == id) return i;
  return -1;
}

QList<quint64> JobQueueModel::queuedIds() const {
  QList<quint64> out;
  for (const QueuedJob& j : jobs_)
    if (j.state == JobState::Queued) out.push_back(j.id);
  return out;
}

int JobQueueModel::queuedCount() const { return queuedIds().size(); }

QList<quint64> JobQueueModel::ids() const {
  QList<quint64> out;
  for (const QueuedJob& j : jobs_) out.push_back(j.id);
  return out;
}

}  // namespace newbie
