"""Headless use: `blender -b scene.blend --command lenscraft <command> ...` (bpy.utils.register_cli_command).

    generate --subject NAME --prompt "slow push in, low angle" --frames 1-120 [--camera NAME] [--out out.blend]
             [--preview DIR] [--generator learned|planned|model|simulator] [--model PATH] [--kind auto|person|object]
             [--aim OBJECT[:BONE]] [--no-avoid] [--shake AMOUNT] [--segment-markers]
    describe --camera NAME [--subject NAME] [--frames 1-120] [--top-k 3] [--json out.json]
    complete --camera NAME --subject NAME [--frames 1-120] [--out out.blend]
    export   --out shots.json [--cameras A,B] [--frames 1-120] [--format lenscraft|lenscraft-v1] [--subject NAME]
    import   shots.json|poses.txt|colmap/sparse/0 [--out out.blend]   (any format lenscraft_core's load_any reads)
    batch    jobs.json [--out out.blend]

A jobs file is a list of jobs (or {"jobs": [...]}); each job is an object with "command" (default "generate") and
the same options as on the command line, e.g. {"subject": "Chair", "prompt": "orbit left", "frames": "1-96"}.
A failing job is reported and the rest still run (batch.py: each job isolated); the exit status is 1 if any job
failed. Every value is checked by the parser before a command touches the scene; an output that exists is refused
unless --overwrite is given.

main(argv) is also the Python entry point (that is how the tests drive it).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from typing import Any, Sequence

import bpy

from . import batch, engine
from .batch import say
from .checks import is_utf8
from .complete import complete_camera
from .describe import describe_camera, stored_description
from .engine import FIELD_NAMES, LensCraftError, number, whole
from .exchange import export_cameras, import_shots
from .generate import MAX_SEED, MAX_VARIATIONS, GenerateRequest, generate
from .jobs import Result
from .keyframes import KeyOptions
from .preview import render_preview


OVERWRITE = "--overwrite"  # named when an output exists


class CliError(LensCraftError):
    pass


# ------------------------------------------------------------------------------------------------- argument types
# Checked by argparse (engine.whole / engine.number: the core command line's types), so a bad value is a usage
# error before a command touches the scene.
def parse_frames(text: str | None, scene: bpy.types.Scene) -> tuple[int, int]:
    if not text:
        return scene.frame_start, scene.frame_end
    parts = text.replace(":", "-").split("-")
    try:
        if len(parts) not in (1, 2):
            raise ValueError
        start, end = (int(parts[0]), int(parts[1])) if len(parts) == 2 else (int(parts[0]), int(parts[0]))
    except ValueError:
        raise CliError(f"--frames '{text[:40]}': expected START-END, e.g. 1-120") from None
    return start, end


def refuse_existing(path: str | None, overwrite: bool, option: str = "--out") -> None:
    """Refuse an output that exists unless --overwrite (Blender keeps a single .blend1 backup: two runs would lose
    the original)."""
    if path and not overwrite and os.path.lexists(path):
        raise CliError(f"{option} {path} already exists; pass {OVERWRITE} to replace it")


def find_object(scene: bpy.types.Scene, name: str, role: str) -> bpy.types.Object:
    obj = scene.objects.get(name)
    if obj is None:
        names = ", ".join(sorted(o.name for o in scene.objects)[:12])
        raise CliError(f"no {role} object named '{name}' in scene '{scene.name}' (objects: {names})")
    return obj


def labels_from(args: argparse.Namespace) -> tuple[dict[str, str], Any]:
    """(labels, interpretation): the fields the prompt states (read by the model's parser when the model runs:
    grammar + text encoder) with the --movement/... overrides on top (as typed: Generate resolves them), the rest
    open; and how the prompt was understood (its segments and shake), None without a prompt."""
    interp = engine.parse_prompt(args.prompt, wait=True) if args.prompt else None
    labels = engine.stated_labels(interp) if interp is not None else {}
    overrides = {f: getattr(args, f) for f in FIELD_NAMES if getattr(args, f)}
    if not args.prompt and not overrides:
        raise CliError("say what the camera does: --prompt \"...\" or --movement NAME")
    return {**labels, **overrides}, interp


def aim_target(scene: bpy.types.Scene, text: str | None) -> tuple[bpy.types.Object | None, str]:
    """--aim OBJECT or ARMATURE:BONE -> (object, bone name or "")."""
    if not text:
        return None, ""
    name, _, bone = text.partition(":")
    return find_object(scene, name, "aim"), bone


def save_blend(path: str | None, overwrite: bool = False) -> None:
    if path:
        refuse_existing(path, overwrite)  # again: it may have appeared while the command ran
        try:
            bpy.ops.wm.save_as_mainfile(filepath=path, copy=True)
        except RuntimeError as e:  # Blender reports a failed save as a RuntimeError ("cannot open file ...")
            raise CliError(f"--out {path}: cannot save the .blend: {str(e).strip()}") from None


# ------------------------------------------------------------------------------------------------- commands
def configure_engine(args: argparse.Namespace) -> None:
    if getattr(args, "generator", None) or getattr(args, "model", None) is not None or getattr(args, "device", None):
        engine.configure(generator=args.generator, model_path=args.model, device=args.device)


def say_notes(result: Result) -> None:
    """A result's warnings and notes (what a file reader assumed, why Complete kept the keys) on stderr."""
    for w in result.warnings:
        say(f"lenscraft: warning: {w}", sys.stderr)
    for n in result.notes:
        say(f"lenscraft: note: {n}", sys.stderr)


