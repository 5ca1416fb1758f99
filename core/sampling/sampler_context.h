#pragma once
// Internal to core/sampling: the per-run context shared by the solver implementations.

#include <torch/torch.h>

#include "sampling/samplers.h"

namespace newbie::sampling::detail {

struct Ctx {
  const Schedule& sched;
  const VelocityFn& velocity;
  const SampleHooks& hooks;

  int steps() const { return sched.steps(); }
  double sigma(int i) const { return sched.sigmas[i]; }
  /// Throws CancelledError when the hooks ask to stop (called before every step).
  void checkStop(int i) const;
  /// Guided v at grid point i (model time from the schedule's convention).
  torch::Tensor v(const torch::Tensor& x, int i) const { return velocity(x, sched.modelTime(i), i); }
  void report(int i, const torch::Tensor& x, const torch::Tensor& denoised, const torch::Tensor& aux = {}) const;
};

using SolverFn = torch::Tensor (*)(torch::Tensor x, const Ctx& c);

torch::Tensor euler(torch::Tensor x, const Ctx& c);
torch::Tensor midpoint(torch::Tensor x, const Ctx& c);
torch::Tensor comfyDpmpp2m(torch::Tensor x, const Ctx& c);
torch::Tensor comfyResMultistep(torch::Tensor x, const Ctx& c);
torch::Tensor diffusersDpmpp2m(torch::Tensor x, const Ctx& c);
torch::Tensor diffusersUniPC(torch::Tensor x, const Ctx& c);
torch::Tensor comfyUniPC(torch::Tensor x, const Ctx& c);

}  // namespace newbie::sampling::detail
