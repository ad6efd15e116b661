"""Generate in real Blender: framing for every movement, real F-curves, undo, append/replace, Euler continuity,
sparse-key tolerance, moving subjects, and bad inputs that must change nothing."""

from __future__ import annotations

import math

import numpy as np
import pytest

bpy = pytest.importorskip("bpy", reason="bpy (Blender as a Python module) is not installed")

from blender_helpers import cameras, scene_state, subject_in_view, world_matrices  # noqa: E402


# These tests check what the add-on writes for each movement, so they use the generator whose moves are exact by
# construction (the simulator); the model path is tested in test_model_and_jobs.py.
pytestmark = pytest.mark.usefixtures("procedural_generator")



def _settings(scene, **kw):
    s = scene.lenscraft
    for k, v in kw.items():
        setattr(s, k, v)
    return s


def _generate(**kw):
    return bpy.ops.lenscraft.generate('EXEC_DEFAULT', **kw)


def test_prompt_sets_menus_and_summary(scene):
    s = _settings(scene, prompt="slow push in from a low angle, ease in-out, close-up")
    assert (s.movement, s.angle, s.shot_type, s.easing) == ("dollyIn", "lowAngle", "closeUp", "easeInOutSine")
    assert s.understood.startswith("understood as")
    s.angle = "highAngle"  # the user overrides a menu; the prompt does not fight back
    assert s.angle == "highAngle"
    s.prompt = "a nice sunny day"
    assert s.understood.startswith("not understood")
    assert s.movement == "dollyIn"  # a prompt that says nothing leaves the menus alone


def _animate_subject(subject):
    for f, x in ((1, 0.0), (48, 6.0)):
        subject.location.x = x
        subject.keyframe_insert("location", index=0, frame=f)


@pytest.mark.parametrize("moving", [False, True])
def test_every_movement_keeps_subject_in_frame(scene, ext, moving):
    subject = bpy.data.objects["Subject"]
    if moving:
        _animate_subject(subject)
    names = ext.engine.FIELDS["movement"].names
    names = names if moving else [m for m in names if m not in ext.generate.FOLLOWING]
    for movement in names:
        _settings(scene, movement=movement, shot_type="mediumShot", angle="mediumAngle", easing="easeInOutSine")
        before = set(cameras(bpy))
        assert _generate() == {'FINISHED'}
        (cam,) = set(cameras(bpy)) - before
        p = subject_in_view(bpy, scene, cam, subject, range(1, 49, 3))
        assert np.all(p[:, 2] > 0), f"{movement}: subject behind the camera"
        assert np.all((p[:, :2] > 0.0) & (p[:, :2] < 1.0)), f"{movement}: subject centre left the frame {p[:, :2]}"


def test_keys_are_real_fcurves_matching_the_shot(scene, ext):
    _settings(scene, movement="fullZoomIn", easing="linear", key_density='EVERY_FRAME')
    assert _generate() == {'FINISHED'}
    cam = cameras(bpy)[0]
    paths = {(fc.data_path, fc.array_index): fc for fc in ext.keyframes.fcurves(cam)}
    assert set(paths) == {("location", i) for i in range(3)} | {("rotation_euler", i) for i in range(3)}
    assert all(len(fc.keyframe_points) == 48 for fc in paths.values())
    lens = ext.keyframes.find_fcurve(cam.data, "lens")
    assert lens is not None and len(lens.keyframe_points) == 48
    assert lens.evaluate(48) > 1.9 * lens.evaluate(1)  # a full zoom doubles the focal length


def test_sparse_keys_stay_within_tolerance(scene, ext):
    _settings(scene, movement="halfArcShotLeft", easing="easeInOutCubic", key_density='SPARSE',
              key_tolerance=0.002)
    assert _generate() == {'FINISHED'}
    cam = cameras(bpy)[0]
    fcs = ext.keyframes.fcurves(cam)
    n_keys = max(len(fc.keyframe_points) for fc in fcs)
    assert 2 <= n_keys < 48
    _settings(scene, key_density='EVERY_FRAME')
    assert _generate() == {'FINISHED'}
    exact = cameras(bpy)[1]
    frames = range(1, 49)
    a, b = world_matrices(bpy, scene, cam, frames), world_matrices(bpy, scene, exact, frames)
    assert np.abs(a[:, :3, 3] - b[:, :3, 3]).max() < 0.0021
    assert np.abs(a[:, :3, :3] - b[:, :3, :3]).max() < math.radians(0.3)


