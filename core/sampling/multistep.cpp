// Multistep solvers: diffusers DPM-Solver++ 2M and UniPC (flow sigmas), ComfyUI UniPC bh2.
// Scalars are host doubles; tensors only see scalar multiplies and adds.
#include <array>
#include <cmath>

#include "sampling/sampler_context.h"

namespace newbie::sampling::detail {

namespace {

// diffusers flow parametrisation: α = 1 − σ, λ = ln α − ln σ.
double flowLambda(double s) { return std::log(1.0 - s) - std::log(s); }

// Solves the k×k system R·ρ = b (k ≤ 3) by Gaussian elimination with partial pivoting.
template <std::size_t N>
std::array<double, N> solve(std::array<std::array<double, N>, N> a, std::array<double, N> b, int k) {
  for (int col = 0; col < k; ++col) {
    int piv = col;
    for (int r = col + 1; r < k; ++r)
      if (std::fabs(a[r][col]) > std::fabs(a[piv][col])) piv = r;
    std::swap(a[col], a[piv]);
    std::swap(b[col], b[piv]);
    for (int r = col + 1; r < k; ++r) {
      const double f = a[r][col] / a[col][col];
      for (int j = col; j < k; ++j) a[r][j] -= f * a[col][j];
      b[r] -= f * b[col];
    }
  }
  std::array<double, N> x{};
  for (int r = k - 1; r >= 0; --r) {
    double s = b[r];
    for (int j = r + 1; j < k; ++j) s -= a[r][j] * x[j];
    x[r] = s / a[r][r];
  }
  return x;
}

// UniPC's b vector (variant bh2, predict_x0): hh = −h, B(h) = expm1(hh),
// b_i = h_phi_k·i!/B(h) with h_phi_k updated as in the reference.
std::array<double, 3> uniB(double hh, int order) {
  const double hPhi1 = std::expm1(hh);
  const double bh = std::expm1(hh);
  double hPhiK = hPhi1 / hh - 1.0;
  double fact = 1.0;
  std::array<double, 3> b{};
  for (int i = 1; i <= order; ++i) {
    b[i - 1] = hPhiK * fact / bh;
    fact *= (i + 1);
    hPhiK = hPhiK / hh - 1.0 / fact;
  }
  return b;
}

}  // namespace

// diffusers DPMSolverMultistepScheduler: dpmsolver++, solver_order 2, midpoint, flow_prediction,
// lower_order_final, final_sigmas_type zero. x0 = x − σ·(−v).
torch::Tensor diffusersDpmpp2m(torch::Tensor x, const Ctx& c) {
  const int n = c.steps();
  torch::Tensor prevX0;
  int lowerOrderNums = 0;
  for (int i = 0; i < n; ++i) {
    c.checkStop(i);
    const double s = c.sigma(i), sn = c.sigma(i + 1);
    auto x0 = x + c.v(x, i) * s;
    const bool lowerOrderFinal = (i == n - 1);
    if (sn == 0.0) {
      x = x0;  // α_t = 1, σ_t = 0, e^{−h} = 0
    } else {
      const double at = 1.0 - sn;
      const double h = flowLambda(sn) - flowLambda(s);
      const double coef = at * (std::exp(-h) - 1.0);
      if (lowerOrderNums < 1 || lowerOrderFinal) {
        x = x * (sn / s) - x0 * coef;
      } else {
        const double h0 = flowLambda(s) - flowLambda(c.sigma(i - 1));
        const double r0 = h0 / h;
        auto d1 = (x0 - prevX0) * (1.0 / r0);
        x = x * (sn / s) - x0 * coef - d1 * (0.5 * coef);
      }
    }
    if (lowerOrderNums < 2) ++lowerOrderNums;
    prevX0 = x0;
    c.report(i, x, x0);
  }
  return x;
}

// diffusers UniPCMultistepScheduler: bh2, predict_x0, solver_order 2, lower_order_final, flow.
// step(i): x0_i from the incoming (uncorrected) sample; UniC-correct the sample (i ≥ 1) with the
// previous step's order; then UniP-predict σ_{i+1}.
torch::Tensor diffusersUniPC(torch::Tensor x, const Ctx& c0) {
  // As UniPCMultistepScheduler.set_timesteps does for flow sigmas: σ0 = 1 becomes 1 − 1e-6 (λ(1) = −∞
  // would turn the corrector's linear system into NaN); 1 − σ model times follow, as in diffusers.
  Schedule adjusted = c0.sched;
  if (!adjusted.sigmas.empty() && std::fabs(adjusted.sigmas[0] - 1.0) < 1e-6) adjusted.sigmas[0] -= 1e-6;
  const Ctx c{adjusted, c0.velocity, c0.hooks};
  const int n = c.steps();
  torch::Tensor mPrev2, mPrev;  // x0 at σ_{i−2}, σ_{i−1}
  torch::Tensor lastSample;
  int lowerOrderNums = 0, thisOrder = 1;
  for (int i = 0; i < n; ++i) {
    c.checkStop(i);
    const double s = c.sigma(i), sn = c.sigma(i + 1);
    auto m = x + c.v(x, i) * s;  // x0 of the uncorrected sample
    if (i > 0 && lastSample.defined()) {
      // UniC: from lastSample at σ_{i−1} to σ_i, with m0 = mPrev, model_t = m.
      const double sp = c.sigma(i - 1);
      const double at = 1.0 - s;
      const double h = flowLambda(s) - flowLambda(sp);
      const double hh = -h;
      const double hPhi1 = std::expm1(hh), bh = std::expm1(hh);
      auto xt_ = lastSample * (s / sp) - mPrev * (at * hPhi1);
      auto b = uniB(hh, thisOrder);
      if (thisOrder == 1) {
        x = xt_ - (m - mPrev) * (at * bh * 0.5);
      } else {
        const double rk = (flowLambda(c.sigma(i - 2)) - flowLambda(sp)) / h;
        auto d1 = (mPrev2 - mPrev) * (1.0 / rk);
        std::array<std::array<double, 3>, 3> R{};
        R[0] = {1.0, 1.0, 0.0};
        R[1] = {rk, 1.0, 0.0};
        auto rho = solve<3>(R, b, 2);
        x = xt_ - (d1 * rho[0] + (m - mPrev) * rho[1]) * (at * bh);
      }
    }
    mPrev2 = mPrev;
    mPrev = m;
    thisOrder = std::min(2, n - i);
    thisOrder = std::min(thisOrder, lowerOrderNums + 1);
    lastSample = x;
    // UniP from x at σ_i to σ_{i+1}.
    auto corrected = x;
    if (sn == 0.0) {
      x = m;  // σ_t = 0, α_t = 1, hφ1 = −1 (lower_order_final makes the last order 1)
    } else {
      const double at = 1.0 - sn;
      const double h = flowLambda(sn) - flowLambda(s);
      const double hh = -h;
      const double hPhi1 = std::expm1(hh), bh = std::expm1(hh);
      x = x * (sn / s) - m * (at * hPhi1);
      if (thisOrder == 2) {
        const double rk = (flowLambda(c.sigma(i - 1)) - flowLambda(s)) / h;
        auto d1 = (mPrev2 - m) * (1.0 / rk);
        x = x - d1 * (at * bh * 0.5);
      }
    }
    if (lowerOrderNums < 2) ++lowerOrderNums;
    c.report(i, x, m, corrected);
  }
  return x;
}

// ComfyUI comfy/extra_samplers/uni_pc.py sample_unipc(variant='bh2') through KSAMPLER on the flow
// (CONST) model, with its quirks: the final σ 0 becomes 0.001 (the run stops there), UniPC works on
// x/√(1+σ²) with α = 1/√(1+σ²), σ_vp = σα, λ = −ln σ; the result is divided by α(0.001) and by
// (1 − 0.001) (inverse_noise_scaling with the overwritten σ). Order min(3, steps − 1),
// lower_order_final, corrector on every update but the last. The model is evaluated at the
// predictor points; x0 there is the ComfyUI denoised = x_model + σ·v.
torch::Tensor comfyUniPC(torch::Tensor x, const Ctx& c) {
  const int n = c.steps();
  std::vector<double> ts(c.sched.sigmas);
  if (ts.back() == 0.0) ts.back() = 0.001;
  auto alpha = [](double s) { return 1.0 / std::sqrt(1.0 + s * s); };
  auto svp = [&](double s) { return s * alpha(s); };
  auto lam = [](double s) { return -std::log(s); };
  const int order = std::max(1, std::min(3, n - 1));

  // x0 (= denoised) at internal state xi and grid point j.
  auto model = [&](const torch::Tensor& xi, int j) {
    auto xm = xi * (1.0 / alpha(ts[j]));
    return xm + c.velocity(xm, c.sched.modelTime(j), j) * ts[j];
  };

  c.checkStop(0);
  auto xi = x * alpha(ts[0]);
  std::vector<torch::Tensor> ms{model(xi, 0)};
  std::vector<int> tj{0};
  for (int j = 1; j <= n; ++j) {  // update from ts[j−1] to ts[j]
    if (j > 1) c.checkStop(j - 1);
    const int stepOrder = (j < order) ? j : std::min(order, n + 1 - j);
    const bool useCorrector = (j != n);
    const int k = std::min<int>(stepOrder, static_cast<int>(ms.size()));
    const double t = ts[j];
    const double tp0 = ts[tj.back()];
    const torch::Tensor m0 = ms.back();
    const double lt = lam(t), lp0 = lam(tp0);
    const double h = lt - lp0;
    const double at = alpha(t);
    std::array<double, 3> rks{};
    std::vector<torch::Tensor> d1s;
    for (int i = 1; i < k; ++i) {
      const int idx = static_cast<int>(ms.size()) - 1 - i;
      const double rk = (lam(ts[tj[idx]]) - lp0) / h;
      rks[i - 1] = rk;
      d1s.push_back((ms[idx] - m0) * (1.0 / rk));
    }
    rks[k - 1] = 1.0;
    const double hh = -h;
    const double hPhi1 = std::expm1(hh), bh = std::expm1(hh);
    auto b = uniB(hh, k);
    std::array<std::array<double, 3>, 3> R{};
    for (int p = 0; p < k; ++p)
      for (int q = 0; q < k; ++q) R[p][q] = std::pow(rks[q], p);

    auto xt_ = xi * (svp(t) / svp(tp0)) - m0 * (at * hPhi1);
    torch::Tensor xt = xt_;
    if (!d1s.empty()) {
      torch::Tensor predRes;
      if (k == 2) {
        predRes = d1s[0] * 0.5;
      } else {
        auto rhoP = solve<3>(R, b, k - 1);
        for (int i = 0; i < k - 1; ++i) predRes = predRes.defined() ? predRes + d1s[i] * rhoP[i] : d1s[i] * rhoP[i];
      }
      xt = xt_ - predRes * (at * bh);
    }
    torch::Tensor mt;
    if (useCorrector) {
      mt = model(xt, j);
      std::array<double, 3> rhoC{};
      if (k == 1) rhoC[0] = 0.5;
      else rhoC = solve<3>(R, b, k);
      auto corr = (mt - m0) * rhoC[k - 1];
      for (int i = 0; i < k - 1; ++i) corr = corr + d1s[i] * rhoC[i];
      xt = xt_ - corr * (at * bh);
    }
    xi = xt;
    // Keep at most `order` previous model outputs.
    if (j < n) {
      if (!mt.defined()) mt = model(xi, j);
      ms.push_back(mt);
      tj.push_back(j);
      if (static_cast<int>(ms.size()) > order) {
        ms.erase(ms.begin());
        tj.erase(tj.begin());
      }
    }
    // Model space; the last state also gets inverse_noise_scaling with the overwritten σ: /(1 − 0.001).
    torch::Tensor xModel = (j == n) ? xi * (1.0 / (alpha(t) * (1.0 - t))) : xi * (1.0 / alpha(t));
    c.report(j - 1, xModel, m0, xi);
    if (j == n) return xModel;
  }
  return x;
}

}  // namespace newbie::sampling::detail
