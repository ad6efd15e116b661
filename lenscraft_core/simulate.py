"""The procedural cinematographer: ground-truth camera moves for any (subject, instruction).

Every shot is built the same way, vectorised over a batch (N shots x F frames, no per-sample Python):

1. Start pose. An object: on a sphere around the subject centre, heading = the subject's front (its local -Y, turned
   by its rotation) turned by the view azimuth (counter-clockwise seen from above, towards the subject's left),
   elevation = the angle label's elevation; the camera looks at the subject centre. A person (PERSON_SHARE of the
   random subjects, or a given subject with a person class): framed by the body as the planner frames one
   (body.start_pose_arrays: the shot size's cut lines, the lens height of the angle, eyes on the upper third,
   looking room); the move then pivots about the point the first camera aims at, at its distance.
2. The move, as functions of the eased progress p(t) (easing.py), in a unit-distance "shape": camera offset from the
   subject centre o(t), heading/pitch/roll, and a focal-length multiplier. Screen-space moves (pan, tilt, truck,
   pedestal) take the subject from one side of the frame to the other (NDC -k .. +k), never off screen.
3. Scale: an object's base focal length and the shot type's coverage fix the depth of the subject at frame 0
   (framing.depth_for_coverage); the shape is scaled about the subject centre to that depth. If the lens is too
   short for the camera to stay outside the subject's bounding sphere anywhere on the path, the focal length is
   raised (the shot type and move are what was asked for; the lens is free). A person's start pose fixes the
   distance to its aim point; the shape is scaled about that point.
4. Quality gates (check_gates): failing samples are redrawn, a bounded number of rounds.

See docs/simulator.md for the semantics of every movement and the random ranges.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Mapping, overload

import numpy as np

from . import body, framing
from . import geometry as geo
from .easing import ease_batch, normalised_time
from .errors import LensCraftError
from .schema import (DEFAULT_ASPECT, DEFAULT_FPS, DEFAULT_SENSOR_WIDTH_MM, FOCAL_RANGE_MM, MAX_FRAMES, Instruction,
                     Shot, ShotBatch, Subject, Trajectory)
from .vocabulary import ANGLE, FIELD_NAMES, FIELDS, MOVEMENT, MOVEMENT_KINDS, SHOT_TYPE, VIEW

# ---------------------------------------------------------------------------------------------------- random ranges
SUBJECT_EXTENT_M = (0.1, 20.0)      # largest dimension, log-uniform
SUBJECT_RATIO = (0.15, 1.0)         # the other two dimensions / the largest, log-uniform
SUBJECT_XY_M = 20.0                 # centre x, y uniform in +-this; the box stands on z = 0
SUBJECT_TILT_DEG = 8.0              # pitch and roll uniform in +-this; yaw uniform
FOCAL_MM = (18.0, 85.0)             # base focal length, log-uniform (raised when the shot needs a longer lens)
AZIMUTH_JITTER_DEG = 15.0           # views are 45 degrees apart
ELEVATION_JITTER_DEG = 5.0          # angles are 30 degrees apart; overhead stays <= 90
COVERAGE_JITTER = 0.1               # log-uniform factor exp(+-0.1); shot sizes are >= exp(0.33) apart
SCREEN_TRAVEL = (0.4, 0.8)          # pan/tilt/truck/pedestal: the subject centre moves from the frame centre to
                                    # NDC distance k (overshooting easings included)
DOLLY_FRACTION = (0.25, 0.5)        # dolly: share of the start distance travelled
DOLLY_MAX_REACH = 0.75              # ... capped so the eased path (with overshoot) covers at most this share
ROLL_DEG = (15.0, 45.0)
DOLLY_ZOOM_FACTOR = (1.5, 2.5)      # distance (and focal length) change factor
SUBJECT_SPEED = (0.5, 3.0)          # follow/track: subject speed in subject extents per second
MOTION_DIR_JITTER_DEG = 20.0        # follow: off the view axis; track: off the camera's right axis
SAFETY_MARGIN = 0.05                # camera stays outside the bounding sphere grown by this share of the extent
PERSON_SHARE = 0.4                  # random subjects that are people, framed by the body (body.py)
PERSON_STATURE_M = (1.5, 1.95)      # uniform; a standing person turned about the vertical only, feet on z = 0
PERSON_WIDTH = (0.24, 0.3)          # shoulder width / stature, uniform (simulate_sequences draws its people so too)
PERSON_DEPTH = (0.13, 0.2)          # front-to-back depth / stature, uniform
PERSON_CLEARANCE_M = 0.25           # a person's low angle keeps the lens this far above the feet (as the planner)
PERSON_MIN_DOLLY = 0.1              # a close person's dolly is shortened to stay outside the body, not below this
PERSON_MIN_DOLLY_ZOOM = 1.25        # ... nor a dolly zoom's distance factor below this


@dataclass(frozen=True)
class GateLimits:
    """Quality gates. Speeds and accelerations are relative to the shot's scale = max(subject extent, camera
    distance at frame 0), per second: a fast move on a distant wide shot is as acceptable as on a close-up."""

    box_margin: float = 0.02        # camera must stay outside the subject box grown by this share of the extent
    max_speed: float = 250.0        # scales per second
    max_accel: float = 20000.0      # scales per second^2
    screen_margin: float = 0.0      # the subject centre must stay within NDC +-(1 - margin)


@dataclass
class GateReport:
    rounds: int = 0
    drawn: int = 0
    accepted: int = 0
    rejected: dict[str, int] = field(default_factory=dict)  # gate -> samples failing it (a sample can fail several)

    @property
    def rejection_rate(self) -> float:
        return (self.drawn - self.accepted) / max(self.drawn, 1)

    def __str__(self) -> str:
        reasons = ", ".join(f"{k} {v}" for k, v in self.rejected.items() if v) or "none"
        return (f"{self.drawn} drawn in {self.rounds} round(s), {self.drawn - self.accepted} rejected "
                f"({100 * self.rejection_rate:.2f}%): {reasons}")


# ---------------------------------------------------------------------------------------------------- move tables
# Each movement label decomposes into elementary components (compound moves have several); one row per label.
_COMPONENTS = MOVEMENT_KINDS  # one move component per kind, in the vocabulary's order


def _move_tables() -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray]:
    sign = {c: np.zeros(len(MOVEMENT)) for c in _COMPONENTS}
    zoom_log = np.zeros(len(MOVEMENT))
    arc_rad = np.zeros(len(MOVEMENT))
    primary = np.full(len(MOVEMENT), -1)
    for i, label in enumerate(MOVEMENT):
        parts = label.params.get("parts") or (label.name,)
        for part in parts:
            p = MOVEMENT[part].params
            if p["kind"] == "static":
                continue
            sign[p["kind"]][i] = p.get("sign", 1)
            if p["kind"] == "zoom":
                zoom_log[i] = p["sign"] * np.log(p["amount"])
            if p["kind"] == "arc":
                arc_rad[i] = p["sign"] * np.radians(p["amount"])
            if primary[i] < 0:
                primary[i] = _COMPONENTS.index(p["kind"])
    return sign, zoom_log, arc_rad, primary


_SIGN, _ZOOM_LOG, _ARC_RAD, _PRIMARY = _move_tables()
_ELEVATION = np.array([lbl.params["elevation_deg"] for lbl in ANGLE])
_AZIMUTH = np.array([lbl.params["azimuth_deg"] for lbl in VIEW])
_COVERAGE = np.array([lbl.params["coverage"] for lbl in SHOT_TYPE])


# Frames in one simulate_batch call (100,000 thirty-frame shots is 3 M): bounds its memory at a few GB.
MAX_BATCH_FRAMES = 20_000_000


def _rng(seed: int) -> np.random.Generator:
    """NumPy's generator for a seed, or a LensCraftError naming the bad seed (NumPy refuses negative ones)."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise LensCraftError(f"seed must be a whole number >= 0, got {seed!r}")
    return np.random.default_rng(int(seed))


