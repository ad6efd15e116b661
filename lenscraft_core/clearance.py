"""Keep a camera path clear of the floor and of the scene's other objects, as a camera operator would: a move that
dips into the floor or through a crate is lifted or pushed aside smoothly over the frames around the violation (not
clamped flat, which would freeze the move and turn a crane into a tilt), and the camera re-aims so the point it
frames stays where it was on screen.

Conventions are geometry's (Blender frame, Z up, metres, cameras look down -Z, camera-to-world quaternions w-x-y-z).
Everything is vectorised over frames; loops run only over obstacles, violation segments and box faces.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from . import geometry as geo
from .errors import LensCraftError

Array = np.ndarray

MIN_BLEND_FRAMES = 12  # half a second at 24 fps: the shortest ramp a correction fades in and out over
MAX_BLEND_FRAMES = 240  # longer violations blend over at most ten seconds (keeps the work linear in frames)
MAX_CORRECTION_JERK = 1e-3  # m per frame^3: how sharply a correction may change the camera's acceleration
MAX_REAIM_DEG = 60.0  # a push that turns the view to the aim point more than this loses the shot: refused
MIN_AIM_DISTANCE_M = 0.1  # nor may a push bring the camera this close to the aim point
_EPS = 1e-9  # metres: corrections land just clear of a limit, not on it


@dataclass
class Box:
    """An obstacle: an oriented box (centre, full extents along its own axes, object-to-world quaternion w-x-y-z)
    with the name notes use."""

    centre: Array
    size: Array
    rotation: Array = field(default_factory=lambda: np.array([1.0, 0.0, 0.0, 0.0]))
    name: str = "obstacle"

    def __post_init__(self) -> None:
        self.centre = _finite_array(self.centre, (3,), f"obstacle '{self.name}' centre")
        self.size = _finite_array(self.size, (3,), f"obstacle '{self.name}' size")
        self.rotation = _finite_array(self.rotation, (4,), f"obstacle '{self.name}' rotation")
        if np.any(self.size <= 0):
            raise LensCraftError(f"obstacle '{self.name}' size must be positive on every axis, got {self.size}")
        norm = float(np.linalg.norm(self.rotation))
        if norm < 1e-6:
            raise LensCraftError(f"obstacle '{self.name}' rotation is not a rotation (zero quaternion)")
        self.rotation = self.rotation / norm

    @property
    def matrix(self) -> Array:
        return geo.quat_to_matrix(self.rotation)

    def local(self, points: Array) -> Array:
        """Points (F, 3) in the box's own axes, relative to its centre."""
        return (np.asarray(points, np.float64) - self.centre) @ self.matrix

    def contains(self, points: Array, margin: float = 0.0) -> Array:
        """(F,) True where a point lies inside the box grown by `margin` on every side."""
        return np.all(np.abs(self.local(points)) <= self.size / 2 + margin, axis=-1)


@dataclass
class Cleared:
    """keep_clear's answer: the corrected path, what could not be fixed (one sentence each), and whether anything
    moved (False: position and rotation are the input arrays' values, bit for bit)."""

    position: Array
    rotation: Array
    notes: list[str]
    moved: bool


def keep_clear(position: Array, rotation: Array, aim: Array, floor: float | None, clearance: float = 0.25,
               obstacles: Sequence[Box] = (), margin: float = 0.1, first_frame: int = 0) -> Cleared:
    """The camera path (F, 3) + quaternions (F, 4) kept at least `clearance` above `floor` (None: no floor) and out
    of every obstacle grown by `margin`, re-aimed so `aim` ((F, 3) or (3,): the point the shot frames) stays where it
    was on screen, with the same roll. A path that dips below the floor is lifted smoothly around the dip; a path
    through a box is pushed out through the face nearest over the whole pass (sideways or up, never down). Where a
    box cannot be left (the camera starts inside it, the push would hit another box or the floor, or would lose the
    aim point) the path is left as it is there and a note says so; notes number frames from `first_frame`."""
    pos0, rot0, aim = _check_path(position, rotation, aim)
    floor, clearance, margin = _check_limits(floor, clearance, margin)
    boxes = list(obstacles)
    for i, box in enumerate(boxes):
        if not isinstance(box, Box):
            raise LensCraftError(f"obstacle {i} must be a clearance.Box, got {type(box).__name__}")
    pos, notes = pos0.copy(), []
    if floor is not None:
        need = floor + clearance - pos[:, 2]
        if np.any(need > 0):
            pos[:, 2] += smooth_lift(np.where(need > 0, need + _EPS, 0.0))
    for box in boxes:
        pos = _clear_box(pos, pos0, aim, box, boxes, floor, clearance, margin, first_frame, notes)
    notes += _leftovers(pos, pos0, boxes, floor, clearance, margin, first_frame, notes)
    changed = np.any(pos != pos0, axis=1)
    if not changed.any():
        return Cleared(pos0, rot0, notes, False)
    rot = rot0.copy()
    rot[changed] = reaim(pos0[changed], rot0[changed], pos[changed], aim[changed])
    return Cleared(pos, geo.quat_continuity(rot), notes, True)


