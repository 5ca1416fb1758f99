#!/usr/bin/env python3
"""Seed corpus for fuzz_safetensors_header: the JSON headers of every golden safetensors file
(the harness wraps them into well-formed images) plus a few small complete files.

usage: make_seed_corpus.py GOLDEN_DIR OUT_DIR
"""
import hashlib
import json
import pathlib
import struct
import sys


def put(out: pathlib.Path, data: bytes) -> None:
    (out / hashlib.sha1(data).hexdigest()).write_bytes(data)


def main() -> int:
    golden, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    n = 0
    for f in sorted(golden.rglob("*.safetensors")):
        with f.open("rb") as fh:
            (length,) = struct.unpack("<Q", fh.read(8))
            header = fh.read(length)
        put(out, header)
        n += 1
    # Small complete images (length prefix + header + data) for the raw-image mode.
    def image(hdr: dict, data: bytes) -> bytes:
        h = json.dumps(hdr).encode()
        h += b" " * (-len(h) % 8)
        return struct.pack("<Q", len(h)) + h + data
    put(out, image({"__metadata__": {"format": "pt"},
                    "a": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]},
                    "b": {"dtype": "BF16", "shape": [3], "data_offsets": [16, 22]},
                    "c": {"dtype": "BOOL", "shape": [], "data_offsets": [22, 23]}}, bytes(23)))
    put(out, image({"e": {"dtype": "F8_E4M3", "shape": [0, 5], "data_offsets": [0, 0]}}, b""))
    put(out, image({}, b""))
    print(f"{n} headers + 3 images -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
