// BPE (SentencePiece score order and HF merge-rank order) and Unigram (Viterbi) models.
#include <cstdio>
#include <limits>
#include <queue>

#include "text/tokenizer_impl.h"

namespace newbie::text::detail {

void Vocab::buildIndex() {
  index.clear();
  index.reserve(pieces.size() * 2);
  for (size_t i = 0; i < pieces.size(); ++i) index.emplace(std::string_view(pieces[i]), static_cast<int>(i));
}

namespace {
void fillByteIds(const Vocab& v, int* ids) {
  char buf[8];
  for (int b = 0; b < 256; ++b) {
    std::snprintf(buf, sizeof buf, "<0x%02X>", b);
    ids[b] = v.find(buf);
  }
}
}  // namespace

// ---- BPE ---------------------------------------------------------------------------------
BpeModel::BpeModel(std::shared_ptr<const Vocab> vocab, Options opt, std::vector<PieceType> types,
                   std::vector<std::pair<std::string, std::string>> merges, const std::string& origin)
    : vocab_(std::move(vocab)), opt_(opt), types_(std::move(types)) {
  fillByteIds(*vocab_, byteIds_);
  if (opt_.spmScores) {
    std::vector<std::pair<std::string, int>> ud;
    for (size_t i = 0; i < types_.size(); ++i)
      if (types_[i] == PieceType::UserDefined) ud.emplace_back(vocab_->pieces[i], static_cast<int>(i));
    hasUserDefined_ = !ud.empty();
    if (hasUserDefined_) userDefined_.build(std::move(ud));
  } else {
    merges_.reserve(merges.size() * 2);
    for (size_t r = 0; r < merges.size(); ++r) {
      const auto& [a, b] = merges[r];
      const int ia = vocab_->find(a), ib = vocab_->find(b), in = vocab_->find(a + b);
      if (ia < 0 || ib < 0 || in < 0)
        throw TokenizerError(origin + ": BPE merge #" + std::to_string(r) + " ('" + a + "', '" + b +
                             "') uses a piece that is not in the vocabulary");
      const uint64_t key = (static_cast<uint64_t>(static_cast<uint32_t>(ia)) << 32) | static_cast<uint32_t>(ib);
      merges_.emplace(key, std::make_pair(static_cast<int>(r), in));  // first (lowest rank) wins
    }
  }
}

bool BpeModel::usable(int id) const {
  if (id < 0) return false;
  if (types_.empty()) return true;
  const PieceType t = types_[id];
  return t == PieceType::Normal || t == PieceType::UserDefined || t == PieceType::Unused;
}

void BpeModel::emitUnknown(std::string_view s, std::vector<int>& out) const {
  if (opt_.byteFallback) {
    bool all = true;
    for (char c : s) all = all && byteIds_[static_cast<uint8_t>(c)] >= 0;
    if (all) {
      for (char c : s) out.push_back(byteIds_[static_cast<uint8_t>(c)]);
      return;
    }
  }
  if (opt_.unkId < 0) throw TokenizerError("BPE tokenizer without an unk token met unknown text '" + std::string(s) + "'");
  if (opt_.fuseUnk && !out.empty() && out.back() == opt_.unkId) return;
  out.push_back(opt_.unkId);
}

void BpeModel::encode(std::string_view text, std::vector<int>& out) const {
  if (text.empty()) return;
  if (opt_.spmScores) encodeSpm(text, out);
  else encodeHf(text, out);
}

void BpeModel::encodeSpm(std::string_view text, std::vector<int>& out) const {
  struct Sym {
    int prev, next;
    uint32_t off, len;
    bool freeze;
  };
  struct Pair {
    float score;
    int left, right;
    uint32_t size;
  };
  struct Cmp {
    bool operator()(const Pair& a, const Pair& b) const {
      return a.score < b.score || (a.score == b.score && a.left > b.left);
    }
  };
  std::vector<Sym> sym;
  sym.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    size_t len = 0;
    bool freeze = false;
    if (hasUserDefined_) userDefined_.commonPrefixSearch(text.data() + pos, text.size() - pos, [&](size_t l, int) { len = l; });
    if (len > 0) freeze = true;
    else len = utf8Len(text.data() + pos, text.size() - pos);
    if (len == 0) len = 1;
    const int idx = static_cast<int>(sym.size());
    sym.push_back({idx - 1, pos + len < text.size() ? idx + 1 : -1, static_cast<uint32_t>(pos),
                   static_cast<uint32_t>(len), freeze});
    pos += len;
  }
  std::priority_queue<Pair, std::vector<Pair>, Cmp> agenda;
  auto piece = [&](uint32_t off, uint32_t len) { return text.substr(off, len); };
  auto maybeAdd = [&](int l, int r) {
    if (l < 0 || r < 0 || sym[l].freeze || sym[r].freeze) return;
    const int id = vocab_->find(piece(sym[l].off, sym[l].len + sym[r].len));
    if (!usable(id)) return;
    agenda.push({vocab_->scores[id], l, r, sym[l].len + sym[r].len});
  };
  for (size_t i = 1; i < sym.size(); ++i) maybeAdd(static_cast<int>(i - 1), static_cast<int>(i));
  std::unordered_map<std::string_view, std::pair<std::string_view, std::string_view>> revMerge;
  while (!agenda.empty()) {
    const Pair top = agenda.top();
    agenda.pop();
    Sym& L = sym[top.left];
    Sym& R = sym[top.right];
    if (L.len == 0 || R.len == 0 || L.len + R.len != top.size || L.next != top.right) continue;
    const std::string_view merged = piece(L.off, top.size);
    const int id = vocab_->find(merged);
    if (!types_.empty() && types_[id] == PieceType::Unused)
      revMerge[merged] = {piece(L.off, L.len), piece(R.off, R.len)};
    L.len = top.size;
    L.next = R.next;
    if (R.next >= 0) sym[R.next].prev = top.left;
    R.len = 0;
    maybeAdd(L.prev, top.left);
    maybeAdd(top.left, L.next);
  }
  // Resegments UNUSED pieces into the pieces they were merged from.
  std::vector<std::string_view> stack;
  for (int i = sym.empty() ? -1 : 0; i != -1; i = sym[i].next) {
    stack.push_back(piece(sym[i].off, sym[i].len));
    while (!stack.empty()) {
      const std::string_view w = stack.back();
      stack.pop_back();
      const int id = vocab_->find(w);
      if (usable(id) && !types_.empty() && types_[id] == PieceType::Unused) {
        auto it = revMerge.find(w);
        if (it != revMerge.end()) {
          stack.push_back(it->second.second);
          stack.push_back(it->second.first);
          continue;
        }
      }
      if (usable(id)) out.push_back(id);
      else emitUnknown(w, out);
    }
  }
}

