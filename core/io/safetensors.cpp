#include "io/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>

#include <nlohmann/json.hpp>

#include "log/log.h"
#include "torch_compat.h"

namespace fs = std::filesystem;

namespace newbie::io {

void refusePickle(const fs::path& p) {
  std::string ext = p.extension().string();
  for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == ".ckpt" || ext == ".pt" || ext == ".pth" || ext == ".bin" || ext == ".pkl" || ext == ".pickle")
    throw SafetensorsError(p.string() +
                           ": pickle checkpoints are never loaded (they can run arbitrary code). "
                           "Use the .safetensors version of this file.");
}

bool torchDType(DType d, c10::ScalarType& out) {
  switch (d) {
    case DType::F64: out = torch::kFloat64; return true;
    case DType::F32: out = torch::kFloat32; return true;
    case DType::F16: out = torch::kFloat16; return true;
    case DType::BF16: out = torch::kBFloat16; return true;
    case DType::I64: out = torch::kInt64; return true;
    case DType::I32: out = torch::kInt32; return true;
    case DType::I16: out = torch::kInt16; return true;
    case DType::I8: out = torch::kInt8; return true;
    case DType::U8: out = torch::kUInt8; return true;
    case DType::BOOL: out = torch::kBool; return true;
#if NEWBIE_TORCH_HAS_FP8
    case DType::F8_E4M3: out = at::ScalarType::Float8_e4m3fn; return true;
    case DType::F8_E5M2: out = at::ScalarType::Float8_e5m2; return true;
#else
    case DType::F8_E4M3:
    case DType::F8_E5M2: return false;
#endif
  }
  return false;
}

std::string shapeString(c10::IntArrayRef shape) {
  std::string r = "[";
  for (size_t i = 0; i < shape.size(); ++i) r += (i ? ", " : "") + std::to_string(shape[i]);
  return r + "]";
}

float decodeF8E4M3(uint8_t v) {
  const int sign = v >> 7, exp = (v >> 3) & 0xF, man = v & 0x7;
  float r;
  if (exp == 0xF && man == 0x7) return std::nanf("");
  if (exp == 0) r = std::ldexp(static_cast<float>(man), -9);  // subnormal: man/8 * 2^-6
  else r = std::ldexp(1.0f + man / 8.0f, exp - 7);
  return sign ? -r : r;
}

float decodeF8E5M2(uint8_t v) {
  const int sign = v >> 7, exp = (v >> 2) & 0x1F, man = v & 0x3;
  float r;
  if (exp == 0x1F) r = man ? std::nanf("") : INFINITY;
  else if (exp == 0) r = std::ldexp(static_cast<float>(man), -16);  // man/4 * 2^-14
  else r = std::ldexp(1.0f + man / 4.0f, exp - 15);
  return sign ? -r : r;
}

std::shared_ptr<const SafetensorsFile> SafetensorsFile::open(const fs::path& path) {
  refusePickle(path);
  const std::string label = path.string();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw SafetensorsError(label + ": cannot open: " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    throw SafetensorsError(label + ": cannot stat: " + std::strerror(e));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    throw SafetensorsError(label + ": not a regular file");
  }
  const auto size = static_cast<uint64_t>(st.st_size);
  std::shared_ptr<SafetensorsFile> f(new SafetensorsFile());
  f->path_ = path;
  f->size_ = size;
  if (size > 0) {
    void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    int e = errno;
    ::close(fd);
    if (p == MAP_FAILED) throw SafetensorsError(label + ": mmap failed: " + std::strerror(e));
    f->mapping_ = std::shared_ptr<void>(p, [size](void* q) { ::munmap(q, size); });
    f->base_ = static_cast<const uint8_t*>(p);
  } else {
    ::close(fd);
  }
  static const uint8_t kEmpty[1] = {0};
  f->header_ = parseSafetensorsHeader(f->base_ ? f->base_ : kEmpty, size, label);
  for (std::size_t i = 0; i < f->header_.tensors.size(); ++i) f->index_[f->header_.tensors[i].name] = i;
  newbie::log::debug("safetensors: {} ({} tensors, {} bytes)", label, f->header_.tensors.size(), size);
  return f;
}

