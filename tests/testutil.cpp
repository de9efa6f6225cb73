// Shared helpers for the Qt Test suites.
#include "testutil.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>

namespace testutil {

QString sourceDir() {
    const QByteArray env = qgetenv("SHIFTSR_SOURCE_DIR");
    return env.isEmpty() ? QDir::currentPath() : QString::fromLocal8Bit(env);
}

QString fixtureDir() {
    return QDir(sourceDir()).absoluteFilePath(QStringLiteral("tests/fixtures"));
}

QStringList fixtureCases() {
    QStringList roots{fixtureDir()};
    for (const char* var : {"SHIFTSR_FIXTURE_DIR", "SHIFTSR_EXTRA_FIXTURE_DIRS"})
        roots += QString::fromLocal8Bit(qgetenv(var)).split(QLatin1Char(':'), Qt::SkipEmptyParts);
    QStringList out;
    for (const QString& root : roots) {
        QDirIterator it(root, {QStringLiteral("case.safetensors")}, QDir::Files,
                        QDirIterator::Subdirectories | QDirIterator::FollowSymlinks);
        while (it.hasNext()) {
            const QString dir = QFileInfo(it.next()).canonicalPath();
            if (!out.contains(dir))
                out << dir;
        }
    }
    out.sort();
    return out;
}

QString samplePhoto() {
    return QDir(sourceDir()).absoluteFilePath(QStringLiteral("resources/samples/chelsea-lq.png"));
}

QByteArray readAll(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

bool writeAll(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    return f.write(bytes) == bytes.size();
}

} // namespace testutil
