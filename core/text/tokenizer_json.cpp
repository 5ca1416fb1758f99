// HF tokenizers `tokenizer.json` reader.
#include <nlohmann/json.hpp>

#include "text/tokenizer_impl.h"

namespace newbie::text::detail {
namespace {

using nlohmann::json;

std::string base64Decode(const std::string& in, const std::string& origin) {
  static int table[256];
  static bool init = false;
  if (!init) {
    for (int& t : table) t = -1;
    const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < 64; ++i) table[static_cast<uint8_t>(a[i])] = i;
    table[static_cast<uint8_t>('-')] = 62;
    table[static_cast<uint8_t>('_')] = 63;
    init = true;
  }
  std::string out;
  out.reserve(in.size() * 3 / 4);
  uint32_t buf = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=' || c == '\n' || c == '\r') continue;
    const int v = table[static_cast<uint8_t>(c)];
    if (v < 0) throw TokenizerError(origin + ": invalid base64 character in precompiled_charsmap");
    buf = (buf << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buf >> bits) & 0xFF);
    }
  }
  return out;
}

[[noreturn]] void fail(const std::string& origin, const std::string& where, const std::string& what) {
  throw TokenizerError(origin + ": " + where + ": " + what);
}

std::string typeOf(const json& j, const std::string& origin, const std::string& where) {
  if (!j.is_object() || !j.contains("type") || !j["type"].is_string()) fail(origin, where, "object without a \"type\"");
  return j["type"].get<std::string>();
}

// {"String": "x"} or {"Regex": "x"}; returns true for regex.
bool readPattern(const json& j, std::string& out, const std::string& origin, const std::string& where) {
  if (j.is_object() && j.contains("String")) {
    out = j["String"].get<std::string>();
    return false;
  }
  if (j.is_object() && j.contains("Regex")) {
    out = j["Regex"].get<std::string>();
    return true;
  }
  fail(origin, where, "pattern must be {\"String\": ...} or {\"Regex\": ...}");
}

std::shared_ptr<std::regex> compileRegex(const std::string& p, const std::string& origin, const std::string& where) {
  try {
    return std::make_shared<std::regex>(p, std::regex::ECMAScript | std::regex::optimize);
  } catch (const std::regex_error& e) {
    fail(origin, where, "regex '" + p + "' is not supported (" + e.what() + ")");
  }
}

void readNormalizer(const json& j, std::vector<HfNormalizerStep>& out, const std::string& origin,
                    const std::string& where) {
  if (j.is_null()) return;
  const std::string t = typeOf(j, origin, where);
  HfNormalizerStep s;
  if (t == "Sequence") {
    for (size_t i = 0; i < j.at("normalizers").size(); ++i)
      readNormalizer(j["normalizers"][i], out, origin, where + ".normalizers[" + std::to_string(i) + "]");
    return;
  } else if (t == "Replace") {
    const bool re = readPattern(j.at("pattern"), s.pattern, origin, where);
    s.content = j.at("content").get<std::string>();
    s.kind = re ? HfNormalizerStep::ReplaceRegex : HfNormalizerStep::Replace;
    if (re) s.regex = compileRegex(s.pattern, origin, where);
  } else if (t == "Precompiled") {
    s.kind = HfNormalizerStep::Precompiled;
    const json& cm = j.at("precompiled_charsmap");
    const std::string blob = cm.is_null() ? std::string() : base64Decode(cm.get<std::string>(), origin);
    s.charsmap = std::make_shared<CharsMap>(blob, origin + " (" + where + ")");
  } else if (t == "Prepend") {
    s.kind = HfNormalizerStep::Prepend;
    s.content = j.at("prepend").get<std::string>();
  } else if (t == "Strip") {
    s.kind = HfNormalizerStep::Strip;
    s.stripLeft = j.value("strip_left", true);
    s.stripRight = j.value("strip_right", true);
  } else if (t == "Lowercase") {
    s.kind = HfNormalizerStep::Lowercase;
  } else {
    fail(origin, where, "normalizer type \"" + t +
                            "\" is not supported (supported: Sequence, Replace, Precompiled, Prepend, Strip, Lowercase)");
  }
  out.push_back(std::move(s));
}

HfPreTokenizerStep::Behavior readBehavior(const std::string& b, const std::string& origin, const std::string& where) {
  using B = HfPreTokenizerStep::Behavior;
  if (b == "Removed") return B::Removed;
  if (b == "Isolated") return B::Isolated;
  if (b == "MergedWithPrevious") return B::MergedWithPrevious;
  if (b == "MergedWithNext") return B::MergedWithNext;
  if (b == "Contiguous") return B::Contiguous;
  fail(origin, where, "unknown split behavior \"" + b + "\"");
}

