"""What Blender itself does with a user's hand keys: a NumPy model of its F-curve interpolation.

Keys inserted in Blender get Bezier interpolation with "Auto Clamped" handles, constant extrapolation and, in
Blender 4.5's factory settings, "Auto Handle Smoothing" Continuous Acceleration (None is modelled too). Each
channel (location x/y/z, the rotation channels of the object's rotation mode, the lens) is its own F-curve over
frame number. The handle rules modelled here are those of Blender's handle calculation (calchandleNurb_intern
in blenkernel/curve.cc and BKE_fcurve_handles_recalc):

- a key's handle direction is the sum of the unit-time slopes to its neighbours, dy_a/dx_a + dy_b/dx_b, over
  horizontal lengths (dx_a, dx_b) / 2.5614, each clamped to 5x the other side's interval (a missing neighbour is
  mirrored); with smoothing the horizontal lengths are a third of each interval;
- auto clamped: a key that is a local extreme (or level with a neighbour) gets flat handles, and a handle reaching
  past a neighbour's value is cut to it, the other handle turned to stay aligned;
- the first and last keys (constant extrapolation) get flat handles;
- Continuous Acceleration: between the locked keys (ends and extremes) the free keys' handle heights solve the
  tridiagonal system for a continuous second derivative, each handle limited so that it neither reverses its
  key's direction nor passes a neighbour's value (locked at the limit and re-solved; BKE_nurb_handle_smooth_fcurve);
- on evaluation, handles that overlap in time are scaled back to fit the interval (BKE_fcurve_correct_bezpart),
  and the segment's cubic is solved for the frame.

tests/test_complete_blender.py checks this model against fcurve.evaluate in real Blender. Torch- and bpy-free.
"""

from __future__ import annotations

import numpy as np

from . import geometry as geo
from .schema import Trajectory

HANDLE_LENGTH_DIVISOR = 2.5614  # Blender's auto-handle constant: horizontal handle = interval / this
HANDLE_RATIO_CAP = 5.0          # one side's interval counts at most this many times the other's
AUTO_SMOOTHING = "CONT_ACCEL"   # Blender 4.5's factory "Auto Handle Smoothing" for new F-curves


def _tridiagonal(a: np.ndarray, b: np.ndarray, c: np.ndarray, d: np.ndarray) -> np.ndarray:
    n = len(b)
    cp, dp = np.zeros(n), np.zeros(n)
    for i in range(n):
        m = b[i] - (a[i] * cp[i - 1] if i else 0.0)
        cp[i] = c[i] / m
        dp[i] = (d[i] - (a[i] * dp[i - 1] if i else 0.0)) / m
    h = np.zeros(n)
    for i in reversed(range(n)):
        h[i] = dp[i] - (cp[i] * h[i + 1] if i + 1 < n else 0.0)
    return h


def _solve_with_limits(a, b, c, d, hmin, hmax) -> np.ndarray:
    """Blender's tridiagonal_solve_with_limits: solve, lock handles that overshoot their clamp range at the range,
    re-solve, and release (at most twice each) locked handles that want to move back inside."""
    a0, b0, c0, d0 = a.copy(), b.copy(), c.copy(), d.copy()
    n = len(b)
    locked_flag, unlocks = np.zeros(n, bool), np.zeros(n, int)

    def lock(i: int, value: float) -> None:
        a[i] = c[i] = 0.0
        b[i], d[i] = 1.0, value

    while True:
        h = _tridiagonal(a, b, c, d)
        every, locked, overshoot, unlocked = False, False, False, False
        while True:
            for i in range(n):
                if hmin[i] <= h[i] <= hmax[i]:
                    continue
                overshoot = True
                target = hmax[i] if h[i] > hmax[i] else hmin[i]
                if target != 0.0 or every:
                    locked_flag[i] = True
                    lock(i, target)
                    locked = True
            every = True
            if not (overshoot and not locked):
                break
        if not locked:
            for i in range(n):
                if not locked_flag[i] or unlocks[i] >= 2:
                    continue
                state = a0[i] * h[(i - 1) % n] + b0[i] * h[i] + c0[i] * h[(i + 1) % n] - d0[i]
                relax = -state * b0[i]
                if (relax > 0 and h[i] < hmax[i]) or (relax < 0 and h[i] > hmin[i]):
                    a[i], b[i], c[i], d[i] = a0[i], b0[i], c0[i], d0[i]
                    locked_flag[i] = False
                    unlocks[i] += 1
                    unlocked = True
        if not (overshoot or unlocked):
            return h