def test_eased_move_is_two_keys_with_easing_interpolation(scene, ext):
    _settings(scene, movement="truckRight", easing="easeInOutSine", key_density='SPARSE')
    assert _generate() == {'FINISHED'}
    fc = ext.keyframes.find_fcurve(cameras(bpy)[0], "location", 0)
    assert len(fc.keyframe_points) == 2
    first = fc.keyframe_points[0]
    assert (first.interpolation, first.easing) == ('SINE', 'EASE_IN_OUT')


def test_euler_continuity_over_full_orbit(scene, ext):
    _settings(scene, movement="fullArcShotRight", key_density='EVERY_FRAME')
    scene.frame_end = 96
    assert _generate() == {'FINISHED'}
    cam = cameras(bpy)[0]
    for i in range(3):
        fc = ext.keyframes.find_fcurve(cam, "rotation_euler", i)
        values = np.array([kp.co[1] for kp in fc.keyframe_points])
        assert np.abs(np.diff(values)).max() < math.pi, f"rotation_euler[{i}] jumps"
    z = np.array([kp.co[1] for kp in ext.keyframes.find_fcurve(cam, "rotation_euler", 2).keyframe_points])
    assert abs(abs(z[-1] - z[0]) - 2 * math.pi) < 0.2  # a full turn, unwrapped


def test_variations_each_get_a_camera_marker_and_focus(scene):
    _settings(scene, movement="dollyIn", variations=3, seed=4, add_marker=True, focus_on_subject=True)
    assert _generate() == {'FINISHED'}
    cams = cameras(bpy)
    assert len(cams) == 3
    assert {m.camera.name for m in scene.timeline_markers} == {c.name for c in cams}
    assert all(c.data.dof.use_dof and c.data.dof.focus_object.name == "Subject" for c in cams)
    assert scene.camera in cams


def test_undo_restores_the_scene(scene, ext):
    bpy.ops.ed.undo_push(message="before")
    before = scene_state(bpy, ext)
    assert bpy.ops.lenscraft.generate('EXEC_DEFAULT', True) == {'FINISHED'}  # True: push an undo step as the UI does
    assert scene_state(bpy, ext) != before
    assert bpy.ops.ed.undo() == {'FINISHED'}  # one Ctrl+Z
    assert scene_state(bpy, ext) == before


def _existing_camera(scene):
    data = bpy.data.cameras.new("Shot")
    cam = bpy.data.objects.new("Shot", data)
    scene.collection.objects.link(cam)
    for f, x in ((100, 5.0), (120, 6.0)):
        cam.location.x = x
        cam.keyframe_insert("location", index=0, frame=f)
    return cam


def test_append_keeps_existing_keys_and_replace_clears_them(scene, ext):
    cam = _existing_camera(scene)
    _settings(scene, camera_target='EXISTING', camera=cam, keep='APPEND', movement="panLeft")
    assert _generate() == {'FINISHED'}
    fc = ext.keyframes.find_fcurve(cam, "location", 0)
    frames = {int(kp.co[0]) for kp in fc.keyframe_points}
    assert {100, 120} <= frames and 1 in frames and 48 in frames
    assert fc.evaluate(100) == pytest.approx(5.0) and fc.evaluate(120) == pytest.approx(6.0)
    assert len(cameras(bpy)) == 1  # animated the picked camera, made none
    _settings(scene, keep='REPLACE')
    assert _generate() == {'FINISHED'}
    fc = ext.keyframes.find_fcurve(cam, "location", 0)  # a pan holds location: no F-curve is left once cleared
    frames = {int(kp.co[0]) for kp in fc.keyframe_points} if fc is not None else set()
    assert not frames & {100, 120} and frames <= set(range(1, 49))


def test_moving_subject_is_followed(scene, ext):
    subject = bpy.data.objects["Subject"]
    _animate_subject(subject)
    _settings(scene, movement="follow", shot_type="mediumShot")
    assert _generate() == {'FINISHED'}
    cam = cameras(bpy)[0]
    start, end = world_matrices(bpy, scene, cam, [1, 48])
    assert end[0, 3] - start[0, 3] > 5.0  # the camera travelled with the subject


@pytest.mark.parametrize("case", ["no_subject", "empty_range", "non_camera_target", "camera_as_subject",
                                  "follow_static_subject"])
