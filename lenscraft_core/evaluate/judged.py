"""Generation graded by the geometric judge (lenscraft_core/judge.py): rules over camera geometry, no model. The
evaluation's primary grader of "did the generated shot do the asked move"; the model's own describe read-back
(readback.py) is a second opinion beside it.

Per sample: judged_ok (the judge's movement is exactly the asked label), asked_found (the asked move is among the
moves the judge found, other moves may come with it), and issue 12's clean-curve measures where they mean
something: focal drift on moves that do not zoom, roll drift on moves that do not roll, speed humps on a single-hump
easing (not static; Bounce / Elastic / Back have several humps by design; an unstated easing is the vocabulary's
default, one hump, since an open field must not break the move), each with a within-limits flag (focal_ok,
roll_ok, one_hump). The cells (`CELLS`): full instructions (every field the data states) or partial
ones (only the movement), on the split's own subjects or on a person-sized one (`person_subject_arrays`).
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Mapping

import numpy as np

from ..judge import judge_shot
from ..schema import Subject, Trajectory
from ..vocabulary import EASING, FIELDS, MOVEMENT

# The person-sized subject of issue 12 (1.8 m standing on the ground, centre at 0.9 m), and the cells per split.
PERSON_POSITION = np.array([0.0, 0.0, 0.9])
PERSON_SIZE = np.array([0.5, 0.4, 1.8])
MODES = ("full", "partial")
SUBJECTS = ("own", "person")
CELLS = tuple((m, s) for m in MODES for s in SUBJECTS)
# Issue 12's clean-curve limits.
FOCAL_DRIFT_MAX_PCT = 0.5
ROLL_DRIFT_MAX_DEG = 0.2
MULTI_HUMP = {"Bounce", "Elastic", "Back"}  # easing families whose speed has several humps by design
READBACK_KEYS = ("movement_ok", "easing_ok", "easing_ramp_ok")  # readback.py: describe's second opinion
JUDGE_KEYS = ("judged_ok", "asked_found", "focal_drift_pct", "focal_ok", "roll_drift_deg", "roll_ok", "speed_humps",
              "one_hump")
MEDIAN_KEYS = ("focal_drift_pct", "roll_drift_deg", "speed_humps")  # reported as medians (summarise adds _median)


def _key(name: str) -> tuple[str, int]:
    p = MOVEMENT[name].params
    return p["kind"], int(p.get("sign", 0))


def movement_kinds(label: str) -> set[str]:
    """The judge's kinds a movement label moves (a compound's parts; a dolly zoom both dollies and zooms)."""
    p = MOVEMENT[label].params
    names = p.get("parts") or (label,)
    return {MOVEMENT[n].params["kind"] for n in names} | ({"zoom", "dolly"} if p["kind"] == "dollyZoom" else set())


def asked_found(verdict, movement: str) -> bool:
    """The asked move is among the moves the judge found (other moves may come with it): a looser reading than
    judged-as-asked, which needs exactly the asked move(s). Zooms and arcs: the direction, not the class."""
    p = MOVEMENT[movement].params
    found = {_key(m) for m in verdict.moves}
    if p["kind"] == "static":
        return verdict.movement == movement
    if p["kind"] == "compound":
        return {_key(n) for n in p["parts"]} <= found
    if p["kind"] == "dollyZoom":
        return ("dolly", p["sign"]) in found and ("zoom", -p["sign"]) in found
    if p["kind"] in ("zoom", "arc"):
        return any(k == p["kind"] and sg == p["sign"] for k, sg in found)
    return _key(movement) in found


def person_subject_arrays(own: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The person-sized subject in place of each shot's own: the own subject's motion moved rigidly so that its
    first frame is the person at PERSON_POSITION with identity rotation (a still subject becomes exactly that
    person; a moving one, for follow / track, keeps its path relative to its own facing)."""
    from .. import geometry as geo

    pos, rot = np.asarray(own["subject_pos"], np.float64), np.asarray(own["subject_rot"], np.float64)
    R = geo.quat_to_matrix(rot)                                   # (N, F, 3, 3)
    R0t = np.swapaxes(R[:, :1], -1, -2)                           # first frame's inverse
    new_pos = np.einsum("nfij,nfj->nfi", np.broadcast_to(R0t, R.shape), pos - pos[:, :1]) + PERSON_POSITION
    new_rot = geo.quat_continuity(geo.matrix_to_quat(R0t @ R))
    size = np.broadcast_to(PERSON_SIZE, np.asarray(own["subject_size"]).shape).copy()
    return {**own, "subject_pos": new_pos, "subject_rot": new_rot, "subject_size": size,
            "person": np.ones(len(pos), bool)}