def cmd_generate(args: argparse.Namespace, scene: bpy.types.Scene) -> str:
    configure_engine(args)
    start, end = parse_frames(args.frames, scene)
    labels, interp = labels_from(args)
    # the prompt's segments; a --movement override is what the camera does (its label's segments)
    segments = list(getattr(interp, "segments", None) or []) if interp is not None and not args.movement else []
    said = getattr(interp, "shake", None) if interp is not None else None
    aim, bone = aim_target(scene, args.aim)
    req = GenerateRequest(
        subject=find_object(scene, args.subject, "subject"), labels=labels, frame_start=start,
        frame_end=end, camera=find_object(scene, args.camera, "camera") if args.camera else None,
        variations=args.variations, seed=args.seed,
        keys=KeyOptions(every_frame=args.every_frame, tolerance=args.tolerance, animate_focal=not args.no_focal,
                        replace=args.replace),
        focus_on_subject=args.focus, add_marker=args.marker, floor=args.floor.upper(), subject_size=args.subject_size,
        segments=segments or None, shake=args.shake if args.shake is not None else float(said or 0.0),
        subject_kind=args.kind.upper(), aim=aim, aim_bone=bone, avoid_obstacles=not args.no_avoid,
        segment_markers=args.segment_markers)
    if args.preview:  # before the scene changes: a preview folder that cannot be made fails the job first
        os.makedirs(args.preview, exist_ok=True)
    result = generate(scene, req)
    save_blend(args.out, args.overwrite)
    message = result.message
    say_notes(result)
    if args.preview:
        for cam in result.objects:
            paths = render_preview(scene, cam, start, end, args.preview, count=args.preview_frames,
                                   width=args.preview_width)
            message += f"\npreview: {paths[-1]}"
    return message


def cmd_describe(args: argparse.Namespace, scene: bpy.types.Scene) -> str:
    configure_engine(args)
    start, end = parse_frames(args.frames, scene)
    cam = find_object(scene, args.camera, "camera")
    subject = find_object(scene, args.subject, "subject") if args.subject else None
    result = describe_camera(scene, cam, start, end, subject, top_k=args.top_k)
    caption, fields = stored_description(cam) or ("", {})
    if args.json:  # atomic: a failed write leaves the old file; a symlink is replaced, never written through
        with engine.atomic_writer(args.json, overwrite=args.overwrite, flag=OVERWRITE) as f:
            json.dump({"camera": cam.name, "frames": [start, end], "caption": caption,
                       "fields": {k: [[label, score] for label, score in v] for k, v in fields.items()}}, f, indent=1)
    lines = [result.message] + [f"  {k}: " + ", ".join(f"{label} {score:.2f}" for label, score in v)
                                for k, v in fields.items()]
    save_blend(args.out, args.overwrite)
    return "\n".join(lines)


def cmd_complete(args: argparse.Namespace, scene: bpy.types.Scene) -> str:
    configure_engine(args)
    start, end = parse_frames(args.frames, scene)
    cam = find_object(scene, args.camera, "camera")
    subject = find_object(scene, args.subject, "subject") if args.subject else None
    result = complete_camera(scene, cam, start, end, subject, keys=KeyOptions(every_frame=args.every_frame))
    save_blend(args.out, args.overwrite)
    say_notes(result)
    return result.message


