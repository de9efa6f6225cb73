#!/usr/bin/env bash
# Unit test (CTest linux_data) of the files installed beside the programs:
# - the bash completion offers every command and option that `--help` prints, and completes
#   commands, option values and image files when driven as bash drives it;
# - the AppStream metainfo's newest release and the Debian changelog carry the project's version;
# - the desktop entry, the metainfo and the icons agree on the app id and the image types;
# - each committed icon PNG has the size its name says.
# usage: check-data.sh VERSION SHIFTSR_CLI SHIFTSR_TRAIN
set -euo pipefail
VERSION=$1 CLI=$2 TRAIN=$3
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
APP_ID=io.github.shiftsr.ShiftSR
failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# The completion functions driven as bash drives them: COMP_WORDS/COMP_CWORD in, COMPREPLY out.
complete_words() { # script function word... : prints the candidates for the last word, sorted
    bash -c 'source "$1"; f=$2; shift 2; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); "$f"
             printf "%s\n" "${COMPREPLY[@]}" | sort' _ "$@"
}
expect() { # expected-candidates (space separated) script function word...
    local want=$1 got
    shift
    got=$(complete_words "$@" | xargs)
    [ "$got" = "$want" ] || fail "completing '${*:3}': got '$got', want '$want'"
}
CLI_BASH=$HERE/shiftsr-cli.bash TRAIN_BASH=$HERE/shiftsr-train.bash

# Every command and option a program's --help prints is offered: commands as the first word,
# options after "-" (as the first word or after one of the commands).
check_help_covered() { # program completion-script function
    local prog=$1 script=$2 fn=$3 name help opts cmds offered opt cmd
    name=$(basename "$prog")
    help=$("$prog" --help)
    opts=$(grep -oE '(^|[][ |(,])--?[a-zA-Z][a-zA-Z0-9-]*' <<<"$help" | sed -E 's/^[][ |(,]//' | sort -u)
    cmds=$(sed -nE "s/^  $name ([a-z][a-z-]*).*/\1/p" <<<"$help" | sort -u)
    [ -n "$opts" ] && [ -n "$cmds" ] || fail "$name --help lists no options or no commands"
    offered=$(complete_words "$script" "$fn" "$name" "")
    for cmd in $cmds; do
        grep -qx -- "$cmd" <<<"$offered" || fail "$name: command $cmd of --help is not completed"
    done
    offered=$({
        complete_words "$script" "$fn" "$name" -
        for cmd in $cmds; do complete_words "$script" "$fn" "$name" "$cmd" -; done
    } | sort -u)
    for opt in $opts; do
        grep -qx -- "$opt" <<<"$offered" || fail "$name: option $opt of --help is not completed"
    done
    echo "$name: the $(wc -w <<<"$cmds") commands and $(wc -w <<<"$opts") options of --help are completed"
}
check_help_covered "$CLI" "$CLI_BASH" _shiftsr_cli
check_help_covered "$TRAIN" "$TRAIN_BASH" _shiftsr_train
expect "upscale" "$CLI_BASH" _shiftsr_cli shiftsr-cli up
expect "--color-fix" "$CLI_BASH" _shiftsr_cli shiftsr-cli upscale a.png --colo
expect "wavelet" "$CLI_BASH" _shiftsr_cli shiftsr-cli upscale a.png --color-fix w
expect "--data --degradation --device" "$CLI_BASH" _shiftsr_cli shiftsr-cli eval --d
expect "reconstruct rsd" "$TRAIN_BASH" _shiftsr_train shiftsr-train r
expect "--crop --data --help --json --limit --no-color-fix" "$TRAIN_BASH" _shiftsr_train shiftsr-train reconstruct m.safetensors --
expect "--resume" "$TRAIN_BASH" _shiftsr_train shiftsr-train --r
expect "--half --help" "$TRAIN_BASH" _shiftsr_train shiftsr-train export RUN --h
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/photos"
touch "$tmp/a.png" "$tmp/b.JPG" "$tmp/notes.txt" "$tmp/m.safetensors"
(
    cd "$tmp"
    expect "a.png b.JPG photos" "$CLI_BASH" _shiftsr_cli shiftsr-cli upscale ""
    expect "m.safetensors photos" "$CLI_BASH" _shiftsr_cli shiftsr-cli upscale a.png --model ""
    expect "photos" "$TRAIN_BASH" _shiftsr_train shiftsr-train --resume ""
) || failures=$((failures + 1))

# Versions: the metainfo's newest release and the Debian changelog's top entry.
metainfo=$HERE/$APP_ID.metainfo.xml
release=$(grep -oE '<release version="[^"]+"' "$metainfo" | head -1 | cut -d'"' -f2)
[ "$release" = "$VERSION" ] || fail "newest release in $(basename "$metainfo") is '$release', the project is $VERSION"
changelog=$(sed -nE '1s/^shiftsr \(([^)]+)\).*/\1/p' "$HERE/changelog")
[ "$changelog" = "$VERSION" ] || fail "packaging/linux/changelog starts with '$changelog', the project is $VERSION"

# One app id and one list of image types in the desktop entry and the metainfo.
desktop=$HERE/$APP_ID.desktop
grep -qx "Icon=$APP_ID" "$desktop" || fail "the desktop entry's Icon is not $APP_ID"
grep -q "<id>$APP_ID</id>" "$metainfo" || fail "the metainfo's id is not $APP_ID"
grep -q "<launchable type=\"desktop-id\">$APP_ID.desktop</launchable>" "$metainfo" ||
    fail "the metainfo does not launch $APP_ID.desktop"
desktop_types=$(sed -n 's/^MimeType=//p' "$desktop" | tr ';' '\n' | sed '/^$/d' | sort | xargs)
meta_types=$(grep -oE '<mediatype>[^<]+' "$metainfo" | cut -d'>' -f2 | sort | xargs)
[ "$desktop_types" = "$meta_types" ] || fail "desktop MimeType '$desktop_types' != metainfo mediatypes '$meta_types'"
grep -qF "setDesktopFileName(QStringLiteral(\"$APP_ID\"))" "$ROOT/app/gui/main.cpp" || fail "app/gui/main.cpp does not set the desktop file name $APP_ID"

# Icons: every PNG is as large as its name says (width and height from the IHDR chunk).
icons=$ROOT/resources/icons
[ -f "$icons/$APP_ID.svg" ] || fail "no scalable icon $APP_ID.svg"
n=0
for png in "$icons"/hicolor/*.png; do
    size=$(basename "$png" .png)
    read -r w h < <(od -An -tu1 -j16 -N8 "$png" |
        awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4, $5 * 16777216 + $6 * 65536 + $7 * 256 + $8 }')
    [ "$w" = "$size" ] && [ "$h" = "$size" ] || fail "$png is ${w}x$h"
    n=$((n + 1))
done
[ "$n" -ge 6 ] || fail "only $n icon sizes in resources/icons/hicolor"

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed" >&2
    exit 1
fi
echo "linux data: completion, versions, app id, media types and $n icon sizes agree"