def _heading(v: np.ndarray) -> np.ndarray:
    """Heading of a direction in the XY plane, counter-clockwise from +Y (geometry.yaw_pitch_roll's yaw)."""
    return np.arctan2(-v[..., 0], v[..., 1])


def _loguniform(rng: np.random.Generator, lo: float, hi: float, n: int) -> np.ndarray:
    return np.exp(rng.uniform(np.log(lo), np.log(hi), n))


# ---------------------------------------------------------------------------------------------------- random draws
def _draw(rng: np.random.Generator, fixed: Mapping[str, np.ndarray], n: int, jitter: bool,
          person_share: float = PERSON_SHARE, head_pan_share: float = 0.0) -> dict[str, np.ndarray]:
    """Everything random about n shots. Always draws every array in the same order, so a seed means one thing."""
    d: dict[str, np.ndarray] = {}
    for name in FIELD_NAMES:
        rand = rng.integers(0, len(FIELDS[name]), n)
        d[name] = np.where(fixed[name] >= 0, fixed[name], rand)
    # Subject (used unless the caller gives one).
    extent = _loguniform(rng, *SUBJECT_EXTENT_M, n)
    ratio = _loguniform(rng, *SUBJECT_RATIO, 3 * n).reshape(n, 3)
    ratio[np.arange(n), rng.integers(0, 3, n)] = 1.0
    size = extent[:, None] * ratio
    d["subject_size"] = size
    xy = rng.uniform(-SUBJECT_XY_M, SUBJECT_XY_M, (n, 2))
    d["subject_pos"] = np.concatenate([xy, size[:, 2:] / 2], axis=1)
    tilt = np.radians(rng.uniform(-SUBJECT_TILT_DEG, SUBJECT_TILT_DEG, (n, 2)))
    yaw = rng.uniform(-np.pi, np.pi, n)
    d["subject_rot"] = geo.matrix_to_quat(geo.euler_to_matrix(np.stack([tilt[:, 0], tilt[:, 1], yaw], -1), "XYZ"))
    # Shot.
    j = 1.0 if jitter else 0.0
    d["focal"] = _loguniform(rng, *FOCAL_MM, n)
    d["azimuth_deg"] = _AZIMUTH[d["view"]] + j * rng.uniform(-AZIMUTH_JITTER_DEG, AZIMUTH_JITTER_DEG, n)
    d["elevation_deg"] = np.minimum(_ELEVATION[d["angle"]] + j * rng.uniform(-1, 1, n) * ELEVATION_JITTER_DEG, 90.0)
    d["coverage"] = _COVERAGE[d["shot_type"]] * np.exp(j * rng.uniform(-COVERAGE_JITTER, COVERAGE_JITTER, n))
    d["screen"] = rng.uniform(*SCREEN_TRAVEL, n)
    d["dolly"] = rng.uniform(*DOLLY_FRACTION, n)
    d["roll"] = np.radians(rng.uniform(*ROLL_DEG, n))
    d["dolly_zoom_log"] = np.log(rng.uniform(*DOLLY_ZOOM_FACTOR, n))
    d["subject_speed"] = rng.uniform(*SUBJECT_SPEED, n)
    d["motion_dir"] = np.radians(rng.uniform(-MOTION_DIR_JITTER_DEG, MOTION_DIR_JITTER_DEG, n))
    d["track_side"] = rng.choice([-1.0, 1.0], n)
    # People (drawn last, so that an object shot of a seed is the same with or without them).
    person = rng.random(n) < person_share
    stature = rng.uniform(*PERSON_STATURE_M, n)
    p_size = stature[:, None] * np.stack([rng.uniform(*PERSON_WIDTH, n), rng.uniform(*PERSON_DEPTH, n),
                                          np.ones(n)], -1)
    p_rot = geo.matrix_to_quat(geo.axis_rotation(2, yaw))
    d["person"] = person
    d["subject_size"] = np.where(person[:, None], p_size, size)
    d["subject_pos"] = np.where(person[:, None], np.concatenate([xy, stature[:, None] / 2], 1), d["subject_pos"])
    d["subject_rot"] = np.where(person[:, None], p_rot, d["subject_rot"])
    # Pans about the camera's own up axis (drawn only when asked, so a seed without them means what it did)
    if head_pan_share > 0:
        d["head_pan"] = rng.random(n) < head_pan_share
    return d


