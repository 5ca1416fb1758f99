#include "main_window.h"

#include <QAction>
#include <QDir>
#include <algorithm>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QScrollArea>
#include <QSettings>
#include <QStatusBar>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QTranslator>
#include <QVBoxLayout>

#include <spdlog/spdlog.h>

#include "app_paths.h"
#include "gpu_monitor.h"
#include "history_db.h"
#include "history_gallery.h"
#include "logging_ui.h"
#include "preview_view.h"
#include "prompt_editor.h"
#include "settings_panel.h"

namespace newbie {

namespace {
const QString kDraft = QStringLiteral("editor");

QString phaseText(Phase p) {
  switch (p) {
    case Phase::Load: return MainWindow::tr("loading");
    case Phase::Encode: return MainWindow::tr("encoding prompt");
    case Phase::Denoise: return MainWindow::tr("denoising");
    case Phase::Decode: return MainWindow::tr("decoding");
    case Phase::Done: return MainWindow::tr("done");
  }
  return {};
}

}  // namespace

bool installTranslation(const QString& code) {
  static QTranslator* translator = nullptr;
  if (translator) {
    QCoreApplication::removeTranslator(translator);
    delete translator;
    translator = nullptr;
  }
  const QLocale locale = code.isEmpty() ? QLocale::system() : QLocale(code);
  if (locale.language() == QLocale::English) return false;
  auto* t = new QTranslator(qApp);
  if (!t->load(locale, QStringLiteral("newbie"), QStringLiteral("_"), QStringLiteral(":/i18n"))) {
    delete t;
    spdlog::warn("no translation for {}", locale.name().toStdString());
    return false;
  }
  QCoreApplication::installTranslator(t);
  translator = t;
  return true;
}

MainWindow::MainWindow(Options options, QWidget* parent) : QMainWindow(parent) {
  setObjectName(QStringLiteral("MainWindow"));
  dataDir_ = options.dataDir.isEmpty() ? paths::dataDir() : options.dataDir;
  setAcceptDrops(true);
  setDockOptions(AnimatedDocks | AllowTabbedDocks | AllowNestedDocks);
  QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/newbie-studio.svg")));

  controller_ = new JobController(options.backend ? std::move(options.backend) : makePipelineBackend(), this);
  controller_->setOutputDir(QDir(dataDir_).filePath(QStringLiteral("images")));
  QString err;
  if (!controller_->openStore(QDir(dataDir_).filePath(QStringLiteral("history.sqlite")), &err))
    spdlog::error("queue not persisted: {}", err.toStdString());

  preview_ = new PreviewView(this);
  setCentralWidget(preview_);
  editor_ = new ui::PromptEditor(this);
  editor_->setDataDir(dataDir_);
  editor_->setTokenCounter([w = QPointer<Worker>(controller_->worker())](const QString& p, const QString& preset) {
    return w ? w->countTokens(p, preset) : -1;
  });
  settings_ = new SettingsPanel(this);
  monitor_ = new GpuMonitor(std::move(options.telemetry), this);
  log_ = new LogView(this);
  db_ = std::make_unique<ui::HistoryDatabase>(dataDir_);
  if (!db_->isOpen()) spdlog::error("history database: {}", db_->lastError().toStdString());
  gallery_ = new ui::HistoryGallery(db_.get(), dataDir_, this);
  history_ = gallery_;
  editor_->setLearnedTagsProvider([db = db_.get()](const QString& field) { return db->learnedTags(field); });
  connect(gallery_, &ui::HistoryGallery::reuseRequested, this, [this](const QString& json, ui::ReuseMode mode) {
    reuse(json, mode == ui::ReuseMode::SeedOnly     ? QStringLiteral("seed")
                : mode == ui::ReuseMode::PromptOnly ? QStringLiteral("prompt")
                                                    : QStringLiteral("all"));
  });

  {
    // Which CUDA devices exist (NVML, a few ms); a CPU-only LibTorch reports a readable load error.
    QStringList devices{QStringLiteral("cpu")};
    NvmlSource nvml;
    TelemetrySample probe;
    if (nvml.available()) nvml.sample(probe);
    for (const GpuSample& g : probe.gpus)
      devices << (g.index == 0 ? QStringLiteral("cuda") : QStringLiteral("cuda:%1").arg(g.index));
    settings_->setDevices(devices);
  }

  buildActions();
  buildMenus();
  buildDocks();
  connectController();

  supersedeTimer_ = new QTimer(this);
  supersedeTimer_->setSingleShot(true);
  supersedeTimer_->setInterval(700);
  connect(supersedeTimer_, &QTimer::timeout, this, &MainWindow::onSupersedeTimer);
  connect(editor_, &ui::PromptEditor::promptEdited, this, &MainWindow::onPromptEdited);
  connect(editor_, &ui::PromptEditor::generateRequested, this, [this] { generate(false); });
  connect(settings_, &SettingsPanel::loadOptionsChanged, this, &MainWindow::reloadModel);
  connect(settings_, &SettingsPanel::languageChanged, this, [this](const QString& code) {
    installTranslation(code);
    statusBar()->showMessage(tr("Language changed."), 8000);
  });
  connect(monitor_, &GpuMonitor::freeVramChanged, settings_, &SettingsPanel::setFreeVram);
  // Status bar.
  stModel_ = new QLabel(this);
  stDevice_ = new QLabel(this);
  stPrecision_ = new QLabel(this);
  stQueue_ = new QLabel(this);
  stStep_ = new QLabel(this);
  loadBar_ = new QProgressBar(this);
  loadBar_->setRange(0, 1000);
  loadBar_->setMaximumWidth(220);
  loadBar_->hide();
  statusBar()->addPermanentWidget(loadBar_);
  for (QLabel* l : {stModel_, stDevice_, stPrecision_, stQueue_, stStep_}) {
    l->setContentsMargins(8, 0, 8, 0);
    statusBar()->addPermanentWidget(l);
  }

  retranslateUi();
  restoreLayout();
  updateStatus();

  if (!options.modelPaths.isEmpty()) openModel(options.modelPaths);
  else preview_->showMessage(tr("No model loaded — File ▸ Open model…"));
}

MainWindow::~MainWindow() {
  // The tag vocabulary is process-wide and its provider points into db_: drop it before db_ goes,
  // so a later window (tests) never calls into a destroyed database.
  if (editor_) editor_->setLearnedTagsProvider({});
}

void MainWindow::buildActions() {
  auto make = [this](QKeySequence key = {}) {
    auto* a = new QAction(this);
    if (!key.isEmpty()) a->setShortcut(key);
    addAction(a);  // shortcuts work while any dock has focus
    return a;
  };
  actGenerate_ = make();
  actGenerate_->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)});
  actGenerateFront_ = make();
  actGenerateFront_->setShortcuts(
      {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Enter)});
  actStop_ = make(QKeySequence(Qt::Key_Escape));
  actFinish_ = make();
  actCancelQueued_ = make();
  actPause_ = make();
  actPause_->setCheckable(true);
  actSupersede_ = make();
  actSupersede_->setCheckable(true);
  actSupersede_->setChecked(QSettings().value(QStringLiteral("queue/supersede"), false).toBool());
  controller_->setSupersede(actSupersede_->isChecked());
  actSearch_ = make(QKeySequence(Qt::CTRL | Qt::Key_F));
  actOpenModel_ = make(QKeySequence(Qt::CTRL | Qt::Key_O));
  actOpenComfy_ = make(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
  actImport_ = make(QKeySequence(Qt::CTRL | Qt::Key_I));
  actQuit_ = make(QKeySequence::Quit);
  actAbout_ = make();
  actUp_ = make();
  actDown_ = make();
  actRemove_ = make();
  actClearFinished_ = make();
  actCancelLoad_ = make();

  connect(actGenerate_, &QAction::triggered, this, [this] { generate(false); });
  connect(actGenerateFront_, &QAction::triggered, this, [this] { generate(true); });
  connect(actStop_, &QAction::triggered, this, [this] {
    if (controller_->isLoading()) controller_->cancelLoad();
    controller_->stopNow();
  });
  connect(actFinish_, &QAction::triggered, controller_, &JobController::finishCurrent);
  connect(actCancelQueued_, &QAction::triggered, controller_, &JobController::cancelQueued);
  connect(actPause_, &QAction::toggled, controller_, &JobController::setPaused);
  connect(controller_, &JobController::pausedChanged, actPause_, &QAction::setChecked);
  connect(actSupersede_, &QAction::toggled, this, [this](bool on) {
    controller_->setSupersede(on);
    QSettings().setValue(QStringLiteral("queue/supersede"), on);
  });
  connect(actSearch_, &QAction::triggered, this, [this] {
    historyDock_->show();
    historyDock_->raise();
    gallery_->searchEdit()->setFocus();
    gallery_->searchEdit()->selectAll();
  });
  connect(actOpenModel_, &QAction::triggered, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open model folder"));
    if (!dir.isEmpty()) openModel({dir});
  });
  connect(actOpenComfy_, &QAction::triggered, this, [this] {
    const QStringList files = QFileDialog::getOpenFileNames(this, tr("Open ComfyUI files"), {},
                                                            tr("Safetensors (*.safetensors);;All files (*)"));
    if (!files.isEmpty()) openModel(files);
  });
  connect(actImport_, &QAction::triggered, this, [this] {
    const QString f = QFileDialog::getOpenFileName(this, tr("Import PNG parameters"), {}, tr("PNG images (*.png)"));
    if (!f.isEmpty()) importPng(f);
  });
  connect(actQuit_, &QAction::triggered, this, &QWidget::close);
  connect(actAbout_, &QAction::triggered, this, [this] {
    QMessageBox::about(this, tr("About NewBie Studio"),
                       tr("<b>NewBie Studio</b> %1<br>A native C++ / LibTorch app for the NewBie-image-Exp0.1 "
                          "anime image model.")
                           .arg(QStringLiteral(NEWBIE_VERSION)));
  });
  connect(actUp_, &QAction::triggered, this, [this] { controller_->model()->move(selectedJob(), -1); });
  connect(actDown_, &QAction::triggered, this, [this] { controller_->model()->move(selectedJob(), +1); });
  connect(actRemove_, &QAction::triggered, this, [this] { controller_->removeJob(selectedJob()); });
  connect(actClearFinished_, &QAction::triggered, controller_->model(), &JobQueueModel::clearFinished);
  connect(actCancelLoad_, &QAction::triggered, controller_, &JobController::cancelLoad);
}

