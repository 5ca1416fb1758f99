// io::Uploader: CPU behaviour (zero-copy, conversion = the old `.to()` path, non-contiguous
// sources, statistics) and, on a CUDA machine, the pinned double-buffered path reproducing
// the stored bytes exactly.
#include <map>
#include <vector>

#include "golden.h"
#include "io/safetensors.h"
#include "io/upload.h"

using namespace newbie;

namespace {

/// Deterministic values with many distinct bit patterns (exactness of copies, not numerics).
torch::Tensor pattern(int64_t n, torch::ScalarType dt, int64_t salt) {
  auto i = torch::arange(n, torch::kFloat64);
  auto v = torch::sin(i * 0.7311 + static_cast<double>(salt)) * 1000.0 + i * 1e-3;
  if (dt == torch::kUInt8 || dt == torch::kInt32 || dt == torch::kInt64)
    return torch::remainder(i * 131 + static_cast<double>(salt), 251).to(dt);
  return v.to(dt);
}

std::filesystem::path writeFile(const std::map<std::string, torch::Tensor>& t, const std::string& tag) {
  const auto p = test::tempDir(tag) / "w.safetensors";
  io::saveSafetensors(p, t);
  return p;
}

}  // namespace

TEST(Upload, CpuSameDtypeIsZeroCopyViewOfTheMapping) {
  const auto p = writeFile({{"a", pattern(1000, torch::kFloat32, 1)}}, "upload_zc");
  auto store = io::TensorStore::open(p);
  auto src = store.tensor("a");
  io::Uploader up(torch::kCPU);
  auto out = up.upload(src, torch::kFloat32);
  EXPECT_EQ(out.data_ptr(), src.data_ptr());
  EXPECT_EQ(up.stats().bytes, 4000u);
  EXPECT_EQ(up.stats().tensors, 1u);
}

TEST(Upload, CpuConversionEqualsOldToPath) {
  std::map<std::string, torch::Tensor> t{{"f32", pattern(777, torch::kFloat32, 2).view({7, 111})},
                                         {"bf16", pattern(300, torch::kBFloat16, 3)},
                                         {"f16", pattern(65, torch::kFloat16, 4)}};
  auto store = io::TensorStore::open(writeFile(t, "upload_conv"));
  io::Uploader up(torch::kCPU);
  for (const auto& name : store.names())
    for (auto dt : {torch::kFloat32, torch::kBFloat16, torch::kFloat16, torch::kFloat64}) {
      auto src = store.tensor(name);
      auto got = up.upload(src, dt);
      auto old = src.to(torch::kCPU, dt);  // the loaders' previous path
      ASSERT_EQ(got.scalar_type(), dt);
      ASSERT_EQ(got.sizes(), src.sizes());
      EXPECT_TRUE(torch::equal(got, old)) << name << " -> " << c10::toString(dt);
    }
  uint64_t expect = 0;
  for (const auto& [n, v] : t) expect += 4 * static_cast<uint64_t>(v.numel()) * v.element_size();
  EXPECT_EQ(up.stats().bytes, expect);
  EXPECT_EQ(up.stats().tensors, 12u);
}

TEST(Upload, NonContiguousSourceIsHandled) {
  auto base = pattern(6 * 9, torch::kFloat32, 5).view({6, 9});
  auto src = base.t();  // [9, 6], strides (1, 9)
  ASSERT_FALSE(src.is_contiguous());
  io::Uploader up(torch::kCPU);
  auto out = up.upload(src, torch::kBFloat16);
  EXPECT_TRUE(torch::equal(out, src.contiguous().to(torch::kBFloat16)));
  auto dst = torch::empty({9, 6}, torch::kFloat32);
  up.uploadInto(src, dst);
  EXPECT_TRUE(torch::equal(dst, src));
}

TEST(Upload, UploadIntoSlicesAndShapeErrors) {
  io::Uploader up(torch::kCPU);
  auto a = pattern(12, torch::kFloat32, 6).view({3, 4}), b = pattern(8, torch::kFloat32, 7).view({2, 4});
  auto dst = torch::zeros({5, 4}, torch::kBFloat16);
  up.uploadInto(a, dst.narrow(0, 0, 3));
  up.uploadInto(b, dst.narrow(0, 3, 2));
  EXPECT_TRUE(torch::equal(dst, torch::cat({a, b}).to(torch::kBFloat16)));  // the old cat + .to() path
  try {
    up.uploadInto(a, torch::empty({4, 3}));
    FAIL() << "shape mismatch accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("[3, 4]"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("[4, 3]"), std::string::npos) << e.what();
  }
  EXPECT_THROW(io::Uploader(torch::kCPU, io::UploadOptions{1, 1 << 20, 1 << 16, 1 << 20}), std::invalid_argument);
}

TEST(Upload, TotalsAccumulateAcrossUploaders) {
  const auto before = io::uploadTotals();
  {
    io::Uploader up(torch::kCPU);
    up.upload(pattern(100, torch::kFloat32, 8), torch::kFloat32);
    up.upload(pattern(50, torch::kFloat16, 9), torch::kFloat32);
  }
  auto one = io::uploadTensor(pattern(10, torch::kFloat64, 1), torch::kCPU, torch::kFloat32);
  EXPECT_EQ(one.scalar_type(), torch::kFloat32);
  const auto after = io::uploadTotals();
  EXPECT_EQ(after.bytes - before.bytes, 400u + 100u + 80u);
  EXPECT_EQ(after.tensors - before.tensors, 3u);
  EXPECT_GE(after.seconds, before.seconds);
}

