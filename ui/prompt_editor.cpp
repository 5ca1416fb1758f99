#include "prompt_editor.h"

#include <QComboBox>
#include <QDir>
#include <QEvent>
#include <QFile>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QSaveFile>
#include <QTabWidget>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include "character_cards.h"
#include "prompt_editor_raw.h"
#include "prompt_form.h"
#include "tag_completer.h"
#include "text/newbie_xml.h"

namespace newbie::ui {
namespace {

/// Translates the core's English diagnostic messages (see core/text/newbie_xml.cpp).
QString translateDiagnostic(const QString& m) {
  struct Rule {
    const char* re;
    QString (*fn)(const QRegularExpressionMatch&);
  };
  static const Rule rules[] = {
      {"^<(.+)> is never closed \\(missing </.+>\\)$",
       [](const QRegularExpressionMatch& x) { return PromptEditor::tr("<%1> is never closed (missing </%1>)").arg(x.captured(1)); }},
      {"^mismatched closing tag </(.+)>: expected </(.+)> \\(opened at (.+)\\)$",
       [](const QRegularExpressionMatch& x) {
         return PromptEditor::tr("mismatched closing tag </%1>: expected </%2> (opened at %3)")
             .arg(x.captured(1), x.captured(2), x.captured(3));
       }},
      {"^closing tag </(.+)> has no matching opening tag \\(inside <(.+)>\\)$",
       [](const QRegularExpressionMatch& x) {
         return PromptEditor::tr("closing tag </%1> has no matching opening tag (inside <%2>)").arg(x.captured(1), x.captured(2));
       }},
      {"^closing tag </(.+)> has no matching opening tag$",
       [](const QRegularExpressionMatch& x) { return PromptEditor::tr("closing tag </%1> has no matching opening tag").arg(x.captured(1)); }},
      {"^stray '<'",
       [](const QRegularExpressionMatch&) { return PromptEditor::tr("stray '<' (write &lt; if you mean the character)"); }},
      {"^tag <(.+) is missing its closing '>'$",
       [](const QRegularExpressionMatch& x) { return PromptEditor::tr("tag <%1 is missing its closing '>'").arg(x.captured(1)); }},
      {"^malformed closing tag '(.*)'",
       [](const QRegularExpressionMatch& x) { return PromptEditor::tr("malformed closing tag '%1' (expected </name>)").arg(x.captured(1)); }},
      {"^unknown entity '(.+)'$",
       [](const QRegularExpressionMatch& x) { return PromptEditor::tr("unknown entity '%1'").arg(x.captured(1)); }},
      {"^bad entity '(.+)' \\(missing ';'\\)$",
       [](const QRegularExpressionMatch& x) { return PromptEditor::tr("bad entity '%1' (missing ';')").arg(x.captured(1)); }},
      {"^bad character reference '(.*)'",
       [](const QRegularExpressionMatch& x) { return PromptEditor::tr("bad character reference '%1' (expected &#NNN; or &#xHHH;)").arg(x.captured(1)); }},
      {"^bare '&'",
       [](const QRegularExpressionMatch&) { return PromptEditor::tr("bare '&' (write &amp; if you mean the character)"); }},
      {"^unterminated comment",
       [](const QRegularExpressionMatch&) { return PromptEditor::tr("unterminated comment (missing '-->')"); }},
      {"^unterminated CDATA",
       [](const QRegularExpressionMatch&) { return PromptEditor::tr("unterminated CDATA section (missing ']]>')"); }},
      {"^unterminated processing",
       [](const QRegularExpressionMatch&) { return PromptEditor::tr("unterminated processing instruction (missing '?>')"); }},
      {"^unterminated declaration",
       [](const QRegularExpressionMatch&) { return PromptEditor::tr("unterminated declaration (missing '>')"); }},
      {"^unknown tag <(.+)> at the top level \\(it belongs inside <character_N>\\)$",
       [](const QRegularExpressionMatch& x) { return PromptEditor::tr("unknown tag <%1> at the top level (it belongs inside <character_N>)").arg(x.captured(1)); }},
      {"^unknown tag <(.+)> at the top level \\(it belongs inside <general_tags>\\)$",
       [](const QRegularExpressionMatch& x) { return PromptEditor::tr("unknown tag <%1> at the top level (it belongs inside <general_tags>)").arg(x.captured(1)); }},
      {"^unknown tag <(.+)> inside <(.+)>$",
       [](const QRegularExpressionMatch& x) { return PromptEditor::tr("unknown tag <%1> inside <%2>").arg(x.captured(1), x.captured(2)); }},
      {"^unknown tag <(.+)>$",
       [](const QRegularExpressionMatch& x) { return PromptEditor::tr("unknown tag <%1>").arg(x.captured(1)); }},
      {"^unexpected tag <(.+)> inside <(.+)>$",
       [](const QRegularExpressionMatch& x) { return PromptEditor::tr("unexpected tag <%1> inside <%2>").arg(x.captured(1), x.captured(2)); }},
      {"^duplicate <(.+)> in <(.+)> \\(first at (.+)\\)$",
       [](const QRegularExpressionMatch& x) { return PromptEditor::tr("duplicate <%1> in <%2> (first at %3)").arg(x.captured(1), x.captured(2), x.captured(3)); }},
      {"^duplicate <(.+)> \\(first at (.+)\\)$",
       [](const QRegularExpressionMatch& x) { return PromptEditor::tr("duplicate <%1> (first at %2)").arg(x.captured(1), x.captured(2)); }},
      {"^<(.+)> is empty$",
       [](const QRegularExpressionMatch& x) { return PromptEditor::tr("<%1> is empty").arg(x.captured(1)); }},
      {"^character numbering starts at 1",
       [](const QRegularExpressionMatch&) { return PromptEditor::tr("character numbering starts at 1 (<character_0>)"); }},
      {"^character numbering gap: <(.+)> is missing$",
       [](const QRegularExpressionMatch& x) { return PromptEditor::tr("character numbering gap: <%1> is missing").arg(x.captured(1)); }},
  };
  for (const Rule& r : rules) {
    const QRegularExpression re(QString::fromLatin1(r.re));
    const auto match = re.match(m);
    if (match.hasMatch()) return r.fn(match);
  }
  return m;
}

QList<EditorDiagnostic> toEditor(const std::string& utf8, const newbie::text::Document& doc) {
  QList<EditorDiagnostic> out;
  for (const auto& d : doc.diagnostics()) {
    EditorDiagnostic e;
    e.start = static_cast<int>(QString::fromUtf8(utf8.data(), static_cast<qsizetype>(d.offset)).size());
    e.length = static_cast<int>(
        QString::fromUtf8(utf8.data() + d.offset, static_cast<qsizetype>(std::min(d.length, utf8.size() - d.offset))).size());
    e.error = d.isError();
    e.line = d.line;
    e.column = d.column;
    e.message = translateDiagnostic(QString::fromStdString(d.message));
    out << e;
  }
  return out;
}

struct PresetInfo {
  const char* name;
  const char* label;  // translated in fillPresets
};

}  // namespace

PromptEditor::PromptEditor(QWidget* parent) : QWidget(parent), vocab_(&TagVocabulary::instance()) {
  auto* lay = new QVBoxLayout(this);
  lay->setContentsMargins(2, 2, 2, 2);

  // Toolbar row
  auto* bar = new QHBoxLayout;
  templatesButton_ = new QToolButton(this);
  templatesButton_->setObjectName(QStringLiteral("templates"));
  templatesButton_->setPopupMode(QToolButton::InstantPopup);
  auto* tmenu = new QMenu(templatesButton_);
  for (const QString& path : templatePaths()) {
    QAction* a = tmenu->addAction(path, this, [this, path] { loadTemplate(path); });
    templateActions_ << a;  // texts: retranslateUi()
  }
  templatesButton_->setMenu(tmenu);
  bar->addWidget(templatesButton_);

  cardsButton_ = new QToolButton(this);
  cardsButton_->setObjectName(QStringLiteral("characterCards"));
  cardsButton_->setPopupMode(QToolButton::InstantPopup);
  auto* cmenu = new QMenu(cardsButton_);
  cardsButton_->setMenu(cmenu);
  connect(cmenu, &QMenu::aboutToShow, this, &PromptEditor::rebuildCardsMenu);
  bar->addWidget(cardsButton_);

  undoButton_ = new QToolButton(this);
  undoButton_->setObjectName(QStringLiteral("undo"));
  connect(undoButton_, &QToolButton::clicked, this, &PromptEditor::undo);
  redoButton_ = new QToolButton(this);
  redoButton_->setObjectName(QStringLiteral("redo"));
  connect(redoButton_, &QToolButton::clicked, this, &PromptEditor::redo);
  bar->addWidget(undoButton_);
  bar->addWidget(redoButton_);
  bar->addStretch();
  presetLabel_ = new QLabel(this);
  presetLabel_->setObjectName(QStringLiteral("systemPresetLabel"));
  bar->addWidget(presetLabel_);
  preset_ = new QComboBox(this);
  preset_->setObjectName(QStringLiteral("systemPreset"));
  for (const char* name : {"auto", "xml", "tags", "comfy_xml", "lora_trainer", "lumina", "none", "custom"})
    preset_->addItem(QString(), QString::fromLatin1(name));  // texts: retranslateUi()
  bar->addWidget(preset_);
  lay->addLayout(bar);

  custom_ = new QPlainTextEdit(this);
  custom_->setObjectName(QStringLiteral("customSystemPrompt"));
  custom_->setMaximumHeight(60);
  custom_->setVisible(false);
  lay->addWidget(custom_);

  // Raw / form views
  views_ = new QTabWidget(this);
  raw_ = new PromptRawEdit(vocab_, this);
  form_ = new PromptForm(vocab_, this);
  views_->addTab(raw_, QString());
  views_->addTab(form_, QString());
  lay->addWidget(views_, 1);

  auto* status = new QHBoxLayout;
  diagLabel_ = new QLabel(this);
  diagLabel_->setObjectName(QStringLiteral("diagnostics"));
  diagLabel_->setWordWrap(true);
  diagLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  tokenLabel_ = new QLabel(this);
  tokenLabel_->setObjectName(QStringLiteral("tokenCount"));
  status->addWidget(diagLabel_, 1);
  status->addWidget(tokenLabel_);
  lay->addLayout(status);

  negativeLabel_ = new QLabel(this);
  negativeLabel_->setObjectName(QStringLiteral("negativePromptLabel"));
  lay->addWidget(negativeLabel_);
  negative_ = new QPlainTextEdit(this);
  negative_->setObjectName(QStringLiteral("negativePrompt"));
  negative_->setMaximumHeight(80);
  lay->addWidget(negative_);

  parseTimer_ = new QTimer(this);
  parseTimer_->setSingleShot(true);
  parseTimer_->setInterval(120);
  tokenTimer_ = new QTimer(this);
  tokenTimer_->setSingleShot(true);
  tokenTimer_->setInterval(300);
  draftTimer_ = new QTimer(this);
  draftTimer_->setSingleShot(true);
  draftTimer_->setInterval(1000);
  connect(parseTimer_, &QTimer::timeout, this, &PromptEditor::refresh);
  connect(tokenTimer_, &QTimer::timeout, this, &PromptEditor::requestTokenCount);
  connect(draftTimer_, &QTimer::timeout, this, &PromptEditor::writeDraft);

  connect(raw_, &QPlainTextEdit::textChanged, this, [this] {
    parseTimer_->start();
    tokenTimer_->start();
    scheduleDraft();
    if (!programmatic_) emit promptEdited();
  });
  connect(negative_, &QPlainTextEdit::textChanged, this, [this] {
    scheduleDraft();
    if (!programmatic_) emit promptEdited();
  });
  connect(custom_, &QPlainTextEdit::textChanged, this, [this] {
    scheduleDraft();
    tokenTimer_->start();
    if (!programmatic_) emit promptEdited();
  });
  connect(preset_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this](int) {
    custom_->setVisible(systemPreset() == QStringLiteral("custom"));
    scheduleDraft();
    tokenTimer_->start();
    if (!programmatic_) emit promptEdited();
  });
  connect(raw_, &PromptRawEdit::generateRequested, this, &PromptEditor::generateRequested);