SafetensorsFile::~SafetensorsFile() = default;

const TensorInfo* SafetensorsFile::find(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &header_.tensors[it->second];
}

const uint8_t* SafetensorsFile::rawData(const TensorInfo& t) const { return base_ + header_.dataOffset + t.begin; }

torch::Tensor SafetensorsFile::tensor(const std::string& name) const {
  const TensorInfo* t = find(name);
  if (!t) throw SafetensorsError(path_.string() + ": no tensor named '" + name + "'");
  const uint8_t* data = rawData(*t);
  c10::ScalarType st;
  if (!torchDType(t->dtype, st)) {
    // float8 on a LibTorch without float8 types: decode into a float32 copy.
    auto out = torch::empty(t->shape, torch::kFloat32);
    float* o = out.data_ptr<float>();
    const int64_t n = t->numel();
    for (int64_t i = 0; i < n; ++i)
      o[i] = t->dtype == DType::F8_E4M3 ? decodeF8E4M3(data[i]) : decodeF8E5M2(data[i]);
    return out;
  }
  if (t->numel() == 0) return torch::empty(t->shape, torch::TensorOptions().dtype(st));
  if (reinterpret_cast<uintptr_t>(data) % dtypeSize(t->dtype) != 0) {
    // Misaligned data (a header length that is not a multiple of 8, written by a
    // non-standard tool): element access would be undefined, so copy into aligned memory.
    newbie::log::debug("safetensors: {}: tensor '{}' is misaligned; copying", path_.string(), name);
    auto out = torch::empty(t->shape, torch::TensorOptions().dtype(st));
    std::memcpy(out.data_ptr(), data, static_cast<std::size_t>(t->end - t->begin));
    return out;
  }
  auto keep = mapping_;
  return torch::from_blob(const_cast<uint8_t*>(data), t->shape, [keep](void*) mutable { keep.reset(); },
                          torch::TensorOptions().dtype(st));
}

// ---------------------------------------------------------------------------------------

void TensorStore::add(std::shared_ptr<const SafetensorsFile> f) {
  const std::size_t idx = files_.size();
  for (const auto& t : f->tensors()) {
    auto [it, inserted] = where_.emplace(t.name, idx);
    if (!inserted)
      throw SafetensorsError(f->path().string() + ": tensor '" + t.name + "' also appears in " +
                             files_[it->second]->path().string());
  }
  files_.push_back(std::move(f));
}

TensorStore TensorStore::open(const fs::path& path) {
  TensorStore s;
  const std::string fname = path.filename().string();
  const std::string suffix = ".index.json";
  if (fname.size() > suffix.size() && fname.compare(fname.size() - suffix.size(), suffix.size(), suffix) == 0) {
    std::ifstream in(path);
    if (!in) throw SafetensorsError(path.string() + ": cannot open index");
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
      throw SafetensorsError(path.string() + ": index is not valid JSON: " + e.what());
    }
    if (!j.is_object() || !j.contains("weight_map") || !j["weight_map"].is_object())
      throw SafetensorsError(path.string() + ": index has no 'weight_map' object");
    std::map<std::string, std::vector<std::string>> byShard;
    for (auto it = j["weight_map"].begin(); it != j["weight_map"].end(); ++it) {
      if (!it.value().is_string())
        throw SafetensorsError(path.string() + ": weight_map entry '" + it.key() + "' is not a file name");
      byShard[it.value().get<std::string>()].push_back(it.key());
    }
    for (const auto& [shard, names] : byShard) {
      const fs::path sp = path.parent_path() / shard;
      if (!fs::exists(sp))
        throw SafetensorsError(path.string() + ": shard '" + shard + "' listed in the index is missing (expected at " +
                               sp.string() + ")");
      auto f = SafetensorsFile::open(sp);
      for (const auto& n : names)
        if (!f->contains(n))
          throw SafetensorsError(sp.string() + ": tensor '" + n + "' is listed in " + path.filename().string() +
                                 " but not present in the shard");
      s.add(std::move(f));
    }
    return s;
  }
  s.add(SafetensorsFile::open(path));
  return s;
}

