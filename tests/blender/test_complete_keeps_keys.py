"""Complete in real Blender where the core keeps the user's keys (metadata["complete_kept_keys"]: a straight dolly,
which Blender's own interpolation already reads best) and where it fills (a quarter arc around the subject): kept
keys mean nothing written, not a key nor a handle, and the core's note reported."""

from __future__ import annotations

import math

import numpy as np
import pytest

bpy = pytest.importorskip("bpy", reason="bpy (Blender as a Python module) is not installed")

from blender_helpers import scene_state, world_matrices  # noqa: E402

CENTRE = np.array([1.0, 2.0, 0.9])  # the scene fixture's subject


# model_dir and model: tests/blender/conftest.py


def _looking_at(position, target):
    from mathutils import Vector

    return (Vector(target) - Vector(position)).to_track_quat('-Z', 'Y').to_euler()


def _hand_keyed(scene, keys):
    """A camera keyed by hand (Blender's default interpolation) at (frame, position), looking at the subject."""
    cam = bpy.data.objects.new("Hand", bpy.data.cameras.new("Hand"))
    scene.collection.objects.link(cam)
    for frame, pos in keys:
        cam.location, cam.rotation_euler = pos, _looking_at(pos, CENTRE)
        cam.keyframe_insert("location", frame=frame)
        cam.keyframe_insert("rotation_euler", frame=frame)
    scene.lenscraft.subject = bpy.data.objects["Subject"]
    bpy.context.view_layer.objects.active = cam
    return cam


def _keys(ext, cam):
    """Every key of every F-curve, with its handles and their types."""
    return {(fc.data_path, fc.array_index): [(tuple(k.co), tuple(k.handle_left), tuple(k.handle_right),
                                              k.handle_left_type, k.handle_right_type, k.interpolation)
                                             for k in fc.keyframe_points] for fc in ext.keyframes.fcurves(cam)}


def test_a_straight_dolly_keeps_the_keys_and_writes_nothing(scene, ext, model):
    cam = _hand_keyed(scene, [(1, (1.0, -6.0, 1.5)), (20, (1.0, -4.0, 1.5)), (48, (1.0, -2.0, 1.5))])
    cam.rotation_mode = 'YXZ'  # not even the rotation mode is touched
    keys, state = _keys(ext, cam), scene_state(bpy, ext)
    result = ext.complete.complete_camera(scene, cam, 1, 48, bpy.data.objects["Subject"])
    assert "kept your keys" in result.message and not result.warnings
    assert _keys(ext, cam) == keys and scene_state(bpy, ext) == state and cam.rotation_mode == 'YXZ'
    assert bpy.ops.lenscraft.complete('EXEC_DEFAULT') == {'FINISHED'}  # the operator too: reported, nothing written
    assert _keys(ext, cam) == keys


def test_a_quarter_arc_is_filled_on_the_arc(scene, ext, model):
    radius, height = 5.0, 1.5
    arc = [(f, tuple(CENTRE + [radius * math.cos(a), radius * math.sin(a), height - CENTRE[2]]))
           for f, a in ((1, -math.pi / 2), (24, -math.pi / 4), (48, 0.0))]
    cam = _hand_keyed(scene, arc)
    before = ext.keyframes.find_fcurve(cam, "location", 0)
    hand = {int(k.co[0]): k.co[1] for k in before.keyframe_points}
    frames = range(1, 49)
    blender_own = world_matrices(bpy, scene, cam, frames)[:, :3, 3]
    result = ext.complete.complete_camera(scene, cam, 1, 48, bpy.data.objects["Subject"])
    assert "filled frames 1-48" in result.message
    fc = ext.keyframes.find_fcurve(cam, "location", 0)
    got = {int(k.co[0]): k.co[1] for k in fc.keyframe_points}
    assert len(got) > 3 and all(got[f] == v for f, v in hand.items())  # keys added, the hand keys exact
    flat = lambda p: np.linalg.norm((p - CENTRE)[:, :2], axis=-1)  # noqa: E731  (distance across the ground)
    filled = world_matrices(bpy, scene, cam, frames)[:, :3, 3]
    assert np.abs(flat(filled) / radius - 1).max() < 0.01  # on the arc
    assert np.abs(flat(blender_own) / radius - 1).max() > np.abs(flat(filled) / radius - 1).max()
