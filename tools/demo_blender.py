"""The add-on's main job on a fresh machine, with Blender as a Python module (no Blender binary):

    .venv/bin/python tools/demo_blender.py ["slow push in from a low angle, ease in-out, close-up"] [--out out]

Builds a small scene (ground plane, a 1.8 m character with a head, a crate, a sun), builds the extension zip,
installs and enables it in a throw-away Blender user folder, then runs the add-on's headless command line exactly as
`blender -b --command lenscraft generate ...` would (the installed add-on's cli.main). Prints what the prompt was
understood as, the describe caption of the generated move, the geometric judge's independent reading of it
(lenscraft_core/judge.py: rules over the camera's geometry, not the model), on how many frames the head is in the
picture (Blender's own projection), the keyframe count, and where the files went:
<out>/demo.blend and a Workbench contact sheet <out>/preview/<camera>_sheet.png. An existing demo.blend is kept
unless --overwrite is given.
"""

from __future__ import annotations

import argparse
import atexit
import importlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_PROMPT = "slow push in from a low angle, ease in-out, close-up"
SUBJECT = "Subject"
HEAD = "Head"
HEAD_Z = 1.67  # centre of the character's head (m): the eyes' height


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("prompt", nargs="?", default=DEFAULT_PROMPT, help=f'shot description (default "{DEFAULT_PROMPT}")')
    ap.add_argument("--out", type=Path, default=Path("out"), help="output folder (default out/)")
    ap.add_argument("--overwrite", action="store_true", help="replace an existing <out>/demo.blend")
    ap.add_argument("--frames", default="1-96", help="frame range of the shot (default 1-96)")
    ap.add_argument("--generator", default=None,  # checked by the add-on's command line (engine.GENERATORS)
                    help="planned (the default: the shot planner), model (the network's own path) or simulator")
    return ap.parse_args(argv)


def build_scene(bpy, frames: tuple[int, int]) -> None:
    """An empty scene with a 20 m ground plane, a 1.8 m character standing on it facing -Y (a body with a head as
    its child: LensCraft frames the whole box), a crate beside it for scale, and a sun."""
    bpy.ops.wm.read_homefile(use_empty=True)
    scene = bpy.context.scene
    scene.frame_start, scene.frame_end = frames
    scene.frame_current = frames[0]
    scene.render.fps, scene.render.fps_base = 24, 1.0
    scene.render.resolution_x, scene.render.resolution_y = 1920, 1080
    bpy.ops.mesh.primitive_plane_add(size=20.0, location=(0.0, 0.0, 0.0))
    bpy.context.active_object.name = "Ground"
    # body: 0.45 x 0.28 m, feet on the ground to the shoulders at 1.55 m; head: a 0.24 m sphere, eyes at ~1.68 m
    bpy.ops.mesh.primitive_cylinder_add(radius=0.5, depth=1.0, location=(0.0, 0.0, 0.775))
    subject = bpy.context.active_object
    subject.name = SUBJECT
    subject.scale = (0.45, 0.28, 1.55)
    bpy.ops.object.transform_apply(location=False, rotation=False, scale=True)  # real dimensions in the mesh
    bpy.ops.mesh.primitive_uv_sphere_add(radius=0.12, location=(0.0, 0.0, HEAD_Z))
    head = bpy.context.active_object
    head.name = HEAD
    head.parent = subject
    head.matrix_parent_inverse = subject.matrix_world.inverted()
    bpy.ops.mesh.primitive_cube_add(size=0.6, location=(1.4, 0.6, 0.3))
    bpy.context.active_object.name = "Crate"
    light = bpy.data.objects.new("Sun", bpy.data.lights.new("Sun", 'SUN'))
    light.location, light.rotation_euler = (4.0, -4.0, 8.0), (0.6, 0.2, 0.8)
    scene.collection.objects.link(light)
    bpy.context.view_layer.objects.active = subject
    # Workbench preview: object colours so the character stands out from the ground and the sky.
    shading = scene.display.shading
    shading.light, shading.color_type, shading.show_shadows = 'STUDIO', 'OBJECT', True
    shading.show_backface_culling = True  # a worm's-eye camera may sit below the ground: see through its underside
    subject.color = (0.2, 0.35, 0.75, 1.0)
    head.color = (0.95, 0.75, 0.6, 1.0)
    bpy.data.objects["Crate"].color = (0.6, 0.4, 0.2, 1.0)
    bpy.data.objects["Ground"].color = (0.35, 0.45, 0.3, 1.0)


def head_in_frame(bpy, scene, cam, frames: range) -> tuple[int, int]:
    """(frames whose picture shows the head's centre, frames): an independent check of the framing, read from
    Blender's own camera projection."""
    from bpy_extras.object_utils import world_to_camera_view

    head = bpy.data.objects[HEAD]
    seen = 0
    for f in frames:
        scene.frame_set(f)
        x, y, z = world_to_camera_view(scene, cam, head.matrix_world.translation)
        seen += int(0.0 <= x <= 1.0 and 0.0 <= y <= 1.0 and z > 0.0)
    return seen, len(frames)


