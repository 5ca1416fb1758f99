#include "demo_model.h"

#include <fstream>
#include <map>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>
#include "log/log.h"
#include <torch/torch.h>

#include "io/safetensors.h"
#include "model_save.h"
#include "text/prompt.h"
#include "text/tokenizer.h"
#include "text/tokenizer_trainer.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace newbie {
namespace {

// Demo sizes: the real layer structure, tiny widths (fast on two CPU cores at 512²).
constexpr int kGemmaHidden = 64, kGemmaInter = 128, kGemmaLayers = 4, kGemmaHeads = 4, kGemmaKv = 2, kGemmaHeadDim = 16;
constexpr int kJinaHidden = 32, kJinaLayers = 2, kJinaHeads = 2, kJinaFfn = 128, kLoraRank = 4;
constexpr int kDitDim = 96, kDitLayers = 2, kDitHeads = 4, kDitKv = 2, kDitFfn = 384;  // 4·dim (multiple_of 32)  // head_dim 24 = 8+8+8
const std::vector<int64_t> kVaeChannels = {16, 32, 64, 64};
constexpr int kVaeGroups = 8;

class Weights {
 public:
  explicit Weights(uint64_t seed) : gen_(at::detail::createCPUGenerator(seed)) {}
  torch::Tensor normal(std::vector<int64_t> shape, double std, double mean = 0.0) {
    return at::normal(mean, std, shape, gen_);
  }
  void linear(const std::string& name, int64_t out, int64_t in, bool bias) {
    t_[name + ".weight"] = normal({out, in}, 1.0 / std::sqrt(static_cast<double>(in)));
    if (bias) t_[name + ".bias"] = normal({out}, 0.02);
  }
  void conv(const std::string& name, int64_t out, int64_t in, int64_t k) {
    t_[name + ".weight"] = normal({out, in, k, k}, 1.0 / std::sqrt(static_cast<double>(in * k * k)));
    t_[name + ".bias"] = normal({out}, 0.02);
  }
  void vec(const std::string& name, int64_t n, double mean, double std) { t_[name] = normal({n}, std, mean); }
  std::map<std::string, torch::Tensor>& tensors() { return t_; }

