"""The evaluation suite:

    python -m lenscraft_core evaluate --out DIR [--count N] [--model PATH] [--backend B] [--quick]


One run measures a model (an infer.Engine) on four splits and writes DIR/results.json, PNG plots and a summary table:

* iid: simulated shots with training-distribution labels (splits.sample_labels("train")), seeds training never uses;
* heldout: simulated shots whose (movement, angle, shot_type) triple training never saw (splits.py);
* paraphrases: benchmarks/data/paraphrases.jsonl through engine.parse (a field counts only when stated and equal;
  "none" prompts must be rejected);
* v1: the real LensCraft v1 simulator output (all files, one sample per instruction; fields v1 lacks are unscored).

Generation is compared with the simulator's ground truth for the same instruction and subject, next to two
baselines made the same way: the oracle (the simulator itself, another random draw for the same subject and
instruction: how far apart two correct shots are) and retrieval (the training shot whose label text embeddings are
nearest to the instruction's, re-targeted to the subject through the subject-relative features). Describe is
measured two ways, discriminative (encoder field embeddings vs label text embeddings, what Engine.describe ships)
and generative (analysis by synthesis over the discriminative top-k), plus a combination, with their cost.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np

from .. import features as ft
from .. import metrics as mt
from ..metrics import generation_metrics
from ..errors import LensCraftError
from ..schema import Shot, ShotBatch
from ..simulate import simulate_batch, simulate_shot
from ..splits import sample_labels
from ..vocabulary import FIELD_NAMES, FIELDS, V1_KEYS

REPO_ROOT = Path(__file__).resolve().parents[2]
PARAPHRASES = REPO_ROOT / "benchmarks" / "data" / "paraphrases.jsonl"
EVAL_SEED = 900_001_003       # offset for evaluation draws; training uses seed, seed*1009+i and seed+1_000_003
UNCERTAIN = 0.5               # combination: a field whose discriminative top-1 score is below this is re-scored
V1_FIELDS = tuple(f for f in FIELD_NAMES if f in V1_KEYS)
QUICK = dict(count=32, bank=64, generative_count=8, v1_limit=12, paraphrase_limit=40)


def default_v1_dir() -> Path:
    """Where the real v1 output lives: $LENSCRAFT_V1_SIM, else shared/external/lenscraft-v1-sim beside the repo."""
    import os

    env = os.environ.get("LENSCRAFT_V1_SIM")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "external" / "lenscraft-v1-sim"


def _clean(x: Any) -> Any:
    """JSON-safe: numpy scalars to Python, NaN/inf to None."""
    if isinstance(x, dict):
        return {str(k): _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return float(x) if np.isfinite(x) else None
    if isinstance(x, np.ndarray):
        return _clean(x.tolist())
    return x


def _mean(x: np.ndarray) -> float:
    x = np.asarray(x, np.float64)
    return float(np.nanmean(x)) if np.isfinite(x).any() else float("nan")


def _median(x: np.ndarray) -> float:
    x = np.asarray(x, np.float64)
    return float(np.nanmedian(x)) if np.isfinite(x).any() else float("nan")


# ---------------------------------------------------------------------------------------------------- data
def simulated_split(n: int, split: str, seed: int, frames: int, fps: float) -> ShotBatch:
    rng = np.random.default_rng([EVAL_SEED, seed, ("train", "heldout").index(split)])
    labels = sample_labels(n, rng, split=split)
    return simulate_batch(n, frames=frames, fps=fps, seed=EVAL_SEED + 7919 * seed + (split == "heldout"),
                          labels=labels)


def load_v1(v1_dir: Path, limit: int | None = None) -> dict[str, list[Shot]]:
    """file name -> single-instruction shots (Shot.split) from every *.json in the v1 folder."""
    from .. import formats

    files = sorted(Path(v1_dir).glob("*.json"))
    if not files:
        raise LensCraftError(f"{v1_dir}: no LensCraft v1 JSON files (set LENSCRAFT_V1_SIM or pass --v1-dir)")
    out = {}
    for path in files:
        shots = [s for shot in formats.load(path, format="lenscraft-v1").shots for s in shot.split()]
        out[path.name] = shots[:limit] if limit else shots
    return out


def _arrays(shots: list[Shot]) -> dict[str, np.ndarray]:
    """Same-length shots -> ShotBatch-like arrays (subject per frame) for the metrics."""
    f = shots[0].trajectory.frame_count
    return {
        "cam_pos": np.stack([s.trajectory.position for s in shots]),
        "cam_rot": np.stack([s.trajectory.rotation for s in shots]),
        "focal": np.stack([s.trajectory.focal_length for s in shots]),
        "subject_pos": np.stack([np.asarray(s.subject.positions(f)) for s in shots]),
        "subject_rot": np.stack([np.asarray(s.subject.rotations(f)) for s in shots]),
        "subject_size": np.stack([s.subject.size for s in shots]),
        "fps": np.array([s.trajectory.fps for s in shots]),
    }


def _label_arrays(features: ft.Features) -> dict[str, np.ndarray]:
    return {f: features.labels[:, i] for i, f in enumerate(FIELD_NAMES)}


# ---------------------------------------------------------------------------------------------------- generation
READBACK_FIELDS = ("movement", "easing")
EASING_MODE = np.array([FIELDS["easing"][n].params["mode"] for n in FIELDS["easing"].names])  # In, Out, InOut, ""


def readback(engine, pred: tuple, truth: Mapping[str, np.ndarray], labels: Mapping[str, np.ndarray]
             ) -> dict[str, np.ndarray]:
    """Does a generated shot do what was asked? The model's own describe reads the trajectory back; per sample,
    movement_ok / easing_ok = its top label is the asked one (NaN where the field was not asked). describe is
    98-99 % right on the simulator's shots, so this is a fair judge of the move, which the position errors are not
    (they compare with one random realisation of the instruction)."""
    pos, rot, focal = pred
    f = ft.encode_arrays(pos, rot, focal, truth["subject_pos"], truth["subject_rot"], truth["subject_size"], None,
                         engine.frames_internal)
    scores = engine.describe_features(f)
    asked = {name: np.asarray(labels.get(name, np.full(len(pos), -1))) for name in READBACK_FIELDS}
    said = {name: np.argmax(scores[name], -1) for name in READBACK_FIELDS}
    out = {}
    for name in READBACK_FIELDS:
        out[f"{name}_ok"] = np.where(asked[name] >= 0, (said[name] == asked[name]).astype(float), np.nan)
    # The easing's ramp alone (in, out, in-out or linear): near-twin curves (Quart / Quint / Expo) aside.
    ramp = (EASING_MODE[said["easing"]] == EASING_MODE[np.maximum(asked["easing"], 0)]).astype(float)
    out["easing_ramp_ok"] = np.where(asked["easing"] >= 0, ramp, np.nan)
    return out


def summarise(per_sample: Mapping[str, np.ndarray]) -> dict[str, float]:
    out = {}
    for k, v in per_sample.items():
        out[k] = _mean(v)
        if "_err" in k or k.endswith("_deg"):
            out[k + "_median"] = _median(v)
    return out


def oracle_trajectories(shots: list[Shot], seed: int) -> tuple:
    """The simulator again for each shot's subject and labels (another random draw): two correct shots' distance.
    A shot the simulator cannot make for that subject (gates fail) comes back as NaN."""
    pos, rot, focal = [], [], []
    for i, s in enumerate(shots):
        f = s.trajectory.frame_count
        try:
            t = simulate_shot(s.subject, s.labels, f, s.trajectory.fps, seed=seed + i, jitter=True,
                              sensor_width=s.trajectory.sensor_width, aspect=s.trajectory.aspect).trajectory
            pos.append(t.position), rot.append(t.rotation), focal.append(t.focal_length)
        except LensCraftError:
            pos.append(np.full((f, 3), np.nan)), rot.append(np.full((f, 4), np.nan)), focal.append(np.full(f, np.nan))
    return np.stack(pos), np.stack(rot), np.stack(focal)


class RetrievalBaseline:
    """Nearest neighbour by text: a bank of simulated training shots; the query instruction's label text embeddings
    (one per stated field) are compared with each bank shot's by mean cosine over the query's stated fields; the
    best bank shot's subject-relative camera features are decoded around the query's subject."""

    def __init__(self, bank: ft.Features, label_emb: Mapping[str, np.ndarray]):
        self.bank = bank
        self.label_emb = {f: np.asarray(e, np.float64) for f, e in label_emb.items()}

    def nearest(self, labels: Mapping[str, np.ndarray]) -> np.ndarray:
        n = len(next(iter(labels.values())))
        score = np.zeros((n, len(self.bank)))
        count = np.zeros((n, 1))
        for i, f in enumerate(FIELD_NAMES):
            q = np.asarray(labels.get(f, np.full(n, -1)))
            have = q >= 0
            e = self.label_emb[f]
            cos = e[np.maximum(q, 0)] @ e[self.bank.labels[:, i]].T
            score += cos * have[:, None]
            count += have[:, None]
        return np.argmax(score / np.maximum(count, 1), axis=1)

    def generate(self, labels: Mapping[str, np.ndarray], anchor: ft.Anchor, frames: int) -> tuple:
        return ft.decode_camera(self.bank.camera[self.nearest(labels)], anchor, frames)


# ---------------------------------------------------------------------------------------------------- describe
def describe_discriminative(engine, features: ft.Features) -> tuple[dict[str, np.ndarray], float]:
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
    out = {}
    for i, f in enumerate(FIELD_NAMES):
        if f in fields and (labels[:, i] >= 0).any():
            out[f] = mt.classification_report(scores[f], labels[:, i])
    out["confusable"] = mt.confusable_pairs(np.argmax(scores["movement"], -1), labels[:, 0])
    return out


def _accuracy(pred: Mapping[str, np.ndarray], labels: np.ndarray, fields=FIELD_NAMES) -> dict[str, float]:
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
        "discriminative": {"accuracy": _accuracy({f: np.argmax(s, -1) for f, s in d.items()}, sub.labels, fields),
                           "ms_per_shot": disc_ms},
        "generative": {"accuracy": _accuracy(gen_pred, sub.labels, fields), "ms_per_shot": disc_ms + gen_ms},
        "combined": {"accuracy": _accuracy(comb, sub.labels, fields),
                     # generation is only needed for the uncertain fields: cost scales with their share
                     "ms_per_shot": disc_ms + gen_ms * uncertain, "uncertain_share": uncertain,
                     "threshold": UNCERTAIN},
    }


def retrieval_scores(engine, features: ft.Features, group: int = 32) -> dict[str, float]:
    """Text <-> trajectory R@1/R@5 among `group` candidates (trajectory field embeddings vs label text embeddings)."""
    emb = engine.field_embeddings(features)
    sim = mt.label_similarity(emb, engine.label_embeddings, features.labels, FIELD_NAMES)
    return mt.retrieval_recall(sim, (1, 5), group)


# ---------------------------------------------------------------------------------------------------- paraphrases
def paraphrase_accuracy(engine, path: Path = PARAPHRASES, limit: int | None = None) -> dict[str, Any]:
    rows = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    if limit:  # an even spread of the file, plus every no-camera prompt (few, and the only rejection test)
        rows = rows[::max(1, len(rows) // limit)][:limit] + [r for r in rows if not r["labels"]]
    total = {f: 0 for f in FIELD_NAMES}
    right = {f: 0 for f in FIELD_NAMES}
    nones = rejected = false_rejects = 0
    t0 = time.perf_counter()
    for row in rows:
        try:
            interp = engine.parse(row["text"])
        except LensCraftError:
            interp = None
        if not row["labels"]:
            nones += 1
            rejected += interp is None
            continue
        false_rejects += interp is None
        for f, label in row["labels"].items():
            total[f] += 1
            right[f] += interp is not None and f in interp.explicit and interp.labels[f] == label
    ms = (time.perf_counter() - t0) * 1000 / max(len(rows), 1)
    acc = {f: right[f] / total[f] for f in FIELD_NAMES if total[f]}
    return {"accuracy": acc, "n": {f: total[f] for f in FIELD_NAMES if total[f]},
            "all_fields": sum(right.values()) / max(sum(total.values()), 1),
            "none_rejected": rejected / nones if nones else float("nan"), "n_none": nones,
            "wrongly_rejected": false_rejects, "prompts": len(rows), "ms_per_prompt": ms}


# ---------------------------------------------------------------------------------------------------- one split
def evaluate_shots(engine, shots: list[Shot], name: str, cfg: dict, bank: RetrievalBaseline, out_dir: Path,
                   fields=FIELD_NAMES, plots: bool = True) -> tuple[dict[str, Any], dict]:
    """Everything for one list of single-instruction shots (any frame counts). Returns (results, raw per-sample
    arrays in shot order, for per-file summaries and plots)."""
    T = engine.frames_internal
    features = ft.encode_shots(shots, T)
    labels = _label_arrays(features)
    # Generation: model, oracle and retrieval, per frame-count group (decode needs one frame count).
    per: dict[str, list] = {"model": [], "oracle": [], "retrieval": [], "truth": []}
    order, gen_ms = [], 0.0
    for frames in np.unique(features.frames):
        idx = np.flatnonzero(features.frames == frames)
        order.append(idx)
        sub = features.subset(idx)
        group = [shots[i] for i in idx]
        truth = _arrays(group)
        lab = {f: v[idx] for f, v in labels.items()}
        args = (truth, lab, group[0].trajectory.sensor_width, group[0].trajectory.aspect)
        t0 = time.perf_counter()
        cam = engine.generate_arrays(sub.subject, sub.motion, lab, seed=cfg["seed"])
        gen_ms += (time.perf_counter() - t0) * 1000
        def scored(pred):
            return {**generation_metrics(pred, *args), **readback(engine, pred, truth, lab)}

        per["model"].append(scored(ft.decode_camera(cam, sub.anchor, int(frames))))
        per["retrieval"].append(scored(bank.generate(lab, sub.anchor, int(frames))))
        per["truth"].append(scored((truth["cam_pos"], truth["cam_rot"], truth["focal"])))
        if cfg.get("oracle", True):
            pred = oracle_trajectories(group, EVAL_SEED + cfg["seed"])
            failed = ~np.isfinite(pred[0]).all((1, 2))
            pred = tuple(np.where(failed.reshape(-1, *[1] * (a.ndim - 1)), b, a)  # readback needs finite input
                         for a, b in zip(pred, (truth["cam_pos"], truth["cam_rot"], truth["focal"])))
            per["oracle"].append({k: np.where(failed, np.nan, v) for k, v in scored(pred).items()})
    inverse = np.argsort(np.concatenate(order))  # back to shot order
    raw: dict[str, Any] = {k: {m: np.concatenate([p[m] for p in v])[inverse] for m in v[0]}
                           for k, v in per.items() if v}
    disc, disc_ms = describe_discriminative(engine, features)
    raw["scores"], raw["labels"] = disc, features.labels
    res = summarise_raw(raw, fields)
    res["frames"] = sorted(int(f) for f in np.unique(features.frames))
    res["generation"]["model"]["ms_per_shot"] = gen_ms / max(len(shots), 1)
    res["describe"]["ms_per_shot"] = disc_ms
    res["describe_methods"] = describe_methods(engine, features, disc, disc_ms, cfg["generative_count"],
                                               cfg["top_k"], cfg["seed"], fields)
    if len(features) >= 32:
        res["retrieval"] = retrieval_scores(engine, features)
    if plots:
        from .plots import plot_confusion

        for i, f in enumerate(fields):
            keep = features.labels[:, i] >= 0
            if keep.any() and (name == "iid" or f == "movement"):
                plot_confusion(features.labels[keep, i], np.argmax(disc[f], -1)[keep], FIELDS[f].names,
                               out_dir / f"confusion_{name}_{f}.png", title=f"{name} {f}")
    return res, raw


def summarise_raw(raw: Mapping[str, Any], fields=FIELD_NAMES, idx: np.ndarray | None = None) -> dict[str, Any]:
    """Generation and describe summaries of the raw per-sample arrays (optionally of the samples idx)."""
    take = (lambda a: a) if idx is None else (lambda a: a[idx])
    gen = {k: summarise({m: take(v) for m, v in raw[k].items()}) for k in ("model", "retrieval", "oracle", "truth")
           if k in raw}
    scores = {f: take(s) for f, s in raw["scores"].items()}
    labels = take(raw["labels"])
    return {"n": int(len(labels)), "generation": gen, "describe": describe_report(scores, labels, fields)}


# ---------------------------------------------------------------------------------------------------- plots
def plot_accuracy_bars(results: Mapping[str, Any], path: Path) -> Path:
    from .plots import _pyplot

    plt = _pyplot()
    splits = {"iid": results["iid"]["describe"], "heldout": results["heldout"]["describe"]}
    if "v1" in results:
        splits["v1"] = results["v1"]["overall"]["describe"]
    if "paraphrases" in results:
        splits["paraphrase parse"] = {f: {"top1": a} for f, a in results["paraphrases"]["accuracy"].items()}
    fig, ax = plt.subplots(figsize=(8, 3.5))
    width = 0.8 / len(splits)
    for k, (name, d) in enumerate(splits.items()):
        vals = [d[f]["top1"] if f in d and d[f]["top1"] is not None else np.nan for f in FIELD_NAMES]
        ax.bar(np.arange(len(FIELD_NAMES)) + k * width, vals, width, label=name)
    ax.set_xticks(np.arange(len(FIELD_NAMES)) + width * (len(splits) - 1) / 2, FIELD_NAMES)
    ax.set_ylim(0, 1)
    ax.set_ylabel("top-1 accuracy")
    ax.legend(fontsize=7)
    ax.set_title("describe accuracy per field and split (parse accuracy for paraphrases)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def plot_error_histograms(raw: Mapping[str, Mapping], path: Path) -> Path:
    from .plots import _pyplot

    plt = _pyplot()
    metrics = (("position_err", "position error (subject extents)"), ("rotation_err_deg", "rotation error (deg)"),
               ("translation_deg", "move direction error (deg)"))
    fig, axes = plt.subplots(len(raw), len(metrics), figsize=(11, 2.6 * len(raw)), squeeze=False)
    for r, (split, per) in enumerate(raw.items()):
        for c, (m, title) in enumerate(metrics):
            ax = axes[r, c]
            vals = [np.asarray(per[k][m], np.float64) for k in ("model", "retrieval", "oracle") if k in per]
            vals = [v[np.isfinite(v)] for v in vals]
            hi = max([np.percentile(v, 98) for v in vals if len(v)] + [1e-6])
            for k, v in zip([k for k in ("model", "retrieval", "oracle") if k in per], vals):
                ax.hist(np.clip(v, 0, hi), bins=40, range=(0, hi), histtype="step", label=k)
            ax.set_title(f"{split}: {title}", fontsize=8)
            ax.legend(fontsize=6)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


# ---------------------------------------------------------------------------------------------------- the run
def run_evaluation(engine, out_dir: str | Path, count: int = 2000, seed: int = 0, frames: int = 30,
                   fps: float = 24.0, bank: int = 4000, generative_count: int = 300, top_k: int = 3,
                   v1_dir: str | Path | None = None, v1_limit: int | None = None,
                   paraphrases: str | Path | None = PARAPHRASES, paraphrase_limit: int | None = None,
                   plots: bool = True, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Evaluate `engine` (infer.Engine or anything with its batch API) and write out_dir/results.json + PNGs.

    count: shots per simulated split; bank: training shots for the retrieval baseline; generative_count: shots per
    split described by analysis by synthesis (its cost is top_k x 5 generations per shot); v1_dir: the real v1
    folder (None: default_v1_dir(); skipped with a note when missing); v1_limit: shots per v1 file."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    t_start = time.perf_counter()
    cfg = {"count": count, "seed": seed, "frames": frames, "fps": fps, "bank": bank,
           "generative_count": generative_count, "top_k": top_k, "v1_limit": v1_limit,
           "paraphrase_limit": paraphrase_limit, "eval_seed": EVAL_SEED, "uncertain_threshold": UNCERTAIN}
    meta = getattr(engine, "meta", {}) or {}
    results: dict[str, Any] = {
        "config": cfg,
        "model": {"dir": str(getattr(engine, "model_dir", "")), "backend": getattr(engine, "backend_name", None),
                  "weights_sha256": meta.get("weights", {}).get("sha256"), "text_encoder": meta.get("text_encoder"),
                  "model_config": meta.get("model_config"), "vocabulary_hash": meta.get("vocabulary_hash")},
        "shipped_describe": "discriminative",
        "timings_s": {},
    }

    def timed(name: str, fn):
        t0 = time.perf_counter()
        value = fn()
        results["timings_s"][name] = time.perf_counter() - t0
        return value

    T = engine.frames_internal
    log(f"retrieval bank: {bank} simulated training shots")
    bank_batch = timed("simulate_bank", lambda: simulated_split(bank, "train", seed + 1, frames, fps))
    baseline = RetrievalBaseline(ft.encode_batch(bank_batch, T), engine.label_embeddings)
    raw_all = {}
    for split in ("iid", "heldout"):
        log(f"{split}: simulating {count} shots")
        batch = timed(f"simulate_{split}", lambda: simulated_split(count, "train" if split == "iid" else "heldout",
                                                                    seed, frames, fps))
        shots = batch.shots()
        log(f"{split}: evaluating")
        results[split], raw = timed(f"evaluate_{split}", lambda: evaluate_shots(engine, shots, split, cfg, baseline,
                                                                                 out, FIELD_NAMES, plots))
        raw_all[split] = raw

    v1 = Path(v1_dir) if v1_dir is not None else default_v1_dir()
    if v1.is_dir():
        log(f"v1: {v1}")
        files = timed("load_v1", lambda: load_v1(v1, v1_limit))
        every = [s for shots in files.values() for s in shots]
        log(f"v1: evaluating {len(every)} shots from {len(files)} files")
        overall, raw_all["v1"] = timed("evaluate_v1", lambda: evaluate_shots(engine, every, "v1", cfg, baseline, out,
                                                                             V1_FIELDS, plots))
        results["v1"] = {"dir": str(v1), "overall": overall, "files": {}}
        start = 0
        for name, shots in files.items():
            idx = np.arange(start, start + len(shots))
            start += len(shots)
            results["v1"]["files"][name] = summarise_raw(raw_all["v1"], V1_FIELDS, idx)
    else:
        results["v1"] = {"skipped": f"{v1} not found"}
        log(f"v1: skipped ({v1} not found)")

    if paraphrases is not None and Path(paraphrases).exists():
        log("paraphrases: parsing")
        results["paraphrases"] = timed("paraphrases", lambda: paraphrase_accuracy(engine, Path(paraphrases),
                                                                                   paraphrase_limit))
    if "skipped" in results["v1"]:
        results.pop("v1")
        results["v1_skipped"] = f"{v1} not found"
    results["describe_choice"] = describe_choice(results)
    results["verdict"] = verdict(results)
    if plots:
        plot_accuracy_bars(results, out / "accuracy_by_split.png")
        plot_error_histograms({k: v for k, v in raw_all.items()}, out / "error_histograms.png")
    results["timings_s"]["total"] = time.perf_counter() - t_start
    (out / "results.json").write_text(json.dumps(_clean(results), indent=1))
    return _clean(results)


def describe_choice(r: Mapping[str, Any]) -> dict[str, Any]:
    """Mean top-1 accuracy (over fields, then splits) and cost of each describe method; the best one, and whether
    it is the shipped one (Engine.describe is discriminative)."""
    splits = [r[s] for s in ("iid", "heldout") if s in r] + ([r["v1"]["overall"]] if "v1" in r else [])
    table = {}
    for method in ("discriminative", "generative", "combined"):
        acc = [np.mean(list(d["describe_methods"][method]["accuracy"].values())) for d in splits
               if d.get("describe_methods")]
        ms = [d["describe_methods"][method]["ms_per_shot"] for d in splits if d.get("describe_methods")]
        table[method] = {"accuracy": float(np.mean(acc)) if acc else float("nan"),
                         "ms_per_shot": float(np.mean(ms)) if ms else float("nan")}
    best = max(table, key=lambda m: (table[m]["accuracy"], -table[m]["ms_per_shot"]))
    return {"methods": table, "best": best, "shipped": r.get("shipped_describe"),
            "shipped_is_best": best == r.get("shipped_describe")}


def verdict(r: Mapping[str, Any]) -> dict[str, Any]:
    """The issue's targets and the model-vs-retrieval comparison, each with the measured value and pass/fail."""
    out: dict[str, Any] = {}

    def check(name, value, target, higher=True):
        ok = None if value is None or not np.isfinite(value) else bool(value >= target if higher else value <= target)
        out[name] = {"value": value, "target": target, "ok": ok}

    check("describe movement top-1, iid", r["iid"]["describe"]["movement"]["top1"], 0.95)
    if "v1" in r and "overall" in r["v1"]:
        check("describe movement top-1, v1", r["v1"]["overall"]["describe"]["movement"]["top1"], 0.80)
    for split in ("iid", "heldout"):
        g = r[split]["generation"]["model"]
        check(f"subject on screen, {split}", g["on_screen"], 0.99)
        check(f"first-frame shot type, {split}", g["shot_type_ok"], 0.95)
        check(f"first-frame angle, {split}", g["angle_ok"], 0.95)
        # Our own bar (the issue sets none): the asked move, read back by describe, in 9 of 10 shots.
        check(f"generated move read back as asked, {split}", g["movement_ok"], 0.90)
    if "paraphrases" in r:
        for f, a in r["paraphrases"]["accuracy"].items():
            check(f"paraphrase parse {f}", a, 0.90)
    h = r["heldout"]["generation"]
    for m in ("position_err", "rotation_err_deg", "translation_deg"):
        check(f"heldout {m}: model <= retrieval", h["model"][m], h["retrieval"][m], higher=False)
    for m in ("on_screen", "shot_type_ok", "angle_ok", "movement_ok"):
        check(f"heldout {m}: model >= retrieval", h["model"][m], h["retrieval"][m])
    return out


