// Deterministic demo-tokenizer trainers: reload through the tokenizer.json reader, layout,
// round trip, byte-identical output for the same input.
#include <fstream>

#include <nlohmann/json.hpp>

#include "golden.h"
#include "text/tokenizer.h"
#include "text/tokenizer_trainer.h"

using namespace newbie;
using namespace newbie::text;

namespace {

std::vector<std::string> corpus() {
  std::vector<std::string> lines;
  std::ifstream in(test::goldenDir() / "pipeline/expected/prompt.txt");
  std::string l;
  while (std::getline(in, l)) lines.push_back(l);
  const auto cases = nlohmann::json::parse(std::ifstream(test::goldenDir() / "tokenizer/cases.json"));
  for (const auto& c : cases["cases"]) lines.push_back(c["text"].get<std::string>());
  for (int i = 0; i < 20; ++i)
    lines.push_back("1girl, solo, long_hair, blue_eyes, smile, looking_at_viewer, cherry_blossoms, masterpiece, " +
                    std::to_string(i));
  return lines;
}

}  // namespace

TEST(TokenizerTrainer, BpeGemmaLayoutRoundTripAndDeterminism) {
  TokenizerTrainerOptions o;
  o.vocabSize = 1000;
  const auto c = corpus();
  const std::string a = trainGemmaStyleBpe(c, o), b = trainGemmaStyleBpe(c, o);
  EXPECT_EQ(a, b);
  auto tok = Tokenizer::fromTokenizerJsonText(a, "trained bpe");
  EXPECT_LE(tok->vocabSize(), 1000);
  EXPECT_GT(tok->vocabSize(), 9 + 256 + 50);
  EXPECT_EQ(tok->pieceToId("<pad>"), 0);
  EXPECT_EQ(tok->pieceToId("<eos>"), 1);
  EXPECT_EQ(tok->bosId(), 2);
  EXPECT_EQ(tok->pieceToId("<unk>"), 3);
  EXPECT_EQ(tok->pieceToId("\n"), 4);
  EXPECT_EQ(tok->pieceToId("\n\n"), 5);
  EXPECT_EQ(tok->pieceToId("\t"), 6);
  EXPECT_EQ(tok->pieceToId("<start_of_turn>"), 7);
  EXPECT_EQ(tok->pieceToId("<end_of_turn>"), 8);
  EXPECT_EQ(tok->pieceToId("<0x00>"), 9);
  EXPECT_EQ(tok->pieceToId("<0xFF>"), 264);
  for (const std::string t : {"<character_1>\n<n>$character_1$</n>\n\n<gender>1girl</gender>",
                              "1girl, solo  x\tq", "unseen: ᚠᚢᚦ 🧿 漢字", ""}) {
    const auto ids = tok->encodeForGemma(t);
    ASSERT_FALSE(ids.empty());
    EXPECT_EQ(ids[0], 2);
    EXPECT_EQ(tok->decode(ids), t);  // byte fallback: lossless
  }
  // Training actually merged: a frequent tag is far shorter than its byte/char count.
  EXPECT_LT(tok->encode("long_hair, blue_eyes").size(), 8u);
  EXPECT_EQ(tok->encode("\n\n"), (std::vector<int64_t>{5}));
  // Another corpus gives other bytes.
  auto c2 = c;
  c2.push_back("zzzz zzzz zzzz qqqq qqqq");
  EXPECT_NE(trainGemmaStyleBpe(c2, o), a);
}

TEST(TokenizerTrainer, UnigramXlmrLayoutRoundTripAndDeterminism) {
  TokenizerTrainerOptions o;
  o.vocabSize = 800;
  const auto c = corpus();
  const std::string a = trainXlmrStyleUnigram(c, o), b = trainXlmrStyleUnigram(c, o);
  EXPECT_EQ(a, b);
  auto tok = Tokenizer::fromTokenizerJsonText(a, "trained unigram");
  EXPECT_LE(tok->vocabSize(), 800);
  EXPECT_GT(tok->vocabSize(), 150);  // 270 on this small corpus: unused candidates are pruned
  EXPECT_EQ(tok->bosId(), 0);
  EXPECT_EQ(tok->padId(), 1);
  EXPECT_EQ(tok->eosId(), 2);
  EXPECT_EQ(tok->unkId(), 3);
  EXPECT_EQ(tok->idToPiece(tok->vocabSize() - 1), "<mask>");
  EXPECT_EQ(tok->encodeForJina(""), (std::vector<int64_t>{0, 2}));
  for (const std::string t : {"1girl, solo, long_hair", "<character_1> <n>$character_1$</n> </character_1>"}) {
    const auto ids = tok->encodeForJina(t);
    EXPECT_EQ(ids.front(), 0);
    EXPECT_EQ(ids.back(), 2);
    for (auto id : ids) EXPECT_NE(id, 3) << t;  // every character was seen
    EXPECT_EQ(tok->decode(ids), t);
  }
  EXPECT_LT(tok->encode("long_hair, blue_eyes").size(), 8u);
  const auto unk = tok->encode("\xEA\x99\xAE\xEA\x99\xAE");  // U+A66E twice, not in the corpus
  EXPECT_EQ(unk, (std::vector<int64_t>{tok->pieceToId("\xE2\x96\x81"), 3}));  // ▁ + one fused unk
  EXPECT_THROW(trainXlmrStyleUnigram(c, TokenizerTrainerOptions{10, 16, 2, 3}), std::invalid_argument);
}