void readPreTokenizer(const json& j, std::vector<HfPreTokenizerStep>& out, const std::string& origin,
                      const std::string& where) {
  if (j.is_null()) return;
  const std::string t = typeOf(j, origin, where);
  HfPreTokenizerStep s;
  if (t == "Sequence") {
    for (size_t i = 0; i < j.at("pretokenizers").size(); ++i)
      readPreTokenizer(j["pretokenizers"][i], out, origin, where + ".pretokenizers[" + std::to_string(i) + "]");
    return;
  } else if (t == "WhitespaceSplit") {
    s.kind = HfPreTokenizerStep::WhitespaceSplit;
  } else if (t == "Split") {
    const bool re = readPattern(j.at("pattern"), s.pattern, origin, where);
    s.kind = re ? HfPreTokenizerStep::SplitRegex : HfPreTokenizerStep::Split;
    if (re) s.regex = compileRegex(s.pattern, origin, where);
    s.behavior = readBehavior(j.at("behavior").get<std::string>(), origin, where);
    s.invert = j.value("invert", false);
  } else if (t == "Metaspace") {
    s.kind = HfPreTokenizerStep::Metaspace;
    s.replacement = j.value("replacement", std::string(kSpaceSymbol));
    s.split = j.value("split", true);
    if (j.contains("prepend_scheme") && j["prepend_scheme"].is_string()) {
      const std::string p = j["prepend_scheme"].get<std::string>();
      if (p == "always") s.prepend = HfPreTokenizerStep::Always;
      else if (p == "first") s.prepend = HfPreTokenizerStep::First;
      else if (p == "never") s.prepend = HfPreTokenizerStep::Never;
      else fail(origin, where, "unknown Metaspace prepend_scheme \"" + p + "\"");
    } else {
      s.prepend = j.value("add_prefix_space", true) ? HfPreTokenizerStep::Always : HfPreTokenizerStep::Never;
    }
  } else {
    fail(origin, where, "pre_tokenizer type \"" + t +
                            "\" is not supported (supported: Sequence, Split, WhitespaceSplit, Metaspace)");
  }
  out.push_back(std::move(s));
}

}  // namespace

