#include "history_db.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>
#include <algorithm>

#include "pipeline.h"
#include "text/newbie_xml.h"

namespace newbie::ui {
namespace {
/// A null QString binds as SQL NULL; the columns are NOT NULL.
QString nn(const QString& s) { return s.isNull() ? QStringLiteral("") : s; }

QString likeEscape(QString s) {
  s.replace(QLatin1Char('\\'), QStringLiteral("\\\\"));
  s.replace(QLatin1Char('%'), QStringLiteral("\\%"));
  s.replace(QLatin1Char('_'), QStringLiteral("\\_"));
  return s;
}
}  // namespace

HistoryQuery HistoryQuery::parse(const QString& searchText) {
  HistoryQuery q;
  static const QRegularExpression tok(QStringLiteral("([A-Za-z_][A-Za-z0-9_.]*):(\"[^\"]*\"|\\S+)|\"([^\"]*)\"|(\\S+)"));
  QStringList words;
  for (auto it = tok.globalMatch(searchText); it.hasNext();) {
    const auto m = it.next();
    if (!m.captured(1).isEmpty()) {
      QString v = m.captured(2);
      if (v.startsWith(QLatin1Char('"'))) v = v.mid(1, v.size() - 2);
      q.fields.append({m.captured(1), v});
    } else if (!m.captured(3).isEmpty()) {
      words << m.captured(3);
    } else {
      words << m.captured(4);
    }
  }
  q.text = words.join(QLatin1Char(' '));
  return q;
}

HistoryDatabase::HistoryDatabase(const QString& dataDir)
    : dataDir_(dataDir),
      connectionName_(QStringLiteral("newbie_history_") + QUuid::createUuid().toString(QUuid::WithoutBraces)) {
  QDir().mkpath(dataDir_);
  QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connectionName_);
  db.setDatabaseName(QDir(dataDir_).filePath(QStringLiteral("history.sqlite")));
  if (!db.open()) {
    lastError_ = db.lastError().text();
    return;
  }
  exec(QStringLiteral("PRAGMA journal_mode=WAL"));
  exec(QStringLiteral("PRAGMA synchronous=FULL"));
  exec(QStringLiteral("PRAGMA foreign_keys=ON"));
  exec(QStringLiteral("PRAGMA busy_timeout=5000"));
  exec(QStringLiteral("CREATE TABLE IF NOT EXISTS jobs (id INTEGER PRIMARY KEY AUTOINCREMENT, created INTEGER NOT NULL, "
                      "prompt TEXT NOT NULL, negative TEXT NOT NULL DEFAULT '', system_preset TEXT NOT NULL DEFAULT '', "
                      "model TEXT NOT NULL DEFAULT '', params_json TEXT NOT NULL DEFAULT '{}')"));
  exec(QStringLiteral("CREATE TABLE IF NOT EXISTS images (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                      "job_id INTEGER NOT NULL REFERENCES jobs(id), path TEXT NOT NULL, metadata_json TEXT NOT NULL, "
                      "timings_json TEXT NOT NULL DEFAULT '{}', width INTEGER, height INTEGER, seed INTEGER, "
                      "created INTEGER NOT NULL, favourite INTEGER NOT NULL DEFAULT 0, "
                      "deleted INTEGER NOT NULL DEFAULT 0, original_path TEXT)"));
  exec(QStringLiteral("CREATE INDEX IF NOT EXISTS images_created ON images(deleted, id)"));
  exec(QStringLiteral("CREATE INDEX IF NOT EXISTS images_job ON images(job_id)"));
  exec(QStringLiteral("CREATE TABLE IF NOT EXISTS prompt_fields (image_id INTEGER NOT NULL REFERENCES images(id) "
                      "ON DELETE CASCADE, path TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL)"));
  exec(QStringLiteral("CREATE INDEX IF NOT EXISTS prompt_fields_image ON prompt_fields(image_id)"));
  exec(QStringLiteral("CREATE INDEX IF NOT EXISTS prompt_fields_field ON prompt_fields(field)"));
}

