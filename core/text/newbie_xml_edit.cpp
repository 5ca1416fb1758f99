// Element-local edits of a NewBie XML Document (see newbie_xml.h): every edit splices the source
// text at computed offsets and re-parses, so untouched bytes stay exactly as they were.
#include <algorithm>

#include "text/newbie_xml.h"
#include "text/newbie_xml_internal.h"

namespace newbie::text {
using namespace detail;

namespace {

struct Edit {
  std::size_t offset, length;
  std::string text;
};

std::string applyEdits(std::string s, std::vector<Edit> edits) {
  std::sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) { return a.offset > b.offset; });
  for (const Edit& e : edits) s.replace(e.offset, e.length, e.text);
  return s;
}

/// Whitespace (spaces/tabs) before `offset` back to the line start, or "" when the line has other text.
std::string indentOf(const std::string& s, std::size_t offset) {
  std::size_t b = offset;
  while (b > 0 && (s[b - 1] == ' ' || s[b - 1] == '\t')) --b;
  if (b > 0 && s[b - 1] != '\n') return {};
  return s.substr(b, offset - b);
}

/// Range to erase for node [b,e): widened to the whole line when the node is alone on it.
std::pair<std::size_t, std::size_t> lineRange(const std::string& s, std::size_t b, std::size_t e) {
  std::size_t lb = b;
  while (lb > 0 && (s[lb - 1] == ' ' || s[lb - 1] == '\t')) --lb;
  std::size_t le = e;
  while (le < s.size() && (s[le] == ' ' || s[le] == '\t' || s[le] == '\r')) ++le;
  const bool startOfLine = lb == 0 || s[lb - 1] == '\n';
  const bool endOfLine = le == s.size() || s[le] == '\n';
  if (!startOfLine || !endOfLine) return {b, e};
  if (le < s.size()) return {lb, le + 1};  // drop the newline after
  if (lb > 0) return {lb - 1, le};         // last line: drop the newline before
  return {lb, le};
}

/// Rename edits for one character element: tag names and `$character_old$` placeholders in <n>/<name>.
void renameEdits(const XmlNode& c, int newN, std::vector<Edit>& out) {
  const std::string newName = "character_" + std::to_string(newN);
  const int oldN = characterNumber(c.name);
  out.push_back({c.begin + 1, c.name.size(), newName});
  if (!c.closeTag.empty()) out.push_back({c.contentEnd + 2, c.name.size(), newName});
  const std::string oldPh = "$character_" + std::to_string(oldN) + "$";
  for (const XmlNode& f : c.children) {
    if (!f.isElement() || (f.name != "n" && f.name != "name")) continue;
    const std::string inner = f.innerRaw();
    const std::size_t p = inner.find(oldPh);
    if (p != std::string::npos && trim(inner) == oldPh)
      out.push_back({f.contentBegin + p, oldPh.size(), "$" + newName + "$"});
  }
}


/// Replaces the inner text of element `e`. Surrounding whitespace that spans lines (block
/// layout such as "<caption>\n  text\n</caption>") is kept; same-line spaces belong to the value.
Edit setInner(const std::string& src, const XmlNode& e, const std::string& value) {
  if (e.selfClosing) return {e.begin, e.end - e.begin, "<" + e.name + ">" + value + "</" + e.name + ">"};
  std::size_t b = e.contentBegin, en = e.contentEnd;
  while (b < en && isSpace(src[b])) ++b;
  while (en > b && isSpace(src[en - 1])) --en;
  if (src.find('\n', e.contentBegin) >= b) b = e.contentBegin;
  const std::size_t nl = src.rfind('\n', e.contentEnd == 0 ? 0 : e.contentEnd - 1);
  if (nl == std::string::npos || nl < en || nl >= e.contentEnd) en = e.contentEnd;
  if (en < b) en = b;
  return {b, en - b, value};
}

/// Inserts `<field>value</field>` as the last child element of `block`.
Edit appendChild(const std::string& src, const XmlNode& block, const std::string& field, const std::string& value) {
  const std::string elem = "<" + field + ">" + value + "</" + field + ">";
  if (block.selfClosing)
    return {block.begin, block.end - block.begin, "<" + block.name + ">\n" + elem + "\n</" + block.name + ">"};
  const XmlNode* lastEl = nullptr;
  for (const XmlNode& c : block.children)
    if (c.isElement()) lastEl = &c;
  const std::string inner = src.substr(block.contentBegin, block.contentEnd - block.contentBegin);
  const bool multiline = inner.find('\n') != std::string::npos || !lastEl;
  if (lastEl) {
    const std::string sep = multiline ? "\n" + indentOf(src, lastEl->begin) : std::string();
    return {lastEl->end, 0, sep + elem};
  }
  // No child element yet: put it before the trailing whitespace of the block.
  std::size_t at = block.contentEnd;
  while (at > block.contentBegin && isSpace(src[at - 1])) --at;
  const std::string ind = indentOf(src, block.begin);
  std::string text = "\n" + ind + elem;
  if (at == block.contentEnd) text += "\n" + ind;
  return {at, 0, text};
}

