// ModelDetailsView: a model's metadata and provenance as forms a person reads, raw JSON on request.
#include "shiftsr/gui/model_details_view.h"

#include <QDir>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace shiftsr::gui {

namespace {

QString fromStd(const std::string& s) {
    return QString::fromStdString(s);
}

QString shortHash(const QString& sha256) {
    return sha256.size() > 8 ? sha256.left(8) + QStringLiteral("…") : sha256;
}

QString number(double value, int decimals) {
    return QLocale().toString(value, 'f', decimals);
}

QString count(const QJsonValue& value) {
    return QLocale().toString(qlonglong(value.toDouble()));
}

QString duration(double seconds) {
    if (seconds < 90)
        return ModelDetailsView::tr("%1 s").arg(qRound(seconds));
    const int minutes = qRound(seconds / 60);
    if (minutes < 60)
        return ModelDetailsView::tr("%1 min").arg(minutes);
    return ModelDetailsView::tr("%1 h %2 min").arg(minutes / 60).arg(minutes % 60);
}

QString nameAndHash(const QString& name, const QString& sha256) {
    if (sha256.isEmpty())
        return name;
    if (name.isEmpty())
        return ModelDetailsView::tr("sha256 %1").arg(shortHash(sha256));
    return ModelDetailsView::tr("%1 (sha256 %2)").arg(name, shortHash(sha256));
}

// The earlier runs a teacher continued from (job.json `init`): each run's provenance holds the one
// before it under init.provenance.
struct Lineage {
    int runs = 1;
    double steps = 0;
    double wallTime = 0;
};

Lineage lineage(const QJsonObject& p) {
    Lineage l;
    for (QJsonObject run = p;;) {
        l.steps += run.value(QLatin1String("steps")).toDouble();
        l.wallTime += run.value(QLatin1String("wall_time_s")).toDouble();
        const QJsonObject before = run.value(QLatin1String("init"))
                                       .toObject()
                                       .value(QLatin1String("provenance"))
                                       .toObject();
        if (before.isEmpty())
            return l;
        run = before;
        ++l.runs;
    }
}

// "this run" with, after a chain of runs, the total over all of them.
QString withLineage(const QString& thisRun, const QString& total, int runs) {
    if (runs < 2)
        return thisRun;
    return ModelDetailsView::tr("%1 in this run, %2 over %3 runs").arg(thisRun, total).arg(runs);
}

QString trainerText(const QJsonObject& p) {
    const QString kind = p.value(QLatin1String("training")).toString();
    QString text = kind;
    if (kind == QLatin1String("teacher"))
        text = ModelDetailsView::tr("teacher training (ResShift, multi-step)");
    else if (kind == QLatin1String("rsd"))
        text = ModelDetailsView::tr("RSD distillation (one-step student)");
    else if (kind == QLatin1String("decoder"))
        text = ModelDetailsView::tr("decoder head training");
    const QString trainer = p.value(QLatin1String("trainer")).toString();
    if (text.isEmpty() || trainer.isEmpty())
        return text.isEmpty() ? trainer : text;
    return ModelDetailsView::tr("%1, %2").arg(text, trainer);
}

QString trainedFrom(const QJsonObject& p) {
    if (p.contains(QLatin1String("teacher")) || p.contains(QLatin1String("teacher_sha256")))
        return nameAndHash(p.value(QLatin1String("teacher")).toString(),
                           p.value(QLatin1String("teacher_sha256")).toString());
    const QJsonObject init = p.value(QLatin1String("init")).toObject();
    QString hash = p.value(QLatin1String("init_sha256")).toString();
    if (hash.isEmpty())
        hash = init.value(QLatin1String("sha256")).toString();
    return nameAndHash(init.value(QLatin1String("name")).toString(), hash);
}

QString stepsText(const QJsonObject& p) {
    if (!p.contains(QLatin1String("steps")))
        return {};
    const QJsonValue steps = p.value(QLatin1String("steps"));
    const QJsonValue planned = p.value(QLatin1String("planned_steps"));
    if (p.value(QLatin1String("finished")).toBool(true) || planned.toDouble() <= steps.toDouble())
        return count(steps);
    return ModelDetailsView::tr("%1 of %2 planned (unfinished)").arg(count(steps), count(planned));
}

QString batchText(const QJsonObject& p) {
    const QJsonValue batch = p.value(QLatin1String("batch"));
    const QJsonValue crop = p.value(QLatin1String("gt_size"));
    if (batch.isDouble() && crop.isDouble())
        return ModelDetailsView::tr("batch %1, %2 px crops").arg(count(batch), count(crop));
    if (batch.isDouble())
        return ModelDetailsView::tr("batch %1").arg(count(batch));
    return crop.isDouble() ? ModelDetailsView::tr("%1 px crops").arg(count(crop)) : QString();
}

QString dataText(const QJsonObject& p) {
    const QJsonValue data = p.value(QLatin1String("data"));
    QStringList folders;
    for (const QJsonValue& v : data.toArray())
        folders << v.toString();
    if (data.isString())
        folders << data.toString();
    folders.removeAll(QString());
    QString text = folders.join(QStringLiteral(", "));
    const QJsonValue photos = p.value(QLatin1String("photos"));
    if (photos.isDouble())
        text = text.isEmpty() ? ModelDetailsView::tr("%1 photos").arg(count(photos))
                              : ModelDetailsView::tr("%1 (%2 photos)").arg(text, count(photos));
    return text;
}

QString wallTimeText(const QJsonObject& p, const Lineage& l) {
    if (!p.contains(QLatin1String("wall_time_s")))
        return {};
    return withLineage(duration(p.value(QLatin1String("wall_time_s")).toDouble()),
                       duration(l.wallTime), l.runs);
}

QString weightsText(const QJsonObject& p) {
    const QString weights = p.value(QLatin1String("weights")).toString();
    QString text = weights == QLatin1String("ema")   ? ModelDetailsView::tr("EMA (moving average)")
                   : weights == QLatin1String("raw") ? ModelDetailsView::tr("raw (last step)")
                                                     : weights;
    QString stored = p.value(QLatin1String("stored_as")).toString();
    if (stored == QLatin1String("f16"))
        stored = QStringLiteral("float16");
    if (stored.isEmpty())
        return text;
    return text.isEmpty() ? ModelDetailsView::tr("stored as %1").arg(stored)
                          : ModelDetailsView::tr("%1, stored as %2").arg(text, stored);
}

QString validationText(const QJsonObject& v) {
    QStringList parts;
    if (v.value(QLatin1String("psnr_y")).isDouble()) {
        QString psnr = ModelDetailsView::tr("PSNR-Y %1 dB")
                           .arg(number(v.value(QLatin1String("psnr_y")).toDouble(), 2));
        if (v.value(QLatin1String("bicubic_psnr_y")).isDouble())
            psnr = ModelDetailsView::tr("%1 (bicubic %2 dB)")
                       .arg(psnr, number(v.value(QLatin1String("bicubic_psnr_y")).toDouble(), 2));
        parts << psnr;
    }
    if (v.value(QLatin1String("ssim_y")).isDouble())
        parts << ModelDetailsView::tr("SSIM-Y %1")
                     .arg(number(v.value(QLatin1String("ssim_y")).toDouble(), 3));
    if (parts.isEmpty())
        return {};
    if (v.value(QLatin1String("images")).isDouble())
        parts << ModelDetailsView::tr("%1 validation photos")
                     .arg(count(v.value(QLatin1String("images"))));
    return parts.join(QStringLiteral(", "));
}

QString headText(const QJsonObject& head) {
    if (!head.value(QLatin1String("layers")).isDouble())
        return {};
    return ModelDetailsView::tr("%1 convolutions of width %2, strength %3")
        .arg(count(head.value(QLatin1String("layers"))),
             count(head.value(QLatin1String("channels"))),
             number(head.value(QLatin1String("strength")).toDouble(), 2));
}

QString repackagedText(const QJsonArray& history) {
    QStringList entries;
    for (const QJsonValue& v : history) {
        const QJsonObject r = v.toObject();
        QStringList changes;
        for (const QJsonValue& c : r.value(QLatin1String("changes")).toArray())
            changes << c.toString();
        QString entry = ModelDetailsView::tr("from %1: %2")
                            .arg(shortHash(r.value(QLatin1String("from_sha256")).toString()),
                                 changes.join(QStringLiteral("; ")));
        const QString note = r.value(QLatin1String("note")).toString();
        if (!note.isEmpty())
            entry += QStringLiteral(" — ") + note;
        entries << entry;
    }
    return entries.join(QLatin1Char('\n'));
}

QString packageSize(const ModelEntry& e) {
    return QLocale().formattedDataSize(e.embedded ? qint64(e.info.fileBytes)
                                                  : QFileInfo(e.spec).size());
}

// A metadata value as JSON: objects and arrays as they are, anything else as a JSON string.
QString jsonText(const std::string& value) {
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(value));
    if (!doc.isNull())
        return QString::fromUtf8(doc.toJson(QJsonDocument::Indented)).trimmed();
    const QByteArray quoted =
        QJsonDocument(QJsonArray{fromStd(value)}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(quoted.mid(1, quoted.size() - 2));
}

} // namespace

