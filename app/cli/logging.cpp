// Log sinks of newbie-cli: the console (stderr) and a rotating file in
// $XDG_DATA_HOME/newbie-studio/logs/newbie-cli.log (fallback ~/.local/share/newbie-studio/logs).
// Goes through newbie::log (core/log/log.h), which keeps spdlog out of LibTorch TUs.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "cli.h"
#include "log/log.h"

namespace fs = std::filesystem;

namespace newbie::cli {

namespace {
fs::path dataDir() {
  if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x) return fs::path(x) / "newbie-studio";
  if (const char* h = std::getenv("HOME"); h && *h) return fs::path(h) / ".local/share/newbie-studio";
  return fs::temp_directory_path() / "newbie-studio";
}

bool knownLevel(const std::string& s) {
  for (const char* k : {"trace", "debug", "info", "warn", "warning", "error", "err", "off", "none"})
    if (s == k) return true;
  return false;
}
}  // namespace

void setupLogging(const std::string& level) {
  log::Level lvl = log::parseLevel(level);
  if (!knownLevel(level)) {
    std::fprintf(stderr, "newbie-cli: unknown log level '%s' (trace, debug, info, warn, error, off); using warn\n",
                 level.c_str());
    lvl = log::Level::Warn;
  }
  log::clearSinks();
  log::setLevel(lvl);
  log::addConsoleSink();
  const fs::path file = dataDir() / "logs" / "newbie-cli.log";
  if (!log::addRotatingFileSink(file.string())) log::warn("cannot write the log file {}", file.string());
  log::debug("newbie-cli {}: log level {}, log file {}", NEWBIE_VERSION, log::levelName(lvl), file.string());
}

}  // namespace newbie::cli
