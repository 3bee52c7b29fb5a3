"""The offline steps as functions (sasrec -> aligner -> fusion -> export -> pq), each reading earlier steps' output
folders and writing its own; __main__.py wraps them for the TypeScript pipeline."""
import json
import os

import torch

from . import data as D
from .progress import log


def _load_sasrec(dir_, device="cpu"):
    from .train_sasrec import make_model

    ck = torch.load(os.path.join(dir_, "sasrec.pt"), map_location=device)
    model = make_model(ck["n_items"], ck["config"])
    model.load_state_dict(ck["state"])
    model.eval()
    return model, ck["config"]


def run_sasrec(ddir, split, cfg, out, inputs, device):
    from .train_sasrec import DEFAULTS, train

    data = D.load(ddir, split)
    log(f"sasrec: {data.n_users} users, {data.n_items} items, loss={cfg.get('loss', DEFAULTS['loss'])}")
    data = D.with_prefix_users(data, int(cfg.get("prefix_users", 0)), int(cfg.get("seed", 42)))
    model, metrics = train(data, {k: v for k, v in cfg.items() if k != "prefix_users"}, out, device, items=D.load_items(ddir) if cfg.get("side") else None)
    full_cfg = {**DEFAULTS, **cfg}
    torch.save({"state": model.state_dict(), "config": {k: v for k, v in full_cfg.items() if k != "prefix_users"}, "n_items": data.n_items}, os.path.join(out, "sasrec.pt"))
    ck = os.path.join(out, "checkpoint.pt")
    if os.path.exists(ck):
        os.remove(ck)
    json.dump(metrics, open(os.path.join(out, "metrics.json"), "w"), indent=1)
    return {"metrics": metrics, "config": full_cfg}


def _load_aligner(dir_, sasrec):
    from .aligner import Aligner

    ck = torch.load(os.path.join(dir_, "aligner.pt"), map_location="cpu")
    c = ck["config"]
    model = Aligner(ck["d_cf"], ck["d_text"], c["dim"], c["hidden"], c["dropout"], c["seed"])
    model.load_state_dict(ck["state"])
    model.eval()
    return model, ck


def run_aligner(ddir, split, cfg, out, inputs, device):
    import numpy as np

    from .aligner import DEFAULTS, train
    from .text_features import load_features

    data = D.load(ddir, split)
    sasrec, _ = _load_sasrec(inputs["sasrec"])
    text, text_desc = load_features(D.load_items(ddir), cfg.get("text", {}))
    log(f"aligner: text features {text_desc['kind']} dim {text_desc['dim']}")
    model, metrics = train(sasrec, data, text, {k: v for k, v in cfg.items() if k != "text"})
    full_cfg = {**DEFAULTS, **{k: v for k, v in cfg.items() if k != "text"}}
    torch.save({"state": model.state_dict(), "config": full_cfg, "d_cf": sasrec.hidden, "d_text": int(text.shape[1]), "text": text_desc},
               os.path.join(out, "aligner.pt"))
    np.save(os.path.join(out, "text-features.npy"), text)
    metrics["text_features"] = text_desc
    json.dump(metrics, open(os.path.join(out, "metrics.json"), "w"), indent=1)
    return {"metrics": metrics, "config": full_cfg, "text_features": text_desc}


def run_fusion(ddir, split, cfg, out, inputs, device):
    import numpy as np

    from .features import load_features
    from .fusion_export import export_fusion
    from .fusion_train import DEFAULTS, train

    data = D.load(ddir, split)
    sasrec, _ = _load_sasrec(inputs["sasrec"])
    aligner, _ = _load_aligner(inputs["aligner"], sasrec)
    fcfg = cfg.get("features", {})
    feats, present, desc = load_features(fcfg, ddir, D.load_items(ddir))
    log("fusion: modalities " + ", ".join(f"{m} ({d['encoder']}, dim {d['dim']}, {d['present']} items)" for m, d in desc.items()))
    cold = D.load_cold(ddir, split) if D.is_cold_items(split) else None
    tcfg = {k: v for k, v in cfg.items() if k != "features"}
    tower, head, pres0, xs, metrics = train(sasrec, aligner, data, feats, present, tcfg, cold_valid=cold)
    full_cfg = {**DEFAULTS, **tcfg}
    torch.save({"tower": tower.state_dict(), "head": head.state_dict(), "content_dims": {m: int(feats[m].shape[1]) for m in tower.content},
                "config": full_cfg, "features": desc}, os.path.join(out, "fusion.pt"))
    files, io = export_fusion(tower, xs, pres0, out)
    metrics["features"] = desc
    json.dump(metrics, open(os.path.join(out, "metrics.json"), "w"), indent=1)
    return {"metrics": metrics, "config": full_cfg, "features": desc, "files": files, "io": io, "modalities": tower.names, "dim": tower.dim,
            "items": int(pres0.shape[0]), "warm_items": int((pres0[:, 0] > 0).sum()), "cold_items": int(np.sum(pres0[:, 0].numpy() == 0))}


