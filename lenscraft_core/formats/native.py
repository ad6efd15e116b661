"""The "lenscraft" format: our own versioned JSON that carries everything a Shot holds, in stated units and axes.

    {"format": "lenscraft", "version": 1, "conventions": {...}, "metadata": {...}, "shots": [
    {"name": ..., "fps": 24.0, "frame_start": 1, "frame_count": 30, "sensor_width": 36.0, "aspect": 1.77...,
     "camera": {"position": [[x, y, z], ...], "rotation": [[w, x, y, z], ...], "focal_length": [...]},
     "subjects": [...], "instructions": [...], "metadata": {...}},
    ...]}

One shot per line (readable diffs, streamable). Floats are written with repr, so reading gives back the same bits.
See docs/formats.md for every field.
"""

from __future__ import annotations

import itertools
import json
import os
from typing import Any, Iterable, Iterator

import numpy as np

from ..errors import DataError
from ..schema import Instruction, Shot, Subject, Trajectory
from ..vocabulary import FIELD_NAMES
from ..files import atomic_writer
from . import LoadResult
from .jsonstream import UNEXPECTED, as_data_error, iter_document, json_type, number_problem, pick_reader
from .lenscraft_v1 import EULER_KEY

FORMAT = "lenscraft"
VERSION = 1
CONVENTIONS = {
    "length": "metre", "focal_length": "millimetre", "sensor_width": "millimetre", "time": "second",
    "up": "+Z", "handedness": "right", "camera_forward": "-Z", "camera_up": "+Y", "object_front": "-Y",
    "rotation": "unit quaternion [w, x, y, z], camera-to-world (object-to-world for subjects)",
    "sensor_fit": "sensor_width spans the larger image side; aspect = width / height",
    "frames": "frame i of a shot is scene frame frame_start + i, at time i / fps",
}


# ======================================================================================================== writing
def write(shots: Iterable[Shot], path: str | os.PathLike, overwrite: bool = False,
          metadata: dict[str, Any] | None = None, flag: str = "overwrite=True") -> int:
    """Write shots (streamed); flag: how the caller's interface allows an overwrite, for the refusal message."""
    n = 0
    with atomic_writer(path, overwrite, flag=flag) as f:
        f.write(f'{{"format":"{FORMAT}","version":{VERSION},"conventions":{_dumps(CONVENTIONS)},'
                f'"metadata":{_dumps(metadata or {}, f"{os.fspath(path)}: metadata")},"shots":[')
        for shot in shots:
            where = f"{os.fspath(path)}: shot {n}"
            f.write(("\n" if n == 0 else ",\n") + _dumps(shot_to_json(shot, where), where))
            n += 1
        f.write("\n]}\n" if n else "]}\n")
    return n


def _dumps(value: Any, where: str = "") -> str:
    try:
        return json.dumps(value, separators=(",", ":"), allow_nan=False, ensure_ascii=False, default=_plain)
    except (ValueError, TypeError) as e:  # NaN / Infinity (which JSON cannot store), or an object it cannot write
        why = "has a NaN or infinite value" if isinstance(e, ValueError) else f"has a value JSON cannot store ({e})"
        raise DataError(f"{why} (in its metadata or instruction params); nothing was written", where) from None


