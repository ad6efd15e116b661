"""addon/convert.py, the add-on's Blender <-> file maths, on plain numbers (each conversion and its inverse)."""

from __future__ import annotations

import math

import numpy as np
import pytest

pytest.importorskip("bpy", reason="bpy (Blender as a Python module) is not installed")


def _trajectory(ext, frames=12):
    geo = ext.engine.geometry
    t = np.linspace(0.0, 1.0, frames)
    pos = np.stack([4.0 * np.cos(2.5 * t), 4.0 * np.sin(2.5 * t), 1.5 + t], axis=1)
    rot = geo.matrix_to_quat(geo.look_at(pos, np.array([0.0, 0.0, 1.0])))
    return ext.engine.Trajectory(position=pos, rotation=rot, focal_length=np.linspace(30.0, 60.0, frames),
                                 sensor_width=36.0)


def test_trajectory_matrices_round_trip(ext):
    cv, traj = ext.convert, _trajectory(ext)
    W = cv.trajectory_matrices(traj)
    scaled = W.copy()
    scaled[:, :3, :3] *= 2.5  # a scaled camera: its rotation is still read back
    back = cv.trajectory_from_matrices(scaled, traj.focal_length, 36.0, 16 / 9, 24.0, 5)
    assert np.abs(back.position - traj.position).max() < 1e-12
    assert np.abs(ext.engine.geometry.quat_to_matrix(back.rotation) - W[:, :3, :3]).max() < 1e-9
    assert back.frame_start == 5 and back.fps == 24.0


def test_local_channels_under_a_parent(ext):
    cv, geo = ext.convert, ext.engine.geometry
    W = cv.trajectory_matrices(_trajectory(ext))
    parent = np.eye(4)
    parent[:3, :3] = geo.axis_rotation(2, np.array(0.7)) * 2.0
    parent[:3, 3] = (1.0, -2.0, 0.5)
    basis = cv.parent_basis(parent @ np.eye(4), np.eye(4))
    local = cv.world_to_local(W, basis)
    assert np.abs(basis @ local - W).max() < 1e-12
    assert cv.world_to_local(W, None) is W


@pytest.mark.parametrize("mode", ["XYZ", "ZXY", "QUATERNION"])
def test_rotation_channel_reads_back_and_starts_next_to_the_reference(ext, mode):
    cv, geo = ext.convert, ext.engine.geometry
    R = cv.pure_rotation(cv.trajectory_matrices(_trajectory(ext)))
    if mode == "QUATERNION":
        ref = -geo.matrix_to_quat(R[0])
        q = cv.rotation_channel(R, mode, ref)
        assert np.dot(q[0], ref) > 0 and np.abs(geo.quat_to_matrix(q) - R).max() < 1e-9
        assert cv.rotation_path(mode) == "rotation_quaternion"
    else:
        ref = geo.matrix_to_euler(R[:1], mode)[0] + 2 * math.pi  # a channel already one turn up
        e = cv.rotation_channel(R, mode, ref)
        assert np.abs(e[0] - ref).max() < math.pi and np.abs(geo.euler_to_matrix(e, mode) - R).max() < 1e-9
        assert cv.rotation_path(mode) == "rotation_euler"


@pytest.mark.parametrize("fit, aspect, want", [("AUTO", 16 / 9, 36.0), ("HORIZONTAL", 16 / 9, 36.0),
                                                ("HORIZONTAL", 0.5, 72.0), ("VERTICAL", 2.0, 48.0),
                                                ("VERTICAL", 0.5, 24.0)])
def test_sensor_fit_and_lens_keep_the_field_of_view(ext, fit, aspect, want):
    cv, geo = ext.convert, ext.engine.geometry

    class Cam:
        sensor_fit, sensor_width, sensor_height = fit, 36.0, 24.0

    width = cv.effective_sensor_width(Cam, aspect)
    assert width == pytest.approx(want)
    lens = cv.lens_for_sensor(np.array([35.0, 50.0]), 36.0, width)
    assert np.allclose(geo.focal_to_fov(lens, width), geo.focal_to_fov(np.array([35.0, 50.0]), 36.0))


def test_subject_box_and_cube_empty(ext):
    cv = ext.convert
    size = np.array([1.0, 0.6, 1.8])
    assert np.allclose(cv.cube_empty_size(cv.CUBE_EMPTY_DISPLAY_SIZE, size), size)  # import: scale = size
    W = cv.trajectory_matrices(_trajectory(ext, 5))
    centres, quats = cv.subject_track(W, np.array([0.0, 0.0, 0.5]))
    assert np.allclose(centres, W[:, :3, 3] + 0.5 * W[:, :3, 2])
    assert np.all(np.sum(quats[1:] * quats[:-1], axis=1) > 0)  # no sign flips between frames


def test_subject_box_from_part_bounds(ext):
    cv, geo = ext.convert, ext.engine.geometry
    M = np.eye(4)
    M[:3, :3] = geo.axis_rotation(2, np.array(0.5)) * 3.0  # rotated and scaled: the box is in unscaled local axes
    M[:3, 3] = (2.0, 1.0, 0.0)
    unit = np.array([(x, y, z) for x in (-0.5, 0.5) for y in (-0.5, 0.5) for z in (0.0, 1.0)])
    centre, size = cv.subject_box(M, [(unit, M)])
    assert np.allclose(centre, (0.0, 0.0, 1.5)) and np.allclose(size, (3.0, 3.0, 3.0))
    flat = unit * (1.0, 1.0, 0.0)
    assert cv.subject_box(np.eye(4), [(flat, np.eye(4))])[1][2] == pytest.approx(0.01)  # a plane gets a thickness
    point = np.zeros((8, 3))
    centre, size = cv.subject_box(M, [(point, M)], empty_display_size=0.5)
    assert np.allclose(centre, 0.0) and np.allclose(size, 3.0)  # an empty is its cube


def test_easing_labels_map_to_fcurve_interpolation(ext):
    assert ext.convert.easing_interpolation("easeInOutSine") == ("SINE", "EASE_IN_OUT")
    assert ext.convert.easing_interpolation(None) is None and ext.convert.easing_interpolation("") is None