def test_bad_inputs_report_and_change_nothing(scene, ext, case):
    s = scene.lenscraft
    s.movement = "dollyIn"
    if case == "no_subject":
        bpy.context.view_layer.objects.active = None
        s.subject = None
    elif case == "empty_range":
        s.use_scene_range, s.frame_start, s.frame_end = False, 40, 10
    elif case == "non_camera_target":
        s.camera_target = 'EXISTING'
        s.camera = None
    elif case == "camera_as_subject":
        cam = bpy.data.objects.new("Cam", bpy.data.cameras.new("Cam"))
        scene.collection.objects.link(cam)
        bpy.context.view_layer.objects.active = cam
    elif case == "follow_static_subject":
        s.movement = "follow"
    before = scene_state(bpy, ext)
    with pytest.raises(RuntimeError) as err:
        _generate()
    assert "Traceback" not in str(err.value)
    assert scene_state(bpy, ext) == before


def test_workflow_rejects_non_camera_target(scene, ext):
    subject = bpy.data.objects["Subject"]
    before = scene_state(bpy, ext)
    req = ext.generate.GenerateRequest(subject=subject, labels={"movement": "panLeft"}, frame_start=1, frame_end=48,
                                       camera=subject)
    with pytest.raises(ext.engine.LensCraftError, match="not a camera"):
        ext.generate.generate(scene, req)
    assert scene_state(bpy, ext) == before


def test_floor_keeps_a_low_angle_camera_above_the_ground(scene, ext):
    subject = bpy.data.objects["Subject"]  # its box stands on z = 0
    lowest = {}
    for floor in ("NONE", "SUBJECT_BASE"):
        _settings(scene, movement="pedestalDown", shot_type="extremeLongShot", angle="lowAngle", floor=floor)
        before = set(cameras(bpy))
        assert _generate() == {'FINISHED'}
        (cam,) = set(cameras(bpy)) - before
        lowest[floor] = min(m[2, 3] for m in world_matrices(bpy, scene, cam, range(1, 49)))
        p = subject_in_view(bpy, scene, cam, subject, range(1, 49, 3))
        assert np.all(p[:, 2] > 0) and np.all((p[:, :2] > 0.0) & (p[:, :2] < 1.0)), floor
    assert lowest["NONE"] < -0.5  # without a floor this shot digs well into the ground ...
    assert lowest["SUBJECT_BASE"] >= -1e-4  # ... with one it stays on it


def test_axis_angle_camera_is_switched_explicitly_and_reported(scene, ext):
    cam = _existing_camera(scene)
    cam.rotation_mode = 'AXIS_ANGLE'
    traj = ext.engine.Trajectory(position=np.zeros((4, 3)), rotation=np.tile([1.0, 0.0, 0.0, 0.0], (4, 1)),
                                 focal_length=np.full(4, 35.0))
    with pytest.raises(ext.engine.LensCraftError, match="axis-angle"):  # the key writer never changes the mode
        ext.keyframes.write_camera(cam, traj, 1, 16 / 9, ext.keyframes.KeyOptions())
    assert cam.rotation_mode == 'AXIS_ANGLE'
    req = ext.generate.GenerateRequest(subject=bpy.data.objects["Subject"], labels={"movement": "panLeft"},
                                       frame_start=1, frame_end=24, camera=cam)
    result = ext.generate.generate(scene, req)  # Generate asks for the switch and says so
    assert cam.rotation_mode == 'XYZ'
    assert any("axis-angle" in w and "XYZ" in w for w in result.warnings)
    assert ext.keyframes.find_fcurve(cam, "rotation_euler", 2) is not None  # a pan turns the heading (Z)


def test_variations_limit_is_one_number(scene, ext):
    limit = ext.generate.MAX_VARIATIONS
    prop = type(scene.lenscraft).bl_rna.properties["variations"]
    assert prop.hard_max == limit and prop.soft_max <= limit
    req = ext.generate.GenerateRequest(subject=bpy.data.objects["Subject"], labels={"movement": "panLeft"},
                                       frame_start=1, frame_end=24, variations=limit + 1)
    with pytest.raises(ext.engine.LensCraftError, match=f"1-{limit}"):
        ext.generate.GenerateJob(scene, req)


def test_labels_are_resolved_once_on_the_generate_path(scene, ext, monkeypatch):
    calls = []
    real = ext.engine.resolve_labels
    monkeypatch.setattr(ext.engine, "resolve_labels",
                        lambda labels, **kw: calls.append(dict(labels)) or real(labels, **kw))
    assert ext.cli.main(["generate", "--subject", "Subject", "--prompt", "dolly in", "--movement", "pan left",
                         "--variations", "2", "--frames", "1-12", "--marker"]) == 0
    assert len(calls) == 1 and calls[0]["movement"] == "pan left"  # the alias as typed, resolved by Generate
    assert {m.name.split(",")[0] for m in scene.timeline_markers} == {"panLeft"}