HistoryDatabase::~HistoryDatabase() {
  {
    QSqlDatabase db = QSqlDatabase::database(connectionName_, false);
    if (db.isOpen()) db.close();
  }
  QSqlDatabase::removeDatabase(connectionName_);
}

QSqlDatabase HistoryDatabase::connection() const { return QSqlDatabase::database(connectionName_, false); }

bool HistoryDatabase::isOpen() const { return connection().isOpen(); }

QString HistoryDatabase::trashDir() const { return QDir(dataDir_).filePath(QStringLiteral("trash")); }

bool HistoryDatabase::exec(const QString& sql) {
  QSqlQuery q(connection());
  if (!q.exec(sql)) {
    lastError_ = q.lastError().text() + QStringLiteral(" [") + sql + QLatin1Char(']');
    return false;
  }
  return true;
}

qint64 HistoryDatabase::beginJob(const JobRecord& job) {
  QSqlQuery q(connection());
  q.prepare(QStringLiteral("INSERT INTO jobs (created, prompt, negative, system_preset, model, params_json) "
                           "VALUES (?, ?, ?, ?, ?, ?)"));
  const QDateTime created = job.created.isValid() ? job.created : QDateTime::currentDateTimeUtc();
  q.addBindValue(created.toMSecsSinceEpoch());
  q.addBindValue(nn(job.prompt));
  q.addBindValue(nn(job.negativePrompt));
  q.addBindValue(nn(job.systemPreset));
  q.addBindValue(nn(job.model));
  q.addBindValue(job.paramsJson.isEmpty() ? QStringLiteral("{}") : job.paramsJson);
  if (!q.exec()) {
    lastError_ = q.lastError().text();
    return -1;
  }
  return q.lastInsertId().toLongLong();
}

