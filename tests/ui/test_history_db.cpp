// HistoryDatabase, gallery model, thumbnails, PNG import, compare diff, crash safety.
#include <QCoreApplication>
#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QTableWidget>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QListView>
#include <QProcess>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <cstdio>

#include "compare_view.h"
#include "history_db.h"
#include "history_gallery.h"
#include "png.h"
#include "thumbnail_cache.h"

using namespace newbie::ui;

namespace {
const QString kXml = QStringLiteral(
    "<character_1>\n<n>$character_1$</n>\n<gender>1girl</gender>\n<clothing>school_uniform, serafuku</clothing>\n"
    "</character_1>\n<general_tags>\n<style>anime_style</style>\n</general_tags>");

QString writeImage(const QString& dir, const QString& name, QColor colour = Qt::red) {
  QImage img(64, 48, QImage::Format_RGB888);
  img.fill(colour);
  const QString p = QDir(dir).filePath(name);
  img.save(p, "PNG");
  return p;
}

/// Child mode: insert job+image rows forever, printing each committed image id.
int childInsertLoop(const QString& dir) {
  HistoryDatabase db(dir);
  if (!db.isOpen()) return 2;
  for (int i = 0;; ++i) {
    JobRecord j;
    j.prompt = kXml;
    j.model = QStringLiteral("crash");
    const qint64 job = db.beginJob(j);
    const qint64 id = db.recordImage(job, QStringLiteral("/nonexistent/%1.png").arg(i), QStringLiteral("{}"), {}, 64, 64,
                                     static_cast<quint64>(i));
    if (id < 0) return 3;
    std::printf("%lld\n", static_cast<long long>(id));
    std::fflush(stdout);
  }
}
}  // namespace

