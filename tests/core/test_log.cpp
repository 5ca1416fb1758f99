#include <gtest/gtest.h>

#include <mutex>
#include <vector>

#include "log/log.h"

using namespace newbie;

TEST(Log, FormatsPlaceholdersAndPrecision) {
  EXPECT_EQ(log::format("{} of {} ({:.1f}%)", 3, 4, 75.0), "3 of 4 (75.0%)");
  EXPECT_EQ(log::format("no args"), "no args");
  EXPECT_EQ(log::format("{{literal}} {}", std::string("x")), "{literal} x");
  EXPECT_EQ(log::format("{:.3e}", 0.000123456), "1.235e-04");
  EXPECT_EQ(log::format("{} {}", true, 'c'), "true c");
  // Fewer placeholders than arguments: extra arguments are dropped, text kept.
  EXPECT_EQ(log::format("a {} b", 1, 2), "a 1 b");
}

TEST(Log, CallbackSinkReceivesMessagesAtOrAboveLevel) {
  std::vector<std::pair<log::Level, std::string>> got;
  std::mutex mu;
  log::clearSinks();
  log::addCallbackSink([&](log::Level l, const std::string& m) {
    std::lock_guard<std::mutex> g(mu);
    got.emplace_back(l, m);
  });
  log::setLevel(log::Level::Info);
  log::debug("hidden {}", 1);
  log::info("shown {}", 2);
  log::error("bad tensor '{}'", "x.weight");
  log::clearSinks();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].first, log::Level::Info);
  EXPECT_EQ(got[0].second, "shown 2");
  EXPECT_EQ(got[1].first, log::Level::Error);
  EXPECT_EQ(got[1].second, "bad tensor 'x.weight'");
  EXPECT_EQ(log::parseLevel("WARNING"), log::Level::Warn);
  EXPECT_STREQ(log::levelName(log::Level::Debug), "debug");
}
