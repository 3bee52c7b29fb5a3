"""The four offline steps as functions (sasrec -> aligner -> export, pq), each reading earlier steps'
output folders and writing its own; __main__.py wraps them for the TypeScript pipeline."""
import json
import os

import torch

from . import data as D
from .progress import log


def _load_sasrec(dir_, device="cpu"):
    from .train_sasrec import make_model

    ck = torch.load(os.path.join(dir_, "sasrec.pt"), map_location=device)
    model = make_model(ck["n_items"], ck["config"])
    model.load_state_dict(ck["state"])
    model.eval()
    return model, ck["config"]


def run_sasrec(ddir, split, cfg, out, inputs, device):
    from .train_sasrec import DEFAULTS, train

    data = D.load(ddir, split)
    log(f"sasrec: {data.n_users} users, {data.n_items} items, loss={cfg.get('loss', DEFAULTS['loss'])}")
    model, metrics = train(data, cfg, out, device)
    full_cfg = {**DEFAULTS, **cfg}
    torch.save({"state": model.state_dict(), "config": full_cfg, "n_items": data.n_items}, os.path.join(out, "sasrec.pt"))
    ck = os.path.join(out, "checkpoint.pt")
    if os.path.exists(ck):
        os.remove(ck)
    json.dump(metrics, open(os.path.join(out, "metrics.json"), "w"), indent=1)
    return {"metrics": metrics, "config": full_cfg}
