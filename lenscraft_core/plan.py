"""The shot planner: camera paths built from what was asked (moves.Segment: moves, amounts, speeds, easing,
timing), exactly, with no noise: the parametric path generate() returns by default (Engine.generate,
generator="planned").

A shot starts from a framed pose (start_pose: body-aware for a person, body.person_start_pose; box-based for an
object, as the simulator frames it) and runs its segments in order, each from where the previous one ended, so
position, direction and lens are continuous at every join. Within a segment every move is a function of one eased
progress p(t) (easing.py): pan / tilt / roll add to the camera's heading / pitch / roll (geometry.yaw_pitch_roll), an
arc turns the camera about the vertical axis through the subject and turns its heading with it (a fixed radius, so
a full orbit closes), a dolly moves along the line to the framed point, truck / pedestal along the level right axis
/ world up, a zoom scales the lens. Channels a move does not drive stay exactly constant, so the keyframe writer
puts no keys on them, and each moving channel is one eased curve.

Amounts and speeds (moves.py gives the units): a stated amount is used as is (a push-in bounded short of the
subject: the result says so); an unstated one is the operator default, PACE[kind][speed] per second of the move,
clipped to DEFAULT_RANGE[kind] and, for pans, tilts, trucks and pedestals at a normal or slow pace, to what keeps
the framed point in frame (IN_FRAME_TRAVEL); a slow move covers SLOW_SHARE of that; a person's push-in stops before
the head leaves the frame; arcs and zooms take their label's amount (a quarter orbit is 90 degrees). On a person,
a shot that would cut the head on a CU / MCU / MS frame has its unstated amounts bounded and, if need be, its start
recomposed (eyes lower, subject centred) so the head stays in frame (head_room.py); stated amounts stay exact. A
"fast" move takes amount / PACE[kind]["fast"] seconds and a "whip" one peaks at WHIP_PEAK_DEG_S, centred in its
segment with holds around it; other moves fill their segment. benchmarks/judge_words.py measures what each word does.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Sequence

import numpy as np

from . import framing
from . import geometry as geo
from .easing import ease
from .errors import LensCraftError
# segment_label's home was here: still importable from plan
from .moves import Move, Segment, segment_frames, segment_instructions, segment_label  # noqa: F401
from .schema import DEFAULT_ASPECT, DEFAULT_FPS, DEFAULT_SENSOR_WIDTH_MM, Shot, Subject, Trajectory
from .vocabulary import ANGLE, FIELD_NAMES, FIELDS, MOVEMENT, SHOT_TYPE, VIEW

# Operator lens per shot size (mm, full-frame 36 mm sensor): long lenses for close shots (flattering perspective on
# faces, 85-100 mm), normal for medium shots, wide for wide shots. Brown, "Cinematography: Theory and Practice", ch.
# "Lens language"; docs/cinematography.md.
OPERATOR_LENS_MM = {"extremeCloseUp": 100.0, "closeUp": 85.0, "mediumCloseUp": 65.0, "mediumShot": 50.0,
                    "fullShot": 35.0, "longShot": 35.0, "veryLongShot": 28.0, "extremeLongShot": 24.0}
# Default pace per second of the move, by speed word (None = a normal pace), in the kind's unit (moves.py): degrees
# for turns, share of the distance for dollies, share of the frame for trucks and pedestals.
PACE = {"pan": {"slow": 6.0, None: 15.0, "fast": 60.0}, "tilt": {"slow": 4.0, None: 10.0, "fast": 40.0},
        "roll": {"slow": 3.0, None: 6.0, "fast": 30.0}, "dolly": {"slow": 0.08, None: 0.2, "fast": 0.5},
        "truck": {"slow": 0.12, None: 0.3, "fast": 0.8}, "pedestal": {"slow": 0.1, None: 0.25, "fast": 0.7},
        "arc": {"slow": 20.0, None: 45.0, "fast": 120.0}}
DEFAULT_RANGE = {"pan": (15.0, 90.0), "tilt": (10.0, 60.0), "roll": (10.0, 30.0), "dolly": (0.15, 0.6),
                 "truck": (0.25, 1.2), "pedestal": (0.25, 1.2)}
IN_FRAME_TRAVEL = 0.7      # default screen moves take the framed point 70 % of the way to the frame's edge
SLOW_SHARE = 0.5           # a slow move of no stated size covers half of what the plain one would
FAST_ZOOM_SECONDS = 0.75   # a fast zoom of no stated duration takes this long (a crash zoom)
WHIP_AMOUNT_DEG = 90.0      # a whip pan / tilt with no amount turns this far
WHIP_PEAK_DEG_S = 260.0     # ... and peaks at this angular speed (an in-out sine peaks at pi/2 x its mean)
MIN_MOVE_SECONDS = 0.2
DOLLY_MAX_SHARE = 0.85      # a push-in stops short of the framed point
CRANE_OVER_FRAMES = 1.0     # a pedestal this many frame heights or more rises over the subject and tilts to keep it
SIDE_SHARE = 0.5            # a truck / pedestal beside a dolly travels at least this share of the dolly
DOLLY_ON_TARGET_DEG = 20.0  # a dolly moves towards the target it frames when it is this close to the view axis
DOLLY_ZOOM_DEFAULT = 1.8
DEFAULT_EASING = "easeInOutSine"
# Segments of a sequence ease in and out on a curve whose acceleration is zero at both ends, so a join between two
# moves has no jerk spike (in-out sine starts with a step in acceleration).
SEQUENCE_EASING = "easeInOutCubic"
# In-out easings whose acceleration steps at their ends: a shot-level "ease in-out" over a sequence uses
# SEQUENCE_EASING instead (the same smooth start and stop, no jerk spike where a segment starts from a hold).
STEP_AT_ENDS = ("easeInOutSine", "easeInOutQuad")


@dataclass
class Pose:
    """A camera at one frame: position (3,), heading / pitch / roll (radians, geometry.yaw_pitch_roll), lens (mm)."""

    position: np.ndarray
    yaw: float
    pitch: float
    roll: float
    focal: float


@dataclass
class Path:
    """A planned camera path: per-frame position (F, 3), quaternion (F, 4), lens (F,), the frame spans of the
    segments, the segments as performed (amounts and units filled in) and notes (what was bounded or left out)."""

    position: np.ndarray
    rotation: np.ndarray
    focal: np.ndarray
    spans: list[tuple[int, int]]
    segments: list[Segment]
    notes: list[str] = field(default_factory=list)
    orbit: np.ndarray | None = None         # (F,) radians turned about orbit_centre's vertical so far (arcs only)
    orbit_centre: np.ndarray | None = None  # (3,): the one centre every arc turns about (None: no arc, or several)


def _heading(v: np.ndarray) -> float:
    return float(np.arctan2(-v[0], v[1]))


def operator_lens(shot_type: str) -> float:
    return OPERATOR_LENS_MM[SHOT_TYPE.resolve(shot_type)]


def object_start_pose(subject: Subject, shot_type: str, angle: str, view: str, focal: float,
                      sensor_width: float, aspect: float, azimuth_offset_deg: float = 0.0) -> tuple[Pose, np.ndarray]:
    """(pose, aim point) framing an object's box as the simulator does (simulate.py step 1 and 3: on a sphere about
    the box centre, the view's azimuth from the subject's front, the angle's elevation, the shot size's coverage at
    this lens; a lens too short to stay outside the box's bounding sphere is lengthened)."""
    centre = subject.positions(1)[0]
    front = -geo.quat_to_matrix(subject.rotations(1)[0])[:, 1]
    heading = _heading(front) + np.radians(VIEW[view].params["azimuth_deg"] + azimuth_offset_deg)
    el = np.radians(min(ANGLE[angle].params["elevation_deg"], 90.0))
    u = np.array([-np.sin(heading) * np.cos(el), np.cos(heading) * np.cos(el), np.sin(el)])
    extent = subject.extent
    coverage = SHOT_TYPE[shot_type].params["coverage"]
    r_safe = 0.5 * float(np.linalg.norm(subject.size)) * 1.1
    depth = float(framing.depth_for_coverage(extent, coverage, focal, sensor_width, aspect))
    if depth < r_safe:
        focal *= r_safe / depth
        depth = r_safe
    return Pose(centre + depth * u, heading + np.pi, -el, 0.0, float(focal)), centre