QString familyText(const std::string& family) {
    if (family == "resshift")
        return QStringLiteral("ResShift");
    if (family == "yonos")
        return QStringLiteral("YONOS-SR");
    if (family == "realesrgan")
        return ModelDetailsView::tr("Real-ESRGAN (RRDBNet, GAN)");
    if (family == "esrgan")
        return ModelDetailsView::tr("ESRGAN (RRDBNet, GAN)");
    if (family == "srvgg")
        return ModelDetailsView::tr("Real-ESRGAN compact (SRVGGNetCompact, GAN)");
    return fromStd(family);
}

QList<DetailField> provenanceFields(const ModelEntry& e) {
    const auto it = e.info.metadata.find("provenance");
    if (it == e.info.metadata.end())
        return {};
    const QJsonObject p = QJsonDocument::fromJson(QByteArray::fromStdString(it->second)).object();
    QList<DetailField> fields;
    auto add = [&fields](const QString& label, const QString& value, bool hash = false) {
        if (!value.isEmpty())
            fields.append({label, value, hash});
    };

    // Official checkpoints converted by the app or the CLI.
    add(ModelDetailsView::tr("Source"), p.value(QLatin1String("source")).toString());
    add(ModelDetailsView::tr("Converted by"), p.value(QLatin1String("converter")).toString());
    QStringList files;
    for (const QJsonValue& v : p.value(QLatin1String("converted_from")).toArray())
        files << QFileInfo(v.toString()).fileName();
    add(ModelDetailsView::tr("Converted from"), files.join(QStringLiteral(", ")));
    // Imported weights keep their authors' licence; the importer names it where it knows it.
    add(ModelDetailsView::tr("Licence"), p.value(QLatin1String("licence_note")).toString());

    // Packages written by shiftsr-train.
    const Lineage runs = lineage(p);
    add(ModelDetailsView::tr("Trained by"), trainerText(p));
    add(ModelDetailsView::tr("Preset"), p.value(QLatin1String("preset")).toString());
    add(ModelDetailsView::tr("Trained from"), trainedFrom(p));
    if (p.contains(QLatin1String("teacher"))) { // a student continued from an earlier one
        const QJsonObject init = p.value(QLatin1String("init")).toObject();
        add(ModelDetailsView::tr("Continued from"),
            nameAndHash(init.value(QLatin1String("name")).toString(),
                        init.value(QLatin1String("sha256")).toString()));
    }
    if (const QString steps = stepsText(p); !steps.isEmpty())
        add(ModelDetailsView::tr("Training steps"),
            withLineage(steps, count(runs.steps), runs.runs));
    add(ModelDetailsView::tr("Batch and crop size"), batchText(p));
    const QString degradation = p.value(QLatin1String("degradation")).toString();
    add(ModelDetailsView::tr("Degradation"),
        degradation == QLatin1String("realesrgan") ? QStringLiteral("Real-ESRGAN") : degradation);
    add(ModelDetailsView::tr("Data"), dataText(p));
    if (p.value(QLatin1String("seed")).isDouble())
        add(ModelDetailsView::tr("Seed"),
            QString::number(qint64(p.value(QLatin1String("seed")).toDouble())));
    add(ModelDetailsView::tr("Wall time"), wallTimeText(p, runs));
    add(ModelDetailsView::tr("Weights"), weightsText(p));
    add(ModelDetailsView::tr("Validation"),
        validationText(p.value(QLatin1String("validation")).toObject()));

    // A learned decoder head, while the package still has one (repackaging may have removed it).
    const QJsonObject d = p.value(QLatin1String("decoder")).toObject();
    if (!d.isEmpty() && e.info.codec.find("refine") != std::string::npos) {
        add(ModelDetailsView::tr("Decoder head"),
            headText(d.value(QLatin1String("head")).toObject()));
        add(ModelDetailsView::tr("Head trained for"),
            nameAndHash(d.value(QLatin1String("base")).toString(),
                        d.value(QLatin1String("base_sha256")).toString()));
        QStringList training;
        if (const QString steps = stepsText(d); !steps.isEmpty())
            training << ModelDetailsView::tr("%1 steps").arg(steps);
        training << batchText(d);
        if (d.contains(QLatin1String("wall_time_s")))
            training << duration(d.value(QLatin1String("wall_time_s")).toDouble());
        training.removeAll(QString());
        add(ModelDetailsView::tr("Head training"), training.join(QStringLiteral(", ")));
        add(ModelDetailsView::tr("Head validation"),
            validationText(d.value(QLatin1String("validation")).toObject()));
    }
    add(ModelDetailsView::tr("Repackaged"),
        repackagedText(p.value(QLatin1String("repackaged")).toArray()));
    return fields;
}

