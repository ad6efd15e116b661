"""Reading and writing shots: our own versioned JSON ("lenscraft"), LensCraft v1 JSON ("lenscraft-v1"), and, for
reading, camera-to-world matrix files ("c2w"), COLMAP models ("colmap") and the pose files of other tools
(POSE_FORMATS: nerfstudio / instant-ngp transforms.json, KITTI pose lines, TUM trajectories, RealEstate10K).

    result = load_any("take.npy", up="+y")      # any of them, the format detected from the file
    result = load("data.json")                  # the two JSON formats, detected from the content
    result.shots, result.skipped, result.summary
    save(result.shots, "out.json", format="lenscraft")

Both JSON readers stream (jsonstream.py): the big array (v1 "simulations", native "shots") is parsed one element at a
time, so memory stays bounded by the numpy arrays of the shots, never by the JSON tree. Every error names the file,
the sample index and the field path; lenient=True skips bad samples and reports them. Writes are atomic and never
overwrite by accident (lenscraft_core.files). See docs/formats.md.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from ..errors import DataError
from ..files import atomic_writer  # noqa: F401  (re-exported: imported from here before files.py existed)
from ..schema import DEFAULT_FPS, Shot
from .text import read_head
from .jsonstream import READERS, iter_document, json_type, number_problem, pick_reader  # noqa: F401  (re-exported)

FORMATS = ("lenscraft", "lenscraft-v1")  # what save() writes and load() reads
# Pose files, each sniffed from its name and first bytes by its module's detect(path, head), in this order; the
# value is the module. Their worlds have no fixed up: up None means "auto" for them (rotations.resolve_up).
POSE_FORMATS = {"transforms": "transforms_json", "re10k": "re10k", "tum": "tum", "kitti": "kitti"}
LOAD_ANY_FORMATS = FORMATS + ("c2w", "colmap") + tuple(POSE_FORMATS)  # what load_any() reads
# A model named by one of its files (COLMAP 3.12's rig layout adds rigs and frames).
COLMAP_FILES = tuple(f"{n}.{e}" for e in ("txt", "bin") for n in ("cameras", "images", "points3D", "rigs", "frames"))
FIXED_UP = {"c2w": "-y", "colmap": "-y"}  # the default up where a format's readers had one before "auto" existed
C2W_SUFFIXES = (".npy", ".txt")  # matrix files; a .json holds matrices when it is neither of our JSON formats


@dataclass
class LoadResult:
    """What load() returns: the shots, the samples skipped in lenient mode as (index, reason), the file's top-level
    metadata block (v1 "metadata" / native "metadata") and the detected format."""

    shots: list[Shot]
    skipped: list[tuple[int, str]] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    format: str = ""
    path: str = ""

    @classmethod
    def read(cls, iter_shots: Any, format: str, path: str | os.PathLike, lenient: bool, reader: str) -> "LoadResult":
        """Every shot a format's iter_shots(path, lenient, reader, result) streams, with its skips and metadata."""
        result = cls([], [], {}, format, os.fspath(path))
        result.shots = list(iter_shots(path, lenient, reader, result))
        return result

    @property
    def summary(self) -> str:
        head = f"{self.path}: loaded {len(self.shots)} shot(s) ({self.format})"
        if not self.skipped:
            return head
        reasons = "\n".join(f"  sample {i}: {r}" for i, r in self.skipped[:20])
        more = f"\n  ... and {len(self.skipped) - 20} more" if len(self.skipped) > 20 else ""
        return f"{head}, skipped {len(self.skipped)} bad sample(s):\n{reasons}{more}"

    def __len__(self) -> int:
        return len(self.shots)


# ------------------------------------------------------------------------------------------------------- detection
_C2W_JSON = re.compile(r'^\s*\[|"(c2w|poses|matrices|camera_to_world|trajectory|traj|extrinsics|transform_matrix)"'
                       r'\s*:')


def detect_format(path: str | os.PathLike, head: str | None = None) -> str:
    """'lenscraft' or 'lenscraft-v1', from the first 64 KiB of the file (head: those, when the caller has read them)."""
    if head is None:
        head = read_head(path)
    if re.search(r'"format"\s*:\s*"lenscraft"', head):
        return "lenscraft"
    if re.search(r'"(simulations|cameraFrames)"\s*:', head):
        return "lenscraft-v1"
    if not head.lstrip():
        raise DataError("the file is empty", str(path))
    raise DataError('cannot tell the format: expected a lenscraft file ({"format": "lenscraft", ...}) or a '
                    'LensCraft v1 file ({"simulations": [...]})', str(path))


def _sniff_pose_format(path: Path, head: str) -> str | None:
    """The pose format (POSE_FORMATS) a file's name and first bytes (head) say it is, or None."""
    from importlib import import_module

    for fmt, module in POSE_FORMATS.items():
        if import_module(f".{module}", __name__).detect(path, head):
            return fmt
    return None


