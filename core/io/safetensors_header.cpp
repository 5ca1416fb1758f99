#include "io/safetensors_header.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <set>

#include <nlohmann/json.hpp>

namespace newbie::io {

namespace {
struct DTypeRow {
  DType d;
  const char* name;
  std::size_t size;
};
constexpr DTypeRow kDTypes[] = {
    {DType::F64, "F64", 8},         {DType::F32, "F32", 4},         {DType::F16, "F16", 2},
    {DType::BF16, "BF16", 2},       {DType::F8_E4M3, "F8_E4M3", 1}, {DType::F8_E5M2, "F8_E5M2", 1},
    {DType::I64, "I64", 8},         {DType::I32, "I32", 4},         {DType::I16, "I16", 2},
    {DType::I8, "I8", 1},           {DType::U8, "U8", 1},           {DType::BOOL, "BOOL", 1},
};

[[noreturn]] void fail(const std::string& label, const std::string& what) {
  throw SafetensorsError(label + ": " + what);
}
[[noreturn]] void failTensor(const std::string& label, const std::string& tensor, const std::string& what) {
  throw SafetensorsError(label + ": tensor '" + tensor + "': " + what);
}
}  // namespace

const char* dtypeName(DType d) {
  for (const auto& r : kDTypes)
    if (r.d == d) return r.name;
  return "?";
}

std::size_t dtypeSize(DType d) {
  for (const auto& r : kDTypes)
    if (r.d == d) return r.size;
  return 0;
}

bool parseDType(const std::string& s, DType& out) {
  for (const auto& r : kDTypes)
    if (s == r.name) {
      out = r.d;
      return true;
    }
  return false;
}

int64_t TensorInfo::numel() const {
  // A zero dimension wins even when the other dimensions are huge (no intermediate overflow).
  for (auto s : shape)
    if (s == 0) return 0;
  int64_t n = 1;
  for (auto s : shape) n *= s;  // parseSafetensorsHeader guarantees the product fits in int64
  return n;
}

SafetensorsHeader parseSafetensorsHeader(const uint8_t* bytes, std::size_t size, const std::string& label) {
  if (size < 8) fail(label, "file is " + std::to_string(size) + " bytes, too short for a safetensors header (needs at least 8)");
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | bytes[i];
  if (n > kMaxHeaderBytes)
    fail(label, "header length " + std::to_string(n) + " bytes is over the 100 MB limit (corrupt or not a safetensors file)");
  if (n > size - 8)
    fail(label, "header length " + std::to_string(n) + " bytes is larger than the file (" + std::to_string(size) +
                    " bytes): file truncated or not a safetensors file");

  SafetensorsHeader h;
  h.headerLength = n;
  h.dataOffset = 8 + n;
  const uint64_t dataSize = size - h.dataOffset;
  const char* text = reinterpret_cast<const char*>(bytes + 8);

  // Detect duplicate top-level keys: nlohmann would silently keep the last one.
  std::set<std::string> seen;
  std::string duplicate;
  auto cb = [&](int depth, nlohmann::json::parse_event_t ev, nlohmann::json& parsed) {
    if (ev == nlohmann::json::parse_event_t::key && depth == 1) {
      const std::string k = parsed.get<std::string>();
      if (!seen.insert(k).second && duplicate.empty()) duplicate = k;
    }
    return true;
  };
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text, text + n, cb);
  } catch (const nlohmann::json::exception& e) {
    fail(label, std::string("header is not valid JSON: ") + e.what());
  }
  if (!duplicate.empty()) failTensor(label, duplicate, "name appears more than once in the header");
  if (!j.is_object()) fail(label, "header JSON is not an object");

  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& name = it.key();
    const auto& v = it.value();
    if (name == "__metadata__") {
      if (!v.is_object()) fail(label, "__metadata__ is not an object");
      for (auto m = v.begin(); m != v.end(); ++m) {
        if (!m.value().is_string()) fail(label, "__metadata__ value for '" + m.key() + "' is not a string");
        h.metadata[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    if (!v.is_object()) failTensor(label, name, "entry is not an object");
    TensorInfo t;
    t.name = name;
    auto dt = v.find("dtype");
    if (dt == v.end() || !dt->is_string()) failTensor(label, name, "missing or non-string 'dtype'");
    if (!parseDType(dt->get<std::string>(), t.dtype))
      failTensor(label, name, "unknown dtype '" + dt->get<std::string>() + "'");
    auto sh = v.find("shape");
    if (sh == v.end() || !sh->is_array()) failTensor(label, name, "missing or non-array 'shape'");
    // The element count (product of the non-zero dimensions) must fit in int64 so that
    // numel() and LibTorch's size arithmetic never overflow; the byte size then fits in 2^66.
    unsigned __int128 elems = 1;
    bool zeroDim = false;
    for (const auto& d : *sh) {
      if (!d.is_number_unsigned())
        failTensor(label, name, "shape entry " + d.dump() + " is not a non-negative integer");
      const uint64_t dim = d.get<uint64_t>();
      if (dim == 0) {
        zeroDim = true;
      } else {
        elems *= dim;
        if (elems > static_cast<unsigned __int128>(std::numeric_limits<int64_t>::max()))
          failTensor(label, name, "shape " + sh->dump() + " has more elements than fit in 64 bits");
      }
      t.shape.push_back(static_cast<int64_t>(dim));
    }
    if (zeroDim) elems = 0;
    const unsigned __int128 bytesNeeded = elems * dtypeSize(t.dtype);
    auto off = v.find("data_offsets");
    if (off == v.end() || !off->is_array() || off->size() != 2 || !(*off)[0].is_number_unsigned() ||
        !(*off)[1].is_number_unsigned())
      failTensor(label, name, "'data_offsets' must be two non-negative integers");
    t.begin = (*off)[0].get<uint64_t>();
    t.end = (*off)[1].get<uint64_t>();
    if (t.begin > t.end)
      failTensor(label, name, "data_offsets [" + std::to_string(t.begin) + ", " + std::to_string(t.end) +
                                  "] are reversed (begin after end)");
    if (t.end > dataSize)
      failTensor(label, name, "data_offsets end " + std::to_string(t.end) + " is outside the data section (" +
                                  std::to_string(dataSize) + " bytes): file truncated?");
    if (bytesNeeded != static_cast<unsigned __int128>(t.end - t.begin))
      failTensor(label, name, std::string("shape ") + sh->dump() + " x " + dtypeName(t.dtype) + " needs " +
                                  std::to_string(static_cast<uint64_t>(bytesNeeded)) + " bytes but data_offsets span " +
                                  std::to_string(t.end - t.begin));
    h.tensors.push_back(std::move(t));
  }

  std::sort(h.tensors.begin(), h.tensors.end(), [](const TensorInfo& a, const TensorInfo& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  for (std::size_t i = 1; i < h.tensors.size(); ++i) {
    const auto& prev = h.tensors[i - 1];
    const auto& cur = h.tensors[i];
    if (cur.begin < prev.end)
      failTensor(label, cur.name, "byte range [" + std::to_string(cur.begin) + ", " + std::to_string(cur.end) +
                                      ") overlaps tensor '" + prev.name + "' [" + std::to_string(prev.begin) + ", " +
                                      std::to_string(prev.end) + ")");
  }
  return h;
}

}  // namespace newbie::io
