#pragma once
// Raw XML view of the prompt editor: a QPlainTextEdit with NewBie syntax highlighting,
// diagnostics drawn as wavy underlines (red = error, orange = warning) with the message as a
// hover tooltip, field-aware tag completion (Ctrl+Space forces the popup) and Ctrl+Enter
// emitting generateRequested instead of inserting a newline. UI thread only.

#include <QList>
#include <QPlainTextEdit>

namespace newbie::ui {

class RawTagCompleter;
class TagVocabulary;
class XmlHighlighter;

/// A diagnostic in editor coordinates (UTF-16 positions of the QTextDocument).
struct EditorDiagnostic {
  int start = 0;
  int length = 1;
  bool error = false;
  int line = 1, column = 1;
  QString message;  ///< already translated
};

class PromptRawEdit : public QPlainTextEdit {
  Q_OBJECT
 public:
  PromptRawEdit(TagVocabulary* vocab, QWidget* parent = nullptr);
  void setDiagnostics(const QList<EditorDiagnostic>& diags);
  const QList<EditorDiagnostic>& diagnostics() const { return diags_; }
  /// Message of the diagnostic covering `position` ("" if none).
  QString diagnosticAt(int position) const;
  RawTagCompleter* tagCompleter() const { return completer_; }
  XmlHighlighter* highlighter() const { return highlighter_; }

 signals:
  void generateRequested();

 protected:
  void keyPressEvent(QKeyEvent* e) override;
  bool viewportEvent(QEvent* e) override;
  void changeEvent(QEvent* e) override;  ///< QEvent::LanguageChange: placeholder text

 private:
  void retranslateUi();
  XmlHighlighter* highlighter_;
  RawTagCompleter* completer_;
  QList<EditorDiagnostic> diags_;
};

}  // namespace newbie::ui
