// ImportCheckpointDialog: asks for the files of an official ResShift checkpoint (UNet, autoencoder,
// optional configuration) and a name for the package made from them.
#pragma once

#include <QDialog>
#include <QString>

class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace shiftsr::gui {

class ImportCheckpointDialog : public QDialog {
    Q_OBJECT
public:
    explicit ImportCheckpointDialog(QWidget* parent = nullptr);

    QString unetPath() const;
    QString autoencoderPath() const;
    QString configPath() const; // empty: the official v3 realsr x4 configuration
    QString name() const;       // empty: derived from the configuration

    void setUnetPath(const QString& path);
    void setAutoencoderPath(const QString& path);
    void setConfigPath(const QString& path);
    void setName(const QString& name);

private:
    void browse(QLineEdit* edit, const QString& caption, const QString& filter);
    void validate();

    QLineEdit* unet_ = nullptr;
    QLineEdit* autoencoder_ = nullptr;
    QLineEdit* config_ = nullptr;
    QLineEdit* name_ = nullptr;
    QLabel* problem_ = nullptr;
    QDialogButtonBox* buttons_ = nullptr;
};

} // namespace shiftsr::gui
