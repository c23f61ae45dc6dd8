"""Joins two feature dumps side by side (same texts, same order) into a third, in the format
bench/glove-features/sentence-holdout.py reads, to score an encoder's vectors beside glove-lex-v2's.

    /usr/bin/python3 bench/sentence-encoder/concat-features.py /tmp/se/use /tmp/se/v2 /tmp/se/use+v2

Refuses dumps whose texts or labels differ: rows are matched by position, so a difference would pair
one text's vector with another's.
"""
import json
import os
import sys

import numpy as np

a, b, out = sys.argv[1:4]
os.makedirs(out, exist_ok=True)
for name in ["uci", "sst2train"]:
    ja, jb = (json.load(open(f"{d}/{name}.json")) for d in (a, b))
    if ja["texts"] != jb["texts"] or ja["labels"] != jb["labels"]:
        sys.exit(f"{name}: {a} and {b} hold different texts or labels; dump both from the same data")
    xa, xb = (np.fromfile(f"{d}/{name}.f32", dtype=np.float32).reshape(len(j["texts"]), j["dims"]) for d, j in ((a, ja), (b, jb)))
    np.hstack([xa, xb]).astype(np.float32).tofile(f"{out}/{name}.f32")
    json.dump({"embedder": f"{ja['embedder']}+{jb['embedder']}", "dims": ja["dims"] + jb["dims"], "texts": ja["texts"], "labels": ja["labels"]}, open(f"{out}/{name}.json", "w"))
    print(f"{name}: {xa.shape[1]} + {xb.shape[1]} dims, {len(ja['texts'])} rows")
