"""Inputs of projector training: the canonical dataset (items.jsonl, interactions, LOO split), the joint
latents (training artifacts, or a co-interaction SVD stand-in when none are given) and the LLM's token
embedding table (onnx/embed_tokens.npy beside the decoder)."""
import json
import os

import numpy as np

from .tokenizer import Tokenizer


def load_items(dataset_dir):
    with open(os.path.join(dataset_dir, "items.jsonl"), encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def train_histories(dataset_dir, split="loo"):
    """Per-user item lists of the training rows only (label 0), in time order."""
    users = np.load(os.path.join(dataset_dir, "interactions.user.npy")).astype(np.int64)
    items = np.load(os.path.join(dataset_dir, "interactions.item.npy")).astype(np.int64)
    labels = np.load(os.path.join(dataset_dir, "splits", split + ".npy")).astype(np.int64)
    n_users = int(users.max()) + 1
    hist = [[] for _ in range(n_users)]
    for u, i, l in zip(users, items, labels):
        if l == 0:
            hist[u].append(int(i))
    return hist


def svd_latents(histories, n_items, dim=128):
    """Stand-in joint latents when no training artifact is given: truncated SVD of the row-normalised
    item x user co-interaction matrix of the training rows (deterministic, no test leakage)."""
    m = np.zeros((n_items, len(histories)), np.float64)
    for u, its in enumerate(histories):
        for i in set(its):
            m[i, u] = 1.0
    m /= np.sqrt(np.maximum(m.sum(1, keepdims=True), 1.0))
    u, s, _ = np.linalg.svd(m, full_matrices=False)
    k = min(dim, u.shape[1])
    z = np.zeros((n_items, dim), np.float32)
    z[:, :k] = (u[:, :k] * s[:k]).astype(np.float32)
    return z


def user_latents(item_latents, histories, recent=50):
    """Users as the mean joint latent of their recent training history (zeros for empty histories)."""
    z = np.zeros((len(histories), item_latents.shape[1]), np.float32)
    for u, its in enumerate(histories):
        if its:
            z[u] = item_latents[its[-recent:]].mean(0)
    return z


def load_npy_matrix(path):
    a = np.load(path)
    if a.ndim != 2:
        raise ValueError(f"{path}: expected a 2-D matrix, got shape {a.shape}")
    return a.astype(np.float32)


def mean_token_embedding(tok, table, text):
    ids = tok.encode(text)
    return table[ids].mean(0) if ids else np.zeros(table.shape[1], np.float32)


def attribute_text(item):
    t = item.get("text", {})
    parts = []
    if t.get("genres"):
        parts.append(", ".join(g for g in t["genres"] if g != "unknown"))
    if t.get("director"):
        parts.append("directed by " + ", ".join(t["director"][:2]))
    if t.get("cast"):
        parts.append("with " + ", ".join(t["cast"][:3]))
    return "; ".join(p for p in parts if p) or item["title"]


def targets(model_dir, items, histories):
    """LLM-side targets: mean input embedding of each title, of each item's attribute text, and of
    each user's recent history titles."""
    tok = Tokenizer(os.path.join(model_dir, "tokenizer.json"))
    table = np.load(os.path.join(model_dir, "onnx", "embed_tokens.npy")).astype(np.float32)
    title = np.stack([mean_token_embedding(tok, table, it["title"]) for it in items])
    attrs = np.stack([mean_token_embedding(tok, table, attribute_text(it)) for it in items])
    users = np.stack([title[h[-50:]].mean(0) if h else np.zeros(table.shape[1], np.float32) for h in histories])
    return title.astype(np.float32), attrs.astype(np.float32), users.astype(np.float32)
