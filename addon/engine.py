"""The add-on's one door into lenscraft_core: every call from the add-on to the core goes through here.

Generation runs one of three generators, as configure() says: the planner (lenscraft_core.plan: the asked segments
built exactly, framed by the body for a person; the default, no model files needed), the trained model
(lenscraft_core.inference, ONNX Runtime by default so stock Blender needs no torch) or the procedural simulator.
When the model cannot be loaded, generation falls back to the simulator and model_status() says why. Describe and
Complete need the model.

The core comes from one of two places: inside the built extension it is bundled as a sub-package
(`<extension>.lenscraft_core`), in a development checkout it is the installed `lenscraft_core` package. Every import
below is a plain import statement, written once per place (mypy and other tools read the development one). The
light modules (file formats included: their readers load on first use; plan, moves, clearance and shake, which
other add-on modules reach only through here) are imported here; the heavy ones
(inference, prompt parser, simulator, marker segments) inside the functions that use them, so register() never
loads them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping, Sequence

if TYPE_CHECKING:  # type-check against the development package
    from lenscraft_core import clearance, formats, geometry, keys, moves, plan, shake
    from lenscraft_core.cli_args import MAX_SEED, number, whole
    from lenscraft_core.errors import DataError, LensCraftError
    from lenscraft_core.formats import FORMATS
    from lenscraft_core.files import atomic_writer
    from lenscraft_core.inference.engine import Description, Engine
    from lenscraft_core.inference.runtime import DEVICES, RUNTIMES
    from lenscraft_core.prompt import Interpretation
    from lenscraft_core.schema import (DEFAULT_ASPECT, DEFAULT_FPS, DEFAULT_SENSOR_WIDTH_MM, MAX_FRAMES,
                                       Instruction, Shot, Subject, Trajectory)
    from lenscraft_core.vocabulary import FIELD_NAMES, FIELDS, caption
else:
    try:  # the copy bundled in the extension zip
        from .lenscraft_core import clearance, formats, geometry, keys, moves, plan, shake
        from .lenscraft_core.cli_args import MAX_SEED, number, whole
        from .lenscraft_core.errors import DataError, LensCraftError
        from .lenscraft_core.formats import FORMATS
        from .lenscraft_core.files import atomic_writer
        from .lenscraft_core.schema import (DEFAULT_ASPECT, DEFAULT_FPS, DEFAULT_SENSOR_WIDTH_MM, MAX_FRAMES,
                                            Instruction, Shot, Subject, Trajectory)
        from .lenscraft_core.vocabulary import FIELD_NAMES, FIELDS, caption
    except ImportError:  # development checkout: the installed package
        from lenscraft_core import clearance, formats, geometry, keys, moves, plan, shake
        from lenscraft_core.cli_args import MAX_SEED, number, whole
        from lenscraft_core.errors import DataError, LensCraftError
        from lenscraft_core.formats import FORMATS
        from lenscraft_core.files import atomic_writer
        from lenscraft_core.schema import (DEFAULT_ASPECT, DEFAULT_FPS, DEFAULT_SENSOR_WIDTH_MM, MAX_FRAMES,
                                           Instruction, Shot, Subject, Trajectory)
        from lenscraft_core.vocabulary import FIELD_NAMES, FIELDS, caption

__all__ = ["geometry", "keys", "plan", "moves", "clearance", "shake", "DataError", "LensCraftError", "Instruction",
           "Shot", "Subject", "Trajectory", "FIELD_NAMES", "FIELDS", "caption", "GENERATORS", "BACKENDS", "configure",
           "generator", "backend", "model_status", "parse_prompt", "stated_labels", "default_labels",
           "resolve_labels", "generate_shot", "generate_shots", "shot_notes", "move_text", "generated_labels",
           "open_fields_go_to_model", "config_state", "restore_config", "warm_text_encoder", "describe_shot",
           "describe_segments", "complete_shot", "save_shots", "load_shots", "IMPORT_EXTENSIONS", "import_source",
           "file_notes",
           "split_by_markers", "marker_name", "subject_base", "FORMATS", "atomic_writer", "read_json",
           "DEFAULT_SENSOR_WIDTH_MM", "MAX_FRAMES", "DEFAULT_ASPECT", "DEFAULT_FPS", "DEVICES", "RUNTIMES",
           "MAX_SEED", "number", "whole"]

# "learned": the shot planner (lenscraft_core.plan.plan_shot: the asked segments, amounts and speeds built exactly)
# with the amounts the words leave open decided by the model's move decoder (ONNX Runtime), the default; the planner
# alone when the model has none or cannot load;
# "planned": the shot planner with the operator's rules for the open amounts (always available, deterministic, no
# model files needed);
# "model": the trained model through lenscraft_core.inference (ONNX Runtime inside Blender: no torch);
# "simulator": the procedural simulator (always available, deterministic, no model files needed).
GENERATORS = ("planned", "learned", "model", "simulator")
BACKENDS = GENERATORS  # deprecated alias: "backend" was the add-on's old word for a generator
_CORE = geometry.__name__.rpartition(".")[0]  # "<extension>.lenscraft_core" or "lenscraft_core"
_BUNDLED = _CORE != "lenscraft_core"  # which of the two import statements the heavy imports below take


def __getattr__(name: str) -> Any:
    """DEVICES and RUNTIMES (lenscraft_core.inference.runtime), read on first use: importing anything from the
    inference package loads its Engine, which register() must not."""
    if name in ("DEVICES", "RUNTIMES"):
        if TYPE_CHECKING or not _BUNDLED:
            from lenscraft_core.inference import runtime
        else:
            from .lenscraft_core.inference import runtime
        return getattr(runtime, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass
class _Config:
    generator: str = "learned"  # GENERATORS; "learned" falls back to "planned", "model" to the simulator, when the
    # model cannot load
    model_path: str | None = None  # None: the bundled model
    runtime: str = os.environ.get("LENSCRAFT_RUNTIME", "onnx")  # RUNTIMES: "onnx" (no torch), "torch", "auto"
    device: str = "cpu"  # DEVICES
    clip_weights: str | None = None  # open_clip weights for a CLIP-trained model's prompts


_config = _Config()
_engine: Engine | None = None  # the loaded inference Engine, cached for the session (cold load once, then warm)
_engine_error: str | None = None  # why the model could not be loaded (kept so we do not retry on every click)


def configure(generator: str | None = None, model_path: str | None = None, runtime: str | None = None,
              device: str | None = None, clip_weights: str | None = None, backend: str | None = None) -> None:
    """Pick the generator ("learned", "planned", "model" or "simulator"), the model file (None or "": bundled), the inference
    runtime, the compute device and the open_clip weights (None: unchanged; "": none); the model is loaded again on
    next use when any of the last four changed. backend: the old name of generator, still accepted."""
    global _engine, _engine_error
    generator = generator if generator is not None else backend
    if generator is not None:
        if generator not in GENERATORS:
            raise LensCraftError(f"unknown generator '{generator}' (generators: {', '.join(GENERATORS)})")
        _config.generator = generator
    wanted = {"model_path": (model_path or None) if model_path is not None else _config.model_path,
              "runtime": runtime or _config.runtime,
              "device": device.lower() if device else _config.device,
              "clip_weights": (clip_weights or None) if clip_weights is not None else _config.clip_weights}
    if any(getattr(_config, k) != v for k, v in wanted.items()):
        for k, v in wanted.items():
            setattr(_config, k, v)
        _engine, _engine_error = None, None
        _PARSED.clear()  # keyed by id(engine): a new Engine may reuse the old one's id


def config_state() -> tuple[_Config, Engine | None, str | None]:
    """The whole generator configuration (with the loaded model): restore_config puts it back (a batch job's own
    --generator/--model must not reach the next job)."""
    return _Config(**_config.__dict__), _engine, _engine_error


def restore_config(state: tuple[_Config, Engine | None, str | None]) -> None:
    global _engine, _engine_error
    config, _engine, _engine_error = state
    _config.__dict__.update(config.__dict__)


def _model_engine() -> Engine:
    """The inference Engine (loaded on first use); raises LensCraftError saying why the model is unavailable."""
    global _engine, _engine_error
    if _engine is not None:
        return _engine
    if _engine_error is not None:
        raise LensCraftError(_engine_error)
    try:
        if TYPE_CHECKING or not _BUNDLED:
            from lenscraft_core.inference.engine import Engine, load_engine
        else:
            from .lenscraft_core.inference.engine import Engine, load_engine
    except ImportError as e:
        _engine_error = f"the model runtime is not available ({e})"
        raise LensCraftError(_engine_error) from None
    try:
        if _config.model_path is None and _config.runtime == "auto" and _config.clip_weights is None:
            _engine = load_engine(device=_config.device)
        else:
            _engine = Engine.load(_config.model_path, runtime=_config.runtime, device=_config.device,
                                  clip_weights=_config.clip_weights)
    except (LensCraftError, OSError, ImportError, ValueError, RuntimeError) as e:
        where = _config.model_path or "the bundled model"
        _engine_error = f"cannot load {where} ({_config.runtime} runtime): {e}"
        raise LensCraftError(_engine_error) from None
    return _engine


def generator() -> str:
    """What generate_shot runs now: "planned" or "simulator" when chosen; "learned" when chosen and the model and its
    move decoder load, else "planned"; "model" when chosen and loadable, else "simulator"."""
    if _config.generator in ("planned", "simulator"):
        return _config.generator
    if _config.generator == "learned":
        try:
            _model_engine().move_decoder()
            return "learned"
        except LensCraftError:
            return "planned"
    try:
        _model_engine()
        return "model"
    except LensCraftError:
        return "simulator"


backend = generator  # deprecated alias (the old name)


def model_status() -> str:
    """One line for the panel: which generator runs, and why the model does not when it does not."""
    if _config.generator == "planned":
        return "Planned (the asked moves, built exactly)"
    if _config.generator == "simulator":
        return "Procedural (simulator)"
    if _config.generator == "learned" and generator() == "planned":
        return f"Planned: the model's move decoder is not available ({_engine_error or 'this model has none'})"
    if _config.generator == "learned":
        return "Learned (the asked moves built exactly, open amounts from the model's move decoder)"
    if _engine is not None:
        where = _config.runtime if _engine.device == "cpu" else f"{_config.runtime}, {_engine.device}"
        notes = [n for n in (_engine.device_note, _engine.text_note, _engine.runtime_note) if n]
        return f"Model ({where})" + "".join(f"; {n}" for n in notes)
    if _engine_error is not None:
        return f"Simulator: {_engine_error}"
    return "Model (loads on first use)"


def default_labels() -> dict[str, str]:
    return {f: FIELDS[f].default for f in FIELD_NAMES}


def resolve_labels(labels: Mapping[str, str], fill: bool = True) -> dict[str, str]:
    """Every field's canonical label name (fill: the default where labels leave a field out; else only the fields
    given); raises UnknownLabelError (a LensCraftError) naming the field and close matches."""
    out = default_labels() if fill else {}
    for f, value in labels.items():
        if f not in FIELDS:
            raise LensCraftError(f"unknown field '{f}' (fields: {', '.join(FIELD_NAMES)})")
        out[f] = FIELDS[f].resolve(value)
    return out


# (id of the Engine or 0: grammar, text) -> its interpretation, or the error saying it names no camera work
_PARSED: dict[tuple[int, str], Interpretation | LensCraftError] = {}
_WARMING: set[int] = set()  # engines whose text encoder a background thread is loading (or has loaded)
_PARSED_MAX = 256  # prompts remembered (the panel asks again on every edit; the text encoder is the slow part)


def _grammar_parse(text: str) -> Interpretation:
    if TYPE_CHECKING or not _BUNDLED:
        from lenscraft_core.prompt import parse_prompt as parse
    else:
        from .lenscraft_core.prompt import parse_prompt as parse
    return parse(text)


def _text_encoder_ready(eng: Engine) -> bool:
    """Whether the model's text encoder has been chosen (loaded or found missing): asking then does not block."""
    return eng._text_encoder is not None


