"""How much the ranking-aware codebook refinement (pq.finetune_codebooks) keeps of the float ranking, against
plain k-means, over several k-means seeds, on validation AND test targets (the choice of the refinement
weights is made on validation; test is reported).

  cd training && /usr/bin/python3 -m experiments.pq_refine --dataset-dir ../.llmrec/datasets/ml-100k \\
      --train-dir ../.llmrec/cache/train/ml-100k/loo --out ../results/pq-refine-ml-100k.md

--train-dir is the folder of `llmrec train`'s cached steps (sasrec-*, aligner-*, export-*; the newest of each
is used unless --sasrec/--aligner/--export name them)."""
import argparse
import glob
import json
import os
import time

import numpy as np
import torch

from llmrec_train import data as D
from llmrec_train.aligner import _positions
from llmrec_train.metrics import evaluate
from llmrec_train.pq import decode, finetune_codebooks, relative_error, train_pq
from llmrec_train.steps import _load_aligner, _load_sasrec


def newest(folder, step):
    dirs = [d for d in glob.glob(os.path.join(folder, step + "-*")) if os.path.exists(os.path.join(d, "done.json"))]
    if not dirs:
        raise SystemExit(f"no finished {step} step under {folder}: run `npx llmrec train` first")
    return max(dirs, key=lambda d: os.path.getmtime(os.path.join(d, "done.json")))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dataset-dir", required=True)
    ap.add_argument("--split", default="loo")
    ap.add_argument("--train-dir", required=True)
    ap.add_argument("--sasrec")
    ap.add_argument("--aligner")
    ap.add_argument("--export")
    ap.add_argument("--m", type=int, default=32)
    ap.add_argument("--k", type=int, default=256)
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--recon", default="0,0.02,0.1", help="finetune_recon values (reconstruction weight)")
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    torch.set_num_threads(1)
    s_dir, a_dir, e_dir = a.sasrec or newest(a.train_dir, "sasrec"), a.aligner or newest(a.train_dir, "aligner"), a.export or newest(a.train_dir, "export")
    data = D.load(a.dataset_dir, a.split)
    sasrec, scfg = _load_sasrec(s_dir)
    aligner, _ = _load_aligner(a_dir, sasrec)
    zi = np.load(os.path.join(e_dir, "item-latents.npy")).astype(np.float32)
    with torch.no_grad():
        h, _ = _positions(sasrec, data, scfg["maxlen"])
        zu = aligner.z_users(h).numpy()

    def ndcg(table, on):
        t = torch.from_numpy(np.ascontiguousarray(table))
        hists, targets = (data.valid_hist, data.valid) if on == "valid" else (data.test_hist, data.test)
        fn = lambda x: aligner.z_users(sasrec.user_repr(x)) @ t.t()
        return evaluate(fn, hists, targets, data.n_items, scfg["maxlen"], sampled=0)["full"]["ndcg@10"]

    ref = {on: ndcg(zi, on) for on in ("valid", "test")}
    print(f"float latents: valid NDCG@10 {ref['valid']:.4f}, test {ref['test']:.4f}", flush=True)
    rows = []
    variants = [("k-means only", None)] + [(f"refined, recon {w}", float(w)) for w in a.recon.split(",")]
    for seed in [int(s) for s in a.seeds.split(",")]:
        t0 = time.time()
        books, codes = train_pq(zi, a.m, a.k, 25, seed)
        for name, w in variants:
            b = books if w is None else finetune_codebooks(books, codes, zi, zu, steps=a.steps, lr=1e-3, w_recon=w, seed=seed)[0]
            rec = decode(b, codes)
            err = relative_error(rec, zi)
            r = {"variant": name, "seed": seed, "rel_error": err, **{on: ndcg(rec, on) / ref[on] for on in ("valid", "test")}}
            rows.append(r)
            print(f"seed {seed} {name}: error {err:.4f}, ratio valid {r['valid']:.4f} test {r['test']:.4f} ({time.time() - t0:.0f}s)", flush=True)
    lines = [f"# PQ codebook refinement — {os.path.basename(a.dataset_dir)} / {a.split}", "",
             f"Command: `cd training && /usr/bin/python3 -m experiments.pq_refine --dataset-dir {a.dataset_dir} --train-dir {a.train_dir} --out {a.out}`", "",
             f"m={a.m} sub-spaces x k={a.k} centroids (uint8 codes, {zi.shape[1] * 4 // a.m}x smaller than float32), {a.steps} refinement steps, "
             f"k-means seeds {a.seeds}. Ratio = NDCG@10 (full ranking) with decoded PQ latents / with float latents; float: valid {ref['valid']:.4f}, test {ref['test']:.4f}. "
             f"Steps: {os.path.basename(s_dir)}, {os.path.basename(a_dir)}, {os.path.basename(e_dir)}.", "",
             "| variant | rel. reconstruction error | valid ratio (mean ± sd) | test ratio (mean ± sd) | test ratio per seed |", "|---|---|---|---|---|"]
    for name, _ in variants:
        rs = [r for r in rows if r["variant"] == name]
        f = lambda key: f"{np.mean([r[key] for r in rs]):.4f} ± {np.std([r[key] for r in rs], ddof=1) if len(rs) > 1 else 0:.4f}"
        lines.append(f"| {name} | {np.mean([r['rel_error'] for r in rs]):.4f} | {f('valid')} | {f('test')} | {', '.join('%.4f' % r['test'] for r in rs)} |")
    open(a.out, "w").write("\n".join(lines) + "\n")
    json.dump({"float": ref, "rows": rows}, open(os.path.splitext(a.out)[0] + ".json", "w"), indent=1)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
