#include "text/newbie_xml.h"
#include "text/newbie_xml_internal.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace newbie::text {
using namespace detail;
namespace {

bool isNameStart(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || u >= 0x80;
}
bool isNameChar(char c) { return isNameStart(c) || (c >= '0' && c <= '9') || c == '-' || c == '.'; }

/// Line starts for offset -> line:column.
class LineIndex {
 public:
  explicit LineIndex(const std::string& s) : s_(s) {
    starts_.push_back(0);
    for (std::size_t i = 0; i < s.size(); ++i)
      if (s[i] == '\n') starts_.push_back(i + 1);
  }
  std::pair<int, int> at(std::size_t offset) const {
    offset = std::min(offset, s_.size());
    const auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
    const std::size_t line = static_cast<std::size_t>(it - starts_.begin());  // 1-based
    const std::size_t start = starts_[line - 1];
    int col = 1;
    for (std::size_t i = start; i < offset; ++i)
      if ((static_cast<unsigned char>(s_[i]) & 0xC0) != 0x80) ++col;
    return {static_cast<int>(line), col};
  }

 private:
  const std::string& s_;
  std::vector<std::size_t> starts_;
};

class Parser {
 public:
  Parser(const std::string& s, std::vector<XmlDiagnostic>& diags) : s_(s), diags_(diags), lines_(s) {}

  std::vector<XmlNode> run() {
    std::size_t i = 0;
    while (i < s_.size()) {
      const char c = s_[i];
      if (c == '<') {
        i = parseMarkup(i);
      } else if (c == '&') {
        checkEntity(i);
        appendText(i, 1);
        ++i;
      } else {
        appendText(i, 1);
        ++i;
      }
    }
    flushText();
    while (!stack_.empty()) {
      XmlNode* n = stack_.back();
      n->closed = false;
      n->end = n->contentEnd = s_.size();
      error(n->begin, n->openTag.size(), "<" + n->name + "> is never closed (missing </" + n->name + ">)");
      stack_.pop_back();
    }
    return std::move(root_);
  }

  void diag(XmlDiagnostic::Severity sev, std::size_t off, std::size_t len, std::string msg) {
    XmlDiagnostic d;
    d.severity = sev;
    d.offset = off;
    d.length = std::max<std::size_t>(len, s_.empty() ? 0 : 1);
    const auto lc = lines_.at(off);
    d.line = lc.first;
    d.column = lc.second;
    d.message = std::move(msg);
    diags_.push_back(std::move(d));
  }
  void error(std::size_t off, std::size_t len, std::string msg) {
    diag(XmlDiagnostic::Severity::Error, off, len, std::move(msg));
  }
  void warning(std::size_t off, std::size_t len, std::string msg) {
    diag(XmlDiagnostic::Severity::Warning, off, len, std::move(msg));
  }
  std::string where(std::size_t off) const {
    const auto lc = lines_.at(off);
    return std::to_string(lc.first) + ":" + std::to_string(lc.second);
  }

 private:
  std::vector<XmlNode>& children() { return stack_.empty() ? root_ : stack_.back()->children; }

  void appendText(std::size_t at, std::size_t n) {
    if (text_.empty()) textBegin_ = at;
    text_.append(s_, at, n);
  }
  void flushText() {
    if (text_.empty()) return;
    XmlNode t;
    t.kind = XmlNode::Kind::Text;
    t.raw = std::move(text_);
    t.begin = textBegin_;
    t.end = textBegin_ + t.raw.size();
    text_.clear();
    children().push_back(std::move(t));
  }
  void addRaw(XmlNode::Kind kind, std::size_t b, std::size_t e) {
    flushText();
    XmlNode n;
    n.kind = kind;
    n.raw = s_.substr(b, e - b);
    n.begin = b;
    n.end = e;
    children().push_back(std::move(n));
  }