# ---------------------------------------------------------------------------------------------------- table
def _pct(x) -> str:
    return "   -  " if x is None or not np.isfinite(x) else f"{100 * x:5.1f}%"


def _num(x, fmt="6.3f") -> str:
    return "   -  " if x is None or not np.isfinite(x) else format(x, fmt)


def summary_table(r: Mapping[str, Any]) -> str:
    """The readable summary: describe accuracy, generation vs baselines, describe methods, retrieval, targets."""
    nan = float("nan")
    lines = [f"model: {r['model'].get('dir')} ({r['model'].get('backend')}), "
             f"weights {str(r['model'].get('weights_sha256'))[:12]}", ""]
    splits = [("iid", r["iid"]), ("heldout", r["heldout"])]
    if "v1" in r:
        splits.append(("v1", r["v1"]["overall"]))
    cell = "{:>6s} {:>6s} {:>5s} {:>5s}"
    lines.append(f"{'describe (discriminative)':18s}" + "".join(f"{s:>27s}" for s, _ in splits))
    lines.append(f"{'field':18s}" + "".join("   " + cell.format("top1", "top3", "mF1", "mAP") for _ in splits))
    for f in FIELD_NAMES:
        cells = []
        for _, d in splits:
            c = d["describe"].get(f)
            cells.append(cell.format(_pct(c["top1"]), _pct(c["top3"]), _num(c["macro_f1"], "5.2f"),
                                     _num(c["mAP"], "5.2f")) if c else f"{'-':>24s}")
        lines.append(f"{f:18s}" + "".join("   " + c for c in cells))
    lines.append("")
    cols = ("position_err", "position_err_dist", "rotation_err_deg", "focal_err", "translation_deg", "path_shape",
            "on_screen", "shot_type_ok", "angle_ok", "movement_ok", "easing_ok", "easing_ramp_ok", "jerk")
    heads = ("pos/ext", "pos/dist", "rot deg", "focal", "dir deg", "shape", "onscreen", "shot ok", "angle ok",
             "move ok", "ease ok", "ramp ok", "jerk")
    percent = ("on_screen", "shot_type_ok", "angle_ok", "movement_ok", "easing_ok", "easing_ramp_ok")
    lines.append(f"{'generation':22s}" + "".join(f"{h:>9s}" for h in heads))
    for s, d in splits:
        for k in ("model", "retrieval", "oracle", "truth"):
            g = d["generation"].get(k)
            if not g:
                continue
            cells = [_pct(g.get(c, nan)) if c in percent else
                     _num(g.get(c, nan), "8.3f" if c != "jerk" else "8.1f") for c in cols]
            lines.append(f"{s + ' ' + k:22s}" + "".join(f"{c:>9s}" for c in cells))
    lines.append("")
    lines.append(f"{'describe method':30s}{'movement':>10s}{'all fields':>11s}{'ms/shot':>9s}")
    for s, d in splits:
        for k, v in d.get("describe_methods", {}).items():
            if isinstance(v, dict) and "accuracy" in v:
                acc = v["accuracy"]
                mean = np.mean(list(acc.values())) if acc else nan
                lines.append(f"{s + ' ' + k:30s}{_pct(acc.get('movement', nan)):>10s}{_pct(mean):>11s}"
                             f"{_num(v['ms_per_shot'], '8.2f'):>9s}")
    ch = r.get("describe_choice", {})
    lines.append(f"shipped describe: {r.get('shipped_describe')}; most accurate here: {ch.get('best')} "
                 f"(mean over fields and splits: " + ", ".join(
                     f"{m} {_pct(v['accuracy'])} at {_num(v['ms_per_shot'], '.2f')} ms" for m, v in
                     ch.get("methods", {}).items()) + ")")
    lines.append("")
    for s, d in splits:
        if "retrieval" in d:
            lines.append(f"text<->trajectory retrieval {s:8s} " + "  ".join(f"{k} {_pct(v)}" for k, v in
                                                                           d["retrieval"].items()))
    for s, d in splits:
        c = d["describe"].get("confusable", {})
        lines.append(f"confusable pairs {s:8s} " + "  ".join(
            f"{pair}: {_pct(v[list(v)[0]])}/{_pct(v[list(v)[2]])}" for pair, v in c.items()))
    if "paraphrases" in r:
        p = r["paraphrases"]
        lines.append("paraphrase parse " + "  ".join(f"{f} {_pct(a)}" for f, a in p["accuracy"].items()) +
                     f"  none rejected {_pct(p['none_rejected'])}")
    if "v1" in r:
        for name, d in r["v1"]["files"].items():
            lines.append(f"v1 {name:28s} n={d['n']:4d} " + "  ".join(
                f"{f} {_pct(d['describe'][f]['top1'])}" for f in V1_FIELDS if f in d["describe"]) +
                f"  on screen {_pct(d['generation']['model']['on_screen'])}")
    lines.append("")
    lines.append("targets")
    for name, v in r.get("verdict", {}).items():
        mark = {True: "PASS", False: "FAIL", None: "n/a "}[v["ok"]]
        lines.append(f"  {mark} {name}: {_num(v['value'], '.4f')} (target {_num(v['target'], '.4f')})")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------- CLI
