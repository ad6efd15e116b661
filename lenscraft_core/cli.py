"""Command line: `python -m lenscraft_core <command> ...` (also installed as `lenscraft`).

Each command imports what it needs when it runs, so `--help` and the light commands start fast.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Callable

from .errors import LensCraftError
from .formats import FORMATS
from .geometry import UP_AXES, up_axis_to_zup
from .inference.runtime import DEVICES, RUNTIMES
from .schema import MAX_FRAMES
from .cli_args import MAX_SEED, DeprecatedFlag, number, text, whole

OVERWRITE = "--overwrite"  # named in the refusal when an output exists


def up_axis(value: str) -> str:
    """An argparse type: "auto" (estimated from the cameras) or a world axis (geometry.UP_AXES)."""
    if value.strip().lower() == "auto":
        return "auto"
    try:
        up_axis_to_zup(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"unknown up axis '{text(value)}'; expected auto or one of "
                                         f"{', '.join(UP_AXES)}") from None
    return value


SEED = whole(0, MAX_SEED, "a seed")
FRAMES = whole(1, MAX_FRAMES, "the frame count")


# ---------------------------------------------------------------------------------------------------- labels
def _labels_from_args(args: argparse.Namespace, parse: Callable | None = None) -> tuple[Any, dict[str, str]]:
    """The one prompt -> labels path: (what --prompt was understood as, or None; the fields it states with the label
    flags on top). parse: the prompt parser, the grammar unless given (the model commands pass the engine's, which
    settles what the grammar leaves open with the text encoder)."""
    from .vocabulary import FIELD_NAMES, FIELDS

    flags = {f: FIELDS[f].resolve(getattr(args, f)) for f in FIELD_NAMES if getattr(args, f, None)}
    if not getattr(args, "prompt", None):
        return None, flags
    if parse is None:
        from .prompt.grammar import parse_prompt

        parse = parse_prompt
    interp = parse(args.prompt)
    return interp, {**{f: interp.labels[f] for f in FIELD_NAMES if f in interp.explicit}, **flags}


def _grammar_labels(args: argparse.Namespace) -> dict[str, str]:
    """Labels for the simulator commands; what the prompt was understood as goes to stderr."""
    interp, labels = _labels_from_args(args)
    if interp is not None:
        print(interp.summary(), file=sys.stderr)
    return labels


def _instruction_from_args(args: argparse.Namespace) -> dict | str | None:
    """For the model commands: the prompt alone (the engine then records it and what it understood in the shot's
    metadata), or the labels with the flags on top, or None when neither is given."""
    from .vocabulary import FIELD_NAMES

    if getattr(args, "prompt", None) and not any(getattr(args, f, None) for f in FIELD_NAMES):
        return args.prompt
    return _labels_from_args(args, lambda prompt: _engine(args).parse(prompt))[1] or None


# ---------------------------------------------------------------------------------------------------- data
def _load(path: Path, args: argparse.Namespace) -> list:
    """Shots from any file formats.load_any reads, with the command's source flags; skipped samples to stderr."""
    from . import formats

    result = formats.load_any(path, **_source_options(args))
    for index, reason in result.skipped[:20]:
        print(f"skipped sample {index}: {reason}", file=sys.stderr)
    print_notes(result.shots)
    return result.shots


def print_notes(shots: list) -> None:
    """What the readers assumed or repaired (metadata["notes"]: the frame rate, the chosen up, re-orthonormalised
    rotations, ...), one "note:" line each on stderr, named by shot when there are several."""
    for shot in shots:
        for note in shot.metadata.get("notes", []) if isinstance(shot.metadata, dict) else []:
            print(f"note: {f'{shot.name}: ' if len(shots) > 1 else ''}{note}", file=sys.stderr)


def _source_options(args: argparse.Namespace) -> dict[str, Any]:
    names = ("lenient", "up", "scale", "fps", "camera_axes")  # the flags of _add_source_flags that a command has
    return {k: getattr(args, k) for k in names if getattr(args, k, None) is not None}


def _save(shots: list, args: argparse.Namespace, format: str = "lenscraft") -> int:
    from . import formats

    return formats.save(shots, args.out, format=format, overwrite=args.overwrite, flag=OVERWRITE)


# What commands that write into a folder would replace there (kept here: the library writes them without asking).
INSPECT_FILES = ("label_histograms.png", "trajectories_top.png", "trajectories_side.png", "embedding.png")
ONNX_FILES = ("encoder.onnx", "generator.onnx", "onnx.json")  # train/export.py's graphs and manifest
REPORT_FILES = ("results.json", "accuracy_by_split.png", "error_histograms.png")  # evaluate/suite.py's report


