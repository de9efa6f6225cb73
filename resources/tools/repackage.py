#!/usr/bin/env python3
"""Rewrites a ShiftSR model package's metadata (and drops tensors) without touching the weights.

    python3 resources/tools/repackage.py IN.safetensors OUT.safetensors \
        [--set KEY=VALUE | --set KEY.FIELD=JSON]... [--unset KEY]... [--drop-prefix PREFIX]... --note TEXT

--set KEY=VALUE replaces a metadata string; KEY.FIELD=JSON sets one field of a JSON-valued entry
(sampler, codec_config, ...). --drop-prefix removes every tensor whose name starts with PREFIX.
The provenance gains a "repackaged" list entry: the input's sha256, the changes and the note, so
that the package says what was done to it. Standard library only; tensor bytes are copied as
they are (their offsets are recomputed).
"""
import argparse
import hashlib
import json
import os
import struct
import sys
import tempfile


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    ap.add_argument("--unset", action="append", default=[], metavar="KEY")
    ap.add_argument("--drop-prefix", action="append", default=[], metavar="PREFIX")
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
            entry[field] = json.loads(value)
            meta[top] = json.dumps(entry, separators=(",", ":"), sort_keys=True)
        else:
            meta[key] = value
        changes.append("set " + item)
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
    provenance.setdefault("repackaged", []).append(
        {"from_sha256": hashlib.sha256(data).hexdigest(), "changes": changes, "note": a.note})
    meta["provenance"] = json.dumps(provenance, separators=(",", ":"), sort_keys=True)

    out_header = {"__metadata__": meta}
    out_header.update(tensors)
    text = json.dumps(out_header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    folder = os.path.dirname(os.path.abspath(a.output))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".repackage-")
    with os.fdopen(fd, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))
    os.replace(tmp, a.output)
    print("%s: %d tensors, %s" % (a.output, len(tensors), "; ".join(changes)))


if __name__ == "__main__":
    sys.exit(main())
