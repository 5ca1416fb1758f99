#include "tag_completer.h"

#include <QAbstractItemView>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QKeyEvent>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QScrollBar>
#include <QSet>
#include <QStringListModel>
#include <QTextBlock>

#include "text/newbie_xml.h"

namespace newbie::ui {
namespace {
QString key(const QString& tag) { return tag.trimmed().toLower().replace(QLatin1Char(' '), QLatin1Char('_')); }

const newbie::text::XmlNode* deepest(const std::vector<newbie::text::XmlNode>& nodes, std::size_t off,
                                     const newbie::text::XmlNode* parent, const newbie::text::XmlNode** parentOut) {
  for (const auto& n : nodes) {
    if (!n.isElement() || n.selfClosing) continue;
    if (off >= n.contentBegin && off <= n.contentEnd) {
      const newbie::text::XmlNode* inner = deepest(n.children, off, &n, parentOut);
      if (inner) return inner;
      *parentOut = parent;
      return &n;
    }
  }
  return nullptr;
}
}  // namespace

TagVocabulary& TagVocabulary::instance() {
  static TagVocabulary v;
  static bool loaded = false;
  if (!loaded) {
    loaded = true;
    v.loadDirectory(QStringLiteral(":/tags"));
  }
  return v;
}

int TagVocabulary::loadDirectory(const QString& dir) {
  int files = 0;
  const QStringList names = QDir(dir).entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name);
  QSet<QString> seenAll;
  for (const QString& t : std::as_const(all_)) seenAll.insert(key(t));
  for (const QString& name : names) {
    QFile f(dir + QLatin1Char('/') + name);
    if (!f.open(QIODevice::ReadOnly)) continue;
    const QJsonObject o = QJsonDocument::fromJson(f.readAll()).object();
    if (o.isEmpty()) continue;
    ++files;
    QStringList tags;
    const QJsonArray cats = o.value(QStringLiteral("categories")).toArray();
    for (const QJsonValue& c : cats) {
      const QJsonObject co = c.toObject();
      const QString cname = co.value(QStringLiteral("name")).toString();
      for (const QJsonValue& t : co.value(QStringLiteral("tags")).toArray()) {
        const QString tag = t.toString();
        if (tag.isEmpty()) continue;
        tags << tag;
        if (!category_.contains(key(tag))) category_.insert(key(tag), cname);
        if (!seenAll.contains(key(tag))) {
          seenAll.insert(key(tag));
          all_ << tag;
        }
      }
    }
    for (const QJsonValue& fv : o.value(QStringLiteral("fields")).toArray()) byField_[fv.toString()] << tags;
  }
  return files;
}

QStringList TagVocabulary::tagsFor(const QString& field) const {
  QStringList out;
  QSet<QString> seen;
  auto add = [&](const QStringList& l) {
    for (const QString& t : l)
      if (!seen.contains(key(t))) {
        seen.insert(key(t));
        out << t;
      }
  };
  add(byField_.contains(field) ? byField_.value(field) : all_);
  if (learned_) add(learned_(field));
  return out;
}

QString TagVocabulary::categoryOf(const QString& tag) const { return category_.value(key(tag)); }

int TagVocabulary::builtinCount() const { return static_cast<int>(all_.size()); }

QString fieldAtPosition(const QString& text, int utf16Pos) {
  const QByteArray utf8 = text.left(utf16Pos).toUtf8();
  const auto doc = newbie::text::Document::parse(text.toStdString());
  const newbie::text::XmlNode* parent = nullptr;
  const newbie::text::XmlNode* n = deepest(doc.nodes(), static_cast<std::size_t>(utf8.size()), nullptr, &parent);
  if (!n) return {};
  const QString name = QString::fromStdString(n->name);
  if (newbie::text::characterNumber(n->name) >= 0 || n->name == "general_tags" || n->name == "image") return {};
  return name == QStringLiteral("name") ? QStringLiteral("n") : name;
}

