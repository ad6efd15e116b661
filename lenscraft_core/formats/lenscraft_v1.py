"""LensCraft v1 JSON: the dataset format of the original LensCraft simulator (three.js, Y up).

    {"simulations": [{"subjects": [...], "instructions": [...], "cameraFrames": [...]}, ...],
     "metadata": {"simulationCount", "subjectCount", "instructionCount", "minFrameCount", "maxFrameCount"}}

One simulation becomes one Shot: camera frames -> Trajectory (Z up via geometry.py; v1 has no frame rate, sensor or
aspect, so we assume V1_FPS = 30, a 35 mm film gauge -> sensor_width 35 and aspect 16:9), subjects -> Subjects
(objectClass -> object_class), instructions -> Instructions over consecutive frame spans (source "v1",
params {"movementDistance": ...}). v1's arc names mean the opposite turn of ours (v1's arcLeft goes counter-clockwise
seen from above, our arc left clockwise), so arc labels are mapped by geometry both ways (docs/formats.md, "Arc
direction").

Exact round trip: a shot read from v1 keeps the source Euler triples in shot.metadata["v1_euler"] ({"camera": (F, 3),
"subjects": (S, 3)} arrays). The writer emits a source triple verbatim wherever it still describes the shot's
rotation (to 1e-9), so v1 -> read -> write reproduces the file byte for byte (numbers printed like JavaScript's
JSON.stringify). Elsewhere it writes the principal Euler triple (three.js setFromRotationMatrix's branch) rounded to
12 decimals, which is also a fixed point of write -> read -> write. See docs/formats.md.
"""

from __future__ import annotations

import itertools
import json
import os
from typing import Any, Iterable, Iterator

import numpy as np

from .. import geometry as geo
from ..errors import DataError, UnknownLabelError
from ..schema import FOCAL_RANGE_MM, MAX_COORD_M, Instruction, Shot, Subject, Trajectory
from ..vocabulary import ARC_MIRROR, EASING, FIELDS, MOVEMENT, SHOT_TYPE, V1_KEYS, V1_SHOT_TYPES
from ..files import atomic_writer
from . import LoadResult
from .jsonstream import UNEXPECTED, as_data_error, iter_document, json_type, number_problem, pick_reader

FORMAT = "lenscraft-v1"
V1_FPS = 30.0  # v1 stores frames, not time; LensCraft's shots were played back at 30 fps
V1_SENSOR_WIDTH_MM = 35.0  # three.js PerspectiveCamera.filmGauge default, applied to the larger image side
V1_ASPECT = 16.0 / 9.0
V1_FRAME_START = 1  # Blender's default first frame; v1 itself counts from 0
EULER_KEY = "v1_euler"  # shot.metadata key of the source Euler triples (see module doc)
MAX_ANGLE_RAD = 1.0e3  # beyond this an Euler angle is a unit mistake (degrees? garbage?)
EULER_DECIMALS = 12
_CHUNK = 64  # simulations converted per vectorised batch (bigger batches gain little and cost memory)

# The v1 vocabulary: the first 25 movements, linear + 9 easing families x 3 modes, 4 angles, 3 shot types.
V1_LABELS: dict[str, tuple[str, ...]] = {
    "movement": MOVEMENT.names[:25],
    "easing": tuple(n for n in EASING.names if EASING[n].params["family"] != "Back"),
    "angle": ("lowAngle", "mediumAngle", "highAngle", "birdsEyeView"),
    "shot_type": V1_SHOT_TYPES,
}


def _nearest_shot_type(name: str) -> str:
    """Shot sizes -> v1 types: the v1 type whose coverage is nearest on a log scale."""
    c = SHOT_TYPE[name].params["coverage"]
    return min(V1_SHOT_TYPES, key=lambda t: abs(np.log(c / SHOT_TYPE[t].params["coverage"])))


# mapping="nearest": what a non-v1 label becomes. Labels absent here (static, roll, follow, track) have no v1
# counterpart and are an error in both modes; view is not a v1 field and is always dropped.
NEAREST_V1: dict[str, dict[str, str]] = {
    "movement": {"dollyOutZoomIn": "dollyOut", "dollyInZoomOut": "dollyIn"},
    "easing": {f"ease{m}Back": f"ease{m}Cubic" for m in ("In", "Out", "InOut")},
    "angle": {"overhead": "birdsEyeView"},
    "shot_type": {n: _nearest_shot_type(n) for n in SHOT_TYPE.names if n not in V1_SHOT_TYPES},
}

