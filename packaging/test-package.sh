#!/usr/bin/env bash
# Install test of the Debian package (CTest label `package`; `bash packaging/test-package.sh [DEB]`).
# Without DEB it builds one with `packaging/dev.sh package` (in $SHIFTSR_BUILD_DIR, default build/).
# Then: unpacks it with dpkg -x into a temporary root; runs the installed shiftsr-cli --version and
# upscales the sample photo with it; checks that the desktop entry, icons, metainfo, man pages,
# completion and copyright are where they belong and that the programs are stripped and carry no
# RPATH; validates the desktop entry and the metainfo; runs lintian (no errors allowed); and
# greps the installed files for the source and build folders. With SHIFTSR_PACKAGE_TEST_INSTALL=1,
# as root, it also installs the package with dpkg -i (apt-get -f for its dependencies), finds
# `man shiftsr-cli`, runs the installed programs from PATH, and removes the package again.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${SHIFTSR_BUILD_DIR:-$ROOT/build}
APP_ID=io.github.shiftsr.ShiftSR
failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}
step() { echo "== $*"; }

if [ $# -ge 1 ]; then
    DEB=$(readlink -f "$1")
else
    step "building the package (packaging/dev.sh package)"
    log=$(mktemp)
    if ! SHIFTSR_BUILD_DIR=$BUILD bash packaging/dev.sh package >"$log" 2>&1; then
        tail -40 "$log" >&2
        echo "test-package: packaging/dev.sh package failed" >&2
        exit 1
    fi
    DEB=$(tail -1 "$log")
    rm -f "$log"
fi
[ -f "$DEB" ] || { echo "test-package: no package at '$DEB'" >&2; exit 1; }
step "package $DEB ($(du -h "$DEB" | cut -f1))"
dpkg-deb --field "$DEB" Package Version Architecture Section Depends Recommends | sed 's/^/   /'

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
DEST=$WORK/root
dpkg -x "$DEB" "$DEST"

step "installed files"
expect_file() {
    if [ -f "$DEST/$1" ]; then echo "   /$1"; else fail "missing /$1"; fi
}
for p in shiftsr shiftsr-cli shiftsr-train; do
    expect_file "usr/bin/$p"
    expect_file "usr/share/man/man1/$p.1.gz"
done
expect_file usr/share/applications/$APP_ID.desktop
expect_file usr/share/metainfo/$APP_ID.metainfo.xml
expect_file usr/share/icons/hicolor/scalable/apps/$APP_ID.svg
for size in 16 24 32 48 64 128 256 512; do
    expect_file usr/share/icons/hicolor/${size}x$size/apps/$APP_ID.png
done
expect_file usr/share/bash-completion/completions/shiftsr-cli
expect_file usr/share/bash-completion/completions/shiftsr-train
expect_file usr/share/doc/shiftsr/copyright
expect_file usr/share/doc/shiftsr/changelog.gz
expect_file usr/share/doc/shiftsr/README.md
expect_file usr/share/doc/shiftsr/models/TRAINING-DATA.md
# Nothing outside /usr (no /usr/local, no build-tree layout).
outside=$(cd "$DEST" && find . -mindepth 1 -maxdepth 1 ! -name usr)
[ -z "$outside" ] || fail "files outside /usr: $outside"

step "the programs: stripped, no RPATH, system libraries only"
for p in shiftsr shiftsr-cli shiftsr-train; do
    bin=$DEST/usr/bin/$p
    file -b "$bin" | grep -q "not stripped" && fail "$p is not stripped"
    if readelf -d "$bin" | grep -qE "RPATH|RUNPATH"; then
        fail "$p has a search path: $(readelf -d "$bin" | grep -E 'RPATH|RUNPATH')"
    fi
    missing=$(ldd "$bin" | grep "not found" || true)
    [ -z "$missing" ] || fail "$p: libraries not found: $missing"
    echo "   $p: $(du -h "$bin" | cut -f1), $(ldd "$bin" | wc -l) libraries"
done

step "the installed shiftsr-cli and shiftsr-train run"
version=$(sed -nE 's/^project\(ShiftSR VERSION ([0-9.]+).*/\1/p' CMakeLists.txt)
out=$("$DEST/usr/bin/shiftsr-cli" --version)
[ "$out" = "shiftsr-cli $version" ] || fail "shiftsr-cli --version printed '$out', want 'shiftsr-cli $version'"
out=$("$DEST/usr/bin/shiftsr-train" --version)
[ "$out" = "shiftsr-train $version" ] || fail "shiftsr-train --version printed '$out'"
out=$(QT_QPA_PLATFORM=offscreen "$DEST/usr/bin/shiftsr" --version 2>/dev/null)
[ "$out" = "ShiftSR $version" ] || fail "shiftsr --version printed '$out'"
echo "   version $version"

step "upscaling the sample photo with the installed shiftsr-cli (embedded default model)"
"$DEST/usr/bin/shiftsr-cli" upscale resources/samples/chelsea-lq.png -o "$WORK/chelsea-x4.png" -q
# The sample is 112x75: the result must be 448x300 (PNG header: width and height at byte 16).
size=$(od -An -tu1 -j16 -N8 "$WORK/chelsea-x4.png" |
    awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 "x" $5 * 16777216 + $6 * 65536 + $7 * 256 + $8 }')
[ "$size" = "448x300" ] || fail "the upscaled sample is $size, want 448x300"
echo "   chelsea-lq.png -> $size"

step "desktop entry and metainfo validate"
desktop-file-validate "$DEST/usr/share/applications/$APP_ID.desktop" || fail "desktop-file-validate"
appstreamcli validate --no-net "$DEST/usr/share/metainfo/$APP_ID.metainfo.xml" ||
    fail "appstreamcli validate --no-net"

step "man pages render"
for p in shiftsr shiftsr-cli shiftsr-train; do
    page=$DEST/usr/share/man/man1/$p.1.gz
    [ -f "$page" ] || continue
    text=$(zcat "$page" | MANWIDTH=80 man -l - 2>"$WORK/man.err" | col -b)
    grep -q "$p" <<<"$text" || fail "man page of $p does not render"
    grep -qE -- "--version" <<<"$text" || fail "man page of $p lacks --version"
    [ ! -s "$WORK/man.err" ] || fail "man page of $p: $(cat "$WORK/man.err")"
done

step "no source or build folder in the installed files"
for dir in "$ROOT" "$(readlink -f "$BUILD")"; do
    hits=$(grep -rlaF "$dir" "$DEST" || true)
    [ -z "$hits" ] || fail "installed files name $dir: $hits"
done

step "lintian"
lintian --tag-display-limit 0 "$DEB" >"$WORK/lintian.txt" 2>&1 || true
grep -v "running with root privileges" "$WORK/lintian.txt" | sed 's/^/   /' || true
if grep -q "^E:" "$WORK/lintian.txt"; then fail "lintian reports errors"; fi

if [ "${SHIFTSR_PACKAGE_TEST_INSTALL:-0}" = 1 ] && [ "$(id -u)" -eq 0 ]; then
    step "dpkg -i, man, run from PATH, apt-get remove (this changes the system)"
    if dpkg -s shiftsr >/dev/null 2>&1; then
        fail "a shiftsr package is installed already: not touching it"
    else
        dpkg -i "$DEB" || DEBIAN_FRONTEND=noninteractive apt-get install -f -y -qq
        dpkg -s shiftsr | grep -q "Status: install ok installed" || fail "dpkg -i did not install shiftsr"
        page=$(man -w shiftsr-cli 2>&1) || true
        [ "$page" = /usr/share/man/man1/shiftsr-cli.1.gz ] || fail "man -w shiftsr-cli: '$page'"
        echo "   man -w shiftsr-cli: $page"
        man shiftsr-cli 2>/dev/null | col -b | grep -q "shiftsr-cli" || fail "man shiftsr-cli shows nothing"
        out=$(env -i PATH=/usr/bin:/bin shiftsr-cli --version)
        [ "$out" = "shiftsr-cli $version" ] || fail "installed shiftsr-cli --version: '$out'"
        env -i PATH=/usr/bin:/bin shiftsr-cli upscale resources/samples/chelsea-lq.png \
            -o "$WORK/installed-x4.png" -q || fail "the installed shiftsr-cli could not upscale"
        echo "   $(command -v shiftsr-cli): $out; upscaled the sample"
        DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq shiftsr
        [ ! -e /usr/bin/shiftsr-cli ] || fail "apt-get remove left /usr/bin/shiftsr-cli"
        ! dpkg -s shiftsr 2>/dev/null | grep -q "Status: install ok installed" ||
            fail "shiftsr is still installed"
        echo "   removed"
    fi
else
    step "dpkg -i skipped (needs root and SHIFTSR_PACKAGE_TEST_INSTALL=1)"
fi

if [ "$failures" -ne 0 ]; then
    echo "test-package: $failures check(s) failed" >&2
    exit 1
fi
echo "test-package: $(basename "$DEB") passed"
