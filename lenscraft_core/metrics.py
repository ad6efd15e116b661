"""Evaluation metrics, pure NumPy: trajectory errors, framing, smoothness, classification and retrieval.

Trajectories are batches of world-space arrays like a ShotBatch: positions (N, F, 3), camera-to-world quaternions
(N, F, 4), focal lengths (N, F). Every function returns per-sample values (N,) (NaN where a metric is undefined for
that sample, e.g. the direction of a move that does not move) so callers can average, histogram or slice them.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from . import framing
from . import geometry as geo
from .vocabulary import MOVEMENT

# A move counts as translating / rotating / zooming (so its direction is defined) above these net changes.
MIN_TRANSLATION = 0.05   # subject extents
MIN_ROTATION_DEG = 2.0
MIN_ZOOM_LOG = 0.05

# The movement kinds people (and models) mix up: screen-space moves that look alike over a short shot.
CONFUSABLE_KINDS: tuple[tuple[str, str], ...] = (("pan", "truck"), ("tilt", "pedestal"), ("zoom", "dolly"))


# ---------------------------------------------------------------------------------------------------- trajectories
def position_error(pred_pos: np.ndarray, true_pos: np.ndarray, extent: np.ndarray) -> np.ndarray:
    """Mean over frames of |pred - true| in subject extents (N,)."""
    d = np.linalg.norm(np.asarray(pred_pos, np.float64) - np.asarray(true_pos, np.float64), axis=-1)
    return d.mean(-1) / np.asarray(extent, np.float64)


def rotation_error_deg(pred_rot: np.ndarray, true_rot: np.ndarray) -> np.ndarray:
    """Mean over frames of the geodesic angle between camera orientations, degrees (N,)."""
    ang = geo.rotation_angle_between(geo.quat_to_matrix(geo.normalize(pred_rot)),
                                     geo.quat_to_matrix(geo.normalize(true_rot)))
    return np.degrees(ang).mean(-1)


def focal_error(pred_focal: np.ndarray, true_focal: np.ndarray) -> np.ndarray:
    """Mean over frames of |pred - true| / true focal length (N,)."""
    t = np.asarray(true_focal, np.float64)
    return (np.abs(np.asarray(pred_focal, np.float64) - t) / t).mean(-1)


def _angle_deg(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    cos = np.sum(geo.normalize(a) * geo.normalize(b), -1)
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def net_rotation_axis(rot: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Axis (N, 3) and angle (N,) radians of the net camera rotation from the first to the last frame (world)."""
    q = geo.quat_mul(geo.normalize(rot[:, -1]), geo.quat_conj(geo.normalize(rot[:, 0])))
    q = q * np.where(q[:, :1] < 0, -1.0, 1.0)  # shortest arc: the vector part then points along the axis
    return q[:, 1:], 2.0 * np.arctan2(np.linalg.norm(q[:, 1:], axis=-1), q[:, 0])


def direction_errors(pred_pos, pred_rot, pred_focal, true_pos, true_rot, true_focal, extent) -> dict[str, np.ndarray]:
    """Magnitude-free agreement of the move, per sample (NaN where the true move has no such component).

    The simulator draws how far a move goes at random (screen travel, dolly share, roll angle...), so position
    errors mix "wrong move" with "right move, other amount". These compare only which way the camera went:
    translation_deg: angle between the net translations (first -> last frame);
    rotation_deg: angle between the axes of the net rotations;
    zoom_sign: 1 when the focal length changes the same way (in or out), else 0;
    path_shape: mean distance between the two paths after each is shifted to start at 0 and scaled to unit
    largest excursion (0 = same shape, ~2 = opposite)."""
    extent = np.asarray(extent, np.float64)
    dt = true_pos[:, -1] - true_pos[:, 0]
    dp = pred_pos[:, -1] - pred_pos[:, 0]
    moves = np.linalg.norm(dt, axis=-1) / extent > MIN_TRANSLATION
    translation = np.where(moves, _angle_deg(dp, dt), np.nan)

    axis_t, ang_t = net_rotation_axis(true_rot)
    axis_p, _ = net_rotation_axis(pred_rot)
    turns = np.degrees(ang_t) > MIN_ROTATION_DEG
    rotation = np.where(turns, _angle_deg(axis_p, axis_t), np.nan)

    zt = np.log(true_focal[:, -1] / true_focal[:, 0])
    zp = np.log(pred_focal[:, -1] / pred_focal[:, 0])
    zooms = np.abs(zt) > MIN_ZOOM_LOG
    zoom_sign = np.where(zooms, (np.sign(zp) == np.sign(zt)).astype(np.float64), np.nan)

    def unit_path(p):
        rel = p - p[:, :1]
        return rel / np.maximum(np.linalg.norm(rel, axis=-1).max(-1), 1e-12)[:, None, None]

    excursion = np.linalg.norm(true_pos - true_pos[:, :1], axis=-1).max(-1) / extent > MIN_TRANSLATION
    shape = np.where(excursion, np.linalg.norm(unit_path(pred_pos) - unit_path(true_pos), axis=-1).mean(-1), np.nan)
    return {"translation_deg": translation, "rotation_deg": rotation, "zoom_sign": zoom_sign, "path_shape": shape}