void MainWindow::buildMenus() {
  fileMenu_ = menuBar()->addMenu(QString());
  fileMenu_->addAction(actOpenModel_);
  fileMenu_->addAction(actOpenComfy_);
  fileMenu_->addAction(actImport_);
  fileMenu_->addSeparator();
  fileMenu_->addAction(actQuit_);
  jobMenu_ = menuBar()->addMenu(QString());
  for (QAction* a : {actGenerate_, actGenerateFront_, actStop_, actFinish_, actCancelQueued_, actPause_,
                     actSupersede_, actCancelLoad_})
    jobMenu_->addAction(a);
  viewMenu_ = menuBar()->addMenu(QString());
  helpMenu_ = menuBar()->addMenu(QString());
  helpMenu_->addAction(actAbout_);

  auto* tb = addToolBar(QString());
  tb->setObjectName(QStringLiteral("mainToolbar"));
  tb->addAction(actGenerate_);
  tb->addAction(actGenerateFront_);
  tb->addAction(actStop_);
  tb->addAction(actFinish_);
  tb->addAction(actPause_);
  tb->addAction(actSupersede_);
}

QWidget* MainWindow::buildQueuePanel() {
  auto* w = new QWidget(this);
  auto* lay = new QVBoxLayout(w);
  lay->setContentsMargins(2, 2, 2, 2);
  queueView_ = new QListView(w);
  queueView_->setObjectName(QStringLiteral("queueView"));
  queueView_->setModel(controller_->model());
  queueView_->setDragDropMode(QAbstractItemView::DragDrop);
  queueView_->setDefaultDropAction(Qt::CopyAction);  // the model moves by id; see JobQueueModel
  queueView_->setDropIndicatorShown(true);
  queueView_->setWordWrap(true);
  lay->addWidget(queueView_, 1);
  auto* row = new QHBoxLayout;
  for (QAction* a : {actUp_, actDown_, actRemove_, actCancelQueued_, actClearFinished_, actPause_}) {
    auto* b = new QToolButton(w);
    b->setDefaultAction(a);
    row->addWidget(b);
  }
  row->addStretch(1);
  lay->addLayout(row);
  return w;
}

