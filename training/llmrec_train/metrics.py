"""Ranking metrics used for early stopping and for the manifest: full ranking (every item, the user's input
history excluded, the target never excluded) and the sampled protocol (target vs 100 sampled negatives).

The rule is the TypeScript reference's (shared/src/metrics/ranking.ts), checked on the shared fixture
eval/src/metrics/fixtures/ranking-cases.json by both test suites: ties are pessimistic (an item scoring EQUAL to
the target ranks above it) and a NaN target score ranks last (rank = number of items; NaN scores of other items
never count above a target). This is the only rank / NDCG implementation on the Python side."""
import numpy as np
import torch


def full_ranks(scores, targets, excluded):
    """0-based rank of each row's single target under full ranking. scores: float [B, n]; targets: int [B];
    excluded: bool [B, n] (the input history; the target itself is never excluded)."""
    scores = torch.as_tensor(scores)
    targets = torch.as_tensor(targets, dtype=torch.long)
    excluded = torch.as_tensor(excluded, dtype=torch.bool).clone()
    rows = torch.arange(len(targets))
    excluded[rows, targets] = False
    ts = scores[rows, targets].unsqueeze(1)
    # the target counts itself once (>=), hence - 1
    r = ((scores >= ts) & ~excluded).sum(1) - 1
    return torch.where(torch.isnan(ts.squeeze(1)), torch.full_like(r, scores.shape[1]), r).numpy()


def sampled_rank(scores, target, negatives):
    """0-based rank of `target` among `negatives` (pessimistic ties; NaN target: len(negatives))."""
    ts = scores[target]
    if np.isnan(ts):
        return len(negatives)
    return int(np.sum(scores[negatives] >= ts))


def ndcg_at(ranks, k):
    """NDCG@k of single-target ranks (binary gain, ideal DCG 1)."""
    ranks = np.asarray(ranks, np.float64)
    return np.where(ranks < k, 1.0 / np.log2(ranks + 2.0), 0.0)


def _accumulate(ranks, ks):
    ranks = np.asarray(ranks, np.float64)
    out = {"users": int(len(ranks))}
    for k in ks:
        out[f"ndcg@{k}"] = float(np.mean(ndcg_at(ranks, k))) if len(ranks) else 0.0
        out[f"hr@{k}"] = float(np.mean(ranks < k)) if len(ranks) else 0.0
    return out


def evaluate(score_fn, hists, targets, n_items, maxlen, ks=(10, 20), sampled=100, seed=0, batch=256):
    """score_fn: int64 [B, maxlen] (left-padded, index+1) -> float [B, n_items]. Returns
    {"full": {...}, "sampled": {...}} over users whose target >= 0."""
    from .data import left_pad

    users = [u for u in range(len(targets)) if targets[u] >= 0]
    rng = np.random.default_rng(seed)
    full, samp_ranks = [], []
    for s in range(0, len(users), batch):
        chunk = users[s:s + batch]
        x = torch.from_numpy(left_pad([hists[u] for u in chunk], maxlen))
        with torch.no_grad():
            scores = score_fn(x).float().cpu()
        t = np.asarray([int(targets[u]) for u in chunk], np.int64)
        excl = torch.zeros(scores.shape, dtype=torch.bool)
        for r, u in enumerate(chunk):
            excl[r, torch.from_numpy(np.asarray(hists[u], np.int64))] = True
        full.append(full_ranks(scores, t, excl))
        if sampled:
            sc = scores.numpy()
            for r, u in enumerate(chunk):
                banned = np.zeros(n_items, bool)
                banned[np.asarray(hists[u], np.int64)] = True
                banned[t[r]] = True
                pool = np.flatnonzero(~banned)
                negs = rng.choice(pool, size=min(sampled, len(pool)), replace=False)
                samp_ranks.append(sampled_rank(sc[r], t[r], negs))
    res = {"full": _accumulate(np.concatenate(full) if full else [], ks)}
    if sampled:
        res["sampled"] = _accumulate(samp_ranks, ks)
    return res
