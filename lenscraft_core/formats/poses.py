"""Helpers shared by the pose-file readers (transforms_json, kitti, tum, re10k): reading text strictly, checking and
repairing rotations, choosing the world's up axis, and building the Shot.

Conventions stay in c2w.py (to_blender, focal_mm_from_pixels, default_subject, ...) and geometry.py; rotation
repair and the `up="auto"` estimate live in rotations.py (re-exported here), shared with c2w and colmap: their
worlds have no fixed up (the world is usually the first camera's frame or a SLAM map's) and their rotations are
often stored at reduced precision (float16). Reading text is formats.text's.

Every reader puts what it assumed or repaired in Shot.metadata["notes"] (a list of sentences).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from ..errors import DataError
from ..files import atomic_writer
from ..schema import DEFAULT_ASPECT, DEFAULT_SENSOR_WIDTH_MM, FPS_RANGE, Shot, Subject, Trajectory
from . import text
from .text import HEAD_BYTES, read_head  # noqa: F401  (re-exported: readers sniff with them)
from .c2w import (CHARACTER_SIZE, DEFAULT_SUBJECT_SIZE, default_subject, focal_mm_from_pixels, from_blender,
                  make_subject, points_to_blender, read_intrinsics, to_blender)
from .colmap import natural_key  # noqa: F401  (re-exported: the one file-name order)
from .rotations import (DET_TOLERANCE, ORTHO_TOLERANCE, REPAIR_TOLERANCE, SNAP_DEGREES,  # noqa: F401  (re-exported)
                        UpEstimate, camera_up_vectors, estimate_up, nearest_axis, nearest_rotations, resolve_up,
                        up_matrix)

VIDEO_RATES = (23.976, 24.0, 25.0, 29.97, 30.0, 48.0, 50.0, 59.94, 60.0, 100.0, 120.0, 240.0)
_RATE_SNAP = 2e-5  # whole-microsecond stamps of 60 fps (16667 us a frame) are 2e-5 off; 29.97 is 1e-3 from 30

_SPLIT = re.compile(r"[\s,]+")


# ---------------------------------------------------------------------------------------------------- reading text
def read_text(path: str | Path) -> str:
    """A file's text (formats.text.read_text: UTF-8, a BOM dropped, a bad byte named by line and column); DataError
    for a missing, unreadable or empty file."""
    path = Path(path)
    if not path.is_file():
        raise DataError("file not found" if not path.exists() else "is not a file", str(path))
    content = text.read_text(path)
    if not content.strip():
        raise DataError("the file is empty", str(path))
    return content


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


# ---------------------------------------------------------------------------------------------------- frame rate
def fps_from_times(times: np.ndarray, unit_s: float, where: str) -> tuple[float, list[str]]:
    """Frame rate from frame timestamps (in units of unit_s seconds): 1 / the mean step (the median when frames
    were dropped), a video rate (VIDEO_RATES) when within the rounding of whole-microsecond stamps. Notes
    irregular steps (dropped or duplicated frames). The times must increase."""
    steps = np.diff(np.asarray(times, dtype=np.float64)) * unit_s
    if len(steps) == 0:
        raise DataError("one frame has no frame rate: pass fps", where)
    step = float(np.median(steps))
    if step <= 0:
        raise DataError("timestamps do not increase: cannot tell the frame rate", where)
    fps = 1.0 / step
    if np.all(np.abs(steps / step - 1) <= 0.25):  # even steps: the mean averages out the stamps' rounding
        fps = (len(steps)) / float(times[-1] - times[0]) / unit_s
    near = min(VIDEO_RATES, key=lambda r: abs(r - fps))
    if abs(near / fps - 1) <= _RATE_SNAP:
        fps = near
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
    W, up_used, up_note = resolve_up(up, rot, camera_axes, pos)
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


def lens_from_intrinsics(intrinsics: Any, frames: int, image_size: Sequence[float] | None, focal_mm: float,
                         sensor_width: float, where: str, notes: list[str]) -> tuple[np.ndarray, float]:
    """(focal length in mm per frame, image aspect) from pixel intrinsics (c2w.read_intrinsics forms), else
    focal_mm with a note saying it was assumed."""
    aspect = DEFAULT_ASPECT if image_size is None else float(image_size[0]) / float(image_size[1])
    if intrinsics is None:
        notes.append(f"no intrinsics: {focal_mm:g} mm assumed")
        return np.full(frames, float(focal_mm)), aspect
    fx, fy, w, h = read_intrinsics(intrinsics, frames, image_size, where)
    return focal_mm_from_pixels(fx, fy, w, h, sensor_width), w / h
