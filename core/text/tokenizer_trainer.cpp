#include "text/tokenizer_trainer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <stdexcept>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "text/tokenizer_impl.h"

namespace newbie::text {
namespace {

using nlohmann::json;
using detail::kSpaceSymbol;

// Splits a string into UTF-8 characters (an invalid byte becomes U+FFFD).
std::vector<std::string> chars(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    const size_t l = detail::utf8Len(s.data() + i, s.size() - i);
    if (l == 0) {
      out.emplace_back("\xEF\xBF\xBD");
      ++i;
    } else {
      out.emplace_back(s.substr(i, l));
      i += l;
    }
  }
  return out;
}

json addedToken(int id, const std::string& content, bool special) {
  return json{{"id", id},           {"content", content}, {"single_word", false}, {"lstrip", false},
              {"rstrip", false},    {"normalized", false}, {"special", special}};
}

json templateProcessor(const std::string& bos, int bosId, const std::string* eos, int eosId) {
  json single = json::array({json{{"SpecialToken", {{"id", bos}, {"type_id", 0}}}},
                             json{{"Sequence", {{"id", "A"}, {"type_id", 0}}}}});
  json specials = json::object();
  specials[bos] = {{"id", bos}, {"ids", json::array({bosId})}, {"tokens", json::array({bos})}};
  if (eos) {
    single.push_back(json{{"SpecialToken", {{"id", *eos}, {"type_id", 0}}}});
    specials[*eos] = {{"id", *eos}, {"ids", json::array({eosId})}, {"tokens", json::array({*eos})}};
  }
  return json{{"type", "TemplateProcessing"}, {"single", single}, {"pair", single}, {"special_tokens", specials}};
}

void checkOptions(const TokenizerTrainerOptions& opt, int minVocab) {
  if (opt.vocabSize < minVocab)
    throw std::invalid_argument("tokenizer trainer: vocabSize " + std::to_string(opt.vocabSize) + " is below the minimum " +
                                std::to_string(minVocab));
  if (opt.maxPieceChars < 1) throw std::invalid_argument("tokenizer trainer: maxPieceChars must be >= 1");
}

}  // namespace

