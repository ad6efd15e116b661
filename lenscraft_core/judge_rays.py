"""The subject of a shot given without one, estimated from the camera's view rays (NumPy only; the judge's and the
segmenter's one estimate).

estimate_look_point: the point the rays meet (least squares). A camera that orbits a person framed with looking
room aims beside the body's axis, not at it: its rays are tangent to a small vertical cylinder about the axis the
orbit turns around, so they meet in no point and their least-squares point drifts off the axis (a dolly or a pan
beside every such orbit). estimate_subject fits that cylinder too (linear in its axis and radius, seen from above)
and takes its axis when the offset is clearly there; rays that meet in a point (a framed box, a point aimed at) give
a zero radius and keep the point.
"""

from __future__ import annotations

import numpy as np

from . import geometry as geo
from .judge_ends import FLOAT_REL

# Estimating the subject from the view rays (no subject given): the rays must span directions (the smallest
# eigenvalue of their normal matrix over the largest; rays all parallel give 0), the point must lie in front of
# every camera and inside the vertical field of view, and seen from the point the cameras must spread over
# PARALLAX_MIN_DEG (below it depth from triangulation is ill-determined: the error grows as 1 / parallax).
RAY_SPREAD_MIN = np.sin(np.radians(5.0)) ** 2
PARALLAX_MIN_DEG = 10.0


def estimate_look_point(pos: np.ndarray, fwd: np.ndarray, half_fov_v: np.ndarray) -> tuple[np.ndarray | None, str]:
    """The point the view rays meet (least squares over the rays), or (None, why) when the rays do not agree."""
    d = geo.normalize(fwd)
    X, why = _ray_point(pos, d)
    return (X, why) if X is None else _checked(X, pos, d, half_fov_v)


def _ray_point(pos: np.ndarray, d: np.ndarray) -> tuple[np.ndarray | None, str]:
    """The least-squares point of rays (pos, unit d), or None when they are nearly parallel."""
    M = np.eye(3)[None] - d[:, :, None] * d[:, None, :]
    A, b = M.mean(0), np.einsum("fij,fj->i", M, pos) / len(pos)
    eig = np.linalg.eigvalsh(A)
    if eig[0] < RAY_SPREAD_MIN * eig[-1]:
        return None, "view rays nearly parallel: no common point"
    return np.linalg.solve(A, b), ""


def _checked(X: np.ndarray, pos: np.ndarray, d: np.ndarray, half_fov_v: np.ndarray) -> tuple[np.ndarray | None, str]:
    """X as the subject if it lies in front of every camera, inside the vertical field of view, with parallax."""
    to = X - pos
    depth = np.sum(to * d, -1)
    floor = FLOAT_REL * (np.abs(pos).max() + np.abs(X).max() + 1e-300)
    if np.any(depth <= floor):
        return None, "view rays meet behind or at a camera"
    off = np.arccos(np.clip(depth / np.linalg.norm(to, axis=-1), -1.0, 1.0))
    if np.any(off > half_fov_v):
        return None, "the rays' common point leaves the frame"
    u = geo.normalize(pos - X)
    parallax = np.degrees(np.arccos(np.clip(u @ u[0], -1.0, 1.0))).max()
    if parallax < PARALLAX_MIN_DEG:
        return None, f"rays meet with {parallax:.1f} degrees of parallax: depth ill-determined"
    return X, f"subject estimated from the view rays ({parallax:.0f} degrees of parallax)"


# The cylinder's axis replaces the rays' point when its radius stands ORBIT_AXIS_SNR standard errors from zero and
# the axis is known to ORBIT_AXIS_MAX_ERROR of the distance (a short arc's rays barely constrain it). Measured on
# benchmarks/describe_robustness.py: 3 sigma reads jittered orbits of people best (5 sigma left a third of those
# at 1-2 % jitter on the biased point); a stricter axis error rejected good fits of short arcs.
ORBIT_AXIS_SNR = 3.0
ORBIT_AXIS_MAX_ERROR = 0.05
ORBIT_AXIS_MIN_RADIUS = 1e-3  # of the distance: a thinner cylinder is the point (exact poses leave no noise to test)


def orbit_axis(pos: np.ndarray, fwd: np.ndarray) -> tuple[np.ndarray | None, float]:
    """(the axis (x, y) the view rays are tangent about, the tangent radius) seen from above, or (None, 0.0) when
    the rays meet in a point as well (see ORBIT_AXIS_*). Each ray's line in the ground plane is at signed distance
    rho from the axis c: n . c - rho = n . p (n the line's normal), weighted by how horizontal the view is."""
    flat = fwd[:, :2]
    w = np.linalg.norm(flat, axis=-1)
    if len(pos) < 6 or w.max() < 1e-6:
        return None, 0.0
    n = np.stack([-flat[:, 1], flat[:, 0]], -1) / np.maximum(w, 1e-12)[:, None]
    A = np.concatenate([n, -np.ones((len(n), 1))], -1) * w[:, None]
    b = np.sum(n * pos[:, :2], -1) * w
    sol, *_ = np.linalg.lstsq(A, b, rcond=None)
    residual = b - A @ sol
    cov = float(residual @ residual) / (len(b) - 3) * np.linalg.pinv(A.T @ A)
    rho, c = float(sol[2]), sol[:2]
    distance = float(np.median(np.linalg.norm(pos[:, :2] - c, axis=-1)))
    if (abs(rho) < max(ORBIT_AXIS_SNR * np.sqrt(max(cov[2, 2], 0.0)), ORBIT_AXIS_MIN_RADIUS * distance)
            or np.sqrt(max(np.linalg.eigvalsh(cov[:2, :2])[-1], 0.0)) > ORBIT_AXIS_MAX_ERROR * distance):
        return None, 0.0
    return c, rho


def estimate_subject(pos: np.ndarray, fwd: np.ndarray, half_fov_v: np.ndarray) -> tuple[np.ndarray | None, str]:
    """The subject point a subject-less shot frames: the rays' point (estimate_look_point), moved onto the axis
    an orbit turns about when the camera aims beside it (orbit_axis), at the point's height; then checked as
    estimate_look_point checks its point (the axis, not the biased point, must be in frame)."""
    pos, d = np.asarray(pos, np.float64), geo.normalize(fwd)
    X, why = _ray_point(pos, d)
    if X is None:
        return X, why
    c, rho = orbit_axis(pos, d)
    if c is None:
        return _checked(X, pos, d, half_fov_v)
    X, why = _checked(np.array([c[0], c[1], X[2]]), pos, d, half_fov_v)
    if X is None:
        return X, why
    return X, f"{why}; the cameras aim {abs(rho):.3g} beside the axis they orbit: read about that axis"
