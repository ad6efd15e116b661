"""Helpers shared by the pose-file readers (transforms_json, kitti, tum, re10k): reading text strictly, checking and
repairing rotations, choosing the world's up axis, and building the Shot.

Conventions stay in c2w.py (to_blender, focal_mm_from_pixels, default_subject, ...) and geometry.py; this module
only adds what the pose formats need on top: their worlds have no fixed up (the world is usually the first camera's
frame or a SLAM map's), so `up="auto"` estimates it from the cameras (estimate_up), and their rotations are often
stored at reduced precision (float16), so near-orthonormal matrices are projected onto the nearest rotation with a
note instead of rejected. Scaled and mirrored matrices stay errors.

Every reader puts what it assumed or repaired in Shot.metadata["notes"] (a list of sentences).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from .. import geometry as geo
from ..errors import DataError
from ..files import atomic_writer
from ..schema import DEFAULT_ASPECT, DEFAULT_SENSOR_WIDTH_MM, FPS_RANGE, Shot, Subject, Trajectory
from .c2w import (CHARACTER_SIZE, DEFAULT_SUBJECT_SIZE, ORTHO_TOLERANCE, default_subject, from_blender,
                  make_subject, points_to_blender, to_blender)

HEAD_BYTES = 1 << 16  # how much of a file format sniffing reads
# float16 keeps 11 significant bits: entries near 1 round by up to ~5e-4, so R R^T is off by up to ~1e-3. Beyond
# REPAIR_TOLERANCE a matrix was not a rotation before it was stored (a scale, a shear, a typo).
REPAIR_TOLERANCE = 5e-3
DET_TOLERANCE = 1e-2  # |det - 1| beyond this is a scaled matrix
# up="auto" keeps the world axis nearest to the estimate unless the estimate is a horizon (which does not lean with
# the cameras' tilt) this far from every axis: pose files put their world on a camera's axes or on gravity, and a
# hand-held camera's horizon wanders by a few degrees.
SNAP_DEGREES = 20.0
_HORIZON_MIN_SPREAD = 0.01  # variance of the right vectors along their second axis: a pan of about 20 degrees
_UP_UNRELIABLE = 0.5  # |mean camera up| below this: the cameras disagree on up (rolls, flips)

_SPLIT = re.compile(r"[\s,]+")


# ---------------------------------------------------------------------------------------------------- reading text
def read_head(path: str | Path, size: int = HEAD_BYTES) -> str:
    """The first bytes of a file as text (undecodable bytes replaced): for sniffing a format."""
    with open(path, "rb") as f:
        return f.read(size).decode("utf-8", errors="replace")


def decode_utf8(data: bytes, where: str) -> str:
    """data as UTF-8 text; DataError naming the line and byte of the first invalid byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise DataError(f"is not UTF-8 text (byte 0x{data[e.start]:02x} at offset {e.start}); is this a binary "
                        f"file?", f"{where}: line {line}") from None


def read_text(path: str | Path) -> str:
    """A file's text, strictly UTF-8 (a BOM is dropped); DataError for a missing, unreadable or empty file."""
    path = Path(path)
    if not path.is_file():
        raise DataError("file not found" if not path.exists() else "is not a file", str(path))
    text = decode_utf8(path.read_bytes(), str(path)).removeprefix("\ufeff")
    if not text.strip():
        raise DataError("the file is empty", str(path))
    return text


def data_lines(text: str, comment: str = "#") -> list[tuple[int, str]]:
    """(1-based line number, stripped text) of every line that is neither blank nor a comment."""
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if line and not (comment and line.startswith(comment)):
            out.append((n, line))
    return out


