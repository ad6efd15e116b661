"""nerfstudio / instant-ngp transforms.json: camera-to-world 4x4 matrices with OpenGL camera axes (x right, y up,
the camera looks down -z) and the intrinsics beside them.

    {"w": 1920, "h": 1080, "fl_x": 1500, "fl_y": 1500, "cx": 960, "cy": 540,   # or camera_angle_x (radians)
     "fps": 30,                                                                # optional
     "frames": [{"file_path": "images/frame_00001.png", "transform_matrix": [[...], [...], [...], [...]],
                 "fl_x": ...}, ...]}                                            # per-frame intrinsics override

Frames are put in time order by file_path (natural sort: frame_2 before frame_10), with a note when the file had
them in another order. The world has no fixed up (COLMAP's, a SLAM map's, the first camera's): up="auto" estimates
it from the cameras (poses.estimate_up). The focal length in mm comes from fl_x / fl_y (or camera_angle_x/y) and
the image size on a `sensor_width` mm sensor (c2w.focal_mm_from_pixels). fps: the argument, else the file's "fps",
else 30 for DataDoP (GenDoP) files (recognised by their "monst3r_im_id" frames; the dataset is tagged at 30 fps),
else schema.DEFAULT_FPS, each with a note.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..errors import DataError
from ..files import atomic_writer
from ..schema import DEFAULT_FPS, DEFAULT_SENSOR_WIDTH_MM, FPS_RANGE, Shot
from .c2w import DEFAULT_FOCAL_MM, focal_mm_from_pixels, focal_pixels_from_mm
from .poses import build_shot, file_poses, natural_key, nearest_rotations, read_text

CAMERA_AXES = "opengl"
DATADOP_FPS = 30.0
_SNIFF = re.compile(r'"frames"\s*:')
_INTRINSICS = ("fl_x", "fl_y", "cx", "cy", "w", "h", "camera_angle_x", "camera_angle_y")


def sniff(path: str | Path, head: str) -> bool:
    """A .json whose first bytes hold a "frames" list and a "transform_matrix"."""
    return Path(path).suffix.lower() == ".json" and bool(_SNIFF.search(head)) and '"transform_matrix"' in head


def _number(block: dict, key: str, prefix: str) -> float | None:
    value = block.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise DataError(f"must be a positive number, got {value!r}", prefix + key)
    return float(value)


def _intrinsics(top: dict, frame: dict, where_top: str, where_frame: str
                ) -> tuple[float | None, float | None, float | None, float | None, list[str]]:
    """(fx, fy, width, height) in pixels for one frame (frame keys override the file's), None where unknown, and
    notes on what was derived."""
    v = {}
    for key in _INTRINSICS:
        v[key] = _number(frame, key, where_frame) if key in frame else _number(top, key, where_top)
    notes = []
    w, h = v["w"], v["h"]
    if (w is None or h is None) and v["cx"] is not None and v["cy"] is not None:
        w, h = 2 * v["cx"], 2 * v["cy"]
        notes.append(f"no w/h: image size {w:g} x {h:g} taken from the principal point (cx, cy)")
    fx, fy = v["fl_x"], v["fl_y"]
    if fx is None and v["camera_angle_x"] is not None and w is not None:
        fx = 0.5 * w / math.tan(0.5 * v["camera_angle_x"])
    if fy is None and v["camera_angle_y"] is not None and h is not None:
        fy = 0.5 * h / math.tan(0.5 * v["camera_angle_y"])
    fx, fy = fx if fx is not None else fy, fy if fy is not None else fx
    return fx, fy, w, h, notes


def _focal_mm(top: dict, frames: list[dict], where: str, focal_mm: float, sensor_width: float
              ) -> tuple[np.ndarray, float | None, list[str]]:
    """Per-frame focal length in mm, the image aspect (None: unknown) and notes."""
    out, notes, aspects = np.empty(len(frames)), [], []
    for i, frame in enumerate(frames):
        fx, fy, w, h, derived = _intrinsics(top, frame, f"{where}: ", f"{where}: frames[{i}].")
        if i == 0:
            notes += derived
        if fx is not None and w is not None and h is not None:
            out[i] = float(focal_mm_from_pixels(fx, fy, w, h, sensor_width))
            aspects.append(w / h)
            continue
        angle = frame.get("camera_angle_x", top.get("camera_angle_x"))
        if angle is not None:  # a field of view without an image size: across the (assumed larger) width
            out[i] = 0.5 * sensor_width / math.tan(0.5 * float(angle))
            if i == 0:
                notes.append("no image size: camera_angle_x taken across the sensor width (the larger side)")
            continue
        if i == 0:
            notes.append(f"no intrinsics (fl_x, w, h or camera_angle_x): {focal_mm:g} mm assumed")
        out[i] = focal_mm
    if not aspects:
        return out, None, notes
    if not np.allclose(aspects, aspects[0], rtol=1e-3):
        notes.append(f"image aspect varies across frames ({min(aspects):.4g}-{max(aspects):.4g}): the first "
                     f"frame's {aspects[0]:.4g} is used")
    return out, aspects[0], notes


def _order(frames: list[dict], where: str) -> tuple[list[int], list[str]]:
    """Time order: natural sort by file_path when every frame has one; otherwise the file's order."""
    paths = [f.get("file_path") for f in frames]
    names = [n for n in paths if isinstance(n, str)]
    if len(names) < len(frames):
        note = ["some frames have no file_path: frames kept in the file's order"] if names else []
        return list(range(len(frames))), note
    seen: dict[str, int] = {}
    for i, n in enumerate(names):
        if n in seen:
            raise DataError(f"file_path {n!r} appears twice (frames[{seen[n]}] and frames[{i}]): which pose is "
                            f"that frame's is unknowable", where)
        seen[n] = i
    order = sorted(range(len(frames)), key=lambda i: natural_key(names[i]))
    notes = []
    if order != list(range(len(frames))):
        moved = sum(1 for k, i in enumerate(order) if k != i)
        notes.append(f"frames were not in time order in the file ({moved} of {len(frames)} out of place): sorted "
                     f"by file_path (natural sort)")
    return order, notes


def _fps(fps: float | None, data: dict, frames: list[dict], where: str) -> tuple[float, list[str]]:
    file_fps = data.get("fps", data.get("frame_rate"))
    if file_fps is not None:
        if isinstance(file_fps, bool) or not isinstance(file_fps, (int, float)) or not (
                FPS_RANGE[0] <= file_fps <= FPS_RANGE[1]):
            raise DataError(f"must be a number in {FPS_RANGE[0]:g}-{FPS_RANGE[1]:g}, got {file_fps!r}", f"{where}: fps")
    if fps is not None:
        differs = file_fps is not None and float(file_fps) != float(fps)
        return float(fps), [f"fps {fps:g} given; the file says {file_fps:g}"] if differs else []
    if file_fps is not None:
        return float(file_fps), []
    if frames and all("monst3r_im_id" in f for f in frames):
        return DATADOP_FPS, [f"no fps in the file: {DATADOP_FPS:g} fps, DataDoP's rate (frames carry "
                             f"monst3r_im_id); pass fps to override"]
    return DEFAULT_FPS, [f"no fps in the file: {DEFAULT_FPS:g} fps assumed; pass fps to override"]


def load_transforms(path: str | Path, *, up: Any = "auto", fps: float | None = None, scale: float = 1.0,
                    camera_axes: str = CAMERA_AXES, focal_mm: float = DEFAULT_FOCAL_MM,
                    sensor_width: float = DEFAULT_SENSOR_WIDTH_MM, subject: Any = None,
                    subject_size: Sequence[float] | None = None, frame_start: int = 1, name: str | None = None
                    ) -> Shot:
    """A Shot (unlabelled) from a transforms.json. up: "auto" (estimated from the cameras), an axis ("+z", "-y",
    ...) or a vector; scale: file units -> metres; subject: a point or box {"position", "size"} in the file's
    world (default: where the cameras look). Notes on what was assumed or repaired: shot.metadata["notes"]."""
    path = Path(path)
    where = str(path)
    try:
        data = json.loads(read_text(path))
    except json.JSONDecodeError as e:
        raise DataError(f"invalid JSON: {e.msg}", f"{where}: line {e.lineno}") from None
    if not isinstance(data, dict) or not isinstance(data.get("frames"), list):
        raise DataError('expected an object with a "frames" list (nerfstudio / instant-ngp transforms.json)', where)
    frames = data["frames"]
    if not frames:
        raise DataError('"frames" is empty', where)
    for i, f in enumerate(frames):
        if not isinstance(f, dict) or "transform_matrix" not in f:
            raise DataError('each frame must be an object with a "transform_matrix"', f"{where}: frames[{i}]")
    order, notes = _order(frames, where)
    frames_sorted = [frames[i] for i in order]

    def frame_where(k: int) -> str:
        i = order[k]
        fp = frames[i].get("file_path")
        return f"{where}: frames[{i}]" + (f" ({fp})" if isinstance(fp, str) else "")

    M = np.empty((len(frames), 4, 4))
    for k, f in enumerate(frames_sorted):
        try:
            m = np.asarray(f["transform_matrix"], dtype=np.float64)
        except (TypeError, ValueError):
            raise DataError("transform_matrix is not a numeric matrix", frame_where(k)) from None
        if m.shape not in ((4, 4), (3, 4)):
            raise DataError(f"transform_matrix has shape {m.shape}, expected 4x4 (or 3x4)", frame_where(k))
        if not np.all(np.isfinite(m)):
            raise DataError("transform_matrix has a NaN or infinite value", frame_where(k))
        if m.shape == (4, 4) and np.abs(m[3] - [0, 0, 0, 1]).max() > 1e-6:
            raise DataError(f"transform_matrix's last row is {m[3].tolist()}, expected [0, 0, 0, 1]", frame_where(k))
        M[k, :3], M[k, 3] = m[:3], (0, 0, 0, 1)
    R, fixed = nearest_rotations(M[:, :3, :3], frame_where, "transform_matrix rotation")
    focal, aspect, fnotes = _focal_mm(data, frames_sorted, where, focal_mm, sensor_width)
    fps, pnotes = _fps(fps, data, frames, where)
    kw = {} if aspect is None else {"aspect": aspect}
    meta = {"file_paths": [f.get("file_path") for f in frames_sorted]}
    return build_shot(R, M[:, :3, 3], focal, camera_axes=camera_axes, up=up, fps=fps, where=where,
                      name=name or (path.parent.name if path.stem == "transforms" else path.stem),
                      source="transforms.json", notes=notes + fixed + fnotes + pnotes, scale=scale,
                      sensor_width=sensor_width, subject=subject, subject_size=subject_size,
                      frame_start=frame_start, metadata=meta, **kw)


def save_transforms(shot: Shot, path: str | Path, *, up: str = "+z", scale: float = 1.0,
                    image_size: Sequence[int] | None = None, file_pattern: str = "images/frame_{:05d}.png",
                    overwrite: bool = False) -> Path:
    """Write a shot's camera as a transforms.json (the inverse of load_transforms with that up): w, h, fl_x, fl_y,
    cx, cy and fps at the top, per-frame fl_x / fl_y when the focal length changes, frames named by
    file_pattern.format(frame number)."""
    t = shot.trajectory
    R, pos = file_poses(shot, CAMERA_AXES, up, scale)
    if image_size is None:
        image_size = (1920, round(1920 / t.aspect)) if t.aspect >= 1 else (round(1920 * t.aspect), 1920)
    w, h = float(image_size[0]), float(image_size[1])
    f_px = focal_pixels_from_mm(t.focal_length, w, h, t.sensor_width)
    zoom = not np.allclose(f_px, f_px[0], rtol=0, atol=1e-9)
    frames = []
    for i in range(t.frame_count):
        M = np.eye(4)
        M[:3, :3], M[:3, 3] = R[i], pos[i]
        frame: dict[str, Any] = {"file_path": file_pattern.format(t.frame_start + i), "transform_matrix": M.tolist()}
        if zoom:
            frame["fl_x"] = frame["fl_y"] = float(f_px[i])
        frames.append(frame)
    doc = {"w": w, "h": h, "fl_x": float(f_px[0]), "fl_y": float(f_px[0]), "cx": w / 2, "cy": h / 2,
           "fps": float(t.fps), "frames": frames}
    path = Path(path)
    with atomic_writer(path, overwrite) as f:
        json.dump(doc, f, indent=1)
    return path


detect = sniff  # what formats.detect_any asks
load = load_transforms  # what formats.load_any calls
