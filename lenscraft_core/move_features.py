"""The move decoder's inputs and outputs (NumPy only; the network is lenscraft_core/train/move_decoder.py, its
ONNX graph moves.onnx in the model folder, run by inference/learned.py).

The move decoder fills in what a shot description leaves open: the amount of every move whose size the words do
not state, given the move (its label's text embedding, its kind, direction and speed word), its segment (how long,
which moves run beside it, whether it is the shot's first) and where the camera stands when the segment starts
(the previous segments' end: distance and lens relative to the subject, how much of the subject the frame holds,
how far a person's head is from the frame's edges). A stated amount is never predicted: it is kept exactly.

One row per move, FEATURE_SIZE wide, laid out as FEATURES names them, then the label embedding (D values). The
target is log(amount / KIND_SCALE[kind]) in the kind's native unit (moves.py: degrees; a share of the distance;
frames for truck / pedestal; the log of the focal ratio for zooms, of the distance ratio for a dolly zoom).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import body
from . import geometry as geo
from .moves import Move, Segment
from .plan import frame_size
from .schema import Subject, Trajectory

MOVE_KINDS = ("pan", "tilt", "roll", "arc", "dolly", "truck", "pedestal", "zoom", "dollyZoom")  # moves with amounts
# Arcs and zooms are named by their amount (a quarter / half / full orbit, a short / half / full zoom): the label
# states it, so the decoder decides the amounts of the other kinds only (the planner sizes a slow arc or zoom).
PREDICTED_KINDS = tuple(k for k in MOVE_KINDS if k not in ("arc", "zoom"))
KIND_SCALE = {"pan": 30.0, "tilt": 20.0, "roll": 15.0, "arc": 90.0, "dolly": 0.3, "truck": 0.5, "pedestal": 0.5,
              "zoom": 0.5, "dollyZoom": 0.5}
SPEED_SLOTS = (None, "slow", "fast", "whip")
STATE = ("log_depth", "log_frame_height", "log_focal", "elevation", "pitch", "person", "head_room", "chin_room",
         "aim_x", "aim_y")
SEGMENT = ("log_seconds", "first", "moves")  # seconds: the move's own (a stated duration, else its segment's)
FEATURES = (tuple(f"kind_{k}" for k in MOVE_KINDS) + ("sign",) + tuple(f"speed_{s}" for s in SPEED_SLOTS)
            + SEGMENT + tuple(f"beside_{k}" for k in MOVE_KINDS) + STATE)
FEATURE_VERSION = 2


def feature_size(embedding_dim: int) -> int:
    return len(FEATURES) + int(embedding_dim)


@dataclass(frozen=True)
class SegmentState:
    """Where the camera stands when a segment starts, relative to what it frames (the STATE features)."""

    values: np.ndarray               # (len(STATE),)
    frame_size: tuple[float, float]  # the frame's width and height (m) at the framed point


def framed_point(subject: Subject, frame: int, aim: np.ndarray | None = None) -> np.ndarray:
    """What the camera frames at this frame: an aim target, a person's head centre (as plan._head_target aims),
    else the subject's centre."""
    if aim is not None:
        points = np.asarray(aim, np.float64).reshape(-1, 3)
        return points[min(frame, len(points) - 1)]
    if body.is_person(subject):
        return body.person_anchors(subject).head_centre()
    return subject.positions(frame + 1)[frame] if subject.is_moving else subject.positions(1)[0]


