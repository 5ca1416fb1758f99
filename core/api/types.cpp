#include "api/types.h"

namespace newbie {

const char* precisionName(Precision p) {
  switch (p) {
    case Precision::BF16: return "bf16";
    case Precision::FP16: return "fp16";
    case Precision::FP32: return "fp32";
    case Precision::FP8: return "fp8";
  }
  return "?";
}

std::optional<Precision> parsePrecision(const std::string& s) {
  if (s == "bf16" || s == "bfloat16") return Precision::BF16;
  if (s == "fp16" || s == "float16" || s == "half") return Precision::FP16;
  if (s == "fp32" || s == "float32" || s == "float") return Precision::FP32;
  if (s == "fp8" || s == "e4m3" || s == "fp8_e4m3") return Precision::FP8;
  return std::nullopt;
}

const char* phaseName(Phase p) {
  switch (p) {
    case Phase::Load: return "load";
    case Phase::Encode: return "encode";
    case Phase::Denoise: return "denoise";
    case Phase::Decode: return "decode";
    case Phase::Done: return "done";
  }
  return "?";
}

}  // namespace newbie