void MainWindow::buildDocks() {
  auto dock = [this](const QString& name, QWidget* content, Qt::DockWidgetArea area) {
    auto* d = new QDockWidget(this);
    d->setObjectName(name);
    d->setWidget(content);
    addDockWidget(area, d);
    viewMenu_->addAction(d->toggleViewAction());
    return d;
  };
  promptDock_ = dock(QStringLiteral("promptDock"), editor_, Qt::LeftDockWidgetArea);
  auto* scroll = new QScrollArea(this);
  scroll->setWidget(settings_);
  scroll->setWidgetResizable(true);
  settingsDock_ = dock(QStringLiteral("settingsDock"), scroll, Qt::RightDockWidgetArea);
  queueDock_ = dock(QStringLiteral("queueDock"), buildQueuePanel(), Qt::RightDockWidgetArea);
  monitorDock_ = dock(QStringLiteral("monitorDock"), monitor_, Qt::RightDockWidgetArea);
  historyDock_ = dock(QStringLiteral("historyDock"), history_, Qt::BottomDockWidgetArea);
  logDock_ = dock(QStringLiteral("logDock"), log_, Qt::BottomDockWidgetArea);
  tabifyDockWidget(queueDock_, monitorDock_);
  tabifyDockWidget(historyDock_, logDock_);
  historyDock_->raise();
  queueDock_->raise();
  resizeDocks({promptDock_, settingsDock_}, {420, 340}, Qt::Horizontal);
  resizeDocks({historyDock_}, {220}, Qt::Vertical);
  resizeDocks({settingsDock_, queueDock_}, {560, 240}, Qt::Vertical);
}

