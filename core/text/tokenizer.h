#pragma once
// Native tokenizers for the two text encoders (no libsentencepiece, no libprotobuf):
//  - Gemma-3: SentencePiece BPE with byte fallback and user-defined pieces (\n, \n\n, \t, ...).
//  - Jina-CLIP-v2: XLM-RoBERTa SentencePiece Unigram with the fairseq id layout
//    (<s>=0 <pad>=1 </s>=2 <unk>=3, SentencePiece piece p>=3 -> p+1, <mask> = last).
//
// Sources, any of which gives the same ids on the golden set:
//  - HF `tokenizer.json` (the official path: "special" added tokens written literally in the
//    text, e.g. `<bos>` or `<s>`, become their special ids),
//  - a SentencePiece `.model` proto,
//  - the same proto embedded as uint8 tensor `spiece_model` in a ComfyUI text-encoder
//    safetensors file (raw SentencePiece path: literal `<bos>` text is tokenized as text).
// For the XLM-R flavour the id layout is decided from the proto itself: pieces 0..2
// `<unk>,<s>,</s>` = raw SentencePiece layout -> the fairseq remap is applied; pieces 0..3
// `<s>,<pad>,</s>,<unk>` = already fairseq -> ids are used as they are.
//
// Thread-safety: a Tokenizer is immutable after construction; every const member function
// may be called from several threads at once. Errors: TokenizerError (text/sentencepiece_model.h)
// naming the file and the problem.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "text/sentencepiece_model.h"

namespace newbie::text {

/// Selects the special-token layout when reading a bare SentencePiece proto.
enum class TokenizerFlavor {
  Gemma,  ///< ids as in the proto; BOS = trainer bos_id
  XlmR,   ///< fairseq layout (remapped when the proto has the raw layout)
};

class Tokenizer {
 public:
  ~Tokenizer();
  Tokenizer(const Tokenizer&) = delete;
  Tokenizer& operator=(const Tokenizer&) = delete;

  /// HF tokenizers `tokenizer.json` (BPE or Unigram model; normalizers Sequence / Replace /
  /// Precompiled / Prepend / Strip / Lowercase; pre-tokenizers Sequence / Split /
  /// WhitespaceSplit / Metaspace; added_tokens). Anything else is rejected with a TokenizerError.
  static std::unique_ptr<Tokenizer> fromTokenizerJson(const std::filesystem::path& path);
  static std::unique_ptr<Tokenizer> fromTokenizerJsonText(const std::string& jsonText, const std::string& origin);
  /// SentencePiece ModelProto bytes (a .model file or an embedded `spiece_model` tensor).
  static std::unique_ptr<Tokenizer> fromSentencePiece(const std::string& protoBytes, TokenizerFlavor flavor,
                                                      const std::string& origin = "SentencePiece proto");
  static std::unique_ptr<Tokenizer> fromSentencePieceFile(const std::filesystem::path& path, TokenizerFlavor flavor);
  /// The uint8 tensor `spiece_model` of a (ComfyUI) safetensors file.
  static std::unique_ptr<Tokenizer> fromSafetensors(const std::filesystem::path& path, TokenizerFlavor flavor);

  /// Picks the best source for a component. `path` may be
  ///  - a folder: `tokenizer.json` > `tokenizer.model` / `spiece.model` /
  ///    `sentencepiece.bpe.model` > the `spiece_model` tensor of `model.safetensors` or of any
  ///    other `*.safetensors` in it (sorted by name); the same order is then tried in the
  ///    sub-folders `tokenizer/` and `tokenizer_2/` (diffusers layouts);
  ///  - a file: `.json` -> tokenizer.json, `.safetensors` -> embedded proto, else a .model proto.
  /// Throws TokenizerError listing what was looked for when nothing is found.
  static std::unique_ptr<Tokenizer> load(const std::filesystem::path& path, TokenizerFlavor flavor);

  /// Token ids of `text` without any BOS/EOS. Never throws for valid or invalid UTF-8 (an
  /// invalid byte is treated as U+FFFD).
  std::vector<int64_t> encode(std::string_view text) const;
  /// [BOS] + ids, no EOS (what Gemma gets in NewBie; "" -> [BOS]).
  std::vector<int64_t> encodeForGemma(std::string_view text) const;
  /// [<s>] + ids + [</s>] (what Jina gets; "" -> [<s>, </s>]).
  std::vector<int64_t> encodeForJina(std::string_view text) const;
  /// encode(text).size(), for the live token counter.
  size_t countTokens(std::string_view text) const;

  /// Inverse mapping (byte pieces re-assembled, "▁" -> space, the dummy-prefix space removed).
  std::string decode(const std::vector<int64_t>& ids, bool skipSpecial = true) const;

  int64_t vocabSize() const;                        ///< number of ids (embedding rows needed)
  std::string idToPiece(int64_t id) const;          ///< "" for ids outside the vocabulary
  int64_t pieceToId(std::string_view piece) const;  ///< -1 when absent
  int64_t bosId() const;                            ///< <bos> / <s>; -1 when absent
  int64_t eosId() const;                            ///< <eos> / </s>; -1 when absent
  int64_t padId() const;                            ///< <pad>; -1 when absent
  int64_t unkId() const;
  /// Where the tokenizer came from, e.g. "tokenizer.json /x/tokenizer.json".
  const std::string& source() const;

  struct Impl;

 private:
  explicit Tokenizer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace newbie::text