def refuse_replacing(folder: Path, names: Any, patterns: Any = (), overwrite: bool = False) -> None:
    """FileExistsError naming --overwrite when folder already holds a file of `names` or `patterns` (globs): the
    check is made before any work starts, so a refused run changes nothing."""
    if overwrite or not folder.is_dir():
        return
    found = [folder / n for n in names if (folder / n).exists()]
    found += [q for pattern in patterns for q in sorted(folder.glob(pattern)) if q not in found]
    if found:
        more = f" (and {len(found) - 1} more file(s) it would replace)" if len(found) > 1 else ""
        raise FileExistsError(f"{folder} already holds {found[0].name}{more}; pass {OVERWRITE} to replace them")


def _refusing_report_overwrite(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """The evaluate command, refusing to replace an earlier report in --out unless --overwrite is given."""
    def cmd_evaluate(args: argparse.Namespace) -> int:
        refuse_replacing(Path(args.out), REPORT_FILES, ("confusion_*.png",), args.overwrite)
        return run(args)
    return cmd_evaluate


def cmd_simulate(args: argparse.Namespace) -> int:
    from .simulate import simulate_batch

    labels: dict = _grammar_labels(args)
    if args.format == "lenscraft-v1":  # draw the fields not given among the values v1 can store
        import numpy as np

        from .formats.lenscraft_v1 import V1_LABELS

        rng = np.random.default_rng([args.seed, 1])
        for f, names in V1_LABELS.items():
            labels.setdefault(f, rng.choice(list(names), size=args.count))
    share = {} if args.person_share is None else {"person_share": args.person_share}
    batch = simulate_batch(args.count, frames=args.frames, fps=args.fps, seed=args.seed, labels=labels or None,
                           **share)
    shots = batch.shots()
    _save(shots, args, args.format)
    print(f"wrote {len(shots)} simulated shot(s) of {args.frames} frames to {args.out} ({args.format})")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from . import formats

    failed = 0
    for path in args.files:
        try:
            result = formats.load_any(path, lenient=args.lenient)
        except (LensCraftError, OSError) as e:
            print(f"{path}: INVALID: {e}")
            failed += 1
            continue
        frames = sum(s.trajectory.frame_count for s in result.shots)
        print(f"{path}: {len(result.shots)} shot(s), {frames} frames" +
              (f", skipped {len(result.skipped)}" if result.skipped else ""))
        for index, reason in result.skipped[:20]:
            print(f"  skipped sample {index}: {reason}")
    return 1 if failed else 0


def cmd_convert(args: argparse.Namespace) -> int:
    from . import formats

    result = formats.load_any(args.input, **_source_options(args))
    print_notes(result.shots)
    shots = [s for shot in result.shots for s in shot.split()] if args.split else result.shots
    _save(shots, args, args.format)
    print(f"wrote {len(shots)} shot(s) to {args.out} ({args.format})" +
          (f"; skipped {len(result.skipped)} bad sample(s)" if result.skipped else ""))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Simulate one shot for a prompt around a 1.8 m subject and print what the camera does."""
    import numpy as np

    from .framing import measure
    from .schema import Subject
    from .simulate import simulate_shot

    labels = _grammar_labels(args)
    subject = Subject(position=np.array([0.0, 0.0, 0.9]), size=np.array([0.5, 0.4, 1.8]), name="actor")
    shot = simulate_shot(subject, labels, frames=args.frames, fps=args.fps, seed=args.seed)
    m = measure(shot.trajectory, subject)
    traj = shot.trajectory
    print(f"shot: {', '.join(f'{k}={v}' for k, v in shot.labels.items())}")
    print(f"{traj.frame_count} frames at {traj.fps:g} fps; subject centre on screen in "
          f"{100 * np.mean(m.centre_in_frame):.0f}% of frames")
    for i in sorted({0, traj.frame_count // 2, traj.frame_count - 1}):
        p = traj.position[i]
        print(f"  frame {traj.frame_start + i:4d}: camera at ({p[0]:6.2f}, {p[1]:6.2f}, {p[2]:6.2f}) m, "
              f"lens {traj.focal_length[i]:5.1f} mm, subject fills {m.coverage[i]:.2f} of frame height")
    if args.out:
        _save([shot], args)
        print(f"wrote {args.out}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    shots = _load(args.input, args)
    if args.segments:
        from .formats.segments import split_by_csv

        engine = None

        def predicted_labels(sample):  # unlabelled segments get the model's description (source "predicted")
            nonlocal engine
            if engine is None:
                from .inference.engine import load_engine

                engine = load_engine()
            return engine.describe(sample).labels

        shots = [part for shot in shots for part in split_by_csv(shot, args.segments, label_fn=predicted_labels)]
    _save(shots, args, args.format)
    print(f"wrote {len(shots)} shot(s) to {args.out} ({args.format})")
    return 0


def cmd_inspect(args: argparse.Namespace) -> int:
    from .evaluate.plots import format_summary_table, inspect_dataset

    confusions = ("confusion_*.png",) if args.describe else ()
    refuse_replacing(args.out, INSPECT_FILES, confusions, args.overwrite)
    shots = [s for shot in _load(args.data, args) for s in shot.split()]
    summary = inspect_dataset(shots, args.out)
    print(format_summary_table(summary))
    if args.describe:  # describe against the labels it did not make itself (evaluate/plots.score_describe)
        from .evaluate.plots import format_describe_scores, score_describe

        eng = _engine(args)
        predicted = [eng.describe(s, top_k=1).labels for s in shots]
        for line in format_describe_scores(score_describe(shots, predicted, args.out)):
            print(line)
    print(f"plots in {args.out}")
    return 0


# ---------------------------------------------------------------------------------------------------- inference
def _engine(args: argparse.Namespace):
    from .inference.engine import load_engine

    engine = load_engine(args.model, runtime=args.runtime, device=args.device)
    engine.prompt_fallback = args.prompt_fallback
    if engine.device_note:
        print(f"note: {engine.device_note}", file=sys.stderr)
    return engine


def cmd_generate(args: argparse.Namespace) -> int:
    import numpy as np

    from .schema import Subject

    instruction = _instruction_from_args(args)
    if instruction is None:
        raise LensCraftError("generate: give --prompt or at least one label flag (--movement, --angle, ...)")
    eng = _engine(args)
    if isinstance(instruction, str):
        print(eng.parse(instruction).summary(), file=sys.stderr)
    subject = Subject(position=np.array(args.subject_position, float), size=np.array(args.subject_size, float),
                      rotation=np.array(args.subject_rotation, float), name=args.subject_name,
                      object_class=args.subject_kind)
    floor = None if args.no_floor else "auto" if args.floor is None else args.floor
    shots = eng.generate(subject, instruction, frames=args.frames, fps=args.fps, seed=args.seed,
                         variations=args.variations, focal_length=args.focal_length, floor=floor,
                         generator=args.generator)
    for note in dict.fromkeys(n for shot in shots for n in shot.metadata.get("notes", ())):
        print(f"note: {note}", file=sys.stderr)
    _save(shots, args)
    used = shots[0].metadata.get("generator", "") if shots else ""
    how = {"lenscraft/planned": "the shot planner",
           "lenscraft/learned": "the shot planner, open amounts from the move decoder"}.get(
        used, f"the model, {eng.runtime_name} runtime")
    print(f"wrote {len(shots)} generated shot(s) of {args.frames} frames to {args.out} ({how})")
    return 0


def cmd_describe(args: argparse.Namespace) -> int:
    import json

    from .files import atomic_writer, atomic_write_with

    from .inference.segments import describe_segments, segment_lines, sequence_caption

    eng = _engine(args)
    shots = [s for shot in _load(args.input, args) for s in shot.split()]
    results = []
    for i, shot in enumerate(shots):
        d = eng.describe(shot, top_k=args.top_k)
        segments = describe_segments(eng, shot, _segment_mode(args.segments, shot), top_k=args.top_k)
        # caption, motion, fields, shake, geometry... for the whole shot, then its segments
        results.append({"shot": shot.name or str(i), **d.as_dict(), "segments": segments,
                        "segments_caption": sequence_caption(segments)})
        lines = d.summary_lines()
        if len(segments) > 1:
            lines += [f"  in {len(segments)} segments: {sequence_caption(segments)}", *segment_lines(segments)]
        print(f"{shot.name or i}: " + "\n".join(lines))
    if args.out:
        with atomic_writer(args.out, args.overwrite, flag=OVERWRITE) as f:
            f.write(json.dumps({"descriptions": results}, indent=1))
        print(f"wrote {args.out}")
    if args.csv:
        from .evaluate.plots import describe_to_csv

        best = iter([{f: tuple(ranked[0]) for f, ranked in r["fields"].items()} for r in results])
        # rows in shot order: reuse what ran above
        atomic_write_with(args.csv, lambda tmp: describe_to_csv(shots, lambda _shot: next(best), tmp),
                          args.overwrite, flag=OVERWRITE)
        print(f"wrote {args.csv}")
    return 0


def _segment_mode(value: str, shot) -> Any:
    """--segments: "auto", "none", or a segments CSV (formats/segments.py) read against this shot's frames."""
    if value in ("auto", "none"):
        return value
    from .formats.segments import read_segments_csv

    t = shot.trajectory
    return read_segments_csv(value, t.fps, t.frame_count, t.frame_start)


def segments_arg(value: str) -> str:
    """An argparse type: auto, none, or an existing segments CSV file."""
    v = value.strip()
    if v.lower() in ("auto", "none"):
        return v.lower()
    if not Path(v).is_file():
        raise argparse.ArgumentTypeError(f"'{text(value)}' is neither auto, none nor a segments CSV file")
    return v


def cmd_complete(args: argparse.Namespace) -> int:
    try:
        keys = [int(k) for k in args.keys.split(",") if k.strip()]
    except ValueError:
        raise LensCraftError(f"--keys '{args.keys}': expected 0-based frame indices like 0,24,47") from None
    eng = _engine(args)
    shots = [s for shot in _load(args.input, args) for s in shot.split()]
    done = [eng.complete(shot, keys, _instruction_from_args(args)) for shot in shots]
    _save(done, args)
    print(f"wrote {len(done)} completed shot(s) through key frames {keys} to {args.out}")
    return 0


def cmd_export_onnx(args: argparse.Namespace) -> int:
    from .inference.model_dir import model_stem

    stem = model_stem(args.model)
    out = stem.parent if args.out is None else Path(args.out)
    copies = () if out.resolve() == stem.parent.resolve() else ("model.json", "model.safetensors")  # copied in
    refuse_replacing(out, ONNX_FILES + copies, overwrite=args.overwrite)
    from .train.export import export_minilm, export_onnx

    manifest = export_onnx(args.model, args.out)
    print(f"exported {args.model or 'the bundled model'} to ONNX (max |torch - onnx| = "
          f"{manifest['max_abs_diff']:.1e})")
    if args.minilm:
        r = export_minilm()
        print(f"exported the MiniLM text encoder ({r['graph']}, {r['bytes'] / 1e6:.1f} MB, mean cosine to torch "
              f"{r[r['graph'] + '_mean_cos']:.4f})")
    return 0




def _add_model_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", type=Path, default=None, help="model folder or checkpoint (default: the bundled one)")
    p.add_argument("--runtime", choices=RUNTIMES, default="auto",
                   help="what runs the model: ONNX Runtime, torch, or auto (ONNX when exported, else torch)")
    p.add_argument("--backend", dest="runtime", choices=RUNTIMES, action=DeprecatedFlag, default=argparse.SUPPRESS,
                   help=argparse.SUPPRESS)
    p.add_argument("--device", choices=DEVICES, default="cpu",
                   help="where the model runs; one the runtime lacks falls back to the CPU with a note")
    p.add_argument("--prompt-fallback", action="store_true",
                   help="let the MiniLM text encoder fill the fields the grammar left open (off, as in Blender: on "
                        "held-out prompts it stated more unasked fields than it fixed)")


def _add_source_flags(p: argparse.ArgumentParser, lenient: bool = True) -> None:
    p.add_argument("--up", default=None, type=up_axis,
                   help="the camera file's world up: auto (estimated from the cameras; a note says what it chose) or "
                        "+x -x +y -y +z -z; default: the format's (-y for COLMAP and matrix files, auto for "
                        "transforms.json, KITTI, TUM and RealEstate10K)")
    p.add_argument("--camera-axes", default="opencv", choices=("opencv", "opengl"), help="matrix files' camera axes")
    p.add_argument("--scale", type=number(positive=True), default=1.0, help="multiply positions (to metres)")
    p.add_argument("--fps", type=number(positive=True), default=None,
                   help="frame rate of a camera file (default: the file's, else the format's, with a note)")
    if lenient:
        p.add_argument("--lenient", action="store_true", help="skip bad samples in JSON data and report them")


def _add_label_flags(p: argparse.ArgumentParser) -> None:
    from .vocabulary import FIELDS

    p.add_argument("--prompt", type=text, help="free-text shot description, e.g. 'slow push in, low angle, close-up'")
    for name, f in FIELDS.items():
        p.add_argument(f"--{name.replace('_', '-')}", dest=name, metavar="LABEL", type=text,
                       help=f"{f.doc} One of: {', '.join(f.names)} (or an alias)")


class _Parser(argparse.ArgumentParser):
    """argparse reads "-y" as an option, so `--up -y` would fail: a value of --up that names an axis (or auto) is
    joined to its flag ("--up=-y") first. Subparsers are made of this class too."""

    def parse_known_args(self, args=None, namespace=None):
        args = list(sys.argv[1:] if args is None else args)
        for i in range(len(args) - 1, 0, -1):
            if args[i - 1] == "--up" and args[i].strip().lower() in UP_AXES + ("auto",):
                args[i - 1:i + 1] = [f"--up={args[i]}"]
        return super().parse_known_args(args, namespace)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m lenscraft_core",
                     description="LensCraft: camera shots from words, and words from camera shots.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("simulate", help="generate ground-truth shots with the procedural simulator")
    p.add_argument("--count", type=whole(0, what="the shot count"), default=100)
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--format", choices=FORMATS, default="lenscraft")
    p.add_argument("--seed", type=SEED, default=0)
    p.add_argument("--frames", type=FRAMES, default=30)
    p.add_argument("--fps", type=number(positive=True), default=24.0)
    p.add_argument("--person-share", type=number(), default=None,
                   help="share of the subjects that are people, framed by the body, 0-1 (default simulate.PERSON_SHARE)")
    p.add_argument("--overwrite", action="store_true", help="replace OUT if it exists")
    _add_label_flags(p)
    p.set_defaults(func=cmd_simulate)

    p = sub.add_parser("validate", help="check data files and report problems")
    p.add_argument("files", nargs="+", type=Path)
    p.add_argument("--lenient", action="store_true", help="skip bad samples and report them instead of failing")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("convert", help="convert any file LensCraft reads (v1 JSON, camera files) to our format or v1")
    p.add_argument("input", type=Path)
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--format", choices=FORMATS, default="lenscraft")
    p.add_argument("--split", action="store_true", help="one shot per instruction")
    p.add_argument("--lenient", action="store_true")
    p.add_argument("--overwrite", action="store_true")
    _add_source_flags(p, lenient=False)
    p.set_defaults(func=cmd_convert)

    p = sub.add_parser("import", help="camera file (COLMAP, matrices, transforms.json, KITTI, TUM, RealEstate10K) / "
                                      "JSON -> our format (optionally split by CSV)")
    p.add_argument("input", type=Path)
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--format", choices=FORMATS, default="lenscraft")
    p.add_argument("--segments", type=Path, help="CSV of start,end,label... to split the take into labelled samples")
    p.add_argument("--overwrite", action="store_true")
    _add_source_flags(p)
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("inspect", help="summary table and PNG plots of a dataset")
    p.add_argument("data", type=Path)
    p.add_argument("--out", type=Path, default=Path("inspect"))
    p.add_argument("--describe", action="store_true",
                   help="also run the model's describe and plot a confusion matrix per field against the labels")
    p.add_argument("--overwrite", action="store_true", help="replace the plots already in OUT")
    _add_source_flags(p)
    _add_model_flags(p)
    p.set_defaults(func=cmd_inspect)

    p = sub.add_parser("demo", help="simulate one shot for a prompt and describe it")
    p.add_argument("--frames", type=FRAMES, default=72)
    p.add_argument("--fps", type=number(positive=True), default=24.0)
    p.add_argument("--seed", type=SEED, default=0)
    p.add_argument("--out", type=Path)
    p.add_argument("--overwrite", action="store_true")
    _add_label_flags(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("generate", help="camera shots for a prompt / labels around a subject (the shot planner, or "
                                        "the model's own path)")
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--frames", type=FRAMES, default=48)
    p.add_argument("--fps", type=number(positive=True), default=24.0)
    p.add_argument("--seed", type=SEED, default=0)
    p.add_argument("--variations", type=whole(1, what="--variations"), default=1)
    p.add_argument("--focal-length", type=number(positive=True), default=None,
                   help="fix the lens (mm); default: the model's choice")
    p.add_argument("--subject-position", type=number(), nargs=3, default=[0.0, 0.0, 0.9], metavar=("X", "Y", "Z"))
    p.add_argument("--subject-size", type=number(positive=True), nargs=3, default=[0.5, 0.4, 1.8],
                   metavar=("W", "D", "H"))
    p.add_argument("--subject-rotation", type=number(), nargs=4, default=[1.0, 0.0, 0.0, 0.0],
                   metavar=("W", "X", "Y", "Z"), help="quaternion, object to world (faces local -Y)")
    p.add_argument("--subject-name", default="subject", type=text)
    p.add_argument("--subject-kind", choices=("person", "object"), default="person",
                   help="a person is framed by the body (eye line, head, body cuts), an object by its box (default: "
                        "person, as the default 1.8 m subject is)")
    p.add_argument("--floor", type=number(), default=None, metavar="Z",
                   help="the ground's world height: the camera keeps 0.25 m above it (default: where the subject "
                        "stands, its lowest corner)")
    p.add_argument("--no-floor", action="store_true", help="no floor at all (a subject seen from below)")
    p.add_argument("--generator", choices=("learned", "planned", "model"), default=None,
                   help="learned (the default where the model has a move decoder: the asked segments, amounts and "
                        "speeds built exactly, the amounts left open decided by the move decoder), planned (the "
                        "same with the operator's rules for them; no model files needed) or model (the network's "
                        "own per-frame path, segment by segment from where the previous one ended)")
    p.add_argument("--overwrite", action="store_true")
    _add_label_flags(p)
    _add_model_flags(p)
    p.set_defaults(func=cmd_generate)

    p = sub.add_parser("describe", help="ranked labels, a caption, the motion magnitude and shake of each shot")
    p.add_argument("input", type=Path)
    p.add_argument("--top-k", type=whole(1, what="--top-k"), default=3)
    p.add_argument("--out", type=Path, help="also write the descriptions as JSON")
    p.add_argument("--csv", type=Path, help="also write one CSV row per shot: predicted label, score, true label")
    p.add_argument("--segments", type=segments_arg, default="auto", metavar="auto|none|FILE",
                   help="describe each segment too: auto (found from where the motion changes; the default), none "
                        "(the whole shot only) or a segments CSV (start,end[,label...] rows, as `import "
                        "--segments` reads)")
    p.add_argument("--overwrite", action="store_true")
    _add_source_flags(p)
    _add_model_flags(p)
    p.set_defaults(func=cmd_describe)

    p = sub.add_parser("complete", help="fill in shots from key frames (keyframe in-betweening)")
    p.add_argument("input", type=Path)
    p.add_argument("--keys", required=True, help="0-based key frame indices, e.g. 0,24,47")
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--overwrite", action="store_true")
    _add_label_flags(p)
    _add_source_flags(p)
    _add_model_flags(p)
    p.set_defaults(func=cmd_complete)

    p = sub.add_parser("export-onnx", help="export the model to ONNX (+ label embeddings) for torch-free inference")
    p.add_argument("--model", type=Path, default=None, help="model folder or checkpoint (default: the bundled one)")
    p.add_argument("--out", type=Path, default=None, help="output folder (default: beside the checkpoint)")
    p.add_argument("--minilm", action="store_true", help="also export the MiniLM prompt encoder")
    p.add_argument("--overwrite", action="store_true", help="replace an ONNX export already in OUT")
    p.set_defaults(func=cmd_export_onnx)

    import importlib.util

    if importlib.util.find_spec(f"{__package__ or 'lenscraft_core'}.evaluate") is not None:
        from .evaluate.cli import add_parser as add_evaluate  # the evaluation suite registers its own command

        ev = add_evaluate(sub)
        if not any(a.dest == "overwrite" for a in ev._actions):
            ev.add_argument("--overwrite", action="store_true", help="replace the report already in OUT")
        ev.set_defaults(func=_refusing_report_overwrite(ev.get_default("func")))
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command. Its errors about input (LensCraftError) and from the system (OSError: a missing file, a
    full disk) are one line on stderr and exit status 2; usage errors are argparse's (also 2)."""
    for stream in (sys.stdout, sys.stderr):  # a file name that is not UTF-8 is printed escaped, not a crash
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except LensCraftError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"error: {os_error(e)}", file=sys.stderr)
        return 2


def os_error(e: OSError) -> str:
    """One line for an OSError: its own message for ours (FileExistsError naming --overwrite), else the file and
    the system's reason ("No space left on device")."""
    if e.strerror and e.filename:
        return f"{e.filename}: {e.strerror}" + (f" (and {e.filename2})" if e.filename2 else "")
    return e.strerror or str(e) or type(e).__name__


if __name__ == "__main__":
    sys.exit(main())
