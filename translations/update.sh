#!/usr/bin/env bash
# Refreshes the .ts files from the app's sources (tr() strings of ui/ and app/gui/); obsolete
# entries are dropped. Then translate the new entries (Qt Linguist, or by editing the XML) and commit.
# shiftsr_en.ts holds the English plural forms only ("%n step(s)" -> "1 step", "4 steps").
set -euo pipefail
cd "$(dirname "$0")/.."
LUPDATE=$(command -v lupdate || echo /usr/lib/qt6/bin/lupdate)
"$LUPDATE" -no-obsolete -locations relative ui app/gui -ts translations/shiftsr_de.ts
"$LUPDATE" -no-obsolete -pluralonly -locations relative ui app/gui -ts translations/shiftsr_en.ts
