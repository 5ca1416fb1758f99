#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>
#include <map>
#include <string>

#include "cli.h"

namespace {
void usage() {
  std::fprintf(stderr,
               "newbie-cli %s — NewBie-image-Exp0.1 from the command line\n\n"
               "usage: newbie-cli [--log-level trace|debug|info|warn|error] COMMAND [options]\n\n"
               "commands:\n"
               "  inspect PATH... [--json]        detect the model layout and its components\n"
               "  encode ...                      run the text encoders on a prompt\n"
               "  generate ...                    make an image\n"
               "  bench ...                       measure speed and memory\n"
               "  make-demo-model DIR             write the tiny demo model (random weights)\n\n"
               "Run 'newbie-cli COMMAND --help' for a command's options.\n",
               NEWBIE_VERSION);
}
}  // namespace

int main(int argc, char** argv) {
  using namespace newbie::cli;
  std::string level = std::getenv("NEWBIE_LOG_LEVEL") ? std::getenv("NEWBIE_LOG_LEVEL") : "warn";
  int i = 1;
  while (i < argc && std::string(argv[i]).rfind("--", 0) == 0) {
    std::string a = argv[i];
    if (a == "--log-level" && i + 1 < argc) {
      level = argv[i + 1];
      i += 2;
    } else if (a == "--help" || a == "-h") {
      usage();
      return 0;
    } else if (a == "--version") {
      std::printf("newbie-cli %s\n", NEWBIE_VERSION);
      return 0;
    } else {
      std::fprintf(stderr, "newbie-cli: unknown option '%s'\n", a.c_str());
      usage();
      return 2;
    }
  }
  if (i >= argc) {
    usage();
    return 2;
  }
  const std::string cmd = argv[i];
  Args args(argv + i + 1, argv + argc);
  const std::map<std::string, std::function<int(const Args&)>> commands = {
      {"inspect", cmdInspect}, {"encode", cmdEncode},   {"generate", cmdGenerate},
      {"bench", cmdBench},     {"make-demo-model", cmdMakeDemoModel}};
  auto it = commands.find(cmd);
  if (it == commands.end()) {
    std::fprintf(stderr, "newbie-cli: unknown command '%s'\n", cmd.c_str());
    usage();
    return 2;
  }
  try {
    setupLogging(level);
    return it->second(args);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "newbie-cli %s: error: %s\n", cmd.c_str(), e.what());
    return 1;
  }
}
