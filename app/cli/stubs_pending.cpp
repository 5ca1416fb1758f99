// Commands whose implementation has not landed yet report that honestly.
// Each helper that implements a command deletes its line here and adds cmd_<name>.cpp.
#include <cstdio>

#include "cli.h"

namespace newbie::cli {
namespace {
int pending(const char* name) {
  std::fprintf(stderr, "newbie-cli %s: not implemented in this build\n", name);
  return 3;
}
}  // namespace
int cmdInspect(const Args&) { return pending("inspect"); }
int cmdEncode(const Args&) { return pending("encode"); }
int cmdGenerate(const Args&) { return pending("generate"); }
int cmdBench(const Args&) { return pending("bench"); }
int cmdMakeDemoModel(const Args&) { return pending("make-demo-model"); }
void setupLogging(const std::string&) {}
}  // namespace newbie::cli