def warm_text_encoder(wait: bool = False) -> None:
    """Load the model's text encoder (MiniLM) in a thread, so the panel's next parse can use it without blocking;
    wait: load it here. Does nothing when the model is not loaded or not chosen."""
    eng = _engine if _config.generator == "model" else None
    if eng is None or _text_encoder_ready(eng):
        return
    if wait:
        eng.text_encoder()
    elif id(eng) not in _WARMING:  # one thread per engine; no bpy in it (Engine.text_encoder takes its own lock)
        import threading

        _WARMING.add(id(eng))
        threading.Thread(target=eng.text_encoder, name="lenscraft-text-encoder", daemon=True).start()


def parse_prompt(text: str, wait: bool = False) -> Interpretation:
    """Interpretation of a shot description (.labels, .confidence, .explicit, .source, .summary()); raises
    LensCraftError when the text says nothing about camera work.

    With the model chosen and loaded, its Engine.parse reads the prompt (the grammar, then the MiniLM text encoder
    for what the grammar left open); otherwise, and while the text encoder is still loading, the grammar alone
    answers, so the panel never waits. wait: load the model and its text encoder first (the command line).
    Results are cached per text."""
    if wait and _config.generator == "model":
        try:
            _model_engine()
        except LensCraftError:
            pass
        warm_text_encoder(wait=True)
    eng = _engine if _config.generator == "model" else None
    use_model = eng is not None and _text_encoder_ready(eng)
    if eng is not None and not use_model:
        warm_text_encoder()
    key = (id(eng) if use_model else 0, text)
    found = _PARSED.get(key)
    if found is None:
        try:
            found = eng.parse(text) if use_model and eng is not None else _grammar_parse(text)
        except LensCraftError as e:  # "says nothing about camera work": remembered too, asked again on every edit
            found = e
        except Exception:  # noqa: BLE001  (a failing text encoder must not break the panel: the grammar answers)
            key = (0, text)
            try:
                found = _grammar_parse(text)
            except LensCraftError as e:
                found = e
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.pop(next(iter(_PARSED)))
        _PARSED[key] = found
    if isinstance(found, LensCraftError):
        raise LensCraftError(str(found))
    return found


