"""formats.poses: the helpers the pose-file readers share (strict text, rotation repair, up estimation)."""

import numpy as np
import pytest

from lenscraft_core import geometry as geo
from lenscraft_core.errors import DataError
from lenscraft_core.formats import poses, rotations


def rot_z(deg):
    return geo.axis_rotation(2, np.radians(deg))


def level_cameras(yaws_deg, tilt_deg=0.0):
    """Blender-axes (OpenGL-style) cameras in a Z-up world, level (no roll), tilted by tilt_deg, panned to yaws."""
    yaw, tilt = np.radians(np.asarray(yaws_deg, float)), np.radians(tilt_deg)
    q = geo.camera_quat_from_yaw_pitch_roll(yaw, np.full_like(yaw, tilt), np.zeros_like(yaw))
    return geo.quat_to_matrix(q)


# ---------------------------------------------------------------------------------------------------- text
def test_read_text_names_non_utf8_line(tmp_path):
    p = tmp_path / "bad.txt"
    p.write_bytes(b"1 2 3\n4 5 \xff 6\n")
    with pytest.raises(DataError, match=r"bad.txt: line 2 column 5: byte 0xff is not UTF-8"):
        poses.read_text(p)


@pytest.mark.parametrize("content", [b"", b"  \n\n"])
def test_read_text_empty(tmp_path, content):
    p = tmp_path / "empty.txt"
    p.write_bytes(content)
    with pytest.raises(DataError, match="empty"):
        poses.read_text(p)


def test_read_text_missing(tmp_path):
    with pytest.raises(DataError, match="not found"):
        poses.read_text(tmp_path / "nope.txt")


def test_parse_numbers_names_column():
    with pytest.raises(DataError, match=r"f.txt: line 3: qw is nan"):
        poses.parse_numbers("1 2 nan", "f.txt: line 3", 3, ["tx", "ty", "qw"])
    with pytest.raises(DataError, match="column 2 is not a number: 'x'"):
        poses.parse_numbers("1 x 3", "w", 3)
    with pytest.raises(DataError, match=r"has 2 values, expected 3 \(three things\)"):
        poses.parse_numbers("1,2", "w", 3, layout="three things")
    np.testing.assert_array_equal(poses.parse_numbers("1,\t2  3e0", "w", 3), [1, 2, 3])


def test_natural_key_orders_numbers_by_value():
    names = ["f_10.png", "f_2.png", "f_1.png", "F_3.png"]
    assert sorted(names, key=poses.natural_key) == ["f_1.png", "f_2.png", "F_3.png", "f_10.png"]


# ---------------------------------------------------------------------------------------------------- rotations
def where(f):
    return f"file: frame {f}"


def test_float16_rotations_repaired_with_note():
    R = geo.quat_to_matrix(geo.normalize(np.random.default_rng(0).normal(size=(50, 4))))
    R16 = R.astype(np.float16).astype(np.float64)
    fixed, notes = poses.nearest_rotations(R16, where)
    err = np.abs(fixed @ np.swapaxes(fixed, 1, 2) - np.eye(3)).max()
    assert err < 1e-12
    assert np.abs(fixed - R).max() < 2e-3  # the nearest rotation, not some other one
    assert len(notes) == 1 and "re-orthonormalised" in notes[0] and "float16" in notes[0]


def test_exact_rotations_untouched_without_note():
    R = rot_z(np.linspace(0, 90, 5))
    fixed, notes = poses.nearest_rotations(R, where)
    np.testing.assert_array_equal(fixed, R)
    assert notes == []