// ---- BPE (Gemma layout) --------------------------------------------------------------------
std::string trainGemmaStyleBpe(const std::vector<std::string>& corpus, const TokenizerTrainerOptions& opt) {
  const std::vector<std::string> specials = {"<pad>", "<eos>", "<bos>", "<unk>"};
  const std::vector<std::string> userDefined = {"\n", "\n\n", "\t", "<start_of_turn>", "<end_of_turn>"};
  checkOptions(opt, 9 + 256 + 1);

  // Words: split on user-defined symbols, spaces -> ▁ starting a new word, digits alone.
  std::map<std::vector<std::string>, int64_t> wordCounts;
  for (const std::string& line : corpus) {
    size_t i = 0;
    std::vector<std::string> word;
    auto flush = [&] {
      if (!word.empty()) ++wordCounts[word];
      word.clear();
    };
    const auto cs = chars(line);
    std::string joined;
    for (size_t k = 0; k < cs.size(); ++k) {
      // user-defined symbols (longest match) are never part of a word
      size_t udLen = 0, udChars = 0;
      for (const auto& u : userDefined) {
        std::string cand;
        size_t n = 0;
        while (k + n < cs.size() && cand.size() < u.size()) cand += cs[k + n++];
        if (cand == u && u.size() > udLen) {
          udLen = u.size();
          udChars = n;
        }
      }
      if (udLen > 0) {
        flush();
        k += udChars - 1;
        continue;
      }
      const std::string c = cs[k] == " " ? std::string(kSpaceSymbol) : cs[k];
      const bool digit = c.size() == 1 && c[0] >= '0' && c[0] <= '9';
      if (c == kSpaceSymbol || digit) flush();
      word.push_back(c);
      if (digit) flush();
    }
    flush();
    (void)i;
  }

  // Vocabulary: specials, user-defined, bytes, then characters by frequency.
  std::vector<std::string> pieces = specials;
  pieces.insert(pieces.end(), userDefined.begin(), userDefined.end());
  char buf[8];
  for (int b = 0; b < 256; ++b) {
    std::snprintf(buf, sizeof buf, "<0x%02X>", b);
    pieces.emplace_back(buf);
  }
  std::unordered_map<std::string, int> index;
  for (size_t i = 0; i < pieces.size(); ++i) index.emplace(pieces[i], static_cast<int>(i));
  std::map<std::string, int64_t> charCounts;
  for (const auto& [w, n] : wordCounts)
    for (const auto& c : w) charCounts[c] += n;
  std::vector<std::pair<std::string, int64_t>> charList(charCounts.begin(), charCounts.end());
  std::stable_sort(charList.begin(), charList.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  for (const auto& [c, n] : charList) {
    if (static_cast<int>(pieces.size()) >= opt.vocabSize) break;
    if (index.count(c)) continue;
    index.emplace(c, static_cast<int>(pieces.size()));
    pieces.push_back(c);
  }

  // Words as piece-id sequences (characters outside the vocabulary stay -1 and never merge).
  struct Word {
    std::vector<int> ids;
    int64_t count;
  };
  std::vector<Word> words;
  for (const auto& [w, n] : wordCounts) {
    Word x{{}, n};
    for (const auto& c : w) {
      auto it = index.find(c);
      x.ids.push_back(it == index.end() ? -1 : it->second);
    }
    words.push_back(std::move(x));
  }
  std::vector<int> pieceChars(pieces.size(), 1);
  std::vector<std::pair<std::string, std::string>> merges;
  while (static_cast<int>(pieces.size()) < opt.vocabSize) {
    std::unordered_map<uint64_t, int64_t> pairCounts;
    for (const auto& w : words)
      for (size_t i = 0; i + 1 < w.ids.size(); ++i)
        if (w.ids[i] >= 0 && w.ids[i + 1] >= 0)
          pairCounts[(static_cast<uint64_t>(w.ids[i]) << 32) | static_cast<uint32_t>(w.ids[i + 1])] += w.count;
    // Best pair: highest count, then the smallest (merged, left) strings: a total order, so the
    // hash-map iteration order does not matter.
    bool found = false;
    int bestA = -1, bestB = -1;
    int64_t bestN = 0;
    std::string bestMerged;
    for (const auto& [key, n] : pairCounts) {
      if (n < opt.minFrequency) continue;
      const int a = static_cast<int>(key >> 32), b = static_cast<int>(key & 0xffffffffu);
      if (pieceChars[a] + pieceChars[b] > opt.maxPieceChars) continue;
      std::string merged = pieces[a] + pieces[b];
      if (!found || n > bestN || (n == bestN && (merged < bestMerged || (merged == bestMerged && pieces[a] < pieces[bestA])))) {
        found = true;
        bestA = a;
        bestB = b;
        bestN = n;
        bestMerged = std::move(merged);
      }
    }
    if (!found) break;
    int newId;
    auto it = index.find(bestMerged);
    if (it != index.end()) {
      newId = it->second;
    } else {
      newId = static_cast<int>(pieces.size());
      pieces.push_back(bestMerged);
      pieceChars.push_back(pieceChars[bestA] + pieceChars[bestB]);
      index.emplace(bestMerged, newId);
    }
    merges.emplace_back(pieces[bestA], pieces[bestB]);
    for (auto& w : words) {
      std::vector<int> out;
      out.reserve(w.ids.size());
      for (size_t i = 0; i < w.ids.size(); ++i) {
        if (i + 1 < w.ids.size() && w.ids[i] == bestA && w.ids[i + 1] == bestB) {
          out.push_back(newId);
          ++i;
        } else {
          out.push_back(w.ids[i]);
        }
      }
      w.ids.swap(out);
    }
  }

  json vocab = json::object();
  for (size_t i = 0; i < pieces.size(); ++i) vocab[pieces[i]] = static_cast<int>(i);
  json mergesJson = json::array();
  for (const auto& [a, b] : merges) mergesJson.push_back(json::array({a, b}));
  json added = json::array();
  for (int i = 0; i < 4; ++i) added.push_back(addedToken(i, specials[i], true));
  for (int i = 0; i < 5; ++i) added.push_back(addedToken(4 + i, userDefined[i], false));
  json j;
  j["version"] = "1.0";
  j["truncation"] = nullptr;
  j["padding"] = nullptr;
  j["added_tokens"] = added;
  j["normalizer"] = {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", kSpaceSymbol}};
  j["pre_tokenizer"] = {
      {"type", "Split"}, {"pattern", {{"String", " "}}}, {"behavior", "MergedWithPrevious"}, {"invert", false}};
  j["post_processor"] = templateProcessor("<bos>", 2, nullptr, -1);
  j["decoder"] = {{"type", "Sequence"},
                  {"decoders", json::array({json{{"type", "Replace"}, {"pattern", {{"String", kSpaceSymbol}}}, {"content", " "}},
                                            json{{"type", "ByteFallback"}}, json{{"type", "Fuse"}}})}};
  j["model"] = {{"type", "BPE"},           {"dropout", nullptr},      {"unk_token", "<unk>"},
                {"continuing_subword_prefix", nullptr}, {"end_of_word_suffix", nullptr}, {"fuse_unk", true},
                {"byte_fallback", true},   {"ignore_merges", false},  {"vocab", vocab},
                {"merges", mergesJson}};
  return j.dump(1);
}

// ---- Unigram (XLM-R layout) ----------------------------------------------------------------
std::string trainXlmrStyleUnigram(const std::vector<std::string>& corpus, const TokenizerTrainerOptions& opt) {
  checkOptions(opt, 4 + 1 + 1);
  // Words: whitespace split, "▁" prefix on each.
  std::map<std::string, int64_t> wordCounts;
  for (const std::string& line : corpus) {
    std::string w;
    for (const auto& c : chars(line)) {
      const uint32_t cp = detail::utf8Decode(c.data(), c.size());
      if (detail::isUnicodeWhitespace(cp)) {
        if (!w.empty()) ++wordCounts[kSpaceSymbol + w];
        w.clear();
      } else {
        w += c;
      }
    }
    if (!w.empty()) ++wordCounts[kSpaceSymbol + w];
  }
  // Candidates: every substring up to maxPieceChars characters.
  std::map<std::string, int64_t> cand;
  std::map<std::string, int64_t> singles;
  for (const auto& [w, n] : wordCounts) {
    const auto cs = chars(w);
    for (size_t i = 0; i < cs.size(); ++i) {
      std::string s;
      for (size_t k = i; k < cs.size() && static_cast<int>(k - i) < opt.maxPieceChars; ++k) {
        s += cs[k];
        if (k == i) singles[s] += n;
        else cand[s] += n;
      }
    }
  }
  const int budget = opt.vocabSize - 5;  // <s> <pad> </s> <unk> ... <mask>
  if (static_cast<int>(singles.size()) > budget)
    throw std::invalid_argument("tokenizer trainer: vocabSize " + std::to_string(opt.vocabSize) + " cannot hold the " +
                                std::to_string(singles.size()) + " distinct characters of the corpus");
  // Seed: the most frequent multi-character candidates (count * length), up to 4x the budget.
  std::vector<std::pair<std::string, double>> seed;
  for (const auto& [s, n] : cand)
    if (n >= opt.minFrequency) seed.emplace_back(s, static_cast<double>(n) * chars(s).size());
  std::stable_sort(seed.begin(), seed.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  if (seed.size() > static_cast<size_t>(budget) * 4) seed.resize(static_cast<size_t>(budget) * 4);
  std::map<std::string, double> counts;  // piece -> expected count
  for (const auto& [s, n] : singles) counts[s] = static_cast<double>(n);
  for (const auto& [s, v] : seed) counts[s] = static_cast<double>(cand[s]);

  std::map<std::string, float> scores;
  for (int round = 0; round <= opt.unigramEmRounds; ++round) {
    double total = 0;
    for (const auto& [s, c] : counts) total += c;
    scores.clear();
    for (const auto& [s, c] : counts) scores[s] = static_cast<float>(std::log(std::max(c, 0.1) / total));
    if (round == opt.unigramEmRounds) break;
    // E step: Viterbi counts with the current scores.
    auto vocab = std::make_shared<detail::Vocab>();
    for (const auto& [s, sc] : scores) {
      vocab->pieces.push_back(s);
      vocab->scores.push_back(sc);
    }
    vocab->buildIndex();
    detail::UnigramModel::Options o;
    o.unkId = 0;  // every character is a piece: no unknowns
    detail::UnigramModel model(vocab, {}, o, false);
    std::vector<double> use(vocab->pieces.size(), 0.0);
    for (const auto& [w, n] : wordCounts) {
      std::vector<int> ids;
      model.encode(w, ids);
      for (int id : ids) use[id] += static_cast<double>(n);
    }
    // M step + pruning: keep every single character, then the most used pieces.
    std::vector<std::pair<std::string, double>> multi;
    counts.clear();
    for (size_t i = 0; i < vocab->pieces.size(); ++i) {
      const std::string& p = vocab->pieces[i];
      if (singles.count(p)) counts[p] = std::max(use[i], 0.5);
      else if (use[i] > 0) multi.emplace_back(p, use[i]);
    }
    std::stable_sort(multi.begin(), multi.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    const size_t room = static_cast<size_t>(budget) - singles.size();
    // Shrink gradually so that the EM can redistribute counts.
    const size_t keep = round + 1 == opt.unigramEmRounds ? std::min(room, multi.size())
                                                         : std::min(multi.size(), std::max(room, multi.size() * 3 / 4));
    for (size_t i = 0; i < keep; ++i) counts[multi[i].first] = multi[i].second;
  }
  std::vector<std::pair<std::string, float>> ordered(scores.begin(), scores.end());
  std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  if (static_cast<int>(ordered.size()) > budget) ordered.resize(budget);

  json vocab = json::array({json::array({"<s>", 0.0}), json::array({"<pad>", 0.0}), json::array({"</s>", 0.0}),
                            json::array({"<unk>", 0.0})});
  for (const auto& [p, s] : ordered) vocab.push_back(json::array({p, static_cast<double>(s)}));
  const int maskId = static_cast<int>(vocab.size());
  vocab.push_back(json::array({"<mask>", 0.0}));
  json added = json::array({addedToken(0, "<s>", true), addedToken(1, "<pad>", true), addedToken(2, "</s>", true),
                            addedToken(3, "<unk>", true), addedToken(maskId, "<mask>", true)});
  const std::string eos = "</s>";
  json j;
  j["version"] = "1.0";
  j["truncation"] = nullptr;
  j["padding"] = nullptr;
  j["added_tokens"] = added;
  j["normalizer"] = nullptr;
  j["pre_tokenizer"] = {{"type", "Sequence"},
                        {"pretokenizers", json::array({json{{"type", "WhitespaceSplit"}},
                                                       json{{"type", "Metaspace"}, {"replacement", kSpaceSymbol},
                                                            {"prepend_scheme", "always"}, {"split", true}}})}};
  j["post_processor"] = templateProcessor("<s>", 0, &eos, 2);
  j["decoder"] = {{"type", "Metaspace"}, {"replacement", kSpaceSymbol}, {"prepend_scheme", "always"}, {"split", true}};
  j["model"] = {{"type", "Unigram"}, {"unk_id", 3}, {"vocab", vocab}, {"byte_fallback", false}};
  return j.dump(1);
}

}  // namespace newbie::text