def _level_right(yaw: float) -> np.ndarray:
    return np.array([np.cos(yaw), np.sin(yaw), 0.0])


def frame_size(focal: float, depth: float, sensor_width: float, aspect: float) -> tuple[float, float]:
    """Width and height (m) of the frame at this depth."""
    sw, sh = geo.sensor_size(sensor_width, aspect)
    return depth * sw / focal, depth * sh / focal


def _in_frame_limit(kind: str, focal: float, sensor_width: float, aspect: float) -> float:
    """The largest default amount of a pan / tilt (degrees) or truck / pedestal (frames) that keeps the framed point
    on screen: it travels IN_FRAME_TRAVEL of the way from the centre to the frame's edge. A stated amount, or a fast
    move (a reveal, a whip), may take the subject out of frame."""
    sw, sh = geo.sensor_size(sensor_width, aspect)
    half = (sw if kind in ("pan", "truck") else sh) / (2.0 * focal)
    if kind in ("pan", "tilt"):
        return float(np.degrees(np.arctan(IN_FRAME_TRAVEL * half)))
    return IN_FRAME_TRAVEL / 2.0


def _resolve(move: Move, seconds: float, depth: float, start: Pose, sensor_width: float, aspect: float,
             dolly_limit: float | None = None) -> tuple[Move, float, float, str | None]:
    """(the move with its amount and unit filled in, the amount in path units, the move's seconds, note). Path units:
    radians for turns, metres for truck / pedestal, a share of the distance for dolly, a log ratio for zooms."""
    kind, note = move.kind, None
    params = MOVEMENT[move.movement].params
    amount, unit = move.amount, move.unit
    if amount is None:
        if kind in ("arc", "zoom"):
            amount = float(params["amount"])
            if move.speed == "slow":  # a slow orbit or zoom of no stated size covers less (a zoom in log ratio)
                amount = amount * SLOW_SHARE if kind == "arc" else amount ** SLOW_SHARE
        elif kind == "dollyZoom":
            amount = DOLLY_ZOOM_DEFAULT
        elif kind in ("pan", "tilt") and move.speed == "whip":
            amount = WHIP_AMOUNT_DEG
        elif kind in PACE:
            pace = PACE[kind]["fast" if move.speed == "whip" else move.speed]
            span = min(seconds, move.duration_s or seconds)
            lo, hi = DEFAULT_RANGE[kind]
            if kind == "dolly" and move.sign > 0 and dolly_limit is not None:
                hi = max(min(hi, dolly_limit), 0.05)
                lo = min(lo, hi)
            if move.speed not in ("fast", "whip") and kind in ("pan", "tilt", "truck", "pedestal"):
                hi = min(hi, _in_frame_limit(kind, start.focal, sensor_width, aspect))
                lo = min(lo, hi)
            if move.speed == "slow":  # slower than the plain move even where both meet the in-frame limit
                hi, lo = hi * SLOW_SHARE, lo * SLOW_SHARE
            amount = float(np.clip(pace * span, lo, hi))
            unit = "frame" if kind in ("truck", "pedestal") else unit
        else:
            amount = 0.0
    if kind == "dolly" and amount > DOLLY_MAX_SHARE and MOVEMENT[move.movement].params.get("sign", 1) > 0:
        note = f"{move.movement} {amount:g} of the distance would reach the subject: stopped at {DOLLY_MAX_SHARE:g}"
        amount = DOLLY_MAX_SHARE
    unit = unit or {"truck": "frame", "pedestal": "frame"}.get(kind)
    # Duration: fast / whip moves take the time their pace needs, centred in the segment; others fill it.
    if move.duration_s is not None:
        duration = min(move.duration_s, seconds)
    elif move.speed == "whip" and kind in ("pan", "tilt", "roll", "arc"):
        duration = min(seconds, max(MIN_MOVE_SECONDS, np.pi / 2 * amount / WHIP_PEAK_DEG_S))
    elif move.speed == "fast" and kind == "zoom":
        duration = min(seconds, FAST_ZOOM_SECONDS)
    elif move.speed == "fast" and kind in PACE:
        per_s = PACE[kind]["fast"]
        native = amount if unit != "m" else amount / max(frame_size(start.focal, depth, sensor_width, aspect)[0], 1e-9)
        duration = min(seconds, max(MIN_MOVE_SECONDS, native / per_s))
    else:
        duration = seconds
    if kind in ("pan", "tilt", "roll", "arc"):
        value = np.radians(amount)
    elif kind in ("truck", "pedestal"):
        w, h = frame_size(start.focal, depth, sensor_width, aspect)
        value = amount if unit == "m" else amount * (w if kind == "truck" else h)
    elif kind in ("zoom", "dollyZoom"):
        value = float(np.log(max(amount, 1e-6)))
    else:
        value = amount
    return replace(move, amount=float(np.round(amount, 4)), unit=unit), float(value), float(duration), note


