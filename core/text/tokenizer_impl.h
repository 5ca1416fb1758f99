#pragma once
// Internal building blocks of newbie::text::Tokenizer (not part of the public API):
// UTF-8 helpers, a static byte trie, the SentencePiece precompiled charsmap (Darts double array),
// the SentencePiece normalizer, the HF normalizer / pre-tokenizer steps, and the BPE / Unigram
// models. Everything here is immutable after construction; all encode functions are const and
// thread-safe.
#include <cstdint>
#include <memory>
#include <regex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "text/sentencepiece_model.h"

namespace newbie::text::detail {

// ---- UTF-8 -------------------------------------------------------------------------------
/// Length of the UTF-8 sequence starting at s[0] (1..4) when it is valid and complete within
/// n bytes, else 0.
size_t utf8Len(const char* s, size_t n);
/// Decodes one code point (s must hold a valid sequence of `len` bytes).
uint32_t utf8Decode(const char* s, size_t len);
void utf8Append(std::string& out, uint32_t cp);
/// Unicode White_Space (what Rust's char::is_whitespace tests).
bool isUnicodeWhitespace(uint32_t cp);
extern const char* const kSpaceSymbol;  // "\xE2\x96\x81" (U+2581)

// ---- Static byte trie with common-prefix search --------------------------------------------
class ByteTrie {
 public:
  void build(std::vector<std::pair<std::string, int>> keys);  // duplicate keys: first wins
  bool empty() const { return nodes_.empty(); }
  /// Calls f(lengthInBytes, value) for every key that is a prefix of s[0..n), shortest first.
  template <class F>
  void commonPrefixSearch(const char* s, size_t n, F&& f) const {
    if (nodes_.empty()) return;
    uint32_t node = 0;
    for (size_t i = 0; i < n; ++i) {
      node = child(node, static_cast<uint8_t>(s[i]));
      if (node == kNone) return;
      if (nodes_[node].value >= 0) f(i + 1, nodes_[node].value);
    }
  }
  /// Exact lookup; -1 when absent.
  int find(std::string_view key) const;

 private:
  static constexpr uint32_t kNone = 0xffffffffu;
  struct Node {
    int32_t value = -1;
    uint32_t begin = 0;  // first edge
    uint32_t count = 0;  // number of edges
  };
  struct Edge {
    uint8_t label;
    uint32_t node;
  };
  uint32_t child(uint32_t node, uint8_t b) const;
  uint32_t buildRange(const std::vector<std::pair<std::string, int>>& keys, size_t lo, size_t hi, size_t depth);
  std::vector<Node> nodes_;
  std::vector<Edge> edges_;
};

// ---- Precompiled charsmap (SentencePiece normalizer rules) ---------------------------------
class CharsMap {
 public:
  CharsMap() = default;
  /// Parses the blob: uint32 LE trie byte size, Darts-clone units, then NUL-terminated strings.
  CharsMap(const std::string& blob, const std::string& origin);
  bool empty() const { return units_.empty(); }
  /// Longest (sentencepiece) or shortest (HF spm_precompiled) rule whose key is a prefix of
  /// s[0..n). Returns the key length (0 = no rule) and sets *out to the replacement.
  size_t match(const char* s, size_t n, bool longest, std::string_view* out) const;

 private:
  std::vector<uint32_t> units_;
  std::string normalized_;
};

/// SentencePiece's Normalizer::Normalize (no alignment output).
class SpmNormalizer {
 public:
  SpmNormalizer() = default;
  SpmNormalizer(const SpmNormalizerSpec& spec, bool treatWsAsSuffix, std::vector<std::string> userDefined,
                const std::string& origin);
  std::string normalize(std::string_view in) const;

 private:
  std::pair<std::string_view, size_t> normalizePrefix(std::string_view in) const;
  CharsMap map_;
  ByteTrie userDefined_;
  bool hasUserDefined_ = false;
  bool addDummyPrefix_ = true, removeExtra_ = true, escape_ = true, wsSuffix_ = false;
};

// ---- HF tokenizers normalizer / pre-tokenizer steps ----------------------------------------
struct HfNormalizerStep {
  enum Kind { Replace, ReplaceRegex, Precompiled, Prepend, Strip, Lowercase } kind = Replace;
  std::string pattern, content;
  std::shared_ptr<std::regex> regex;
  std::shared_ptr<CharsMap> charsmap;
  bool stripLeft = true, stripRight = true;
  void apply(std::string& s) const;
};

struct HfPreTokenizerStep {
  enum Kind { Split, SplitRegex, WhitespaceSplit, Metaspace } kind = WhitespaceSplit;
  enum Behavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous } behavior = Removed;
  std::string pattern;
  std::shared_ptr<std::regex> regex;
  bool invert = false;
  std::string replacement = kSpaceSymbol;
  enum Prepend { Always, First, Never } prepend = Always;
  bool split = true;
  /// words: the current splits; isFirst[i] tells whether split i starts at offset 0 of the segment.
  void apply(std::vector<std::string>& words, std::vector<bool>& isFirst) const;
};

