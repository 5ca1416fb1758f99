#pragma once
// Finds the components of a NewBie-image-Exp0.1 model on disk (MODEL-SPEC §1) and reports,
// per component, its files, the key naming detected from the safetensors headers, dtypes,
// tensor / parameter counts and its configuration.
//
// Accepted layouts:
//  - official: the NewBie-AI/NewBie-image-Exp0.1 folder (model_index.json, transformer/,
//    text_encoder/ (Gemma + tokenizer), clip_model/ (Jina + tokenizer), vae/);
//  - diffusers: transformer/, text_encoder/, tokenizer/, text_encoder_2/, tokenizer_2/,
//    scheduler/, vae/;
//  - comfyui: single files (diffusion model, gemma_3_4b_it, jina_clip_v2, FLUX ae), given
//    as files, as a folder holding them, or as a ComfyUI `models/` folder (diffusion_models/
//    or unet/, text_encoders/ or clip/, vae/). Roles are decided by the tensor names in the
//    headers, never by file names.
// In every component folder the weights are a `*.safetensors.index.json` with its shards,
// or any `*.safetensors` file(s). Pickle files are never opened.
//
// Nothing is read besides the headers (the files are memory-mapped; tensor data is only
// touched by whoever uses `store`). locateModel() is thread-safe; the result is a value.
#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/safetensors.h"

namespace newbie::io {

enum class Layout { Official, Diffusers, ComfyUI };
/// "official", "diffusers", "comfyui".
const char* layoutName(Layout l);

enum class ComponentKind { Transformer, Gemma, Jina, Vae };
/// "transformer", "gemma_text_encoder", "jina_text_encoder", "vae".
const char* componentName(ComponentKind k);

/// Key naming schemes, detected from the tensor names.
enum class Naming {
  Unknown,
  DitOriginal,            ///< NextDiT_CLIP state dict (`layers.N.attention.qkv`, `cap_embedder`), spec §2.6
  DitDiffusersSplitQkv,   ///< diffusers Lumina2 naming with `attn.to_q/to_k/to_v`, spec §2.7
  DitDiffusersFusedQkv,   ///< diffusers naming with a fused `attn.to_qkv`
  GemmaHfMultimodal,      ///< `language_model.model.*` (Gemma3ForConditionalGeneration save_pretrained)
  GemmaHfMultimodalV2,    ///< `model.language_model.*` (transformers >= 4.52 module paths)
  GemmaHfGemma3Model,     ///< `language_model.*` (Gemma3Model saved directly)
  GemmaHfText,            ///< `model.layers.*` without vision tower and without `spiece_model` (Gemma3ForCausalLM)
  GemmaComfy,             ///< `model.layers.*` + embedded `spiece_model` (ComfyUI text encoder)
  JinaHfLora,             ///< `text_model.transformer.roberta.*` with LoRA `parametrizations` (jina-clip-v2)
  JinaHfMerged,           ///< `text_model.transformer.roberta.*` with plain weights (LoRA already merged)
  JinaComfy,              ///< `model.encoder.layers.*` (ComfyUI, LoRA merged) + `spiece_model`
  VaeDiffusers,           ///< `decoder.mid_block.resnets.0`, `decoder.up_blocks.*`
  VaeBfl,                 ///< `decoder.mid.block_1`, `decoder.up.*` (ae.safetensors), spec §6.2
};
/// Stable short name, e.g. "dit-original", "gemma-comfyui", "vae-bfl".
const char* namingName(Naming n);
/// One line for humans, e.g. "NextDiT_CLIP original (fused qkv)".
const char* namingDescription(Naming n);

/// A network's weights.
struct WeightsComponent {
  WeightsComponent() = default;
  explicit WeightsComponent(ComponentKind k) : kind(k) {}

