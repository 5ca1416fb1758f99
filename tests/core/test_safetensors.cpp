#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>

#include <nlohmann/json.hpp>

#include "golden.h"

using namespace newbie;

namespace {
std::vector<uint8_t> readBytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}
}  // namespace

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

TEST(Safetensors, DtypeNamesAndSizes) {
  struct Row {
    const char* name;
    std::size_t size;
  };
  const Row rows[] = {{"F64", 8}, {"F32", 4}, {"F16", 2}, {"BF16", 2}, {"F8_E4M3", 1}, {"F8_E5M2", 1},
                      {"I64", 8}, {"I32", 4}, {"I16", 2}, {"I8", 1},   {"U8", 1},      {"BOOL", 1}};
  for (const auto& r : rows) {
    io::DType d;
    ASSERT_TRUE(io::parseDType(r.name, d)) << r.name;
    EXPECT_STREQ(io::dtypeName(d), r.name);
    EXPECT_EQ(io::dtypeSize(d), r.size) << r.name;
  }
  io::DType d;
  EXPECT_FALSE(io::parseDType("F32 ", d));
  EXPECT_FALSE(io::parseDType("f32", d));
  EXPECT_FALSE(io::parseDType("U16", d));
}

TEST(Safetensors, ReadsGoldenValuesAndShapesExactly) {
  auto f = io::SafetensorsFile::open(test::goldenDir() / "dtypes/all_dtypes.safetensors");
  // Values from golden README §8.
  auto scalar = f->tensor("scalar_f32");
  EXPECT_EQ(scalar.dim(), 0);
  EXPECT_EQ(scalar.item<float>(), 3.25f);
  EXPECT_EQ(f->tensor("scalar_i64").item<int64_t>(), 13);
  auto empty = f->tensor("empty_f32");
  EXPECT_EQ(empty.sizes().vec(), (std::vector<int64_t>{0, 3}));
  EXPECT_EQ(f->find("empty_f32")->begin, f->find("empty_f32")->end);
  auto nc = f->tensor("noncontig_f32");
  auto src = f->tensor("noncontig_source_f32");
  EXPECT_TRUE(torch::equal(nc, src.t().contiguous()));
  auto i64 = f->tensor("i64");
  EXPECT_EQ(i64[3].item<int64_t>(), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(i64[4].item<int64_t>(), std::numeric_limits<int64_t>::min());
  auto u8 = f->tensor("u8");
  EXPECT_EQ(u8[4].item<int64_t>(), 255);
  auto b = f->tensor("bool");
  EXPECT_EQ(b.scalar_type(), torch::kBool);
  EXPECT_EQ(b.to(torch::kInt64).sum().item<int64_t>(), 4);
  EXPECT_EQ(f->tensor("bf16").scalar_type(), torch::kBFloat16);
  EXPECT_EQ(f->tensor("f16").scalar_type(), torch::kFloat16);
  // F8: either a native float8 view (LibTorch >= 2.1) or a float32 decode.
  auto e4 = f->tensor("f8_e4m3").to(torch::kFloat32);
  EXPECT_EQ(e4[7].item<float>(), 448.0f);
  EXPECT_EQ(e4[5].item<float>(), 0.001953125f);  // min subnormal 2^-9
  EXPECT_TRUE(std::isnan(e4[9].item<float>()));
  auto e5 = f->tensor("f8_e5m2").to(torch::kFloat32).flatten();
  EXPECT_EQ(e5[7].item<float>(), 57344.0f);
  EXPECT_EQ(e5[5].item<float>(), 1.52587890625e-05f);  // min subnormal 2^-16
  EXPECT_TRUE(std::isinf(e5[8].item<float>()));
  EXPECT_EQ(f->metadata().size(), 4u);
}

TEST(Safetensors, F8DecodersCoverEveryBitPattern) {
  // Exhaustive check of the software decoders against a bit-level re-derivation.
  for (int v = 0; v < 256; ++v) {
    const float a = io::decodeF8E4M3(static_cast<uint8_t>(v));
    const int s = v >> 7, e = (v >> 3) & 15, m = v & 7;
    if (e == 15 && m == 7) {
      EXPECT_TRUE(std::isnan(a)) << v;
      continue;
    }
    double ref = e == 0 ? m / 8.0 * std::pow(2.0, -6) : (1 + m / 8.0) * std::pow(2.0, e - 7);
    EXPECT_EQ(a, static_cast<float>(s ? -ref : ref)) << v;
  }
  for (int v = 0; v < 256; ++v) {
    const float a = io::decodeF8E5M2(static_cast<uint8_t>(v));
    const int s = v >> 7, e = (v >> 2) & 31, m = v & 3;
    if (e == 31) {
      if (m) EXPECT_TRUE(std::isnan(a)) << v;
      else EXPECT_EQ(a, s ? -INFINITY : INFINITY) << v;
      continue;
    }
    double ref = e == 0 ? m / 4.0 * std::pow(2.0, -14) : (1 + m / 4.0) * std::pow(2.0, e - 15);
    EXPECT_EQ(a, static_cast<float>(s ? -ref : ref)) << v;
  }
}

TEST(Safetensors, ShardedSetMatchesExpectedChecksums) {
  const auto dir = test::goldenDir() / "dtypes";
  auto store = io::TensorStore::open(dir / "sharded/model.safetensors.index.json");
  std::ifstream in(dir / "sharded_expected.json");
  ASSERT_TRUE(in.good());
  auto expected = nlohmann::json::parse(in)["tensors"];
  EXPECT_EQ(store.files().size(), 2u);
  ASSERT_EQ(store.size(), expected.size());
  EXPECT_EQ(store.size(), 51u);
  const std::map<std::string, torch::ScalarType> dtypes = {
      {"bfloat16", torch::kBFloat16}, {"float32", torch::kFloat32}, {"float16", torch::kFloat16}};
  int64_t elements = 0;
  for (auto it = expected.begin(); it != expected.end(); ++it) {
    const std::string& name = it.key();
    const auto& e = it.value();
    ASSERT_TRUE(store.contains(name)) << name;
    EXPECT_EQ(store.fileOf(name).path().filename().string(), e["file"].get<std::string>()) << name;
    auto t = store.tensor(name);
    EXPECT_EQ(t.scalar_type(), dtypes.at(e["dtype"].get<std::string>())) << name;
    EXPECT_EQ(t.sizes().vec(), e["shape"].get<std::vector<int64_t>>()) << name;
    auto d = t.to(torch::kFloat64).flatten();
    const double absSum = e["abs_sum"].get<double>();
    EXPECT_NEAR(d.sum().item<double>(), e["sum"].get<double>(), 1e-12 * (1 + absSum)) << name;
    EXPECT_NEAR(d.abs().sum().item<double>(), absSum, 1e-12 * (1 + absSum)) << name;
    auto first = e["first"].get<std::vector<double>>();
    for (std::size_t i = 0; i < first.size(); ++i) EXPECT_EQ(d[static_cast<int64_t>(i)].item<double>(), first[i]) << name;
    elements += t.numel();
  }
  EXPECT_EQ(store.totalElements(), elements);
  EXPECT_EQ(store.totalElements(), 18336);  // index metadata total_parameters
}

TEST(Safetensors, ZeroCopyViewsLiveInTheMapping) {
  const auto src = test::goldenDir() / "dtypes/all_dtypes.safetensors";
  // Work on a private copy so that the file-unchanged check cannot race other tests.
  const auto path = test::tempDir("zerocopy") / "copy.safetensors";
  std::filesystem::copy_file(src, path);
  const auto before = readBytes(path);
  torch::Tensor view;
  {
    auto f = io::SafetensorsFile::open(path);
    const io::TensorInfo* info = f->find("f32");
    ASSERT_NE(info, nullptr);
    view = f->tensor("f32");
    EXPECT_EQ(static_cast<const void*>(view.data_ptr()), static_cast<const void*>(f->rawData(*info)));
    // The view lies inside the mapping of the file.
    auto* p = static_cast<const uint8_t*>(view.data_ptr());
    EXPECT_GE(p, f->mappedBytes());
    EXPECT_LE(p + view.nbytes(), f->mappedBytes() + f->fileSize());
    // Two views of the same tensor share memory.
    EXPECT_EQ(f->tensor("f32").data_ptr(), view.data_ptr());
  }  // file object dropped here; the view keeps the mapping alive
  EXPECT_EQ(view[0][2].item<float>(), 1.0f);
  EXPECT_EQ(view[0][3].item<float>(), -2.5f);
  view.fill_(42.0f);  // copy-on-write: the file must not change
  EXPECT_EQ(view[1][5].item<float>(), 42.0f);
  EXPECT_EQ(readBytes(path), before);
  auto again = io::SafetensorsFile::open(path)->tensor("f32");
  EXPECT_EQ(again[0][2].item<float>(), 1.0f);
  // Moving to another dtype copies.
  auto f64 = view.to(torch::kFloat64);
  EXPECT_NE(f64.data_ptr(), view.data_ptr());
}

TEST(Safetensors, SaveRoundTripsEveryDtypeAndMetadata) {
  auto ref = io::SafetensorsFile::open(test::goldenDir() / "dtypes/all_dtypes.safetensors");
  std::map<std::string, torch::Tensor> tensors;
  c10::ScalarType st;
  for (const auto& t : ref->tensors())
    if (io::torchDType(t.dtype, st)) tensors[t.name] = ref->tensor(t.name);
  tensors["noncontig_view"] = ref->tensor("noncontig_source_f32").t();  // saved contiguous
  const std::map<std::string, std::string> meta = {{"format", "pt"}, {"k", "v with \"quotes\" and ünïcode"}};
  const auto path = test::tempDir("save") / "rt.safetensors";
  io::saveSafetensors(path, tensors, meta);
  auto back = io::SafetensorsFile::open(path);
  EXPECT_EQ(back->metadata(), meta);
  EXPECT_EQ(back->tensors().size(), tensors.size());
  EXPECT_EQ((back->find(back->tensors().front().name)->begin), 0u);
  // The header is padded to a multiple of 8, so every view is aligned and zero-copy.
  EXPECT_EQ(back->headerLength() % 8, 0u);
  for (const auto& [name, t] : tensors) {
    auto b = back->tensor(name);
    ASSERT_EQ(b.scalar_type(), t.scalar_type()) << name;
    ASSERT_EQ(b.sizes().vec(), t.sizes().vec()) << name;
    // Bytewise equality (NaN-safe).
    auto tc = t.contiguous();
    ASSERT_EQ(b.nbytes(), tc.nbytes()) << name;
    EXPECT_EQ(std::memcmp(b.data_ptr(), tc.data_ptr(), tc.nbytes()), 0) << name;
  }
  EXPECT_TRUE(torch::equal(back->tensor("noncontig_view"), ref->tensor("noncontig_f32")));
  // Overwriting an existing file works (written through a temporary, then renamed).
  io::saveSafetensors(path, {{"only", torch::arange(5, torch::kInt32)}});
  auto again = io::SafetensorsFile::open(path);
  EXPECT_EQ(again->tensors().size(), 1u);
  EXPECT_TRUE(again->metadata().empty());
  EXPECT_EQ(again->tensor("only")[4].item<int>(), 4);
  EXPECT_FALSE(std::filesystem::exists(path.string() + ".tmp"));
}

TEST(Safetensors, TensorStoreOpenFilesRejectsDuplicatesAcrossFiles) {
  const auto dir = test::tempDir("dups");
  io::saveSafetensors(dir / "a.safetensors", {{"x", torch::zeros({2})}, {"y", torch::ones({1})}});
  io::saveSafetensors(dir / "b.safetensors", {{"x", torch::zeros({3})}});
  io::saveSafetensors(dir / "c.safetensors", {{"z", torch::zeros({3})}});
  try {
    io::TensorStore::openFiles({dir / "a.safetensors", dir / "b.safetensors"});
    FAIL() << "expected an error";
  } catch (const io::SafetensorsError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("'x'"), std::string::npos) << m;
    EXPECT_NE(m.find("a.safetensors"), std::string::npos) << m;
    EXPECT_NE(m.find("b.safetensors"), std::string::npos) << m;
  }
  auto s = io::TensorStore::openFiles({dir / "a.safetensors", dir / "c.safetensors"});
  EXPECT_EQ(s.names(), (std::vector<std::string>{"x", "y", "z"}));
  EXPECT_EQ(s.totalElements(), 6);
  EXPECT_THROW(s.tensor("nope"), io::SafetensorsError);
}
