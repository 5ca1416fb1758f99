#pragma once
// Tiny option parser shared by the sub-commands: --name VALUE, --flag, repeated options,
// positional arguments. Unknown options are errors that name the option.
#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli.h"
#include "pipeline.h"

namespace newbie::cli {

class ArgParser {
 public:
  /// `valued`: options that take a value; `flags`: options without one.
  ArgParser(const Args& args, const std::set<std::string>& valued, const std::set<std::string>& flags) {
    for (std::size_t i = 0; i < args.size(); ++i) {
      const std::string& a = args[i];
      if (a.rfind("--", 0) == 0) {
        std::string name = a, value;
        const auto eq = a.find('=');
        if (eq != std::string::npos) {
          name = a.substr(0, eq);
          value = a.substr(eq + 1);
        }
        if (flags.count(name)) {
          values_[name].push_back("1");
        } else if (valued.count(name)) {
          if (eq == std::string::npos) {
            if (i + 1 >= args.size()) throw std::invalid_argument("option " + name + " needs a value");
            value = args[++i];
          }
          values_[name].push_back(value);
        } else {
          throw std::invalid_argument("unknown option '" + name + "' (see --help)");
        }
      } else {
        positional_.push_back(a);
      }
    }
  }
  bool has(const std::string& n) const { return values_.count(n) != 0; }
  std::string get(const std::string& n, const std::string& def = "") const {
    auto it = values_.find(n);
    return it == values_.end() ? def : it->second.back();
  }
  std::vector<std::string> all(const std::string& n) const {
    auto it = values_.find(n);
    return it == values_.end() ? std::vector<std::string>{} : it->second;
  }
  int getInt(const std::string& n, int def) const { return has(n) ? toInt(n, get(n)) : def; }
  double getDouble(const std::string& n, double def) const {
    if (!has(n)) return def;
    try {
      std::size_t pos = 0;
      double v = std::stod(get(n), &pos);
      if (pos != get(n).size()) throw std::invalid_argument("");
      return v;
    } catch (const std::exception&) {
      throw std::invalid_argument("option " + n + ": '" + get(n) + "' is not a number");
    }
  }
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  static int toInt(const std::string& n, const std::string& s) {
    try {
      std::size_t pos = 0;
      long long v = std::stoll(s, &pos);
      if (pos != s.size()) throw std::invalid_argument("");
      return static_cast<int>(v);
    } catch (const std::exception&) {
      throw std::invalid_argument("option " + n + ": '" + s + "' is not an integer");
    }
  }
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positional_;
};

/// Whole file as a string; throws naming the path.
std::string readTextFile(const std::string& path);

/// --model PATH... (and positional paths); throws when none is given.
std::vector<std::filesystem::path> modelPathsFromArgs(const ArgParser& a);
/// The text inputs shared by encode and generate: --prompt-file|--prompt, --negative-file|
/// --negative, --system-prompt, --system-preset, --comfy-compatible.
void promptFromArgs(const ArgParser& a, GenerationParams& p);
/// --device (default cpu), --precision (default fp32 on CPU, bf16 on CUDA), --encoders.
LoadOptions loadOptionsFromArgs(const ArgParser& a);

}  // namespace newbie::cli
