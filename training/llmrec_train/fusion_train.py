"""Training of the fusion tower (fusion.py) on top of the frozen SASRec and base aligner:

- recommendation: for every training position (SASRec state h, next item t), cross-entropy of z_u . z_item over the
  items that have training interactions (items without any never enter the softmax: a new item must not be learnt
  as a negative), plus distillation from SASRec's own softmax;
- modality dropout: at every step each item loses each of its modalities with probability p_drop[m] (CF included),
  so the same tower learns to score an item from whatever it has, down to content alone (DropoutNet-style);
- the masked contrastive loss of Eq. 4 over the modality pairs each item actually has (InfoNCE over an item batch);
- optional reconstruction of each content input from the joint latent.

Model selection on validation only: warm leave-one-out validation (fused latents), and on cold-items splits the
validation-cold items ranked among themselves from content (never the test items)."""
import time

import numpy as np
import torch
import torch.nn.functional as F

from .fusion import CF, FusionTower, contrastive_loss, modality_dropout
from .metrics import evaluate
from .progress import emit

DEFAULTS = dict(hidden=256, dropout=0.1, lr=1e-3, weight_decay=0.0, batch=1024, epochs=20, eval_every=1, patience=4,
                w_rec=1.0, w_kd=1.0, kd_temp=1.0, w_con=0.5, con_temp=0.1, con_items=512, w_recon=0.0,
                p_drop={"cf": 0.6, "text": 0.1, "image": 0.1, "audio": 0.1}, train_user=False, gate_hidden=16,
                select="auto", seed=42)


def _stats(x, p):
    rows = x[p > 0]
    return rows.mean(0), rows.std(0) + 1e-3


def item_inputs(tower, cf, feats, present, counts):
    """Inputs of the tower for every item, in tower.names order, and the base presence matrix [n, M]."""
    xs = [torch.as_tensor(cf, dtype=torch.float32)] + [torch.as_tensor(feats[m]) for m in tower.content]
    cols = [torch.as_tensor(counts > 0, dtype=torch.float32)] + [torch.as_tensor(present[m]) for m in tower.content]
    return xs, torch.stack(cols, dim=1)


def build_tower(cf, feats, present, cfg):
    stats = {m: _stats(feats[m], present[m]) for m in feats}
    return FusionTower({m: feats[m].shape[1] for m in feats}, stats, dim=cf.shape[1], hidden=cfg["hidden"], dropout=cfg["dropout"],
                       gate_hidden=cfg["gate_hidden"])


def cold_eval(score_fn, targets, hists, cands, n_items, maxlen):
    """NDCG@10 / HR@10 of the targets ranked among `cands` only (the among-cold-items protocol)."""
    mask = torch.full((n_items,), float("-inf"))
    mask[torch.as_tensor(cands)] = 0.0
    return evaluate(lambda x: score_fn(x) + mask, hists, targets, n_items, maxlen, sampled=0)["full"]


