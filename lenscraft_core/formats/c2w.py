"""Camera-to-world matrix sequences, as film-trajectory datasets store them (E.T. / DataDoP style).

A file holds F matrices, (F, 4, 4) or (F, 3, 4), as .npy, .json or text (one matrix per line, 12 or 16 numbers,
row-major; or one matrix row per line, 4 numbers, in blocks of 3 or 4 lines). Two options say how to read them:

* camera_axes: "opencv" (x right, y down, +z forward: COLMAP, OpenCV, most vision datasets) or "opengl"
  (x right, y up, -z forward: OpenGL, NeRF transforms.json, three.js, Blender).
* up: the world axis that points up in the file ("+y" for Y-up worlds such as OpenGL/three.js/NeRF, "-y" for
  OpenCV-style worlds with y pointing down, "+z" for Z-up worlds such as Blender). See geometry.up_axis_to_zup.

Positions are multiplied by `scale` (file units -> metres). Optional per-frame intrinsics (fx, or K) with the image
size give the focal length in mm on a `sensor_width` mm sensor; an optional character trajectory (F, 3), in the same
world, becomes a moving Subject. Without one, the subject is the point the cameras look at most (estimate_look_point).

The conversion helpers here (to_blender, from_blender, focal_mm_from_pixels, estimate_look_point) are shared with the
COLMAP importer.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .. import geometry as geo
from ..errors import DataError
from ..files import atomic_writer, refuse_overwrite
from ..schema import DEFAULT_ASPECT, DEFAULT_FPS, DEFAULT_SENSOR_WIDTH_MM, Shot, Subject, Trajectory
from .jsonstream import number_problem
from .rotations import ORTHO_TOLERANCE, nearest_rotations, world_turn  # noqa: F401  (ORTHO_TOLERANCE re-exported)
from .text import read_json, read_text

CAMERA_AXES = ("opencv", "opengl")
DEFAULT_FOCAL_MM = 50.0
DEFAULT_SUBJECT_SIZE = (1.0, 1.0, 1.0)
CHARACTER_SIZE = (0.6, 0.4, 1.8)  # a standing person: width, depth, height (m)
_JSON_KEYS = ("c2w", "poses", "matrices", "camera_to_world", "trajectory", "traj", "extrinsics")


# ---------------------------------------------------------------------------------------------------- conventions
def _camera_flip(camera_axes: str) -> bool:
    axes = str(camera_axes).lower()
    if axes not in CAMERA_AXES:
        raise ValueError(f"unknown camera_axes '{camera_axes}'; expected one of {', '.join(CAMERA_AXES)}")
    return axes == "opencv"


def to_blender(rot: np.ndarray, pos: np.ndarray, camera_axes: str = "opencv", up: str = "-y",
               scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Camera-to-world rotations (..., 3, 3) and positions (..., 3) in a file's convention -> Blender's."""
    W = geo.up_axis_to_zup(up)
    R = W @ np.asarray(rot, dtype=np.float64)
    if _camera_flip(camera_axes):
        R = geo.camera_rotation_opencv_to_blender(R)
    return R, scale * (np.asarray(pos, dtype=np.float64) @ W.T)