def segment_state(traj: Trajectory, frame: int, subject: Subject, aim: np.ndarray | None = None) -> SegmentState:
    """The STATE features of the camera at `frame` of a planned trajectory (the start of a segment)."""
    pos = traj.position[frame]
    R = geo.quat_to_matrix(traj.rotation[frame])
    focal = float(traj.focal_length[frame])
    target = framed_point(subject, frame, aim)
    height = max(float(subject.size[2]), 1e-3)
    to = target - pos
    depth = max(float(np.linalg.norm(to)), 1e-6)
    frame_w, frame_h = frame_size(focal, depth, traj.sensor_width, traj.aspect)
    elevation = float(np.arcsin(np.clip(-to[2] / depth, -1.0, 1.0)))  # > 0: the camera is above what it frames
    pitch = float(geo.yaw_pitch_roll(R)[1])
    person = body.is_person(subject)
    head_room = chin_room = 0.0
    if person:
        a = body.person_anchors(subject)
        bottom, top = body.frame_cuts(pos, traj.rotation[frame], focal, subject, traj.sensor_width, traj.aspect)
        span = max(float(top) - float(bottom), 1e-6) if np.isfinite(top) and np.isfinite(bottom) else frame_h
        head_room = float(np.clip((float(top) - float(a.head_top)) / span, -2, 2)) if np.isfinite(top) else 2.0
        chin_room = float(np.clip((float(a.chin) - float(bottom)) / span, -2, 2)) if np.isfinite(bottom) else 2.0
    local = R.T @ to  # the framed point in the camera's frame (x right, y up, looking down -z)
    ahead = max(-float(local[2]), 1e-6)
    # where it sits on screen, -1..1 inside the frame: its offset over half the frame at its depth
    aim_x = float(np.clip(local[0] / ahead * depth / (frame_w / 2), -3, 3))
    aim_y = float(np.clip(local[1] / ahead * depth / (frame_h / 2), -3, 3))
    values = np.array([np.log(depth / height), np.log(frame_h / height), np.log(focal / 50.0), elevation, pitch,
                       float(person), head_room, chin_room, aim_x, aim_y])
    return SegmentState(values, (frame_w, frame_h))


def move_row(move: Move, segment: Segment, seconds: float, first: bool, state: SegmentState,
             embedding: np.ndarray) -> np.ndarray:
    """One move's input row (FEATURES, then the movement label's text embedding)."""
    kinds = np.array([move.kind == k for k in MOVE_KINDS], np.float64)
    speed = np.array([move.speed == s for s in SPEED_SLOTS], np.float64)
    beside = np.zeros(len(MOVE_KINDS))
    for other in segment.moves:
        if other is not move and other.kind in MOVE_KINDS:
            beside[MOVE_KINDS.index(other.kind)] = 1.0
    # a stated duration is the time the move has, as a segment of that length would give it (plan._resolve)
    span = min(move.duration_s, seconds) if move.duration_s else seconds
    seg = [np.log(max(span, 1e-3)), float(first), float(len(segment.moves))]
    return np.concatenate([kinds, [float(move.sign)], speed, seg, beside, state.values,
                           np.asarray(embedding, np.float64)]).astype(np.float32)


def native_amount(move: Move, frame_size: tuple[float, float] | None = None) -> float:
    """A performed move's amount in the kind's native unit (frames for truck / pedestal: metres over the frame's
    width / height at the framed point, frame_size; logs of ratios for zooms)."""
    kind, amount = move.kind, float(move.amount or 0.0)
    if kind in ("zoom", "dollyZoom"):
        return float(np.log(max(amount, 1.0 + 1e-6)))
    if kind in ("truck", "pedestal") and move.unit == "m":
        if frame_size is None:
            raise ValueError("a truck / pedestal in metres needs the frame size to convert")
        return amount / frame_size[0 if kind == "truck" else 1]
    return amount


def target_value(move: Move, frame_size: tuple[float, float] | None = None) -> float:
    return float(np.log(max(native_amount(move, frame_size), 1e-4) / KIND_SCALE[move.kind]))


def predicted_move(move: Move, value: float, frame_size: tuple[float, float] | None = None) -> Move:
    """The move with the decoder's output (a target_value) as its amount, in the unit the planner reads. A pedestal
    goes in metres (frame_size: the frame's width and height at the framed point), so that only a pedestal the words
    size in frames ("crane up over the subject") is a crane (plan._crane_over)."""
    kind = move.kind
    native = float(np.exp(np.clip(value, -8.0, 4.0)) * KIND_SCALE[kind])
    if kind in ("zoom", "dollyZoom"):
        return Move(move.movement, round(float(np.exp(native)), 4), None, move.speed, move.duration_s)
    if kind == "pedestal" and frame_size is not None:
        return Move(move.movement, round(native * frame_size[1], 4), "m", move.speed, move.duration_s)
    unit = "frame" if kind in ("truck", "pedestal") else None
    return Move(move.movement, round(native, 4), unit, move.speed, move.duration_s)