/// Where a new root block goes and how it is separated: after `after` when given, else at the end.
Edit appendBlock(const std::string& src, const std::vector<XmlNode>& root, const XmlNode* after,
                 const std::string& block) {
  if (after) return {after->end, 0, "\n\n" + indentOf(src, after->begin) + block};
  std::size_t at = src.size();
  const XmlNode* image = firstBlock(root, "image");
  if (image && !image->closeTag.empty()) at = image->contentEnd;
  std::size_t t = at;
  while (t > 0 && isSpace(src[t - 1])) --t;
  const std::string sep = t == 0 ? std::string() : "\n\n";
  return {t, 0, sep + block};
}
}  // namespace

void Document::setCharacterField(int number, const std::string& field, const std::string& value) {
  const XmlNode* c = firstCharacter(root_, number);
  if (!c) {
    const std::string name = "character_" + std::to_string(number);
    const XmlNode* last = lastCharacter(root_);
    std::string ind = last ? indentOf(source_, last->begin) : std::string();
    const std::string block = "<" + name + ">\n" + ind + "<" + field + ">" + value + "</" + field + ">\n" + ind +
                              "</" + name + ">";
    Edit e;
    if (last) {
      e = {last->end, 0, "\n\n" + ind + block};
    } else {
      const XmlNode* first = nullptr;
      for (const XmlNode& n : root_)
        if (n.isElement()) { first = &n; break; }
      if (first) {
        ind = indentOf(source_, first->begin);
        e = {first->begin, 0, block + "\n\n" + ind};
      } else {
        e = appendBlock(source_, root_, nullptr, block);
        if (!e.text.empty() && e.offset == 0) e.text = block + (source_.empty() ? "" : "\n\n");
      }
    }
    reparse(applyEdits(source_, {e}));
    return;
  }
  const XmlNode* f = findField(*c, field);
  reparse(applyEdits(source_, {f ? setInner(source_, *f, value) : appendChild(source_, *c, field, value)}));
}

void Document::setGeneralTag(const std::string& field, const std::string& value) {
  const XmlNode* g = firstBlock(root_, "general_tags");
  if (!g) {
    const std::string block = "<general_tags>\n<" + field + ">" + value + "</" + field + ">\n</general_tags>";
    reparse(applyEdits(source_, {appendBlock(source_, root_, nullptr, block)}));
    return;
  }
  const XmlNode* f = findField(*g, field);
  reparse(applyEdits(source_, {f ? setInner(source_, *f, value) : appendChild(source_, *g, field, value)}));
}

void Document::setCaption(const std::string& value) {
  const XmlNode* c = firstBlock(root_, "caption");
  if (c) {
    reparse(applyEdits(source_, {setInner(source_, *c, value)}));
    return;
  }
  reparse(applyEdits(source_, {appendBlock(source_, root_, nullptr, "<caption>" + value + "</caption>")}));
}

void Document::removeCharacterField(int number, const std::string& field) {
  const XmlNode* c = firstCharacter(root_, number);
  const XmlNode* f = c ? findField(*c, field) : nullptr;
  if (!f) return;
  const auto r = lineRange(source_, f->begin, f->end);
  reparse(applyEdits(source_, {{r.first, r.second - r.first, {}}}));
}

void Document::removeGeneralTag(const std::string& field) {
  const XmlNode* g = firstBlock(root_, "general_tags");
  const XmlNode* f = g ? findField(*g, field) : nullptr;
  if (!f) return;
  const auto r = lineRange(source_, f->begin, f->end);
  reparse(applyEdits(source_, {{r.first, r.second - r.first, {}}}));
}