# ---------------------------------------------------------------------------------------------------- the move shape
def _shape(d: Mapping[str, np.ndarray], p: np.ndarray, focal: np.ndarray, sensor: tuple[float, float]) -> dict:
    """Unit-distance move: offsets (N, F, 3) from the subject centre, heading/pitch/roll (N, F), focal multiplier."""
    m = d["movement"]
    s = {c: _SIGN[c][m][:, None] for c in _COMPONENTS}
    el = np.radians(d["elevation_deg"])[:, None]
    zoom = np.exp(_ZOOM_LOG[m][:, None] * p)
    dz = s["dollyZoom"] * d["dolly_zoom_log"][:, None] * p  # dolly zoom: distance and focal scale by exp(-dz)
    # Screen budget: offsets are magnified by the zoom and by overshooting easings; keep |NDC| <= k throughout.
    budget = d["screen"][:, None] / np.maximum(np.abs(p).max(1, keepdims=True) * zoom.max(1, keepdims=True), 1e-9)
    screen_moves = sum((s[k] != 0).astype(float) for k in ("pan", "tilt", "truck", "pedestal"))
    budget = budget / np.sqrt(np.maximum(screen_moves, 1.0))  # pan and tilt together: diagonal travel
    tan_h = sensor[0] / (2.0 * focal)[:, None]
    tan_v = sensor[1] / (2.0 * focal)[:, None]
    # Dolly: cap the travel so that overshooting easings never take the camera past DOLLY_MAX_REACH of the way in.
    reach = np.maximum((s["dolly"] * p).max(1, keepdims=True), 1e-9)
    dolly = np.minimum(d["dolly"][:, None], DOLLY_MAX_REACH / reach) * s["dolly"]

    heading = (d["heading"][:, None] + _ARC_RAD[m][:, None] * p)  # of the camera, seen from the subject
    u = np.stack([-np.sin(heading) * np.cos(el), np.cos(heading) * np.cos(el), np.broadcast_to(np.sin(el), p.shape)],
                 -1)
    radial = (1.0 - dolly * p) * np.exp(-dz)
    yaw0 = d["heading"] + np.pi
    right0 = np.stack([np.cos(yaw0), np.sin(yaw0), np.zeros_like(yaw0)], -1)[:, None, :]
    truck = s["truck"] * budget * tan_h * p
    pedestal = s["pedestal"] * budget * tan_v * p
    offset = u * radial[..., None] + truck[..., None] * right0
    offset[..., 2] += pedestal
    pan = s["pan"] * np.arctan(budget * tan_h) * p
    tilt = s["tilt"] * np.arctan(budget * tan_v) * p
    return {
        "offset": offset,
        "yaw": heading + np.pi + pan,
        "pitch": np.broadcast_to(-el, p.shape) + tilt,
        "roll": s["roll"] * d["roll"][:, None] * p,
        "pan": pan,
        "focal_mult": zoom * np.exp(-dz),
        "amounts": {  # magnitude of each component, in the units docs/simulator.md gives
            "pan": np.degrees(np.arctan(budget * tan_h))[:, 0], "tilt": np.degrees(np.arctan(budget * tan_v))[:, 0],
            "dolly": np.abs(dolly[:, 0]), "truck": (budget * tan_h)[:, 0], "pedestal": (budget * tan_v)[:, 0],
            "zoom": np.exp(np.abs(_ZOOM_LOG[m])), "arc": np.degrees(np.abs(_ARC_RAD[m])),
            "roll": np.degrees(d["roll"]), "dollyZoom": np.exp(d["dolly_zoom_log"]),
        },
    }


