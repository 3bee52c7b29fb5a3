"""Trains the SASRec backbone with BCE (one sampled negative per position, as the original paper) or
full-softmax cross-entropy, early-stopped on validation NDCG@10 under full ranking. Resumable: a
checkpoint is written at every evaluation and picked up on restart."""
import os
import re
import time
from collections import Counter

import numpy as np
import torch
import torch.nn.functional as F

from .data import left_pad
from .metrics import evaluate
from .progress import emit, log
from .sasrec import SASRec, SideInfo

DEFAULTS = dict(hidden=64, maxlen=50, blocks=2, heads=1, dropout=0.2, loss="ce", lr=1e-3, batch=128,
                epochs=200, eval_every=5, patience=5, seed=42, weight_decay=0.0, max_seconds=0, windows=0,
                bucket=False, loss_norm="target", neg_samples=0, neg_power=0.0, side="", freq_alpha=0.0, freq_c=5)


def make_model(n_items, cfg, side=None):
    """The SASRec of a config; `side` (a SideInfo) only while training: the saved model has it folded in."""
    return SASRec(n_items, hidden=cfg["hidden"], maxlen=cfg["maxlen"], blocks=cfg["blocks"], heads=cfg["heads"], dropout=cfg["dropout"], side=side,
                  freq_alpha=cfg.get("freq_alpha", 0.0), freq_c=cfg.get("freq_c", 5))


def side_info(items, n_items, cfg):
    """side: "attributes" = each item's text.attributes ids (Beauty: anonymised brand/category); "title-words" =
    the lower-cased words of its title shared with at least one other item (Games: platform, series, publisher
    words); "" = none."""
    if not cfg.get("side"):
        return None
    if cfg["side"] not in ("attributes", "title-words"):
        raise ValueError(f"unknown side information '{cfg['side']}' (attributes, title-words)")
    if items is None or len(items) != n_items:
        raise ValueError("side information needs the dataset's items (items.jsonl)")
    if cfg["side"] == "attributes":
        tokens = [[str(a) for a in (it.get("text") or {}).get("attributes", [])] for it in items]
    else:
        tokens = [sorted(set(re.findall(r"[a-z0-9]+", str(it.get("title", "")).lower()))) for it in items]
        df = Counter(t for ts in tokens for t in ts)
        tokens = [[t for t in ts if df[t] >= 2] for ts in tokens]
    vocab = {}
    rows = [[vocab.setdefault(t, len(vocab)) for t in ts] for ts in tokens]
    return SideInfo(rows, len(vocab), cfg["hidden"])


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


def _batches(rng, lengths, batch, bucket):
    """Row indices per batch. bucket: rows of similar length share a batch (sorted by length with random ties,
    cut into batches, batch order shuffled), so trimming the left padding leaves little to compute on short
    histories (Amazon: ~6 valid of 50 steps); otherwise a plain random permutation."""
    if not bucket:
        order = rng.permutation(len(lengths))
        return [order[s:s + batch] for s in range(0, len(order), batch)]
    order = np.lexsort((rng.random(len(lengths)), lengths))
    chunks = [order[s:s + batch] for s in range(0, len(order), batch)]
    return [chunks[i] for i in rng.permutation(len(chunks))]


