// The only translation unit of the core that includes spdlog (see log.h).
#include "log/log.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace newbie::log {
namespace {

std::atomic<int> gLevel{static_cast<int>(Level::Info)};

class CallbackSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit CallbackSink(std::function<void(Level, const std::string&)> fn) : fn_(std::move(fn)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    fn_(static_cast<Level>(static_cast<int>(msg.level)), std::string(msg.payload.data(), msg.payload.size()));
  }
  void flush_() override {}

 private:
  std::function<void(Level, const std::string&)> fn_;
};

std::shared_ptr<spdlog::logger> logger() {
  static std::shared_ptr<spdlog::logger> l = [] {
    auto lg = std::make_shared<spdlog::logger>("newbie");
    lg->set_level(spdlog::level::trace);  // filtering happens in enabled()
    lg->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%l] [t%t] %v");
    return lg;
  }();
  return l;
}

}  // namespace

Level parseLevel(const std::string& s) {
  std::string l = s;
  std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (l == "trace") return Level::Trace;
  if (l == "debug") return Level::Debug;
  if (l == "info") return Level::Info;
  if (l == "warn" || l == "warning") return Level::Warn;
  if (l == "error" || l == "err") return Level::Error;
  if (l == "off" || l == "none") return Level::Off;
  return Level::Info;
}

const char* levelName(Level l) {
  switch (l) {
    case Level::Trace: return "trace";
    case Level::Debug: return "debug";
    case Level::Info: return "info";
    case Level::Warn: return "warn";
    case Level::Error: return "error";
    case Level::Off: return "off";
  }
  return "?";
}

void setLevel(Level l) { gLevel.store(static_cast<int>(l)); }
Level level() { return static_cast<Level>(gLevel.load()); }

void write(Level l, const std::string& message) {
  if (!enabled(l) || l == Level::Off) return;
  // spdlog's level enum has the same order (trace..err); Level::Error == spdlog::level::err.
  logger()->log(static_cast<spdlog::level::level_enum>(static_cast<int>(l)), "{}", message);
}

void addConsoleSink() {
  auto s = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  s->set_pattern("[%H:%M:%S.%e] [%^%l%$] %v");
  logger()->sinks().push_back(s);
}

bool addRotatingFileSink(const std::string& filePath) {
  try {
    std::filesystem::create_directories(std::filesystem::path(filePath).parent_path());
    auto s = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(filePath, 5 * 1024 * 1024, 5);
    logger()->sinks().push_back(s);
    logger()->flush_on(spdlog::level::warn);
    return true;
  } catch (const std::exception& e) {
    write(Level::Warn, std::string("cannot open log file ") + filePath + ": " + e.what());
    return false;
  }
}

void addCallbackSink(std::function<void(Level, const std::string&)> fn) {
  logger()->sinks().push_back(std::make_shared<CallbackSink>(std::move(fn)));
}

void clearSinks() { logger()->sinks().clear(); }

void flush() { logger()->flush(); }

}  // namespace newbie::log
