"""Base aligner (A-LLMRec stage-1 style): an item encoder over the frozen SASRec item embedding and a text
encoder over item text features, both into the joint latent z_i (dim 128); a user encoder maps the SASRec
sequence representation to z_u in the same space. Losses: recommendation (full softmax of z_u . z_i over all
items), matching (z_item vs z_text), reconstruction of both inputs. Linear paths start as the same
semi-orthogonal map, so z_u . z_i equals SASRec's score before training and CF quality is kept."""
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .data import left_pad
from .metrics import evaluate
from .progress import emit

DEFAULTS = dict(dim=128, hidden=256, dropout=0.1, lr=1e-3, batch=1024, epochs=30, eval_every=2, patience=3,
                w_rec=1.0, w_match=0.1, w_recon=0.1, seed=42)


class Encoder(nn.Module):
    """Linear path plus a residual MLP whose last layer starts at zero."""

    def __init__(self, d_in, d_out, hidden, dropout):
        super().__init__()
        self.lin = nn.Linear(d_in, d_out, bias=False)
        self.mlp = nn.Sequential(nn.Linear(d_in, hidden), nn.GELU(), nn.Dropout(dropout), nn.Linear(hidden, d_out))
        nn.init.zeros_(self.mlp[-1].weight)
        nn.init.zeros_(self.mlp[-1].bias)

    def forward(self, x):
        return self.lin(x) + self.mlp(x)


class Aligner(nn.Module):
    def __init__(self, d_cf, d_text, dim=128, hidden=256, dropout=0.1, seed=42):
        super().__init__()
        self.item_enc = Encoder(d_cf, dim, hidden, dropout)
        self.user_enc = Encoder(d_cf, dim, hidden, dropout)
        self.text_enc = Encoder(d_text, dim, hidden, dropout)
        self.item_dec = nn.Sequential(nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, d_cf))
        self.text_dec = nn.Sequential(nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, d_text))
        g = torch.Generator().manual_seed(seed)
        q, _ = torch.linalg.qr(torch.randn(max(dim, d_cf), min(dim, d_cf), generator=g))
        q = q if dim >= d_cf else q.t()  # [dim, d_cf], Q^T Q = I when dim >= d_cf
        with torch.no_grad():
            self.item_enc.lin.weight.copy_(q)
            self.user_enc.lin.weight.copy_(q)

    def z_items(self, e):
        return self.item_enc(e)

    def z_users(self, h):
        return self.user_enc(h)


class UserEncoder(nn.Module):
    """History -> z_u: the frozen SASRec followed by the aligner's user encoder (exported to ONNX)."""

    def __init__(self, sasrec, aligner):
        super().__init__()
        self.sasrec, self.aligner = sasrec, aligner

    def forward(self, history):
        return self.aligner.z_users(self.sasrec.user_repr(history))


def _positions(sasrec, data, maxlen):
    users = [u for u in range(data.n_users) if len(data.train[u]) >= 2]
    inp = left_pad([data.train[u][:-1] for u in users], maxlen)
    pos = left_pad([data.train[u][1:] for u in users], maxlen)
    hs, ts = [], []
    with torch.no_grad():
        for s in range(0, len(users), 256):
            x = torch.from_numpy(inp[s:s + 256])
            y = torch.from_numpy(pos[s:s + 256])
            h = sasrec.seq_repr(x)
            m = y != 0
            hs.append(h[m])
            ts.append(y[m] - 1)
    return torch.cat(hs), torch.cat(ts)


def train(sasrec, data, text, cfg):
    cfg = {**DEFAULTS, **cfg}
    torch.manual_seed(cfg["seed"])
    sasrec.eval()
    for p in sasrec.parameters():
        p.requires_grad_(False)
    maxlen = sasrec.maxlen
    e = sasrec.item_table().detach()
    q = torch.from_numpy(text)
    model = Aligner(e.shape[1], q.shape[1], cfg["dim"], cfg["hidden"], cfg["dropout"], cfg["seed"])
    opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"])
    H, T = _positions(sasrec, data, maxlen)
    gen = torch.Generator().manual_seed(cfg["seed"])

    def score_fn(x):
        model.eval()
        with torch.no_grad():
            return model.z_users(sasrec.user_repr(x)) @ model.z_items(e).t()

    base = evaluate(lambda x: sasrec.score_all(x), data.valid_hist, data.valid, data.n_items, maxlen, sampled=0)["full"]["ndcg@10"]
    best = evaluate(score_fn, data.valid_hist, data.valid, data.n_items, maxlen, sampled=0)["full"]["ndcg@10"]
    best_state = {k: v.clone() for k, v in model.state_dict().items()}
    emit("metric", step="aligner", epoch=0, valid_ndcg10=best, sasrec_valid_ndcg10=base)
    bad, history, secs = 0, [], []
    for epoch in range(1, cfg["epochs"] + 1):
        if bad >= cfg["patience"]:
            break
        model.train()
        t0 = time.time()
        perm = torch.randperm(len(T), generator=gen)
        tot = {"rec": 0.0, "match": 0.0, "recon": 0.0}
        nb = 0
        for s in range(0, len(perm), cfg["batch"]):
            b = perm[s:s + cfg["batch"]]
            zi = model.z_items(e)
            zt = model.text_enc(q)
            zu = model.z_users(H[b])
            rec = F.cross_entropy(zu @ zi.t(), T[b])
            match = F.mse_loss(zi, zt)
            recon = F.mse_loss(model.item_dec(zi), e) + F.mse_loss(model.text_dec(zt), q) * q.shape[1]
            loss = cfg["w_rec"] * rec + cfg["w_match"] * match + cfg["w_recon"] * recon
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot["rec"] += float(rec)
            tot["match"] += float(match)
            tot["recon"] += float(recon)
            nb += 1
        secs.append(time.time() - t0)
        emit("progress", step="aligner", epoch=epoch, epochs=cfg["epochs"], sec=secs[-1], **{k: v / nb for k, v in tot.items()})
        if epoch % cfg["eval_every"] == 0 or epoch == cfg["epochs"]:
            r = evaluate(score_fn, data.valid_hist, data.valid, data.n_items, maxlen, sampled=0)["full"]["ndcg@10"]
            history.append({"epoch": epoch, "valid_ndcg@10": r, **{k: v / nb for k, v in tot.items()}})
            emit("metric", step="aligner", epoch=epoch, valid_ndcg10=r)
            if r > best:
                best, bad = r, 0
                best_state = {k: v.clone() for k, v in model.state_dict().items()}
            else:
                bad += 1
    model.load_state_dict(best_state)
    model.eval()
    metrics = {
        "valid": evaluate(score_fn, data.valid_hist, data.valid, data.n_items, maxlen),
        "test": evaluate(score_fn, data.test_hist, data.test, data.n_items, maxlen),
        "sasrec_valid_ndcg@10": base,
        "epochs_run": len(secs),
        "sec_per_epoch": float(np.mean(secs)) if secs else 0.0,
        "history": history,
    }
    return model, metrics
