#pragma once
// ODE samplers for the flow-matching DiT (MODEL-SPEC §4), each a faithful port of one reference
// implementation (see docs/SAMPLERS.md for the goldens they match).
//
// Conventions: state x_σ = (1−σ)·x0 + σ·noise, fp32 latents [B,16,h,w] on any device; the DiT's
// velocity v = x0 − noise (as returned by VelocityFn, already guided); denoised x0 = x + σ·v.
// The step loop keeps every scalar as a host double and never reads device tensors
// (no host synchronisation besides what the callbacks do).
//
// Thread-safety: the functions are reentrant; callbacks run on the calling thread.

#include <functional>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "sampling/cfg.h"
#include "sampling/schedules.h"

namespace newbie::sampling {

/// Reported after every step.
struct StepEvent {
  int index = 0;            ///< 0-based step index
  int total = 0;            ///< number of steps
  double sigma = 0;         ///< σ at the start of the step
  double sigmaNext = 0;     ///< σ after the step
  torch::Tensor x;          ///< state after the step (what the sampler returns after the last step)
  torch::Tensor denoised;   ///< predicted x0 of this step (for previews); guided
  torch::Tensor aux;        ///< sampler-specific, may be undefined: diffusers UniPC = the UniC-corrected
                            ///< state this step started from; ComfyUI UniPC = its internal state x/√(1+σ²)
};
using StepCallback = std::function<void(const StepEvent&)>;

struct SampleHooks {
  StepCallback onStep;                 ///< optional
  std::function<bool()> shouldStop;    ///< optional; checked before every step; true → CancelledError
};

struct SamplerInfo {
  std::string name;             ///< registry key (CLI --sampler, metadata)
  std::string label;            ///< UI text
  std::string defaultSchedule;  ///< the grid the reference uses (makeSchedule name)
  int evalsPerStep = 1;         ///< model evaluations per step (per CFG branch)
  std::string reference;        ///< which implementation it reproduces
};

/// All samplers, in UI order. The first one ("euler") is the default.
const std::vector<SamplerInfo>& samplerList();
/// Throws InvalidParamsError listing the valid names when `name` is unknown.
const SamplerInfo& samplerInfo(const std::string& name);

/// Runs sampler `name` over `schedule`, starting from `x` (the state at schedule.sigmas[0]; for every
/// grid here that is the initial noise). Returns the final state (fp32, same device as x).
/// Throws InvalidParamsError (unknown sampler), CancelledError (shouldStop).
torch::Tensor runSampler(const std::string& name, const torch::Tensor& x, const Schedule& schedule,
                         const VelocityFn& velocity, const SampleHooks& hooks = {});

/// Everything that picks the grid and the solver.
struct SampleRequest {
  std::string sampler = "euler";
  std::string schedule;          ///< "" or "auto" = the sampler's defaultSchedule (reproduces its reference)
  int steps = 28;                ///< for "official": grid POINTS (steps − 1 updates), as NB sample_ode
  double shift = 6.0;
  TimeConvention time = TimeConvention::IntTimestep;  ///< only for grids with integer timesteps
};
/// The schedule `req` implies. Throws InvalidParamsError.
Schedule scheduleFor(const SampleRequest& req);

/// Convenience: schedule + guided velocity + solver. `noise` is the initial latent [B,16,h,w].
torch::Tensor sample(const SampleRequest& req, const torch::Tensor& noise, const ModelEval& model,
                     const Guidance& guidance, const SampleHooks& hooks = {});

}  // namespace newbie::sampling
