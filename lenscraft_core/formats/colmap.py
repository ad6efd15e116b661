"""COLMAP sparse models (cameras.txt + images.txt, or cameras.bin + images.bin) -> a camera Trajectory, and back.

COLMAP stores, per registered image, the world-to-camera rotation as a quaternion QW QX QY QZ and translation
TX TY TZ, in OpenCV camera axes (x right, y down, +z forward); the camera centre is -R^T t. Images are ordered by
name (natural sort: frame2 before frame10) or by a timestamp parsed from the name (the last number in it). The
world's up axis is whatever the reconstruction chose: "-y" is usual (the first camera's y points down), "+z" for
geo-registered models. Focal length mm = fx * sensor_width / image width (the larger image side, as Blender's AUTO
sensor fit). Only pinhole focal lengths are used; distortion parameters are read and ignored.
"""

from __future__ import annotations

import math
import re
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .. import geometry as geo
from ..errors import DataError
from ..files import atomic_writer, refuse_overwrite
from ..schema import DEFAULT_FPS, DEFAULT_SENSOR_WIDTH_MM, Shot, Trajectory
from .c2w import (DEFAULT_SUBJECT_SIZE, default_subject, focal_mm_from_pixels, focal_pixels_from_mm, from_blender,
                  make_subject, to_blender, turn_subject)
from .rotations import world_turn
from .text import read_text

# Model name -> (binary model id, parameter count, index of fx, index of fy). Single-focal models use f for both.
CAMERA_MODELS: dict[str, tuple[int, int, int, int]] = {
    "SIMPLE_PINHOLE": (0, 3, 0, 0), "PINHOLE": (1, 4, 0, 1), "SIMPLE_RADIAL": (2, 4, 0, 0), "RADIAL": (3, 5, 0, 0),
    "OPENCV": (4, 8, 0, 1), "OPENCV_FISHEYE": (5, 8, 0, 1), "FULL_OPENCV": (6, 12, 0, 1), "FOV": (7, 5, 0, 1),
    "SIMPLE_RADIAL_FISHEYE": (8, 4, 0, 0), "RADIAL_FISHEYE": (9, 5, 0, 0), "THIN_PRISM_FISHEYE": (10, 12, 0, 1),
}
_MODEL_BY_ID = {v[0]: k for k, v in CAMERA_MODELS.items()}
MAX_IMAGE_SIDE = 2 ** 31 - 1  # COLMAP's own int limit for a side; also keeps the focal maths in floats
QUAT_TOLERANCE = 1e-3  # |q| may differ from 1 by this much (hand-written files round to ~4 digits)


@dataclass
class ColmapCamera:
    id: int
    model: str
    width: int
    height: int
    params: np.ndarray
    where: str = ""

    @property
    def fx(self) -> float:
        return float(self.params[CAMERA_MODELS[self.model][2]])

    @property
    def fy(self) -> float:
        return float(self.params[CAMERA_MODELS[self.model][3]])


@dataclass
class ColmapImage:
    id: int
    qvec: np.ndarray  # world-to-camera rotation, w x y z
    tvec: np.ndarray  # world-to-camera translation
    camera_id: int
    name: str
    where: str = ""


# ---------------------------------------------------------------------------------------------------- parsing
def _data_lines(path: Path):
    """(line number, text) of a COLMAP text file, comments skipped. Blank lines are kept: in images.txt an image
    without 2D points has an empty second line."""
    if not path.is_file():
        raise DataError("file not found", str(path))
    for n, line in enumerate(read_text(path).splitlines(), 1):
        if not line.startswith("#"):
            yield n, line


def _parse(cells: list[str], types: Sequence[type], where: str) -> list[Any]:
    out = []
    for cell, kind in zip(cells, types):
        try:
            value = kind(cell)
        except ValueError:
            raise DataError(f"'{cell}' is not a valid {kind.__name__}", where) from None
        if kind is float and not np.isfinite(value):
            raise DataError(f"non-finite value '{cell}' (NaN or inf)", where)
        out.append(value)
    return out


