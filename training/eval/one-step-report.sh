#!/usr/bin/env bash
# Regenerates the one-step report (docs/reports/one-step-vs-multi-step): bicubic, the embedded
# teacher (its steps and 1 step), the embedded RSD student, a YONOS-SR package, Real-ESRGAN x4fast
# and x4plus as Upscayl runs them (ncnn on Mesa's lavapipe) and the same two networks imported
# into ShiftSR packages (`shiftsr-cli import` of the same ncnn files) and run in fp32 on the CPU.
#
#   bash training/eval/one-step-report.sh PHOTOS [OUT] [YONOS_PACKAGE]
#
# PHOTOS: held-out photos (never training photos). OUT: default the report's folder. Without
# YONOS_PACKAGE the YONOS row is left out. Everything runs in fp32 on 2 threads.
# Environment: SHIFTSR_CLI (default: shiftsr-cli on PATH, else build/app/shiftsr-cli).
set -euo pipefail
HERE=$(cd "$(dirname "$0")/../.." && pwd)
PHOTOS=${1:?usage: one-step-report.sh PHOTOS [OUT] [YONOS_PACKAGE]}
OUT=${2:-$HERE/docs/reports/one-step-vs-multi-step}
YONOS=${3:-}
CLI=${SHIFTSR_CLI:-$(command -v shiftsr-cli || echo "$HERE/build/app/shiftsr-cli")}
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/shiftsr
REF_DIR="$CACHE/realesrgan"
X4FAST=$(bash "$HERE/training/eval/fetch-realesrgan.sh" "$REF_DIR")
X4PLUS=$(REALESRGAN_MODEL=realesrgan-x4plus bash "$HERE/training/eval/fetch-realesrgan.sh" "$REF_DIR")
MODELS="$REF_DIR/package/dist/upscaler/sub-classes/model-manager/models"
mkdir -p "$CACHE/imported"
"$CLI" import "$MODELS/realesrgan-x4fast.param" -o "$CACHE/imported/realesrgan-x4fast.safetensors"
"$CLI" import "$MODELS/realesrgan-x4plus.param" -o "$CACHE/imported/realesrgan-x4plus.safetensors"
args=(--data "$PHOTOS" --crop 192 --degradation realesrgan --seed 1 --threads 2 --precision fp32
      teacher=embedded:lite-teacher --one-step rsd=embedded:lite-rsd)
[ -n "$YONOS" ] && args+=("yonos-lite=$YONOS")
args+=(--external "$X4FAST"
       "x4fast-fp32=$CACHE/imported/realesrgan-x4fast.safetensors"
       --external "$X4PLUS"
       "x4plus-fp32=$CACHE/imported/realesrgan-x4plus.safetensors"
       --report "$OUT")
"$CLI" eval "${args[@]}"
