#include "models/nextdit.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>
#include <stdexcept>

namespace newbie::models {

using nextdit::BlockDims;
using nextdit::BlockScales;
using nextdit::JointBlock;
using nextdit::Linear;
using nextdit::RMSNorm;
using torch::Tensor;

namespace {
std::string sizesStr(const Tensor& t) {
  std::ostringstream o;
  o << t.sizes();
  return o.str();
}

// Copies rows [0, part.size(1)) of part[i] into full[idx[i]]; allocates full [B, rows, ...] on first use.
void scatterRows(Tensor& full, const Tensor& part, const std::vector<int64_t>& idx, int64_t batch, int64_t rows) {
  if (!part.defined()) return;
  if (!full.defined()) {
    auto shape = part.sizes().vec();
    shape[0] = batch;
    shape[1] = rows;
    full = torch::zeros(shape, part.options());
  }
  for (size_t i = 0; i < idx.size(); ++i)
    full[idx[i]].narrow(0, 0, part.size(1)).copy_(part[static_cast<int64_t>(i)]);
}
}  // namespace

struct NextDiTImpl::Conditioning {
  Tensor inF, outF;  // [B, nb, 2, D]: (attn, ffn) input / output factors of the modulated blocks
  Tensor finalScale; // [B, D] = 1 + final adaLN scale
};

struct NextDiTImpl::Pass {
  Tensor img;  // [G, N, D] embedded patches (owned, updated in place)
  Tensor cap;  // [G, Lmax, D] embedded captions (owned, updated in place)
  std::vector<int64_t> lens;
  Conditioning cond;
  int64_t hp = 0, wp = 0;
};

NextDiTImpl::NextDiTImpl(const NextDiTConfig& cfg) : cfg_(cfg) {
  cfg_.validate();
  const int64_t D = cfg_.dim, A = cfg_.adalnDim;
  BlockDims d;
  d.dim = D;
  d.nHeads = cfg_.nHeads;
  d.nKvHeads = cfg_.nKvHeads;
  d.headDim = cfg_.headDim();
  d.ffnHidden = cfg_.ffnHidden;
  d.adalnDim = A;
  d.normEps = cfg_.normEps;
  d.qkNormEps = cfg_.qkNormEps;
  d.qkNorm = cfg_.qkNorm;

  x_embedder = register_module("x_embedder", Linear(cfg_.patchFeatures(), D, true));
  {
    auto te = std::make_shared<torch::nn::Module>();
    torch::nn::ModuleList mlp;
    t_mlp0 = Linear(cfg_.timeFreqDim, A, true);
    t_mlp2 = Linear(A, A, true);
    mlp->push_back(t_mlp0);
    mlp->push_back(torch::nn::SiLU());
    mlp->push_back(t_mlp2);
    te->register_module("mlp", mlp);
    register_module("t_embedder", te);
  }
  {
    torch::nn::ModuleList ce;
    cap_norm = RMSNorm(cfg_.capFeatDim, cfg_.normEps);
    cap_linear = Linear(cfg_.capFeatDim, D, true);
    ce->push_back(cap_norm);
    ce->push_back(cap_linear);
    register_module("cap_embedder", ce);
  }
  if (cfg_.clipTextDim > 0) {
    torch::nn::ModuleList cp, tt;
    clip_norm = RMSNorm(cfg_.clipTextDim, cfg_.qkNormEps);
    clip_linear = Linear(cfg_.clipTextDim, cfg_.clipTextDim, true);
    cp->push_back(clip_norm);
    cp->push_back(clip_linear);
    register_module("clip_text_pooled_proj", cp);
    time_text = Linear(A + cfg_.clipTextDim, A, true);
    tt->push_back(torch::nn::SiLU());
    tt->push_back(time_text);
    register_module("time_text_embed", tt);
  }
  auto makeBlocks = [&](const char* name, int64_t n, bool modulated, std::vector<JointBlock>& out) {
    torch::nn::ModuleList list;
    for (int64_t i = 0; i < n; ++i) {
      out.emplace_back(d, modulated);
      list->push_back(out.back());
    }
    register_module(name, list);
  };
  makeBlocks("context_refiner", cfg_.nRefinerLayers, false, contextRefiner);
  makeBlocks("noise_refiner", cfg_.nRefinerLayers, true, noiseRefiner);
  makeBlocks("layers", cfg_.nLayers, true, layers);
  {
    auto fl = std::make_shared<torch::nn::Module>();
    final_linear = fl->register_module("linear", Linear(D, cfg_.patchFeatures(), true));
    torch::nn::ModuleList ada;
    final_adaLN = Linear(A, D, true);
    ada->push_back(torch::nn::SiLU());
    ada->push_back(final_adaLN);
    fl->register_module("adaLN_modulation", ada);
    register_module("final_layer", fl);
  }
  rope_ = std::make_shared<nextdit::RopeTables>(cfg_.axesDims, cfg_.ropeTheta);
  // [NB TimestepEmbedder: exp(-ln(10000) * arange(half, float32) / half)]
  const int64_t half = cfg_.timeFreqDim / 2;
  tFreqs_ = torch::exp(-std::log(10000.0) * torch::arange(0, half, torch::kFloat32) / static_cast<double>(half));
}

int64_t NextDiTImpl::parameterCount() const {
  int64_t n = 0;
  for (const auto& p : parameters(true)) n += p.numel();
  return n;
}

namespace {
/// The four linears of a block that FP8 precision quantises.
std::vector<Linear> blockLinears(const JointBlock& b) {
  return {b->attention->qkv, b->attention->out, b->feed_forward->w13, b->feed_forward->w2};
}
}  // namespace

void NextDiTImpl::quantizeLinearsFp8() {
  // One element in the compute dtype on the model's device, expanded: the freed weights keep their shape.
  const auto one = torch::zeros({1}, torch::TensorOptions().device(device_).dtype(dtype_));
  for (const auto* list : {&contextRefiner, &noiseRefiner, &layers})
    for (const auto& b : *list)
      for (auto& lin : blockLinears(b)) {
        if (lin->fp8) continue;
        lin->fp8 = std::make_shared<const Fp8Weight>(quantizeWeightFp8(lin->weight));
        lin->weight.set_data(one.expand(lin->weight.sizes()));
      }
}

bool NextDiTImpl::fp8Linears() const {
  for (const auto* list : {&contextRefiner, &noiseRefiner, &layers})
    for (const auto& b : *list)
      if (b->attention->qkv->fp8) return true;
  return false;
}

void NextDiTImpl::finishWeights() {
  const int64_t D = cfg_.dim;
  // New weights were loaded: drop any fp8 copies of the old ones.
  for (const auto* list : {&contextRefiner, &noiseRefiner, &layers})
    for (const auto& b : *list)
      for (auto& lin : blockLinears(b)) lin->fp8.reset();
  std::vector<JointBlock> mod(noiseRefiner);
  mod.insert(mod.end(), layers.begin(), layers.end());
  // One GEMM for every adaLN of the forward: stack the weights, then make the parameters views into it.
  std::vector<Tensor> ws, bs, nin, nout;
  for (auto& b : mod) {
    ws.push_back(b->adaLN->weight);
    bs.push_back(b->adaLN->bias);
    nin.push_back(torch::stack({b->attention_norm1->weight, b->ffn_norm1->weight}));
    nout.push_back(torch::stack({b->attention_norm2->weight, b->ffn_norm2->weight}));
  }
  ws.push_back(final_adaLN->weight);
  bs.push_back(final_adaLN->bias);
  adaW_ = torch::cat(ws, 0);
  adaB_ = torch::cat(bs, 0);
  final_adaLN->weight.set_data(adaW_.narrow(0, static_cast<int64_t>(mod.size()) * 4 * D, D));
  final_adaLN->bias.set_data(adaB_.narrow(0, static_cast<int64_t>(mod.size()) * 4 * D, D));
  if (!mod.empty()) {
    normIn_ = torch::stack(nin);    // [nb, 2, D]
    normOut_ = torch::stack(nout);  // [nb, 2, D]
  } else {
    normIn_ = normOut_ = torch::empty({0, 2, D}, adaW_.options());
  }
  for (size_t k = 0; k < mod.size(); ++k) {
    const int64_t i = static_cast<int64_t>(k);
    auto& b = mod[k];
    b->adaLN->weight.set_data(adaW_.narrow(0, i * 4 * D, 4 * D));
    b->adaLN->bias.set_data(adaB_.narrow(0, i * 4 * D, 4 * D));
    b->attention_norm1->weight.set_data(normIn_[i][0]);
    b->ffn_norm1->weight.set_data(normIn_[i][1]);
    b->attention_norm2->weight.set_data(normOut_[i][0]);
    b->ffn_norm2->weight.set_data(normOut_[i][1]);
  }
  for (auto& b : contextRefiner) b->attention->prepare();
  for (auto& b : mod) b->attention->prepare();
  tFreqs_ = tFreqs_.to(device_);
}

std::vector<int64_t> captionLengths(const torch::Tensor& mask) {
  if (mask.dim() != 2) throw std::invalid_argument("caption mask must be [B, L], got " + sizesStr(mask));
  auto m = mask.to(torch::kCPU, torch::kInt64).contiguous();
  const int64_t B = m.size(0), L = m.size(1);
  const int64_t* p = m.data_ptr<int64_t>();
  std::vector<int64_t> lens(static_cast<size_t>(B));
  for (int64_t b = 0; b < B; ++b) {
    int64_t n = 0;
    while (n < L && p[b * L + n] != 0) ++n;
    for (int64_t j = n; j < L; ++j)
      if (p[b * L + j] != 0)
        throw std::invalid_argument("caption mask row " + std::to_string(b) +
                                    " is not right-padded (a valid token at " + std::to_string(j) +
                                    " after padding at " + std::to_string(n) + ")");
    if (n == 0) throw std::invalid_argument("caption mask row " + std::to_string(b) + " has no valid token");
    lens[static_cast<size_t>(b)] = n;
  }
  return lens;
}

NextDiTImpl::Conditioning NextDiTImpl::condition(const Tensor& t, const Tensor& pooled, ForwardTrace* trace) const {
  const int64_t B = t.size(0), D = cfg_.dim;
  const int64_t nb = static_cast<int64_t>(noiseRefiner.size() + layers.size());
  // Timestep embedding: t in [0,1] (not x1000). args: [B, half] float32
  auto args = t.to(device_, torch::kFloat32).unsqueeze(1) * tFreqs_.unsqueeze(0);
  auto emb = torch::cat({torch::cos(args), torch::sin(args)}, -1).to(dtype_);  // [B, 256]
  auto tEmb = t_mlp2->forward(torch::silu(t_mlp0->forward(emb)));           // [B, A]
  Tensor adaln = tEmb, clipEmb;
  if (cfg_.clipTextDim > 0) {
    clipEmb = clip_linear->forward(nextdit::rmsNorm(pooled.to(device_, dtype_), clip_norm->weight, cfg_.qkNormEps));
    adaln = time_text->forward(torch::silu(torch::cat({tEmb, clipEmb}, -1)));  // replaces t_emb
  }
  if (trace) {
    trace->tEmb = tEmb;
    trace->clipEmb = clipEmb;
    trace->adaln = adaln;
  }
  auto ada = torch::linear(torch::silu(adaln), adaW_, adaB_);  // [B, (nb*4+1)*D]
  // chunk order per block: scale_msa | gate_msa | scale_mlp | gate_mlp -> [B, nb, (msa, mlp), (scale, gate), D]
  auto m = ada.narrow(1, 0, nb * 4 * D).view({B, nb, 2, 2, D});
  Conditioning c;
  c.inF = (m.select(3, 0) + 1).mul_(normIn_);
  c.outF = m.select(3, 1).tanh().mul_(normOut_);
  c.finalScale = ada.narrow(1, nb * 4 * D, D) + 1;
  return c;
}

Tensor NextDiTImpl::forward(const Tensor& x, const Tensor& t, const Tensor& capFeats,
                            const std::vector<int64_t>& capLensIn, const Tensor& pooled, ForwardTrace* trace,
                            CaptionBatching batching) {
  const int64_t p = cfg_.patchSize, C = cfg_.inChannels, D = cfg_.dim;
  auto bad = [](const std::string& m) { throw std::invalid_argument("Next-DiT forward: " + m); };
  if (!adaW_.defined()) bad("weights are not loaded");
  if (x.dim() != 4 || x.size(1) != C || x.size(2) % p || x.size(3) % p || x.size(2) == 0 || x.size(3) == 0)
    bad("x must be [B, " + std::to_string(C) + ", H', W'] with H', W' multiples of " + std::to_string(p) +
        ", got " + sizesStr(x));
  const int64_t B = x.size(0), Hl = x.size(2), Wl = x.size(3), hp = Hl / p, wp = Wl / p, N = hp * wp;
  if (t.dim() != 1 || t.size(0) != B) bad("t must be [" + std::to_string(B) + "], got " + sizesStr(t));
  if (capFeats.dim() != 3 || capFeats.size(0) != B || capFeats.size(2) != cfg_.capFeatDim)
    bad("cap_feats must be [" + std::to_string(B) + ", L, " + std::to_string(cfg_.capFeatDim) + "], got " +
        sizesStr(capFeats));
  if (cfg_.clipTextDim > 0 && (!pooled.defined() || pooled.dim() != 2 || pooled.size(0) != B ||
                               pooled.size(1) != cfg_.clipTextDim))
    bad("pooled must be [" + std::to_string(B) + ", " + std::to_string(cfg_.clipTextDim) + "], got " +
        (pooled.defined() ? sizesStr(pooled) : std::string("nothing")));
  const int64_t L = capFeats.size(1);
  std::vector<int64_t> lens = capLensIn.empty() ? std::vector<int64_t>(static_cast<size_t>(B), L) : capLensIn;
  if (static_cast<int64_t>(lens.size()) != B)
    bad(std::to_string(lens.size()) + " caption lengths for a batch of " + std::to_string(B));
  for (int64_t l : lens)
    if (l < 1 || l > L) bad("caption length " + std::to_string(l) + " outside [1, " + std::to_string(L) + "]");
  const int64_t Lmax = *std::max_element(lens.begin(), lens.end());

  Conditioning cond = condition(t, pooled, trace);
  // Patchify: [B, C, H', W'] -> [B, hp, wp, py, px, C] -> [B, N, p*p*C]
  auto patches = x.to(device_, dtype_).view({B, C, hp, p, wp, p}).permute({0, 2, 4, 3, 5, 1}).reshape({B, N, p * p * C});
  auto img = x_embedder->forward(patches);  // [B, N, D]
  auto cap = cap_linear->forward(
      nextdit::rmsNorm(capFeats.narrow(1, 0, Lmax).to(device_, dtype_), cap_norm->weight, cfg_.normEps));  // [B, Lmax, D]
  if (trace) {
    trace->capEmbedded = cap.clone();
    trace->imgEmbedded = img.clone();
  }

  // Group samples: one pass per distinct caption length (no mask), or one padded pass.
  std::map<int64_t, std::vector<int64_t>> groups;
  if (batching == CaptionBatching::PaddedMask) {
    for (int64_t b = 0; b < B; ++b) groups[Lmax].push_back(b);
  } else {
    for (int64_t b = 0; b < B; ++b) groups[lens[static_cast<size_t>(b)]].push_back(b);
  }
  Tensor tokens;  // [B, N, p*p*C]
  if (groups.size() == 1) {
    Pass ps{img, cap, lens, cond, hp, wp};
    tokens = runPass(ps, trace);
  } else {
    tokens = torch::empty({B, N, p * p * C}, img.options());
    for (auto& [len, idx] : groups) {
      auto idxT = torch::tensor(idx, torch::kInt64).to(device_);
      Pass ps;
      ps.img = img.index_select(0, idxT);
      ps.cap = cap.index_select(0, idxT).narrow(1, 0, len).contiguous();
      ps.lens.assign(idx.size(), len);
      ps.cond = {cond.inF.index_select(0, idxT), cond.outF.index_select(0, idxT),
                 cond.finalScale.index_select(0, idxT)};
      ps.hp = hp;
      ps.wp = wp;
      ForwardTrace gt;
      tokens.index_copy_(0, idxT, runPass(ps, trace ? &gt : nullptr));
      if (trace) {
        scatterRows(trace->afterContextRefiner, gt.afterContextRefiner, idx, B, Lmax);
        scatterRows(trace->afterNoiseRefiner, gt.afterNoiseRefiner, idx, B, N);
        trace->afterLayer.resize(gt.afterLayer.size());
        for (size_t k = 0; k < gt.afterLayer.size(); ++k)
          scatterRows(trace->afterLayer[k], gt.afterLayer[k], idx, B, Lmax + N);
        scatterRows(trace->finalLayerTokens, gt.finalLayerTokens, idx, B, Lmax + N);
        if (!trace->freqsCis.defined()) {
          trace->freqsCis = torch::zeros({B, Lmax + N, cfg_.headDim() / 2, 2});
          trace->freqsCis.select(3, 0).fill_(1.0);  // padded slots: position 0 -> (1, 0) as in NB
        }
        scatterRows(trace->positionIds, gt.positionIds, idx, B, Lmax + N);
        scatterRows(trace->freqsCis, gt.freqsCis, idx, B, Lmax + N);
      }
    }
  }
  // Unpatchify: [B, N, (py, px, C)] -> [B, C, hp, py, wp, px] -> [B, C, H', W']
  auto out = tokens.view({B, hp, wp, p, p, C}).permute({0, 5, 1, 3, 2, 4}).reshape({B, C, Hl, Wl});
  (void)D;
  return out.to(x.scalar_type());
}

Tensor NextDiTImpl::runPass(const Pass& ps, ForwardTrace* trace) const {
  const int64_t G = ps.img.size(0), N = ps.img.size(1), D = cfg_.dim, half = cfg_.headDim() / 2;
  const int64_t Lmax = *std::max_element(ps.lens.begin(), ps.lens.end());
  const bool equal = std::all_of(ps.lens.begin(), ps.lens.end(), [&](int64_t l) { return l == Lmax; });
  const int64_t S = Lmax + N;
  const int64_t nRef = static_cast<int64_t>(noiseRefiner.size());
  auto scales = [&](int64_t k) {
    auto in = ps.cond.inF.select(1, k), out = ps.cond.outF.select(1, k);  // [G, 2, D]
    return BlockScales{in.select(1, 0).unsqueeze(1), out.select(1, 0).unsqueeze(1), in.select(1, 1).unsqueeze(1),
                       out.select(1, 1).unsqueeze(1)};
  };
  auto table = rope_->joint(Lmax, ps.hp, ps.wp, device_);  // complex [Lmax + N, half]

  // Masks (only with unequal lengths): bool [G, 1, 1, len] true = valid key.
  Tensor capMask, seqMask;
  if (!equal) {
    auto lensT = torch::tensor(ps.lens, torch::kInt64).view({G, 1, 1, 1});
    capMask = (torch::arange(Lmax, torch::kInt64).view({1, 1, 1, Lmax}) < lensT).to(device_);
    seqMask = (torch::arange(S, torch::kInt64).view({1, 1, 1, S}) < lensT + N).to(device_);
  }

  // Context refiner over the captions (caption cis rows (i, 0, 0) are shared by every sample).
  Tensor cap = ps.cap;  // [G, Lmax, D]
  const auto capCis = table.narrow(0, 0, Lmax).view({1, Lmax, 1, half});
  for (const auto& b : contextRefiner) b->forward(cap, capCis, capMask, b->plainScales());

  // Image cis: axis 0 = the sample's caption length.
  Tensor imgCis, seqCis;
  std::vector<Tensor> perSampleIds;
  if (equal) {
    imgCis = table.narrow(0, Lmax, N).view({1, N, 1, half});
    seqCis = table.view({1, S, 1, half});
  } else {
    std::vector<Tensor> ic, sc;
    for (int64_t l : ps.lens) {
      auto tb = rope_->joint(l, ps.hp, ps.wp, device_);
      ic.push_back(tb.narrow(0, l, N));
      // padded slots: position (0,0,0) -> factor 1 (NB)
      auto ones = torch::ones({S - l - N, half}, tb.options());
      sc.push_back(torch::cat({tb, ones}, 0));
    }
    imgCis = torch::stack(ic).view({G, N, 1, half});
    seqCis = torch::stack(sc).view({G, S, 1, half});
  }
  Tensor img = ps.img;  // [G, N, D]
  for (int64_t k = 0; k < nRef; ++k) noiseRefiner[k]->forward(img, imgCis, Tensor(), scales(k));
  if (trace) {
    trace->afterContextRefiner = cap.clone();
    trace->afterNoiseRefiner = img.clone();
    std::vector<Tensor> ids;
    for (int64_t l : ps.lens) {
      auto id = nextdit::RopeTables::jointPositionIds(l, ps.hp, ps.wp);
      ids.push_back(torch::cat({id, torch::zeros({S - l - N, 3}, id.options())}, 0));
    }
    trace->positionIds = torch::stack(ids);  // [G, S, 3] int32
    trace->freqsCis = rope_->factorsForIds(trace->positionIds.view({G * S, 3})).view({G, S, half, 2});
  }

  // Join: [cap[:len]; img; padding] per sample.
  Tensor seq;
  if (equal) {
    seq = torch::cat({cap, img}, 1);  // [G, S, D]
  } else {
    seq = torch::zeros({G, S, D}, img.options());
    for (int64_t g = 0; g < G; ++g) {
      const int64_t l = ps.lens[static_cast<size_t>(g)];
      seq[g].narrow(0, 0, l).copy_(cap[g].narrow(0, 0, l));
      seq[g].narrow(0, l, N).copy_(img[g]);
    }
  }
  if (trace) trace->afterLayer.clear();
  for (size_t k = 0; k < layers.size(); ++k) {
    layers[k]->forward(seq, seqCis, seqMask, scales(nRef + static_cast<int64_t>(k)));
    if (trace) trace->afterLayer.push_back(seq.clone());
  }

  // Final layer: LayerNorm (no affine, eps 1e-6) * (1 + scale), then Linear; image tokens only.
  auto finalLayer = [&](const Tensor& h) {
    auto n = at::layer_norm(h, {D}, {}, {}, 1e-6);
    return final_linear->forward(n.mul_(ps.cond.finalScale.unsqueeze(1)));
  };
  auto imageTokens = [&](const Tensor& s) {
    if (equal) return s.narrow(1, Lmax, N);
    std::vector<Tensor> v;
    for (int64_t g = 0; g < G; ++g) v.push_back(s[g].narrow(0, ps.lens[static_cast<size_t>(g)], N));
    return torch::stack(v);
  };
  if (trace) {
    trace->finalLayerTokens = finalLayer(seq);
    return imageTokens(trace->finalLayerTokens).contiguous();
  }
  return finalLayer(imageTokens(seq));  // [G, N, p*p*C]
}

}  // namespace newbie::models