def _check_camera(cam: ColmapCamera) -> ColmapCamera:
    if cam.model not in CAMERA_MODELS:
        raise DataError(f"unknown camera model '{cam.model}'; known: {', '.join(CAMERA_MODELS)}", cam.where)
    n = CAMERA_MODELS[cam.model][1]
    if len(cam.params) != n:
        raise DataError(f"camera model {cam.model} takes {n} parameters, got {len(cam.params)}", cam.where)
    if not np.all(np.isfinite(cam.params)):
        raise DataError("non-finite camera parameter (NaN or inf)", cam.where)
    if not (0 < cam.width <= MAX_IMAGE_SIDE and 0 < cam.height <= MAX_IMAGE_SIDE):
        raise DataError(f"image size {cam.width}x{cam.height} is not an image size (1..{MAX_IMAGE_SIDE:,} pixels)",
                        cam.where)
    if cam.fx <= 0 or cam.fy <= 0:
        raise DataError(f"image size {cam.width}x{cam.height} and focal lengths must be positive", cam.where)
    return cam


def _check_image(img: ColmapImage) -> ColmapImage:
    norm = float(np.linalg.norm(img.qvec))
    if not np.all(np.isfinite(img.qvec)) or not np.all(np.isfinite(img.tvec)):
        raise DataError("non-finite pose value (NaN or inf)", img.where)
    if abs(norm - 1.0) > QUAT_TOLERANCE:
        raise DataError(f"quaternion QW QX QY QZ = {img.qvec.tolist()} has norm {norm:.6g}, not 1 "
                        f"(tolerance {QUAT_TOLERANCE:g})", img.where)
    return img


def read_cameras_text(path: str | Path) -> dict[int, ColmapCamera]:
    path = Path(path)
    cams: dict[int, ColmapCamera] = {}
    for n, line in _data_lines(path):
        cells = line.split()
        if not cells:
            continue
        where = f"{path}: line {n}"
        if len(cells) < 5:
            raise DataError(f"has {len(cells)} columns, expected CAMERA_ID MODEL WIDTH HEIGHT PARAMS...", where)
        cid, model, w, h = _parse(cells[:4], (int, str, int, int), where)
        params = np.array(_parse(cells[4:], [float] * (len(cells) - 4), where))
        if cid in cams:
            raise DataError(f"duplicate camera id {cid} (first at {cams[cid].where})", where)
        cams[cid] = _check_camera(ColmapCamera(cid, model, w, h, params, where))
    return cams


def _is_points_line(cells: list[str]) -> bool:
    """A POINTS2D line: X Y POINT3D_ID triples (a multiple of 3 numbers). Only the first triple and the last number
    are parsed (an image name is not a number): the points are not used, and a big model has millions of them."""
    if len(cells) % 3:
        return False
    try:
        [float(c) for c in cells[:3] + cells[-1:]]
    except ValueError:
        return False
    return True


def read_images_text(path: str | Path) -> list[ColmapImage]:
    """The images of an images.txt, with or without the POINTS2D line after each image: each line is told by its
    fields (an image line has 10, the last its name; a POINTS2D line a multiple of 3 numbers), so a file that
    leaves the points lines out loses no image."""
    path = Path(path)
    images: list[ColmapImage] = []
    after_image = False  # the previous line was an image line: a POINTS2D line may follow
    for n, line in _data_lines(path):
        cells = line.split()
        where = f"{path}: line {n}"
        if not cells:  # an image without 2D points has an empty POINTS2D line
            after_image = False
            continue
        if len(cells) != 10 and _is_points_line(cells):
            if not after_image:
                raise DataError(f"has {len(cells)} columns: a POINTS2D line (X Y POINT3D_ID ...) that follows no "
                                "image line (10 columns: IMAGE_ID QW QX QY QZ TX TY TZ CAMERA_ID NAME)", where)
            after_image = False
            continue
        if len(cells) != 10:
            raise DataError(f"has {len(cells)} columns, expected 10: IMAGE_ID QW QX QY QZ TX TY TZ CAMERA_ID NAME "
                            "(image names may not contain spaces), or a POINTS2D line (X Y POINT3D_ID ...)", where)
        values = _parse(cells, (int,) + (float,) * 7 + (int, str), where)
        images.append(_check_image(ColmapImage(values[0], np.array(values[1:5]), np.array(values[5:8]), values[8],
                                               values[9], where)))
        after_image = True
    return images


