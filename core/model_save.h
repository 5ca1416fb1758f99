#pragma once
// Writes built (e.g. randomly initialised) components as a NewBie-image-Exp0.1 folder in the
// official HF layout that io::locateModel() recognises, so loading can be measured and tested
// without a download (`newbie-cli bench --random-weights full --save-model DIR`).
//
// Layout: model_index.json; transformer/ (NextDiT original naming, config.json), text_encoder/
// (Gemma-3, `language_model.model.*` as Gemma3ForConditionalGeneration saves it, config.json
// with text_config, a small trained tokenizer.json), clip_model/ (Jina text tower,
// `text_model.transformer.roberta.*` with merged weights, config.json, tokenizer.json), vae/
// (diffusers AutoencoderKL decoder naming, config.json). A component larger than
// maxShardBytes is written as `<name>-0000i-of-0000N.safetensors` shards plus
// `<name>.safetensors.index.json`, like save_pretrained.
//
// Tensors are written in their current dtype from their current device, one at a time
// (io::saveSafetensors streams), so host memory never holds a whole component. The tokenizers
// are tiny (they do not match real Gemma / XLM-R vocabularies): enough for the locator and for
// the pipeline to run, not for meaningful prompts.
//
// Thread-safety: reads the modules only; do not run them concurrently on other streams.

#include <cstdint>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "models/flux_vae.h"
#include "models/gemma3.h"
#include "models/jina_xlmr.h"
#include "models/nextdit.h"

namespace newbie {

struct SaveModelOptions {
  uint64_t maxShardBytes = 5'000'000'000;  ///< per safetensors file (HF's default shard size)
};

struct SavedModelInfo {
  uint64_t tensorBytes = 0;  ///< tensor data written, all components
  int files = 0;             ///< safetensors files written
  double seconds = 0;
};

/// The model_index.json of the official layout (component folder and class per role), as
/// io::locateModel() reads it. Shared with the embedded demo model (demo_model.h).
nlohmann::json officialModelIndex();
/// Writes `j` (indent 1, trailing newline) to `p`; throws std::runtime_error naming `p` on failure.
void writeJsonFile(const std::filesystem::path& p, const nlohmann::json& j);

/// Writes the four components into `dir` (created; files of the same names are replaced).
/// The configs written reproduce the modules' configs exactly (checked for the DiT).
/// Throws std::runtime_error / io::SafetensorsError naming the path on failure.
SavedModelInfo saveOfficialModel(const std::filesystem::path& dir, const models::Gemma3EncoderImpl& gemma,
                                 const models::JinaTextTowerImpl& jina, const models::NextDiTImpl& dit,
                                 const models::FluxVaeDecoderImpl& vae, const SaveModelOptions& options = {});

}  // namespace newbie