  // Form -> raw (undoable element-local edits)
  auto edit = [this](const std::function<void(newbie::text::Document&)>& fn) {
    auto doc = newbie::text::Document::parse(raw_->toPlainText().toStdString());
    fn(doc);
    applyRawText(QString::fromStdString(doc.source()));
  };
  connect(form_, &PromptForm::characterFieldEdited, this, [edit](int n, const QString& f, const QString& v) {
    edit([&](newbie::text::Document& d) { d.setCharacterField(n, f.toStdString(), v.toStdString()); });
  });
  connect(form_, &PromptForm::generalTagEdited, this, [edit](const QString& f, const QString& v) {
    edit([&](newbie::text::Document& d) { d.setGeneralTag(f.toStdString(), v.toStdString()); });
  });
  connect(form_, &PromptForm::captionEdited, this, [edit](const QString& v) {
    edit([&](newbie::text::Document& d) { d.setCaption(v.toStdString()); });
  });
  connect(form_, &PromptForm::addCharacterRequested, this, [this, edit] {
    edit([](newbie::text::Document& d) { d.addCharacter(); });
    refresh();
    form_->tabs()->setCurrentIndex(static_cast<int>(form_->characterNumbers().size()) - 1);
  });
  connect(form_, &PromptForm::removeCharacterRequested, this, [this, edit](int n) {
    edit([n](newbie::text::Document& d) { d.removeCharacter(n, true); });
    refresh();
  });
  connect(form_, &PromptForm::moveCharacterRequested, this, [this, edit](int n, int delta) {
    edit([n, delta](newbie::text::Document& d) { d.moveCharacter(n, delta); });
    refresh();
    const int idx = static_cast<int>(form_->characterNumbers().indexOf(n + delta));
    if (idx >= 0) form_->tabs()->setCurrentIndex(idx);
  });
  connect(form_, &PromptForm::saveCardRequested, this, &PromptEditor::promptSaveCard);

