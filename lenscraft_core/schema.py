"""The data model: Subject, Trajectory, Instruction, Shot, and ShotBatch (the array form used by the simulator and
training). All in the canonical frame of geometry.py (Z up, metres, quaternions w-x-y-z, camera looks down -Z).
Validation lives here so every reader and writer shares it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from . import geometry as geo
from .errors import DataError
from .vocabulary import FIELD_NAMES, FIELDS

# Sanity limits: beyond these a value is a unit or export mistake, not a camera move.
MAX_COORD_M = 1.0e5
MAX_FRAMES = 100_000
FOCAL_RANGE_MM = (1.0, 5000.0)
# The lenses generated shots are clamped into: real camera lenses (fisheye to long tele), narrower than what
# validation accepts, because a predicted focal length outside it is a model error, not a creative choice.
GENERATED_FOCAL_RANGE_MM = (4.0, 2000.0)
SENSOR_RANGE_MM = (1.0, 200.0)
ASPECT_RANGE = (0.05, 20.0)  # image width / height
FPS_RANGE = (1.0, 1000.0)
# The reference sensor: the simulator's default, so the model's lens and framing are on this sensor (the Engine
# converts them to the one a shot asks for, inference/decode.py sensor_scale).
DEFAULT_SENSOR_WIDTH_MM = 36.0
DEFAULT_ASPECT = 16.0 / 9.0
DEFAULT_FPS = 24.0


def is_finite_number(v: object) -> bool:
    """A real number (Python or NumPy, not a bool) that is finite: what every numeric option must be."""
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) and bool(np.isfinite(v))


def _finite(name: str, a: np.ndarray, where: str, limit: float = MAX_COORD_M) -> None:
    if not np.all(np.isfinite(a)):
        bad = np.argwhere(~np.isfinite(a))[0]
        raise DataError(f"{name} has a non-finite value (NaN or inf) at index {tuple(int(i) for i in bad)}", where)
    if a.size and np.abs(a).max() > limit:
        raise DataError(f"{name} has an absurd magnitude {np.abs(a).max():.3g} (limit {limit:g})", where)


def _shape(name: str, a: np.ndarray, shape: tuple, where: str) -> None:
    if a.ndim != len(shape) or any(s is not None and s != n for s, n in zip(shape, a.shape)):
        want = "(" + ", ".join("N" if s is None else str(s) for s in shape) + ")"
        raise DataError(f"{name} has shape {a.shape}, expected {want}", where)


def _quat(name: str, q: np.ndarray, where: str) -> np.ndarray:
    _finite(name, q, where)
    n = np.linalg.norm(q, axis=-1)
    if np.any(n < 1e-6):
        raise DataError(f"{name} contains a zero quaternion", where)
    return q / n[..., None]


@dataclass
class Subject:
    """What the camera frames: an oriented box. position is the box centre; size the full extents along the
    subject's local axes; rotation object-to-world. motion_* give per-frame centre/rotation for moving subjects."""

    position: np.ndarray
    size: np.ndarray
    rotation: np.ndarray = field(default_factory=lambda: np.array([1.0, 0.0, 0.0, 0.0]))
    name: str = "subject"
    object_class: str | None = None
    motion_position: np.ndarray | None = None
    motion_rotation: np.ndarray | None = None

    def __post_init__(self) -> None:
        self.position = np.asarray(self.position, dtype=np.float64)
        self.size = np.asarray(self.size, dtype=np.float64)
        self.rotation = np.asarray(self.rotation, dtype=np.float64)
        if self.motion_position is not None:
            self.motion_position = np.asarray(self.motion_position, dtype=np.float64)
        if self.motion_rotation is not None:
            self.motion_rotation = np.asarray(self.motion_rotation, dtype=np.float64)

    @property
    def matrix(self) -> np.ndarray:
        return geo.quat_to_matrix(self.rotation)

    @property
    def extent(self) -> float:
        """Largest dimension: the subject's size for shot framing (see framing.shot_coverage)."""
        return float(np.max(self.size))

    @property
    def is_moving(self) -> bool:
        return self.motion_position is not None or self.motion_rotation is not None

    def positions(self, frames: int) -> np.ndarray:
        if self.motion_position is not None:
            return self.motion_position
        return np.broadcast_to(self.position, (frames, 3))

    def rotations(self, frames: int) -> np.ndarray:
        if self.motion_rotation is not None:
            return self.motion_rotation
        return np.broadcast_to(self.rotation, (frames, 4))

    def slice(self, start: int, stop: int) -> "Subject":
        """The subject over frames start..stop-1 (its motion cut to them; a still subject is itself)."""
        if not self.is_moving:
            return self
        return Subject(self.position, self.size, self.rotation, self.name, self.object_class,
                       None if self.motion_position is None else self.motion_position[start:stop],
                       None if self.motion_rotation is None else self.motion_rotation[start:stop])

    def validate(self, where: str = "subject", frames: int | None = None) -> "Subject":
        _shape("position", self.position, (3,), where)
        _shape("size", self.size, (3,), where)
        _shape("rotation", self.rotation, (4,), where)
        _finite("position", self.position, where)
        _finite("size", self.size, where)
        if np.any(self.size <= 0):
            raise DataError(f"size must be positive on every axis, got {self.size.tolist()}", where)
        self.rotation = _quat("rotation", self.rotation, where)
        if self.motion_position is not None:
            _shape("motion_position", self.motion_position, (frames, 3), where)
            _finite("motion_position", self.motion_position, where)
        if self.motion_rotation is not None:
            _shape("motion_rotation", self.motion_rotation, (frames, 4), where)
            self.motion_rotation = _quat("motion_rotation", self.motion_rotation, where)
        return self


