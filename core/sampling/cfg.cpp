#include "sampling/cfg.h"

#include <cmath>
#include <sstream>

#include "api/types.h"

namespace newbie::sampling {

namespace {

// ‖x‖₂ over every dim but the batch dim, keepdim: [B,1,...,1].
torch::Tensor perSampleNorm(const torch::Tensor& x) {
  auto flat = x.reshape({x.size(0), -1});
  auto n = flat.pow(2).sum(1).sqrt();
  std::vector<int64_t> shape(x.dim(), 1);
  shape[0] = x.size(0);
  return n.reshape(shape);
}

}  // namespace

bool Guidance::active(double tModel, int step, int steps) const {
  if (scale == 1.0) return false;
  if (cfgTrunc >= 1.0) return true;
  if (truncRule == TruncRule::ModelTime) return tModel < cfgTrunc;
  return static_cast<double>(step + 1) / steps <= cfgTrunc;
}

torch::Tensor Guidance::combine(const torch::Tensor& cond, const torch::Tensor& uncond) const {
  // g = u + w·(c − u)
  auto g = uncond + (cond - uncond) * scale;
  if (renorm > 0.0) {
    auto maxNorm = perSampleNorm(cond) * renorm;
    auto gNorm = perSampleNorm(g);
    auto factor = torch::where(gNorm >= maxNorm, maxNorm / gNorm, torch::ones_like(gNorm));
    g = g * factor;
  }
  if (cfgNormalization) {
    auto cn = cond.norm(2, {-1}, /*keepdim=*/true);
    auto gn = g.norm(2, {-1}, /*keepdim=*/true);
    g = g * (cn / gn);
  }
  return g;
}

void Guidance::validate() const {
  std::ostringstream os;
  if (!std::isfinite(scale)) os << "cfg scale must be finite (got " << scale << ")";
  else if (!std::isfinite(cfgTrunc) || cfgTrunc < 0) os << "cfg trunc must be finite and >= 0 (got " << cfgTrunc << ")";
  else if (!std::isfinite(renorm) || renorm < 0) os << "renorm must be finite and >= 0 (got " << renorm << ")";
  else return;
  throw InvalidParamsError(os.str());
}

VelocityFn guidedVelocity(ModelEval model, Guidance guidance, int steps) {
  guidance.validate();
  return [model = std::move(model), guidance, steps](const torch::Tensor& x, double t, int step) {
    const bool useCfg = guidance.active(t, step, steps);
    ModelOutput out = model(x, t, useCfg);
    if (!useCfg) return out.cond;
    return guidance.combine(out.cond, out.uncond);
  };
}

}  // namespace newbie::sampling