def shot_keys(ext, cam) -> int:
    """Keys the shot put in Blender: the camera's, its lens's and an orbit pivot's (the camera's animated parent)."""
    owners = [cam, cam.data] + ([cam.parent] if cam.parent is not None else [])
    return sum(len(fc.keyframe_points) for owner in owners for fc in ext.keyframes.fcurves(owner))


def verdict(ext, scene, cam, start: int, end: int) -> str:
    """The geometric judge's reading of the camera (rules over the camera's geometry, not the model)."""
    shot = ext.gather.camera_shot(scene, cam, start, end, scene.objects[SUBJECT])
    judge = importlib.import_module(f"{ext.__name__}.lenscraft_core.judge")  # the copy the extension bundles
    v = judge.judge_shot(shot, shot.subject)
    amounts = ", ".join(f"{k} {a:+.2f}" for k, a in v.amounts.items() if abs(a) > 1e-3)
    return (f"judged (geometry, not the model): {v.movement} ({amounts}); focal drift {v.focal_drift_pct:.2f} %, "
            f"roll drift {v.roll_drift_deg:.2f} deg, {v.speed_humps} speed hump(s)")


def install_extension(bpy, dist: Path):
    """Build the extension zip (tools/build_extension.py), install and enable it; returns its cli module."""
    sys.path.insert(0, str(REPO / "tools"))
    try:
        import build_extension
    finally:
        sys.path.pop(0)
    zip_path = build_extension.build(dist)
    result = bpy.ops.extensions.package_install_files(filepath=str(zip_path), repo="user_default",
                                                      enable_on_install=True)
    if result != {'FINISHED'}:
        raise RuntimeError(f"installing {zip_path} failed: {result}")
    return importlib.import_module("bl_ext.user_default.lenscraft.cli")


def understood_as(engine, prompt: str, generator: str | None) -> str:
    """What generate will do, as the add-on's panel says it: the prompt's segments (moves, amounts, speeds, timing),
    shake and framing fields, with what it could not use listed as ignored."""
    if generator:
        engine.configure(generator=generator)
    return engine.parse_prompt(prompt, wait=True).summary()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = args.out.resolve()
    blend = out / "demo.blend"
    if blend.exists() and not args.overwrite:
        print(f"demo: {blend} exists; pass --overwrite to replace it", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    # Blender's user folders (extensions, config) go to a temp dir, never the real home; must precede `import bpy`.
    user_dir = tempfile.mkdtemp(prefix="lenscraft-demo-user-")
    atexit.register(shutil.rmtree, user_dir, ignore_errors=True)  # the installed extension, ~100 MB
    os.environ["BLENDER_USER_RESOURCES"] = user_dir
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import bpy

    start, end = (int(x) for x in args.frames.split("-"))
    build_scene(bpy, (start, end))
    cli = install_extension(bpy, Path(user_dir) / "dist")
    ext = sys.modules["bl_ext.user_default.lenscraft"]
    print(understood_as(ext.engine, args.prompt, args.generator))

    before = {o.name for o in bpy.data.objects}
    generate = ["generate", "--subject", SUBJECT, "--prompt", args.prompt, "--frames", args.frames,
                "--preview", str(out / "preview")]
    if args.generator:
        generate += ["--generator", args.generator]
    if cli.main(generate) != 0:  # prints the result line (cameras, keys, frames, labels) and the preview path
        return 1
    (cam_name,) = [o.name for o in bpy.data.objects if o.name not in before and o.type == 'CAMERA']
    cam = bpy.data.objects[cam_name]
    if cli.main(["describe", "--camera", cam_name, "--subject", SUBJECT, "--frames", args.frames]) != 0:
        return 1
    caption, _ = ext.describe.stored_description(cam)
    keys = shot_keys(ext, cam)
    bpy.ops.wm.save_as_mainfile(filepath=str(blend))
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in cam_name)  # as render_preview names it
    sheet = out / "preview" / f"{stem}_sheet.png"
    print(f"generator: {ext.engine.model_status()}")
    print(f"described as: {caption}")
    print(verdict(ext, bpy.context.scene, cam, start, end))
    seen, total = head_in_frame(bpy, bpy.context.scene, cam, range(start, end + 1))
    print(f"head in frame: {seen} of {total} frames")
    print(f"keyframes: {keys} on camera '{cam_name}'" + (f" and its pivot '{cam.parent.name}'" if cam.parent else "")
          + f" (frames {args.frames})")
    print(f"saved: {blend}")
    print(f"preview: {sheet}")
    print(f"done in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
