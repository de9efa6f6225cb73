#!/usr/bin/env python3
"""Rewrites a ShiftSR model package's metadata (and drops tensors) without touching the weights.

    python3 resources/tools/repackage.py IN.safetensors OUT.safetensors \
        [--set KEY=VALUE | --set KEY.FIELD=JSON]... [--unset KEY]... [--drop-prefix PREFIX]... \
        [--replace-path PATH=TEXT]... [--allow-absolute-paths] --note TEXT

--set KEY=VALUE replaces a metadata string (`--set "name=ShiftSR Lite one-step (RSD)"` renames the
package); KEY.FIELD=JSON sets one field of a JSON-valued entry (sampler, codec_config, provenance,
...). --drop-prefix removes every tensor whose name starts with PREFIX. --replace-path replaces
the absolute path PATH (and every path under it) wherever the provenance names it, however deeply
nested (training data folders, earlier runs' provenance), by TEXT, a description that holds on any
machine such as "photos/train (training/data/fetch-photos.sh)".
The provenance gains a "repackaged" list entry: the input's sha256, the changes and the note, so
that the package says what was done to it. A package leaves with no absolute path in its
provenance (they name the machine it was trained on, and mean nothing on another); the tool stops
when one is left, unless --allow-absolute-paths. Standard library only; tensor bytes are copied as
they are (their offsets are recomputed).
"""
import argparse
import hashlib
import json
import os
import re
import struct
import sys
import tempfile

# An absolute path of some machine inside a text: "/dir/..." at the start of a word, or "C:\...".
ABSOLUTE_PATH = re.compile(r"(?:^|[\s\"'(\[=,])(/[\w.~-]+(?:/[^\s\"',;)\]]*)?)|(?:^|\W)([A-Za-z]:[\\/]\S*)")
# Old values longer than this are not repeated in the change record (JSON blobs).
SHORT_VALUE = 120


def absolute_paths(value):
    """Every absolute path mentioned in the strings of a JSON value."""
    if isinstance(value, str):
        return [m.group(1) or m.group(2) for m in ABSOLUTE_PATH.finditer(value)]
    if isinstance(value, list):
        return [p for v in value for p in absolute_paths(v)]
    if isinstance(value, dict):
        return [p for v in value.values() for p in absolute_paths(v)]
    return []


def replace_path(value, old, new):
    """`value` with every string that is `old` or a path under it rewritten; and the count."""
    if isinstance(value, str):
        if value == old:
            return new, 1
        if value.startswith(old + "/"):
            return new + value[len(old):], 1
        return value, 0
    if isinstance(value, list):
        done = [replace_path(v, old, new) for v in value]
        return [v for v, _ in done], sum(n for _, n in done)
    if isinstance(value, dict):
        done = {k: replace_path(v, old, new) for k, v in value.items()}
        return {k: v for k, (v, _) in done.items()}, sum(n for _, n in done.values())
    return value, 0


def was(old):
    """The change record's ' (was: OLD)' for a short old value: a rename says what the name was."""
    if old is None:
        return ""
    text = old if isinstance(old, str) else json.dumps(old)
    return " (was: %s)" % text if len(text) <= SHORT_VALUE else ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    ap.add_argument("--unset", action="append", default=[], metavar="KEY")
    ap.add_argument("--drop-prefix", action="append", default=[], metavar="PREFIX")
    ap.add_argument("--replace-path", action="append", default=[], metavar="PATH=TEXT")
    ap.add_argument("--allow-absolute-paths", action="store_true")
    ap.add_argument("--note", required=True)
    a = ap.parse_args()

    data = open(a.input, "rb").read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    body = data[8 + n:]
    meta = header.pop("__metadata__", {})

    changes = []
    for item in a.set:
        key, _, value = item.partition("=")
        top, _, field = key.partition(".")
        if field:
            entry = json.loads(meta[top]) if top in meta else {}
            old = entry.get(field)
            entry[field] = json.loads(value)
            meta[top] = json.dumps(entry, separators=(",", ":"), sort_keys=True)
        else:
            old = meta.get(key)
            meta[key] = value
        changes.append("set " + item + was(old))
    for key in a.unset:
        if meta.pop(key, None) is not None:
            changes.append("unset " + key)

    tensors, offset, chunks = {}, 0, []
    dropped = 0
    for name in sorted(header, key=lambda k: header[k]["data_offsets"][0]):
        info = header[name]
        if any(name.startswith(p) for p in a.drop_prefix):
            dropped += 1
            continue
        begin, end = info["data_offsets"]
        chunks.append(body[begin:end])
        tensors[name] = dict(info, data_offsets=[offset, offset + end - begin])
        offset += end - begin
    if a.drop_prefix:
        changes.append("dropped %d tensors under %s" % (dropped, ", ".join(a.drop_prefix)))

    provenance = json.loads(meta.get("provenance", "{}"))
    for item in a.replace_path:
        old, _, new = item.partition("=")
        old = old.rstrip("/")
        if not old.startswith("/") and not re.match(r"[A-Za-z]:[\\/]", old):
            sys.exit("--replace-path %s: not an absolute path" % old)
        provenance, count = replace_path(provenance, old, new)
        # The old path is left out on purpose: recording it would put it back in the package.
        changes.append("replaced an absolute path by \"%s\" in %d places" % (new, count))
    provenance.setdefault("repackaged", []).append(
        {"from_sha256": hashlib.sha256(data).hexdigest(), "changes": changes, "note": a.note})
    left = sorted(set(absolute_paths(provenance)))
    if left and not a.allow_absolute_paths:
        sys.exit("the provenance still names absolute paths (replace them with --replace-path "
                 "or keep them with --allow-absolute-paths): " + ", ".join(left))
    meta["provenance"] = json.dumps(provenance, separators=(",", ":"), sort_keys=True)

    out_header = {"__metadata__": meta}
    out_header.update(tensors)
    text = json.dumps(out_header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    folder = os.path.dirname(os.path.abspath(a.output))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".repackage-")
    with os.fdopen(fd, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))
    os.chmod(tmp, os.stat(a.input).st_mode & 0o777)  # mkstemp's 0600 would hide it from others
    os.replace(tmp, a.output)
    print("%s: %d tensors, %s" % (a.output, len(tensors), "; ".join(changes)))


if __name__ == "__main__":
    sys.exit(main())