// ---- CUDA: pinned staging ring, double buffering, device-side conversion --------------------

namespace {

struct Case {
  int64_t bytes;  // source size in bytes
  torch::ScalarType from, to;
};

void checkCudaCases(const io::UploadOptions& opt, const std::vector<Case>& cases, const std::string& tag) {
  // All sources live in one mapped file (like a checkpoint); every upload is issued before
  // any result is read back, so buffer reuse across tensors is exercised.
  std::map<std::string, torch::Tensor> t;
  for (size_t i = 0; i < cases.size(); ++i) {
    const int64_t es = static_cast<int64_t>(c10::elementSize(cases[i].from));
    t["t" + std::to_string(i)] = pattern(cases[i].bytes / es, cases[i].from, static_cast<int64_t>(i));
  }
  auto store = io::TensorStore::open(writeFile(t, tag));
  const torch::Device dev(torch::kCUDA, 0);
  std::vector<torch::Tensor> got(cases.size());
  io::Uploader up(dev, opt);
  for (size_t i = 0; i < cases.size(); ++i) got[i] = up.upload(store.tensor("t" + std::to_string(i)), cases[i].to);
  // A preallocated destination in two row blocks, like NextDiT's fused qkv pieces.
  auto a = store.tensor("t0");
  auto dst = torch::full({2 * a.numel()}, 7.0, torch::TensorOptions().dtype(cases[0].to).device(dev));
  up.uploadInto(a, dst.narrow(0, a.numel(), a.numel()));
  up.uploadInto(a, dst.narrow(0, 0, a.numel()));
  up.finish();
  for (size_t i = 0; i < cases.size(); ++i) {
    auto src = store.tensor("t" + std::to_string(i));
    auto expect = src.to(dev, cases[i].to).cpu();  // the plain LibTorch path
    ASSERT_EQ(got[i].device(), dev);
    ASSERT_EQ(got[i].scalar_type(), cases[i].to);
    EXPECT_TRUE(torch::equal(got[i].cpu(), expect))
        << tag << " case " << i << ": " << cases[i].bytes << " bytes " << c10::toString(cases[i].from) << " -> "
        << c10::toString(cases[i].to);
  }
  EXPECT_TRUE(torch::equal(dst.cpu(), torch::cat({a, a}).to(cases[0].to)));
  uint64_t total = 0;
  for (const auto& c : cases) total += static_cast<uint64_t>(c.bytes);
  EXPECT_EQ(up.stats().bytes, total + 2 * static_cast<uint64_t>(cases[0].bytes));
}

}  // namespace

TEST(UploadCuda, SmallRingReproducesBytesAcrossBufferBoundaries) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  // 2 buffers of 64 KiB, 16 KiB pieces: every size below wraps the ring several times.
  io::UploadOptions o{2, 64 << 10, 16 << 10, 8 << 10};
  const int64_t B = 64 << 10;
  std::vector<Case> cases;
  for (auto [from, to] : std::vector<std::pair<torch::ScalarType, torch::ScalarType>>{
           {torch::kFloat32, torch::kFloat32}, {torch::kBFloat16, torch::kBFloat16}, {torch::kUInt8, torch::kUInt8},
           {torch::kFloat32, torch::kBFloat16}, {torch::kBFloat16, torch::kFloat32}, {torch::kFloat16, torch::kFloat32},
           {torch::kFloat32, torch::kFloat16}}) {
    const int64_t es = static_cast<int64_t>(c10::elementSize(from));
    for (int64_t bytes : {es, 3 * es, 1001 * es, B - es, B, B + es, 3 * B + 7 * es, 5 * B / 2 + 13 * es})
      cases.push_back({bytes, from, to});
  }
  checkCudaCases(o, cases, "upload_cuda_small");
}

TEST(UploadCuda, DefaultRingWithTensorsLargerThanOneBuffer) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  const int64_t MB = 1 << 20;
  std::vector<Case> cases{{150 * MB + 6, torch::kBFloat16, torch::kBFloat16},  // > 2 buffers, odd element count
                          {70 * MB + 4, torch::kFloat32, torch::kBFloat16},    // converting, > 1 buffer
                          {2, torch::kBFloat16, torch::kBFloat16},
                          {90 * MB + 2, torch::kBFloat16, torch::kFloat32},
                          {1 * MB + 1, torch::kUInt8, torch::kUInt8}};
  checkCudaCases(io::UploadOptions{}, cases, "upload_cuda_big");
}

TEST(UploadCuda, ManySmallTensorsAndImmediateUseOnTheCurrentStream) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  io::UploadOptions o{2, 64 << 10, 16 << 10, 8 << 10};
  io::Uploader up(torch::Device(torch::kCUDA, 0), o);
  for (int i = 0; i < 300; ++i) {
    auto src = pattern(100 + 37 * i, torch::kFloat32, i);
    // Used right away (no finish()): the current stream must already see the data.
    auto got = up.upload(src, i % 2 ? torch::kFloat32 : torch::kBFloat16).cpu();
    ASSERT_TRUE(torch::equal(got, src.to(got.scalar_type()))) << "tensor " << i;
  }
}
