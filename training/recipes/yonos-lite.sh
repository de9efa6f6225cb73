#!/usr/bin/env bash
# YONOS-lite x4, all four stages, one run folder each under ROOT (resumed where a stage stopped):
#   bash training/recipes/yonos-lite.sh PHOTOS ROOT [SCALE_OF_BUDGET]
# PHOTOS: a folder of training photos (training/data/fetch-photos.sh makes the project's set: use
# its train/ folder, never heldout/). SCALE_OF_BUDGET (default 1) multiplies every stage's steps:
# 1 is what two CPU cores do in about an hour; a GPU machine takes 20 or more. The autoencoder
# learns on 64 px crops (it is convolutional: the crop size only bounds the context it sees).
# Environment: SHIFTSR_TRAIN (default: shiftsr-train on PATH, else build/app/shiftsr-train),
# THREADS (default: all cores), BATCH (default 8), CODEC (f4 or f8, default f4).
set -euo pipefail
PHOTOS=$(realpath "${1:?usage: yonos-lite.sh PHOTOS ROOT [SCALE]}")
ROOT=${2:?usage: yonos-lite.sh PHOTOS ROOT [SCALE]}
SCALE=${3:-1}
HERE=$(cd "$(dirname "$0")/../.." && pwd)
TRAIN=${SHIFTSR_TRAIN:-$(command -v shiftsr-train || echo "$HERE/build/app/shiftsr-train")}
THREADS=${THREADS:-$(nproc)}
BATCH=${BATCH:-8}
CODEC=${CODEC:-f4}
mkdir -p "$ROOT"
ROOT=$(realpath "$ROOT")

steps() { python3 -c "print(max(1, int($1 * $SCALE)))"; }

# stage NAME JSON: runs (or resumes, or skips when finished) one stage.
stage() {
    local name=$1 json=$2 dir="$ROOT/$1"
    if [ -f "$dir/model.safetensors" ]; then
        echo "$name: done ($dir/model.safetensors)"
        return
    fi
    if [ -f "$dir/checkpoints/latest.txt" ]; then
        echo "$name: resuming $dir"
        "$TRAIN" --resume "$dir"
    else
        rm -rf "$dir"
        printf '%s\n' "$json" >"$ROOT/$name.json"
        echo "$name: starting $dir"
        "$TRAIN" yonos --config "$ROOT/$name.json" --out "$dir"
    fi
    [ -f "$dir/model.safetensors" ] || { echo "$name: stopped before the end; run again to resume" >&2; exit 1; }
}

common() { # steps [crop]
    cat <<JSON
"preset": "lite", "data": {"train": "$PHOTOS", "gt_size": ${2:-128}, "degradation": "realesrgan", "workers": 2},
"batch": $BATCH, "steps": $1, "threads": $THREADS, "log_every": 10, "checkpoint_every": 100,
"validate_every": 250, "validation": {"count": 4, "size": 128}, "seed": 20261207, "ema": 0.995
JSON
}

stage autoencoder "{\"kind\": \"yonos\", \"yonos\": {\"stage\": \"autoencoder\", \"codec\": \"$CODEC\"}, $(common "$(steps 1200)" 64)}"
stage teacher "{\"kind\": \"yonos\", \"yonos\": {\"stage\": \"teacher\", \"scale\": 2, \"one_step_fraction\": 0.5}, \"autoencoder\": \"$ROOT/autoencoder/model.safetensors\", $(common "$(steps 1500)")}"
stage student "{\"kind\": \"yonos\", \"yonos\": {\"stage\": \"distil\", \"scale\": 4, \"one_step_fraction\": 0.5}, \"teacher\": \"$ROOT/teacher/model.safetensors\", $(common "$(steps 1200)")}"
stage decoder "{\"kind\": \"yonos\", \"yonos\": {\"stage\": \"decoder\"}, \"base\": \"$ROOT/student/model.safetensors\", \"name\": \"ShiftSR YONOS-lite x4\", $(common "$(steps 400)")}"
# The paper's Figure 3 comparison: the same U-Net trained directly at x4 for the student's
# compute (teacher steps + student steps), from the same autoencoder.
if [ "${DIRECT_BASELINE:-0}" = 1 ]; then
    stage direct-x4 "{\"kind\": \"yonos\", \"yonos\": {\"stage\": \"teacher\", \"scale\": 4, \"one_step_fraction\": 0.5}, \"autoencoder\": \"$ROOT/autoencoder/model.safetensors\", \"name\": \"YONOS-lite x4 trained directly\", $(common "$(steps 2700)")}"
fi
echo "YONOS-lite x4: $ROOT/decoder/model.safetensors"
