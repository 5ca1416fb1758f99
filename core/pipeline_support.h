#pragma once
// Small pieces the pipeline needs that are not part of the data path itself: parameter
// validation, device/dtype choice, model identity, the metadata record, device cache
// handling and error text. Kept apart so pipeline.cpp reads top to bottom.

#include <filesystem>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "io/model_locator.h"
#include "pipeline.h"
#include "text/prompt.h"
#include "text/tokenizer.h"

namespace newbie::pipeline_support {

/// "cpu", "cuda", "cuda:1" -> device; throws InvalidParamsError for anything else or when
/// CUDA is asked for and not available (message says why).
torch::Device parseDevice(const std::string& s);
/// The compute dtype: FP8 computes in bf16 (its e4m3 GEMMs are inside the DiT block linears).
torch::ScalarType scalarType(Precision p);
/// fp32 on CPU; on CUDA bf16 when the model runs in bf16/fp16 (fp16 overflows in the VAE),
/// unless LoadOptions::vaePrecision says otherwise (fp16 is refused).
torch::ScalarType vaeScalarType(const LoadOptions& o, const torch::Device& d);

/// JSON of a file, or null when the path is empty / missing. Throws with the path on bad JSON.
nlohmann::json readJsonIfExists(const std::filesystem::path& p);

/// Stable id: folder (or transformer file) name + FNV-1a of the transformer headers.
std::string modelIdentity(const io::ModelLocation& loc);
/// The TAEF1 file to use for previews (may not exist; checked when first needed).
std::filesystem::path findTaef1(const std::filesystem::path& explicitPath, const io::ModelLocation& loc);
/// tokenizer.json > SentencePiece model > embedded spiece_model; throws naming what was tried.
std::unique_ptr<text::Tokenizer> loadTokenizer(const io::TokenizerComponent& c, text::TokenizerFlavor flavor);

/// Throws InvalidParamsError naming the field and value.
void validateParams(const GenerationParams& p);

/// Everything needed to reproduce the image, as JSON text (the PNG `newbie` record).
std::string metadataRecord(const GenerationParams& p, const text::EncoderInputs& pos, const text::EncoderInputs& neg,
                           const ModelSummary& model, const LoadOptions& opts, const GenerationResult& r);

void synchronize(const torch::Device& d);
void emptyDeviceCache();
bool isOutOfMemory(const std::string& what);
std::string oomMessage(const GenerationParams& p, const LoadOptions& o, const std::string& what);
std::string firstLine(const std::string& s);

}  // namespace newbie::pipeline_support