def move_text(move: moves.Move) -> str:
    """'dolly in (slow)', 'arc right (ccw) 90 deg': one move in words, as the prompt grammar writes it."""
    if TYPE_CHECKING or not _BUNDLED:
        from lenscraft_core.prompt import move_text as text
    else:
        from .lenscraft_core.prompt import move_text as text
    return str(text(move))


def stated_labels(interp: Interpretation) -> dict[str, str]:
    """The fields a prompt states (by the grammar or the text encoder), not the defaults it fills in."""
    return {f: interp.labels[f] for f in FIELD_NAMES if interp.source.get(f, "default") != "default"}


def open_fields_go_to_model() -> bool:
    """Whether a field nobody stated is left to the model (True) or given its default by the simulator (False):
    the generator generate_shot runs, as far as it is known without loading the model (for the panel)."""
    return _config.generator == "model" and _engine_error is None


def generate_shots(subject: Subject, labels: Mapping[str, str], frames: int, variations: int = 1,
                   fps: float = DEFAULT_FPS, seed: int = 0, focal_length: float | None = None,
                   sensor_width: float = DEFAULT_SENSOR_WIDTH_MM, aspect: float = DEFAULT_ASPECT,
                   floor: float | None = None, segments: Sequence[moves.Segment] | None = None,
                   aim: Any = None, obstacles: Sequence[clearance.Box] = ()) -> list[Shot]:
    """`variations` shots of `frames` frames framing `subject` (world space, Blender frame) as the labels describe,
    for a camera with this sensor (mm across the larger image side) and image aspect; focal_length None lets the
    shot choose the lens; floor: a world height the camera never goes below (keeping plan.CLEARANCE_M above it).
    segments: what the camera does, in order (moves.Segment; None: the movement label's); aim (F, 3): the points to
    frame instead of the subject's own; obstacles: boxes the path keeps out of. Runs the generator chosen (see
    generator()). What a shot could not do (an obstacle it could not clear, a bounded amount, segments a generator
    cannot make) is in shot_notes(shot).

    labels: the STATED fields only, canonical (resolve_labels(labels, fill=False)). A field left out is open: the
    planner and the simulator use its default, the model picks it. The model makes all variations in one call
    (variation 0 is the plain shot, the others vary what is open and how the rest is performed); the planner and the
    simulator make variation v from seed and v."""
    kw: dict[str, Any] = dict(fps=fps, focal_length=focal_length, sensor_width=sensor_width, aspect=aspect)
    segments = list(segments) if segments else None
    if generator() in ("planned", "learned"):
        shots = []
        for v in range(variations):
            if generator() == "learned":
                if TYPE_CHECKING or not _BUNDLED:
                    from lenscraft_core.inference.learned import plan_learned
                else:
                    from .lenscraft_core.inference.learned import plan_learned
                shot = plan_learned(_model_engine().move_decoder(), subject, dict(labels), segments, frames, fps,
                                    seed, v, aim, focal_length=focal_length, sensor_width=sensor_width,
                                    aspect=aspect, floor=floor, obstacles=obstacles)
            else:
                shot = plan.plan_shot(subject, dict(labels), segments, frames, fps, seed, v, focal_length,
                                      sensor_width, aspect, floor, obstacles=obstacles, aim=aim)
            shots.append(shot.validate("generated shot"))
        return shots
    labels, notes = dict(labels), []
    # The model makes a shot of several segments (or moves at once) segment by segment, each from where the previous
    # ended (lenscraft_core/inference/network_segments.py); the simulator makes one move per shot.
    by_segment = generator() == "model" and segments is not None and (len(segments) > 1
                                                                       or len(segments[0].moves) > 1)
    if segments and not by_segment:  # one move per shot: the first moving segment names it
        labels["movement"] = moves.first_move_label(segments)
        if len(segments) > 1:
            notes.append(f"the {generator()} makes one move per shot: only '{labels['movement']}' was made of the "
                         f"{len(segments)} segments (the Planned generator makes them all)")
        if any(m.amount is not None or m.speed or m.duration_s for s in segments for m in s.moves):
            notes.append(f"the {generator()} does not take amounts or speeds (the Planned generator does)")
    if generator() == "model":
        instruction = {**labels, "segments": segments} if by_segment else labels
        shots = _model_engine().generate(subject, instruction, frames=frames, variations=variations, floor=floor,
                                         seed=seed, generator="model", **kw)
    else:
        if TYPE_CHECKING or not _BUNDLED:
            from lenscraft_core.simulate import simulate_shot
        else:
            from .lenscraft_core.simulate import simulate_shot
        shots = []
        for v in range(variations):
            shot = simulate_shot(subject, {**default_labels(), **labels}, frames, seed=seed + v, **kw)
            if floor is not None:
                t = shot.trajectory
                t.position, t.rotation = geometry.keep_above_floor(t.position, t.rotation, subject.positions(frames),
                                                                   floor)
            shots.append(shot)
    for shot in shots:
        found = list(notes)
        if len(obstacles) or aim is not None:
            t = shot.trajectory
            point = subject.positions(frames) if aim is None else aim
            cleared = clearance.keep_clear(t.position, t.rotation, point, floor, plan.CLEARANCE_M, obstacles)
            t.position, t.rotation = cleared.position, cleared.rotation
            found += cleared.notes
        if found:
            shot.metadata["notes"] = list(shot.metadata.get("notes", [])) + found
    return [shot.validate("generated shot") for shot in shots]


