"""Item content features for multimodal fusion, read from the content-features contract (shared/src/features.ts):
<dir>/features.json naming, per modality, a float32 .npy [items, dim] (zero rows where missing) and a uint8 .npy
presence vector. Written by the encoders package (`llmrec features`); checked here (sha256, shapes, the dataset's
items.jsonl hash) so stale or truncated features fail loudly instead of training on the wrong rows.

Without a features folder the text modality falls back to hashed TF-IDF (text_features.py), the only content
representation the project had before real encoders."""
import hashlib
import json
import os

import numpy as np

MODALITIES = ("text", "image", "audio")


def _sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class FeaturesError(ValueError):
    pass


def load_manifest_features(fdir, ddir, n_items):
    """Returns (feats {modality: float32 [n, d]}, present {modality: float32 [n]}, description for the manifest)."""
    mpath = os.path.join(fdir, "features.json")
    try:
        m = json.load(open(mpath, encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise FeaturesError(f"cannot read {mpath}: {e}")
    if m.get("v") != 1 or m.get("kind") != "llmrec-features":
        raise FeaturesError(f"{mpath} is not a v1 features manifest")
    if int(m["items"]) != n_items:
        raise FeaturesError(f"{mpath} covers {m['items']} items, the dataset has {n_items}")
    items_sha = _sha256(os.path.join(ddir, "items.jsonl"))
    if m.get("itemsSha256") != items_sha:
        raise FeaturesError(f"{mpath} was computed from another items.jsonl (sha256 {str(m.get('itemsSha256'))[:12]}..., dataset has {items_sha[:12]}...): re-run `llmrec features`")
    feats, present, desc = {}, {}, {}
    for name in MODALITIES:
        spec = (m.get("modalities") or {}).get(name)
        if not spec:
            continue
        fpath = os.path.join(fdir, spec["file"])
        if _sha256(fpath) != spec["fileSha256"]:
            raise FeaturesError(f"{fpath}: sha256 differs from {mpath}")
        x = np.load(fpath).astype(np.float32)
        p = np.load(os.path.join(fdir, spec["present"])).astype(np.float32).reshape(-1)
        if x.ndim != 2 or x.shape[0] != n_items or p.shape[0] != n_items:
            raise FeaturesError(f"{name} features: shape {list(x.shape)} / presence {list(p.shape)} for {n_items} items")
        if not np.isfinite(x).all():
            raise FeaturesError(f"{fpath}: non-finite values")
        if p.sum() == 0:
            continue  # a modality no item has carries nothing to learn from
        x[p == 0] = 0.0
        feats[name], present[name] = x, p
        desc[name] = {"encoder": spec["encoder"]["id"], "source": spec["encoder"].get("source", ""), "dim": int(x.shape[1]), "present": int(p.sum())}
    if not feats:
        raise FeaturesError(f"{mpath} has no modality with any present item")
    return feats, present, desc


def tfidf_features(items, dim=2048):
    from .text_features import hashed_tfidf

    x = hashed_tfidf(items, dim)
    p = (np.abs(x).sum(1) > 0).astype(np.float32)
    return {"text": x}, {"text": p}, {"text": {"encoder": "hashed-tfidf", "source": "training/llmrec_train/text_features.py", "dim": dim, "present": int(p.sum())}}


def write_tfidf_features(ddir, out, dim=2048):
    """Hashed TF-IDF text written in the features contract layout (encoder id 'hashed-tfidf'), so every consumer
    (the fusion step, the tfidf-knn baseline, the evaluation's content models) reads one kind of folder."""
    import datetime

    from .data import load_items

    items = load_items(ddir)
    feats, present, _ = tfidf_features(items, dim)
    os.makedirs(out, exist_ok=True)
    np.save(os.path.join(out, "text.npy"), feats["text"])
    np.save(os.path.join(out, "text.present.npy"), present["text"].astype(np.uint8))
    code = os.path.join(os.path.dirname(__file__), "text_features.py")
    n, p = len(items), int(present["text"].sum())
    m = {"v": 1, "kind": "llmrec-features", "dataset": os.path.basename(os.path.normpath(ddir)), "items": n,
         "itemsSha256": _sha256(os.path.join(ddir, "items.jsonl")), "createdAt": datetime.datetime.utcnow().isoformat(timespec="seconds") + "Z",
         "modalities": {"text": {"encoder": {"id": "hashed-tfidf", "source": "training/llmrec_train/text_features.py (sha256 of the code)", "onnxSha256": _sha256(code), "dim": dim},
                                 "file": "text.npy", "fileSha256": _sha256(os.path.join(out, "text.npy")), "present": "text.present.npy",
                                 "input": "title words and bigrams, genres/director/writer/cast/attributes, decade, plot words and bigrams",
                                 "count": {"present": p, "missing": n - p}, "notes": []}}}
    with open(os.path.join(out, "features.json"), "w") as f:
        json.dump(m, f, indent=1)
    return m


def load_features(cfg, ddir, items):
    """cfg: {"dir": <features folder>} or {} (hashed TF-IDF text only); optional "modalities": [...] keeps a subset."""
    n = len(items)
    if cfg.get("dir"):
        feats, present, desc = load_manifest_features(cfg["dir"], ddir, n)
    else:
        feats, present, desc = tfidf_features(items, int(cfg.get("tfidf_dim", 2048)))
    keep = cfg.get("modalities")
    if keep:
        unknown = [k for k in keep if k not in feats]
        if unknown:
            raise FeaturesError(f"modalities {unknown} are not in the features (have {sorted(feats)})")
        feats = {k: feats[k] for k in keep}
        present = {k: present[k] for k in keep}
        desc = {k: desc[k] for k in keep}
    return feats, present, desc