def mean_jerk(pos: np.ndarray, fps: np.ndarray | float, extent: np.ndarray) -> np.ndarray:
    """Mean |third derivative of position| over the shot, in subject extents per second^3 (N,)."""
    if pos.shape[1] < 4:
        return np.zeros(pos.shape[0])
    j = np.linalg.norm(np.diff(np.asarray(pos, np.float64), n=3, axis=1), axis=-1).mean(-1)
    return j * np.asarray(fps, np.float64) ** 3 / np.asarray(extent, np.float64)


PERSON_AXIS_POINTS = 65  # a person is on screen when a point of its centre line or sides (every ~3 cm) is in frame


def framing_scores(pos, rot, focal, subject_pos, subject_rot, subject_size, labels: Mapping[str, np.ndarray],
                   sensor_width: float, aspect: float, person=None) -> dict[str, np.ndarray]:
    """Framing against the instruction, per sample: on_screen (share of frames with the subject in frame),
    shot_type_ok / angle_ok (first frame classified equals the label; NaN where the label is -1). An object is
    measured by its box (framing.py: its centre on screen); a person (person: (N,) bool) by the body (body.py:
    the shot size's cut lines and the lens against the eye line; on screen when some of the body's centre line or
    sides, feet to head top, is in frame, as a close-up's centre is below the frame)."""
    fr = framing.measure_arrays(pos, rot, focal, subject_pos, subject_rot, subject_size[:, None, :], sensor_width,
                                aspect)
    on_screen, size, angle = fr.centre_in_frame.mean(-1), fr.shot_type[:, 0], fr.angle[:, 0]
    people = np.flatnonzero(np.zeros(len(size), bool) if person is None else np.asarray(person, bool))
    if len(people):
        from . import body

        p = np.asarray(pos, np.float64)[people]
        R = geo.quat_to_matrix(np.asarray(rot, np.float64)[people])
        f = np.asarray(focal, np.float64)[people]
        a = body.anchors_from_arrays(np.asarray(subject_pos)[people, 0], np.asarray(subject_size)[people],
                                     np.asarray(subject_rot)[people, 0])
        size, angle = size.copy(), angle.copy()
        size[people] = body.shot_size_arrays(p[:, 0], R[:, 0], f[:, 0], a, sensor_width, aspect)
        angle[people] = body.angle_arrays(p[:, 0], R[:, 0], a)
        s = np.linspace(0.0, 1.0, PERSON_AXIS_POINTS)
        moved = np.asarray(subject_pos, np.float64)[people] - np.asarray(subject_pos, np.float64)[people, :1]
        height = a.feet[:, None] + s[None] * (a.head_top - a.feet)[:, None]                    # (n, S)
        side = geo.quat_to_matrix(np.asarray(subject_rot, np.float64)[people, 0])[:, :, 0]    # the shoulder line
        half = 0.5 * np.asarray(subject_size, np.float64)[people, 0]
        lines = []
        for k in (-1.0, 0.0, 1.0):  # the body's centre line and its two sides, feet to head top
            xy = a.axis + k * half[:, None] * side[:, :2]
            lines.append(np.concatenate([np.broadcast_to(xy[:, None, :], height.shape + (2,)), height[..., None]], -1))
        points = np.concatenate(lines, 1)[:, None] + moved[:, :, None, :]  # (n, F, 3S, 3): moving with the subject
        ndc, depth = geo.project(points, p, R, f, sensor_width, aspect)
        on_screen = on_screen.copy()
        on_screen[people] = framing.in_frame(ndc, depth, 0.0).any(-1).mean(-1)
    out = {"on_screen": on_screen}
    for name, got in (("shot_type", size), ("angle", angle)):
        want = np.asarray(labels[name]) if name in labels else np.full(len(got), -1)
        out[f"{name}_ok"] = np.where(want >= 0, (got == want).astype(np.float64), np.nan)
    return out