  void checkEntity(std::size_t i) {
    std::size_t j = i + 1;
    if (j < s_.size() && s_[j] == '#') {
      ++j;
      const bool hex = j < s_.size() && (s_[j] == 'x' || s_[j] == 'X');
      if (hex) ++j;
      const std::size_t ds = j;
      while (j < s_.size() && (hex ? std::isxdigit(static_cast<unsigned char>(s_[j])) != 0
                                   : (s_[j] >= '0' && s_[j] <= '9')))
        ++j;
      if (j == ds || j >= s_.size() || s_[j] != ';')
        error(i, j - i, "bad character reference '" + s_.substr(i, j - i) + "' (expected &#NNN; or &#xHHH;)");
      return;
    }
    if (j >= s_.size() || !isNameStart(s_[j])) {
      warning(i, 1, "bare '&' (write &amp; if you mean the character)");
      return;
    }
    while (j < s_.size() && isNameChar(s_[j])) ++j;
    const std::string name = s_.substr(i + 1, j - i - 1);
    if (j >= s_.size() || s_[j] != ';') {
      error(i, j - i, "bad entity '&" + name + "' (missing ';')");
      return;
    }
    static const std::set<std::string> known = {"amp", "lt", "gt", "quot", "apos"};
    if (!known.count(name)) error(i, j - i + 1, "unknown entity '&" + name + ";'");
  }

  /// s_[i] == '<'. Returns the index after what was consumed.
  std::size_t parseMarkup(std::size_t i) {
    auto startsWith = [&](const char* p) { return s_.compare(i, std::char_traits<char>::length(p), p) == 0; };
    auto rawUntil = [&](const char* term, XmlNode::Kind kind, const char* what) {
      const std::size_t tl = std::char_traits<char>::length(term);
      const std::size_t e = s_.find(term, i + 1);
      if (e == std::string::npos) {
        error(i, s_.size() - i, std::string("unterminated ") + what);
        addRaw(kind, i, s_.size());
        return s_.size();
      }
      addRaw(kind, i, e + tl);
      return e + tl;
    };
    if (startsWith("<!--")) return rawUntil("-->", XmlNode::Kind::Comment, "comment (missing '-->')");
    if (startsWith("<![CDATA[")) return rawUntil("]]>", XmlNode::Kind::Other, "CDATA section (missing ']]>')");
    if (startsWith("<?")) return rawUntil("?>", XmlNode::Kind::Other, "processing instruction (missing '?>')");
    if (startsWith("<!")) return rawUntil(">", XmlNode::Kind::Other, "declaration (missing '>')");
    if (startsWith("</")) return parseClose(i);
    if (i + 1 < s_.size() && isNameStart(s_[i + 1])) return parseOpen(i);
    error(i, 1, "stray '<' (write &lt; if you mean the character)");
    appendText(i, 1);
    return i + 1;
  }

  std::size_t parseOpen(std::size_t i) {
    std::size_t j = i + 1;
    while (j < s_.size() && isNameChar(s_[j])) ++j;
    const std::string name = s_.substr(i + 1, j - i - 1);
    char quote = 0;
    while (j < s_.size()) {
      const char c = s_[j];
      if (quote) {
        if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '>' || c == '<') {
        break;
      }
      ++j;
    }
    if (j >= s_.size() || s_[j] != '>') {
      error(i, j - i, "tag <" + name + " is missing its closing '>'");
      appendText(i, 1);
      return i + 1;
    }
    flushText();
    XmlNode n;
    n.kind = XmlNode::Kind::Element;
    n.name = name;
    n.openTag = s_.substr(i, j + 1 - i);
    n.begin = i;
    n.contentBegin = n.contentEnd = n.end = j + 1;
    n.selfClosing = s_[j - 1] == '/';
    children().push_back(std::move(n));
    if (!children().back().selfClosing) stack_.push_back(&children().back());
    return j + 1;
  }

  std::size_t parseClose(std::size_t i) {
    std::size_t j = i + 2;
    while (j < s_.size() && isNameChar(s_[j])) ++j;
    const std::string name = s_.substr(i + 2, j - i - 2);
    std::size_t k = j;
    while (k < s_.size() && isSpace(s_[k])) ++k;
    if (name.empty() || k >= s_.size() || s_[k] != '>') {
      error(i, std::max<std::size_t>(j - i, 2), "malformed closing tag '" + s_.substr(i, j - i) + "' (expected </name>)");
      appendText(i, 1);
      return i + 1;
    }
    const std::size_t end = k + 1;
    int match = -1;
    for (int d = static_cast<int>(stack_.size()) - 1; d >= 0; --d)
      if (stack_[d]->name == name) {
        match = d;
        break;
      }
    if (match < 0) {
      std::string msg = "closing tag </" + name + "> has no matching opening tag";
      if (!stack_.empty()) msg += " (inside <" + stack_.back()->name + ">)";
      error(i, end - i, msg);
      addRaw(XmlNode::Kind::Other, i, end);
      return end;
    }
    flushText();
    if (match != static_cast<int>(stack_.size()) - 1) {
      XmlNode* top = stack_.back();
      error(i, end - i, "mismatched closing tag </" + name + ">: expected </" + top->name + "> (opened at " +
                            where(top->begin) + ")");
    }
    while (static_cast<int>(stack_.size()) - 1 > match) {
      XmlNode* n = stack_.back();
      n->closed = false;
      n->end = n->contentEnd = i;
      stack_.pop_back();
    }
    XmlNode* n = stack_.back();
    n->contentEnd = i;
    n->end = end;
    n->closeTag = s_.substr(i, end - i);
    stack_.pop_back();
    return end;
  }

