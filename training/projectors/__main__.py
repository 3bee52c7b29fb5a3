"""Trains and exports the projectors:

  PYTHONPATH=training /usr/bin/python3 -m projectors --dataset-dir D --model-dir M --out DIR
      [--item-latents z_items.npy] [--user-latents z_users.npy] [--epochs 300]

Without --item-latents, joint latents are a co-interaction SVD stand-in (written to DIR/item_latents.npy,
and said so in DIR/projector.json). Writes DIR/projector.onnx and DIR/projector.json."""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch

from .data import load_items, load_npy_matrix, svd_latents, targets, train_histories, user_latents
from .model import export_onnx
from .train import fit

VERSION = 1


def main(argv=None):
    ap = argparse.ArgumentParser(prog="projectors")
    ap.add_argument("--dataset-dir", required=True)
    ap.add_argument("--model-dir", required=True, help="LLM model folder (tokenizer.json, onnx/embed_tokens.npy)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--item-latents", help="joint item latents [items, 128] (.npy) from the training artifacts")
    ap.add_argument("--user-latents", help="joint user latents [users, 128] (.npy); default: mean of history latents")
    ap.add_argument("--artifacts", help="folder of `llmrec train` artifacts (manifest.json): uses its files.itemLatents")
    ap.add_argument("--split", default="loo")
    ap.add_argument("--epochs", type=int, default=300)
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    log = lambda m: print(m, file=sys.stderr, flush=True)
    t0 = time.time()
    os.makedirs(a.out, exist_ok=True)
    items = load_items(a.dataset_dir)
    hist = train_histories(a.dataset_dir, a.split)
    if a.artifacts and not a.item_latents:
        manifest = json.load(open(os.path.join(a.artifacts, "manifest.json")))
        a.item_latents = os.path.join(a.artifacts, manifest["files"]["itemLatents"]["path"])
    if a.item_latents:
        z = load_npy_matrix(a.item_latents)
        source = os.path.abspath(a.item_latents)
    else:
        log("projectors: no --item-latents given: using the co-interaction SVD stand-in for the joint latents")
        z = svd_latents(hist, len(items), a.dim)
        source = "svd-stand-in"
    if z.shape[0] != len(items):
        raise SystemExit(f"projectors: {z.shape[0]} item latents for {len(items)} items")
    zu = load_npy_matrix(a.user_latents) if a.user_latents else user_latents(z, hist)
    np.save(os.path.join(a.out, "item_latents.npy"), z)
    np.save(os.path.join(a.out, "user_latents.npy"), zu)
    title, attrs, users = targets(a.model_dir, items, hist)
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    model, metrics = fit(z, zu, title, attrs, users, epochs=a.epochs, seed=a.seed, log=log)
    export_onnx(model, os.path.join(a.out, "projector.onnx"))
    meta = {"version": VERSION, "latentDim": int(z.shape[1]), "tokenDim": int(title.shape[1]), "kinds": ["user", "item", "evidence"],
            "latents": source, "modelDir": os.path.abspath(a.model_dir), "dataset": os.path.abspath(a.dataset_dir), "split": a.split,
            "epochs": a.epochs, "seed": a.seed, "metrics": metrics, "seconds": round(time.time() - t0, 1)}
    json.dump(meta, open(os.path.join(a.out, "projector.json"), "w"), indent=2)
    log(f"projectors: held-out title retrieval {metrics['heldout_title_retrieval']} (chance top1 {metrics['chance_top1_heldout']:.4f}); wrote {a.out}")
    print(json.dumps(meta))


if __name__ == "__main__":
    main()