def _loss(table, h, y, rng, cfg, n_items, users, pos, keys, per_batch=None, q=None):
    """Training loss at the non-padded positions of one batch. ce: softmax over every item, or with
    neg_samples = n over the target and n items drawn for the batch, uniformly (no correction needed) or from the
    proposal q (logQ-corrected); a drawn item equal to a row's target is masked out of that row. per_batch: divide the summed
    loss by this constant (the mean number of targets per batch) instead of averaging over this batch's targets,
    so every target weighs the same whatever the length of the rows it came in with (length buckets)."""
    m = y != 0
    if cfg["loss"] == "ce":
        hm, ym = h[m], y[m]
        n = int(cfg["neg_samples"])
        red = "mean" if per_batch is None else "sum"
        scale = 1.0 if per_batch is None else 1.0 / per_batch
        if n <= 0 or n >= n_items:
            return F.cross_entropy(hm @ table[1:].t(), ym - 1, reduction=red) * scale
        if q is None:
            neg = torch.from_numpy(rng.integers(1, n_items + 1, size=n)).to(hm.device)
            pl = (hm * table[ym]).sum(-1, keepdim=True)
            nl = (hm @ table[neg].t()).masked_fill(neg.unsqueeze(0) == ym.unsqueeze(1), float("-inf"))
        else:
            # proposal q (training popularity ** neg_power): popular, hard negatives are drawn more often; every
            # logit is corrected by log(n q) so the sampled softmax stays an estimate of the full one (logQ)
            neg = torch.from_numpy(rng.choice(n_items, size=n, p=q) + 1).to(hm.device)
            logq = torch.from_numpy(np.log(n * q)).float().to(hm.device)
            pl = (hm * table[ym]).sum(-1, keepdim=True) - logq[ym - 1].unsqueeze(1)
            nl = (hm @ table[neg].t() - logq[neg - 1].unsqueeze(0)).masked_fill(neg.unsqueeze(0) == ym.unsqueeze(1), float("-inf"))
        logits = torch.cat([pl, nl], 1)
        return F.cross_entropy(logits, torch.zeros(len(ym), dtype=torch.long, device=hm.device), reduction=red) * scale
    n = torch.from_numpy(_negatives(rng, users, pos, n_items, keys))[:, -h.shape[1]:].to(h.device)
    pl = (h * table[y]).sum(-1)[m]
    nl = (h * table[n]).sum(-1)[m]
    return F.binary_cross_entropy_with_logits(pl, torch.ones_like(pl)) + F.binary_cross_entropy_with_logits(nl, torch.zeros_like(nl))


def is_improvement(score, best):
    """Early stopping keeps an epoch only for a finite validation score above the best so far: a diverged epoch
    (NaN or infinite scores) never wins."""
    return bool(np.isfinite(score)) and score > best


def train(data, cfg, out_dir, device="cpu", items=None):
    cfg = {**DEFAULTS, **cfg}
    torch.manual_seed(cfg["seed"])
    rng = np.random.default_rng(cfg["seed"])
    model = make_model(data.n_items, cfg, side_info(items, data.n_items, cfg)).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"], betas=(0.9, 0.98), weight_decay=cfg["weight_decay"])
    users, inp, pos, keys = _training_arrays(data, cfg["maxlen"], cfg["windows"])
    lengths = (pos != 0).sum(1)
    # with length buckets a batch holds 256 rows of 3 steps or of 50: loss_norm "target" weighs every target the
    # same; "batch" averages within each batch (targets of short histories then weigh more, users more evenly)
    if cfg["loss_norm"] not in ("target", "batch"):
        raise ValueError(f"loss_norm must be target or batch, got {cfg['loss_norm']!r}")
    per_batch = float(lengths.sum()) / max(1, -(-len(lengths) // cfg["batch"])) if cfg["bucket"] and cfg["loss_norm"] == "target" else None
    q = None
    if cfg["neg_samples"] and cfg["neg_power"]:
        counts = np.bincount(np.concatenate([data.train[u] for u in range(data.n_users)]), minlength=data.n_items).astype(np.float64)
        q = (counts + 1.0) ** float(cfg["neg_power"])
        q /= q.sum()
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
        total, nb = 0.0, 0
        for b in _batches(rng, lengths, cfg["batch"], cfg["bucket"]):
            # left padding is trimmed to the batch's longest row: positions count from the right, so the output
            # at the real steps is unchanged and padded steps cost nothing
            keep = max(int(lengths[b].max()), 1)
            x = torch.from_numpy(inp[b][:, -keep:]).to(device)
            y = torch.from_numpy(pos[b][:, -keep:]).to(device)
            table = model.item_weight()
            loss = _loss(table, model.seq_repr(x, table), y, rng, cfg, data.n_items, users[b], pos[b], keys, per_batch, q)
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
            if is_improvement(r["ndcg@10"], best):
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
    model = model.fold_side_info().to(device)
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
