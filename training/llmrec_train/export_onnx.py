"""ONNX export (opset 17) of the user encoders: SASRec scorer (history -> user_repr, scores) and the user encoder
(history -> z_u), both with dynamic batch and sequence axes; and of the item towers of the fusion step (per-modality
features + presence -> z_item, dynamic batch). Also writes raw little-endian tables and parity files of reference
outputs that the TypeScript tests reproduce through onnxruntime-node."""
import json
import os

import numpy as np
import torch
from torch import nn

OPSET = 17


class SasrecScorer(nn.Module):
    def __init__(self, sasrec):
        super().__init__()
        self.sasrec = sasrec

    def forward(self, history):
        h = self.sasrec.user_repr(history)
        return h, h @ self.sasrec.item_table().t()


def export(module, path, outputs, maxlen):
    module.eval()
    dummy = torch.zeros((2, maxlen), dtype=torch.int64)
    dummy[:, -3:] = 1
    axes = {"history": {0: "batch", 1: "seq"}}
    for o in outputs:
        axes[o] = {0: "batch"}
    torch.onnx.export(module, (dummy,), path, input_names=["history"], output_names=outputs, dynamic_axes=axes,
                      opset_version=OPSET, do_constant_folding=True)


def write_table(path, arr, dtype):
    """float tables as .npy (little-endian, C order); uint8 codes as raw bytes (.u8), shape in the manifest."""
    a = np.ascontiguousarray(arr, dtype=np.dtype(dtype).newbyteorder("<"))
    if path.endswith(".npy"):
        np.save(path, a)
    else:
        a.tofile(path)
    return {"shape": list(a.shape), "dtype": np.dtype(dtype).name}


def parity_cases(data, maxlen, n=6, seed=0):
    """A few real histories of varying length (incl. empty and over-long) as lists of item index + 1."""
    rng = np.random.default_rng(seed)
    users = [u for u in range(data.n_users) if len(data.train[u])]
    pick = rng.choice(users, size=min(n, len(users)), replace=False)
    cases = [[]] + [list(map(int, data.train[u][-maxlen - 3:] + 1)) for u in pick]
    return cases


def reference_outputs(module, cases, maxlen):
    from .data import left_pad

    x = torch.from_numpy(left_pad([np.asarray(c, np.int64) - 1 for c in cases], maxlen))
    with torch.no_grad():
        outs = module(x)
    outs = outs if isinstance(outs, tuple) else (outs,)
    return [o.numpy().astype(np.float64).tolist() for o in outs]


def write_parity(path, entries):
    with open(path, "w") as f:
        json.dump(entries, f)
    return os.path.basename(path)


def export_tower(module, path, inputs, output):
    """inputs: [(name, width)] float32 [B, width] (width 0: a presence vector [B]); one output [B, D]."""
    module.eval()
    dummy = tuple(torch.zeros((2, w)) if w else torch.ones(2) for _, w in inputs)
    names = [n for n, _ in inputs]
    axes = {n: {0: "batch"} for n in names + [output]}
    torch.onnx.export(module, dummy, path, input_names=names, output_names=[output], dynamic_axes=axes, opset_version=OPSET,
                      do_constant_folding=True)
