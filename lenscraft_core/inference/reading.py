"""Words from a camera's geometry: describe's geometric reading (the judge's verdict, its steady speeds, whether the
shot is handheld), the caption made from it, the pace words and Kandinsky's 0-3 motion level, and the motion
magnitude. The Engine's describe uses these with and without the model; segments.py per segment."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from .. import geometry as geo
from ..judge import Verdict, fit_window, judge_shot, smooth, steady_speeds
from ..schema import Shot, Subject, Trajectory
from ..vocabulary import ANGLE, MOVEMENT, SHOT_TYPE, VIEW, caption

# The readers' metadata["subject_placement"] for a subject they only estimated (formats/c2w.default_subject: the
# point the cameras look at most, or a point ahead of the first camera): the model was trained with real subjects,
# so on these describe reads the geometry (the judge, without a subject) instead.
ESTIMATED_SUBJECT = ("look_point", "ahead_of_first_camera")
# "handheld" in the caption from this shake (degrees RMS of view-direction jitter left after the judge's 0.4 s smooth
# fit): about a pixel on a 1920-pixel frame 40 degrees wide, visible texture; the CC0 handheld profiles
# (../shared/external/camera-shake) at full strength measure 0.004-3 (Investigation, the default of shake.py's
# "handheld" layer, 0.030-0.075 over 4 s shots: benchmarks/shake_readback.py), simulator and tripod shots 0.
# STRONG_SHAKE_DEG: a run or a vehicle (HandyCam Run 0.6), which Kandinsky's raters score 3 by itself.
HANDHELD_SHAKE_DEG = 0.03
STRONG_SHAKE_DEG = 0.5
# Handheld shake is on most frames: the median frame's jitter is at least HANDHELD_MEDIAN_SHARE of the threshold
# (the CC0 profiles: median / RMS 0.45-0.89). A bounce or elastic ease, or a sharp start (circ, expo), leaves its
# residual on a few frames only. Above half a turn per second (SHAKE_UNRESOLVED_DEG_S) the 0.4 s fit spans over 70
# degrees of turn and its residual is the move's own curvature (a fast eased orbit). Neither claims "handheld" in
# the caption; shake is still reported.
HANDHELD_MEDIAN_SHARE = 0.5
# A shot shorter than this holds too few 0.4 s fit windows to tell shake from the move's own curvature: the model's
# own 1 s push-ins measured 0.065 degrees (0.003 at 4 s); the caption never says "handheld" for them.
HANDHELD_MIN_SECONDS = 2.0
SHAKE_UNRESOLVED_DEG_S = 180.0
# Speed words and motion magnitude, from the judge's steady peak speeds (judge.steady_speeds). Rotation (pan, tilt,
# roll, arc) in deg/s: under 30 the picture moves less than a 40-degree frame in a second at the fastest (a
# 90-degree pan eased over 10 s peaks at 14-27); from 75 it crosses two frames a second and streaks at 24 fps (a
# 90-degree pan in 1 s: 90 even unease, a whip pan). Translation in camera-subject distances per second (only with
# a subject or rays that meet: without a scale a translation has no speed): under 0.2 the subject's bearing or size
# changes by under a fifth a second, from 1.0 by all of it. Zoom in log focal per second: under 0.15 a 2x zoom
# takes over ~5 s, from 1.0 under a second (a crash zoom).
ROTATION_SLOW_DEG_S, ROTATION_FAST_DEG_S = 30.0, 75.0
TRANSLATION_SLOW_PER_S, TRANSLATION_FAST_PER_S = 0.2, 1.0
ZOOM_SLOW_PER_S, ZOOM_FAST_PER_S = 0.15, 1.0
PACE_LEVEL = {"slow": 1, "moderate": 2, "fast": 3}  # Kandinsky's 0-3 camera-motion scale: 0 = static
_VERBS = {("pan", 1): "pans left", ("pan", -1): "pans right", ("tilt", 1): "tilts up", ("tilt", -1): "tilts down",
          ("roll", 1): "rolls left", ("roll", -1): "rolls right", ("truck", 1): "trucks right",
          ("truck", -1): "trucks left", ("pedestal", 1): "rises", ("pedestal", -1): "lowers",
          ("dolly", 1): "pushes in", ("dolly", -1): "pulls out", ("zoom", 1): "zooms in", ("zoom", -1): "zooms out",
          ("arc", -1): "arcs left", ("arc", 1): "arcs right", ("follow", 0): "follows the subject",
          ("track", 0): "tracks alongside the subject"}


def estimated_subject(shot: Shot) -> bool:
    """True when the shot has no subject or only a reader's estimate of one (metadata["subject_placement"] in
    ESTIMATED_SUBJECT): describe then reads the geometry without it."""
    return shot.subject is None or shot.metadata.get("subject_placement") in ESTIMATED_SUBJECT


def _kind_sign(label: str) -> tuple[str, int]:
    p = MOVEMENT[label].params
    return p["kind"], int(p.get("sign", 0))


def pace(kind: str, v: Verdict, speeds: Mapping[str, float]) -> str | None:
    """"slow" / "moderate" / "fast" for a move of this kind from its steady peak speed; None where speed has no
    scale (translation without a subject or meeting rays; follow / track, measured against the moving subject)."""
    if kind in ("pan", "tilt", "roll", "arc"):
        x, lo, hi = speeds.get(kind, 0.0), ROTATION_SLOW_DEG_S, ROTATION_FAST_DEG_S
    elif kind == "zoom":
        x, lo, hi = speeds["zoom"], ZOOM_SLOW_PER_S, ZOOM_FAST_PER_S
    elif kind in ("truck", "pedestal", "dolly") and v.subject_source != "none":
        x, lo, hi = speeds.get(kind, speeds["translation"]), TRANSLATION_SLOW_PER_S, TRANSLATION_FAST_PER_S
    else:
        return None
    return "slow" if x < lo else "fast" if x >= hi else "moderate"


def translation_speeds(traj: Trajectory, v: Verdict) -> dict[str, float]:
    """Peak steady speed of each translation kind, in v.reference_length per second, on the judge's smooth fit:
    dolly along the view, truck along the camera's right, pedestal along world up. An orbit's travel (sideways) is
    then not a push-in's pace when the two run together, as judge.steady_speeds' "translation" (any direction) is."""
    F, fps = traj.frame_count, float(traj.fps)
    if F < 2:
        return {"dolly": 0.0, "truck": 0.0, "pedestal": 0.0}
    pos = np.asarray(traj.position, np.float64)
    vel = np.gradient(smooth(pos, fit_window(fps)), axis=0) * fps
    R = traj.matrices
    axes = {"dolly": geo.camera_forward(R), "truck": R[:, :, 0], "pedestal": np.array([0.0, 0.0, 1.0])}
    return {k: float(np.abs(np.sum(vel * a, -1)).max()) / v.reference_length for k, a in axes.items()}


def read_geometry(shot: Shot, subject: Subject | None) -> tuple[Verdict, dict[str, float], bool]:
    """The judge's verdict on the shot (with `subject`, or None to read without one), its steady peak speeds
    (judge.steady_speeds, and translation_speeds per kind) and whether it is handheld: shake past
    HANDHELD_SHAKE_DEG on most frames, at speeds where the smooth fit can tell shake from the move."""
    v = judge_shot(shot, subject)
    speeds = {**steady_speeds(shot, v, subject), **translation_speeds(shot.trajectory, v)}
    typical = v.shake_median_deg
    turn = max(speeds["pan"], speeds["tilt"], speeds["roll"], speeds.get("arc", 0.0))
    long_enough = shot.trajectory.frame_count >= HANDHELD_MIN_SECONDS * shot.trajectory.fps
    handheld = (long_enough and v.shake_deg >= HANDHELD_SHAKE_DEG
                and typical >= HANDHELD_MEDIAN_SHARE * HANDHELD_SHAKE_DEG and turn < SHAKE_UNRESOLVED_DEG_S)
    return v, speeds, handheld


def motion_level(v: Verdict, speeds: Mapping[str, float], handheld: bool) -> int:
    """Kandinsky's 0-3 camera-motion score from the judge: 0 no move and no shake; else the fastest move's pace
    (slow 1, moderate 2, fast 3; a move with no speed scale counts as moderate); handheld shake alone is 1,
    strong shake (STRONG_SHAKE_DEG) 3."""
    level = max((PACE_LEVEL[pace(_kind_sign(m)[0], v, speeds) or "moderate"] for m in v.moves), default=0)
    if handheld:
        level = max(level, 3 if v.shake_deg >= STRONG_SHAKE_DEG else 1)
    return level


def geometric_caption(v: Verdict, speeds: Mapping[str, float], handheld: bool = False) -> str:
    """A sentence from the judge's moves, strongest first, with amounts (degrees, zoom ratio) and speed words."""
    parts = []
    for label in v.moves:
        kind, sign = _kind_sign(label)
        verb = _VERBS[(kind, sign)]
        if kind == "dolly" and v.subject_source == "none":
            verb = "moves forward" if sign > 0 else "moves back"
        amount = v.amounts.get(kind, 0.0)
        if kind in ("pan", "tilt", "roll", "arc"):
            verb += f" {abs(amount):.0f} degree" + ("" if round(abs(amount)) == 1 else "s")
        elif kind == "zoom":
            verb += f" {max(amount, 1 / amount):.2g}x"
        if kind == "arc":
            verb += " around the subject" if v.subject_source == "given" else " around the point the cameras look at"
        p = pace(kind, v, speeds)
        if p == "slow":
            verb = "slowly " + verb
        elif p == "fast":
            verb += " fast" + (f" (a whip {kind})" if kind in ("pan", "tilt") else "")
        parts.append(verb)
    text = "the camera " + (", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else
                            parts[0] if parts else "holds still")
    if v.also_reads_as in MOVEMENT.names:  # a vertical view: the same path's other name (judge._TWIN)
        other = caption({"movement": v.also_reads_as}).removeprefix("the camera ")
        text += f" (the view is vertical: the same path as the camera that {other})"
    return text + (", handheld" if handheld else "")


