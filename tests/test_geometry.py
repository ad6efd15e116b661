import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from lenscraft_core import geometry as G

finite = st.floats(-50, 50, allow_nan=False)
vec3 = arrays(np.float64, 3, elements=finite)
angles = arrays(np.float64, 3, elements=st.floats(-3.0, 3.0))
quats = arrays(np.float64, 4, elements=st.floats(-1, 1)).filter(lambda q: np.linalg.norm(q) > 0.1)


@given(vec3)
def test_points_yup_zup_round_trip(p):
    assert np.allclose(G.points_zup_to_yup(G.points_yup_to_zup(p)), p, atol=0)


def test_yup_to_zup_axes():
    assert np.allclose(G.points_yup_to_zup([0, 1, 0]), [0, 0, 1])   # three.js up is Blender up
    assert np.allclose(G.points_yup_to_zup([0, 0, 1]), [0, -1, 0])  # three.js towards-viewer is Blender -Y
    assert np.isclose(np.linalg.det(G.Y_UP_TO_Z_UP), 1.0)


@given(angles)
def test_camera_and_object_rotation_conversion_round_trip(e):
    R = G.euler_to_matrix(e, G.THREEJS_EULER_ORDER)
    assert np.allclose(G.camera_rotation_zup_to_yup(G.camera_rotation_yup_to_zup(R)), R)
    assert np.allclose(G.object_rotation_zup_to_yup(G.object_rotation_yup_to_zup(R)), R)


def test_threejs_camera_looking_down_minus_z_becomes_blender_camera_looking_along_plus_y():
    R = G.camera_rotation_yup_to_zup(np.eye(3))   # three.js default camera looks down -Z (away from viewer)
    assert np.allclose(G.camera_forward(R), [0, 1, 0]) and np.allclose(G.camera_up(R), [0, 0, 1])


def test_object_yaw_stays_a_yaw():
    Rt = G.axis_rotation(1, 0.7)  # yaw about three.js Y
    assert np.allclose(G.object_rotation_yup_to_zup(Rt), G.axis_rotation(2, 0.7))
    assert np.allclose(G.size_yup_to_zup([1, 2, 3]), [1, 3, 2])


@pytest.mark.parametrize("order", ["XYZ", "XZY", "YXZ", "YZX", "ZXY", "ZYX"])
@settings(max_examples=40)
@given(e=arrays(np.float64, 3, elements=st.floats(-1.5, 1.5)))
def test_euler_matrix_round_trip_every_order(order, e):
    R = G.euler_to_matrix(e, order)
    assert np.allclose(G.matrix_to_euler(R, order), e, atol=1e-9)
    assert np.allclose(G.euler_to_matrix(G.euler_alternate(e, order), order), R, atol=1e-12)


def test_blender_euler_order_semantics():
    e = np.array([0.1, 0.2, 0.3])
    assert np.allclose(G.euler_to_matrix(e, "XYZ"), G.axis_rotation(2, .3) @ G.axis_rotation(1, .2) @ G.axis_rotation(0, .1))
    # three.js "XYZ" is Rx Ry Rz
    assert np.allclose(G.euler_to_matrix(e, G.THREEJS_EULER_ORDER),
                       G.axis_rotation(0, .1) @ G.axis_rotation(1, .2) @ G.axis_rotation(2, .3))


def test_gimbal_lock_still_reconstructs():
    for order in ("XYZ", "ZYX"):
        e = np.array([0.3, np.pi / 2, -0.2])
        R = G.euler_to_matrix(e, order)
        assert np.allclose(G.euler_to_matrix(G.matrix_to_euler(R, order), order), R, atol=1e-9)


@given(quats)
def test_quaternion_matrix_round_trip(q):
    q = q / np.linalg.norm(q)
    q2 = G.matrix_to_quat(G.quat_to_matrix(q))
    assert min(np.abs(q2 - q).max(), np.abs(q2 + q).max()) < 1e-9


@given(quats, quats)
def test_quat_mul_matches_matrix_product(a, b):
    assert np.allclose(G.quat_to_matrix(G.quat_mul(a, b)), G.quat_to_matrix(a) @ G.quat_to_matrix(b), atol=1e-9)