# ---------------------------------------------------------------------------------------------------- smooth lifts
def smooth_lift(need: Array) -> Array:
    """A smooth offset (F,) >= need (F,) (need: how far each frame must move, 0 where it is fine) that is exactly 0
    away from the violations: each run of violating frames, deepest first, is blurred with a squared raised-cosine
    window at least as wide as the run (see _blend_width) and added, scaled just enough to cover what the runs before
    it left uncovered. The blur keeps the offset's velocity and acceleration continuous, and its width keeps a lift
    gentler than the move it lifts (a crane that starts in the floor still rises). A run that touches the first or
    last frame continues as if the path went on."""
    need = np.asarray(need, np.float64)
    F, lift = len(need), np.zeros(len(need))
    for a, b in sorted(_runs(need > 0), key=lambda r: -float(need[r[0]:r[1] + 1].max())):
        w = _blend_width(need, a, b)
        idx = np.arange(a - 2 * w, b + 2 * w + 1)
        src = np.where((idx >= a) & (idx <= b), need[np.clip(idx, a, b)], 0.0)
        if a == 0:
            src[idx < 0] = need[0]
        if b == F - 1:
            src[idx > F - 1] = need[F - 1]
        k = np.arange(-w, w + 1)
        kernel = (0.5 * (1.0 + np.cos(np.pi * k / w))) ** 2  # zero slope and curvature at its ends: no jerk spike
        blurred = np.convolve(src, kernel / kernel.sum(), mode="valid")  # frames a - w .. b + w
        short = need[a:b + 1] - lift[a:b + 1]
        hit = short > 0
        if not hit.any():
            continue  # the deeper runs' lifts already cover this one
        scale = float(np.max(short[hit] / blurred[w:w + b - a + 1][hit])) * (1.0 + 1e-12)  # >= need despite rounding
        lo, hi = max(a - w, 0), min(b + w, F - 1)
        lift[lo:hi + 1] += scale * blurred[lo - (a - w):hi - (a - w) + 1]
    return lift


def _blend_width(need: Array, a: int, b: int) -> int:
    """Half-width (frames) of the blend for the run a..b: at least the run's length, and wide enough that the
    correction's own jerk stays under MAX_CORRECTION_JERK (the blend window of height N and half-width w has a peak
    third difference of about 42 N / w^3; a wider need blurs gentler than that)."""
    depth = float(need[a:b + 1].max())
    w = max(b - a + 1, np.cbrt(42.0 * depth / MAX_CORRECTION_JERK))
    return int(np.clip(np.ceil(w), MIN_BLEND_FRAMES, MAX_BLEND_FRAMES))


def _runs(mask: Array, gap: int = 3) -> list[tuple[int, int]]:
    """segments of mask, runs at most `gap` frames apart taken as one (a path grazing a limit is one violation)."""
    out: list[tuple[int, int]] = []
    for a, b in segments(mask):
        if out and a - out[-1][1] <= gap:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def segments(mask: Array) -> list[tuple[int, int]]:
    """(first, last) frame of each run of True in a (F,) mask."""
    m = np.concatenate([[False], np.asarray(mask, bool), [False]])
    edges = np.flatnonzero(m[1:] != m[:-1])
    return [(int(s), int(e) - 1) for s, e in zip(edges[::2], edges[1::2])]