def test_scaled_mirrored_and_sheared_are_errors():
    R = rot_z([0, 10, 20])
    scaled, mirrored, sheared, nan = R.copy(), R.copy(), R.copy(), R.copy()
    scaled[1] *= 1.05
    mirrored[2] = R[2] @ np.diag([1, 1, -1])
    sheared[1, 0, 1] += 0.02
    nan[0, 1, 1] = np.nan
    with pytest.raises(DataError, match=r"frame 1: rotation is scaled \(det 1.158"):
        poses.nearest_rotations(scaled, where)
    with pytest.raises(DataError, match=r"frame 2: rotation is mirrored"):
        poses.nearest_rotations(mirrored, where)
    with pytest.raises(DataError, match=r"frame 1: rotation is not a rotation \(orthonormality error 0.02"):
        poses.nearest_rotations(sheared, where)
    with pytest.raises(DataError, match=r"frame 0: rotation has a NaN"):
        poses.nearest_rotations(nan, where)


# ---------------------------------------------------------------------------------------------------- up
@pytest.mark.parametrize("up", ["+z", "-y", "+y", "-x"])
def test_estimate_up_finds_each_axis(up):
    W = geo.up_axis_to_zup(up)
    R = W.T @ level_cameras(np.linspace(0, 60, 40), tilt_deg=-10)  # the cameras in that world
    est = poses.estimate_up(R, "opengl")
    assert est.axis == up and est.angle_deg < 1e-6 and est.method == "horizon normal"
    # OpenCV camera axes: the same cameras, their up is local -y
    est_cv = poses.estimate_up(geo.camera_rotation_blender_to_opencv(R), "opencv")
    assert est_cv.axis == up


def test_mean_up_leans_with_tilt_but_picks_the_axis():
    R = level_cameras(np.zeros(10), tilt_deg=-30)  # a static high-angle camera: no horizon to fit
    est = poses.estimate_up(R)
    assert est.method == "mean camera up" and est.axis == "+z" and est.angle_deg == pytest.approx(30, abs=1e-6)
    W, used, note = poses.resolve_up("auto", R, "opengl")
    assert used == "+z" and "up auto: +z" in note
    np.testing.assert_array_equal(W, np.eye(3))
    # what cannot be measured without a horizon is said; a panning rig (test_auto_up_...) shows one and is not warned
    assert "a lean of up towards the view is not measured" in note


def test_auto_up_turns_a_world_off_gravity():
    tilt = geo.axis_rotation(0, np.radians(25.0))  # a world 25 degrees off vertical (COLMAP-like)
    R = tilt @ level_cameras(np.linspace(-40, 40, 60), tilt_deg=-15)
    W, used, note = poses.resolve_up("auto", R, "opengl")
    assert not isinstance(used, str) and "horizon" in note and "25.0 degrees from +z" in note
    assert "not measured" not in note
    level = W @ R  # back in a gravity-aligned world: every camera's right vector is horizontal again
    assert np.abs(level[:, 2, 0]).max() < 1e-6  # levelled_up's ridge leaves a residue of its share squared


def test_given_up_that_contradicts_the_cameras_is_noted():
    R = level_cameras(np.linspace(0, 30, 10))
    _, used, note = poses.resolve_up("-z", R, "opengl")
    assert used == "-z" and "upside down unless up is +z" in note
    _, _, note = poses.resolve_up("+z", R, "opengl")
    assert note == "up +z: given"


def test_up_vector_matches_axis_matrix():
    for axis in geo.UP_AXES:
        v = geo.up_axis_to_zup(axis).T @ [0, 0, 1]
        np.testing.assert_allclose(poses.up_matrix(v), geo.up_axis_to_zup(axis), atol=1e-12)
    with pytest.raises(ValueError, match="up must be"):
        poses.up_matrix([0, 0, 0])


def _steep_world(yaw_deg, tilt_deg, lean_axis, lean_deg, travel_up):
    """Cameras at yaw / tilt in a world leaned lean_deg about lean_axis, moving straight up (travel_up) or level
    along their heading: (rotations, positions, the world's true up)."""
    lean = geo.axis_angle_matrix(geo.normalize(np.asarray(lean_axis, float)), np.radians(lean_deg))
    R = level_cameras(np.full(60, float(yaw_deg)), tilt_deg=tilt_deg)
    yaw = np.radians(yaw_deg)
    heading = np.array([-np.sin(yaw), np.cos(yaw), 0.0])  # yaw 0 looks along +y
    travel = np.array([0.0, 0.0, 0.8]) if travel_up else 0.8 * heading
    p = np.linspace(0, 1, 60)[:, None] * travel + np.random.default_rng(5).normal(0, 1e-3, (60, 3))
    return lean @ R, p @ lean.T, lean @ [0.0, 0.0, 1.0]