@given(quats)
def test_6d_round_trip(q):
    R = G.quat_to_matrix(q)
    assert np.allclose(G.sixd_to_matrix(G.matrix_to_6d(R)), R, atol=1e-9)


def test_euler_continuity_over_long_spin():
    t = np.linspace(0, 6 * np.pi, 400)  # three full turns about Z while pitched, as an orbiting camera does
    R = G.axis_rotation(2, t) @ G.axis_rotation(0, np.full_like(t, 1.2))
    raw = G.matrix_to_euler(R, "XYZ")
    assert np.abs(np.diff(raw[:, 2])).max() > np.pi  # raw extraction wraps
    cont = G.euler_continuity(raw, "XYZ")
    assert np.abs(np.diff(cont, axis=0)).max() < 0.1
    assert np.allclose(G.euler_to_matrix(cont, "XYZ"), R, atol=1e-9)
    assert np.isclose(cont[-1, 2] - cont[0, 2], 6 * np.pi)


def test_euler_continuity_avoids_branch_flip_through_pitch_90():
    t = np.linspace(0.0, np.pi, 200)  # tilt up over the top: Y angle passes 90 degrees
    R = G.axis_rotation(1, t)
    cont = G.euler_continuity(G.matrix_to_euler(R, "XYZ"), "XYZ")
    assert np.abs(np.diff(cont, axis=0)).max() < 0.1
    assert np.allclose(G.euler_to_matrix(cont, "XYZ"), R, atol=1e-9)


def test_quat_continuity():
    q = G.matrix_to_quat(G.axis_rotation(2, np.linspace(0, 4 * np.pi, 100)))
    c = G.quat_continuity(q)
    assert (np.sum(c[1:] * c[:-1], -1) > 0).all()


@given(vec3, vec3)
def test_look_at_points_the_camera_at_the_target(eye, target):
    if np.linalg.norm(target - eye) < 1e-3:
        return
    R = G.look_at(eye, target)
    assert np.allclose(R @ R.T, np.eye(3), atol=1e-9) and np.isclose(np.linalg.det(R), 1)
    assert np.allclose(G.camera_forward(R), G.normalize(target - eye), atol=1e-9)
    ndc, depth = G.project(target[None], eye, R, 50.0, 36.0, 16 / 9)
    assert np.allclose(ndc, 0, atol=1e-6) and depth[0] > 0
    assert abs(G.yaw_pitch_roll(R)[2]) < 1e-6  # no roll


def test_look_at_straight_down_uses_fallback_up():
    R = G.look_at([0, 0, 10], [0, 0, 0], up_fallback=[0, 1, 0])
    assert np.allclose(G.camera_forward(R), [0, 0, -1]) and np.allclose(G.camera_up(R), [0, 1, 0])


def test_roll_and_yaw_pitch_conventions():
    R = G.look_at([0, -5, 0], [0, 0, 0], roll=0.3)
    yaw, pitch, roll = G.yaw_pitch_roll(R)
    assert np.isclose(roll, 0.3) and np.isclose(pitch, 0) and np.isclose(yaw, 0)
    assert G.camera_up(R)[0] < 0  # positive roll: the camera's top turns left
    R_left = G.axis_rotation(2, 0.2) @ G.look_at([0, -5, 0], [0, 0, 0])  # pan left = yaw about world up
    assert np.isclose(G.yaw_pitch_roll(R_left)[0], 0.2)
    assert np.isclose(G.yaw_pitch_roll(G.look_at([0, -5, 0], [0, 0, 1]))[1], np.arctan2(1, 5))


@given(st.floats(5, 2000), st.floats(5, 100))
def test_focal_fov_round_trip(f, sensor):
    assert np.isclose(G.fov_to_focal(G.focal_to_fov(f, sensor), sensor), f)


def test_fov_known_value():
    assert np.isclose(np.degrees(G.focal_to_fov(50.0, 36.0)), 39.5977, atol=1e-3)  # Blender's default camera
    assert G.sensor_size(36, 2.0) == (36, 18) and G.sensor_size(36, 0.5) == (18, 36)


