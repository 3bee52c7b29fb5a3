"""SASRec (Kang & McAuley 2018): the frozen CF backbone of the method. Item embeddings, learned positions,
causal self-attention blocks with point-wise FFN, layer norm, dropout. Written with plain ops (no
nn.MultiheadAttention) so the ONNX export (opset <= 17) and the TypeScript parity stay exact.

Input convention (shared with the ONNX graphs and the TS side): int64 [B, L] of item index + 1, left-padded
with 0, L <= maxlen; positions are counted from the right so a shorter input equals its left-padded form.
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


class SASRec(nn.Module):
    def __init__(self, n_items, hidden=64, maxlen=50, blocks=2, heads=1, dropout=0.2):
        super().__init__()
        self.n_items, self.hidden, self.maxlen = n_items, hidden, maxlen
        self.item_emb = nn.Embedding(n_items + 1, hidden, padding_idx=0)
        self.pos_emb = nn.Embedding(maxlen, hidden)
        self.drop = nn.Dropout(dropout)
        self.attn_ln = nn.ModuleList([nn.LayerNorm(hidden, eps=1e-8) for _ in range(blocks)])
        self.attn = nn.ModuleList([CausalSelfAttention(hidden, heads, dropout) for _ in range(blocks)])
        self.ffn_ln = nn.ModuleList([nn.LayerNorm(hidden, eps=1e-8) for _ in range(blocks)])
        self.ffn = nn.ModuleList([PointWiseFFN(hidden, dropout) for _ in range(blocks)])
        self.last_ln = nn.LayerNorm(hidden, eps=1e-8)
        for name, p in self.named_parameters():
            if p.dim() > 1:
                nn.init.xavier_normal_(p)
        with torch.no_grad():
            self.item_emb.weight[0].zero_()

    def seq_repr(self, hist):
        """[B, L] history -> [B, L, hidden] representation at every position."""
        l = hist.shape[1]
        valid = hist != 0
        x = self.item_emb(hist) * math.sqrt(self.hidden)
        pos = torch.arange(l, device=hist.device) + (self.maxlen - l)
        x = self.drop(x + self.pos_emb(pos).unsqueeze(0))
        mask = valid.unsqueeze(-1).to(x.dtype)
        x = x * mask
        idx = torch.arange(l, device=hist.device)
        causal = idx.unsqueeze(0) <= idx.unsqueeze(1)  # [query, key]
        eye = idx.unsqueeze(0) == idx.unsqueeze(1)
        allowed = causal.unsqueeze(0) & (valid.unsqueeze(1) | eye.unsqueeze(0))  # [B, Lq, Lk]
        for ln, att, fln, ffn in zip(self.attn_ln, self.attn, self.ffn_ln, self.ffn):
            q = ln(x)
            x = q + att(q, x, allowed)
            x = ffn(fln(x)) * mask
        return self.last_ln(x)

    def user_repr(self, hist):
        return self.seq_repr(hist)[:, -1, :]

    def item_table(self):
        """[n_items, hidden] embeddings of the real items (row i = item index i)."""
        return self.item_emb.weight[1:]

    def score_all(self, hist):
        return self.user_repr(hist) @ self.item_table().t()
