"""RealEstate10K camera files: the first line is the clip's video URL, then one line per frame:

    timestamp_us fx fy cx cy k1 k2 r11 r12 r13 t1 r21 r22 r23 t2 r31 r32 r33 t3

timestamp in microseconds; intrinsics normalised by the image size (fx = focal in pixels / width, fy = / height,
cx, cy likewise; k1 k2 are 0 in the dataset); then a row-major 3x4 world-to-camera [R | t] with OpenCV camera axes
(x right, y down, z forward), from ORB-SLAM: the world is the first camera's, so up="auto" estimates it
(poses.estimate_up). With square pixels the image aspect is fy / fx (unless image_size is given); the focal length
in mm is fx (or fy, for the larger side) times the sensor width. The frame rate is the timestamps'.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..errors import DataError
from ..schema import DEFAULT_SENSOR_WIDTH_MM, Shot
from .c2w import focal_mm_from_pixels, focal_pixels_from_mm
from .poses import (build_shot, data_lines, file_poses, fmt, fps_from_times, nearest_rotations, order_by_time,
                    parse_numbers, read_text, write_text)

CAMERA_AXES = "opencv"
COLUMNS = ("timestamp_us", "fx", "fy", "cx", "cy", "k1", "k2") + tuple(
    f"{'r' if c < 3 else 't'}{r + 1}{c + 1 if c < 3 else ''}" for r in range(3) for c in range(4))
_LAYOUT = "timestamp_us fx fy cx cy k1 k2 and a row-major 3x4 world-to-camera matrix, RealEstate10K layout"
_MAX_NORMALISED_FOCAL = 50.0  # fx = focal / width; 50 is an 1800 mm lens on a 36 mm sensor
_URL = re.compile(r"^\s*(https?://\S+|\S+\.(?:com|be)/\S*)\s*$", re.IGNORECASE)
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_LINE19 = re.compile(rf"^\s*{_NUMBER}(?:[\s,]+{_NUMBER}){{18}}\s*$")


def sniff(path: str | Path, head: str) -> bool:
    """A .txt whose first line is a URL and whose second is 19 numbers."""
    if Path(path).suffix.lower() != ".txt":
        return False
    lines = [line for _, line in data_lines(head, comment="")]
    return len(lines) >= 2 and bool(_URL.match(lines[0])) and bool(_LINE19.match(lines[1]))


def read_re10k(path: str | Path) -> tuple[str | None, np.ndarray, list[int]]:
    """(the URL or None, (F, 19) rows as stored, the 1-based line number of each); DataError names file, line and
    column."""
    path = Path(path)
    lines = data_lines(read_text(path), comment="")
    url = None
    if lines and not lines[0][1][:1].isdigit():
        url = lines[0][1]
        if not _URL.match(url):
            raise DataError(f"expected the clip's video URL on the first line, got {url[:60]!r}",
                            f"{path}: line {lines[0][0]}")
        lines = lines[1:]
    if not lines:
        raise DataError("has no camera lines after the URL", str(path))
    rows = np.stack([parse_numbers(line, f"{path}: line {n}", 19, COLUMNS, _LAYOUT) for n, line in lines])
    return url, rows, [n for n, _ in lines]


def load_re10k(path: str | Path, *, up: Any = "auto", fps: float | None = None, scale: float = 1.0,
               image_size: Sequence[float] | None = None, sensor_width: float = DEFAULT_SENSOR_WIDTH_MM,
               subject: Any = None, subject_size: Sequence[float] | None = None, frame_start: int = 1,
               name: str | None = None) -> Shot:
    """A Shot (unlabelled) from a RealEstate10K camera file. fps: None (from the timestamps) or a number that
    overrides them; image_size: (width, height) in pixels when known (else the aspect is fy / fx). Notes:
    shot.metadata["notes"]."""
    path = Path(path)
    where = str(path)
    url, rows, lines = read_re10k(path)
    notes = [] if url else ["no URL line: the file starts with camera lines"]
    order, onotes = order_by_time(rows[:, 0], where)
    rows, lines = rows[order], [lines[i] for i in order]
    notes += onotes
    for f in range(len(rows)):
        for c in (1, 2):
            if rows[f, c] <= 0:
                raise DataError(f"{COLUMNS[c]} must be positive, got {rows[f, c]:g}", f"{where}: line {lines[f]}")
        if image_size is None and max(rows[f, 1], rows[f, 2]) > _MAX_NORMALISED_FOCAL:
            raise DataError(f"fx {rows[f, 1]:g}, fy {rows[f, 2]:g} look like pixels; RealEstate10K intrinsics are "
                            f"normalised by the image size (pass image_size for pixels)", f"{where}: line {lines[f]}")
    if image_size is not None:
        width, height = float(image_size[0]), float(image_size[1])
        if rows[:, 1].max() > _MAX_NORMALISED_FOCAL:  # already pixels
            rows = rows.copy()
            rows[:, [1, 3]] /= width
            rows[:, [2, 4]] /= height
            notes.append("intrinsics in pixels, not normalised: divided by image_size")
    else:
        width, height = float(np.median(rows[:, 2] / rows[:, 1])), 1.0  # square pixels: W / H = fy / fx
        if not 0.05 <= width <= 20.0:
            raise DataError(f"fy / fx = {width:.4g} is not an image aspect: are fx and fy normalised by width and "
                            f"height?", where)
    focal = focal_mm_from_pixels(rows[:, 1] * width, rows[:, 2] * height, width, height, sensor_width)
    M = rows[:, 7:].reshape(-1, 3, 4)
    Rw, fixed = nearest_rotations(M[:, :, :3], lambda f: f"{where}: line {lines[f]} (frame {f})",
                                  "world-to-camera rotation")
    R = np.swapaxes(Rw, 1, 2)
    pos = -np.einsum("fij,fj->fi", R, M[:, :, 3])
    notes += fixed
    if fps is None:
        if len(rows) == 1:
            raise DataError("one frame has no frame rate: pass fps", where)
        fps, fnotes = fps_from_times(rows[:, 0], 1e-6, where)
        notes += fnotes
    return build_shot(R, pos, focal, camera_axes=CAMERA_AXES, up=up, fps=fps, where=where,
                      name=name or path.stem, source="re10k", notes=notes, scale=scale, aspect=width / height,
                      sensor_width=sensor_width, subject=subject, subject_size=subject_size,
                      frame_start=frame_start, metadata={"url": url, "timestamps_us": rows[:, 0].tolist()})


def save_re10k(shot: Shot, path: str | Path, *, url: str = "https://www.youtube.com/watch?v=unknown",
               up: str = "-y", scale: float = 1.0, start_us: int = 0, overwrite: bool = False) -> Path:
    """Write a shot's camera as a RealEstate10K camera file (the inverse of load_re10k with that up): frame i at
    start_us + round(i * 1e6 / fps) microseconds."""
    t = shot.trajectory
    R, pos = file_poses(shot, CAMERA_AXES, up, scale)
    Rw = np.swapaxes(R, 1, 2)
    tw = -np.einsum("fij,fj->fi", Rw, pos)
    width, height = t.aspect, 1.0
    f_px = focal_pixels_from_mm(t.focal_length, width, height, t.sensor_width)
    lines = [url]
    for i in range(t.frame_count):
        stamp = start_us + round(i * 1e6 / t.fps)
        intr = [f_px[i] / width, f_px[i] / height, 0.5, 0.5, 0.0, 0.0]
        M = np.concatenate([Rw[i], tw[i][:, None]], axis=1)
        lines.append(f"{stamp} {fmt(intr)} {fmt(M.reshape(-1))}")
    return write_text(path, lines, overwrite)


detect = sniff  # what formats.detect_any asks
load = load_re10k  # what formats.load_any calls
