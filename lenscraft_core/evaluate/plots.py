"""Dataset inspection: a summary table and PNG plots of a list of shots (`python -m lenscraft_core inspect DATA`).

inspect_dataset writes into out_dir:
  label_histograms.png   counts per label, one panel per field
  trajectories_top.png   sample trajectories seen from above (X-Y) with the subject's box
  trajectories_side.png  the same seen from the side (X-Z)
  embedding.png          a 2-D map of trajectories (t-SNE; UMAP when installed) coloured by each field's label
and returns the summary dict (format_summary_table prints it). The embedding uses trajectory_features (hand-made:
camera motion, rotation change and focal change relative to the first frame) unless embed_fn(shots) -> (N, D) is
given, e.g. a trained model's embeddings. plot_confusion and describe_to_csv serve model evaluation;
score_describe is `inspect --describe`: describe against the data's labels, only where those are independent of it.
Every file goes through lenscraft_core/files.py (atomic: a failed write leaves the old file or none).
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from .. import geometry as geo
from ..files import atomic_write_with, atomic_writer
from ..schema import Shot
from ..vocabulary import FIELD_NAMES, FIELDS

NO_LABEL = "(none)"
FEATURE_SAMPLES = 16
EmbedFn = Callable[[list[Shot]], np.ndarray]
DescribeFn = Callable[[Shot], Mapping[str, Any]]


def pyplot():
    """matplotlib.pyplot drawing to files only (never a window), imported on first use so that importing this
    module needs no matplotlib."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig, path: str | Path, dpi: int = 90) -> Path:
    """fig as a PNG at path, atomically (the caller decides about overwriting: the CLI refuses first)."""
    atomic_write_with(path, lambda tmp: fig.savefig(tmp, format="png", dpi=dpi), overwrite=True)
    return Path(path)


def _stats(values: Sequence[float]) -> dict[str, float]:
    a = np.asarray(values, dtype=np.float64)
    return {"min": float(a.min()), "mean": float(a.mean()), "max": float(a.max()), "total": float(a.sum())}


# ---------------------------------------------------------------------------------------------------- summary
def summarize(shots: Sequence[Shot]) -> dict[str, Any]:
    """Counts per label per field (NO_LABEL for samples without one), frames, durations, fps and subject sizes."""
    if not shots:
        raise ValueError("no shots to inspect")
    labels = {f: Counter(s.labels.get(f, NO_LABEL) for s in shots) for f in FIELD_NAMES}
    sizes = np.array([s.subject.size if s.subject is not None else [np.nan] * 3 for s in shots])
    has_subject = ~np.isnan(sizes[:, 0])
    summary: dict[str, Any] = {
        "samples": len(shots),
        "frames": _stats([s.trajectory.frame_count for s in shots]),
        "duration_s": _stats([s.trajectory.duration for s in shots]),
        "fps": sorted({float(s.trajectory.fps) for s in shots}),
        "focal_mm": _stats([float(np.mean(s.trajectory.focal_length)) for s in shots]),
        "subjects": {"with_subject": int(has_subject.sum()),
                     "moving": int(sum(bool(s.subject is not None and s.subject.is_moving) for s in shots))},
        "sources": dict(Counter(s.instructions[0].source if s.instructions else NO_LABEL for s in shots)),
        # in vocabulary order, then NO_LABEL
        "labels": {f: {n: labels[f][n] for n in (*FIELDS[f].names, NO_LABEL) if labels[f][n]} for f in FIELD_NAMES},
    }
    if has_subject.any():
        s = sizes[has_subject]
        summary["subjects"]["size_min"] = s.min(0).round(4).tolist()
        summary["subjects"]["size_mean"] = s.mean(0).round(4).tolist()
        summary["subjects"]["size_max"] = s.max(0).round(4).tolist()
    return summary


