"""The NumPy model of Blender's own interpolation of hand keys (inbetween_reference) against real Blender: a camera
keyed by hand at a few frames with the default interpolation, every F-curve evaluated at every frame."""

from __future__ import annotations

import numpy as np
import pytest

from lenscraft_core import geometry as geo
from lenscraft_core.inbetween_reference import blender_fill, evaluate_bezier
from lenscraft_core.schema import Trajectory

bpy = pytest.importorskip("bpy")

# (frames, location, rotation_euler, lens): uneven spacing, an extreme, a value past a neighbour (clamping),
# a 1:7 interval ratio (the 5x cap) and level neighbours.
CASES = [
    ([1, 20, 48], [[5, 0, 1.6], [3.5, 3.5, 1.7], [0, 5, 1.6]], [[1.5, 0, 1.57], [1.5, 0, 2.36], [1.5, 0, 3.14]],
     [50, 50, 35]),
    ([1, 4, 32, 40], [[0, 0, 0], [1, -2, 0.3], [1.2, 4, 0.3], [-3, 4.5, 2]],
     [[1.2, 0.1, 0], [1.3, -0.2, 0.5], [1.0, 0.4, 0.5], [1.6, 0.0, -0.4]], [24, 30, 28, 85]),
    ([1, 2, 12, 60], [[0, 0, 0], [0.1, 1, 0], [0.4, -1, 2], [8, 0, 2]], [[0, 0, 0], [0.2, 0, 0], [0.1, 0, 0],
                                                                      [3, 0, 0]], [50, 51, 49, 50]),
]


def _keyed_camera(frames, loc, rot, lens):
    bpy.ops.wm.read_factory_settings(use_empty=True)
    scene = bpy.context.scene
    data = bpy.data.cameras.new("cam")
    cam = bpy.data.objects.new("cam", data)
    scene.collection.objects.link(cam)
    for f, p, e, mm in zip(frames, loc, rot, lens):
        cam.location, cam.rotation_euler, data.lens = p, e, mm
        cam.keyframe_insert("location", frame=f)
        cam.keyframe_insert("rotation_euler", frame=f)
        data.keyframe_insert("lens", frame=f)
    return cam, data


def _curves(id_data):
    ad = id_data.animation_data
    owner = ad.action
    if hasattr(ad, "action_slot") and ad.action_slot is not None and hasattr(owner, "layers") and owner.layers:
        owner = owner.layers[0].strips[0].channelbag(ad.action_slot)
    return {(fc.data_path, fc.array_index): fc for fc in owner.fcurves}


@pytest.mark.parametrize("smoothing", ["CONT_ACCEL", "NONE"])
@pytest.mark.parametrize("case", range(len(CASES)))
def test_model_matches_blender_fcurves(case, smoothing):
    frames, loc, rot, lens = CASES[case]
    cam, data = _keyed_camera(frames, loc, rot, lens)
    curves = {**_curves(cam), **_curves(data)}
    for fc in curves.values():
        assert fc.auto_smoothing == "CONT_ACCEL"  # Blender 4.5's factory default (the model's default)
        fc.auto_smoothing = smoothing
        fc.update()
    every = np.arange(frames[0] - 3, frames[-1] + 4, dtype=np.float64)
    values = {("location", i): np.asarray(loc, float)[:, i] for i in range(3)}
    values |= {("rotation_euler", i): np.asarray(rot, float)[:, i] for i in range(3)}
    values[("lens", 0)] = np.asarray(lens, float)
    for key, fc in curves.items():
        kp = fc.keyframe_points[0]
        assert kp.interpolation == "BEZIER" and kp.handle_left_type == "AUTO_CLAMPED"
        blender = np.array([fc.evaluate(f) for f in every])
        model = evaluate_bezier(np.asarray(frames, float), values[key], every, smoothing)
        scale = 1.0 if key[0] != "lens" else 1e-2  # lens in mm: 1e-4 of a metre-sized channel ~ 1e-2 mm
        assert np.max(np.abs(model - blender)) * scale < 1e-4, (key, np.max(np.abs(model - blender)))


def test_blender_fill_is_what_blender_plays_back():
    frames, loc, rot, lens = CASES[0]
    cam, data = _keyed_camera(frames, loc, rot, lens)
    scene = bpy.context.scene
    span = np.arange(frames[0], frames[-1] + 1)
    played_pos, played_R, played_lens = [], [], []
    for f in span:
        scene.frame_set(int(f))
        m = np.array(cam.matrix_world)
        played_pos.append(m[:3, 3])
        played_R.append(m[:3, :3])
        played_lens.append(data.lens)
    keys = np.asarray(frames) - frames[0]
    R_keys = geo.euler_to_matrix(np.asarray(rot, float))
    pos = np.zeros((len(span), 3))
    quat = np.tile([1.0, 0, 0, 0], (len(span), 1))
    pos[keys] = loc
    quat[keys] = geo.matrix_to_quat(R_keys)
    focal = np.full(len(span), 50.0)
    focal[keys] = lens
    model = blender_fill(Trajectory(pos, quat, focal), keys)
    assert np.max(np.abs(model.position - np.array(played_pos))) < 1e-4
    assert np.max(np.abs(model.matrices - np.array(played_R))) < 1e-4  # entries: Blender's matrices are float32
    assert np.max(np.abs(model.focal_length - np.array(played_lens))) < 1e-2