class TestHistoryDb : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { Q_INIT_RESOURCE(resources); }

  void insertSearchFavouriteDelete() {
    QTemporaryDir dir;
    HistoryDatabase db(dir.path());
    QVERIFY2(db.isOpen(), qPrintable(db.lastError()));
    JobRecord a;
    a.prompt = kXml;
    a.negativePrompt = QStringLiteral("lowres");
    a.model = QStringLiteral("newbie-exp0.1");
    const qint64 ja = db.beginJob(a);
    QVERIFY2(ja > 0, qPrintable(db.lastError()));
    JobRecord b;
    b.prompt = QStringLiteral("1boy, maid, smile");
    b.model = QStringLiteral("demo");
    const qint64 jb = db.beginJob(b);
    const QString pa = writeImage(dir.path(), QStringLiteral("a.png"));
    const QString pb = writeImage(dir.path(), QStringLiteral("b.png"));
    const qint64 ia = db.recordImage(ja, pa, QStringLiteral("{\"seed\":7,\"steps\":28}"), QStringLiteral("{}"), 64, 48, 7);
    const qint64 ib = db.recordImage(jb, pb, QStringLiteral("{\"seed\":8,\"steps\":20}"), QStringLiteral("{}"), 64, 48, 8);
    QVERIFY(ia > 0 && ib > ia);
    QCOMPARE(db.recordImage(9999, pa, QStringLiteral("{}"), {}, 1, 1, 1), -1);

    const ImageRecord ra = db.image(ia);
    QCOMPARE(ra.prompt, kXml);
    QCOMPARE(ra.seed, quint64(7));
    QCOMPARE(ra.model, QStringLiteral("newbie-exp0.1"));

    QCOMPARE(db.count({}), 2);
    QCOMPARE(db.search(HistoryQuery{}), (QList<qint64>{ib, ia}));  // newest first
    QCOMPARE(db.search(HistoryQuery::parse(QStringLiteral("character_1.clothing:serafuku"))), QList<qint64>{ia});
    QCOMPARE(db.search(HistoryQuery::parse(QStringLiteral("clothing:serafuku"))), QList<qint64>{ia});
    QCOMPARE(db.search(HistoryQuery::parse(QStringLiteral("character_2.clothing:serafuku"))), QList<qint64>{});
    QCOMPARE(db.search(HistoryQuery::parse(QStringLiteral("character_1.name:character"))), QList<qint64>{ia});
    QCOMPARE(db.search(HistoryQuery::parse(QStringLiteral("maid"))), QList<qint64>{ib});
    QCOMPARE(db.search(HistoryQuery::parse(QStringLiteral("tags:maid"))), QList<qint64>{ib});
    QCOMPARE(db.search(HistoryQuery::parse(QStringLiteral("lowres"))), QList<qint64>{ia});  // negative prompt
    QCOMPARE(db.search(HistoryQuery::parse(QStringLiteral("100%"))), QList<qint64>{});     // LIKE is escaped
    QCOMPARE(db.search(QString(), {}, {QDateTime(), QDateTime()}, false, QStringLiteral("demo")), QList<qint64>{ib});
    QCOMPARE(db.search(QString(), {}, {QDateTime::currentDateTimeUtc().addDays(1), QDateTime()}, false, QString()),
             QList<qint64>{});
    QCOMPARE(db.models(), (QStringList{QStringLiteral("demo"), QStringLiteral("newbie-exp0.1")}));

    const auto parsed = HistoryQuery::parse(QStringLiteral("smile character_1.clothing:\"white shirt\" blue"));
    QCOMPARE(parsed.text, QStringLiteral("smile blue"));
    QCOMPARE(parsed.fields.size(), 1);
    QCOMPARE(parsed.fields.front().second, QStringLiteral("white shirt"));

    QVERIFY(db.setFavourite(ib, true));
    HistoryQuery fav;
    fav.favouritesOnly = true;
    QCOMPARE(db.search(fav), QList<qint64>{ib});

    QCOMPARE(db.learnedTags(QStringLiteral("clothing")),
             (QStringList{QStringLiteral("school_uniform"), QStringLiteral("serafuku")}));
    QCOMPARE(db.promptFields(ia).front(), (QPair<QString, QString>{QStringLiteral("character_1.n"), QStringLiteral("$character_1$")}));

    // Soft delete moves the file to the trash and hides the row; undo restores both.
    QVERIFY(db.deleteImage(ia));
    QVERIFY(!QFile::exists(pa));
    QVERIFY(QFile::exists(db.image(ia).path));
    QVERIFY(db.image(ia).path.startsWith(db.trashDir()));
    QCOMPARE(db.search(HistoryQuery{}), QList<qint64>{ib});
    QVERIFY(db.learnedTags(QStringLiteral("clothing")).isEmpty());
    QVERIFY(!db.deleteImage(ia));
    QVERIFY(db.undoDelete(ia));
    QVERIFY(QFile::exists(pa));
    QCOMPARE(db.image(ia).path, pa);
    QCOMPARE(db.count({}), 2);
    QVERIFY(db.deleteImage(ib));
    QCOMPARE(db.purgeTrash(), 1);
    QCOMPARE(db.image(ib).id, qint64(-1));
    QCOMPARE(db.count({}), 1);
  }

  void crashSafetyKilledChild() {
    QTemporaryDir dir;
    QProcess child;
    child.setProgram(QCoreApplication::applicationFilePath());
    child.setArguments({QStringLiteral("--child-insert"), dir.path()});
    child.start();
    QVERIFY(child.waitForStarted(10000));
    QList<qint64> committed;
    QByteArray buf;
    QElapsedTimer t;
    t.start();
    while (committed.size() < 60 && t.elapsed() < 60000) {
      child.waitForReadyRead(1000);
      buf += child.readAllStandardOutput();
      int nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        committed << buf.left(nl).toLongLong();
        buf.remove(0, nl + 1);
      }
      if (child.state() != QProcess::Running) break;
    }
    QVERIFY2(committed.size() >= 60, qPrintable(QStringLiteral("child wrote %1 rows, exit %2, stderr %3")
                                                     .arg(committed.size())
                                                     .arg(child.exitCode())
                                                     .arg(QString::fromLocal8Bit(child.readAllStandardError()))));
    child.kill();  // SIGKILL, mid-insert
    QVERIFY(child.waitForFinished(10000));
    buf += child.readAllStandardOutput();
    for (const QByteArray& line : buf.split('\n'))
      if (!line.isEmpty()) committed << line.toLongLong();

    HistoryDatabase db(dir.path());
    QVERIFY(db.isOpen());
    QSqlQuery q(db.connection());
    QVERIFY(q.exec(QStringLiteral("PRAGMA integrity_check")) && q.next());
    QCOMPARE(q.value(0).toString(), QStringLiteral("ok"));
    for (qint64 id : std::as_const(committed)) {
      const ImageRecord r = db.image(id);
      QCOMPARE(r.id, id);
      QCOMPARE(r.prompt, kXml);
      QVERIFY(!db.promptFields(id).isEmpty());  // fields committed with the image, atomically
    }
    // No image row without its fields, no image without a job.
    QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM images i WHERE NOT EXISTS (SELECT 1 FROM prompt_fields f "
                                  "WHERE f.image_id = i.id) OR NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = i.job_id)")));
    QVERIFY(q.next());
    QCOMPARE(q.value(0).toInt(), 0);
    QVERIFY(db.count({}) >= committed.size());
    QVERIFY(db.beginJob(JobRecord{}) > 0);  // still writable
  }

  void lazyModelWith100kRows() {
    QTemporaryDir dir;
    HistoryDatabase db(dir.path());
    JobRecord j;
    j.prompt = QStringLiteral("1girl");
    const qint64 job = db.beginJob(j);
    QSqlDatabase c = db.connection();
    QVERIFY(c.transaction());
    QSqlQuery ins(c);
    ins.prepare(QStringLiteral("INSERT INTO images (job_id, path, metadata_json, width, height, seed, created) "
                               "VALUES (?, ?, '{}', 64, 64, ?, 0)"));
    for (int i = 0; i < 100000; ++i) {
      ins.addBindValue(job);
      ins.addBindValue(QStringLiteral("/none/%1.png").arg(i));
      ins.addBindValue(i);
      QVERIFY(ins.exec());
    }
    QVERIFY(c.commit());
    ThumbnailCache thumbs(dir.path(), 32);
    HistoryModel model(&db, &thumbs);
    QCOMPARE(model.rowCount(), 100000);
    QCOMPARE(model.pageLoads(), 0);  // counting reads no rows
    for (int r = 0; r < 60; ++r) QCOMPARE(model.data(model.index(r), HistoryModel::SeedRole).toULongLong(), 99999ull - r);
    QCOMPARE(model.pageLoads(), 1);
    QCOMPARE(model.data(model.index(99999), HistoryModel::SeedRole).toULongLong(), 0ull);
    QCOMPARE(model.data(model.index(50000), HistoryModel::PathRole).toString(), QStringLiteral("/none/49999.png"));
    QCOMPARE(model.pageLoads(), 3);
    QVERIFY(!model.data(model.index(100000), HistoryModel::IdRole).isValid());
    QVERIFY(model.data(model.index(3), Qt::DecorationRole).value<QImage>().size() == QSize(32, 32));  // placeholder
    thumbs.waitForIdle();
  }

  void thumbnailsLoadOffThread() {
    QTemporaryDir dir;
    const QString p = writeImage(dir.path(), QStringLiteral("t.png"), Qt::blue);
    ThumbnailCache thumbs(dir.path(), 32);
    QSignalSpy ready(&thumbs, &ThumbnailCache::thumbnailReady);
    bool ok = true;
    QImage first = thumbs.thumbnail(p, &ok);
    QVERIFY(!ok);
    QCOMPARE(first, thumbs.placeholder());
    QTRY_COMPARE(ready.count(), 1);
    QImage img = thumbs.thumbnail(p, &ok);
    QVERIFY(ok);
    QCOMPARE(img.size(), QSize(32, 24));
    QCOMPARE(QColor(img.pixel(5, 5)), QColor(Qt::blue));
    QVERIFY(QFile::exists(thumbs.cacheFileFor(p)));
  }

  void importPngMetadata() {
    QTemporaryDir dir;
    newbie::RGBImage rgb;
    rgb.width = 8;
    rgb.height = 8;
    rgb.rgb.assign(8 * 8 * 3, 128);
    const std::string record = R"({"prompt":"<character_1><n>x</n></character_1>","negative_prompt":"","seed":42,"steps":28})";
    const QString ours = dir.filePath(QStringLiteral("ours.png"));
    newbie::writePngWithRecord(ours.toStdString(), rgb, record);
    QString err;
    const QJsonObject o = QJsonDocument::fromJson(HistoryGallery::readPngMetadata(ours, &err).toUtf8()).object();
    QCOMPARE(o.value(QStringLiteral("seed")).toInt(), 42);
    QCOMPARE(o.value(QStringLiteral("prompt")).toString(), QStringLiteral("<character_1><n>x</n></character_1>"));

    newbie::PngWriteOptions opt;
    newbie::A1111Params p;
    p.prompt = "1girl, smile";
    p.negativePrompt = "lowres";
    p.steps = 20;
    p.sampler = "Euler a";
    p.cfgScale = 7;
    p.seed = 1234;
    p.width = 512;
    p.height = 768;
    opt.parameters = p;
    const QString a1111 = dir.filePath(QStringLiteral("a1111.png"));
    newbie::writePng(a1111.toStdString(), rgb, opt);
    HistoryDatabase db(dir.path());
    HistoryGallery gallery(&db, dir.path());
    QSignalSpy spy(&gallery, &HistoryGallery::reuseRequested);
    QVERIFY(gallery.importPng(a1111, &err));
    QCOMPARE(spy.count(), 1);
    const QJsonObject a = QJsonDocument::fromJson(spy.front().at(0).toString().toUtf8()).object();
    QCOMPARE(a.value(QStringLiteral("prompt")).toString(), QStringLiteral("1girl, smile"));
    QCOMPARE(a.value(QStringLiteral("negative_prompt")).toString(), QStringLiteral("lowres"));
    QCOMPARE(a.value(QStringLiteral("seed")).toInteger(), 1234);
    QCOMPARE(a.value(QStringLiteral("height")).toInt(), 768);
    QCOMPARE(spy.front().at(1).value<ReuseMode>(), ReuseMode::All);

    const QString plain = writeImage(dir.path(), QStringLiteral("plain.png"));
    QVERIFY(!gallery.importPng(plain, &err));
    QVERIFY(!err.isEmpty());
    QFile junk(dir.filePath(QStringLiteral("junk.png")));
    QVERIFY(junk.open(QIODevice::WriteOnly));
    junk.write("not a png");
    junk.close();
    QVERIFY(!gallery.importPng(junk.fileName(), &err));
    QCOMPARE(spy.count(), 1);
  }

  void galleryReuseAndDeleteUndo() {
    QTemporaryDir dir;
    HistoryDatabase db(dir.path());
    JobRecord j;
    j.prompt = kXml;
    const qint64 job = db.beginJob(j);
    const QString p = writeImage(dir.path(), QStringLiteral("g.png"));
    const qint64 id = db.recordImage(job, p, QStringLiteral("{\"seed\":5,\"steps\":12}"), {}, 64, 48, 5);
    HistoryGallery gallery(&db, dir.path());
    QCOMPARE(gallery.model()->rowCount(), 1);
    gallery.view()->setCurrentIndex(gallery.model()->index(0));
    QCOMPARE(gallery.selectedIds(), QList<qint64>{id});
    gallery.deleteSelected(false);
    QCOMPARE(gallery.model()->rowCount(), 0);
    QVERIFY(!QFile::exists(p));
    gallery.undoLastDelete();
    QCOMPARE(gallery.model()->rowCount(), 1);
    QVERIFY(QFile::exists(p));
    gallery.searchEdit()->setText(QStringLiteral("character_1.clothing:maid"));
    QTRY_COMPARE(gallery.model()->rowCount(), 0);
    gallery.searchEdit()->setText(QStringLiteral("clothing:serafuku"));
    QTRY_COMPARE(gallery.model()->rowCount(), 1);
  }

  void compareDiff() {
    const auto rows = CompareView::diff(kXml, QStringLiteral("{\"seed\":1,\"steps\":28}"),
                                        QString(kXml).replace(QStringLiteral("serafuku"), QStringLiteral("maid")),
                                        QStringLiteral("{\"seed\":2,\"steps\":28}"));
    QStringList differing;
    for (const auto& r : rows)
      if (r.differs()) differing << r.field;
    QCOMPARE(differing, (QStringList{QStringLiteral("character_1.clothing"), QStringLiteral("seed")}));
    CompareView v;
    ImageRecord a, b;
    a.prompt = kXml;
    b.prompt = kXml;
    v.setImages(a, b);
    QVERIFY(v.table()->rowCount() > 0);
  }
};

int main(int argc, char** argv) {
  if (argc >= 3 && QByteArray(argv[1]) == "--child-insert") {
    QCoreApplication app(argc, argv);
    return childInsertLoop(QString::fromLocal8Bit(argv[2]));
  }
  QApplication app(argc, argv);
  TestHistoryDb t;
  return QTest::qExec(&t, argc, argv);
}
#include "test_history_db.moc"
