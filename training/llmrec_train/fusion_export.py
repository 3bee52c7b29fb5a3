"""Outputs of the fusion step: the fused item latents used for scoring (every item through the tower with the
modalities it has; items without training interactions from content alone), the base aligner's latents (the
tower's CF input), and two ONNX graphs with a parity file:

- content-tower.onnx, the contract of issue 10 -> 11: inputs `<modality>` float32 [B, dim_m] and
  `<modality>_present` float32 [B] (0/1) per content modality, output `z_item` [B, D]; how the worker embeds a new item;
- fusion-tower.onnx: the same tower with the CF input (`cf` [B, D], `cf_present` [B]) first; what the evaluation
  runs to drop modalities at test time."""
import json
import os

import numpy as np
import torch

from . import export_onnx as X
from .fusion import CF, ContentTower, FusedTower


def tower_io(tower, with_cf):
    names = tower.names if with_cf else tower.content
    widths = {CF: tower.dim, **{m: int(tower.proj[m].net[0].in_features) for m in tower.content}}
    return [(m, widths[m]) for m in names] + [(m + "_present", 0) for m in names]


def parity_items(pres0, n=8, seed=0):
    """A few items covering the presence patterns that occur (first item of each), then random ones."""
    rng = np.random.default_rng(seed)
    pats = {}
    for i, row in enumerate(pres0.numpy().astype(int)):
        pats.setdefault(tuple(row), i)
    picks = list(pats.values())[:n]
    rest = [i for i in rng.permutation(len(pres0)) if i not in picks]
    return [int(i) for i in picks + rest[: max(0, n - len(picks))]]


def export_fusion(tower, xs, pres0, out):
    tower.eval()
    with torch.no_grad():
        fused = tower(xs, pres0)
    files = {
        "itemLatents": {"path": "item-latents.npy", **X.write_table(os.path.join(out, "item-latents.npy"), fused.numpy(), np.float32)},
        "cfLatents": {"path": "cf-latents.npy", **X.write_table(os.path.join(out, "cf-latents.npy"), xs[0].numpy(), np.float32)},
    }
    content_io, fused_io = tower_io(tower, False), tower_io(tower, True)
    X.export_tower(ContentTower(tower), os.path.join(out, "content-tower.onnx"), content_io, "z_item")
    X.export_tower(FusedTower(tower), os.path.join(out, "fusion-tower.onnx"), fused_io, "z_item")
    files["contentTower"] = {"path": "content-tower.onnx"}
    files["fusionTower"] = {"path": "fusion-tower.onnx"}
    # parity: real items, every modality also switched off once (the tower must honour the presence flags)
    items = parity_items(pres0)
    cases = []
    for i in items:
        x = [t[i:i + 1] for t in xs]
        p = pres0[i:i + 1].clone()
        variants = [p] + [p * (torch.arange(p.shape[1]) != k).float() for k in range(p.shape[1]) if p[0, k] > 0 and p.sum() > 1]
        for pv in variants:
            with torch.no_grad():
                zf = tower(x, pv)
                zc = tower([torch.zeros_like(x[0])] + x[1:], pv * torch.tensor([0.0] + [1.0] * (p.shape[1] - 1)))
            cases.append({"item": i, "inputs": {n: x[k][0].tolist() for k, n in enumerate(tower.names)},
                          "present": {n: float(pv[0, k]) for k, n in enumerate(tower.names)},
                          "fused": zf[0].tolist(), "content": zc[0].tolist()})
    with open(os.path.join(out, "tower-parity.json"), "w") as f:
        json.dump({"modalities": tower.names, "cases": cases}, f)
    files["towerParity"] = {"path": "tower-parity.json"}
    io = {"content": [{"name": n, "dim": w} for n, w in content_io], "fused": [{"name": n, "dim": w} for n, w in fused_io], "output": "z_item"}
    return files, io
