#include "settings_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QRandomGenerator>
#include <QSettings>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QVBoxLayout>

#include <type_traits>

#include "job_queue.h"
#include "sampling/schedules.h"

namespace newbie {

namespace {
double bytesOf(Precision p) { return p == Precision::FP32 ? 4.0 : 2.0; }
constexpr double kDitParams = 3.49e9;
constexpr double kGemmaParams = 3.78e9;  // Gemma 3 4B text stack up to the penultimate layer (as loaded)
constexpr double kClipParams = 0.57e9;   // Jina CLIP v2 text tower
constexpr double kVaeParams = 8.4e7;    // FLUX VAE
constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

void setItemEnabled(QComboBox* box, int row, bool enabled, const QString& tip) {
  auto* m = qobject_cast<QStandardItemModel*>(box->model());
  if (!m) return;
  QStandardItem* it = m->item(row);
  if (!it) return;
  it->setEnabled(enabled);
  it->setToolTip(tip);
}

/// Adds `field` (a widget or a nested layout) with an empty label that retranslateUi() fills
/// (QFormLayout::addRow(QString, ...) makes no label at all for an empty text).
template <class Field>
void addLabelledRow(QFormLayout* form, Field* field) {
  auto* label = new QLabel(form->parentWidget());
  if constexpr (std::is_base_of_v<QWidget, Field>) label->setBuddy(field);
  form->addRow(label, field);
}

/// Sets the text of the label of `field`'s row (a widget or a nested layout).
template <class Field>
void setRowLabel(QFormLayout* form, Field* field, const QString& text) {
  if (!form) return;
  if (auto* l = qobject_cast<QLabel*>(form->labelForField(field))) l->setText(text);
}
}  // namespace

VramEstimate estimateVram(int width, int height, Precision precision, EncoderPlacement placement) {
  VramEstimate e;
  const double b = bytesOf(precision);
  // fp8: the block linears (~89% of the DiT's parameters) take 1 byte, the rest stays bf16.
  e.weights = kDitParams * (precision == Precision::FP8 ? 1.11 : b);
  if (placement == EncoderPlacement::Device) e.weights += (kGemmaParams + kClipParams) * b;
  else if (placement == EncoderPlacement::FreeAfterUse) e.weights += 0;  // encoders leave before denoising
  e.weights += kVaeParams * (precision == Precision::FP32 ? 4.0 : 2.0);
  // Working set, fitted to the H100 measurements of docs/PERFORMANCE.md (peak minus resident at 1024²:
  // 1.19 GB in bf16/fp8, 5.25 GB in fp32). The DiT runs cond and uncond as separate B=1 passes:
  // ~40 live [tokens, 2304] buffers, plus in fp32 (no flash attention) the [24, S, S] score matrix
  // and its softmax. The VAE decoder peaks at ~4.5 (bf16) / ~8.6 (fp32) full-resolution 128-channel
  // buffers. 10% margin.
  const double tokens = (width / 16.0) * (height / 16.0);
  const double seq = tokens + 256.0;
  double dit = tokens * 2304.0 * b * 40.0;
  if (precision == Precision::FP32) dit += 24.0 * seq * seq * 4.0 * 2.0;
  const double vae = static_cast<double>(width) * height * 128.0 *
                     (precision == Precision::FP32 ? 4.0 * 8.6 : 2.0 * 4.5);
  e.activations = std::max(dit, vae) * 1.1;
  return e;
}

QStringList SettingsPanel::samplerNames() {
  // core/sampling/samplers.h includes LibTorch, so the UI keeps the registry's names here.
  return {QStringLiteral("euler"),    QStringLiteral("midpoint"),       QStringLiteral("dpmpp_2m"),
          QStringLiteral("dpmpp_2m_comfy"), QStringLiteral("res_multistep"), QStringLiteral("unipc")};
}

QStringList SettingsPanel::scheduleNames() {
  QStringList out;
  for (const std::string& n : sampling::scheduleNames()) out << QString::fromStdString(n);
  if (out.isEmpty()) out << QStringLiteral("diffusers") << QStringLiteral("simple") << QStringLiteral("official");
  return out;
}

QList<SettingsPanel::SizePreset> SettingsPanel::sizePresets() {
  return {{1024, 1024}, {896, 1152}, {1152, 896}, {832, 1216}, {1216, 832},
          {768, 1344},  {1344, 768}, {1024, 1536}, {1536, 1024}};
}

SettingsPanel::SettingsPanel(QWidget* parent) : QWidget(parent) {
  // Every user-visible text is set in retranslateUi() (also on QEvent::LanguageChange); rows get
  // empty labels here, found again through QFormLayout::labelForField().
  auto* outer = new QVBoxLayout(this);

  modelBox_ = new QGroupBox(this);
  modelBox_->setObjectName(QStringLiteral("modelBox"));
  auto* mf = new QFormLayout(modelBox_);
  device_ = new QComboBox(modelBox_);
  device_->setObjectName(QStringLiteral("device"));
  device_->addItem(QString(), QStringLiteral("cpu"));
  addLabelledRow(mf, device_);
  precision_ = new QComboBox(modelBox_);
  precision_->setObjectName(QStringLiteral("precision"));
  precision_->addItem(QStringLiteral("bf16"), QStringLiteral("bf16"));
  precision_->addItem(QStringLiteral("fp16"), QStringLiteral("fp16"));
  precision_->addItem(QStringLiteral("fp32"), QStringLiteral("fp32"));
  precision_->addItem(QString(), QStringLiteral("fp8"));
  addLabelledRow(mf, precision_);
  placement_ = new QComboBox(modelBox_);
  placement_->setObjectName(QStringLiteral("placement"));
  placement_->addItem(QString(), static_cast<int>(EncoderPlacement::Device));
  placement_->addItem(QString(), static_cast<int>(EncoderPlacement::CPU));
  placement_->addItem(QString(), static_cast<int>(EncoderPlacement::FreeAfterUse));
  addLabelledRow(mf, placement_);
  outer->addWidget(modelBox_);

  sampBox_ = new QGroupBox(this);
  sampBox_->setObjectName(QStringLiteral("samplingBox"));
  auto* sf = new QFormLayout(sampBox_);
  steps_ = new QSpinBox(sampBox_);
  steps_->setRange(1, 200);
  steps_->setValue(28);
  addLabelledRow(sf, steps_);
  sampler_ = new QComboBox(sampBox_);
  sampler_->setObjectName(QStringLiteral("sampler"));
  sampler_->addItems(samplerNames());
  addLabelledRow(sf, sampler_);
  schedule_ = new QComboBox(sampBox_);
  schedule_->setObjectName(QStringLiteral("schedule"));
  schedule_->addItems(scheduleNames());
  addLabelledRow(sf, schedule_);
  shift_ = new QDoubleSpinBox(sampBox_);
  shift_->setRange(0.1, 20.0);
  shift_->setSingleStep(0.5);
  shift_->setValue(6.0);
  addLabelledRow(sf, shift_);
  cfg_ = new QDoubleSpinBox(sampBox_);
  cfg_->setRange(0.0, 30.0);
  cfg_->setSingleStep(0.5);
  cfg_->setValue(4.5);
  addLabelledRow(sf, cfg_);
  cfgTrunc_ = new QDoubleSpinBox(sampBox_);
  cfgTrunc_->setRange(0.0, 1.0);
  cfgTrunc_->setSingleStep(0.05);
  cfgTrunc_->setValue(1.0);
  addLabelledRow(sf, cfgTrunc_);
  renorm_ = new QDoubleSpinBox(sampBox_);
  renorm_->setRange(0.0, 10.0);
  renorm_->setSingleStep(0.1);
  addLabelledRow(sf, renorm_);
  seedRow_ = new QHBoxLayout;
  seedMode_ = new QComboBox(sampBox_);
  seedMode_->setObjectName(QStringLiteral("seedMode"));
  for (int i = 0; i < 3; ++i) seedMode_->addItem(QString());  // Random, Fixed, Increment (index = SeedMode)
  seed_ = new QLineEdit(sampBox_);
  seed_->setText(QStringLiteral("0"));
  seed_->setValidator(nullptr);
  seedRow_->addWidget(seedMode_);
  seedRow_->addWidget(seed_, 1);
  addLabelledRow(sf, seedRow_);
  outer->addWidget(sampBox_);

  imgBox_ = new QGroupBox(this);
  imgBox_->setObjectName(QStringLiteral("imageBox"));
  auto* imf = new QFormLayout(imgBox_);
  sizePreset_ = new QComboBox(imgBox_);
  sizePreset_->setObjectName(QStringLiteral("sizePreset"));
  for (const SizePreset& s : sizePresets())
    sizePreset_->addItem(QStringLiteral("%1 × %2").arg(s.width).arg(s.height));
  sizePreset_->addItem(QString());  // "Custom"
  addLabelledRow(imf, sizePreset_);
  sizeRow_ = new QHBoxLayout;
  width_ = new QSpinBox(imgBox_);
  height_ = new QSpinBox(imgBox_);
  for (QSpinBox* b : {width_, height_}) {
    b->setRange(256, 2048);
    b->setSingleStep(16);
    b->setValue(1024);
    sizeRow_->addWidget(b);
  }
  addLabelledRow(imf, sizeRow_);
  sizeWarning_ = new QLabel(imgBox_);
  sizeWarning_->setWordWrap(true);
  sizeWarning_->setStyleSheet(QStringLiteral("color: #c0392b"));
  sizeWarning_->hide();
  imf->addRow(sizeWarning_);
  batch_ = new QSpinBox(imgBox_);
  batch_->setRange(1, 64);
  addLabelledRow(imf, batch_);
  previewEvery_ = new QSpinBox(imgBox_);
  previewEvery_->setObjectName(QStringLiteral("previewEvery"));
  previewEvery_->setRange(0, 50);
  previewEvery_->setValue(2);
  addLabelledRow(imf, previewEvery_);
  outer->addWidget(imgBox_);

  estimate_ = new QLabel(this);
  estimate_->setObjectName(QStringLiteral("estimate"));
  estimate_->setWordWrap(true);
  outer->addWidget(estimate_);

  appBox_ = new QGroupBox(this);
  appBox_->setObjectName(QStringLiteral("applicationBox"));
  auto* af = new QFormLayout(appBox_);
  language_ = new QComboBox(appBox_);
  language_->setObjectName(QStringLiteral("language"));
  language_->addItem(QString(), QString());  // "System default"
  language_->addItem(QStringLiteral("English"), QStringLiteral("en"));
  language_->addItem(QStringLiteral("简体中文"), QStringLiteral("zh_CN"));
  addLabelledRow(af, language_);
  outer->addWidget(appBox_);
  outer->addStretch(1);
  retranslateUi();

  loadSettings();
  updatePrecisionAvailability();

  auto loadChanged = [this] {
    if (loading_) return;
    updateEstimate();
    saveSettings();
    Q_EMIT loadOptionsChanged();
  };
  connect(precision_, &QComboBox::currentIndexChanged, this, loadChanged);
  connect(placement_, &QComboBox::currentIndexChanged, this, loadChanged);
  connect(device_, &QComboBox::currentIndexChanged, this, [this, loadChanged] {
    updatePrecisionAvailability();
    loadChanged();
  });
  connect(sizePreset_, &QComboBox::currentIndexChanged, this, &SettingsPanel::onSizePreset);
  auto changed = [this] {
    if (loading_) return;
    validateSize();
    updateEstimate();
    saveSettings();
    Q_EMIT settingsChanged();
  };
  for (QSpinBox* b : {steps_, width_, height_, batch_, previewEvery_})
    connect(b, &QSpinBox::valueChanged, this, changed);
  for (QDoubleSpinBox* b : {shift_, cfg_, cfgTrunc_, renorm_}) connect(b, &QDoubleSpinBox::valueChanged, this, changed);
  for (QComboBox* b : {sampler_, schedule_, seedMode_}) connect(b, &QComboBox::currentIndexChanged, this, changed);
  connect(seed_, &QLineEdit::editingFinished, this, changed);
  connect(language_, &QComboBox::currentIndexChanged, this, [this] {
    if (loading_) return;
    saveSettings();
    Q_EMIT languageChanged(language());
  });
  validateSize();
  updateEstimate();
}

SettingsPanel::~SettingsPanel() = default;

void SettingsPanel::retranslateUi() {
  // Only texts change: indexes, item data and values stay, and no change signal is emitted.
  auto* mf = qobject_cast<QFormLayout*>(modelBox_->layout());
  auto* sf = qobject_cast<QFormLayout*>(sampBox_->layout());
  auto* imf = qobject_cast<QFormLayout*>(imgBox_->layout());
  auto* af = qobject_cast<QFormLayout*>(appBox_->layout());
  modelBox_->setTitle(tr("Model"));
  const int cpuRow = device_->findData(QStringLiteral("cpu"));
  if (cpuRow >= 0) device_->setItemText(cpuRow, tr("CPU"));
  setRowLabel(mf, device_, tr("Device"));
  precision_->setItemText(3, tr("fp8 (e4m3, CUDA, faster, approximate)"));
  setRowLabel(mf, precision_, tr("Precision"));
  placement_->setItemText(0, tr("On the device"));
  placement_->setItemText(1, tr("On the CPU"));
  placement_->setItemText(2, tr("Free after encoding"));
  placement_->setToolTip(tr("Where Gemma and Jina CLIP live between jobs; CPU or freeing them lets 12–16 GB cards fit."));
  setRowLabel(mf, placement_, tr("Text encoders"));

  sampBox_->setTitle(tr("Sampling"));
  setRowLabel(sf, steps_, tr("Steps"));
  setRowLabel(sf, sampler_, tr("Sampler"));
  setRowLabel(sf, schedule_, tr("Schedule"));
  setRowLabel(sf, shift_, tr("Shift"));
  setRowLabel(sf, cfg_, tr("CFG scale"));
  cfgTrunc_->setToolTip(tr("CFG is applied while t < this value (1 = always)."));
  setRowLabel(sf, cfgTrunc_, tr("CFG truncation"));
  renorm_->setToolTip(tr("Caps the norm of the guided prediction; 0 = off."));
  setRowLabel(sf, renorm_, tr("Renorm"));
  seedMode_->setItemText(static_cast<int>(SeedMode::Random), tr("Random"));
  seedMode_->setItemText(static_cast<int>(SeedMode::Fixed), tr("Fixed"));
  seedMode_->setItemText(static_cast<int>(SeedMode::Increment), tr("Increment"));
  setRowLabel(sf, seedRow_, tr("Seed"));

  imgBox_->setTitle(tr("Image"));
  sizePreset_->setItemText(static_cast<int>(sizePresets().size()), tr("Custom"));
  setRowLabel(imf, sizePreset_, tr("Size"));
  setRowLabel(imf, sizeRow_, tr("Width × height"));
  setRowLabel(imf, batch_, tr("Batch count"));
  previewEvery_->setSpecialValueText(tr("off"));
  setRowLabel(imf, previewEvery_, tr("Preview every N steps"));

  appBox_->setTitle(tr("Application"));
  language_->setItemText(0, tr("System default"));
  setRowLabel(af, language_, tr("Language"));

  // Texts computed from the state (tooltips of the precision items, size warning, estimate).
  validateSize();
  refreshPrecisionTips();
  updateEstimate();
}

void SettingsPanel::changeEvent(QEvent* e) {
  if (e->type() == QEvent::LanguageChange && modelBox_) retranslateUi();
  QWidget::changeEvent(e);
}

void SettingsPanel::setDevices(const QStringList& devices) {
  loading_ = true;
  // Keep the user's saved choice when that device exists; else the current one; else a GPU.
  QString cur = QSettings().value(QStringLiteral("generation/device")).toString();
  if (cur.isEmpty() && devices.size() > 1) cur = devices.at(1);  // first run on a GPU machine
  if (!devices.contains(cur)) cur = device_->currentData().toString();
  device_->clear();
  for (const QString& d : devices)
    device_->addItem(d == QStringLiteral("cpu") ? tr("CPU") : d.toUpper(), d);
  int i = device_->findData(cur);
  device_->setCurrentIndex(i >= 0 ? i : 0);
  loading_ = false;
  updatePrecisionAvailability();
  updateEstimate();
}

void SettingsPanel::refreshPrecisionTips() {
  const bool cpu = device_->currentData().toString() == QStringLiteral("cpu");
  const QString why = cpu ? tr("CPU runs use fp32 (bf16 matmul is slow on CPU in LibTorch 1.13)") : QString();
  setItemEnabled(precision_, 0, !cpu, why);
  setItemEnabled(precision_, 1, !cpu, why);
  setItemEnabled(precision_, 3, !cpu, why);  // fp8: CUDA only (compute capability >= 8.9, checked at load)
  precision_->setToolTip(why);
}

void SettingsPanel::updatePrecisionAvailability() {
  refreshPrecisionTips();
  const bool cpu = device_->currentData().toString() == QStringLiteral("cpu");
  if (cpu && precision_->currentIndex() != 2) {
    const bool was = loading_;
    loading_ = true;
    precision_->setCurrentIndex(2);
    loading_ = was;
  }
}

void SettingsPanel::onSizePreset(int index) {
  const auto presets = sizePresets();
  if (index >= 0 && index < presets.size()) {
    loading_ = true;
    width_->setValue(presets[index].width);
    height_->setValue(presets[index].height);
    loading_ = false;
  }
  const bool custom = index >= presets.size();
  width_->setEnabled(custom);
  height_->setEnabled(custom);
  if (!loading_) {
    validateSize();
    updateEstimate();
    saveSettings();
    Q_EMIT settingsChanged();
  }
}

void SettingsPanel::validateSize() {
  const bool ok = width_->value() % 16 == 0 && height_->value() % 16 == 0;
  sizeWarning_->setText(ok ? QString() : tr("Width and height must be multiples of 16 (they are rounded down)."));
  sizeWarning_->setVisible(!ok);
}

VramEstimate SettingsPanel::currentEstimate() const {
  const GenerationParams p = params();
  const LoadOptions o = loadOptions();
  return estimateVram(p.width, p.height, o.precision, o.encoderPlacement);
}

bool SettingsPanel::estimateExceedsFree() const { return freeVram_ >= 0 && currentEstimate().total() > freeVram_; }

void SettingsPanel::setFreeVram(double bytes) {
  freeVram_ = bytes;
  updateEstimate();
}

void SettingsPanel::updateEstimate() {
  const VramEstimate e = currentEstimate();
  const bool cpu = loadOptions().device == "cpu";
  QString text = tr("Estimated %1 memory: %2 GiB (weights %3 + working %4)")
                     .arg(cpu ? tr("RAM") : tr("VRAM"))
                     .arg(e.total() / kGiB, 0, 'f', 1)
                     .arg(e.weights / kGiB, 0, 'f', 1)
                     .arg(e.activations / kGiB, 0, 'f', 1);
  if (!cpu && estimateExceedsFree()) {
    text += QStringLiteral("\n") + tr("Warning: more than the %1 GiB free on the GPU — use a smaller size, "
                                      "half precision or text encoders on CPU.")
                                       .arg(freeVram_ / kGiB, 0, 'f', 1);
    estimate_->setStyleSheet(QStringLiteral("color: #c0392b"));
  } else {
    estimate_->setStyleSheet(QString());
  }
  estimate_->setText(text);
}

GenerationParams SettingsPanel::params() const {
  GenerationParams p;
  p.width = width_->value() / 16 * 16;
  p.height = height_->value() / 16 * 16;
  p.steps = steps_->value();
  p.sampler = sampler_->currentText().toStdString();
  p.schedule = schedule_->currentText().toStdString();
  p.shift = shift_->value();
  p.cfgScale = cfg_->value();
  p.cfgTrunc = cfgTrunc_->value();
  p.renorm = renorm_->value();
  p.seed = seed_->text().trimmed().toULongLong();
  p.previewEvery = previewEvery_->value();
  return p;
}

void SettingsPanel::setParams(const GenerationParams& p) {
  loading_ = true;
  int preset = sizePresets().size();
  const auto presets = sizePresets();
  for (int i = 0; i < presets.size(); ++i)
    if (presets[i].width == p.width && presets[i].height == p.height) preset = i;
  sizePreset_->setCurrentIndex(preset);
  width_->setEnabled(preset == presets.size());
  height_->setEnabled(preset == presets.size());
  width_->setValue(p.width);
  height_->setValue(p.height);
  steps_->setValue(p.steps);
  auto setCombo = [](QComboBox* c, const std::string& v) {
    const QString s = QString::fromStdString(v);
    int i = c->findText(s);
    if (i < 0) {
      c->addItem(s);
      i = c->count() - 1;
    }
    c->setCurrentIndex(i);
  };
  setCombo(sampler_, p.sampler);
  setCombo(schedule_, p.schedule);
  shift_->setValue(p.shift);
  cfg_->setValue(p.cfgScale);
  cfgTrunc_->setValue(p.cfgTrunc);
  renorm_->setValue(p.renorm);
  seed_->setText(QString::number(p.seed));
  previewEvery_->setValue(p.previewEvery);
  loading_ = false;
  validateSize();
  updateEstimate();
  saveSettings();
  Q_EMIT settingsChanged();
}

bool SettingsPanel::applyMetadata(const QString& json) {
  QJsonParseError err{};
  const QJsonDocument doc = QJsonDocument::fromJson(json.toUtf8(), &err);
  if (err.error != QJsonParseError::NoError || !doc.isObject()) return false;
  const QJsonObject o = doc.object();
  setParams(paramsFromJson(o, params()));
  if (o.contains(QStringLiteral("seed")) || o.value(QStringLiteral("params")).toObject().contains(QStringLiteral("seed")))
    setSeedMode(SeedMode::Fixed);
  return true;
}

bool SettingsPanel::applySeed(const QString& json) {
  const QJsonDocument doc = QJsonDocument::fromJson(json.toUtf8());
  if (!doc.isObject()) return false;
  GenerationParams p = params();
  const GenerationParams r = paramsFromJson(doc.object(), p);
  seed_->setText(QString::number(r.seed));
  setSeedMode(SeedMode::Fixed);
  saveSettings();
  return true;
}

uint64_t SettingsPanel::nextSeed() {
  uint64_t s = seed_->text().trimmed().toULongLong();
  switch (seedMode()) {
    case SeedMode::Random:
      s = QRandomGenerator::global()->generate64() >> 1;
      seed_->setText(QString::number(s));
      break;
    case SeedMode::Fixed:
      break;
    case SeedMode::Increment:
      seed_->setText(QString::number(s + 1));
      break;
  }
  saveSettings();
  return s;
}

SettingsPanel::SeedMode SettingsPanel::seedMode() const { return static_cast<SeedMode>(seedMode_->currentIndex()); }
void SettingsPanel::setSeedMode(SeedMode m) { seedMode_->setCurrentIndex(static_cast<int>(m)); }
int SettingsPanel::batchCount() const { return batch_->value(); }

LoadOptions SettingsPanel::loadOptions() const {
  LoadOptions o;
  o.device = device_->currentData().toString().toStdString();
  if (o.device.empty()) o.device = "cpu";
  o.precision = parsePrecision(precision_->currentData().toString().toStdString()).value_or(Precision::FP32);
  o.encoderPlacement = static_cast<EncoderPlacement>(placement_->currentData().toInt());
  return o;
}

QString SettingsPanel::language() const { return language_->currentData().toString(); }

void SettingsPanel::loadSettings() {
  loading_ = true;
  QSettings s;
  s.beginGroup(QStringLiteral("generation"));
  GenerationParams d;
  d.width = s.value(QStringLiteral("width"), 1024).toInt();
  d.height = s.value(QStringLiteral("height"), 1024).toInt();
  d.steps = s.value(QStringLiteral("steps"), 28).toInt();
  d.sampler = s.value(QStringLiteral("sampler"), QStringLiteral("euler")).toString().toStdString();
  d.schedule = s.value(QStringLiteral("schedule"), QStringLiteral("diffusers")).toString().toStdString();
  d.shift = s.value(QStringLiteral("shift"), 6.0).toDouble();
  d.cfgScale = s.value(QStringLiteral("cfg_scale"), 4.5).toDouble();
  d.cfgTrunc = s.value(QStringLiteral("cfg_trunc"), 1.0).toDouble();
  d.renorm = s.value(QStringLiteral("renorm"), 0.0).toDouble();
  d.seed = s.value(QStringLiteral("seed"), 0).toULongLong();
  d.previewEvery = s.value(QStringLiteral("preview_every"), 2).toInt();
  const int seedMode = s.value(QStringLiteral("seed_mode"), 0).toInt();
  const int batch = s.value(QStringLiteral("batch"), 1).toInt();
  const QString prec = s.value(QStringLiteral("precision"), QStringLiteral("bf16")).toString();
  const int placement = s.value(QStringLiteral("encoder_placement"), 0).toInt();
  const QString device = s.value(QStringLiteral("device"), QStringLiteral("cpu")).toString();
  const QString lang = s.value(QStringLiteral("language")).toString();
  s.endGroup();
  setParams(d);
  loading_ = true;
  seedMode_->setCurrentIndex(std::clamp(seedMode, 0, 2));
  batch_->setValue(batch);
  precision_->setCurrentIndex(std::max(0, precision_->findData(prec)));
  placement_->setCurrentIndex(std::max(0, placement_->findData(placement)));
  if (device_->findData(device) < 0) device_->addItem(device.toUpper(), device);
  device_->setCurrentIndex(std::max(0, device_->findData(device)));
  language_->setCurrentIndex(std::max(0, language_->findData(lang)));
  loading_ = false;
}

void SettingsPanel::saveSettings() const {
  if (loading_) return;
  QSettings s;
  s.beginGroup(QStringLiteral("generation"));
  const GenerationParams p = params();
  s.setValue(QStringLiteral("width"), p.width);
  s.setValue(QStringLiteral("height"), p.height);
  s.setValue(QStringLiteral("steps"), p.steps);
  s.setValue(QStringLiteral("sampler"), QString::fromStdString(p.sampler));
  s.setValue(QStringLiteral("schedule"), QString::fromStdString(p.schedule));
  s.setValue(QStringLiteral("shift"), p.shift);
  s.setValue(QStringLiteral("cfg_scale"), p.cfgScale);
  s.setValue(QStringLiteral("cfg_trunc"), p.cfgTrunc);
  s.setValue(QStringLiteral("renorm"), p.renorm);
  s.setValue(QStringLiteral("seed"), static_cast<qulonglong>(p.seed));
  s.setValue(QStringLiteral("preview_every"), p.previewEvery);
  s.setValue(QStringLiteral("seed_mode"), seedMode_->currentIndex());
  s.setValue(QStringLiteral("batch"), batch_->value());
  s.setValue(QStringLiteral("precision"), precision_->currentData().toString());
  s.setValue(QStringLiteral("encoder_placement"), placement_->currentData().toInt());
  s.setValue(QStringLiteral("device"), device_->currentData().toString());
  s.setValue(QStringLiteral("language"), language());
  s.endGroup();
}

}  // namespace newbie
