// ImportCheckpointDialog: file pickers for published weights, their autoencoder and the package
// name.
#include "shiftsr/gui/import_checkpoint_dialog.h"

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
#include <QVBoxLayout>

namespace shiftsr::gui {

ImportCheckpointDialog::ImportCheckpointDialog(QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("Import Published Weights"));

    auto* intro = new QLabel(
        tr("Choose weights published for other programs: ResShift and its one-step students "
           "(SinSR, RSD) with the autoencoder they work in, or Real-ESRGAN, ESRGAN and the compact "
           "Real-ESRGAN networks (.pth, .safetensors, or ncnn .param with its .bin). The family is "
           "recognised from the file; it is converted into one model package in the model folder "
           "and the original files are left as they are."),
        this);
    intro->setWordWrap(true);

    auto pathRow = [this](QLineEdit** edit, const QString& objectName, const QString& caption,
                          const QString& filter, const QString& placeholder) {
        auto* row = new QWidget(this);
        auto* layout = new QHBoxLayout(row);
        layout->setContentsMargins(0, 0, 0, 0);
        *edit = new QLineEdit(row);
        (*edit)->setObjectName(objectName);
        (*edit)->setPlaceholderText(placeholder);
        (*edit)->setClearButtonEnabled(true);
        auto* browseButton = new QPushButton(tr("Browse…"), row);
        layout->addWidget(*edit, 1);
        layout->addWidget(browseButton);
        QLineEdit* target = *edit;
        connect(browseButton, &QPushButton::clicked, this,
                [this, target, caption, filter] { browse(target, caption, filter); });
        connect(target, &QLineEdit::textChanged, this, &ImportCheckpointDialog::validate);
        return row;
    };

    const QString checkpointFilter =
        tr("Weights (*.pth *.pt *.ckpt *.safetensors *.param);;All files (*)");
    auto* form = new QFormLayout;
    form->addRow(tr("&Weights:"),
                 pathRow(&unet_, QStringLiteral("unetPath"), tr("Choose the Weights"),
                         checkpointFilter,
                         tr("e.g. RealESRGAN_x4plus.pth or resshift_realsrx4_s4_v3.pth")));
    form->addRow(tr("&Autoencoder (diffusion models):"),
                 pathRow(&autoencoder_, QStringLiteral("autoencoderPath"),
                         tr("Choose the Autoencoder Checkpoint"), checkpointFilter,
                         tr("e.g. autoencoder_vq_f4.pth; none for GAN models")));
    form->addRow(tr("&Configuration (optional):"),
                 pathRow(&config_, QStringLiteral("configPath"), tr("Choose the Configuration"),
                         tr("JSON files (*.json);;All files (*)"),
                         tr("Read from the weights where they say it")));
    schedule_ = new QComboBox(this);
    schedule_->setObjectName(QStringLiteral("schedule"));
    schedule_->addItem(tr("Automatic (from the file name or the configuration)"), QString());
    const std::pair<const char*, const char*> presets[] = {
        {"v3", QT_TR_NOOP("ResShift v3, 4 steps")},
        {"v1", QT_TR_NOOP("ResShift v1, 15 steps")},
        {"v2", QT_TR_NOOP("ResShift v2, 15 steps")},
        {"bicsr", QT_TR_NOOP("ResShift bicubic x4, 4 steps")},
        {"x2", QT_TR_NOOP("ResShift x2, 4 steps")},
        {"sinsr", QT_TR_NOOP("SinSR one-step student")},
        {"rsd", QT_TR_NOOP("RSD one-step student")}};
    for (const auto& [key, text] : presets)
        schedule_->addItem(tr(text), QString::fromLatin1(key));
    form->addRow(tr("ResShift &schedule:"), schedule_);
    name_ = new QLineEdit(this);
    name_->setObjectName(QStringLiteral("name"));
    name_->setPlaceholderText(tr("Derived from what the file holds"));
    form->addRow(tr("&Name:"), name_);

    problem_ = new QLabel(this);
    problem_->setWordWrap(true);

    buttons_ = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons_->button(QDialogButtonBox::Ok)->setText(tr("&Import"));
    connect(buttons_, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons_, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(problem_);
    layout->addStretch(1);
    layout->addWidget(buttons_);
    resize(640, sizeHint().height());
    validate();
}

QString ImportCheckpointDialog::unetPath() const {
    return unet_->text().trimmed();
}
QString ImportCheckpointDialog::autoencoderPath() const {
    return autoencoder_->text().trimmed();
}
QString ImportCheckpointDialog::configPath() const {
    return config_->text().trimmed();
}
QString ImportCheckpointDialog::name() const {
    return name_->text().trimmed();
}
QString ImportCheckpointDialog::schedule() const {
    return schedule_->currentData().toString();
}

void ImportCheckpointDialog::setUnetPath(const QString& path) {
    unet_->setText(path);
}
void ImportCheckpointDialog::setAutoencoderPath(const QString& path) {
    autoencoder_->setText(path);
}
void ImportCheckpointDialog::setConfigPath(const QString& path) {
    config_->setText(path);
}
void ImportCheckpointDialog::setName(const QString& name) {
    name_->setText(name);
}
void ImportCheckpointDialog::setSchedule(const QString& preset) {
    const int i = schedule_->findData(preset);
    schedule_->setCurrentIndex(i < 0 ? 0 : i);
}

void ImportCheckpointDialog::browse(QLineEdit* edit, const QString& caption,
                                    const QString& filter) {
    // Start where the user last was: the field's own file, else the folder of another field's.
    QString start = edit->text().trimmed();
    for (const QLineEdit* other : {unet_, autoencoder_, config_})
        if (start.isEmpty() && !other->text().trimmed().isEmpty())
            start = QFileInfo(other->text().trimmed()).absolutePath();
    const QString path = QFileDialog::getOpenFileName(this, caption, start, filter);
    if (!path.isEmpty())
        edit->setText(QDir::toNativeSeparators(path));
}

void ImportCheckpointDialog::validate() {
    QString problem;
    auto check = [&problem](const QString& path, bool required, const QString& missing,
                            const QString& notAFile) {
        if (!problem.isEmpty())
            return;
        if (path.isEmpty()) {
            if (required)
                problem = missing;
        } else if (!QFileInfo(path).isFile()) {
            problem = notAFile.arg(QDir::toNativeSeparators(path));
        }
    };
    check(unetPath(), true, tr("Choose the weights file."),
          tr("The weights file %1 does not exist."));
    check(autoencoderPath(), false, QString(), tr("The autoencoder checkpoint %1 does not exist."));
    check(configPath(), false, QString(), tr("The configuration file %1 does not exist."));
    problem_->setText(problem);
    problem_->setVisible(!problem.isEmpty());
    buttons_->button(QDialogButtonBox::Ok)->setEnabled(problem.isEmpty());
}

} // namespace shiftsr::gui