void BpeModel::encodeHf(std::string_view text, std::vector<int>& out) const {
  if (opt_.ignoreMerges) {
    const int id = vocab_->find(text);
    if (id >= 0) {
      out.push_back(id);
      return;
    }
  }
  struct Sym {
    int id, prev, next;
    uint32_t len;
  };
  std::vector<Sym> sym;
  sym.reserve(text.size());
  size_t pos = 0;
  auto push = [&](int id, uint32_t len) {
    const int idx = static_cast<int>(sym.size());
    if (idx > 0) sym.back().next = idx;
    sym.push_back({id, idx - 1, -1, len});
  };
  while (pos < text.size()) {
    size_t len = utf8Len(text.data() + pos, text.size() - pos);
    if (len == 0) len = 1;
    const std::string_view ch = text.substr(pos, len);
    const int id = vocab_->find(ch);
    if (id >= 0) {
      push(id, static_cast<uint32_t>(len));
    } else {
      bool all = opt_.byteFallback;
      for (char c : ch) all = all && byteIds_[static_cast<uint8_t>(c)] >= 0;
      if (all) {
        for (char c : ch) push(byteIds_[static_cast<uint8_t>(c)], 1);
      } else {
        if (opt_.unkId < 0)
          throw TokenizerError("BPE tokenizer without an unk token met unknown text '" + std::string(ch) + "'");
        if (opt_.fuseUnk && !sym.empty() && sym.back().id == opt_.unkId) sym.back().len += static_cast<uint32_t>(len);
        else push(opt_.unkId, static_cast<uint32_t>(len));
      }
    }
    pos += len;
  }
  struct Merge {
    int pos, rank, newId;
  };
  struct Cmp {
    bool operator()(const Merge& a, const Merge& b) const {
      return a.rank > b.rank || (a.rank == b.rank && a.pos > b.pos);
    }
  };
  auto lookup = [&](int a, int b) -> const std::pair<int, int>* {
    const uint64_t key = (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
    auto it = merges_.find(key);
    return it == merges_.end() ? nullptr : &it->second;
  };
  std::priority_queue<Merge, std::vector<Merge>, Cmp> queue;
  for (size_t i = 0; i + 1 < sym.size(); ++i)
    if (auto m = lookup(sym[i].id, sym[i + 1].id)) queue.push({static_cast<int>(i), m->first, m->second});
  while (!queue.empty()) {
    const Merge top = queue.top();
    queue.pop();
    Sym& cur = sym[top.pos];
    if (cur.len == 0 || cur.next < 0) continue;
    Sym& nxt = sym[cur.next];
    auto m = lookup(cur.id, nxt.id);
    if (!m || m->second != top.newId) continue;
    cur.id = top.newId;
    cur.len += nxt.len;
    nxt.len = 0;
    cur.next = nxt.next;
    if (cur.next >= 0) sym[cur.next].prev = top.pos;
    if (cur.prev >= 0)
      if (auto p = lookup(sym[cur.prev].id, cur.id)) queue.push({cur.prev, p->first, p->second});
    if (cur.next >= 0)
      if (auto p = lookup(cur.id, sym[cur.next].id)) queue.push({top.pos, p->first, p->second});
  }
  for (int i = sym.empty() ? -1 : 0; i != -1; i = sym[i].next) out.push_back(sym[i].id);
}

// ---- Unigram -----------------------------------------------------------------------------
UnigramModel::UnigramModel(std::shared_ptr<const Vocab> vocab, std::vector<PieceType> types, Options opt,
                           bool spmScores)
    : vocab_(std::move(vocab)), types_(std::move(types)), opt_(opt), spmScores_(spmScores) {
  fillByteIds(*vocab_, byteIds_);
  std::vector<std::pair<std::string, int>> keys;
  float minScore = std::numeric_limits<float>::max(), maxScore = std::numeric_limits<float>::lowest();
  for (size_t i = 0; i < vocab_->pieces.size(); ++i) {
    const PieceType t = types_.empty() ? PieceType::Normal : types_[i];
    if (t == PieceType::Normal || !spmScores) {
      minScore = std::min(minScore, vocab_->scores[i]);
      maxScore = std::max(maxScore, vocab_->scores[i]);
    }
    if (t == PieceType::Normal || t == PieceType::UserDefined)
      if (!vocab_->pieces[i].empty()) keys.emplace_back(vocab_->pieces[i], static_cast<int>(i));
  }
  if (keys.empty()) throw TokenizerError("Unigram vocabulary has no usable pieces");
  unkScore_ = minScore - 10.0f;
  maxScore_ = maxScore;
  trie_.build(std::move(keys));
}

void UnigramModel::encode(std::string_view text, std::vector<int>& out) const {
  // SentencePiece accumulates path scores in float, HF tokenizers in f64.
  if (spmScores_) encodeImpl<float>(text, out);
  else encodeImpl<double>(text, out);
}

template <class Acc>
void UnigramModel::encodeImpl(std::string_view text, std::vector<int>& out) const {
  const size_t n = text.size();
  if (n == 0) return;
  struct Best {
    Acc score = 0;
    int start = -1;
    int id = -1;
  };
  std::vector<Best> best(n + 1);
  best[0].start = 0;
  size_t pos = 0;
  while (pos < n) {
    size_t mblen = utf8Len(text.data() + pos, n - pos);
    if (mblen == 0) mblen = 1;
    const Acc base = best[pos].score;
    bool single = false;
    trie_.commonPrefixSearch(text.data() + pos, n - pos, [&](size_t len, int id) {
      const bool user = !types_.empty() && types_[id] == PieceType::UserDefined;
      const Acc s = user ? static_cast<Acc>(static_cast<Acc>(len) * maxScore_ - static_cast<Acc>(0.1))
                         : static_cast<Acc>(vocab_->scores[id]);
      Best& t = best[pos + len];
      const Acc cand = base + s;
      if (t.start < 0 || cand > t.score) {
        t.score = cand;
        t.start = static_cast<int>(pos);
        t.id = id;
      }
      if (len == mblen) single = true;
    });
    if (!single) {
      Best& t = best[pos + mblen];
      const Acc cand = base + static_cast<Acc>(unkScore_);
      if (t.start < 0 || cand > t.score) {
        t.score = cand;
        t.start = static_cast<int>(pos);
        t.id = opt_.unkId;
      }
    }
    pos += mblen;
  }
  // Backtrack.
  std::vector<std::pair<size_t, int>> toks;  // (start, id), reversed
  size_t end = n;
  while (end > 0) {
    const Best& b = best[end];
    if (b.start < 0) throw TokenizerError("Unigram lattice is broken (no path)");
    toks.emplace_back(static_cast<size_t>(b.start), b.id);
    end = static_cast<size_t>(b.start);
  }
  size_t stop = n;
  bool prevUnk = false;
  for (auto it = toks.rbegin(); it != toks.rend(); ++it) {
    const size_t s = it->first;
    const size_t e = (it + 1 == toks.rend()) ? stop : std::next(it)->first;
    if (it->second == opt_.unkId) {
      if (opt_.byteFallback) {
        for (size_t k = s; k < e; ++k) {
          const int b = byteIds_[static_cast<uint8_t>(text[k])];
          out.push_back(b >= 0 ? b : opt_.unkId);
        }
        prevUnk = false;
        continue;
      }
      if (opt_.fuseUnk && prevUnk) continue;
      out.push_back(opt_.unkId);
      prevUnk = true;
    } else {
      out.push_back(it->second);
      prevUnk = false;
    }
  }
}

}  // namespace newbie::text::detail
