"""Contrastive alignment of projected latents with the frozen LLM's own input embeddings (InfoNCE over
items/users, plus an MSE term so soft tokens land at the scale of real token embeddings). Only the
projectors get gradients; the LLM is never run, so cost does not grow with the LLM's depth."""
import numpy as np
import torch
import torch.nn.functional as F

from .model import Projectors


def info_nce(pred, target, temperature):
    p = F.normalize(pred, dim=-1)
    t = F.normalize(target, dim=-1)
    logits = p @ t.T / temperature
    labels = torch.arange(len(p))
    return 0.5 * (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels))


def retrieval_at(pred, target, ks=(1, 10)):
    """Share of rows whose own target is among the k nearest targets (cosine) of the projection."""
    p = F.normalize(torch.as_tensor(pred), dim=-1)
    t = F.normalize(torch.as_tensor(target), dim=-1)
    sims = p @ t.T
    rank = (sims > sims.diag()[:, None]).sum(1)
    return {f"top{k}": float((rank < k).float().mean()) for k in ks}


def fit(latents, user_latents, title, attrs, users, epochs=300, lr=3e-3, temperature=0.07, mse_weight=1.0,
        hidden=256, seed=0, holdout=0.1, log=lambda m: None):
    """Trains on all items/users except a held-out share of items (reported), returns (model, metrics)."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    n = len(latents)
    perm = rng.permutation(n)
    n_hold = int(n * holdout)
    hold, train_idx = perm[:n_hold], perm[n_hold:]
    z = torch.tensor(latents)
    zu = torch.tensor(user_latents)
    ok_users = torch.tensor(np.abs(user_latents).sum(1) > 0)
    tt, ta, tu = torch.tensor(title), torch.tensor(attrs), torch.tensor(users)
    model = Projectors(z.shape[1], tt.shape[1], hidden)
    model.mean.copy_(z[train_idx].mean(0))
    model.std.copy_(z[train_idx].std(0) + 1e-6)
    opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=1e-5)
    tr = torch.tensor(train_idx)
    for ep in range(epochs):
        model.train()
        u_hat, _, _ = model(zu[ok_users])
        _, i_hat, e_hat = model(z[tr])
        loss = (info_nce(i_hat, tt[tr], temperature) + info_nce(e_hat, ta[tr], temperature) + info_nce(u_hat, tu[ok_users], temperature)
                + mse_weight * (F.mse_loss(i_hat, tt[tr]) + F.mse_loss(e_hat, ta[tr]) + F.mse_loss(u_hat, tu[ok_users])) / tt.var())
        opt.zero_grad()
        loss.backward()
        opt.step()
        if ep % 50 == 0 or ep == epochs - 1:
            log(f"projectors: epoch {ep + 1}/{epochs} loss {loss.item():.4f}")
    model.eval()
    with torch.no_grad():
        _, i_all, _ = model(z)
        metrics = {
            "heldout_items": int(n_hold),
            "heldout_title_retrieval": retrieval_at(i_all[hold], tt[hold]) if n_hold else {},
            "train_title_retrieval": retrieval_at(i_all[tr], tt[tr]),
            "chance_top1_heldout": 1.0 / max(n_hold, 1),
            "token_norm_ratio": float(i_all.norm(dim=-1).mean() / tt.norm(dim=-1).mean()),
        }
    return model, metrics
