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


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--users", type=int, default=60)
    ap.add_argument("--items", type=int, default=40)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    write(a.out, a.users, a.items, a.seed)
