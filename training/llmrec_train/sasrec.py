"""SASRec (Kang & McAuley 2018): the frozen CF backbone of the method. Item embeddings, learned positions,
causal self-attention blocks with point-wise FFN, layer norm, dropout. Written with plain ops (no
nn.MultiheadAttention) so the ONNX export (opset <= 17) and the TypeScript parity stay exact.

Input convention (shared with the ONNX graphs and the TS side): int64 [B, L] of item index + 1, left-padded
with 0, L <= maxlen; positions are counted from the right so a shorter input equals its left-padded form.

Side information (optional, `SideInfo`): during training an item's embedding is its own vector plus the mean of
its attributes' vectors (e.g. Beauty's brand/category ids), so rare items borrow strength from frequent items that
share attributes. After training `fold_side_info` adds that part into the item table: the result is a plain
SASRec with identical outputs, so export, ONNX graphs and serving do not change.

Frequency branch (optional, `freq_alpha` > 0; BSARec, Shin et al. AAAI'24, "beyond self-attention"): each block
mixes its attention update with a filtered copy of its input, alpha * (X_lp + beta^2 X_hp) + (1 - alpha) * attention,
where X_lp keeps the lowest c // 2 + 1 rFFT frequencies along the time axis of the maxlen window (BSARec's c) and
X_hp = X - X_lp, beta a learnable per-channel scale. The filter is a fixed real matrix (`lowpass_matrix`, see
`causal_lowpass`), so the ONNX graph holds a MatMul, not an FFT.
"""
import math

import torch
from torch import nn