def _clamp(hmin: np.ndarray, hmax: np.ndarray, i: int, dy: float) -> None:
    """Auto clamped: a handle neither reverses its key's direction nor overshoots the neighbour."""
    if dy > 0:
        hmax[i], hmin[i] = min(hmax[i], dy), 0.0
    elif dy < 0:
        hmax[i], hmin[i] = 0.0, max(hmin[i], dy)
    else:
        hmax[i] = hmin[i] = 0.0


def _smooth_run(x: np.ndarray, y: np.ndarray, left: np.ndarray, right: np.ndarray, lo: int, hi: int) -> None:
    """Continuous acceleration across the free keys strictly between locked keys lo and hi (flat handles)."""
    count = hi - lo + 1
    if count < 3:
        return
    dx, dy = np.full(count, np.nan), np.full(count, np.nan)
    dx[1:], dy[1:] = np.diff(x[lo:hi + 1]), np.diff(y[lo:hi + 1])
    ratio = np.ones(count)
    ratio[1:-1] = dx[2:] / dx[1:-1]
    hmin, hmax = np.full(count, -np.inf), np.full(count, np.inf)
    for i in range(1, count):
        _clamp(hmin, hmax, i - 1, dy[i])
        _clamp(hmin, hmax, i, dy[i] * ratio[i])
    a, b, c, d = np.zeros(count), np.ones(count), np.zeros(count), np.zeros(count)  # ends: locked flat (0)
    for i in range(1, count - 1):
        a[i], b[i], c[i] = ratio[i] ** 2, 2.0 * (ratio[i] + 1.0), 1.0 / ratio[i + 1]
        d[i] = dy[i] * ratio[i] ** 2 + dy[i + 1]
    h = _solve_with_limits(a, b, c, d, hmin, hmax)
    for i in range(1, count - 1):
        left[lo + i, 1], right[lo + i, 1] = y[lo + i] - h[i] / ratio[i], y[lo + i] + h[i]


def auto_clamped_handles(x: np.ndarray, y: np.ndarray, smoothing: str = AUTO_SMOOTHING
                         ) -> tuple[np.ndarray, np.ndarray]:
    """Left and right handles ((K, 2) each, columns frame and value) of auto-clamped keys (x increasing), with
    Blender's "Auto Handle Smoothing" `smoothing` ('CONT_ACCEL' or 'NONE')."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    K = len(x)
    left, right = np.stack([x, y], -1), np.stack([x, y], -1)
    if K < 2:
        return left, right
    smooth = smoothing != "NONE"
    fixed = np.zeros(K, bool)  # Blender's HD_AUTOTYPE_LOCKED_FINAL: extremes and the two ends
    for i in range(K):
        p2 = np.array([x[i], y[i]])
        if i == 0:  # a missing neighbour is the other one mirrored
            p3 = np.array([x[1], y[1]])
            p1 = 2 * p2 - p3
        else:
            p1 = np.array([x[i - 1], y[i - 1]])
            p3 = np.array([x[i + 1], y[i + 1]]) if i + 1 < K else 2 * p2 - p1
        da, db = p2 - p1, p3 - p2
        len_a, len_b = da[0] or 1.0, db[0] or 1.0
        tvec = db / len_b + da / len_a
        length = 6.0 if smooth else tvec[0] * HANDLE_LENGTH_DIVISOR  # smoothing: handles 1/3 of the interval
        if not smooth:
            len_a, len_b = min(len_a, HANDLE_RATIO_CAP * len_b), min(len_b, HANDLE_RATIO_CAP * len_a)
        h1 = p2 - tvec * (len_a / length)
        h2 = p2 + tvec * (len_b / length)
        if 0 < i < K - 1:
            d1, d2 = y[i - 1] - y[i], y[i + 1] - y[i]
            if (d1 <= 0 and d2 <= 0) or (d1 >= 0 and d2 >= 0):  # an extreme: flat
                h1[1] = h2[1] = y[i]
                fixed[i] = True
            else:
                lv = (d1 <= 0 and y[i - 1] > h1[1]) or (d1 > 0 and y[i - 1] < h1[1])
                if lv:
                    h1[1] = y[i - 1]
                rv = (d1 <= 0 and y[i + 1] < h2[1]) or (d1 > 0 and y[i + 1] > h2[1])
                if rv:
                    h2[1] = y[i + 1]
                if lv:  # keep the handles aligned through the key
                    h2[1] = y[i] + (y[i] - h1[1]) / (h1[0] - x[i]) * (x[i] - h2[0])
                elif rv:
                    h1[1] = y[i] + (y[i] - h2[1]) / (x[i] - h2[0]) * (h1[0] - x[i])
        else:  # first or last key, constant extrapolation
            h1[1] = h2[1] = y[i]
            fixed[i] = True
        left[i], right[i] = h1, h2
    if smooth:
        anchors = np.flatnonzero(fixed)
        for lo, hi in zip(anchors[:-1], anchors[1:]):
            _smooth_run(x, y, left, right, int(lo), int(hi))
    return left, right


def _solve_t(x0: np.ndarray, x1: np.ndarray, x2: np.ndarray, x3: np.ndarray, f: np.ndarray) -> np.ndarray:
    """Bezier parameter s in [0, 1] where the segment's x(s) = f (x monotone once handles are corrected)."""
    lo, hi = np.zeros_like(f), np.ones_like(f)
    for _ in range(60):
        s = 0.5 * (lo + hi)
        xs = ((1 - s) ** 3) * x0 + 3 * ((1 - s) ** 2) * s * x1 + 3 * (1 - s) * s * s * x2 + s ** 3 * x3
        below = xs < f
        lo, hi = np.where(below, s, lo), np.where(below, hi, s)
    return 0.5 * (lo + hi)