def format_summary_table(summary: Mapping[str, Any]) -> str:
    """The summary as plain text: totals, then one block per field with a count and share per label."""
    n = summary["samples"]
    lines = [f"samples: {n}"]
    for key, unit in (("frames", ""), ("duration_s", " s"), ("focal_mm", " mm")):
        st = summary[key]
        lines.append(f"{key}: min {st['min']:.4g}{unit}, mean {st['mean']:.4g}{unit}, max {st['max']:.4g}{unit}"
                     + (f", total {st['total']:.6g}{unit}" if key != "focal_mm" else ""))
    lines.append("fps: " + ", ".join(f"{v:g}" for v in summary["fps"]))
    sub = summary["subjects"]
    lines.append(f"subjects: {sub['with_subject']} with a subject, {sub['moving']} moving")
    if "size_mean" in sub:
        fmt = lambda v: " x ".join(f"{x:.3g}" for x in v)  # noqa: E731
        lines.append(f"subject size (m): min {fmt(sub['size_min'])}, mean {fmt(sub['size_mean'])}, "
                     f"max {fmt(sub['size_max'])}")
    lines.append("sources: " + ", ".join(f"{k} {v}" for k, v in summary["sources"].items()))
    for f, counts in summary["labels"].items():
        width = max(len(k) for k in counts)
        lines.append(f"\n{f}:")
        lines += [f"  {k.ljust(width)}  {v:6d}  {100.0 * v / n:5.1f}%" for k, v in counts.items()]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------- features
def trajectory_features(shot: Shot, samples: int = FEATURE_SAMPLES) -> np.ndarray:
    """Hand-made descriptor of a camera move, invariant to where the shot sits in the world and its size: camera
    motion in the first camera's frame divided by the distance to the subject (or the path length), rotation change
    (6D of R0^T R_t), and log focal change, each at `samples` evenly spaced times."""
    t = shot.trajectory
    idx = np.linspace(0, t.frame_count - 1, samples).round().astype(int)
    R = t.matrices[idx]
    pos = t.position[idx]
    if shot.subject is not None:
        ref = float(np.linalg.norm(shot.subject.positions(t.frame_count)[0] - t.position[0]))
    else:
        ref = float(np.linalg.norm(np.diff(t.position, axis=0), axis=1).sum())
    ref = max(ref, 1e-6)
    rel_pos = np.einsum("ji,fj->fi", R[0], pos - pos[0]) / ref
    rel_rot = geo.matrix_to_6d(np.einsum("ji,fjk->fik", R[0], R)) - geo.matrix_to_6d(np.eye(3))
    dfocal = np.log(t.focal_length[idx] / t.focal_length[idx[0]])
    return np.concatenate([rel_pos.ravel(), rel_rot.ravel(), dfocal])


def embed_2d(features: np.ndarray, seed: int = 0) -> tuple[np.ndarray, str]:
    """2-D map of feature rows: UMAP when installed, else t-SNE (scikit-learn); PCA for fewer than 5 rows or without
    either. Returns (xy, method)."""
    x = np.asarray(features, dtype=np.float64)
    x = (x - x.mean(0)) / (x.std(0) + 1e-9)
    n = len(x)
    if n >= 5:
        try:
            import umap  # optional

            return umap.UMAP(n_components=2, random_state=seed, n_neighbors=min(15, n - 1)).fit_transform(x), "umap"
        except ImportError:
            pass
        try:
            from sklearn.manifold import TSNE
        except ImportError:  # scikit-learn is optional too: fall back to PCA
            TSNE = None
        if TSNE is not None:
            perplexity = float(min(30.0, (n - 1) / 3.0))
            return TSNE(n_components=2, perplexity=perplexity, random_state=seed, init="pca").fit_transform(x), "tsne"
    u, s, _ = np.linalg.svd(x - x.mean(0), full_matrices=False)
    xy = np.zeros((n, 2))
    k = min(2, u.shape[1])
    xy[:, :k] = (u * s)[:, :k]
    return xy, "pca"


# ---------------------------------------------------------------------------------------------------- plots
def plot_label_histograms(summary: Mapping[str, Any], path: str | Path) -> Path:
    plt = pyplot()
    fields = [f for f in FIELD_NAMES if summary["labels"][f]]
    fig, axes = plt.subplots(len(fields), 1, figsize=(10, 2.6 * len(fields)), squeeze=False)
    for ax, f in zip(axes[:, 0], fields):
        counts = summary["labels"][f]
        ax.bar(range(len(counts)), list(counts.values()), color="tab:blue")
        ax.set_xticks(range(len(counts)), list(counts.keys()), rotation=45, ha="right", fontsize=7)
        ax.set_title(f"{f} ({sum(counts.values())} samples)", fontsize=9)
        ax.set_ylabel("count")
    fig.tight_layout()
    save_figure(fig, path)
    plt.close(fig)
    return Path(path)


