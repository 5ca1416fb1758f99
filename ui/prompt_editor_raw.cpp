#include "prompt_editor_raw.h"

#include <QAbstractItemView>
#include <QCompleter>
#include <QEvent>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QTextBlock>
#include <QToolTip>

#include "tag_completer.h"
#include "xml_highlighter.h"

namespace newbie::ui {

PromptRawEdit::PromptRawEdit(TagVocabulary* vocab, QWidget* parent)
    : QPlainTextEdit(parent),
      highlighter_(new XmlHighlighter(document())),
      completer_(new RawTagCompleter(this, vocab)) {
  setObjectName(QStringLiteral("rawPromptEdit"));
  setTabChangesFocus(false);
  setLineWrapMode(QPlainTextEdit::WidgetWidth);
  QFont f = font();
  f.setFamily(QStringLiteral("monospace"));
  f.setStyleHint(QFont::Monospace);
  setFont(f);
  retranslateUi();
}

void PromptRawEdit::retranslateUi() {
  setPlaceholderText(tr("Write tags, natural language or NewBie XML (<character_1>, <general_tags>, …). "
                        "Ctrl+Space completes tags, Ctrl+Enter generates."));
}

void PromptRawEdit::changeEvent(QEvent* e) {
  if (e->type() == QEvent::LanguageChange) retranslateUi();
  QPlainTextEdit::changeEvent(e);
}

void PromptRawEdit::setDiagnostics(const QList<EditorDiagnostic>& diags) {
  diags_ = diags;
  QList<QTextEdit::ExtraSelection> sels;
  const int docLen = document()->characterCount();
  for (const EditorDiagnostic& d : diags) {
    QTextEdit::ExtraSelection s;
    s.format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
    s.format.setUnderlineColor(d.error ? QColor(0xd0, 0x20, 0x20) : QColor(0xe0, 0x90, 0x00));
    s.format.setToolTip(d.message);
    s.cursor = QTextCursor(document());
    const int start = qBound(0, d.start, qMax(0, docLen - 1));
    s.cursor.setPosition(start);
    s.cursor.setPosition(qBound(start, d.start + qMax(1, d.length), qMax(0, docLen - 1)), QTextCursor::KeepAnchor);
    if (!s.cursor.hasSelection() && start > 0) s.cursor.setPosition(start - 1, QTextCursor::KeepAnchor);
    sels << s;
  }
  setExtraSelections(sels);
}

QString PromptRawEdit::diagnosticAt(int position) const {
  QStringList msgs;
  for (const EditorDiagnostic& d : diags_)
    if (position >= d.start && position <= d.start + qMax(1, d.length)) msgs << d.message;
  return msgs.join(QLatin1Char('\n'));
}

void PromptRawEdit::keyPressEvent(QKeyEvent* e) {
  if ((e->key() == Qt::Key_Return || e->key() == Qt::Key_Enter) && (e->modifiers() & Qt::ControlModifier) &&
      !completer_->completer()->popup()->isVisible()) {
    emit generateRequested();
    e->accept();
    return;
  }
  if (completer_->beforeKey(e)) return;
  QPlainTextEdit::keyPressEvent(e);
  completer_->afterKey(e);
}

bool PromptRawEdit::viewportEvent(QEvent* e) {
  if (e->type() == QEvent::ToolTip) {
    auto* he = static_cast<QHelpEvent*>(e);
    const QTextCursor c = cursorForPosition(he->pos());
    const QString msg = diagnosticAt(c.position());
    if (msg.isEmpty())
      QToolTip::hideText();
    else
      QToolTip::showText(he->globalPos(), msg, viewport());
    return true;
  }
  return QPlainTextEdit::viewportEvent(e);
}

}  // namespace newbie::ui