  const std::string& s_;
  std::vector<XmlDiagnostic>& diags_;
  LineIndex lines_;
  std::vector<XmlNode> root_;
  std::vector<XmlNode*> stack_;
  std::string text_;
  std::size_t textBegin_ = 0;
};

// ---- semantic checks ----

class Checker {
 public:
  Checker(Parser& p) : p_(p) {}

  void container(const std::vector<XmlNode>& nodes) {
    std::map<std::string, std::size_t> seen;
    for (const XmlNode& n : nodes) {
      if (!n.isElement()) continue;
      const int num = characterNumber(n.name);
      if (num >= 0) {
        chars_.push_back({num, n.begin, n.openTag.size()});
        character(n, num);
        continue;
      }
      if (n.name == "image") {
        container(n.children);
        continue;
      }
      if (contains(rootBlockNames(), n.name)) {
        if (seen.count(n.name))
          p_.warning(n.begin, n.openTag.size(),
                     "duplicate <" + n.name + "> (first at " + p_.where(seen[n.name]) + ")");
        else
          seen[n.name] = n.begin;
        if (n.name == "general_tags")
          fields(n, generalTagFieldNames(), "general_tags");
        else
          leaf(n);
        continue;
      }
      std::string msg = "unknown tag <" + n.name + ">";
      if (contains(characterFieldNames(), n.name) || n.name == "name")
        msg += " at the top level (it belongs inside <character_N>)";
      else if (contains(generalTagFieldNames(), n.name))
        msg += " at the top level (it belongs inside <general_tags>)";
      p_.warning(n.begin, n.openTag.size(), msg);
    }
  }

  void numbering() {
    if (chars_.empty()) return;
    std::map<int, std::size_t> first;
    for (const auto& c : chars_) {
      if (first.count(c.num))
        p_.warning(c.offset, c.len,
                   "duplicate <character_" + std::to_string(c.num) + "> (first at " + p_.where(first[c.num]) + ")");
      else
        first[c.num] = c.offset;
    }
    if (first.count(0)) p_.warning(first[0], 13, "character numbering starts at 1 (<character_0>)");
    const int maxN = first.rbegin()->first;
    for (int k = 1; k < maxN; ++k) {
      if (first.count(k)) continue;
      const auto next = first.upper_bound(k);
      p_.warning(next->second, 0, "character numbering gap: <character_" + std::to_string(k) + "> is missing");
    }
  }

 private:
  struct CharRef {
    int num;
    std::size_t offset, len;
  };

  void character(const XmlNode& n, int num) {
    const bool any = fields(n, characterFieldNames(), "character_" + std::to_string(num));
    if (!any) p_.warning(n.begin, n.openTag.size(), "<" + n.name + "> is empty");
  }

  /// Checks the children of a block; returns true when some field has a non-empty value.
  bool fields(const XmlNode& block, const std::vector<std::string>& known, const std::string& ctx) {
    std::map<std::string, std::size_t> seen;
    bool any = false;
    for (const XmlNode& f : block.children) {
      if (!f.isElement()) continue;
      const std::string key = canonicalField(f.name);
      const bool isKnown = contains(known, f.name) || (f.name == "name" && contains(known, "n"));
      if (!isKnown) {
        p_.warning(f.begin, f.openTag.size(), "unknown tag <" + f.name + "> inside <" + ctx + ">");
      } else if (seen.count(key)) {
        p_.warning(f.begin, f.openTag.size(),
                   "duplicate <" + f.name + "> in <" + ctx + "> (first at " + p_.where(seen[key]) + ")");
      } else {
        seen[key] = f.begin;
      }
      if (!trim(f.innerRaw()).empty()) any = true;
      leaf(f);
    }
    return any;
  }

