"""Few, editable Bezier keys that reproduce a sampled channel (one value per frame) within a tolerance.

The fit is a C1 piecewise cubic with knots at the keys. Blender evaluates an F-curve's Bezier segment in 2-D
(frame, value); with a segment's two inner handles at 1/3 and 2/3 of its frames the frame is linear in the curve
parameter, so the value is exactly the cubic Hermite segment with the keys' values and slopes. Such a curve therefore
maps onto Bezier keys with aligned handles (left and right handle on one line through the key), nothing lost.

Per channel:
  - a channel that stays within the tolerance of one value gets no keys at all (`ChannelFit.value` is that value);
  - otherwise knots at the ends and the required frames; key values are the samples there (a key is the pose on its
    frame), slopes are fitted by least squares (with a faint pull to the samples' own slope, so that a slope no
    sample constrains is still defined);
  - while some frame misses the tolerance, a knot goes at the worst frame (the worst of every span that misses, so
    a long noisy channel needs few rounds); then knots that the fit can do without are dropped again;
  - max_keys caps the keys; a capped fit says how far it misses (`max_error`, `within`), it never hides it.

Frames are sample indices (0 .. F-1); the caller adds its first frame. NumPy only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .errors import LensCraftError

_PULL = 1e-6  # weight, per sample, of the pull to the samples at a knot (far below any real fit's residuals)
_MINIMAX_ROUNDS = 12  # Lawson reweighting rounds per fit
_REBALANCE_ROUNDS = 8
_REFINE_LIMIT = 24  # knots up to which a fit is refined (knots moved, dropped): beyond, the channel is noise-like
_HANDLE = 1.0 / 3.0  # a handle's frame offset, as a fraction of its segment: makes the segment's frame linear


@dataclass(frozen=True)
class Key:
    """One Bezier key: its (frame, value) and its two handles, each a (frame, value) point."""

    frame: float
    value: float
    left_handle: tuple[float, float]
    right_handle: tuple[float, float]


@dataclass(frozen=True)
class ChannelFit:
    """The keys of one channel. No keys: the channel holds `value` throughout. max_error: the largest distance of the
    keyed curve from the samples (the caller's units)."""

    keys: tuple[Key, ...]
    value: float
    max_error: float
    tolerance: float

    @property
    def within(self) -> bool:
        return self.max_error <= self.tolerance

    @property
    def frames(self) -> list[float]:
        return [k.frame for k in self.keys]


# ------------------------------------------------------------------------------------------------- the curve
def _hermite(t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The cubic Hermite basis at t in [0, 1]: weights of (start value, start slope*h, end value, end slope*h)."""
    t2, t3 = t * t, t * t * t
    return 2 * t3 - 3 * t2 + 1, t3 - 2 * t2 + t, 3 * t2 - 2 * t3, t3 - t2


def _segments(knots: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For every sample 0..n-1 of every knot set (T, m): its segment's index, the segment's length in frames and its
    parameter t in [0, 1], each (T, n)."""
    frame = np.arange(n)
    seg = np.clip((knots[:, None, :] <= frame[None, :, None]).sum(-1) - 1, 0, knots.shape[1] - 2)
    start = np.take_along_axis(knots, seg, 1)
    h = (np.take_along_axis(knots, seg + 1, 1) - start).astype(np.float64)
    return seg, h, (frame[None] - start) / h


def _design(knots: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """For each knot set (T, m) the curve's value at frames 0..n-1 as a combination of the unknowns
    [y_0, d_0, y_1, d_1, ...] (values and slopes at the knots): a frame depends on the four of its segment's two
    ends, so (weights, columns), each (T, n, 4), say it all (no (n, 2m) matrix)."""
    seg, h, t = _segments(knots, n)
    a, b, c, d = _hermite(t)
    return np.stack([a, b * h, c, d * h], -1), 2 * seg[..., None] + np.arange(4)


def _apply(weights: np.ndarray, columns: np.ndarray, u: np.ndarray) -> np.ndarray:
    """The curve values (T, n) of unknowns u (T, 2m)."""
    return (weights * np.take_along_axis(u[:, None, :], columns, 2)).sum(-1)


def evaluate(knots: Sequence[float], values: Sequence[float], slopes: Sequence[float], n: int) -> np.ndarray:
    """The piecewise cubic through (knots, values) with `slopes` (per frame), at frames 0..n-1."""
    weights, columns = _design(np.asarray(knots)[None], n)
    return _apply(weights, columns, np.ravel(np.column_stack([values, slopes]))[None])[0]


def _fit_many(samples: np.ndarray, knots: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(values (T, m), slopes (T, m), |error| (T, n)) of the fit on each knot set (T, m): least squares, then
    Lawson's reweighting towards the smallest largest error (what a tolerance asks), keeping each set's best
    round. Sets are fitted together: the normal equations of all of them are summed in one bincount per round."""
    n, (count, m) = len(samples), knots.shape
    size = 2 * m
    basis, columns = _design(knots, n)
    cell = (np.arange(count)[:, None, None, None] * size * size + columns[..., :, None] * size
            + columns[..., None, :]).ravel()  # where each product of two basis weights goes in its normal matrix
    outer = (basis[..., :, None] * basis[..., None, :]).reshape(count, n, 16)
    # A faint pull to the samples' own value and slope at each knot: defines what no sample constrains.
    prior = np.stack([samples[knots], np.gradient(samples)[knots]], -1).reshape(count, size)
    diagonal = np.arange(size)
    weights = np.ones((count, n))
    best_u, best_err = np.zeros((count, size)), np.full((count, n), np.inf)
    for _ in range(_MINIMAX_ROUNDS):
        normal = np.bincount(cell, (outer * weights[..., None]).ravel(), count * size * size)
        normal = normal.reshape(count, size, size)
        rhs = np.bincount((np.arange(count)[:, None, None] * size + columns).ravel(),
                          (basis * (weights * samples)[..., None]).ravel(), count * size)
        pull = _PULL * weights.sum(1)
        normal[:, diagonal, diagonal] += pull[:, None]
        u = np.linalg.solve(normal, (rhs.reshape(count, size) + pull[:, None] * prior)[..., None])[..., 0]
        err = np.abs(_apply(basis, columns, u) - samples)
        better = err.max(1) < best_err.max(1)
        best_u[better], best_err[better] = u[better], err[better]
        weights = weights * (err + 1e-12 * (1.0 + err.max(1, keepdims=True)))
        weights /= weights.mean(1, keepdims=True)
    return best_u[:, 0::2], best_u[:, 1::2], best_err


def _keys(knots: np.ndarray, values: np.ndarray, slopes: np.ndarray) -> tuple[Key, ...]:
    """Bezier keys of the piecewise cubic: each handle a third of its segment away, along the key's slope."""
    out = []
    for i, (x, y, s) in enumerate(zip(knots.tolist(), values.tolist(), slopes.tolist())):
        left = (knots[i] - knots[i - 1]) * _HANDLE if i > 0 else (knots[1] - knots[0]) * _HANDLE
        right = (knots[i + 1] - knots[i]) * _HANDLE if i + 1 < len(knots) else left
        out.append(Key(float(x), float(y), (float(x - left), float(y - s * left)),
                       (float(x + right), float(y + s * right))))
    return tuple(out)


# ------------------------------------------------------------------------------------------------- fitting
def held_value(values: np.ndarray | Sequence[float], tolerance: float) -> float | None:
    """The one value a channel can hold throughout within the tolerance (the middle of its range), or None."""
    samples = np.asarray(values, dtype=np.float64)
    if not len(samples):
        raise LensCraftError("a keyed channel needs at least one frame")
    lo, hi = float(samples.min()), float(samples.max())
    return (lo + hi) / 2 if (hi - lo) / 2 <= tolerance else None


def _check(values: np.ndarray, tolerance: float, required: Sequence[int], max_keys: int | None) -> np.ndarray:
    if values.ndim != 1 or not np.all(np.isfinite(values)):
        raise LensCraftError(f"a keyed channel must be a 1-D array of finite numbers, got shape {values.shape}")
    if not tolerance > 0:
        raise LensCraftError(f"key tolerance must be positive, got {tolerance}")
    req = np.unique(np.asarray(required, dtype=np.int64))
    if len(req) and (req[0] < 0 or req[-1] >= len(values)):
        raise LensCraftError(f"required key frames must lie in 0..{len(values) - 1}, got {req.tolist()}")
    if max_keys is not None and max_keys < len(np.union1d(req, [0, len(values) - 1])):
        raise LensCraftError(f"max_keys={max_keys} is fewer than the ends and required frames need")
    return req


def _fit(samples: np.ndarray, knots: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(values, slopes, |error| per frame) of the fit on one knot set."""
    values, slopes, err = _fit_many(samples, knots[None])
    return values[0], slopes[0], err[0]


def _worst_frames(err: np.ndarray, knots: np.ndarray, tolerance: float) -> np.ndarray:
    """The worst frame that is no knot yet of every span between knots that misses the tolerance (a knot's value
    is fitted too, so a knot can be the worst frame: the next worst frame then takes the new knot)."""
    seg = np.clip(np.searchsorted(knots, np.arange(len(err)), side="right") - 1, 0, len(knots) - 2)
    open_err = err.copy()
    open_err[knots] = -1.0
    worst = []
    for s in np.unique(seg[err > tolerance]):
        inside = np.flatnonzero(seg == s)
        if open_err[inside].max() >= 0:
            worst.append(inside[np.argmax(open_err[inside])])
    return np.array(worst, dtype=np.int64)


def fit_channel(values: np.ndarray | Sequence[float], tolerance: float, required: Sequence[int] = (),
                max_keys: int | None = None, hold: bool = True) -> ChannelFit:
    """Bezier keys reproducing `values` (one per frame 0..F-1) within `tolerance`, with keys on every `required`
    frame. hold=False: keys even when the channel could hold one value (a curve with other keys needs them to stay
    flat over the span)."""
    samples = np.asarray(values, dtype=np.float64)
    req = _check(samples, tolerance, required, max_keys)
    n = len(samples)
    held = held_value(samples, tolerance)
    if hold and held is not None:
        return ChannelFit((), held, float(np.abs(samples - held).max()), tolerance)
    if n == 1:
        y = float(samples[0])
        return ChannelFit((Key(0.0, y, (-_HANDLE, y), (_HANDLE, y)),), y, 0.0, tolerance)
    cap = n if max_keys is None else min(max_keys, n)
    knots = np.union1d(req, [0, n - 1])
    fit = _fit(samples, knots)
    # Knots go in past a small cap (up to _REFINE_LIMIT): dropping from a fit within the tolerance places the
    # cap's knots far better than stopping the insertion there.
    grow = max(cap, min(_REFINE_LIMIT, n))
    while fit[2].max() > tolerance and len(knots) < grow:
        new = _worst_frames(fit[2], knots, tolerance)
        if len(knots) < _REFINE_LIMIT or len(knots) + len(new) > grow:  # few keys: one at a time, the worst first
            new = new[np.argsort(fit[2][new])[::-1][:1 if len(knots) < _REFINE_LIMIT else grow - len(knots)]]
        if not len(new):  # every frame of the spans that miss is a knot already
            break
        knots = np.union1d(knots, new)
        fit = _fit(samples, knots)
    if len(knots) <= _REFINE_LIMIT:
        knots, fit = _refine(samples, knots, req, tolerance, cap, fit)
    values, slopes, err = fit
    return ChannelFit(_keys(knots.astype(np.float64), values, slopes), float(values[0]), float(err.max()),
                      tolerance)


def _rebalance(samples: np.ndarray, knots: np.ndarray, required: np.ndarray, fit: tuple
               ) -> tuple[np.ndarray, tuple]:
    """Move the free inner knots towards equal error in every segment (the shape of the best fit with this many
    knots): a cubic segment's error grows as its length to the 4th power, so each segment gets a density of
    error^(1/4) / length, and the knots between two fixed ones go to equal steps of that density's integral.
    Rounds go on while the largest error falls."""
    fixed = np.union1d(required, knots[[0, -1]])
    for _ in range(_REBALANCE_ROUNDS):
        error = np.maximum(np.maximum.reduceat(fit[2], knots[:-1]), 1e-12 * (1.0 + fit[2].max()))  # per segment
        mass = np.concatenate([[0.0], np.cumsum(error ** 0.25)])  # the density's integral at each knot
        moved = knots.astype(np.float64)
        for a, b in zip(fixed[:-1], fixed[1:]):
            i, j = np.searchsorted(knots, a), np.searchsorted(knots, b)
            if j - i > 1:
                goal = np.linspace(mass[i], mass[j], j - i + 1)[1:-1]
                moved[i + 1:j] = np.interp(goal, mass[i:j + 1], knots[i:j + 1])
        moved = np.round(moved).astype(np.int64)
        if np.any(np.diff(moved) <= 0) or np.array_equal(moved, knots):
            break
        trial = _fit(samples, moved)
        if trial[2].max() >= fit[2].max():
            break
        knots, fit = moved, trial
    return knots, fit


def _slide(samples: np.ndarray, knots: np.ndarray, required: np.ndarray, fit: tuple) -> tuple[np.ndarray, tuple]:
    """Slide the free inner knots a frame or two, one at a time, each time the slide that lowers the largest error
    most, until none does."""
    free = [i for i in range(1, len(knots) - 1) if knots[i] not in required]
    for _ in range(2 * len(knots)):
        tries = []
        for i in free:
            for step in (-2, -1, 1, 2):
                if knots[i - 1] < knots[i] + step < knots[i + 1]:
                    tries.append(knots.copy())
                    tries[-1][i] += step
        if not tries:
            break
        values, slopes, err = _fit_many(samples, np.array(tries))
        best = int(np.argmin(err.max(1)))
        if err[best].max() >= fit[2].max():
            break
        knots, fit = tries[best], (values[best], slopes[best], err[best])
    return knots, fit


def _refine(samples: np.ndarray, knots: np.ndarray, required: np.ndarray, tolerance: float, cap: int, fit: tuple
            ) -> tuple[np.ndarray, tuple]:
    """Fewer knots where the fit allows: rebalance the knots; then drop the knot the fit misses least without and
    rebalance (and slide) the rest, while the result stays within the tolerance (or more knots than the cap are
    left)."""
    knots, fit = _rebalance(samples, knots, required, fit)
    while fit[2].max() <= tolerance or len(knots) > cap:
        tries = [knots[knots != k] for k in np.setdiff1d(knots[1:-1], required)]
        if not tries:
            break
        values, slopes, err = _fit_many(samples, np.array(tries))
        best = int(np.argmin(err.max(1)))
        fewer, fewer_fit = _rebalance(samples, tries[best], required, (values[best], slopes[best], err[best]))
        if fewer_fit[2].max() > tolerance:  # so close to the tolerance that a frame or two may make it
            fewer, fewer_fit = _slide(samples, fewer, required, fewer_fit)
        if fewer_fit[2].max() > tolerance and len(knots) <= cap:
            break
        knots, fit = fewer, fewer_fit
    return knots, fit


def fit_channels(values: np.ndarray, tolerance: float | Sequence[float], required: Sequence[int] = (),
                 max_keys: int | None = None, hold: bool = True) -> list[ChannelFit]:
    """fit_channel for every column of values (F, C); tolerance one number or one per column."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 2:
        raise LensCraftError(f"fit_channels takes values (frames, channels), got shape {arr.shape}")
    tols = np.broadcast_to(np.asarray(tolerance, dtype=np.float64), (arr.shape[1],))
    return [fit_channel(arr[:, c], float(tols[c]), required, max_keys, hold) for c in range(arr.shape[1])]
