#pragma once
// Classifier-free guidance on the DiT velocity (MODEL-SPEC §4.2).
//
// v = x_data − noise (the DiT's output convention), model time t = 1 − σ (0 = noise).
// Guided g = u + w·(c − u). Variants:
//  - official (NB forward_with_cfg): CFG only while t < cfgTrunc (TruncRule::ModelTime), and with
//    renorm r > 0: if ‖g‖ ≥ r‖c‖ then g ← g·r‖c‖/‖g‖, norms over each sample's whole (C,H,W) tensor;
//  - diffusers PR12803: step i uses CFG iff (i+1)/N ≤ cfgTrunc (TruncRule::StepRatio), and with
//    cfgNormalization: g ← g·‖c‖/‖g‖ with the norm along dim=-1 (W);
//  - ComfyUI cfg_function on denoised = the same as plain CFG on v (linear).
// CFG scale 1 (or a truncated step) evaluates the cond branch only.
// All norms stay tensor ops: no host synchronisation.

#include <functional>

#include <torch/torch.h>

namespace newbie::sampling {

/// What the pipeline returns for one evaluation of the DiT.
struct ModelOutput {
  torch::Tensor cond;    ///< v_cond [B,16,h,w]
  torch::Tensor uncond;  ///< v_uncond [B,16,h,w]; undefined when not asked for
};
/// Evaluates the DiT at state x ([B,16,h,w], fp32) and model time t. `wantUncond` false: the
/// uncond branch must not be run (and may be left undefined).
using ModelEval = std::function<ModelOutput(const torch::Tensor& x, double tModel, bool wantUncond)>;
/// Guided velocity at (x, t) for sampler step `step` (0-based).
using VelocityFn = std::function<torch::Tensor(const torch::Tensor& x, double tModel, int step)>;

struct Guidance {
  enum class TruncRule {
    ModelTime,  ///< official: CFG while t < cfgTrunc (cfgTrunc ≥ 1: always)
    StepRatio,  ///< diffusers: CFG while (step+1)/steps ≤ cfgTrunc
  };
  double scale = 4.5;
  double cfgTrunc = 1.0;
  TruncRule truncRule = TruncRule::ModelTime;
  double renorm = 0.0;             ///< official norm cap; 0 = off
  bool cfgNormalization = false;   ///< diffusers rescale along dim=-1

  /// Whether this evaluation needs the uncond branch.
  bool active(double tModel, int step, int steps) const;
  /// g from cond and uncond (only called when active()). Shapes [B,...]; norms per sample.
  torch::Tensor combine(const torch::Tensor& cond, const torch::Tensor& uncond) const;
  /// Throws InvalidParamsError for a non-finite scale / trunc / negative renorm.
  void validate() const;
};

/// Wraps a ModelEval into the guided velocity the samplers use. `steps` is the sampler's step
/// count (for the StepRatio rule). The returned function holds copies of both arguments.
VelocityFn guidedVelocity(ModelEval model, Guidance guidance, int steps);

}  // namespace newbie::sampling
