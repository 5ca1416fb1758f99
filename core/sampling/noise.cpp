#include "sampling/noise.h"

#include <sstream>

#include <ATen/CPUGeneratorImpl.h>

#include "api/types.h"
#include "io/safetensors.h"

namespace newbie::sampling {

namespace {
std::string shapeStr(c10::IntArrayRef s) {
  std::ostringstream os;
  os << '[';
  for (std::size_t i = 0; i < s.size(); ++i) os << (i ? "," : "") << s[i];
  os << ']';
  return os.str();
}
}  // namespace

torch::Tensor makeNoise(uint64_t seed, const std::vector<int64_t>& shape, const torch::Device& device) {
  at::Generator gen = at::detail::createCPUGenerator(seed);
  auto n = at::randn(shape, gen, torch::TensorOptions().dtype(torch::kFloat32).device(torch::kCPU));
  return n.to(device);
}

torch::Tensor loadNoise(const std::filesystem::path& file, const std::vector<int64_t>& expectedShape,
                        const torch::Device& device) {
  io::TensorStore store;
  try {
    store = io::TensorStore::open(file);
  } catch (const std::exception& e) {
    throw InvalidParamsError("noise file " + file.string() + ": " + e.what());
  }
  if (!store.contains("noise"))
    throw InvalidParamsError("noise file " + file.string() + ": no tensor named 'noise'");
  auto t = store.tensor("noise");
  if (!t.is_floating_point())
    throw InvalidParamsError("noise file " + file.string() + ": tensor 'noise' is not floating point");
  if (!expectedShape.empty()) {
    c10::IntArrayRef want(expectedShape);
    bool ok = t.sizes() == want;
    if (!ok && t.dim() + 1 == static_cast<int64_t>(expectedShape.size()) && expectedShape[0] == 1 &&
        t.sizes() == want.slice(1)) {
      t = t.unsqueeze(0);
      ok = true;
    }
    if (!ok)
      throw InvalidParamsError("noise file " + file.string() + ": tensor 'noise' has shape " + shapeStr(t.sizes()) +
                               ", expected " + shapeStr(want));
  }
  return t.to(device, torch::kFloat32).contiguous().clone();
}

}  // namespace newbie::sampling
