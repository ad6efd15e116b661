"""The motion-tag rule that E.T. and DataDoP label their camera tracks with, applied to tracks as LensCraft imports
them: to check the readers against the datasets' own labels, and to show which of a tag's cuts are thresholds on
the file's units rather than changes in the motion.

    .venv/bin/python benchmarks/dataset_tag_rule.py [--root DIR]

The rule, as the datasets' segmentation code describes it (written here from that description; none of it is
copied), per frame step:

* translation: the camera's velocity in its own frame (OpenCV axes: x right, y down, z forward), in file units per
  second at `fps`; an axis moves when |v| > STATIC (0.02 units/s). When two moving axes differ by more than DIFF
  (|a| - |b| over the larger, 0.4), the weaker one is dropped;
* rotation (DataDoP only; E.T. tags translation alone): the step's rotation vector in the same axes; when its
  largest component is over ANGULAR (0.005 rad per step), that one axis is the tag (x pitch, y yaw, z roll);
* the steps' labels are mode-filtered over a window of 15 steps, then runs shorter than 10 steps are merged into
  their neighbours; while more than four runs are left, both grow by 5.

Every threshold is absolute, in the file's arbitrary units: the same poses scaled by 2 tag differently (DataDoP
case1's final "static" starts at step 97 instead of 73). LensCraft's describe is scale-free by design, so where the
tags cut at a threshold crossing of an eased move it reads one move slowing down (docs/EVALUATION.md, "The six
real tracks"). The parameters are DataDoP's published defaults; E.T.'s own are not in the sample, so its tags are
checked with the same ones, translation only.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from lenscraft_core import geometry as geo  # noqa: E402
from lenscraft_core.schema import Trajectory  # noqa: E402

STATIC = 0.02  # file units per second, per camera axis
DIFF = 0.4  # relative lead that drops the weaker of two moving axes
ANGULAR = 0.005  # radians per step, the largest rotation-vector component
WINDOW, MIN_RUN, MAX_RUNS, GROW = 15, 10, 4, 5
# OpenCV camera axes to LensCraft's (kind, sign): +x right = truck right, +y down = pedestal down, +z = forward.
TRANSLATION = (("truck", 1), ("pedestal", -1), ("dolly", 1))
# +x turns the view up (tilt up), +y turns it right (pan right), +z turns the right vector down (roll right).
ROTATION = (("tilt", 1), ("pan", -1), ("roll", -1))


def _rotvec(R: np.ndarray) -> np.ndarray:
    """Rotation vectors (F, 3) of rotation matrices (F, 3, 3)."""
    q = geo.matrix_to_quat(R)  # (w, x, y, z)
    q = q * np.where(q[:, :1] < 0, -1.0, 1.0)
    s = np.linalg.norm(q[:, 1:], axis=1, keepdims=True)
    angle = 2.0 * np.arctan2(s, q[:, :1])
    return np.where(s > 1e-12, q[:, 1:] / np.maximum(s, 1e-12) * angle, 2.0 * q[:, 1:])


def step_codes(traj: Trajectory, fps: float | None = None, rotation: bool = True) -> list[int]:
    """Each frame step's tag as the datasets' number: 7 x (9 dx + 3 dy + dz) + r, with each d 0 still, 1 positive, 2
    negative over the OpenCV camera axes, and r 0 still, 1 / 2 +-x, 3 / 4 +-y, 5 / 6 +-z (the numbering matters:
    the mode filter breaks ties towards the smallest)."""
    fps = traj.fps if fps is None else fps
    R = geo.quat_to_matrix(traj.rotation) @ np.diag([1.0, -1.0, -1.0])  # Blender camera axes to OpenCV
    v = fps * np.einsum("fji,fj->fi", R[:-1], np.diff(traj.position, axis=0))
    a = _rotvec(np.einsum("fji,fjk->fik", R[:-1], R[1:]))
    digit = {0: 0, 1: 1, -1: 2}
    out = []
    for vi, ai in zip(v, a):
        size = np.abs(vi)
        moving = size > STATIC
        drop = set()
        for i, j in ((0, 1), (0, 2), (1, 2)):
            if moving[i] and moving[j]:
                lead = (size[i] - size[j]) / max(size[i], size[j])
                drop |= {j} if lead > DIFF else {i} if lead < -DIFF else set()
        d = [digit[int(np.sign(vi[k]))] if moving[k] and k not in drop else 0 for k in range(3)]
        r = 0
        if rotation and np.abs(ai).max() > ANGULAR:
            k = int(np.argmax(np.abs(ai)))
            r = 1 + 2 * k + (0 if ai[k] > 0 else 1)
        out.append(7 * (9 * d[0] + 3 * d[1] + d[2]) + r)
    return out


def code_moves(code: int) -> frozenset:
    """A step code as {(kind, sign)} in LensCraft's names."""
    sign = {0: 0, 1: 1, 2: -1}
    t, r = divmod(code, 7)
    d = (t // 9, t // 3 % 3, t % 3)
    moves = {(TRANSLATION[k][0], TRANSLATION[k][1] * sign[d[k]]) for k in range(3) if d[k]}
    if r:
        k, negative = divmod(r - 1, 2)
        moves.add((ROTATION[k][0], ROTATION[k][1] * (-1 if negative else 1)))
    return frozenset(moves)


def _runs(codes: list[int]) -> list[list[int]]:
    """[code, first, last] runs of equal codes."""
    out, start = [], 0
    for i in range(1, len(codes) + 1):
        if i == len(codes) or codes[i] != codes[start]:
            out.append([codes[start], start, i - 1])
            start = i
    return out


def _mode_filter(codes: list[int], window: int) -> list[int]:
    """Each code replaced by the commonest in the centred window (ties: the smallest code); unchanged when the
    series is shorter than the window."""
    if len(codes) < window:
        return list(codes)
    half = window // 2
    out = []
    for i in range(len(codes)):
        values, counts = np.unique(codes[max(0, i - half): i + half + 1], return_counts=True)
        out.append(int(values[np.argmax(counts)]))
    return out


def _merge_short(codes: list[int], min_run: int) -> list[int]:
    """The shortest run under min_run steps goes to its neighbours (half each; all of it at either end), repeated."""
    runs = _runs(codes)
    while len(runs) > 1:
        k = int(np.argmin([b - a + 1 for _, a, b in runs]))
        n = runs[k][2] - runs[k][1] + 1
        if n >= min_run:
            break
        if k == 0:
            runs[1][1] -= n
        elif k == len(runs) - 1:
            runs[-2][2] += n
        else:
            runs[k - 1][2] += (n + 1) // 2
            runs[k + 1][1] -= n // 2
        runs.pop(k)
    return [c for c, a, b in runs for _ in range(b - a + 1)]


def tag_segments(traj: Trajectory, fps: float | None = None, rotation: bool = True, scale: float = 1.0
                 ) -> list[tuple[int, int, frozenset]]:
    """(first step, last step, {(kind, sign)}) runs of the rule's tags; `scale` multiplies the positions first
    (the tags' dependence on the file's units)."""
    if scale != 1.0:
        traj = Trajectory(traj.position * scale, traj.rotation, traj.focal_length, traj.sensor_width, traj.aspect,
                          traj.fps)
    codes = step_codes(traj, fps, rotation)
    window, min_run = WINDOW, MIN_RUN
    while True:
        merged = _merge_short(_mode_filter(codes, window), min_run)
        if len(_runs(merged)) <= MAX_RUNS:
            break
        window, min_run = window + GROW, min_run + GROW
    return [(a, b, code_moves(c)) for c, a, b in _runs(merged)]


def text(segments: list[tuple[int, int, frozenset]]) -> str:
    """'0-29: pan left, truck right; 30-72: ...' in describe_real_tracks' names."""
    from describe_real_tracks import NAMES

    return "; ".join(f"{a}-{b}: " + (", ".join(NAMES[t] for t in sorted(m)) or "static") for a, b, m in segments)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", type=Path, help="the real-tracks folder (default: ../shared/external/real-tracks)")
    args = ap.parse_args()
    sys.path.insert(0, str(REPO / "benchmarks"))
    from describe_real_tracks import find_root, tracks

    from lenscraft_core.formats import load_any

    root = args.root or find_root()
    if root is None:
        print("no real-tracks folder found (../shared/external/real-tracks): nothing to do")
        return 1
    print("| track | tags (dataset) | the rule on LensCraft's import (steps) | the same, positions x2 | x0.5 |\n"
          "|---|---|---|---|---|")
    for name, path, tags in tracks(root):
        traj = load_any(path).shots[0].trajectory
        rotation = name.startswith("DataDoP")  # E.T. tags translation only
        rows = [text(tag_segments(traj, rotation=rotation, scale=k)) for k in (1.0, 2.0, 0.5)]
        print(f"| {name} | {text(tags)} | " + " | ".join(rows) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
