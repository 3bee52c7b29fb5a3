import numpy as np
import torch

from llmrec_train import data as D
from llmrec_train.aligner import Aligner
from llmrec_train.metrics import evaluate
from llmrec_train.sasrec import SASRec


def test_loo_reader_matches_labels(synth):
    d = D.load(synth, "loo")
    users = np.load(synth + "/interactions.user.npy")
    items = np.load(synth + "/interactions.item.npy")
    lab = np.load(synth + "/splits/loo.npy")
    for u in range(d.n_users):
        rows = np.flatnonzero(users == u)
        assert list(d.train[u]) == list(items[rows][lab[rows] == 0])
        assert d.test[u] == items[rows[-1]]
        assert d.valid[u] == items[rows[-2]]
        assert list(d.test_hist[u]) == list(items[rows[:-1]])
        assert list(d.valid_hist[u]) == list(items[rows[:-2]])


def test_streaming_trains_on_pretraining_only(synth):
    d = D.load(synth, "streaming")
    lab = np.load(synth + "/splits/streaming.npy")
    # the last pre-training row of a user with >= 3 is the early-stopping target; every other one is trained on
    assert sum(len(t) for t in d.train) + int((d.valid >= 0).sum()) == int((lab == -1).sum())
    assert (d.valid >= 0).any() and (d.test == -1).all()


def test_left_pad():
    x = D.left_pad([np.array([], np.int64), np.array([4]), np.arange(5)], 3)
    assert x.tolist() == [[0, 0, 0], [0, 0, 5], [3, 4, 5]]


def _model():
    torch.manual_seed(0)
    m = SASRec(20, hidden=16, maxlen=8, blocks=2, heads=2, dropout=0.0)
    m.eval()
    return m


def test_sasrec_is_causal_and_padding_free():
    m = _model()
    x = torch.tensor([[0, 0, 3, 5, 7, 2, 9, 4]])
    h = m.seq_repr(x)
    y = x.clone()
    y[0, 6:] = torch.tensor([11, 12])  # change the future: earlier positions must not move
    assert torch.allclose(m.seq_repr(y)[0, :6], h[0, :6], atol=1e-6)
    short = torch.tensor([[3, 5, 7, 2, 9, 4]])  # same history without padding
    assert torch.allclose(m.user_repr(short), m.user_repr(x), atol=1e-5)
    empty = m.user_repr(torch.zeros((1, 8), dtype=torch.int64))
    assert torch.isfinite(empty).all()


def test_full_ranking_excludes_history_but_not_target():
    n = 10
    hists = [np.array([0, 1, 2]), np.array([3])]
    targets = np.array([2, 5])  # user 0's target repeats a history item

    def score(x):
        s = torch.zeros((x.shape[0], n))
        s[:, :] = torch.arange(n, 0, -1).float()  # item 0 best
        return s

    r = evaluate(score, hists, targets, n, 4, ks=(1, 10), sampled=0)["full"]
    # user 0: items 0, 1 excluded, target 2 ranks first; user 1: items 0, 1, 2, 4 above 5 (3 excluded) -> rank 4
    assert r["hr@1"] == 0.5
    assert abs(r["ndcg@10"] - (1.0 + 1.0 / np.log2(6)) / 2) < 1e-9


def test_aligner_starts_as_sasrec_scores():
    m = _model()
    a = Aligner(16, 12, dim=32, hidden=8, dropout=0.0)
    a.eval()
    x = torch.tensor([[0, 0, 3, 5, 7, 2, 9, 4], [0, 0, 0, 0, 0, 0, 1, 2]])
    with torch.no_grad():
        want = m.score_all(x)
        got = a.z_users(m.user_repr(x)) @ a.z_items(m.item_table()).t()
    assert torch.allclose(got, want, atol=1e-4)


def test_training_windows_cover_long_histories_without_overlapping_targets():
    from types import SimpleNamespace

    from llmrec_train.train_sasrec import _training_arrays

    seq = np.arange(10)  # one user, 10 training items, maxlen 4
    data = SimpleNamespace(n_users=1, n_items=20, train=[seq])
    users, inp, pos, _ = _training_arrays(data, 4, windows=0)
    assert users.tolist() == [0]
    assert (pos[0] - 1).tolist() == [6, 7, 8, 9] and (inp[0] - 1).tolist() == [5, 6, 7, 8]
    users, inp, pos, _ = _training_arrays(data, 4, windows=5)
    assert users.tolist() == [0, 0, 0]  # chunks end at 10, 6, 2; a chunk needs >= 2 items
    targets = [int(t) - 1 for row in pos for t in row if t > 0]
    assert sorted(targets) == list(range(1, 10))  # every next-item target once, never the first item
    assert (inp[2] - 1).tolist()[-1] == 0 and (pos[2] - 1).tolist()[-1] == 1