# ---------------------------------------------------------------------------------------------------- re-aiming
def reaim(old_pos: Array, old_rot: Array, new_pos: Array, aim: Array) -> Array:
    """Quaternions (F, 4) for cameras moved from old_pos to new_pos that show `aim` where old_rot showed it, with
    the same roll: only heading and tilt change. With R = Rz(yaw) Rx(tilt) Rz(roll) (geometry's camera angles), the
    aim's direction in the camera is kept, which fixes tilt by the aim's height and then yaw by its bearing. Where no
    such heading exists (the aim straight above or below, or far to the side of a steep view) the smallest turn
    that keeps the aim on screen is used instead."""
    R = geo.quat_to_matrix(old_rot)
    d_old = geo.normalize(aim - old_pos)
    d_new = geo.normalize(aim - new_pos)
    u = np.einsum("fji,fj->fi", R, d_old)  # the aim's direction in camera axes: its place on screen
    tilt = np.arccos(np.clip(R[:, 2, 2], -1.0, 1.0))
    roll = np.arctan2(R[:, 2, 0], R[:, 2, 1])
    v = np.einsum("fij,fj->fi", geo.axis_rotation(2, roll), u)  # Rz(roll) u
    rho = np.hypot(v[:, 1], v[:, 2])
    beta = np.arctan2(v[:, 1], v[:, 2])
    spread = np.arccos(np.clip(d_new[:, 2] / np.maximum(rho, 1e-12), -1.0, 1.0))
    options = np.stack([beta + spread, beta - spread], -1)
    gap = np.abs(np.angle(np.exp(1j * (options - tilt[:, None]))))
    new_tilt = np.take_along_axis(options, np.argmin(gap, -1)[:, None], -1)[:, 0]
    w = np.einsum("fij,fj->fi", geo.axis_rotation(0, new_tilt), v)  # Rx(tilt') Rz(roll) u, before the heading
    new_yaw = np.arctan2(d_new[:, 1], d_new[:, 0]) - np.arctan2(w[:, 1], w[:, 0])
    R_new = geo.axis_rotation(2, new_yaw) @ geo.axis_rotation(0, new_tilt) @ geo.axis_rotation(2, roll)
    exact = np.einsum("fji,fj->fi", R_new, d_new)
    solved = (np.sin(tilt) > 1e-6) & (np.hypot(w[:, 0], w[:, 1]) > 1e-6) & (np.hypot(d_new[:, 0], d_new[:, 1]) > 1e-6)
    solved &= (np.abs(d_new[:, 2]) <= rho) & np.all(np.abs(exact - u) < 1e-6, axis=-1)
    turn = _smallest_turn(d_old, d_new)
    R_new = np.where(solved[:, None, None], R_new, turn @ R)
    q = geo.matrix_to_quat(R_new)
    return np.where(np.sum(q * old_rot, -1, keepdims=True) < 0, -q, q)


def _smallest_turn(a: Array, b: Array) -> Array:
    """Rotation matrices (F, 3, 3) taking unit vectors a onto b about their common normal."""
    axis = np.cross(a, b)
    s = np.linalg.norm(axis, axis=-1)
    angle = np.arctan2(s, np.sum(a * b, -1))
    safe = np.where(s[:, None] > 1e-12, axis, geo.normalize(np.cross(a, np.array([0.0, 0.0, 1.0])) + 1e-9))
    return geo.axis_angle_matrix(safe, angle)


# ---------------------------------------------------------------------------------------------------- obstacles
def _clear_box(pos: Array, pos0: Array, aim: Array, box: Box, boxes: list[Box], floor: float | None,
               clearance: float, margin: float, first_frame: int, notes: list[str]) -> Array:
    """The path with each pass through `box` pushed out, pass by pass; passes that cannot be cleared stay."""
    given_up = np.zeros(len(pos), bool)
    half, R = box.size / 2 + margin, box.matrix
    for _ in range(len(pos)):  # each round clears or gives up one pass, so this ends
        inside = box.contains(pos, margin) & ~given_up
        runs = segments(inside)
        if not runs:
            return pos
        a, b = runs[0]
        given_up[a:b + 1] = True  # cleared or not, this pass is handled
        span = _frames_text(a, b, first_frame)
        if a == 0 and box.contains(pos0[:1], margin)[0]:
            notes.append(f"the camera starts inside '{box.name}': left as it is on {span}")
            continue
        local = box.local(pos[a:b + 1])
        faces = [(axis, sign) for axis in range(3) for sign in (1.0, -1.0) if sign * R[2, axis] > -0.5]
        depth = {f: half[f[0]] - f[1] * local[:, f[0]] for f in faces}  # how far each frame is from leaving
        for axis, sign in sorted(faces, key=lambda f: float(depth[f].max())):
            need = np.zeros(len(pos))
            need[a:b + 1] = depth[(axis, sign)] + _EPS
            trial = pos + smooth_lift(need)[:, None] * (sign * R[:, axis])
            if _acceptable(trial, pos, pos0, aim, box, boxes, floor, clearance, margin):
                pos = trial
                break
        else:
            notes.append(f"could not keep clear of '{box.name}' on {span}")
    return pos