QString elementAtPosition(const QString& text, int utf16Pos) {
  const QByteArray utf8 = text.left(utf16Pos).toUtf8();
  const auto doc = newbie::text::Document::parse(text.toStdString());
  const newbie::text::XmlNode* parent = nullptr;
  const newbie::text::XmlNode* n = deepest(doc.nodes(), static_cast<std::size_t>(utf8.size()), nullptr, &parent);
  return n ? QString::fromStdString(n->name) : QString();
}

// ---- raw editor completer ----

RawTagCompleter::RawTagCompleter(QPlainTextEdit* edit, TagVocabulary* vocab)
    : QObject(edit), edit_(edit), vocab_(vocab), completer_(new QCompleter(this)),
      model_(new QStringListModel(this)) {
  completer_->setModel(model_);
  completer_->setWidget(edit_);
  completer_->setCompletionMode(QCompleter::PopupCompletion);
  completer_->setCaseSensitivity(Qt::CaseInsensitive);
  completer_->setFilterMode(Qt::MatchContains);
  completer_->setMaxVisibleItems(12);
  connect(completer_, qOverload<const QString&>(&QCompleter::activated), this,
          &RawTagCompleter::insertCompletion);
}

QString RawTagCompleter::currentPrefix() const {
  const QTextCursor c = edit_->textCursor();
  const QString line = c.block().text().left(c.positionInBlock());
  int start = 0;
  for (int i = static_cast<int>(line.size()) - 1; i >= 0; --i) {
    const QChar ch = line.at(i);
    if (ch == QLatin1Char(',') || ch == QLatin1Char('>') || ch == QChar(0xFF0C)) {
      start = i + 1;
      break;
    }
    if (ch == QLatin1Char('<')) return {};  // typing a tag name, not a value
  }
  return line.mid(start).trimmed();
}

QString RawTagCompleter::currentField() const {
  return fieldAtPosition(edit_->toPlainText(), edit_->textCursor().position());
}