def cmd_export(args: argparse.Namespace, scene: bpy.types.Scene) -> str:
    names = [n for n in (args.cameras or "").split(",") if n]
    cameras = [find_object(scene, n, "camera") for n in names] or [o for o in scene.objects if o.type == 'CAMERA']
    start, end = parse_frames(args.frames, scene)
    subject = find_object(scene, args.subject, "subject") if args.subject else None
    return export_cameras(scene, cameras, args.out, args.format, start, end, subject,
                          overwrite=args.overwrite).message  # the core's writer is atomic


def cmd_import(args: argparse.Namespace, scene: bpy.types.Scene) -> str:
    result = import_shots(scene, args.file)
    save_blend(args.out, args.overwrite)
    say_notes(result)
    return result.message


def cmd_batch(args: argparse.Namespace, scene: bpy.types.Scene) -> str:
    jobs = batch.read_jobs(args.file)
    result = batch.run_jobs(jobs, lambda argv: run(argv, scene))
    save_blend(args.out, args.overwrite)
    if result.failed:
        raise CliError(result.summary)
    return result.summary


# ------------------------------------------------------------------------------------------------- parsing
class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # raise instead of exiting Blender
        raise CliError(f"{self.prog}: {message}")


def _engine_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--generator", choices=engine.GENERATORS,
                   help="learned (default: the asked moves built exactly, the amounts left open from the model's "
                        "move decoder; planned if it cannot load), planned (the operator's rules for them), model "
                        "(the simulator if it cannot load) or simulator")
    p.add_argument("--model", help="model folder or checkpoint (default: the bundled model)")
    p.add_argument("--device", choices=engine.DEVICES,
                   help="where the model runs (default cpu; one ONNX Runtime lacks falls back to the CPU)")


def _overwrite(p: argparse.ArgumentParser) -> None:
    p.add_argument(OVERWRITE, action="store_true", help="replace output files that exist (refused without it)")