def _read_struct(f, fmt: str, where: str):
    size = struct.calcsize(fmt)
    data = f.read(size)
    if len(data) != size:
        raise DataError("file ends early (truncated binary model)", where)
    return struct.unpack(fmt, data)


def _check_count(f, count: int, record: int, what: str, where: str) -> None:
    """A count read from a binary file must fit in what is left of the file (record: the smallest record's size),
    so a corrupt count is an error up front, not a loop or an allocation sized by it."""
    here = f.tell()
    left = f.seek(0, 2) - here
    f.seek(here)
    if count * record > left:
        raise DataError(f"says it holds {count:,} {what}, but only {left:,} bytes follow (at least {record} per "
                        "record): a corrupt or truncated binary model", where)


def read_cameras_binary(path: str | Path) -> dict[int, ColmapCamera]:
    path = Path(path)
    cams: dict[int, ColmapCamera] = {}
    with open(path, "rb") as f:
        (count,) = _read_struct(f, "<Q", str(path))
        _check_count(f, count, struct.calcsize("<iiQQ") + 8 * 3, "cameras", str(path))  # >= 3 parameters each
        for k in range(count):
            where = f"{path}: camera record {k}"
            cid, model_id, w, h = _read_struct(f, "<iiQQ", where)
            if model_id not in _MODEL_BY_ID:
                raise DataError(f"unknown camera model id {model_id}", where)
            model = _MODEL_BY_ID[model_id]
            params = np.array(_read_struct(f, "<" + "d" * CAMERA_MODELS[model][1], where))
            if cid in cams:
                raise DataError(f"duplicate camera id {cid}", where)
            cams[cid] = _check_camera(ColmapCamera(cid, model, w, h, params, where))
    return cams


def read_images_binary(path: str | Path) -> list[ColmapImage]:
    path = Path(path)
    images = []
    with open(path, "rb") as f:
        (count,) = _read_struct(f, "<Q", str(path))
        _check_count(f, count, struct.calcsize("<idddddddi") + 1 + 8, "images", str(path))  # name NUL, 2D count
        for k in range(count):
            where = f"{path}: image record {k}"
            iid, qw, qx, qy, qz, tx, ty, tz, cid = _read_struct(f, "<idddddddi", where)
            name = bytearray()
            while (c := f.read(1)) not in (b"\x00", b""):
                name += c
            (npts,) = _read_struct(f, "<Q", where)
            _check_count(f, npts, 24, "2D points", where)
            f.seek(24 * npts, 1)  # x, y, point3D_id per 2D point: not needed
            images.append(_check_image(ColmapImage(iid, np.array([qw, qx, qy, qz]), np.array([tx, ty, tz]), cid,
                                                   name.decode("utf-8", "replace"), where)))
    return images


def read_model(path: str | Path) -> tuple[dict[int, ColmapCamera], list[ColmapImage]]:
    """Cameras and images of a model folder (text preferred over binary when both exist)."""
    path = Path(path)
    if (path / "cameras.txt").exists() or (path / "images.txt").exists():
        return read_cameras_text(path / "cameras.txt"), read_images_text(path / "images.txt")
    if (path / "cameras.bin").exists() or (path / "images.bin").exists():
        return read_cameras_binary(path / "cameras.bin"), read_images_binary(path / "images.bin")
    raise DataError("no COLMAP model here (expected cameras.txt + images.txt or cameras.bin + images.bin)", str(path))


