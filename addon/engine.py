"""The add-on's one door into lenscraft_core: every call from the add-on to the core goes through here, so the
trained model can replace the simulator later without touching operators, panels or the CLI.

Inside the built extension the core is bundled as a sub-package (`<extension>.lenscraft_core`); in a development
checkout the installed `lenscraft_core` package is used. Heavy modules (simulator, prompt parser, file formats) are
imported on first use, never at register().
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType
from typing import TYPE_CHECKING, Any, Mapping, Sequence

if TYPE_CHECKING:  # type-check against the development package
    from lenscraft_core import geometry
    from lenscraft_core.errors import DataError, LensCraftError
    from lenscraft_core.schema import DEFAULT_SENSOR_WIDTH_MM, Instruction, Shot, Subject, Trajectory
    from lenscraft_core.vocabulary import FIELD_NAMES, FIELDS, caption
else:
    try:  # the copy bundled in the extension zip
        from .lenscraft_core import geometry
        from .lenscraft_core.errors import DataError, LensCraftError
        from .lenscraft_core.schema import DEFAULT_SENSOR_WIDTH_MM, Instruction, Shot, Subject, Trajectory
        from .lenscraft_core.vocabulary import FIELD_NAMES, FIELDS, caption
    except ImportError:  # development checkout: the installed package
        from lenscraft_core import geometry
        from lenscraft_core.errors import DataError, LensCraftError
        from lenscraft_core.schema import DEFAULT_SENSOR_WIDTH_MM, Instruction, Shot, Subject, Trajectory
        from lenscraft_core.vocabulary import FIELD_NAMES, FIELDS, caption

__all__ = ["geometry", "DataError", "LensCraftError", "Instruction", "Shot", "Subject", "Trajectory", "FIELD_NAMES",
           "FIELDS", "caption", "BACKEND", "parse_prompt", "default_labels", "resolve_labels", "generate_shot",
           "save_shots", "load_shots", "split_by_markers", "FORMATS", "DEFAULT_SENSOR_WIDTH_MM"]

BACKEND = "simulator"  # what generate_shot runs; "model" once the inference API exists
FORMATS = ("lenscraft", "lenscraft-v1")
_CORE = geometry.__name__.rpartition(".")[0]  # "<extension>.lenscraft_core" or "lenscraft_core"


def _core(module: str) -> ModuleType:
    """Import lenscraft_core.<module> lazily, from the same place as the light modules above."""
    return importlib.import_module(f"{_CORE}.{module}")


def default_labels() -> dict[str, str]:
    return {f: FIELDS[f].default for f in FIELD_NAMES}


def resolve_labels(labels: Mapping[str, str]) -> dict[str, str]:
    """Canonical label names; raises UnknownLabelError (a LensCraftError) naming the field and close matches."""
    out = default_labels()
    for f, value in labels.items():
        if f not in FIELDS:
            raise LensCraftError(f"unknown field '{f}' (fields: {', '.join(FIELD_NAMES)})")
        out[f] = FIELDS[f].resolve(value)
    return out


def parse_prompt(text: str) -> Any:
    """Interpretation of a shot description (.labels, .confidence, .explicit, .summary()); raises LensCraftError
    when the text says nothing about camera work."""
    return _core("prompt").parse_prompt(text)


def generate_shot(subject: Subject, labels: Mapping[str, str], frames: int, fps: float = 24.0, seed: int = 0,
                  focal_length: float | None = None, sensor_width: float = DEFAULT_SENSOR_WIDTH_MM,
                  aspect: float = 16.0 / 9.0) -> Shot:
    """One shot of `frames` frames framing `subject` (world space, Blender frame) as the labels describe, for a
    camera with this sensor (mm across the larger image side) and image aspect; focal_length None lets the shot
    choose the lens."""
    shot = _core("simulate").simulate_shot(subject, resolve_labels(labels), frames, fps=fps, seed=seed,
                                           focal_length=focal_length, sensor_width=sensor_width, aspect=aspect)
    return shot.validate("generated shot")


def save_shots(shots: Sequence[Shot], path: str, format: str = "lenscraft", overwrite: bool = False) -> None:
    if format not in FORMATS:
        raise LensCraftError(f"unknown export format '{format}' (formats: {', '.join(FORMATS)})")
    _core("formats").save(list(shots), path, format=format, overwrite=overwrite)


def load_shots(path: str) -> tuple[list[Shot], list[Any]]:
    """(shots, skipped) from a JSON file in any format the core reads; raises LensCraftError / OSError."""
    result = _core("formats").load(path)
    return list(result.shots), list(result.skipped)


def split_by_markers(shot: Shot, markers: Sequence[tuple[int, str]]) -> list[Shot]:
    """One shot per marker span, labelled from the marker names (see lenscraft_core.formats.segments)."""
    return list(_core("formats.segments").split_by_markers(shot, markers))


def has_module(module: str) -> bool:
    return importlib.util.find_spec(f"{_CORE}.{module}") is not None