bool RawTagCompleter::tagNamePrefix(QString* prefix) const {
  const QTextCursor c = edit_->textCursor();
  const QString line = c.block().text().left(c.positionInBlock());
  const qsizetype lt = line.lastIndexOf(QLatin1Char('<'));
  if (lt < 0) return false;
  const QString name = line.mid(lt + 1);
  static const QRegularExpression re(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$|^$"));
  if (!re.match(name).hasMatch()) return false;
  if (prefix) *prefix = name;
  return true;
}

QStringList RawTagCompleter::elementCandidates() const {
  const QString text = edit_->toPlainText();
  const int pos = edit_->textCursor().position();
  const QString container = elementAtPosition(text, pos);
  QStringList out;
  auto add = [&out](const std::vector<std::string>& v) {
    for (const std::string& n : v) out << QString::fromStdString(n);
  };
  if (newbie::text::characterNumber(container.toStdString()) >= 0) {
    add(newbie::text::characterFieldNames());
  } else if (container == QStringLiteral("general_tags")) {
    add(newbie::text::generalTagFieldNames());
  } else if (container.isEmpty() || container == QStringLiteral("image")) {
    int maxN = 0;
    for (const auto& c : newbie::text::Document::parse(text.toStdString()).characters()) maxN = qMax(maxN, c.number);
    out << QStringLiteral("character_%1").arg(maxN + 1) << QStringLiteral("general_tags") << QStringLiteral("caption");
  }
  return out;
}

int RawTagCompleter::showCompletions(bool force) {
  QString prefix;
  tagMode_ = tagNamePrefix(&prefix);
  QString field;
  QStringList candidates;
  if (tagMode_) {
    candidates = elementCandidates();
    field = QStringLiteral("<") + candidates.join(QLatin1Char(','));
  } else {
    field = currentField();
    prefix = currentPrefix();
    if (field.isEmpty() || field == QStringLiteral("n") || (!force && prefix.size() < 2)) {
      completer_->popup()->hide();
      return 0;
    }
  }
  if (tagMode_ && candidates.isEmpty()) {
    completer_->popup()->hide();
    return 0;
  }
  if (field != modelField_ || force) {
    model_->setStringList(tagMode_ ? candidates : vocab_->tagsFor(field));
    modelField_ = field;
  }
  completer_->setFilterMode(tagMode_ ? Qt::MatchStartsWith : Qt::MatchContains);
  completer_->setCompletionPrefix(prefix);
  const int n = completer_->completionCount();
  if (n == 0 || (n == 1 && completer_->currentCompletion().compare(prefix, Qt::CaseInsensitive) == 0)) {
    completer_->popup()->hide();
    return n;
  }
  completer_->popup()->setCurrentIndex(completer_->completionModel()->index(0, 0));
  QRect r = edit_->cursorRect();
  r.setWidth(completer_->popup()->sizeHintForColumn(0) + completer_->popup()->verticalScrollBar()->sizeHint().width());
  completer_->complete(r);
  return n;
}

bool RawTagCompleter::beforeKey(QKeyEvent* e) {
  if (completer_->popup()->isVisible()) {
    switch (e->key()) {
      case Qt::Key_Enter:
      case Qt::Key_Return:
      case Qt::Key_Escape:
      case Qt::Key_Tab:
      case Qt::Key_Backtab:
        e->ignore();
        return true;  // the popup handles these
      default:
        break;
    }
  }
  if (e->key() == Qt::Key_Space && (e->modifiers() & Qt::ControlModifier)) {
    showCompletions(true);
    return true;
  }
  return false;
}

void RawTagCompleter::afterKey(QKeyEvent* e) {
  const QString t = e->text();
  const bool typing = !t.isEmpty() && t.at(0).isPrint() && !(e->modifiers() & Qt::ControlModifier);
  const bool erasing = e->key() == Qt::Key_Backspace;
  if (!typing && !erasing) {
    if (e->key() != Qt::Key_Shift && e->key() != Qt::Key_Control) completer_->popup()->hide();
    return;
  }
  if (t == QStringLiteral(",") || t == QStringLiteral(">") || t == QStringLiteral("/")) {
    completer_->popup()->hide();
    return;
  }
  showCompletions(false);
}

void RawTagCompleter::insertCompletion(const QString& completion) {
  QTextCursor c = edit_->textCursor();
  QString tagPrefix;
  const bool tag = tagNamePrefix(&tagPrefix);
  const QString prefix = tag ? tagPrefix : currentPrefix();
  c.beginEditBlock();
  c.movePosition(QTextCursor::Left, QTextCursor::KeepAnchor, static_cast<int>(prefix.size()));
  if (tag) {
    // "<clo" -> "<clothing>|</clothing>" with the cursor between the tags.
    c.insertText(completion + QStringLiteral(">"));
    const int inside = c.position();
    c.insertText(QStringLiteral("</") + completion + QStringLiteral(">"));
    c.setPosition(inside);
  } else {
    c.insertText(completion);
  }
  c.endEditBlock();
  edit_->setTextCursor(c);
}

// ---- form line-edit completer ----

CommaTagCompleter::CommaTagCompleter(const QStringList& tags, QObject* parent)
    : QCompleter(new QStringListModel(tags, parent), parent) {
  setCaseSensitivity(Qt::CaseInsensitive);
  setFilterMode(Qt::MatchContains);
  setMaxVisibleItems(12);
}

QStringList CommaTagCompleter::splitPath(const QString& path) const {
  const qsizetype i = path.lastIndexOf(QLatin1Char(','));
  return {path.mid(i + 1).trimmed()};
}

QString CommaTagCompleter::pathFromIndex(const QModelIndex& index) const {
  const QString tag = QCompleter::pathFromIndex(index);
  QString cur;
  if (auto* w = widget()) cur = w->property("text").toString();
  const qsizetype i = cur.lastIndexOf(QLatin1Char(','));
  if (i < 0) return tag;
  return cur.left(i + 1) + QLatin1Char(' ') + tag;
}

}  // namespace newbie::ui
