"""Reads the canonical dataset form (docs/dataset-format.md) into per-user train sequences and held-out targets.

Labels: loo/temporal/cold (int8): 0 train, 1 valid, 2 test, -1 unused. streaming (int32): -1 is the
pre-training part; every windowed row (>= 0) is held out for the streaming evaluation, and the validation target of
early stopping is each user's last pre-training row (leave-one-out inside the pre-training part: ~670 users on
ML-100K, where the first held-out event per user gave only 132). cold-items-s<seed> (data/src/splits/cold-items.ts): as loo for the warm
items (1 = each user's last warm row), 2 = last row on a test-cold item, 3 = last row on a validation-cold item;
the history of a cold target is every warm row of the user (cold items are not sequential next items).
"""
import json
import os
from dataclasses import dataclass

import numpy as np


@dataclass
class SeqData:
    n_users: int
    n_items: int
    train: list  # per user: np.int64 array of item indices (0-based), time order
    valid: np.ndarray  # per user: target item or -1
    valid_hist: list  # per user: history used to predict the valid target
    test: np.ndarray  # per user: target item or -1
    test_hist: list


def dataset_dir(home, name):
    return os.path.join(home, "datasets", name)


def load_items(ddir):
    items = []
    with open(os.path.join(ddir, "items.jsonl"), encoding="utf-8") as f:
        for line in f:
            if line.strip():
                items.append(json.loads(line))
    return items


def load(ddir, split):
    meta = json.load(open(os.path.join(ddir, "dataset.json"), encoding="utf-8"))
    n_users = int(meta["counts"]["users"])
    n_items = int(meta["counts"]["items"])
    users = np.load(os.path.join(ddir, "interactions.user.npy")).astype(np.int64)
    items = np.load(os.path.join(ddir, "interactions.item.npy")).astype(np.int64)
    labels = np.load(os.path.join(ddir, "splits", split + ".npy")).astype(np.int64)
    if not (len(users) == len(items) == len(labels)):
        raise ValueError("interaction arrays and split labels differ in length")
    streaming = split == "streaming"
    starts = np.r_[0, np.flatnonzero(np.diff(users)) + 1] if len(users) else np.zeros(0, np.int64)
    ends = np.r_[starts[1:], len(users)]
    train = [np.zeros(0, np.int64) for _ in range(n_users)]
    valid = -np.ones(n_users, np.int64)
    test = -np.ones(n_users, np.int64)
    valid_hist = [np.zeros(0, np.int64) for _ in range(n_users)]
    test_hist = [np.zeros(0, np.int64) for _ in range(n_users)]
    for s, e in zip(starts, ends):
        u = int(users[s])
        it, lab = items[s:e], labels[s:e]
        if streaming:
            pre = it[lab == -1]
            if len(pre) >= 3:
                train[u], valid[u], valid_hist[u] = pre[:-1], pre[-1], pre[:-1]
            else:
                train[u] = pre
        else:
            tr = it[lab == 0]
            train[u] = tr
            vi = np.flatnonzero(lab == 1)
            ti = np.flatnonzero(lab == 2)
            if len(vi) and len(tr):
                valid[u] = it[vi[0]]
                valid_hist[u] = tr
            if len(ti):
                test[u] = it[ti[0]]
                if is_cold_items(split):
                    test_hist[u] = it[(lab == 0) | (lab == 1)]
                else:
                    before = lab[: ti[0]]
                    test_hist[u] = it[: ti[0]][(before == 0) | (before == 1)]
    return SeqData(n_users, n_items, train, valid, valid_hist, test, test_hist)


def is_cold_items(split):
    return split.startswith("cold-items")


COLD_VALID = 3


def load_cold(ddir, split, label=COLD_VALID):
    """Cold targets of a cold-items split: (targets [n_users] or -1, histories = every warm row of the user, the
    candidate items: the split's validation-cold items for label 3, its test-cold items for label 2)."""
    meta = json.load(open(os.path.join(ddir, "splits", split + ".json"), encoding="utf-8"))
    n_users = int(json.load(open(os.path.join(ddir, "dataset.json"), encoding="utf-8"))["counts"]["users"])
    users = np.load(os.path.join(ddir, "interactions.user.npy")).astype(np.int64)
    items = np.load(os.path.join(ddir, "interactions.item.npy")).astype(np.int64)
    labels = np.load(os.path.join(ddir, "splits", split + ".npy")).astype(np.int64)
    targets = -np.ones(n_users, np.int64)
    hists = [np.zeros(0, np.int64) for _ in range(n_users)]
    for r in np.flatnonzero(labels == label):
        targets[users[r]] = items[r]
    warm = (labels == 0) | (labels == 1)
    order = np.argsort(users[warm], kind="stable")
    wu, wi = users[warm][order], items[warm][order]
    starts = np.searchsorted(wu, np.arange(n_users))
    ends = np.searchsorted(wu, np.arange(n_users), side="right")
    for u in range(n_users):
        hists[u] = wi[starts[u]:ends[u]]
    cands = np.asarray(meta["params"]["validItems" if label == COLD_VALID else "testItems"], np.int64)
    return targets, hists, cands


def with_prefix_users(data, per_user, seed=0, max_len=30):
    """Adds `per_user` pseudo-users per user whose training sequence is a random prefix (2..max_len items) of the
    user's: SASRec sees a short history right-aligned at the last positions only when a whole sequence is short, which
    no real ML-100K user is, but every new user of a stream is. Pseudo-users have no validation or test target."""
    if per_user <= 0:
        return data
    rng = np.random.default_rng(seed)
    extra = []
    for u in range(data.n_users):
        seq = data.train[u]
        if len(seq) < 3:
            continue
        for _ in range(per_user):
            extra.append(seq[: int(rng.integers(2, min(max_len, len(seq) - 1) + 1))])
    k = len(extra)
    none = -np.ones(k, np.int64)
    empty = [np.zeros(0, np.int64) for _ in range(k)]
    return SeqData(data.n_users + k, data.n_items, list(data.train) + extra, np.r_[data.valid, none], list(data.valid_hist) + empty,
                   np.r_[data.test, none], list(data.test_hist) + empty)


def left_pad(seqs, maxlen):
    """Item indices (0-based) -> int64 [B, maxlen] of index+1, left-padded with 0, keeping the last maxlen."""
    out = np.zeros((len(seqs), maxlen), np.int64)
    for r, s in enumerate(seqs):
        s = np.asarray(s)[-maxlen:]
        if len(s):
            out[r, maxlen - len(s):] = s + 1
    return out