qint64 HistoryDatabase::recordImage(qint64 jobId, const QString& pngPath, const QString& metadataJson,
                                    const QString& timingsJson, int width, int height, quint64 seed) {
  QSqlDatabase db = connection();
  QString prompt;
  {
    QSqlQuery j(db);
    j.prepare(QStringLiteral("SELECT prompt FROM jobs WHERE id = ?"));
    j.addBindValue(jobId);
    if (!j.exec() || !j.next()) {
      lastError_ = QStringLiteral("unknown job id %1").arg(jobId);
      return -1;
    }
    prompt = j.value(0).toString();
  }
  if (!db.transaction()) {
    lastError_ = db.lastError().text();
    return -1;
  }
  QSqlQuery q(db);
  q.prepare(QStringLiteral("INSERT INTO images (job_id, path, metadata_json, timings_json, width, height, seed, created) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
  q.addBindValue(jobId);
  q.addBindValue(nn(pngPath));
  q.addBindValue(nn(metadataJson));
  q.addBindValue(timingsJson.isEmpty() ? QStringLiteral("{}") : timingsJson);
  q.addBindValue(width);
  q.addBindValue(height);
  q.addBindValue(static_cast<qint64>(seed));
  q.addBindValue(QDateTime::currentDateTimeUtc().toMSecsSinceEpoch());
  if (!q.exec()) {
    lastError_ = q.lastError().text();
    db.rollback();
    return -1;
  }
  const qint64 id = q.lastInsertId().toLongLong();
  const auto doc = newbie::text::Document::parse(prompt.toStdString());
  QSqlQuery f(db);
  f.prepare(QStringLiteral("INSERT INTO prompt_fields (image_id, path, field, value) VALUES (?, ?, ?, ?)"));
  for (const auto& [path, value] : doc.fieldPaths()) {
    const QString p = QString::fromStdString(path);
    f.addBindValue(id);
    f.addBindValue(p);
    f.addBindValue(p.section(QLatin1Char('.'), -1));
    f.addBindValue(QString::fromStdString(value));
    if (!f.exec()) {
      lastError_ = f.lastError().text();
      db.rollback();
      return -1;
    }
  }
  if (!doc.looksLikeXml() && !prompt.trimmed().isEmpty()) {
    f.addBindValue(id);
    f.addBindValue(QStringLiteral("tags"));
    f.addBindValue(QStringLiteral("tags"));
    f.addBindValue(prompt.trimmed());
    f.exec();
  }
  if (!db.commit()) {
    lastError_ = db.lastError().text();
    db.rollback();
    return -1;
  }
  return id;
}

QString HistoryDatabase::timingsToJson(const newbie::Timings& t) {
  QJsonObject o;
  o.insert(QStringLiteral("encode_ms"), t.encodeMs);
  o.insert(QStringLiteral("denoise_ms"), t.denoiseMs);
  o.insert(QStringLiteral("decode_ms"), t.decodeMs);
  o.insert(QStringLiteral("total_ms"), t.totalMs);
  o.insert(QStringLiteral("encode_cache_hit"), t.encodeCacheHit);
  QJsonArray steps;
  for (double s : t.stepMs) steps.append(s);
  o.insert(QStringLiteral("step_ms"), steps);
  return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

ImageRecord HistoryDatabase::image(qint64 id) const {
  ImageRecord r;
  QSqlQuery q(connection());
  q.prepare(QStringLiteral("SELECT i.id, i.job_id, i.path, i.metadata_json, i.timings_json, i.width, i.height, i.seed, "
                           "i.created, i.favourite, i.deleted, j.prompt, j.negative, j.system_preset, j.model, "
                           "j.params_json FROM images i JOIN jobs j ON j.id = i.job_id WHERE i.id = ?"));
  q.addBindValue(id);
  if (!q.exec() || !q.next()) return r;
  r.id = q.value(0).toLongLong();
  r.jobId = q.value(1).toLongLong();
  r.path = q.value(2).toString();
  r.metadataJson = q.value(3).toString();
  r.timingsJson = q.value(4).toString();
  r.width = q.value(5).toInt();
  r.height = q.value(6).toInt();
  r.seed = static_cast<quint64>(q.value(7).toLongLong());
  r.created = QDateTime::fromMSecsSinceEpoch(q.value(8).toLongLong(), Qt::UTC);
  r.favourite = q.value(9).toBool();
  r.deleted = q.value(10).toBool();
  r.prompt = q.value(11).toString();
  r.negativePrompt = q.value(12).toString();
  r.systemPreset = q.value(13).toString();
  r.model = q.value(14).toString();
  r.paramsJson = q.value(15).toString();
  return r;
}

bool HistoryDatabase::setFavourite(qint64 id, bool favourite) {
  QSqlQuery q(connection());
  q.prepare(QStringLiteral("UPDATE images SET favourite = ? WHERE id = ?"));
  q.addBindValue(favourite ? 1 : 0);
  q.addBindValue(id);
  if (!q.exec()) {
    lastError_ = q.lastError().text();
    return false;
  }
  return q.numRowsAffected() == 1;
}

bool HistoryDatabase::deleteImage(qint64 id) {
  const ImageRecord r = image(id);
  if (r.id < 0 || r.deleted) return false;
  QDir().mkpath(trashDir());
  const QString trashPath = QDir(trashDir()).filePath(QStringLiteral("%1_%2").arg(id).arg(QFileInfo(r.path).fileName()));
  const bool hadFile = QFile::exists(r.path);
  if (hadFile && !QFile::rename(r.path, trashPath)) {
    lastError_ = QStringLiteral("cannot move %1 to %2").arg(r.path, trashPath);
    return false;
  }
  QSqlQuery q(connection());
  q.prepare(QStringLiteral("UPDATE images SET deleted = 1, original_path = path, path = ? WHERE id = ?"));
  q.addBindValue(hadFile ? trashPath : r.path);
  q.addBindValue(id);
  if (!q.exec()) {
    lastError_ = q.lastError().text();
    if (hadFile) QFile::rename(trashPath, r.path);
    return false;
  }
  return true;
}

bool HistoryDatabase::undoDelete(qint64 id) {
  QSqlQuery s(connection());
  s.prepare(QStringLiteral("SELECT path, original_path FROM images WHERE id = ? AND deleted = 1"));
  s.addBindValue(id);
  if (!s.exec() || !s.next()) return false;
  const QString trashPath = s.value(0).toString(), original = s.value(1).toString();
  if (trashPath != original && QFile::exists(trashPath)) {
    QDir().mkpath(QFileInfo(original).absolutePath());
    if (!QFile::rename(trashPath, original)) {
      lastError_ = QStringLiteral("cannot move %1 back to %2").arg(trashPath, original);
      return false;
    }
  }
  QSqlQuery q(connection());
  q.prepare(QStringLiteral("UPDATE images SET deleted = 0, path = original_path, original_path = NULL WHERE id = ?"));
  q.addBindValue(id);
  return q.exec();
}

int HistoryDatabase::purgeTrash() {
  QSqlDatabase db = connection();
  QSqlQuery s(db);
  if (!s.exec(QStringLiteral("SELECT id, path FROM images WHERE deleted = 1"))) return 0;
  QList<qint64> ids;
  while (s.next()) {
    ids << s.value(0).toLongLong();
    QFile::remove(s.value(1).toString());
  }
  db.transaction();
  QSqlQuery d(db);
  for (qint64 id : ids) {
    d.prepare(QStringLiteral("DELETE FROM prompt_fields WHERE image_id = ?"));
    d.addBindValue(id);
    d.exec();
    d.prepare(QStringLiteral("DELETE FROM images WHERE id = ?"));
    d.addBindValue(id);
    d.exec();
  }
  db.commit();
  return static_cast<int>(ids.size());
}

QString HistoryDatabase::where(const HistoryQuery& q, QVariantList& binds) const {
  QStringList c;
  if (!q.includeDeleted) c << QStringLiteral("i.deleted = 0");
  if (q.favouritesOnly) c << QStringLiteral("i.favourite = 1");
  if (q.from.isValid()) {
    c << QStringLiteral("i.created >= ?");
    binds << q.from.toMSecsSinceEpoch();
  }
  if (q.to.isValid()) {
    c << QStringLiteral("i.created < ?");
    binds << q.to.toMSecsSinceEpoch();
  }
  if (!q.model.isEmpty()) {
    c << QStringLiteral("j.model = ?");
    binds << q.model;
  }
  for (const QString& w : q.text.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
    c << QStringLiteral("(j.prompt LIKE ? ESCAPE '\\' OR j.negative LIKE ? ESCAPE '\\')");
    const QString pat = QLatin1Char('%') + likeEscape(w) + QLatin1Char('%');
    binds << pat << pat;
  }
  for (const auto& [path, value] : q.fields) {
    const QString pat = QLatin1Char('%') + likeEscape(value) + QLatin1Char('%');
    if (path.contains(QLatin1Char('.')) || path == QStringLiteral("caption") || path == QStringLiteral("tags")) {
      c << QStringLiteral("EXISTS (SELECT 1 FROM prompt_fields f WHERE f.image_id = i.id AND f.path = ? AND "
                          "f.value LIKE ? ESCAPE '\\')");
      QString p = path;
      if (p.endsWith(QStringLiteral(".name"))) p.chop(3);  // "<x>.name" is stored as "<x>.n"
      binds << p << pat;
    } else {
      c << QStringLiteral("EXISTS (SELECT 1 FROM prompt_fields f WHERE f.image_id = i.id AND f.field = ? AND "
                          "f.value LIKE ? ESCAPE '\\')");
      binds << (path == QStringLiteral("name") ? QStringLiteral("n") : path) << pat;
    }
  }
  return c.isEmpty() ? QString() : QStringLiteral(" WHERE ") + c.join(QStringLiteral(" AND "));
}

QList<qint64> HistoryDatabase::search(const HistoryQuery& hq, int offset, int limit) const {
  QList<qint64> out;
  QVariantList binds;
  QSqlQuery q(connection());
  q.prepare(QStringLiteral("SELECT i.id FROM images i JOIN jobs j ON j.id = i.job_id") + where(hq, binds) +
            QStringLiteral(" ORDER BY i.id DESC LIMIT ? OFFSET ?"));
  for (const QVariant& b : binds) q.addBindValue(b);
  q.addBindValue(limit);
  q.addBindValue(offset);
  if (!q.exec()) return out;
  while (q.next()) out << q.value(0).toLongLong();
  return out;
}

QList<qint64> HistoryDatabase::search(const QString& text, const QList<QPair<QString, QString>>& fieldFilters,
                                      const QPair<QDateTime, QDateTime>& dateRange, bool favouritesOnly,
                                      const QString& model, int offset, int limit) const {
  HistoryQuery q;
  q.text = text;
  q.fields = fieldFilters;
  q.from = dateRange.first;
  q.to = dateRange.second;
  q.favouritesOnly = favouritesOnly;
  q.model = model;
  return search(q, offset, limit);
}

int HistoryDatabase::count(const HistoryQuery& hq) const {
  QVariantList binds;
  QSqlQuery q(connection());
  q.prepare(QStringLiteral("SELECT COUNT(*) FROM images i JOIN jobs j ON j.id = i.job_id") + where(hq, binds));
  for (const QVariant& b : binds) q.addBindValue(b);
  if (!q.exec() || !q.next()) return 0;
  return q.value(0).toInt();
}

QList<HistoryDatabase::Row> HistoryDatabase::rows(const HistoryQuery& hq, int offset, int limit) const {
  QList<Row> out;
  QVariantList binds;
  QSqlQuery q(connection());
  q.setForwardOnly(true);
  q.prepare(QStringLiteral("SELECT i.id, i.path, i.favourite, i.width, i.height, i.seed, i.created FROM images i "
                           "JOIN jobs j ON j.id = i.job_id") +
            where(hq, binds) + QStringLiteral(" ORDER BY i.id DESC LIMIT ? OFFSET ?"));
  for (const QVariant& b : binds) q.addBindValue(b);
  q.addBindValue(limit);
  q.addBindValue(offset);
  if (!q.exec()) return out;
  while (q.next())
    out.append(Row{q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toBool(), q.value(3).toInt(),
                   q.value(4).toInt(), static_cast<quint64>(q.value(5).toLongLong()),
                   QDateTime::fromMSecsSinceEpoch(q.value(6).toLongLong(), Qt::UTC)});
  return out;
}

QStringList HistoryDatabase::models() const {
  QStringList out;
  QSqlQuery q(connection());
  if (q.exec(QStringLiteral("SELECT DISTINCT model FROM jobs WHERE model <> '' ORDER BY model")))
    while (q.next()) out << q.value(0).toString();
  return out;
}

QStringList HistoryDatabase::learnedTags(const QString& field, int limit) const {
  QSqlQuery q(connection());
  q.setForwardOnly(true);
  q.prepare(QStringLiteral("SELECT f.value FROM prompt_fields f JOIN images i ON i.id = f.image_id "
                           "WHERE f.field = ? AND i.deleted = 0 ORDER BY f.image_id DESC LIMIT 5000"));
  q.addBindValue(field == QStringLiteral("name") ? QStringLiteral("n") : field);
  QHash<QString, int> freq;
  QHash<QString, QString> spelling;
  if (q.exec())
    while (q.next())
      for (const std::string& t : newbie::text::splitTags(q.value(0).toString().toStdString())) {
        const QString tag = QString::fromStdString(t);
        const QString key = QString::fromStdString(newbie::text::normalizeTag(t));
        if (!spelling.contains(key)) spelling.insert(key, tag);
        ++freq[key];
      }
  QStringList keys = freq.keys();
  std::sort(keys.begin(), keys.end(), [&](const QString& a, const QString& b) {
    return freq[a] != freq[b] ? freq[a] > freq[b] : a < b;
  });
  QStringList out;
  for (const QString& k : keys) {
    if (out.size() >= limit) break;
    out << spelling[k];
  }
  return out;
}

QList<QPair<QString, QString>> HistoryDatabase::promptFields(qint64 imageId) const {
  QList<QPair<QString, QString>> out;
  QSqlQuery q(connection());
  q.prepare(QStringLiteral("SELECT path, value FROM prompt_fields WHERE image_id = ? ORDER BY rowid"));
  q.addBindValue(imageId);
  if (q.exec())
    while (q.next()) out.append({q.value(0).toString(), q.value(1).toString()});
  return out;
}

}  // namespace newbie::ui
