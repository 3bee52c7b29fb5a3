"""A small SASRec configuration sweep: each named config is trained by the same code as `llmrec train`'s
sasrec step (early-stopped on validation NDCG@10, full ranking) and reported with its validation score — the
number the choice is made on — next to the test figures (full ranking and 100 sampled negatives).

  cd training && /usr/bin/python3 -m experiments.sasrec_sweep --dataset-dir ../.llmrec/datasets/ml-100k \\
      --work /tmp/sasrec-sweep --out ../results/sasrec-sweep-ml-100k.md \\
      --base '{"hidden":64,"maxlen":50,"loss":"ce","lr":0.003,"batch":128,"epochs":60,"eval_every":3,"patience":3}' \\
      --run 'w4_d02={"windows":4,"dropout":0.2}' --run 'w8_d03={"windows":8,"dropout":0.3}' ...

A run whose folder under --work already holds a finished step with the identical full config is read back,
not retrained (so runs can be made in parallel processes and tabulated once)."""
import argparse
import json
import os
import sys
import time

from llmrec_train.__main__ import main as step_main
from llmrec_train.train_sasrec import DEFAULTS


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dataset-dir", required=True)
    ap.add_argument("--split", default="loo")
    ap.add_argument("--work", required=True)
    ap.add_argument("--base", default="{}")
    ap.add_argument("--run", action="append", default=[], help="NAME=JSON overrides of --base")
    ap.add_argument("--reference", default="", help="a row 'label=full_ndcg,full_hr,sampled_ndcg,sampled_hr' to print beside")
    ap.add_argument("--out", required=True)
    ap.add_argument("--record", default="", help="also write the runs as a JSON record (read by `llmrec report --backbone-records`)")
    ap.add_argument("--dataset", default="", help="dataset name for --record (default: the --dataset-dir folder name)")
    ap.add_argument("--machine", default="", help="where the runs ran, for --record (e.g. '2-core AMD EPYC, CPU, 1 torch thread')")
    a = ap.parse_args()
    base = json.loads(a.base)
    rows = []
    for spec in a.run:
        name, js = spec.split("=", 1)
        cfg = {**base, **json.loads(js)}
        full = {**DEFAULTS, **cfg}
        out = os.path.join(a.work, name)
        done = os.path.join(out, "done.json")
        if not (os.path.exists(done) and json.load(open(done)).get("config") == full):
            print(f"[sweep] training {name}: {json.dumps(cfg)}", file=sys.stderr, flush=True)
            t0 = time.time()
            step_main(["sasrec", "--dataset-dir", a.dataset_dir, "--split", a.split, "--config", json.dumps(cfg), "--out", out])
            print(f"[sweep] {name} done in {time.time() - t0:.0f}s", file=sys.stderr, flush=True)
        else:
            print(f"[sweep] {name}: finished run found in {out}", file=sys.stderr, flush=True)
        d = json.load(open(done))
        m = d["metrics"]
        rows.append((name, json.loads(js), m, d))
    lines = [f"# SASRec sweep — {os.path.basename(os.path.abspath(a.dataset_dir))} / {a.split}", "",
             "Command: `cd training && /usr/bin/python3 -m experiments.sasrec_sweep " + " ".join(
                 [f"--dataset-dir {a.dataset_dir}", f"--work {a.work}", f"--out {a.out}", f"--base '{a.base}'"] + [f"--run '{r}'" for r in a.run]) + "`", "",
             f"Base config: `{a.base}`. Selection on **validation** NDCG@10 (full ranking, the early-stopping metric); test: full ranking "
             "(input history excluded) and the target against 100 sampled unseen items (one sampling seed). Machine: "
             + (a.machine or "2-core AMD EPYC, CPU, torch threads 1, often two runs at once") + " (seconds per epoch are comparable only within this table).", "",
             "| run | overrides | seed | valid NDCG@10 | test NDCG@10 full | test HR@10 full | test NDCG@10 sampled | test HR@10 sampled | epochs | s/epoch |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for name, ov, m, d in rows:
        t = m["test"]
        lines.append(f"| {name} | `{json.dumps(ov)}` | {d['config']['seed']} | {m['best_valid_ndcg@10']:.4f} | {t['full']['ndcg@10']:.4f} | {t['full']['hr@10']:.4f} | "
                     f"{t['sampled']['ndcg@10']:.4f} | {t['sampled']['hr@10']:.4f} | {m['epochs_run']} | {m['sec_per_epoch']:.1f} |")
    groups = {}
    for name, ov, m, d in rows:
        groups.setdefault(json.dumps({k: v for k, v in sorted(ov.items()) if k != "seed"}), []).append(m)
    for key, ms in groups.items():
        if len(ms) > 1:
            mean = lambda f: sum(f(m) for m in ms) / len(ms)
            lines.append(f"| **mean of {len(ms)} seeds** | `{key}` | | {mean(lambda m: m['best_valid_ndcg@10']):.4f} | **{mean(lambda m: m['test']['full']['ndcg@10']):.4f}** | "
                         f"**{mean(lambda m: m['test']['full']['hr@10']):.4f}** | **{mean(lambda m: m['test']['sampled']['ndcg@10']):.4f}** | "
                         f"**{mean(lambda m: m['test']['sampled']['hr@10']):.4f}** | | |")
    if a.reference:
        label, vals = a.reference.split("=", 1)
        v = vals.split(",")
        lines.append(f"| *{label}* | | | | *{v[0]}* | *{v[1]}* | *{v[2]}* | *{v[3]}* | | |")
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    open(a.out, "w").write("\n".join(lines) + "\n")
    if a.record:
        write_record(a, rows, lines[2].removeprefix("Command: `").removesuffix("`"))
    print("\n".join(lines))


def _commit():
    try:
        import subprocess

        return subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip() or None
    except Exception:
        return None


def write_record(a, rows, command):
    """The runs as a JSON record: per run its config, where it ran (device, torch), time, epochs, whether the time cap
    stopped it, the validation curve and the test figures of the best-validation checkpoint."""
    def figs(t):
        return {"ndcg10": t["ndcg@10"], "hr10": t["hr@10"], "users": t["users"]}

    runs = []
    for name, _ov, m, d in rows:
        runs.append({
            "name": name, "seed": d["config"]["seed"], "config": d["config"], "device": d.get("device", "cpu"), "torch": d.get("torch"),
            "seconds": d.get("seconds"), "cpuSeconds": d.get("cpu_seconds"), "epochsRun": m["epochs_run"], "secPerEpoch": m["sec_per_epoch"],
            "stoppedByTime": bool(m.get("stopped_by_time", False)), "bestValidNdcg10": m["best_valid_ndcg@10"],
            "validCurve": [{"epoch": h["epoch"], "value": h["valid_ndcg@10"]} for h in m.get("history", [])],
            "test": {"full": figs(m["test"]["full"]), "sampled": figs(m["test"]["sampled"])},
        })
    rec = {"kind": "llmrec-sasrec-seeds", "v": 1, "dataset": a.dataset or os.path.basename(os.path.abspath(a.dataset_dir)), "split": a.split,
           "machine": a.machine, "command": command, "commit": _commit(), "createdAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "runs": runs}
    os.makedirs(os.path.dirname(os.path.abspath(a.record)), exist_ok=True)
    with open(a.record, "w") as f:
        json.dump(rec, f, indent=1)


if __name__ == "__main__":
    main()