TensorStore TensorStore::openFiles(const std::vector<fs::path>& files) {
  TensorStore s;
  for (const auto& p : files) {
    TensorStore one = open(p);
    for (auto& f : one.files_) s.add(f);
  }
  return s;
}

std::vector<std::string> TensorStore::names() const {
  std::vector<std::string> out;
  out.reserve(where_.size());
  for (const auto& [n, _] : where_) out.push_back(n);
  return out;
}

const SafetensorsFile& TensorStore::fileOf(const std::string& name) const {
  auto it = where_.find(name);
  if (it == where_.end()) throw SafetensorsError("no tensor named '" + name + "' in " + std::to_string(files_.size()) + " file(s)" +
                                                 (files_.empty() ? std::string() : " (first: " + files_[0]->path().string() + ")"));
  return *files_[it->second];
}

const TensorInfo& TensorStore::info(const std::string& name) const { return *fileOf(name).find(name); }

torch::Tensor TensorStore::tensor(const std::string& name) const { return fileOf(name).tensor(name); }

int64_t TensorStore::totalElements() const {
  int64_t n = 0;
  for (const auto& f : files_)
    for (const auto& t : f->tensors()) n += t.numel();
  return n;
}

// ---------------------------------------------------------------------------------------

namespace {
DType fromTorch(c10::ScalarType st, const std::string& name) {
  switch (st) {
    case torch::kFloat64: return DType::F64;
    case torch::kFloat32: return DType::F32;
    case torch::kFloat16: return DType::F16;
    case torch::kBFloat16: return DType::BF16;
    case torch::kInt64: return DType::I64;
    case torch::kInt32: return DType::I32;
    case torch::kInt16: return DType::I16;
    case torch::kInt8: return DType::I8;
    case torch::kUInt8: return DType::U8;
    case torch::kBool: return DType::BOOL;
#if NEWBIE_TORCH_HAS_FP8
    case at::ScalarType::Float8_e4m3fn: return DType::F8_E4M3;
    case at::ScalarType::Float8_e5m2: return DType::F8_E5M2;
#endif
    default: break;
  }
  throw SafetensorsError("cannot save tensor '" + name + "': unsupported dtype " + std::string(c10::toString(st)));
}
}  // namespace

void saveSafetensors(const fs::path& path, const std::map<std::string, torch::Tensor>& tensors,
                     const std::map<std::string, std::string>& metadata) {
  // The header needs only shapes and dtypes; the data is then streamed one tensor at a time
  // (each copied to a contiguous CPU tensor just before it is written), so saving device
  // tensors never holds more than one of them in host memory.
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    const DType d = fromTorch(t.scalar_type(), name);
    const uint64_t nbytes = static_cast<uint64_t>(t.numel()) * dtypeSize(d);
    header[name] = {{"dtype", dtypeName(d)}, {"shape", t.sizes().vec()}, {"data_offsets", {offset, offset + nbytes}}};
    offset += nbytes;
  }
  std::string h = header.dump();
  while ((h.size() % 8) != 0) h.push_back(' ');
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw SafetensorsError(tmp.string() + ": cannot open for writing");
    uint64_t n = h.size();
    uint8_t len[8];
    for (int i = 0; i < 8; ++i) len[i] = static_cast<uint8_t>(n >> (8 * i));
    out.write(reinterpret_cast<const char*>(len), 8);
    out.write(h.data(), static_cast<std::streamsize>(h.size()));
    for (const auto& [name, t] : tensors) {
      const auto c = t.detach().to(torch::kCPU).contiguous();
      out.write(static_cast<const char*>(c.data_ptr()), static_cast<std::streamsize>(c.numel() * c.element_size()));
    }
    if (!out) throw SafetensorsError(tmp.string() + ": write failed (disk full?)");
  }
  fs::rename(tmp, path);
}

}  // namespace newbie::io
