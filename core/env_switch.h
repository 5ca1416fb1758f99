#pragma once
// Start-up switches read from the environment (NEWBIE_FUSED_KERNELS, NEWBIE_CUDNN_ATTENTION,
// NEWBIE_CUDA_GRAPHS, NEWBIE_CUDNN_BENCHMARK; see docs/BUILDING.md).

#include <cstdlib>
#include <string>

namespace newbie {

/// Unset -> dflt, "0" -> off, anything else -> on.
inline bool envSwitch(const char* name, bool dflt) {
  const char* v = std::getenv(name);
  if (v == nullptr) return dflt;
  return std::string(v) != "0";
}

}  // namespace newbie