 private:
  at::Generator gen_;
  std::map<std::string, torch::Tensor> t_;
};

// Training text for the demo tokenizers: the system prompts, the XML dialect, common tags.
std::vector<std::string> demoCorpus() {
  std::vector<std::string> c;
  for (const auto& p : text::systemPromptPresets()) c.push_back(p.text);
  const char* xml =
      "<character_1>\n<n>$character_1$</n>\n<gender>1girl</gender>\n<appearance>long hair, blue eyes, "
      "red_eyes, blue_hair, ahoge, twintails, short hair, silver hair</appearance>\n<clothing>school_uniform, "
      "serafuku, white_shirt, pleated_skirt, thighhighs, witch hat, black dress, kimono, hoodie</clothing>\n"
      "<body_type>slender, petite</body_type>\n<expression>smile, happy, closed_mouth, open mouth, blush"
      "</expression>\n<action>standing, sitting, waving, holding, looking at viewer</action>\n<interaction>"
      "holding hands</interaction>\n<position>center_left, center_right, center, foreground</position>\n"
      "</character_1>\n\n<general_tags>\n<count>1girl, 2girls, solo, multiple_girls</count>\n<artists>"
      "artist:name</artists>\n<style>anime_style, digital_art, illustration, watercolor</style>\n<background>"
      "white_background, simple_background, outdoors, indoors, night sky, cherry_blossoms</background>\n"
      "<environment>city, forest, beach, classroom, rain, snow</environment>\n<perspective>from below, from above,"
      " dutch angle, close-up, full body, cowboy shot</perspective>\n<atmosphere>cheerful, calm, mysterious, epic"
      "</atmosphere>\n<lighting>dramatic lighting, soft lighting, backlighting, sunset</lighting>\n<resolution>"
      "max_high_resolution</resolution>\n<quality>masterpiece, best quality, very aesthetic, high_resolution, "
      "detailed, newest, absurdres</quality>\n<objects>briefcase, umbrella, book, sword, flower</objects>\n"
      "<other>alternate_costume, no text</other>\n</general_tags>\n<caption>A girl with long blue hair stands "
      "under cherry blossoms in soft evening light.</caption>";
  for (int i = 0; i < 4; ++i) c.push_back(xml);
  c.push_back("low quality, worst quality, blurry, bad anatomy, extra fingers, jpeg artifacts, watermark, text");
  c.push_back("1girl, solo, smile, long hair, looking at viewer, upper body, 0123456789");
  c.push_back("一个女孩 樱花 蓝色头发 微笑 杰作 最佳质量 夜空 城市 猫耳 和服");
  c.push_back("女の子 桜 青い髪 笑顔 傑作");
  return c;
}

int64_t trainTokenizer(bool gemmaStyle, const std::vector<std::string>& corpus, const fs::path& out, int vocab) {
  text::TokenizerTrainerOptions o;
  o.vocabSize = vocab;
  const std::string jsonText = gemmaStyle ? text::trainGemmaStyleBpe(corpus, o) : text::trainXlmrStyleUnigram(corpus, o);
  {
    std::ofstream f(out, std::ios::binary | std::ios::trunc);
    if (!f) throw std::runtime_error(out.string() + ": cannot write");
    f << jsonText;
  }
  return text::Tokenizer::fromTokenizerJsonText(jsonText, out.string())->vocabSize();
}

void writeTransformer(const fs::path& dir, int64_t capDim, int64_t clipDim, uint64_t seed) {
  Weights w(seed);
  const int64_t hd = kDitDim / kDitHeads, adaln = std::min(kDitDim, 1024);
  w.linear("x_embedder", kDitDim, 64, true);
  w.linear("t_embedder.mlp.0", adaln, 256, true);
  w.linear("t_embedder.mlp.2", adaln, adaln, true);
  w.vec("cap_embedder.0.weight", capDim, 1.0, 0.2);
  w.linear("cap_embedder.1", kDitDim, capDim, true);
  w.vec("clip_text_pooled_proj.0.weight", clipDim, 1.0, 0.2);
  w.linear("clip_text_pooled_proj.1", clipDim, clipDim, true);
  w.linear("time_text_embed.1", adaln, adaln + clipDim, true);
  w.vec("norm_final.weight", kDitDim, 1.0, 0.0);
  w.linear("final_layer.linear", 64, kDitDim, true);
  w.linear("final_layer.adaLN_modulation.1", kDitDim, adaln, true);
  auto block = [&](const std::string& p, bool modulated) {
    w.linear(p + ".attention.qkv", (kDitHeads + 2 * kDitKv) * hd, kDitDim, false);
    w.linear(p + ".attention.out", kDitDim, kDitHeads * hd, false);
    w.vec(p + ".attention.q_norm.weight", hd, 1.0, 0.2);
    w.vec(p + ".attention.k_norm.weight", hd, 1.0, 0.2);
    w.linear(p + ".feed_forward.w1", kDitFfn, kDitDim, false);
    w.linear(p + ".feed_forward.w2", kDitDim, kDitFfn, false);
    w.linear(p + ".feed_forward.w3", kDitFfn, kDitDim, false);
    for (const char* n : {".attention_norm1", ".ffn_norm1", ".attention_norm2", ".ffn_norm2"})
      w.vec(p + n + ".weight", kDitDim, 1.0, 0.2);
    if (modulated) w.linear(p + ".adaLN_modulation.1", 4 * kDitDim, adaln, true);
  };
  for (int i = 0; i < 2; ++i) block("context_refiner." + std::to_string(i), false);
  for (int i = 0; i < 2; ++i) block("noise_refiner." + std::to_string(i), true);
  for (int i = 0; i < kDitLayers; ++i) block("layers." + std::to_string(i), true);
  fs::create_directories(dir);
  io::saveSafetensors(dir / "diffusion_pytorch_model.safetensors", w.tensors(), {{"format", "pt"}});
  writeJsonFile(dir / "config.json",
            {{"_class_name", "NextDiT_3B_GQA_patch2_Adaln_Refiner_WHIT_CLIP"}, {"model_type", "nextdit_clip"},
             {"patch_size", 2}, {"dim", kDitDim}, {"n_layers", kDitLayers}, {"n_heads", kDitHeads},
             {"n_kv_heads", kDitKv}, {"in_channels", 16}, {"axes_dims", {8, 8, 8}}, {"axes_lens", {1024, 512, 512}},
             {"clip_text_dim", clipDim}, {"clip_img_dim", clipDim}, {"n_refiner_layers", 2}, {"qk_norm", true},
             {"cap_feat_dim", capDim}, {"multiple_of", 32}, {"ffn_dim_multiplier", nullptr}, {"norm_eps", 1e-5},
             {"qk_norm_eps", 1e-5}, {"rope_theta", 10000.0}});
}

void writeGemma(const fs::path& dir, int64_t vocab, uint64_t seed) {
  Weights w(seed);
  const std::string p = "language_model.model.";
  w.tensors()[p + "embed_tokens.weight"] = w.normal({vocab, kGemmaHidden}, 0.05);
  for (int i = 0; i < kGemmaLayers; ++i) {
    const std::string l = p + "layers." + std::to_string(i) + ".";
    w.linear(l + "self_attn.q_proj", kGemmaHeads * kGemmaHeadDim, kGemmaHidden, false);
    w.linear(l + "self_attn.k_proj", kGemmaKv * kGemmaHeadDim, kGemmaHidden, false);
    w.linear(l + "self_attn.v_proj", kGemmaKv * kGemmaHeadDim, kGemmaHidden, false);
    w.linear(l + "self_attn.o_proj", kGemmaHidden, kGemmaHeads * kGemmaHeadDim, false);
    w.vec(l + "self_attn.q_norm.weight", kGemmaHeadDim, 0.0, 0.1);
    w.vec(l + "self_attn.k_norm.weight", kGemmaHeadDim, 0.0, 0.1);
    w.linear(l + "mlp.gate_proj", kGemmaInter, kGemmaHidden, false);
    w.linear(l + "mlp.up_proj", kGemmaInter, kGemmaHidden, false);
    w.linear(l + "mlp.down_proj", kGemmaHidden, kGemmaInter, false);
    for (const char* n : {"input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm",
                          "post_feedforward_layernorm"})
      w.vec(l + n + ".weight", kGemmaHidden, 0.0, 0.1);
  }
  w.vec(p + "norm.weight", kGemmaHidden, 0.0, 0.1);
  io::saveSafetensors(dir / "model.safetensors", w.tensors(), {{"format", "pt"}});
  json layerTypes = json::array();
  for (int i = 0; i < kGemmaLayers; ++i)
    layerTypes.push_back((i + 1) % 2 == 0 ? "full_attention" : "sliding_attention");
  writeJsonFile(dir / "config.json",
            {{"architectures", {"Gemma3ForConditionalGeneration"}},
             {"model_type", "gemma3"},
             {"torch_dtype", "float32"},
             {"text_config",
              {{"model_type", "gemma3_text"}, {"vocab_size", vocab}, {"hidden_size", kGemmaHidden},
               {"intermediate_size", kGemmaInter}, {"num_hidden_layers", kGemmaLayers},
               {"num_attention_heads", kGemmaHeads}, {"num_key_value_heads", kGemmaKv}, {"head_dim", kGemmaHeadDim},
               {"query_pre_attn_scalar", kGemmaHeadDim}, {"rms_norm_eps", 1e-6}, {"rope_theta", 1000000.0},
               {"rope_local_base_freq", 10000.0}, {"rope_scaling", {{"factor", 8.0}, {"rope_type", "linear"}}},
               {"sliding_window", 64}, {"sliding_window_pattern", 2}, {"layer_types", layerTypes},
               {"hidden_activation", "gelu_pytorch_tanh"}, {"pad_token_id", 0}, {"eos_token_id", 1},
               {"bos_token_id", 2}}}});
}

void writeJina(const fs::path& dir, int64_t vocab, uint64_t seed) {
  Weights w(seed);
  const std::string p = "text_model.transformer.roberta.";
  // HF jina-clip-v2 naming with retrieval.query LoRA parametrizations (merged at load).
  auto lora = [&](const std::string& name, int64_t out, int64_t in) {
    const std::string q = p + name + ".parametrizations.weight.";
    w.tensors()[q + "original"] = w.normal({out, in}, 1.0 / std::sqrt(static_cast<double>(in)));
    w.tensors()[q + "0.lora_A"] = w.normal({1, kLoraRank, in}, 0.02);
    w.tensors()[q + "0.lora_B"] = w.normal({1, out, kLoraRank}, 0.02);
  };
  auto loraEmb = [&](const std::string& name, int64_t num, int64_t dim) {
    const std::string q = p + name + ".parametrizations.weight.";
    w.tensors()[q + "original"] = w.normal({num, dim}, 0.5);
    w.tensors()[q + "0.lora_A"] = w.normal({1, num, kLoraRank}, 0.02);
    w.tensors()[q + "0.lora_B"] = w.normal({1, kLoraRank, dim}, 0.02);
  };
  loraEmb("embeddings.word_embeddings", vocab, kJinaHidden);
  loraEmb("embeddings.token_type_embeddings", 1, kJinaHidden);
  w.vec(p + "emb_ln.weight", kJinaHidden, 1.0, 0.1);
  w.vec(p + "emb_ln.bias", kJinaHidden, 0.0, 0.1);
  for (int i = 0; i < kJinaLayers; ++i) {
    const std::string l = "encoder.layers." + std::to_string(i) + ".";
    lora(l + "mixer.Wqkv", 3 * kJinaHidden, kJinaHidden);
    w.vec(p + l + "mixer.Wqkv.bias", 3 * kJinaHidden, 0.0, 0.02);
    lora(l + "mixer.out_proj", kJinaHidden, kJinaHidden);
    w.vec(p + l + "mixer.out_proj.bias", kJinaHidden, 0.0, 0.02);
    lora(l + "mlp.fc1", kJinaFfn, kJinaHidden);
    w.vec(p + l + "mlp.fc1.bias", kJinaFfn, 0.0, 0.02);
    lora(l + "mlp.fc2", kJinaHidden, kJinaFfn);
    w.vec(p + l + "mlp.fc2.bias", kJinaHidden, 0.0, 0.02);
    for (const char* n : {"norm1", "norm2"}) {
      w.vec(p + l + n + ".weight", kJinaHidden, 1.0, 0.1);
      w.vec(p + l + n + ".bias", kJinaHidden, 0.0, 0.1);
    }
  }
  w.tensors()["logit_scale"] = torch::tensor(2.6592f);
  io::saveSafetensors(dir / "model.safetensors", w.tensors(), {{"format", "pt"}});
  writeJsonFile(dir / "config.json",
            {{"architectures", {"JinaCLIPModel"}},
             {"model_type", "jina_clip"},
             {"add_projections", false},
             {"projection_dim", kJinaHidden},
             {"torch_dtype", "float32"},
             {"text_config",
              {{"hf_model_name_or_path", "jinaai/jina-embeddings-v3"},
               {"default_lora_task", "retrieval.query"},
               {"hf_model_config_kwargs",
                {{"load_trained_adapters", false},
                 {"lora_adaptations", {"retrieval.query"}},
                 {"lora_alpha", 4.0},
                 {"lora_rank", kLoraRank},
                 {"use_flash_attn", true},
                 {"_tiny_golden_architecture (demo model; the real one inherits jina-embeddings-v3)",
                  {{"vocab_size", vocab}, {"hidden_size", kJinaHidden}, {"num_hidden_layers", kJinaLayers},
                   {"num_attention_heads", kJinaHeads}, {"intermediate_size", kJinaFfn},
                   {"rotary_emb_base", 20000.0}, {"layer_norm_eps", 1e-5}, {"type_vocab_size", 1},
                   {"position_embedding_type", "rotary"}, {"pad_token_id", 1}, {"bos_token_id", 0},
                   {"eos_token_id", 2}}}}},
               {"pooler_type", "mean_pooler"},
               {"proj_type", nullptr},
               {"embed_dim", kJinaHidden}}}});
}

void writeVae(const fs::path& dir, uint64_t seed) {
  Weights w(seed);
  const auto& ch = kVaeChannels;
  auto gn = [&](const std::string& n, int64_t c) {
    w.vec(n + ".weight", c, 1.0, 0.1);
    w.vec(n + ".bias", c, 0.0, 0.1);
  };
  auto resnet = [&](const std::string& n, int64_t in, int64_t out) {
    gn(n + ".norm1", in);
    w.conv(n + ".conv1", out, in, 3);
    gn(n + ".norm2", out);
    w.conv(n + ".conv2", out, out, 3);
    if (in != out) w.conv(n + ".conv_shortcut", out, in, 1);
  };
  const int64_t top = ch.back();
  w.conv("decoder.conv_in", top, 16, 3);
  resnet("decoder.mid_block.resnets.0", top, top);
  gn("decoder.mid_block.attentions.0.group_norm", top);
  for (const char* n : {"to_q", "to_k", "to_v", "to_out.0"})
    w.linear(std::string("decoder.mid_block.attentions.0.") + n, top, top, true);
  resnet("decoder.mid_block.resnets.1", top, top);
  int64_t prev = top;
  for (int i = 0; i < 4; ++i) {
    const int64_t out = ch[3 - i];
    for (int j = 0; j < 3; ++j) {
      resnet("decoder.up_blocks." + std::to_string(i) + ".resnets." + std::to_string(j), j == 0 ? prev : out, out);
    }
    if (i < 3) w.conv("decoder.up_blocks." + std::to_string(i) + ".upsamplers.0.conv", out, out, 3);
    prev = out;
  }
  gn("decoder.conv_norm_out", ch[0]);
  w.conv("decoder.conv_out", 3, ch[0], 3);
  io::saveSafetensors(dir / "diffusion_pytorch_model.safetensors", w.tensors(), {{"format", "pt"}});
  writeJsonFile(dir / "config.json",
            {{"_class_name", "AutoencoderKL"}, {"act_fn", "silu"}, {"block_out_channels", ch},
             {"force_upcast", true}, {"in_channels", 3}, {"latent_channels", 16}, {"layers_per_block", 2},
             {"mid_block_add_attention", true}, {"norm_num_groups", kVaeGroups}, {"out_channels", 3},
             {"sample_size", 512}, {"scaling_factor", 0.3611}, {"shift_factor", 0.1159},
             {"use_post_quant_conv", false}, {"use_quant_conv", false}});
}

}  // namespace

