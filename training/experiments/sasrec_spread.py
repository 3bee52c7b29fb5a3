"""Where the run-to-run spread of the ML-100K headline comes from (issue 14.15): the same SASRec step (the
`llmrec train` default config) run several times, varying one thing at a time — the training seed, nothing at all
(a repeat), the number of torch threads (reduction order across threads), and the BLAS kernel OpenBLAS picks for
this CPU (OPENBLAS_CORETYPE, what differs between two machines of "the same kind" with other CPU features).
Each run is a separate process; the table gives test NDCG@10 / HR@10 (full ranking, Python side) and whether the
trained weights are bit-identical to the first run.

  cd training && /usr/bin/python3 -m experiments.sasrec_spread --dataset-dir ../.llmrec/datasets/ml-100k \\
      --work ../.llmrec/experiments/spread --out ../results/sasrec-spread-ml-100k.md \\
      --config '{"hidden":64,"maxlen":50,"loss":"ce","lr":0.003,"dropout":0.3,"batch":128,"epochs":60,"eval_every":3,"patience":3,"windows":8}' \\
      --run 's1=seed=1' --run 's1-repeat=seed=1' --run 's2=seed=2' --run 's3=seed=3' \\
      --run 's1-threads2=seed=1,threads=2' --run 's1-haswell=seed=1,coretype=Haswell'

Runs whose folder already holds a finished step are read back (so they can run as parallel processes)."""
import argparse
import hashlib
import json
import os
import subprocess
import sys
import time

import torch


def parse_run(spec):
    name, rest = spec.split("=", 1)
    opts = dict(kv.split("=", 1) for kv in rest.split(","))
    return name, int(opts.get("seed", 42)), int(opts.get("threads", 1)), opts.get("coretype", "")


def weights_hash(path):
    state = torch.load(path, map_location="cpu")["state"]
    h = hashlib.sha256()
    for k in sorted(state):
        h.update(k.encode())
        h.update(state[k].numpy().tobytes())
    return h.hexdigest()[:16]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dataset-dir", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--config", required=True)
    ap.add_argument("--run", action="append", default=[], help="NAME=seed=S[,threads=T][,coretype=C]")
    a = ap.parse_args()
    rows = []
    for spec in a.run:
        name, seed, threads, core = parse_run(spec)
        out = os.path.join(a.work, name)
        done = os.path.join(out, "done.json")
        if not os.path.exists(done):
            cfg = {**json.loads(a.config), "seed": seed}
            env = {**os.environ, "OPENBLAS_NUM_THREADS": str(threads)}
            if core:
                env["OPENBLAS_CORETYPE"] = core
            print(f"[spread] {name}: seed {seed}, threads {threads}, coretype {core or 'auto'}", file=sys.stderr, flush=True)
            t0 = time.time()
            subprocess.run([sys.executable, "-m", "llmrec_train", "sasrec", "--dataset-dir", a.dataset_dir, "--config", json.dumps(cfg), "--out", out,
                            "--threads", str(threads)], check=True, env=env, stdout=subprocess.DEVNULL)
            print(f"[spread] {name} done in {time.time() - t0:.0f}s", file=sys.stderr, flush=True)
        d = json.load(open(done))
        rows.append((name, seed, threads, core or "auto (SkylakeX on this CPU)", d["metrics"], weights_hash(os.path.join(out, "sasrec.pt"))))
    first = rows[0][5] if rows else ""
    lines = ["# Run-to-run spread of the ML-100K SASRec headline", "",
             "Command: `cd training && /usr/bin/python3 -m experiments.sasrec_spread " + " ".join(
                 [f"--dataset-dir {a.dataset_dir}", f"--work {a.work}", f"--out {a.out}", f"--config '{a.config}'"] + [f"--run '{r}'" for r in a.run]) + "`", "",
             "Each row is one process running the `llmrec train` SASRec step (default ML-100K config) with one thing changed. Test figures: full ranking "
             "(input history excluded, pessimistic ties), Python side (training/llmrec_train/metrics.py); 943 users. Machine: 2-core AMD EPYC (AVX-512), "
             "torch 1.13 + OpenBLAS 0.3.21, shared with other jobs.", "",
             "| run | training seed | torch / BLAS threads | OpenBLAS kernel | best valid NDCG@10 | test NDCG@10 | test HR@10 | epochs | weights identical to first row |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name, seed, threads, core, m, h in rows:
        t = m["test"]["full"]
        lines.append(f"| {name} | {seed} | {threads} | {core} | {m['best_valid_ndcg@10']:.4f} | {t['ndcg@10']:.4f} | {t['hr@10']:.4f} | {m['epochs_run']} | {'yes' if h == first else 'no'} (`{h}`) |")
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    open(a.out, "w").write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
