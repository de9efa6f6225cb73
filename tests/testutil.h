// Shared helpers for the Qt Test suites: where the sources, fixtures and tiny test models are.
#pragma once

#include <QString>
#include <QStringList>

namespace testutil {

// The source tree (SHIFTSR_SOURCE_DIR, set by CTest).
QString sourceDir();
// Parity fixtures: $SHIFTSR_FIXTURE_DIR, else the configured default (../shared/fixtures).
QString fixtureDir();
// Every folder below fixtureDir() that holds a case.safetensors.
QStringList fixtureCases();
// Reads a whole file; empty on failure.
QByteArray readAll(const QString& path);
bool writeAll(const QString& path, const QByteArray& bytes);

} // namespace testutil
