#include "app_paths.h"

#include <QDir>
#include <QStandardPaths>

namespace newbie::paths {

namespace {
QString ensured(const QString& path) {
  QDir().mkpath(path);
  return path;
}
}  // namespace

QString dataDir() { return ensured(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation)); }
QString historyDbPath() { return QDir(dataDir()).filePath(QStringLiteral("history.sqlite")); }
QString imagesDir() { return ensured(QDir(dataDir()).filePath(QStringLiteral("images"))); }
QString logsDir() { return ensured(QDir(dataDir()).filePath(QStringLiteral("logs"))); }
QString demoModelDir() { return QDir(dataDir()).filePath(QStringLiteral("demo-model")); }

bool looksLikeModel(const QString& dir) {
  QDir d(dir);
  return d.exists() && !d.entryList(QDir::AllEntries | QDir::NoDotAndDotDot).isEmpty();
}

}  // namespace newbie::paths