@dataclass
class Trajectory:
    """A camera over time: per-frame position (F, 3), camera-to-world rotation quaternion (F, 4), focal length (F,)
    in mm; sensor width in mm (applied to the larger image side), image aspect (width / height), frame rate and the
    scene frame number of the first frame."""

    position: np.ndarray
    rotation: np.ndarray
    focal_length: np.ndarray
    sensor_width: float = DEFAULT_SENSOR_WIDTH_MM
    aspect: float = DEFAULT_ASPECT
    fps: float = DEFAULT_FPS
    frame_start: int = 1

    def __post_init__(self) -> None:
        self.position = np.asarray(self.position, dtype=np.float64)
        self.rotation = np.asarray(self.rotation, dtype=np.float64)
        self.focal_length = np.asarray(self.focal_length, dtype=np.float64)
        if self.focal_length.ndim == 0:
            self.focal_length = np.full(len(self.position), float(self.focal_length))

    @property
    def frame_count(self) -> int:
        return int(self.position.shape[0])

    @property
    def matrices(self) -> np.ndarray:
        return geo.quat_to_matrix(self.rotation)

    @property
    def duration(self) -> float:
        return self.frame_count / self.fps

    @classmethod
    def from_matrices(cls, position: np.ndarray, rot: np.ndarray, focal_length: Any, **kw: Any) -> "Trajectory":
        return cls(position, geo.quat_continuity(geo.matrix_to_quat(rot)), focal_length, **kw)

    def slice(self, start: int, stop: int) -> "Trajectory":
        return Trajectory(self.position[start:stop], self.rotation[start:stop], self.focal_length[start:stop],
                          self.sensor_width, self.aspect, self.fps, self.frame_start + start)

    def validate(self, where: str = "trajectory") -> "Trajectory":
        f = self.frame_count if self.position.ndim == 2 else -1
        if f == 0:
            raise DataError("has zero frames", where)
        if f > MAX_FRAMES:
            raise DataError(f"has {f} frames (limit {MAX_FRAMES})", where)
        _shape("position", self.position, (None, 3), where)
        _shape("rotation", self.rotation, (f, 4), where)
        _shape("focal_length", self.focal_length, (f,), where)
        _finite("position", self.position, where)
        self.rotation = _quat("rotation", self.rotation, where)
        _finite("focal_length", self.focal_length, where)
        lo, hi = FOCAL_RANGE_MM
        if self.focal_length.min() < lo or self.focal_length.max() > hi:
            raise DataError(f"focal_length outside {lo:g}-{hi:g} mm (got {self.focal_length.min():.4g}-"
                            f"{self.focal_length.max():.4g})", where)
        for name, value, (lo, hi) in (("sensor_width", self.sensor_width, SENSOR_RANGE_MM),
                                      ("fps", self.fps, FPS_RANGE), ("aspect", self.aspect, ASPECT_RANGE)):
            if not (isinstance(value, (int, float)) and np.isfinite(value) and lo <= value <= hi):
                raise DataError(f"{name} must be a number in {lo:g}-{hi:g}, got {value!r}", where)
        return self


@dataclass
class Instruction:
    """Labels for a span of frames [start, start + count) of a shot. Unset fields are None. source says where the
    labels came from: simulator, v1, user, marker, csv or predicted (by describe)."""

    movement: str | None = None
    easing: str | None = None
    angle: str | None = None
    shot_type: str | None = None
    view: str | None = None
    start: int = 0
    count: int | None = None
    subject_index: int = 0
    source: str = "user"
    params: dict[str, Any] = field(default_factory=dict)

    def labels(self) -> dict[str, str]:
        return {f: getattr(self, f) for f in FIELD_NAMES if getattr(self, f) is not None}

    def validate(self, where: str = "instruction", frames: int | None = None, subjects: int | None = None
                 ) -> "Instruction":
        for f in FIELD_NAMES:
            value = getattr(self, f)
            if value is not None:
                try:
                    setattr(self, f, FIELDS[f].resolve(value))
                except KeyError as e:
                    raise DataError(str(e), where) from None
        if frames is not None:
            count = frames - self.start if self.count is None else self.count
            if self.start < 0 or count <= 0 or self.start + count > frames:
                raise DataError(f"frame span start={self.start} count={self.count} does not fit {frames} frames",
                                where)
        if subjects is not None and not (0 <= self.subject_index < max(subjects, 1)):
            raise DataError(f"subject_index {self.subject_index} but the shot has {subjects} subject(s)", where)
        return self