def _geometry(v: Verdict, speeds: Mapping[str, float]) -> dict[str, Any]:
    kinds = [_kind_sign(m)[0] for m in v.moves]
    return {"movement": v.movement, "moves": list(v.moves), "kinds": kinds,
            "amounts": {k: round(float(x), 4) for k, x in v.amounts.items()},
            "pace": {m: pace(k, v, speeds) for m, k in zip(v.moves, kinds)},
            "steady_speeds": {k: round(x, 4) for k, x in speeds.items()}, "subject_source": v.subject_source,
            "reference_length": round(v.reference_length, 6), "fps": v.fps,
            "also_reads_as": v.also_reads_as}  # a vertical view's path has two names (judge._TWIN)


def motion_magnitude(traj: Trajectory, subject: Subject | None = None) -> float:
    """How much the camera moves, unitless: path length / mean distance to the subject (or to the path's centre)
    + total rotation in radians + total |change of log focal length|. A locked-off shot scores 0; a dolly in to
    half the distance about 0.5; a 90-degree pan about 1.6."""
    pos, f = traj.position, traj.focal_length
    centre = subject.positions(len(pos)) if subject is not None else pos.mean(0, keepdims=True)
    dist = max(float(np.linalg.norm(pos - centre, axis=-1).mean()), 1e-3)
    path = float(np.linalg.norm(np.diff(pos, axis=0), axis=-1).sum()) / dist
    R = geo.quat_to_matrix(traj.rotation)
    turn = float(geo.rotation_angle_between(R[:-1], R[1:]).sum()) if len(R) > 1 else 0.0
    zoom = float(np.abs(np.diff(np.log(f))).sum())
    return path + turn + zoom


def person_framing(shot: Shot, view: str) -> str:
    """A person's framing in words: the angle and shot size of the first frame by the body's definitions (body.py),
    then the view."""
    from .. import body

    t, subject = shot.trajectory, shot.subject
    size = body.person_shot_size(t.position, t.matrices, t.focal_length, subject, t.sensor_width, t.aspect)[0]
    angle = body.person_angle(t.position, t.matrices, subject)[0]
    return (f"{ANGLE.labels[int(angle)].description}, {SHOT_TYPE.labels[int(size)].description}, "
            f"{VIEW[view].description}")


def person_caption(v: Verdict, speeds: Mapping[str, float], handheld: bool, framing: str) -> str:
    """A person's caption: the judge's move, then its framing (person_framing, measured once by the caller)."""
    move = geometric_caption(v, speeds, False)
    return f"{move}, {framing}" + (", handheld" if handheld else "")