def test_project_frame_edges():
    R = G.look_at([0, -10, 0], [0, 0, 0])
    sw, sh = G.sensor_size(36, 16 / 9)
    half_w = 10 * sw / 2 / 50  # world half-width of the frame at depth 10
    ndc, depth = G.project(np.array([[half_w, 0, 0], [0, 0, 10 * sh / 2 / 50], [0, -20, 0]]), [0, -10, 0], R, 50, 36, 16 / 9)
    assert np.allclose(ndc[0], [1, 0]) and np.allclose(ndc[1], [0, 1]) and depth[2] < 0


def test_box_corners_and_inside():
    rot = G.axis_rotation(2, 0.5)
    c = G.box_corners([1, 2, 3], [2, 4, 6], rot)
    assert c.shape == (8, 3) and np.allclose(c.mean(0), [1, 2, 3])
    assert G.point_in_box([1, 2, 3], [1, 2, 3], [2, 4, 6], rot)
    assert not G.point_in_box([1, 2, 7], [1, 2, 3], [2, 4, 6], rot)
    assert G.point_in_box([1, 2, 6.4], [1, 2, 3], [2, 4, 6], rot, margin=0.5)


def test_keep_above_floor_sets_the_camera_on_the_floor_and_aims_up():
    target = np.array([0.0, 0.0, 0.9])
    eye = np.stack([np.array([0.0, -6.0, z]) for z in np.linspace(-1.0, 0.5, 10)])  # a crane up through the floor
    q = G.matrix_to_quat(G.look_at(eye, target))
    q[:, :] = q * np.where(np.arange(10) % 2, -1.0, 1.0)[:, None]  # any quaternion sign on the way in
    pos, rot = G.keep_above_floor(eye, q, target, floor=0.0)
    assert pos[:, 2].min() == 0.0 and np.allclose(pos[eye[:, 2] >= 0], eye[eye[:, 2] >= 0])
    assert np.allclose(rot[eye[:, 2] >= 0] * np.sign(np.sum(rot * q, -1))[eye[:, 2] >= 0, None],
                       q[eye[:, 2] >= 0])  # frames above the floor keep their rotation
    # the subject stays centred: the lifted camera looks at it again, with the same heading and no roll
    R = G.quat_to_matrix(rot)
    forward = G.camera_forward(R)
    to_target = G.normalize(target - pos)
    assert np.allclose(np.sum(forward * to_target, -1), 1.0, atol=1e-9)
    ypr, ypr0 = G.yaw_pitch_roll(R), G.yaw_pitch_roll(G.quat_to_matrix(q))
    assert np.allclose(ypr[:, 0], ypr0[:, 0]) and np.allclose(ypr[:, 2], ypr0[:, 2], atol=1e-9)
    assert np.all(np.sum(rot[1:] * rot[:-1], -1) > 0)  # continuous quaternions out
    same_pos, same_rot = G.keep_above_floor(eye, q, target, floor=-5.0)
    assert np.array_equal(same_pos, eye) and np.array_equal(same_rot, q)


def test_straight_down_gives_the_heading_to_yaw():
    """Looking straight down (or up) heading and roll are one angle: yaw_pitch_roll gives it to the heading (from
    where the camera's up points) with roll 0, as camera_quat_from_yaw_pitch_roll builds it, so a tilt that starts
    overhead reads with a steady heading (it jumped from an arbitrary one before)."""
    for yaw in (0.3, -2.0, 3.0):
        for pitch in (-np.pi / 2, np.pi / 2):
            ypr = G.yaw_pitch_roll(G.quat_to_matrix(G.camera_quat_from_yaw_pitch_roll(yaw, pitch, 0.0)))
            assert np.allclose(ypr, [yaw, pitch, 0.0], atol=1e-9), (yaw, pitch, ypr)
    tilt = np.linspace(-np.pi / 2, -np.pi / 2 + 0.15, 10)
    ypr = G.yaw_pitch_roll(G.quat_to_matrix(G.camera_quat_from_yaw_pitch_roll(np.full(10, 1.0), tilt, 0.0)))
    assert np.allclose(ypr[:, 0], 1.0) and np.allclose(ypr[:, 2], 0.0, atol=1e-9)
