"""In-betweening of hand keys: Blender's own interpolation of the keys vs the model's fill vs Engine.complete().

Ground truth: simulator moves (simulate_shot, jitter=False) around a subject: quarter and half arcs at radius 2-8 m,
dollies in and out with easing, pans with and without a slight tilt; each keyed at 2-4 of its frames (the poses a
user would key by hand). Every method fills the other frames from the keys alone; the table gives, per move class
and key count, the mean over its cases of: the largest and the mean position error to the truth (m), the largest
radius deviation from the truth's radius (arcs, %), the largest view-direction error (deg), and the speed humps
(local maxima of the camera's speed, angular speed where it does not travel; the truth's count in brackets).

    .venv/bin/python benchmarks/bench_complete.py             # with the bundled model's fill as well
    .venv/bin/python benchmarks/bench_complete.py --no-model  # Blender and complete() only (no model needed)
    .venv/bin/python benchmarks/bench_complete.py --by-easing # the same, one row group per easing

"blender" is inbetween_reference.blender_fill (checked against real Blender in tests/test_complete_blender.py),
"model" the model's own fill (complete.model_fill), "complete" Engine.complete from the keys alone,
"complete+easing" Engine.complete told the move's easing (the truth was simulated with that very easing, so this
row shows the fill is consistent with it, not how well a user's words match their keys), "complete+sine" told
easeInOutSine whatever the truth's easing (a wrong word where the truth is linear, cubic or quad).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from lenscraft_core import geometry as geo  # noqa: E402
from lenscraft_core.inbetween_reference import blender_fill  # noqa: E402
from lenscraft_core.inference import complete as cmp  # noqa: E402
from lenscraft_core.schema import Subject, Trajectory  # noqa: E402
from lenscraft_core.simulate import simulate_shot  # noqa: E402

FRAMES = 72
SUBJECT = Subject(np.array([0.5, -1.0, 0.9]), np.array([0.6, 0.45, 1.8]), np.array([1.0, 0.0, 0.0, 0.0]))
BASE_RADIUS_M = 3.34 / 30.0  # radius of a medium shot of SUBJECT per mm of lens (the simulator's framing)
KEYINGS = {2: (0.0, 1.0), 3: (0.0, 0.5, 1.0), "3u": (0.0, 0.35, 1.0), 4: (0.0, 1 / 3, 2 / 3, 1.0)}
HUMP_PROMINENCE = 0.02  # a speed maximum counts when it stands this share of the peak speed above its valleys


def cases() -> list[tuple[str, dict, float]]:
    """(class, labels, radius m) of every benchmark move."""
    out = []
    for r in (2.0, 5.0, 8.0):
        for m in ("shortArcShotLeft", "shortArcShotRight"):
            for e in ("easeInOutSine", "linear"):
                out.append(("quarter arc", {"movement": m, "easing": e}, r))
    for m in ("halfArcShotLeft", "halfArcShotRight"):
        for e in ("easeInOutSine", "easeInOutCubic"):
            out.append(("half arc", {"movement": m, "easing": e}, 5.0))
    for m in ("dollyIn", "dollyOut"):
        for e in ("easeInOutSine", "easeInOutCubic", "easeOutQuad"):
            out.append(("dolly", {"movement": m, "easing": e}, 5.0))
    for m in ("panLeft", "panRight", "panAndTilt"):
        for e in ("easeInOutSine", "easeInOutQuad"):
            out.append(("pan", {"movement": m, "easing": e}, 5.0))
    return out


def truth(labels: dict, radius: float, seed: int = 0):
    return simulate_shot(SUBJECT, {**labels, "shot_type": "mediumShot"}, frames=FRAMES, seed=seed,
                         focal_length=radius / BASE_RADIUS_M, jitter=False)


def key_frames(keying) -> np.ndarray:
    return np.unique(np.round(np.asarray(KEYINGS[keying]) * (FRAMES - 1)).astype(int))


def humps(speed: np.ndarray) -> int:
    """Local maxima of a speed curve standing HUMP_PROMINENCE of its peak above the valleys either side."""
    tol = HUMP_PROMINENCE * max(float(speed.max()), 1e-12)
    count, low, peak, rising = 0, float(speed[0]), None, True
    for v in speed[1:]:
        v = float(v)
        if rising:
            if peak is None or v > peak:
                peak = v
            if peak - v > tol and peak - low > tol:
                count, rising, low = count + 1, False, v
        else:
            low = min(low, v)
            if v - low > tol:
                rising, peak = True, v
    if rising and peak is not None and peak - low > tol:
        count += 1
    return count


def speed_of(t: Trajectory) -> np.ndarray:
    lin = np.linalg.norm(np.diff(t.position, axis=0), axis=-1)
    if lin.max() > 1e-4:
        return lin
    return geo.rotation_angle_between(geo.quat_to_matrix(t.rotation[1:]), geo.quat_to_matrix(t.rotation[:-1]))


def measure(fill: Trajectory, true: Trajectory, centre: np.ndarray, keys: np.ndarray, arc: bool) -> dict:
    mid = np.setdiff1d(np.arange(true.frame_count), keys)
    err = np.linalg.norm(fill.position[mid] - true.position[mid], axis=-1)
    f_fill, f_true = geo.camera_forward(fill.matrices[mid]), geo.camera_forward(true.matrices[mid])
    view = np.degrees(np.arccos(np.clip(np.sum(f_fill * f_true, -1), -1.0, 1.0)))
    out = {"max": err.max(), "mean": err.mean(), "view": view.max(), "humps": humps(speed_of(fill))}
    if arc:
        r_true = np.linalg.norm(true.position - centre, axis=-1).mean()
        out["radius"] = 100 * np.abs(np.linalg.norm(fill.position - centre, axis=-1) - r_true).max() / r_true
    return out


def run(engine, with_model: bool) -> list[dict]:
    rows = []
    for cls, labels, radius in cases():
        shot = truth(labels, radius)
        centre = shot.subject.positions(FRAMES)
        arc = "arc" in cls
        for keying in KEYINGS:
            if cls == "half arc" and keying == 2:
                continue  # two keys half way round: which way round is not in the keys
            keys = key_frames(keying)
            fills = {"blender": blender_fill(shot.trajectory, keys)}
            if with_model:
                fills["model"] = cmp.model_fill(engine, shot, keys).trajectory
            done = cmp.complete(engine, shot, keys)
            fills["complete"] = done.trajectory
            fills["complete+easing"] = cmp.complete(engine, shot, keys, {"easing": labels["easing"]}).trajectory
            fills["complete+sine"] = cmp.complete(engine, shot, keys, {"easing": "easeInOutSine"}).trajectory
            row = {"class": cls, "easing": labels["easing"], "keys": keying,
                   "kept": bool(done.metadata.get("complete_kept_keys")),
                   "truth_humps": humps(speed_of(shot.trajectory))}
            for name, fill in fills.items():
                row[name] = measure(fill, shot.trajectory, centre, keys, arc)
            rows.append(row)
    return rows


def table(rows: list[dict], methods: list[str], by_easing: bool = False) -> str:
    lines = ["| moves | keys | n | method | pos. error max / mean (m) | radius dev. max (%) "
             "| view error max (deg) | speed humps (truth) |", "|---|---|---|---|---|---|---|---|"]
    groups: dict = {}
    for r in rows:
        cls = f"{r['class']}, {r['easing']}" if by_easing else r["class"]
        groups.setdefault((cls, str(r["keys"])), []).append(r)
    for (cls, keys), rs in groups.items():
        kept = sum(r["kept"] for r in rs)
        for m in methods:
            ms = [r[m] for r in rs]
            radius = f"{np.mean([x['radius'] for x in ms]):.2f}" if "radius" in ms[0] else "-"
            label = m if m != "complete" or not kept else f"complete (kept keys {kept}/{len(rs)})"
            lines.append(f"| {cls} | {keys} | {len(rs)} | {label} | {np.mean([x['max'] for x in ms]):.3f} / "
                         f"{np.mean([x['mean'] for x in ms]):.3f} | {radius} | "
                         f"{np.mean([x['view'] for x in ms]):.2f} | {np.mean([x['humps'] for x in ms]):.2f} "
                         f"({np.mean([r['truth_humps'] for r in rs]):.2f}) |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-model", action="store_true", help="skip the model's own fill (no model needed)")
    ap.add_argument("--model", default=None, help="model folder (default: the bundled model)")
    ap.add_argument("--by-easing", action="store_true", help="one row group per move class and easing")
    args = ap.parse_args()
    from lenscraft_core.inference.engine import Engine

    engine = Engine.load(args.model) if args.model else Engine.load()
    methods = ["blender"] + ([] if args.no_model else ["model"]) + ["complete", "complete+easing", "complete+sine"]
    print(table(run(engine, not args.no_model), methods, args.by_easing))


if __name__ == "__main__":
    main()
