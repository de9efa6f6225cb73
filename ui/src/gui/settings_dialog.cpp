// SettingsDialog: a form over AppSettings, grouped as models, output and engine.
#include "shiftsr/gui/settings_dialog.h"

#include "shiftsr/engine/batch_plan.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QThread>
#include <QVBoxLayout>

#include <limits>
#include <map>
#include <string>

namespace shiftsr::gui {

namespace {

void selectData(QComboBox* box, const QVariant& value) {
    const int i = box->findData(value);
    box->setCurrentIndex(i >= 0 ? i : 0);
}

} // namespace

SettingsDialog::SettingsDialog(const AppSettings& settings, QWidget* parent)
    : QDialog(parent), base_(settings) {
    setWindowTitle(tr("Settings"));

    // Models
    auto* models = new QGroupBox(tr("Models"), this);
    auto* modelForm = new QFormLayout(models);
    QWidget* row = nullptr;
    modelFolder_ = folderEdit(new QLineEdit(settings.modelFolder, this), tr("Model Folder"), &row);
    modelFolder_->setToolTip(
        tr("Model packages (*.safetensors) in this folder are listed next to the "
           "models built into ShiftSR."));
    modelForm->addRow(tr("Model fo&lder:"), row);

    // Output
    auto* output = new QGroupBox(tr("Saving Results"), this);
    auto* outputForm = new QFormLayout(output);
    outputFolder_ =
        folderEdit(new QLineEdit(settings.outputFolder, this), tr("Output Folder"), &row);
    outputFolder_->setPlaceholderText(tr("Next to the input file"));
    outputForm->addRow(tr("&Output folder:"), row);
    format_ = new QComboBox(this);
    format_->addItem(tr("Same as the input"), QStringLiteral("keep"));
    format_->addItem(tr("PNG"), QStringLiteral("png"));
    format_->addItem(tr("JPEG"), QStringLiteral("jpg"));
    format_->addItem(tr("TIFF"), QStringLiteral("tif"));
    format_->addItem(tr("WebP"), QStringLiteral("webp"));
    format_->addItem(tr("BMP"), QStringLiteral("bmp"));
    selectData(format_, settings.outputFormat);
    outputForm->addRow(tr("&Format:"), format_);
    pattern_ = new QLineEdit(settings.namePattern, this);
    pattern_->setToolTip(tr("Tokens: {name} input file name, {ext} extension, {scale}, {steps}, "
                            "{model}, {seed}"));
    outputForm->addRow(tr("File &name:"), pattern_);
    patternExample_ = new QLabel(this);
    patternExample_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    outputForm->addRow(QString(), patternExample_);
    quality_ = new QSpinBox(this);
    quality_->setRange(1, 100);
    quality_->setValue(settings.quality);
    quality_->setToolTip(tr("Quality of JPEG and WebP files"));
    outputForm->addRow(tr("&Quality:"), quality_);
    keepMetadata_ =
        new QCheckBox(tr("Copy the input's &metadata (EXIF, IPTC, XMP, colour profile)"), this);
    keepMetadata_->setChecked(settings.keepMetadata);
    outputForm->addRow(QString(), keepMetadata_);

    // Engine
    auto* engine = new QGroupBox(tr("Engine"), this);
    auto* engineForm = new QFormLayout(engine);
    device_ = new QComboBox(this);
    device_->addItem(tr("Automatic (CUDA when present)"), QStringLiteral("auto"));
    device_->addItem(tr("CPU"), QStringLiteral("cpu"));
    device_->addItem(tr("CUDA GPU"), QStringLiteral("cuda"));
    selectData(device_, settings.device);
    engineForm->addRow(tr("&Device:"), device_);
    precision_ = new QComboBox(this);
    precision_->addItem(tr("fp32 (exact)"), QStringLiteral("fp32"));
    precision_->addItem(tr("bf16"), QStringLiteral("bf16"));
    precision_->addItem(tr("fp16 (CUDA only)"), QStringLiteral("fp16"));
    precision_->addItem(tr("Automatic (bf16 where the processor has it)"), QStringLiteral("auto"));
    selectData(precision_, settings.precision);
    engineForm->addRow(tr("&Precision:"), precision_);
    threads_ = new QSpinBox(this);
    threads_->setRange(0, 1024);
    threads_->setSpecialValueText(tr("All cores (%1)").arg(QThread::idealThreadCount()));
    threads_->setValue(settings.threads);
    engineForm->addRow(tr("CPU &threads:"), threads_);
    tile_ = new QSpinBox(this);
    tile_->setRange(0, 1 << 16);
    tile_->setSingleStep(16);
    tile_->setSpecialValueText(tr("Automatic (from the memory budget)"));
    tile_->setSuffix(tr(" px"));
    tile_->setValue(settings.tile);
    tile_->setToolTip(
        tr("Side of the input tiles the model sees at once; large photos are cut into "
           "overlapping tiles and blended without seams."));
    engineForm->addRow(tr("T&ile:"), tile_);
    overlap_ = new QSpinBox(this);
    overlap_->setRange(0, 1 << 15);
    overlap_->setSingleStep(8);
    overlap_->setSpecialValueText(tr("Automatic"));
    overlap_->setSuffix(tr(" px"));
    overlap_->setValue(settings.overlap);
    engineForm->addRow(tr("O&verlap:"), overlap_);
    memoryBudget_ = new QSpinBox(this);
    memoryBudget_->setRange(0, 1 << 24);
    memoryBudget_->setSingleStep(256);
    memoryBudget_->setSpecialValueText(tr("Automatic (2 GB)"));
    memoryBudget_->setSuffix(tr(" MB"));
    memoryBudget_->setValue(settings.memoryBudgetMb);
    memoryBudget_->setToolTip(
        tr("The most memory a run on the processor should take; the tiles are chosen "
           "to fit it. Raise it for slightly faster runs of large photos."));
    engineForm->addRow(tr("Memor&y limit:"), memoryBudget_);
    colorFix_ = new QComboBox(this);
    colorFix_->addItem(tr("Automatic (recommended): colour from the input for diffusion models, "
                          "none for GAN models"),
                       int(ColorFix::Auto));
    colorFix_->addItem(tr("Colour from the input"), int(ColorFix::Luma));
    colorFix_->addItem(tr("Wavelet (keeps the model's colour)"), int(ColorFix::Wavelet));
    colorFix_->addItem(tr("AdaIN (mean and spread)"), int(ColorFix::AdaIN));
    colorFix_->addItem(tr("None"), int(ColorFix::None));
    selectData(colorFix_, int(settings.colorFix));
    engineForm->addRow(tr("&Colour fix:"), colorFix_);
    seed_ = new QSpinBox(this);
    seed_->setRange(0, std::numeric_limits<int>::max());
    seed_->setValue(
        int(std::min<quint64>(settings.seed, quint64(std::numeric_limits<int>::max()))));
    seed_->setToolTip(tr("Noise seed: the same seed gives the same result"));
    engineForm->addRow(tr("S&eed:"), seed_);

    auto* buttons = new QDialogButtonBox(
        QDialogButtonBox::Ok | QDialogButtonBox::Cancel | QDialogButtonBox::RestoreDefaults, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(buttons->button(QDialogButtonBox::RestoreDefaults), &QPushButton::clicked, this,
            [this] {
                const AppSettings d;
                outputFolder_->clear();
                selectData(format_, d.outputFormat);
                pattern_->setText(d.namePattern);
                quality_->setValue(d.quality);
                keepMetadata_->setChecked(d.keepMetadata);
                selectData(device_, d.device);
                selectData(precision_, d.precision);
                threads_->setValue(d.threads);
                tile_->setValue(d.tile);
                overlap_->setValue(d.overlap);
                memoryBudget_->setValue(d.memoryBudgetMb);
                selectData(colorFix_, int(d.colorFix));
                seed_->setValue(int(d.seed));
            });
    connect(pattern_, &QLineEdit::textChanged, this, &SettingsDialog::updatePatternExample);
    connect(format_, &QComboBox::currentIndexChanged, this, &SettingsDialog::updatePatternExample);
    updatePatternExample();

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(models);
    layout->addWidget(output);
    layout->addWidget(engine);
    layout->addWidget(buttons);
}

QLineEdit* SettingsDialog::folderEdit(QLineEdit* edit, const QString& caption, QWidget** row) {
    auto* container = new QWidget(this);
    auto* layout = new QHBoxLayout(container);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(edit, 1);
    auto* browse = new QPushButton(tr("Browse…"), container);
    layout->addWidget(browse);
    connect(browse, &QPushButton::clicked, this, [this, edit, caption] {
        const QString folder = QFileDialog::getExistingDirectory(this, caption, edit->text());
        if (!folder.isEmpty())
            edit->setText(folder);
    });
    *row = container;
    return edit;
}

void SettingsDialog::updatePatternExample() {
    const QString format = format_->currentData().toString();
    const std::map<std::string, std::string> tokens = {
        {"name", "photo"},
        {"ext", format == QLatin1String("keep") ? "jpg" : format.toStdString()},
        {"scale", "4"},
        {"steps", "4"},
        {"model", "resshift"},
        {"seed", std::to_string(seed_ ? seed_->value() : 12345)}};
    patternExample_->setText(
        tr("Example: %1")
            .arg(QString::fromStdString(expandPattern(pattern_->text().toStdString(), tokens))));
}

AppSettings SettingsDialog::settings() const {
    AppSettings s = base_;
    s.modelFolder = modelFolder_->text().trimmed();
    s.outputFolder = outputFolder_->text().trimmed();
    s.outputFormat = format_->currentData().toString();
    const QString pattern = pattern_->text().trimmed();
    s.namePattern = pattern.isEmpty() ? AppSettings().namePattern : pattern;
    s.quality = quality_->value();
    s.keepMetadata = keepMetadata_->isChecked();
    s.device = device_->currentData().toString();
    s.precision = precision_->currentData().toString();
    s.threads = threads_->value();
    s.tile = tile_->value();
    s.overlap = overlap_->value();
    s.memoryBudgetMb = memoryBudget_->value();
    s.colorFix = ColorFix(colorFix_->currentData().toInt());
    s.seed = quint64(seed_->value());
    return s;
}

} // namespace shiftsr::gui
