#pragma once
// Field-aware tag vocabulary and completers for the prompt editor.
//
// TagVocabulary: the built-in lists shipped as resources (:/tags/*.json, one file per topic,
// each naming the XML fields it serves and its tags in categories) plus tags learned from
// the user's history (through a provider callback). UI thread only.
//
// RawTagCompleter: popup completion inside the raw XML editor. The field is taken from the
// element around the cursor (<clothing> -> clothing tags, <position> -> position vocabulary);
// the prefix is the text since the last ',' / '>' / line start. Driven by PromptRawEdit.
//
// CommaTagCompleter: a QCompleter for the form's QLineEdits that completes the last tag of
// a comma-separated list and keeps the earlier ones.

#include <QCompleter>
#include <QHash>
#include <QStringList>
#include <functional>

class QPlainTextEdit;
class QKeyEvent;
class QStringListModel;

namespace newbie::ui {

class TagVocabulary {
 public:
  /// Loads every :/tags/*.json (cheap; done once on first use).
  static TagVocabulary& instance();
  /// Loads the JSON files of `dir` (Qt path, e.g. ":/tags"); returns the number of files read.
  int loadDirectory(const QString& dir);

  /// Built-in tags for an XML field name (e.g. "clothing", "position"), then learned tags,
  /// de-duplicated (underscores and spaces are treated alike). Unknown field: all tags.
  QStringList tagsFor(const QString& field) const;
  /// Category of a built-in tag ("" when unknown), e.g. "hair colour".
  QString categoryOf(const QString& tag) const;
  /// Fields that have a built-in list.
  QStringList fields() const { return byField_.keys(); }
  int builtinCount() const;

  /// Learned tags (from the history database): called with the field name.
  void setLearnedProvider(std::function<QStringList(const QString& field)> provider) {
    learned_ = std::move(provider);
  }

 private:
  QHash<QString, QStringList> byField_;
  QHash<QString, QString> category_;
  QStringList all_;
  std::function<QStringList(const QString&)> learned_;
};

/// Field name of the XML element that contains `utf16Pos` in `text` ("" outside any field):
/// "clothing" inside <character_1><clothing>..., "style" inside <general_tags><style>..., and
/// the block name ("caption", "danbooru_tags") for leaf blocks.
QString fieldAtPosition(const QString& text, int utf16Pos);
/// Name of the innermost element whose content contains `utf16Pos` ("" at the top level).
QString elementAtPosition(const QString& text, int utf16Pos);

class RawTagCompleter : public QObject {
  Q_OBJECT
 public:
  RawTagCompleter(QPlainTextEdit* edit, TagVocabulary* vocab);
  /// Call before the editor handles a key; returns true when the key was consumed.
  bool beforeKey(QKeyEvent* e);
  /// Call after the editor handled a key (shows / updates / hides the popup).
  void afterKey(QKeyEvent* e);
  QCompleter* completer() const { return completer_; }
  /// Current prefix and field at the cursor (for tests).
  QString currentPrefix() const;
  QString currentField() const;
  /// Opens the popup for the cursor position (Ctrl+Space); returns the number of candidates.
  /// Right after '<' it offers the element names valid there (fields inside <character_N> /
  /// <general_tags>; the next <character_N>, <general_tags>, <caption> at the top level) and
  /// completes to "<name>|</name>".
  int showCompletions(bool force);

 private:
  void insertCompletion(const QString& completion);
  bool tagNamePrefix(QString* prefix) const;
  QStringList elementCandidates() const;
  bool tagMode_ = false;
  QPlainTextEdit* edit_;
  TagVocabulary* vocab_;
  QCompleter* completer_;
  QStringListModel* model_;
  QString modelField_;
};

class CommaTagCompleter : public QCompleter {
  Q_OBJECT
 public:
  CommaTagCompleter(const QStringList& tags, QObject* parent);
  QStringList splitPath(const QString& path) const override;
  QString pathFromIndex(const QModelIndex& index) const override;
};

}  // namespace newbie::ui
