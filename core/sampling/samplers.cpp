#include "sampling/samplers.h"

#include <cmath>
#include <sstream>

#include "api/types.h"
#include "sampling/sampler_context.h"

namespace newbie::sampling {

namespace detail {

void Ctx::checkStop(int i) const {
  if (hooks.shouldStop && hooks.shouldStop()) {
    std::ostringstream os;
    os << "sampling cancelled before step " << (i + 1) << " of " << steps();
    throw CancelledError(os.str());
  }
}

void Ctx::report(int i, const torch::Tensor& x, const torch::Tensor& denoised, const torch::Tensor& aux) const {
  if (!hooks.onStep) return;
  StepEvent e;
  e.index = i;
  e.total = steps();
  e.sigma = sigma(i);
  e.sigmaNext = sigma(i + 1);
  e.x = x;
  e.denoised = denoised;
  e.aux = aux;
  hooks.onStep(e);
}

// Euler on the σ grid. diffusers: x ← x + (σ_{i+1} − σ_i)·(−v); official (torchdiffeq euler on
// t = 1 − σ): x ← x + (t_{i+1} − t_i)·v; ComfyUI euler: x + (x − den)/σ·(σ_next − σ). All equal.
torch::Tensor euler(torch::Tensor x, const Ctx& c) {
  for (int i = 0; i < c.steps(); ++i) {
    c.checkStop(i);
    const double s = c.sigma(i), sn = c.sigma(i + 1);
    auto v = c.v(x, i);                     // v: [B,16,h,w]
    auto den = x + v * s;
    x = x + v * (s - sn);
    c.report(i, x, den);
  }
  return x;
}

// torchdiffeq fixed-grid midpoint (NB transport, solver="midpoint"):
// x ← x + h·v(x + (h/2)·v(x, t), t + h/2), h = t_{i+1} − t_i.
torch::Tensor midpoint(torch::Tensor x, const Ctx& c) {
  for (int i = 0; i < c.steps(); ++i) {
    c.checkStop(i);
    const double s = c.sigma(i), sn = c.sigma(i + 1);
    const double h = s - sn;
    const double t = c.sched.modelTime(i);
    auto v0 = c.velocity(x, t, i);
    auto den = x + v0 * s;
    auto xm = x + v0 * (0.5 * h);
    auto v1 = c.velocity(xm, t + 0.5 * h, i);
    x = x + v1 * h;
    c.report(i, x, den);
  }
  return x;
}

// ComfyUI k_diffusion sample_dpmpp_2m on the flow model: t = −ln σ on denoised predictions.
torch::Tensor comfyDpmpp2m(torch::Tensor x, const Ctx& c) {
  torch::Tensor oldDen;
  for (int i = 0; i < c.steps(); ++i) {
    c.checkStop(i);
    const double s = c.sigma(i), sn = c.sigma(i + 1);
    auto den = x + c.v(x, i) * s;
    if (sn == 0.0) {
      x = den;  // (σ_next/σ)·x − expm1(−∞)·den
    } else {
      const double t = -std::log(s), tn = -std::log(sn);
      const double h = tn - t;
      const double em1 = std::expm1(-h);
      if (!oldDen.defined()) {
        x = x * (sn / s) - den * em1;
      } else {
        const double hLast = t - (-std::log(c.sigma(i - 1)));
        const double r = hLast / h;
        auto d = den * (1.0 + 1.0 / (2.0 * r)) - oldDen * (1.0 / (2.0 * r));
        x = x * (sn / s) - d * em1;
      }
    }
    oldDen = den;
    c.report(i, x, den);
  }
  return x;
}

// ComfyUI sample_res_multistep (eta 0, s_noise 1, no cfg_pp): first and last steps Euler, else
// x ← e^{−h}·x + h·(b1·den + b2·old_den) with c2 = (t_prev − t)/h, φ1 = expm1(−h)/(−h),
// φ2 = (φ1 − 1)/(−h), b1 = φ1 − φ2/c2, b2 = φ2/c2 (t = −ln σ).
torch::Tensor comfyResMultistep(torch::Tensor x, const Ctx& c) {
  torch::Tensor oldDen;
  for (int i = 0; i < c.steps(); ++i) {
    c.checkStop(i);
    const double s = c.sigma(i), sn = c.sigma(i + 1);
    auto v = c.v(x, i);
    auto den = x + v * s;
    if (sn == 0.0 || !oldDen.defined()) {
      // d = (x − den)/σ = −v; x + d·(σ_next − σ)
      x = x + v * (s - sn);
    } else {
      const double t = -std::log(s), tn = -std::log(sn), tp = -std::log(c.sigma(i - 1));
      const double h = tn - t;
      const double c2 = (tp - t) / h;
      const double phi1 = std::expm1(-h) / (-h);
      const double phi2 = (phi1 - 1.0) / (-h);
      double b1 = phi1 - phi2 / c2, b2 = phi2 / c2;
      if (std::isnan(b1)) b1 = 0.0;
      if (std::isnan(b2)) b2 = 0.0;
      x = x * std::exp(-h) + (den * b1 + oldDen * b2) * h;
    }
    oldDen = den;
    c.report(i, x, den);
  }
  return x;
}

}  // namespace detail

namespace {

struct Entry {
  SamplerInfo info;
  detail::SolverFn fn;
};

const std::vector<Entry>& registry() {
  static const std::vector<Entry> r = {
      {{"euler", "Euler", "diffusers", 1, "diffusers PR12803 NewbiePipeline (FlowMatchEuler)"}, &detail::euler},
      {{"euler_official", "Euler (official grid)", "official", 1, "NewBie transport sample_ode, euler"}, &detail::euler},
      {{"midpoint", "Midpoint (official)", "official", 2, "NewBie transport sample_ode, midpoint (demo default)"},
       &detail::midpoint},
      {{"dpmpp_2m", "DPM++ 2M", "simple", 1, "ComfyUI sample_dpmpp_2m"}, &detail::comfyDpmpp2m},
      {{"dpmpp_2m_diffusers", "DPM++ 2M (diffusers)", "dpm_flow", 1,
        "diffusers DPMSolverMultistepScheduler (flow, dpmsolver++, order 2)"},
       &detail::diffusersDpmpp2m},
      {{"res_multistep", "RES multistep", "simple", 1, "ComfyUI sample_res_multistep (NewBie ComfyUI template)"},
       &detail::comfyResMultistep},
      {{"unipc", "UniPC bh2", "unipc_flow", 1, "diffusers UniPCMultistepScheduler (flow, bh2, order 2)"},
       &detail::diffusersUniPC},
      {{"uni_pc_bh2", "UniPC bh2 (ComfyUI)", "simple_discard", 1,
        "ComfyUI sample_unipc_bh2 via the KSampler node (VE view, ends at sigma 0.001)"},
       &detail::comfyUniPC},
  };
  return r;
}

const Entry& entry(const std::string& name) {
  for (const auto& e : registry())
    if (e.info.name == name) return e;
  std::ostringstream os;
  os << "sampler: unknown name '" << name << "' (expected one of:";
  for (const auto& e : registry()) os << ' ' << e.info.name;
  os << ")";
  throw InvalidParamsError(os.str());
}

}  // namespace

const std::vector<SamplerInfo>& samplerList() {
  static const std::vector<SamplerInfo> list = [] {
    std::vector<SamplerInfo> l;
    for (const auto& e : registry()) l.push_back(e.info);
    return l;
  }();
  return list;
}

const SamplerInfo& samplerInfo(const std::string& name) { return entry(name).info; }

torch::Tensor runSampler(const std::string& name, const torch::Tensor& x, const Schedule& schedule,
                         const VelocityFn& velocity, const SampleHooks& hooks) {
  const Entry& e = entry(name);
  if (schedule.sigmas.empty()) throw InvalidParamsError("sampler " + name + ": empty schedule");
  if (schedule.sigmas.back() != 0.0)
    throw InvalidParamsError("sampler " + name + ": schedule '" + schedule.name + "' must end at sigma 0");
  detail::Ctx c{schedule, velocity, hooks};
  return e.fn(x.to(torch::kFloat32), c);
}

Schedule scheduleFor(const SampleRequest& req) {
  const SamplerInfo& info = samplerInfo(req.sampler);
  const bool useDefault = req.schedule.empty() || req.schedule == "auto";
  return makeSchedule(useDefault ? info.defaultSchedule : req.schedule, req.steps, req.shift, req.time);
}

torch::Tensor sample(const SampleRequest& req, const torch::Tensor& noise, const ModelEval& model,
                     const Guidance& guidance, const SampleHooks& hooks) {
  Schedule s = scheduleFor(req);
  VelocityFn v = guidedVelocity(model, guidance, s.steps());
  return runSampler(req.sampler, noise, s, v, hooks);
}

}  // namespace newbie::sampling