def shot_notes(shot: Shot) -> list[str]:
    """What the generator could not do as asked (metadata["notes"]): the add-on reports them as warnings."""
    notes = shot.metadata.get("notes", []) if isinstance(shot.metadata, dict) else []
    return [str(n) for n in notes]


def generate_shot(subject: Subject, labels: Mapping[str, str], frames: int, fps: float = DEFAULT_FPS, seed: int = 0,
                  focal_length: float | None = None, sensor_width: float = DEFAULT_SENSOR_WIDTH_MM,
                  aspect: float = DEFAULT_ASPECT, floor: float | None = None,
                  segments: Sequence[moves.Segment] | None = None, aim: Any = None,
                  obstacles: Sequence[clearance.Box] = ()) -> Shot:
    """One shot (generate_shots with one variation)."""
    return generate_shots(subject, labels, frames, 1, fps=fps, seed=seed, focal_length=focal_length,
                          sensor_width=sensor_width, aspect=aspect, floor=floor, segments=segments, aim=aim,
                          obstacles=obstacles)[0]


def generated_labels(stated: Mapping[str, str]) -> dict[str, str]:
    """What the generator that runs now makes of the stated (canonical) labels: the model keeps open fields open,
    the planner and the simulator fill in their defaults."""
    return dict(stated) if generator() == "model" else {**default_labels(), **stated}