# ---------------------------------------------------------------------------------------------------- ordering
def natural_key(name: str) -> tuple:
    """Sort key that orders embedded numbers by value: frame2 < frame10 (and f01 before f1: a total order). The one
    used for every file name LensCraft puts in time order (COLMAP images, transforms.json frames)."""
    return tuple((0, int(t), t) if t.isdigit() else (1, 0, t.lower()) for t in re.split(r"(\d+)", name) if t)


def timestamp_of(name: str) -> float | None:
    """The last number in an image file name's stem (e.g. 1699999999.125 in 'cam0_1699999999.125.jpg')."""
    found = re.findall(r"\d+(?:\.\d+)?", Path(name).stem)
    return float(found[-1]) if found else None


def order_images(images: list[ColmapImage], order: str = "name") -> list[ColmapImage]:
    if order == "name":
        return sorted(images, key=lambda im: natural_key(im.name))
    if order == "timestamp":
        for im in images:
            if timestamp_of(im.name) is None:
                raise DataError(f"image name '{im.name}' has no number to use as a timestamp", im.where)
        return sorted(images, key=lambda im: (timestamp_of(im.name), natural_key(im.name)))
    if order == "id":
        return sorted(images, key=lambda im: im.id)
    raise ValueError(f"order must be 'name', 'timestamp' or 'id', got {order!r}")


# ---------------------------------------------------------------------------------------------------- conversion
def _check_images(cams: dict[int, ColmapCamera], images: list[ColmapImage], where: str) -> None:
    if not images:
        raise DataError("the model has no registered images", where)
    seen: dict[str, str] = {}
    for im in images:
        if im.name in seen:
            raise DataError(f"duplicate image name '{im.name}' (also at {seen[im.name]})", im.where)
        seen[im.name] = im.where
        if im.camera_id not in cams:
            raise DataError(f"image '{im.name}' uses camera id {im.camera_id}, which the cameras file does not "
                            f"define (defined: {sorted(cams)})", im.where)


def takes_by_camera(images: list[ColmapImage]) -> dict[int, list[ColmapImage]]:
    """The images of each camera of a rig (one take per camera, never one take jumping between them), else all
    images as one take (key 0). A rig: two or more cameras with several images each, filming the same frames (the
    frame numbers in their names overlap, as cam0/0001.png and cam1/0001.png do; names without numbers count as
    overlapping). Not a rig: one camera per image (COLMAP without single_camera), or one per focal length of a
    zoom (save_colmap writes those), whose frame numbers follow each other."""
    by_camera: dict[int, list[ColmapImage]] = {}
    for im in images:
        by_camera.setdefault(im.camera_id, []).append(im)
    spans = []
    for group in by_camera.values():
        if len(group) > 1:
            numbers = [timestamp_of(im.name) for im in group]
            spans.append((-math.inf, math.inf) if None in numbers else (min(numbers), max(numbers)))
    spans.sort()
    if len(spans) < 2 or not any(b[0] <= a[1] for a, b in zip(spans, spans[1:])):
        return {0: list(images)}
    return dict(sorted(by_camera.items()))


def load_colmap_takes(path: str | Path, *, up: Any = "-y", scale: float = 1.0, fps: float = DEFAULT_FPS,
                      order: str = "name", sensor_width: float = DEFAULT_SENSOR_WIDTH_MM, subject: Any = None,
                      subject_size: Sequence[float] | None = None, frame_start: int = 1, name: str | None = None
                      ) -> list[Shot]:
    """Shots (unlabelled) from a COLMAP model folder: one per camera of a rig (takes_by_camera), else one; the
    options as for load_colmap. Each rig take is named <name>_cam<ID> and notes which camera it is."""
    path = Path(path)
    cams, images = read_model(path)
    _check_images(cams, images, str(path))
    takes = takes_by_camera(images)
    shots = []
    for cid, group in takes.items():
        note = [] if cid == 0 else [f"camera {cid} of a {len(takes)}-camera rig: one take per camera "
                                    f"({len(group)} of {len(images)} images)"]
        shots.append(_shot(path, cams, group, up=up, scale=scale, fps=fps, order=order, sensor_width=sensor_width,
                           subject=subject, subject_size=subject_size, frame_start=frame_start,
                           name=(name or path.name) + ("" if cid == 0 else f"_cam{cid}"), notes=note))
    return shots


