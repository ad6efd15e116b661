"""TUM RGB-D trajectories: one line per frame, `timestamp tx ty tz qx qy qz qw` (seconds; camera position and
camera-to-world orientation as a unit quaternion, scalar last), '#' comment lines. The format of the TUM RGB-D
benchmark's groundtruth.txt and of most SLAM systems' trajectory output (ORB-SLAM, evo).

Camera axes are OpenCV's (x right, y down, z forward) as in the benchmark; the world is the motion-capture
system's or the first camera's, so up="auto" estimates it from the cameras (poses.estimate_up). The frame rate is
the timestamps' (1 / the median step; irregular steps are noted); frames out of time order are sorted with a
note; two frames at the same time are an error. The file holds no intrinsics: pass them (as for KITTI) or
focal_mm is used.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .. import geometry as geo
from ..errors import DataError
from ..schema import DEFAULT_SENSOR_WIDTH_MM, Shot
from .c2w import DEFAULT_FOCAL_MM
from .poses import (build_shot, data_lines, file_poses, fmt, fps_from_times, lens_from_intrinsics, order_by_time,
                    parse_numbers, read_text, write_text)

CAMERA_AXES = "opencv"
COLUMNS = ("timestamp", "tx", "ty", "tz", "qx", "qy", "qz", "qw")
HEADER = "# " + " ".join(COLUMNS)
QUAT_NORM_TOLERANCE = 0.1  # a quaternion this far from unit length is a wrong column, not rounding
_SUFFIXES = (".txt", ".tum", ".csv")
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_LINE8 = re.compile(rf"^\s*{_NUMBER}(?:[\s,]+{_NUMBER}){{7}}\s*$")
_LAYOUT = "timestamp tx ty tz qx qy qz qw, TUM layout"


def sniff(path: str | Path, head: str) -> bool:
    """A .txt / .tum / .csv whose first data line is 8 numbers."""
    if Path(path).suffix.lower() not in _SUFFIXES:
        return False
    lines = data_lines(head)
    return bool(lines) and bool(_LINE8.match(lines[0][1]))


def read_tum(path: str | Path) -> tuple[np.ndarray, list[int]]:
    """(F, 8) rows as stored and the 1-based line number of each; DataError names the file, line and column."""
    path = Path(path)
    lines = data_lines(read_text(path))
    if not lines:
        raise DataError("has no pose lines (only comments)", str(path))
    rows = np.stack([parse_numbers(line, f"{path}: line {n}", 8, COLUMNS, _LAYOUT) for n, line in lines])
    return rows, [n for n, _ in lines]


def load_tum(path: str | Path, *, up: Any = "auto", fps: float | None = None, scale: float = 1.0,
             camera_axes: str = CAMERA_AXES, intrinsics: Any = None, image_size: Sequence[float] | None = None,
             focal_mm: float = DEFAULT_FOCAL_MM, sensor_width: float = DEFAULT_SENSOR_WIDTH_MM, subject: Any = None,
             subject_size: Sequence[float] | None = None, frame_start: int = 1, name: str | None = None) -> Shot:
    """A Shot (unlabelled) from a TUM trajectory. fps: None (from the timestamps) or a number that overrides them.
    intrinsics / image_size as for kitti.load_kitti. Notes: shot.metadata["notes"]."""
    path = Path(path)
    where = str(path)
    rows, lines = read_tum(path)
    order, notes = order_by_time(rows[:, 0], where)
    rows, lines = rows[order], [lines[i] for i in order]
    q = rows[:, [7, 4, 5, 6]]  # w, x, y, z (geometry's order)
    norm = np.linalg.norm(q, axis=1)
    for f in np.flatnonzero(np.abs(norm - 1) > QUAT_NORM_TOLERANCE):
        raise DataError(f"quaternion (qx qy qz qw) has length {norm[f]:.4g}, expected 1: is the column order "
                        f"timestamp tx ty tz qx qy qz qw?", f"{where}: line {lines[f]}")
    if np.abs(norm - 1).max() > 1e-6:
        notes.append(f"normalised the quaternions (lengths {norm.min():.6g}-{norm.max():.6g})")
    R = geo.quat_to_matrix(q / norm[:, None])
    frames = len(rows)
    if fps is None:
        if frames == 1:
            raise DataError("one frame has no frame rate: pass fps", where)
        fps, fnotes = fps_from_times(rows[:, 0], 1.0, where)
        notes += fnotes
    focal, aspect = lens_from_intrinsics(intrinsics, frames, image_size, focal_mm, sensor_width, where, notes)
    return build_shot(R, rows[:, 1:4], focal, camera_axes=camera_axes, up=up, fps=fps, where=where,
                      name=name or path.stem, source="tum", notes=notes, scale=scale, aspect=aspect,
                      sensor_width=sensor_width, subject=subject, subject_size=subject_size,
                      frame_start=frame_start, metadata={"timestamps": rows[:, 0].tolist()})


def save_tum(shot: Shot, path: str | Path, *, up: str = "-y", scale: float = 1.0, camera_axes: str = CAMERA_AXES,
             start_time: float = 0.0, overwrite: bool = False) -> Path:
    """Write a shot's camera as a TUM trajectory (the inverse of load_tum with that up): frame i at
    start_time + i / fps seconds."""
    R, pos = file_poses(shot, camera_axes, up, scale)
    q = geo.matrix_to_quat(R)  # w, x, y, z
    t = start_time + np.arange(len(R)) / shot.trajectory.fps
    rows = np.concatenate([t[:, None], pos, q[:, 1:], q[:, :1]], axis=1)
    return write_text(path, [HEADER] + [fmt(r) for r in rows], overwrite)


detect = sniff  # what formats.detect_any asks
load = load_tum  # what formats.load_any calls