def subject_base(subject: Subject, frames: int) -> float:
    """Lowest world height of the subject's box over the shot: the ground it stands on."""
    rot = geometry.quat_to_matrix(subject.rotations(frames))
    return float(geometry.box_corners(subject.positions(frames), subject.size, rot)[..., 2].min())


def describe_shot(shot: Shot, top_k: int = 3) -> Description:
    """Caption and per-field top-k (label, score), best first, of a camera shot (needs the model)."""
    return _model_engine().describe(shot.validate("described shot"), top_k=top_k)


def describe_segments(shot: Shot, top_k: int = 3) -> list[dict[str, Any]]:
    """The shot's segments as describe finds them (change points in the motion), each labelled and captioned:
    lenscraft_core.inference.segments.describe_segments with the model."""
    if TYPE_CHECKING or not _BUNDLED:
        from lenscraft_core.inference.segments import describe_segments as find
    else:
        from .lenscraft_core.inference.segments import describe_segments as find
    return find(_model_engine(), shot.validate("described shot"), "auto", top_k=top_k)


def shot_caption(description: Description, segments: Sequence[dict[str, Any]]) -> str:
    """The caption to show: describe's for one segment, the segments in order then the framing for several
    (lenscraft_core.inference.segments.shot_caption)."""
    if TYPE_CHECKING or not _BUNDLED:
        from lenscraft_core.inference.segments import shot_caption as caption
    else:
        from .lenscraft_core.inference.segments import shot_caption as caption
    return caption(description, segments)


