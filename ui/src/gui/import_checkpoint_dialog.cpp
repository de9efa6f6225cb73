// ImportCheckpointDialog: file pickers for an official ResShift checkpoint and the package name.
#include "shiftsr/gui/import_checkpoint_dialog.h"

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
    setWindowTitle(tr("Import Official ResShift Checkpoint"));

    auto* intro = new QLabel(
        tr("Choose the UNet and autoencoder checkpoints as published by the ResShift authors "
           "(torch.save files). They are converted into one model package in the model folder; "
           "the original files are left as they are."),
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

    const QString checkpointFilter = tr("PyTorch checkpoints (*.pth *.pt *.ckpt);;All files (*)");
    auto* form = new QFormLayout;
    form->addRow(tr("&UNet checkpoint:"),
                 pathRow(&unet_, QStringLiteral("unetPath"), tr("Choose the UNet Checkpoint"),
                         checkpointFilter, tr("e.g. resshift_realsrx4_s4_v3.pth")));
    form->addRow(tr("&Autoencoder checkpoint:"),
                 pathRow(&autoencoder_, QStringLiteral("autoencoderPath"),
                         tr("Choose the Autoencoder Checkpoint"), checkpointFilter,
                         tr("e.g. autoencoder_vq_f4.pth")));
    form->addRow(tr("&Configuration (optional):"),
                 pathRow(&config_, QStringLiteral("configPath"), tr("Choose the Configuration"),
                         tr("JSON files (*.json);;All files (*)"),
                         tr("Official v3 realsr x4 configuration")));
    name_ = new QLineEdit(this);
    name_->setObjectName(QStringLiteral("name"));
    name_->setPlaceholderText(tr("Derived from the configuration"));
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
    check(unetPath(), true, tr("Choose the UNet checkpoint."),
          tr("The UNet checkpoint %1 does not exist."));
    check(autoencoderPath(), true, tr("Choose the autoencoder checkpoint."),
          tr("The autoencoder checkpoint %1 does not exist."));
    check(configPath(), false, QString(), tr("The configuration file %1 does not exist."));
    problem_->setText(problem);
    problem_->setVisible(!problem.isEmpty());
    buttons_->button(QDialogButtonBox::Ok)->setEnabled(problem.isEmpty());
}

} // namespace shiftsr::gui