def _balance(resolved: list, asked: Sequence[Move], depth: float) -> list:
    """Moves of one segment that travel together: a truck or pedestal of no stated size beside a dolly travels at
    least SIDE_SHARE of the dolly's metres, so that it reads as a move of its own, not a slant of the dolly."""
    dolly = [value * depth for (m, value, _, _) in resolved if m.kind == "dolly"]
    if not dolly:
        return resolved
    out = []
    for (m, value, duration, note), a in zip(resolved, asked):
        if m.kind in ("truck", "pedestal") and a.amount is None and value < SIDE_SHARE * dolly[0]:
            value = SIDE_SHARE * dolly[0]
            m = replace(m, amount=round(value, 4), unit="m")
        out.append((m, value, duration, note))
    return out


def turn_about_vertical(points: np.ndarray, centre, angle) -> np.ndarray:
    """Points (..., 3) turned counter-clockwise seen from above by angle (radians; one, or one per point) about the
    vertical through centre: the one rotation arcs, the orbit pivot and unorbit share."""
    c = np.asarray(centre, np.float64)
    rel = np.asarray(points, np.float64) - c
    cos, sin = np.cos(angle), np.sin(angle)
    return c + np.stack([cos * rel[..., 0] - sin * rel[..., 1], sin * rel[..., 0] + cos * rel[..., 1], rel[..., 2]],
                        -1)


