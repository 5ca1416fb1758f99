#pragma once
// PromptEditor: the XML prompt editor widget (raw view + form view, negative prompt,
// system-prompt preset, templates, character cards, live validation and token count,
// undo/redo, crash-safe draft).
//
// Contract for the main window:
//  - prompt(), negativePrompt(), systemPreset() (+ customSystemPrompt() when the preset is
//    "custom") are exactly what the user wrote; pass them to GenerationParams unchanged
//    (prompt -> prompt, negative -> negativePrompt, preset -> systemPreset, or, for "custom",
//    systemPrompt = customSystemPrompt()).
//  - The raw text is the single source of truth. Form edits become undoable raw edits that
//    change only the edited element (newbie::text::Document), so unknown tags, comments and
//    plain text survive.
//  - setPrompt / setNegativePrompt / setSystemPreset are programmatic (e.g. "reuse"): they do
//    NOT emit promptEdited; setPrompt is one undoable step.
//  - promptEdited() is emitted on every user change of prompt, negative prompt or preset
//    (immediately, not debounced) — use it for supersede mode.
//  - generateRequested() on Ctrl+Enter inside the editor.
//  - hasErrors(): the current prompt has XML errors (parsed now, never stale). Warnings do not
//    count. The prompt is still sent verbatim; blocking generation on errors is the caller's call.
//  - setTokenCounter(fn): fn(prompt, preset) returns the Gemma token count (BOS and system
//    prompt included, as Pipeline::countTokens; with a custom system prompt it receives
//    (custom + prompt, "none")). It is called on a thread-pool thread, debounced
//    (~300 ms), so it must be thread-safe; exceptions are caught. Shown as "N / 512", in a
//    warning colour with a "truncated" note above 512.
//  - setLearnedTagsProvider(fn): extra completion candidates per field, e.g.
//    [db](const QString& f) { return db->learnedTags(f); }. Called on the UI thread.
//  - setDataDir(dir): enables the draft autosave (dir/draft.json, debounced ~1 s, atomic) and
//    the character-card library (dir/cards/). Restores a saved draft; returns true if it did.
// UI thread only.

#include <QPair>
#include <QPointer>
#include <QString>
#include <QWidget>
#include <functional>

class QAction;
class QComboBox;
class QLabel;
class QPlainTextEdit;
class QTabWidget;
class QTimer;
class QToolButton;

namespace newbie::ui {

class PromptForm;
class PromptRawEdit;
class TagVocabulary;

class PromptEditor : public QWidget {
  Q_OBJECT
 public:
  static constexpr int kMaxTokens = 512;

  explicit PromptEditor(QWidget* parent = nullptr);
  ~PromptEditor() override;  ///< writes a pending draft

  QString prompt() const;
  void setPrompt(const QString& text);
  QString negativePrompt() const;
  void setNegativePrompt(const QString& text);
  /// "auto", "xml", "tags", "comfy_xml", "lora_trainer", "lumina", "none" or "custom".
  QString systemPreset() const;
  /// Unknown names select "custom" with the name as custom text.
  void setSystemPreset(const QString& preset);
  QString customSystemPrompt() const;
  void setCustomSystemPrompt(const QString& text);
  bool hasErrors() const;

  void setTokenCounter(std::function<int(const QString& prompt, const QString& preset)> counter);
  void setLearnedTagsProvider(std::function<QStringList(const QString& field)> provider);
  bool setDataDir(const QString& dataDir);
  QString dataDir() const { return dataDir_; }

  /// Last computed token count (-1 = unknown / no counter).
  int tokenCount() const { return tokenCount_; }
  /// Runs pending debounced work now (parse + form refresh; token count synchronously; draft write).
  void flushPending();

  // Editing commands (also used by the toolbar and the form).
  void undo();
  void redo();
  /// Loads a template from resources (":/templates/<file>") as one undoable edit.
  bool loadTemplate(const QString& resourcePath);
  static QStringList templatePaths();
  bool saveCharacterAsCard(int number, const QString& name, QString* error = nullptr);
  /// Inserts the named card renumbered; returns the new N or -1.
  int insertCard(const QString& name);
  /// Replaces the raw text with `text` as one undoable edit touching only the changed span.
  void applyRawText(const QString& text, bool userEdit = true);

  // Widgets (for the main window's focus handling and for tests).
  PromptRawEdit* rawEdit() const { return raw_; }
  PromptForm* form() const { return form_; }
  QPlainTextEdit* negativeEdit() const { return negative_; }
  QComboBox* presetCombo() const { return preset_; }
  QLabel* diagnosticsLabel() const { return diagLabel_; }
  QLabel* tokenLabel() const { return tokenLabel_; }
  QTabWidget* viewTabs() const { return views_; }

 signals:
  void promptEdited();
  void generateRequested();
  void tokenCountChanged(int count, bool truncated);

 protected:
  /// QEvent::LanguageChange re-sets every visible text; the selected preset and all texts stay.
  void changeEvent(QEvent* e) override;

 private:
  void retranslateUi();
  void refresh();
  void requestTokenCount();
  QPair<QString, QString> counterInput() const;  ///< (text, preset) handed to the counter
  void showTokenCount(int count);
  void scheduleDraft();
  void writeDraft();
  bool restoreDraft();
  void rebuildCardsMenu();
  void promptSaveCard(int number);

  TagVocabulary* vocab_;
  PromptRawEdit* raw_;
  PromptForm* form_;
  QTabWidget* views_;
  QPlainTextEdit* negative_ = nullptr;
  QPlainTextEdit* custom_;
  QComboBox* preset_;
  QLabel* diagLabel_;
  QLabel* tokenLabel_;
  QToolButton* cardsButton_;
  QToolButton* templatesButton_ = nullptr;
  QList<QAction*> templateActions_;
  QToolButton* undoButton_ = nullptr;
  QToolButton* redoButton_ = nullptr;
  QLabel* presetLabel_ = nullptr;
  QLabel* negativeLabel_ = nullptr;
  QTimer* parseTimer_;
  QTimer* tokenTimer_;
  QTimer* draftTimer_;
  std::function<int(const QString&, const QString&)> counter_;
  int tokenCount_ = -1;
  quint64 tokenSeq_ = 0;
  QString dataDir_;
  bool programmatic_ = false;
  bool draftDirty_ = false;
};

}  // namespace newbie::ui