QString rawMetadataText(const ModelEntry& e) {
    QStringList entries;
    auto add = [&entries](const std::string& key, const std::string& value) {
        QString text = jsonText(value);
        text.replace(QLatin1Char('\n'), QStringLiteral("\n    "));
        entries << QStringLiteral("    %1: %2").arg(jsonText(key), text);
    };
    const auto provenance = e.info.metadata.find("provenance");
    if (provenance != e.info.metadata.end())
        add(provenance->first, provenance->second);
    for (const auto& [key, value] : e.info.metadata)
        if (key != "provenance")
            add(key, value);
    return QStringLiteral("{\n%1\n}").arg(entries.join(QStringLiteral(",\n")));
}

ModelDetailsView::ModelDetailsView(QWidget* parent) : QWidget(parent) {
    title_ = new QLabel(this);
    title_->setObjectName(QStringLiteral("detailsTitle"));
    title_->setTextFormat(Qt::PlainText);
    title_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont big = title_->font();
    big.setBold(true);
    if (big.pointSizeF() > 0)
        big.setPointSizeF(big.pointSizeF() * 1.2);
    title_->setFont(big);

    error_ = new QLabel(this);
    error_->setTextFormat(Qt::PlainText);
    error_->setWordWrap(true);
    error_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    form_ = new QFormLayout;
    form_->setLabelAlignment(Qt::AlignLeft | Qt::AlignTop);
    form_->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form_->setRowWrapPolicy(QFormLayout::DontWrapRows);

    rawToggle_ = new QPushButton(tr("Show raw provenance"), this);
    rawToggle_->setObjectName(QStringLiteral("rawProvenanceToggle"));
    rawToggle_->setCheckable(true);
    raw_ = new QPlainTextEdit(this);
    raw_->setObjectName(QStringLiteral("rawProvenance"));
    raw_->setReadOnly(true);
    raw_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    raw_->setMinimumHeight(240);
    raw_->hide();
    connect(rawToggle_, &QPushButton::toggled, this, [this](bool on) {
        raw_->setVisible(on);
        rawToggle_->setText(on ? tr("Hide raw provenance") : tr("Show raw provenance"));
    });
    auto* toggleRow = new QHBoxLayout;
    toggleRow->addWidget(rawToggle_);
    toggleRow->addStretch(1);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(title_);
    layout->addWidget(error_);
    layout->addLayout(form_);
    layout->addLayout(toggleRow);
    layout->addWidget(raw_, 1);
    layout->addStretch();
    showEntry(nullptr, false);
}