def train(sasrec, aligner, data, feats, present, cfg, cold_valid=None):
    """Returns (tower, user_head, metrics). cold_valid: (targets, hists, candidate items) on cold-items splits."""
    import copy

    cfg = {**DEFAULTS, **cfg, "p_drop": {**DEFAULTS["p_drop"], **cfg.get("p_drop", {})}}
    torch.manual_seed(cfg["seed"])
    gen = torch.Generator().manual_seed(cfg["seed"])
    sasrec.eval()
    aligner.eval()
    for p in list(sasrec.parameters()) + list(aligner.parameters()):
        p.requires_grad_(False)
    from .aligner import _positions

    maxlen = sasrec.maxlen
    e = sasrec.item_table().detach()
    with torch.no_grad():
        cf = aligner.z_items(e)
    counts = np.bincount(np.concatenate([t for t in data.train if len(t)]), minlength=data.n_items) if any(len(t) for t in data.train) else np.zeros(data.n_items)
    tower = build_tower(cf.numpy(), feats, present, cfg)
    head = copy.deepcopy(aligner.user_enc)  # z_u; trained further only with train_user
    for p in head.parameters():
        p.requires_grad_(bool(cfg["train_user"]))
    xs, pres0 = item_inputs(tower, cf, feats, present, counts)
    warm = pres0[:, 0] > 0
    warm_items = torch.nonzero(warm).reshape(-1)
    # the softmax runs over the items with training interactions only; targets renumbered into that list
    to_warm = torch.full((data.n_items,), -1, dtype=torch.long)
    to_warm[warm_items] = torch.arange(len(warm_items))
    p_drop = torch.tensor([float(cfg["p_drop"].get(n, 0.0)) for n in tower.names])
    decoders = torch.nn.ModuleDict({m: torch.nn.Linear(tower.dim, feats[m].shape[1]) for m in tower.content}) if cfg["w_recon"] > 0 else None
    params = list(tower.parameters()) + (list(head.parameters()) if cfg["train_user"] else []) + (list(decoders.parameters()) if decoders else [])
    opt = torch.optim.AdamW(params, lr=cfg["lr"], weight_decay=cfg["weight_decay"])
    H, T = _positions(sasrec, data, maxlen)
    T = to_warm[T]
    e_warm = e[warm_items]
    content_only = pres0.clone()
    content_only[:, 0] = 0

    def latents(pres):
        tower.eval()
        with torch.no_grad():
            return tower(xs, pres)

    def score_with(z):
        return lambda x: head(sasrec.user_repr(x)) @ z.t()

    def validate():
        head.eval()
        r = {"warm": evaluate(score_with(latents(pres0)), data.valid_hist, data.valid, data.n_items, maxlen, sampled=0)["full"]}
        if cold_valid is not None:
            r["cold"] = cold_eval(score_with(latents(content_only)), *cold_valid, data.n_items, maxlen)
            # the same targets among every item, fused latents (warm items CF + content): calibration of new vs known items
            r["cold_all"] = evaluate(score_with(latents(pres0)), cold_valid[1], cold_valid[0], data.n_items, maxlen, sampled=0)["full"]
        return r

    select = cfg["select"] if cfg["select"] != "auto" else ("cold" if cold_valid is not None else "warm")

    def criterion(r):
        if select == "sum":
            return r["warm"]["ndcg@10"] + r["cold"]["ndcg@10"]
        return r[select]["ndcg@10"]

    r0 = validate()
    best, best_epoch, best_r = criterion(r0), 0, r0
    best_state = (copy.deepcopy(tower.state_dict()), copy.deepcopy(head.state_dict()))
    emit("metric", step="fusion", epoch=0, valid_ndcg10=r0["warm"]["ndcg@10"], **({"cold_ndcg10": r0["cold"]["ndcg@10"]} if "cold" in r0 else {}))
    history, secs, bad = [], [], 0
    for epoch in range(1, cfg["epochs"] + 1):
        if bad >= cfg["patience"]:
            break
        tower.train()
        head.train(bool(cfg["train_user"]))
        t0 = time.time()
        perm = torch.randperm(len(T), generator=gen)
        tot = {"rec": 0.0, "kd": 0.0, "con": 0.0, "recon": 0.0}
        nb = 0
        for s in range(0, len(perm), cfg["batch"]):
            b = perm[s:s + cfg["batch"]]
            pres = modality_dropout(pres0, p_drop, gen)
            z = tower(xs, pres)
            zu = head(H[b])
            logits = zu @ z[warm_items].t()
            rec = F.cross_entropy(logits, T[b])
            tau = cfg["kd_temp"]
            with torch.no_grad():
                teacher = torch.softmax((H[b] @ e_warm.t()) / tau, dim=-1)
            kd = F.kl_div(torch.log_softmax(logits / tau, dim=-1), teacher, reduction="batchmean")
            ib = warm_items[torch.randint(0, len(warm_items), (min(cfg["con_items"], len(warm_items)),), generator=gen)]
            con = contrastive_loss(tower, xs, pres0, ib, cfg["con_temp"]) if cfg["w_con"] > 0 else torch.zeros(())
            recon = torch.zeros(())
            if decoders is not None:
                for k, m in enumerate(tower.content, start=1):
                    has = pres0[ib, k] > 0
                    if has.any():
                        target = tower.proj[m].norm(xs[k][ib][has])
                        recon = recon + F.mse_loss(decoders[m](z[ib][has]), target)
            loss = cfg["w_rec"] * rec + cfg["w_kd"] * kd + cfg["w_con"] * con + cfg["w_recon"] * recon
            opt.zero_grad()
            loss.backward()
            opt.step()
            for k, v in (("rec", rec), ("kd", kd), ("con", con), ("recon", recon)):
                tot[k] += float(v)
            nb += 1
        secs.append(time.time() - t0)
        emit("progress", step="fusion", epoch=epoch, epochs=cfg["epochs"], sec=secs[-1], **{k: v / nb for k, v in tot.items()})
        if epoch % cfg["eval_every"] == 0 or epoch == cfg["epochs"]:
            r = validate()
            c = criterion(r)
            history.append({"epoch": epoch, "valid_ndcg@10": r["warm"]["ndcg@10"],
                            **({"cold_valid_ndcg@10": r["cold"]["ndcg@10"], "cold_valid_all_items_ndcg@10": r["cold_all"]["ndcg@10"]} if "cold" in r else {}),
                            **{k: v / nb for k, v in tot.items()}})
            emit("metric", step="fusion", epoch=epoch, valid_ndcg10=r["warm"]["ndcg@10"], **({"cold_ndcg10": r["cold"]["ndcg@10"]} if "cold" in r else {}))
            if c > best:
                best, best_epoch, best_r, bad = c, epoch, r, 0
                best_state = (copy.deepcopy(tower.state_dict()), copy.deepcopy(head.state_dict()))
            else:
                bad += 1
    tower.load_state_dict(best_state[0])
    head.load_state_dict(best_state[1])
    tower.eval()
    head.eval()
    with torch.no_grad():
        w, s = tower.weights(pres0)
    metrics = {
        "select": select, "selected_epoch": best_epoch, "epochs_run": len(secs), "sec_per_epoch": float(np.mean(secs)) if secs else 0.0,
        "valid_start": r0, "valid_selected": best_r, "history": history,
        "warm_items": int(warm.sum()), "cold_items": int((~warm).sum()),
        "gate_mean_weights_warm": {n: float(w[warm][:, k].mean()) for k, n in enumerate(tower.names)} if warm.any() else {},
        "test": evaluate(score_with(latents(pres0)), data.test_hist, data.test, data.n_items, maxlen),
        "valid": evaluate(score_with(latents(pres0)), data.valid_hist, data.valid, data.n_items, maxlen),
    }
    return tower, head, pres0, xs, metrics
