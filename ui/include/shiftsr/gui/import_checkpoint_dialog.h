// ImportCheckpointDialog: asks for published weights (any family importWeights recognises), the
// autoencoder a latent diffusion model needs, an optional configuration or schedule preset, and a
// name for the package made from them.
#pragma once

#include <QDialog>
#include <QString>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace shiftsr::gui {

class ImportCheckpointDialog : public QDialog {
    Q_OBJECT
public:
    explicit ImportCheckpointDialog(QWidget* parent = nullptr);

    QString unetPath() const;        // the weights (a ResShift UNet, a GAN, ...)
    QString autoencoderPath() const; // empty: none (GAN families need none)
    QString configPath() const;      // empty: from the shapes, the file name or the preset
    QString name() const;            // empty: derived from what is detected
    QString schedule() const;        // a ResShift preset; empty: automatic

    void setUnetPath(const QString& path);
    void setAutoencoderPath(const QString& path);
    void setConfigPath(const QString& path);
    void setName(const QString& name);
    void setSchedule(const QString& preset); // "" = automatic

private:
    void browse(QLineEdit* edit, const QString& caption, const QString& filter);
    void validate();

    QLineEdit* unet_ = nullptr;
    QLineEdit* autoencoder_ = nullptr;
    QLineEdit* config_ = nullptr;
    QLineEdit* name_ = nullptr;
    QComboBox* schedule_ = nullptr;
    QLabel* problem_ = nullptr;
    QDialogButtonBox* buttons_ = nullptr;
};

} // namespace shiftsr::gui