def complete_shot(shot: Shot, known_frames: Sequence[int], labels: Mapping[str, str] | None = None) -> Shot:
    """The shot with the motion between its known frames (indices into the shot) filled in; the known poses are
    passed through. labels (optional) steer the fill, e.g. the easing. When the core cannot beat Blender's own
    interpolation of the keys, the result has metadata["complete_kept_keys"] True (then write nothing) and
    metadata["complete_note"] says why; a fill may carry a complete_note too."""
    if len(known_frames) < 2:
        raise LensCraftError(f"complete needs at least two keyed poses in the frame range, found {len(known_frames)}")
    instruction = resolve_labels(labels, fill=False) if labels else None  # only what the user stated steers it
    out = _model_engine().complete(shot.validate("shot to complete"), list(known_frames), instruction=instruction)
    return out.validate("completed shot")


def save_shots(shots: Sequence[Shot], path: str, format: str = "lenscraft", overwrite: bool = False) -> None:
    if format not in FORMATS:
        raise LensCraftError(f"unknown export format '{format}' (formats: {', '.join(FORMATS)})")
    formats.save(list(shots), path, format=format, overwrite=overwrite)


def read_json(path: str) -> Any:
    """A small JSON file (a jobs file): UTF-8, every failure a DataError naming the file (a byte that is not UTF-8 by
    line and column, nesting past Python's recursion limit, a 5000-digit number)."""
    if TYPE_CHECKING or not _BUNDLED:
        from lenscraft_core.formats.text import read_json as read
    else:
        from .lenscraft_core.formats.text import read_json as read
    return read(path)


