"""Key writing under load, in one Blender process: hundreds of write_camera calls (sparse and every frame, appends
onto cameras that already have keys, replaces, eased moves), like a long session or a big batch.

A colleague saw Blender die with heap corruption ("free(): invalid next size (fast)") after ~175 such calls: the old
writer held a Keyframe across fc.update(), which reallocates the key array, and wrote through it (use after free).
Afterwards every curve must be sorted with one key per frame and match the trajectory last written.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

bpy = pytest.importorskip("bpy")

N_WRITES = 220
N_CAMERAS = 5


def _trajectory(ext, rng: np.random.Generator, frames: int):
    """A smooth orbit-and-push around the origin with a zoom: every channel moves."""
    geo = ext.engine.geometry
    t = np.linspace(0.0, 1.0, frames)
    angle = rng.uniform(-math.pi, math.pi) + rng.uniform(-1.5, 1.5) * t
    radius = rng.uniform(3.0, 6.0) - rng.uniform(0.0, 1.5) * t ** 2
    pos = np.stack([radius * np.cos(angle), radius * np.sin(angle), 1.0 + 0.5 * np.sin(3.0 * t)], axis=1)
    rot = geo.matrix_to_quat(geo.look_at(pos, np.array([0.0, 0.0, 0.9])))
    focal = rng.uniform(24.0, 50.0) * (1.0 + rng.uniform(0.0, 0.6) * t)
    return ext.engine.Trajectory(position=pos, rotation=rot, focal_length=focal, sensor_width=36.0)


def _keys(fc) -> np.ndarray:
    co = np.zeros(2 * len(fc.keyframe_points), np.float32)
    fc.keyframe_points.foreach_get("co", co)
    return co.reshape(-1, 2)


def _check_matches(ext, cam, traj, frame_start: int, opts) -> None:
    kf, geo = ext.keyframes, ext.engine.geometry
    frames = np.arange(frame_start, frame_start + traj.frame_count)
    exact = opts.every_frame or traj.frame_count <= 2
    def value(owner, path, i, f):  # a channel that holds still carries no F-curve: its property holds the value
        fc = kf.find_fcurve(owner, path, i)
        return fc.evaluate(float(f)) if fc is not None else getattr(owner, path)[i]

    loc = np.array([[value(cam, "location", i, f) for i in range(3)] for f in frames])
    assert np.abs(loc - traj.position).max() <= (1e-4 if exact else opts.tolerance + 1e-5)
    euler = np.array([[value(cam, "rotation_euler", i, f) for i in range(3)] for f in frames])
    angle = geo.rotation_angle_between(geo.euler_to_matrix(euler, cam.rotation_mode), traj.matrices)
    assert np.degrees(angle).max() < (0.01 if exact else 1.0)
    lens = kf.find_fcurve(cam.data, "lens")
    if lens is not None and np.ptp(traj.focal_length) > 1e-6:
        got = np.array([lens.evaluate(float(f)) for f in frames])
        assert np.abs(got - traj.focal_length).max() <= (1e-3 if exact else opts.lens_tolerance + 1e-4)


def test_hundreds_of_writes_with_appends_stay_sorted_unique_and_exact(scene, ext):
    kf = ext.keyframes
    rng = np.random.default_rng(7)
    cams = []
    for c in range(N_CAMERAS):
        data = bpy.data.cameras.new(f"Stress {c}")
        cams.append(bpy.data.objects.new(f"Stress {c}", data))
        scene.collection.objects.link(cams[-1])
    easings = [None, "linear", "easeInOutSine", "easeInCubic", "easeOutQuad"]
    appends = 0
    for k in range(N_WRITES):
        cam = cams[k % N_CAMERAS]
        had_keys = bool(kf.fcurves(cam))
        frames = int(rng.integers(2, 90))
        traj = _trajectory(ext, rng, frames)
        start = int(rng.integers(-20, 80))
        opts = kf.KeyOptions(every_frame=bool(rng.random() < 0.35), replace=bool(rng.random() < 0.2),
                             easing=easings[int(rng.integers(len(easings)))])
        n = kf.write_camera(cam, traj, start, 16 / 9, opts)
        appends += had_keys and not opts.replace
        assert n >= 2 * 6, f"write {k}: {n} keys for 6 moving channels"
        _check_matches(ext, cam, traj, start, opts)
    assert appends > 100  # most writes land on cameras that already have keys
    for cam in cams:
        for fc in kf.fcurves(cam) + kf.fcurves(cam.data):
            x = _keys(fc)[:, 0]
            where = f"{cam.name} {fc.data_path}[{fc.array_index}]"
            assert len(x) >= 2, where
            assert np.all(np.diff(x) > 0.5), f"{where}: keys not sorted / two keys on a frame"
            assert np.allclose(x, np.round(x)), f"{where}: keys off integer frames"


def test_failed_easing_try_leaves_a_bezier_first_key(scene, ext):
    """The eased try is undone when it misses the samples (the old writer's undo went to freed memory)."""
    kf = ext.keyframes
    obj = bpy.data.objects.new("Probe", None)
    scene.collection.objects.link(obj)
    fc = kf.ensure_fcurve(obj, "location", 0, kf.GROUP)
    frames = np.arange(1, 49)
    values = np.sin(np.linspace(0.0, 2.0 * math.pi, 48))  # one full wave: two end keys cannot make it
    n = kf.write_channel(fc, frames, values, False, 0.001, ("CIRC", "EASE_IN_OUT"))
    first = fc.keyframe_points[0]
    assert n > 2 and first.interpolation == 'BEZIER'
    assert np.abs(np.array([fc.evaluate(float(f)) for f in frames]) - values).max() <= 0.001 + 1e-6


def test_append_keeps_other_keys_and_replaces_same_frame(scene, ext):
    kf = ext.keyframes
    obj = bpy.data.objects.new("Probe", None)
    scene.collection.objects.link(obj)
    fc = kf.ensure_fcurve(obj, "location", 0, kf.GROUP)
    kf.write_channel(fc, np.arange(1, 11), np.arange(10.0), True, 0.0)
    fc.keyframe_points[3].type = 'BREAKDOWN'  # a user's edit on frame 4: kept when the value is replaced
    kf.write_channel(fc, np.arange(4, 8), np.full(4, -1.0), True, 0.0)
    co = _keys(fc)
    assert co[:, 0].tolist() == list(range(1, 11))
    assert co[:, 1].tolist() == [0, 1, 2, -1, -1, -1, -1, 7, 8, 9]
    assert fc.keyframe_points[3].type == 'BREAKDOWN'