def evaluate_bezier(x: np.ndarray, y: np.ndarray, frames: np.ndarray, smoothing: str = AUTO_SMOOTHING
                    ) -> np.ndarray:
    """Values of the auto-clamped Bezier F-curve through keys (x, y) at `frames` (constant beyond the ends)."""
    x, y, t = np.asarray(x, np.float64), np.asarray(y, np.float64), np.asarray(frames, np.float64)
    if len(x) == 1:
        return np.full(t.shape, y[0])
    left, right = auto_clamped_handles(x, y, smoothing)
    seg = np.clip(np.searchsorted(x, t, side="right") - 1, 0, len(x) - 2)
    p0 = np.stack([x[seg], y[seg]], -1)
    p3 = np.stack([x[seg + 1], y[seg + 1]], -1)
    p1, p2 = right[seg].copy(), left[seg + 1].copy()
    # BKE_fcurve_correct_bezpart: handles that overlap in time are shortened to fit the interval.
    h1, h2 = p0 - p1, p3 - p2
    span, l1, l2 = p3[:, 0] - p0[:, 0], np.abs(h1[:, 0]), np.abs(h2[:, 0])
    over = (l1 + l2) > span
    fac = np.where(over, span / np.where(l1 + l2 > 0, l1 + l2, 1.0), 1.0)[:, None]
    p1, p2 = np.where(over[:, None], p0 - fac * h1, p1), np.where(over[:, None], p3 - fac * h2, p2)
    s = _solve_t(p0[:, 0], p1[:, 0], p2[:, 0], p3[:, 0], np.clip(t, p0[:, 0], p3[:, 0]))
    v = ((1 - s) ** 3) * p0[:, 1] + 3 * ((1 - s) ** 2) * s * p1[:, 1] + 3 * (1 - s) * s * s * p2[:, 1] \
        + s ** 3 * p3[:, 1]
    return np.where(t <= x[0], y[0], np.where(t >= x[-1], y[-1], v))


def bezier_channels(key_frames: np.ndarray, values: np.ndarray, frames: np.ndarray) -> np.ndarray:
    """Each column of values (K, C) as its own auto-clamped F-curve over key_frames, evaluated at frames: (T, C)."""
    return np.stack([evaluate_bezier(key_frames, values[:, c], frames) for c in range(values.shape[1])], -1)


def blender_fill(traj: Trajectory, keys: np.ndarray, rotation_mode: str = "XYZ") -> Trajectory:
    """The trajectory Blender plays back when the poses of `traj` at frame indices `keys` are keyed by hand on an
    unparented camera in `rotation_mode` (an Euler order, or 'QUATERNION': four channels, normalised when used)."""
    keys = np.unique(np.asarray(keys, np.int64))
    frames = np.arange(traj.frame_count, dtype=np.float64)
    pos = bezier_channels(keys, traj.position[keys], frames)
    lens = bezier_channels(keys, traj.focal_length[keys][:, None], frames)[:, 0]
    R = geo.quat_to_matrix(traj.rotation[keys])
    if rotation_mode == "QUATERNION":
        q = bezier_channels(keys, geo.quat_continuity(traj.rotation[keys]), frames)
        quat = q / np.linalg.norm(q, axis=-1, keepdims=True)
    else:
        e = bezier_channels(keys, geo.euler_continuity(geo.matrix_to_euler(R, rotation_mode), rotation_mode),
                            frames)
        quat = geo.matrix_to_quat(geo.euler_to_matrix(e, rotation_mode))
    return Trajectory(pos, geo.quat_continuity(quat), lens, traj.sensor_width, traj.aspect, traj.fps,
                      traj.frame_start)
