#include "text/tokenizer.h"

#include <cstdio>
#include <fstream>

#include "text/tokenizer_impl.h"

namespace newbie::text {

using detail::utf8Len;

// ---- Impl --------------------------------------------------------------------------------
void Tokenizer::Impl::encodeIds(std::string_view text, std::vector<int>& out) const {
  if (!hfMode) {
    const std::string norm = spmNormalizer.normalize(text);
    std::vector<int> raw;
    raw.reserve(norm.size() / 2 + 4);
    model->encode(norm, raw);
    bool prevUnk = false;
    for (int id : raw) {
      const bool isUnk = !types.empty() && types[id] == PieceType::Unknown;
      if (isUnk && prevUnk && fuseUnk) continue;  // SentencePiece merges runs of unknown pieces
      prevUnk = isUnk;
      out.push_back(remap.empty() ? id : remap[id]);
    }
    return;
  }
  // HF: split on raw added tokens (leftmost-longest), normalize each segment, split it on the
  // normalized added tokens, then pre-tokenize and run the model.
  auto isWs = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
  auto isWordChar = [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  };
  // Calls onSegment(text, atStart) for the text between tokens and pushes the tokens' ids.
  auto splitAdded = [&](std::string_view t, const detail::ByteTrie& trie, bool any, auto&& onSegment) {
    size_t segStart = 0, pos = 0;
    while (any && pos < t.size()) {
      int hit = -1;
      size_t hitLen = 0;
      trie.commonPrefixSearch(t.data() + pos, t.size() - pos, [&](size_t l, int v) {
        hit = v;
        hitLen = l;
      });
      if (hit >= 0 && added[hit].singleWord &&
          ((pos > 0 && isWordChar(t[pos - 1])) || (pos + hitLen < t.size() && isWordChar(t[pos + hitLen]))))
        hit = -1;
      if (hit < 0) {
        const size_t l = utf8Len(t.data() + pos, t.size() - pos);
        pos += l == 0 ? 1 : l;
        continue;
      }
      const Added& a = added[hit];
      size_t tokBegin = pos, tokEnd = pos + hitLen;
      if (a.lstrip)
        while (tokBegin > segStart && isWs(t[tokBegin - 1])) --tokBegin;
      if (a.rstrip)
        while (tokEnd < t.size() && isWs(t[tokEnd])) ++tokEnd;
      onSegment(t.substr(segStart, tokBegin - segStart), segStart == 0);
      out.push_back(a.id);
      pos = segStart = tokEnd;
    }
    onSegment(t.substr(segStart), segStart == 0);
  };
  auto runModel = [&](std::string_view seg, bool atStart) {
    if (seg.empty()) return;
    std::vector<std::string> words{std::string(seg)};
    std::vector<bool> first{atStart};
    for (const auto& p : preTokenizers) p.apply(words, first);
    for (const auto& w : words) model->encode(w, out);
  };
  auto encodeSegment = [&](std::string_view seg, bool atStart) {
    if (seg.empty()) return;
    std::string s(seg);
    for (const auto& n : normalizers) n.apply(s);
    if (s.empty()) return;
    if (!hasNormAdded) {
      runModel(s, atStart);
      return;
    }
    splitAdded(s, addedNormTrie, true, [&](std::string_view sub, bool subStart) { runModel(sub, atStart && subStart); });
  };
  splitAdded(text, addedTrie, hasRawAdded, encodeSegment);
}

void Tokenizer::Impl::finishOutputSpace() {
  size_t n = vocab->pieces.size();
  for (const auto& a : added) n = std::max(n, static_cast<size_t>(a.id) + 1);
  outPieces.assign(n, std::string());
  outSpecial.assign(n, false);
  for (size_t i = 0; i < vocab->pieces.size(); ++i) outPieces[i] = vocab->pieces[i];
  for (const auto& a : added) {
    outPieces[a.id] = a.content;
    if (a.special) outSpecial[a.id] = true;
  }
}

// ---- Tokenizer ---------------------------------------------------------------------------
Tokenizer::Tokenizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Tokenizer::~Tokenizer() = default;

std::unique_ptr<Tokenizer> Tokenizer::fromTokenizerJsonText(const std::string& jsonText, const std::string& origin) {
  return std::unique_ptr<Tokenizer>(new Tokenizer(detail::implFromTokenizerJson(jsonText, origin)));
}

std::unique_ptr<Tokenizer> Tokenizer::fromTokenizerJson(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw TokenizerError("cannot open tokenizer file " + path.string());
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return fromTokenizerJsonText(text, path.string());
}

std::unique_ptr<Tokenizer> Tokenizer::fromSentencePieceFile(const std::filesystem::path& path,
                                                            TokenizerFlavor flavor) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw TokenizerError("cannot open SentencePiece model file " + path.string());
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return fromSentencePiece(bytes, flavor, path.string());
}

