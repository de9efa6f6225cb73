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
    QByteArray env = qgetenv("SHIFTSR_FIXTURE_DIR");
    if (env.isEmpty())
        env = qgetenv("SHIFTSR_DEFAULT_FIXTURE_DIR");
    if (env.isEmpty())
        return QDir(sourceDir()).absoluteFilePath(QStringLiteral("../shared/fixtures"));
    return QString::fromLocal8Bit(env);
}

QStringList fixtureCases() {
    QStringList out;
    QDirIterator it(fixtureDir(), {QStringLiteral("case.safetensors")}, QDir::Files,
                    QDirIterator::Subdirectories | QDirIterator::FollowSymlinks);
    while (it.hasNext())
        out << QFileInfo(it.next()).absolutePath();
    out.sort();
    return out;
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
