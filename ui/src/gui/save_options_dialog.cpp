// SaveOptionsDialog: the form over AppSettings' output folder, name pattern, format, quality and
// ask-again choice, with the file name the result being saved would get.
#include "shiftsr/gui/save_options_dialog.h"

#include "shiftsr/engine/batch_plan.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <map>
#include <string>

namespace shiftsr::gui {

namespace {

bool hasQuality(const QString& extension) {
    return extension == QLatin1String("jpg") || extension == QLatin1String("jpeg") ||
           extension == QLatin1String("webp");
}

} // namespace

SaveOptionsDialog::SaveOptionsDialog(const AppSettings& settings, Purpose purpose,
                                     const QString& keptExtension, QWidget* parent)
    : QDialog(parent), base_(settings), keptExtension_(keptExtension) {
    setObjectName(QStringLiteral("saveOptionsDialog"));
    setWindowTitle(purpose == Purpose::Save ? tr("Save Result") : tr("Save Options"));

    auto* form = form_ = new QFormLayout;
    result_ = new QLabel(this);
    result_->setObjectName(QStringLiteral("result"));
    form->addRow(tr("Result:"), result_);
    form->setRowVisible(result_, false);

    // Folder: next to the input, or one chosen here.
    auto* folderBox = new QWidget(this);
    auto* folderLayout = new QVBoxLayout(folderBox);
    folderLayout->setContentsMargins(0, 0, 0, 0);
    nextToInput_ = new QRadioButton(tr("Next to the in&put file"), folderBox);
    nextToInput_->setObjectName(QStringLiteral("nextToInput"));
    chosenFolder_ = new QRadioButton(tr("In this fol&der:"), folderBox);
    chosenFolder_->setObjectName(QStringLiteral("chosenFolder"));
    auto* group = new QButtonGroup(this);
    group->addButton(nextToInput_);
    group->addButton(chosenFolder_);
    folder_ = new QLineEdit(settings.outputFolder, folderBox);
    folder_->setObjectName(QStringLiteral("folder"));
    auto* browse = new QPushButton(tr("&Browse…"), folderBox);
    auto* chosenRow = new QHBoxLayout;
    chosenRow->addWidget(chosenFolder_);
    chosenRow->addWidget(folder_, 1);
    chosenRow->addWidget(browse);
    folderLayout->addWidget(nextToInput_);
    folderLayout->addLayout(chosenRow);
    (settings.outputFolder.isEmpty() ? nextToInput_ : chosenFolder_)->setChecked(true);
    form->addRow(tr("Folder:"), folderBox);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString folder =
            QFileDialog::getExistingDirectory(this, tr("Output Folder"), folder_->text());
        if (folder.isEmpty())
            return;
        folder_->setText(QDir::toNativeSeparators(folder));
        chosenFolder_->setChecked(true);
    });
    // Typing a folder means saving there.
    connect(folder_, &QLineEdit::textEdited, this, [this] { chosenFolder_->setChecked(true); });

    pattern_ = new QLineEdit(settings.namePattern, this);
    pattern_->setObjectName(QStringLiteral("pattern"));
    pattern_->setToolTip(tr("Tokens: {name} input file name, {ext} extension, {scale}, {steps}, "
                            "{model}, {seed}"));
    form->addRow(tr("File &name:"), pattern_);
    preview_ = new QLabel(this);
    preview_->setObjectName(QStringLiteral("preview"));
    preview_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    preview_->setWordWrap(true);
    form->addRow(QString(), preview_);

    format_ = new QComboBox(this);
    format_->setObjectName(QStringLiteral("format"));
    format_->addItem(keptExtension.isEmpty()
                         ? tr("Same as the input")
                         : tr("Same as the input (%1)").arg(formatName(keptExtension)),
                     QStringLiteral("keep"));
    for (const char* ext : {"png", "jpg", "tif", "webp", "bmp"})
        format_->addItem(formatName(QLatin1String(ext)), QLatin1String(ext));
    format_->setCurrentIndex(std::max(0, format_->findData(settings.outputFormat)));
    form->addRow(tr("&Format:"), format_);
    quality_ = new QSpinBox(this);
    quality_->setObjectName(QStringLiteral("quality"));
    quality_->setRange(1, 100);
    quality_->setValue(settings.quality);
    quality_->setToolTip(tr("Quality of JPEG and WebP files"));
    form->addRow(tr("&Quality:"), quality_);

    askOnSave_ = new QCheckBox(tr("&Ask again on every Save"), this);
    askOnSave_->setObjectName(QStringLiteral("askOnSave"));
    askOnSave_->setChecked(settings.askOnSave);
    form->addRow(QString(), askOnSave_);

    auto* note = new QLabel(tr("Save follows this choice without asking; File ▸ Save Options… "
                               "changes it. Save As… always asks for a file name, and Save never "
                               "replaces another file without asking."),
                            this);
    note->setWordWrap(true);

    buttons_ = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    if (purpose == Purpose::Save)
        buttons_->button(QDialogButtonBox::Ok)->setText(tr("&Save"));
    connect(buttons_, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons_, &QDialogButtonBox::rejected, this, &QDialog::reject);

    for (QRadioButton* b : {nextToInput_, chosenFolder_})
        connect(b, &QRadioButton::toggled, this, &SaveOptionsDialog::updateState);
    connect(folder_, &QLineEdit::textChanged, this, &SaveOptionsDialog::updateState);
    connect(pattern_, &QLineEdit::textChanged, this, &SaveOptionsDialog::updateState);
    connect(format_, &QComboBox::currentIndexChanged, this, &SaveOptionsDialog::updateState);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(note);
    layout->addWidget(buttons_);
    resize(560, sizeHint().height());
    updateState();
}

