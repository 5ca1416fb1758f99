// newbie-studio: the desktop app. Options:
//   --model PATH   model folder or ComfyUI files (repeatable); default: the demo model in the
//                  data dir when present, else "no model loaded".
//   --lang CODE    en | zh_CN (default: the setting, else the system locale)
//   --e2e DIR      scripted end-to-end run (tests/e2e): generate once, save screenshots to DIR,
//                  exit 0 on success.
//   --screenshot F save a screenshot of the main window to F after start-up, then quit.
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QSettings>
#include <QTimer>

#include <spdlog/spdlog.h>

#include <cstdio>

#include "app_paths.h"
#include "gpu_monitor.h"
#include "logging_ui.h"
#include "main_window.h"
#include "preview_view.h"
#include "prompt_editor.h"
#include "settings_panel.h"

namespace {

/// Mean of the per-channel pixel variance: a blank screenshot is ~0.
double pixelVariance(const QImage& img) {
  const QImage im = img.convertToFormat(QImage::Format_RGB888);
  double sum = 0, sum2 = 0;
  qint64 n = 0;
  for (int y = 0; y < im.height(); y += 2) {
    const uchar* row = im.constScanLine(y);
    for (int x = 0; x < im.width() * 3; x += 3) {
      const double v = (row[x] + row[x + 1] + row[x + 2]) / 3.0;
      sum += v;
      sum2 += v * v;
      ++n;
    }
  }
  if (!n) return 0;
  const double mean = sum / n;
  return sum2 / n - mean * mean;
}

/// Drives the real window: waits for the model, types a prompt, generates, waits for the
/// previews and the saved image, takes English and zh_CN screenshots. Exits the app.
class E2EDriver : public QObject {
 public:
  E2EDriver(newbie::MainWindow* w, QString outDir) : QObject(w), w_(w), out_(std::move(outDir)) {
    QDir().mkpath(out_);
    clock_.start();
    auto* t = new QTimer(this);
    connect(t, &QTimer::timeout, this, [this] { tick(); });
    t->start(200);
    connect(w_->controller(), &newbie::JobController::jobFailed, this,
            [this](quint64, const newbie::JobFailure& f) { fail(QStringLiteral("job failed: ") + newbie::failureText(f)); });
    connect(w_->controller(), &newbie::JobController::modelLoadFailed, this,
            [this](const newbie::JobFailure& f) { fail(QStringLiteral("model load failed: ") + f.message); });
  }

 private:
  void log(const QString& s) { std::fprintf(stderr, "[e2e %6.1fs] %s\n", clock_.elapsed() / 1000.0, qPrintable(s)); }
  void fail(const QString& why) {
    log(QStringLiteral("FAIL: ") + why);
    shot(QStringLiteral("failure.png"));
    QCoreApplication::exit(1);
  }
  bool shot(const QString& name) {
    const QImage img = w_->grab().toImage();
    const QString path = QDir(out_).filePath(name);
    img.save(path);
    const double var = pixelVariance(img);
    log(QStringLiteral("screenshot %1 %2x%3 variance %4").arg(path).arg(img.width()).arg(img.height()).arg(var));
    return !img.isNull() && var > 20.0;
  }
  void tick() {
    if (clock_.elapsed() > 540000) return fail(QStringLiteral("timeout in stage %1").arg(stage_));
    auto* c = w_->controller();
    switch (stage_) {
      case 0:  // model loaded?
        if (c->isLoading() || !c->modelInfo().loaded) return;
        log(QStringLiteral("model loaded: %1 (demo=%2)").arg(c->modelInfo().identity).arg(c->modelInfo().isDemo));
        {
          newbie::GenerationParams p = w_->settings()->params();
          p.width = 256;
          p.height = 256;
          p.steps = 6;
          p.previewEvery = 1;
          p.seed = 42;
          w_->settings()->setParams(p);
          w_->settings()->setSeedMode(newbie::SettingsPanel::SeedMode::Fixed);
        }
        w_->editor()->setPrompt(QStringLiteral(
            "<character_1>\n<n>test girl</n>\n<gender>1girl</gender>\n<appearance>blue hair, long hair</appearance>\n"
            "</character_1>\n<general_tags>\n<style>anime style</style>\n</general_tags>"));
        if (w_->generate(false) == 0) return fail(QStringLiteral("generate() queued nothing"));
        log(QStringLiteral("job queued"));
        stage_ = 1;
        return;
      case 1:  // final image saved?
        if (w_->finishedImages().isEmpty()) return;
        log(QStringLiteral("image saved: %1, previews shown: %2").arg(w_->finishedImages().front()).arg(w_->previewsShown()));
        if (w_->previewsShown() < 1) return fail(QStringLiteral("no live preview arrived"));
        if (!QFileInfo::exists(w_->finishedImages().front())) return fail(QStringLiteral("PNG missing on disk"));
        if (!w_->preview()->isFinal()) return fail(QStringLiteral("final image not shown"));
        stage_ = 2;
        return;
      case 2:
        if (!shot(QStringLiteral("main_en.png"))) return fail(QStringLiteral("English screenshot is blank"));
        newbie::installTranslation(QStringLiteral("zh_CN"));
        stage_ = 3;
        return;
      case 3:
        if (!shot(QStringLiteral("main_zh_CN.png"))) return fail(QStringLiteral("zh_CN screenshot is blank"));
        if (w_->windowTitle() == QStringLiteral("NewBie Studio"))
          log(QStringLiteral("warning: the window title is not translated"));
        log(QStringLiteral("PASS"));
        stage_ = 4;
        QCoreApplication::exit(0);
        return;
      default:
        return;
    }
  }
  newbie::MainWindow* w_;
  QString out_;
  QElapsedTimer clock_;
  int stage_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  Q_INIT_RESOURCE(resources);  // resources live in the static newbie_ui library
  QApplication::setOrganizationName(QStringLiteral("NewBie"));
  QApplication::setOrganizationDomain(QStringLiteral("newbie.studio"));
  QApplication::setApplicationName(QStringLiteral("NewBie Studio"));
  QApplication::setApplicationVersion(QStringLiteral(NEWBIE_VERSION));
  QApplication::setDesktopFileName(QStringLiteral("io.github.newbie_studio.NewbieStudio"));