void ModelDetailsView::addFields(const QList<DetailField>& fields) {
    const QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    for (const DetailField& f : fields) {
        auto* value = new QLabel(f.value);
        value->setTextFormat(Qt::PlainText); // package metadata is text, never markup
        value->setWordWrap(!f.hash);
        value->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
        if (f.hash)
            value->setFont(fixed);
        form_->addRow(f.label, value);
    }
}

void ModelDetailsView::addHeading(const QString& text, bool bold) {
    auto* heading = new QLabel(text);
    QFont font = heading->font();
    font.setBold(bold);
    heading->setFont(font);
    if (bold)
        heading->setContentsMargins(0, 8, 0, 0);
    form_->addRow(heading);
}

QList<DetailField> ModelDetailsView::generalFields(const ModelEntry& e, bool isDefault) const {
    QList<DetailField> fields;
    auto add = [&fields](const QString& label, const QString& value, bool hash = false) {
        if (!value.isEmpty())
            fields.append({label, value, hash});
    };
    add(tr("Location"), e.embedded ? tr("Embedded in the application (%1)").arg(e.spec)
                                   : QDir::toNativeSeparators(e.spec));
    if (e.embedded)
        add(tr("Description"), e.description);
    add(tr("Size"), packageSize(e));
    if (e.error.isEmpty()) {
        const ModelInfo& info = e.info;
        add(tr("Family"), familyText(info.family));
        const bool diffusion = info.family == "resshift" || info.family == "yonos";
        add(tr("Sampler"), !diffusion ? tr("single pass (no diffusion)")
                           : info.steps == 1
                               ? tr("one-step (1 step)")
                               : tr("multi-step, %1 steps by default").arg(info.steps));
        add(tr("Codec"), fromStd(info.codec));
        add(tr("Scale"), tr("×%1").arg(info.scale));
        if (diffusion) {
            add(tr("Schedule steps"), QString::number(info.trainedSteps));
            add(tr("UNet parameters"), QLocale().toString(qlonglong(info.unetParameters)));
            add(tr("Codec parameters"), QLocale().toString(qlonglong(info.codecParameters)));
        } else {
            add(tr("Network parameters"), QLocale().toString(qlonglong(info.unetParameters)));
        }
        add(tr("sha256"), info.contentHash.empty() ? tr("computing…") : fromStd(info.contentHash),
            !info.contentHash.empty());
    }
    if (isDefault)
        add(tr("Default model"), tr("yes"));
    return fields;
}

