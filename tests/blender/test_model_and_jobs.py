"""The model-backed add-on in real Blender: generate on ONNX Runtime, Describe, Complete, progress jobs that stop
early, and headless previews and describe."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

bpy = pytest.importorskip("bpy", reason="bpy (Blender as a Python module) is not installed")

from blender_helpers import cameras, scene_state  # noqa: E402


# model_dir and model: tests/blender/conftest.py


def test_generate_runs_the_model_on_onnx_runtime(scene, model):
    assert model.generator() == "model"
    assert model._model_engine().runtime_name == "onnx"  # no torch inside Blender
    scene.lenscraft.movement = "dollyIn"
    assert bpy.ops.lenscraft.generate('EXEC_DEFAULT') == {'FINISHED'}
    (cam,) = cameras(bpy)
    assert len(cam.animation_data.action.name) and model.model_status() == "Model (onnx)"


def test_the_model_makes_every_segment_of_a_sequence(scene, model, ext):
    """Model generator, "push in, then orbit right": both segments made by the network (the orbit was dropped with a
    note before), the second starting where the first ended, the camera turning about the subject after the join."""
    from blender_helpers import world_matrices

    scene.frame_end = 96
    scene.lenscraft.prompt = "push in, then orbit right"
    job = ext.operators.LENSCRAFT_OT_generate.make_job(None, bpy.context)
    ext.jobs.run(job)
    shot = job.shots[0]
    assert [s["moves"][0]["movement"] for s in shot.metadata["segments"]] == ["dollyIn", "shortArcShotRight"]
    assert not any("one move per shot" in n for n in ext.engine.shot_notes(shot))
    (cam,) = cameras(bpy)
    pos = world_matrices(bpy, scene, cam, list(range(1, 97)))[:, :3, 3]
    centre = np.array([1.0, 2.0, 0.9])
    turned = np.degrees(np.unwrap(np.arctan2(pos[:, 1] - centre[1], pos[:, 0] - centre[0])))
    join = shot.metadata["segment_frames"][0][1]
    assert turned[-1] - turned[join] > 20.0  # orbit right: counter-clockwise seen from above
    assert abs(turned[join] - turned[0]) < 10.0  # the push-in did not orbit
    d = np.linalg.norm(pos - centre, axis=1)
    assert d[join] < 0.95 * d[0]  # it pushed in first
    steps = np.linalg.norm(np.diff(pos, axis=0), axis=1)
    assert steps[join - 1:join + 1].max() < 3 * np.median(steps) + 1e-6  # no jump at the join


def test_simulator_preference_and_fallback(scene, ext):
    ext.engine.configure(generator="simulator")
    try:
        assert ext.engine.generator() == "simulator" and ext.engine.model_status() == "Procedural (simulator)"
    finally:
        ext.engine.configure(generator="model")
    ext.engine.configure(model_path="/nonexistent/model")
    try:  # a model that cannot load: generation still works, on the simulator, and says why
        assert ext.engine.generator() == "simulator"
        assert ext.engine.model_status().startswith("Simulator: cannot load")
        assert bpy.ops.lenscraft.generate('EXEC_DEFAULT') == {'FINISHED'}
    finally:
        ext.engine.configure(model_path="")


def test_compute_device_preference_reaches_onnx_runtime(scene, model, ext):
    """The preference is applied when an operator runs; a device this ONNX Runtime lacks runs on the CPU, and the
    status line says so instead of failing."""
    import onnxruntime as ort

    prefs = bpy.context.preferences.addons[ext.__name__].preferences
    prefs.device = 'CUDA'
    try:
        scene.lenscraft.movement = "panLeft"
        assert bpy.ops.lenscraft.generate('EXEC_DEFAULT') == {'FINISHED'}
        eng = model._model_engine()
        if "CUDAExecutionProvider" in ort.get_available_providers():
            assert eng.device == "cuda" and model.model_status() == "Model (onnx, cuda)"
        else:
            assert eng.device == "cpu" and "cuda is not in this ONNX Runtime" in model.model_status()
    finally:
        prefs.device = 'CPU'
        ext.engine.configure(device="cpu")
    assert model.model_status() in ("Model (loads on first use)", "Model (onnx)")


def _keyed_camera(scene, poses):
    cam = bpy.data.objects.new("Hand", bpy.data.cameras.new("Hand"))
    scene.collection.objects.link(cam)
    for frame, loc, rot in poses:
        cam.location, cam.rotation_euler = loc, rot
        cam.keyframe_insert("location", frame=frame)
        cam.keyframe_insert("rotation_euler", frame=frame)
    return cam


POSES = [(1, (0.0, -6.0, 1.5), (1.45, 0.0, 0.0)), (20, (3.0, -5.0, 2.0), (1.35, 0.0, 0.5)),
         (48, (5.0, 0.0, 2.5), (1.3, 0.0, 1.5))]


def test_describe_stores_caption_and_scores_on_the_camera(scene, ext, model):
    cam = _keyed_camera(scene, POSES)
    bpy.context.view_layer.objects.active = cam
    scene.lenscraft.subject = bpy.data.objects["Subject"]
    assert bpy.ops.lenscraft.describe('EXEC_DEFAULT') == {'FINISHED'}
    caption, fields = ext.describe.stored_description(cam)
    assert caption.startswith("the camera") and cam["lenscraft_caption"] == caption
    assert set(fields) == set(ext.engine.FIELD_NAMES)
    for f, ranked in fields.items():
        assert len(ranked) == 3 and ranked[0][1] >= ranked[1][1] >= ranked[2][1]
        assert all(label in ext.engine.FIELDS[f].names for label, _ in ranked)
    assert list(cam["lenscraft_described_frames"]) == [1, 48]


def test_complete_fills_between_keys_and_keeps_them_exactly(scene, ext, model):
    cam = _keyed_camera(scene, POSES)
    scene.lenscraft.subject = bpy.data.objects["Subject"]
    scene.lenscraft.key_density = 'EVERY_FRAME'
    bpy.context.view_layer.objects.active = cam
    before = {(fc.data_path, fc.array_index): [tuple(kp.co) for kp in fc.keyframe_points]
              for fc in ext.keyframes.fcurves(cam)}
    bpy.ops.ed.undo_push(message="before complete")
    assert bpy.ops.lenscraft.complete('EXEC_DEFAULT', True) == {'FINISHED'}
    for (path, i), keys in before.items():
        fc = ext.keyframes.find_fcurve(cam, path, i)
        got = {int(kp.co[0]): kp.co[1] for kp in fc.keyframe_points}
        assert sorted(got) == list(range(1, 49)), (path, i)  # every frame between the first and last key
        for frame, value in keys:
            assert got[int(frame)] == value, (path, i, frame)  # the hand keys, bit for bit
    assert bpy.ops.ed.undo() == {'FINISHED'}
    cam = bpy.data.objects["Hand"]
    assert len(ext.keyframes.find_fcurve(cam, "location", 0).keyframe_points) == 3


def test_complete_needs_two_keys(scene, ext, model):
    cam = _keyed_camera(scene, POSES[:1])
    bpy.context.view_layer.objects.active = cam
    assert not bpy.ops.lenscraft.complete.poll()
    with pytest.raises(ext.engine.LensCraftError, match="1 keyed pose"):
        ext.complete.complete_camera(scene, cam, 1, 48, bpy.data.objects["Subject"])


def test_describe_without_model_reports(scene, ext):
    prefs = bpy.context.preferences.addons[ext.__name__].preferences
    prefs.model_path = "/nonexistent/model"  # what a user with a broken model path gets
    cam = _keyed_camera(scene, POSES)
    bpy.context.view_layer.objects.active = cam
    before = scene_state(bpy, ext)
    try:
        with pytest.raises(RuntimeError, match="cannot load"):
            bpy.ops.lenscraft.describe('EXEC_DEFAULT')
    finally:
        prefs.model_path = ""
        ext.engine.configure(model_path="")
    assert scene_state(bpy, ext) == before and "lenscraft_caption" not in cam


def test_generate_job_stopped_keeps_completed_cameras_only(scene, ext):
    req = ext.generate.GenerateRequest(subject=bpy.data.objects["Subject"], labels={"movement": "panLeft"},
                                       frame_start=1, frame_end=24, variations=3)
    job = ext.generate.GenerateJob(scene, req)
    assert cameras(bpy) == [] and job.total == 3  # checking and the first shot change nothing
    job.step()
    result = job.stop()
    assert len(cameras(bpy)) == 1 and result.objects == cameras(bpy)
    assert result.message.startswith("cancelled after 1 of 3")


def test_export_job_stopped_writes_nothing(scene, ext, tmp_path):
    bpy.ops.lenscraft.generate('EXEC_DEFAULT')
    cam2 = bpy.data.objects.new("B", bpy.data.cameras.new("B"))
    scene.collection.objects.link(cam2)
    out = tmp_path / "x.json"
    job = ext.exchange.ExportJob(scene, cameras(bpy), str(out), "lenscraft", 1, 12)
    job.step()
    assert "nothing written" in job.stop().message and not out.exists()
    job = ext.exchange.ExportJob(scene, cameras(bpy), str(out), "lenscraft", 1, 12)
    assert len(ext.jobs.run(job).message) and len(ext.engine.load_shots(str(out))[0]) == 2


def test_cli_preview_renders_a_contact_sheet(scene, ext, tmp_path):
    preview = tmp_path / "preview"
    code = ext.cli.main(["generate", "--subject", "Subject", "--movement", "orbit", "--frames", "1-12",
                         "--generator", "simulator", "--preview", str(preview), "--preview-frames", "2",
                         "--preview-width", "32"])
    ext.engine.configure(generator="model")
    assert code == 0
    files = sorted(os.listdir(preview))
    assert len(files) == 3 and files[-1].endswith("_sheet.png"), files
    assert all((preview / f).stat().st_size > 100 for f in files)
    sheet = bpy.data.images.load(str(preview / files[-1]))
    assert tuple(sheet.size) == (3 * 32, 18)  # one row of three tiles (two frames, one empty)
    bpy.data.images.remove(sheet)
    assert scene.render.engine != 'BLENDER_WORKBENCH' or scene.render.resolution_x == 1920  # restored
    assert scene.render.resolution_x == 1920


def test_cli_describe_prints_and_writes_json(scene, ext, model_dir, tmp_path, capsys):
    _keyed_camera(scene, POSES)
    out = tmp_path / "d.json"
    code = ext.cli.main(["describe", "--camera", "Hand", "--subject", "Subject", "--frames", "1-48",
                         "--json", str(out), "--model", str(model_dir)])
    ext.engine.configure(model_path="")
    assert code == 0, capsys.readouterr().err
    assert "Hand: the camera" in capsys.readouterr().out
    data = json.loads(out.read_text())
    assert data["camera"] == "Hand" and len(data["fields"]["movement"]) == 3
    assert np.isfinite([s for _, s in data["fields"]["angle"]]).all()


def test_model_status_says_why_runtime_auto_runs_on_torch(ext, monkeypatch):
    """Engine.runtime_note (the ONNX export unusable, so "auto" fell back to torch) sits beside device_note and
    text_note in the status line."""
    class Loaded:
        device, device_note, text_note = "cpu", None, "no text encoder: the grammar alone reads prompts"
        runtime_note = "the ONNX export is not usable (broken): running on torch"

    monkeypatch.setattr(ext.engine, "_engine", Loaded())
    monkeypatch.setattr(ext.engine._config, "generator", "model")
    monkeypatch.setattr(ext.engine._config, "runtime", "auto")
    assert ext.engine.model_status() == ("Model (auto); no text encoder: the grammar alone reads prompts; "
                                         "the ONNX export is not usable (broken): running on torch")
