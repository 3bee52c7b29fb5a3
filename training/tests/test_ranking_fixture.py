"""The Python ranking metric against the shared fixture the TypeScript reference is tested on
(eval/src/metrics/fixtures/ranking-cases.json): pessimistic ties, exclusions, NaN and infinite scores; and early
stopping that never keeps a non-finite validation score."""
import json
import os

import numpy as np
import pytest
import torch

from llmrec_train.metrics import evaluate, full_ranks, ndcg_at, sampled_rank
from llmrec_train.train_sasrec import is_improvement

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "..", "eval", "src", "metrics", "fixtures", "ranking-cases.json")
CASES = json.load(open(FIXTURE))


def scores_of(xs):
    return np.asarray([float(x) for x in xs], np.float32)  # float('NaN'), float('-Infinity') parse as such


@pytest.mark.parametrize("case", CASES["full"], ids=lambda c: c["name"])
def test_full_rank_matches_fixture(case):
    s = scores_of(case["scores"])
    excl = np.zeros((1, len(s)), bool)
    excl[0, case["exclude"]] = True
    assert int(full_ranks(torch.from_numpy(s[None]), [case["target"]], excl)[0]) == case["rank"]


@pytest.mark.parametrize("case", CASES["sampled"], ids=lambda c: c["name"])
def test_sampled_rank_matches_fixture(case):
    assert sampled_rank(scores_of(case["scores"]), case["target"], np.asarray(case["negatives"])) == case["rank"]


def test_ndcg_matches_fixture():
    for c in CASES["ndcg10"]:
        assert abs(float(ndcg_at(c["rank"], 10)) - c["value"]) < 1e-14


def test_evaluate_uses_the_same_rule_batched():
    """evaluate() ranks a batch of users at once; on every full case of the fixture (padded to one width with
    excluded items, so ranks are unchanged except the NaN target's 'last' = the padded width) it gives the same
    NDCG@10 as the per-case ranks."""
    cases = CASES["full"]
    n = max(len(c["scores"]) for c in cases)
    rows, hists, expect = [], [], []
    for c in cases:
        s = scores_of(c["scores"])
        rows.append(np.concatenate([s, np.full(n - len(s), 7.0, np.float32)]))
        hists.append(np.asarray([i for i in c["exclude"] if i != c["target"]] + list(range(len(s), n)), np.int64))
        expect.append(n if np.isnan(s[c["target"]]) else c["rank"])
    table = torch.from_numpy(np.stack(rows))
    targets = np.asarray([c["target"] for c in cases])
    served = []

    def score_fn(x):
        out = table[len(served):len(served) + len(x)]
        served.extend(range(len(x)))
        return out

    r = evaluate(score_fn, hists, targets, n, maxlen=n, ks=(10,), sampled=0, batch=5)["full"]
    assert r["users"] == len(cases)
    assert abs(r["ndcg@10"] - float(np.mean(ndcg_at(expect, 10)))) < 1e-12


def test_a_diverged_model_scores_zero():
    """All-NaN scores (a diverged epoch) rank every target last: NDCG 0, not 1."""
    r = evaluate(lambda x: torch.full((len(x), 20), float("nan")), [np.asarray([1, 2])] * 3, np.asarray([0, 5, 9]), 20, maxlen=4, ks=(5,), sampled=5)
    assert r["full"]["ndcg@5"] == 0.0 and r["sampled"]["ndcg@5"] == 0.0


def test_training_keeps_the_best_finite_validation_epoch(synth, tmp_path, monkeypatch):
    """Validation NDCG@10 per evaluation 0.2, inf, nan, 0.1: the kept epoch is the first (best finite)."""
    from llmrec_train import data as D
    from llmrec_train import train_sasrec as T

    real = T.evaluate
    seq = iter([0.2, float("inf"), float("nan"), 0.1])

    def fake(score_fn, hists, targets, n_items, maxlen, sampled=100, **kw):
        if sampled == 0:
            v = next(seq)
            return {"full": {"users": 1, "ndcg@10": v, "hr@10": v, "ndcg@20": v, "hr@20": v}}
        return real(score_fn, hists, targets, n_items, maxlen, sampled=sampled, **kw)

    monkeypatch.setattr(T, "evaluate", fake)
    _, m = T.train(D.load(synth, "loo"), {"hidden": 8, "maxlen": 6, "epochs": 4, "eval_every": 1, "patience": 10}, str(tmp_path))
    assert m["best_valid_ndcg@10"] == 0.2
    assert [h["valid_ndcg@10"] for h in m["history"]][:1] == [0.2]


def test_early_stopping_ignores_non_finite_scores():
    assert is_improvement(0.1, -1.0)
    assert not is_improvement(float("nan"), -1.0)
    assert not is_improvement(float("inf"), 0.5)
    assert not is_improvement(0.1, 0.1)
