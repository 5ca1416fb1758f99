#include "character_cards.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSaveFile>
#include <algorithm>

#include "text/newbie_xml.h"

namespace newbie::ui {

CharacterCardLibrary::CharacterCardLibrary(QString dataDir) : dataDir_(std::move(dataDir)) {}

QString CharacterCardLibrary::directory() const { return QDir(dataDir_).filePath(QStringLiteral("cards")); }

QString CharacterCardLibrary::fileFor(const QString& name) const {
  static const QRegularExpression bad(QStringLiteral("[^\\w\\-. ]"));
  QString stem = name.trimmed();
  stem.replace(bad, QStringLiteral("_"));
  if (stem.isEmpty()) stem = QStringLiteral("card");
  return QDir(directory()).filePath(stem + QStringLiteral(".json"));
}

QList<CharacterCard> CharacterCardLibrary::cards() const {
  QList<CharacterCard> out;
  const QDir dir(directory());
  for (const QString& f : dir.entryList({QStringLiteral("*.json")}, QDir::Files)) {
    QFile file(dir.filePath(f));
    if (!file.open(QIODevice::ReadOnly)) continue;
    const QJsonObject o = QJsonDocument::fromJson(file.readAll()).object();
    CharacterCard c;
    c.name = o.value(QStringLiteral("name")).toString();
    c.block = o.value(QStringLiteral("block")).toString();
    c.saved = QDateTime::fromString(o.value(QStringLiteral("saved")).toString(), Qt::ISODate);
    c.filePath = file.fileName();
    if (c.name.isEmpty() || c.block.isEmpty()) continue;
    out << c;
  }
  std::sort(out.begin(), out.end(), [](const CharacterCard& a, const CharacterCard& b) {
    return a.name.localeAwareCompare(b.name) < 0;
  });
  return out;
}

bool CharacterCardLibrary::save(const QString& name, const QString& block, QString* error) {
  const auto doc = newbie::text::Document::parse(block.toStdString());
  if (doc.characters().empty()) {
    if (error) *error = QStringLiteral("no <character_N> block");
    return false;
  }
  if (!QDir().mkpath(directory())) {
    if (error) *error = QStringLiteral("cannot create ") + directory();
    return false;
  }
  QJsonObject o;
  o.insert(QStringLiteral("name"), name.trimmed());
  o.insert(QStringLiteral("block"), block);
  o.insert(QStringLiteral("saved"), QDateTime::currentDateTimeUtc().toString(Qt::ISODate));
  QSaveFile f(fileFor(name));
  if (!f.open(QIODevice::WriteOnly)) {
    if (error) *error = f.errorString();
    return false;
  }
  f.write(QJsonDocument(o).toJson());
  if (!f.commit()) {
    if (error) *error = f.errorString();
    return false;
  }
  return true;
}

bool CharacterCardLibrary::remove(const QString& name) {
  for (const CharacterCard& c : cards())
    if (c.name == name) return QFile::remove(c.filePath);
  return false;
}

QString CharacterCardLibrary::block(const QString& name) const {
  for (const CharacterCard& c : cards())
    if (c.name == name) return c.block;
  return {};
}

QString CharacterCardLibrary::insertInto(const QString& prompt, const QString& block, int* number) {
  auto doc = newbie::text::Document::parse(prompt.toStdString());
  const int n = doc.insertCharacterBlock(block.toStdString());
  if (number) *number = n;
  return n < 0 ? prompt : QString::fromStdString(doc.source());
}

QString CharacterCardLibrary::suggestedName(const QString& block) {
  const auto doc = newbie::text::Document::parse(block.toStdString());
  const auto cs = doc.characters();
  if (cs.empty()) return {};
  const QString n = QString::fromStdString(cs.front().get("n"));
  if (n.isEmpty() || n.startsWith(QLatin1Char('$'))) return {};
  return n;
}

}  // namespace newbie::ui
