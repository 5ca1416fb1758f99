// newbie-cli encode: the text side alone (tokens, Gemma features, Jina pooled vector).
#include <cstdio>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "args.h"
#include "io/safetensors.h"
#include "pipeline.h"

namespace newbie::cli {

int cmdEncode(const Args& args) {
  ArgParser a(args,
              {"--model", "--prompt-file", "--prompt", "--negative-file", "--negative", "--system-prompt",
               "--system-preset", "--precision", "--device", "--encoders", "--out"},
              {"--help", "--comfy-compatible", "--json", "--negative-only"});
  if (a.has("--help")) {
    std::puts(
        "usage: newbie-cli encode --model DIR|FILE... (--prompt-file F | --prompt TEXT) [--negative-file F]\n"
        "         [--system-prompt TEXT | --system-preset NAME] [--comfy-compatible] [--precision P] [--device D]\n"
        "         [--out F.safetensors] [--json]\n"
        "Prints token counts (Gemma limit 512), truncation and timing; --out writes cap_feats, pooled and the ids\n"
        "(gemma_ids, jina_ids) of the prompt and, with a negative, neg_* of the negative.");
    return 0;
  }
  const auto models = modelPathsFromArgs(a);
  GenerationParams p;
  promptFromArgs(a, p);
  const LoadOptions lo = loadOptionsFromArgs(a);
  auto pipeline = Pipeline::load(models, lo);

  const bool withNeg = a.has("--negative-file") || a.has("--negative");
  std::map<std::string, torch::Tensor> out;
  nlohmann::json report = nlohmann::json::object();
  auto one = [&](bool negative, const std::string& prefix) {
    EncodeResult r = pipeline->encode(p, negative);
    report[negative ? "negative" : "prompt"] = {{"gemma_tokens", r.gemmaIds.size()},
                                                {"gemma_tokens_before_truncation", r.gemmaTokensBeforeTruncation},
                                                {"truncated", r.truncated},
                                                {"jina_tokens", r.jinaIds.size()},
                                                {"system_prompt", r.systemPrompt},
                                                {"cap_feats_shape", r.capShape},
                                                {"pooled_shape", r.pooledShape},
                                                {"ms", r.ms},
                                                {"cache_hit", r.cacheHit}};
    out[prefix + "cap_feats"] = torch::from_blob(r.capFeats.data(), r.capShape, torch::kFloat32).clone();
    out[prefix + "pooled"] = torch::from_blob(r.pooled.data(), r.pooledShape, torch::kFloat32).clone();
    out[prefix + "gemma_ids"] = torch::tensor(r.gemmaIds, torch::kInt64);
    out[prefix + "jina_ids"] = torch::tensor(r.jinaIds, torch::kInt64);
  };
  if (!a.has("--negative-only")) one(false, "");
  if (withNeg || a.has("--negative-only")) one(true, "neg_");
  if (a.has("--out")) io::saveSafetensors(a.get("--out"), out, {{"format", "pt"}});
  if (a.has("--json")) {
    std::puts(report.dump(1).c_str());
  } else {
    for (auto it = report.begin(); it != report.end(); ++it) {
      const auto& r = it.value();
      std::printf("%-8s Gemma %d/512 tokens%s, Jina %d tokens, features %s, pooled %s, %.1f ms%s\n", it.key().c_str(),
                  r["gemma_tokens_before_truncation"].get<int>(),
                  r["truncated"].get<bool>() ? " (TRUNCATED to 512)" : "", static_cast<int>(r["jina_tokens"]),
                  r["cap_feats_shape"].dump().c_str(), r["pooled_shape"].dump().c_str(), r["ms"].get<double>(),
                  r["cache_hit"].get<bool>() ? " (cache hit)" : "");
    }
  }
  return 0;
}

}  // namespace newbie::cli
