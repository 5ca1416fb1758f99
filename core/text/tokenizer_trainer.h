#pragma once
// Small deterministic tokenizer trainers for the embedded demo model (no external tools).
// Both return the text of an HF-style tokenizer.json that Tokenizer::fromTokenizerJsonText
// loads; the same corpus and options always give the same bytes.
//
//  - trainGemmaStyleBpe: BPE with byte fallback in the Gemma layout: <pad>=0 <eos>=1 <bos>=2
//    <unk>=3, user-defined "\n" "\n\n" "\t" "<start_of_turn>" "<end_of_turn>" (4..8), byte pieces
//    <0x00>..<0xFF> (9..264), then characters and merges. Spaces become "▁" (no dummy prefix),
//    digits are split, merges never cross words. Post-processor: <bos> $A.
//  - trainXlmrStyleUnigram: Unigram in the fairseq XLM-R layout <s>=0 <pad>=1 </s>=2 <unk>=3,
//    pieces, <mask> last; whitespace split + Metaspace ("▁" prefix on every word); a few EM
//    rounds of Viterbi counts over substring candidates, pruned to the vocabulary size
//    (single characters always kept). Post-processor: <s> $A </s>.
//
// Thread-safety: pure functions.
#include <string>
#include <vector>

namespace newbie::text {

struct TokenizerTrainerOptions {
  int vocabSize = 1500;   ///< total ids including specials (and byte pieces for BPE)
  int maxPieceChars = 16;  ///< longest piece, in characters
  int minFrequency = 2;    ///< merges / candidates seen fewer times are not added
  int unigramEmRounds = 3;
};

std::string trainGemmaStyleBpe(const std::vector<std::string>& corpus, const TokenizerTrainerOptions& opt = {});
std::string trainXlmrStyleUnigram(const std::vector<std::string>& corpus, const TokenizerTrainerOptions& opt = {});

}  // namespace newbie::text