def parse_numbers(line: str, where: str, columns: int | Sequence[int], names: Sequence[str] | None = None,
                  layout: str = "") -> np.ndarray:
    """The numbers on one line (separated by spaces, tabs or commas), checked: the column count is one of
    `columns`, every value parses and is finite. Errors name the column (by `names` when given); layout says
    what a line should hold."""
    cells = [c for c in _SPLIT.split(line) if c]
    allowed = (columns,) if isinstance(columns, int) else tuple(columns)
    if len(cells) not in allowed:
        want = " or ".join(str(c) for c in allowed)
        raise DataError(f"has {len(cells)} values, expected {want}{f' ({layout})' if layout else ''}", where)
    values = np.empty(len(cells))
    for i, cell in enumerate(cells):
        label = names[i] if names is not None and i < len(names) else f"column {i + 1}"
        try:
            values[i] = float(cell)
        except ValueError:
            raise DataError(f"{label} is not a number: {cell!r}", where) from None
        if not np.isfinite(values[i]):
            raise DataError(f"{label} is {cell} (NaN or infinite)", where)
    return values


def load_array(value: Any, what: str, where: str) -> tuple[np.ndarray, str]:
    """An array given as such or as a .npy / text file name; returns it and where it came from."""
    if isinstance(value, (str, Path)):
        where = str(value)
        p = Path(value)
        if not p.is_file():
            raise DataError(f"{what} file not found", where)
        try:
            if p.suffix.lower() == ".npy":
                value = np.load(p, allow_pickle=False)
            else:
                value = [parse_numbers(line, f"{where}: line {n}", range(1, 100)) for n, line in
                         data_lines(read_text(p))]
        except DataError:
            raise
        except ValueError as e:  # np.load on a pickled or broken file
            raise DataError(f"cannot read {what} ({e})", where) from None
    try:
        return np.asarray(value, dtype=np.float64), where
    except (TypeError, ValueError):
        raise DataError(f"{what} is not a regular numeric array", where) from None


def natural_key(text: str) -> tuple:
    """Sort key that orders embedded numbers by value: frame_2.png before frame_10.png."""
    return tuple((0, int(t), t) if t.isdigit() else (1, 0, t.lower()) for t in re.split(r"(\d+)", text) if t)


def write_text(path: str | Path, lines: Iterable[str], overwrite: bool = False) -> Path:
    """Write lines atomically (files.atomic_writer); refuses to replace a file unless overwrite."""
    path = Path(path)
    with atomic_writer(path, overwrite) as f:
        for line in lines:
            f.write(line + "\n")
    return path


def fmt(values: Iterable[float]) -> str:
    """Numbers as text that reads back exactly."""
    return " ".join(f"{float(v):.17g}" for v in values)


# ---------------------------------------------------------------------------------------------------- rotations
def nearest_rotations(R: np.ndarray, where: Callable[[int], str], what: str = "rotation"
                      ) -> tuple[np.ndarray, list[str]]:
    """Rotation matrices (F, 3, 3) checked and repaired.

    Finite values, det > 0 (a mirror is not a camera pose) and det near 1 (a scaled matrix is a units or export
    mistake) are required; DataError names the frame by where(frame). Matrices off orthonormal by up to
    REPAIR_TOLERANCE (float16 storage and the like) are replaced by the nearest rotation (SVD: U V^T) and a note
    says so; beyond that they are errors. Returns (rotations, notes)."""
    R = np.asarray(R, dtype=np.float64)
    for f in np.flatnonzero(~np.all(np.isfinite(R), axis=(1, 2))):
        raise DataError(f"{what} has a NaN or infinite value", where(int(f)))
    det = np.linalg.det(R)
    err = np.abs(R @ np.swapaxes(R, 1, 2) - np.eye(3)).max(axis=(1, 2))
    for f in np.flatnonzero(det <= 0):
        raise DataError(f"{what} is mirrored (det {det[f]:.3g} < 0): not a camera pose; is the handedness of the "
                        f"file's axes right?", where(int(f)))
    for f in np.flatnonzero(np.abs(det - 1) > DET_TOLERANCE):
        raise DataError(f"{what} is scaled (det {det[f]:.4g}, expected 1): a camera pose has no scale; divide it "
                        f"out before export", where(int(f)))
    for f in np.flatnonzero(err > REPAIR_TOLERANCE):
        raise DataError(f"{what} is not a rotation (orthonormality error {err[f]:.2g}, limit "
                        f"{REPAIR_TOLERANCE:g} for repair)", where(int(f)))
    notes = []
    bad = np.flatnonzero(err > ORTHO_TOLERANCE)
    if len(bad):
        U, _, Vt = np.linalg.svd(R[bad])
        R = R.copy()
        R[bad] = U @ Vt
        notes.append(f"re-orthonormalised {len(bad)} of {len(R)} rotations to the nearest rotation (SVD): "
                     f"orthonormality error up to {err.max():.2g} (tolerance {ORTHO_TOLERANCE:g}), as from float16 "
                     f"storage")
    return R, notes


