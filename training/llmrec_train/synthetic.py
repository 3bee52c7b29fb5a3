"""Writes a tiny synthetic dataset in the canonical form (docs/dataset-format.md) with a learnable sequential
pattern (users walk item chains with noise). Used by the Python tests and the TypeScript ONNX parity test:

  /usr/bin/python3 -m llmrec_train.synthetic OUT_DIR [--users 60 --items 40]
"""
import argparse
import json
import os

import numpy as np


def write(out, users=60, items=40, seed=0, split="loo"):
    rng = np.random.default_rng(seed)
    os.makedirs(os.path.join(out, "splits"), exist_ok=True)
    us, its, ts = [], [], []
    for u in range(users):
        n = int(rng.integers(6, 20))
        cur = int(rng.integers(items))
        seen = set()
        for t in range(n):
            us.append(u)
            its.append(cur)
            ts.append(1_000_000.0 + u * 1000 + t)
            seen.add(cur)
            step = 1 if rng.random() < 0.8 else int(rng.integers(2, 7))
            cur = (cur + step) % items
    u = np.asarray(us, np.int32)
    np.save(os.path.join(out, "interactions.user.npy"), u)
    np.save(os.path.join(out, "interactions.item.npy"), np.asarray(its, np.int32))
    np.save(os.path.join(out, "interactions.ts.npy"), np.asarray(ts, np.float64))
    np.save(os.path.join(out, "interactions.rating.npy"), np.ones(len(u), np.float32))
    lab = np.zeros(len(u), np.int8)
    starts = np.r_[0, np.flatnonzero(np.diff(u)) + 1]
    ends = np.r_[starts[1:], len(u)]
    for s, e in zip(starts, ends):
        if e - s >= 3:
            lab[e - 1], lab[e - 2] = 2, 1
    np.save(os.path.join(out, "splits", "loo.npy"), lab)
    json.dump({"split": "loo", "seed": seed, "params": {}, "counts": {"train": int((lab == 0).sum())}}, open(os.path.join(out, "splits", "loo.json"), "w"))
    # streaming: first 70% of rows in time order are pre-training (-1), the rest in 1-hour windows
    order = np.argsort(np.asarray(ts), kind="stable")
    stream = np.full(len(u), -1, np.int32)
    cut = int(len(u) * 0.7)
    t_arr = np.asarray(ts)
    t0 = t_arr[order[cut]] if cut < len(u) else 0
    stream[order[cut:]] = ((t_arr[order[cut:]] - t0) // 3600).astype(np.int32)
    np.save(os.path.join(out, "splits", "streaming.npy"), stream)
    json.dump({"split": "streaming", "seed": seed, "params": {}, "counts": {}}, open(os.path.join(out, "splits", "streaming.json"), "w"))
    genres = ["Action", "Comedy", "Drama", "Horror", "Sci-Fi"]
    with open(os.path.join(out, "items.jsonl"), "w") as f:
        for i in range(items):
            text = {"genres": [genres[i % 5], genres[(i // 5) % 5]], "year": 1990 + i % 10, "plot": f"story number {i} about chain {i // 8}"}
            f.write(json.dumps({"idx": i, "id": str(i + 1), "title": f"Movie {i} ({1990 + i % 10})", "text": text, "modalities": {"image": None, "audio": None}}) + "\n")
    with open(os.path.join(out, "users.jsonl"), "w") as f:
        for x in range(users):
            f.write(json.dumps({"idx": x, "id": str(x + 1), "attrs": {}}) + "\n")
    meta = {"formatVersion": 1, "name": "synthetic", "source": {"kind": "synthetic", "dir": "", "files": []}, "createdAt": "2026-01-01T00:00:00Z",
            "counts": {"users": users, "items": items, "interactions": int(len(u))}, "hasTimestamps": True, "modalities": {"image": 0, "audio": 0}, "skipped": []}
    json.dump(meta, open(os.path.join(out, "dataset.json"), "w"))
    return out


def write_features(ddir, out, seed=0, image_missing=0.25):
    """Content features of the synthetic items in the features contract layout (shared/src/features.ts): text and
    image vectors that both encode the item's chain (item // 8) and position, with noise; a quarter of the items have
    no image (zero row, presence 0). Content is informative: walks move to the next item of the chain."""
    import datetime
    import hashlib

    items = [json.loads(line) for line in open(os.path.join(ddir, "items.jsonl")) if line.strip()]
    n = len(items)
    rng = np.random.default_rng(seed)
    basis_t, basis_i = rng.normal(size=(8, 12)), rng.normal(size=(8, 20))
    code = np.stack([np.eye(8)[(i // 8) % 8] * 2 + rng.normal(scale=0.3, size=8) + np.r_[np.zeros(7), (i % 8) / 8] for i in range(n)])
    text = (code @ basis_t).astype(np.float32)
    image = (code @ basis_i).astype(np.float32)
    has_img = (rng.random(n) >= image_missing).astype(np.uint8)
    image[has_img == 0] = 0
    os.makedirs(out, exist_ok=True)
    sha = lambda p: hashlib.sha256(open(p, "rb").read()).hexdigest()
    mods = {}
    for name, x, p in (("text", text, np.ones(n, np.uint8)), ("image", image, has_img)):
        np.save(os.path.join(out, name + ".npy"), x)
        np.save(os.path.join(out, name + ".present.npy"), p)
        mods[name] = {"encoder": {"id": "synthetic-" + name, "source": "llmrec_train.synthetic", "onnxSha256": "0" * 64, "dim": int(x.shape[1])},
                      "file": name + ".npy", "fileSha256": sha(os.path.join(out, name + ".npy")), "present": name + ".present.npy",
                      "input": "synthetic chain code", "count": {"present": int(p.sum()), "missing": int(n - p.sum())}, "notes": []}
    m = {"v": 1, "kind": "llmrec-features", "dataset": "synthetic", "items": n, "itemsSha256": sha(os.path.join(ddir, "items.jsonl")),
         "createdAt": datetime.datetime(2026, 1, 1).isoformat() + "Z", "modalities": mods}
    json.dump(m, open(os.path.join(out, "features.json"), "w"), indent=1)
    return out


def write_cold_items(ddir, test_items, valid_items, seed=1):
    """A cold-items split file (layout of data/src/splits/cold-items.ts) holding out the given items, for the Python
    tests (the TypeScript pipeline computes the real one)."""
    u = np.load(os.path.join(ddir, "interactions.user.npy"))
    it = np.load(os.path.join(ddir, "interactions.item.npy"))
    lab = np.full(len(u), -1, np.int8)
    starts = np.r_[0, np.flatnonzero(np.diff(u)) + 1]
    for s, e in zip(starts, np.r_[starts[1:], len(u)]):
        rows = np.arange(s, e)
        warm = rows[~np.isin(it[rows], test_items + valid_items)]
        lab[warm] = 0
        if len(warm) >= 2:
            lab[warm[-1]] = 1
        if len(warm):
            for items, label in ((test_items, 2), (valid_items, 3)):
                on = rows[np.isin(it[rows], items)]
                if len(on):
                    lab[on[-1]] = label
    stem = f"cold-items-s{seed}"
    np.save(os.path.join(ddir, "splits", stem + ".npy"), lab)
    json.dump({"split": "cold-items", "seed": seed, "params": {"testItems": list(test_items), "validItems": list(valid_items)}, "counts": {}},
              open(os.path.join(ddir, "splits", stem + ".json"), "w"))
    return stem


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--users", type=int, default=60)
    ap.add_argument("--items", type=int, default=40)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    write(a.out, a.users, a.items, a.seed)
