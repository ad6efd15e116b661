"""Describe measured three ways on the same shots: discriminative (encoder field embeddings vs label text
embeddings: what Engine.describe ships), generative (analysis by synthesis over the discriminative top-k) and their
combination, each with its accuracy and cost; plus text <-> trajectory retrieval over the same embeddings."""

from __future__ import annotations

import time
from typing import Any, Mapping

import numpy as np

from .. import features as ft
from .. import metrics as mt
from ..vocabulary import FIELD_NAMES

UNCERTAIN = 0.5  # combination: a field whose discriminative top-1 score is below this is re-scored
METHODS = ("discriminative", "generative", "combined")


def describe_discriminative(engine, features: ft.Features) -> tuple[dict[str, np.ndarray], float]:
    """({field: (N, labels) scores}, ms per shot)."""
    t0 = time.perf_counter()
    scores = engine.describe_features(features)
    return scores, (time.perf_counter() - t0) * 1000 / max(len(features), 1)


def describe_generative(engine, features: ft.Features, disc: Mapping[str, np.ndarray], top_k: int = 3,
                        seed: int = 0) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], float]:
    """Analysis by synthesis: for each field, each of the discriminative top_k labels is tried with the other fields
    at their discriminative top-1; the decoder generates the shot for the subject; the label whose generation
    reconstructs the shot's camera features best (mean squared error) wins.

    Returns ({field: (N,) predicted index}, {field: (N, top_k) errors in candidate order}, ms per shot for the
    generations alone (add the discriminative cost: its scores pick the candidates))."""
    n = len(features)
    top1 = {f: np.argmax(disc[f], -1) for f in FIELD_NAMES}
    cands = {f: np.argsort(-disc[f], -1, kind="stable")[:, :top_k] for f in FIELD_NAMES}
    rows = []
    for f in FIELD_NAMES:
        for j in range(top_k):
            rows.append({g: (cands[f][:, j] if g == f else top1[g]) for g in FIELD_NAMES})
    labels = {g: np.concatenate([r[g] for r in rows]) for g in FIELD_NAMES}
    reps = len(rows)
    t0 = time.perf_counter()
    cam = engine.generate_arrays(np.tile(features.subject, (reps, 1)), np.tile(features.motion, (reps, 1, 1)),
                                 labels, seed=seed)
    ms = (time.perf_counter() - t0) * 1000 / max(n, 1)
    err = ((cam - np.tile(features.camera, (reps, 1, 1))) ** 2).mean((1, 2)).reshape(reps, n)
    pred, errors = {}, {}
    for k, f in enumerate(FIELD_NAMES):
        e = err[k * top_k:(k + 1) * top_k].T  # (n, top_k)
        errors[f] = e
        pred[f] = cands[f][np.arange(n), np.argmin(e, -1)]
    return pred, errors, ms


def combine(disc: Mapping[str, np.ndarray], gen_pred: Mapping[str, np.ndarray], threshold: float = UNCERTAIN
            ) -> dict[str, np.ndarray]:
    """Discriminative top-1 where it is confident (score >= threshold), else the generative choice."""
    return {f: np.where(disc[f].max(-1) >= threshold, np.argmax(disc[f], -1), gen_pred[f]) for f in gen_pred}


def describe_report(scores: Mapping[str, np.ndarray], labels: np.ndarray, fields=FIELD_NAMES) -> dict[str, Any]:
    """Per labelled field: top-1, top-3, macro-F1, mAP (metrics.classification_report); plus the confusable
    movement pairs."""
    out: dict[str, Any] = {}
    for i, f in enumerate(FIELD_NAMES):
        if f in fields and (labels[:, i] >= 0).any():
            out[f] = mt.classification_report(scores[f], labels[:, i])
    out["confusable"] = mt.confusable_pairs(np.argmax(scores["movement"], -1), labels[:, 0])
    return out


def accuracy(pred: Mapping[str, np.ndarray], labels: np.ndarray, fields=FIELD_NAMES) -> dict[str, float]:
    """field -> share of the labelled samples whose predicted index is the label."""
    out = {}
    for i, f in enumerate(FIELD_NAMES):
        keep = labels[:, i] >= 0
        if f in fields and f in pred and keep.any():
            out[f] = float(np.mean(pred[f][keep] == labels[keep, i]))
    return out


def describe_methods(engine, features: ft.Features, disc: Mapping[str, np.ndarray], disc_ms: float, count: int,
                     top_k: int, seed: int, fields=FIELD_NAMES) -> dict[str, Any]:
    """Discriminative vs generative vs combined top-1 accuracy and ms per shot on the first `count` shots."""
    idx = np.arange(min(count, len(features)))
    if not len(idx):
        return {}
    sub = features.subset(idx)
    d = {f: s[idx] for f, s in disc.items()}
    gen_pred, _, gen_ms = describe_generative(engine, sub, d, top_k, seed)
    comb = combine(d, gen_pred)
    uncertain = float(np.mean([np.mean(d[f].max(-1) < UNCERTAIN) for f in FIELD_NAMES]))
    return {
        "n": len(idx), "top_k": top_k,
        "discriminative": {"accuracy": accuracy({f: np.argmax(s, -1) for f, s in d.items()}, sub.labels, fields),
                           "ms_per_shot": disc_ms},
        "generative": {"accuracy": accuracy(gen_pred, sub.labels, fields), "ms_per_shot": disc_ms + gen_ms},
        "combined": {"accuracy": accuracy(comb, sub.labels, fields),
                     # generation is only needed for the uncertain fields: cost scales with their share
                     "ms_per_shot": disc_ms + gen_ms * uncertain, "uncertain_share": uncertain,
                     "threshold": UNCERTAIN},
    }


def describe_choice(r: Mapping[str, Any]) -> dict[str, Any]:
    """Mean top-1 accuracy (over fields, then splits) and cost of each describe method in the results `r`; the best
    one, and whether it is the shipped one (Engine.describe is discriminative)."""
    splits = [r[s] for s in ("iid", "heldout") if s in r] + ([r["v1"]["overall"]] if "v1" in r else [])
    table = {}
    for method in METHODS:
        acc = [np.mean(list(d["describe_methods"][method]["accuracy"].values())) for d in splits
               if d.get("describe_methods")]
        ms = [d["describe_methods"][method]["ms_per_shot"] for d in splits if d.get("describe_methods")]
        table[method] = {"accuracy": float(np.mean(acc)) if acc else float("nan"),
                         "ms_per_shot": float(np.mean(ms)) if ms else float("nan")}
    best = max(table, key=lambda m: (table[m]["accuracy"], -table[m]["ms_per_shot"]))
    return {"methods": table, "best": best, "shipped": r.get("shipped_describe"),
            "shipped_is_best": best == r.get("shipped_describe")}


def retrieval_scores(engine, features: ft.Features, group: int = 32) -> dict[str, float]:
    """Text <-> trajectory R@1/R@5 among `group` candidates (trajectory field embeddings vs label text embeddings)."""
    emb = engine.field_embeddings(features)
    sim = mt.label_similarity(emb, engine.label_embeddings, features.labels, FIELD_NAMES)
    return mt.retrieval_recall(sim, (1, 5), group)
