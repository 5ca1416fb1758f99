#include "models/nextdit_block.h"

#include <cmath>
#include <limits>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>

#include "env_switch.h"
#include "models/rope.h"
#include "torch_compat.h"
#if NEWBIE_HAVE_CUDA_KERNELS
#include "cuda/dit_fused.h"
#endif

namespace newbie::models::nextdit {

torch::Tensor placeholder(torch::IntArrayRef shape) { return torch::zeros({1}).expand(shape); }

namespace {
FastPaths& fastPathState() {
  static FastPaths f{envSwitch("NEWBIE_FUSED_KERNELS", true), envSwitch("NEWBIE_CUDNN_ATTENTION", false)};
  return f;
}
#if NEWBIE_HAVE_CUDA_KERNELS
/// The fused kernels apply to x (CUDA, a float dtype) and are switched on.
bool useFused(const torch::Tensor& x) {
  return fastPathState().fusedKernels && x.is_cuda() &&
         (x.scalar_type() == torch::kBFloat16 || x.scalar_type() == torch::kFloat16 ||
          x.scalar_type() == torch::kFloat32);
}
#endif
}  // namespace

FastPaths fastPaths() { return fastPathState(); }
void setFastPaths(const FastPaths& f) { fastPathState() = f; }
bool fusedKernelsBuilt() {
#if NEWBIE_HAVE_CUDA_KERNELS
  return true;
#else
  return false;
#endif
}

namespace {
// rsqrt(mean(x², -1) + eps) in float32, keepdim. x may be bf16/fp16: the reduction reads it directly.
torch::Tensor rstdF32(const torch::Tensor& x, double eps) {
  const double invD = 1.0 / static_cast<double>(x.size(-1));
  auto n = at::linalg_vector_norm(x, 2, torch::IntArrayRef{-1}, /*keepdim=*/true, torch::kFloat32);
  return n.square_().mul_(invD).add_(eps).rsqrt_();
}
}  // namespace

torch::Tensor rmsNormalize(const torch::Tensor& x, double eps) {
#if NEWBIE_TORCH_AT_LEAST(2, 4)
  // One fused kernel on recent CUDA builds; computes in float32 and rounds once (same contract).
  return at::rms_norm(x, {x.size(-1)}, std::nullopt, eps);
#endif
  auto r = rstdF32(x, eps);
  if (x.scalar_type() == torch::kFloat32) return x * r;
  return (x * r).to(x.scalar_type());  // bf16 * f32 promotes to f32: one rounding back
}

torch::Tensor rmsNorm(const torch::Tensor& x, const torch::Tensor& scale, double eps) {
  return rmsNormalize(x, eps).mul_(scale);
}

torch::Tensor attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                        const torch::Tensor& keyMask) {
  // q: [B,S,H,hd]  k, v: [B,S,Hkv,hd]
  const int64_t b = q.size(0), s = q.size(1), h = q.size(2), hd = q.size(3);
  const int64_t hkv = k.size(2);
  const int64_t rep = h / hkv;
#if NEWBIE_TORCH_HAS_SDPA
  auto kk = k, vv = v;
  bool gqa = rep > 1;
#if NEWBIE_TORCH_HAS_SDPA_GQA
  // enable_gqa runs only on the flash/math backends; with a mask, expand K/V so that the
  // memory-efficient backend can take the mask.
  if (gqa && keyMask.defined()) {
#else
  if (gqa) {
#endif
    kk = k.unsqueeze(3).expand({b, s, hkv, rep, hd}).reshape({b, s, h, hd});
    vv = v.unsqueeze(3).expand({b, s, hkv, rep, hd}).reshape({b, s, h, hd});
    gqa = false;
  }
#if NEWBIE_TORCH_AT_LEAST(2, 4)
  std::optional<torch::Tensor> mask;  // c10::optional is std::optional from 2.4 on
#else
  c10::optional<torch::Tensor> mask;
#endif
  if (keyMask.defined()) mask = keyMask;
#if NEWBIE_TORCH_HAS_SDPA_GQA
  // Shapes cuDNN refused once are not offered again (a refusal inside a CUDA-graph capture could
  // invalidate the capture; the eager warm-up before it records the refusal).
  static std::mutex refusedMutex;
  static std::set<std::string> refused;
  std::string shapeKey;
  if (!mask && q.is_cuda() && q.scalar_type() != torch::kFloat32 && fastPathState().cudnnAttention) {
    std::ostringstream key;
    key << q.sizes() << k.sizes() << c10::toString(q.scalar_type());
    shapeKey = key.str();
    std::lock_guard<std::mutex> lock(refusedMutex);
    if (refused.count(shapeKey)) shapeKey.clear();
  }
  if (!shapeKey.empty()) {
    // Opt-in (FastPaths::cudnnAttention): a Python probe found cuDNN faster than flash for head_dim 96,
    // but LibTorch 2.11's default choice measures as fast on the H100 (PERFORMANCE.md).
    // Only the cuDNN backend is enabled around this call; if it refuses the shapes, fall back.
    auto& ctx = at::globalContext();
    const bool f = ctx.userEnabledFlashSDP(), e = ctx.userEnabledMemEfficientSDP(), m = ctx.userEnabledMathSDP(),
               c = ctx.userEnabledCuDNNSDP();
    auto restore = [&] {
      ctx.setSDPUseFlash(f);
      ctx.setSDPUseMemEfficient(e);
      ctx.setSDPUseMath(m);
      ctx.setSDPUseCuDNN(c);
    };
    ctx.setSDPUseFlash(false);
    ctx.setSDPUseMemEfficient(false);
    ctx.setSDPUseMath(false);
    ctx.setSDPUseCuDNN(true);
    try {
      auto o = at::scaled_dot_product_attention(q.transpose(1, 2), kk.transpose(1, 2), vv.transpose(1, 2), mask,
                                                0.0, false, std::optional<double>(), gqa);
      restore();
      return o.transpose(1, 2).reshape({b, s, h * hd});
    } catch (const std::exception&) {
      restore();  // cuDNN refused (head dim, dtype, layout, cuDNN version): the default choice below
      std::lock_guard<std::mutex> lock(refusedMutex);
      refused.insert(shapeKey);
    }
  }
  auto o = at::scaled_dot_product_attention(q.transpose(1, 2), kk.transpose(1, 2), vv.transpose(1, 2), mask, 0.0,
                                            false, std::optional<double>(), gqa);
#else
  (void)gqa;
  auto o = at::scaled_dot_product_attention(q.transpose(1, 2), kk.transpose(1, 2), vv.transpose(1, 2), mask, 0.0,
                                            false);
#endif
  // o: [B,H,S,hd]
  return o.transpose(1, 2).reshape({b, s, h * hd});
#else
  // Exact fallback: query heads grouped per kv head, [B,Hkv,rep*S,hd] x [B,Hkv,hd,S].
  const double scale = 1.0 / std::sqrt(static_cast<double>(hd));
  auto qg = q.view({b, s, hkv, rep, hd}).permute({0, 2, 3, 1, 4}).reshape({b, hkv, rep * s, hd});
  auto kt = k.permute({0, 2, 3, 1});  // [B,Hkv,hd,S]
  auto scores = torch::matmul(qg, kt).mul_(scale);  // [B,Hkv,rep*S,S]
  if (keyMask.defined()) scores.masked_fill_(keyMask.logical_not(), -std::numeric_limits<float>::infinity());
  auto p = scores.softmax(-1, torch::kFloat32).to(q.scalar_type());
  auto o = torch::matmul(p, v.permute({0, 2, 1, 3}));  // [B,Hkv,rep*S,hd]
  return o.view({b, hkv, rep, s, hd}).permute({0, 3, 1, 2, 4}).reshape({b, s, h * hd});
#endif
}

LinearImpl::LinearImpl(int64_t in, int64_t out, bool hasBias) {
  weight = register_parameter("weight", placeholder({out, in}), /*requires_grad=*/false);
  if (hasBias) bias = register_parameter("bias", placeholder({out}), false);
}

RMSNormImpl::RMSNormImpl(int64_t dim, double e) : eps(e) {
  weight = register_parameter("weight", placeholder({dim}), false);
}

AttentionImpl::AttentionImpl(const BlockDims& d) : d_(d) {
  qkv = register_module("qkv", Linear(d.dim, (d.nHeads + 2 * d.nKvHeads) * d.headDim, false));
  out = register_module("out", Linear(d.nHeads * d.headDim, d.dim, false));
  if (d.qkNorm) {
    q_norm = register_module("q_norm", RMSNorm(d.headDim, d.qkNormEps));
    k_norm = register_module("k_norm", RMSNorm(d.headDim, d.qkNormEps));
  }
}

void AttentionImpl::prepare() {
  if (!d_.qkNorm) return;
  qkNormWeight_ = torch::cat({q_norm->weight.expand({d_.nHeads, d_.headDim}),
                              k_norm->weight.expand({d_.nKvHeads, d_.headDim})},
                             0);
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& h, const torch::Tensor& cis,
                                     const torch::Tensor& keyMask) const {
  const int64_t b = h.size(0), s = h.size(1);
  const int64_t nh = d_.nHeads, nkv = d_.nKvHeads, hd = d_.headDim;
  auto x = qkv->forward(h);  // [B,S,(H+2Hkv)*hd]: q | k | v
  auto v = x.narrow(-1, (nh + nkv) * hd, nkv * hd).view({b, s, nkv, hd});
#if NEWBIE_HAVE_CUDA_KERNELS
  if (useFused(x)) {  // q/k-norm + RoPE in one kernel, the same roundings as below
    auto rot = newbie::cuda::qkNormRope(x, nh + nkv, hd, d_.qkNorm ? qkNormWeight_ : torch::Tensor(), cis,
                                        d_.qkNormEps);  // [B,S,H+Hkv,hd]
    return out->forward(attention(rot.narrow(2, 0, nh), rot.narrow(2, nh, nkv), v, keyMask));
  }
#endif
  auto qk = x.narrow(-1, 0, (nh + nkv) * hd).view({b, s, nh + nkv, hd});
  // q/k RMSNorm (per head, float32) and RoPE in one pass over the q and k heads together.
  torch::Tensor qkf;
  if (d_.qkNorm) {
#if NEWBIE_TORCH_AT_LEAST(2, 4)
    // NB order: normalise in float32, round to the compute dtype, multiply by the weight, RoPE in float32.
    qkf = rmsNormalize(qk, d_.qkNormEps).mul_(qkNormWeight_).to(torch::kFloat32);
#else
    auto r = at::linalg_vector_norm(qk, 2, torch::IntArrayRef{-1}, true, torch::kFloat32)
                 .square_()
                 .mul_(1.0 / static_cast<double>(hd))
                 .add_(d_.qkNormEps)
                 .rsqrt_();          // [B,S,H+Hkv,1]
    qkf = (qk * r).mul_(qkNormWeight_);  // float32 [B,S,H+Hkv,hd]
#endif
  } else {
    qkf = qk.to(torch::kFloat32).contiguous();
  }
  auto rot = applyRope(qkf, cis).to(h.scalar_type());  // [B,S,H+Hkv,hd]
  auto o = attention(rot.narrow(2, 0, nh), rot.narrow(2, nh, nkv), v, keyMask);
  return out->forward(o);
}

FeedForwardImpl::FeedForwardImpl(const BlockDims& d) : hidden(d.ffnHidden) {
  w13 = register_module("w13", Linear(d.dim, 2 * d.ffnHidden, false));
  w2 = register_module("w2", Linear(d.ffnHidden, d.dim, false));
}

torch::Tensor FeedForwardImpl::forward(const torch::Tensor& x) const {
  auto h = w13->forward(x);  // [B,S,2F]: w1 x | w3 x
#if NEWBIE_HAVE_CUDA_KERNELS
  if (useFused(h)) return w2->forward(newbie::cuda::swiGlu(h));
#endif
  return w2->forward(torch::silu(h.narrow(-1, 0, hidden)).mul_(h.narrow(-1, hidden, hidden)));
}

JointBlockImpl::JointBlockImpl(const BlockDims& d, bool mod) : modulated(mod), normEps(d.normEps) {
  attention = register_module("attention", Attention(d));
  feed_forward = register_module("feed_forward", FeedForward(d));
  attention_norm1 = register_module("attention_norm1", RMSNorm(d.dim, d.normEps));
  ffn_norm1 = register_module("ffn_norm1", RMSNorm(d.dim, d.normEps));
  attention_norm2 = register_module("attention_norm2", RMSNorm(d.dim, d.normEps));
  ffn_norm2 = register_module("ffn_norm2", RMSNorm(d.dim, d.normEps));
  if (modulated) {
    adaLN = Linear(d.adalnDim, 4 * d.dim, true);
    torch::nn::ModuleList ada;
    ada->push_back(torch::nn::SiLU());
    ada->push_back(adaLN);
    register_module("adaLN_modulation", ada);
  }
}

BlockScales JointBlockImpl::plainScales() const {
  return {attention_norm1->weight, attention_norm2->weight, ffn_norm1->weight, ffn_norm2->weight};
}

void JointBlockImpl::forward(torch::Tensor& x, const torch::Tensor& cis, const torch::Tensor& keyMask,
                             const BlockScales& s) const {
  // x = x + tanh(g_msa)·norm2(Attn(norm1(x)·(1+s_msa))), the weights folded into s (see BlockScales).
#if NEWBIE_HAVE_CUDA_KERNELS
  if (useFused(x) && x.is_contiguous()) {  // 3 row kernels instead of ~10 element-wise passes
    auto n = newbie::cuda::rmsNormScale(x, s.attnIn, normEps);
    auto a = attention->forward(n, cis, keyMask);
    n = newbie::cuda::residualNorm(x, a, s.attnOut, s.ffnIn, normEps);
    newbie::cuda::residualNorm(x, feed_forward->forward(n), s.ffnOut, torch::Tensor(), normEps);
    return;
  }
#endif
  auto a = attention->forward(rmsNorm(x, s.attnIn, normEps), cis, keyMask);
  x.addcmul_(rmsNormalize(a, normEps), s.attnOut);
  auto f = feed_forward->forward(rmsNorm(x, s.ffnIn, normEps));
  x.addcmul_(rmsNormalize(f, normEps), s.ffnOut);
}

}  // namespace newbie::models::nextdit
