#!/usr/bin/env python3
"""A diagnostic dataset for training speed: 300 videos of 96 noise clips (128-d), each with
four fixed codes in its four quarters; two queries per video name one code each ("the red
circle jumps" = code 0, ...). A model that reads the query finds its code; one that does not
is right a quarter of the time. Used in BENCHMARKS.md ("How fast CMIN learns to read the
query").

    python3 scripts/toy_codes.py OUT_DIR      (needs numpy)
    cmin train --train OUT_DIR/train.json --val OUT_DIR/train.json --features OUT_DIR/features ...
"""
import json
import os
import sys

import numpy as np

out = sys.argv[1]
os.makedirs(os.path.join(out, "features"), exist_ok=True)
rng = np.random.default_rng(0)
codes = rng.standard_normal((4, 128)).astype(np.float32)
texts = ["the red circle jumps", "the blue square spins", "the green star grows", "the yellow triangle shrinks"]
annotations = {}
for i in range(300):
    features = rng.standard_normal((96, 128)).astype(np.float32)
    spans = []
    for quarter, k in enumerate(rng.permutation(4)):
        length = rng.integers(4, 17)
        start = quarter * 24 + rng.integers(0, 24 - length + 1)
        features[start:start + length] += codes[k]
        spans.append((k, start, length))
    video = f"v{i:04d}"
    np.save(os.path.join(out, "features", f"{video}.npy"), features)
    annotations[video] = {
        "duration": 48.0,
        "sentences": [texts[k] for k, _, _ in spans[:2]],
        "timestamps": [[s * 0.5, (s + n) * 0.5] for _, s, n in spans[:2]],
    }
with open(os.path.join(out, "train.json"), "w") as f:
    json.dump(annotations, f)