void MainWindow::retranslateUi() {
  setWindowTitle(tr("NewBie Studio"));
  fileMenu_->setTitle(tr("&File"));
  jobMenu_->setTitle(tr("&Generate"));
  viewMenu_->setTitle(tr("&View"));
  helpMenu_->setTitle(tr("&Help"));
  actGenerate_->setText(tr("Generate"));
  actGenerate_->setToolTip(tr("Queue the prompt (Ctrl+Enter)"));
  actGenerateFront_->setText(tr("Generate next"));
  actGenerateFront_->setToolTip(tr("Put at the front of the queue (Ctrl+Shift+Enter)"));
  actStop_->setText(tr("Stop now"));
  actStop_->setToolTip(tr("Stop the running job at its next step (Esc)"));
  actFinish_->setText(tr("Finish current image"));
  actFinish_->setToolTip(tr("Let the running image finish, then pause the queue"));
  actCancelQueued_->setText(tr("Cancel queued"));
  actPause_->setText(tr("Pause queue"));
  actSupersede_->setText(tr("Supersede"));
  actSupersede_->setToolTip(tr("Editing the prompt cancels the running job from it and queues the edited one"));
  actSearch_->setText(tr("Search history"));
  actOpenModel_->setText(tr("Open model folder…"));
  actOpenComfy_->setText(tr("Open ComfyUI files…"));
  actImport_->setText(tr("Import PNG parameters…"));
  actQuit_->setText(tr("Quit"));
  actAbout_->setText(tr("About NewBie Studio"));
  actUp_->setText(tr("Up"));
  actDown_->setText(tr("Down"));
  actRemove_->setText(tr("Remove"));
  actClearFinished_->setText(tr("Clear finished"));
  actCancelLoad_->setText(tr("Cancel model loading"));
  promptDock_->setWindowTitle(tr("Prompt"));
  settingsDock_->setWindowTitle(tr("Settings"));
  queueDock_->setWindowTitle(tr("Queue"));
  monitorDock_->setWindowTitle(tr("GPU monitor"));
  historyDock_->setWindowTitle(tr("History"));
  logDock_->setWindowTitle(tr("Log"));
  if (auto* tb = findChild<QToolBar*>(QStringLiteral("mainToolbar"))) tb->setWindowTitle(tr("Toolbar"));
  updateStatus();
}