def test_auto_up_reads_a_steep_camera_rising_in_the_world_nearer_its_axis():
    """A camera pitched 60 degrees down rising straight, and one pitched 30 degrees up moving level, are the same
    poses (up turned 90 degrees about the right vector). The cameras' mean up is nearest the heading's axis, which
    read every bird's-eye rise as a level push-in; of the two readings the one whose world sits nearer an axis wins
    (rotations._travel_axis). Heading 20 degrees off +y, world leaned 6 degrees: the rise's world is nearer +z."""
    R, p, up = _steep_world(20.0, -60.0, [0.3, 1.0, 0.0], 6.0, travel_up=True)
    assert rotations.estimate_up(R, "opengl").axis == "+y"  # the mean up's axis: the wrong one
    W, used, note = poses.resolve_up("auto", R, "opengl", p)
    assert "onto their travel" in note and note.startswith("up auto: +z") and "+z, not +y" in note
    np.testing.assert_allclose(W @ up, [0, 0, 1], atol=0.01)
    # The same poses as a level push-in whose world is nearer its axis (heading 25 degrees off the nearest axis,
    # leaned 5): kept as the push-in.
    R, p, up = _steep_world(25.0, 30.0, [0.2, 1.0, 0.0], 5.0, travel_up=False)
    W, used, note = poses.resolve_up("auto", R, "opengl", p)
    assert "onto their travel" not in note
    assert float((W @ up)[2]) > np.cos(np.radians(6.0))
    # A world on its axis is kept whatever the travel (a low-angle push-in along +y stays one).
    R, p, up = _steep_world(0.0, 30.0, [1.0, 0.0, 0.0], 0.0, travel_up=False)
    assert poses.resolve_up("auto", R, "opengl", p)[1] == "+z"


def test_auto_up_is_not_levelled_to_handheld_shake_on_a_steep_camera():
    """Shake turns a camera about its own axes; about its own up on a camera pitched 60 degrees down, that tips the
    right vectors out of level, and levelling to those tips leaned up most of the way to the camera's up (a
    bird's-eye rise read as a push-in). Levelling now takes the right vectors' slow part (rotations._smooth_rights):
    the shaken rise is read as the steady one."""
    R, p, up = _steep_world(20.0, -60.0, [0.3, 1.0, 0.0], 6.0, travel_up=True)
    t = np.arange(len(R)) / 30.0
    rng = np.random.default_rng(7)
    yaw = np.radians(1.5) * np.sin(2 * np.pi * 3.0 * t + 1.0) + np.radians(0.5) * rng.normal(size=len(R))
    shaken = np.einsum("fij,fjk->fik", R, geo.axis_angle_matrix(np.array([0.0, 1.0, 0.0]), yaw))  # local up
    for rotations_ in (R, shaken):
        W, used, note = poses.resolve_up("auto", rotations_, "opengl", p)
        assert "onto their travel" in note
        np.testing.assert_allclose(W @ up, [0, 0, 1], atol=0.02)


def test_order_and_fps_from_times():
    order, notes = poses.order_by_time(np.array([0.0, 0.2, 0.1]), "w")
    assert list(order) == [0, 2, 1] and "not in time order" in notes[0]
    with pytest.raises(DataError, match="same time"):
        poses.order_by_time(np.array([0.0, 0.1, 0.1]), "w")
    fps, notes = poses.fps_from_times(np.arange(10) / 30.0, 1.0, "w")
    assert fps == pytest.approx(30.0) and notes == []
    fps, notes = poses.fps_from_times(np.delete(np.arange(10), 4) / 30.0, 1.0, "w")
    assert fps == pytest.approx(30.0) and "1 gap(s)" in notes[0]
    with pytest.raises(DataError, match="outside"):
        poses.fps_from_times(np.arange(10) * 1000.0, 1.0, "w")


