// Translations: the German catalogue is complete (every message of shiftsr_de.ts finished, with the
// source's placeholders), compiled into the app (the embedded .qm answers every message), installed
// for a German locale; English plural forms read naturally.
#include "testutil.h"

#include "shiftsr/i18n/i18n.h"

#include <QCoreApplication>
#include <QRegularExpression>
#include <QSet>
#include <QTranslator>
#include <QXmlStreamReader>
#include <QtTest>

namespace {

struct Message {
    QString context, source, comment;
    QStringList translations; // one, or the numerus forms
    bool numerus = false, unfinished = false;
};

QList<Message> readTs(const QString& path) {
    QList<Message> out;
    QXmlStreamReader xml(testutil::readAll(path));
    QString context;
    Message m;
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isStartElement()) {
            const auto name = xml.name();
            if (name == QLatin1String("name"))
                context = xml.readElementText();
            else if (name == QLatin1String("message")) {
                m = Message{};
                m.context = context;
                m.numerus =
                    xml.attributes().value(QLatin1String("numerus")) == QLatin1String("yes");
            } else if (name == QLatin1String("source"))
                m.source = xml.readElementText();
            else if (name == QLatin1String("comment"))
                m.comment = xml.readElementText();
            else if (name == QLatin1String("translation")) {
                m.unfinished =
                    xml.attributes().value(QLatin1String("type")) == QLatin1String("unfinished");
                if (!m.numerus)
                    m.translations << xml.readElementText();
            } else if (name == QLatin1String("numerusform"))
                m.translations << xml.readElementText();
        } else if (xml.isEndElement() && xml.name() == QLatin1String("message")) {
            out << m;
        }
    }
    if (xml.hasError())
        qWarning() << path << xml.errorString();
    return out;
}

QSet<QString> placeholders(const QString& text) {
    QSet<QString> out;
    static const QRegularExpression re(QStringLiteral("%(\\d+|n)"));
    for (auto it = re.globalMatch(text); it.hasNext();)
        out.insert(it.next().captured(0));
    return out;
}

} // namespace

class TestTranslations : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void germanIsComplete() {
        const auto messages = readTs(testutil::sourceDir() + "/translations/shiftsr_de.ts");
        QVERIFY(messages.size() > 100);
        for (const Message& m : messages) {
            const QString where = m.context + ": " + m.source;
            QVERIFY2(!m.unfinished, qPrintable("unfinished: " + where));
            QVERIFY2(!m.translations.isEmpty(), qPrintable(where));
            if (m.numerus)
                QVERIFY2(m.translations.size() == 2,
                         qPrintable("German needs 2 plural forms: " + where));
            for (const QString& t : m.translations) {
                QVERIFY2(!t.trimmed().isEmpty(), qPrintable("empty: " + where));
                QVERIFY2(placeholders(t) == placeholders(m.source),
                         qPrintable("placeholders differ: " + where + " -> " + t));
                QVERIFY2(t.count(QLatin1Char('&')) <=
                             qMax<qsizetype>(1, m.source.count(QLatin1Char('&'))),
                         qPrintable("accelerators: " + where + " -> " + t));
            }
        }
    }

    void embeddedCatalogueAnswersEveryMessage() {
        QVERIFY(shiftsr::i18n::availableLanguages().contains(QStringLiteral("de")));
        QTranslator de;
        QVERIFY(de.load(QLocale(QLocale::German, QLocale::Germany), QStringLiteral("shiftsr"),
                        QStringLiteral("_"), QStringLiteral(":/i18n")));
        for (const Message& m : readTs(testutil::sourceDir() + "/translations/shiftsr_de.ts")) {
            const QByteArray ctx = m.context.toUtf8(), src = m.source.toUtf8(),
                             cmt = m.comment.toUtf8();
            const QString t =
                de.translate(ctx.constData(), src.constData(),
                             m.comment.isEmpty() ? nullptr : cmt.constData(), m.numerus ? 1 : -1);
            QVERIFY2(!t.isEmpty(),
                     qPrintable("not in the embedded catalogue: " + m.context + ": " + m.source));
        }
    }

    // Without a catalogue for the language, the English plural forms are installed.
    void englishFallback() {
        QVERIFY(!shiftsr::i18n::installTranslators(*QCoreApplication::instance(),
                                                   QLocale(QLocale::Swahili)));
        const auto messages = readTs(testutil::sourceDir() + "/translations/shiftsr_en.ts");
        QVERIFY(!messages.isEmpty());
        const QByteArray ctx = messages.first().context.toUtf8(),
                         src = messages.first().source.toUtf8();
        QVERIFY(!QCoreApplication::translate(ctx.constData(), src.constData(), nullptr, 2)
                     .contains(QStringLiteral("(s)")));
    }

    void installedForGermanLocale() {
        QVERIFY(shiftsr::i18n::installTranslators(*QCoreApplication::instance(),
                                                  QLocale(QLocale::German)));
        const QString t = QCoreApplication::translate("shiftsr::gui::MainWindow", "&File");
        QVERIFY2(t != QStringLiteral("&File") && !t.isEmpty(), qPrintable(t));
    }

    void englishPluralForms() {
        QTranslator en;
        QVERIFY(en.load(QLocale(QLocale::English, QLocale::UnitedStates), QStringLiteral("shiftsr"),
                        QStringLiteral("_"), QStringLiteral(":/i18n")));
        const auto messages = readTs(testutil::sourceDir() + "/translations/shiftsr_en.ts");
        QVERIFY(!messages.isEmpty());
        for (const Message& m : messages) {
            QVERIFY2(m.numerus && !m.unfinished, qPrintable(m.source));
            const QByteArray ctx = m.context.toUtf8(), src = m.source.toUtf8();
            const QString one = en.translate(ctx.constData(), src.constData(), nullptr, 1);
            const QString many = en.translate(ctx.constData(), src.constData(), nullptr, 4);
            QVERIFY2(!one.contains(QStringLiteral("(s)")) && !many.contains(QStringLiteral("(s)")),
                     qPrintable(m.source));
        }
    }
};

QTEST_GUILESS_MAIN(TestTranslations)
#include "tst_translations.moc"
