"""Projector training on a tiny synthetic catalogue: alignment is learned (retrieval far above chance),
the tokenizer follows the BPE rules, and the ONNX export has the serving contract."""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from projectors.model import export_onnx  # noqa: E402
from projectors.tokenizer import Tokenizer  # noqa: E402
from projectors.train import fit, retrieval_at  # noqa: E402


def test_tokenizer_merges_by_rank_with_byte_fallback(tmp_path):
    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2, "<0xC3>": 3, "<0xA9>": 4, "\u2581": 5, "a": 6, "b": 7, "ab": 8, "\u2581ab": 9, "ba": 10}
    merges = ["a b", "\u2581 ab", "b a"]
    p = tmp_path / "tokenizer.json"
    p.write_text(json.dumps({"model": {"type": "BPE", "vocab": vocab, "merges": merges}}), encoding="utf-8")
    tok = Tokenizer(str(p))
    assert tok.encode("ab", bos=True) == [1, 9]
    assert tok.encode("bab") == [5, 7, 8]  # 'a b' outranks 'b a'
    assert tok.encode("é") == [5, 3, 4]  # unknown character -> its UTF-8 bytes


def test_alignment_is_learned_and_exported(tmp_path):
    rng = np.random.default_rng(0)
    n, d_lat, d_tok = 80, 128, 16
    latents = rng.normal(size=(n, d_lat)).astype(np.float32)
    mix = rng.normal(size=(d_lat, d_tok)).astype(np.float32) / np.sqrt(d_lat)
    title = np.tanh(latents @ mix).astype(np.float32)
    attrs = np.tanh(latents @ mix[:, ::-1]).astype(np.float32)
    users = latents[:20] * 0.5
    model, metrics = fit(latents, users, title, attrs, np.tanh(users @ mix).astype(np.float32), epochs=150, holdout=0.25)
    assert metrics["train_title_retrieval"]["top1"] > 0.9
    # Held-out items: their text is a function of the latent here, so alignment must generalise beyond chance.
    assert metrics["heldout_title_retrieval"]["top1"] > 3 * metrics["chance_top1_heldout"], metrics
    assert 0.3 < metrics["token_norm_ratio"] < 3
    path = tmp_path / "projector.onnx"
    export_onnx(model, str(path))
    assert path.stat().st_size > 1000
    with torch.no_grad():
        u, i, e = model(torch.tensor(latents[:3]))
    assert u.shape == i.shape == e.shape == (3, d_tok)


def test_retrieval_metric():
    t = torch.eye(4)
    assert retrieval_at(t, t)["top1"] == 1.0
    assert retrieval_at(t, t.flip(0))["top1"] == 0.0
