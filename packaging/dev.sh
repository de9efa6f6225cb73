#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine: `run` installs, builds and starts the desktop app
# with the sample photo loaded (on a machine without a display: upscales it with the CLI instead);
# `test` installs, builds and runs the default test set (CTest label `unit`); `package` builds the
# Debian package and the .tar.gz (a Release build, then cpack) and prints the .deb's path; `fuzz`
# builds the libFuzzer targets (preset fuzz, in build-fuzz) and runs CTest label `fuzz` on them;
# `asan` builds the `asan` preset (clang, AddressSanitizer + UBSan, -O1, in build-asan) and runs the
# unit set under it: `packaging/dev.sh asan [CTEST ARGS]`, e.g. `-R tst_safetensors`;
# SHIFTSR_ASAN_TARGETS="tst_a tst_b" builds only those (a full sanitizer build takes long).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${SHIFTSR_BUILD_DIR:-$ROOT/build}
JOBS=${SHIFTSR_JOBS:-$(nproc)}

if [ "${1:-}" = fuzz ]; then
    # tests/fuzz/README.md; SHIFTSR_FUZZ_SECONDS: how long each target runs (default 30).
    bash packaging/install-deps.sh --sanitizers
    cmake --preset fuzz -DSHIFTSR_FUZZ_SECONDS="${SHIFTSR_FUZZ_SECONDS:-30}" >/dev/null
    cmake --build --preset fuzz -j "$JOBS"
    exec ctest --preset fuzz
fi

if [ "${1:-}" = asan ]; then
    shift
    bash packaging/install-deps.sh --sanitizers
    launcher=()
    if command -v ccache >/dev/null; then
        launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
    fi
    cmake --preset asan "${launcher[@]}" >/dev/null
    targets=()
    for t in ${SHIFTSR_ASAN_TARGETS:-}; do targets+=(--target "$t"); done
    cmake --build build-asan -j "$JOBS" "${targets[@]}"
    # Stop at the first finding, with a stack; leaks are findings too (LeakSanitizer, part of
    # ASan). Suppressions only for third-party libraries, each with its reason in the file.
    SUPP=$ROOT/packaging/sanitizers
    export ASAN_OPTIONS=halt_on_error=1:abort_on_error=0:detect_leaks=1:check_initialization_order=1:strict_init_order=1:detect_stack_use_after_return=0:print_summary=1
    export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:report_error_type=1:suppressions=$SUPP/ubsan.supp
    export LSAN_OPTIONS=suppressions=$SUPP/lsan.supp:print_suppressions=0
    # Sanitized code runs a few times slower: longer per-suite limits than the plain unit set.
    ctest --test-dir build-asan -L unit --output-on-failure -j "$JOBS" --timeout 3600 "$@"
    exit
fi

if [ "${1:-}" = package ]; then
    bash packaging/install-deps.sh --package # help2man for the man pages, the package checks' tools
else
    bash packaging/install-deps.sh
fi
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" -j "$JOBS"

case "${1:-run}" in
run)
    if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -x "$BUILD/app/shiftsr" ]; then
        exec "$BUILD/app/shiftsr" resources/samples/chelsea-lq.png
    fi
    echo "dev.sh: no display: upscaling the sample with the command-line tool instead of starting the app" >&2
    mkdir -p "$ROOT/out"
    "$BUILD/app/shiftsr-cli" upscale resources/samples/chelsea-lq.png -o "$ROOT/out/chelsea-x4.png"
    ;;
screenshots)
    # The README's screenshots, under a virtual X server (package xvfb).
    # English in docs/screenshots, German in docs/screenshots/de.
    mkdir -p docs/screenshots/de
    LANGUAGE=en LANG=C.UTF-8 XDG_CONFIG_HOME=$(mktemp -d) xvfb-run -a -s "-screen 0 1600x1000x24" \
        "$BUILD/app/shiftsr" --screenshots docs/screenshots resources/samples/chelsea-lq.png
    LANGUAGE=de LANG=de_DE.UTF-8 XDG_CONFIG_HOME=$(mktemp -d) xvfb-run -a -s "-screen 0 1600x1000x24" \
        "$BUILD/app/shiftsr" --screenshots docs/screenshots/de resources/samples/chelsea-lq.png
    ;;
test)
    ctest --test-dir "$BUILD" -L unit --output-on-failure -j "$JOBS" --timeout 1200
    ;;
package)
    # Stripped programs, dependencies from dpkg-shlibdeps; both files under $BUILD/packages.
    (cd "$BUILD" && cpack -G "DEB;TGZ" >&2)
    ls -t "$BUILD"/packages/shiftsr_*.deb | head -1
    ;;
*)
    echo "usage: packaging/dev.sh [run|test|screenshots|package|fuzz|asan [CTEST ARGS]]" >&2
    exit 2
    ;;
esac
