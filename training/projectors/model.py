"""The projectors: three 2-layer MLPs (user, item, evidence) from the joint latent (dim 128) to the LLM's
token-embedding space. Exported as one ONNX graph: latent [N, 128] -> user/item/evidence tokens [N, D]."""
import torch
import torch.nn as nn


class Mlp(nn.Module):
    def __init__(self, d_in, d_out, hidden):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(d_in, hidden), nn.GELU(), nn.Linear(hidden, d_out))

    def forward(self, x):
        return self.net(x)


class Projectors(nn.Module):
    KINDS = ("user", "item", "evidence")

    def __init__(self, d_latent, d_token, hidden=256):
        super().__init__()
        self.heads = nn.ModuleDict({k: Mlp(d_latent, d_token, hidden) for k in self.KINDS})
        # Latents are standardised inside the graph so serving feeds raw joint latents.
        self.register_buffer("mean", torch.zeros(d_latent))
        self.register_buffer("std", torch.ones(d_latent))

    def forward(self, latent):
        x = (latent - self.mean) / self.std
        return self.heads["user"](x), self.heads["item"](x), self.heads["evidence"](x)


def export_onnx(model, path):
    model.eval()
    x = torch.zeros(2, model.mean.shape[0])
    torch.onnx.export(model, (x,), path, input_names=["latent"], output_names=["user_token", "item_token", "evidence_token"],
                      dynamic_axes={"latent": {0: "n"}, "user_token": {0: "n"}, "item_token": {0: "n"}, "evidence_token": {0: "n"}},
                      opset_version=17)
