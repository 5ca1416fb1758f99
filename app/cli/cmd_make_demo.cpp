// newbie-cli make-demo-model DIR [--seed N]
#include <chrono>
#include <cstdio>

#include "args.h"
#include "demo_model.h"

namespace newbie::cli {

int cmdMakeDemoModel(const Args& args) {
  ArgParser a(args, {"--seed"}, {"--help"});
  if (a.has("--help") || a.positional().size() != 1) {
    std::fprintf(stderr,
                 "usage: newbie-cli make-demo-model DIR [--seed N]\n"
                 "Writes the tiny demo model (official HF layout, random weights, tokenizers trained here).\n");
    return a.has("--help") ? 0 : 2;
  }
  DemoModelOptions o;
  if (a.has("--seed")) o.seed = static_cast<uint64_t>(std::stoull(a.get("--seed")));
  const auto t0 = std::chrono::steady_clock::now();
  writeDemoModel(a.positional()[0], o);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("demo model written to %s in %.1f s (random weights: a demo of the app, not art)\n",
              a.positional()[0].c_str(), s);
  return 0;
}

}  // namespace newbie::cli
