#pragma once
// Settings panel: everything of GenerationParams except the prompt texts, plus the load
// options (precision, text-encoder placement, device), batch count, seed mode and the VRAM
// estimate. Persisted in QSettings (group "generation"). GUI thread only.
//
// params() returns the settings as GenerationParams (prompt fields left empty; the main window
// fills them from the editor). nextSeed() applies the seed mode (random / fixed / increment)
// and must be called once per queued image. Changing precision / placement / device emits
// loadOptionsChanged() (the main window reloads the pipeline on the worker thread).

#include <QWidget>

#include <cstdint>
#include <optional>

#include "pipeline.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QGroupBox;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace newbie {

/// What the estimate is made of, in bytes.
struct VramEstimate {
  double weights = 0;      ///< DiT + encoders on the device + VAE
  double activations = 0;  ///< attention / MLP working set at this size
  double total() const { return weights + activations; }
};

/// Rough VRAM a job needs on a GPU: DiT 3.49e9 params × bytes, Gemma 3 4B + Jina CLIP
/// (unless placed on CPU / freed), VAE (fp32 unless half), activations ~ image tokens.
VramEstimate estimateVram(int width, int height, Precision precision, EncoderPlacement placement);

class SettingsPanel : public QWidget {
  Q_OBJECT
 public:
  enum class SeedMode { Random, Fixed, Increment };
  explicit SettingsPanel(QWidget* parent = nullptr);
  ~SettingsPanel() override;

  /// Current settings (seed = the seed box; prompt texts empty).
  GenerationParams params() const;
  /// Sets every field present in a metadata / params JSON record (missing keys untouched);
  /// a seed in the record switches the seed mode to Fixed. Returns false for invalid JSON.
  bool applyMetadata(const QString& json);
  /// Only the seed of a record (reuse "seed only").
  bool applySeed(const QString& json);
  void setParams(const GenerationParams& p);

  /// The seed for the next queued image; advances according to the seed mode.
  uint64_t nextSeed();
  SeedMode seedMode() const;
  void setSeedMode(SeedMode m);
  int batchCount() const;

  LoadOptions loadOptions() const;
  /// Which devices exist ("cpu", "cuda", "cuda:1"...) and whether half precision works.
  void setDevices(const QStringList& devices);
  /// Free VRAM in bytes (from the GPU monitor); < 0 unknown. Updates the estimate warning.
  void setFreeVram(double bytes);
  VramEstimate currentEstimate() const;
  bool estimateExceedsFree() const;

  /// Language code ("" = system, "en", "zh_CN").
  QString language() const;

  void loadSettings();
  void saveSettings() const;

  static QStringList samplerNames();
  static QStringList scheduleNames();
  struct SizePreset { int width, height; };
  static QList<SizePreset> sizePresets();

 Q_SIGNALS:
  void loadOptionsChanged();
  void languageChanged(const QString& code);
  void settingsChanged();

 protected:
  /// QEvent::LanguageChange re-sets every visible text; selections, item data and values stay.
  void changeEvent(QEvent* e) override;

 private:
  void retranslateUi();
  void refreshPrecisionTips();  ///< enables/disables the precision items and sets their tooltips
  void updatePrecisionAvailability();
  void updateEstimate();
  void onSizePreset(int index);
  void validateSize();

  QGroupBox* modelBox_ = nullptr;
  QGroupBox* sampBox_ = nullptr;
  QGroupBox* imgBox_ = nullptr;
  QGroupBox* appBox_ = nullptr;
  QHBoxLayout* seedRow_ = nullptr;
  QHBoxLayout* sizeRow_ = nullptr;
  QComboBox* precision_;
  QComboBox* device_;
  QComboBox* placement_;
  QSpinBox* steps_;
  QComboBox* sampler_;
  QComboBox* schedule_;
  QDoubleSpinBox* shift_;
  QDoubleSpinBox* cfg_;
  QDoubleSpinBox* cfgTrunc_;
  QDoubleSpinBox* renorm_;
  QComboBox* seedMode_;
  QLineEdit* seed_;
  QComboBox* sizePreset_;
  QSpinBox* width_;
  QSpinBox* height_;
  QLabel* sizeWarning_;
  QSpinBox* batch_;
  QSpinBox* previewEvery_;
  QComboBox* language_;
  QLabel* estimate_;
  double freeVram_ = -1;
  bool loading_ = false;
};

}  // namespace newbie
