#pragma once
// Validating, lossless parser for the NewBie XML prompt dialect (MODEL-SPEC §5).
//
// The prompt is sent to the encoders verbatim; this parser never changes it. It exists for the
// editor (highlighting, diagnostics, form view) and for the history index (structured fields).
//
// Contract:
//  - parse() never throws. Malformed input still yields a document; problems are Diagnostics.
//  - Lossless: Document::parse(s).toString() == s byte for byte, for ANY input (unknown tags,
//    comments, CDATA, processing instructions, stray characters, whitespace, unclosed tags).
//  - Edits (setCharacterField, setGeneralTag, ...) splice only the edited element; every other
//    byte of the document stays as it was. After an edit the document is re-parsed, so offsets,
//    structured views and diagnostics are always current.
//  - Strings are UTF-8. Offsets/lengths are in bytes; line and column are 1-based, the column
//    counted in Unicode code points.
//  - Field values are the RAW inner text of the element with surrounding whitespace trimmed
//    (entities are not decoded: that is what the model sees).
// Thread-safety: a Document is a plain value; distinct objects may be used from distinct threads.
// Torch-free and Qt-free: the UI includes this header directly.

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace newbie::text {

struct XmlDiagnostic {
  enum class Severity { Warning, Error };
  Severity severity = Severity::Warning;
  int line = 1;            ///< 1-based
  int column = 1;          ///< 1-based, in code points
  std::size_t offset = 0;  ///< byte offset of the problem
  std::size_t length = 0;  ///< bytes covered (>= 1 when the input is non-empty)
  std::string message;     ///< English, e.g. "unknown tag <foo> inside <character_1>"
  bool isError() const { return severity == Severity::Error; }
};

/// One node of the lossless tree.
struct XmlNode {
  enum class Kind {
    Text,     ///< plain text (tags, natural language, whitespace); `raw` holds it verbatim
    Element,  ///< <name ...> children </name>
    Comment,  ///< <!-- ... --> verbatim in `raw`
    Other     ///< CDATA, <? ?>, <!DOCTYPE>, an orphan closing tag, a stray '<': verbatim in `raw`
  };
  Kind kind = Kind::Text;
  std::string raw;       ///< Text / Comment / Other: the exact source bytes
  std::string name;      ///< Element: tag name
  std::string openTag;   ///< Element: exact "<name attr='x'>" (or "<name/>")
  std::string closeTag;  ///< Element: exact "</name>"; empty when self-closing or never closed
  bool selfClosing = false;
  bool closed = true;    ///< false when the closing tag is missing (an error was reported)
  std::vector<XmlNode> children;
  std::size_t begin = 0, end = 0;                ///< byte range of the whole node in the source
  std::size_t contentBegin = 0, contentEnd = 0;  ///< Element: byte range between the tags

  bool isElement() const { return kind == Kind::Element; }
  std::string toString() const;  ///< exact source of this node
  std::string innerRaw() const;  ///< Element: exact source between the tags
};

/// A field element of a character or of <general_tags>, e.g. <clothing>serafuku</clothing>.
struct XmlField {
  std::string name;   ///< tag name ("n" and "name" are kept as written)
  std::string value;  ///< raw inner text, trimmed
  std::size_t offset = 0;  ///< byte offset of the element
  int line = 1, column = 1;
};

struct XmlCharacter {
  int number = 0;                ///< N of <character_N>
  std::vector<XmlField> fields;  ///< in document order (includes unknown child elements)
  std::size_t offset = 0;
  int line = 1, column = 1;
  /// Value of the first field with this name ("" if absent). "n" and "name" are synonyms.
  std::string get(const std::string& field) const;
  bool has(const std::string& field) const;
};

/// Known vocabulary (MODEL-SPEC §5).
const std::vector<std::string>& characterFieldNames();    ///< n, gender, appearance, clothing, ...
const std::vector<std::string>& generalTagFieldNames();   ///< count, artists, style, ...
const std::vector<std::string>& rootBlockNames();         ///< general_tags, caption, image, danbooru_tags, style
/// N when `name` is "character_N" (N >= 0, digits only), else -1.
int characterNumber(const std::string& name);

class Document {
 public:
  Document() = default;
  /// Never throws. See the file comment.
  static Document parse(std::string source);

  const std::string& source() const { return source_; }
  /// Re-serialises the tree (== source() after parse; tested).
  std::string toString() const;
  const std::vector<XmlNode>& nodes() const { return root_; }
  const std::vector<XmlDiagnostic>& diagnostics() const { return diagnostics_; }
  bool hasErrors() const;
  /// True when the text contains at least one known NewBie block (character_N, general_tags, caption).
  bool looksLikeXml() const;

  // ---- structured view (of the root level and of any <image> wrapper) ----
  std::vector<XmlCharacter> characters() const;   ///< document order; duplicates included
  std::optional<XmlCharacter> character(int number) const; ///< first block with that number
  std::vector<XmlField> generalTags() const;      ///< fields of the first <general_tags>
  std::string generalTag(const std::string& field) const;
  bool hasCaption() const;
  std::string caption() const;                    ///< trimmed raw inner text of the first <caption>
  /// Every structured value as (path, value): "character_1.clothing", "general_tags.style",
  /// "caption", "danbooru_tags", "style" (root prefix). Empty values are skipped.
  std::vector<std::pair<std::string, std::string>> fieldPaths() const;
  /// Plain text found at the root level outside any element (trimmed, joined with "\n").
  std::string plainText() const;

  // ---- edits (each changes only the edited element; see file comment) ----
  /// Sets the inner text of <field> in <character_N>. Creates the field (before </character_N>,
  /// indented like its siblings) or the whole character block when missing. Keeps the
  /// whitespace that surrounded the old value.
  void setCharacterField(int number, const std::string& field, const std::string& value);
  /// Same for a <general_tags> field (creates <general_tags> at the end when missing).
  void setGeneralTag(const std::string& field, const std::string& value);
  /// Sets <caption> (created at the end when missing).
  void setCaption(const std::string& value);
  /// Removes the element (and the line it stood on when it was alone on that line).
  void removeCharacterField(int number, const std::string& field);
  void removeGeneralTag(const std::string& field);
  /// Appends an empty <character_N> with the next free N after the last character block
  /// (or at the start of the document); returns N.
  int addCharacter();
  /// Removes the block; when `renumber`, later characters are renumbered to close the gap.
  void removeCharacter(int number, bool renumber = true);
  /// Swaps block `number` with its neighbour (delta -1 = earlier, +1 = later) and renumbers the
  /// two so numbers follow document order. Returns false when there is no such neighbour.
  bool moveCharacter(int number, int delta);
  /// Exact source of the first <character_N> block ("" when absent).
  std::string characterBlock(int number) const;
  /// Inserts a <character_K> block (any K) renumbered to the next free N after the last
  /// character block. `$character_K$` placeholders inside it become `$character_N$`. Returns N,
  /// or -1 when `block` does not contain a character element.
  int insertCharacterBlock(const std::string& block);
  /// Renames <character_N> blocks 1..k in document order (and their `$character_N$` names).
  void renumberCharacters();

 private:
  void reparse(std::string s) { *this = parse(std::move(s)); }
  std::string source_;
  std::vector<XmlNode> root_;
  std::vector<XmlDiagnostic> diagnostics_;
};

/// Splits a comma-separated tag value: "a, b ,,c" -> {"a","b","c"} (trimmed, empties dropped;
/// full-width commas '，' also split).
std::vector<std::string> splitTags(const std::string& value);
/// Joins with ", ".
std::string joinTags(const std::vector<std::string>& tags);
/// Lower-case, spaces -> '_', trimmed: "Blue Hair" -> "blue_hair" (for matching/completion).
std::string normalizeTag(const std::string& tag);

/// Convenience: parse and return the diagnostics only.
std::vector<XmlDiagnostic> validate(const std::string& source);

}  // namespace newbie::text
