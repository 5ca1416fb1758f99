#pragma once
// Form view of a NewBie XML prompt: one tab per <character_N> (name, gender, appearance,
// clothing, body type, expression, action, interaction, position), a "General" tab for
// <general_tags> and a "Caption" tab.
//
// The form holds no state of its own: PromptEditor feeds it the raw text (setPromptText) and
// turns its edit signals into undoable raw edits through newbie::text::Document, so anything
// the form does not model (unknown tags, comments, plain text) is kept. Refreshing never
// overwrites the widget that has keyboard focus. UI thread only.

#include <QHash>
#include <QList>
#include <QWidget>

class QLineEdit;
class QPlainTextEdit;
class QTabWidget;
class QLabel;
class QToolButton;

namespace newbie::ui {

class TagVocabulary;

class PromptForm : public QWidget {
  Q_OBJECT
 public:
  explicit PromptForm(TagVocabulary* vocab, QWidget* parent = nullptr);
  /// Re-reads the structured view of `text` (cheap; call after every raw change).
  void setPromptText(const QString& text);

  /// Field names shown for characters / general tags (in display order).
  static QStringList characterFields();
  static QStringList generalFields();
  /// Translated label of a field name.
  static QString fieldLabel(const QString& field);

  /// Widgets, for tests: the line edit of a character field / general field, the caption box.
  QLineEdit* characterEdit(int number, const QString& field) const;
  QLineEdit* generalEdit(const QString& field) const;
  QPlainTextEdit* captionEdit() const { return caption_; }
  QTabWidget* tabs() const { return tabs_; }
  QList<int> characterNumbers() const { return numbers_; }

 signals:
  void characterFieldEdited(int number, const QString& field, const QString& value);
  void generalTagEdited(const QString& field, const QString& value);
  void captionEdited(const QString& value);
  void addCharacterRequested();
  void removeCharacterRequested(int number);
  void moveCharacterRequested(int number, int delta);
  void saveCardRequested(int number);

 protected:
  /// QEvent::LanguageChange re-sets labels, tab titles, buttons and placeholders.
  void changeEvent(QEvent* e) override;

 private:
  void retranslateUi();
  void relabel(QWidget* page);  ///< field labels of the form layouts under `page`
  void rebuild(const QList<int>& numbers);
  QWidget* makeCharacterPage(int number);
  static void setIfIdle(QLineEdit* e, const QString& v);

  TagVocabulary* vocab_;
  QTabWidget* tabs_;
  QLabel* note_;
  QToolButton* addButton_ = nullptr;
  QList<int> numbers_;
  QHash<int, QHash<QString, QLineEdit*>> charEdits_;
  QHash<QString, QLineEdit*> generalEdits_;
  QPlainTextEdit* caption_ = nullptr;
  bool updating_ = false;
};

}  // namespace newbie::ui
