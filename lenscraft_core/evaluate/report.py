"""The run's report: the summary table printed by `python -m lenscraft_core evaluate`, and its two overview plots
(the confusion matrices are plots.plot_confusion, drawn per split). The geometric judge's table comes first among
the generation tables: it is the primary grader; describe's read-back ("move ok") is a second opinion."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import numpy as np

from ..vocabulary import FIELD_NAMES, FIELDS
from .data import V1_FIELDS
from .judged import FOCAL_DRIFT_MAX_PCT, ROLL_DRIFT_MAX_DEG
from .plots import pyplot, save_figure


def _pct(x) -> str:
    return "   -  " if x is None or not np.isfinite(x) else f"{100 * x:5.1f}%"


def _num(x, fmt="6.3f") -> str:
    return "   -  " if x is None or not np.isfinite(x) else format(x, fmt)


def summary_table(r: Mapping[str, Any]) -> str:
    """The readable summary: describe accuracy, generation vs baselines, describe methods, retrieval, targets."""
    nan = float("nan")
    runtime = r["model"].get("runtime", r["model"].get("backend"))  # results.json from before the runtime key
    lines = [f"model: {r['model'].get('dir')} ({runtime}), "
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
    lines += judge_table(splits)
    lines.append("")
    lines += judge_movement_table(splits)
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
    lines.append("move ok / ease ok / ramp ok: the model's own describe reading the generated shot back, a second "
                 "opinion; the geometric judge above grades the move")
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
        by = f" [{v['grader']}]" if v.get("grader") else ""
        lines.append(f"  {mark} {name}: {_num(v['value'], '.4f')} (target {_num(v['target'], '.4f')}){by}")
    return "\n".join(lines)


def judge_table(splits) -> list[str]:
    """The geometric judge's rows: per split the model in each cell (full / partial instructions x own / person
    subject) and pooled, then the baselines and the simulator's own shots (full instructions, own subject)."""
    nan = float("nan")
    heads = ("n", "judged", "found", "focal med", "focal ok", "roll med", "roll ok", "humps med", "1 hump",
             "describe")
    keys = ("n", "judged_as_asked", "asked_move_found", "focal_drift_pct_median", "focal_within_limit_share",
            "roll_drift_deg_median", "roll_within_limit_share", "speed_humps_median", "one_speed_hump_share",
            "describe_readback_movement_ok")
    lines = ["generation graded by the geometric judge (primary grader, docs/JUDGE.md)",
             f"{'split generator instructions subject':38s}" + "".join(f"{h:>10s}" for h in heads)]
    for s, d in splits:
        j = d.get("judge")
        if not j:
            continue
        rows = [(f"model {k.replace('_', ' ')}", v) for k, v in j["model"].items()]
        rows += [(f"{g} full own", j[g]["full_own"]) for g in ("retrieval", "oracle", "truth") if g in j]
        for label, c in rows:
            cells = []
            for k in keys:
                v = c.get(k, nan)
                cells.append(f"{v:d}" if k == "n" else _pct(v) if k.endswith(("_share", "_asked", "_found", "_ok"))
                             else _num(v, "9.2f"))
            lines.append(f"{s + ' ' + label:38s}" + "".join(f"{x:>10s}" for x in cells))
    lines.append("judged: the judge's movement is exactly the asked label; found: the asked move is among the moves it "
                 "found; full: every field the data states, partial: only the movement")
    lines.append(f"focal / roll med: median drift (% / deg) on moves that do not zoom / roll, ok: under "
                 f"{FOCAL_DRIFT_MAX_PCT:g} % / {ROLL_DRIFT_MAX_DEG:g} deg; humps: speed humps on single-hump easings "
                 "(unstated: the default); describe: the model's own read-back (a second opinion); truth: the simulator")
    return lines


def judge_movement_table(splits) -> list[str]:
    """Judged as asked per movement on the person-sized subject, full / partial instructions, per split."""
    cols = [(s, m, d["judge"]["model"][f"{m}_person"]["by_movement"]) for s, d in splits if d.get("judge")
            for m in ("full", "partial")]
    if not cols:
        return []
    names = [n for n in FIELDS["movement"].names if any(n in b for _, _, b in cols)]
    lines = ["judged as asked per movement, model on the person-sized subject (n per movement in results.json)",
             f"{'movement':20s}" + "".join(f"{s + ' ' + m:>17s}" for s, m, _ in cols)
             + "  most often judged as (first split, partial)"]
    for n in names:
        cells = [_pct(b[n]["judged_as_asked"]) if n in b else "   -  " for _, _, b in cols]
        said = cols[1][2].get(n, {}).get("most_often", []) if len(cols) > 1 else []
        lines.append(f"{n:20s}" + "".join(f"{c:>17s}" for c in cells) + "  "
                     + ", ".join(f"{k} ({c})" for k, c in said))
    return lines


def plot_accuracy_bars(results: Mapping[str, Any], path: Path) -> Path:
    """describe top-1 per field, one bar per split (and the paraphrase set's parse accuracy)."""
    plt = pyplot()
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
    save_figure(fig, path)
    plt.close(fig)
    return path


def plot_error_histograms(raw: Mapping[str, Mapping], path: Path) -> Path:
    """Position, rotation and move direction errors of model, retrieval and oracle, one row per split."""
    plt = pyplot()
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
    save_figure(fig, path)
    plt.close(fig)
    return path