@dataclass
class Shot:
    trajectory: Trajectory
    subjects: list[Subject] = field(default_factory=list)
    instructions: list[Instruction] = field(default_factory=list)
    name: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def subject(self) -> Subject | None:
        """The subject of the first instruction (or the first subject)."""
        if not self.subjects:
            return None
        idx = self.instructions[0].subject_index if self.instructions else 0
        return self.subjects[idx]

    @property
    def labels(self) -> dict[str, str]:
        return self.instructions[0].labels() if self.instructions else {}

    def validate(self, where: str = "shot") -> "Shot":
        self.trajectory.validate(where)
        frames = self.trajectory.frame_count
        for i, s in enumerate(self.subjects):
            s.validate(f"{where}: subjects[{i}]", frames)
        for i, ins in enumerate(self.instructions):
            ins.validate(f"{where}: instructions[{i}]", frames, len(self.subjects))
        return self

    def split(self) -> list["Shot"]:
        """One shot per instruction (its own frames and subject motion): how multi-instruction data becomes samples."""
        if len(self.instructions) <= 1:
            return [self]
        out = []
        for k, ins in enumerate(self.instructions):
            count = self.trajectory.frame_count - ins.start if ins.count is None else ins.count
            a, b = ins.start, ins.start + count
            subjects = [s.slice(a, b) for s in self.subjects]
            new_ins = Instruction(**{**ins.__dict__, "start": 0, "count": count, "params": dict(ins.params)})
            name = f"{self.name or 'shot'}#{k}"
            out.append(Shot(self.trajectory.slice(a, b), subjects, [new_ins], name, dict(self.metadata)))
        return out


@dataclass
class ShotBatch:
    """N shots of F frames as arrays: what the simulator makes and training consumes.

    cam_pos (N, F, 3), cam_rot (N, F, 4), focal (N, F); subject_pos (N, F, 3) and subject_rot (N, F, 4) per frame
    (constant for a static subject), subject_size (N, 3); labels[field] (N,) int indices into the vocabulary field;
    fps (N,); sensor_width and aspect are shared; person (N,) bool marks the subjects that are people (framed by
    the body, body.py; None: no person).
    """

    cam_pos: np.ndarray
    cam_rot: np.ndarray
    focal: np.ndarray
    subject_pos: np.ndarray
    subject_rot: np.ndarray
    subject_size: np.ndarray
    labels: Mapping[str, np.ndarray]
    fps: np.ndarray
    sensor_width: float = DEFAULT_SENSOR_WIDTH_MM
    aspect: float = DEFAULT_ASPECT
    params: Mapping[str, np.ndarray] = field(default_factory=dict)
    person: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.cam_pos.shape[0])

    @property
    def is_person(self) -> np.ndarray:
        """(N,) bool: which subjects are people."""
        return np.zeros(len(self), bool) if self.person is None else np.asarray(self.person, bool)

    @property
    def frames(self) -> int:
        return int(self.cam_pos.shape[1])

    def label_names(self, i: int) -> dict[str, str]:
        return {f: FIELDS[f].names[int(v[i])] for f, v in self.labels.items()}

    def shot(self, i: int, source: str = "simulator") -> Shot:
        moving = not (np.allclose(self.subject_pos[i], self.subject_pos[i, :1])
                      and np.allclose(self.subject_rot[i], self.subject_rot[i, :1]))
        subject = Subject(self.subject_pos[i, 0], self.subject_size[i], self.subject_rot[i, 0],
                          name="person" if self.is_person[i] else "subject",
                          object_class="person" if self.is_person[i] else None,
                          motion_position=self.subject_pos[i] if moving else None,
                          motion_rotation=self.subject_rot[i] if moving else None)
        traj = Trajectory(self.cam_pos[i], self.cam_rot[i], self.focal[i], self.sensor_width, self.aspect,
                          float(self.fps[i]), 1)
        params = {k: float(v[i]) for k, v in self.params.items()}
        ins = Instruction(**self.label_names(i), start=0, count=self.frames, source=source, params=params)
        return Shot(traj, [subject], [ins], name=f"sim{i}")

    def shots(self) -> list[Shot]:
        return [self.shot(i) for i in range(len(self))]

    def subset(self, idx: np.ndarray) -> "ShotBatch":
        return ShotBatch(self.cam_pos[idx], self.cam_rot[idx], self.focal[idx], self.subject_pos[idx],
                         self.subject_rot[idx], self.subject_size[idx], {k: v[idx] for k, v in self.labels.items()},
                         self.fps[idx], self.sensor_width, self.aspect, {k: v[idx] for k, v in self.params.items()},
                         None if self.person is None else self.person[idx])
