"""Eased keys in real Blender: a simulated shot written through keyframes.write_camera, its F-curves counted and
evaluated by Blender (fcurve.evaluate) on every frame against the shot."""

from __future__ import annotations

import importlib
import math

import numpy as np
import pytest

bpy = pytest.importorskip("bpy")

FRAMES = 48
START = 1
SUBJECT_AT, SUBJECT_SIZE = np.array([1.0, 2.0, 0.9]), np.array([1.0, 0.6, 1.8])
# The most keys a moving channel may take per movement (at 1 mm, 0.1 degree, 0.1 % of the focal length).
MOST_KEYS = {"panLeft": 4, "tiltDown": 4, "dollyIn": 4, "truckRight": 4, "pedestalUp": 4, "rollLeft": 4,
             "halfZoomIn": 4, "dollyOutZoomIn": 6, "shortArcShotLeft": 8, "static": 0}


def _core(ext, module):
    return importlib.import_module(ext.engine.geometry.__name__.rpartition(".")[0] + "." + module)


def _shot(ext, movement, easing):
    subject = ext.engine.Subject(position=SUBJECT_AT, size=SUBJECT_SIZE)
    return _core(ext, "simulate").simulate_shot(subject, {"movement": movement, "easing": easing}, FRAMES,
                                                seed=1).trajectory


def _camera(scene, name):
    cam = bpy.data.objects.new(name, bpy.data.cameras.new(name))
    scene.collection.objects.link(cam)
    return cam


def _evaluated(ext, cam, path, index, frames):
    """Blender's value of the channel on each frame: its F-curve's, else the property's (no keys)."""
    owner = cam.data if path == "lens" else cam
    fc = ext.keyframes.find_fcurve(owner, path, index)
    if fc is None:
        value = owner.lens if path == "lens" else getattr(owner, path)[index]
        return np.full(len(frames), value), 0
    return np.array([fc.evaluate(float(f)) for f in frames]), len(fc.keyframe_points)


def _errors_and_counts(ext, cam, traj):
    """Per channel: (keys, largest error over the frames in the channel's units)."""
    geo = ext.engine.geometry
    frames = np.arange(START, START + FRAMES)
    euler = geo.euler_continuity(geo.matrix_to_euler(geo.quat_to_matrix(traj.rotation), "XYZ"), "XYZ")
    want = [("location", i, traj.position[:, i]) for i in range(3)]
    want += [("rotation_euler", i, euler[:, i]) for i in range(3)] + [("lens", 0, traj.focal_length)]
    out = {}
    for path, i, values in want:
        got, n = _evaluated(ext, cam, path, i, frames)
        out[f"{path}[{i}]"] = (n, float(np.abs(got - values).max()))
    return out


def _tolerance(name, traj, opts):
    if name.startswith("location"):
        return opts.tolerance
    if name.startswith("rotation"):
        return opts.angle_tolerance
    return min(opts.lens_tolerance, opts.lens_tolerance_fraction * float(traj.focal_length.min()))


@pytest.mark.parametrize("easing", ["easeInOutCubic", "linear", "easeOutQuad"])
def test_eased_keys_are_few_and_blender_evaluates_them_within_tolerance(scene, ext, easing):
    opts = ext.keyframes.KeyOptions()
    assert (opts.tolerance, opts.angle_tolerance) == (0.001, pytest.approx(math.radians(0.1)))
    table = {}
    for movement, most in MOST_KEYS.items():
        traj = _shot(ext, movement, easing)
        cam = _camera(scene, f"{movement} {easing}")
        written = ext.keyframes.write_camera(cam, traj, START, traj.aspect, opts)
        result = _errors_and_counts(ext, cam, traj)
        assert written == sum(n for n, _ in result.values())
        for name, (n, err) in result.items():
            tol = _tolerance(name, traj, opts)
            assert err <= tol * 1.01 + 1e-6, f"{movement} {easing} {name}: {err} > {tol}"
            assert n <= most, f"{movement} {easing} {name}: {n} keys"
        moving = {name for name, (n, _) in result.items() if n}
        assert (not moving) == (movement == "static")
        table[movement] = result
    counts = {m: [n for n, _ in r.values()] for m, r in table.items()}
    print(f"\n{easing}: keys per channel (loc xyz, rot xyz, lens)", counts)
    # Channels that hold still have no F-curve at all: a pan keys only the heading, a zoom only the lens.
    assert counts["panLeft"][:5] == [0] * 5 and counts["panLeft"][5] >= 2 and counts["panLeft"][6] == 0
    assert counts["halfZoomIn"][:6] == [0] * 6 and counts["halfZoomIn"][6] >= 2


def test_handles_stay_as_fitted_aligned_and_required_frames_carry_keys(scene, ext):
    traj = _shot(ext, "dollyIn", "easeInOutSine")
    cam = _camera(scene, "Joins")
    joins = (START + 12, START + 30)
    opts = ext.keyframes.KeyOptions(required_frames=joins)
    ext.keyframes.write_camera(cam, traj, START, traj.aspect, opts)
    fcs = ext.keyframes.fcurves(cam)
    assert len(fcs) == 1  # a dolly in moves along one axis: one F-curve
    fc = fcs[0]
    frames = {round(kp.co[0]) for kp in fc.keyframe_points}
    assert set(joins) <= frames and {START, START + FRAMES - 1} <= frames
    for kp in fc.keyframe_points:
        assert (kp.interpolation, kp.handle_left_type, kp.handle_right_type) == ('BEZIER', 'ALIGNED', 'ALIGNED')
    values = np.array([fc.evaluate(float(f)) for f in range(START, START + FRAMES)])
    assert fc.data_path == "location" and np.abs(values - traj.position[:, fc.array_index]).max() <= opts.tolerance


def test_every_frame_and_appending_keep_working(scene, ext):
    traj = _shot(ext, "panLeft", "easeInOutCubic")
    cam = _camera(scene, "Every")
    n = ext.keyframes.write_camera(cam, traj, START, traj.aspect, ext.keyframes.KeyOptions(every_frame=True))
    assert n == 6 * FRAMES and all(len(fc.keyframe_points) == FRAMES for fc in ext.keyframes.fcurves(cam))
    # Appending an eased write later on: the channels that hold still now keep their keys (two flat ones), since an
    # F-curve drives them; the earlier every-frame keys stay.
    later = START + FRAMES + 10
    ext.keyframes.write_camera(cam, traj, later, traj.aspect, ext.keyframes.KeyOptions())
    fc = ext.keyframes.find_fcurve(cam, "location", 0)
    keyed = [round(kp.co[0]) for kp in fc.keyframe_points]
    assert keyed[:FRAMES] == list(range(START, START + FRAMES)) and keyed[FRAMES:] == [later, later + FRAMES - 1]
    assert fc.evaluate(later + 20) == pytest.approx(traj.position[20, 0], abs=1e-5)