def _load_fusion(dir_, aligner):
    import copy

    from .fusion import FusionTower

    ck = torch.load(os.path.join(dir_, "fusion.pt"), map_location="cpu")
    c = ck["config"]
    dims = ck["content_dims"]
    stats = {m: (torch.zeros(d), torch.ones(d)) for m, d in dims.items()}  # overwritten by the saved buffers
    tower = FusionTower(dims, stats, dim=aligner.item_enc.lin.weight.shape[0], hidden=c["hidden"], dropout=c["dropout"], gate_hidden=c["gate_hidden"])
    tower.load_state_dict(ck["tower"])
    head = copy.deepcopy(aligner.user_enc)
    head.load_state_dict(ck["head"])
    tower.eval()
    head.eval()
    return tower, head


def run_export(ddir, split, cfg, out, inputs, device):
    import shutil

    import numpy as np

    from . import export_onnx as X
    from .aligner import UserEncoder

    data = D.load(ddir, split)
    sasrec, scfg = _load_sasrec(inputs["sasrec"])
    aligner, _ = _load_aligner(inputs["aligner"], sasrec)
    _, head = _load_fusion(inputs["fusion"], aligner)
    fdone = json.load(open(os.path.join(inputs["fusion"], "done.json")))
    maxlen = scfg["maxlen"]
    files = {}
    scorer = X.SasrecScorer(sasrec)
    X.export(scorer, os.path.join(out, "sasrec.onnx"), ["user_repr", "scores"], maxlen)
    files["sasrecEncoder"] = {"path": "sasrec.onnx"}
    aligner.user_enc = head  # the fusion step's user encoder (equal to the aligner's unless it trained it further)
    ue = UserEncoder(sasrec, aligner)
    X.export(ue, os.path.join(out, "user-encoder.onnx"), ["z_u"], maxlen)
    files["userEncoder"] = {"path": "user-encoder.onnx"}
    e = sasrec.item_table().detach()
    files["sasrecItems"] = {"path": "sasrec-items.npy", **X.write_table(os.path.join(out, "sasrec-items.npy"), e.numpy(), np.float32)}
    for name, f in fdone["files"].items():
        shutil.copyfile(os.path.join(inputs["fusion"], f["path"]), os.path.join(out, f["path"]))
        files[name] = f
    cases = X.parity_cases(data, maxlen)
    s_out = X.reference_outputs(scorer, cases, maxlen)
    u_out = X.reference_outputs(ue, cases, maxlen)
    X.write_parity(os.path.join(out, "parity.json"), {"maxlen": maxlen, "histories": cases, "user_repr": s_out[0], "scores": s_out[1], "z_u": u_out[0]})
    files["parity"] = {"path": "parity.json"}
    return {"files": files, "maxlen": maxlen, "opset": X.OPSET, "hidden": scfg["hidden"], "dim": fdone["dim"], "items": fdone["items"],
            "features": fdone["features"]}


