"""Easing curves: progress over normalised time for every EASING label (Robert Penner's formulas, as on
easings.net and in LensCraft v1). progress(0) = 0 and progress(1) = 1 exactly; Back and Elastic leave [0, 1] in
between (that is the overshoot they promise). Everything is vectorised numpy.

    ease("easeInOutSine", t)            # t (...,) in [0, 1]
    ease_batch(label_indices, t)        # indices (N,), t (F,) or (N, F) -> (N, F)
"""

from __future__ import annotations

import numpy as np

from .vocabulary import EASING

_BACK_C1 = 1.70158
_BACK_C2 = _BACK_C1 * 1.525
_ELASTIC_C4 = 2.0 * np.pi / 3.0
_ELASTIC_C5 = 2.0 * np.pi / 4.5
_POWER = {"Quad": 2, "Cubic": 3, "Quart": 4, "Quint": 5}


def _bounce_out(t: np.ndarray) -> np.ndarray:
    n1, d1 = 7.5625, 2.75
    return np.select(
        [t < 1 / d1, t < 2 / d1, t < 2.5 / d1],
        [n1 * t * t, n1 * (t - 1.5 / d1) ** 2 + 0.75, n1 * (t - 2.25 / d1) ** 2 + 0.9375],
        n1 * (t - 2.625 / d1) ** 2 + 0.984375,
    )


def _ease_in(family: str, t: np.ndarray) -> np.ndarray:
    if family in _POWER:
        return t ** _POWER[family]
    if family == "Sine":
        return 1.0 - np.cos(t * np.pi / 2)
    if family == "Expo":
        return np.exp2(10.0 * t - 10.0)
    if family == "Circ":
        return 1.0 - np.sqrt(np.maximum(1.0 - t * t, 0.0))
    if family == "Back":
        return (_BACK_C1 + 1) * t ** 3 - _BACK_C1 * t * t
    if family == "Elastic":
        return -np.exp2(10.0 * t - 10.0) * np.sin((t * 10.0 - 10.75) * _ELASTIC_C4)
    if family == "Bounce":
        return 1.0 - _bounce_out(1.0 - t)
    raise ValueError(f"unknown easing family '{family}'")


def _ease_in_out(family: str, t: np.ndarray) -> np.ndarray:
    lo = t < 0.5
    if family == "Back":  # Penner's InOut Back uses a larger overshoot constant than In/Out
        a = 2 * t
        b = 2 * t - 2
        return np.where(lo, a * a * ((_BACK_C2 + 1) * a - _BACK_C2) / 2, (b * b * ((_BACK_C2 + 1) * b + _BACK_C2) + 2) / 2)
    if family == "Elastic":
        s = np.sin((20.0 * t - 11.125) * _ELASTIC_C5)
        return np.where(lo, -np.exp2(20.0 * t - 10.0) * s / 2, np.exp2(-20.0 * t + 10.0) * s / 2 + 1.0)
    # The rest are symmetric: the In curve on each half.
    return np.where(lo, _ease_in(family, 2 * t) / 2, 1.0 - _ease_in(family, 2 - 2 * t) / 2)


def _curve(family: str, mode: str, t: np.ndarray) -> np.ndarray:
    if family == "Linear":
        return t.copy()
    if mode == "In":
        return _ease_in(family, t)
    if mode == "Out":
        return 1.0 - _ease_in(family, 1.0 - t)
    return _ease_in_out(family, t)


def ease(name: str, t: np.ndarray | float) -> np.ndarray:
    """Progress for easing `name` (any name or alias of the EASING field) at normalised times t (clipped to [0, 1])."""
    label = EASING[name]
    t = np.clip(np.asarray(t, dtype=np.float64), 0.0, 1.0)
    with np.errstate(invalid="ignore", over="ignore"):
        p = _curve(label.params["family"], label.params["mode"], t)
    # Exact endpoints (Expo and Elastic only reach them asymptotically in Penner's formulas).
    return np.where(t <= 0.0, 0.0, np.where(t >= 1.0, 1.0, p))


def ease_batch(indices: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Progress (N, F) for per-sample easing label indices (N,) at times t, (F,) shared or (N, F) per sample.

    Loops over the distinct labels present (at most len(EASING)), never over samples."""
    indices = np.asarray(indices, dtype=np.int64)
    t = np.asarray(t, dtype=np.float64)
    t = np.broadcast_to(t, (len(indices), t.shape[-1]))
    out = np.empty(t.shape)
    for k in np.unique(indices):
        sel = indices == k
        out[sel] = ease(EASING.names[k], t[sel])
    return out


def normalised_time(frames: int) -> np.ndarray:
    """Frame times in [0, 1]: first frame 0, last frame 1 (a single frame is the start pose, t = 0)."""
    if frames < 1:
        raise ValueError(f"frames must be >= 1, got {frames}")
    return np.linspace(0.0, 1.0, frames) if frames > 1 else np.zeros(1)
