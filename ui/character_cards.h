#pragma once
// Library of saved character cards: one <character_N> block per JSON file in `<dataDir>/cards/`
// ({"name": ..., "block": ..., "saved": ISO date}). Written atomically (QSaveFile).
// Inserting a card into a prompt renumbers it (newbie::text::Document::insertCharacterBlock).
// UI thread only (plain file I/O, small files).

#include <QDateTime>
#include <QList>
#include <QString>

namespace newbie::ui {

struct CharacterCard {
  QString name;      ///< user-visible name (also the file stem, sanitised)
  QString block;     ///< exact <character_N>...</character_N> source
  QDateTime saved;
  QString filePath;
};

class CharacterCardLibrary {
 public:
  /// `dataDir` is the app data directory; cards live in dataDir/cards (created on save).
  explicit CharacterCardLibrary(QString dataDir);
  QString directory() const;
  /// All cards sorted by name (unreadable files are skipped).
  QList<CharacterCard> cards() const;
  /// Saves (or overwrites) a card. Returns false with `error` set on failure, or when
  /// `block` contains no <character_N> element.
  bool save(const QString& name, const QString& block, QString* error = nullptr);
  bool remove(const QString& name);
  /// Block of the named card ("" when missing).
  QString block(const QString& name) const;
  /// Inserts the card's block into `prompt`, renumbered to the next free N.
  /// Returns the new prompt; `number` receives N (-1 when the card has no block).
  static QString insertInto(const QString& prompt, const QString& block, int* number = nullptr);
  /// Default card name for a block: its <n> value unless it is a $character_N$ placeholder.
  static QString suggestedName(const QString& block);

 private:
  QString fileFor(const QString& name) const;
  QString dataDir_;
};

}  // namespace newbie::ui
