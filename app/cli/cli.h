#pragma once
// newbie-cli sub-commands. Each returns the process exit code; argv excludes the
// sub-command name. Errors are printed as one clear line on stderr.
#include <string>
#include <vector>

namespace newbie::cli {

using Args = std::vector<std::string>;

int cmdInspect(const Args& args);
int cmdEncode(const Args& args);
int cmdGenerate(const Args& args);
int cmdBench(const Args& args);
int cmdMakeDemoModel(const Args& args);

/// Installs the console + rotating-file sinks ($XDG_DATA_HOME/newbie-studio/logs).
void setupLogging(const std::string& level);

}  // namespace newbie::cli
