// BatchOptionsBox: the widgets of the batch queue's choices, their layout, and the model list.
#include "batch_options_box.h"

#include "shiftsr/gui/model_registry.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QGridLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QSpinBox>

#include <algorithm>

namespace shiftsr::gui {

namespace {

constexpr int kMaxSteps = 1000;

} // namespace

BatchOptionsBox::BatchOptionsBox(ModelRegistry& registry, QWidget* parent)
    : QGroupBox(tr("Options"), parent), registry_(registry) {
    model_ = new QComboBox(this);
    model_->setObjectName(QStringLiteral("model"));
    steps_ = new QSpinBox(this);
    steps_->setObjectName(QStringLiteral("steps"));
    steps_->setRange(0, kMaxSteps);
    steps_->setSpecialValueText(tr("Model default"));
    steps_->setToolTip(tr("Sampling steps; 1 runs a single network call"));
    seed_ = new QLineEdit(this);
    seed_->setObjectName(QStringLiteral("seed"));
    seed_->setValidator(
        new QRegularExpressionValidator(QRegularExpression(QStringLiteral("[0-9]{1,18}")), seed_));
    seed_->setPlaceholderText(QString::number(BatchChoices().seed));
    seed_->setToolTip(tr("Noise seed: the same seed gives the same result"));
    outputFolder_ = new QLineEdit(this);
    outputFolder_->setObjectName(QStringLiteral("outputFolder"));
    outputBrowse_ = new QPushButton(tr("&Browse…"), this);
    pattern_ = new QLineEdit(this);
    pattern_->setObjectName(QStringLiteral("pattern"));
    pattern_->setPlaceholderText(BatchChoices().namePattern);
    pattern_->setToolTip(tr("Output file name; tokens: %1")
                             .arg(QStringLiteral("{name} {ext} {scale} {steps} {model} {seed}")));
    format_ = new QComboBox(this);
    format_->setObjectName(QStringLiteral("format"));
    format_->addItem(tr("Same as input"), QStringLiteral("keep"));
    format_->addItem(tr("PNG"), QStringLiteral("png"));
    format_->addItem(tr("JPEG"), QStringLiteral("jpg"));
    format_->addItem(tr("TIFF"), QStringLiteral("tif"));
    format_->addItem(tr("WebP"), QStringLiteral("webp"));
    format_->addItem(tr("BMP"), QStringLiteral("bmp"));
    skipExisting_ = new QCheckBox(tr("&Skip images whose output exists"), this);
    skipExisting_->setObjectName(QStringLiteral("skipExisting"));
    recursive_ = new QCheckBox(tr("Include s&ubfolders"), this);
    recursive_->setObjectName(QStringLiteral("recursive"));

    auto* grid = new QGridLayout(this);
    grid->addWidget(new QLabel(tr("Model:"), this), 0, 0);
    grid->addWidget(model_, 0, 1, 1, 3);
    grid->addWidget(new QLabel(tr("Steps:"), this), 0, 4);
    grid->addWidget(steps_, 0, 5);
    grid->addWidget(new QLabel(tr("Seed:"), this), 0, 6);
    grid->addWidget(seed_, 0, 7);
    grid->addWidget(new QLabel(tr("Output folder:"), this), 1, 0);
    grid->addWidget(outputFolder_, 1, 1, 1, 6);
    grid->addWidget(outputBrowse_, 1, 7);
    grid->addWidget(new QLabel(tr("File name:"), this), 2, 0);
    grid->addWidget(pattern_, 2, 1, 1, 3);
    grid->addWidget(new QLabel(tr("Format:"), this), 2, 4);
    grid->addWidget(format_, 2, 5, 1, 3);
    grid->addWidget(skipExisting_, 3, 1, 1, 3);
    grid->addWidget(recursive_, 3, 4, 1, 4);
    grid->setColumnStretch(1, 1);

    connect(outputBrowse_, &QPushButton::clicked, this, &BatchOptionsBox::chooseOutputFolder);
    connect(model_, &QComboBox::currentIndexChanged, this, &BatchOptionsBox::emitEdited);
    connect(steps_, &QSpinBox::valueChanged, this, &BatchOptionsBox::emitEdited);
    connect(seed_, &QLineEdit::textChanged, this, &BatchOptionsBox::emitEdited);
    connect(outputFolder_, &QLineEdit::textChanged, this, &BatchOptionsBox::emitEdited);
    connect(pattern_, &QLineEdit::textChanged, this, &BatchOptionsBox::emitEdited);
    connect(format_, &QComboBox::currentIndexChanged, this, &BatchOptionsBox::emitEdited);
    connect(skipExisting_, &QCheckBox::toggled, this, &BatchOptionsBox::emitEdited);
    connect(recursive_, &QCheckBox::toggled, this, &BatchOptionsBox::emitEdited);

    updating_ = true;
    refillModels();
    updating_ = false;
    connect(&registry_, &ModelRegistry::modelsChanged, this, &BatchOptionsBox::refillModels);
    connect(&registry_, &ModelRegistry::defaultChanged, this, &BatchOptionsBox::refillModels);
}

BatchChoices BatchOptionsBox::choices() const {
    BatchChoices o;
    o.modelSpec = model_->currentData().toString();
    o.steps = steps_->value();
    bool ok = false;
    const quint64 seed = seed_->text().toULongLong(&ok);
    if (ok)
        o.seed = seed;
    o.outputFolder = outputFolder_->text().trimmed();
    if (!pattern_->text().trimmed().isEmpty())
        o.namePattern = pattern_->text().trimmed();
    o.format = format_->currentData().toString();
    o.skipExisting = skipExisting_->isChecked();
    o.recursive = recursive_->isChecked();
    return o;
}

QString BatchOptionsBox::setChoices(const BatchChoices& o) {
    QString problem;
    updating_ = true;
    if (!o.modelSpec.isEmpty()) {
        const int index = model_->findData(o.modelSpec);
        if (index >= 0)
            model_->setCurrentIndex(index);
        else
            problem = tr("The model %1 is not available; the batch uses %2.")
                          .arg(o.modelSpec, model_->currentText());
    }
    steps_->setValue(std::clamp(o.steps, 0, kMaxSteps));
    seed_->setText(QString::number(o.seed));
    outputFolder_->setText(QDir::toNativeSeparators(o.outputFolder));
    pattern_->setText(o.namePattern);
    const int format = format_->findData(o.format);
    format_->setCurrentIndex(format >= 0 ? format : 0);
    skipExisting_->setChecked(o.skipExisting);
    recursive_->setChecked(o.recursive);
    updating_ = false;
    return problem;
}

bool BatchOptionsBox::offersModel(const QString& spec) const {
    return model_->findData(spec) >= 0;
}

void BatchOptionsBox::emitEdited() {
    if (!updating_)
        Q_EMIT edited();
}

void BatchOptionsBox::refillModels() {
    const QString keep = model_->currentData().toString();
    const QString defaultSpec = registry_.defaultSpec();
    {
        const QSignalBlocker blocker(model_);
        model_->clear();
        for (const ModelEntry& e : registry_.models()) {
            if (!e.error.isEmpty()) // unusable packages are listed in the model manager only
                continue;
            model_->addItem(e.spec == defaultSpec ? tr("%1 (default)").arg(e.displayName)
                                                  : e.displayName,
                            e.spec);
            model_->setItemData(model_->count() - 1,
                                e.embedded ? e.description : QDir::toNativeSeparators(e.spec),
                                Qt::ToolTipRole);
        }
        int index = model_->findData(keep);
        if (index < 0)
            index = model_->findData(defaultSpec);
        model_->setCurrentIndex(index);
    }
    if (model_->currentData().toString() != keep)
        emitEdited(); // tokens such as {model} and {steps} follow the model
}

void BatchOptionsBox::chooseOutputFolder() {
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Choose the Output Folder"),
                                                             outputFolder_->text());
    if (!folder.isEmpty())
        outputFolder_->setText(QDir::toNativeSeparators(folder));
}

} // namespace shiftsr::gui