void MainWindow::changeEvent(QEvent* e) {
  if (e->type() == QEvent::LanguageChange && fileMenu_) retranslateUi();
  QMainWindow::changeEvent(e);
}

void MainWindow::connectController() {
  connect(controller_->model(), &JobQueueModel::queueChanged, this, &MainWindow::updateStatus);
  connect(controller_, &JobController::jobAboutToStart, this, [this](quint64 id, const GenerationParams& p) {
    // The history row is committed before the GPU starts.
    ui::JobRecord rec;
    rec.prompt = QString::fromStdString(p.prompt);
    rec.negativePrompt = QString::fromStdString(p.negativePrompt);
    rec.systemPreset = QString::fromStdString(p.systemPreset);
    rec.model = controller_->modelInfo().identity;
    rec.paramsJson = QString::fromUtf8(QJsonDocument(paramsToJson(p)).toJson(QJsonDocument::Compact));
    const qint64 row = db_->beginJob(rec);
    if (row < 0) spdlog::error("history: beginJob failed: {}", db_->lastError().toStdString());
    else dbJobs_.insert(id, row);
    monitor_->addMarker(tr("job #%1").arg(id), true);
    lastPhase_ = Phase::Done;
  });
  connect(controller_, &JobController::jobProgress, this, [this](quint64 id, const JobProgress& p) {
    if (p.phase != lastPhase_) {
      lastPhase_ = p.phase;
      monitor_->addMarker(phaseText(p.phase));
      if (p.phase != Phase::Denoise) preview_->showProgress(tr("#%1 · %2").arg(id).arg(phaseText(p.phase)), -1);
    }
    if (p.step > 0) {
      lastStepMs_ = p.stepMs;
      if (!p.preview.isNull()) ++previewsShown_;
      preview_->showPreview(p.preview, p.step, p.total, p.sigma, p.etaSeconds);
      updateStatus();
    }
  });
  connect(controller_, &JobController::jobSucceeded, this,
          [this](quint64 id, const JobOutput& out, const GenerationParams& p) {
            preview_->showFinal(out.image);
            const qint64 row = dbJobs_.take(id);
            if (!out.pngPath.isEmpty() && row > 0) {
              // The image row is committed after the atomic PNG write (done on the worker).
              if (db_->recordImage(row, out.pngPath, out.metadataJson, ui::HistoryDatabase::timingsToJson(out.timings),
                                   out.image.width(), out.image.height(), p.seed) < 0)
                spdlog::error("history: recordImage failed: {}", db_->lastError().toStdString());
              gallery_->refresh();
            }
            monitor_->addMarker(tr("#%1 done").arg(id), true);
            if (!out.pngPath.isEmpty()) finished_ << out.pngPath;
            if (!out.saveError.isEmpty()) statusBar()->showMessage(out.saveError, 10000);
            else statusBar()->showMessage(tr("Job #%1 finished in %2 s").arg(id).arg(out.totalMs / 1000.0, 0, 'f', 1), 8000);
          });
  connect(controller_, &JobController::jobFailed, this, [this](quint64 id, const JobFailure& f) {
    dbJobs_.remove(id);
    if (f.kind != JobFailure::Kind::Cancelled) preview_->showMessage(tr("Job #%1 failed:\n%2").arg(id).arg(failureText(f)));
    statusBar()->showMessage(tr("Job #%1: %2").arg(id).arg(failureText(f).section(QLatin1Char('\n'), 0, 0)), 10000);
  });
  connect(controller_, &JobController::modelLoadStarted, this, [this] {
    loadBar_->setValue(0);
    loadBar_->show();
    preview_->showMessage(tr("Loading model…"));
    updateStatus();
  });
  connect(controller_, &JobController::modelLoadProgress, this,
          [this](const QString& stage, const QString& detail, double f) {
            loadBar_->setValue(static_cast<int>(f * 1000));
            loadBar_->setFormat(stage + QStringLiteral(" %p%"));
            loadBar_->setToolTip(detail);
          });
  connect(controller_, &JobController::modelLoaded, this, [this](const ModelInfo&) {
    loadBar_->hide();
    preview_->showMessage(QString());
    updateStatus();
  });
  connect(controller_, &JobController::modelLoadFailed, this, [this](const JobFailure& f) {
    loadBar_->hide();
    preview_->showMessage(tr("The model could not be loaded:\n%1\n\nFile ▸ Open model…").arg(failureText(f)));
    updateStatus();
  });
}