_FRAME_COLUMNS = ("position.x", "position.y", "position.z", "angle.x", "angle.y", "angle.z", "focalLength")
_SUBJECT_COLUMNS = ("position.x", "position.y", "position.z", "size.x", "size.y", "size.z",
                    "rotation.x", "rotation.y", "rotation.z")
_INSTRUCTION_KEYS = ("cameraMovement", "movementEasing", "frameCount", "initialCameraAngle", "initialShotType",
                     "subjectIndex", "movementDistance")
_LABEL_KEYS = {key: name for name, key in V1_KEYS.items()}  # "cameraMovement" -> "movement"


def v1_arc_geometry(field: str, name: str) -> str:
    """A canonical label between v1's meaning and ours: an arc becomes the arc of the same amount turning the other
    way (v1's shortArcShotLeft is counter-clockwise seen from above, our shortArcShotRight); every other label is
    itself. The mapping is its own inverse, so reading and writing both use it."""
    return ARC_MIRROR.get(name, name) if field == "movement" else name


# ======================================================================================================== reading
def read(path: str | os.PathLike, lenient: bool = False, reader: str = "auto", *, backend: str | None = None
         ) -> LoadResult:
    """Every shot of a file; reader: the JSON reader (jsonstream.READERS); backend: its deprecated old name."""
    return LoadResult.read(iter_shots, FORMAT, path, lenient, pick_reader(reader, backend))


def iter_shots(path: str | os.PathLike, lenient: bool = False, reader: str = "auto",
               result: LoadResult | None = None, *, backend: str | None = None) -> Iterator[Shot]:
    """Stream the shots of a v1 file, converted in vectorised batches. Skips land in result.skipped (lenient) and
    the file's metadata block in result.metadata."""
    name = os.fspath(path)
    batch: list[tuple[int, dict]] = []
    for kind, key, value in iter_document(path, "simulations", ("metadata",), pick_reader(reader, backend)):
        if kind == "header":
            if key == "metadata" and isinstance(value, dict) and result is not None:
                result.metadata = value
            continue
        try:
            batch.append((key, parse_simulation(value, f"{name}: simulation {key}")))
        except UNEXPECTED as e:
            if not lenient:
                raise as_data_error(e, f"{name}: simulation {key}") from None
            if result is not None:
                result.skipped.append((key, as_data_error(e, "").reason))
        if len(batch) >= _CHUNK:
            yield from _convert(batch, name)
            batch = []
    yield from _convert(batch, name)


def parse_simulation(sim: Any, where: str) -> dict:
    """Check one simulation and pull out its numbers: {"cam": (F, 7), "subjects": (S, 9), "classes", "instructions"}.
    Raises DataError naming the field path, e.g. "cameraFrames[3].position.x is NaN"."""
    try:  # fast path: straight lookups; any surprise goes to _diagnose for a precise message
        cam_rows = [(f["position"]["x"], f["position"]["y"], f["position"]["z"], f["angle"]["x"], f["angle"]["y"],
                     f["angle"]["z"], f["focalLength"]) for f in sim["cameraFrames"]]
        subj_rows = [(s["position"]["x"], s["position"]["y"], s["position"]["z"], s["size"]["x"], s["size"]["y"],
                      s["size"]["z"], s["rotation"]["x"], s["rotation"]["y"], s["rotation"]["z"])
                     for s in sim["subjects"]]
        classes = [s.get("objectClass") for s in sim["subjects"]]
        ins_rows = [tuple(i[k] for k in _INSTRUCTION_KEYS) for i in sim["instructions"]]
        types = set(map(type, itertools.chain.from_iterable(cam_rows + subj_rows)))
    except (KeyError, TypeError, AttributeError, IndexError):
        _diagnose(sim, where)
        raise DataError("malformed simulation", where) from None
    if not types <= {float, int}:
        _diagnose(sim, where)
    if not cam_rows:
        raise DataError("cameraFrames is empty (zero frames)", where)
    try:
        cam = np.array(cam_rows, dtype=np.float64).reshape(-1, 7)
        subjects = np.array(subj_rows, dtype=np.float64).reshape(-1, 9)
    except OverflowError:  # an integer too large for a float: _diagnose names it
        _diagnose(sim, where)
        raise DataError("a number is too large", where) from None
    _check_numbers(cam, "cameraFrames", _FRAME_COLUMNS, where)
    _check_numbers(subjects, "subjects", _SUBJECT_COLUMNS, where)
    _check_ranges(cam, subjects, where)
    if not ins_rows:
        raise DataError("instructions is empty: a simulation needs at least one instruction", where)
    for j, c in enumerate(classes):
        if c is not None and not isinstance(c, str):
            raise DataError(f"subjects[{j}].objectClass is {json_type(c)}, expected a string", where)
    instructions = [_parse_instruction(row, k, len(subj_rows), where) for k, row in enumerate(ins_rows)]
    total = sum(ins["count"] for ins in instructions)
    if total != len(cam_rows):
        raise DataError(f"cameraFrames has {len(cam_rows)} frames but the instructions' frameCount sum to {total}",
                        where)
    return {"cam": cam, "subjects": subjects, "classes": classes, "instructions": instructions}


