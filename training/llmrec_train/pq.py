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


def relative_error(rec, x):
    """Squared reconstruction error relative to the energy of x (0 = exact)."""
    return float(((rec - x) ** 2).sum() / max((x ** 2).sum(), 1e-12))


def decode(books, codes):
    m = books.shape[0]
    return np.concatenate([books[s][codes[:, s]] for s in range(m)], axis=1)


def finetune_codebooks(books, codes, items, users, steps=300, lr=1e-3, batch=1024, temp=1.0, w_recon=0.02, seed=0, on_step=None):
    """Ranking-aware codebook refinement (in the spirit of JPQ, Zhan et al. 2021): the codes stay fixed and
    the centroids are trained so that, for real user latents, the softmax over the decoded item table matches
    the softmax over the float item table (KL distillation over every item). k-means only minimises
    reconstruction error, which weighs every direction alike; this weighs the directions the users score along.

    books [m, k, ds], codes [n, m] uint8, items [n, d] float latents, users [u, d] user latents (training
    positions only, never the evaluation targets). w_recon weighs the relative reconstruction error, so the
    decoded latents stay usable as latents (the LLM projectors read them), not only as a scoring table.
    Returns (new books float32, history of the loss)."""
    import torch
    import torch.nn.functional as F

    if steps <= 0 or len(users) == 0:
        return books, []
    g = torch.Generator().manual_seed(seed)
    m, k, ds = books.shape
    b = torch.nn.Parameter(torch.from_numpy(np.ascontiguousarray(books, np.float32)).clone())
    c = torch.from_numpy(codes.astype(np.int64))
    sub = torch.arange(m).unsqueeze(0).expand(len(c), m)
    zi = torch.from_numpy(np.ascontiguousarray(items, np.float32))
    zu = torch.from_numpy(np.ascontiguousarray(users, np.float32))
    energy = float(zi.pow(2).mean().clamp_min(1e-12))
    opt = torch.optim.Adam([b], lr=lr)
    hist = []
    for step in range(steps):
        idx = torch.randint(0, len(zu), (min(batch, len(zu)),), generator=g)
        u = zu[idx]
        with torch.no_grad():
            teacher = torch.softmax(u @ zi.t() / temp, dim=-1)
        rec = b[sub, c].reshape(len(c), m * ds)
        loss = F.kl_div(torch.log_softmax(u @ rec.t() / temp, dim=-1), teacher, reduction="batchmean")
        if w_recon:
            loss = loss + w_recon * F.mse_loss(rec, zi) / energy
        opt.zero_grad()
        loss.backward()
        opt.step()
        hist.append(float(loss))
        if on_step and (step + 1) % 50 == 0:
            on_step(step + 1, float(np.mean(hist[-50:])))
    return b.detach().numpy().astype(np.float32), hist
