// Run-time language switch (zh_CN <-> en) in a live MainWindow: the prompt editor (and its form
// and raw view), the settings panel, the history gallery and the GPU monitor re-translate on
// QEvent::LanguageChange, and no selection, item data or value changes on the way.
#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QToolButton>
#include <QTranslator>
#include <QtTest>

#include <qcustomplot.h>

#include "compare_view.h"
#include "fake_backend.h"
#include "gpu_monitor.h"
#include "history_gallery.h"
#include "main_window.h"
#include "prompt_editor.h"
#include "prompt_form.h"
#include "settings_panel.h"

using namespace newbie;

namespace {
class NoGpu : public TelemetrySource {
 public:
  bool available() const override { return false; }
  std::string reason() const override { return "libnvidia-ml.so.1 not found"; }
  void sample(TelemetrySample&) override {}
};

QString rowLabel(QWidget* box, QWidget* field) {
  auto* form = box ? qobject_cast<QFormLayout*>(box->layout()) : nullptr;
  auto* label = form && field ? qobject_cast<QLabel*>(form->labelForField(field)) : nullptr;
  return label ? label->text() : QStringLiteral("<no label>");
}

/// LanguageChange is posted to the application, which posts it on to every window.
void deliverLanguageChange() {
  for (int i = 0; i < 3; ++i) QCoreApplication::processEvents();
}

/// What the test reads from the window (a snapshot, compared against English and Chinese).
struct Texts {
  QString negativeLabel, presetAuto, templates, rawTab, negativePlaceholder, generalTab, artistsLabel, characterTab;
  QString modelTitle, samplingTitle, precisionLabel, fp8Item, seedRandom, languageDefault, samplerLabel;
  QString searchPlaceholder, last7Days, favourites, count;
  QString monitorAxis, windowTitle;
};

/// Null-safe readers: a missing widget reads as "<missing>" (a failed comparison, not a crash).
const QString kMissing = QStringLiteral("<missing>");
template <class T>
T* child(QObject* parent, const char* name) {
  return parent ? parent->findChild<T*>(QString::fromLatin1(name)) : nullptr;
}
QString labelText(QLabel* l) { return l ? l->text() : kMissing; }
QString itemText(QComboBox* c, const QVariant& data) {
  const int i = c ? c->findData(data) : -1;
  return i >= 0 ? c->itemText(i) : kMissing;
}

Texts read(MainWindow& w) {
  Texts t;
  ui::PromptEditor* e = w.editor();
  t.negativeLabel = labelText(child<QLabel>(e, "negativePromptLabel"));
  t.presetAuto = itemText(e->presetCombo(), QStringLiteral("auto"));
  auto* templates = child<QToolButton>(e, "templates");
  t.templates = templates ? templates->text() : kMissing;
  t.rawTab = e->viewTabs()->tabText(0);
  t.negativePlaceholder = e->negativeEdit()->placeholderText();
  ui::PromptForm* f = e->form();
  const int general = static_cast<int>(f->characterNumbers().size());
  t.generalTab = f->tabs()->tabText(general);
  QLineEdit* artists = f->generalEdit(QStringLiteral("artists"));
  auto* gform = artists ? artists->parentWidget()->findChild<QFormLayout*>() : nullptr;
  t.artistsLabel = gform ? labelText(qobject_cast<QLabel*>(gform->labelForField(artists))) : kMissing;
  t.characterTab = f->tabs()->tabText(0);

  SettingsPanel* s = w.settings();
  auto* modelBox = child<QGroupBox>(s, "modelBox");
  auto* samplingBox = child<QGroupBox>(s, "samplingBox");
  auto* precision = child<QComboBox>(s, "precision");
  t.modelTitle = modelBox ? modelBox->title() : kMissing;
  t.samplingTitle = samplingBox ? samplingBox->title() : kMissing;
  t.precisionLabel = rowLabel(modelBox, precision);
  t.fp8Item = itemText(precision, QStringLiteral("fp8"));
  auto* seedMode = child<QComboBox>(s, "seedMode");
  t.seedRandom = seedMode ? seedMode->itemText(0) : kMissing;
  t.languageDefault = itemText(child<QComboBox>(s, "language"), QString());
  t.samplerLabel = rowLabel(samplingBox, child<QComboBox>(s, "sampler"));

  ui::HistoryGallery* g = w.gallery();
  t.searchPlaceholder = g->searchEdit()->placeholderText();
  t.last7Days = itemText(child<QComboBox>(g, "dateFilter"), 7);
  auto* fav = child<QCheckBox>(g, "favouritesOnly");
  t.favourites = fav ? fav->text() : kMissing;
  t.count = labelText(child<QLabel>(g, "countLabel"));

  t.monitorAxis = w.monitor()->plot(0)->xAxis->label();
  t.windowTitle = w.windowTitle();
  return t;
}

/// Each text read from the window in English and in Chinese (nullptr: not checked in that language).
struct Expected {
  QString Texts::*field;
  const char* en;
  const char* zh;
};
const Expected kExpected[] = {
    {&Texts::windowTitle, "NewBie Studio", nullptr},
    {&Texts::negativeLabel, "Negative prompt:", "负面提示词："},
    {&Texts::presetAuto, "Auto (XML or tags)", "自动（XML 或标签）"},
    {&Texts::templates, "Templates", "模板"},
    {&Texts::rawTab, "Raw XML", "原始 XML"},
    {&Texts::negativePlaceholder, "Empty by default (the model's own unconditional input)",
     "默认为空（使用模型自身的无条件输入）"},
    {&Texts::generalTab, "General", "通用"},
    {&Texts::artistsLabel, "Artists", "画师"},
    {&Texts::characterTab, "Character 1", "角色 1"},
    {&Texts::modelTitle, "Model", "模型"},
    {&Texts::samplingTitle, "Sampling", "采样"},
    {&Texts::precisionLabel, "Precision", "精度"},
    {&Texts::fp8Item, "fp8 (e4m3, CUDA, faster, approximate)", "fp8（e4m3，仅 CUDA，更快，近似）"},
    {&Texts::seedRandom, "Random", "随机"},
    {&Texts::languageDefault, "System default", "系统默认"},
    {&Texts::samplerLabel, "Sampler", "采样器"},
    {&Texts::searchPlaceholder, "Search prompts… (field:value, e.g. character_1.clothing:serafuku)",
     "搜索提示词…（字段:值，例如 character_1.clothing:serafuku）"},
    {&Texts::last7Days, "Last 7 days", "最近 7 天"},
    {&Texts::favourites, "Favourites", "收藏"},
    {&Texts::count, "0 image(s)", "0 张图像"},
    {&Texts::monitorAxis, "seconds", "秒"},
};

void expectTexts(MainWindow& w, const char* Expected::*language) {
  const Texts t = read(w);
  for (const Expected& e : kExpected)
    if (e.*language) QCOMPARE(t.*e.field, QString::fromUtf8(e.*language));
}
void expectEnglish(MainWindow& w) { expectTexts(w, &Expected::en); }
void expectChinese(MainWindow& w) { expectTexts(w, &Expected::zh); }

/// The state the switch must not touch.
struct State {
  QString device, precision, preset;
  std::string sampler, schedule;
  SettingsPanel::SeedMode seedMode;
  int placement, dateIndex, dateDays, presetIndex, viewTab;
  uint64_t seed;
  QString prompt;
  bool operator==(const State& o) const {
    return device == o.device && precision == o.precision && preset == o.preset && sampler == o.sampler &&
           schedule == o.schedule && seedMode == o.seedMode && placement == o.placement && dateIndex == o.dateIndex &&
           dateDays == o.dateDays && presetIndex == o.presetIndex && viewTab == o.viewTab && seed == o.seed &&
           prompt == o.prompt;
  }
};

State state(MainWindow& w) {
  State st;
  SettingsPanel* s = w.settings();
  auto data = [](QComboBox* c) { return c ? c->currentData().toString() : kMissing; };
  st.device = data(child<QComboBox>(s, "device"));
  st.precision = data(child<QComboBox>(s, "precision"));
  st.sampler = s->params().sampler;
  st.schedule = s->params().schedule;
  st.seed = s->params().seed;
  st.seedMode = s->seedMode();
  st.placement = static_cast<int>(s->loadOptions().encoderPlacement);
  auto* date = child<QComboBox>(w.gallery(), "dateFilter");
  st.dateIndex = date ? date->currentIndex() : -2;
  st.dateDays = date ? date->currentData().toInt() : -2;
  st.preset = w.editor()->systemPreset();
  st.presetIndex = w.editor()->presetCombo()->currentIndex();
  st.viewTab = w.editor()->viewTabs()->currentIndex();
  st.prompt = w.editor()->prompt();
  return st;
}
}  // namespace