def _parse_instruction(row: tuple, k: int, n_subjects: int, where: str) -> dict:
    values = dict(zip(_INSTRUCTION_KEYS, row))
    out: dict[str, Any] = {}
    for key, field in _LABEL_KEYS.items():
        label = values[key]
        if not isinstance(label, str):
            raise DataError(f"instructions[{k}].{key} is {json_type(label)}, expected a string", where)
        try:
            out[field] = v1_arc_geometry(field, FIELDS[field].resolve(label))
        except UnknownLabelError as e:
            raise DataError(f"instructions[{k}].{key}: {e}", where) from None
    for key in ("frameCount", "subjectIndex"):
        v = values[key]
        if isinstance(v, bool) or number_problem(v) or float(v) != int(v):  # number_problem: NaN, Infinity, 1e400
            raise DataError(f"instructions[{k}].{key} is {json.dumps(v)[:40] if _is_plain(v) else json_type(v)}, "
                            "expected a whole number", where)
    count, subject = int(values["frameCount"]), int(values["subjectIndex"])
    if count <= 0:
        raise DataError(f"instructions[{k}].frameCount is {count} (zero frames)", where)
    if not 0 <= subject < n_subjects:
        raise DataError(f"instructions[{k}].subjectIndex is {subject} but the simulation has {n_subjects} "
                        "subject(s)", where)
    problem = number_problem(values["movementDistance"])
    if problem:
        raise DataError(f"instructions[{k}].movementDistance {problem}", where)
    if abs(values["movementDistance"]) > MAX_COORD_M:
        raise DataError(f"instructions[{k}].movementDistance has an absurd magnitude "
                        f"{values['movementDistance']:.3g} (limit {MAX_COORD_M:g} m)", where)
    out.update(count=count, subject_index=subject, movementDistance=values["movementDistance"])
    return out


def _is_plain(v: Any) -> bool:
    return v is None or isinstance(v, (bool, int, float, str))


def _check_numbers(a: np.ndarray, name: str, columns: tuple[str, ...], where: str) -> None:
    bad = ~np.isfinite(a)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise DataError(f"{name}[{r}].{columns[c]} {number_problem(float(a[r, c]))}", where)


def _check_ranges(cam: np.ndarray, subjects: np.ndarray, where: str) -> None:
    """Schema limits, reported in v1 terms."""
    checks = [
        (cam[:, 0:3], "cameraFrames", 0, np.abs(cam[:, 0:3]) > MAX_COORD_M, f"absurd magnitude (limit {MAX_COORD_M:g} m)"),
        (cam[:, 3:6], "cameraFrames", 3, np.abs(cam[:, 3:6]) > MAX_ANGLE_RAD,
         f"absurd magnitude (limit {MAX_ANGLE_RAD:g} rad: degrees instead of radians?)"),
        (cam[:, 6:7], "cameraFrames", 6, (cam[:, 6:7] < FOCAL_RANGE_MM[0]) | (cam[:, 6:7] > FOCAL_RANGE_MM[1]),
         f"outside {FOCAL_RANGE_MM[0]:g}-{FOCAL_RANGE_MM[1]:g} mm"),
        (subjects[:, 0:3], "subjects", 0, np.abs(subjects[:, 0:3]) > MAX_COORD_M,
         f"absurd magnitude (limit {MAX_COORD_M:g} m)"),
        (subjects[:, 3:6], "subjects", 3, (subjects[:, 3:6] <= 0) | (subjects[:, 3:6] > MAX_COORD_M),
         f"not a size (must be > 0 and <= {MAX_COORD_M:g} m)"),
        (subjects[:, 6:9], "subjects", 6, np.abs(subjects[:, 6:9]) > MAX_ANGLE_RAD,
         f"absurd magnitude (limit {MAX_ANGLE_RAD:g} rad: degrees instead of radians?)"),
    ]
    for values, name, col0, bad, why in checks:
        if bad.any():
            r, c = np.argwhere(bad)[0]
            columns = _FRAME_COLUMNS if name == "cameraFrames" else _SUBJECT_COLUMNS
            raise DataError(f"{name}[{r}].{columns[col0 + c]} is {values[r, c]:.6g}: {why}", where)