def _acceptable(trial: Array, pos: Array, pos0: Array, aim: Array, box: Box, boxes: list[Box], floor: float | None,
                clearance: float, margin: float) -> bool:
    """A push is taken when the frames it moves enter no other box they were clear of, stay above the floor, and
    keep the aim point in reach (not too close, not turned through more than MAX_REAIM_DEG)."""
    moved = np.any(trial != pos, axis=1)
    t = trial[moved]
    if floor is not None and np.any(t[:, 2] < floor + clearance - 1e-7):
        return False
    for other in boxes:
        if other is not box and np.any(other.contains(t, margin) & ~other.contains(pos[moved], margin)):
            return False
    to_aim = aim[moved] - t
    dist = np.linalg.norm(to_aim, axis=-1)
    cos = np.sum(geo.normalize(to_aim) * geo.normalize(aim[moved] - pos0[moved]), -1)
    if np.any(dist < MIN_AIM_DISTANCE_M) or np.any(cos < np.cos(np.radians(MAX_REAIM_DEG))):
        return False
    # Nor may the move turn back on itself (a push along the direction of travel only re-times the pass).
    step, new_step = np.diff(pos, axis=0), np.diff(trial, axis=0)
    travelling = (moved[1:] | moved[:-1]) & (np.linalg.norm(step, axis=-1) > 1e-9)
    return bool(np.all(np.sum(step * new_step, -1)[travelling] > 0))


def _leftovers(pos: Array, pos0: Array, boxes: list[Box], floor: float | None, clearance: float, margin: float,
               first_frame: int, notes: list[str]) -> list[str]:
    """Notes for frames a later push moved into a box (or under the floor) that earlier checks had cleared."""
    out = []
    for box in boxes:
        new = box.contains(pos, margin) & ~box.contains(pos0, margin)
        for a, b in segments(new):
            out.append(f"could not keep clear of '{box.name}' on {_frames_text(a, b, first_frame)}")
    if floor is not None:
        for a, b in segments(pos[:, 2] < floor + clearance - 1e-7):
            out.append(f"could not keep above the floor on {_frames_text(a, b, first_frame)}")
    return [n for n in out if n not in notes]


def _frames_text(a: int, b: int, first_frame: int) -> str:
    return f"frame {a + first_frame}" if a == b else f"frames {a + first_frame}-{b + first_frame}"


# ---------------------------------------------------------------------------------------------------- input checks
def _finite_array(value: object, shape: tuple, name: str) -> Array:
    try:
        a = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise LensCraftError(f"{name} must be numbers, got {type(value).__name__}") from None
    if a.ndim != len(shape) or any(s is not None and s != n for s, n in zip(shape, a.shape)):
        want = "(" + ", ".join("F" if s is None else str(s) for s in shape) + ")"
        raise LensCraftError(f"{name} has shape {a.shape}, expected {want}")
    if not np.all(np.isfinite(a)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(a))[0])
        raise LensCraftError(f"{name} has a non-finite value (NaN or inf) at index {bad}")
    return a


def _check_path(position: object, rotation: object, aim: object) -> tuple[Array, Array, Array]:
    pos = _finite_array(position, (None, 3), "camera position")
    rot = _finite_array(rotation, (None, 4), "camera rotation")
    if len(rot) != len(pos):
        raise LensCraftError(f"camera rotation has {len(rot)} frames but position has {len(pos)}")
    if len(pos) == 0:
        raise LensCraftError("the camera path has no frames")
    norms = np.linalg.norm(rot, axis=-1)
    if np.any(np.abs(norms - 1.0) > 1e-3):
        f = int(np.argmax(np.abs(norms - 1.0)))
        raise LensCraftError(f"camera rotation at frame {f} is not a unit quaternion (norm {norms[f]:.4g})")
    target = _finite_array(aim, (3,), "aim point") if np.ndim(aim) == 1 else _finite_array(aim, (len(pos), 3),
                                                                                             "aim point")
    target = np.broadcast_to(target, pos.shape)
    if np.any(np.linalg.norm(target - pos, axis=-1) < 1e-9):
        raise LensCraftError("the aim point coincides with the camera on some frame: nothing to aim at")
    return pos, rot, target


def _check_limits(floor: object, clearance: object, margin: object) -> tuple[float | None, float, float]:
    values = []
    for name, value in (("floor", floor), ("clearance", clearance), ("margin", margin)):
        if name == "floor" and value is None:
            values.append(None)
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)) \
                or not np.isfinite(value):
            raise LensCraftError(f"{name} must be a finite number of metres, got {value!r}")
        if name != "floor" and value < 0:
            raise LensCraftError(f"{name} must not be negative, got {value!r}")
        values.append(float(value))
    return values[0], values[1], values[2]