  retranslateUi();
  refresh();
}

void PromptEditor::retranslateUi() {
  templatesButton_->setText(tr("Templates"));
  const QStringList tnames = {tr("Official README example (two characters)"), tr("ComfyUI workflow example"),
                              tr("Empty XML schema (Gemma chat)")};
  for (int i = 0; i < templateActions_.size(); ++i)
    if (i < tnames.size()) templateActions_[i]->setText(tnames[i]);
  cardsButton_->setText(tr("Character cards"));
  undoButton_->setText(tr("Undo"));
  undoButton_->setToolTip(tr("Undo (Ctrl+Z)"));
  redoButton_->setText(tr("Redo"));
  redoButton_->setToolTip(tr("Redo (Ctrl+Shift+Z)"));
  presetLabel_->setText(tr("System prompt:"));
  // Item texts only, matched by data: the selected preset (and its index) stays.
  const QPair<const char*, QString> presets[] = {
      {"auto", tr("Auto (XML or tags)")},
      {"xml", tr("XML (official)")},
      {"tags", tr("Tags / natural language (official)")},
      {"comfy_xml", tr("ComfyUI XML template")},
      {"lora_trainer", tr("LoRA trainer")},
      {"lumina", tr("Lumina 2")},
      {"none", tr("None (no system prompt)")},
      {"custom", tr("Custom…")},
  };
  for (const auto& [name, label] : presets) {
    const int i = preset_->findData(QString::fromLatin1(name));
    if (i >= 0) preset_->setItemText(i, label);
  }
  preset_->setToolTip(tr("Text prepended to the prompt for the Gemma encoder only"));
  custom_->setPlaceholderText(tr("Custom system prompt (sent to Gemma before the prompt)"));
  views_->setTabText(views_->indexOf(raw_), tr("Raw XML"));
  views_->setTabText(views_->indexOf(form_), tr("Form"));
  tokenLabel_->setToolTip(tr("Gemma tokens (system prompt included); the model reads at most %1").arg(kMaxTokens));
  negativeLabel_->setText(tr("Negative prompt:"));
  negative_->setPlaceholderText(tr("Empty by default (the model's own unconditional input)"));
}

