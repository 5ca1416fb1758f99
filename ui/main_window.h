#pragma once
// The main window: prompt editor (left), preview (centre), settings (right), history (bottom),
// GPU monitor / queue / log docks. The layout and geometry persist in QSettings.
// Keyboard: Ctrl+Enter generate, Ctrl+Shift+Enter queue first, Esc stop now, Ctrl+F search
// history. GUI thread only.

#include <QMainWindow>
#include <QPointer>

#include <QHash>

#include <memory>

#include "job_queue_controller.h"

class QAction;
class QDockWidget;
class QLabel;
class QListView;
class QMenu;
class QProgressBar;
class QTimer;
class QToolButton;

namespace newbie {
namespace ui {
class PromptEditor;
class HistoryDatabase;
class HistoryGallery;
}
class GpuMonitor;
class LogView;
class PreviewView;
class SettingsPanel;
class TelemetrySource;

/// Installs the translator for `code` ("" = system locale, "en", "zh_CN"). Returns true if a
/// translation was loaded (English needs none). GUI thread.
bool installTranslation(const QString& code);

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  struct Options {
    QStringList modelPaths;  ///< empty: no model until File ▸ Open model…
    std::unique_ptr<PipelineBackend> backend;  ///< null: the real pipeline
    std::unique_ptr<TelemetrySource> telemetry;  ///< null: NVML + /proc
    QString dataDir;   ///< empty: paths::dataDir()
  };
  explicit MainWindow(Options options, QWidget* parent = nullptr);
  ~MainWindow() override;

  JobController* controller() const { return controller_; }
  ui::PromptEditor* editor() const { return editor_; }
  SettingsPanel* settings() const { return settings_; }
  PreviewView* preview() const { return preview_; }
  GpuMonitor* monitor() const { return monitor_; }
  QWidget* historyWidget() const { return history_; }
  ui::HistoryGallery* gallery() const { return gallery_; }
  ui::HistoryDatabase* historyDb() const { return db_.get(); }
  /// Paths of the images finished in this session (newest last).
  QStringList finishedImages() const { return finished_; }
  int previewsShown() const { return previewsShown_; }

  /// Queues `batch count` images from the editor + settings. Returns the first id (0 if refused).
  quint64 generate(bool front = false);
  void openModel(const QStringList& paths);
  /// Loads the parameters of a PNG (ours: JSON "parameters" chunk; A1111 text too).
  bool importPng(const QString& path);
  /// Applies a metadata record: "all", "prompt" or "seed".
  void reuse(const QString& metadataJson, const QString& mode);

 protected:
  void closeEvent(QCloseEvent* e) override;
  void changeEvent(QEvent* e) override;
  void dragEnterEvent(QDragEnterEvent* e) override;
  void dropEvent(QDropEvent* e) override;

 private:
  void buildActions();
  void buildMenus();
  void buildDocks();
  QWidget* buildQueuePanel();
  void retranslateUi();
  void connectController();
  void updateStatus();
  void onPromptEdited();
  void onSupersedeTimer();
  GenerationParams paramsFromUi() const;
  void reloadModel();
  void restoreLayout();
  void saveLayout();
  quint64 selectedJob() const;

  JobController* controller_ = nullptr;
  ui::PromptEditor* editor_ = nullptr;
  SettingsPanel* settings_ = nullptr;
  PreviewView* preview_ = nullptr;
  GpuMonitor* monitor_ = nullptr;
  LogView* log_ = nullptr;
  QWidget* history_ = nullptr;
  std::unique_ptr<ui::HistoryDatabase> db_;
  ui::HistoryGallery* gallery_ = nullptr;
  QHash<quint64, qint64> dbJobs_;  // queue job id -> history job row
  QListView* queueView_ = nullptr;
  QDockWidget *promptDock_ = nullptr, *settingsDock_ = nullptr, *historyDock_ = nullptr, *monitorDock_ = nullptr,
              *queueDock_ = nullptr, *logDock_ = nullptr;
  QMenu *fileMenu_ = nullptr, *viewMenu_ = nullptr, *jobMenu_ = nullptr, *helpMenu_ = nullptr;
  QAction *actGenerate_ = nullptr, *actGenerateFront_ = nullptr, *actStop_ = nullptr, *actFinish_ = nullptr,
          *actCancelQueued_ = nullptr, *actPause_ = nullptr, *actSupersede_ = nullptr, *actSearch_ = nullptr,
          *actOpenModel_ = nullptr, *actOpenComfy_ = nullptr, *actImport_ = nullptr, *actQuit_ = nullptr,
          *actAbout_ = nullptr, *actUp_ = nullptr, *actDown_ = nullptr, *actRemove_ = nullptr,
          *actClearFinished_ = nullptr, *actCancelLoad_ = nullptr;
  QLabel *stModel_ = nullptr, *stDevice_ = nullptr, *stPrecision_ = nullptr, *stQueue_ = nullptr,
         *stStep_ = nullptr;
  QProgressBar* loadBar_ = nullptr;
  QTimer* supersedeTimer_ = nullptr;
  QString dataDir_;
  QStringList finished_;
  int previewsShown_ = 0;
  double lastStepMs_ = -1;
  Phase lastPhase_ = Phase::Done;
};

}  // namespace newbie
