#include "xml_highlighter.h"

#include <QRegularExpression>

#include "text/newbie_xml.h"

namespace newbie::ui {
namespace {
enum State { Normal = 0, InComment = 1 };
}

XmlHighlighter::XmlHighlighter(QTextDocument* doc) : QSyntaxHighlighter(doc) {
  known_.setForeground(QColor(0x1f, 0x5f, 0xbf));
  known_.setFontWeight(QFont::Bold);
  unknown_.setForeground(QColor(0xb0, 0x30, 0xa0));
  unknown_.setFontItalic(true);
  comment_.setForeground(QColor(0x80, 0x80, 0x80));
  comment_.setFontItalic(true);
  entity_.setForeground(QColor(0xa0, 0x60, 0x00));
  placeholder_.setForeground(QColor(0x00, 0x80, 0x60));
  bracket_.setForeground(QColor(0x60, 0x70, 0x90));
}

bool XmlHighlighter::isKnownTag(const QString& name) {
  static const QSet<QString> known = [] {
    QSet<QString> s;
    for (const auto* list : {&newbie::text::characterFieldNames(), &newbie::text::generalTagFieldNames(),
                             &newbie::text::rootBlockNames()})
      for (const std::string& n : *list) s.insert(QString::fromStdString(n));
    s.insert(QStringLiteral("name"));
    return s;
  }();
  return known.contains(name) || newbie::text::characterNumber(name.toStdString()) >= 0;
}

void XmlHighlighter::highlightBlock(const QString& text) {
  static const QRegularExpression tagRe(QStringLiteral("</?([A-Za-z_:][A-Za-z0-9_.:\\-]*)[^<>]*/?>"));
  static const QRegularExpression entityRe(QStringLiteral("&(#[0-9]+|#x[0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);"));
  static const QRegularExpression placeholderRe(QStringLiteral("\\$character_[0-9]+\\$"));

  // Comments first (they may span blocks); remember which ranges they cover.
  QVector<QPair<int, int>> commentRanges;
  int pos = 0;
  if (previousBlockState() == InComment) {
    const int end = static_cast<int>(text.indexOf(QStringLiteral("-->")));
    if (end < 0) {
      setFormat(0, static_cast<int>(text.size()), comment_);
      setCurrentBlockState(InComment);
      return;
    }
    setFormat(0, end + 3, comment_);
    commentRanges.append({0, end + 3});
    pos = end + 3;
  }
  setCurrentBlockState(Normal);
  while (true) {
    const int start = static_cast<int>(text.indexOf(QStringLiteral("<!--"), pos));
    if (start < 0) break;
    const int end = static_cast<int>(text.indexOf(QStringLiteral("-->"), start + 4));
    if (end < 0) {
      setFormat(start, static_cast<int>(text.size()) - start, comment_);
      commentRanges.append({start, static_cast<int>(text.size())});
      setCurrentBlockState(InComment);
      break;
    }
    setFormat(start, end + 3 - start, comment_);
    commentRanges.append({start, end + 3});
    pos = end + 3;
  }
  auto inComment = [&](int p) {
    for (const auto& r : commentRanges)
      if (p >= r.first && p < r.second) return true;
    return false;
  };

  for (auto it = tagRe.globalMatch(text); it.hasNext();) {
    const auto m = it.next();
    if (inComment(static_cast<int>(m.capturedStart()))) continue;
    const QString name = m.captured(1);
    const QTextCharFormat& f = isKnownTag(name) ? known_ : unknown_;
    setFormat(static_cast<int>(m.capturedStart()), static_cast<int>(m.capturedLength()), bracket_);
    setFormat(static_cast<int>(m.capturedStart(1)), static_cast<int>(m.capturedLength(1)), f);
  }
  for (auto it = entityRe.globalMatch(text); it.hasNext();) {
    const auto m = it.next();
    if (!inComment(static_cast<int>(m.capturedStart())))
      setFormat(static_cast<int>(m.capturedStart()), static_cast<int>(m.capturedLength()), entity_);
  }
  for (auto it = placeholderRe.globalMatch(text); it.hasNext();) {
    const auto m = it.next();
    if (!inComment(static_cast<int>(m.capturedStart())))
      setFormat(static_cast<int>(m.capturedStart()), static_cast<int>(m.capturedLength()), placeholder_);
  }
}

}  // namespace newbie::ui