class CausalSelfAttention(nn.Module):
    def __init__(self, hidden, heads, dropout):
        super().__init__()
        if hidden % heads:
            raise ValueError("hidden must be divisible by heads")
        self.heads = heads
        self.q = nn.Linear(hidden, hidden)
        self.k = nn.Linear(hidden, hidden)
        self.v = nn.Linear(hidden, hidden)
        self.o = nn.Linear(hidden, hidden)
        self.drop = nn.Dropout(dropout)

    def forward(self, query, keys, allowed):
        b, l, d = query.shape
        h = self.heads
        q = self.q(query).view(b, l, h, d // h).transpose(1, 2)
        k = self.k(keys).view(b, l, h, d // h).transpose(1, 2)
        v = self.v(keys).view(b, l, h, d // h).transpose(1, 2)
        att = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(d // h)
        att = att.masked_fill(~allowed.unsqueeze(1), -1e9)
        att = self.drop(torch.softmax(att, dim=-1))
        out = torch.matmul(att, v).transpose(1, 2).reshape(b, l, d)
        return self.o(out)


class PointWiseFFN(nn.Module):
    def __init__(self, hidden, dropout):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU(), nn.Dropout(dropout), nn.Linear(hidden, hidden), nn.Dropout(dropout))

    def forward(self, x):
        return x + self.net(x)


def lowpass_matrix(n, c):
    """[n, n] real M with M @ x = irfft(rfft(x, ortho) with frequencies >= c // 2 + 1 zeroed, ortho) along the time
    axis: BSARec's low-pass over a window of n steps, built from the DFT basis (no torch.fft, which torch 1.13 cannot
    export to ONNX)."""
    keep = min(c // 2 + 1, n // 2 + 1)
    t = torch.arange(n, dtype=torch.float64)
    d = t.unsqueeze(1) - t.unsqueeze(0)
    m = torch.full((n, n), 1.0 / n, dtype=torch.float64)
    for k in range(1, keep):
        # the Nyquist bin of an even n has no conjugate twin: it counts once
        w = 1.0 if 2 * k == n else 2.0
        m += w / n * torch.cos(2 * math.pi * k * d / n)
    return m.float()


def causal_lowpass(maxlen, c):
    """[maxlen, maxlen] causal T with (T @ x)[t] = the low-pass of x's prefix up to t, left-padded with zeros to the
    maxlen window, read at the window's last step: what BSARec computes for a history ending at t (BSARec trains on
    every prefix and reads the last step only). Every position of a SASRec sequence is a training target, so the
    non-causal M would leak the next item into position t; T depends on t - s only (Toeplitz), so trimming left
    padding keeps it exact and T[:l, :l] serves a history of l steps."""
    last = lowpass_matrix(maxlen, c)[-1]  # weight of the step `maxlen - 1 - lag` steps back, lag = t - s
    t = torch.arange(maxlen)
    lag = t.unsqueeze(1) - t.unsqueeze(0)
    return torch.where(lag >= 0, last[(maxlen - 1 - lag).clamp(0, maxlen - 1)], torch.zeros(()))


class FrequencyMix(nn.Module):
    """BSARec's filtered branch of one block: X_lp + beta^2 (X - X_lp), X_lp = T @ X (left padding already zero)."""

    def __init__(self, hidden, maxlen, c):
        super().__init__()
        self.c = c
        self.sqrt_beta = nn.Parameter(torch.randn(1, 1, hidden))
        self.register_buffer("lowpass", causal_lowpass(maxlen, c), persistent=False)

    def forward(self, x):
        l = x.shape[1]
        lp = torch.matmul(self.lowpass[:l, :l], x)
        return lp + self.sqrt_beta ** 2 * (x - lp)


class SideInfo(nn.Module):
    """Mean of attribute embeddings per item (row 0 = padding, all zero). items_attrs: per item a list of
    attribute ids in [0, n_attrs)."""

    def __init__(self, items_attrs, n_attrs, hidden):
        super().__init__()
        idx, offsets = [], [0]
        for attrs in items_attrs:
            idx.extend(int(a) for a in attrs)
            offsets.append(len(idx))
        self.register_buffer("idx", torch.tensor(idx, dtype=torch.long))
        self.register_buffer("offsets", torch.tensor(offsets[:-1], dtype=torch.long))
        self.register_buffer("has", torch.tensor([[1.0] if a else [0.0] for a in items_attrs]))
        self.emb = nn.EmbeddingBag(max(1, n_attrs), hidden, mode="mean")
        nn.init.xavier_normal_(self.emb.weight)

    def forward(self):
        """[n_items + 1, hidden]: padding row, then one row per item (zero for items without attributes)."""
        rows = self.emb(self.idx, self.offsets) * self.has
        return torch.cat([rows.new_zeros(1, rows.shape[1]), rows], 0)


class SASRec(nn.Module):
    def __init__(self, n_items, hidden=64, maxlen=50, blocks=2, heads=1, dropout=0.2, side=None, freq_alpha=0.0, freq_c=5):
        super().__init__()
        self.side = side
        if not 0.0 <= freq_alpha <= 1.0:
            raise ValueError(f"freq_alpha must be in [0, 1], got {freq_alpha}")
        self.freq_alpha, self.freq_c = float(freq_alpha), int(freq_c)
        self.n_items, self.hidden, self.maxlen = n_items, hidden, maxlen
        self.item_emb = nn.Embedding(n_items + 1, hidden, padding_idx=0)
        self.pos_emb = nn.Embedding(maxlen, hidden)
        self.drop = nn.Dropout(dropout)
        self.attn_ln = nn.ModuleList([nn.LayerNorm(hidden, eps=1e-8) for _ in range(blocks)])
        self.attn = nn.ModuleList([CausalSelfAttention(hidden, heads, dropout) for _ in range(blocks)])
        self.ffn_ln = nn.ModuleList([nn.LayerNorm(hidden, eps=1e-8) for _ in range(blocks)])
        self.ffn = nn.ModuleList([PointWiseFFN(hidden, dropout) for _ in range(blocks)])
        # no modules (and no state-dict keys) without the option, so plain checkpoints load unchanged
        self.freq = nn.ModuleList([FrequencyMix(hidden, maxlen, freq_c) for _ in range(blocks)]) if freq_alpha > 0 else None
        self.last_ln = nn.LayerNorm(hidden, eps=1e-8)
        for name, p in self.named_parameters():
            if p.dim() > 1 and not name.endswith("sqrt_beta"):  # beta keeps BSARec's N(0, 1) start
                nn.init.xavier_normal_(p)
        with torch.no_grad():
            self.item_emb.weight[0].zero_()

    def item_weight(self):
        """[n_items + 1, hidden] input/output item table (row 0 = padding), side information included."""
        return self.item_emb.weight if self.side is None else self.item_emb.weight + self.side()

    def fold_side_info(self):
        """A plain SASRec (no side module) with the side part added into its item table: same outputs."""
        if self.side is None:
            return self
        plain = SASRec(self.n_items, self.hidden, self.maxlen, len(self.attn), self.attn[0].heads, self.drop.p,
                       freq_alpha=self.freq_alpha, freq_c=self.freq_c)
        state = {k: v for k, v in self.state_dict().items() if not k.startswith("side.")}
        with torch.no_grad():
            state["item_emb.weight"] = self.item_weight().detach().clone()
        plain.load_state_dict(state)
        return plain

    def seq_repr(self, hist, table=None):
        """[B, L] history -> [B, L, hidden] representation at every position."""
        l = hist.shape[1]
        valid = hist != 0
        x = nn.functional.embedding(hist, self.item_weight() if table is None else table) * math.sqrt(self.hidden)
        pos = torch.arange(l, device=hist.device) + (self.maxlen - l)
        x = self.drop(x + self.pos_emb(pos).unsqueeze(0))
        mask = valid.unsqueeze(-1).to(x.dtype)
        x = x * mask
        idx = torch.arange(l, device=hist.device)
        causal = idx.unsqueeze(0) <= idx.unsqueeze(1)  # [query, key]
        eye = idx.unsqueeze(0) == idx.unsqueeze(1)
        allowed = causal.unsqueeze(0) & (valid.unsqueeze(1) | eye.unsqueeze(0))  # [B, Lq, Lk]
        for i, (ln, att, fln, ffn) in enumerate(zip(self.attn_ln, self.attn, self.ffn_ln, self.ffn)):
            q = ln(x)
            if self.freq is None:
                x = q + att(q, x, allowed)
            else:
                # padded steps hold layer norm's bias, not zero: masked so the filter sees only real steps
                a = self.freq_alpha
                x = q + a * self.drop(self.freq[i](q * mask)) + (1 - a) * att(q, x, allowed)
            x = ffn(fln(x)) * mask
        return self.last_ln(x)

    def user_repr(self, hist):
        return self.seq_repr(hist)[:, -1, :]

    def item_table(self):
        """[n_items, hidden] embeddings of the real items (row i = item index i)."""
        return self.item_weight()[1:]

    def score_all(self, hist):
        return self.user_repr(hist) @ self.item_table().t()