def _diagnose(sim: Any, where: str) -> None:
    """Slow path: walk the simulation and raise DataError for the first structural problem, with its path."""

    def fail(path: str, message: str) -> None:
        raise DataError(f"{path} {message}", where)

    def obj(value: Any, path: str) -> dict:
        if not isinstance(value, dict):
            fail(path, f"is {json_type(value)}, expected an object")
        return value

    def get(parent: dict, key: str, path: str) -> Any:
        if key not in parent:
            fail(f"{path}.{key}" if path else key, "is missing")
        return parent[key]

    def lst(parent: dict, key: str) -> list:
        value = get(parent, key, "")
        if not isinstance(value, list):
            fail(key, f"is {json_type(value)}, expected a list")
        return value

    def number(parent: dict, key: str, path: str) -> None:
        problem = number_problem(get(parent, key, path))
        if problem:
            fail(f"{path}.{key}", problem)

    def xyz(parent: dict, key: str, path: str) -> None:
        v = obj(get(parent, key, path), f"{path}.{key}")
        for axis in "xyz":
            number(v, axis, f"{path}.{key}")

    sim = obj(sim, "the simulation")
    for j, s in enumerate(lst(sim, "subjects")):
        s = obj(s, f"subjects[{j}]")
        for key in ("position", "size", "rotation"):
            xyz(s, key, f"subjects[{j}]")
    for k, ins in enumerate(lst(sim, "instructions")):
        ins = obj(ins, f"instructions[{k}]")
        for key in _INSTRUCTION_KEYS:
            get(ins, key, f"instructions[{k}]")
    for t, frame in enumerate(lst(sim, "cameraFrames")):
        frame = obj(frame, f"cameraFrames[{t}]")
        xyz(frame, "position", f"cameraFrames[{t}]")
        xyz(frame, "angle", f"cameraFrames[{t}]")
        number(frame, "focalLength", f"cameraFrames[{t}]")


def _convert(batch: list[tuple[int, dict]], name: str) -> list[Shot]:
    """Parsed simulations -> Shots, with every conversion vectorised over the whole batch."""
    if not batch:
        return []
    cam = np.concatenate([raw["cam"] for _, raw in batch])
    subj = np.concatenate([raw["subjects"] for _, raw in batch])
    cam_pos = geo.points_yup_to_zup(cam[:, 0:3])
    cam_rot = geo.matrix_to_quat(geo.camera_rotation_yup_to_zup(geo.euler_to_matrix(cam[:, 3:6],
                                                                                    geo.THREEJS_EULER_ORDER)))
    subj_pos = geo.points_yup_to_zup(subj[:, 0:3])
    subj_size = geo.size_yup_to_zup(subj[:, 3:6])
    subj_rot = geo.matrix_to_quat(geo.object_rotation_yup_to_zup(geo.euler_to_matrix(subj[:, 6:9],
                                                                                     geo.THREEJS_EULER_ORDER)))
    frames = [len(raw["cam"]) for _, raw in batch]
    starts = np.concatenate([[0], np.cumsum(frames)])
    # Quaternion sign continuity within each shot (as Trajectory.from_matrices), vectorised per frame count.
    for f in set(frames):
        idx = [k for k, n in enumerate(frames) if n == f]
        rows = (starts[idx][:, None] + np.arange(f)).ravel()
        cam_rot[rows] = geo.quat_continuity(cam_rot[rows].reshape(len(idx), f, 4), axis=-2).reshape(-1, 4)
    shots, s0 = [], 0
    for k, (index, raw) in enumerate(batch):
        a, b = starts[k], starts[k + 1]
        s1 = s0 + len(raw["subjects"])
        traj = Trajectory(cam_pos[a:b], cam_rot[a:b], cam[a:b, 6].copy(), V1_SENSOR_WIDTH_MM, V1_ASPECT, V1_FPS,
                          V1_FRAME_START)
        subjects = [Subject(subj_pos[s0 + j], subj_size[s0 + j], subj_rot[s0 + j], name=f"subject{j}",
                            object_class=raw["classes"][j]) for j in range(s1 - s0)]
        instructions, start = [], 0
        for ins in raw["instructions"]:
            instructions.append(Instruction(ins["movement"], ins["easing"], ins["angle"], ins["shot_type"], None,
                                            start, ins["count"], ins["subject_index"], "v1",
                                            {"movementDistance": ins["movementDistance"]}))
            start += ins["count"]
        meta = {EULER_KEY: {"camera": cam[a:b, 3:6].copy(), "subjects": subj[s0:s1, 6:9].copy()}}
        shots.append(Shot(traj, subjects, instructions, name=f"simulation{index}", metadata=meta))
        s0 = s1
    return shots


