import json
import os

import numpy as np
import pytest
import torch

from llmrec_train.fusion import ContentTower, FusionTower, contrastive_loss, modality_dropout


def tower(seed=0):
    torch.manual_seed(seed)
    dims = {"text": 6, "image": 5}
    stats = {m: (torch.zeros(d), torch.ones(d)) for m, d in dims.items()}
    t = FusionTower(dims, stats, dim=4, hidden=8, dropout=0.0)
    t.eval()
    return t


def inputs(n=5, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(n, 4, generator=g), torch.randn(n, 6, generator=g), torch.randn(n, 5, generator=g)]


def test_absent_modality_has_no_effect():
    t = tower()
    x = inputs()
    pres = torch.tensor([[1.0, 1, 0], [0, 1, 0], [1, 0, 1], [0, 0, 1], [1, 1, 1]])
    z = t(x, pres)
    for k in range(3):
        y = [v.clone() for v in x]
        y[k] = y[k] + 100.0 * torch.randn_like(y[k])
        changed = (t(y, pres) - z).abs().max(dim=1).values > 1e-5
        assert torch.equal(changed, pres[:, k] > 0), f"modality {k}"


def test_gate_weights_sum_to_one_over_present_modalities_and_start_on_cf():
    t = tower()
    pres = torch.tensor([[1.0, 1, 1], [0, 1, 1], [0, 0, 1], [0, 0, 0]])
    w, s = t.weights(pres)
    assert torch.allclose(w.sum(1), torch.tensor([1.0, 1, 1, 0]), atol=1e-6)
    assert float(w[0, 0]) > 0.9  # CF dominant at the start: the tower starts near the base aligner's latents
    assert torch.allclose(s, torch.ones_like(s), atol=1e-4)


def test_content_tower_is_the_fusion_tower_without_cf():
    t = tower()
    x = inputs()
    p = torch.tensor([[1.0, 1], [1, 0], [0, 1], [1, 1], [0, 1]])
    want = t([torch.zeros(5, 4)] + x[1:], torch.cat([torch.zeros(5, 1), p], 1))
    got = ContentTower(t)(x[1], x[2], p[:, 0], p[:, 1])
    assert torch.allclose(got, want, atol=1e-6)


def test_modality_dropout_keeps_one_and_never_adds():
    g = torch.Generator().manual_seed(0)
    pres = (torch.rand(400, 3, generator=g) > 0.3).float()
    out = modality_dropout(pres, torch.tensor([0.9, 0.9, 0.9]), g)
    assert bool((out <= pres).all())
    had = pres.sum(1) > 0
    assert bool((out[had].sum(1) >= 1).all())
    assert float(out.sum()) < 0.5 * float(pres.sum())  # it does drop


def test_contrastive_loss_counts_only_pairs_an_item_has():
    t = tower()
    x = inputs(n=8)
    pres = torch.ones(8, 3)
    pres[2, 2] = 0  # item 2 has no image
    items = torch.arange(8)
    a = float(contrastive_loss(t, x, pres, items, 0.1))
    y = [v.clone() for v in x]
    y[2][2] += 50.0  # its (absent) image features must not matter
    assert float(contrastive_loss(t, y, pres, items, 0.1)) == pytest.approx(a, abs=1e-6)
    y[2][3] += 50.0  # another item's image does
    assert float(contrastive_loss(t, y, pres, items, 0.1)) != pytest.approx(a, abs=1e-4)


def test_fusion_step_scores_cold_items_from_content(synth, tmp_path):
    from llmrec_train.__main__ import main
    from llmrec_train.synthetic import write_cold_items, write_features

    feats = write_features(synth, str(tmp_path / "features"))
    split = write_cold_items(synth, [0, 9, 17], [25])
    s, a, f = (str(tmp_path / n) for n in ("s", "a", "f"))
    assert main(["sasrec", "--dataset-dir", synth, "--split", split, "--config", json.dumps({"hidden": 16, "maxlen": 12, "epochs": 6, "eval_every": 3, "lr": 0.01}), "--out", s]) == 0
    assert main(["aligner", "--dataset-dir", synth, "--split", split, "--config", json.dumps({"dim": 16, "hidden": 16, "epochs": 1, "text": {"dim": 64}}), "--out", a, "--in", "sasrec=" + s]) == 0
    cfg = {"features": {"dir": feats}, "hidden": 16, "epochs": 3, "batch": 64, "con_items": 16}
    assert main(["fusion", "--dataset-dir", synth, "--split", split, "--config", json.dumps(cfg), "--out", f, "--in", "sasrec=" + s, "--in", "aligner=" + a]) == 0
    done = json.load(open(os.path.join(f, "done.json")))
    assert done["cold_items"] == 4 and done["modalities"] == ["cf", "text", "image"]
    assert "cold" in done["metrics"]["valid_selected"]
    assert [i["name"] for i in done["io"]["content"]] == ["text", "image", "text_present", "image_present"]
    fused = np.load(os.path.join(f, "item-latents.npy"))
    cf = np.load(os.path.join(f, "cf-latents.npy"))
    assert fused.shape == cf.shape == (30, 16)
    # cold items (no training interaction) are embedded from content alone: exactly the content tower's output
    from llmrec_train import steps
    from llmrec_train.fusion import ContentTower

    sasrec, _ = steps._load_sasrec(s)
    aligner, _ = steps._load_aligner(a, sasrec)
    tw, _ = steps._load_fusion(f, aligner)
    text = torch.from_numpy(np.load(os.path.join(feats, "text.npy")))
    image = torch.from_numpy(np.load(os.path.join(feats, "image.npy")))
    ip = torch.from_numpy(np.load(os.path.join(feats, "image.present.npy")).astype(np.float32))
    with torch.no_grad():
        content = ContentTower(tw)(text, image, torch.ones(30), ip).numpy()
    cold = [0, 9, 17, 25]
    assert np.allclose(fused[cold], content[cold], atol=1e-5)
    warm = [i for i in range(30) if i not in cold]
    assert np.abs(fused[warm] - content[warm]).max() > 1e-2
    parity = json.load(open(os.path.join(f, "tower-parity.json")))
    assert any(c["present"]["cf"] == 0 for c in parity["cases"]) and any(c["present"]["image"] == 0 for c in parity["cases"])
