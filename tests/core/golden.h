#pragma once
// Shared helpers for the golden tests: where the golden set is, and tolerance checks
// that report the worst element (value, position) instead of a bare "false".
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "io/safetensors.h"

namespace newbie::test {

/// ../shared/golden (or $NEWBIE_GOLDEN_DIR). Missing folder = test failure, never a skip.
std::filesystem::path goldenDir();
/// tests/data in the source tree.
std::filesystem::path testDataDir();
/// A fresh empty temporary folder, removed at process exit.
std::filesystem::path tempDir(const std::string& tag);

/// Recursive delete that does not go through std::filesystem::remove_all (see golden.cpp).
void removeTree(const std::filesystem::path& p);

/// Loads a golden safetensors file relative to goldenDir().
io::TensorStore golden(const std::string& relPath);

struct Closeness {
  double maxAbs = 0;      ///< largest |a-b|
  double worstRatio = 0;  ///< largest |a-b| / (atol + rtol*|b|); <= 1 passes
  int64_t worstIndex = -1;
  std::string describe() const;
};
/// Elementwise |a-b| <= atol + rtol*|b| (b = reference), in float64. Shapes must match.
Closeness compare(const torch::Tensor& actual, const torch::Tensor& expected, double atol, double rtol);

/// Parses a JSON file; throws std::runtime_error naming the file when it is missing or malformed.
nlohmann::json readJson(const std::filesystem::path& p);

/// Prints "[measure] what: max abs ... (ratio ...)" for the tolerance (atol, rtol): the measured
/// numbers the closing notes quote.
void reportMeasure(const char* what, const torch::Tensor& actual, const torch::Tensor& expected, double atol,
                   double rtol);

}  // namespace newbie::test

/// EXPECT that `actual` matches `expected` within (atol, rtol); prints the worst element.
#define EXPECT_CLOSE(actual, expected, atol, rtol)                                                  \
  do {                                                                                              \
    auto _a = (actual);                                                                             \
    auto _e = (expected);                                                                           \
    ASSERT_EQ(_a.sizes().vec(), _e.sizes().vec()) << "shape mismatch for " #actual;                 \
    auto _c = ::newbie::test::compare(_a, _e, (atol), (rtol));                                      \
    EXPECT_LE(_c.worstRatio, 1.0) << #actual " vs " #expected ": " << _c.describe();                \
    ::testing::Test::RecordProperty(std::string("max_abs_") + #actual, std::to_string(_c.maxAbs));                  \
  } while (0)