def judge_arrays(pred: tuple, subject: Mapping[str, np.ndarray], labels: Mapping[str, np.ndarray],
                 sensor_width: float, aspect: float, person: bool = False) -> dict[str, np.ndarray]:
    """Judge N generated shots (pred: world positions, quaternions, focal) against their subjects (subject_pos /
    _rot per frame, subject_size, fps: data.shot_arrays) and asked labels ({field: (N,) index, -1 = unstated}).
    Returns the JUDGE_KEYS arrays (NaN where not measured) and "judged_as" (the judge's movement names)."""
    pos, rot, focal = (np.asarray(a, np.float64) for a in pred)
    n, frames = pos.shape[:2]
    move = np.asarray(labels.get("movement", np.full(n, -1)))
    ease = np.asarray(labels.get("easing", np.full(n, -1)))
    out = {k: np.full(n, np.nan) for k in JUDGE_KEYS}
    judged_as = np.full(n, "", dtype=object)
    for i in range(n):
        if move[i] < 0 or not (np.isfinite(pos[i]).all() and np.isfinite(rot[i]).all() and np.isfinite(focal[i]).all()
                               and (focal[i] > 0).all()):
            continue
        traj = Trajectory(pos[i], rot[i], focal[i], sensor_width, aspect, float(subject["fps"][i]))
        sp, sr = subject["subject_pos"][i], subject["subject_rot"][i]
        still = bool(np.all(sp == sp[0]) and np.all(sr == sr[0]))
        subj = Subject(sp[0], subject["subject_size"][i], sr[0], object_class="person" if person else None,
                       motion_position=None if still else sp, motion_rotation=None if still else sr)
        v = judge_shot(traj, subj)
        asked = FIELDS["movement"].names[int(move[i])]
        kinds = movement_kinds(asked)
        judged_as[i] = v.movement
        out["judged_ok"][i] = float(v.movement == asked)
        out["asked_found"][i] = float(asked_found(v, asked))
        if "zoom" not in kinds:
            out["focal_drift_pct"][i] = v.focal_drift_pct
            out["focal_ok"][i] = float(v.focal_drift_pct < FOCAL_DRIFT_MAX_PCT)
        if "roll" not in kinds:
            out["roll_drift_deg"][i] = v.roll_drift_deg
            out["roll_ok"][i] = float(v.roll_drift_deg < ROLL_DRIFT_MAX_DEG)
        easing = FIELDS["easing"].names[int(ease[i])] if ease[i] >= 0 else FIELDS["easing"].default
        if "static" not in kinds and EASING[easing].params["family"] not in MULTI_HUMP:
            out["speed_humps"][i] = float(v.speed_humps)
            out["one_hump"][i] = float(v.speed_humps == 1)
    return {**out, "judged_as": judged_as}


def by_movement(per: Mapping[str, np.ndarray], movement: np.ndarray) -> dict[str, Any]:
    """Per asked movement: n, judged-as-asked and asked-move-found shares, and the two most frequent verdicts."""
    out: dict[str, Any] = {}
    movement = np.asarray(movement)
    for j, name in enumerate(FIELDS["movement"].names):
        idx = np.flatnonzero((movement == j) & np.isfinite(per["judged_ok"]))
        if len(idx):
            out[name] = {"n": int(len(idx)), "judged_as_asked": float(np.mean(per["judged_ok"][idx])),
                         "asked_move_found": float(np.mean(per["asked_found"][idx])),
                         "most_often": Counter(per["judged_as"][idx].tolist()).most_common(2)}
    return out


def cell_summary(per: Mapping[str, np.ndarray], movement: np.ndarray, summarise) -> dict[str, Any]:
    """One cell's summary: summarise() of the judge's numbers and the describe read-back (a second opinion), under
    the names the report uses (judged_as_asked, asked_move_found, ..._share), and the per-movement breakdown."""
    numeric = {k: per[k] for k in (*JUDGE_KEYS, *READBACK_KEYS) if k in per}
    s = summarise(numeric)
    s["n"] = int(np.isfinite(per["judged_ok"]).sum())
    s["judged_as_asked"], s["asked_move_found"] = s["judged_ok"], s["asked_found"]
    s["focal_within_limit_share"], s["roll_within_limit_share"] = s["focal_ok"], s["roll_ok"]
    s["one_speed_hump_share"] = s["one_hump"]
    if "movement_ok" in s:
        s["describe_readback_movement_ok"] = s["movement_ok"]  # the model's own describe: a second opinion
    s["by_movement"] = by_movement(per, movement)
    return s