void PromptEditor::changeEvent(QEvent* e) {
  if (e->type() == QEvent::LanguageChange && negative_) {
    retranslateUi();
    refresh();  // the diagnostics line and the translated diagnostics of the raw view
    if (tokenCount_ > kMaxTokens) showTokenCount(tokenCount_);
  }
  QWidget::changeEvent(e);
}

PromptEditor::~PromptEditor() {
  if (draftDirty_) writeDraft();
}

QString PromptEditor::prompt() const { return raw_->toPlainText(); }

void PromptEditor::setPrompt(const QString& text) {
  applyRawText(text, false);
  refresh();
}

QString PromptEditor::negativePrompt() const { return negative_->toPlainText(); }

void PromptEditor::setNegativePrompt(const QString& text) {
  programmatic_ = true;
  negative_->setPlainText(text);
  programmatic_ = false;
}

QString PromptEditor::systemPreset() const { return preset_->currentData().toString(); }

void PromptEditor::setSystemPreset(const QString& preset) {
  programmatic_ = true;
  const int i = preset_->findData(preset);
  if (i >= 0) {
    preset_->setCurrentIndex(i);
  } else {
    preset_->setCurrentIndex(preset_->findData(QStringLiteral("custom")));
    custom_->setPlainText(preset);
  }
  programmatic_ = false;
}

