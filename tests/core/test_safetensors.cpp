#include <cmath>
#include <fstream>

#include "golden.h"

using namespace newbie;

TEST(Safetensors, AllDtypesRoundTripAgainstReferenceCopies) {
  auto f = io::SafetensorsFile::open(test::goldenDir() / "dtypes/all_dtypes.safetensors");
  EXPECT_EQ(f->metadata().at("format"), "pt");
  int checked = 0;
  for (const auto& t : f->tensors()) {
    const bool isFloatRef = f->contains(t.name + "_as_f64");
    const bool isIntRef = f->contains(t.name + "_as_i64");
    if (!isFloatRef && !isIntRef) continue;
    auto v = f->tensor(t.name);
    auto ref = f->tensor(t.name + (isFloatRef ? "_as_f64" : "_as_i64"));
    ASSERT_EQ(v.sizes().vec(), ref.sizes().vec()) << t.name;
    if (isFloatRef) {
      auto a = v.to(torch::kFloat64).flatten();
      auto b = ref.flatten();
      for (int64_t i = 0; i < a.numel(); ++i) {
        double x = a[i].item<double>(), y = b[i].item<double>();
        if (std::isnan(y)) EXPECT_TRUE(std::isnan(x)) << t.name << "[" << i << "]";
        else {
          EXPECT_EQ(x, y) << t.name << "[" << i << "]";
          EXPECT_EQ(std::signbit(x), std::signbit(y)) << t.name << "[" << i << "]";
        }
      }
    } else {
      EXPECT_TRUE(torch::equal(v.to(torch::kInt64), ref)) << t.name;
    }
    ++checked;
  }
  EXPECT_GE(checked, 13);
}
