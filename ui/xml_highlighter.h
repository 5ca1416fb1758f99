#pragma once
// Syntax highlighting for NewBie XML prompts in a QTextDocument.
// Known NewBie tags (MODEL-SPEC §5) and unknown tags get different formats; comments, entities
// and `$character_N$` placeholders are highlighted too. Multi-line comments are tracked with
// the block state. Diagnostics (wavy underlines) are drawn by the editor, not here.
// UI thread only.

#include <QSet>
#include <QSyntaxHighlighter>
#include <QTextCharFormat>

namespace newbie::ui {

class XmlHighlighter : public QSyntaxHighlighter {
  Q_OBJECT
 public:
  explicit XmlHighlighter(QTextDocument* doc);
  /// True for every tag name the dialect defines (character_N included).
  static bool isKnownTag(const QString& name);
  /// Formats, public for tests.
  QTextCharFormat knownTagFormat() const { return known_; }
  QTextCharFormat unknownTagFormat() const { return unknown_; }
  QTextCharFormat commentFormat() const { return comment_; }

 protected:
  void highlightBlock(const QString& text) override;

 private:
  QTextCharFormat known_, unknown_, comment_, entity_, placeholder_, bracket_;
};

}  // namespace newbie::ui
