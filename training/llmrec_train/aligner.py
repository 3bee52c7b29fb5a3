"""Base aligner (A-LLMRec stage-1 style): an item encoder over the frozen SASRec item embedding and a text
encoder over item text features, both into the joint latent z_i (dim 128); a user encoder maps the SASRec
sequence representation to z_u in the same space. Losses: recommendation (full softmax of z_u . z_i over all
items, plus distillation from the frozen SASRec's own softmax so the CF ranking is kept while the latents move
toward text), matching (z_text onto z_item, relative MSE), reconstruction of both inputs. Linear paths start as the same
semi-orthogonal map, so z_u . z_i equals SASRec's score before training and CF quality is kept."""
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .data import left_pad
from .metrics import evaluate
from .progress import emit

DEFAULTS = dict(dim=128, hidden=256, dropout=0.1, lr=5e-4, batch=2048, item_batch=256, epochs=6, eval_every=1, patience=2,
                w_rec=0.0, w_kd=1.0, kd_temp=1.0, w_match=1.0, w_recon=0.1, keep_tol=0.01, seed=42)


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

    def match_all():
        model.eval()
        with torch.no_grad():
            zi = model.z_items(e)
            return float(F.mse_loss(model.text_enc(q), zi) / zi.pow(2).mean().clamp_min(1e-12))

    match_start = match_all()
    base = evaluate(lambda x: sasrec.score_all(x), data.valid_hist, data.valid, data.n_items, maxlen, sampled=0)["full"]["ndcg@10"]
    # Model selection: the best-aligned epoch (lowest matching loss) among those whose validation NDCG@10 stays
    # within keep_tol of SASRec's own (the identity start always qualifies).
    floor = (1.0 - cfg["keep_tol"]) * base
    best = evaluate(score_fn, data.valid_hist, data.valid, data.n_items, maxlen, sampled=0)["full"]["ndcg@10"]
    best_match, best_epoch = match_start, 0
    best_state = {k: v.clone() for k, v in model.state_dict().items()}
    emit("metric", step="aligner", epoch=0, valid_ndcg10=best, sasrec_valid_ndcg10=base, match=match_start)
    bad, history, secs = 0, [], []
    for epoch in range(1, cfg["epochs"] + 1):
        if bad >= cfg["patience"]:
            break
        model.train()
        t0 = time.time()
        perm = torch.randperm(len(T), generator=gen)
        tot = {"rec": 0.0, "kd": 0.0, "match": 0.0, "recon": 0.0}
        nb = 0
        for s in range(0, len(perm), cfg["batch"]):
            b = perm[s:s + cfg["batch"]]
            zi = model.z_items(e)
            zu = model.z_users(H[b])
            logits = zu @ zi.t()
            rec = F.cross_entropy(logits, T[b])
            tau = cfg["kd_temp"]
            with torch.no_grad():
                teacher = torch.softmax(H[b] @ e.t() / tau, dim=-1)
            kd = F.kl_div(torch.log_softmax(logits / tau, dim=-1), teacher, reduction="batchmean")
            # matching and reconstruction on a random subset of items: the text side is the expensive part
            ib = torch.randint(0, e.shape[0], (min(cfg["item_batch"], e.shape[0]),), generator=gen)
            zt = model.text_enc(q[ib])
            target = zi[ib].detach()  # the text side learns to land on the CF latent (A-LLMRec direction)
            match = F.mse_loss(zt, target) / target.pow(2).mean().clamp_min(1e-12)
            recon = F.mse_loss(model.item_dec(zi[ib]), e[ib]) + F.mse_loss(model.text_dec(zt), q[ib]) * q.shape[1]
            loss = cfg["w_rec"] * rec + cfg["w_kd"] * kd + cfg["w_match"] * match + cfg["w_recon"] * recon
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot["rec"] += float(rec)
            tot["kd"] += float(kd)
            tot["match"] += float(match)
            tot["recon"] += float(recon)
            nb += 1
        secs.append(time.time() - t0)
        emit("progress", step="aligner", epoch=epoch, epochs=cfg["epochs"], sec=secs[-1], **{k: v / nb for k, v in tot.items()})
        if epoch % cfg["eval_every"] == 0 or epoch == cfg["epochs"]:
            r = evaluate(score_fn, data.valid_hist, data.valid, data.n_items, maxlen, sampled=0)["full"]["ndcg@10"]
            mm = match_all()
            history.append({"epoch": epoch, "valid_ndcg@10": r, "match_mse_all": mm, **{k: v / nb for k, v in tot.items()}})
            emit("metric", step="aligner", epoch=epoch, valid_ndcg10=r, match=mm, kd=tot["kd"] / nb)
            if r >= floor:
                bad = 0
                if mm < best_match:
                    best, best_match, best_epoch = r, mm, epoch
                    best_state = {k: v.clone() for k, v in model.state_dict().items()}
            else:
                bad += 1
    model.load_state_dict(best_state)
    model.eval()
    metrics = {
        "valid": evaluate(score_fn, data.valid_hist, data.valid, data.n_items, maxlen),
        "test": evaluate(score_fn, data.test_hist, data.test, data.n_items, maxlen),
        "sasrec_valid_ndcg@10": base,
        "match_mse_start": match_start,
        "match_mse_end": match_all(),
        "selected_epoch": best_epoch,
        "epochs_run": len(secs),
        "sec_per_epoch": float(np.mean(secs)) if secs else 0.0,
        "history": history,
    }
    return model, metrics