void ModelDetailsView::showEntry(const ModelEntry* e, bool isDefault) {
    const bool usable = e && e->error.isEmpty();
    title_->setText(e ? e->displayName : tr("Select a model to see its details."));
    error_->setVisible(e && !usable);
    if (e && !usable)
        error_->setText(tr("This file is not a usable model package: %1").arg(e->error));
    while (form_->rowCount() > 0)
        form_->removeRow(0);
    if (e)
        addFields(generalFields(*e, isDefault));
    if (usable) {
        addHeading(tr("Provenance"), true);
        const QList<DetailField> provenance = provenanceFields(*e);
        if (provenance.isEmpty())
            addHeading(tr("No provenance recorded."), false);
        addFields(provenance);
    }
    rawToggle_->setVisible(usable);
    raw_->setVisible(usable && rawToggle_->isChecked());
    raw_->setPlainText(usable ? rawMetadataText(*e) : QString());
}

QString ModelDetailsView::fieldValue(const QString& label) const {
    for (int row = 0; row < form_->rowCount(); ++row) {
        const QLayoutItem* name = form_->itemAt(row, QFormLayout::LabelRole);
        const QLayoutItem* value = form_->itemAt(row, QFormLayout::FieldRole);
        const auto* nameLabel = name ? qobject_cast<const QLabel*>(name->widget()) : nullptr;
        const auto* valueLabel = value ? qobject_cast<const QLabel*>(value->widget()) : nullptr;
        if (nameLabel && valueLabel && nameLabel->text() == label)
            return valueLabel->text();
    }
    return {};
}

} // namespace shiftsr::gui