  void leaf(const XmlNode& n) {
    for (const XmlNode& c : n.children) {
      if (!c.isElement()) continue;
      p_.warning(c.begin, c.openTag.size(), "unexpected tag <" + c.name + "> inside <" + n.name + ">");
    }
  }

  Parser& p_;
  std::vector<CharRef> chars_;
};


XmlField makeField(const XmlNode& f, const LineIndex& li) {
  XmlField out;
  out.name = f.name;
  out.value = trim(f.innerRaw());
  out.offset = f.begin;
  const auto lc = li.at(f.begin);
  out.line = lc.first;
  out.column = lc.second;
  return out;
}

}  // namespace

// ---- shared helpers (newbie_xml_internal.h) ----

namespace detail {

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string trim(const std::string& s) {
  std::size_t b = 0, e = s.size();
  while (b < e && isSpace(s[b])) ++b;
  while (e > b && isSpace(s[e - 1])) --e;
  return s.substr(b, e - b);
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string canonicalField(const std::string& f) { return f == "name" ? std::string("n") : f; }

const XmlNode* firstBlock(const std::vector<XmlNode>& root, const std::string& name) {
  const XmlNode* found = nullptr;
  forEachBlock(root, [&](const XmlNode& n) {
    if (!found && n.name == name) found = &n;
  });
  return found;
}
const XmlNode* firstCharacter(const std::vector<XmlNode>& root, int number) {
  const XmlNode* found = nullptr;
  forEachBlock(root, [&](const XmlNode& n) {
    if (!found && characterNumber(n.name) == number) found = &n;
  });
  return found;
}
const XmlNode* lastCharacter(const std::vector<XmlNode>& root) {
  const XmlNode* found = nullptr;
  forEachBlock(root, [&](const XmlNode& n) {
    if (characterNumber(n.name) >= 0) found = &n;
  });
  return found;
}
const XmlNode* findField(const XmlNode& block, const std::string& field) {
  const std::string key = canonicalField(field);
  for (const XmlNode& f : block.children)
    if (f.isElement() && canonicalField(f.name) == key) return &f;
  return nullptr;
}
int maxCharacterNumber(const std::vector<XmlNode>& root) {
  int m = 0;
  forEachBlock(root, [&](const XmlNode& n) { m = std::max(m, characterNumber(n.name)); });
  return m;
}

}  // namespace detail

// ---- vocabulary ----

const std::vector<std::string>& characterFieldNames() {
  static const std::vector<std::string> v = {"n",          "gender", "appearance",  "clothing", "body_type",
                                             "expression", "action", "interaction", "position"};
  return v;
}
const std::vector<std::string>& generalTagFieldNames() {
  static const std::vector<std::string> v = {"count",      "artists",  "style",   "background", "environment",
                                             "perspective", "atmosphere", "lighting", "resolution", "quality",
                                             "objects",    "other",    "body_type", "extra_tags"};
  return v;
}
const std::vector<std::string>& rootBlockNames() {
  static const std::vector<std::string> v = {"general_tags", "caption", "image", "danbooru_tags", "style"};
  return v;
}

int characterNumber(const std::string& name) {
  static const std::string prefix = "character_";
  if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) return -1;
  if (name.size() - prefix.size() > 6) return -1;
  int n = 0;
  for (std::size_t i = prefix.size(); i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9') return -1;
    n = n * 10 + (name[i] - '0');
  }
  return n;
}

// ---- nodes ----

std::string XmlNode::toString() const {
  if (kind != Kind::Element) return raw;
  std::string out = openTag;
  for (const XmlNode& c : children) out += c.toString();
  out += closeTag;
  return out;
}

std::string XmlNode::innerRaw() const {
  std::string out;
  for (const XmlNode& c : children) out += c.toString();
  return out;
}

std::string XmlCharacter::get(const std::string& field) const {
  const std::string key = canonicalField(field);
  for (const XmlField& f : fields)
    if (canonicalField(f.name) == key) return f.value;
  return {};
}
bool XmlCharacter::has(const std::string& field) const {
  const std::string key = canonicalField(field);
  for (const XmlField& f : fields)
    if (canonicalField(f.name) == key) return true;
  return false;
}

// ---- document ----

Document Document::parse(std::string source) {
  Document d;
  d.source_ = std::move(source);
  Parser p(d.source_, d.diagnostics_);
  d.root_ = p.run();
  Checker ch(p);
  ch.container(d.root_);
  ch.numbering();
  std::stable_sort(d.diagnostics_.begin(), d.diagnostics_.end(),
                   [](const XmlDiagnostic& a, const XmlDiagnostic& b) { return a.offset < b.offset; });
  return d;
}

