#!/usr/bin/env bash
# Refreshes the .ts files from the app's sources (tr() strings of ui/ and app/gui/); obsolete
# entries are dropped. Then translate the new entries (Qt Linguist, or by editing the XML) and commit.
set -euo pipefail
cd "$(dirname "$0")/.."
LUPDATE=$(command -v lupdate || echo /usr/lib/qt6/bin/lupdate)
for ts in translations/*.ts; do
    "$LUPDATE" -no-obsolete -locations relative ui app/gui -ts "$ts"
done
