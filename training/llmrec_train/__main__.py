"""Entry point of the offline steps, called by `llmrec train` (cli/src/commands/train.ts):

  /usr/bin/python3 -m llmrec_train <step> --dataset-dir D --split S --config cfg.json --out DIR [--in NAME=DIR ...]

Steps: sasrec, aligner, fusion, export, pq; `tfidf-features` writes hashed TF-IDF text in the features layout. Each writes its outputs and a done.json into --out; progress goes to
stdout as JSON lines (progress.py)."""
import argparse
import json
import os
import sys
import time

import torch


def main(argv=None):
    ap = argparse.ArgumentParser(prog="llmrec_train")
    ap.add_argument("step", choices=["sasrec", "aligner", "fusion", "export", "pq", "tfidf-features"])
    ap.add_argument("--dataset-dir", required=True)
    ap.add_argument("--split", default="loo")
    ap.add_argument("--config", default="{}", help="JSON object or @file")
    ap.add_argument("--out", required=True)
    ap.add_argument("--in", dest="inputs", action="append", default=[], help="NAME=DIR of an earlier step")
    ap.add_argument("--threads", type=int, default=1, help="torch intra-op threads (1 is fastest on a contended 2-core box)")
    a = ap.parse_args(argv)
    cfg = json.load(open(a.config[1:])) if a.config.startswith("@") else json.loads(a.config)
    inputs = dict(kv.split("=", 1) for kv in a.inputs)
    if a.threads:
        torch.set_num_threads(a.threads)
    os.makedirs(a.out, exist_ok=True)
    device = "cuda" if torch.cuda.is_available() and cfg.get("device", "auto") != "cpu" else "cpu"
    t0 = time.time()
    from . import steps

    if a.step == "tfidf-features":
        from .features import write_tfidf_features

        write_tfidf_features(a.dataset_dir, a.out, int(cfg.get("dim", 2048)))
        return 0
    result = getattr(steps, "run_" + a.step)(a.dataset_dir, a.split, cfg, a.out, inputs, device)
    result["seconds"] = round(time.time() - t0, 2)
    # CPU time of this process (all threads): on a shared machine wall seconds measure the load as much as the work
    result["cpu_seconds"] = round(time.process_time(), 2)
    result["device"] = device
    result["torch"] = torch.__version__
    with open(os.path.join(a.out, "done.json"), "w") as f:
        json.dump(result, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