def run_pq(ddir, split, cfg, out, inputs, device):
    import numpy as np

    from . import export_onnx as X
    from .metrics import evaluate
    from .pq import decode, finetune_codebooks, relative_error, train_pq

    m, k, iters = int(cfg.get("m", 16)), int(cfg.get("k", 256)), int(cfg.get("iters", 25))
    exp = json.load(open(os.path.join(inputs["export"], "done.json")))
    n, dim = exp["items"], exp["dim"]
    zi = np.load(os.path.join(inputs["export"], "item-latents.npy")).astype(np.float32)
    log(f"pq: {n} items x {dim} dims, {m} sub-spaces x {k} centroids")
    books, codes = train_pq(zi, m, k, iters, int(cfg.get("seed", 0)))
    data = D.load(ddir, split)
    sasrec, scfg = _load_sasrec(inputs["sasrec"])
    aligner, _ = _load_aligner(inputs["aligner"], sasrec)
    _, aligner.user_enc = _load_fusion(inputs["fusion"], aligner)  # z_u as served
    ft_steps = int(cfg.get("finetune_steps", 0))
    kmeans_books, ft_hist = books, []
    if ft_steps > 0:
        from .aligner import _positions
        from .progress import emit

        with torch.no_grad():
            h, _ = _positions(sasrec, data, scfg["maxlen"])
            zu = aligner.z_users(h).numpy()
        log(f"pq: refining codebooks on {len(zu)} training user states ({ft_steps} steps, codes fixed)")
        books, ft_hist = finetune_codebooks(books, codes, zi, zu, steps=ft_steps, lr=float(cfg.get("finetune_lr", 1e-3)),
                                            w_recon=float(cfg.get("finetune_recon", 0.02)), seed=int(cfg.get("seed", 0)),
                                            on_step=lambda s, kl: emit("progress", step="pq", epoch=s, epochs=ft_steps, loss=kl))
    rec = decode(books, codes)
    rec_kmeans = decode(kmeans_books, codes)
    rel_err, kmeans_rel_err = relative_error(rec, zi), relative_error(rec_kmeans, zi)
    files = {
        "pqCodebooks": {"path": "pq-codebooks.npy", **X.write_table(os.path.join(out, "pq-codebooks.npy"), books, np.float32)},
        "pqCodes": {"path": "pq-codes.u8", **X.write_table(os.path.join(out, "pq-codes.u8"), codes, np.uint8)},
    }
    res = {}
    # streaming has no test targets in this reader: measure ranking on the validation targets instead
    on = "test" if (data.test >= 0).any() else "valid"
    hists, targets = (data.test_hist, data.test) if on == "test" else (data.valid_hist, data.valid)
    tables = [("float", zi), ("pq", rec)] + ([("pq_kmeans_only", rec_kmeans)] if ft_steps > 0 else [])
    for name, table in tables:
        t = torch.from_numpy(np.ascontiguousarray(table))
        fn = (lambda t: lambda x: aligner.z_users(sasrec.user_repr(x)) @ t.t())(t)
        res[name] = evaluate(fn, hists, targets, data.n_items, scfg["maxlen"], sampled=0)["full"]
    float_bytes = n * dim * 4
    metrics = {
        "m": m, "k": k, "dsub": dim // m,
        "compression_codes": float_bytes / codes.nbytes,
        "compression_with_codebooks": float_bytes / (codes.nbytes + books.nbytes),
        "relative_reconstruction_error": rel_err,
        "ranking_on": on, "full_float": res["float"], "full_pq": res["pq"],
        "ndcg10_ratio": res["pq"]["ndcg@10"] / max(res["float"]["ndcg@10"], 1e-12),
        "finetune_steps": ft_steps,
    }
    if ft_steps > 0:
        # reported, never used for selection: what the ranking-aware refinement added over plain k-means
        metrics.update({"kmeans_relative_reconstruction_error": kmeans_rel_err, "full_pq_kmeans_only": res["pq_kmeans_only"],
                        "ndcg10_ratio_kmeans_only": res["pq_kmeans_only"]["ndcg@10"] / max(res["float"]["ndcg@10"], 1e-12),
                        "finetune_loss_first": float(np.mean(ft_hist[:20])), "finetune_loss_last": float(np.mean(ft_hist[-20:]))})
    log(f"pq: {metrics['compression_codes']:.1f}x (codes), rel. error {rel_err:.4f}, ndcg@10 ratio {metrics['ndcg10_ratio']:.4f}")
    json.dump(metrics, open(os.path.join(out, "metrics.json"), "w"), indent=1)
    return {"files": files, "metrics": metrics, "config": {"m": m, "k": k, "iters": iters, "finetune_steps": ft_steps,
                                                      **({"finetune_lr": float(cfg.get("finetune_lr", 1e-3)), "finetune_recon": float(cfg.get("finetune_recon", 0.02))} if ft_steps > 0 else {})}}