def test_auto_up_levels_a_small_lean_on_a_pan_and_on_a_tilt():
    """A world leaned under 20 degrees (COLMAP-like) used to snap to the axis and keep the lean, so a pan read as
    pan + tilt + roll: the levelled up takes it out; a tilt (no horizon) is levelled about its right vector."""
    lean = geo.axis_angle_matrix(geo.normalize(np.array([1.0, 2.0, 0.5])), np.radians(12.0))
    pan = lean @ level_cameras(np.linspace(-30, 30, 40), tilt_deg=-10)
    W, used, note = poses.resolve_up("auto", pan, "opengl")
    assert not isinstance(used, str) and "levelled" in note
    np.testing.assert_allclose(W @ lean @ [0, 0, 1], [0, 0, 1], atol=1e-5)  # the lean is undone
    tilt = lean @ level_cameras(np.zeros(30), tilt_deg=-10)
    W, used, _ = poses.resolve_up("auto", tilt, "opengl")
    assert not isinstance(used, str)
    assert np.abs((W @ tilt)[:, 2, 0]).max() < 1e-6  # right vectors level: the tilt stays about a level axis


def test_auto_up_without_a_horizon_takes_straight_travel_as_up_and_keeps_dollies_and_trucks():
    """A pitched camera that rises straight in a world leaned 20 degrees (about its right vector and its view):
    levelling takes out the lean about the view but cannot see the one about the right vector (no pan), so the
    pedestal read as pedestal + dolly; up turned onto the travel reads it straight up. A dolly along a steep view
    and a truck say nothing about up and leave it levelled; a world on its axis stays on it (a diagonal move there is
    not taken for a rise, and the import is not tilted by it)."""
    lean = geo.axis_angle_matrix(geo.normalize(np.array([1.0, 0.6, 0.0])), np.radians(20.0))  # right +x, view +y
    rng = np.random.default_rng(3)
    R = lean @ level_cameras(np.zeros(60), tilt_deg=-30)  # heading +y, right +x
    rise = np.linspace(0, 1, 60)[:, None] * [0.0, 0.0, 0.8] + rng.normal(0, 1e-3, (60, 3))
    W, used, note = poses.resolve_up("auto", R, "opengl", rise @ lean.T)
    assert not isinstance(used, str) and "onto their travel" in note and "turned onto the cameras' travel" in note
    np.testing.assert_allclose(W @ lean @ [0, 0, 1], [0, 0, 1], atol=0.01)  # the lean is undone
    W_rot, _, note_rot = poses.resolve_up("auto", R, "opengl")  # rotations alone: the lean about the right stays
    assert float(W_rot @ lean @ [0, 0, 1] @ [0, 0, 1]) < np.cos(np.radians(15.0)) and "not measured" in note_rot
    steep = lean @ level_cameras(np.zeros(60), tilt_deg=-60)
    view = geo.camera_forward(steep[0])
    for R_move, travel in ((steep, view), (R, lean @ [1.0, 0.0, 0.0])):  # a dolly down a steep view; a truck
        p = np.linspace(0, 1, 60)[:, None] * travel + rng.normal(0, 1e-3, (60, 3))
        assert rotations.travel_up(rotations.levelled_up(R_move, lean @ [0, 0, 1]), R_move, p) is None
    still = rng.normal(0, 1e-3, (60, 3))  # jitter alone is no travel
    assert rotations.travel_up(lean @ [0.0, 0.0, 1.0], R, still) is None
    level = level_cameras(np.zeros(60), tilt_deg=-30)  # an axis-aligned world, a rise 20 degrees off vertical
    diagonal = np.linspace(0, 1, 60)[:, None] * [0.0, -0.27, 0.75] + rng.normal(0, 1e-3, (60, 3))
    W, used, note = poses.resolve_up("auto", level, "opengl", diagonal)
    assert used == "+z" and "not measured" in note