void MainWindow::updateStatus() {
  if (!stModel_) return;
  const ModelInfo& m = controller_->modelInfo();
  if (controller_->isLoading()) stModel_->setText(tr("Model: loading…"));
  else if (!m.loaded) stModel_->setText(tr("No model loaded"));
  else if (m.isDemo) stModel_->setText(tr("Model: demo model — random weights"));
  else stModel_->setText(tr("Model: %1").arg(m.identity));
  stDevice_->setText(tr("Device: %1").arg(m.loaded ? m.device : QString::fromStdString(settings_->loadOptions().device)));
  stPrecision_->setText(m.loaded ? m.precision : QString::fromLatin1(precisionName(settings_->loadOptions().precision)));
  stQueue_->setText(tr("Queue: %1").arg(controller_->model()->queuedCount()));
  stStep_->setText(lastStepMs_ >= 0 ? tr("Last step: %1 ms").arg(lastStepMs_, 0, 'f', 0) : tr("Last step: —"));
}

GenerationParams MainWindow::paramsFromUi() const {
  GenerationParams p = settings_->params();
  p.prompt = editor_->prompt().toStdString();
  p.negativePrompt = editor_->negativePrompt().toStdString();
  const QString preset = editor_->systemPreset();
  if (preset == QStringLiteral("custom")) p.systemPrompt = editor_->customSystemPrompt().toStdString();
  else p.systemPreset = preset.toStdString();
  return p;
}

quint64 MainWindow::generate(bool front) {
  GenerationParams base = paramsFromUi();
  if (base.prompt.empty()) {
    statusBar()->showMessage(tr("Write a prompt first."), 6000);
    return 0;
  }
  if (editor_->hasErrors()) {
    // Shown on the job itself so the message stays visible in the queue.
    const quint64 id = controller_->model()->enqueue(base, kDraft, front);
    controller_->model()->setState(
        id, JobState::Failed, tr("The prompt has XML errors (see the underlined spots in the editor); fix them first."));
    statusBar()->showMessage(tr("The prompt has XML errors; nothing was queued."), 8000);
    return 0;
  }
  if (settings_->estimateExceedsFree())
    spdlog::warn("the job may not fit in the free GPU memory (estimate {:.1f} GiB)",
                 settings_->currentEstimate().total() / (1024.0 * 1024 * 1024));
  QList<GenerationParams> batch;
  for (int i = 0; i < settings_->batchCount(); ++i) {
    batch << base;
    batch.back().seed = settings_->nextSeed();
  }
  const QList<quint64> ids = controller_->enqueueBatch(batch, kDraft, front);
  const quint64 first = ids.isEmpty() ? 0 : ids.front();
  updateStatus();
  return first;
}