def detect_any(path: str | os.PathLike) -> str:
    """One of LOAD_ANY_FORMATS for a path: a folder or a COLMAP model file is "colmap"; a .json is one of our JSON
    formats by content (detect_format), else a transforms.json, else "c2w" when it holds matrices; other files are
    a pose format by their first bytes (POSE_FORMATS), else "c2w" for .npy / .txt."""
    path = Path(path)
    if path.is_dir() or path.name in COLMAP_FILES:
        return "colmap"
    head = read_head(path) if path.is_file() else None  # read once, for every sniff below
    if path.suffix.lower() == ".json":
        try:
            return detect_format(path, head)
        except DataError:
            if head is not None and _sniff_pose_format(path, head) == "transforms":
                return "transforms"
            if head is not None and _C2W_JSON.search(head):
                return "c2w"
            raise
    pose = _sniff_pose_format(path, head) if head is not None else None
    if pose:
        return pose
    if path.suffix.lower() in C2W_SUFFIXES:
        return "c2w"
    return detect_format(path, head)


# ------------------------------------------------------------------------------------------------------- entry points
def load(path: str | os.PathLike, format: str | None = None, lenient: bool = False, reader: str = "auto", *,
         backend: str | None = None) -> LoadResult:
    """Load every shot of a JSON file. format: None (detect), 'lenscraft' or 'lenscraft-v1'. lenient: skip bad
    samples (listed in result.skipped) instead of raising DataError. reader: the JSON reader, 'auto' (= 'json', the
    stdlib scanner), 'json' or 'ijson'; backend: the deprecated old name of reader."""
    reader = pick_reader(reader, backend)
    fmt = format or detect_format(path)
    if fmt == "lenscraft-v1":
        from . import lenscraft_v1
        return lenscraft_v1.read(path, lenient=lenient, reader=reader)
    if fmt == "lenscraft":
        from . import native
        return native.read(path, lenient=lenient, reader=reader)
    raise ValueError(f"unknown format '{fmt}' (known: {', '.join(FORMATS)})")


def load_any(path: str | os.PathLike, *, format: str | None = None, lenient: bool = False, reader: str = "auto",
             up: Any = None, scale: float = 1.0, fps: float | None = None, camera_axes: str = "opencv"
             ) -> LoadResult:
    """Shots from any file LensCraft reads, the format (LOAD_ANY_FORMATS) detected by detect_any unless given.

    lenient and reader apply to the JSON formats (see load). up, scale and fps say how to read the camera files:
    up None is the format's default ("-y" for COLMAP and matrix files, FIXED_UP; "auto", estimated from the
    cameras, for the pose formats), "auto", an axis or a vector; fps None is the file's own where it has one, else
    the format's known default or schema.DEFAULT_FPS, with a note. camera_axes says how to read matrix files (the
    pose formats have their own). A COLMAP model with several cameras (a rig) gives one shot per camera. What a
    reader assumed or repaired is in each shot's metadata["notes"]."""
    fmt = format or detect_any(path)
    if fmt in FORMATS:
        return load(path, fmt, lenient, reader)
    up = FIXED_UP.get(fmt, "auto") if up is None else up
    if fmt == "colmap":
        from .colmap import load_colmap_takes

        model = Path(path).parent if Path(path).name in COLMAP_FILES else path  # a model named by one of its files
        shots = load_colmap_takes(model, up=up, scale=scale, fps=fps or DEFAULT_FPS)
    elif fmt == "c2w":
        from .c2w import load_c2w

        shots = [load_c2w(path, camera_axes=camera_axes, up=up, scale=scale, fps=fps)]
    elif fmt in POSE_FORMATS:
        from importlib import import_module

        module = import_module(f".{POSE_FORMATS[fmt]}", __name__)
        shots = [module.load(path, up=up, scale=scale, fps=fps)]
    else:
        raise ValueError(f"unknown format '{fmt}' (known: {', '.join(LOAD_ANY_FORMATS)})")
    return LoadResult(shots, format=fmt, path=os.fspath(path))


def save(shots: Iterable[Shot], path: str | os.PathLike, format: str = "lenscraft", overwrite: bool = False,
         flag: str = "overwrite=True", **options: Any) -> int:
    """Write shots (any iterable; written as it is consumed) and return how many were written. flag: how the
    caller's interface allows an overwrite (e.g. "--overwrite"), named when one is refused. options go to the
    format's writer (v1: mapping='strict'|'nearest', metadata={...}; native: metadata={...})."""
    if format == "lenscraft-v1":
        from . import lenscraft_v1
        return lenscraft_v1.write(shots, path, overwrite=overwrite, flag=flag, **options)
    if format == "lenscraft":
        from . import native
        return native.write(shots, path, overwrite=overwrite, flag=flag, **options)
    raise ValueError(f"unknown format '{format}' (known: {', '.join(FORMATS)})")