  QCommandLineParser parser;
  parser.setApplicationDescription(QApplication::translate("main", "NewBie Studio — anime image generation"));
  parser.addHelpOption();
  parser.addVersionOption();
  QCommandLineOption modelOpt(QStringList{QStringLiteral("m"), QStringLiteral("model")},
                              QApplication::translate("main", "Model folder or ComfyUI file (repeatable)."),
                              QStringLiteral("path"));
  QCommandLineOption langOpt(QStringLiteral("lang"), QApplication::translate("main", "Language: en or zh_CN."),
                             QStringLiteral("code"));
  QCommandLineOption e2eOpt(QStringLiteral("e2e"),
                            QApplication::translate("main", "Scripted end-to-end run; screenshots go to DIR."),
                            QStringLiteral("dir"));
  QCommandLineOption shotOpt(QStringLiteral("screenshot"),
                             QApplication::translate("main", "Save a screenshot of the window to FILE and quit."),
                             QStringLiteral("file"));
  QCommandLineOption verboseOpt(QStringLiteral("verbose"), QApplication::translate("main", "Debug logging."));
  parser.addOptions({modelOpt, langOpt, e2eOpt, shotOpt, verboseOpt});
  parser.process(app);

  newbie::installLogging(newbie::paths::logsDir(), parser.isSet(verboseOpt));
  spdlog::info("NewBie Studio {} starting; data in {}", NEWBIE_VERSION, newbie::paths::dataDir().toStdString());

  const QString lang = parser.isSet(langOpt) ? parser.value(langOpt)
                                             : QSettings().value(QStringLiteral("generation/language")).toString();
  newbie::installTranslation(lang);

  newbie::MainWindow::Options opts;
  opts.modelPaths = parser.values(modelOpt);
  if (opts.modelPaths.isEmpty()) {
    const QStringList last = QSettings().value(QStringLiteral("model/paths")).toStringList();
    bool lastOk = !last.isEmpty();
    for (const QString& p : last) lastOk = lastOk && QFileInfo::exists(p);
    if (lastOk && !parser.isSet(e2eOpt)) opts.modelPaths = last;
    else if (newbie::paths::looksLikeModel(newbie::paths::demoModelDir()))
      opts.modelPaths = {newbie::paths::demoModelDir()};
  }
  for (QString& p : opts.modelPaths) p = QFileInfo(p).absoluteFilePath();

  newbie::MainWindow window(std::move(opts));
  window.show();
  if (parser.isSet(e2eOpt)) new E2EDriver(&window, parser.value(e2eOpt));
  if (parser.isSet(shotOpt)) {
    const QString file = parser.value(shotOpt);
    QTimer::singleShot(2500, &window, [&window, file] {
      const QImage img = window.grab().toImage();
      const bool ok = img.save(file);
      std::fprintf(stderr, "screenshot %s: %s (variance %.1f)\n", qPrintable(file), ok ? "saved" : "FAILED",
                   pixelVariance(img));
      QCoreApplication::exit(ok ? 0 : 1);
    });
  }
  return app.exec();
}
