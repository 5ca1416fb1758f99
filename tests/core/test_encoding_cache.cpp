#include <gtest/gtest.h>

#include "encoding_cache.h"

using namespace newbie;

TEST(EncodingCache, KeyDependsOnEveryInput) {
  const auto base = EncodingCache::makeKey({2, 5, 7}, {0, 9, 2}, "m", "fp32", "cpu");
  EXPECT_NE(base, EncodingCache::makeKey({2, 5, 8}, {0, 9, 2}, "m", "fp32", "cpu"));
  EXPECT_NE(base, EncodingCache::makeKey({2, 5, 7}, {0, 9, 3}, "m", "fp32", "cpu"));
  EXPECT_NE(base, EncodingCache::makeKey({2, 5, 7}, {0, 9, 2}, "m2", "fp32", "cpu"));
  EXPECT_NE(base, EncodingCache::makeKey({2, 5, 7}, {0, 9, 2}, "m", "bf16", "cpu"));
  EXPECT_NE(base, EncodingCache::makeKey({2, 5, 7}, {0, 9, 2}, "m", "fp32", "cuda"));
  // Concatenation ambiguity: [25] vs [2,5] must differ.
  EXPECT_NE(EncodingCache::makeKey({25}, {}, "m", "fp32", "cpu"), EncodingCache::makeKey({2, 5}, {}, "m", "fp32", "cpu"));
  EXPECT_EQ(base, EncodingCache::makeKey({2, 5, 7}, {0, 9, 2}, "m", "fp32", "cpu"));
}

TEST(EncodingCache, LruEvictsLeastRecentlyUsedAndCountsHits) {
  EncodingCache c(2);
  auto val = [](float v) { return EncodedText{torch::full({1, 1, 1}, v), torch::full({1, 1}, v)}; };
  c.put("a", val(1));
  c.put("b", val(2));
  ASSERT_TRUE(c.get("a").has_value());  // a is now most recent
  c.put("c", val(3));                   // evicts b
  EXPECT_FALSE(c.get("b").has_value());
  auto a = c.get("a");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->capFeats.item<float>(), 1.0f);
  EXPECT_EQ(c.get("c")->pooled.item<float>(), 3.0f);
  EXPECT_EQ(c.size(), 2u);
  EXPECT_EQ(c.hits(), 3u);
  EXPECT_EQ(c.misses(), 1u);
  c.setCapacity(1);
  EXPECT_EQ(c.size(), 1u);
  EXPECT_TRUE(c.get("c").has_value());
  c.clear();
  EXPECT_EQ(c.size(), 0u);
}