void SaveOptionsDialog::setResult(const QString& label,
                                  std::function<QString(const AppSettings&)> pathFor) {
    result_->setText(label);
    form_->setRowVisible(result_, !label.isEmpty());
    pathFor_ = std::move(pathFor);
    updateState();
}

AppSettings SaveOptionsDialog::settings() const {
    AppSettings s = base_;
    s.outputFolder = chosenFolder_->isChecked()
                         ? QDir::fromNativeSeparators(folder_->text().trimmed())
                         : QString();
    s.outputFormat = format_->currentData().toString();
    const QString pattern = pattern_->text().trimmed();
    s.namePattern = pattern.isEmpty() ? AppSettings().namePattern : pattern;
    s.quality = quality_->value();
    s.askOnSave = askOnSave_->isChecked();
    s.saveOptionsChosen = true;
    return s;
}

QString SaveOptionsDialog::extension() const {
    const QString format = format_->currentData().toString();
    return format == QLatin1String("keep") ? keptExtension_ : format;
}

void SaveOptionsDialog::updateState() {
    const AppSettings s = settings();
    const QString ext = extension();
    // Unknown until an input is open: "same as the input" may be a JPEG.
    quality_->setEnabled(ext.isEmpty() || hasQuality(ext));

    QString problem;
    if (chosenFolder_->isChecked() && s.outputFolder.isEmpty())
        problem = tr("Choose a folder, or save next to the input file.");
    else if (!s.outputFolder.isEmpty() && !QFileInfo(s.outputFolder).isDir())
        problem = tr("This folder does not exist.");
    buttons_->button(QDialogButtonBox::Ok)->setEnabled(problem.isEmpty());
    if (!problem.isEmpty()) {
        preview_->setText(problem);
        return;
    }
    if (pathFor_) {
        preview_->setText(tr("Saves as %1").arg(QDir::toNativeSeparators(pathFor_(s))));
        return;
    }
    const std::map<std::string, std::string> tokens = {
        {"name", "photo"},     {"ext", ext.isEmpty() ? "jpg" : ext.toStdString()},
        {"scale", "4"},        {"steps", "4"},
        {"model", "resshift"}, {"seed", std::to_string(s.seed)}};
    preview_->setText(
        tr("Example: %1")
            .arg(QString::fromStdString(expandPattern(s.namePattern.toStdString(), tokens))));
}

QString SaveOptionsDialog::formatName(const QString& extension) {
    const QString e = extension.toLower();
    if (e == QLatin1String("png"))
        return tr("PNG");
    if (e == QLatin1String("jpg") || e == QLatin1String("jpeg"))
        return tr("JPEG");
    if (e == QLatin1String("tif") || e == QLatin1String("tiff"))
        return tr("TIFF");
    if (e == QLatin1String("webp"))
        return tr("WebP");
    if (e == QLatin1String("bmp"))
        return tr("BMP");
    return e.toUpper();
}

QString SaveOptionsDialog::summary(const AppSettings& settings, const QString& keptExtension) {
    if (!settings.saveOptionsChosen)
        return tr("Save the selected result; the first time, asks where and how");
    if (settings.askOnSave)
        return tr("Save the selected result, asking where and how each time");
    const bool keep = settings.outputFormat == QLatin1String("keep");
    const QString ext = keep ? keptExtension : settings.outputFormat;
    QString format = ext.isEmpty() ? tr("the input's format") : formatName(ext);
    if (hasQuality(ext))
        format = tr("%1, quality %2").arg(format).arg(settings.quality);
    if (settings.outputFolder.isEmpty())
        return tr("Save next to the input file as %1").arg(format);
    return tr("Save to %1 as %2").arg(QDir::toNativeSeparators(settings.outputFolder), format);
}

} // namespace shiftsr::gui