def _forward(yaw: np.ndarray, pitch: np.ndarray) -> np.ndarray:
    return np.stack([-np.sin(yaw) * np.cos(pitch), np.cos(yaw) * np.cos(pitch), np.sin(pitch)], -1)


def _needed_focal(shape: dict, d: Mapping, extent: np.ndarray, r_safe: np.ndarray, sensor_h: float) -> tuple:
    """Unit depth of the subject at frame 0, and the focal length at which the whole path stays outside r_safe."""
    depth0 = -np.sum(shape["offset"][:, 0] * _forward(shape["yaw"][:, 0], shape["pitch"][:, 0]), -1)
    rho = np.linalg.norm(shape["offset"], axis=-1).min(1) / depth0
    return depth0, r_safe * d["coverage"] * sensor_h / (extent * rho)


# ---------------------------------------------------------------------------------------------------- one batch
def _build(d: dict, frames: int, fps: np.ndarray, sensor_width: float, aspect: float, motion: np.ndarray | None,
           raise_focal: bool) -> tuple[dict, dict]:
    """Trajectories for the draws d. motion: given subject centre displacement (N, F, 3) or None."""
    n = len(d["movement"])
    sensor = geo.sensor_size(sensor_width, aspect)
    t = normalised_time(frames)
    p = ease_batch(d["easing"], t)
    size = d["subject_size"]
    extent = size.max(1)
    r_safe = 0.5 * np.linalg.norm(size, axis=1) + SAFETY_MARGIN * extent
    front = -geo.quat_to_matrix(d["subject_rot"])[:, :, 1]
    d["heading"] = _heading(front) + np.radians(d["azimuth_deg"])
    person = np.asarray(d.get("person", np.zeros(n, bool)), bool)
    pivot = np.zeros((n, 3))  # what the move pivots about, from the subject centre: a person's first aim point
    person_distance = np.zeros(n)
    if person.any():
        idx = np.flatnonzero(person)
        anchors = body.anchors_from_arrays(d["subject_pos"][idx], size[idx], d["subject_rot"][idx])

        def person_pose():
            return body.start_pose_arrays(anchors, d["shot_type"][idx], d["angle"][idx], d["azimuth_deg"][idx],
                                          d["focal"][idx], sensor_width, aspect, floor=anchors.feet,
                                          clearance=PERSON_CLEARANCE_M)

        pose = person_pose()
        # A close person leaves a dolly (or a dolly zoom) in little room: the path's closest approach to the aim
        # point stays outside the body's box (half its horizontal diagonal + the gate's margin), overshooting
        # easings included. Where even the smallest move that reads as one does not fit, the lens is lengthened
        # (the framing is the same, from further away), as an object's is below.
        room = 0.5 * np.hypot(size[idx, 0], size[idx, 1]) + 2 * GateLimits.box_margin * extent[idx]
        p_max = np.maximum(p[idx].max(1), 1e-9)
        m_idx = d["movement"][idx]
        need = np.where(_SIGN["dolly"][m_idx] > 0, room / np.maximum(1.0 - PERSON_MIN_DOLLY * p_max, 1e-3),
                        1.05 * room)  # and every start outside the body (an ECU on a wide lens would be inside)
        need = np.maximum(need, np.where(_SIGN["dollyZoom"][m_idx] > 0, room * PERSON_MIN_DOLLY_ZOOM ** p_max, 0.0))
        short = need > pose["distance"]
        if short.any():
            d["focal"][idx] *= np.where(short, 1.02 * need / pose["distance"], 1.0)
            pose = person_pose()
        yaw_pitch = geo.yaw_pitch_roll(geo.quat_to_matrix(pose["rotation"]))
        d["heading"][idx] = yaw_pitch[:, 0] - np.pi  # the shape's heading: from the pivot towards the camera
        d["elevation_deg"][idx] = np.degrees(-yaw_pitch[:, 1])
        pivot[idx] = pose["aim"] - d["subject_pos"][idx]
        person_distance[idx] = pose["distance"]
        # the inward excursion of the eased progress: its peak moving in, an anticipation (p < 0) moving out
        inward = {k: np.maximum(np.where(_SIGN[k][m_idx] > 0, p_max, -p[idx].min(1)), 1e-9)
                  for k in ("dolly", "dollyZoom")}
        # (a cap that would leave less than a readable move is not applied: the gates redraw that shot instead)
        cap = np.clip(1.0 - room / pose["distance"], 0.0, None) / inward["dolly"]
        d["dolly"][idx] = np.where(cap >= PERSON_MIN_DOLLY, np.minimum(d["dolly"][idx], cap), d["dolly"][idx])
        cap = np.log(np.maximum(pose["distance"] / room, 1.0)) / inward["dollyZoom"]
        d["dolly_zoom_log"][idx] = np.where(cap >= np.log(PERSON_MIN_DOLLY_ZOOM),
                                            np.minimum(d["dolly_zoom_log"][idx], cap), d["dolly_zoom_log"][idx])

    # Two passes: the screen budget depends on the focal length, the needed focal length on the path.
    focal0 = d["focal"]
    shape = _shape(d, p, focal0, sensor)
    depth0, need = _needed_focal(shape, d, extent, r_safe, sensor[1])
    if raise_focal:
        longer = np.flatnonzero((need > focal0) & ~person)  # a person's lens frames its body as drawn
        if len(longer):
            focal0 = np.maximum(focal0, need * 1.0001)
            sub = {k: v[longer] for k, v in d.items()}
            part = _shape(sub, p[longer], focal0[longer], sensor)
            for k in ("offset", "yaw", "pitch", "roll", "pan", "focal_mult"):
                shape[k][longer] = part[k]
            for k in shape["amounts"]:
                shape["amounts"][k][longer] = part["amounts"][k]
            depth0, need = _needed_focal(shape, d, extent, r_safe, sensor[1])
            focal0 = np.where(person, focal0, np.maximum(focal0, need))
    depth = np.where(person, person_distance,
                     framing.depth_for_coverage(extent, d["coverage"], focal0, sensor_width, aspect))
    scale = depth / depth0

    # Subject motion: follow moves it along the view, track across it; a given motion overrides both.
    m = d["movement"]
    if motion is None:
        duration = (frames - 1) / fps
        travel = d["subject_speed"] * extent * duration
        view_heading = d["heading"] + np.pi + d["motion_dir"]
        side_heading = d["heading"] + np.pi + np.where(d["track_side"] > 0, -np.pi / 2, np.pi / 2) + d["motion_dir"]
        heading = np.where(_SIGN["follow"][m] != 0, view_heading, side_heading)
        moving = (_SIGN["follow"][m] != 0) | (_SIGN["track"][m] != 0)
        direction = np.stack([-np.sin(heading), np.cos(heading), np.zeros(n)], -1) * (travel * moving)[:, None]
        motion = p[..., None] * direction[:, None, :]
    else:
        travel = np.linalg.norm(motion[:, -1] - motion[:, 0], axis=-1)
    subject_pos = d["subject_pos"][:, None, :] + motion

    # An arc turns about the person's vertical axis, not about the aim point beside it (the looking room): the
    # pivot travels on the circle the turn takes it round (zero for objects, whose pivot is the centre).
    side = pivot * np.array([1.0, 1.0, 0.0])
    turned = np.einsum("nfij,nj->nfi", geo.axis_rotation(2, _ARC_RAD[m][:, None] * p), side)
    framed = subject_pos + pivot[:, None, :] + turned - side[:, None, :]
    cam_pos = framed + scale[:, None, None] * shape["offset"]
    cam_rot = geo.camera_quat_from_yaw_pitch_roll(shape["yaw"], shape["pitch"], shape["roll"])
    head = np.flatnonzero(np.asarray(d.get("head_pan", np.zeros(n, bool)), bool) & (np.abs(shape["pan"]).max(1) > 0))
    if len(head):  # the pan about the camera's own up axis, as a head on a tilted base (or LensCraft v1) turns
        base = geo.camera_quat_from_yaw_pitch_roll(shape["yaw"][head] - shape["pan"][head], shape["pitch"][head],
                                                   shape["roll"][head])
        cam_rot[head] = geo.matrix_to_quat(geo.quat_to_matrix(base) @ geo.axis_rotation(1, shape["pan"][head]))
    cam_rot *= np.where(cam_rot[:, :1, :1] < 0, -1.0, 1.0)  # w >= 0 at frame 0
    jumps = np.flatnonzero((np.sum(cam_rot[:, 1:] * cam_rot[:, :-1], axis=-1) < 0).any(1))
    if len(jumps):  # only > 180-degree turns between two frames (violent easings on full orbits) need it
        cam_rot[jumps] = geo.quat_continuity(cam_rot[jumps], axis=1)
    focal = focal0[:, None] * shape["focal_mult"]

    amounts = shape["amounts"]
    amounts["truck"] = amounts["truck"] * depth
    amounts["pedestal"] = amounts["pedestal"] * depth
    amounts["follow"] = amounts["track"] = travel
    stack = np.stack([amounts.get(c, np.zeros(n)) for c in _COMPONENTS])
    primary = _PRIMARY[m]
    amount = np.where(primary >= 0, stack[np.maximum(primary, 0), np.arange(n)], 0.0)
    out = {"cam_pos": cam_pos, "cam_rot": cam_rot, "focal": focal, "subject_pos": subject_pos, "framed": framed}
    params = {"amount": amount, "screen_travel": d["screen"], "focal_mm": focal0, "coverage": d["coverage"],
              "elevation_deg": d["elevation_deg"], "azimuth_deg": d["azimuth_deg"], "distance_m": depth}
    if "head_pan" in d:  # 1 where the pan turned about the camera's own up axis (train.data weighs them by it)
        params["head_pan"] = np.isin(np.arange(n), head).astype(np.float64)
    return out, params