def make_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="blender -b FILE --command lenscraft", description="LensCraft camera shots, headless")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    g = sub.add_parser("generate", help="key a camera move that frames a subject")
    g.add_argument("--subject", required=True)
    g.add_argument("--prompt")
    for f in FIELD_NAMES:
        g.add_argument("--" + f.replace("_", "-"), dest=f, help=f"override the {f} label")
    g.add_argument("--frames", help="START-END (default: scene range)")
    g.add_argument("--camera", help="existing camera to animate (default: a new camera)")
    g.add_argument("--replace", action="store_true", help="delete the camera's existing keys first")
    g.add_argument("--variations", type=whole(1, MAX_VARIATIONS, "--variations"), default=1)
    g.add_argument("--seed", type=whole(0, MAX_SEED, "--seed"), default=0)
    g.add_argument("--every-frame", action="store_true", help="key every frame instead of sparse keys")
    g.add_argument("--tolerance", type=number(positive=True), default=KeyOptions.tolerance,
                   help=f"eased key position tolerance (m, default {KeyOptions.tolerance:g})")
    g.add_argument("--no-focal", action="store_true", help="do not animate the focal length")
    g.add_argument("--focus", action="store_true", help="depth of field focused on the subject")
    g.add_argument("--marker", action="store_true", help="add a timeline marker bound to the camera")
    g.add_argument("--floor", choices=("subject_base", "world_zero", "ground", "none"), default="subject_base",
                   help="height the camera never goes below (default: the subject's base; ground: the flat mesh "
                        "under the subject)")
    g.add_argument("--kind", choices=("auto", "person", "object"), default="auto",
                   help="frame the subject as a person (by the body) or an object (its box); auto decides")
    g.add_argument("--aim", metavar="OBJECT[:BONE]", help="frame this object (or this armature's bone) instead")
    g.add_argument("--no-avoid", action="store_true", help="let the path pass through other meshes")
    g.add_argument("--shake", type=number(), metavar="AMOUNT",
                   help="handheld shake layer (0 none, 1 handheld, 2 very shaky; default: what the prompt says)")
    g.add_argument("--segment-markers", action="store_true", help="a timeline marker at every segment join")
    g.add_argument("--subject-size", type=number(positive=True), metavar="METRES",
                   help="frame a cube this size instead of the subject's geometry (needed for a light or an empty)")
    g.add_argument("--out", help="save the .blend here")
    _overwrite(g)
    g.add_argument("--preview", metavar="DIR", help="render a small Workbench contact sheet of each shot into DIR")
    g.add_argument("--preview-frames", type=whole(1, 64, "--preview-frames"), default=6,
                   help="frames on the contact sheet")
    g.add_argument("--preview-width", type=whole(8, 4096, "--preview-width"), default=160,
                   help="width of each preview frame (pixels)")
    _engine_args(g)
    g.set_defaults(fn=cmd_generate)

    d = sub.add_parser("describe", help="caption and label scores of a camera's move (needs the model)")
    d.add_argument("--camera", required=True)
    d.add_argument("--subject", help="the object the camera frames")
    d.add_argument("--frames")
    d.add_argument("--top-k", type=whole(1, 1000, "--top-k"), default=3)
    d.add_argument("--json", help="also write the description here")
    d.add_argument("--out", help="save the .blend (with the description on the camera)")
    _overwrite(d)
    _engine_args(d)
    d.set_defaults(fn=cmd_describe)

    c = sub.add_parser("complete", help="fill a camera's motion between its keyed poses (needs the model)")
    c.add_argument("--camera", required=True)
    c.add_argument("--subject", required=True, help="the object the camera frames")
    c.add_argument("--frames")
    c.add_argument("--every-frame", action="store_true")
    c.add_argument("--out")
    _overwrite(c)
    _engine_args(c)
    c.set_defaults(fn=cmd_complete)

    e = sub.add_parser("export", help="write cameras as shot JSON")
    e.add_argument("--out", required=True)
    e.add_argument("--cameras", help="comma-separated camera names (default: all)")
    e.add_argument("--frames")
    e.add_argument("--format", choices=engine.FORMATS, default="lenscraft")
    e.add_argument("--subject")
    _overwrite(e)
    e.set_defaults(fn=cmd_export)

    i = sub.add_parser("import", help="shot JSON or camera poses (COLMAP, matrices, transforms.json, KITTI, TUM, "
                                      "RealEstate10K) -> keyed cameras")
    i.add_argument("file", help="a shot or pose file, or a COLMAP model folder")
    i.add_argument("--out")
    _overwrite(i)
    i.set_defaults(fn=cmd_import)

    b = sub.add_parser("batch", help="run many jobs from a JSON file")
    b.add_argument("file")
    b.add_argument("--out")
    _overwrite(b)
    b.set_defaults(fn=cmd_batch)
    return p


def _check_outputs(args: argparse.Namespace) -> None:
    """Refuse existing outputs before any work (export's --out is checked by the core's writer too)."""
    for attr, option in (("out", "--out"), ("json", "--json")):
        refuse_existing(getattr(args, attr, None), getattr(args, "overwrite", False), option)


def run(argv: Sequence[str], scene: bpy.types.Scene | None = None) -> str:
    """Run one command; raises CliError (a LensCraftError) with a message for the user."""
    bad = next((k for k, arg in enumerate(argv) if not is_utf8(arg)), None)
    if bad is not None:  # a byte that is not UTF-8 arrives from Blender's command line as a lone surrogate
        raise CliError(f"argument {bad + 1} is not valid UTF-8 text (check the terminal's encoding)")
    args = make_parser().parse_args(list(argv))
    try:
        _check_outputs(args)
        return str(args.fn(args, scene or bpy.context.scene))
    except CliError:
        raise
    except (LensCraftError, OSError) as e:
        raise CliError(str(e)) from e


def main(argv: Sequence[str]) -> int:
    """The CLI handler: prints the result or the error; returns the exit status (0 ok, 1 failed; never raises)."""
    try:
        say(run(argv))
        return 0
    except CliError as e:
        say(f"lenscraft: error: {e}", sys.stderr)
        return 1
    except SystemExit as e:  # --help
        return e.code if isinstance(e.code, int) else 0 if e.code is None else 1
    except Exception as e:  # noqa: BLE001  (a bug: say so, with the traceback, and fail)
        say(f"lenscraft: internal error: {type(e).__name__}: {e}", sys.stderr)
        say("".join(traceback.format_exception(type(e), e, e.__traceback__)), sys.stderr)
        return 1