// ---- Models --------------------------------------------------------------------------------
class Model {
 public:
  virtual ~Model() = default;
  /// Appends the ids of `text` (already normalized / pre-tokenized) to out.
  virtual void encode(std::string_view text, std::vector<int>& out) const = 0;
};

/// Vocabulary shared by the models: id -> piece, piece -> id.
struct Vocab {
  std::vector<std::string> pieces;
  std::vector<float> scores;
  std::unordered_map<std::string_view, int> index;  // views into `pieces` (never resized after build)
  void buildIndex();                                // first occurrence wins
  int find(std::string_view s) const {
    auto it = index.find(s);
    return it == index.end() ? -1 : it->second;
  }
};

/// BPE. Two merge orders: SentencePiece (highest score of the merged piece first; pieces of
/// type UNUSED are merged then re-split; user-defined pieces are frozen single symbols) and HF
/// tokenizers (merge rank from tokenizer.json, lowest first). Ties: leftmost first.
class BpeModel : public Model {
 public:
  struct Options {
    bool spmScores = true;
    bool byteFallback = false;
    bool fuseUnk = false;
    bool ignoreMerges = false;
    int unkId = -1;
  };
  BpeModel(std::shared_ptr<const Vocab> vocab, Options opt, std::vector<PieceType> types,
           std::vector<std::pair<std::string, std::string>> merges, const std::string& origin);
  void encode(std::string_view text, std::vector<int>& out) const override;

 private:
  void encodeSpm(std::string_view text, std::vector<int>& out) const;
  void encodeHf(std::string_view text, std::vector<int>& out) const;
  void emitUnknown(std::string_view s, std::vector<int>& out) const;
  bool usable(int id) const;
  std::shared_ptr<const Vocab> vocab_;
  Options opt_;
  std::vector<PieceType> types_;                              // spm: per id
  ByteTrie userDefined_;                                      // spm: frozen prefixes
  bool hasUserDefined_ = false;
  std::unordered_map<uint64_t, std::pair<int, int>> merges_;  // hf: (a<<32|b) -> (rank, newId)
  int byteIds_[256];
};

/// Unigram: Viterbi over piece scores; a character no piece covers becomes unk with score
/// min_score - 10; consecutive unks are fused (as SentencePiece and HF do).
class UnigramModel : public Model {
 public:
  struct Options {
    int unkId = 0;
    bool byteFallback = false;
    bool fuseUnk = true;
  };
  /// types: per id (PieceType::Normal for HF vocabularies). Pieces of type Unknown, Control,
  /// Byte and Unused never match text; UserDefined score length*max_score - 0.1.
  UnigramModel(std::shared_ptr<const Vocab> vocab, std::vector<PieceType> types, Options opt, bool spmScores);
  void encode(std::string_view text, std::vector<int>& out) const override;

 private:
  template <class Acc>
  void encodeImpl(std::string_view text, std::vector<int>& out) const;
  std::shared_ptr<const Vocab> vocab_;
  std::vector<PieceType> types_;
  Options opt_;
  bool spmScores_ = true;
  ByteTrie trie_;
  float unkScore_ = 0, maxScore_ = 0;
  int byteIds_[256];
};

}  // namespace newbie::text::detail

// ---- Tokenizer state (shared by tokenizer.cpp and tokenizer_json.cpp) -----------------------
#include "text/tokenizer.h"

namespace newbie::text {

struct Tokenizer::Impl {
  struct Added {
    std::string content;
    int id = -1;
    bool special = false, lstrip = false, rstrip = false, singleWord = false, normalized = false;
  };
  std::string source;
  bool hfMode = false;
  std::shared_ptr<detail::Vocab> vocab;  // the model's vocabulary (SentencePiece ids in spm mode)
  std::vector<PieceType> types;          // spm mode: per SentencePiece id
  std::unique_ptr<detail::Model> model;
  // SentencePiece mode
  detail::SpmNormalizer spmNormalizer;
  std::vector<int> remap;  // SentencePiece id -> output id (empty = identity)
  bool fuseUnk = true;
  // HF mode
  std::vector<Added> added;
  detail::ByteTrie addedTrie;      // normalized == false: matched on the raw text; -> index into `added`
  detail::ByteTrie addedNormTrie;  // normalized == true: matched on the normalized text
  bool hasRawAdded = false, hasNormAdded = false;
  std::vector<detail::HfNormalizerStep> normalizers;
  std::vector<detail::HfPreTokenizerStep> preTokenizers;
  // Output id space
  std::vector<std::string> outPieces;  // output id -> piece
  std::vector<bool> outSpecial;        // output id -> control/special (skipped by decode)
  int bos = -1, eos = -1, pad = -1, unk = -1;
  bool stripDecodedLeadingSpace = false;

  void encodeIds(std::string_view text, std::vector<int>& out) const;
  void finishOutputSpace();  // fills outPieces (HF: model vocab + added) and specials
};

namespace detail {
/// Builds a Tokenizer::Impl from tokenizer.json text (tokenizer_json.cpp).
std::unique_ptr<Tokenizer::Impl> implFromTokenizerJson(const std::string& jsonText, const std::string& origin);
}  // namespace detail

}  // namespace newbie::text
