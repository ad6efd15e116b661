"""Issue 11, Blender data the add-on must refuse rather than silently get wrong: a camera linked from a library
(its keys would vanish on save and reload), frames past Blender's range (float precision puts keys on wrong
frames), subjects without geometry (the camera ended up millimetres from a light)."""

from __future__ import annotations

import json

import numpy as np
import pytest

bpy = pytest.importorskip("bpy", reason="bpy (Blender as a Python module) is not installed")

from blender_helpers import cameras, scene_state  # noqa: E402

pytestmark = pytest.mark.usefixtures("procedural_generator")


def _linked_camera(tmp_path):
    """A camera linked (not appended) from another .blend, in the current scene."""
    lib = tmp_path / "lib.blend"
    cam = bpy.data.objects.new("LibCam", bpy.data.cameras.new("LibCam"))
    bpy.data.libraries.write(str(lib), {cam})
    bpy.data.objects.remove(cam)
    with bpy.data.libraries.load(str(lib), link=True) as (src, dst):
        dst.objects = ["LibCam"]
    linked = dst.objects[0]
    bpy.context.scene.collection.objects.link(linked)
    assert linked.library is not None
    return linked


def test_generate_onto_a_linked_camera_is_refused(scene, ext, tmp_path, capsys):
    linked = _linked_camera(tmp_path)
    before = scene_state(bpy, ext)
    req = ext.generate.GenerateRequest(subject=bpy.data.objects["Subject"], labels={"movement": "panLeft"},
                                       frame_start=1, frame_end=12, camera=linked)
    with pytest.raises(ext.engine.LensCraftError, match="linked from the library .*lib.blend.*override"):
        ext.generate.generate(scene, req)
    assert ext.cli.main(["generate", "--subject", "Subject", "--movement", "panLeft", "--frames", "1-12",
                         "--camera", "LibCam"]) == 1
    assert "linked from the library" in capsys.readouterr().err
    with pytest.raises(ext.engine.LensCraftError, match="linked from the library"):
        ext.complete.complete_camera(scene, linked, 1, 12, bpy.data.objects["Subject"])
    assert scene_state(bpy, ext) == before


def test_frames_past_blenders_range_are_refused(scene, ext, tmp_path, capsys):
    assert ext.cli.main(["generate", "--subject", "Subject", "--movement", "panLeft", "--frames", "1-12"]) == 0
    shots_file = tmp_path / "pan.json"
    assert ext.cli.main(["export", "--out", str(shots_file), "--frames", "1-12"]) == 0
    data = json.loads(shots_file.read_text())

    def move(d, start):
        if isinstance(d, dict):
            return {k: (start if k == "frame_start" else move(v, start)) for k, v in d.items()}
        return [move(v, start) for v in d] if isinstance(d, list) else d

    before = scene_state(bpy, ext)
    for start in (16_777_217, 1_048_570, -2_000_000):
        far = tmp_path / f"far{start}.json"
        far.write_text(json.dumps(move(data, start)))
        with pytest.raises(ext.engine.LensCraftError, match="outside Blender's frame range"):
            ext.exchange.import_shots(scene, str(far))
        assert ext.cli.main(["import", str(far)]) == 1
        assert "1,048,574" in capsys.readouterr().err
    assert scene_state(bpy, ext) == before
    ok = tmp_path / "late.json"
    ok.write_text(json.dumps(move(data, 1_048_563)))  # ends exactly on MAXFRAME
    ext.exchange.import_shots(scene, str(ok))
    cam = cameras(bpy)[-1]
    keys = [int(kp.co[0]) for kp in ext.keyframes.find_fcurve(cam, "location", 0).keyframe_points]
    assert keys == list(range(1_048_563, 1_048_575))
    for frames in ("16777217-16777230", "1048570-1048580", "1-200000"):
        assert ext.cli.main(["generate", "--subject", "Subject", "--movement", "panLeft", "--frames", frames]) == 1
        err = capsys.readouterr().err
        assert "frame range" in err or "frame" in err and "Traceback" not in err


def _no_geometry_subjects(scene):
    light = bpy.data.objects.new("Lamp", bpy.data.lights.new("Lamp", 'POINT'))
    axes = bpy.data.objects.new("Axes", None)
    axes.empty_display_type = 'PLAIN_AXES'
    for o in (light, axes):
        o.location = (3.0, 1.0, 1.0)
        scene.collection.objects.link(o)
    return light, axes


def test_subject_without_geometry_is_refused_unless_sized(scene, ext, capsys):
    before_objects = None
    for subject in _no_geometry_subjects(scene):
        before_objects = before_objects or scene_state(bpy, ext)
        req = ext.generate.GenerateRequest(subject=subject, labels={"movement": "dollyIn"}, frame_start=1,
                                           frame_end=24)
        with pytest.raises(ext.engine.LensCraftError, match="no geometry to frame.*size"):
            ext.generate.generate(scene, req)
        assert ext.cli.main(["generate", "--subject", subject.name, "--movement", "dollyIn", "--frames",
                             "1-24"]) == 1
        assert "--subject-size" in capsys.readouterr().err
        assert scene_state(bpy, ext) == before_objects
        # with an explicit size the camera frames a cube of that size: metres away, not millimetres
        assert ext.cli.main(["generate", "--subject", subject.name, "--movement", "dollyIn", "--frames", "1-24",
                             "--subject-size", "1.5"]) == 0
        cam = cameras(bpy)[-1]
        scene.frame_set(1)
        d = np.linalg.norm(np.array(cam.matrix_world.translation) - np.array(subject.location))
        assert d > 0.5, d
        before_objects = scene_state(bpy, ext)
    cube = bpy.data.objects.new("Box", None)  # a cube empty (what Import makes for a subject) has a volume
    cube.empty_display_type = 'CUBE'
    scene.collection.objects.link(cube)
    assert ext.cli.main(["generate", "--subject", "Box", "--movement", "dollyIn", "--frames", "1-24"]) == 0


def test_panel_subject_size_reaches_generate(scene, ext):
    light, _ = _no_geometry_subjects(scene)
    s = scene.lenscraft
    s.subject, s.movement = light, "dollyIn"
    with pytest.raises(RuntimeError, match="no geometry"):
        bpy.ops.lenscraft.generate('EXEC_DEFAULT')
    s.subject_size = 2.0
    assert bpy.ops.lenscraft.generate('EXEC_DEFAULT') == {'FINISHED'}
