#include "prompt_form.h"

#include <QEvent>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include "tag_completer.h"
#include "text/newbie_xml.h"

namespace newbie::ui {

namespace {
/// Dynamic property on each field editor: its field name, so labels can be re-translated.
constexpr const char* kFieldProperty = "newbieField";
}  // namespace

QStringList PromptForm::characterFields() {
  return {QStringLiteral("n"),          QStringLiteral("gender"), QStringLiteral("appearance"),
          QStringLiteral("clothing"),   QStringLiteral("body_type"), QStringLiteral("expression"),
          QStringLiteral("action"),     QStringLiteral("interaction"), QStringLiteral("position")};
}

QStringList PromptForm::generalFields() {
  return {QStringLiteral("count"),      QStringLiteral("artists"),    QStringLiteral("style"),
          QStringLiteral("background"), QStringLiteral("environment"), QStringLiteral("perspective"),
          QStringLiteral("atmosphere"), QStringLiteral("lighting"),   QStringLiteral("quality"),
          QStringLiteral("objects"),    QStringLiteral("other")};
}

QString PromptForm::fieldLabel(const QString& f) {
  if (f == QStringLiteral("n")) return tr("Name");
  if (f == QStringLiteral("gender")) return tr("Gender");
  if (f == QStringLiteral("appearance")) return tr("Appearance");
  if (f == QStringLiteral("clothing")) return tr("Clothing");
  if (f == QStringLiteral("body_type")) return tr("Body type");
  if (f == QStringLiteral("expression")) return tr("Expression");
  if (f == QStringLiteral("action")) return tr("Action");
  if (f == QStringLiteral("interaction")) return tr("Interaction");
  if (f == QStringLiteral("position")) return tr("Position");
  if (f == QStringLiteral("count")) return tr("Count");
  if (f == QStringLiteral("artists")) return tr("Artists");
  if (f == QStringLiteral("style")) return tr("Style");
  if (f == QStringLiteral("background")) return tr("Background");
  if (f == QStringLiteral("environment")) return tr("Environment");
  if (f == QStringLiteral("perspective")) return tr("Perspective");
  if (f == QStringLiteral("atmosphere")) return tr("Atmosphere");
  if (f == QStringLiteral("lighting")) return tr("Lighting");
  if (f == QStringLiteral("quality")) return tr("Quality");
  if (f == QStringLiteral("objects")) return tr("Objects");
  if (f == QStringLiteral("other")) return tr("Other");
  if (f == QStringLiteral("caption")) return tr("Caption");
  return f;
}

PromptForm::PromptForm(TagVocabulary* vocab, QWidget* parent) : QWidget(parent), vocab_(vocab) {
  auto* lay = new QVBoxLayout(this);
  lay->setContentsMargins(0, 0, 0, 0);
  tabs_ = new QTabWidget(this);
  addButton_ = new QToolButton(tabs_);
  addButton_->setObjectName(QStringLiteral("addCharacter"));
  tabs_->setCornerWidget(addButton_, Qt::TopRightCorner);
  connect(addButton_, &QToolButton::clicked, this, &PromptForm::addCharacterRequested);
  lay->addWidget(tabs_);
  note_ = new QLabel(this);
  note_->setWordWrap(true);
  note_->setEnabled(false);
  lay->addWidget(note_);

  // General tab
  auto* general = new QWidget;
  auto* gl = new QFormLayout(general);
  for (const QString& f : generalFields()) {
    auto* e = new QLineEdit(general);
    e->setObjectName(QStringLiteral("general_") + f);
    e->setProperty(kFieldProperty, f);
    e->setCompleter(new CommaTagCompleter(vocab_->tagsFor(f), e));
    connect(e, &QLineEdit::textEdited, this, [this, f](const QString& v) { emit generalTagEdited(f, v); });
    gl->addRow(fieldLabel(f), e);
    generalEdits_.insert(f, e);
  }
  auto* gs = new QScrollArea;
  gs->setWidget(general);
  gs->setWidgetResizable(true);
  tabs_->addTab(gs, QString());

  caption_ = new QPlainTextEdit;
  connect(caption_, &QPlainTextEdit::textChanged, this, [this] {
    if (!updating_) emit captionEdited(caption_->toPlainText());
  });
  tabs_->addTab(caption_, QString());
  retranslateUi();
}

void PromptForm::retranslateUi() {
  addButton_->setText(tr("+ Character"));
  addButton_->setToolTip(tr("Add a character block with the next free number"));
  note_->setText(tr("Tags and comments the form does not show are kept in the raw text."));
  caption_->setPlaceholderText(tr("Natural-language description of the scene"));
  const int general = static_cast<int>(numbers_.size());  // tabs: characters, General, Caption
  tabs_->setTabText(general, tr("General"));
  tabs_->setTabText(general + 1, tr("Caption"));
  relabel(tabs_->widget(general));
  for (int i = 0; i < numbers_.size(); ++i) {
    tabs_->setTabText(i, tr("Character %1").arg(numbers_[i]));
    QWidget* page = tabs_->widget(i);
    relabel(page);
    if (auto* b = page->findChild<QPushButton*>(QStringLiteral("moveEarlier"))) b->setText(tr("Move earlier"));
    if (auto* b = page->findChild<QPushButton*>(QStringLiteral("moveLater"))) b->setText(tr("Move later"));
    if (auto* b = page->findChild<QPushButton*>(QStringLiteral("saveCard"))) b->setText(tr("Save as card…"));
    if (auto* b = page->findChild<QPushButton*>(QStringLiteral("removeCharacter"))) b->setText(tr("Remove"));
  }
}

void PromptForm::relabel(QWidget* page) {
  if (!page) return;
  for (QFormLayout* form : page->findChildren<QFormLayout*>()) {
    for (int row = 0; row < form->rowCount(); ++row) {
      QLayoutItem* field = form->itemAt(row, QFormLayout::FieldRole);
      QLayoutItem* label = form->itemAt(row, QFormLayout::LabelRole);
      auto* l = label ? qobject_cast<QLabel*>(label->widget()) : nullptr;
      const QString key = field && field->widget() ? field->widget()->property(kFieldProperty).toString() : QString();
      if (l && !key.isEmpty()) l->setText(fieldLabel(key));
    }
  }
}

void PromptForm::changeEvent(QEvent* e) {
  if (e->type() == QEvent::LanguageChange && caption_) retranslateUi();
  QWidget::changeEvent(e);
}

QWidget* PromptForm::makeCharacterPage(int number) {
  auto* page = new QWidget;
  auto* v = new QVBoxLayout(page);
  auto* bar = new QHBoxLayout;
  auto* left = new QPushButton(tr("Move earlier"), page);
  auto* right = new QPushButton(tr("Move later"), page);
  auto* card = new QPushButton(tr("Save as card…"), page);
  auto* remove = new QPushButton(tr("Remove"), page);
  left->setObjectName(QStringLiteral("moveEarlier"));
  right->setObjectName(QStringLiteral("moveLater"));
  remove->setObjectName(QStringLiteral("removeCharacter"));
  card->setObjectName(QStringLiteral("saveCard"));
  connect(left, &QPushButton::clicked, this, [this, number] { emit moveCharacterRequested(number, -1); });
  connect(right, &QPushButton::clicked, this, [this, number] { emit moveCharacterRequested(number, 1); });
  connect(card, &QPushButton::clicked, this, [this, number] { emit saveCardRequested(number); });
  connect(remove, &QPushButton::clicked, this, [this, number] { emit removeCharacterRequested(number); });
  bar->addWidget(left);
  bar->addWidget(right);
  bar->addStretch();
  bar->addWidget(card);
  bar->addWidget(remove);
  v->addLayout(bar);
  auto* form = new QFormLayout;
  QHash<QString, QLineEdit*> edits;
  for (const QString& f : characterFields()) {
    auto* e = new QLineEdit(page);
    e->setObjectName(QStringLiteral("character_%1_%2").arg(number).arg(f));
    e->setProperty(kFieldProperty, f);
    if (f != QStringLiteral("n")) e->setCompleter(new CommaTagCompleter(vocab_->tagsFor(f), e));
    connect(e, &QLineEdit::textEdited, this,
            [this, number, f](const QString& val) { emit characterFieldEdited(number, f, val); });
    form->addRow(fieldLabel(f), e);
    edits.insert(f, e);
  }
  v->addLayout(form);
  v->addStretch();
  charEdits_.insert(number, edits);
  auto* scroll = new QScrollArea;
  scroll->setWidget(page);
  scroll->setWidgetResizable(true);
  return scroll;
}

void PromptForm::rebuild(const QList<int>& numbers) {
  const int current = tabs_->currentIndex();
  for (int i = static_cast<int>(numbers_.size()) - 1; i >= 0; --i) {
    QWidget* w = tabs_->widget(i);
    tabs_->removeTab(i);
    w->deleteLater();
  }
  charEdits_.clear();
  numbers_ = numbers;
  for (int i = 0; i < numbers.size(); ++i)
    tabs_->insertTab(i, makeCharacterPage(numbers[i]), tr("Character %1").arg(numbers[i]));
  if (current >= 0 && current < tabs_->count()) tabs_->setCurrentIndex(current);
}

void PromptForm::setIfIdle(QLineEdit* e, const QString& v) {
  if (!e || e->hasFocus() || e->text() == v) return;
  e->setText(v);
  e->setCursorPosition(0);
}

void PromptForm::setPromptText(const QString& text) {
  const auto doc = newbie::text::Document::parse(text.toStdString());
  const auto chars = doc.characters();
  QList<int> numbers;
  for (const auto& c : chars)
    if (!numbers.contains(c.number)) numbers << c.number;
  if (numbers != numbers_) rebuild(numbers);
  updating_ = true;
  for (const int n : std::as_const(numbers_)) {
    const auto c = doc.character(n);
    for (const QString& f : characterFields())
      setIfIdle(charEdits_.value(n).value(f), c ? QString::fromStdString(c->get(f.toStdString())) : QString());
  }
  for (const QString& f : generalFields())
    setIfIdle(generalEdits_.value(f), QString::fromStdString(doc.generalTag(f.toStdString())));
  const QString cap = QString::fromStdString(doc.caption());
  if (!caption_->hasFocus() && caption_->toPlainText() != cap) caption_->setPlainText(cap);
  updating_ = false;
}

QLineEdit* PromptForm::characterEdit(int number, const QString& field) const {
  return charEdits_.value(number).value(field);
}
QLineEdit* PromptForm::generalEdit(const QString& field) const { return generalEdits_.value(field); }

}  // namespace newbie::ui