QString PromptEditor::customSystemPrompt() const { return custom_->toPlainText(); }

void PromptEditor::setCustomSystemPrompt(const QString& text) {
  programmatic_ = true;
  custom_->setPlainText(text);
  programmatic_ = false;
}

bool PromptEditor::hasErrors() const { return newbie::text::Document::parse(prompt().toStdString()).hasErrors(); }

void PromptEditor::setTokenCounter(std::function<int(const QString&, const QString&)> counter) {
  counter_ = std::move(counter);
  tokenTimer_->start();
}

void PromptEditor::setLearnedTagsProvider(std::function<QStringList(const QString&)> provider) {
  vocab_->setLearnedProvider(std::move(provider));
}

void PromptEditor::applyRawText(const QString& text, bool userEdit) {
  const QString old = raw_->toPlainText();
  if (old == text) return;
  int prefix = 0;
  const int maxPrefix = static_cast<int>(qMin(old.size(), text.size()));
  while (prefix < maxPrefix && old.at(prefix) == text.at(prefix)) ++prefix;
  int suffix = 0;
  while (suffix < maxPrefix - prefix && old.at(old.size() - 1 - suffix) == text.at(text.size() - 1 - suffix)) ++suffix;
  programmatic_ = !userEdit;
  QTextCursor c(raw_->document());
  c.beginEditBlock();
  c.setPosition(prefix);
  c.setPosition(static_cast<int>(old.size()) - suffix, QTextCursor::KeepAnchor);
  c.insertText(text.mid(prefix, text.size() - prefix - suffix));
  c.endEditBlock();
  programmatic_ = false;
}

void PromptEditor::undo() { raw_->undo(); }
void PromptEditor::redo() { raw_->redo(); }

QStringList PromptEditor::templatePaths() {
  return {QStringLiteral(":/templates/official_readme_example.xml"),
          QStringLiteral(":/templates/comfy_workflow_example.xml"), QStringLiteral(":/templates/gemma_chat_schema.xml")};
}

bool PromptEditor::loadTemplate(const QString& resourcePath) {
  QFile f(resourcePath);
  if (!f.open(QIODevice::ReadOnly)) return false;
  applyRawText(QString::fromUtf8(f.readAll()), true);
  refresh();
  return true;
}

void PromptEditor::refresh() {
  parseTimer_->stop();
  const QString text = raw_->toPlainText();
  const std::string utf8 = text.toStdString();
  const auto doc = newbie::text::Document::parse(utf8);
  const QList<EditorDiagnostic> diags = toEditor(utf8, doc);
  raw_->setDiagnostics(diags);
  int errors = 0, warnings = 0;
  const EditorDiagnostic* first = nullptr;
  for (const EditorDiagnostic& d : diags) {
    if (d.error) {
      if (!errors) first = &d;
      ++errors;
    } else {
      ++warnings;
    }
  }
  if (!first && !diags.isEmpty()) first = &diags.front();
  QString msg;
  if (text.trimmed().isEmpty()) {
    msg = tr("Empty prompt");
  } else if (first) {
    const QString where = tr("line %1, column %2").arg(first->line).arg(first->column);
    msg = (first->error ? tr("Error") : tr("Warning")) + QStringLiteral(" (") + where + QStringLiteral("): ") +
          first->message.toHtmlEscaped();
    if (diags.size() > 1) msg += QLatin1Char(' ') + tr("(%1 errors, %2 warnings)").arg(errors).arg(warnings);
    msg = QStringLiteral("<span style=\"color:%1\">%2</span>")
              .arg(first->error ? QStringLiteral("#c02020") : QStringLiteral("#b07000"), msg);
  } else if (doc.looksLikeXml()) {
    msg = tr("Valid NewBie XML: %n character(s)", nullptr, static_cast<int>(doc.characters().size()));
  } else {
    msg = tr("Plain tags / natural language");
  }
  diagLabel_->setText(msg);
  form_->setPromptText(text);
}