void MainWindow::onPromptEdited() {
  if (controller_->supersedeEnabled() && controller_->runningJob()) supersedeTimer_->start();
}

void MainWindow::onSupersedeTimer() {
  const GenerationParams* running = controller_->runningParams();
  if (!running || editor_->hasErrors()) return;
  GenerationParams p = paramsFromUi();
  p.seed = running->seed;  // an edit changes the prompt, not the seed
  if (controller_->supersede(kDraft, p)) statusBar()->showMessage(tr("Prompt edited: restarted with the new text."), 4000);
}

void MainWindow::openModel(const QStringList& paths) {
  QSettings().setValue(QStringLiteral("model/paths"), paths);
  controller_->loadModel(paths, settings_->loadOptions());
}

void MainWindow::reloadModel() {
  if (!controller_->modelPaths().isEmpty()) controller_->loadModel(controller_->modelPaths(), settings_->loadOptions());
  updateStatus();
}

void MainWindow::reuse(const QString& metadataJson, const QString& mode) {
  const QJsonObject o = QJsonDocument::fromJson(metadataJson.toUtf8()).object();
  const GenerationParams p = paramsFromJson(o);
  if (mode == QStringLiteral("seed")) {
    settings_->applySeed(metadataJson);
    return;
  }
  editor_->setPrompt(QString::fromStdString(p.prompt));
  editor_->setNegativePrompt(QString::fromStdString(p.negativePrompt));
  if (p.systemPrompt) {
    editor_->setSystemPreset(QStringLiteral("custom"));
    editor_->setCustomSystemPrompt(QString::fromStdString(*p.systemPrompt));
  } else {
    editor_->setSystemPreset(QString::fromStdString(p.systemPreset));
  }
  if (mode != QStringLiteral("prompt")) settings_->applyMetadata(metadataJson);
}

bool MainWindow::importPng(const QString& path) {
  QString err;
  if (!gallery_->importPng(path, &err)) {  // emits reuseRequested on success
    statusBar()->showMessage(tr("%1: %2").arg(QFileInfo(path).fileName(), err), 8000);
    return false;
  }
  statusBar()->showMessage(tr("Parameters imported from %1").arg(QFileInfo(path).fileName()), 6000);
  return true;
}

void MainWindow::dragEnterEvent(QDragEnterEvent* e) {
  if (e->mimeData()->hasUrls()) {
    for (const QUrl& u : e->mimeData()->urls())
      if (u.isLocalFile() && u.toLocalFile().endsWith(QStringLiteral(".png"), Qt::CaseInsensitive)) {
        e->acceptProposedAction();
        return;
      }
  }
}

void MainWindow::dropEvent(QDropEvent* e) {
  for (const QUrl& u : e->mimeData()->urls())
    if (u.isLocalFile() && importPng(u.toLocalFile())) {
      e->acceptProposedAction();
      return;
    }
}

quint64 MainWindow::selectedJob() const {
  const QModelIndex i = queueView_->currentIndex();
  return i.isValid() ? i.data(JobQueueModel::IdRole).toULongLong() : 0;
}

void MainWindow::restoreLayout() {
  QSettings s;
  if (!restoreGeometry(s.value(QStringLiteral("window/geometry")).toByteArray())) resize(1500, 950);
  restoreState(s.value(QStringLiteral("window/state")).toByteArray());
}

void MainWindow::saveLayout() {
  QSettings s;
  s.setValue(QStringLiteral("window/geometry"), saveGeometry());
  s.setValue(QStringLiteral("window/state"), saveState());
}

void MainWindow::closeEvent(QCloseEvent* e) {
  saveLayout();
  settings_->saveSettings();
  QMainWindow::closeEvent(e);
}

}  // namespace newbie
