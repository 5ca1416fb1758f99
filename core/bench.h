#pragma once
// `newbie-cli bench`: speed and memory of every stage, with random weights of the real
// shapes (no download) or a real model folder. Timings are medians over repeats after
// warm-up; on CUDA each repeat is timed with CUDA events.

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/types.h"

namespace newbie {

struct BenchOptions {
  std::vector<std::filesystem::path> model;  ///< empty: random weights
  std::string randomWeights = "tiny";        ///< "full" (NewBie-image-Exp0.1 shapes) or "tiny"
  int width = 1024, height = 1024;
  int steps = 28;
  double cfg = 4.5;
  int captionTokens = 256;
  Precision precision = Precision::BF16;
  std::string device = "cuda";
  int warmup = 3;
  int repeats = 10;
  bool endToEnd = true;
  bool split = true;  ///< cond and uncond as separate exact-length passes (else padded batch)
  /// Device: everything on `device`. CPU: Gemma and Jina built on the CPU in float32 (the 12 GB
  /// placement), DiT + VAE on `device`; text encoding is then timed with fewer repeats.
  EncoderPlacement encoderPlacement = EncoderPlacement::Device;
  /// Non-empty: write the built components there in the official HF layout (model_save.h) and
  /// return right after (JSON: save_model_dir, save_tensor_bytes, save_files, save_s); a later
  /// `--model DIR` run then measures loading them from disk.
  std::filesystem::path saveModel;
  /// false: load with the previous plain path (`.to()`: pageable copies, CPU-side dtype
  /// conversion) instead of io::Uploader's pinned pipeline, to compare load_gb_per_s.
  bool pinnedUpload = true;
};

/// Runs the benchmark; returns every number as JSON (see docs/PERFORMANCE.md for the keys).
/// Loading: load_s (all components), load_components_s {gemma, jina, dit, vae}, load_bytes
/// (tensor bytes read through io::Uploader; 0 for random weights) and load_gb_per_s
/// (load_bytes / load_s).
/// Precision::FP8 (CUDA, compute capability >= 8.9; refused elsewhere before anything is built): the
/// DiT is built in bf16, its bf16 output (and, with endToEnd, the end-to-end image) is kept, then the block
/// linears are quantised (fp8_quantize_s, vram_after_fp8_quantize_gb) and every timing is of the fp8 DiT;
/// fp8_vs_bf16_velocity_rel_l2 = ||v_fp8 - v_bf16|| / ||v_bf16|| of one forward on the same inputs, and
/// with endToEnd fp8_vs_bf16_image_mean_abs_u8 / fp8_vs_bf16_image_psnr_db compare the two images.
/// `progress` gets one human line per measured item.
nlohmann::json runBench(const BenchOptions& o, const std::function<void(const std::string&)>& progress = {});

/// FLOPs of one NextDiT forward (linear layers + attention) for the given shapes.
double nextDiTForwardFlops(int64_t dim, int64_t layers, int64_t refiners, int64_t heads, int64_t kvHeads,
                           int64_t ffn, int64_t capTokens, int64_t imgTokens, int64_t capFeatDim);

}  // namespace newbie
