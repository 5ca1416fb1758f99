// The embedded zh_CN catalogue loads and translates strings of the editor, the gallery and
// the main window; English stays the source text.
#include <QCoreApplication>
#include <QFile>
#include <QTest>
#include <QTranslator>

#include "prompt_form.h"

class TestTranslations : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() {
    Q_INIT_RESOURCE(resources);
    Q_INIT_RESOURCE(newbie_i18n);
  }

  void zhCnLoads() {
    QTranslator t;
    QVERIFY(t.load(QLocale(QStringLiteral("zh_CN")), QStringLiteral("newbie"), QStringLiteral("_"), QStringLiteral(":/i18n")));
    QVERIFY(!t.isEmpty());
    QCOMPARE(newbie::ui::PromptForm::fieldLabel(QStringLiteral("clothing")), QStringLiteral("Clothing"));
    QVERIFY(QCoreApplication::installTranslator(&t));
    QCOMPARE(newbie::ui::PromptForm::fieldLabel(QStringLiteral("clothing")), QStringLiteral("服装"));
    QCOMPARE(QCoreApplication::translate("newbie::ui::PromptEditor", "Negative prompt:"), QStringLiteral("负面提示词："));
    QCOMPARE(QCoreApplication::translate("newbie::ui::HistoryGallery", "Reuse seed only"), QStringLiteral("仅复用种子"));
    QCoreApplication::removeTranslator(&t);
    QCOMPARE(newbie::ui::PromptForm::fieldLabel(QStringLiteral("clothing")), QStringLiteral("Clothing"));
  }

  void everyZhCnMessageIsTranslated() {
    QFile ts(QStringLiteral(NEWBIE_TS_DIR "/newbie_zh_CN.ts"));
    QVERIFY(ts.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(ts.readAll());
    QVERIFY(text.count(QStringLiteral("<message")) > 200);
    QCOMPARE(text.count(QStringLiteral("type=\"unfinished\"")), 0);
  }

  void englishCatalogueLoads() {
    QTranslator t;
    QVERIFY(t.load(QStringLiteral(":/i18n/newbie_en.qm")));
  }
};

QTEST_MAIN(TestTranslations)
#include "test_translations.moc"
