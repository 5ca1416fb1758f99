// PromptEditor: highlighting, live validation, raw <-> form sync, completion, token count,
// cards, templates, presets, undo and draft autosave (offscreen).
#include <QAbstractItemView>
#include <QComboBox>
#include <QCompleter>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTextLayout>

#include "character_cards.h"
#include "prompt_editor.h"
#include "prompt_editor_raw.h"
#include "prompt_form.h"
#include "tag_completer.h"
#include "text/newbie_xml.h"
#include "xml_highlighter.h"

using namespace newbie::ui;

namespace {
const QString kMixed = QStringLiteral(
    "<!-- keep me -->\n"
    "<character_1>\n"
    "  <n>$character_1$</n>\n"
    "  <gender>1girl</gender>\n"
    "  <clothing>serafuku</clothing>\n"
    "  <mood>sleepy</mood>\n"
    "</character_1>\n"
    "plain tags, outside\n"
    "<general_tags>\n"
    "  <style>anime_style</style>\n"
    "</general_tags>\n");
}

class TestPromptEditor : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { Q_INIT_RESOURCE(resources); }

  void highlighterKnownVsUnknown() {
    QTextDocument doc;
    XmlHighlighter h(&doc);
    doc.setPlainText(QStringLiteral("<clothing>a</clothing><foo>b</foo>"));
    h.rehighlight();
    const auto formats = doc.firstBlock().layout()->formats();
    auto formatAt = [&](int pos) {
      QTextCharFormat f;
      for (const auto& r : formats)
        if (pos >= r.start && pos < r.start + r.length) f = r.format;
      return f;
    };
    QCOMPARE(formatAt(1).foreground().color(), h.knownTagFormat().foreground().color());   // "clothing"
    QCOMPARE(formatAt(23).foreground().color(), h.unknownTagFormat().foreground().color()); // "foo"
    QVERIFY(h.knownTagFormat().foreground().color() != h.unknownTagFormat().foreground().color());
    QVERIFY(XmlHighlighter::isKnownTag(QStringLiteral("character_12")));
    QVERIFY(!XmlHighlighter::isKnownTag(QStringLiteral("mood")));
  }

  void validationUnderlinesErrors() {
    PromptEditor ed;
    ed.setPrompt(QStringLiteral("<character_1>\n<n>x</gender>\n</character_1>"));
    ed.flushPending();
    QVERIFY(ed.hasErrors());
    const auto diags = ed.rawEdit()->diagnostics();
    QVERIFY(!diags.isEmpty());
    const EditorDiagnostic& first = diags.front();
    QVERIFY(first.error);
    QCOMPARE(first.line, 2);
    QCOMPARE(first.column, 5);
    QCOMPARE(first.start, 18);  // "<character_1>\n<n>x" is 18 UTF-16 units
    QVERIFY(!ed.rawEdit()->diagnosticAt(20).isEmpty());
    const auto sels = ed.rawEdit()->extraSelections();
    QCOMPARE(sels.size(), diags.size());
    QCOMPARE(sels.front().format.underlineStyle(), QTextCharFormat::WaveUnderline);
    QVERIFY(ed.diagnosticsLabel()->text().contains(QStringLiteral("line 2, column 5")));

    ed.setPrompt(QStringLiteral("1girl, smile"));
    ed.flushPending();
    QVERIFY(!ed.hasErrors());
    QVERIFY(ed.rawEdit()->extraSelections().isEmpty());

    // Positions are UTF-16 even after multi-byte text.
    ed.setPrompt(QStringLiteral("日本 <foo>x</foo>"));
    ed.flushPending();
    QCOMPARE(ed.rawEdit()->diagnostics().size(), 1);
    QCOMPARE(ed.rawEdit()->diagnostics().front().start, 3);
    QCOMPARE(ed.rawEdit()->diagnostics().front().length, 5);
  }

  void rawToFormToRawKeepsEverything() {
    PromptEditor ed;
    ed.setPrompt(kMixed);
    ed.flushPending();
    PromptForm* form = ed.form();
    QCOMPARE(form->characterNumbers(), QList<int>{1});
    QCOMPARE(form->characterEdit(1, QStringLiteral("clothing"))->text(), QStringLiteral("serafuku"));
    QCOMPARE(form->characterEdit(1, QStringLiteral("n"))->text(), QStringLiteral("$character_1$"));
    QCOMPARE(form->generalEdit(QStringLiteral("style"))->text(), QStringLiteral("anime_style"));
    QCOMPARE(ed.prompt(), kMixed);  // the form never rewrites what it shows

    // A form edit changes only that element, as one undoable raw edit.
    QSignalSpy edited(&ed, &PromptEditor::promptEdited);
    QLineEdit* clothing = form->characterEdit(1, QStringLiteral("clothing"));
    ed.viewTabs()->setCurrentIndex(1);
    clothing->setFocus();
    clothing->setCursorPosition(static_cast<int>(clothing->text().size()));
    QTest::keyClicks(clothing, QStringLiteral(", apron"));
    QString expected = kMixed;
    expected.replace(QStringLiteral("<clothing>serafuku</clothing>"), QStringLiteral("<clothing>serafuku, apron</clothing>"));
    QCOMPARE(ed.prompt(), expected);
    QVERIFY(edited.count() > 0);

    // New fields are created inside the block; the comment, <mood> and plain text stay.
    form->characterFieldEdited(1, QStringLiteral("expression"), QStringLiteral("smile"));
    form->generalTagEdited(QStringLiteral("lighting"), QStringLiteral("backlighting"));
    form->captionEdited(QStringLiteral("A girl in a sailor uniform."));
    ed.flushPending();
    const QString p = ed.prompt();
    QVERIFY(p.startsWith(QStringLiteral("<!-- keep me -->\n<character_1>\n")));
    QVERIFY(p.contains(QStringLiteral("  <mood>sleepy</mood>\n  <expression>smile</expression>\n</character_1>")));
    QVERIFY(p.contains(QStringLiteral("plain tags, outside\n")));
    QVERIFY(p.contains(QStringLiteral("  <style>anime_style</style>\n  <lighting>backlighting</lighting>\n</general_tags>")));
    QVERIFY(p.endsWith(QStringLiteral("<caption>A girl in a sailor uniform.</caption>\n")));
    QCOMPARE(form->characterEdit(1, QStringLiteral("expression"))->text(), QStringLiteral("smile"));

    // Undo walks back through the form edits to the original text.
    for (int i = 0; i < 20 && ed.prompt() != kMixed; ++i) ed.undo();
    QCOMPARE(ed.prompt(), kMixed);
    ed.redo();
    QVERIFY(ed.prompt() != kMixed);
  }

  void formCharacterOperations() {
    PromptEditor ed;
    QFile f(QStringLiteral(":/templates/official_readme_example.xml"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QString readme = QString::fromUtf8(f.readAll());
    QVERIFY(ed.loadTemplate(QStringLiteral(":/templates/official_readme_example.xml")));
    QCOMPARE(ed.prompt(), readme);
    QVERIFY(!ed.hasErrors());
    QCOMPARE(ed.form()->characterNumbers(), (QList<int>{1, 2}));
    emit ed.form()->moveCharacterRequested(2, -1);
    ed.flushPending();
    QCOMPARE(ed.form()->characterEdit(1, QStringLiteral("position"))->text(), QStringLiteral("center_right"));
    emit ed.form()->moveCharacterRequested(1, 1);
    QCOMPARE(ed.prompt(), readme);
    emit ed.form()->addCharacterRequested();
    ed.flushPending();
    QCOMPARE(ed.form()->characterNumbers(), (QList<int>{1, 2, 3}));
    emit ed.form()->removeCharacterRequested(1);
    ed.flushPending();
    QCOMPARE(ed.form()->characterNumbers(), (QList<int>{1, 2}));
    QCOMPARE(ed.form()->characterEdit(1, QStringLiteral("position"))->text(), QStringLiteral("center_right"));
    QCOMPARE(ed.form()->characterEdit(1, QStringLiteral("n"))->text(), QStringLiteral("$character_1$"));
  }

  void templatesAreValid() {
    for (const QString& t : PromptEditor::templatePaths()) {
      QFile f(t);
      QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(t));
      const auto doc = newbie::text::Document::parse(f.readAll().toStdString());
      QVERIFY2(!doc.hasErrors(), qPrintable(t));
      QVERIFY(doc.looksLikeXml());
    }
  }

  void fieldAwareCompletion() {
    auto& vocab = TagVocabulary::instance();
    QVERIFY(vocab.builtinCount() > 1000);
    QVERIFY(vocab.tagsFor(QStringLiteral("clothing")).contains(QStringLiteral("serafuku")));
    QVERIFY(!vocab.tagsFor(QStringLiteral("clothing")).contains(QStringLiteral("center_left")));
    QVERIFY(vocab.tagsFor(QStringLiteral("position")).contains(QStringLiteral("center_left")));
    QCOMPARE(vocab.categoryOf(QStringLiteral("blue hair")), QStringLiteral("hair colour"));

    PromptEditor ed;
    ed.setLearnedTagsProvider([](const QString& field) {
      return field == QStringLiteral("clothing") ? QStringList{QStringLiteral("my_custom_coat")} : QStringList{};
    });
    ed.setPrompt(QStringLiteral("<character_1>\n<clothing>white_shirt, sera</clothing>\n<position>center_</position>\n</character_1>"));
    ed.show();
    auto* raw = ed.rawEdit();
    QTextCursor c(raw->document());
    c.setPosition(static_cast<int>(ed.prompt().indexOf(QStringLiteral("sera")) + 4));
    raw->setTextCursor(c);
    RawTagCompleter* comp = raw->tagCompleter();
    QCOMPARE(comp->currentField(), QStringLiteral("clothing"));
    QCOMPARE(comp->currentPrefix(), QStringLiteral("sera"));
    QVERIFY(comp->showCompletions(false) >= 1);
    QStringList shown;
    for (int i = 0; comp->completer()->setCurrentRow(i); ++i) shown << comp->completer()->currentCompletion();
    QVERIFY(shown.contains(QStringLiteral("serafuku")));
    // Activating replaces the prefix only.
    emit comp->completer()->activated(QStringLiteral("serafuku"));
    QVERIFY(ed.prompt().contains(QStringLiteral("<clothing>white_shirt, serafuku</clothing>")));

    c.setPosition(static_cast<int>(ed.prompt().indexOf(QStringLiteral("center_")) + 7));
    raw->setTextCursor(c);
    QCOMPARE(comp->currentField(), QStringLiteral("position"));
    QVERIFY(comp->showCompletions(false) >= 2);  // center_left, center_right
    QVERIFY(vocab.tagsFor(QStringLiteral("clothing")).contains(QStringLiteral("my_custom_coat")));
    QCOMPARE(fieldAtPosition(QStringLiteral("<general_tags><style>x</style></general_tags>"), 21), QStringLiteral("style"));

    // Element names after '<': the fields valid in that block, completed to <name>|</name>.
    ed.setPrompt(QStringLiteral("<character_1>\n<cl\n</character_1>"));
    c.setPosition(17);
    raw->setTextCursor(c);
    QCOMPARE(comp->showCompletions(false), 1);
    emit comp->completer()->activated(QStringLiteral("clothing"));
    QCOMPARE(ed.prompt(), QStringLiteral("<character_1>\n<clothing></clothing>\n</character_1>"));
    QCOMPARE(raw->textCursor().position(), 24);
    ed.setPrompt(QStringLiteral("<character_1></character_1>\n<"));
    c.setPosition(static_cast<int>(ed.prompt().size()));
    raw->setTextCursor(c);
    QCOMPARE(comp->showCompletions(false), 3);  // character_2, general_tags, caption
    QCOMPARE(fieldAtPosition(QStringLiteral("<character_1></character_1>"), 13), QString());
  }

  void tokenCounter() {
    PromptEditor ed;
    QSignalSpy spy(&ed, &PromptEditor::tokenCountChanged);
    ed.setTokenCounter([](const QString& p, const QString& preset) {
      return static_cast<int>(p.size()) + (preset == QStringLiteral("auto") ? 1 : 100);
    });
    ed.setPrompt(QStringLiteral("abc"));
    QTRY_COMPARE(ed.tokenCount(), 4);  // debounced + computed on the thread pool
    QCOMPARE(ed.tokenLabel()->text(), QStringLiteral("4 / 512"));
    ed.setSystemPreset(QStringLiteral("xml"));
    QTRY_COMPARE(ed.tokenCount(), 103);
    ed.setSystemPreset(QStringLiteral("SYS "));  // custom text is counted with the prompt, preset "none"
    QTRY_COMPARE(ed.tokenCount(), 7 + 100);
    ed.setSystemPreset(QStringLiteral("auto"));
    ed.setPrompt(QString(600, QLatin1Char('a')));
    ed.flushPending();
    QCOMPARE(ed.tokenCount(), 601);
    QVERIFY(ed.tokenLabel()->text().contains(QStringLiteral("truncated")));
    QVERIFY(!spy.isEmpty());
    QCOMPARE(spy.last().at(1).toBool(), true);
    ed.setTokenCounter([](const QString&, const QString&) -> int { throw std::runtime_error("no tokenizer"); });
    ed.flushPending();
    QCOMPARE(ed.tokenCount(), -1);
  }

  void presetsAndNegative() {
    PromptEditor ed;
    QCOMPARE(ed.systemPreset(), QStringLiteral("auto"));
    QSignalSpy edited(&ed, &PromptEditor::promptEdited);
    for (const char* p : {"xml", "tags", "comfy_xml", "lora_trainer", "lumina", "none", "auto"}) {
      ed.setSystemPreset(QString::fromLatin1(p));
      QCOMPARE(ed.systemPreset(), QString::fromLatin1(p));
    }
    ed.setSystemPreset(QStringLiteral("You are a painter. <Prompt Start> "));
    QCOMPARE(ed.systemPreset(), QStringLiteral("custom"));
    QCOMPARE(ed.customSystemPrompt(), QStringLiteral("You are a painter. <Prompt Start> "));
    ed.setNegativePrompt(QStringLiteral("lowres"));
    QCOMPARE(ed.negativePrompt(), QStringLiteral("lowres"));
    QCOMPARE(edited.count(), 0);  // programmatic changes are not user edits
    ed.presetCombo()->setCurrentIndex(1);
    QCOMPARE(edited.count(), 1);
    QSignalSpy gen(&ed, &PromptEditor::generateRequested);
    QTest::keyClick(ed.rawEdit(), Qt::Key_Return, Qt::ControlModifier);
    QCOMPARE(gen.count(), 1);
    QVERIFY(!ed.prompt().contains(QLatin1Char('\n')));
  }

  void characterCards() {
    QTemporaryDir dir;
    PromptEditor ed;
    ed.setDataDir(dir.path());
    ed.setPrompt(QStringLiteral("<character_1>\n<n>$character_1$</n>\n<gender>1girl</gender>\n</character_1>"));
    QString err;
    QVERIFY2(ed.saveCharacterAsCard(1, QStringLiteral("Roxy"), &err), qPrintable(err));
    QVERIFY(!ed.saveCharacterAsCard(5, QStringLiteral("none"), &err));
    CharacterCardLibrary lib(dir.path());
    QCOMPARE(lib.cards().size(), 1);
    QCOMPARE(lib.cards().front().name, QStringLiteral("Roxy"));
    QCOMPARE(ed.insertCard(QStringLiteral("Roxy")), 2);
    QVERIFY(ed.prompt().contains(QStringLiteral("<character_2>\n<n>$character_2$</n>\n<gender>1girl</gender>\n</character_2>")));
    QCOMPARE(ed.insertCard(QStringLiteral("missing")), -1);
    QVERIFY(lib.remove(QStringLiteral("Roxy")));
    QVERIFY(lib.cards().isEmpty());
    QCOMPARE(CharacterCardLibrary::suggestedName(QStringLiteral("<character_3><n>Miku</n></character_3>")), QStringLiteral("Miku"));
  }

  void draftSurvivesRestart() {
    QTemporaryDir dir;
    {
      PromptEditor ed;
      QVERIFY(!ed.setDataDir(dir.path()));  // nothing to restore yet
      QTest::keyClicks(ed.rawEdit(), QStringLiteral("1girl, smile"));
      ed.setNegativePrompt(QStringLiteral("lowres"));
      ed.setSystemPreset(QStringLiteral("tags"));
      QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(dir.filePath(QStringLiteral("draft.json"))), 3000);  // debounced ~1 s
    }
    PromptEditor again;
    QVERIFY(again.setDataDir(dir.path()));
    QCOMPARE(again.prompt(), QStringLiteral("1girl, smile"));
    QCOMPARE(again.negativePrompt(), QStringLiteral("lowres"));
    QCOMPARE(again.systemPreset(), QStringLiteral("tags"));
  }
};

QTEST_MAIN(TestPromptEditor)
#include "test_prompt_editor.moc"