# ======================================================================================================== writing
def write(shots: Iterable[Shot], path: str | os.PathLike, overwrite: bool = False, mapping: str = "strict",
          metadata: dict[str, Any] | None = None, flag: str = "overwrite=True") -> int:
    """Write shots as a v1 file (streamed: shots may be a generator). mapping='strict' rejects labels v1 lacks;
    'nearest' maps them by NEAREST_V1 and writes moving subjects at their first-frame pose. metadata overrides keys
    of the computed metadata block; flag names how the caller allows an overwrite. Returns the number of simulations
    written."""
    if mapping not in ("strict", "nearest"):
        raise ValueError(f"mapping must be 'strict' or 'nearest', got '{mapping}'")
    name = os.fspath(path)
    stats = {"n": 0, "subjects": 0, "instructions": 0, "min": None, "max": None}
    with atomic_writer(path, overwrite, flag=flag) as f:
        f.write('{\n  "simulations": [')
        it = iter(shots)
        while chunk := list(itertools.islice(it, _CHUNK)):
            for text in _format_chunk(chunk, stats, mapping, name):
                f.write(("\n" if stats["n"] == 0 else ",\n") + text)
                stats["n"] += 1
        f.write("\n  ],\n" if stats["n"] else "],\n")
        block = {"simulationCount": stats["n"], "subjectCount": stats["subjects"],
                 "instructionCount": stats["instructions"], "minFrameCount": stats["min"] or 0,
                 "maxFrameCount": stats["max"] or 0}
        block.update(metadata or {})
        for k, v in block.items():
            try:
                _js_value(v)
            except ValueError:
                raise DataError(f"metadata.{k} has a NaN or infinite value, which JSON cannot store; nothing was "
                                "written", name) from None
        f.write('  "metadata": {' + ",".join(f"\n    {_js_key(k)}: {_js_value(v)}" for k, v in block.items())
                + ("\n  }\n}" if block else "}\n}"))
    return stats["n"]


def _format_chunk(shots: list[Shot], stats: dict, mapping: str, name: str) -> list[str]:
    cam_rot = np.concatenate([s.trajectory.rotation for s in shots])
    cam_R = geo.camera_rotation_zup_to_yup(geo.quat_to_matrix(cam_rot))
    cam_euler = geo.matrix_to_euler(cam_R, geo.THREEJS_EULER_ORDER)
    subj_rot = np.concatenate([np.reshape([s.rotation for s in shot.subjects], (-1, 4)) for shot in shots])
    subj_R = geo.object_rotation_zup_to_yup(geo.quat_to_matrix(subj_rot))
    subj_euler = geo.matrix_to_euler(subj_R, geo.THREEJS_EULER_ORDER)
    frames, counts = [s.trajectory.frame_count for s in shots], [len(s.subjects) for s in shots]
    cam_euler = _with_hints(cam_euler, [_hint(s, "camera", n) for s, n in zip(shots, frames)], frames, cam_R)
    subj_euler = _with_hints(subj_euler, [_hint(s, "subjects", n) for s, n in zip(shots, counts)], counts, subj_R)
    out, c0, s0 = [], 0, 0
    for k, shot in enumerate(shots):
        where = f"{name}: shot {stats['n'] + k}" + (f" ({shot.name})" if shot.name else "")
        c1, s1 = c0 + shot.trajectory.frame_count, s0 + len(shot.subjects)
        out.append(_format_simulation(shot, cam_euler[c0:c1], subj_euler[s0:s1], mapping, where, stats))
        c0, s0 = c1, s1
    return out


