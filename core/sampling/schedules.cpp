#include "sampling/schedules.h"

#include <cmath>
#include <sstream>

#include "api/types.h"

namespace newbie::sampling {

namespace {

void checkArgs(const char* what, int steps, double shift) {
  if (steps < 1) {
    std::ostringstream os;
    os << what << ": steps must be >= 1 (got " << steps << ")";
    throw InvalidParamsError(os.str());
  }
  if (!(shift > 0) || !std::isfinite(shift)) {
    std::ostringstream os;
    os << what << ": shift must be a finite value > 0 (got " << shift << ")";
    throw InvalidParamsError(os.str());
  }
}

std::vector<int64_t> truncatedTimesteps(const std::vector<double>& sigmas) {
  std::vector<int64_t> ts;
  for (std::size_t i = 0; i + 1 < sigmas.size(); ++i) ts.push_back(static_cast<int64_t>(sigmas[i] * 1000.0));
  return ts;
}

}  // namespace

double shiftSigma(double u, double shift) { return shift * u / (1.0 + (shift - 1.0) * u); }

std::vector<double> diffusersSigmas(int steps, double shift) {
  checkArgs("diffusers schedule", steps, shift);
  std::vector<double> s;
  s.reserve(steps + 1);
  // linspace(1, 1/N, N): u_i = 1 − i·(1 − 1/N)/(N − 1) = 1 − i/N.
  for (int i = 0; i < steps; ++i) s.push_back(shiftSigma(1.0 - static_cast<double>(i) / steps, shift));
  s.push_back(0.0);
  return s;
}

std::vector<double> comfySimpleSigmas(int steps, double shift, bool discardPenultimate) {
  checkArgs("simple schedule", steps, shift);
  const int n = discardPenultimate ? steps + 1 : steps;
  const double ss = 1000.0 / n;  // Python: len(s.sigmas) / steps
  std::vector<double> s;
  for (int x = 0; x < n; ++x) {
    const int k = 1000 - static_cast<int>(x * ss);  // 1-based table index
    s.push_back(shiftSigma(k / 1000.0, shift));
  }
  s.push_back(0.0);
  if (discardPenultimate) s.erase(s.end() - 2);
  return s;
}

std::vector<double> officialTimes(int points, double shift) {
  checkArgs("official schedule", points, shift);
  std::vector<double> t;
  for (int k = 0; k < points; ++k) {
    const double s = points == 1 ? 0.0 : static_cast<double>(k) / (points - 1);
    t.push_back(s / (s + shift - shift * s));
  }
  return t;
}

FlowGrid dpmSolverFlowGrid(int steps, double shift) {
  checkArgs("dpm_flow schedule", steps, shift);
  FlowGrid g;
  for (int i = 0; i < steps; ++i) g.sigmas.push_back(shiftSigma(0.999 * (1.0 - static_cast<double>(i) / steps), shift));
  g.sigmas.push_back(0.0);
  g.timesteps = truncatedTimesteps(g.sigmas);
  return g;
}

FlowGrid uniPCCustomGrid(std::vector<double> s) {
  if (s.empty()) throw InvalidParamsError("unipc schedule: empty sigma list");
  if (std::fabs(s[0] - 1.0) < 1e-6) s[0] -= 1e-6;
  FlowGrid g;
  g.sigmas = std::move(s);
  g.sigmas.push_back(0.0);
  g.timesteps = truncatedTimesteps(g.sigmas);
  return g;
}

FlowGrid uniPCFlowGrid(int steps, double shift) {
  checkArgs("unipc_flow schedule", steps, shift);
  std::vector<double> s;
  for (int i = 0; i < steps; ++i) s.push_back(shiftSigma(1.0 - 0.999 * static_cast<double>(i) / steps, shift));
  return uniPCCustomGrid(std::move(s));
}

double Schedule::modelTime(int i) const {
  if (time == TimeConvention::IntTimestep && i < static_cast<int>(timesteps.size()))
    return 1.0 - static_cast<double>(timesteps[i]) / 1000.0;
  return 1.0 - sigmas.at(i);
}

const std::vector<std::string>& scheduleNames() {
  static const std::vector<std::string> names = {"diffusers", "simple",     "simple_discard", "official",
                                                 "dpm_flow",  "unipc_flow", "unipc_diffusers"};
  return names;
}

Schedule makeSchedule(const std::string& name, int steps, double shift, TimeConvention time) {
  Schedule s;
  s.name = name;
  if (name == "diffusers") {
    s.sigmas = diffusersSigmas(steps, shift);
  } else if (name == "simple") {
    s.sigmas = comfySimpleSigmas(steps, shift, false);
  } else if (name == "simple_discard") {
    s.sigmas = comfySimpleSigmas(steps, shift, true);
  } else if (name == "official") {
    for (double t : officialTimes(steps, shift)) s.sigmas.push_back(1.0 - t);
  } else if (name == "dpm_flow" || name == "unipc_flow" || name == "unipc_diffusers") {
    FlowGrid g = name == "dpm_flow"     ? dpmSolverFlowGrid(steps, shift)
                 : name == "unipc_flow" ? uniPCFlowGrid(steps, shift)
                                        : [&] {
                                            auto d = diffusersSigmas(steps, shift);
                                            d.pop_back();
                                            return uniPCCustomGrid(std::move(d));
                                          }();
    s.sigmas = std::move(g.sigmas);
    s.timesteps = std::move(g.timesteps);
    s.time = time;
  } else {
    std::ostringstream os;
    os << "schedule: unknown name '" << name << "' (expected one of:";
    for (const auto& n : scheduleNames()) os << ' ' << n;
    os << ")";
    throw InvalidParamsError(os.str());
  }
  return s;
}

}  // namespace newbie::sampling