QPair<QString, QString> PromptEditor::counterInput() const {
  // A custom system prompt is counted as part of the text with the "none" preset: Gemma sees
  // the plain concatenation either way.
  if (systemPreset() == QStringLiteral("custom")) return {customSystemPrompt() + prompt(), QStringLiteral("none")};
  return {prompt(), systemPreset()};
}

void PromptEditor::requestTokenCount() {
  if (!counter_) {
    showTokenCount(-1);
    return;
  }
  const quint64 seq = ++tokenSeq_;
  auto* watcher = new QFutureWatcher<int>(this);
  connect(watcher, &QFutureWatcher<int>::finished, this, [this, watcher, seq] {
    if (seq == tokenSeq_) showTokenCount(watcher->result());
    watcher->deleteLater();
  });
  const auto counter = counter_;
  const auto [p, preset] = counterInput();
  watcher->setFuture(QtConcurrent::run([counter, p, preset]() -> int {
    try {
      return counter(p, preset);
    } catch (...) {
      return -1;
    }
  }));
}

void PromptEditor::showTokenCount(int count) {
  tokenCount_ = count;
  if (count < 0) {
    tokenLabel_->setText(QStringLiteral("– / %1").arg(kMaxTokens));
    tokenLabel_->setStyleSheet(QString());
    emit tokenCountChanged(count, false);
    return;
  }
  const bool truncated = count > kMaxTokens;
  if (truncated) {
    tokenLabel_->setText(tr("%1 / %2 — truncated: the model ignores the tokens after %2").arg(count).arg(kMaxTokens));
    tokenLabel_->setStyleSheet(QStringLiteral("color:#c02020;font-weight:bold"));
  } else {
    tokenLabel_->setText(QStringLiteral("%1 / %2").arg(count).arg(kMaxTokens));
    tokenLabel_->setStyleSheet(count > kMaxTokens * 9 / 10 ? QStringLiteral("color:#b07000") : QString());
  }
  emit tokenCountChanged(count, truncated);
}

void PromptEditor::flushPending() {
  refresh();
  if (counter_) {
    tokenTimer_->stop();
    int n = -1;
    try {
      const auto [p, preset] = counterInput();
      n = counter_(p, preset);
    } catch (...) {
    }
    ++tokenSeq_;
    showTokenCount(n);
  }
  if (draftDirty_) writeDraft();
}

// ---- draft ----

bool PromptEditor::setDataDir(const QString& dataDir) {
  dataDir_ = dataDir;
  QDir().mkpath(dataDir_);
  return restoreDraft();
}

void PromptEditor::scheduleDraft() {
  if (dataDir_.isEmpty()) return;
  draftDirty_ = true;
  draftTimer_->start();
}

void PromptEditor::writeDraft() {
  draftTimer_->stop();
  if (dataDir_.isEmpty()) return;
  QJsonObject o;
  o.insert(QStringLiteral("prompt"), prompt());
  o.insert(QStringLiteral("negative_prompt"), negativePrompt());
  o.insert(QStringLiteral("system_preset"), systemPreset());
  o.insert(QStringLiteral("custom_system_prompt"), customSystemPrompt());
  QSaveFile f(QDir(dataDir_).filePath(QStringLiteral("draft.json")));
  if (f.open(QIODevice::WriteOnly)) {
    f.write(QJsonDocument(o).toJson());
    if (f.commit()) draftDirty_ = false;
  }
}

