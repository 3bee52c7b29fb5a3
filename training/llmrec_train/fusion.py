"""Multimodal joint alignment (paper Sec. 4.2, issue 10): per-modality projectors into the joint latent, a gate per
modality conditioned on which modalities the item has, and one tower that turns an item's available signals into
the item latent used for scoring.

Modalities: "cf" (the base aligner's item latent z_i; present when the item has training interactions) and the
content modalities of the features manifest (text, image, audio). For an item with presence vector p:

    z_item = s(p) * sum_m w_m(p) * P_m(x_m),   w(p) = softmax over the present modalities of a(p)

P_cf starts as the identity (so the tower starts at the base aligner's latents), the content projectors standardise
their input with training statistics (folded into the ONNX graph) and are 2-layer MLPs. An item without CF signal
(a new item) goes through the same tower with p_cf = 0: the content tower exported for the worker is exactly that.
"""
import torch
import torch.nn.functional as F
from torch import nn

CF = "cf"


class Standardize(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.as_tensor(mean, dtype=torch.float32).clone())
        self.register_buffer("inv_std", 1.0 / torch.as_tensor(std, dtype=torch.float32).clamp_min(1e-6))

    def forward(self, x):
        return (x - self.mean) * self.inv_std


class Projector(nn.Module):
    """Content features -> joint latent: standardise, Linear-GELU-Dropout-Linear."""

    def __init__(self, d_in, dim, hidden, dropout, mean, std):
        super().__init__()
        self.norm = Standardize(mean, std)
        self.net = nn.Sequential(nn.Linear(d_in, hidden), nn.GELU(), nn.Dropout(dropout), nn.Linear(hidden, dim))

    def forward(self, x):
        return self.net(self.norm(x))


class CfProjector(nn.Module):
    """Base aligner latent -> joint latent: identity plus a residual MLP whose last layer starts at zero."""

    def __init__(self, dim, hidden, dropout):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(dim, hidden), nn.GELU(), nn.Dropout(dropout), nn.Linear(hidden, dim))
        nn.init.zeros_(self.mlp[-1].weight)
        nn.init.zeros_(self.mlp[-1].bias)

    def forward(self, x):
        return x + self.mlp(x)


class FusionTower(nn.Module):
    def __init__(self, content_dims, stats, dim=128, hidden=256, dropout=0.1, gate_hidden=16, cf_bias=4.0):
        """content_dims: {modality: d_in} in a fixed order; stats: {modality: (mean, std)} over present items."""
        super().__init__()
        self.content = list(content_dims)
        self.names = [CF] + self.content
        self.dim = dim
        self.cf = CfProjector(dim, hidden, dropout)
        self.proj = nn.ModuleDict({m: Projector(d, dim, hidden, dropout, *stats[m]) for m, d in content_dims.items()})
        m = len(self.names)
        # gate: presence pattern -> one logit per modality + a scale; starts with the CF path dominant and scale 1
        self.gate = nn.Sequential(nn.Linear(m, gate_hidden), nn.Tanh(), nn.Linear(gate_hidden, m + 1))
        nn.init.zeros_(self.gate[-1].weight)
        with torch.no_grad():
            self.gate[-1].bias.zero_()
            self.gate[-1].bias[0] = cf_bias
            self.gate[-1].bias[m] = 0.5413  # softplus(0.5413) = 1

    def project(self, name, x):
        return self.cf(x) if name == CF else self.proj[name](x)

    def weights(self, present):
        """present [B, M] (0/1, columns in self.names order) -> modality weights [B, M] (rows sum to 1 over present
        modalities, 0 where none is present) and scale [B, 1]."""
        h = self.gate(present)
        m = present.shape[1]
        logits = h[:, :m] + (present - 1.0) * 1e4
        w = torch.softmax(logits, dim=-1) * present
        return w, F.softplus(h[:, m:m + 1])

    def forward(self, x, present):
        """x: list of [B, d_m] tensors in self.names order (zeros where absent); present [B, M]."""
        w, s = self.weights(present)
        z = 0.0
        for k, name in enumerate(self.names):
            z = z + w[:, k:k + 1] * self.project(name, x[k])
        return s * z


class ContentTower(nn.Module):
    """The exported graph (content-tower contract, issue 10 -> 11): one input per content modality and its
    presence flag, output z_item in the joint latent: the fusion tower with the CF path absent."""

    def __init__(self, tower):
        super().__init__()
        self.tower = tower

    def forward(self, *args):
        k = len(self.tower.content)
        feats, pres = args[:k], args[k:]
        b = feats[0].shape[0]
        zeros = torch.zeros(b, self.tower.dim, dtype=feats[0].dtype)
        present = torch.stack([torch.zeros(b, dtype=feats[0].dtype)] + [p.reshape(-1) for p in pres], dim=1)
        return self.tower([zeros] + list(feats), present)


class FusedTower(nn.Module):
    """The whole tower with the CF input (cf, cf_present first): what the evaluation's modality-drop runs use."""

    def __init__(self, tower):
        super().__init__()
        self.tower = tower

    def forward(self, *args):
        k = len(self.tower.names)
        feats, pres = args[:k], args[k:]
        present = torch.stack([p.reshape(-1) for p in pres], dim=1)
        return self.tower(list(feats), present)


def modality_dropout(present, p_drop, gen):
    """Drops each present modality of each item with its probability (p_drop [M]); an item keeps at least one of
    the modalities it had (the first surviving draw is restored at random among its present ones)."""
    keep = (torch.rand(present.shape, generator=gen) >= p_drop.unsqueeze(0)).float()
    out = present * keep
    lost = (out.sum(1) == 0) & (present.sum(1) > 0)
    if lost.any():
        r = torch.rand(int(lost.sum()), present.shape[1], generator=gen) * present[lost]
        out[lost] = F.one_hot(r.argmax(1), present.shape[1]).float()
    return out


def info_nce(a, b, temp):
    """Symmetric InfoNCE between rows of a and b (same items), cosine similarity / temp, in-batch negatives."""
    a = F.normalize(a, dim=-1)
    b = F.normalize(b, dim=-1)
    logits = a @ b.t() / temp
    t = torch.arange(len(a))
    return 0.5 * (F.cross_entropy(logits, t) + F.cross_entropy(logits.t(), t))


def contrastive_loss(tower, x, present, items, temp):
    """Paper Eq. 4: sum over modality pairs (m, m') of 1[item has both] * InfoNCE(P_m(x_m), P_m'(x_m')) over the
    batch, averaged with weights = number of items that have both."""
    proj = [tower.project(n, x[k][items]) for k, n in enumerate(tower.names)]
    pres = present[items]
    total, count = 0.0, 0
    for i in range(len(proj)):
        for j in range(i + 1, len(proj)):
            both = (pres[:, i] > 0) & (pres[:, j] > 0)
            nb = int(both.sum())
            if nb < 2:
                continue
            total = total + nb * info_nce(proj[i][both], proj[j][both], temp)
            count += nb
    return total / count if count else torch.zeros(())