void writeDemoModel(const fs::path& dir, const DemoModelOptions& options) {
  log::info("demo model: writing to {}", dir.string());
  for (const char* sub : {"transformer", "text_encoder", "clip_model", "vae"}) fs::create_directories(dir / sub);

  // Tokenizers first: their sizes fix the embedding rows.
  const auto corpus = demoCorpus();
  const int64_t gemmaVocab = trainTokenizer(true, corpus, dir / "text_encoder" / "tokenizer.json", 1200);
  const int64_t jinaVocab = trainTokenizer(false, corpus, dir / "clip_model" / "tokenizer.json", 1000);
  writeJsonFile(dir / "text_encoder" / "tokenizer_config.json",
            {{"tokenizer_class", "GemmaTokenizer"}, {"bos_token", "<bos>"}, {"eos_token", "<eos>"},
             {"pad_token", "<pad>"}, {"unk_token", "<unk>"}, {"padding_side", "right"}});
  writeJsonFile(dir / "clip_model" / "tokenizer_config.json",
            {{"tokenizer_class", "XLMRobertaTokenizer"}, {"bos_token", "<s>"}, {"eos_token", "</s>"},
             {"pad_token", "<pad>"}, {"unk_token", "<unk>"}, {"mask_token", "<mask>"}});

  writeGemma(dir / "text_encoder", gemmaVocab, options.seed + 1);
  writeJina(dir / "clip_model", jinaVocab, options.seed + 2);
  writeTransformer(dir / "transformer", kGemmaHidden, kJinaHidden, options.seed + 3);
  writeVae(dir / "vae", options.seed + 4);

  json index = officialModelIndex();
  index["_newbie_demo"] = true;
  writeJsonFile(dir / "model_index.json", index);
  writeJsonFile(dir / "newbie_demo.json",
            {{"demo", true},
             {"seed", options.seed},
             {"note", "NewBie Studio demo model: the real architecture with tiny widths and RANDOM weights. "
                      "It makes noise-like pictures; point the app at a real NewBie-image-Exp0.1 download for art."}});
}

bool isDemoModel(const fs::path& dir) {
  return fs::exists(dir / "newbie_demo.json") && fs::exists(dir / "transformer" / "diffusion_pytorch_model.safetensors") &&
         fs::exists(dir / "vae" / "diffusion_pytorch_model.safetensors");
}

}  // namespace newbie