# ---------------------------------------------------------------------------------------------------- world up
def camera_up_vectors(R: np.ndarray, camera_axes: str = "opengl") -> np.ndarray:
    """Each camera's up direction (F, 3) in its world: local +y for OpenGL axes, local -y for OpenCV axes."""
    up = np.asarray(R, dtype=np.float64)[..., :, 1]
    return -up if str(camera_axes).lower() == "opencv" else up


@dataclass
class UpEstimate:
    """What estimate_up found: the unit up vector in the file's world, the world axis nearest to it (one of
    geometry.UP_AXES) and the angle between them, how it was found, and whether the cameras agree enough to
    trust it."""

    vector: np.ndarray
    axis: str
    angle_deg: float
    method: str
    reliable: bool = True

    def describe(self) -> str:
        v = ", ".join(f"{c:.3f}" for c in self.vector)
        trust = "" if self.reliable else "; unreliable: the cameras' up vectors disagree (rolls or flips)"
        return f"{self.method} ({v}) is {self.angle_deg:.1f} degrees from {self.axis}{trust}"


def nearest_axis(v: np.ndarray) -> tuple[str, float]:
    """The signed world axis ("+x" ... "-z") nearest to vector v and the angle to it in degrees."""
    v = geo.normalize(np.asarray(v, dtype=np.float64))
    i = int(np.argmax(np.abs(v)))
    axis = ("+" if v[i] >= 0 else "-") + "xyz"[i]
    return axis, float(np.degrees(np.arccos(np.clip(abs(v[i]), -1.0, 1.0))))


def estimate_up(rotations: np.ndarray, camera_axes: str = "opengl") -> UpEstimate:
    """World up estimated from camera-to-world rotations (F, 3, 3) in a file's world and camera axes.

    The cameras' mean up vector: for a rig that looks roughly horizontally this is the world up, tilted by the
    rig's mean tilt. When the cameras pan enough for their right vectors (which stay level on a tripod or a
    steady hand) to span a plane, the normal of that plane (the horizon) is used instead: it does not lean with
    the tilt. The horizon is only taken when it agrees with the mean up within 45 degrees (a roll also sweeps the
    right vectors through a plane, one that contains the up)."""
    R = np.asarray(rotations, dtype=np.float64)
    ups = camera_up_vectors(R, camera_axes)
    mean_up = ups.mean(axis=0)
    strength = float(np.linalg.norm(mean_up))
    if strength < 1e-9:
        mean_up, strength = np.array([0.0, 0.0, 1.0]), 0.0
    m = mean_up / max(strength, 1e-12)
    vector, method = m, "mean camera up"
    rights = R[..., :, 0]
    w, V = np.linalg.eigh(rights.T @ rights / len(rights))
    if w[1] > _HORIZON_MIN_SPREAD and w[0] < 0.1 * w[1]:
        h = V[:, 0] * (1.0 if V[:, 0] @ m >= 0 else -1.0)
        if h @ m > np.cos(np.radians(45.0)):
            vector, method = h, "horizon normal"
    axis, angle = nearest_axis(vector)
    return UpEstimate(vector, axis, angle, method, strength >= _UP_UNRELIABLE)


def _turn_onto_z(v: np.ndarray) -> np.ndarray:
    """The smallest rotation taking unit vector v onto +Z."""
    z = np.array([0.0, 0.0, 1.0])
    axis = np.cross(v, z)
    s, c = float(np.linalg.norm(axis)), float(v @ z)
    if s < 1e-12:
        return np.eye(3) if c > 0 else np.diag([1.0, -1.0, -1.0])
    return geo.axis_angle_matrix(axis / s, np.arctan2(s, c))


