#pragma once
// PNG output with generation metadata, and a reader for ours and other tools' files (libpng).
//
// Chunks written:
//   - `parameters`: the A1111 text ("prompt\nNegative prompt: …\nSteps: N, Sampler: X, …").
//     tEXt when the text is Latin-1 representable, otherwise iTXt (UTF-8) — exactly what
//     A1111/PIL do, so CJK prompts survive in every reader.
//   - `newbie` (iTXt, UTF-8, uncompressed unless large): the full metadata record as JSON,
//     stored byte for byte.
// Files are written atomically: a temporary file in the same folder, then rename().
// All functions are reentrant (no global state); errors throw PngError naming the file.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "api/types.h"

namespace newbie {

class PngError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The A1111 "parameters" text. Unknown keys of the last line go to `extra` in file order.
struct A1111Params {
  std::string prompt;
  std::string negativePrompt;   ///< empty: no "Negative prompt:" line is written
  std::optional<int> steps;
  std::string sampler;
  std::optional<double> cfgScale;
  std::optional<uint64_t> seed;
  int width = 0, height = 0;    ///< 0 = unknown ("Size: WxH")
  std::string model;
  std::vector<std::pair<std::string, std::string>> extra;  ///< unquoted values

  /// Looks up `extra` (first match); nullopt when absent.
  std::optional<std::string> get(const std::string& key) const;
};

/// Formats as A1111 does: prompt, newline "Negative prompt: …" (if any), newline
/// "Steps: N, Sampler: X, CFG scale: G, Seed: S, Size: WxH, Model: M, k: v, …".
/// Values containing ',', ':', '"' or a newline are JSON-quoted (A1111's quote()).
std::string formatA1111(const A1111Params& p);
/// Parses A1111-style text from any tool: multi-line prompts, missing negative prompt,
/// quoted values. The last line is taken as the settings line when it holds at least 3
/// "key: value" pairs; otherwise everything is the prompt.
A1111Params parseA1111(const std::string& text);

/// Derives the A1111 basics from our metadata record JSON (keys: prompt, negative_prompt,
/// steps, sampler, cfg_scale, seed, width, height, model; plus schedule, shift, cfg_trunc,
/// renorm, precision, app_version as extras when present). Tolerates missing keys.
A1111Params a1111FromRecord(const std::string& recordJson);

struct PngTextChunk {
  enum class Kind { tEXt, zTXt, iTXt };
  Kind kind = Kind::tEXt;
  std::string keyword;
  std::string text;  ///< UTF-8 (tEXt/zTXt Latin-1 is converted to UTF-8 when read)
};

struct PngWriteOptions {
  std::optional<A1111Params> parameters;  ///< `parameters` chunk
  std::string newbieRecordJson;           ///< `newbie` iTXt chunk; empty = none
  std::vector<PngTextChunk> extraText;    ///< more chunks (tEXt/iTXt as requested)
  int compressionLevel = 6;               ///< zlib 0..9
};

/// Writes an RGB8 image with the metadata chunks, atomically. Throws PngError.
void writePng(const std::filesystem::path& path, const RGBImage& image, const PngWriteOptions& options = {});
/// Convenience: `parameters` derived from the record (a1111FromRecord) + the `newbie` record.
void writePngWithRecord(const std::filesystem::path& path, const RGBImage& image, const std::string& recordJson);
/// Encodes to bytes (no file).
std::vector<uint8_t> encodePng(const RGBImage& image, const PngWriteOptions& options = {});

struct PngReadResult {
  RGBImage image;                      ///< converted to RGB8 (palette/gray/16-bit/alpha stripped)
  std::vector<PngTextChunk> texts;     ///< every text chunk, in file order
  std::optional<std::string> newbieRecordJson;  ///< the `newbie` chunk, byte for byte
  std::optional<A1111Params> parameters;        ///< parsed `parameters` chunk, if any
};

/// Reads pixels and all text chunks. `withPixels=false` skips decoding pixels (metadata only).
/// Throws PngError naming the file for non-PNG, truncated or corrupt files.
PngReadResult readPng(const std::filesystem::path& path, bool withPixels = true);
PngReadResult decodePng(const uint8_t* data, std::size_t size, const std::string& label, bool withPixels = true);

}  // namespace newbie
