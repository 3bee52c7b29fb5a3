"""SASRec training options owned by the backbone package: trimmed left padding changes nothing in the outputs,
length buckets keep every row once, sampled softmax and side information train, and side information folds into a
plain item table with identical outputs (so export and serving are unchanged)."""
import numpy as np
import torch

from llmrec_train import data as D
from llmrec_train.sasrec import SASRec, SideInfo
from llmrec_train.train_sasrec import _batches, side_info, train


def test_trimming_left_padding_keeps_outputs():
    torch.manual_seed(0)
    m = SASRec(20, hidden=8, maxlen=10, dropout=0.0).eval()
    x = torch.tensor([[0, 0, 0, 0, 0, 0, 3, 4, 5, 6], [0, 0, 0, 0, 0, 0, 0, 7, 8, 9]])
    with torch.no_grad():
        full = m.seq_repr(x)[:, -4:]
        trimmed = m.seq_repr(x[:, -4:])
    assert torch.allclose(full, trimmed, atol=1e-6)


def test_length_buckets_cover_every_row_once_with_similar_lengths():
    rng = np.random.default_rng(0)
    lengths = rng.integers(1, 50, size=1000)
    batches = _batches(rng, lengths, 64, True)
    rows = np.concatenate(batches)
    assert sorted(rows.tolist()) == list(range(1000))
    spread = np.mean([lengths[b].max() - lengths[b].min() for b in batches])
    assert spread < 10  # a random batch of 64 spans ~45
    plain = _batches(rng, lengths, 64, False)
    assert sorted(np.concatenate(plain).tolist()) == list(range(1000))


def test_side_information_folds_into_identical_plain_model():
    torch.manual_seed(0)
    side = SideInfo([[0, 1], [1], [], [2, 0, 1]], 3, 8)
    m = SASRec(4, hidden=8, maxlen=6, dropout=0.0, side=side).eval()
    with torch.no_grad():
        m.item_emb.weight.normal_()
        m.item_emb.weight[0].zero_()
    plain = m.fold_side_info().eval()
    assert plain.side is None and not any(k.startswith("side.") for k in plain.state_dict())
    x = torch.tensor([[0, 0, 1, 2, 3, 4], [0, 0, 0, 0, 4, 1]])
    with torch.no_grad():
        assert torch.allclose(m.score_all(x), plain.score_all(x), atol=1e-6)
        assert not torch.allclose(m.item_emb.weight, plain.item_emb.weight)  # the side part really was added
        assert torch.equal(plain.item_emb.weight[3], m.item_emb.weight[3])  # item 3 (index 2) has no attributes


def test_sampled_softmax_and_side_info_train_on_synthetic(synth, tmp_path):
    data = D.load(synth, "loo")
    items = [{"text": {"attributes": [str(i % 5), str(i % 3 + 10)]}} for i in range(data.n_items)]
    assert side_info(items, data.n_items, {"side": "attributes", "hidden": 8}).emb.weight.shape[0] == 8
    cfg = {"hidden": 8, "maxlen": 6, "epochs": 3, "eval_every": 1, "patience": 5, "neg_samples": 10, "neg_power": 0.75, "bucket": True, "side": "attributes"}
    model, m = train(data, cfg, str(tmp_path), items=items)
    assert model.side is None  # folded
    assert np.isfinite(m["best_valid_ndcg@10"]) and m["epochs_run"] == 3
    assert m["test"]["full"]["users"] > 0


def test_title_words_side_information_keeps_shared_words_only():
    items = [{"title": "Mario Kart DS"}, {"title": "Mario Party DS"}, {"title": "Zelda"}]
    side = side_info(items, 3, {"side": "title-words", "hidden": 4})
    assert side.emb.weight.shape[0] == 2  # "mario" and "ds"; "kart", "party", "zelda" occur once
    assert side.has.squeeze(1).tolist() == [1.0, 1.0, 0.0]