def load_shots(path: str) -> tuple[list[Shot], list[Any]]:
    """(shots, skipped) from any file the core reads (formats.load_any, the format detected: our JSON, v1 JSON,
    COLMAP models (a folder or any of its files; a rig gives one shot per camera), matrix .npy / .txt / .json,
    transforms.json, KITTI / E.T. pose lines, TUM, RealEstate10K), each format read with its own default up. What
    a reader assumed or repaired is in each shot's metadata["notes"] (see file_notes). Raises LensCraftError /
    OSError."""
    try:
        result = formats.load_any(path, up=None)
    except LensCraftError:
        raise
    except ValueError as e:  # a reader's own check (numpy's on a broken .npy): still a bad file, named
        raise LensCraftError(f"{path}: {e}") from None
    return list(result.shots), list(result.skipped)


IMPORT_EXTENSIONS = (".json", ".txt", ".npy", ".bin", ".tum", ".csv")  # the files load_shots reads (.bin: COLMAP)
# Notes that say a reader changed or doubted the data (rather than assumed a default): reported as warnings.
_REPAIR_WORDS = ("re-orthonormalised", "normalised the", "sorted", "irregular", "upside down", "not in time order")


def import_source(path: str) -> str:
    """What load_shots is given for a file: the model folder for any COLMAP model file (cameras.bin, images.txt,
    ...), so several files of one model dropped together import it once; other paths as they are."""
    return (os.path.dirname(path) or ".") if os.path.basename(path) in formats.COLMAP_FILES else path


def file_notes(shot: Shot) -> list[tuple[bool, str]]:
    """(is_repair, note) for what the reader assumed (the frame rate, the chosen up, a lens) or repaired
    (re-orthonormalised rotations, sorted frames) while reading the shot: metadata["notes"]."""
    notes = shot.metadata.get("notes", []) if isinstance(shot.metadata, dict) else []
    return [(any(w in str(n) for w in _REPAIR_WORDS), str(n)) for n in notes]


def split_by_markers(shot: Shot, markers: Sequence[tuple[int, str]]) -> list[Shot]:
    """One shot per marker span, labelled from the marker names (see lenscraft_core.formats.segments)."""
    if TYPE_CHECKING or not _BUNDLED:
        from lenscraft_core.formats.segments import split_by_markers as split
    else:
        from .lenscraft_core.formats.segments import split_by_markers as split
    return list(split(shot, markers))


def marker_name(labels: Mapping[str, str]) -> str:
    """A timeline marker name for these labels, in the syntax split_by_markers reads back (written by the core, next
    to its reader, so the two cannot drift apart)."""
    if TYPE_CHECKING or not _BUNDLED:
        from lenscraft_core.formats.segments import marker_name as name
    else:
        from .lenscraft_core.formats.segments import marker_name as name
    return name(labels)
