"""The handheld shake layer (addon/shake.py) in real Blender: on, the camera is its move with the recorded shake in
its own axes (the core's apply_shake, to float32 precision); muted or removed, exactly the move; the move's keys are
never touched."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

bpy = pytest.importorskip("bpy", reason="bpy (Blender as a Python module) is not installed")

from blender_helpers import world_matrices  # noqa: E402

FRAMES = np.arange(1, 49)  # the scene fixture's range, 24 fps


def _keyed_camera(scene):
    """A camera panning and trucking across frames 1-48, keyed by hand (Blender's own interpolation)."""
    cam = bpy.data.objects.new("Cam", bpy.data.cameras.new("Cam"))
    scene.collection.objects.link(cam)
    for frame, loc, rot in ((1, (6.0, -4.0, 1.6), (1.45, 0.0, 0.9)), (48, (5.0, -2.0, 1.7), (1.5, 0.05, 1.6))):
        cam.location, cam.rotation_euler = loc, rot
        cam.keyframe_insert("location", frame=frame)
        cam.keyframe_insert("rotation_euler", frame=frame)
    return cam


def _keys(ext, obj):
    return sorted((fc.data_path, fc.array_index, tuple(c for kp in fc.keyframe_points
                                                       for c in (*kp.co, *kp.handle_left, *kp.handle_right)))
                  for fc in ext.keyframes.fcurves(obj))


def _angle_deg(A, B):
    rel = np.einsum("fji,fjk->fik", A[:, :3, :3], B[:, :3, :3])
    return np.degrees(np.arccos(np.clip((np.trace(rel, axis1=1, axis2=2) - 1) / 2, -1, 1)))


def test_shake_layer_on_off_scaled_and_removed_keeps_the_move(ext, scene):
    shake = importlib.import_module(f"{ext.__name__}.shake")
    core = shake.core_shake
    assert core.__name__ == f"{ext.__name__}.lenscraft_core.shake"  # the profiles load from the installed zip
    cam = _keyed_camera(scene)
    keys = _keys(ext, cam)
    move = world_matrices(bpy, scene, cam, FRAMES)

    empty = shake.add_shake_layer(cam, amplitude=2.0, seed=3, distance=3.0)
    assert empty.name == "Cam Shake" and shake.shake_enabled(cam)
    con = cam.constraints[shake.CONSTRAINT_NAME]
    assert con.target == empty and con.mix_mode == 'AFTER_FULL'
    on = world_matrices(bpy, scene, cam, FRAMES)
    offsets = core.shake_offsets(48, 24.0, 2.0, None, 3, distance=3.0)
    # The move with the shake in the camera's own axes: move @ offset, as the core composes it.
    np.testing.assert_allclose(on, move @ offsets.matrices(), atol=2e-5)
    traj = core.Trajectory.from_matrices(move[:, :3, 3], move[:, :3, :3], 50.0, fps=24.0)
    shaken = core.apply_shake(traj, offsets)
    np.testing.assert_allclose(on[:, :3, 3], shaken.position, atol=2e-5)
    np.testing.assert_allclose(on[:, :3, :3], shaken.matrices, atol=2e-5)
    # It differs from the move by about the offsets' angle (degrees, per frame), and visibly.
    offset_deg = np.degrees(np.linalg.norm(offsets.rotation, axis=1))
    np.testing.assert_allclose(_angle_deg(move, on), offset_deg, atol=0.02, rtol=0.05)
    assert offset_deg.max() > 0.2
    assert 0 < np.abs(on[:, :3, 3] - move[:, :3, 3]).max() <= core.MAX_TRANSLATION_SHARE * 3.0 + 1e-5

    shake.set_shake_enabled(cam, False)
    assert not shake.shake_enabled(cam)
    np.testing.assert_array_equal(world_matrices(bpy, scene, cam, FRAMES), move)
    shake.set_shake_enabled(cam, True)
    shake.set_shake_amplitude(cam, 1.0)
    half = core.shake_offsets(48, 24.0, 1.0, None, 3, distance=3.0)
    np.testing.assert_allclose(world_matrices(bpy, scene, cam, FRAMES), move @ half.matrices(), atol=2e-5)
    assert cam.constraints[shake.CONSTRAINT_NAME].target == empty  # remade in place, not a second layer
    assert keys == _keys(ext, cam)  # the move's F-curves: not a key nor a handle changed

    action = empty.animation_data.action.name
    assert shake.remove_shake_layer(cam)
    assert shake.CONSTRAINT_NAME not in cam.constraints and "Cam Shake" not in bpy.data.objects
    assert action not in bpy.data.actions
    np.testing.assert_array_equal(world_matrices(bpy, scene, cam, FRAMES), move)
    assert keys == _keys(ext, cam)
    assert not shake.remove_shake_layer(cam)
    with pytest.raises(ext.engine.LensCraftError, match="no shake layer"):
        shake.set_shake_enabled(cam, True)
    with pytest.raises(ext.engine.LensCraftError, match="unknown shake profile"):
        shake.add_shake_layer(cam, profile="wobble")
    assert not cam.constraints  # a bad profile adds nothing
