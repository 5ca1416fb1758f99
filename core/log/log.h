#pragma once
// Logging for the core and its clients, without exposing spdlog/fmt to TUs that include
// LibTorch: PyTorch 2.x ships its own fmt (v12) whose headers shadow the system fmt that
// Debian/Ubuntu spdlog is built against, so spdlog is used only inside log.cpp.
//
// Messages use "{}" placeholders (also "{:.3f}"-style precision for floating values).
// Thread-safe. The core never prints: sinks are installed by the app (console, rotating
// file, in-app view). Without sinks, messages go nowhere.

#include <functional>
#include <sstream>
#include <string>

namespace newbie::log {

enum class Level { Trace = 0, Debug, Info, Warn, Error, Off };

/// Parses "trace|debug|info|warn|error|off" (case-insensitive); unknown -> Info.
Level parseLevel(const std::string& s);
const char* levelName(Level l);

void setLevel(Level l);
Level level();
inline bool enabled(Level l) { return l >= level(); }

/// Emits one message (already formatted).
void write(Level l, const std::string& message);

/// Installs a colour console sink on stderr.
void addConsoleSink();
/// Installs a rotating file sink (5 files x 5 MB) at `filePath`; creates the folder.
/// Returns false (and keeps going) when the file cannot be opened.
bool addRotatingFileSink(const std::string& filePath);
/// Installs a callback sink (e.g. the app's bounded log view). Called on the logging
/// thread; the callee must hand the text to its own thread.
void addCallbackSink(std::function<void(Level, const std::string&)> fn);
/// Removes every sink (tests).
void clearSinks();
/// Flushes file sinks.
void flush();

namespace detail {
inline void appendArg(std::ostringstream& os, const std::string& spec, double v) {
  if (spec.size() >= 3 && spec[0] == ':' && spec[1] == '.') {
    const char kind = spec.back();
    const int prec = std::atoi(spec.c_str() + 2);
    std::ostringstream t;
    if (kind == 'f') t << std::fixed;
    else if (kind == 'e') t << std::scientific;
    t.precision(prec);
    t << v;
    os << t.str();
  } else {
    os << v;
  }
}
template <class T>
void appendArg(std::ostringstream& os, const std::string& spec, const T& v) {
  if constexpr (std::is_floating_point_v<T>) appendArg(os, spec, static_cast<double>(v));
  else if constexpr (std::is_same_v<T, bool>) os << (v ? "true" : "false");
  else os << v;
}
inline void formatRest(std::ostringstream& os, const char* f) {
  for (; *f; ++f) {
    if ((f[0] == '{' && f[1] == '{') || (f[0] == '}' && f[1] == '}')) ++f;
    os << *f;
  }
}
template <class T, class... Rest>
void formatRest(std::ostringstream& os, const char* f, const T& first, const Rest&... rest) {
  for (; *f; ++f) {
    if (f[0] == '{' && f[1] == '{') {
      os << '{';
      ++f;
    } else if (f[0] == '}' && f[1] == '}') {
      os << '}';
      ++f;
    } else if (f[0] == '{') {
      const char* close = f;
      while (*close && *close != '}') ++close;
      if (!*close) break;
      appendArg(os, std::string(f + 1, close), first);
      formatRest(os, close + 1, rest...);
      return;
    } else {
      os << *f;
    }
  }
}
}  // namespace detail

/// format("{} of {} ({:.1f}%)", 3, 4, 75.0) -> "3 of 4 (75.0%)".
template <class... A>
std::string format(const char* fmt, const A&... a) {
  std::ostringstream os;
  detail::formatRest(os, fmt, a...);
  return os.str();
}

template <class... A>
void trace(const char* f, const A&... a) { if (enabled(Level::Trace)) write(Level::Trace, format(f, a...)); }
template <class... A>
void debug(const char* f, const A&... a) { if (enabled(Level::Debug)) write(Level::Debug, format(f, a...)); }
template <class... A>
void info(const char* f, const A&... a) { if (enabled(Level::Info)) write(Level::Info, format(f, a...)); }
template <class... A>
void warn(const char* f, const A&... a) { if (enabled(Level::Warn)) write(Level::Warn, format(f, a...)); }
template <class... A>
void error(const char* f, const A&... a) { if (enabled(Level::Error)) write(Level::Error, format(f, a...)); }

}  // namespace newbie::log