# ---------------------------------------------------------------------------------------------------- classification
def topk_accuracy(scores: np.ndarray, true: np.ndarray, k: int = 1) -> float:
    """Share of rows whose true index is among the k highest scores (rows with true == -1 are ignored)."""
    scores, true = np.asarray(scores), np.asarray(true)
    keep = true >= 0
    if not keep.any():
        return float("nan")
    top = np.argsort(-scores[keep], axis=-1, kind="stable")[:, :k]
    return float(np.mean(np.any(top == true[keep, None], axis=-1)))


def macro_f1(pred: np.ndarray, true: np.ndarray, n_classes: int) -> float:
    """F1 averaged over the classes that occur in true or pred (rows with true == -1 are ignored)."""
    pred, true = np.asarray(pred), np.asarray(true)
    keep = true >= 0
    pred, true = pred[keep], true[keep]
    if not len(true):
        return float("nan")
    cm = np.zeros((n_classes, n_classes), np.int64)
    np.add.at(cm, (true, pred), 1)
    tp = np.diag(cm).astype(np.float64)
    support, predicted = cm.sum(1), cm.sum(0)
    present = (support + predicted) > 0
    f1 = 2 * tp / np.maximum(support + predicted, 1)
    return float(f1[present].mean())


def average_precision(scores: np.ndarray, positive: np.ndarray) -> float:
    """Area under the precision-recall curve for one class (scores (M,), positive (M,) bool); NaN without positives."""
    positive = np.asarray(positive, bool)
    if not positive.any():
        return float("nan")
    order = np.argsort(-np.asarray(scores), kind="stable")
    hits = positive[order]
    precision = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return float(precision[hits].mean())


def mean_average_precision(scores: np.ndarray, true: np.ndarray) -> float:
    """Mean over classes (that have positives) of the AP of ranking all samples by that class's score."""
    scores, true = np.asarray(scores), np.asarray(true)
    keep = true >= 0
    scores, true = scores[keep], true[keep]
    aps = [average_precision(scores[:, c], true == c) for c in np.unique(true)]
    return float(np.mean(aps)) if aps else float("nan")


def classification_report(scores: np.ndarray, true: np.ndarray) -> dict[str, float]:
    """top1, top3, macro_f1, mAP and n for one field's (N, L) scores."""
    true = np.asarray(true)
    return {"top1": topk_accuracy(scores, true, 1), "top3": topk_accuracy(scores, true, 3),
            "macro_f1": macro_f1(np.argmax(scores, -1), true, scores.shape[-1]),
            "mAP": mean_average_precision(scores, true), "n": int((true >= 0).sum())}


def confusable_pairs(pred: np.ndarray, true: np.ndarray) -> dict[str, dict[str, float]]:
    """For each known confusable pair of movement kinds (a, b): how often a true a-move is called a b-move and the
    reverse, as shares of the true moves of that kind (counts included)."""
    kind = np.array([label.params.get("kind") for label in MOVEMENT])
    pred, true = np.asarray(pred), np.asarray(true)
    keep = true >= 0
    kp, kt = kind[pred[keep]], kind[true[keep]]
    out = {}
    for a, b in CONFUSABLE_KINDS:
        na, nb = int((kt == a).sum()), int((kt == b).sum())
        ab, ba = int(((kt == a) & (kp == b)).sum()), int(((kt == b) & (kp == a)).sum())
        out[f"{a}_vs_{b}"] = {f"{a}_as_{b}": ab / na if na else float("nan"), f"n_{a}": na,
                              f"{b}_as_{a}": ba / nb if nb else float("nan"), f"n_{b}": nb}
    return out