class TestLanguageSwitch : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  int windows_ = 0;

  std::unique_ptr<MainWindow> makeWindow() {
    MainWindow::Options o;
    o.backend = std::make_unique<test::FakeBackend>(std::make_shared<test::FakeBackend::Shared>());
    o.telemetry = std::make_unique<NoGpu>();
    o.dataDir = dir_.filePath(QStringLiteral("data%1").arg(++windows_));
    QDir().mkpath(o.dataDir);
    auto w = std::make_unique<MainWindow>(std::move(o));
    w->show();
    // A GPU device, half precision, a non-default sampler / seed mode / placement / preset /
    // date filter: the switch must keep all of them.
    SettingsPanel* s = w->settings();
    s->setDevices({QStringLiteral("cpu"), QStringLiteral("cuda")});
    // (Null-safe: a missing widget shows up as a failed comparison later, not as a crash.)
    if (auto* device = child<QComboBox>(s, "device")) device->setCurrentIndex(device->findData(QStringLiteral("cuda")));
    if (auto* c = child<QComboBox>(s, "precision")) c->setCurrentIndex(c->findData(QStringLiteral("fp16")));
    GenerationParams p = s->params();
    p.sampler = "dpmpp_2m";
    s->setParams(p);
    if (auto* c = child<QComboBox>(s, "placement")) c->setCurrentIndex(c->findData(static_cast<int>(EncoderPlacement::CPU)));
    s->setSeedMode(SettingsPanel::SeedMode::Increment);
    if (auto* date = child<QComboBox>(w->gallery(), "dateFilter")) date->setCurrentIndex(date->findData(7));
    w->editor()->setSystemPreset(QStringLiteral("xml"));
    w->editor()->setPrompt(QStringLiteral("<character_1><n>miku</n></character_1>"));
    w->editor()->viewTabs()->setCurrentIndex(1);
    w->editor()->flushPending();
    return w;
  }

 private Q_SLOTS:
  void initTestCase() {
    Q_INIT_RESOURCE(resources);
    Q_INIT_RESOURCE(newbie_i18n);
    QVERIFY(dir_.isValid());
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("NewBieTest"));
    QCoreApplication::setApplicationName(QStringLiteral("language-switch-test"));
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, dir_.path());
    QSettings().clear();
    QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
  }

  // A translator installed at run time and removed again: every panel follows both ways.
  void translatorInstalledAndRemoved() {
    auto w = makeWindow();
    const State before = state(*w);
    QCOMPARE(before.precision, QStringLiteral("fp16"));
    QCOMPARE(before.sampler, std::string("dpmpp_2m"));
    QCOMPARE(before.device, QStringLiteral("cuda"));
    QCOMPARE(before.placement, static_cast<int>(EncoderPlacement::CPU));
    QCOMPARE(before.seedMode, SettingsPanel::SeedMode::Increment);
    QCOMPARE(before.dateDays, 7);
    QCOMPARE(before.preset, QStringLiteral("xml"));
    QCOMPARE(before.viewTab, 1);
    expectEnglish(*w);
    if (QTest::currentTestFailed()) return;
    QSignalSpy load(w->settings(), &SettingsPanel::loadOptionsChanged);
    QSignalSpy changed(w->settings(), &SettingsPanel::settingsChanged);
    QSignalSpy edited(w->editor(), &ui::PromptEditor::promptEdited);

    QTranslator zh;
    QVERIFY(zh.load(QLocale(QStringLiteral("zh_CN")), QStringLiteral("newbie"), QStringLiteral("_"), QStringLiteral(":/i18n")));
    QVERIFY(QCoreApplication::installTranslator(&zh));
    deliverLanguageChange();
    QTRY_COMPARE(w->editor()->findChild<QLabel*>(QStringLiteral("negativePromptLabel"))->text(),
                 QStringLiteral("负面提示词："));
    expectChinese(*w);
    if (QTest::currentTestFailed()) return;
    QVERIFY(state(*w) == before);

    QVERIFY(QCoreApplication::removeTranslator(&zh));
    deliverLanguageChange();
    expectEnglish(*w);
    if (QTest::currentTestFailed()) return;
    QVERIFY(state(*w) == before);
    QCOMPARE(load.count(), 0);  // no model reload, no settings write, no supersede
    QCOMPARE(changed.count(), 0);
    QCOMPARE(edited.count(), 0);
  }

  // The app's own path: the settings panel's language combo (installTranslation()).
  void languageComboSwitchesTheWholeWindow() {
    auto w = makeWindow();
    const State before = state(*w);
    auto* language = child<QComboBox>(w->settings(), "language");
    QVERIFY(language);
    language->setCurrentIndex(language->findData(QStringLiteral("zh_CN")));
    deliverLanguageChange();
    expectChinese(*w);
    if (QTest::currentTestFailed()) return;
    QVERIFY(state(*w) == before);
    QCOMPARE(language->currentData().toString(), QStringLiteral("zh_CN"));
    language->setCurrentIndex(language->findData(QStringLiteral("en")));
    deliverLanguageChange();
    expectEnglish(*w);
    if (QTest::currentTestFailed()) return;
    QVERIFY(state(*w) == before);
    QCOMPARE(language->currentData().toString(), QStringLiteral("en"));
  }

  // A top-level dialog (the compare window) follows too and keeps its view mode.
  void compareViewFollows() {
    ui::CompareView v;
    auto* mode = v.findChild<QComboBox*>();
    QVERIFY(mode);
    mode->setCurrentIndex(1);
    QCOMPARE(mode->itemText(0), QStringLiteral("Side by side"));
    QTranslator zh;
    QVERIFY(zh.load(QStringLiteral(":/i18n/newbie_zh_CN.qm")));
    QVERIFY(QCoreApplication::installTranslator(&zh));
    deliverLanguageChange();
    QCOMPARE(mode->itemText(0), QStringLiteral("并排"));
    QCOMPARE(mode->currentIndex(), 1);
    QCoreApplication::removeTranslator(&zh);
    deliverLanguageChange();
    QCOMPARE(mode->itemText(0), QStringLiteral("Side by side"));
  }
};

QTEST_MAIN(TestLanguageSwitch)
#include "test_language_switch.moc"
