#include "golden.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace newbie::test {

fs::path goldenDir() {
  const char* env = std::getenv("NEWBIE_GOLDEN_DIR");
  fs::path p = env && *env ? fs::path(env) : fs::path(NEWBIE_DEFAULT_GOLDEN_DIR);
  if (!fs::exists(p / "manifest.json")) {
    ADD_FAILURE() << "golden set not found at " << p << " (set NEWBIE_GOLDEN_DIR)";
    throw std::runtime_error("golden set missing: " + p.string());
  }
  return p;
}

fs::path testDataDir() { return fs::path(NEWBIE_TEST_DATA_DIR); }

namespace {
int removeEntry(const char* path, const struct stat*, int, struct FTW*) { return ::remove(path); }
}  // namespace

// PyTorch 2.x's libtorch.so exports its own (broken when called from here) copy of
// std::filesystem::remove_all, which the dynamic linker may bind first: use nftw instead.
void removeTree(const fs::path& p) { ::nftw(p.c_str(), removeEntry, 16, FTW_DEPTH | FTW_PHYS); }

namespace {
// One root per test process, removed by a gtest environment's TearDown (before main returns)
// rather than by a static destructor: exit-time destruction order is not ours to rely on.
fs::path& tempRoot() {
  static fs::path root;
  return root;
}

class TempRootCleanup : public ::testing::Environment {
 public:
  void TearDown() override {
    if (!tempRoot().empty()) removeTree(tempRoot());
  }
};
[[maybe_unused]] const auto* const kCleanup = ::testing::AddGlobalTestEnvironment(new TempRootCleanup);
}  // namespace

fs::path tempDir(const std::string& tag) {
  static int counter = 0;
  if (tempRoot().empty()) {
    std::random_device rd;
    tempRoot() = fs::temp_directory_path() / ("newbie-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    fs::create_directories(tempRoot());
  }
  fs::path p = tempRoot() / (tag + "-" + std::to_string(counter++));
  fs::create_directories(p);
  return p;
}

io::TensorStore golden(const std::string& relPath) { return io::TensorStore::open(goldenDir() / relPath); }

std::string Closeness::describe() const {
  std::ostringstream os;
  os << "max |a-b| = " << maxAbs << ", worst ratio to tolerance = " << worstRatio << " at flat index " << worstIndex;
  return os.str();
}

Closeness compare(const torch::Tensor& actual, const torch::Tensor& expected, double atol, double rtol) {
  auto a = actual.detach().to(torch::kCPU, torch::kFloat64).contiguous().flatten();
  auto e = expected.detach().to(torch::kCPU, torch::kFloat64).contiguous().flatten();
  Closeness c;
  if (a.numel() == 0) return c;
  auto diff = (a - e).abs();
  auto ratio = diff / (atol + rtol * e.abs());
  // NaN anywhere is a failure.
  ratio = torch::where(torch::isnan(ratio), torch::full_like(ratio, INFINITY), ratio);
  c.maxAbs = diff.max().item<double>();
  auto idx = ratio.argmax().item<int64_t>();
  c.worstIndex = idx;
  c.worstRatio = ratio[idx].item<double>();
  return c;
}

nlohmann::json readJson(const std::filesystem::path& p) {
  std::ifstream in(p);
  if (!in) throw std::runtime_error(p.string() + ": cannot open");
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(p.string() + ": " + e.what());
  }
}

void reportMeasure(const char* what, const torch::Tensor& actual, const torch::Tensor& expected, double atol,
                   double rtol) {
  const auto c = compare(actual, expected, atol, rtol);
  std::printf("[measure] %s: max abs %.3g (ratio %.3g)\n", what, c.maxAbs, c.worstRatio);
}

}  // namespace newbie::test