# ---------------------------------------------------------------------------------------------------- retrieval
def retrieval_recall(similarity: np.ndarray, ks: Sequence[int] = (1, 5), group: int = 32) -> dict[str, float]:
    """Recall@k for text <-> trajectory retrieval among `group` candidates.

    similarity (N, N): [i, j] = score of trajectory i against text j; the match of trajectory i is text i. Samples
    are cut into consecutive groups of `group` (a short last group is dropped); within a group each trajectory ranks
    the group's texts (traj->text) and each text ranks the group's trajectories (text->traj). Ties count against
    the match (rank = number of candidates scoring >= the match, minus itself)."""
    s = np.asarray(similarity, np.float64)
    n = (s.shape[0] // group) * group
    out: dict[str, float] = {}
    if n == 0:
        return {f"{d}_R@{k}": float("nan") for d in ("traj2text", "text2traj") for k in ks}
    ranks = {"traj2text": [], "text2traj": []}
    for g in range(0, n, group):
        block = s[g:g + group, g:g + group]
        diag = np.diag(block)
        ranks["traj2text"].append((block >= diag[:, None]).sum(1) - 1)
        ranks["text2traj"].append((block >= diag[None, :]).sum(0) - 1)
    for d, r in ranks.items():
        r = np.concatenate(r)
        for k in ks:
            out[f"{d}_R@{k}"] = float(np.mean(r < k))
    return out


def label_similarity(field_emb: np.ndarray, label_emb: Mapping[str, np.ndarray], labels: np.ndarray,
                     fields: Sequence[str]) -> np.ndarray:
    """(N, N) similarity of trajectory i (its field embeddings (N, F, D), fields in `fields` order) to the
    instruction text of sample j: the mean over fields of cos(field embedding of i, text embedding of j's label).
    labels (N, F) indices; a field unlabelled (-1) in j is left out of j's mean."""
    e = geo.normalize(np.asarray(field_emb, np.float64))
    n = e.shape[0]
    total = np.zeros((n, n))
    count = np.zeros((1, n))
    for k, f in enumerate(fields):
        lab = labels[:, k]
        have = lab >= 0
        text = geo.normalize(np.asarray(label_emb[f], np.float64))[np.where(have, lab, 0)]
        total += (e[:, k] @ text.T) * have[None, :]
        count += have[None, :]
    return total / np.maximum(count, 1)


# ---------------------------------------------------------------------------------------------------- generation
def generation_metrics(pred: tuple, truth: Mapping[str, np.ndarray], labels: Mapping[str, np.ndarray],
                       sensor_width: float, aspect: float) -> dict[str, np.ndarray]:
    """Per-sample metrics of predicted world trajectories (pos, quat, focal) against the truth arrays."""
    pos, rot, focal = pred
    ext = truth["subject_size"].max(-1)
    dist = np.linalg.norm(truth["cam_pos"][:, 0] - truth["subject_pos"][:, 0], axis=-1)
    out = {"position_err": position_error(pos, truth["cam_pos"], ext),
           "position_err_dist": position_error(pos, truth["cam_pos"], dist),
           "rotation_err_deg": rotation_error_deg(rot, truth["cam_rot"]),
           "focal_err": focal_error(focal, truth["focal"]),
           "jerk": mean_jerk(pos, truth["fps"], ext)}
    out.update(direction_errors(pos, rot, focal, truth["cam_pos"], truth["cam_rot"], truth["focal"], ext))
    out.update(framing_scores(pos, rot, focal, truth["subject_pos"], truth["subject_rot"], truth["subject_size"],
                              labels, sensor_width, aspect, truth.get("person")))
    return out