def _plain(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def shot_to_json(shot: Shot, where: str = "shot") -> dict:
    t = shot.trajectory
    validate_keeping_bits(shot, where)
    return {
        "name": shot.name, "fps": float(t.fps), "frame_start": int(t.frame_start), "frame_count": t.frame_count,
        "sensor_width": float(t.sensor_width), "aspect": float(t.aspect),
        "camera": {"position": t.position, "rotation": t.rotation, "focal_length": t.focal_length},
        "subjects": [{"name": s.name, "object_class": s.object_class, "position": s.position, "size": s.size,
                      "rotation": s.rotation,
                      "motion": None if not s.is_moving else {"position": s.motion_position,
                                                              "rotation": s.motion_rotation}}
                     for s in shot.subjects],
        "instructions": [{**{f: getattr(i, f) for f in FIELD_NAMES}, "start": i.start, "count": i.count,
                          "subject_index": i.subject_index, "source": i.source, "params": i.params}
                         for i in shot.instructions],
        "metadata": shot.metadata,
    }


# ======================================================================================================== reading
def read(path: str | os.PathLike, lenient: bool = False, reader: str = "auto", *, backend: str | None = None
         ) -> LoadResult:
    """Every shot of a file; reader: the JSON reader (jsonstream.READERS); backend: its deprecated old name."""
    return LoadResult.read(iter_shots, FORMAT, path, lenient, pick_reader(reader, backend))


def iter_shots(path: str | os.PathLike, lenient: bool = False, reader: str = "auto",
               result: LoadResult | None = None, *, backend: str | None = None) -> Iterator[Shot]:
    name = os.fspath(path)
    header: dict[str, Any] = {}
    for kind, key, value in iter_document(path, "shots", ("format", "version", "metadata"),
                                      pick_reader(reader, backend)):
        if kind == "header":
            header[key] = value
            _check_header(header, name)
            if key == "metadata" and isinstance(value, dict) and result is not None:
                result.metadata = value
            continue
        _check_header(header, name, complete=True)
        try:
            yield shot_from_json(value, f"{name}: shot {key}")
        except UNEXPECTED as e:
            if not lenient:
                raise as_data_error(e, f"{name}: shot {key}") from None
            if result is not None:
                result.skipped.append((key, as_data_error(e, "").reason))


def _check_header(header: dict, name: str, complete: bool = False) -> None:
    if "format" in header and header["format"] != FORMAT:
        raise DataError(f"format is {json.dumps(header['format'])}, expected \"{FORMAT}\"", name)
    if "version" in header:
        v = header["version"]
        if isinstance(v, bool) or not isinstance(v, int):
            raise DataError(f"version is {json_type(v)}, expected a whole number", name)
        if v > VERSION:
            raise DataError(f"version {v} is newer than this LensCraft reads (up to version {VERSION}); "
                            "update LensCraft to read it", name)
        if v < 1:
            raise DataError(f"version {v} is not a valid version", name)
    if complete and ("format" not in header or "version" not in header):
        raise DataError('"format" and "version" must come before "shots"', name)


def shot_from_json(d: Any, where: str) -> Shot:
    d = _obj(d, "the shot", where)
    cam = _obj(_get(d, "camera", "", where), "camera", where)
    position = _array(_get(cam, "position", "camera", where), "camera.position", 3, where)
    frames = len(position)
    if frames == 0:
        raise DataError("camera.position is empty (zero frames)", where)
    rotation = _array(_get(cam, "rotation", "camera", where), "camera.rotation", 4, where, frames)
    focal = _array(_get(cam, "focal_length", "camera", where), "camera.focal_length", 0, where, frames)
    count = _get(d, "frame_count", "", where)
    if count != frames:
        raise DataError(f"frame_count is {json.dumps(count)} but camera.position has {frames} frames", where)
    traj = Trajectory(position, rotation, focal, _number(d, "sensor_width", where), _number(d, "aspect", where),
                      _number(d, "fps", where), _whole(d, "frame_start", where))
    subjects = []
    for j, s in enumerate(_list(d, "subjects", where)):
        p = f"subjects[{j}]"
        s = _obj(s, p, where)
        motion = s.get("motion")
        mp = mr = None
        if motion is not None:
            motion = _obj(motion, f"{p}.motion", where)
            if motion.get("position") is not None:
                mp = _array(motion["position"], f"{p}.motion.position", 3, where, frames)
            if motion.get("rotation") is not None:
                mr = _array(motion["rotation"], f"{p}.motion.rotation", 4, where, frames)
        subjects.append(Subject(_array(_get(s, "position", p, where), f"{p}.position", 0, where, 3),
                                _array(_get(s, "size", p, where), f"{p}.size", 0, where, 3),
                                _array(_get(s, "rotation", p, where), f"{p}.rotation", 0, where, 4),
                                _str(s, "name", p, where, "subject"), _str(s, "object_class", p, where, None), mp, mr))
    instructions = []
    for k, i in enumerate(_list(d, "instructions", where)):
        p = f"instructions[{k}]"
        i = _obj(i, p, where)
        labels = {f: _str(i, f, p, where, None) for f in FIELD_NAMES}
        params = i.get("params") or {}
        if not isinstance(params, dict):
            raise DataError(f"{p}.params is {json_type(params)}, expected an object", where)
        instructions.append(Instruction(**labels, start=_whole(i, "start", where, p),
                                        count=None if i.get("count") is None else _whole(i, "count", where, p),
                                        subject_index=_whole(i, "subject_index", where, p, 0),
                                        source=_str(i, "source", p, where, "user"), params=params))
    metadata = d.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise DataError(f"metadata is {json_type(metadata)}, expected an object", where)
    if EULER_KEY in metadata:  # v1 source angles: back to arrays (see lenscraft_v1)
        metadata[EULER_KEY] = _euler_hints(metadata[EULER_KEY], where)
    name = d.get("name")
    shot = Shot(traj, subjects, instructions, name if isinstance(name, str) else None, metadata)
    return validate_keeping_bits(shot, where)


def _euler_hints(value: Any, where: str) -> dict[str, np.ndarray]:
    path = f"metadata.{EULER_KEY}"
    value = _obj(value, path, where)
    return {k: _array(v, f"{path}.{k}", 3, where) for k, v in value.items()}


def validate_keeping_bits(shot: Shot, where: str) -> Shot:
    """Shot.validate(), except that quaternions already of unit length keep their exact bits (validate divides by
    the norm, which can move the last bit and would break exact round trips)."""
    t, subjects = shot.trajectory, shot.subjects
    stored = [t.rotation] + [s.rotation for s in subjects] + [s.motion_rotation for s in subjects]
    shot.validate(where)
    if all(q is None or np.abs(np.linalg.norm(q, axis=-1) - 1.0).max() < 1e-12 for q in stored):
        t.rotation = stored[0]
        for j, s in enumerate(subjects):
            s.rotation, s.motion_rotation = stored[1 + j], stored[1 + len(subjects) + j]
    return shot


# --------------------------------------------------------------------------------------------- typed lookups
def _obj(value: Any, path: str, where: str) -> dict:
    if not isinstance(value, dict):
        raise DataError(f"{path} is {json_type(value)}, expected an object", where)
    return value


def _get(d: dict, key: str, parent: str, where: str, default: Any = KeyError) -> Any:
    if key not in d:
        if default is KeyError:
            raise DataError(f"{parent + '.' if parent else ''}{key} is missing", where)
        return default
    return d[key]


def _list(d: dict, key: str, where: str) -> list:
    value = d.get(key, [])
    if not isinstance(value, list):
        raise DataError(f"{key} is {json_type(value)}, expected a list", where)
    return value


def _str(d: dict, key: str, parent: str, where: str, default: Any) -> Any:
    value = d.get(key, default)
    if value is not None and not isinstance(value, str):
        raise DataError(f"{parent}.{key} is {json_type(value)}, expected a string", where)
    return value


def _number(d: dict, key: str, where: str) -> float:
    value = _get(d, key, "", where)
    problem = number_problem(value)
    if problem:
        raise DataError(f"{key} {problem}", where)
    return float(value)


def _whole(d: dict, key: str, where: str, parent: str = "", default: Any = KeyError) -> int:
    value = _get(d, key, parent, where, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise DataError(f"{parent + '.' if parent else ''}{key} is {json_type(value)} "
                        f"({json.dumps(value)[:20]}), expected a whole number", where)
    return value


def _array(value: Any, path: str, width: int, where: str, length: int | None = None) -> np.ndarray:
    """A list of numbers (width 0) or of [width] rows -> float64 array, with the exact path of any bad entry."""
    if not isinstance(value, list):
        raise DataError(f"{path} is {json_type(value)}, expected a list", where)
    if length is not None and len(value) != length:
        raise DataError(f"{path} has {len(value)} entries, expected {length}", where)
    if width:
        for r, row in enumerate(value):
            if not isinstance(row, list) or len(row) != width:
                what = f"{len(row)} numbers" if isinstance(row, list) else json_type(row)
                raise DataError(f"{path}[{r}] is {what}, expected a list of {width} numbers", where)
        flat = list(itertools.chain.from_iterable(value))
    else:
        flat = value
    try:
        a = np.array(flat, dtype=np.float64) if set(map(type, flat)) <= {float, int} else None
    except OverflowError:  # an integer too large for a float: found below
        a = None
    if a is None or not np.isfinite(a).all():
        for n, v in enumerate(flat):
            problem = number_problem(v)
            if problem:
                index = f"[{n // width}][{n % width}]" if width else f"[{n}]"
                raise DataError(f"{path}{index} {problem}", where)
    assert a is not None  # every entry is a finite number, or the loop raised
    return a.reshape(-1, width) if width else a