def up_matrix(up: Any) -> np.ndarray:
    """Rotation taking a file's world to Blender's Z-up world for an axis (geometry.UP_AXES) or an up vector (3,).
    A vector turns by the axis nearest to it (geometry.up_axis_to_zup, so the heading matches the axis case),
    then by the small rest."""
    if isinstance(up, str):
        return geo.up_axis_to_zup(up)
    v = np.asarray(up, dtype=np.float64)
    if v.shape != (3,) or not np.all(np.isfinite(v)) or np.linalg.norm(v) < 1e-9:
        raise ValueError(f"up must be one of {', '.join(geo.UP_AXES)}, 'auto' or a non-zero vector, got {up!r}")
    W0 = geo.up_axis_to_zup(nearest_axis(v)[0])
    return _turn_onto_z(geo.normalize(W0 @ v)) @ W0


def resolve_up(up: Any, rotations: np.ndarray, camera_axes: str) -> tuple[np.ndarray, Any, str]:
    """(world rotation to Z-up, the up used (an axis or a vector), a note) for up = "auto", an axis or a vector.

    "auto": estimate_up; the world axis nearest to it, unless the estimate is a horizon normal more than
    SNAP_DEGREES from every axis (a world not aligned with gravity, like COLMAP's): then that vector. A mean camera
    up leans with the cameras' tilt, so it only picks the axis. A given axis that the cameras contradict (their up
    points down in it) gets a note: the shot would read upside down."""
    est = estimate_up(rotations, camera_axes)
    if isinstance(up, str) and up.strip().lower() == "auto":
        if est.angle_deg <= SNAP_DEGREES or est.method != "horizon normal" or not est.reliable:
            return geo.up_axis_to_zup(est.axis), est.axis, f"up auto: {est.axis}; the cameras' {est.describe()}"
        return (up_matrix(est.vector), [round(float(c), 6) for c in est.vector],
                f"up auto: the estimated horizon, more than {SNAP_DEGREES:g} degrees from any axis; the cameras' "
                f"{est.describe()}")
    W = up_matrix(up)
    note = f"up {up}: given"
    if float((W @ est.vector)[2]) < 0:
        note += (f"; but the cameras' up points down in that world (their {est.describe()}): the shot will read "
                 f"upside down unless up is {est.axis}")
    return W, up, note


# ---------------------------------------------------------------------------------------------------- frame rate
def fps_from_times(times: np.ndarray, unit_s: float, where: str) -> tuple[float, list[str]]:
    """Frame rate from frame timestamps (in units of unit_s seconds): 1 / the median step. Notes irregular steps
    (dropped or duplicated frames). The times must increase."""
    steps = np.diff(np.asarray(times, dtype=np.float64)) * unit_s
    if len(steps) == 0:
        raise DataError("one frame has no frame rate: pass fps", where)
    step = float(np.median(steps))
    if step <= 0:
        raise DataError("timestamps do not increase: cannot tell the frame rate", where)
    fps = 1.0 / step
    lo, hi = FPS_RANGE
    if not lo <= fps <= hi:
        raise DataError(f"timestamps give {fps:.4g} fps, outside {lo:g}-{hi:g}: are they in the unit the format "
                        f"uses? pass fps to override", where)
    notes = []
    ratio = steps / step
    if np.any(np.abs(ratio - 1) > 0.25):
        gaps = int(np.sum(ratio > 1.5))
        notes.append(f"frame times are irregular (steps {steps.min() * 1000:.4g}-{steps.max() * 1000:.4g} ms, median "
                     f"{step * 1000:.4g} ms; {gaps} gap(s) of dropped frames): frames are taken as evenly spaced")
    return fps, notes