# ---------------------------------------------------------------------------------------------------- gates
def check_gates(batch: ShotBatch, limits: GateLimits = GateLimits(), framed: np.ndarray | None = None
                ) -> dict[str, np.ndarray]:
    """Per-sample failures (N,) bool for each gate: inside_subject, off_screen, too_fast, too_abrupt, bad_focal,
    not_finite. A sample passes when every entry is False. framed: (N, F, 3) the point that must stay on screen
    (default the subject centre; a person's is the point the shot aims at, its centre is below a close-up)."""
    n, f = len(batch), batch.frames
    size = batch.subject_size
    extent = size.max(1)
    srot = batch.subject_rot
    if np.array_equal(srot, np.broadcast_to(srot[:, :1], srot.shape)):
        srot = srot[:, :1]  # static subject rotation: one matrix per sample
    inside = geo.point_in_box(batch.cam_pos, batch.subject_pos, size[:, None, :], geo.quat_to_matrix(srot),
                              margin=(limits.box_margin * extent)[:, None, None])
    ndc, depth = framing.subject_centre_view(batch.cam_pos, geo.normalize(batch.cam_rot), batch.focal,
                                             batch.subject_pos if framed is None else framed,
                                             batch.sensor_width, batch.aspect)
    on_screen = framing.in_frame(ndc, depth, limits.screen_margin)
    scale = np.maximum(extent, np.linalg.norm(batch.cam_pos[:, 0] - batch.subject_pos[:, 0], axis=-1))
    fps = np.asarray(batch.fps, dtype=np.float64)
    too_fast = np.zeros(n, bool)
    too_abrupt = np.zeros(n, bool)
    if f >= 2:
        step = np.diff(batch.cam_pos, axis=1)
        speed = np.linalg.norm(step, axis=-1).max(1) * fps
        too_fast = speed > limits.max_speed * scale
        if f >= 3:
            accel = np.linalg.norm(np.diff(step, axis=1), axis=-1).max(1) * fps ** 2
            too_abrupt = accel > limits.max_accel * scale
    lo, hi = FOCAL_RANGE_MM
    finite = np.isfinite(batch.cam_pos).all((1, 2)) & np.isfinite(batch.cam_rot).all((1, 2)) & np.isfinite(
        batch.focal).all(1)
    return {
        "inside_subject": inside.any(1),
        "off_screen": ~on_screen.all(1),
        "too_fast": too_fast,
        "too_abrupt": too_abrupt,
        "bad_focal": (batch.focal.min(1) < lo) | (batch.focal.max(1) > hi),
        "not_finite": ~finite,
    }


