#include "settings_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
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

#include "job_queue.h"
#include "sampling/schedules.h"

namespace newbie {

namespace {
double bytesOf(Precision p) { return p == Precision::FP32 ? 4.0 : 2.0; }
constexpr double kDitParams = 3.49e9;
constexpr double kGemmaParams = 4.3e9;  // Gemma 3 4B
constexpr double kClipParams = 0.87e9;  // Jina CLIP v2
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
}  // namespace

VramEstimate estimateVram(int width, int height, Precision precision, EncoderPlacement placement) {
  VramEstimate e;
  const double b = bytesOf(precision);
  // fp8: the block linears (~89% of the DiT's parameters) take 1 byte, the rest stays bf16.
  e.weights = kDitParams * (precision == Precision::FP8 ? 1.11 : b);
  if (placement == EncoderPlacement::Device) e.weights += (kGemmaParams + kClipParams) * b;
  else if (placement == EncoderPlacement::FreeAfterUse) e.weights += 0;  // encoders leave before denoising
  e.weights += kVaeParams * (precision == Precision::FP32 ? 4.0 : 2.0);
  // DiT working set: image tokens (patch 2 on the /8 latent) × hidden 2304 × ~40 live buffers,
  // batch 2 for CFG; VAE decoder at full resolution: 128 channels × ~3 live buffers in fp32.
  const double tokens = (width / 16.0) * (height / 16.0);
  const double dit = tokens * 2304.0 * b * 40.0 * 2.0;
  const double vae = static_cast<double>(width) * height * 128.0 * 4.0 * 3.0;
  e.activations = std::max(dit, vae) * 1.2;
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
  auto* outer = new QVBoxLayout(this);

  auto* modelBox = new QGroupBox(tr("Model"), this);
  auto* mf = new QFormLayout(modelBox);
  device_ = new QComboBox(modelBox);
  device_->setObjectName(QStringLiteral("device"));
  device_->addItem(tr("CPU"), QStringLiteral("cpu"));
  mf->addRow(tr("Device"), device_);
  precision_ = new QComboBox(modelBox);
  precision_->setObjectName(QStringLiteral("precision"));
  precision_->addItem(QStringLiteral("bf16"), QStringLiteral("bf16"));
  precision_->addItem(QStringLiteral("fp16"), QStringLiteral("fp16"));
  precision_->addItem(QStringLiteral("fp32"), QStringLiteral("fp32"));
  precision_->addItem(tr("fp8 (e4m3, CUDA, faster, approximate)"), QStringLiteral("fp8"));
  mf->addRow(tr("Precision"), precision_);
  placement_ = new QComboBox(modelBox);
  placement_->addItem(tr("On the device"), static_cast<int>(EncoderPlacement::Device));
  placement_->addItem(tr("On the CPU"), static_cast<int>(EncoderPlacement::CPU));
  placement_->addItem(tr("Free after encoding"), static_cast<int>(EncoderPlacement::FreeAfterUse));
  placement_->setToolTip(tr("Where Gemma and Jina CLIP live between jobs; CPU or freeing them lets 12–16 GB cards fit."));
  mf->addRow(tr("Text encoders"), placement_);
  outer->addWidget(modelBox);

  auto* sampBox = new QGroupBox(tr("Sampling"), this);
  auto* sf = new QFormLayout(sampBox);
  steps_ = new QSpinBox(sampBox);
  steps_->setRange(1, 200);
  steps_->setValue(28);
  sf->addRow(tr("Steps"), steps_);
  sampler_ = new QComboBox(sampBox);
  sampler_->addItems(samplerNames());
  sf->addRow(tr("Sampler"), sampler_);
  schedule_ = new QComboBox(sampBox);
  schedule_->addItems(scheduleNames());
  sf->addRow(tr("Schedule"), schedule_);
  shift_ = new QDoubleSpinBox(sampBox);
  shift_->setRange(0.1, 20.0);
  shift_->setSingleStep(0.5);
  shift_->setValue(6.0);
  sf->addRow(tr("Shift"), shift_);
  cfg_ = new QDoubleSpinBox(sampBox);
  cfg_->setRange(0.0, 30.0);
  cfg_->setSingleStep(0.5);
  cfg_->setValue(4.5);
  sf->addRow(tr("CFG scale"), cfg_);
  cfgTrunc_ = new QDoubleSpinBox(sampBox);
  cfgTrunc_->setRange(0.0, 1.0);
  cfgTrunc_->setSingleStep(0.05);
  cfgTrunc_->setValue(1.0);
  cfgTrunc_->setToolTip(tr("CFG is applied while t < this value (1 = always)."));
  sf->addRow(tr("CFG truncation"), cfgTrunc_);
  renorm_ = new QDoubleSpinBox(sampBox);
  renorm_->setRange(0.0, 10.0);
  renorm_->setSingleStep(0.1);
  renorm_->setToolTip(tr("Caps the norm of the guided prediction; 0 = off."));
  sf->addRow(tr("Renorm"), renorm_);
  auto* seedRow = new QHBoxLayout;
  seedMode_ = new QComboBox(sampBox);
  seedMode_->addItem(tr("Random"));
  seedMode_->addItem(tr("Fixed"));
  seedMode_->addItem(tr("Increment"));
  seed_ = new QLineEdit(sampBox);
  seed_->setText(QStringLiteral("0"));
  seed_->setValidator(nullptr);
  seedRow->addWidget(seedMode_);
  seedRow->addWidget(seed_, 1);
  sf->addRow(tr("Seed"), seedRow);
  outer->addWidget(sampBox);

  auto* imgBox = new QGroupBox(tr("Image"), this);
  auto* imf = new QFormLayout(imgBox);
  sizePreset_ = new QComboBox(imgBox);
  for (const SizePreset& s : sizePresets())
    sizePreset_->addItem(QStringLiteral("%1 × %2").arg(s.width).arg(s.height));
  sizePreset_->addItem(tr("Custom"));
  imf->addRow(tr("Size"), sizePreset_);
  auto* wh = new QHBoxLayout;
  width_ = new QSpinBox(imgBox);
  height_ = new QSpinBox(imgBox);
  for (QSpinBox* b : {width_, height_}) {
    b->setRange(256, 2048);
    b->setSingleStep(16);
    b->setValue(1024);
    wh->addWidget(b);
  }
  imf->addRow(tr("Width × height"), wh);
  sizeWarning_ = new QLabel(imgBox);
  sizeWarning_->setWordWrap(true);
  sizeWarning_->setStyleSheet(QStringLiteral("color: #c0392b"));
  sizeWarning_->hide();
  imf->addRow(sizeWarning_);
  batch_ = new QSpinBox(imgBox);
  batch_->setRange(1, 64);
  imf->addRow(tr("Batch count"), batch_);
  previewEvery_ = new QSpinBox(imgBox);
  previewEvery_->setRange(0, 50);
  previewEvery_->setValue(2);
  previewEvery_->setSpecialValueText(tr("off"));
  imf->addRow(tr("Preview every N steps"), previewEvery_);
  outer->addWidget(imgBox);

  estimate_ = new QLabel(this);
  estimate_->setWordWrap(true);
  outer->addWidget(estimate_);

  auto* appBox = new QGroupBox(tr("Application"), this);
  auto* af = new QFormLayout(appBox);
  language_ = new QComboBox(appBox);
  language_->addItem(tr("System default"), QString());
  language_->addItem(QStringLiteral("English"), QStringLiteral("en"));
  language_->addItem(QStringLiteral("简体中文"), QStringLiteral("zh_CN"));
  af->addRow(tr("Language"), language_);
  outer->addWidget(appBox);
  outer->addStretch(1);

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

void SettingsPanel::updatePrecisionAvailability() {
  const bool cpu = device_->currentData().toString() == QStringLiteral("cpu");
  const QString why = cpu ? tr("CPU runs use fp32 (bf16 matmul is slow on CPU in LibTorch 1.13)") : QString();
  setItemEnabled(precision_, 0, !cpu, why);
  setItemEnabled(precision_, 1, !cpu, why);
  setItemEnabled(precision_, 3, !cpu, why);  // fp8: CUDA only (compute capability >= 8.9, checked at load)
  precision_->setToolTip(why);
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