int Document::addCharacter() {
  const int n = maxCharacterNumber(root_) + 1;
  const std::string name = "character_" + std::to_string(n);
  const XmlNode* last = lastCharacter(root_);
  const std::string ind = last ? indentOf(source_, last->begin) : std::string();
  const std::string block = "<" + name + ">\n" + ind + "</" + name + ">";
  if (last) {
    reparse(applyEdits(source_, {{last->end, 0, "\n\n" + ind + block}}));
  } else {
    const XmlNode* first = nullptr;
    for (const XmlNode& x : root_)
      if (x.isElement()) { first = &x; break; }
    if (first)
      reparse(applyEdits(source_, {{first->begin, 0, block + "\n\n" + indentOf(source_, first->begin)}}));
    else
      reparse(block + (source_.empty() ? "" : "\n\n") + source_);
  }
  return n;
}

void Document::removeCharacter(int number, bool renumber) {
  const XmlNode* c = firstCharacter(root_, number);
  if (!c) return;
  auto r = lineRange(source_, c->begin, c->end);
  // Also drop one blank line that separated it from the next block.
  if (r.second < source_.size() && r.first != c->begin) {
    std::size_t k = r.second;
    while (k < source_.size() && (source_[k] == ' ' || source_[k] == '\t' || source_[k] == '\r')) ++k;
    if (k < source_.size() && source_[k] == '\n') r.second = k + 1;
  }
  std::vector<Edit> edits{{r.first, r.second - r.first, {}}};
  if (renumber) {
    forEachBlock(root_, [&](const XmlNode& n) {
      const int k = characterNumber(n.name);
      if (k > number && &n != c) renameEdits(n, k - 1, edits);
    });
  }
  reparse(applyEdits(source_, edits));
}

bool Document::moveCharacter(int number, int delta) {
  std::vector<const XmlNode*> blocks;
  forEachBlock(root_, [&](const XmlNode& n) {
    if (characterNumber(n.name) >= 0) blocks.push_back(&n);
  });
  int idx = -1;
  for (std::size_t i = 0; i < blocks.size(); ++i)
    if (characterNumber(blocks[i]->name) == number) {
      idx = static_cast<int>(i);
      break;
    }
  const int other = idx + delta;
  if (idx < 0 || delta == 0 || other < 0 || other >= static_cast<int>(blocks.size())) return false;
  const XmlNode* a = blocks[std::min(idx, other)];
  const XmlNode* b = blocks[std::max(idx, other)];
  const int na = characterNumber(a->name), nb = characterNumber(b->name);
  auto renamed = [&](const XmlNode& n, int to) {
    std::vector<Edit> e;
    renameEdits(n, to, e);
    for (Edit& x : e) x.offset -= n.begin;
    return applyEdits(source_.substr(n.begin, n.end - n.begin), e);
  };
  // The earlier position keeps the smaller number.
  const std::string aText = renamed(*a, std::max(na, nb));
  const std::string bText = renamed(*b, std::min(na, nb));
  reparse(applyEdits(source_, {{a->begin, a->end - a->begin, bText}, {b->begin, b->end - b->begin, aText}}));
  return true;
}

std::string Document::characterBlock(int number) const {
  const XmlNode* c = firstCharacter(root_, number);
  return c ? source_.substr(c->begin, c->end - c->begin) : std::string();
}

int Document::insertCharacterBlock(const std::string& block) {
  const Document d = parse(block);
  const XmlNode* c = nullptr;
  forEachBlock(d.root_, [&](const XmlNode& n) {
    if (!c && characterNumber(n.name) >= 0) c = &n;
  });
  if (!c) return -1;
  const int n = maxCharacterNumber(root_) + 1;
  std::vector<Edit> e;
  renameEdits(*c, n, e);
  for (Edit& x : e) x.offset -= c->begin;
  const std::string text = applyEdits(block.substr(c->begin, c->end - c->begin), e);
  const XmlNode* last = lastCharacter(root_);
  if (last) {
    reparse(applyEdits(source_, {{last->end, 0, "\n\n" + indentOf(source_, last->begin) + text}}));
  } else {
    const XmlNode* first = nullptr;
    for (const XmlNode& x : root_)
      if (x.isElement()) { first = &x; break; }
    if (first)
      reparse(applyEdits(source_, {{first->begin, 0, text + "\n\n" + indentOf(source_, first->begin)}}));
    else
      reparse(text + (source_.empty() ? "" : "\n\n") + source_);
  }
  return n;
}

void Document::renumberCharacters() {
  std::vector<Edit> edits;
  int k = 0;
  forEachBlock(root_, [&](const XmlNode& n) {
    if (characterNumber(n.name) < 0) return;
    ++k;
    if (characterNumber(n.name) != k) renameEdits(n, k, edits);
  });
  if (!edits.empty()) reparse(applyEdits(source_, edits));
}

}  // namespace newbie::text
