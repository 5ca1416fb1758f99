#pragma once
// Parsing and validation of a safetensors header. Pure C++ (no LibTorch) so that the
// libFuzzer target can drive it directly.
//
// File layout: [u64 little-endian N][N bytes of JSON header][data section].
// Every check runs before any tensor is touched; failures throw SafetensorsError whose
// message names the file, the tensor (when there is one) and the offending value.

#include <cstddef>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace newbie::io {

enum class DType { F64, F32, F16, BF16, F8_E4M3, F8_E5M2, I64, I32, I16, I8, U8, BOOL };

/// Name as written in safetensors headers ("F32", "BF16", ...).
const char* dtypeName(DType d);
/// Size of one element in bytes.
std::size_t dtypeSize(DType d);
/// Parses a safetensors dtype string; returns false for an unknown one.
bool parseDType(const std::string& s, DType& out);

class SafetensorsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct TensorInfo {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  uint64_t begin = 0;  ///< byte offset inside the data section
  uint64_t end = 0;    ///< one past the last byte inside the data section
  int64_t numel() const;
};

struct SafetensorsHeader {
  std::vector<TensorInfo> tensors;  ///< sorted by begin offset
  std::map<std::string, std::string> metadata;
  uint64_t headerLength = 0;  ///< N, the JSON length
  uint64_t dataOffset = 0;    ///< 8 + N: where the data section starts in the file
};

/// Largest header we accept (the reference implementation uses the same bound).
constexpr uint64_t kMaxHeaderBytes = 100ull * 1000 * 1000;

/// Validates the whole file image given as (bytes, size). `label` is used in messages
/// (normally the file path). Never reads outside [bytes, bytes+size).
SafetensorsHeader parseSafetensorsHeader(const uint8_t* bytes, std::size_t size, const std::string& label);

}  // namespace newbie::io
