// newbie-cli inspect PATH... [--json]: the detected layout and every component.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli.h"
#include "io/model_locator.h"

namespace fs = std::filesystem;

namespace newbie::cli {

namespace {

void usage() {
  std::fprintf(stderr,
               "usage: newbie-cli inspect PATH... [--json]\n\n"
               "PATH is a model folder (official NewBie-image-Exp0.1 or diffusers layout), a ComfyUI models/\n"
               "folder, or the ComfyUI files themselves (diffusion model, gemma_3_4b_it, jina_clip_v2, ae).\n"
               "Prints the layout and, per component, file(s), key naming, dtypes, tensor and parameter\n"
               "counts and the configuration derived from the tensor shapes. --json prints one JSON object.\n");
}

std::string human(int64_t n) {
  char buf[32];
  if (n >= 1000000000) std::snprintf(buf, sizeof buf, "%.2f B", n / 1e9);
  else if (n >= 1000000) std::snprintf(buf, sizeof buf, "%.2f M", n / 1e6);
  else if (n >= 1000) std::snprintf(buf, sizeof buf, "%.1f K", n / 1e3);
  else std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(n));
  return buf;
}

// The architecture keys first (in this order), everything else after.
const char* const kPrimary[] = {"dim", "hidden_size", "n_layers", "num_hidden_layers", "n_refiner_layers",
                                "n_context_refiner_layers", "n_heads", "num_attention_heads", "n_kv_heads",
                                "num_key_value_heads", "head_dim", "ffn_dim", "intermediate_size", "vocab_size",
                                "cap_feat_dim", "clip_text_dim", "adaln_dim", "in_channels", "patch_size",
                                "latent_channels", "block_out_channels", "layers_per_block", "lora_rank", "lora_alpha"};

std::string item(const std::string& k, const nlohmann::json& v) {
  return k + " " + (v.is_string() ? v.get<std::string>() : v.dump());
}

std::string configLine(const nlohmann::json& cfg, bool primary) {
  std::string s;
  auto add = [&](const std::string& t) { s += (s.empty() ? "" : ", ") + t; };
  if (primary) {
    for (const char* k : kPrimary)
      if (cfg.contains(k)) add(item(k, cfg[k]));
    return s;
  }
  for (auto it = cfg.begin(); it != cfg.end(); ++it) {
    bool isPrimary = false;
    for (const char* k : kPrimary) isPrimary = isPrimary || it.key() == k;
    if (isPrimary || it.key().find("_source") != std::string::npos) continue;
    add(item(it.key(), *it));
  }
  return s;
}

void printComponent(const char* title, const io::WeightsComponent& c) {
  std::printf("%s\n", title);
  std::printf("  naming:     %s [%s]%s\n", io::namingDescription(c.naming), io::namingName(c.naming),
              c.keyPrefix.empty() ? "" : (", key prefix '" + c.keyPrefix + "'").c_str());
  if (!c.index.empty()) std::printf("  index:      %s\n", c.index.string().c_str());
  for (std::size_t i = 0; i < c.files.size(); ++i)
    std::printf("  %s %s\n", i == 0 ? (c.files.size() > 1 ? "files:     " : "file:      ") : "           ",
                c.files[i].string().c_str());
  if (!c.configFile.empty()) std::printf("  config.json: %s\n", c.configFile.string().c_str());
  std::string dtypes;
  for (const auto& d : c.dtypes) dtypes += (dtypes.empty() ? "" : ", ") + d;
  std::printf("  dtypes:     %s\n", dtypes.c_str());
  std::printf("  tensors:    %lld", static_cast<long long>(c.tensorCount));
  if (c.ignoredTensors) std::printf(" (+%lld unused, e.g. vision tower)", static_cast<long long>(c.ignoredTensors));
  std::printf("\n  parameters: %lld (%s)\n", static_cast<long long>(c.parameterCount), human(c.parameterCount).c_str());
  std::printf("  architecture (%s): %s\n", c.configSource.c_str(), configLine(c.config, true).c_str());
  const std::string other = configLine(c.config, false);
  if (!other.empty()) std::printf("  other config: %s\n", other.c_str());
  if (c.config.contains("num_attention_heads_source") && c.config["num_attention_heads_source"] != "config.json")
    std::printf("  note:       num_attention_heads %s\n", c.config["num_attention_heads_source"].get<std::string>().c_str());
}

void printTokenizer(const char* title, const io::TokenizerComponent& t) {
  std::printf("%s: %s\n", title, t.preferredSource().c_str());
  if (!t.tokenizerJson.empty()) std::printf("  tokenizer.json:     %s\n", t.tokenizerJson.string().c_str());
  if (!t.sentencepieceModel.empty()) std::printf("  sentencepiece:      %s\n", t.sentencepieceModel.string().c_str());
  if (!t.embeddedIn.empty())
    std::printf("  embedded proto:     tensor '%s' in %s\n", t.embeddedTensor.c_str(), t.embeddedIn.string().c_str());
}

}  // namespace

int cmdInspect(const Args& args) {
  bool json = false;
  std::vector<fs::path> paths;
  for (const auto& a : args) {
    if (a == "--json") json = true;
    else if (a == "--help" || a == "-h") {
      usage();
      return 0;
    } else if (a.rfind("--", 0) == 0) {
      std::fprintf(stderr, "newbie-cli inspect: unknown option '%s' (see newbie-cli inspect --help)\n", a.c_str());
      return 2;
    } else {
      paths.emplace_back(a);
    }
  }
  if (paths.empty()) {
    std::fprintf(stderr, "newbie-cli inspect: no PATH given (see newbie-cli inspect --help)\n");
    return 2;
  }
  const io::ModelLocation loc = io::locateModel(paths);  // errors: one line via main()
  if (json) {
    std::cout << io::toJson(loc).dump(2) << std::endl;
    return 0;
  }
  std::printf("layout:     %s%s\n", io::layoutName(loc.layout), loc.isDemo ? " (NewBie Studio demo model: random weights)" : "");
  if (!loc.root.empty()) std::printf("root:       %s\n", loc.root.string().c_str());
  if (!loc.modelIndex.empty()) std::printf("model_index: %s\n", loc.modelIndex.string().c_str());
  if (!loc.schedulerConfig.empty()) std::printf("scheduler:  %s\n", loc.schedulerConfig.string().c_str());
  std::printf("\n");
  printComponent("transformer (NextDiT_CLIP)", loc.transformer);
  printComponent("gemma text encoder (Gemma-3)", loc.gemma);
  printComponent("jina text encoder (Jina CLIP v2 text tower)", loc.jina);
  printComponent("vae (FLUX AutoencoderKL)", loc.vae);
  std::printf("\n");
  printTokenizer("gemma tokenizer", loc.gemmaTokenizer);
  printTokenizer("jina tokenizer", loc.jinaTokenizer);
  if (!loc.notes.empty()) {
    std::printf("\nnotes:\n");
    for (const auto& n : loc.notes) std::printf("  %s\n", n.c_str());
  }
  return 0;
}

}  // namespace newbie::cli