std::string Document::toString() const {
  std::string out;
  out.reserve(source_.size());
  for (const XmlNode& n : root_) out += n.toString();
  return out;
}

bool Document::hasErrors() const {
  return std::any_of(diagnostics_.begin(), diagnostics_.end(), [](const XmlDiagnostic& d) { return d.isError(); });
}

bool Document::looksLikeXml() const {
  bool found = false;
  forEachBlock(root_, [&](const XmlNode& n) {
    if (characterNumber(n.name) >= 0 || n.name == "general_tags" || n.name == "caption") found = true;
  });
  return found;
}

std::vector<XmlCharacter> Document::characters() const {
  std::vector<XmlCharacter> out;
  const LineIndex li(source_);
  forEachBlock(root_, [&](const XmlNode& n) {
    const int num = characterNumber(n.name);
    if (num < 0) return;
    XmlCharacter c;
    c.number = num;
    c.offset = n.begin;
    const auto lc = li.at(n.begin);
    c.line = lc.first;
    c.column = lc.second;
    for (const XmlNode& f : n.children)
      if (f.isElement()) c.fields.push_back(makeField(f, li));
    out.push_back(std::move(c));
  });
  return out;
}

std::optional<XmlCharacter> Document::character(int number) const {
  for (XmlCharacter& c : characters())
    if (c.number == number) return std::move(c);
  return std::nullopt;
}

std::vector<XmlField> Document::generalTags() const {
  std::vector<XmlField> out;
  const XmlNode* g = firstBlock(root_, "general_tags");
  if (!g) return out;
  const LineIndex li(source_);
  for (const XmlNode& f : g->children)
    if (f.isElement()) out.push_back(makeField(f, li));
  return out;
}

std::string Document::generalTag(const std::string& field) const {
  const XmlNode* g = firstBlock(root_, "general_tags");
  const XmlNode* f = g ? findField(*g, field) : nullptr;
  return f ? trim(f->innerRaw()) : std::string();
}

bool Document::hasCaption() const { return firstBlock(root_, "caption") != nullptr; }

std::string Document::caption() const {
  const XmlNode* c = firstBlock(root_, "caption");
  return c ? trim(c->innerRaw()) : std::string();
}

std::vector<std::pair<std::string, std::string>> Document::fieldPaths() const {
  std::vector<std::pair<std::string, std::string>> out;
  forEachBlock(root_, [&](const XmlNode& n) {
    const int num = characterNumber(n.name);
    if (num >= 0 || n.name == "general_tags") {
      for (const XmlNode& f : n.children) {
        if (!f.isElement()) continue;
        std::string v = trim(f.innerRaw());
        if (!v.empty()) out.emplace_back(n.name + "." + canonicalField(f.name), std::move(v));
      }
    } else if (n.name == "caption" || n.name == "danbooru_tags" || n.name == "style") {
      std::string v = trim(n.innerRaw());
      if (!v.empty()) out.emplace_back(n.name, std::move(v));
    }
  });
  return out;
}

std::string Document::plainText() const {
  std::string out;
  for (const XmlNode& n : root_) {
    if (n.kind != XmlNode::Kind::Text) continue;
    const std::string t = trim(n.raw);
    if (t.empty()) continue;
    if (!out.empty()) out += "\n";
    out += t;
  }
  return out;
}


// ---- tag helpers ----

std::vector<std::string> splitTags(const std::string& value) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    std::string t = trim(cur);
    if (!t.empty()) out.push_back(std::move(t));
    cur.clear();
  };
  static const std::string fullWidthComma = "\xEF\xBC\x8C";  // U+FF0C
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] == ',') {
      flush();
    } else if (value.compare(i, 3, fullWidthComma) == 0) {
      flush();
      i += 2;
    } else {
      cur += value[i];
    }
  }
  flush();
  return out;
}

std::string joinTags(const std::vector<std::string>& tags) {
  std::string out;
  for (const std::string& t : tags) {
    if (!out.empty()) out += ", ";
    out += t;
  }
  return out;
}

std::string normalizeTag(const std::string& tag) {
  std::string t = trim(tag);
  for (char& c : t) {
    if (c == ' ') c = '_';
    else if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return t;
}

std::vector<XmlDiagnostic> validate(const std::string& source) { return Document::parse(source).diagnostics(); }

}  // namespace newbie::text
