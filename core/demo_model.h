#pragma once
// The embedded demo model: a tiny NewBie-image-Exp0.1 with the real architecture and the
// official HF folder layout (model_index.json, transformer/, text_encoder/, clip_model/,
// vae/), seeded random weights and tokenizers trained here on a built-in corpus.
// Deterministic: the same seed writes the same bytes. It makes noise-like images — it is a
// demo of the app, labelled as such (`newbie_demo.json` marker in the folder root).

#include <cstdint>
#include <filesystem>

namespace newbie {

struct DemoModelOptions {
  uint64_t seed = 20251125;
};

/// Writes the demo model into `dir` (created; existing files are replaced).
/// Throws std::runtime_error naming the path on I/O failure.
void writeDemoModel(const std::filesystem::path& dir, const DemoModelOptions& options = {});

/// True when `dir` holds a complete demo model written by writeDemoModel.
bool isDemoModel(const std::filesystem::path& dir);

}  // namespace newbie