def _crane_over(moves: Sequence[Move]) -> bool:
    """A pedestal STATED at CRANE_OVER_FRAMES frame heights or more ("crane up over the subject"): a crane, not a
    plain pedestal, so it keeps its target in frame. Called on the asked moves: a large default ("descend fast") or a
    pedestal in metres ("up a metre") is a plain pedestal, as asked."""
    return any(m.kind == "pedestal" and m.unit == "frame" and (m.amount or 0.0) >= CRANE_OVER_FRAMES for m in moves)


FOLLOW_PICK_UP_S = 0.5  # a follow / track takes this long to pick the subject up after a segment that does not ride
# along, and to let it go before one (a stop asked for still decelerates: no jerk spike at the join)


def _rides(segment: Segment) -> bool:
    return any(m.kind in ("follow", "track") for m in segment.moves)


def _ride(pivot: np.ndarray, fps: float, pick_up: bool, let_go: bool) -> np.ndarray:
    """(n, 3) the camera's ride along the subject's path over a segment: the subject's own travel, except over
    FOLLOW_PICK_UP_S where the camera picks the subject up from rest or lets it go to rest, on a quintic Hermite
    from (where it is, how fast, no acceleration) to (where the subject's travel puts it, how fast, no
    acceleration): velocity and acceleration are continuous at the joins and the camera ends each window exactly on
    the subject's travel, so the segment still reads as a follow and nothing else."""
    ride = pivot - pivot[0]
    n = len(ride)
    m = min(int(round(FOLLOW_PICK_UP_S * fps)), (n - 1) // 2)
    if m < 2:
        return ride
    t = (np.arange(m + 1) / m)[:, None]
    h_p0, h_p1 = 1 - 10 * t ** 3 + 15 * t ** 4 - 6 * t ** 5, 10 * t ** 3 - 15 * t ** 4 + 6 * t ** 5
    h_v0, h_v1 = t - 6 * t ** 3 + 8 * t ** 4 - 3 * t ** 5, -4 * t ** 3 + 7 * t ** 4 - 3 * t ** 5
    velocity = np.gradient(ride, axis=0)  # per frame
    if pick_up:  # from rest at the segment's start to the subject's pace m frames later
        ride[:m + 1] = ride[0] * h_p0 + ride[m] * h_p1 + velocity[m] * m * h_v1
    if let_go:  # from the subject's pace to rest at the segment's end
        j = n - 1 - m
        ride[j:] = ride[j] * h_p0 + velocity[j] * m * h_v0 + ride[-1] * h_p1
    return ride


def _progress(n: int, span_frames: int, easing: str, centred: bool) -> np.ndarray:
    """Eased progress over n frames of a segment (n >= 1; frame 0 is the segment's start): over span_frames of them,
    centred or from the start, held at 0 before and 1 after."""
    if n <= 1:
        return np.zeros(n)
    span = int(np.clip(span_frames, 1, n - 1))
    start = (n - 1 - span) // 2 if centred else 0
    t = (np.arange(n) - start) / span
    return ease(easing, np.clip(t, 0.0, 1.0))


def build_path(start: Pose, aim: np.ndarray, pivot: np.ndarray, segments: Sequence[Segment], frames: int, fps: float,
               sensor_width: float, aspect: float, easing: str | None = None,
               dolly_limit: float | None = None) -> Path:
    """The planned path. start: the first frame's pose; aim (3,): the dolly target (the point that stays put on
    screen as the camera pushes in); pivot (F, 3): the subject centre per frame (arcs turn about its vertical axis
    where the subject is when the arc starts; follow / track ride along with a moving subject, other moves are made
    from where the camera stands); easing: the shot's easing for segments without their own;
    dolly_limit: the largest push-in share an unstated amount may take (a person's head stays in frame)."""
    if frames < 1:
        raise LensCraftError(f"frames must be at least 1, got {frames}")
    segments = list(segments) or [Segment(())]
    spans = segment_frames(segments, frames, fps)
    pos = np.empty((frames, 3))
    ypr = np.empty((frames, 3))
    focal = np.empty(frames)
    notes: list[str] = []
    done: list[Segment] = []
    pivot = np.broadcast_to(np.asarray(pivot, np.float64), (frames, 3))
    moving = bool(np.any(pivot != pivot[0]))
    orbit, orbit_centre, turned = np.zeros(frames), None, 0.0  # the arcs' accumulated turn, for an orbit rig
    state = replace(start, position=np.asarray(start.position, np.float64))
    target = np.asarray(aim, np.float64)
    for index, (seg, (a, b)) in enumerate(zip(segments, spans)):
        n = b - a + 1
        seconds = max(n - 1, 1) / fps
        seg_easing = seg.easing or easing or (SEQUENCE_EASING if len(segments) > 1 else DEFAULT_EASING)
        if len(segments) > 1 and not seg.easing and seg_easing in STEP_AT_ENDS:
            seg_easing = SEQUENCE_EASING  # the shot's in-out carried over every segment, without a jerk at joins
        p0 = state.position
        to_aim = target - p0
        depth = max(float(np.linalg.norm(to_aim)), 1e-6)
        forward = geo.camera_forward(geo.quat_to_matrix(geo.camera_quat_from_yaw_pitch_roll(
            state.yaw, state.pitch, state.roll)))
        if float(forward @ to_aim) < np.cos(np.radians(DOLLY_ON_TARGET_DEG)) * depth:
            # the camera looks away from the target (after a pan, say): a dolly moves along the view, by the
            # target's depth in front of the lens (at least a tenth of its distance)
            to_aim = forward * max(float(forward @ to_aim), 0.1 * depth)
        offset = np.zeros((n, 3))
        yaw = np.full(n, state.yaw)
        pitch = np.full(n, state.pitch)
        roll = np.full(n, state.roll)
        lens = np.full(n, state.focal)
        arc = np.zeros(n)
        performed = []
        resolved = [_resolve(move, seconds, depth, state, sensor_width, aspect, dolly_limit if not done else None)
                    for move in seg.moves]
        resolved = _balance(resolved, seg.moves, depth)
        for move, value, duration, note in resolved:
            if note:
                notes.append(note)
            performed.append(move)
            kind, sign = move.kind, move.sign
            fast = move.speed in ("fast", "whip") or move.duration_s is not None
            p = _progress(n, round(duration * fps), seg_easing, centred=fast and move.duration_s is None)
            if kind == "pan":
                yaw = yaw + sign * value * p
            elif kind == "tilt":
                pitch = pitch + sign * value * p
            elif kind == "roll":
                roll = roll + sign * value * p
            elif kind == "zoom":
                lens = lens * np.exp(sign * value * p)
            elif kind == "arc":
                arc = arc + sign * value * p
            elif kind == "dolly":
                offset += (sign * value * p)[:, None] * to_aim
            elif kind == "dollyZoom":
                k = np.exp(-sign * value * p)
                offset += (1.0 - k)[:, None] * to_aim
                lens = lens * k
            elif kind == "truck":
                offset += (sign * value * p)[:, None] * _level_right(state.yaw)
            elif kind == "pedestal":
                offset[:, 2] += sign * value * p
            elif kind in ("follow", "track"):
                if not moving:
                    notes.append(f"{move.movement}: the subject does not move, so the camera has nothing to "
                                 "follow and holds its framing")
        done.append(replace(seg, moves=tuple(performed)))
        p_seg = p0 + offset
        orbit[a:b + 1] = turned + arc
        turned += float(arc[-1])
        if np.any(arc):
            centre = pivot[a]  # an arc turns about the subject where it is when the arc starts
            orbit_centre = centre.copy() if orbit_centre is None or np.allclose(orbit_centre, centre) else np.nan
            p_seg = turn_about_vertical(p_seg, centre, arc)
            yaw = yaw + arc
            target = turn_about_vertical(target, centre, arc[-1])
        if _crane_over(seg.moves) and not any(m.kind == "tilt" for m in performed):
            # rising over the subject (a pedestal of a frame or more): a crane keeps what it frames in the picture,
            # tilting down by the change in the target's elevation as seen from the camera
            rel = target - p_seg
            elevation = np.arctan2(rel[:, 2], np.linalg.norm(rel[:, :2], axis=1))
            pitch = pitch + (elevation - elevation[0])
        if _rides(seg):  # following: the camera rides along with the moving subject
            ride = _ride(pivot[a:b + 1], fps, pick_up=index > 0 and not _rides(segments[index - 1]),
                         let_go=index + 1 < len(segments) and not _rides(segments[index + 1]))
            p_seg = p_seg + ride
            target = target + ride[-1]
        pos[a:b + 1] = p_seg
        ypr[a:b + 1] = np.stack([yaw, pitch, roll], -1)
        focal[a:b + 1] = lens
        state = Pose(p_seg[-1].copy(), float(yaw[-1]), float(pitch[-1]), float(roll[-1]), float(lens[-1]))
    rotation = geo.quat_continuity(geo.camera_quat_from_yaw_pitch_roll(ypr[:, 0], ypr[:, 1], ypr[:, 2]), axis=0)
    single = orbit_centre is not None and bool(np.all(np.isfinite(orbit_centre)))
    return Path(pos, rotation, focal, spans, done, notes, orbit if single else None,
                orbit_centre if single else None)


# ---------------------------------------------------------------------------------------------------- whole shots
CLEARANCE_M = 0.25          # the lens stays this far above the floor (never on it)
VARIATION_AZIMUTH_DEG = 15.0  # variations > 0 turn the start this far either way, and vary the lens by
VARIATION_LENS = 0.15         # exp(+-this)


def segments_from_movement(movement: str | None) -> list[Segment]:
    """The segments of a single movement label: static -> a hold, a compound label -> one segment of its parts."""
    if movement is None:
        return [Segment(())]
    label = MOVEMENT[movement]
    if label.params.get("kind") == "static":
        return [Segment(())]
    parts = label.params.get("parts") or (label.name,)
    return [Segment(tuple(Move(p) for p in parts))]


def subject_base(subject: Subject) -> float:
    """The subject's lowest box corner at its first frame: the ground it stands on (the planner's default floor)."""
    corners = geo.box_corners(subject.positions(1)[0], subject.size, geo.quat_to_matrix(subject.rotations(1)[0]))
    return float(corners[..., 2].min())


def plan_shot(subject: Subject, labels: dict[str, str] | None = None, segments: Sequence[Segment] | None = None,
              frames: int = 48, fps: float = DEFAULT_FPS, seed: int = 0, variation: int = 0,
              focal_length: float | None = None, sensor_width: float = DEFAULT_SENSOR_WIDTH_MM,
              aspect: float = DEFAULT_ASPECT, floor: float | str | None = "auto", clearance: float = CLEARANCE_M,
              obstacles: Sequence = (), aim: np.ndarray | None = None,
              open_segments: Sequence[Segment] | None = None) -> Shot:
    """One planned shot. labels: the STATED fields (canonical names); open ones take the operator defaults
    (vocabulary defaults: eye level, medium shot, front, in-out sine) on variation 0 and a random label (seeded by
    seed and variation) on the others. segments: what the camera does (moves.Segment); None = the movement label's
    (segments_from_movement). A person (body.is_person) is framed by the body (body.person_start_pose), an object by
    its box. focal_length fixes the lens, else the operator lens for the shot size (OPERATOR_LENS_MM). floor: the
    ground height ("auto": the subject's lowest corner, where it stands; None: no floor); the camera keeps
    `clearance` above it and out of `obstacles`
    (clearance.keep_clear). aim (F, 3): a point to frame instead of the subject's own (an aim target). A close
    person keeps the head in frame through amounts not stated (head_room.py); open_segments: the segments as the
    user asked them where the caller filled their open amounts into `segments` (the learned generator), so those
    may be bounded too (same moves in the same order)."""
    from . import body, clearance as clear, head_room  # the planner's scene helpers

    labels = {f: FIELDS[f].resolve(v) for f, v in (labels or {}).items() if v}
    rng = np.random.default_rng([int(seed), int(variation)])
    filled = {}
    for name in FIELD_NAMES:
        if name in labels:
            filled[name] = labels[name]
        elif variation > 0 and name != "movement":
            filled[name] = FIELDS[name].names[int(rng.integers(len(FIELDS[name])))]
        else:
            filled[name] = FIELDS[name].default
    segs = list(segments) if segments else segments_from_movement(labels.get("movement"))
    person = body.is_person(subject)
    subject.validate("subject", frames if subject.is_moving else None)
    jitter = rng.uniform(-1, 1, 2) if variation > 0 else np.zeros(2)
    if focal_length is not None:
        lens = float(focal_length)
    else:  # the operator lens is for the reference sensor: the same framing on another needs the height ratio
        ref_h = geo.sensor_size(DEFAULT_SENSOR_WIDTH_MM, DEFAULT_ASPECT)[1]
        lens = operator_lens(filled["shot_type"]) * float(np.exp(VARIATION_LENS * jitter[1])) * float(
            geo.sensor_size(sensor_width, aspect)[1] / ref_h)
    azimuth = VIEW[filled["view"]].params["azimuth_deg"] + VARIATION_AZIMUTH_DEG * jitter[0]
    if isinstance(floor, str):
        if floor != "auto":
            raise LensCraftError(f"floor must be a world height, 'auto' or None, got {floor!r}")
        floor = subject_base(subject)
    poses: dict = {}

    def place(composition: tuple[float, float], segs: Sequence[Segment]) -> tuple[Path, list[str]]:
        """The shot from its framed start (a person: the eyes at composition[0] of the frame height on close sizes,
        looking room composition[1], see body.person_start_pose) through the floor and
        obstacles: a Path carrying the final position and rotation, and its notes."""
        notes: list[str] = []
        dolly_limit = None
        if person:
            if composition not in poses:  # the same start for every share of the amounts head_room tries
                poses[composition] = body.person_start_pose(
                    subject, filled["shot_type"], filled["angle"], azimuth, lens, sensor_width, aspect, floor=floor,
                    clearance=clearance, eye_line=composition[0], lead_room=composition[1])
            pp = poses[composition]
            y, pch, r = geo.yaw_pitch_roll(geo.quat_to_matrix(pp.rotation))
            start = Pose(np.asarray(pp.position, np.float64), y, pch, r, lens)
            target, dolly_limit = _head_target(subject, start, sensor_width, aspect)
        else:
            start, target = object_start_pose(subject, filled["shot_type"], filled["angle"], filled["view"], lens,
                                              sensor_width, aspect,
                                              azimuth - VIEW[filled["view"]].params["azimuth_deg"])
        if floor is not None and start.position[2] < floor + clearance:
            # a start below the clearance (a low angle on a small object): the camera stands at the clearance and
            # aims at what it frames, before the move, so the move itself stays one clean curve
            start = _aimed(replace(start, position=start.position + [0.0, 0.0, floor + clearance - start.position[2]]),
                           target)
            notes.append(f"the camera starts at the floor clearance ({clearance:g} m above the floor), aimed at the "
                         "subject")
        if aim is not None:
            start = _aimed(start, aim[0])
            target = aim[0]
        path = build_path(start, target, pivot, segs, frames, fps, sensor_width, aspect, labels.get("easing"),
                          dolly_limit)
        notes += path.notes
        position, rotation = path.position, path.rotation
        if floor is not None:
            # A move that descends through the floor (a pedestal or crane down from a low start) keeps its whole
            # travel: the path starts higher by what it lacks, instead of flattening where it meets the floor.
            lack = floor + clearance - float(position[:, 2].min())
            if lack > 0 and position[0, 2] > floor + clearance - 1e-9:
                position = position + np.array([0.0, 0.0, lack])
                notes.append(f"the camera starts {lack:.2f} m higher so that its descent stays {clearance:g} m "
                             "above the floor")
        if floor is not None or len(obstacles):
            cleared = clear.keep_clear(position, rotation, np.broadcast_to(pivot if aim is not None else target,
                                                                           (frames, 3)),
                                       floor, clearance, obstacles)
            position, rotation = cleared.position, cleared.rotation
            notes += cleared.notes
        return replace(path, position=position, rotation=rotation), notes

    if aim is not None:
        aim = np.broadcast_to(np.asarray(aim, np.float64), (frames, 3))
    pivot = subject.positions(frames) if aim is None else aim
    if open_segments is not None and [[m.movement for m in g.moves] for g in open_segments] != [
            [m.movement for m in g.moves] for g in segs]:
        raise LensCraftError("plan_shot: open_segments must hold the same moves, in the same order, as segments")
    if person:  # a close person keeps the head in frame through moves of no stated size (head_room.py)
        close_start = filled["shot_type"] in ("extremeCloseUp",) + body.HEAD_KEPT_SIZES  # eye line and lead room
        (path, notes), kept = head_room.keep_head(place, segs, subject, sensor_width, aspect, close_start,
                                                  list(open_segments) if open_segments else None)
        notes = notes + kept
    else:
        path, notes = place(head_room.COMPOSITIONS[0], segs)
    position, rotation = path.position, path.rotation
    traj = Trajectory(position, rotation, path.focal, sensor_width, aspect, float(fps), 1)
    instructions = segment_instructions(path.segments, path.spans, filled)
    meta = {"generator": "lenscraft/planned", "seed": seed, "variation": variation,
            "segments": [s.as_dict() for s in path.segments], "segment_frames": [list(sp) for sp in path.spans],
            "subject_kind": "person" if person else "object", "lens_mm": round(lens, 3)}
    if notes:
        meta["notes"] = notes
    if path.orbit is not None:  # what an orbit rig turns (addon: a pivot empty at the centre, one rotation channel)
        meta["orbit"] = {"centre": [float(x) for x in path.orbit_centre], "angle_rad": [float(x) for x in path.orbit]}
    return Shot(traj, [subject], instructions, name=f"planned-{seed}-{variation}", metadata=meta)


def unorbit(trajectory: Trajectory, centre: Sequence[float], angle: Sequence[float]) -> Trajectory:
    """The trajectory with the orbit taken out: each frame turned back by -angle (radians) about the vertical
    through centre. Parented to a pivot at centre that turns by +angle, it is the original path again, so an orbit
    is one rotation channel on the pivot and the camera keeps only the rest of the move."""
    th = -np.asarray(angle, np.float64)
    pos = turn_about_vertical(trajectory.position, centre, th)
    turn = np.stack([np.cos(th / 2), np.zeros_like(th), np.zeros_like(th), np.sin(th / 2)], -1)
    rot = geo.quat_continuity(geo.quat_mul(turn, trajectory.rotation), axis=0)
    return Trajectory(pos, rot, trajectory.focal_length.copy(), trajectory.sensor_width, trajectory.aspect,
                      trajectory.fps, trajectory.frame_start)


HEAD_MARGIN = 0.15  # of the head's height: the room a default push-in leaves above the head and below the chin


def _head_target(subject: Subject, start: Pose, sensor_width: float, aspect: float) -> tuple[np.ndarray, float]:
    """A person's dolly target, the centre of the head (a push-in keeps the face where it is on screen), and the
    largest push-in share that keeps the whole head in frame with HEAD_MARGIN: the frame shrinks about the target by
    the distance ratio, so its top reaches the head's top at ratio (head top - target) / (frame top - target)."""
    from . import body

    a = body.person_anchors(subject)
    target = a.head_centre()
    centre = float(target[2])
    q = geo.camera_quat_from_yaw_pitch_roll(start.yaw, start.pitch, start.roll)
    bottom, top = body.frame_cuts(start.position, q, start.focal, subject, sensor_width, aspect)
    half = 0.5 * (float(a.head_top) - float(a.chin)) * (1.0 + HEAD_MARGIN)
    ratios = [half / (float(top) - centre) if np.isfinite(top) and top > centre else 1.0,
              half / (centre - float(bottom)) if np.isfinite(bottom) and bottom < centre else 1.0]
    # the camera's distance to the target shrinks by the ratio: the share travelled is 1 - ratio
    return target, float(np.clip(1.0 - max(ratios), 0.0, DOLLY_MAX_SHARE))


def _aimed(pose: Pose, point: np.ndarray) -> Pose:
    """The pose turned (heading and pitch, keeping roll) to look at point."""
    d = np.asarray(point, np.float64) - pose.position
    if np.linalg.norm(d) < 1e-9:
        return pose
    yaw = float(np.arctan2(-d[0], d[1]))
    pitch = float(np.arctan2(d[2], np.linalg.norm(d[:2])))
    return replace(pose, yaw=yaw, pitch=pitch)
