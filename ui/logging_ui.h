#pragma once
// Logging for the app: a rotating file (logs/newbie-studio.log), the console, and a bounded
// in-app view. The spdlog sink forwards lines to the UI thread by a queued signal, so the core
// (which logs from the worker thread) never touches widgets.

#include <QObject>
#include <QPlainTextEdit>
#include <QString>

namespace newbie {

/// Receives log lines on the GUI thread (emitted from any thread, delivered queued).
class LogBridge : public QObject {
  Q_OBJECT
 public:
  static LogBridge* instance();  ///< lives on the GUI thread
 Q_SIGNALS:
  void line(int level, const QString& text);
};

/// Installs the default spdlog logger with file + console + UI sinks. `logDir` may be empty
/// (no file). Safe to call once at start-up.
void installLogging(const QString& logDir, bool verbose = false);

/// Bounded log view (keeps the last `maxLines` lines).
class LogView : public QPlainTextEdit {
  Q_OBJECT
 public:
  explicit LogView(QWidget* parent = nullptr, int maxLines = 2000);
  void append(int level, const QString& text);
};

}  // namespace newbie