# ---------------------------------------------------------------------------------------------------- public API
def _label_indices(labels: Mapping[str, object] | None, n: int) -> dict[str, np.ndarray]:
    """field -> (n,) label indices, -1 where the simulator draws at random."""
    out = {name: np.full(n, -1, dtype=np.int64) for name in FIELD_NAMES}
    for name, value in (labels or {}).items():
        fld = FIELDS[name] if name in FIELDS else None
        if fld is None:
            raise LensCraftError(f"unknown instruction field '{name}'; valid: {', '.join(FIELD_NAMES)}")
        if value is None:
            continue
        if isinstance(value, str):
            out[name][:] = fld.index(value)
            continue
        arr = np.asarray(value)
        if arr.shape != (n,):
            raise LensCraftError(f"labels['{name}'] has shape {arr.shape}; expected one name or ({n},) per sample")
        if arr.dtype.kind in "iu":
            if arr.min() < -1 or arr.max() >= len(fld):
                raise LensCraftError(f"labels['{name}'] has an index outside 0..{len(fld) - 1}")
            out[name][:] = arr
        else:
            names, inverse = np.unique(arr.astype(str), return_inverse=True)  # look each distinct name up once
            out[name][:] = np.array([fld.index(v) for v in names])[inverse]
    return out


@overload
def simulate_batch(n: int, frames: int = ..., fps: float | np.ndarray = ..., seed: int = ...,
                   labels: Mapping[str, object] | None = ..., sensor_width: float = ..., aspect: float = ...,
                   jitter: bool = ..., limits: GateLimits = ..., max_rounds: int = ...,
                   person_share: float = ..., head_pan_share: float = ...,
                   return_report: Literal[False] = ...) -> ShotBatch: ...