def load_colmap(path: str | Path, *, up: Any = "-y", scale: float = 1.0, fps: float = DEFAULT_FPS, order: str = "name",
                sensor_width: float = DEFAULT_SENSOR_WIDTH_MM, subject: Any = None,
                subject_size: Sequence[float] | None = None, frame_start: int = 1, name: str | None = None,
                camera: int | None = None) -> Shot:
    """A Shot (unlabelled) from a COLMAP model folder; one frame per registered image in `order`.

    up: the reconstruction's up axis ("-y" usual, "+z" ...) or "auto" (estimated from the cameras: COLMAP's world
    is not aligned with gravity; a note says what was chosen); scale: model units -> metres. subject: a point or
    box {"position", "size"} in model coordinates; without one it is the point the cameras look at most. The image
    size of the first camera sets the aspect ratio. camera: the camera id whose images to read; a rig (several
    cameras, takes_by_camera) needs one, or load_colmap_takes for them all.
    """
    path = Path(path)
    cams, images = read_model(path)
    _check_images(cams, images, str(path))
    if camera is not None:
        images = [im for im in images if im.camera_id == camera]
        if not images:
            raise DataError(f"no image uses camera {camera} (cameras: {sorted(cams)})", str(path))
    elif len(takes := takes_by_camera(images)) > 1:
        raise DataError(f"the model holds a {len(takes)}-camera rig (camera ids {sorted(takes)}): pass camera= for "
                        f"one take, or read them all with load_colmap_takes (formats.load_any does)", str(path))
    return _shot(path, cams, images, up=up, scale=scale, fps=fps, order=order, sensor_width=sensor_width,
                 subject=subject, subject_size=subject_size, frame_start=frame_start, name=name or path.name, notes=[])


def _shot(path: Path, cams: dict[int, ColmapCamera], images: list[ColmapImage], *, up: Any, scale: float,
          fps: float, order: str, sensor_width: float, subject: Any, subject_size: Sequence[float] | None,
          frame_start: int, name: str, notes: list[str]) -> Shot:
    images = order_images(images, order)
    q = np.stack([im.qvec for im in images])
    t = np.stack([im.tvec for im in images])
    norm = np.linalg.norm(q, axis=1)
    if np.abs(norm - 1).max() > 1e-6:
        notes = notes + [f"normalised the quaternions (lengths {norm.min():.6g}-{norm.max():.6g})"]
    R_w2c = geo.quat_to_matrix(q)
    R_c2w = np.swapaxes(R_w2c, 1, 2)
    centre = -np.einsum("fij,fj->fi", R_c2w, t)
    up, W, up_used, unotes = world_turn(up, R_c2w, "opencv", centre)
    if W is not None:  # up "auto" found a world off every axis (COLMAP's usual): turn it first, then read it Z up
        R_c2w, centre = W @ R_c2w, centre @ W.T
        subject = None if subject is None else turn_subject(subject, W, subject_size, str(path))
    R, pos = to_blender(R_c2w, centre, "opencv", up, scale)

    used = [cams[im.camera_id] for im in images]
    w0, h0 = used[0].width, used[0].height
    focal = np.array([focal_mm_from_pixels(c.fx, c.fy, c.width, c.height, sensor_width) for c in used])
    traj = Trajectory.from_matrices(pos, R, focal, sensor_width=sensor_width, aspect=w0 / h0, fps=fps,
                                    frame_start=frame_start)
    if subject is not None:
        subj, placement = make_subject(subject, subject_size, up, scale, str(path)), "given"
    else:
        subj, placement = default_subject(pos, R, DEFAULT_SUBJECT_SIZE if subject_size is None else subject_size)
    notes = notes + unotes
    meta = {"source": "colmap", "path": str(path), "up": up_used, "scale": scale, "order": order,
            "images": [im.name for im in images], "subject_placement": placement}
    shot = Shot(traj, [subj], [], name=name, metadata={**meta, **({"notes": notes} if notes else {})})
    return shot.validate(str(path))