std::unique_ptr<Tokenizer> Tokenizer::fromSentencePiece(const std::string& protoBytes, TokenizerFlavor flavor,
                                                        const std::string& origin) {
  SentencePieceModel m = SentencePieceModel::parse(protoBytes, origin);
  auto impl = std::make_unique<Impl>();
  impl->source = "SentencePiece " + origin;
  impl->hfMode = false;
  auto vocab = std::make_shared<detail::Vocab>();
  std::vector<std::string> userDefined;
  for (const auto& p : m.pieces) {
    vocab->pieces.push_back(p.piece);
    vocab->scores.push_back(p.score);
    impl->types.push_back(p.type);
    if (p.type == PieceType::UserDefined) userDefined.push_back(p.piece);
  }
  vocab->buildIndex();
  impl->vocab = vocab;
  impl->spmNormalizer =
      detail::SpmNormalizer(m.normalizer, m.trainer.treatWhitespaceAsSuffix, userDefined, origin);
  const int unkId = m.trainer.unkId;
  switch (m.trainer.modelType) {
    case SpmModelType::Bpe: {
      detail::BpeModel::Options o;
      o.spmScores = true;
      o.byteFallback = m.trainer.byteFallback;
      o.unkId = unkId;
      impl->model = std::make_unique<detail::BpeModel>(vocab, o, impl->types,
                                                       std::vector<std::pair<std::string, std::string>>{}, origin);
      break;
    }
    case SpmModelType::Unigram: {
      detail::UnigramModel::Options o;
      o.unkId = unkId;
      o.byteFallback = m.trainer.byteFallback;
      o.fuseUnk = true;
      impl->model = std::make_unique<detail::UnigramModel>(vocab, impl->types, o, true);
      break;
    }
    default:
      throw TokenizerError(origin + ": SentencePiece model_type " +
                           std::to_string(static_cast<int>(m.trainer.modelType)) +
                           " (WORD/CHAR) is not supported; expected UNIGRAM or BPE");
  }
  const int n = static_cast<int>(m.pieces.size());
  impl->outSpecial.assign(n, false);
  for (int i = 0; i < n; ++i)
    impl->outSpecial[i] = m.pieces[i].type == PieceType::Control || m.pieces[i].type == PieceType::Unknown;
  impl->outPieces = vocab->pieces;
  impl->bos = m.trainer.bosId;
  impl->eos = m.trainer.eosId;
  impl->pad = m.trainer.padId;
  impl->unk = unkId;
  impl->stripDecodedLeadingSpace = m.normalizer.addDummyPrefix;
  if (flavor == TokenizerFlavor::XlmR) {
    auto pieceIs = [&](int i, const char* s) { return i < n && m.pieces[i].piece == s; };
    if (pieceIs(0, "<unk>") && pieceIs(1, "<s>") && pieceIs(2, "</s>")) {
      // Raw SentencePiece layout -> fairseq: <s>=0 <pad>=1 </s>=2 <unk>=3, p>=3 -> p+1, <mask>=n+1.
      impl->remap.resize(n);
      impl->remap[0] = 3;
      impl->remap[1] = 0;
      impl->remap[2] = 2;
      for (int i = 3; i < n; ++i) impl->remap[i] = i + 1;
      impl->outPieces.assign(n + 2, std::string());
      impl->outSpecial.assign(n + 2, false);
      const char* sp[4] = {"<s>", "<pad>", "</s>", "<unk>"};
      for (int i = 0; i < 4; ++i) {
        impl->outPieces[i] = sp[i];
        impl->outSpecial[i] = true;
      }
      for (int i = 3; i < n; ++i) {
        impl->outPieces[i + 1] = m.pieces[i].piece;
        impl->outSpecial[i + 1] = m.pieces[i].type == PieceType::Control;
      }
      impl->outPieces[n + 1] = "<mask>";
      impl->outSpecial[n + 1] = true;
      impl->bos = 0;
      impl->pad = 1;
      impl->eos = 2;
      impl->unk = 3;
    } else if (pieceIs(0, "<s>") && pieceIs(1, "<pad>") && pieceIs(2, "</s>") && pieceIs(3, "<unk>")) {
      impl->bos = 0;
      impl->pad = 1;
      impl->eos = 2;
      impl->unk = 3;
    } else {
      throw TokenizerError(origin + ": XLM-R SentencePiece proto with an unknown special-piece layout (pieces 0..3 = '" +
                           m.pieces[0].piece + "', '" + (n > 1 ? m.pieces[1].piece : "") + "', '" +
                           (n > 2 ? m.pieces[2].piece : "") + "', ...); expected <unk>,<s>,</s> or <s>,<pad>,</s>,<unk>");
    }
  }
  return std::unique_ptr<Tokenizer>(new Tokenizer(std::move(impl)));
}