def _hint(shot: Shot, key: str, n: int) -> np.ndarray | None:
    hint = (shot.metadata.get(EULER_KEY) or {}).get(key)
    if hint is None:
        return None
    hint = np.asarray(hint, dtype=np.float64)
    return hint if hint.shape == (n, 3) else None


def _with_hints(euler: np.ndarray, hints: list[np.ndarray | None], sizes: list[int], R: np.ndarray) -> np.ndarray:
    """Rounded principal Euler triples, replaced by the source triple wherever that still gives the same rotation."""
    euler = np.round(euler, EULER_DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0
    pi = round(np.pi, EULER_DECIMALS)
    euler[euler == -pi] = pi  # -pi and pi are one angle; noise must not flip the sign between round trips
    if all(h is None for h in hints):
        return euler
    H = np.concatenate([np.full((n, 3), np.nan) if h is None else h for h, n in zip(hints, sizes)])
    ok = np.isfinite(H).all(-1)
    close = np.zeros(len(H), dtype=bool)
    close[ok] = np.abs(geo.euler_to_matrix(H[ok], geo.THREEJS_EULER_ORDER) - R[ok]).max(axis=(-2, -1)) < 1e-9
    euler[close] = H[close]
    return euler


def _format_simulation(shot: Shot, cam_euler: np.ndarray, subj_euler: np.ndarray, mapping: str, where: str,
                       stats: dict) -> str:
    traj = shot.trajectory
    if not shot.instructions:
        raise DataError("has no instructions; v1 needs cameraMovement, movementEasing, initialCameraAngle and "
                        "initialShotType for every frame span", where)
    if not shot.subjects:
        raise DataError("has no subjects; v1 instructions point at a subject", where)
    cam_pos = geo.points_zup_to_yup(traj.position)
    focal = traj.focal_length * (V1_SENSOR_WIDTH_MM / traj.sensor_width) if traj.sensor_width != V1_SENSOR_WIDTH_MM \
        else traj.focal_length  # keeps the field of view across the larger image side
    subjects, subjects_rows = [], []
    for j, s in enumerate(shot.subjects):
        if s.is_moving and mapping == "strict":
            raise DataError(f"subjects[{j}] moves; v1 subjects are static (mapping='nearest' writes its "
                            "first-frame pose)", where)
        subjects_rows.append([*geo.points_zup_to_yup(s.positions(traj.frame_count)[0]).tolist(),
                              *geo.size_zup_to_yup(s.size).tolist(), *subj_euler[j].tolist()])
    # NaN and infinities are refused before anything is written: JSON has no token for them (repr's "nan" would
    # make a file the reader refuses).
    _check_numbers(np.array(subjects_rows, dtype=np.float64).reshape(-1, 9), "subjects", _SUBJECT_COLUMNS, where)
    for j, s in enumerate(shot.subjects):
        subjects.append(_SUBJECT.format(*map(_js, subjects_rows[j]), _js_value(s.object_class or s.name)))
    instructions, start = [], 0
    for k, ins in enumerate(shot.instructions):
        count = traj.frame_count - ins.start if ins.count is None else ins.count
        if ins.start != start:
            raise DataError(f"instructions[{k}] starts at frame {ins.start}, but v1 instructions cover the frames "
                            f"back to back (expected {start})", where)
        labels = [_v1_label(ins, field, mapping, f"{where}: instructions[{k}]") for field in
                  ("movement", "easing", "angle", "shot_type")]
        distance = ins.params.get("movementDistance")
        if distance is None:  # v1's definition: distance to the subject minus its largest size
            subj = shot.subjects[ins.subject_index]
            distance = float(np.linalg.norm(traj.position[ins.start] - subj.positions(traj.frame_count)[ins.start])
                             - subj.extent)
        if number_problem(float(distance)):
            raise DataError(f"instructions[{k}].movementDistance {number_problem(float(distance))}", where)
        instructions.append(_INSTRUCTION.format(_js_value(labels[0]), _js_value(labels[1]), count,
                                                _js_value(labels[2]), _js_value(labels[3]), ins.subject_index,
                                                _js(float(distance))))
        stats["min"] = count if stats["min"] is None else min(stats["min"], count)
        stats["max"] = count if stats["max"] is None else max(stats["max"], count)
        start += count
    if start != traj.frame_count:
        raise DataError(f"the instructions cover {start} frames but the trajectory has {traj.frame_count}", where)
    stats["subjects"] = max(stats["subjects"], len(shot.subjects))
    stats["instructions"] = max(stats["instructions"], len(shot.instructions))
    rows = np.concatenate([cam_pos, cam_euler, focal[:, None]], axis=1)
    _check_numbers(rows, "cameraFrames", _FRAME_COLUMNS, where)
    frames = [_FRAME % tuple(map(_js, row)) for row in rows.tolist()]
    return (_SIM_OPEN + ",\n".join(subjects) + _SIM_MID1 + ",\n".join(instructions) + _SIM_MID2
            + ",\n".join(frames) + _SIM_CLOSE)


def _v1_label(ins: Instruction, field: str, mapping: str, where: str) -> str:
    value = getattr(ins, field)
    if value is None:
        raise DataError(f"has no {field}; v1 needs {V1_KEYS[field]} on every instruction", where)
    value = FIELDS[field].resolve(value)
    if value in V1_LABELS[field]:
        return v1_arc_geometry(field, value)
    nearest = NEAREST_V1[field].get(value)
    if mapping == "nearest" and nearest:
        return nearest
    hint = f"; mapping='nearest' writes it as '{nearest}'" if nearest else "; v1 has no equivalent"
    raise DataError(f"{field} '{value}' does not exist in LensCraft v1{hint}", where)


# --------------------------------------------------------------------------------------- JSON.stringify(data, null, 2)
def _js(x: float) -> str:
    """A float as JavaScript prints it: shortest round-trip digits (as repr), integers without '.0', exponent only
    below 1e-6 or from 1e21, written 1.5e-7 / 1e+21."""
    if x == 0:
        return "0"
    if x != x or x in (float("inf"), float("-inf")):  # repr would give "nan" / "inf": tokens no reader takes
        raise ValueError(f"{x} has no JSON representation")
    r = repr(x)
    if "e" not in r:
        return r[:-2] if r.endswith(".0") else r
    sign, r = ("-", r[1:]) if r[0] == "-" else ("", r)
    mantissa, exp = r.split("e")
    digits = mantissa.replace(".", "")
    n = int(exp) + 1  # value = 0.digits * 10**n
    if len(digits) <= n <= 21:
        return sign + digits + "0" * (n - len(digits))
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * (-n) + digits
    e = n - 1
    return sign + digits[0] + ("." + digits[1:] if len(digits) > 1 else "") + "e" + ("+" if e >= 0 else "-") + str(abs(e))


def _js_value(v: Any) -> str:
    if isinstance(v, bool) or v is None:
        return json.dumps(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return _js(v)
    return json.dumps(v, ensure_ascii=False, allow_nan=False)


def _js_key(k: str) -> str:
    return json.dumps(k, ensure_ascii=False)


_SIM_OPEN = '    {\n      "subjects": [\n'
_SIM_MID1 = '\n      ],\n      "instructions": [\n'
_SIM_MID2 = '\n      ],\n      "cameraFrames": [\n'
_SIM_CLOSE = "\n      ]\n    }"
_SUBJECT = ('        {{\n          "position": {{\n            "x": {},\n            "y": {},\n            "z": {}\n'
            '          }},\n          "size": {{\n            "x": {},\n            "y": {},\n            "z": {}\n'
            '          }},\n          "rotation": {{\n            "x": {},\n            "y": {},\n            "z": {}\n'
            '          }},\n          "objectClass": {}\n        }}')
_INSTRUCTION = ('        {{\n          "cameraMovement": {},\n          "movementEasing": {},\n'
                '          "frameCount": {},\n          "initialCameraAngle": {},\n          "initialShotType": {},\n'
                '          "subjectIndex": {},\n          "movementDistance": {}\n        }}')
_FRAME = ('        {\n          "position": {\n            "x": %s,\n            "y": %s,\n            "z": %s\n'
          '          },\n          "angle": {\n            "x": %s,\n            "y": %s,\n            "z": %s\n'
          '          },\n          "focalLength": %s\n        }')