std::unique_ptr<Tokenizer::Impl> implFromTokenizerJson(const std::string& jsonText, const std::string& origin) {
  json j;
  try {
    j = json::parse(jsonText);
  } catch (const json::parse_error& e) {
    throw TokenizerError(origin + ": not valid JSON (" + e.what() + ")");
  }
  if (!j.is_object() || !j.contains("model"))
    throw TokenizerError(origin + ": not a tokenizer.json (no \"model\" object)");
  auto impl = std::make_unique<Tokenizer::Impl>();
  impl->source = "tokenizer.json " + origin;
  impl->hfMode = true;
  try {
    readNormalizer(j.value("normalizer", json()), impl->normalizers, origin, "normalizer");
    readPreTokenizer(j.value("pre_tokenizer", json()), impl->preTokenizers, origin, "pre_tokenizer");

    const json& m = j["model"];
    std::string type = m.value("type", std::string());
    if (type.empty()) type = m.contains("vocab") && m["vocab"].is_object() ? "BPE" : "Unigram";
    auto vocab = std::make_shared<Vocab>();
    if (type == "BPE") {
      const json& v = m.at("vocab");
      if (!v.is_object()) fail(origin, "model.vocab", "BPE vocab must be an object piece -> id");
      int maxId = -1;
      for (auto it = v.begin(); it != v.end(); ++it) maxId = std::max(maxId, it.value().get<int>());
      vocab->pieces.assign(maxId + 1, std::string());
      vocab->scores.assign(maxId + 1, 0.0f);
      for (auto it = v.begin(); it != v.end(); ++it) {
        const int id = it.value().get<int>();
        if (id < 0) fail(origin, "model.vocab", "negative id for '" + it.key() + "'");
        vocab->pieces[id] = it.key();
      }
      vocab->buildIndex();
      std::vector<std::pair<std::string, std::string>> merges;
      const json& mj = m.value("merges", json::array());
      merges.reserve(mj.size());
      for (size_t i = 0; i < mj.size(); ++i) {
        const json& e = mj[i];
        if (e.is_array() && e.size() == 2) {
          merges.emplace_back(e[0].get<std::string>(), e[1].get<std::string>());
        } else if (e.is_string()) {
          const std::string s = e.get<std::string>();
          const size_t sp = s.find(' ');
          if (sp == std::string::npos || s.find(' ', sp + 1) != std::string::npos)
            fail(origin, "model.merges[" + std::to_string(i) + "]", "merge \"" + s + "\" is not two pieces");
          merges.emplace_back(s.substr(0, sp), s.substr(sp + 1));
        } else {
          fail(origin, "model.merges[" + std::to_string(i) + "]", "merge must be a pair or \"a b\"");
        }
      }
      BpeModel::Options o;
      o.spmScores = false;
      o.byteFallback = m.value("byte_fallback", false);
      o.fuseUnk = m.value("fuse_unk", false);
      o.ignoreMerges = m.value("ignore_merges", false);
      if (m.contains("unk_token") && m["unk_token"].is_string()) o.unkId = vocab->find(m["unk_token"].get<std::string>());
      if (m.contains("continuing_subword_prefix") && !m["continuing_subword_prefix"].is_null())
        fail(origin, "model", "BPE continuing_subword_prefix is not supported");
      if (m.contains("end_of_word_suffix") && !m["end_of_word_suffix"].is_null())
        fail(origin, "model", "BPE end_of_word_suffix is not supported");
      impl->unk = o.unkId;
      impl->model = std::make_unique<BpeModel>(vocab, o, std::vector<PieceType>{}, std::move(merges), origin);
    } else if (type == "Unigram") {
      const json& v = m.at("vocab");
      if (!v.is_array()) fail(origin, "model.vocab", "Unigram vocab must be a list of [piece, score]");
      for (const auto& e : v) {
        vocab->pieces.push_back(e.at(0).get<std::string>());
        vocab->scores.push_back(static_cast<float>(e.at(1).get<double>()));
      }
      vocab->buildIndex();
      UnigramModel::Options o;
      o.unkId = m.value("unk_id", json()).is_number() ? m["unk_id"].get<int>() : -1;
      if (o.unkId < 0 || o.unkId >= static_cast<int>(vocab->pieces.size()))
        fail(origin, "model.unk_id", "missing or out of range");
      o.byteFallback = m.value("byte_fallback", false);
      o.fuseUnk = true;
      impl->unk = o.unkId;
      impl->model = std::make_unique<UnigramModel>(vocab, std::vector<PieceType>{}, o, false);
    } else {
      fail(origin, "model", "model type \"" + type + "\" is not supported (BPE or Unigram)");
    }
    impl->vocab = vocab;

    std::vector<std::pair<std::string, int>> keys, normKeys;
    for (const auto& a : j.value("added_tokens", json::array())) {
      Tokenizer::Impl::Added t;
      t.content = a.at("content").get<std::string>();
      t.id = a.at("id").get<int>();
      t.special = a.value("special", false);
      t.lstrip = a.value("lstrip", false);
      t.rstrip = a.value("rstrip", false);
      t.singleWord = a.value("single_word", false);
      t.normalized = a.value("normalized", !t.special);
      if (t.id < 0) fail(origin, "added_tokens", "negative id for '" + t.content + "'");
      if (t.content.empty()) continue;
      (t.normalized ? normKeys : keys).emplace_back(t.content, static_cast<int>(impl->added.size()));
      impl->added.push_back(std::move(t));
    }
    impl->hasRawAdded = !keys.empty();
    impl->hasNormAdded = !normKeys.empty();
    impl->addedTrie.build(std::move(keys));
    impl->addedNormTrie.build(std::move(normKeys));
  } catch (const json::exception& e) {
    throw TokenizerError(origin + ": malformed tokenizer.json (" + e.what() + ")");
  }
  impl->finishOutputSpace();
  auto idOf = [&](const char* s) -> int {
    for (const auto& a : impl->added)
      if (a.content == s) return a.id;
    return impl->vocab->find(s);
  };
  impl->bos = idOf("<bos>") >= 0 ? idOf("<bos>") : idOf("<s>");
  impl->eos = idOf("<eos>") >= 0 ? idOf("<eos>") : idOf("</s>");
  impl->pad = idOf("<pad>");
  for (const auto& p : impl->preTokenizers)
    if (p.kind == HfPreTokenizerStep::Metaspace && p.prepend != HfPreTokenizerStep::Never)
      impl->stripDecodedLeadingSpace = true;
  for (const auto& n : impl->normalizers)
    if (n.kind == HfNormalizerStep::Prepend && n.content == kSpaceSymbol) impl->stripDecodedLeadingSpace = true;
  return impl;
}

}  // namespace newbie::text::detail
