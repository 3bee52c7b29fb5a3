"""Ranking metrics used for early stopping and for the manifest: full ranking (every item, the user's input
history excluded, the target never excluded) and the sampled protocol (target vs 100 sampled negatives)."""
import numpy as np
import torch


def _accumulate(ranks, ks):
    ranks = np.asarray(ranks, np.float64)
    out = {"users": int(len(ranks))}
    for k in ks:
        hit = ranks < k
        out[f"ndcg@{k}"] = float(np.mean(np.where(hit, 1.0 / np.log2(ranks + 2.0), 0.0))) if len(ranks) else 0.0
        out[f"hr@{k}"] = float(np.mean(hit)) if len(ranks) else 0.0
    return out


def evaluate(score_fn, hists, targets, n_items, maxlen, ks=(10, 20), sampled=100, seed=0, batch=256):
    """score_fn: int64 [B, maxlen] (left-padded, index+1) -> float [B, n_items]. Returns
    {"full": {...}, "sampled": {...}} over users whose target >= 0."""
    from .data import left_pad

    users = [u for u in range(len(targets)) if targets[u] >= 0]
    rng = np.random.default_rng(seed)
    full_ranks, samp_ranks = [], []
    for s in range(0, len(users), batch):
        chunk = users[s:s + batch]
        x = torch.from_numpy(left_pad([hists[u] for u in chunk], maxlen))
        with torch.no_grad():
            scores = score_fn(x).float().cpu().numpy()
        for r, u in enumerate(chunk):
            sc = scores[r]
            t = int(targets[u])
            ts = sc[t]
            seen = np.unique(np.asarray(hists[u], np.int64))
            seen = seen[seen != t]
            masked = sc.copy()
            masked[seen] = -np.inf
            full_ranks.append(int(np.sum(masked > ts)))
            if sampled:
                banned = np.zeros(n_items, bool)
                banned[seen] = True
                banned[t] = True
                pool = np.flatnonzero(~banned)
                negs = rng.choice(pool, size=min(sampled, len(pool)), replace=False)
                samp_ranks.append(int(np.sum(sc[negs] > ts)))
    res = {"full": _accumulate(full_ranks, ks)}
    if sampled:
        res["sampled"] = _accumulate(samp_ranks, ks)
    return res
