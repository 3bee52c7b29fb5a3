"""Evaluates the best-validation state held in an unfinished SASRec run's checkpoint.pt (written at every
evaluation by train_sasrec.train) on validation and test, full ranking and 100 sampled items, as the finished step
would. For runs stopped by hand before early stopping (e.g. a time box): the figures are of the best state SO FAR,
not an early-stopped result; resuming the run with the same command continues from the same checkpoint.

  cd training && /usr/bin/python3 -m experiments.sasrec_checkpoint_eval --dataset-dir ../.llmrec/datasets/beauty \\
      --run-dir ../.llmrec/experiments/beauty-lr/full_lr05_seed1 --config '<the run's config JSON>'"""
import argparse
import json
import os

import torch

from llmrec_train import data as D
from llmrec_train.metrics import evaluate
from llmrec_train.train_sasrec import DEFAULTS, make_model, side_info


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dataset-dir", required=True)
    ap.add_argument("--split", default="loo")
    ap.add_argument("--run-dir", required=True)
    ap.add_argument("--config", required=True, help="the run's config (JSON overrides of the SASRec defaults)")
    a = ap.parse_args()
    torch.set_num_threads(1)
    cfg = {**DEFAULTS, **json.loads(a.config)}
    data = D.load(a.dataset_dir, a.split)
    ck = torch.load(os.path.join(a.run_dir, "checkpoint.pt"), map_location="cpu")
    if ck["best_state"] is None:
        raise SystemExit(f"{a.run_dir}/checkpoint.pt holds no evaluated state yet")
    model = make_model(data.n_items, cfg, side_info(D.load_items(a.dataset_dir) if cfg["side"] else None, data.n_items, cfg))
    model.load_state_dict(ck["best_state"])
    model = model.fold_side_info()
    model.eval()

    def score_fn(x):
        return model.score_all(x)

    best_epoch = max(ck["history"], key=lambda h: h["valid_ndcg@10"])["epoch"]
    out = {"epochs_run": ck["epoch"], "best_epoch": best_epoch, "best_valid_ndcg@10": ck["best"], "bad_evaluations": ck["bad"],
           "valid": evaluate(score_fn, data.valid_hist, data.valid, data.n_items, cfg["maxlen"]),
           "test": evaluate(score_fn, data.test_hist, data.test, data.n_items, cfg["maxlen"])}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