@overload
def simulate_batch(n: int, frames: int = ..., fps: float | np.ndarray = ..., seed: int = ...,
                   labels: Mapping[str, object] | None = ..., sensor_width: float = ..., aspect: float = ...,
                   jitter: bool = ..., limits: GateLimits = ..., max_rounds: int = ...,
                   person_share: float = ..., head_pan_share: float = ..., *,
                   return_report: Literal[True]) -> tuple[ShotBatch, GateReport]: ...
def simulate_batch(n: int, frames: int = 30, fps: float | np.ndarray = DEFAULT_FPS, seed: int = 0,
                   labels: Mapping[str, object] | None = None, sensor_width: float = DEFAULT_SENSOR_WIDTH_MM,
                   aspect: float = DEFAULT_ASPECT,
                   jitter: bool = True, limits: GateLimits = GateLimits(), max_rounds: int = 20,
                   person_share: float = PERSON_SHARE, head_pan_share: float = 0.0,
                   return_report: bool = False) -> ShotBatch | tuple[ShotBatch, GateReport]:
    """n random shots of `frames` frames that all pass the quality gates.

    labels: field -> one label name for all samples, or an (n,) array of names or indices (-1 = random); fields not
    given are drawn uniformly. fps: one rate or (n,). person_share: the share of subjects that are people (framed
    by the body; the rest are boxes framed as objects). head_pan_share: the share of pans turned about the camera's
    own up axis instead of the world's vertical (a pitched camera's pan then also rolls a little, as LensCraft v1's
    do; training data only: the ground truth of evaluation pans about the vertical). Reproducible from seed.
    Samples failing a gate are redrawn (fixed labels kept, everything random drawn again) for up to max_rounds
    rounds, then LensCraftError.
    """
    if n < 0 or not 1 <= frames <= MAX_FRAMES:
        raise LensCraftError(f"need n >= 0 and 1 <= frames <= {MAX_FRAMES:,}, got n={n}, frames={frames}")
    if n * frames > MAX_BATCH_FRAMES:  # checked before anything is allocated
        raise LensCraftError(f"{n:,} shots x {frames:,} frames is more than {MAX_BATCH_FRAMES:,} frames in one "
                             "batch; simulate fewer or shorter shots at a time")
    rng = _rng(seed)
    for name, share in (("person_share", person_share), ("head_pan_share", head_pan_share)):
        if not (isinstance(share, (int, float)) and 0.0 <= share <= 1.0):
            raise LensCraftError(f"{name} must be a number in [0, 1], got {share!r}")
    fixed = _label_indices(labels, n)
    fps_all = np.broadcast_to(np.asarray(fps, dtype=np.float64), (n,)).copy()
    report = GateReport()
    todo = np.arange(n)
    out = params = labels_out = None
    while len(todo):
        if report.rounds == max_rounds:
            raise _gate_error(report, {k: v[todo] for k, v in fixed.items()}, len(todo))
        report.rounds += 1
        d = _draw(rng, {k: v[todo] for k, v in fixed.items()}, len(todo), jitter, person_share, head_pan_share)
        arrays, prm = _build(d, frames, fps_all[todo], sensor_width, aspect, None, True)
        part = ShotBatch(arrays["cam_pos"], arrays["cam_rot"], arrays["focal"], arrays["subject_pos"],
                         np.repeat(d["subject_rot"][:, None, :], frames, axis=1), d["subject_size"],
                         {k: d[k] for k in FIELD_NAMES}, fps_all[todo], sensor_width, aspect, prm, d["person"])
        fails = check_gates(part, limits, arrays["framed"])
        bad = np.any(np.stack(list(fails.values())), axis=0)
        report.drawn += len(todo)
        report.accepted += int((~bad).sum())
        for k, v in fails.items():
            report.rejected[k] = report.rejected.get(k, 0) + int(v.sum())
        if out is None:
            out = part
        else:
            good = todo[~bad]
            src = np.flatnonzero(~bad)
            for name in ("cam_pos", "cam_rot", "focal", "subject_pos", "subject_rot", "subject_size", "person"):
                getattr(out, name)[good] = getattr(part, name)[src]
            for k in FIELD_NAMES:
                out.labels[k][good] = part.labels[k][src]
            for k in out.params:
                out.params[k][good] = part.params[k][src]
        todo = todo[bad]
    if out is None:  # n == 0
        out = ShotBatch(np.zeros((0, frames, 3)), np.zeros((0, frames, 4)), np.zeros((0, frames)),
                        np.zeros((0, frames, 3)), np.zeros((0, frames, 4)), np.zeros((0, 3)),
                        {k: np.zeros(0, np.int64) for k in FIELD_NAMES}, fps_all, sensor_width, aspect, {},
                        np.zeros(0, bool))
    return (out, report) if return_report else out