  ComponentKind kind = ComponentKind::Transformer;
  bool present = false;
  std::vector<std::filesystem::path> files;  ///< the safetensors file(s) holding it
  std::filesystem::path index;               ///< the *.safetensors.index.json, when sharded
  std::filesystem::path configFile;          ///< config.json next to the weights, when present
  Naming naming = Naming::Unknown;
  /// Prefix in front of the canonical names of this naming scheme, stripped by loaders:
  /// e.g. "language_model.model." for GemmaHfMultimodal, "text_model.transformer.roberta."
  /// for Jina HF, "model.diffusion_model." for a DiT inside a ComfyUI checkpoint, or "".
  std::string keyPrefix;
  std::set<std::string> dtypes;       ///< safetensors dtype names of the counted tensors
  int64_t tensorCount = 0;            ///< tensors under keyPrefix (spiece_model excluded)
  int64_t parameterCount = 0;         ///< their total element count
  int64_t ignoredTensors = 0;         ///< other tensors in the same files (vision tower, logit_scale, ...)
  /// Architecture: derived from the tensor shapes; values that shapes cannot give are taken
  /// from config.json when present (see configSource). Keys depend on the kind:
  /// transformer: dim, n_layers, n_refiner_layers, n_heads, n_kv_heads, head_dim, ffn_dim,
  ///   cap_feat_dim, clip_text_dim, adaln_dim, in_channels, patch_size, qk_norm;
  /// gemma: hidden_size, num_hidden_layers, num_attention_heads, num_key_value_heads,
  ///   head_dim, intermediate_size, vocab_size;
  /// jina: hidden_size, num_hidden_layers, num_attention_heads (config or assumed),
  ///   intermediate_size, vocab_size, lora_rank, lora_alpha;
  /// vae: latent_channels, block_out_channels, layers_per_block, mid_attention, has_encoder.
  nlohmann::json config = nlohmann::json::object();
  std::string configSource;           ///< "shapes", or "shapes + config.json"
  TensorStore store;                  ///< the opened files (memory-mapped, zero-copy views)
};

/// Where a tokenizer can be read from (any subset may be present; loaders should prefer
/// tokenizer.json, which carries the official HF behaviour, then the SentencePiece model,
/// then the proto embedded in the ComfyUI weights).
struct TokenizerComponent {
  bool present = false;
  std::filesystem::path tokenizerJson;        ///< HF fast tokenizer.json
  std::filesystem::path sentencepieceModel;   ///< tokenizer.model / sentencepiece.bpe.model / spiece.model
  std::filesystem::path tokenizerConfig;      ///< tokenizer_config.json
  std::filesystem::path embeddedIn;           ///< safetensors file with an embedded proto
  std::string embeddedTensor;                 ///< its tensor name ("spiece_model")
  /// "tokenizer.json", "sentencepiece", "embedded spiece_model" (first available of these).
  std::string preferredSource() const;
};

struct ModelLocation {
  Layout layout = Layout::Official;
  std::vector<std::filesystem::path> inputs;  ///< what the caller passed
  std::filesystem::path root;                 ///< the model folder (empty for loose files)
  std::filesystem::path modelIndex;           ///< model_index.json, when present
  std::filesystem::path schedulerConfig;      ///< scheduler/scheduler_config.json, when present
  bool isDemo = false;  ///< the embedded demo model: `newbie_demo.json` in the root or "_newbie_demo": true
  WeightsComponent transformer{ComponentKind::Transformer};
  WeightsComponent gemma{ComponentKind::Gemma};
  WeightsComponent jina{ComponentKind::Jina};
  WeightsComponent vae{ComponentKind::Vae};
  TokenizerComponent gemmaTokenizer;
  TokenizerComponent jinaTokenizer;
  std::vector<std::string> notes;  ///< non-fatal observations (skipped files, unused files, ...)

  const WeightsComponent& component(ComponentKind k) const;
};

/// Error thrown when the model cannot be located. The message is one paragraph: what was
/// found, what is missing or inconsistent, and which layouts are accepted.
class ModelLocateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Detects the layout and every component. Throws ModelLocateError (missing / inconsistent
/// / ambiguous components) or SafetensorsError (a broken weights file that is needed).
ModelLocation locateModel(const std::vector<std::filesystem::path>& paths);

/// Everything in `loc` as one JSON object (paths as strings), for `newbie-cli inspect --json`.
nlohmann::json toJson(const ModelLocation& loc);

// ---- lower-level pieces, exposed for tests and tools --------------------------------------

/// What a set of tensors looks like: every component role it can fill, with naming and prefix.
struct DetectedRole {
  ComponentKind kind;
  Naming naming;
  std::string keyPrefix;
};
std::vector<DetectedRole> detectRoles(const TensorStore& store);

/// Fills naming-dependent fields (counts, dtypes, shape-derived config) of `c` from c.store,
/// merging config.json values from `fileConfig` where shapes cannot give them. Throws
/// ModelLocateError when config.json contradicts the shapes.
void describeComponent(WeightsComponent& c, const DetectedRole& role, const nlohmann::json& fileConfig);

}  // namespace newbie::io
