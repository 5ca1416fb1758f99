#include "logging_ui.h"

#include <QCoreApplication>
#include <QDir>
#include <QThread>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <mutex>

namespace newbie {

LogBridge* LogBridge::instance() {
  static LogBridge* bridge = [] {
    auto* b = new LogBridge;
    if (QCoreApplication::instance()) {
      b->moveToThread(QCoreApplication::instance()->thread());
      b->setParent(QCoreApplication::instance());
    }
    return b;
  }();
  return bridge;
}

namespace {
class QtSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t buf;
    formatter_->format(msg, buf);
    QString text = QString::fromUtf8(buf.data(), static_cast<qsizetype>(buf.size())).trimmed();
    // Emitting from a non-GUI thread: Qt queues it to the bridge's thread automatically.
    Q_EMIT LogBridge::instance()->line(static_cast<int>(msg.level), text);
  }
  void flush_() override {}
};
}  // namespace

void installLogging(const QString& logDir, bool verbose) {
  LogBridge::instance();
  std::vector<spdlog::sink_ptr> sinks;
  sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  if (!logDir.isEmpty()) {
    try {
      const QString path = QDir(logDir).filePath(QStringLiteral("newbie-studio.log"));
      sinks.push_back(
          std::make_shared<spdlog::sinks::rotating_file_sink_mt>(path.toStdString(), 5 * 1024 * 1024, 3));
    } catch (const std::exception& e) {
      fprintf(stderr, "log file: %s\n", e.what());
    }
  }
  auto ui = std::make_shared<QtSink>();
  ui->set_pattern("%H:%M:%S %^%l%$ %v");
  sinks.push_back(ui);
  auto logger = std::make_shared<spdlog::logger>("newbie", sinks.begin(), sinks.end());
  logger->set_level(verbose ? spdlog::level::debug : spdlog::level::info);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
}

LogView::LogView(QWidget* parent, int maxLines) : QPlainTextEdit(parent) {
  setReadOnly(true);
  setMaximumBlockCount(maxLines);
  setLineWrapMode(QPlainTextEdit::NoWrap);
  QFont f(QStringLiteral("monospace"));
  f.setStyleHint(QFont::Monospace);
  setFont(f);
  connect(LogBridge::instance(), &LogBridge::line, this, &LogView::append, Qt::QueuedConnection);
}

void LogView::append(int level, const QString& text) {
  QString color;
  if (level >= spdlog::level::err) color = QStringLiteral("#c0392b");
  else if (level == spdlog::level::warn) color = QStringLiteral("#d35400");
  if (color.isEmpty()) appendPlainText(text);
  else appendHtml(QStringLiteral("<span style=\"color:%1\">%2</span>").arg(color, text.toHtmlEscaped()));
}

}  // namespace newbie