def save_colmap(shot: Shot, path: str | Path, *, up: str = "-y", scale: float = 1.0, width: int = 1920,
                binary: bool = False, name_pattern: str = "frame_{:05d}.jpg", overwrite: bool = False) -> Path:
    """Write a shot's camera as a COLMAP model folder (PINHOLE cameras, one per distinct focal length; no 3D
    points): the inverse of load_colmap with the same up and scale. Image names follow name_pattern."""
    path = Path(path)
    ext = "bin" if binary else "txt"
    files = [path / f"{n}.{ext}" for n in ("cameras", "images", "points3D")]
    if not overwrite:  # every file is checked before any is written
        for p in files:
            refuse_overwrite(p)
    tr = shot.trajectory
    height = int(round(width / tr.aspect))
    R_c2w, centre = from_blender(tr.matrices, tr.position, "opencv", up, scale)
    R_w2c = np.swapaxes(R_c2w, 1, 2)
    q = geo.matrix_to_quat(R_w2c)
    t = -np.einsum("fij,fj->fi", R_w2c, centre)
    f_px = focal_pixels_from_mm(tr.focal_length, width, height, tr.sensor_width)
    focals, cam_of_frame = np.unique(f_px, return_inverse=True)
    cams = [(k + 1, float(f)) for k, f in enumerate(focals)]
    names = [name_pattern.format(i + tr.frame_start) for i in range(tr.frame_count)]
    if binary:
        with atomic_writer(files[0], overwrite, binary=True) as f:
            f.write(struct.pack("<Q", len(cams)))
            for cid, fx in cams:
                f.write(struct.pack("<iiQQ", cid, CAMERA_MODELS["PINHOLE"][0], width, height))
                f.write(struct.pack("<dddd", fx, fx, width / 2, height / 2))
        with atomic_writer(files[1], overwrite, binary=True) as f:
            f.write(struct.pack("<Q", tr.frame_count))
            for i in range(tr.frame_count):
                f.write(struct.pack("<idddddddi", i + 1, *q[i], *t[i], int(cam_of_frame[i]) + 1))
                f.write(names[i].encode() + b"\x00" + struct.pack("<Q", 0))
        with atomic_writer(files[2], overwrite, binary=True) as f:
            f.write(struct.pack("<Q", 0))
        return path
    lines = ["# Camera list with one line of data per camera:", "#   CAMERA_ID, MODEL, WIDTH, HEIGHT, PARAMS[]"]
    lines += [f"{cid} PINHOLE {width} {height} {fx!r} {fx!r} {width / 2!r} {height / 2!r}" for cid, fx in cams]
    texts = ["\n".join(lines) + "\n"]
    lines = ["# Image list with two lines of data per image:",
             "#   IMAGE_ID, QW, QX, QY, QZ, TX, TY, TZ, CAMERA_ID, NAME", "#   POINTS2D[] as (X, Y, POINT3D_ID)"]
    for i in range(tr.frame_count):
        pose = " ".join(repr(float(v)) for v in (*q[i], *t[i]))
        lines += [f"{i + 1} {pose} {int(cam_of_frame[i]) + 1} {names[i]}", ""]
    texts += ["\n".join(lines) + "\n", "# 3D point list (empty)\n"]
    for p, text in zip(files, texts):
        with atomic_writer(p, overwrite) as f:
            f.write(text)
    return path
