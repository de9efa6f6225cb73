// Shared helpers for the Qt Test suites: where the sources, fixtures and tiny test models are.
#pragma once

#include <QFileInfo>
#include <QString>
#include <QStringList>

namespace testutil {

// The source tree (SHIFTSR_SOURCE_DIR, set by CTest).
QString sourceDir();
// The parity fixtures in the repository (tests/fixtures; resshift-tiny is always there).
QString fixtureDir();
// Every folder that holds a case.safetensors below fixtureDir() and below each folder named by
// $SHIFTSR_FIXTURE_DIR and the configured SHIFTSR_FIXTURE_DIR (':'-separated), each once.
QStringList fixtureCases();
// A fixture a test needs is missing: a failure (a parity check that silently checks nothing is
// worse than none), or a skip where SHIFTSR_ALLOW_MISSING_FIXTURES=1. Every suite uses this.
#define SHIFTSR_REQUIRE_FIXTURE(path)                                                              \
    do {                                                                                           \
        if (!QFileInfo::exists(path)) {                                                            \
            const QString missing_ = QStringLiteral("fixture not found: ") + (path);               \
            if (qEnvironmentVariableIntValue("SHIFTSR_ALLOW_MISSING_FIXTURES"))                    \
                QSKIP(qPrintable(missing_));                                                       \
            QFAIL(qPrintable(missing_));                                                           \
        }                                                                                          \
    } while (0)
// The bundled sample photo (resources/samples/chelsea-lq.png, 112x75).
QString samplePhoto();
// Reads a whole file; empty on failure.
QByteArray readAll(const QString& path);
bool writeAll(const QString& path, const QByteArray& bytes);

} // namespace testutil