def cmd_evaluate(args: argparse.Namespace) -> int:
    from ..inference.engine import Engine

    engine = Engine.load(args.model, backend=args.backend)
    kw: dict[str, Any] = dict(QUICK) if args.quick else {}
    if args.count is not None:
        kw["count"] = args.count
    if args.v1_dir is not None:
        kw["v1_dir"] = args.v1_dir
    results = run_evaluation(engine, args.out, seed=args.seed, plots=not args.no_plots, **kw)
    print(summary_table(results))
    print(f"\nwrote {Path(args.out) / 'results.json'} and plots ({results['timings_s']['total']:.1f} s)")
    return 0


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register `evaluate` on the CLI's subparsers."""
    p = subparsers.add_parser("evaluate", help="evaluate a model: generation, describe, retrieval, baselines")
    p.add_argument("--out", required=True, type=Path, help="folder for results.json and the plots")
    p.add_argument("--count", type=int, default=None, help="shots per simulated split (default 2000; --quick 32)")
    p.add_argument("--model", type=Path, default=None, help="model folder or checkpoint (default: bundled)")
    p.add_argument("--backend", choices=("auto", "onnx", "torch"), default="auto")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--v1-dir", type=Path, default=None, help="real LensCraft v1 output (default: shared/external)")
    p.add_argument("--quick", action="store_true", help="small sizes, for tests and smoke runs")
    p.add_argument("--no-plots", action="store_true")
    p.set_defaults(func=cmd_evaluate)
    return p