std::vector<int64_t> Tokenizer::encode(std::string_view text) const {
  std::vector<int> ids;
  ids.reserve(text.size() / 3 + 4);
  impl_->encodeIds(text, ids);
  return std::vector<int64_t>(ids.begin(), ids.end());
}

std::vector<int64_t> Tokenizer::encodeForGemma(std::string_view text) const {
  if (impl_->bos < 0) throw TokenizerError(impl_->source + ": tokenizer has no BOS token");
  std::vector<int> ids;
  ids.reserve(text.size() / 3 + 4);
  ids.push_back(impl_->bos);
  impl_->encodeIds(text, ids);
  return std::vector<int64_t>(ids.begin(), ids.end());
}

std::vector<int64_t> Tokenizer::encodeForJina(std::string_view text) const {
  if (impl_->bos < 0 || impl_->eos < 0) throw TokenizerError(impl_->source + ": tokenizer has no <s>/</s> tokens");
  std::vector<int> ids;
  ids.reserve(text.size() / 3 + 4);
  ids.push_back(impl_->bos);
  impl_->encodeIds(text, ids);
  ids.push_back(impl_->eos);
  return std::vector<int64_t>(ids.begin(), ids.end());
}

size_t Tokenizer::countTokens(std::string_view text) const {
  std::vector<int> ids;
  impl_->encodeIds(text, ids);
  return ids.size();
}

std::string Tokenizer::decode(const std::vector<int64_t>& ids, bool skipSpecial) const {
  std::string out;
  for (int64_t id : ids) {
    if (id < 0 || id >= static_cast<int64_t>(impl_->outPieces.size())) continue;
    if (skipSpecial && impl_->outSpecial[id]) continue;
    const std::string& p = impl_->outPieces[id];
    unsigned v = 0;
    if (p.size() == 6 && p.compare(0, 3, "<0x") == 0 && p[5] == '>' && std::sscanf(p.c_str() + 3, "%2x", &v) == 1) {
      out += static_cast<char>(v);
      continue;
    }
    out += p;
  }
  std::string res;
  res.reserve(out.size());
  const std::string_view sp(detail::kSpaceSymbol);
  for (size_t i = 0; i < out.size();) {
    if (out.compare(i, sp.size(), sp) == 0) {
      res += ' ';
      i += sp.size();
    } else {
      res += out[i++];
    }
  }
  if (impl_->stripDecodedLeadingSpace && !res.empty() && res[0] == ' ') res.erase(0, 1);
  return res;
}

int64_t Tokenizer::vocabSize() const { return static_cast<int64_t>(impl_->outPieces.size()); }
std::string Tokenizer::idToPiece(int64_t id) const {
  return id >= 0 && id < vocabSize() ? impl_->outPieces[id] : std::string();
}
int64_t Tokenizer::pieceToId(std::string_view piece) const {
  for (const auto& a : impl_->added)
    if (a.content == piece) return a.id;
  if (impl_->remap.empty()) return impl_->vocab->find(piece);
  const int id = impl_->vocab->find(piece);
  return id < 0 ? -1 : impl_->remap[id];
}
int64_t Tokenizer::bosId() const { return impl_->bos; }
int64_t Tokenizer::eosId() const { return impl_->eos; }
int64_t Tokenizer::padId() const { return impl_->pad; }
int64_t Tokenizer::unkId() const { return impl_->unk; }
const std::string& Tokenizer::source() const { return impl_->source; }

}  // namespace newbie::text
