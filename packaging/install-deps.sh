#!/usr/bin/env bash
# Installs every Debian 12 package ShiftSR needs to build, test and run. Idempotent; root or sudo.
# --package: also what making and checking the Debian package needs (packaging/dev.sh package).
# --sanitizers: also clang and its sanitizer and libFuzzer runtimes (packaging/dev.sh asan, fuzz).
set -euo pipefail

PACKAGES=(
    build-essential cmake ninja-build pkg-config git clang-format
    qt6-base-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools qt6-translations-l10n
    qt6-charts-dev libqt6opengl6-dev libgl-dev libxkbcommon-dev libvulkan-dev
    libtorch-dev libgloo-dev libopencv-dev opencv-data libexiv2-dev nlohmann-json3-dev zlib1g-dev
    libjpeg62-turbo-dev libpng-dev libtiff-dev libwebp-dev   # image_codecs.cpp calls them directly
    libopenblas0-pthread
    xvfb
    python3 python3-pil   # training/data/fetch-photos.sh unpacks the training photos
)
if [ "${1:-}" = "--package" ]; then
    # man pages (help2man), cpack's DEB (dpkg-shlibdeps in dpkg-dev, fakeroot), the checks of
    # packaging/test-package.sh (desktop-file-validate, appstreamcli, lintian, man).
    PACKAGES+=(help2man dpkg-dev fakeroot file desktop-file-utils appstream lintian man-db)
fi
if [ "${1:-}" = "--sanitizers" ]; then
    PACKAGES+=(clang libclang-rt-14-dev)
fi

missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all ${#PACKAGES[@]} packages are installed"
else
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "install-deps: run as root or install sudo" >&2; exit 1; }
        SUDO="sudo"
    fi
    echo "install-deps: installing ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The reference BLAS is ~15x slower than OpenBLAS: make sure the alternative points at OpenBLAS.
if command -v update-alternatives >/dev/null; then
    blas=$(update-alternatives --list libblas.so.3-x86_64-linux-gnu 2>/dev/null | grep openblas | head -1 || true)
    cur=$(readlink -f /etc/alternatives/libblas.so.3-x86_64-linux-gnu 2>/dev/null || true)
    if [ -n "$blas" ] && [ "$cur" != "$(readlink -f "$blas")" ]; then
        SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
        $SUDO update-alternatives --set libblas.so.3-x86_64-linux-gnu "$blas" || true
    fi
fi
