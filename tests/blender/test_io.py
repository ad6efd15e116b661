"""Export / import in real Blender: evaluated sampling (constraints, parents), round trip, v1, bad files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

bpy = pytest.importorskip("bpy", reason="bpy (Blender as a Python module) is not installed")

from _paths import V1_SIM_DIR  # noqa: E402
from blender_helpers import cameras, scene_state, world_matrices  # noqa: E402


# These tests check what the add-on writes for each movement, so they use the generator whose moves are exact by
# construction (the simulator); the model path is tested in test_model_and_jobs.py.
pytestmark = pytest.mark.usefixtures("procedural_generator")


V1_FILE = V1_SIM_DIR / "v1_single_30f.json"


def _generate(scene, **kw):
    s = scene.lenscraft
    for k, v in kw.items():
        setattr(s, k, v)
    assert bpy.ops.lenscraft.generate('EXEC_DEFAULT') == {'FINISHED'}
    return cameras(bpy)[-1]


def test_export_samples_constrained_parented_camera(scene, ext, tmp_path):
    subject = bpy.data.objects["Subject"]
    rig = bpy.data.objects.new("Rig", None)
    scene.collection.objects.link(rig)
    rig.location = (0.0, -6.0, 1.5)
    for f, angle in ((1, 0.0), (48, 1.2)):
        rig.rotation_euler.z = angle
        rig.keyframe_insert("rotation_euler", index=2, frame=f)
    cam = bpy.data.objects.new("Operator Cam", bpy.data.cameras.new("Operator Cam"))
    scene.collection.objects.link(cam)
    cam.parent = rig
    cam.location = (3.0, 0.0, 0.5)
    track = cam.constraints.new('TRACK_TO')
    track.target, track.track_axis, track.up_axis = subject, 'TRACK_NEGATIVE_Z', 'UP_Y'
    cam.data.lens = 35.0
    cam.data.keyframe_insert("lens", frame=1)
    cam.data.lens = 70.0
    cam.data.keyframe_insert("lens", frame=48)
    out = tmp_path / "shots.json"
    assert bpy.ops.lenscraft.export_shots(filepath=str(out), format='lenscraft', selection='ALL') == {'FINISHED'}
    shots, _ = ext.engine.load_shots(str(out))
    (shot,) = shots
    t = shot.trajectory
    M = world_matrices(bpy, scene, cam, range(1, 49))
    assert t.frame_count == 48 and t.frame_start == 1
    assert np.abs(t.position - M[:, :3, 3]).max() < 1e-5
    R = ext.engine.geometry.quat_to_matrix(t.rotation)
    assert np.abs(R - M[:, :3, :3]).max() < 1e-5
    assert t.focal_length[0] == pytest.approx(35.0) and t.focal_length[-1] == pytest.approx(70.0)
    # the camera really moved and turned: the parent's animation and the constraint were both captured
    assert np.linalg.norm(t.position[-1] - t.position[0]) > 1.0


def _shot_arrays(shot):
    t = shot.trajectory
    s = shot.subjects[0]
    return {"pos": t.position, "rot": ext_quat(t.rotation), "focal": t.focal_length,
            "subject_pos": s.positions(t.frame_count), "subject_rot": ext_quat(np.asarray(s.rotations(t.frame_count))),
            "subject_size": s.size, "sensor": np.array([t.sensor_width, t.aspect, t.fps, t.frame_start])}


def ext_quat(q):
    q = np.array(q, dtype=np.float64)
    return q * np.where(q[..., :1] < 0, -1.0, 1.0)  # q and -q are the same rotation


def test_export_import_export_round_trip(scene, ext, tmp_path):
    subject = bpy.data.objects["Subject"]
    scene.lenscraft.subject = subject
    _generate(scene, movement="halfArcShotLeft", easing="easeInOutCubic", key_density='SPARSE', add_marker=True)
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    res = ext.exchange.export_cameras(scene, cameras(bpy), str(first), "lenscraft", 1, 48, subject)
    assert "1 shot" in res.message
    n_before = len(cameras(bpy))
    assert bpy.ops.lenscraft.import_shots(filepath=str(first)) == {'FINISHED'}
    assert len(cameras(bpy)) == n_before + 1
    new_cam = max(cameras(bpy), key=lambda o: o.name)  # "<name>.001": the original name was taken
    (empty,) = [o for o in bpy.data.objects if o.type == 'EMPTY']
    ext.exchange.export_cameras(scene, [new_cam], str(second), "lenscraft", 1, 48, empty)
    (a,), _ = ext.engine.load_shots(str(first))
    (b,), _ = ext.engine.load_shots(str(second))
    arr_a, arr_b = _shot_arrays(a), _shot_arrays(b)
    for key in arr_a:
        assert np.abs(np.asarray(arr_a[key]) - np.asarray(arr_b[key])).max() < 1e-5, key
    assert a.labels == b.labels and a.labels["movement"] == "halfArcShotLeft"  # labels travel through markers


def test_v1_export_and_real_v1_import(scene, ext, tmp_path):
    _generate(scene, movement="dollyIn", easing="easeInOutSine", angle="lowAngle", shot_type="closeUp",
              add_marker=True)
    out = tmp_path / "v1.json"
    ext.exchange.export_cameras(scene, cameras(bpy), str(out), "lenscraft-v1", 1, 30, bpy.data.objects["Subject"])
    data = json.loads(out.read_text())
    ins = data["simulations"][0]["instructions"][0]
    assert (ins["cameraMovement"], ins["initialShotType"]) == ("dollyIn", "closeUp")
    # two simulations of the original three.js simulator's output
    sims = json.loads(V1_FILE.read_text())["simulations"][:2]
    small = tmp_path / "real_v1.json"
    small.write_text(json.dumps({"simulations": sims}))
    before = len(cameras(bpy))
    assert bpy.ops.lenscraft.import_shots(filepath=str(small)) == {'FINISHED'}
    new = cameras(bpy)
    assert len(new) == before + 2
    fc = ext.keyframes.find_fcurve(new[-1], "location", 0)
    assert len(fc.keyframe_points) == 30


@pytest.mark.parametrize("content", [None, "", "{not json", '{"format": "lenscraft", "shots": [{"x": 1}]}'])
def test_unreadable_json_reports_and_changes_nothing(scene, ext, tmp_path, content):
    path = tmp_path / "bad.json"
    if content is not None:
        path.write_text(content)
    before = scene_state(bpy, ext)
    with pytest.raises(RuntimeError) as err:
        bpy.ops.lenscraft.import_shots(filepath=str(path))
    assert "bad.json" in str(err.value)
    assert scene_state(bpy, ext) == before


def test_export_without_selected_camera_reports(scene, ext, tmp_path):
    cam = bpy.data.objects.new("Cam", bpy.data.cameras.new("Cam"))
    scene.collection.objects.link(cam)
    for o in bpy.data.objects:
        o.select_set(False)
    bpy.data.objects["Subject"].select_set(True)
    with pytest.raises(RuntimeError, match="no camera selected"):
        bpy.ops.lenscraft.export_shots(filepath=str(tmp_path / "x.json"), selection='SELECTED')
    assert not (tmp_path / "x.json").exists()


def test_export_samples_the_subject_once_for_all_cameras(scene, ext, tmp_path, monkeypatch):
    subject = bpy.data.objects["Subject"]
    cams = []
    for k, name in enumerate(("A", "B", "C")):
        cams.append(bpy.data.objects.new(name, bpy.data.cameras.new(name)))
        cams[-1].location = (k, -6.0, 1.5)
        scene.collection.objects.link(cams[-1])
    sampled = []
    real = ext.gather.subject_from_object
    monkeypatch.setattr(ext.gather, "subject_from_object",
                        lambda scene, obj, frames, *a: sampled.append(obj.name) or real(scene, obj, frames, *a))
    out = tmp_path / "three.json"
    ext.exchange.export_cameras(scene, cams, str(out), "lenscraft", 1, 12, subject)
    assert sampled == ["Subject"]
    sampled.clear()
    shots = ext.exchange.gather_shots(scene, cams, 1, 12, subject)
    assert sampled == ["Subject"] and len(shots) == 3
    loaded, _ = ext.engine.load_shots(str(out))
    assert [s.name for s in loaded] == ["A", "B", "C"] and all(s.subjects[0].name == "Subject" for s in loaded)


def test_dropped_files_import_without_a_file_browser(scene, ext, tmp_path):
    """What the FileHandler hands the import operator when shot files are dropped on the viewport."""
    _generate(scene, movement="panLeft")
    first = tmp_path / "a.json"
    ext.exchange.export_cameras(scene, cameras(bpy), str(first), "lenscraft", 1, 12)
    (tmp_path / "b.json").write_bytes(first.read_bytes())
    before = len(cameras(bpy))
    result = bpy.ops.lenscraft.import_shots('INVOKE_DEFAULT', directory=str(tmp_path),
                                            files=[{"name": "a.json"}, {"name": "b.json"}])
    assert result == {'FINISHED'} and len(cameras(bpy)) == before + 2
    assert bpy.ops.lenscraft.import_shots('INVOKE_DEFAULT', filepath=str(first)) == {'FINISHED'}
    assert len(cameras(bpy)) == before + 3
