"""Product quantization of the joint item latents (serving-time compression, read at the edge): k-means
codebooks per sub-space trained offline, one uint8 code per sub-space. Decoding and asymmetric-distance
(inner-product) scoring live in TypeScript (shared/src/pq)."""
import numpy as np


def kmeans(x, k, iters, rng):
    """Lloyd's k-means with k-means++ seeding; returns [k, d] float32 centroids."""
    n = len(x)
    k = min(k, n)
    c = np.empty((k, x.shape[1]), np.float64)
    c[0] = x[rng.integers(n)]
    d2 = ((x - c[0]) ** 2).sum(1)
    for j in range(1, k):
        p = d2 / d2.sum() if d2.sum() > 0 else np.full(n, 1.0 / n)
        c[j] = x[rng.choice(n, p=p)]
        d2 = np.minimum(d2, ((x - c[j]) ** 2).sum(1))
    for _ in range(iters):
        dist = (x ** 2).sum(1)[:, None] - 2 * x @ c.T + (c ** 2).sum(1)[None, :]
        a = dist.argmin(1)
        for j in range(k):
            m = a == j
            if m.any():
                c[j] = x[m].mean(0)
            else:
                c[j] = x[dist.min(1).argmax()]
    return c.astype(np.float32)


def train_pq(x, m=16, k=256, iters=25, seed=0):
    """x: [n, d] float32 with d % m == 0. Returns (codebooks [m, k, d/m] float32, codes [n, m] uint8)."""
    n, d = x.shape
    if d % m:
        raise ValueError(f"dim {d} not divisible by {m} sub-spaces")
    if k > 256:
        raise ValueError("codes are uint8: k <= 256")
    ds = d // m
    rng = np.random.default_rng(seed)
    x64 = x.astype(np.float64)
    books = np.zeros((m, k, ds), np.float32)
    codes = np.zeros((n, m), np.uint8)
    for s in range(m):
        sub = x64[:, s * ds:(s + 1) * ds]
        c = kmeans(sub, k, iters, rng)
        books[s, :len(c)] = c
        if len(c) < k:  # fewer items than centroids: pad with copies so every code decodes
            books[s, len(c):] = c[0]
        dist = (sub ** 2).sum(1)[:, None] - 2 * sub @ books[s].T.astype(np.float64) + (books[s].astype(np.float64) ** 2).sum(1)[None, :]
        codes[:, s] = dist.argmin(1).astype(np.uint8)
    return books, codes


def decode(books, codes):
    m = books.shape[0]
    return np.concatenate([books[s][codes[:, s]] for s in range(m)], axis=1)