def from_blender(rot: np.ndarray, pos: np.ndarray, camera_axes: str = "opencv", up: str = "-y",
                 scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Inverse of to_blender."""
    W = geo.up_axis_to_zup(up)
    R = np.asarray(rot, dtype=np.float64)
    if _camera_flip(camera_axes):
        R = geo.camera_rotation_blender_to_opencv(R)
    return W.T @ R, (np.asarray(pos, dtype=np.float64) @ W) / scale


def points_to_blender(p: np.ndarray, up: str = "-y", scale: float = 1.0) -> np.ndarray:
    return scale * (np.asarray(p, dtype=np.float64) @ geo.up_axis_to_zup(up).T)


def focal_mm_from_pixels(fx: Any, fy: Any, width: float, height: float,
                         sensor_width: float = DEFAULT_SENSOR_WIDTH_MM) -> np.ndarray:
    """Focal length in mm from a focal length in pixels. As in Blender's AUTO sensor fit, the sensor width spans the
    larger image side, so the focal along that side is the one that counts."""
    if width >= height:
        return np.asarray(fx, dtype=np.float64) * sensor_width / width
    return np.asarray(fy, dtype=np.float64) * sensor_width / height


def focal_pixels_from_mm(focal_mm: Any, width: float, height: float,
                         sensor_width: float = DEFAULT_SENSOR_WIDTH_MM) -> np.ndarray:
    """Inverse of focal_mm_from_pixels for square pixels (fx == fy)."""
    return np.asarray(focal_mm, dtype=np.float64) * max(width, height) / sensor_width


def estimate_look_point(pos: np.ndarray, rot: np.ndarray) -> np.ndarray | None:
    """The point closest (least squares) to every camera's optical axis: where the cameras look most. Blender axes.
    None when the axes are (nearly) parallel or the point is not in front of most cameras."""
    d = geo.camera_forward(rot)
    P = np.eye(3) - d[:, :, None] * d[:, None, :]  # projectors orthogonal to each axis
    A, b = P.sum(0), np.einsum("fij,fj->i", P, pos)
    if np.linalg.eigvalsh(A / len(pos))[0] < 1e-3:  # axes within ~2 degrees of parallel
        return None
    p = np.linalg.solve(A, b)
    in_front = np.einsum("fi,fi->f", p - pos, d) > 0
    return p if in_front.mean() > 0.5 else None


def default_subject(pos: np.ndarray, rot: np.ndarray, size: Sequence[float] = DEFAULT_SUBJECT_SIZE) -> tuple[Subject, str]:
    """Subject at the estimated look point, or (when that is undefined) ahead of the first camera at the path's
    extent (at least 3 m). Returns the subject and how it was placed."""
    p = estimate_look_point(pos, rot)
    if p is not None:
        return Subject(p, np.asarray(size, float), name="look_point"), "look_point"
    extent = float(np.linalg.norm(pos.max(0) - pos.min(0)))
    return Subject(pos[0] + max(3.0, extent) * geo.camera_forward(rot[0]), np.asarray(size, float),
                   name="look_point"), "ahead_of_first_camera"


def make_subject(subject: Any, size: Sequence[float] | None, up: str, scale: float, where: str) -> Subject:
    """A Subject from the user: a Subject (taken as is, Blender frame), a point (x, y, z), or a box dict
    {"position"/"center": (3,), "size": (3,)}; points and boxes are in the file's world and units."""
    if isinstance(subject, Subject):
        return subject
    if isinstance(subject, dict):
        center = subject.get("position", subject.get("center"))
        size = subject.get("size", size)
    else:
        center = subject
    center = np.asarray(center, dtype=np.float64)
    if center.shape != (3,) or not np.all(np.isfinite(center)):
        raise DataError(f"subject must be a point (x, y, z) or a box {{'position', 'size'}}, got {subject!r}", where)
    extents = np.asarray(DEFAULT_SUBJECT_SIZE if size is None else size, dtype=np.float64)
    # Sizes are extents in the file's units; an up-axis change permutes them.
    return Subject(points_to_blender(center, up, scale), np.abs(geo.up_axis_to_zup(up)) @ extents * scale,
                   name="subject")


# ---------------------------------------------------------------------------------------------------- reading arrays
def _numbers(line: str) -> list[str]:
    return [t for t in re.split(r"[,\s;]+", line.strip()) if t]


def _read_text_rows(path: Path, echo: bool = True) -> tuple[np.ndarray, list[int]]:
    """Rows of numbers from a text file and the 1-based line number of each; comments (#) and blank lines skipped.
    echo: quote the offending cells in errors (False for side files: an error must not print a file's content)."""
    rows, lines, width = [], [], None
    for n, line in enumerate(read_text(path).splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = _numbers(line)
        try:
            values = [float(c) for c in cells]
        except ValueError:
            raise DataError(f"not a number in {cells!r}" if echo else "has a value that is not a number",
                            f"{path}: line {n}") from None
        if width is None:
            width = len(values)
        elif len(values) != width:
            raise DataError(f"has {len(values)} values, expected {width} like the first data line", f"{path}: line {n}")
        if not np.all(np.isfinite(values)):
            raise DataError("has a NaN or infinite value", f"{path}: line {n}")
        rows.append(values)
        lines.append(n)
    if not rows:
        raise DataError("has no data lines", str(path))
    return np.array(rows), lines


def _read_array(path: Path, echo: bool = True) -> tuple[Any, list[int] | None]:
    """Array-like content of a .npy / .json / text file, and per-row line numbers for text files."""
    if not path.is_file():
        raise DataError("file not found", str(path))
    suffix = path.suffix.lower()
    if suffix == ".npy":
        try:
            return np.load(path, allow_pickle=False), None
        except (ValueError, EOFError) as e:  # EOFError: an empty (0-byte) file
            raise DataError(f"cannot read as a numeric .npy array ({e})", str(path)) from None
    if suffix == ".json":
        return read_json(path), None
    return _read_text_rows(path, echo)


def _as_float(value: Any, what: str, where: str) -> np.ndarray:
    if isinstance(value, np.ndarray) and np.iscomplexobj(value):  # numpy would drop the imaginary part
        raise DataError(f"{what} is complex, expected real numbers", where)
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an integer too large for a float
        raise DataError(f"{what} is not a regular numeric array", where) from None


def _json_matrices(data: Any, where: str) -> Any:
    if isinstance(data, dict):
        if isinstance(data.get("frames"), list) and data["frames"] and isinstance(data["frames"][0], dict):
            return [f.get("transform_matrix") for f in data["frames"]]  # NeRF transforms.json
        for key in _JSON_KEYS:
            if key in data:
                return data[key]
        raise DataError(f"no matrices found: expected a list or one of the keys {', '.join(_JSON_KEYS)}", where)
    return data


def _to_matrices(a: np.ndarray, where: str, lines: list[int] | None) -> np.ndarray:
    """(F, 4, 4) from (F, 4, 4), (F, 3, 4), (F, 16), (F, 12), or rows of 4 in blocks of 4 or 3."""
    if a.ndim == 2 and a.shape[1] == 4 and lines is not None:  # one matrix row per text line
        blocks = 4 if len(a) % 4 == 0 and np.allclose(a[3::4], [0, 0, 0, 1]) else 3
        if len(a) % blocks:
            raise DataError(f"{len(a)} rows of 4 numbers is not a whole number of 3x4 or 4x4 matrices", where)
        a = a.reshape(-1, blocks, 4)
    elif a.ndim == 2 and a.shape[1] in (12, 16):
        a = a.reshape(len(a), -1, 4)
    if a.ndim != 3 or a.shape[1:] not in ((4, 4), (3, 4)):
        raise DataError(f"matrices have shape {a.shape}; expected (F, 4, 4), (F, 3, 4) or 12/16 numbers per frame",
                        where)
    out = np.broadcast_to(np.eye(4), (len(a), 4, 4)).copy()
    out[:, : a.shape[1]] = a
    return out


def _frame_where(where: str, lines: list[int] | None, frame: int, per_frame: int = 1) -> str:
    if lines is None:
        return f"{where}: frame {frame}"
    return f"{where}: line {lines[frame * per_frame]} (frame {frame})"


def read_matrices(path: str | Path) -> np.ndarray:
    """Camera-to-world matrices (F, 4, 4) from a .npy, .json or text file, checked: finite, a rotation (det +1, no
    scale; near-orthonormal ones, as stored in float16, repaired: rotations.nearest_rotations) in the top-left 3x3
    and 0 0 0 1 in the last row. Errors name the file and line or frame."""
    return _read_matrices(Path(path))[0]


def _read_matrices(path: Path) -> tuple[np.ndarray, list[str]]:
    """read_matrices and the notes on what was repaired."""
    data, lines = _read_array(path)
    if path.suffix.lower() == ".json":
        data = _json_matrices(data, str(path))
    a = _as_float(data, "matrix data", str(path))
    per_frame = 1 if a.ndim != 2 or a.shape[1] != 4 or lines is None else None
    if a.ndim and not len(a):
        raise DataError("holds no matrices (zero frames)", str(path))
    M = _to_matrices(a, str(path), lines)
    per_frame = per_frame or (len(a) // len(M))
    for f in np.flatnonzero(~np.all(np.isfinite(M), axis=(1, 2))):
        raise DataError("has a NaN or infinite value", _frame_where(str(path), lines, int(f), per_frame))
    M[:, :3, :3], notes = nearest_rotations(M[:, :3, :3], lambda f: _frame_where(str(path), lines, f, per_frame),
                                            "rotation part")
    bad_row = np.abs(M[:, 3] - [0, 0, 0, 1]).max(axis=1) > 1e-6
    for f in np.flatnonzero(bad_row):
        raise DataError(f"last row is {M[f, 3].tolist()}, expected [0, 0, 0, 1]",
                        _frame_where(str(path), lines, int(f), per_frame))
    return M, notes


def turn_subject(subject: Any, W: np.ndarray, size: Sequence[float] | None, where: str) -> Any:
    """A user's subject (point or box in a file's world) in the world turned by W (rotations.world_turn); a
    Subject (Blender frame) is kept. Box sizes follow the axes nearest to W's."""
    if isinstance(subject, Subject):
        return subject
    box = subject if isinstance(subject, dict) else {"position": subject}
    center = np.asarray(box.get("position", box.get("center")), dtype=np.float64)
    if center.shape != (3,):
        raise DataError(f"subject must be a point (x, y, z) or a box {{'position', 'size'}}, got {subject!r}", where)
    given = box.get("size", size)
    extents = np.abs(np.round(W)) @ np.asarray(DEFAULT_SUBJECT_SIZE if given is None else given, float)
    return {"position": W @ center, "size": extents}


def _array_or_file(value: Any, name: str, where: str, echo: bool = True) -> tuple[np.ndarray, str]:
    """value itself, or the array in the file it names (a JSON object's `name` or "K" entry)."""
    if isinstance(value, (str, Path)):
        data, _ = _read_array(Path(value), echo)
        where = str(value)
        if isinstance(data, dict):
            data = data.get(name, data.get("K", data))
        value = data
    return _as_float(value, name, where), where


def read_intrinsics(value: Any, frames: int, image_size: Sequence[float] | None, where: str, echo: bool = True
                    ) -> tuple[np.ndarray, np.ndarray, float, float]:
    """(fx (F,), fy (F,), width, height) from fx, fx per frame, K, K per frame, rows (fx fy cx cy) or a file of any
    of these. Without an image size, K's principal point (cx, cy) is taken as the image centre."""
    a, where = _array_or_file(value, "intrinsics", where, echo)
    cx = cy = None
    if a.ndim == 0 or (a.ndim == 1 and a.shape[0] == frames) or (a.ndim == 2 and a.shape == (frames, 1)):
        fx = fy = np.broadcast_to(a.reshape(-1), (frames,))
    elif a.shape[-2:] == (3, 3) or a.shape[-1:] == (9,):
        K = np.broadcast_to(a.reshape(-1, 3, 3), (frames, 3, 3)) if a.size in (9, frames * 9) else None
        if K is None:
            raise DataError(f"intrinsics shape {a.shape} does not match {frames} frames", where)
        fx, fy, cx, cy = K[:, 0, 0], K[:, 1, 1], K[:, 0, 2], K[:, 1, 2]
    elif a.shape[-1:] == (4,) and a.size in (4, frames * 4):
        r = np.broadcast_to(a.reshape(-1, 4), (frames, 4))
        fx, fy, cx, cy = r.T
    else:
        raise DataError(f"intrinsics shape {a.shape} not understood: expected fx, (F,) fx, (3, 3) or (F, 3, 3) K, "
                        f"or (F, 4) rows fx fy cx cy for {frames} frames", where)
    if not (np.all(np.isfinite(fx)) and np.all(fx > 0) and np.all(np.isfinite(fy)) and np.all(fy > 0)):
        raise DataError("focal lengths must be finite and positive", where)
    if image_size is None:
        if cx is None or cy is None:
            raise DataError("focal lengths in pixels need image_size=(width, height)", where)
        width, height = 2.0 * float(np.median(cx)), 2.0 * float(np.median(cy))
    else:
        width, height = _image_size(image_size, where)
    if not (np.isfinite(width) and np.isfinite(height) and width > 0 and height > 0):
        raise DataError(f"image size must be positive, got {width} x {height}", where)
    return np.asarray(fx, float), np.asarray(fy, float), width, height


def _image_size(value: Any, where: str) -> tuple[float, float]:
    a = _as_float(value, "image_size", where)
    if a.shape != (2,) or not np.all(np.isfinite(a)) or np.any(a <= 0):
        raise DataError(f"image_size must be two positive numbers (width, height), got "
                        f"{json.dumps(value, default=str)[:60]}", where)
    return float(a[0]), float(a[1])


def _side_file(value: Any, key: str, path: Path) -> Any:
    """A side file named by a matrix JSON's own field: relative to that file, and never outside its folder (a data
    file must not make LensCraft read, or quote, any other file on the machine)."""
    if not isinstance(value, str):
        return value
    folder = path.parent.resolve()
    target = (path.parent / value).resolve()
    if not target.is_relative_to(folder):
        raise DataError(f'"{key}" names a file outside the data file\'s folder ({value}); side files must lie in '
                        f"{folder}", str(path))
    return target


# ---------------------------------------------------------------------------------------------------- load / save
def load_c2w(path: str | Path, *, camera_axes: str = "opencv", up: str = "-y", fps: float | None = None,
             scale: float = 1.0, intrinsics: Any = None, image_size: Sequence[float] | None = None,
             focal_mm: float = DEFAULT_FOCAL_MM, sensor_width: float = DEFAULT_SENSOR_WIDTH_MM,
             character: Any = None, subject: Any = None, subject_size: Sequence[float] | None = None,
             frame_start: int = 1, name: str | None = None) -> Shot:
    """A Shot (unlabelled) from a file of camera-to-world matrices.

    intrinsics: fx in pixels (scalar or per frame), K (3x3 or per frame) or a file of them; needs image_size unless
    K gives the principal point. Without intrinsics every frame gets focal_mm. character: (F, 3) positions (array
    or file) of a moving subject of size subject_size (default a standing person). subject: a fixed point or box
    {"position", "size"} in the file's world. Neither: the subject is estimated from where the cameras look.
    A .json file may carry "fps", "intrinsics", "image_size" and "character" next to the matrices (the save_c2w
    layout); explicit arguments win. Without an fps anywhere, schema.DEFAULT_FPS.
    """
    path = Path(path)
    where = str(path)
    M, notes = _read_matrices(path)
    frames = len(M)
    meta = read_json(path) if path.suffix.lower() == ".json" else {}
    meta = meta if isinstance(meta, dict) else {}
    if fps is None and "fps" in meta:
        problem = number_problem(meta["fps"])
        if problem:
            raise DataError(f"fps {problem}", where)
        fps = meta["fps"]
    fps = float(DEFAULT_FPS if fps is None else fps)
    echo = intrinsics is not None  # the caller's own file may be quoted in errors; one the data file names not
    intrinsics = intrinsics if intrinsics is not None else _side_file(meta.get("intrinsics"), "intrinsics", path)
    image_size = image_size if image_size is not None else meta.get("image_size")
    given_character = character is not None
    character = character if given_character else _side_file(meta.get("character"), "character", path)

    up, W, up_used, unotes = world_turn(up, M[:, :3, :3], camera_axes, M[:, :3, 3])
    notes += unotes
    if W is not None:  # up "auto" found a world not on an axis: turn it first, then read it as Z up
        M[:, :3, :3], M[:, :3, 3] = W @ M[:, :3, :3], M[:, :3, 3] @ W.T
        subject = None if subject is None else turn_subject(subject, W, subject_size, where)
    R, pos = to_blender(M[:, :3, :3], M[:, :3, 3], camera_axes, up, scale)
    if image_size is not None:
        image_size = _image_size(image_size, where)
    aspect = DEFAULT_ASPECT if image_size is None else image_size[0] / image_size[1]
    if intrinsics is not None:
        fx, fy, w, h = read_intrinsics(intrinsics, frames, image_size, where, echo)
        focal, aspect = focal_mm_from_pixels(fx, fy, w, h, sensor_width), w / h
    else:
        focal = np.full(frames, float(focal_mm))
    traj = Trajectory.from_matrices(pos, R, focal, sensor_width=sensor_width, aspect=aspect, fps=fps,
                                    frame_start=frame_start)

    placement = "given"
    if character is not None:
        c, cwhere = _array_or_file(character, "character", where, given_character)
        if c.shape != (frames, 3):
            raise DataError(f"character trajectory has shape {c.shape}, expected ({frames}, 3)", cwhere)
        if not np.all(np.isfinite(c)):
            raise DataError(f"character trajectory has a NaN at frame {int(np.argwhere(~np.isfinite(c))[0, 0])}",
                            cwhere)
        cp = points_to_blender(c if W is None else c @ W.T, up, scale)
        size = np.asarray(CHARACTER_SIZE if subject_size is None else subject_size, float)
        subj = Subject(cp[0], size, name="character", object_class="person", motion_position=cp)
        placement = "character"
    elif subject is not None:
        subj = make_subject(subject, subject_size, up, scale, where)
    else:
        subj, placement = default_subject(pos, R, DEFAULT_SUBJECT_SIZE if subject_size is None else subject_size)
    meta = {"source": "c2w", "path": str(path), "camera_axes": camera_axes, "up": up_used, "scale": scale,
            "subject_placement": placement}
    shot = Shot(traj, [subj], [], name=name or path.stem, metadata={**meta, **({"notes": notes} if notes else {})})
    return shot.validate(where)


def save_c2w(shot: Shot, path: str | Path, *, camera_axes: str = "opencv", up: str = "-y", scale: float = 1.0,
             layout: str = "4x4", image_size: Sequence[int] | None = None, overwrite: bool = False) -> dict[str, Path]:
    """Write a shot's camera as camera-to-world matrices in the given convention (the inverse of load_c2w).

    .json: one self-describing file {"c2w", "fps", "intrinsics" (K per frame), "image_size", "camera_axes", "up",
    "character" (moving subjects)}. .npy / .txt: the matrices ("4x4" or "3x4" layout; text writes one flattened
    matrix per line), plus <stem>_intrinsics (K per frame, flattened in text) and, for a moving subject,
    <stem>_character (F, 3) next to it. Returns the written paths by kind.
    """
    path = Path(path)
    t = shot.trajectory
    R, pos = from_blender(t.matrices, t.position, camera_axes, up, scale)
    M = np.broadcast_to(np.eye(4), (t.frame_count, 4, 4)).copy()
    M[:, :3, :3], M[:, :3, 3] = R, pos
    if layout not in ("4x4", "3x4"):
        raise ValueError(f"layout must be '4x4' or '3x4', got {layout!r}")
    M = M if layout == "4x4" else M[:, :3]
    if image_size is None:
        width = 1920
        image_size = (width, int(round(width / t.aspect))) if t.aspect >= 1 else (int(round(width * t.aspect)), width)
    w, h = float(image_size[0]), float(image_size[1])
    f_px = focal_pixels_from_mm(t.focal_length, w, h, t.sensor_width)
    K = np.zeros((t.frame_count, 3, 3))
    K[:, 0, 0] = K[:, 1, 1] = f_px
    K[:, 0, 2], K[:, 1, 2], K[:, 2, 2] = w / 2, h / 2, 1.0
    subj = shot.subject
    character = None
    if subj is not None and subj.motion_position is not None:
        W = geo.up_axis_to_zup(up)
        character = (subj.motion_position @ W) / scale

    suffix = path.suffix.lower()
    out = {"matrices": path}
    if suffix != ".json":
        out["intrinsics"] = path.with_name(f"{path.stem}_intrinsics{path.suffix}")
        if character is not None:
            out["character"] = path.with_name(f"{path.stem}_character{path.suffix}")
    if not overwrite:  # every file is checked before any is written
        for p in out.values():
            refuse_overwrite(p)
    if suffix == ".json":
        doc = {"c2w": M.tolist(), "fps": t.fps, "intrinsics": K.tolist(), "image_size": [w, h],
               "camera_axes": camera_axes, "up": up}
        if character is not None:
            doc["character"] = character.tolist()
        with atomic_writer(path, overwrite) as f:
            f.write(json.dumps(doc))
        return out
    arrays = {"matrices": M, "intrinsics": K}
    if character is not None:
        arrays["character"] = character
    for kind, p in out.items():
        a = arrays[kind]
        with atomic_writer(p, overwrite, binary=suffix == ".npy") as f:
            if suffix == ".npy":
                np.save(f, a)
            else:
                np.savetxt(f, a.reshape(len(a), -1), fmt="%.17g")
    return out
