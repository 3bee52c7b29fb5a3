"""Test fixtures built on the fly (never downloaded): a tiny ONNX "sentence encoder" (token embedding -> tanh,
masked by attention_mask, output last_hidden_state) with its WordPiece vocab.txt and weights as JSON, so the
TypeScript tests can check tokenization, pooling and the aligner's precomputed-text path.

  /usr/bin/python3 -m llmrec_train.fixtures sentence-encoder OUT_DIR
"""
import json
import os
import sys

import torch
from torch import nn

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "movie", "story", "about", "chain", "number", "action", "comedy", "drama",
         "horror", "sci", "-", "fi", "toy", "##s", "play", "##ing", "1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "(", ")"]


class TinyEncoder(nn.Module):
    def __init__(self, v, d=8):
        super().__init__()
        self.emb = nn.Embedding(v, d)

    def forward(self, input_ids, attention_mask):
        return torch.tanh(self.emb(input_ids)) * attention_mask.unsqueeze(-1).to(torch.float32)


def sentence_encoder(out):
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    m = TinyEncoder(len(VOCAB))
    m.eval()
    with open(os.path.join(out, "vocab.txt"), "w") as f:
        f.write("\n".join(VOCAB) + "\n")
    ids = torch.ones((2, 5), dtype=torch.int64)
    torch.onnx.export(m, (ids, ids), os.path.join(out, "encoder.onnx"), input_names=["input_ids", "attention_mask"], output_names=["last_hidden_state"],
                      dynamic_axes={"input_ids": {0: "b", 1: "t"}, "attention_mask": {0: "b", 1: "t"}, "last_hidden_state": {0: "b", 1: "t"}}, opset_version=17)
    json.dump({"vocab": VOCAB, "emb": m.emb.weight.detach().numpy().astype(float).tolist()}, open(os.path.join(out, "weights.json"), "w"))
    return out


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "sentence-encoder":
        sys.exit("usage: python3 -m llmrec_train.fixtures sentence-encoder OUT_DIR")
    sentence_encoder(sys.argv[2])