bool PromptEditor::restoreDraft() {
  QFile f(QDir(dataDir_).filePath(QStringLiteral("draft.json")));
  if (!f.open(QIODevice::ReadOnly)) return false;
  const QJsonObject o = QJsonDocument::fromJson(f.readAll()).object();
  if (o.isEmpty()) return false;
  setPrompt(o.value(QStringLiteral("prompt")).toString());
  setNegativePrompt(o.value(QStringLiteral("negative_prompt")).toString());
  setCustomSystemPrompt(o.value(QStringLiteral("custom_system_prompt")).toString());
  const QString preset = o.value(QStringLiteral("system_preset")).toString();
  if (!preset.isEmpty()) {
    programmatic_ = true;
    const int i = preset_->findData(preset);
    if (i >= 0) preset_->setCurrentIndex(i);
    programmatic_ = false;
  }
  draftDirty_ = false;
  draftTimer_->stop();
  return true;
}

// ---- character cards ----

bool PromptEditor::saveCharacterAsCard(int number, const QString& name, QString* error) {
  if (dataDir_.isEmpty()) {
    if (error) *error = tr("No data folder is set");
    return false;
  }
  const auto doc = newbie::text::Document::parse(prompt().toStdString());
  const QString block = QString::fromStdString(doc.characterBlock(number));
  if (block.isEmpty()) {
    if (error) *error = tr("There is no <character_%1> in the prompt").arg(number);
    return false;
  }
  return CharacterCardLibrary(dataDir_).save(name, block, error);
}

int PromptEditor::insertCard(const QString& name) {
  if (dataDir_.isEmpty()) return -1;
  const QString block = CharacterCardLibrary(dataDir_).block(name);
  if (block.isEmpty()) return -1;
  int n = -1;
  const QString text = CharacterCardLibrary::insertInto(prompt(), block, &n);
  if (n > 0) {
    applyRawText(text, true);
    refresh();
  }
  return n;
}

void PromptEditor::promptSaveCard(int number) {
  const auto doc = newbie::text::Document::parse(prompt().toStdString());
  QString suggestion = CharacterCardLibrary::suggestedName(QString::fromStdString(doc.characterBlock(number)));
  if (suggestion.isEmpty()) suggestion = tr("Character %1").arg(number);
  bool ok = false;
  const QString name = QInputDialog::getText(this, tr("Save character card"), tr("Card name:"), QLineEdit::Normal,
                                             suggestion, &ok);
  if (!ok || name.trimmed().isEmpty()) return;
  QString err;
  if (!saveCharacterAsCard(number, name, &err))
    QMessageBox::warning(this, tr("Save character card"), tr("Could not save the card: %1").arg(err));
}

void PromptEditor::rebuildCardsMenu() {
  QMenu* m = cardsButton_->menu();
  m->clear();
  const auto doc = newbie::text::Document::parse(prompt().toStdString());
  for (const auto& c : doc.characters()) {
    const int n = c.number;
    m->addAction(tr("Save <character_%1> as card…").arg(n), this, [this, n] { promptSaveCard(n); });
  }
  if (dataDir_.isEmpty()) {
    m->addAction(tr("(no data folder)"))->setEnabled(false);
    return;
  }
  const auto cards = CharacterCardLibrary(dataDir_).cards();
  m->addSeparator();
  if (cards.isEmpty()) m->addAction(tr("(no saved cards)"))->setEnabled(false);
  QMenu* del = cards.isEmpty() ? nullptr : new QMenu(tr("Delete card"), m);
  for (const auto& c : cards) {
    const QString name = c.name;
    m->addAction(tr("Insert “%1”").arg(name), this, [this, name] { insertCard(name); });
    del->addAction(name, this, [this, name] {
      if (QMessageBox::question(this, tr("Delete card"), tr("Delete the card “%1”?").arg(name)) == QMessageBox::Yes)
        CharacterCardLibrary(dataDir_).remove(name);
    });
  }
  if (del) m->addMenu(del);
}

}  // namespace newbie::ui

// The translations resource (:/i18n, see ui/CMakeLists.txt) lives in this static library; register
// it whenever the editor is linked in, so the app's translator finds it without extra calls.
static int newbieRegisterTranslations() {
  Q_INIT_RESOURCE(newbie_i18n);
  return 0;
}
static const int kNewbieTranslationsRegistered = newbieRegisterTranslations();