def order_by_time(times: np.ndarray, where: str, what: str = "timestamps") -> tuple[np.ndarray, list[str]]:
    """Indices that put frames in time order (stable), and a note when the file's order was not. Two frames with
    the same time are an error: which one is the pose is unknowable."""
    times = np.asarray(times, dtype=np.float64)
    order = np.argsort(times, kind="stable")
    notes = []
    st = times[order]
    dup = np.flatnonzero(np.diff(st) == 0)
    if len(dup):
        raise DataError(f"two frames have the same time {st[dup[0]]:.17g} ({len(dup)} duplicate(s))", where)
    if np.any(order != np.arange(len(times))):
        moved = int(np.sum(order != np.arange(len(times))))
        notes.append(f"frames were not in time order in the file ({moved} out of place): sorted by {what}")
    return order, notes


# ---------------------------------------------------------------------------------------------------- building shots
def build_shot(rot: np.ndarray, pos: np.ndarray, focal_mm: Any, *, camera_axes: str, up: Any, fps: float,
               where: str, name: str, source: str, notes: list[str], scale: float = 1.0,
               aspect: float = DEFAULT_ASPECT, sensor_width: float = DEFAULT_SENSOR_WIDTH_MM, subject: Any = None,
               character: Any = None, subject_size: Sequence[float] | None = None, frame_start: int = 1,
               metadata: dict[str, Any] | None = None) -> Shot:
    """A validated, unlabelled Shot from camera-to-world rotations (F, 3, 3, already checked by nearest_rotations)
    and positions (F, 3) in a file's world and camera axes.

    up: "auto", an axis or a vector (resolve_up). subject: a point, box dict or Subject (c2w.make_subject, in the
    file's world); character: (F, 3) positions of a moving subject in the file's world; neither: the subject is
    where the cameras look (c2w.default_subject). notes (what the reader assumed) go to metadata["notes"]."""
    rot, pos = np.asarray(rot, dtype=np.float64), np.asarray(pos, dtype=np.float64)
    frames = len(rot)
    W, up_used, up_note = resolve_up(up, rot, camera_axes)
    notes = list(notes) + [up_note]
    # The world turn goes first, then c2w's conventions with the world already Z up.
    R, p = to_blender(W @ rot, pos @ W.T, camera_axes, "+z", scale)
    focal = np.broadcast_to(np.asarray(focal_mm, dtype=np.float64), (frames,)).copy()
    traj = Trajectory.from_matrices(p, R, focal, sensor_width=sensor_width, aspect=float(aspect), fps=float(fps),
                                    frame_start=frame_start)
    if character is not None:
        c = np.asarray(character, dtype=np.float64)
        if c.shape != (frames, 3) or not np.all(np.isfinite(c)):
            raise DataError(f"character trajectory must be ({frames}, 3) finite positions, got shape {c.shape}", where)
        cp = points_to_blender(c @ W.T, "+z", scale)
        size = np.asarray(CHARACTER_SIZE if subject_size is None else subject_size, float)
        subj = Subject(cp[0], size, name="character", object_class="person", motion_position=cp)
        placement = "character"
    elif subject is not None:
        if not isinstance(subject, Subject):
            box = subject if isinstance(subject, dict) else {"position": subject}
            center = np.asarray(box.get("position", box.get("center")), dtype=np.float64)
            if center.shape != (3,):
                raise DataError(f"subject must be a point (x, y, z) or a box {{'position', 'size'}}, got "
                                f"{subject!r}", where)
            given = box.get("size", subject_size)
            extents = np.abs(np.round(W)) @ np.asarray(DEFAULT_SUBJECT_SIZE if given is None else given, float)
            subject = {"position": W @ center, "size": extents}
        subj, placement = make_subject(subject, None, "+z", scale, where), "given"
    else:
        subj, placement = default_subject(p, R, DEFAULT_SUBJECT_SIZE if subject_size is None else subject_size)
    meta = {"source": source, "path": where, "camera_axes": camera_axes, "up": up_used, "scale": scale,
            "subject_placement": placement, **(metadata or {}), "notes": notes}
    return Shot(traj, [subj], [], name=name, metadata=meta).validate(where)


def file_poses(shot: Shot, camera_axes: str, up: str, scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """A shot's camera-to-world rotations (F, 3, 3) and positions (F, 3) in a file's convention: what writers
    store (c2w.from_blender)."""
    t = shot.trajectory
    return from_blender(t.matrices, t.position, camera_axes, up, scale)
