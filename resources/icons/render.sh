#!/usr/bin/env bash
# Renders the hicolor PNGs from the SVG (package librsvg2-bin). The PNGs are committed, so that a
# build needs no SVG renderer; run this after changing the SVG.
set -euo pipefail
cd "$(dirname "$0")"
for size in 16 24 32 48 64 128 256 512; do
    rsvg-convert -w "$size" -h "$size" io.github.shiftsr.ShiftSR.svg -o "hicolor/$size.png"
done
