#pragma once
// Minimal reader for the SentencePiece ModelProto (sentencepiece_model.proto) in protobuf wire
// format, without libprotobuf. Only the fields the tokenizer needs are decoded; every other
// field is skipped by wire type, so newer protos still load.
//
// Inputs: the bytes of a `tokenizer.model` / `spiece.model` file, or of the uint8 tensor
// `spiece_model` that ComfyUI embeds in text-encoder safetensors.
// Thread-safety: plain value types, immutable after parsing.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace newbie::text {

/// Thrown for malformed tokenizer files (proto, tokenizer.json, missing pieces, ...).
class TokenizerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class PieceType : int { Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 };
enum class SpmModelType : int { Unigram = 1, Bpe = 2, Word = 3, Char = 4 };

struct SpmPiece {
  std::string piece;
  float score = 0.0f;
  PieceType type = PieceType::Normal;
};

/// TrainerSpec fields used at encode time (proto defaults applied when absent).
struct SpmTrainerSpec {
  SpmModelType modelType = SpmModelType::Unigram;
  int32_t vocabSize = 8000;
  bool byteFallback = false;
  bool splitDigits = false;
  bool treatWhitespaceAsSuffix = false;
  int32_t unkId = 0, bosId = 1, eosId = 2, padId = -1;
  std::string unkPiece = "<unk>", bosPiece = "<s>", eosPiece = "</s>", padPiece = "<pad>";
};

struct SpmNormalizerSpec {
  std::string name;
  std::string precompiledCharsmap;  ///< raw bytes (Darts trie + normalized strings); may be empty
  bool addDummyPrefix = true;
  bool removeExtraWhitespaces = true;
  bool escapeWhitespaces = true;
};

struct SentencePieceModel {
  std::vector<SpmPiece> pieces;
  SpmTrainerSpec trainer;
  SpmNormalizerSpec normalizer;

  /// Parses ModelProto bytes. `origin` names the source in error messages (file path,
  /// "tensor spiece_model in X.safetensors"). Throws TokenizerError when the bytes are not a
  /// SentencePiece proto (bad wire type, truncated field, no pieces, ...), with the byte offset.
  static SentencePieceModel parse(const uint8_t* data, size_t size, const std::string& origin);
  static SentencePieceModel parse(const std::string& bytes, const std::string& origin) {
    return parse(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), origin);
  }
  /// Reads and parses a .model file.
  static SentencePieceModel loadFile(const std::string& path);
};

}  // namespace newbie::text
