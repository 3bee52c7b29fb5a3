"""Trains the SASRec backbone with BCE (one sampled negative per position, as the original paper) or
full-softmax cross-entropy, early-stopped on validation NDCG@10 under full ranking. Resumable: a
checkpoint is written at every evaluation and picked up on restart."""
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from .data import left_pad
from .metrics import evaluate
from .progress import emit, log
from .sasrec import SASRec

DEFAULTS = dict(hidden=64, maxlen=50, blocks=2, heads=1, dropout=0.2, loss="ce", lr=1e-3, batch=128,
                epochs=200, eval_every=5, patience=5, seed=42, weight_decay=0.0, max_seconds=0, windows=0)


def make_model(n_items, cfg):
    return SASRec(n_items, hidden=cfg["hidden"], maxlen=cfg["maxlen"], blocks=cfg["blocks"], heads=cfg["heads"], dropout=cfg["dropout"])


def _training_arrays(data, maxlen, windows=0):
    """One row per user: the last maxlen steps of its training sequence. With windows = w > 0, also up to w
    earlier, non-overlapping chunks of maxlen steps, so histories longer than maxlen are not cut off."""
    users = [u for u in range(data.n_users) if len(data.train[u]) >= 2]
    rows, inps, poss = [], [], []
    for u in users:
        seq = data.train[u]
        end = len(seq)
        for _ in range(1 + max(0, int(windows))):
            if end < 2:
                break
            chunk = seq[max(0, end - maxlen - 1):end]
            rows.append(u)
            inps.append(chunk[:-1])
            poss.append(chunk[1:])
            end -= maxlen
    inp = left_pad(inps, maxlen)
    pos = left_pad(poss, maxlen)
    keys = np.unique(np.concatenate([u * (data.n_items + 1) + data.train[u] + 1 for u in users]))
    return np.asarray(rows, np.int64), inp, pos, keys


def _negatives(rng, users, pos, n_items, keys):
    neg = rng.integers(1, n_items + 1, size=pos.shape)
    for _ in range(3):
        k = users[:, None] * (n_items + 1) + neg
        idx = np.clip(np.searchsorted(keys, k), 0, len(keys) - 1)
        clash = keys[idx] == k
        if not clash.any():
            break
        neg[clash] = rng.integers(1, n_items + 1, size=int(clash.sum()))
    return neg


def train(data, cfg, out_dir, device="cpu"):
    cfg = {**DEFAULTS, **cfg}
    torch.manual_seed(cfg["seed"])
    rng = np.random.default_rng(cfg["seed"])
    model = make_model(data.n_items, cfg).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"], betas=(0.9, 0.98), weight_decay=cfg["weight_decay"])
    users, inp, pos, keys = _training_arrays(data, cfg["maxlen"], cfg["windows"])
    ckpt_path = os.path.join(out_dir, "checkpoint.pt")
    start, best, best_state, bad, history, epoch_secs = 1, -1.0, None, 0, [], []
    if os.path.exists(ckpt_path):
        ck = torch.load(ckpt_path, map_location=device)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        start, best, best_state, bad, history, epoch_secs = ck["epoch"] + 1, ck["best"], ck["best_state"], ck["bad"], ck["history"], ck["epoch_secs"]
        rng = np.random.default_rng(cfg["seed"] + ck["epoch"])
        log(f"sasrec: resumed from epoch {ck['epoch']} (best valid ndcg@10 {best:.4f})")

    def score_fn(x):
        model.eval()
        return model.score_all(x.to(device))

    epoch = start - 1
    t_start = time.time()
    stopped_by_time = False
    for epoch in range(start, cfg["epochs"] + 1):
        if bad >= cfg["patience"]:
            break
        model.train()
        t0 = time.time()
        order = rng.permutation(len(users))
        total, nb = 0.0, 0
        for s in range(0, len(order), cfg["batch"]):
            b = order[s:s + cfg["batch"]]
            x = torch.from_numpy(inp[b]).to(device)
            y = torch.from_numpy(pos[b]).to(device)
            h = model.seq_repr(x)
            m = y != 0
            if cfg["loss"] == "ce":
                logits = h[m] @ model.item_table().t()
                loss = F.cross_entropy(logits, y[m] - 1)
            else:
                n = torch.from_numpy(_negatives(rng, users[b], pos[b], data.n_items, keys)).to(device)
                pl = (h * model.item_emb(y)).sum(-1)[m]
                nl = (h * model.item_emb(n)).sum(-1)[m]
                loss = F.binary_cross_entropy_with_logits(pl, torch.ones_like(pl)) + F.binary_cross_entropy_with_logits(nl, torch.zeros_like(nl))
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss)
            nb += 1
        epoch_secs.append(time.time() - t0)
        emit("progress", step="sasrec", epoch=epoch, epochs=cfg["epochs"], loss=total / max(nb, 1), sec=epoch_secs[-1])
        out_of_time = bool(cfg["max_seconds"]) and time.time() - t_start > cfg["max_seconds"]
        if epoch % cfg["eval_every"] == 0 or epoch == cfg["epochs"] or out_of_time:
            r = evaluate(score_fn, data.valid_hist, data.valid, data.n_items, cfg["maxlen"], sampled=0)["full"]
            history.append({"epoch": epoch, "loss": total / max(nb, 1), "valid_ndcg@10": r["ndcg@10"], "valid_hr@10": r["hr@10"]})
            emit("metric", step="sasrec", epoch=epoch, valid_ndcg10=r["ndcg@10"], valid_hr10=r["hr@10"])
            if r["ndcg@10"] > best:
                best, bad = r["ndcg@10"], 0
                best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            else:
                bad += 1
            torch.save(dict(model=model.state_dict(), opt=opt.state_dict(), epoch=epoch, best=best, best_state=best_state, bad=bad, history=history, epoch_secs=epoch_secs), ckpt_path)
        if out_of_time:
            stopped_by_time = True
            log(f"sasrec: stopped after epoch {epoch}: max_seconds={cfg['max_seconds']} reached")
            break
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    metrics = {
        "valid": evaluate(score_fn, data.valid_hist, data.valid, data.n_items, cfg["maxlen"]),
        "test": evaluate(score_fn, data.test_hist, data.test, data.n_items, cfg["maxlen"]),
        "epochs_run": len(epoch_secs),
        "best_valid_ndcg@10": best,
        "stopped_by_time": stopped_by_time,
        "sec_per_epoch": float(np.mean(epoch_secs)) if epoch_secs else 0.0,
        "history": history,
    }
    return model, metrics
