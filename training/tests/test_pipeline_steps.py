import json
import os

from llmrec_train.__main__ import main


def test_steps_learn_the_synthetic_pattern(synth, tmp_path):
    s, a, f, e, p = (str(tmp_path / n) for n in "safep")
    assert main(["sasrec", "--dataset-dir", synth, "--config", json.dumps({"hidden": 16, "maxlen": 12, "epochs": 12, "eval_every": 4, "lr": 0.01, "dropout": 0.1}), "--out", s]) == 0
    m = json.load(open(os.path.join(s, "done.json")))["metrics"]
    # 80% of steps go to the next item: a random ranker has NDCG@10 ~ 0.15 on 30 items
    assert m["valid"]["full"]["ndcg@10"] > 0.3
    assert main(["aligner", "--dataset-dir", synth, "--config", json.dumps({"dim": 16, "hidden": 16, "epochs": 2, "text": {"dim": 64}}), "--out", a, "--in", "sasrec=" + s]) == 0
    am = json.load(open(os.path.join(a, "done.json")))["metrics"]
    assert am["text_features"]["kind"] == "hashed-tfidf"
    assert am["valid"]["full"]["ndcg@10"] >= 0.98 * am["sasrec_valid_ndcg@10"]
    fcfg = {"features": {"tfidf_dim": 64}, "hidden": 16, "epochs": 2, "batch": 64, "con_items": 16}
    assert main(["fusion", "--dataset-dir", synth, "--config", json.dumps(fcfg), "--out", f, "--in", "sasrec=" + s, "--in", "aligner=" + a]) == 0
    assert main(["export", "--dataset-dir", synth, "--out", e, "--in", "sasrec=" + s, "--in", "aligner=" + a, "--in", "fusion=" + f]) == 0
    assert os.path.exists(os.path.join(e, "user-encoder.onnx"))
    assert main(["pq", "--dataset-dir", synth, "--config", json.dumps({"m": 4, "k": 8, "iters": 5, "finetune_steps": 60}), "--out", p, "--in", "sasrec=" + s, "--in", "aligner=" + a, "--in", "fusion=" + f, "--in", "export=" + e]) == 0
    pm = json.load(open(os.path.join(p, "done.json")))["metrics"]
    assert pm["compression_codes"] == 16 * 4 / 4
    assert pm["finetune_steps"] == 60 and pm["finetune_loss_last"] < pm["finetune_loss_first"]
    assert 0 < pm["ndcg10_ratio_kmeans_only"] and "full_pq_kmeans_only" in pm
