#pragma once
// Noise schedules (sigma grids) of the three reference implementations (MODEL-SPEC §4.1).
//
// Conventions: x_σ = (1−σ)·x0 + σ·noise; the DiT's model time is t = 1 − σ (0 = noise).
// All grids use the static shift s (default 6): σ(u) = s·u / (1 + (s−1)·u).
// Everything here is plain host arithmetic in double; no tensors, no device work.
// All functions are pure and thread-safe.

#include <cstdint>
#include <string>
#include <vector>

namespace newbie::sampling {

/// σ(u) = s·u / (1 + (s−1)·u).
double shiftSigma(double u, double shift);

/// diffusers PR12803 / FlowMatchEuler grid (the default): σ_i = shiftSigma(1 − i/N), i = 0..N−1, then 0.
/// Returns N+1 values. Throws InvalidParamsError for steps < 1.
std::vector<double> diffusersSigmas(int steps, double shift = 6.0);

/// ComfyUI ModelSamplingDiscreteFlow table (σ_k = shiftSigma(k/1000), k = 1..1000) + `simple`
/// scheduler: σ_i = table[1000 − int(i·1000/N)], then 0 (N+1 values).
/// `discardPenultimate`: the KSampler node's rule for uni_pc / uni_pc_bh2 / ddim ...: build the
/// grid for N+1 steps and drop its penultimate value (still N+1 values, N steps).
std::vector<double> comfySimpleSigmas(int steps, double shift = 6.0, bool discardPenultimate = false);

/// Official NewBie `transport` grid in MODEL TIME (0 = noise): t_k = s_k/(s_k + shift − shift·s_k),
/// s_k = linspace(0, 1, points)[k]. `points` grid points = points − 1 steps (points = 1: no step).
std::vector<double> officialTimes(int points, double shift = 6.0);

/// A grid with diffusers' integer timesteps (multistep schedulers).
struct FlowGrid {
  std::vector<double> sigmas;       ///< N+1 values, last 0
  std::vector<int64_t> timesteps;   ///< N values, int64(σ_i·1000) truncated
};
/// diffusers DPMSolverMultistepScheduler(use_flow_sigmas, flow_shift).set_timesteps(N):
/// u = 0.999·(1 − i/N) (σ0 = 0.99983 at shift 6), then 0.
FlowGrid dpmSolverFlowGrid(int steps, double shift = 6.0);
/// diffusers UniPCMultistepScheduler(use_flow_sigmas, flow_shift).set_timesteps(N):
/// u = 1 − 0.999·i/N, σ0 = 1 − 1e-6, then 0.
FlowGrid uniPCFlowGrid(int steps, double shift = 6.0);
/// UniPCMultistepScheduler.set_timesteps(sigmas=...) with already-shifted sigmas (without the
/// final 0): σ0 −= 1e-6 when σ0 is 1, integer timesteps, 0 appended.
FlowGrid uniPCCustomGrid(std::vector<double> sigmasNoFinalZero);

/// How the DiT's model time is derived from a grid point.
enum class TimeConvention {
  Sigma,        ///< t = 1 − σ_i
  IntTimestep,  ///< t = 1 − timesteps[i]/1000 (what the diffusers pipelines feed with the multistep schedulers)
};

/// A sampling grid: sigmas[0..N] descending, sigmas[N] = 0 → N steps.
struct Schedule {
  std::string name;                 ///< "diffusers", "simple", "simple_discard", "official", "dpm_flow", "unipc_flow", "unipc_diffusers"
  std::vector<double> sigmas;
  std::vector<int64_t> timesteps;   ///< empty, or N integer timesteps (diffusers multistep schedulers)
  TimeConvention time = TimeConvention::Sigma;

  int steps() const { return static_cast<int>(sigmas.size()) - 1; }
  /// Model time t at grid point i (0 ≤ i < steps()).
  double modelTime(int i) const;
};

/// Names accepted by makeSchedule(), for the UI / CLI.
const std::vector<std::string>& scheduleNames();

/// Builds a schedule by name:
///  "diffusers"      diffusersSigmas(steps)                     (default)
///  "simple"         comfySimpleSigmas(steps)
///  "simple_discard" comfySimpleSigmas(steps, discardPenultimate) (ComfyUI KSampler node + uni_pc)
///  "official"       σ = 1 − officialTimes(steps): `steps` POINTS = steps − 1 steps (as NB sample_ode)
///  "dpm_flow"       dpmSolverFlowGrid(steps), int timesteps
///  "unipc_flow"     uniPCFlowGrid(steps), int timesteps
///  "unipc_diffusers" uniPCCustomGrid(diffusers grid) (what the NewBie diffusers pipeline would pass)
/// `time` picks the model-time convention for grids that carry integer timesteps (ignored otherwise).
/// Throws InvalidParamsError naming the field for an unknown name, steps < 1 or shift ≤ 0.
Schedule makeSchedule(const std::string& name, int steps, double shift = 6.0,
                      TimeConvention time = TimeConvention::IntTimestep);

}  // namespace newbie::sampling