def _gate_error(report: GateReport, fixed: Mapping[str, np.ndarray], left: int) -> LensCraftError:
    example = {k: FIELDS[k].names[int(v[0])] for k, v in fixed.items() if v[0] >= 0}
    return LensCraftError(
        f"simulator: {left} sample(s) still fail the quality gates after {report.rounds} rounds ({report}); "
        f"fixed labels of the first: {example or 'none'}. Very short shots (few frames at a high fps) with violent "
        f"easings exceed the speed/acceleration limits: use more frames, a lower fps, or looser GateLimits.")


def simulate_shot(subject: Subject, labels: Mapping[str, str], frames: int, fps: float = DEFAULT_FPS,
                  seed: int = 0,
                  focal_length: float | None = None, sensor_width: float = DEFAULT_SENSOR_WIDTH_MM,
                  aspect: float = DEFAULT_ASPECT,
                  jitter: bool = False, limits: GateLimits = GateLimits(), max_rounds: int = 20) -> Shot:
    """One shot in world space for a given subject: the ground truth for an instruction (what the Blender add-on
    calls without a model, and the oracle baseline). Fields missing from labels take the vocabulary default.
    jitter=False puts the camera exactly at the labels' view/angle/shot size; move magnitudes come from the seed.
    A moving subject (Subject.motion_*) is followed: the camera keeps its offset to the subject centre, the start
    pose is set from the subject's first frame. follow/track on a static subject make it move (returned in the
    shot's subject). focal_length, when given, is used as is (LensCraftError if the shot cannot stay outside the
    subject with it)."""
    if not 1 <= frames <= MAX_FRAMES:
        raise LensCraftError(f"frames must be between 1 and {MAX_FRAMES:,}, got {frames:,}")
    subject = Subject(subject.position, subject.size, subject.rotation, subject.name, subject.object_class,
                      subject.motion_position, subject.motion_rotation).validate("simulate_shot: subject", frames)
    names = {f: FIELDS[f].resolve(labels[f]) if labels.get(f) else FIELDS[f].default for f in FIELD_NAMES}
    fixed = {f: np.array([FIELDS[f].index(v)]) for f, v in names.items()}
    rng = _rng(seed)
    person = body.is_person(subject)
    pos0 = subject.positions(frames)[0]
    rots = np.asarray(subject.rotations(frames), dtype=np.float64)
    motion = None if subject.motion_position is None else (subject.motion_position - pos0)[None]
    fps_arr = np.array([float(fps)])
    report = GateReport()
    for _ in range(max_rounds):
        report.rounds += 1
        d = _draw(rng, fixed, 1, jitter)
        d["subject_size"], d["subject_pos"], d["subject_rot"] = subject.size[None], pos0[None], rots[:1]
        d["person"] = np.array([person])
        if focal_length is not None:
            d["focal"] = np.array([float(focal_length)])
        arrays, prm = _build(d, frames, fps_arr, sensor_width, aspect, motion, focal_length is None)
        batch = ShotBatch(arrays["cam_pos"], arrays["cam_rot"], arrays["focal"], arrays["subject_pos"],
                          rots[None] if subject.motion_rotation is not None else np.repeat(rots[None, :1], frames, 1),
                          subject.size[None], {k: d[k] for k in FIELD_NAMES}, fps_arr, sensor_width, aspect, prm,
                          d["person"])
        fails = check_gates(batch, limits, arrays["framed"])
        report.drawn += 1
        for k, v in fails.items():
            report.rejected[k] = report.rejected.get(k, 0) + int(v.sum())
        if not any(v[0] for v in fails.values()):
            break
        if focal_length is not None and fails["inside_subject"][0]:
            raise LensCraftError(f"simulate_shot: with a {focal_length:g} mm lens a {names['shot_type']} puts the "
                                 f"camera inside the subject; use a longer lens or leave focal_length unset")
    else:
        raise _gate_error(report, fixed, 1)
    traj = Trajectory(arrays["cam_pos"][0], arrays["cam_rot"][0], arrays["focal"][0], sensor_width, aspect,
                      float(fps), 1)
    moving = not np.allclose(arrays["subject_pos"][0], arrays["subject_pos"][0, :1])
    out_subject = Subject(pos0, subject.size, rots[0], subject.name, subject.object_class,
                          arrays["subject_pos"][0] if moving else None, subject.motion_rotation)
    ins = Instruction(**names, start=0, count=frames, source="simulator",
                      params={k: float(v[0]) for k, v in prm.items()})
    return Shot(traj, [out_subject], [ins], name="simulated", metadata={"seed": seed, "gates": str(report)})
