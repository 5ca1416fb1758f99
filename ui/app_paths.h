#pragma once
// Where the app keeps its data (QStandardPaths::AppLocalDataLocation, created on demand):
//   history.sqlite (history + queue), images/YYYY-MM-DD/*.png, logs/, demo-model/.
// Call after QCoreApplication's organisation / application names are set. Thread-safe.

#include <QString>

namespace newbie::paths {

QString dataDir();
QString historyDbPath();
QString imagesDir();
QString logsDir();
QString demoModelDir();  ///< may not exist
/// True when `dir` looks like a model folder we can try (exists and is not empty).
bool looksLikeModel(const QString& dir);

}  // namespace newbie::paths
