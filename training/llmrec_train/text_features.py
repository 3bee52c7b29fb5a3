"""Item text features for the base aligner's text encoder. Default: deterministic hashed n-gram TF-IDF over the
item's title and text fields (genres, director, writer, cast, plot, attributes, year). Alternative: a matrix
precomputed by a frozen ONNX sentence encoder (written by the TypeScript side, which owns onnxruntime) and
passed as a .npy file. Every manifest records which one was used."""
import re
import zlib

import numpy as np

_WORD = re.compile(r"[a-z0-9]+")
FIELDS = ("genres", "director", "writer", "cast", "attributes")


def _tokens(item):
    toks = []
    title = re.sub(r"\(\d{4}\)\s*$", "", item.get("title") or "").lower()
    words = _WORD.findall(title)
    toks += ["t:" + w for w in words] + ["t2:" + a + "_" + b for a, b in zip(words, words[1:])]
    text = item.get("text") or {}
    for f in FIELDS:
        for v in text.get(f) or []:
            toks.append(f + "=" + str(v).lower())
    if text.get("year"):
        toks.append("decade=" + str(int(text["year"]) // 10))
    plot = _WORD.findall((text.get("plot") or "").lower())
    toks += ["p:" + w for w in plot] + ["p2:" + a + "_" + b for a, b in zip(plot, plot[1:])]
    return toks


def hashed_tfidf(items, dim=2048):
    """[n_items, dim] float32, rows L2-normalised (all-zero rows stay zero). Same input -> same bytes."""
    n = len(items)
    rows = []
    df = np.zeros(dim, np.float64)
    for it in items:
        counts = {}
        for t in _tokens(it):
            h = zlib.crc32(t.encode("utf-8")) % dim
            counts[h] = counts.get(h, 0) + 1
        rows.append(counts)
        for h in counts:
            df[h] += 1
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    x = np.zeros((n, dim), np.float32)
    for r, counts in enumerate(rows):
        for h, c in counts.items():
            x[r, h] = (1.0 + np.log(c)) * idf[h]
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, 1e-12)


def load_features(items, cfg):
    """cfg: {"kind": "hashed-tfidf", "dim": 2048} or {"kind": "precomputed", "path": "x.npy", "source": "..."}.
    Returns (matrix, description for the manifest)."""
    kind = cfg.get("kind", "hashed-tfidf")
    if kind == "hashed-tfidf":
        dim = int(cfg.get("dim", 2048))
        return hashed_tfidf(items, dim), {"kind": "hashed-tfidf", "dim": dim}
    if kind == "precomputed":
        x = np.load(cfg["path"]).astype(np.float32)
        if x.shape[0] != len(items):
            raise ValueError(f"text features have {x.shape[0]} rows for {len(items)} items")
        return x, {"kind": "precomputed", "dim": int(x.shape[1]), "source": cfg.get("source", cfg["path"])}
    raise ValueError("unknown text feature kind " + kind)
