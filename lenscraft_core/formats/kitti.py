"""KITTI pose files: one line per frame, 12 numbers, a row-major 3x4 camera-to-world [R | t] with OpenCV camera
axes (x right, y down, z forward). E.T.'s traj_raw/<id>.txt files are this.

The world is the first camera's (KITTI odometry) or the pose estimator's (E.T.), so it has no fixed up:
up="auto" estimates it from the cameras (poses.estimate_up). The file holds no frame rate or intrinsics; they come
from the arguments, or, for a file in E.T.'s layout (traj_raw/<id>.txt beside intrinsics/<id>.npy), from E.T.'s
[fx, fy, cx, cy] file and E.T.'s 25 fps, with a note. Rotations stored at low precision (E.T.'s are float16) are
re-orthonormalised with a note (poses.nearest_rotations).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..errors import DataError
from ..schema import DEFAULT_FPS, DEFAULT_SENSOR_WIDTH_MM, Shot
from .c2w import DEFAULT_FOCAL_MM
from .poses import (build_shot, data_lines, file_poses, fmt, lens_from_intrinsics, load_array, nearest_rotations,
                    parse_numbers, read_text, write_text)

CAMERA_AXES = "opencv"
ET_FPS = 25.0
ODOMETRY_FPS = 10.0  # KITTI odometry's poses/<sequence>.txt: the cameras ran at 10 Hz
_LAYOUT = "a row-major 3x4 camera-to-world matrix per line, KITTI layout"
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_LINE12 = re.compile(rf"^\s*{_NUMBER}(?:[\s,]+{_NUMBER}){{11}}\s*$")


def sniff(path: str | Path, head: str) -> bool:
    """A .txt whose first data line is 12 numbers. (The c2w reader reads the same lines strictly; this one is for
    pose-estimator output, with repair and up estimation.)"""
    if Path(path).suffix.lower() != ".txt":
        return False
    lines = data_lines(head)
    return bool(lines) and bool(_LINE12.match(lines[0][1]))


def known_layout(path: str | Path) -> bool:
    """Whether a file lies where KITTI-style pose files are kept: E.T.'s traj_raw/<id>.txt or KITTI odometry's
    poses/<sequence>.txt. Elsewhere the same 12 numbers a line are a plain matrix file (c2w), whose default up
    ("-y") and strictness users already rely on."""
    path = Path(path)
    return path.parent.name == "traj_raw" or (path.parent.name == "poses" and path.stem.isdigit())


def detect(path: str | Path, head: str) -> bool:
    """What formats.detect_any asks: a KITTI pose file (sniff) in a known layout (known_layout)."""
    return known_layout(path) and sniff(path, head)


def et_companions(path: str | Path) -> dict[str, Path]:
    """E.T.'s files for a traj_raw/<id>.txt: "intrinsics" (intrinsics/<id>.npy) and "character"
    (char_raw/<id>.npy), those that exist."""
    path = Path(path)
    if path.parent.name != "traj_raw":
        return {}
    root = path.parent.parent
    found = {"intrinsics": root / "intrinsics" / f"{path.stem}.npy",
             "character": root / "char_raw" / f"{path.stem}.npy"}
    return {k: p for k, p in found.items() if p.is_file()}


def read_kitti(path: str | Path) -> tuple[np.ndarray, list[int]]:
    """(F, 3, 4) matrices as stored and the 1-based line number of each; DataError names the file and line."""
    path = Path(path)
    lines = data_lines(read_text(path))
    if not lines:
        raise DataError("has no pose lines (only comments)", str(path))
    M = np.stack([parse_numbers(line, f"{path}: line {n}", 12, layout=_LAYOUT) for n, line in lines])
    return M.reshape(-1, 3, 4), [n for n, _ in lines]


def load_kitti(path: str | Path, *, up: Any = "auto", fps: float | None = None, scale: float = 1.0,
               camera_axes: str = CAMERA_AXES, intrinsics: Any = None, image_size: Sequence[float] | None = None,
               focal_mm: float = DEFAULT_FOCAL_MM, sensor_width: float = DEFAULT_SENSOR_WIDTH_MM,
               character: Any = None, subject: Any = None, subject_size: Sequence[float] | None = None,
               frame_start: int = 1, name: str | None = None) -> Shot:
    """A Shot (unlabelled) from a KITTI pose file.

    intrinsics: fx, K, [fx, fy, cx, cy], per-frame versions of these or a file of them (c2w.read_intrinsics;
    image_size or K's principal point gives the image size); none and no E.T. companion: focal_mm. character:
    (F, 3) positions (array or file) of a moving subject in the file's world, or "auto" for E.T.'s char_raw file.
    subject: a fixed point or box in the file's world. Neither: the subject is where the cameras look."""
    path = Path(path)
    where = str(path)
    M, lines = read_kitti(path)
    frames = len(M)
    R, notes = nearest_rotations(M[:, :, :3], lambda f: f"{where}: line {lines[f]} (frame {f})")
    companions = et_companions(path)
    if intrinsics is None and "intrinsics" in companions:
        intrinsics = companions["intrinsics"]
        notes.append(f"intrinsics from E.T.'s {intrinsics}")
    if fps is None:
        odometry = Path(path).parent.name == "poses" and Path(path).stem.isdigit()
        fps, why = (ET_FPS, " (E.T.'s rate)") if companions else (ODOMETRY_FPS, " (KITTI odometry's rate)") if \
            odometry else (DEFAULT_FPS, " assumed")
        notes.append(f"no frame rate in the file: {fps:g} fps{why}; pass fps to override")
    if isinstance(character, str) and character == "auto":
        character = companions.get("character")
        if character is None:
            notes.append("character='auto' but no E.T. char_raw file beside it: subject estimated")
    if character is not None:
        character, _ = load_array(character, "character trajectory", where)
    focal, aspect = lens_from_intrinsics(intrinsics, frames, image_size, focal_mm, sensor_width, where, notes)
    return build_shot(R, M[:, :, 3], focal, camera_axes=camera_axes, up=up, fps=fps, where=where,
                      name=name or path.stem, source="kitti", notes=notes, scale=scale, aspect=aspect,
                      sensor_width=sensor_width, subject=subject, character=character, subject_size=subject_size,
                      frame_start=frame_start)


def save_kitti(shot: Shot, path: str | Path, *, up: str = "-y", scale: float = 1.0, camera_axes: str = CAMERA_AXES,
               overwrite: bool = False) -> Path:
    """Write a shot's camera as KITTI pose lines (the inverse of load_kitti with that up): 12 numbers a line."""
    R, pos = file_poses(shot, camera_axes, up, scale)
    M = np.concatenate([R, pos[:, :, None]], axis=2)
    return write_text(path, (fmt(m.reshape(-1)) for m in M), overwrite)


load = load_kitti  # what formats.load_any calls
