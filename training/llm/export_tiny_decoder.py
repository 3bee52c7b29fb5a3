"""Exports a tiny text-only causal decoder the way ordinary exporters do (torch.onnx, input_ids ->
embedding Gather, tied LM head, KV cache in/out with Hugging Face names). Used by the prepare-llm test
to check the rewrite on a real exporter's graph:

  /usr/bin/python3 training/llm/export_tiny_decoder.py OUT_DIR
writes OUT_DIR/onnx/model.onnx and OUT_DIR/config.json."""
import json
import os
import sys

import torch
import torch.nn as nn


class TinyDecoder(nn.Module):
    def __init__(self, vocab=61, dim=16, heads=2):
        super().__init__()
        self.embed_tokens = nn.Embedding(vocab, dim)
        self.q, self.k, self.v = nn.Linear(dim, dim), nn.Linear(dim, dim), nn.Linear(dim, dim)
        self.o = nn.Linear(dim, dim)
        self.heads, self.hd = heads, dim // heads

    def forward(self, input_ids, attention_mask, past_key, past_value):
        x = self.embed_tokens(input_ids)
        b, t, _ = x.shape
        split = lambda y: y.view(b, t, self.heads, self.hd).transpose(1, 2)
        k = torch.cat([past_key, split(self.k(x))], 2)
        v = torch.cat([past_value, split(self.v(x))], 2)
        s = split(self.q(x)) @ k.transpose(2, 3) / self.hd ** 0.5
        total = k.shape[2]
        causal = torch.ones(t, total).tril(total - t).bool()
        allowed = causal[None, None] & attention_mask[:, None, None, :].bool()
        s = s.masked_fill(~allowed, -1e9)
        h = x + self.o((s.softmax(-1) @ v).transpose(1, 2).reshape(b, t, -1))
        return h @ self.embed_tokens.weight.T, k, v


def main(out):
    torch.manual_seed(0)
    m = TinyDecoder().eval()
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    args = (torch.tensor([[1, 2, 3]]), torch.ones(1, 3, dtype=torch.long), torch.zeros(1, 2, 0, 8), torch.zeros(1, 2, 0, 8))
    torch.onnx.export(m, args, os.path.join(out, "onnx", "model.onnx"), opset_version=17,
                      input_names=["input_ids", "attention_mask", "past_key_values.0.key", "past_key_values.0.value"],
                      output_names=["logits", "present.0.key", "present.0.value"],
                      dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "total"},
                                    "past_key_values.0.key": {0: "batch", 2: "past"}, "past_key_values.0.value": {0: "batch", 2: "past"},
                                    "logits": {0: "batch", 1: "seq"}, "present.0.key": {0: "batch", 2: "total"}, "present.0.value": {0: "batch", 2: "total"}})
    json.dump({"model_type": "tiny", "hidden_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2, "num_key_value_heads": 2,
               "head_dim": 8, "vocab_size": 61, "max_position_embeddings": 64}, open(os.path.join(out, "config.json"), "w"))


if __name__ == "__main__":
    main(sys.argv[1])
