// UTF-8 helpers, byte trie, precompiled charsmap, SentencePiece normalizer and the HF
// normalizer / pre-tokenizer steps used by tokenizer.json files.
#include <algorithm>
#include <cstring>

#include "text/tokenizer_impl.h"

namespace newbie::text::detail {

const char* const kSpaceSymbol = "\xE2\x96\x81";

// ---- UTF-8 -------------------------------------------------------------------------------
size_t utf8Len(const char* s, size_t n) {
  if (n == 0) return 0;
  const auto c = static_cast<uint8_t>(s[0]);
  size_t len;
  uint32_t minCp;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) { len = 2; minCp = 0x80; }
  else if ((c & 0xF0) == 0xE0) { len = 3; minCp = 0x800; }
  else if ((c & 0xF8) == 0xF0) { len = 4; minCp = 0x10000; }
  else return 0;
  if (len > n) return 0;
  for (size_t i = 1; i < len; ++i)
    if ((static_cast<uint8_t>(s[i]) & 0xC0) != 0x80) return 0;
  const uint32_t cp = utf8Decode(s, len);
  if (cp < minCp || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

uint32_t utf8Decode(const char* s, size_t len) {
  const auto* u = reinterpret_cast<const uint8_t*>(s);
  switch (len) {
    case 1: return u[0];
    case 2: return ((u[0] & 0x1Fu) << 6) | (u[1] & 0x3Fu);
    case 3: return ((u[0] & 0x0Fu) << 12) | ((u[1] & 0x3Fu) << 6) | (u[2] & 0x3Fu);
    default: return ((u[0] & 0x07u) << 18) | ((u[1] & 0x3Fu) << 12) | ((u[2] & 0x3Fu) << 6) | (u[3] & 0x3Fu);
  }
}

void utf8Append(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool isUnicodeWhitespace(uint32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
         cp == 0x3000;
}

// ---- ByteTrie ----------------------------------------------------------------------------
void ByteTrie::build(std::vector<std::pair<std::string, int>> keys) {
  nodes_.clear();
  edges_.clear();
  std::stable_sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  keys.erase(std::unique(keys.begin(), keys.end(), [](const auto& a, const auto& b) { return a.first == b.first; }),
             keys.end());
  nodes_.reserve(keys.size() * 2 + 1);
  buildRange(keys, 0, keys.size(), 0);
}

uint32_t ByteTrie::buildRange(const std::vector<std::pair<std::string, int>>& keys, size_t lo, size_t hi,
                              size_t depth) {
  const auto self = static_cast<uint32_t>(nodes_.size());
  nodes_.emplace_back();
  if (lo < hi && keys[lo].first.size() == depth) {
    nodes_[self].value = keys[lo].second;
    ++lo;
  }
  std::vector<Edge> local;
  size_t i = lo;
  while (i < hi) {
    const auto b = static_cast<uint8_t>(keys[i].first[depth]);
    size_t j = i + 1;
    while (j < hi && static_cast<uint8_t>(keys[j].first[depth]) == b) ++j;
    local.push_back({b, buildRange(keys, i, j, depth + 1)});
    i = j;
  }
  nodes_[self].begin = static_cast<uint32_t>(edges_.size());
  nodes_[self].count = static_cast<uint32_t>(local.size());
  edges_.insert(edges_.end(), local.begin(), local.end());
  return self;
}

uint32_t ByteTrie::child(uint32_t node, uint8_t b) const {
  const Node& n = nodes_[node];
  const Edge* lo = edges_.data() + n.begin;
  const Edge* hi = lo + n.count;
  const Edge* it = std::lower_bound(lo, hi, b, [](const Edge& e, uint8_t v) { return e.label < v; });
  return (it != hi && it->label == b) ? it->node : kNone;
}

int ByteTrie::find(std::string_view key) const {
  if (nodes_.empty()) return -1;
  uint32_t node = 0;
  for (char c : key) {
    node = child(node, static_cast<uint8_t>(c));
    if (node == kNone) return -1;
  }
  return nodes_[node].value;
}

// ---- CharsMap ----------------------------------------------------------------------------
CharsMap::CharsMap(const std::string& blob, const std::string& origin) {
  if (blob.empty()) return;
  if (blob.size() < 4) throw TokenizerError(origin + ": precompiled_charsmap shorter than 4 bytes");
  const auto* u = reinterpret_cast<const uint8_t*>(blob.data());
  const uint32_t trieSize = u[0] | (u[1] << 8) | (u[2] << 16) | (static_cast<uint32_t>(u[3]) << 24);
  if (trieSize % 4 != 0 || trieSize > blob.size() - 4)
    throw TokenizerError(origin + ": precompiled_charsmap trie size " + std::to_string(trieSize) +
                         " does not fit the " + std::to_string(blob.size()) + "-byte blob");
  units_.resize(trieSize / 4);
  for (size_t i = 0; i < units_.size(); ++i) {
    const uint8_t* q = u + 4 + 4 * i;
    units_[i] = q[0] | (q[1] << 8) | (q[2] << 16) | (static_cast<uint32_t>(q[3]) << 24);
  }
  normalized_ = blob.substr(4 + trieSize);
  if (units_.empty()) throw TokenizerError(origin + ": precompiled_charsmap has an empty trie");
}

size_t CharsMap::match(const char* s, size_t n, bool longest, std::string_view* out) const {
  if (units_.empty()) return 0;
  // Darts-clone double array traversal (commonPrefixSearch).
  auto offset = [](uint32_t unit) { return (unit >> 10) << ((unit & (1u << 9)) >> 6); };
  auto label = [](uint32_t unit) { return unit & ((1u << 31) | 0xFFu); };
  auto hasLeaf = [](uint32_t unit) { return ((unit >> 8) & 1u) == 1u; };
  auto value = [](uint32_t unit) { return unit & ((1u << 31) - 1); };
  size_t bestLen = 0;
  uint32_t bestValue = 0;
  size_t pos = 0;
  uint32_t unit = units_[pos];
  pos ^= offset(unit);
  for (size_t i = 0; i < n; ++i) {
    const auto c = static_cast<uint8_t>(s[i]);
    pos ^= c;
    if (pos >= units_.size()) break;
    unit = units_[pos];
    if (label(unit) != c) break;
    pos ^= offset(unit);
    if (pos >= units_.size()) break;
    if (hasLeaf(unit)) {
      bestLen = i + 1;
      bestValue = value(units_[pos]);
      if (!longest) break;
    }
  }
  if (bestLen == 0 || bestValue >= normalized_.size()) return 0;
  const char* start = normalized_.data() + bestValue;
  *out = std::string_view(start, strnlen(start, normalized_.size() - bestValue));
  return bestLen;
}

// ---- SentencePiece normalizer ------------------------------------------------------------
SpmNormalizer::SpmNormalizer(const SpmNormalizerSpec& spec, bool treatWsAsSuffix,
                             std::vector<std::string> userDefined, const std::string& origin)
    : map_(spec.precompiledCharsmap, origin),
      addDummyPrefix_(spec.addDummyPrefix),
      removeExtra_(spec.removeExtraWhitespaces),
      escape_(spec.escapeWhitespaces),
      wsSuffix_(treatWsAsSuffix) {
  std::vector<std::pair<std::string, int>> keys;
  for (auto& u : userDefined)
    if (!u.empty()) keys.emplace_back(std::move(u), 1);
  hasUserDefined_ = !keys.empty();
  if (hasUserDefined_) userDefined_.build(std::move(keys));
}

std::pair<std::string_view, size_t> SpmNormalizer::normalizePrefix(std::string_view in) const {
  if (in.empty()) return {{}, 0};
  if (hasUserDefined_) {
    size_t len = 0;
    userDefined_.commonPrefixSearch(in.data(), in.size(), [&](size_t l, int) { len = l; });
    if (len > 0) return {in.substr(0, len), len};
  }
  std::string_view rep;
  const size_t m = map_.match(in.data(), in.size(), true, &rep);
  if (m > 0) return {rep, m};
  const size_t l = utf8Len(in.data(), in.size());
  if (l == 0) return {std::string_view("\xEF\xBF\xBD", 3), 1};
  return {in.substr(0, l), l};
}

std::string SpmNormalizer::normalize(std::string_view in) const {
  std::string out;
  out.reserve(in.size() * 3 / 2 + 4);
  const std::string_view space = escape_ ? std::string_view(kSpaceSymbol) : std::string_view(" ");
  if (removeExtra_) {
    while (!in.empty()) {
      const auto p = normalizePrefix(in);
      if (p.first != " ") break;
      in.remove_prefix(p.second);
    }
  }
  if (in.empty()) return out;
  if (!wsSuffix_ && addDummyPrefix_) out.append(space);
  bool prevSpace = removeExtra_;
  while (!in.empty()) {
    const auto p = normalizePrefix(in);
    std::string_view sp = p.first;
    if (prevSpace)
      while (!sp.empty() && sp.front() == ' ') sp.remove_prefix(1);
    if (!sp.empty()) {
      for (char c : sp) {
        if (escape_ && c == ' ') out.append(kSpaceSymbol);
        else out += c;
      }
      prevSpace = sp.back() == ' ';
    }
    in.remove_prefix(p.second);
    if (!removeExtra_) prevSpace = false;
  }
  if (removeExtra_) {
    while (out.size() >= space.size() && std::string_view(out).substr(out.size() - space.size()) == space)
      out.resize(out.size() - space.size());
  }
  if (wsSuffix_ && addDummyPrefix_) out.append(space);
  return out;
}

// ---- HF normalizers ----------------------------------------------------------------------
namespace {

bool isGraphemeExtend(uint32_t cp) {
  // Approximation of Grapheme_Extend / SpacingMark for the scripts that matter here.
  static const uint32_t ranges[][2] = {
      {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x05BF, 0x05BF}, {0x05C1, 0x05C2},
      {0x05C4, 0x05C5}, {0x05C7, 0x05C7}, {0x0610, 0x061A}, {0x064B, 0x065F}, {0x0670, 0x0670},
      {0x06D6, 0x06DC}, {0x06DF, 0x06E4}, {0x06E7, 0x06E8}, {0x06EA, 0x06ED}, {0x0900, 0x0903},
      {0x093A, 0x094F}, {0x0951, 0x0957}, {0x0962, 0x0963}, {0x0981, 0x0983}, {0x09BC, 0x09D7},
      {0x0E31, 0x0E31}, {0x0E33, 0x0E3A}, {0x0E47, 0x0E4E}, {0x1160, 0x11FF}, {0x1AB0, 0x1AFF},
      {0x1DC0, 0x1DFF}, {0x200C, 0x200D}, {0x20D0, 0x20FF}, {0x302A, 0x302F}, {0x3099, 0x309A},
      {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F}, {0xFF9E, 0xFF9F}, {0x1F3FB, 0x1F3FF}, {0xE0020, 0xE007F},
      {0xE0100, 0xE01EF}};
  for (const auto& r : ranges)
    if (cp >= r[0] && cp <= r[1]) return true;
  return false;
}

// Splits s into approximate extended grapheme clusters (byte ranges).
std::vector<std::pair<size_t, size_t>> graphemes(const std::string& s) {
  std::vector<std::pair<size_t, size_t>> out;
  size_t i = 0;
  uint32_t prev = 0;
  bool prevRegionalOpen = false;
  while (i < s.size()) {
    size_t l = utf8Len(s.data() + i, s.size() - i);
    if (l == 0) l = 1;
    const uint32_t cp = l == 1 ? static_cast<uint8_t>(s[i]) : utf8Decode(s.data() + i, l);
    const bool regional = cp >= 0x1F1E6 && cp <= 0x1F1FF;
    bool join = false;
    if (!out.empty()) {
      if (prev == '\r' && cp == '\n') join = true;
      else if (isGraphemeExtend(cp)) join = prev != '\r' && prev != '\n';
      else if (prev == 0x200D) join = true;
      else if (regional && prevRegionalOpen) join = true;
    }
    if (join) {
      out.back().second += l;
      prevRegionalOpen = false;
    } else {
      out.emplace_back(i, l);
      prevRegionalOpen = regional;
    }
    prev = cp;
    i += l;
  }
  return out;
}

void replaceAll(std::string& s, const std::string& from, const std::string& to) {
  if (from.empty()) return;
  std::string out;
  size_t pos = 0;
  for (;;) {
    const size_t hit = s.find(from, pos);
    if (hit == std::string::npos) break;
    out.append(s, pos, hit - pos);
    out.append(to);
    pos = hit + from.size();
  }
  if (pos == 0) return;
  out.append(s, pos, std::string::npos);
  s.swap(out);
}

}  // namespace

void HfNormalizerStep::apply(std::string& s) const {
  switch (kind) {
    case Replace: replaceAll(s, pattern, content); break;
    case ReplaceRegex:
    {
      std::string fmt;  // content is literal: escape '$' for the ECMAScript format syntax
      for (char c : content) {
        if (c == '$') fmt += '$';
        fmt += c;
      }
      s = std::regex_replace(s, *regex, fmt);
    }
      break;
    case Prepend:
      if (!s.empty()) s.insert(0, content);
      break;
    case Lowercase:
      for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      break;
    case Strip: {
      size_t b = 0, e = s.size();
      auto wsAt = [&](size_t p, size_t& len) {
        len = utf8Len(s.data() + p, s.size() - p);
        return len > 0 && isUnicodeWhitespace(utf8Decode(s.data() + p, len));
      };
      size_t len;
      if (stripLeft)
        while (b < e && wsAt(b, len)) b += len;
      if (stripRight) {
        while (e > b) {
          size_t p = e - 1;
          while (p > b && (static_cast<uint8_t>(s[p]) & 0xC0) == 0x80) --p;
          if (!wsAt(p, len) || p + len != e) break;
          e = p;
        }
      }
      s = s.substr(b, e - b);
      break;
    }
    case Precompiled: {
      // tokenizers' spm_precompiled: per grapheme; a grapheme under 6 bytes is replaced by the
      // rule of its shortest matching prefix, otherwise each character is mapped on its own.
      if (!charsmap || charsmap->empty()) break;
      std::string out;
      out.reserve(s.size() + 8);
      for (const auto& [b, len] : graphemes(s)) {
        std::string_view rep;
        if (len < 6 && charsmap->match(s.data() + b, len, false, &rep) > 0) {
          out.append(rep);
          continue;
        }
        size_t i = b;
        while (i < b + len) {
          size_t l = utf8Len(s.data() + i, b + len - i);
          if (l == 0) l = 1;
          if (charsmap->match(s.data() + i, l, false, &rep) > 0) out.append(rep);
          else out.append(s, i, l);
          i += l;
        }
      }
      s.swap(out);
      break;
    }
  }
}

// ---- HF pre-tokenizers -------------------------------------------------------------------
namespace {

// Applies a split behaviour to (range, isMatch) segments covering `w`.
void splitByMatches(const std::string& w, const std::vector<std::pair<size_t, size_t>>& matches,
                    HfPreTokenizerStep::Behavior behavior, std::vector<std::string>& out) {
  struct Seg {
    size_t b, e;
    bool match;
  };
  std::vector<Seg> segs;
  size_t pos = 0;
  for (auto [b, e] : matches) {
    if (b > pos) segs.push_back({pos, b, false});
    segs.push_back({b, e, true});
    pos = e;
  }
  if (pos < w.size()) segs.push_back({pos, w.size(), false});
  std::vector<std::pair<size_t, size_t>> res;
  using B = HfPreTokenizerStep::Behavior;
  switch (behavior) {
    case B::Removed:
      for (auto& s : segs)
        if (!s.match) res.emplace_back(s.b, s.e);
      break;
    case B::Isolated:
      for (auto& s : segs) res.emplace_back(s.b, s.e);
      break;
    case B::Contiguous: {
      bool prevMatch = false;
      for (auto& s : segs) {
        if (s.match && prevMatch && !res.empty()) res.back().second = s.e;
        else res.emplace_back(s.b, s.e);
        prevMatch = s.match;
      }
      break;
    }
    case B::MergedWithPrevious: {
      bool prevMatch = false;
      for (auto& s : segs) {
        if (s.match && !prevMatch && !res.empty()) res.back().second = s.e;
        else res.emplace_back(s.b, s.e);
        prevMatch = s.match;
      }
      break;
    }
    case B::MergedWithNext: {
      bool prevMatch = false;
      for (auto it = segs.rbegin(); it != segs.rend(); ++it) {
        if (it->match && !prevMatch && !res.empty()) res.back().first = it->b;
        else res.emplace_back(it->b, it->e);
        prevMatch = it->match;
      }
      std::reverse(res.begin(), res.end());
      break;
    }
  }
  for (auto [b, e] : res)
    if (e > b) out.push_back(w.substr(b, e - b));
}

}  // namespace

void HfPreTokenizerStep::apply(std::vector<std::string>& words, std::vector<bool>& isFirst) const {
  std::vector<std::string> out;
  std::vector<bool> outFirst;
  out.reserve(words.size());
  for (size_t wi = 0; wi < words.size(); ++wi) {
    std::string w = std::move(words[wi]);
    const size_t before = out.size();
    switch (kind) {
      case WhitespaceSplit: {
        size_t i = 0, start = 0;
        bool inWord = false;
        while (i < w.size()) {
          size_t l = utf8Len(w.data() + i, w.size() - i);
          if (l == 0) l = 1;
          const uint32_t cp = l == 1 ? static_cast<uint8_t>(w[i]) : utf8Decode(w.data() + i, l);
          const bool ws = isUnicodeWhitespace(cp);
          if (ws && inWord) {
            out.push_back(w.substr(start, i - start));
            inWord = false;
          } else if (!ws && !inWord) {
            start = i;
            inWord = true;
          }
          i += l;
        }
        if (inWord) out.push_back(w.substr(start));
        break;
      }
      case Split:
      case SplitRegex: {
        std::vector<std::pair<size_t, size_t>> m;
        if (kind == Split) {
          if (!pattern.empty())
            for (size_t p = w.find(pattern); p != std::string::npos; p = w.find(pattern, p + pattern.size()))
              m.emplace_back(p, p + pattern.size());
        } else {
          for (auto it = std::sregex_iterator(w.begin(), w.end(), *regex); it != std::sregex_iterator(); ++it) {
            const auto b = static_cast<size_t>(it->position(0)), l = static_cast<size_t>(it->length(0));
            if (l > 0) m.emplace_back(b, b + l);
          }
        }
        if (invert) {
          // The pattern describes the pieces to keep: the complement becomes the matches.
          std::vector<std::pair<size_t, size_t>> inv;
          size_t pos = 0;
          for (auto [b, e] : m) {
            if (b > pos) inv.emplace_back(pos, b);
            pos = e;
          }
          if (pos < w.size()) inv.emplace_back(pos, w.size());
          m.swap(inv);
        }
        splitByMatches(w, m, behavior, out);
        break;
      }
      case Metaspace: {
        replaceAll(w, " ", replacement);
        const bool starts = w.compare(0, replacement.size(), replacement) == 0;
        if (!starts && (prepend == Always || (prepend == First && isFirst[wi]))) w.insert(0, replacement);
        if (split) {
          std::vector<std::pair<size_t, size_t>> m;
          for (size_t p = w.find(replacement); p != std::string::npos; p = w.find(replacement, p + replacement.size()))
            m.emplace_back(p, p + replacement.size());
          splitByMatches(w, m, MergedWithNext, out);
        } else if (!w.empty()) {
          out.push_back(std::move(w));
        }
        break;
      }
    }
    for (size_t k = before; k < out.size(); ++k) outFirst.push_back(isFirst[wi] && k == before);
  }
  words.swap(out);
  isFirst.swap(outFirst);
}

}  // namespace newbie::text::detail
