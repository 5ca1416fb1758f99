// libFuzzer target for the safetensors header parser (built only with
// -DNEWBIE_BUILD_FUZZERS=ON and clang; see docs/BUILDING.md).
//
// Each input is tried twice:
//  1. as a whole file image (covers the length prefix, truncation, garbage);
//  2. as the JSON header alone, wrapped into a well-formed image: an 8-byte length prefix,
//     the input, then a zero-filled data section as large as the largest `data_offsets`
//     end found in the input (capped), minus one byte when the input's last byte is odd so
//     that the "outside the data section" path is reached too. This lets mutations of real
//     headers (the seed corpus) reach the per-tensor checks instead of dying at the length.
//
// The only accepted failure is SafetensorsError. Any other exception, a crash, a sanitizer
// report or a broken invariant on an accepted header is a bug.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/safetensors_header.h"

namespace {

using newbie::io::SafetensorsError;
using newbie::io::SafetensorsHeader;

void check(bool ok) {
  if (!ok) std::abort();
}

void checkInvariants(const SafetensorsHeader& h, std::size_t size) {
  check(h.dataOffset == 8 + h.headerLength);
  check(h.dataOffset <= size);
  const uint64_t dataSize = size - h.dataOffset;
  uint64_t prevEnd = 0;
  for (const auto& t : h.tensors) {
    check(t.begin <= t.end);
    check(t.end <= dataSize);
    check(t.begin >= prevEnd);  // sorted and non-overlapping
    prevEnd = t.end;
    const int64_t n = t.numel();
    check(n >= 0);
    check(static_cast<uint64_t>(n) * newbie::io::dtypeSize(t.dtype) == t.end - t.begin);
  }
}

void run(const uint8_t* data, std::size_t size) {
  try {
    const SafetensorsHeader h = newbie::io::parseSafetensorsHeader(data, size, "fuzz");
    checkInvariants(h, size);
  } catch (const SafetensorsError&) {
    // expected for malformed input
  }
}

uint64_t largestEnd(const uint8_t* data, std::size_t size) {
  const auto j = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  uint64_t best = 0;
  if (!j.is_object()) return 0;
  for (const auto& v : j) {
    if (!v.is_object()) continue;
    auto off = v.find("data_offsets");
    if (off == v.end() || !off->is_array()) continue;
    for (const auto& e : *off)
      if (e.is_number_unsigned()) best = std::max(best, e.get<uint64_t>());
  }
  return best;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  // 1. The raw bytes as a file image. Copy into an exactly sized buffer so ASan catches any
  //    read past the end.
  {
    std::vector<uint8_t> img(data, data + size);
    run(img.empty() ? nullptr : img.data(), img.size());
  }
  // 2. The bytes as a JSON header inside a well-formed image.
  {
    constexpr uint64_t kCap = 1u << 20;
    uint64_t dataSize = std::min<uint64_t>(largestEnd(data, size), kCap);
    if (size > 0 && (data[size - 1] & 1) && dataSize > 0) --dataSize;
    std::vector<uint8_t> img(8 + size + dataSize, 0);
    for (int i = 0; i < 8; ++i) img[i] = static_cast<uint8_t>(static_cast<uint64_t>(size) >> (8 * i));
    if (size) std::memcpy(img.data() + 8, data, size);
    run(img.data(), img.size());
  }
  return 0;
}
