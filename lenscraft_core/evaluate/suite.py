"""The evaluation run: `run_evaluation` measures a model (an inference Engine, or anything with its batch API) on
four splits and writes results.json, PNG plots and the summary table (`python -m lenscraft_core evaluate`, cli.py).

* iid: simulated shots with training-distribution labels (splits.sample_labels("train")), seeds training never uses;
* heldout: simulated shots whose (movement, angle, shot_type) triple training never saw (splits.py);
* paraphrases: a paraphrase file through engine.parse (paraphrases.py);
* v1: the real LensCraft v1 simulator output (all files, one sample per instruction; fields v1 lacks are unscored).

Per split (evaluate_shots), generation is graded by the geometric judge (judged.py over lenscraft_core/judge.py: the
primary grader) with full and partial instructions, on the split's own subjects and a person-sized one; it is
compared with the simulator's ground truth for the same instruction and subject (metrics.generation_metrics), next
to the two baselines (baselines.py), and read back by the model's own describe (readback.py: a second opinion);
describe is measured three ways (describe.py); the targets and the verdict are targets.py, the table and overview plots report.py, where
the data lives data.py. docs/EVALUATION.md has the definitions and the bundled model's numbers.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np

from .. import features as ft
from ..files import atomic_writer
from ..metrics import generation_metrics
from ..schema import Shot
from ..vocabulary import FIELD_NAMES, FIELDS
from .baselines import RetrievalBaseline, oracle_trajectories
from .data import (EVAL_SEED, PARAPHRASES, V1_ENV, V1_FIELDS, default_v1_dir, label_arrays, load_v1, shot_arrays,
                   simulated_split)
from .describe import (UNCERTAIN, describe_choice, describe_discriminative, describe_methods, describe_report,
                       retrieval_scores)
from .judged import CELLS, MEDIAN_KEYS, cell_summary, judge_arrays, person_subject_arrays
from .paraphrases import paraphrase_accuracy
from .plots import plot_confusion
from .readback import readback
from .report import plot_accuracy_bars, plot_error_histograms
from .targets import verdict

# Small sizes for tests and smoke runs (--quick); run_evaluation's defaults are the full run.
QUICK = dict(count=32, bank=64, generative_count=8, v1_limit=12, paraphrase_limit=40)
GENERATION_ROWS = ("model", "retrieval", "oracle", "truth")


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


def summarise(per_sample: Mapping[str, np.ndarray]) -> dict[str, float]:
    """Mean of each numeric per-sample metric (NaN ignored), and the median of the errors and of the judge's
    clean-curve measures too (judged.MEDIAN_KEYS)."""
    out = {}
    for k, v in per_sample.items():
        if np.asarray(v).dtype.kind not in "fiub":  # e.g. the judge's movement names
            continue
        out[k] = _mean(v)
        if "_err" in k or k.endswith("_deg") or k in MEDIAN_KEYS:
            out[k + "_median"] = _median(v)
    return out


def summarise_raw(raw: Mapping[str, Any], fields=FIELD_NAMES, idx: np.ndarray | None = None) -> dict[str, Any]:
    """Generation and describe summaries of the raw per-sample arrays (optionally of the samples idx)."""
    take = (lambda a: a) if idx is None else (lambda a: a[idx])
    gen = {k: summarise({m: take(v) for m, v in raw[k].items()}) for k in GENERATION_ROWS if k in raw}
    scores = {f: take(s) for f, s in raw["scores"].items()}
    labels = take(raw["labels"])
    return {"n": int(len(labels)), "generation": gen, "describe": describe_report(scores, labels, fields)}


def evaluate_shots(engine, shots: list[Shot], name: str, cfg: dict, bank: RetrievalBaseline, out_dir: Path,
                   fields=FIELD_NAMES, plots: bool = True) -> tuple[dict[str, Any], dict]:
    """Everything for one list of single-instruction shots (any frame counts). Returns (results, raw per-sample
    arrays in shot order, for per-file summaries and plots)."""
    T = engine.frames_internal
    features = ft.encode_shots(shots, T)
    labels = label_arrays(features)
    # Generation: model, oracle and retrieval, per frame-count group (decode needs one frame count); the model
    # again with partial instructions and on the person-sized subject (judged.CELLS), for the judge.
    per: dict[str, list] = defaultdict(list)
    order, gen_ms, judge_s, judge_n = [], 0.0, 0.0, 0
    for frames in np.unique(features.frames):
        idx = np.flatnonzero(features.frames == frames)
        order.append(idx)
        sub = features.subset(idx)
        group = [shots[i] for i in idx]
        truth = shot_arrays(group)
        lab = {f: v[idx] for f, v in labels.items()}
        lens = (group[0].trajectory.sensor_width, group[0].trajectory.aspect)
        args = (truth, lab, *lens)

        def judged(pred, subject=truth, asked=lab, person=False):
            nonlocal judge_s, judge_n
            t0 = time.perf_counter()
            out = judge_arrays(pred, subject, asked, *lens, person=person)
            judge_s, judge_n = judge_s + time.perf_counter() - t0, judge_n + len(pred[0])
            return out

        def scored(pred):
            return {**generation_metrics(pred, *args), **readback(engine, pred, truth, lab), **judged(pred)}

        t0 = time.perf_counter()
        cam = engine.generate_arrays(sub.subject, sub.motion, lab, seed=cfg["seed"])
        gen_ms += (time.perf_counter() - t0) * 1000

        per["model"].append(scored(ft.decode_camera(cam, sub.anchor, int(frames))))
        per["retrieval"].append(scored(bank.generate(lab, sub.anchor, int(frames))))
        per["truth"].append(scored((truth["cam_pos"], truth["cam_rot"], truth["focal"])))
        if cfg.get("oracle", True):
            pred = oracle_trajectories(group, EVAL_SEED + cfg["seed"])
            failed = ~np.isfinite(pred[0]).all((1, 2))
            pred = tuple(np.where(failed.reshape(-1, *[1] * (a.ndim - 1)), b, a)  # readback needs finite input
                         for a, b in zip(pred, (truth["cam_pos"], truth["cam_rot"], truth["focal"])))
            per["oracle"].append({k: np.where(failed, np.nan, v) for k, v in scored(pred).items()})
        person = person_subject_arrays(truth)
        person_f = ft.encode_arrays(truth["cam_pos"], truth["cam_rot"], truth["focal"], person["subject_pos"],
                                    person["subject_rot"], person["subject_size"], None, T, person["person"])
        partial = {f: (v if f == "movement" else np.full_like(v, -1)) for f, v in lab.items()}
        for mode, who in CELLS[1:]:  # CELLS[0], full instructions on the own subject, is the "model" row
            f_in, s_in = (sub, truth) if who == "own" else (person_f, person)
            asked = lab if mode == "full" else partial
            cam = engine.generate_arrays(f_in.subject, f_in.motion, asked, seed=cfg["seed"])
            pred = ft.decode_camera(cam, f_in.anchor, int(frames))
            per[f"model_{mode}_{who}"].append({**readback(engine, pred, s_in, asked),
                                               **judged(pred, s_in, asked, who == "person")})
    inverse = np.argsort(np.concatenate(order))  # back to shot order
    raw: dict[str, Any] = {k: {m: np.concatenate([p[m] for p in v])[inverse] for m in v[0]}
                           for k, v in per.items() if v}
    disc, disc_ms = describe_discriminative(engine, features)
    raw["scores"], raw["labels"] = disc, features.labels
    res = summarise_raw(raw, fields)
    res["frames"] = sorted(int(f) for f in np.unique(features.frames))
    res["generation"]["model"]["ms_per_shot"] = gen_ms / max(len(shots), 1)
    res["judge"] = judge_report(raw, features.labels[:, FIELD_NAMES.index("movement")])
    res["judge"]["ms_per_shot"] = 1000 * judge_s / max(judge_n, 1)
    res["describe"]["ms_per_shot"] = disc_ms
    res["describe_methods"] = describe_methods(engine, features, disc, disc_ms, cfg["generative_count"],
                                               cfg["top_k"], cfg["seed"], fields)
    if len(features) >= 32:
        res["retrieval"] = retrieval_scores(engine, features)
    if plots:
        for i, f in enumerate(fields):
            keep = features.labels[:, i] >= 0
            if keep.any() and (name == "iid" or f == "movement"):
                plot_confusion(features.labels[keep, i], np.argmax(disc[f], -1)[keep], FIELDS[f].names,
                               out_dir / f"confusion_{name}_{f}.png", title=f"{name} {f}")
    return res, raw




def judge_report(raw: Mapping[str, Any], movement: np.ndarray) -> dict[str, Any]:
    """The geometric judge's summaries (judged.cell_summary): the model per cell (full / partial instructions x own
    / person subject) and pooled over the cells ("all"), and the other generation rows (full, own subject)."""
    cells = {f"{m}_{w}": raw["model" if (m, w) == CELLS[0] else f"model_{m}_{w}"] for m, w in CELLS}
    pooled = {k: np.concatenate([c[k] for c in cells.values()]) for k in cells["full_own"]
              if all(k in c for c in cells.values())}
    out: dict[str, Any] = {"grader": "geometric judge (lenscraft_core/judge.py, docs/JUDGE.md)",
                           "second_opinion": "describe_readback_movement_ok: the model's own describe",
                           "model": {k: cell_summary(v, movement, summarise) for k, v in cells.items()}}
    out["model"]["all"] = cell_summary(pooled, np.tile(movement, len(cells)), summarise)
    for k in GENERATION_ROWS[1:]:
        if k in raw:
            out[k] = {"full_own": cell_summary(raw[k], movement, summarise)}
    return out


def run_evaluation(engine, out_dir: str | Path, count: int = 2000, seed: int = 0, frames: int = 30,
                   fps: float = 24.0, bank: int = 4000, generative_count: int = 300, top_k: int = 3,
                   v1_dir: str | Path | None = None, v1_limit: int | None = None,
                   paraphrases: str | Path | None = PARAPHRASES, paraphrase_limit: int | None = None,
                   plots: bool = True, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Evaluate `engine` and write out_dir/results.json + PNGs; returns what it writes.

    count: shots per simulated split; bank: training shots for the retrieval baseline; generative_count: shots per
    split described by analysis by synthesis (its cost is top_k x 5 generations per shot); v1_dir: the real v1
    folder (None: data.default_v1_dir()), v1_limit: shots per v1 file; paraphrases: the paraphrase file (default:
    the development checkout's), paraphrase_limit: prompts from it. A v1 folder or paraphrase file that is missing
    skips that split with a note in the log and in results.json."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    t_start = time.perf_counter()
    cfg = {"count": count, "seed": seed, "frames": frames, "fps": fps, "bank": bank,
           "generative_count": generative_count, "top_k": top_k, "v1_limit": v1_limit,
           "paraphrase_limit": paraphrase_limit, "eval_seed": EVAL_SEED, "uncertain_threshold": UNCERTAIN}
    meta = getattr(engine, "meta", {}) or {}
    runtime = getattr(engine, "runtime_name", None)
    results: dict[str, Any] = {
        "config": cfg,
        # "backend": the same as "runtime", kept for readers of results.json from before the rename
        "model": {"dir": str(getattr(engine, "model_dir", "")), "runtime": runtime, "backend": runtime,
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
    v1_skipped = None
    if v1 is not None and v1.is_dir():
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
        v1_skipped = (f"{v1} not found" if v1 is not None else
                      f"no v1 folder given (--v1-dir or ${V1_ENV}) and no development checkout to default to")
        log(f"v1: skipped ({v1_skipped})")

    if paraphrases is not None and Path(paraphrases).exists():
        log("paraphrases: parsing")
        results["paraphrases"] = timed("paraphrases", lambda: paraphrase_accuracy(engine, Path(paraphrases),
                                                                                   paraphrase_limit))
    else:
        results["paraphrases_skipped"] = (f"{paraphrases} not found" if paraphrases is not None else
                                          "no paraphrase file given (--paraphrases) and no development checkout")
        log(f"paraphrases: skipped ({results['paraphrases_skipped']})")
    if v1_skipped is not None:
        results["v1_skipped"] = v1_skipped
    results["describe_choice"] = describe_choice(results)
    results["verdict"] = verdict(results)
    if plots:
        plot_accuracy_bars(results, out / "accuracy_by_split.png")
        plot_error_histograms(raw_all, out / "error_histograms.png")
    results["timings_s"]["total"] = time.perf_counter() - t_start
    with atomic_writer(out / "results.json", overwrite=True) as f:  # the CLI refuses an old report first
        f.write(json.dumps(_clean(results), indent=1))
    return _clean(results)