def _box_outline(subject, plane: tuple[int, int]) -> np.ndarray:
    """Convex outline of the subject box's 8 corners projected on a coordinate plane (closed polygon)."""
    pts = sorted(map(tuple, geo.box_corners(subject.position, subject.size, subject.matrix)[:, plane].round(12)))

    def turn(o, a, b):  # z of (a - o) x (b - o): > 0 for a left turn
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    def half(points):  # Andrew's monotone chain: one side of the hull
        out: list = []
        for p in points:
            while len(out) >= 2 and turn(out[-2], out[-1], p) <= 0:
                out.pop()
            out.append(p)
        return out[:-1]

    hull = np.array(half(pts) + half(pts[::-1]))
    return np.vstack([hull, hull[:1]])


def plot_trajectories(shots: Sequence[Shot], path: str | Path, view: str = "top", max_samples: int = 12) -> Path:
    """Grid of sample trajectories from above ("top", X-Y) or the side ("side", X-Z): path coloured by time, the
    view direction every few frames, the subject box (its path too when it moves)."""
    plt = pyplot()
    plane = (0, 1) if view == "top" else (0, 2)
    shots = list(shots)[:max_samples]
    cols = min(4, len(shots))
    rows = (len(shots) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 3.2 * rows), squeeze=False)
    for ax in axes.ravel()[len(shots):]:
        ax.axis("off")
    for ax, shot in zip(axes.ravel(), shots):
        t = shot.trajectory
        p = t.position[:, plane]
        ax.scatter(p[:, 0], p[:, 1], c=np.linspace(0, 1, len(p)), cmap="viridis", s=6, zorder=3)
        ax.plot(p[:, 0], p[:, 1], color="0.6", lw=0.8)
        ax.plot(*p[0], marker="o", color="tab:green", ms=6)
        step = max(1, t.frame_count // 8)
        fwd = geo.camera_forward(t.matrices[::step])[:, plane]
        span = max(np.ptp(p, axis=0).max(), 1e-3)
        if shot.subject is not None:
            s = shot.subject
            outline = _box_outline(s, plane)
            ax.fill(outline[:, 0], outline[:, 1], color="tab:orange", alpha=0.5)
            if s.motion_position is not None:
                ax.plot(s.motion_position[:, plane[0]], s.motion_position[:, plane[1]], color="tab:orange", lw=1)
            span = max(span, float(np.linalg.norm(s.position - t.position[0])))
        ax.quiver(p[::step, 0], p[::step, 1], fwd[:, 0], fwd[:, 1], angles="xy", scale_units="xy",
                  scale=1.0 / (0.15 * span), width=0.006, color="tab:red")
        ax.set_aspect("equal", adjustable="datalim")
        title = shot.labels.get("movement") or shot.name or ""
        ax.set_title(str(title)[:28], fontsize=8)
        ax.tick_params(labelsize=6)
        ax.set_xlabel("x (m)", fontsize=7)
        ax.set_ylabel(("y" if view == "top" else "z") + " (m)", fontsize=7)
    fig.suptitle(f"{view} view: path (dark = start), view direction (red), subject (orange)", fontsize=9)
    fig.tight_layout()
    save_figure(fig, path)
    plt.close(fig)
    return Path(path)


def plot_embedding(xy: np.ndarray, shots: Sequence[Shot], path: str | Path, method: str = "") -> Path:
    """One scatter panel per field that has labels, points coloured by that field's label."""
    plt = pyplot()
    fields = [f for f in FIELD_NAMES if any(f in s.labels for s in shots)] or ["movement"]
    fig, axes = plt.subplots(1, len(fields), figsize=(4.2 * len(fields), 4.2), squeeze=False)
    for ax, f in zip(axes[0], fields):
        names = [s.labels.get(f, NO_LABEL) for s in shots]
        present = [n for n in (*FIELDS[f].names, NO_LABEL) if n in set(names)]
        cmap = plt.get_cmap("tab20" if len(present) > 10 else "tab10")
        for k, n in enumerate(present):
            sel = np.array([m == n for m in names])
            ax.scatter(xy[sel, 0], xy[sel, 1], s=12, color=cmap(k % cmap.N), label=n)
        ax.set_title(f"{f} ({method})", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
        if len(present) <= 20:
            ax.legend(fontsize=6, markerscale=0.8, loc="best")
    fig.tight_layout()
    save_figure(fig, path)
    plt.close(fig)
    return Path(path)


def confusion_matrix(true: Sequence, pred: Sequence, labels: Sequence[str]) -> np.ndarray:
    """Counts (len(labels), len(labels)): row = true label, column = predicted; labels may be names or indices."""
    index = {n: k for k, n in enumerate(labels)}
    key = lambda v: int(v) if isinstance(v, (int, np.integer)) else index[v]  # noqa: E731
    m = np.zeros((len(labels), len(labels)), dtype=np.int64)
    for a, b in zip(true, pred, strict=True):
        m[key(a), key(b)] += 1
    return m


def plot_confusion(true: Sequence, pred: Sequence, labels: Sequence[str], path: str | Path,
                   title: str = "", normalize: bool = True) -> np.ndarray:
    """Save a confusion-matrix PNG (rows normalised to recall when normalize) and return the count matrix."""
    plt = pyplot()
    m = confusion_matrix(true, pred, labels)
    shown = m / np.maximum(m.sum(1, keepdims=True), 1) if normalize else m
    n = len(labels)
    fig, ax = plt.subplots(figsize=(2.5 + 0.32 * n, 2 + 0.3 * n))
    im = ax.imshow(shown, cmap="Blues", vmin=0)
    ax.set_xticks(range(n), labels, rotation=90, fontsize=6)
    ax.set_yticks(range(n), labels, fontsize=6)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    acc = np.trace(m) / max(m.sum(), 1)
    ax.set_title(f"{title} accuracy {acc:.1%} (n={m.sum()})".strip(), fontsize=9)
    if n <= 16:
        for i, j in zip(*np.nonzero(m)):
            ax.text(j, i, str(m[i, j]), ha="center", va="center", fontsize=6,
                    color="white" if shown[i, j] > 0.6 * shown.max() else "black")
    fig.colorbar(im, ax=ax, fraction=0.046)
    fig.tight_layout()
    save_figure(fig, path)
    plt.close(fig)
    return m


# ---------------------------------------------------------------------------------------------------- entry points
def inspect_dataset(shots: Sequence[Shot], out_dir: str | Path, *, embed_fn: EmbedFn | None = None,
                    max_plot_samples: int = 12, seed: int = 0) -> dict[str, Any]:
    """Summary dict of the shots plus the PNG plots listed in the module doc (paths under summary["plots"])."""
    shots = list(shots)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    summary = summarize(shots)
    plots = {"label_histograms": plot_label_histograms(summary, out / "label_histograms.png")}
    # Spread the plotted samples over the dataset rather than taking its first few.
    pick = np.unique(np.linspace(0, len(shots) - 1, min(max_plot_samples, len(shots))).round().astype(int))
    for view in ("top", "side"):
        plots[f"trajectories_{view}"] = plot_trajectories([shots[i] for i in pick], out / f"trajectories_{view}.png",
                                                          view, max_plot_samples)
    feats = np.asarray(embed_fn(shots)) if embed_fn is not None else np.stack([trajectory_features(s) for s in shots])
    if feats.shape[0] != len(shots):
        raise ValueError(f"embed_fn returned {feats.shape[0]} rows for {len(shots)} shots")
    xy, method = embed_2d(feats.reshape(len(shots), -1), seed)
    plots["embedding"] = plot_embedding(xy, shots, out / "embedding.png", method)
    summary["embedding_method"] = method
    summary["plots"] = {k: str(v) for k, v in plots.items()}
    return summary


def describe_to_csv(shots: Sequence[Shot], describe_fn: DescribeFn, path: str | Path) -> Path:
    """Run describe_fn over every shot and write one CSV row per sample: index, name, frames, then per field the
    predicted label, its score and the sample's own label (empty when unlabelled).

    describe_fn(shot) -> {field: (label, score)} or {field: label} or {field: {"label": ..., "score": ...}}.
    """
    fields = list(FIELD_NAMES)
    header = ["index", "name", "frames"] + [c for f in fields for c in (f, f"{f}_score", f"{f}_true")]
    path = Path(path)
    with atomic_writer(path, overwrite=True) as fh:  # the CLI refuses an existing file first (--overwrite)
        w = csv.writer(fh)
        w.writerow(header)
        for i, shot in enumerate(shots):
            pred = dict(describe_fn(shot))
            row: list[Any] = [i, shot.name or "", shot.trajectory.frame_count]
            for f in fields:
                v = pred.get(f)
                if isinstance(v, Mapping):
                    label, score = v.get("label"), v.get("score")
                elif isinstance(v, (tuple, list)):
                    label, score = v[0], v[1] if len(v) > 1 else None
                else:
                    label, score = v, None
                label = FIELDS[f].resolve(label) if label is not None else ""
                row += [label, "" if score is None else f"{float(score):.6g}", shot.labels.get(f, "")]
            w.writerow(row)
    return path


# ---------------------------------------------------------------------------------------------------- inspect --describe
# Label sources that are describe's own output (formats/segments.py labels unlabelled segments with the model's
# describe as "predicted"): scoring describe against them grades it against itself, so they are never scored.
SELF_LABELLED_SOURCES = frozenset({"predicted"})
NO_INDEPENDENT_LABELS = "no independent labels"


def label_source(shot: Shot) -> str:
    """Where a sample's labels came from (its first instruction's source), NO_LABEL without an instruction."""
    return shot.instructions[0].source if shot.instructions else NO_LABEL


def score_describe(shots: Sequence[Shot], predicted: Sequence[Mapping[str, str]], out_dir: str | Path | None = None
                   ) -> dict[str, dict[str, Any]]:
    """describe's top-1 labels (`predicted`, one {field: label} per shot) against the shots' own labels, per field:
    {"n": scored samples, "accuracy": share right or None, "self_labelled": samples whose label came from describe
    itself (SELF_LABELLED_SOURCES: never scored), "sources": scored samples per label source}. With out_dir, a
    confusion PNG per field that has independent labels (confusion_<field>.png)."""
    if len(shots) != len(predicted):
        raise ValueError(f"{len(predicted)} descriptions for {len(shots)} shots")
    out: dict[str, dict[str, Any]] = {}
    for name, fld in FIELDS.items():
        pairs, sources, self_labelled = [], Counter(), 0
        for shot, pred in zip(shots, predicted):
            if name not in shot.labels or name not in pred:
                continue
            src = label_source(shot)
            if src in SELF_LABELLED_SOURCES:
                self_labelled += 1
                continue
            pairs.append((shot.labels[name], fld.resolve(pred[name])))
            sources[src] += 1
        acc = sum(t == q for t, q in pairs) / len(pairs) if pairs else None
        if not pairs and not self_labelled:
            continue
        out[name] = {"n": len(pairs), "accuracy": acc, "self_labelled": self_labelled, "sources": dict(sources)}
        if pairs and out_dir is not None:
            true, pred_ = zip(*pairs)
            plot_confusion(true, pred_, fld.names, Path(out_dir) / f"confusion_{name}.png",
                           title=f"{name}: describe vs labels")
    return out


def format_describe_scores(scores: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """One line per field: the top-1 over the independently labelled samples, and "no independent labels" for the
    samples (or the whole field) whose labels describe itself made."""
    lines = []
    for name, s in scores.items():
        skipped = (f"; {s['self_labelled']} sample(s) labelled by describe itself: {NO_INDEPENDENT_LABELS}"
                   if s["self_labelled"] else "")
        if s["accuracy"] is None:
            lines.append(f"describe {name:10s} {NO_INDEPENDENT_LABELS} (all {s['self_labelled']} labelled sample(s) "
                         "came from describe itself: not scored)")
        else:
            src = ", ".join(f"{k} {v}" for k, v in s["sources"].items())
            lines.append(f"describe {name:10s} top-1 {s['accuracy']:6.1%} over {s['n']} independently labelled "
                         f"samples ({src}){skipped}")
    return lines
