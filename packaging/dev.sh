#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine: `run` installs, builds and upscales the sample photo;
# `test` installs, builds and runs the default test set (CTest label `unit`).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${SHIFTSR_BUILD_DIR:-$ROOT/build}
JOBS=${SHIFTSR_JOBS:-$(nproc)}

bash packaging/install-deps.sh
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" -j "$JOBS"

case "${1:-run}" in
run)
    mkdir -p "$ROOT/out"
    "$BUILD/app/shiftsr-cli" upscale resources/samples/chelsea-lq.png -o "$ROOT/out/chelsea-x4.png"
    ;;
test)
    ctest --test-dir "$BUILD" -L unit --output-on-failure -j "$JOBS" --timeout 1200
    ;;
*)
    echo "usage: packaging/dev.sh [run|test]" >&2
    exit 2
    ;;
esac
