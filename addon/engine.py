"""The add-on's one door into lenscraft_core: every call from the add-on to the core goes through here.

Generation runs the trained model (lenscraft_core.infer, ONNX Runtime by default so stock Blender needs no torch)
or the procedural simulator, as configure() says; when the model cannot be loaded, generation falls back to the
simulator and model_status() says why. Describe and Complete need the model.

Inside the built extension the core is bundled as a sub-package (`<extension>.lenscraft_core`); in a development
checkout the installed `lenscraft_core` package is used. Heavy modules (simulator, prompt parser, file formats) are
imported on first use, never at register().
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any, Mapping, Sequence

if TYPE_CHECKING:  # type-check against the development package
    from lenscraft_core import geometry
    from lenscraft_core.errors import DataError, LensCraftError
    from lenscraft_core.runtime import DEVICES
    from lenscraft_core.schema import DEFAULT_SENSOR_WIDTH_MM, Instruction, Shot, Subject, Trajectory
    from lenscraft_core.vocabulary import FIELD_NAMES, FIELDS, caption
else:
    try:  # the copy bundled in the extension zip
        from .lenscraft_core import geometry
        from .lenscraft_core.errors import DataError, LensCraftError
        from .lenscraft_core.runtime import DEVICES
        from .lenscraft_core.schema import DEFAULT_SENSOR_WIDTH_MM, Instruction, Shot, Subject, Trajectory
        from .lenscraft_core.vocabulary import FIELD_NAMES, FIELDS, caption
    except ImportError:  # development checkout: the installed package
        from lenscraft_core import geometry
        from lenscraft_core.errors import DataError, LensCraftError
        from lenscraft_core.runtime import DEVICES
        from lenscraft_core.schema import DEFAULT_SENSOR_WIDTH_MM, Instruction, Shot, Subject, Trajectory
        from lenscraft_core.vocabulary import FIELD_NAMES, FIELDS, caption

__all__ = ["geometry", "DataError", "LensCraftError", "Instruction", "Shot", "Subject", "Trajectory", "FIELD_NAMES",
           "FIELDS", "caption", "BACKENDS", "configure", "backend", "model_status", "parse_prompt", "default_labels",
           "resolve_labels", "generate_shot", "describe_shot", "complete_shot", "save_shots", "load_shots",
           "split_by_markers", "subject_base", "FORMATS", "DEFAULT_SENSOR_WIDTH_MM", "DEVICES"]

# "model": the trained model through lenscraft_core.infer (ONNX Runtime inside Blender: no torch);
# "simulator": the procedural simulator (always available, deterministic, no model files needed).
BACKENDS = ("model", "simulator")
FORMATS = ("lenscraft", "lenscraft-v1")
_CORE = geometry.__name__.rpartition(".")[0]  # "<extension>.lenscraft_core" or "lenscraft_core"


@dataclass
class _Config:
    backend: str = "model"  # what generate_shot runs when the model can be loaded
    model_path: str | None = None  # None: the bundled model
    runtime: str = os.environ.get("LENSCRAFT_RUNTIME", "onnx")  # infer backend: "onnx" (no torch), "torch", "auto"
    device: str = "cpu"  # runtime.DEVICES
    clip_weights: str | None = None  # open_clip weights for a CLIP-trained model's prompts


_config = _Config()
_engine: Any = None  # the loaded inference Engine, cached for the session (cold load once, then warm)
_engine_error: str | None = None  # why the model could not be loaded (kept so we do not retry on every click)


def configure(backend: str | None = None, model_path: str | None = None, runtime: str | None = None,
              device: str | None = None, clip_weights: str | None = None) -> None:
    """Pick the generator ("model" or "simulator"), the model file (None or "": bundled), the inference runtime,
    the compute device and the open_clip weights (None: unchanged; "": none); the model is loaded again on next
    use when any of the last four changed."""
    global _engine, _engine_error
    if backend is not None:
        if backend not in BACKENDS:
            raise LensCraftError(f"unknown backend '{backend}' (backends: {', '.join(BACKENDS)})")
        _config.backend = backend
    wanted = {"model_path": (model_path or None) if model_path is not None else _config.model_path,
              "runtime": runtime or _config.runtime,
              "device": device.lower() if device else _config.device,
              "clip_weights": (clip_weights or None) if clip_weights is not None else _config.clip_weights}
    if any(getattr(_config, k) != v for k, v in wanted.items()):
        for k, v in wanted.items():
            setattr(_config, k, v)
        _engine, _engine_error = None, None


def _model_engine() -> Any:
    """The inference Engine (loaded on first use); raises LensCraftError saying why the model is unavailable."""
    global _engine, _engine_error
    if _engine is not None:
        return _engine
    if _engine_error is not None:
        raise LensCraftError(_engine_error)
    try:
        infer = _core("infer")
    except ImportError as e:
        _engine_error = f"the model runtime is not available ({e})"
        raise LensCraftError(_engine_error) from None
    try:
        if _config.model_path is None and _config.runtime == "auto" and _config.clip_weights is None:
            _engine = infer.load_engine(device=_config.device)
        else:
            _engine = infer.Engine.load(_config.model_path, backend=_config.runtime, device=_config.device,
                                        clip_weights=_config.clip_weights)
    except (LensCraftError, OSError, ImportError, ValueError, RuntimeError) as e:
        where = _config.model_path or "the bundled model"
        _engine_error = f"cannot load {where} ({_config.runtime} runtime): {e}"
        raise LensCraftError(_engine_error) from None
    return _engine


def backend() -> str:
    """What generate_shot runs now: "model" when chosen and loadable, else "simulator"."""
    if _config.backend == "simulator":
        return "simulator"
    try:
        _model_engine()
        return "model"
    except LensCraftError:
        return "simulator"


def model_status() -> str:
    """One line for the panel: which generator runs, and why the model does not when it does not."""
    if _config.backend == "simulator":
        return "Procedural (simulator)"
    if _engine is not None:
        where = _config.runtime if _engine.device == "cpu" else f"{_config.runtime}, {_engine.device}"
        notes = [n for n in (_engine.device_note, _engine.text_note) if n]
        return f"Model ({where})" + "".join(f"; {n}" for n in notes)
    if _engine_error is not None:
        return f"Simulator: {_engine_error}"
    return "Model (loads on first use)"


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
                  aspect: float = 16.0 / 9.0, floor: float | None = None) -> Shot:
    """One shot of `frames` frames framing `subject` (world space, Blender frame) as the labels describe, for a
    camera with this sensor (mm across the larger image side) and image aspect; focal_length None lets the shot
    choose the lens; floor: a world height the camera never goes below. Runs the model when it is chosen and
    loads (see backend()), else the simulator."""
    labels = resolve_labels(labels)
    kw = dict(fps=fps, seed=seed, focal_length=focal_length, sensor_width=sensor_width, aspect=aspect)
    if backend() == "model":
        shot = _model_engine().generate(subject, labels, frames=frames, variations=1, floor=floor, **kw)[0]
    else:
        shot = _core("simulate").simulate_shot(subject, labels, frames, **kw)
        if floor is not None:
            t = shot.trajectory
            t.position, t.rotation = geometry.keep_above_floor(t.position, t.rotation, subject.positions(frames),
                                                               floor)
    return shot.validate("generated shot")


def subject_base(subject: Subject, frames: int) -> float:
    """Lowest world height of the subject's box over the shot: the ground it stands on."""
    rot = geometry.quat_to_matrix(subject.rotations(frames))
    return float(geometry.box_corners(subject.positions(frames), subject.size, rot)[..., 2].min())


@dataclass
class Description:
    caption: str
    fields: dict[str, list[tuple[str, float]]]  # field -> [(label, score)], best first
    motion: float  # how much the camera moves (the engine's measure)


def describe_shot(shot: Shot, top_k: int = 3) -> Description:
    """Caption and per-field top-k label scores of a camera shot (needs the model)."""
    d = _model_engine().describe(shot.validate("described shot"), top_k=top_k)
    fields = {f: [(str(label), float(score)) for label, score in d.fields[f]] for f in FIELD_NAMES if f in d.fields}
    return Description(str(d.caption), fields, float(getattr(d, "motion", 0.0)))


def complete_shot(shot: Shot, known_frames: Sequence[int], labels: Mapping[str, str] | None = None) -> Shot:
    """The shot with the motion between its known frames (indices into the shot) filled in by the model; the known
    poses are passed through. labels (optional) steer the fill, e.g. the easing."""
    if len(known_frames) < 2:
        raise LensCraftError(f"complete needs at least two keyed poses in the frame range, found {len(known_frames)}")
    instruction = resolve_labels(labels) if labels else None
    out = _model_engine().complete(shot.validate("shot to complete"), list(known_frames), instruction=instruction)
    return out.validate("completed shot")


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
