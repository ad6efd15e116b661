"""The simulator keeps its promises, measured from the trajectories with framing/geometry (never from its internals)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lenscraft_core import body, framing
from lenscraft_core import geometry as geo
from lenscraft_core.easing import ease, normalised_time
from lenscraft_core.errors import LensCraftError, UnknownLabelError
from lenscraft_core.schema import Subject
from lenscraft_core.simulate import GateLimits, check_gates, simulate_batch, simulate_shot
from lenscraft_core.evaluate.judged import judge_arrays
from lenscraft_core.vocabulary import ANGLE, EASING, MOVEMENT, SHOT_TYPE, VIEW

PER_MOVE = 10
FRAMES = 30


@pytest.fixture(scope="module")
def batch():
    labels = {"movement": np.repeat(np.arange(len(MOVEMENT)), PER_MOVE)}
    return simulate_batch(len(MOVEMENT) * PER_MOVE, frames=FRAMES, seed=11, labels=labels, person_share=0.0)


def _rows(batch, name):
    return np.flatnonzero(batch.labels["movement"] == MOVEMENT.index(name))


def _axis_angle(R):
    """Rotation axis (unit) and signed angle of rotation matrices, angle in (-pi, pi]."""
    q = geo.matrix_to_quat(R)
    v = q[..., 1:]
    n = np.linalg.norm(v, axis=-1)
    return v / np.maximum(n, 1e-15)[..., None], 2 * np.arctan2(n, q[..., 0])


def _scale(b, i):
    return max(b.subject_size[i].max(), np.linalg.norm(b.cam_pos[i, 0] - b.subject_pos[i, 0]))


def _wrap(a):
    return (a + np.pi) % (2 * np.pi) - np.pi


def _fixed_position(b, i):
    assert np.abs(b.cam_pos[i] - b.cam_pos[i, :1]).max() <= 1e-9 * _scale(b, i)


def _fixed_orientation(b, i):
    R = geo.quat_to_matrix(b.cam_rot[i])
    assert geo.rotation_angle_between(R[:1], R).max() < 1e-6


def _fixed_focal(b, i):
    np.testing.assert_allclose(b.focal[i], b.focal[i, 0], rtol=1e-12)


def _distance(b, i):
    return np.linalg.norm(b.cam_pos[i] - b.subject_pos[i], axis=-1)


def _level(b, i):
    """Yaw is only meaningful when the camera is not looking (nearly) straight down."""
    return abs(b.params["elevation_deg"][i]) < 75


def _ypr(b, i):
    return geo.yaw_pitch_roll(geo.quat_to_matrix(b.cam_rot[i]))


def check_pan(b, i, sign):
    _fixed_position(b, i)
    _fixed_focal(b, i)
    R = geo.quat_to_matrix(b.cam_rot[i])
    axis, angle = _axis_angle(R[-1] @ R[0].T)  # world-frame turn: about world up
    assert abs(axis[2]) > 1 - 1e-9 and np.sign(axis[2] * angle) == sign
    if _level(b, i):
        ypr = _ypr(b, i)
        assert np.sign(_wrap(ypr[-1, 0] - ypr[0, 0])) == sign  # pan left: yaw increases
        assert abs(ypr[-1, 1] - ypr[0, 1]) < 1e-9


def check_tilt(b, i, sign):
    _fixed_position(b, i)
    _fixed_focal(b, i)
    R = geo.quat_to_matrix(b.cam_rot[i])
    axis, angle = _axis_angle(R[0].T @ R[-1])  # camera-frame turn: about the camera's right axis
    assert abs(axis[0]) > 1 - 1e-9 and np.sign(axis[0] * angle) == sign
    f = geo.camera_forward(R)
    if _level(b, i):
        assert np.sign(f[-1, 2] - f[0, 2]) == sign  # tilt up raises the view


def check_dolly(b, i, sign):
    _fixed_orientation(b, i)
    _fixed_focal(b, i)
    d = _distance(b, i)
    assert np.sign(d[0] - d[-1]) == sign  # dolly in reduces the distance
    step = b.cam_pos[i, -1] - b.cam_pos[i, 0]
    fwd = geo.camera_forward(geo.quat_to_matrix(b.cam_rot[i, 0]))
    assert np.dot(step, fwd) / np.linalg.norm(step) == pytest.approx(sign, abs=1e-9)  # along the view axis


def check_truck(b, i, sign):
    _fixed_orientation(b, i)
    local = geo.quat_to_matrix(b.cam_rot[i, 0]).T @ (b.cam_pos[i, -1] - b.cam_pos[i, 0])
    assert np.sign(local[0]) == sign and np.abs(local[1:]).max() < 1e-9 * abs(local[0])


def check_pedestal(b, i, sign):
    _fixed_orientation(b, i)
    _fixed_focal(b, i)
    step = b.cam_pos[i, -1] - b.cam_pos[i, 0]
    assert np.sign(step[2]) == sign and np.abs(step[:2]).max() < 1e-9 * abs(step[2])


def check_zoom(b, i, sign, amount):
    _fixed_position(b, i)
    _fixed_orientation(b, i)
    assert b.focal[i, -1] / b.focal[i, 0] == pytest.approx(amount ** sign)
    m = framing.measure(b.shot(i).trajectory, b.shot(i).subject)
    assert m.coverage[-1] / m.coverage[0] == pytest.approx(amount ** sign)  # the subject grows by the zoom factor


def check_arc(b, i, sign, amount):
    _fixed_focal(b, i)
    d = _distance(b, i)
    np.testing.assert_allclose(d, d[0], rtol=1e-9)  # constant distance
    m = framing.measure(b.shot(i).trajectory, b.shot(i).subject)
    np.testing.assert_allclose(m.centre_ndc, 0, atol=1e-9)  # looking at the subject throughout
    np.testing.assert_allclose(m.elevation_deg, m.elevation_deg[0], atol=1e-9)
    if b.params["elevation_deg"][i] < 89.9:
        # sign +1 = counter-clockwise seen from above (arc right: the camera travels to its own right), by the full
        # amount along the eased progress (a violent easing can turn a full orbit by more than 180 degrees between
        # two frames, so compare frame by frame, wrapped)
        rel = b.cam_pos[i] - b.subject_pos[i]
        azimuth = np.arctan2(rel[:, 1], rel[:, 0])
        progress = ease(EASING.names[b.labels["easing"][i]], normalised_time(b.frames))
        expected = azimuth[0] + sign * np.radians(amount) * progress
        np.testing.assert_allclose(_wrap(azimuth - expected), 0, atol=1e-9)


def check_roll(b, i, sign):
    _fixed_position(b, i)
    _fixed_focal(b, i)
    R = geo.quat_to_matrix(b.cam_rot[i])
    np.testing.assert_allclose(geo.camera_forward(R), geo.camera_forward(R[:1]).repeat(FRAMES, 0), atol=1e-9)
    axis, angle = _axis_angle(R[0].T @ R[-1])  # about the view axis (camera local Z)
    assert abs(axis[2]) > 1 - 1e-9 and np.sign(axis[2] * angle) == sign
    if _level(b, i):
        ypr = _ypr(b, i)
        assert np.sign(ypr[-1, 2] - ypr[0, 2]) == sign


def check_dolly_zoom(b, i, sign):
    _fixed_orientation(b, i)
    m = framing.measure(b.shot(i).trajectory, b.shot(i).subject)
    np.testing.assert_allclose(m.coverage, m.coverage[0], rtol=1e-9)  # the subject keeps its screen size
    d = _distance(b, i)
    assert np.sign(d[0] - d[-1]) == sign and abs(np.log(d[-1] / d[0])) > np.log(1.4)
    assert np.sign(b.focal[i, 0] - b.focal[i, -1]) == sign  # dolly in zoom out


def _view_heading_dir(R):
    """Horizontal direction the camera faces (well defined looking straight down: the image's up)."""
    f, u = geo.camera_forward(R), geo.camera_up(R)
    h = f - f[..., 2:] * u
    h[..., 2] = 0
    return geo.normalize(h)


def check_moving_subject(b, i, along_view):
    _fixed_orientation(b, i)
    offset = b.cam_pos[i] - b.subject_pos[i]
    np.testing.assert_allclose(offset, offset[:1].repeat(FRAMES, 0), atol=1e-9 * _scale(b, i))  # keeps its offset
    move = b.subject_pos[i, -1] - b.subject_pos[i, 0]
    assert np.linalg.norm(move) > 0.3 * b.subject_size[i].max()
    cos = abs(np.dot(move, _view_heading_dir(geo.quat_to_matrix(b.cam_rot[i, 0])))) / np.linalg.norm(move)
    if along_view:
        assert cos > np.cos(np.radians(21))  # mostly along the view axis
    else:
        assert cos < np.sin(np.radians(21))  # across the view


def check_movement(b, i, name):
    params = MOVEMENT[name].params
    kind, sign = params["kind"], params.get("sign", 1)
    if kind == "compound":
        a, c = params["parts"]
        if name == "panAndTilt":
            _fixed_position(b, i)
            if _level(b, i):
                ypr = _ypr(b, i)
                assert _wrap(ypr[-1, 0] - ypr[0, 0]) > 0 and ypr[-1, 1] < ypr[0, 1]  # pans left, tilts down
        elif name == "dollyAndPan":
            d = _distance(b, i)
            assert d[-1] < d[0]
            if _level(b, i):
                ypr = _ypr(b, i)
                assert _wrap(ypr[-1, 0] - ypr[0, 0]) > 0
        elif name == "zoomAndTruck":
            assert b.focal[i, -1] / b.focal[i, 0] == pytest.approx(MOVEMENT[a].params["amount"])
            check_truck(b, i, MOVEMENT[c].params["sign"])
        else:
            raise AssertionError(f"no test for compound movement {name}")
    elif kind == "static":
        _fixed_position(b, i)
        _fixed_orientation(b, i)
        _fixed_focal(b, i)
    elif kind in ("zoom", "arc"):
        {"zoom": check_zoom, "arc": check_arc}[kind](b, i, sign, params["amount"])
    elif kind in ("follow", "track"):
        check_moving_subject(b, i, kind == "follow")
    else:
        {"pan": check_pan, "tilt": check_tilt, "dolly": check_dolly, "truck": check_truck,
         "pedestal": check_pedestal, "roll": check_roll, "dollyZoom": check_dolly_zoom}[kind](b, i, sign)


@pytest.mark.parametrize("name", MOVEMENT.names)
def test_movement_does_what_its_name_says(batch, name):
    rows = _rows(batch, name)
    assert len(rows) == PER_MOVE
    for i in rows:
        check_movement(batch, i, name)
    # ... and only moving subjects move
    moved = np.abs(batch.subject_pos[rows] - batch.subject_pos[rows, :1]).max()
    assert (moved > 0) == (MOVEMENT[name].params["kind"] in ("follow", "track"))


def test_subject_stays_on_screen_and_camera_outside(batch):
    m = framing.measure_batch(batch)
    assert m.centre_in_frame.all()
    assert np.abs(m.centre_ndc).max() < 0.95
    size = batch.subject_size[:, None, :]
    assert not geo.point_in_box(batch.cam_pos, batch.subject_pos, size,
                                geo.quat_to_matrix(batch.subject_rot)).any()


def test_first_frame_angle_and_shot_type(batch):
    """Every movement starts from the labelled pose: elevation, pitch (looking at the subject) and shot size."""
    m = framing.measure_batch(batch)
    np.testing.assert_array_equal(m.angle[:, 0], batch.labels["angle"])
    np.testing.assert_array_equal(m.shot_type[:, 0], batch.labels["shot_type"])
    elevation = np.array([ANGLE.labels[k].params["elevation_deg"] for k in batch.labels["angle"]])
    assert np.abs(m.elevation_deg[:, 0] - elevation).max() <= 5 + 1e-9
    pitch = np.degrees(np.arcsin(geo.camera_forward(geo.quat_to_matrix(batch.cam_rot[:, 0]))[:, 2]))
    np.testing.assert_allclose(pitch, -m.elevation_deg[:, 0], atol=1e-6)
    np.testing.assert_allclose(m.centre_ndc[:, 0], 0, atol=1e-9)


@pytest.mark.parametrize("angle", ANGLE.names)
def test_every_angle_exact_without_jitter(angle):
    b = simulate_batch(len(SHOT_TYPE), frames=3, seed=1, jitter=False, person_share=0.0,
                       labels={"angle": angle, "shot_type": np.arange(len(SHOT_TYPE)), "movement": "static"})
    m = framing.measure_batch(b)
    np.testing.assert_allclose(m.elevation_deg[:, 0], ANGLE[angle].params["elevation_deg"], atol=1e-9)
    pitch = np.degrees(np.arcsin(geo.camera_forward(geo.quat_to_matrix(b.cam_rot[:, 0]))[:, 2]))
    np.testing.assert_allclose(pitch, -ANGLE[angle].params["elevation_deg"], atol=1e-6)
    np.testing.assert_allclose(m.coverage[:, 0], [lbl.params["coverage"] for lbl in SHOT_TYPE], rtol=1e-9)
    np.testing.assert_array_equal(m.shot_type[:, 0], np.arange(len(SHOT_TYPE)))


def test_view_is_subject_relative():
    """view=front puts the camera in front of the subject (its local -Y), left on its local +X, and so on."""
    b = simulate_batch(len(VIEW), frames=2, seed=2, jitter=False,
                       labels={"view": np.arange(len(VIEW)), "angle": "mediumAngle", "movement": "static"})
    for i, label in enumerate(VIEW):
        local = geo.quat_to_matrix(b.subject_rot[i, 0]).T @ (b.cam_pos[i, 0] - b.subject_pos[i, 0])
        az = np.radians(label.params["azimuth_deg"])
        expected = np.array([np.sin(az), -np.cos(az)])  # front (-Y) turned towards the subject's left (+X)
        assert np.dot(geo.normalize(local[:2]), expected) > np.cos(np.radians(9))  # subject pitch/roll <= 8 deg


@pytest.mark.parametrize("name", EASING.names)
def test_progress_follows_easing(name):
    """Progress measured from a dolly's distance and from an arc's azimuth equals the easing curve."""
    frames = 41
    b = simulate_batch(2, frames=frames, seed=3, labels={"easing": name, "movement": ["dollyIn", "halfArcShotLeft"],
                                                         "angle": "highAngle"})
    expected = ease(name, normalised_time(frames))
    d = _distance(b, 0)
    np.testing.assert_allclose((d[0] - d) / (d[0] - d[-1]), expected, atol=1e-9)
    rel = b.cam_pos[1] - b.subject_pos[1]
    az = np.unwrap(np.arctan2(rel[:, 1], rel[:, 0]))
    np.testing.assert_allclose((az - az[0]) / -np.pi, expected, atol=1e-9)  # arc left: clockwise seen from above


def test_reproducible_and_seeded():
    a = simulate_batch(64, seed=5)
    b = simulate_batch(64, seed=5)
    c = simulate_batch(64, seed=6)
    for name in ("cam_pos", "cam_rot", "focal", "subject_pos", "subject_size"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert not np.allclose(a.cam_pos, c.cam_pos)
    for k in a.labels:
        np.testing.assert_array_equal(a.labels[k], b.labels[k])


def test_gates_hold_on_a_big_batch():
    b, report = simulate_batch(3000, seed=9, return_report=True, person_share=0.0)
    fails = check_gates(b)
    assert not any(v.any() for v in fails.values())
    assert report.rejection_rate < 0.01  # 30 frames at 24 fps: the gates are a safety net, not a filter
    assert len(b) == 3000 and np.isfinite(b.cam_pos).all()
    # labels are spread over the whole vocabulary
    assert len(np.unique(b.labels["movement"])) == len(MOVEMENT)
    assert len(np.unique(b.labels["easing"])) == len(EASING)


def test_gates_reject_and_redraw():
    b, report = simulate_batch(300, frames=30, fps=240.0, seed=1, return_report=True, person_share=0.0)
    assert report.rounds > 1 and report.rejected["too_abrupt"] > 0  # 0.12 s shots: the violent easings fail
    assert not any(v.any() for v in check_gates(b).values())  # ... and were redrawn
    assert str(report).startswith(f"{report.drawn} drawn")


def test_gates_error_when_impossible():
    with pytest.raises(LensCraftError, match="quality gates.*fullArcShotLeft"):
        simulate_batch(4, frames=6, fps=1000.0, seed=0, max_rounds=3,
                       labels={"movement": "fullArcShotLeft", "easing": "easeOutElastic"})


def test_check_gates_detects_bad_samples(batch):
    b = batch.subset(np.arange(6))
    b.cam_pos[0, 5] = b.subject_pos[0, 5]  # camera inside the subject
    b.cam_pos[1, 10] += 1000 * _scale(b, 1)  # a teleport
    b.cam_rot[2, 3] = geo.matrix_to_quat(geo.look_at(b.cam_pos[2, 3], b.cam_pos[2, 3] - (b.subject_pos[2, 3] -
                                                                                         b.cam_pos[2, 3])))
    b.focal[3, 0] = 0.5
    fails = check_gates(b, GateLimits())
    assert fails["inside_subject"][0] and fails["too_fast"][1] and fails["too_abrupt"][1]
    assert fails["off_screen"][2] and fails["bad_focal"][3]
    assert not any(v[4:].any() for v in fails.values())


@pytest.mark.parametrize("frames, fps", [(1, 24.0), (2, 24.0), (7, 12.0), (121, 60.0)])
def test_any_frame_count_and_fps(frames, fps):
    b = simulate_batch(40, frames=frames, fps=fps, seed=4, person_share=0.0)
    assert b.cam_pos.shape == (40, frames, 3) and b.cam_rot.shape == (40, frames, 4) and b.focal.shape == (40, frames)
    np.testing.assert_array_equal(b.fps, fps)
    m = framing.measure_batch(b)
    assert m.centre_in_frame.all()
    for i in range(0, 40, 13):
        b.shot(i).validate()


def test_per_sample_fps_and_endpoints_independent_of_frame_count():
    fps = np.array([12.0, 24.0, 30.0, 60.0])
    b = simulate_batch(4, frames=5, fps=fps, seed=0)
    np.testing.assert_array_equal(b.fps, fps)
    subject = Subject([1.0, 2.0, 0.5], [0.6, 0.4, 1.0], geo.matrix_to_quat(geo.axis_rotation(2, 0.4)))
    for name in ("dollyIn", "fullArcShotRight", "panAndTilt", "zoomAndTruck", "rollLeft"):
        short = simulate_shot(subject, {"movement": name, "easing": "easeInOutCubic"}, frames=10, seed=3)
        long = simulate_shot(subject, {"movement": name, "easing": "easeInOutCubic"}, frames=97, fps=60, seed=3)
        for k in (0, -1):
            np.testing.assert_allclose(short.trajectory.position[k], long.trajectory.position[k], atol=1e-9)
            np.testing.assert_allclose(short.trajectory.rotation[k], long.trajectory.rotation[k], atol=1e-9)


def test_single_frame_is_the_start_pose():
    subject = Subject([0.0, 0.0, 1.0], [1.0, 1.0, 2.0])
    one = simulate_shot(subject, {"movement": "panLeft", "angle": "highAngle", "shot_type": "fullShot"}, frames=1)
    many = simulate_shot(subject, {"movement": "panLeft", "angle": "highAngle", "shot_type": "fullShot"}, frames=30)
    assert one.trajectory.frame_count == 1
    np.testing.assert_allclose(one.trajectory.position[0], many.trajectory.position[0])
    np.testing.assert_allclose(one.trajectory.rotation[0], many.trajectory.rotation[0])


def test_rotations_continuous(batch):
    q = batch.cam_rot
    assert np.sum(q[:, 1:] * q[:, :-1], axis=-1).min() > 0  # consecutive quaternions in the same hemisphere
    np.testing.assert_array_equal(geo.quat_continuity(q, axis=1), q)
    # with a gentle easing a full orbit turns 360 / 29 degrees a frame: no jumps anywhere
    b = simulate_batch(8, frames=30, seed=1, labels={"movement": "fullArcShotLeft", "easing": "linear"})
    steps = geo.rotation_angle_between(geo.quat_to_matrix(b.cam_rot[:, 1:]), geo.quat_to_matrix(b.cam_rot[:, :-1]))
    assert np.degrees(steps).max() < 360 / 29 + 1e-6


@settings(max_examples=25, deadline=None)
@given(st.floats(-np.pi, np.pi), st.sampled_from(MOVEMENT.names), st.sampled_from(VIEW.names),
       st.sampled_from(ANGLE.names))
def test_rotating_the_subject_rotates_the_trajectory(phi, movement, view, angle):
    size = np.array([0.8, 2.0, 1.5])
    rot0 = geo.matrix_to_quat(geo.euler_to_matrix(np.array([0.05, -0.03, 0.7]), "XYZ"))
    s0 = Subject([3.0, -1.0, 0.75], size, rot0)
    Rz = geo.axis_rotation(2, phi)
    s1 = Subject(Rz @ s0.position, size, geo.matrix_to_quat(Rz @ geo.quat_to_matrix(rot0)))
    labels = {"movement": movement, "view": view, "angle": angle, "shot_type": "mediumShot"}
    a = simulate_shot(s0, labels, frames=12, seed=7).trajectory
    b = simulate_shot(s1, labels, frames=12, seed=7).trajectory
    np.testing.assert_allclose(b.position, a.position @ Rz.T, atol=1e-7 * np.abs(a.position).max())
    np.testing.assert_allclose(geo.quat_to_matrix(b.rotation), Rz @ geo.quat_to_matrix(a.rotation), atol=1e-7)
    np.testing.assert_allclose(b.focal_length, a.focal_length, rtol=1e-9)


@settings(max_examples=30, deadline=None)
@given(st.floats(0.1, 20.0), st.floats(-np.pi, np.pi), st.sampled_from(MOVEMENT.names),
       st.sampled_from(SHOT_TYPE.names), st.sampled_from(ANGLE.names), st.sampled_from(EASING.names),
       st.integers(1, 60), st.integers(0, 10_000))
def test_simulate_shot_properties(extent, yaw, movement, shot_type, angle, easing, frames, seed):
    subject = Subject([0.0, 5.0, extent / 4], [extent, extent / 3, extent / 2],
                      geo.matrix_to_quat(geo.axis_rotation(2, yaw)))
    labels = {"movement": movement, "shot_type": shot_type, "angle": angle, "easing": easing}
    shot = simulate_shot(subject, labels, frames=frames, seed=seed).validate()
    assert shot.labels == {**labels, "view": VIEW.default}
    m = framing.measure(shot.trajectory, shot.subject)
    assert m.centre_in_frame.all()
    assert SHOT_TYPE.names[int(m.shot_type[0])] == shot_type
    assert ANGLE.names[int(m.angle[0])] == angle


def test_simulate_shot_follows_a_moving_subject():
    frames = 25
    t = np.linspace(0, 1, frames)
    path = np.stack([4 * np.cos(t), 4 * np.sin(t), np.full(frames, 0.9)], -1)
    subject = Subject(path[0], [0.5, 0.4, 1.8], motion_position=path)
    static = simulate_shot(subject, {"movement": "static"}, frames=frames)
    offset = static.trajectory.position - path
    np.testing.assert_allclose(offset, offset[:1].repeat(frames, 0), atol=1e-9)
    np.testing.assert_allclose(static.subject.motion_position, path)
    arc = simulate_shot(subject, {"movement": "shortArcShotLeft"}, frames=frames)
    m = framing.measure(arc.trajectory, arc.subject)
    np.testing.assert_allclose(m.distance, m.distance[0], rtol=1e-9)
    np.testing.assert_allclose(m.centre_ndc, 0, atol=1e-9)
    # follow on a static subject makes it move, and reports the motion
    follow = simulate_shot(Subject([0, 0, 0.9], [0.5, 0.4, 1.8]), {"movement": "follow"}, frames=frames)
    assert follow.subject.is_moving


def test_simulate_shot_focal_length():
    subject = Subject([0.0, 0.0, 1.0], [1.0, 1.0, 2.0])
    shot = simulate_shot(subject, {"movement": "dollyIn", "shot_type": "mediumShot"}, frames=10, focal_length=35.0)
    np.testing.assert_allclose(shot.trajectory.focal_length, 35.0)
    with pytest.raises(LensCraftError, match="inside the subject"):
        simulate_shot(subject, {"movement": "static", "shot_type": "extremeCloseUp"}, frames=5, focal_length=10.0)


def test_bad_labels():
    with pytest.raises(UnknownLabelError, match="panLeft"):
        simulate_batch(3, labels={"movement": "panLeftt"})
    with pytest.raises(LensCraftError, match="unknown instruction field"):
        simulate_batch(3, labels={"moves": "panLeft"})
    with pytest.raises(LensCraftError, match="shape"):
        simulate_batch(3, labels={"movement": ["panLeft", "static"]})
    with pytest.raises(LensCraftError, match="frames"):
        simulate_batch(3, frames=0)


def test_params_recorded(batch):
    for k in ("amount", "focal_mm", "coverage", "elevation_deg", "azimuth_deg", "distance_m", "screen_travel"):
        assert batch.params[k].shape == (len(batch),) and np.isfinite(batch.params[k]).all()
    arcs = _rows(batch, "halfArcShotRight")
    np.testing.assert_allclose(batch.params["amount"][arcs], 180.0)
    assert (batch.params["amount"][_rows(batch, "static")] == 0).all()
    np.testing.assert_allclose(batch.params["focal_mm"], batch.focal[np.arange(len(batch)), 0])


def test_bad_seed_and_frame_limits_are_named_errors_before_any_allocation():
    import tracemalloc

    from lenscraft_core.errors import LensCraftError
    from lenscraft_core.simulate import simulate_batch, simulate_shot

    with pytest.raises(LensCraftError, match="seed must be a whole number >= 0, got -1"):
        simulate_batch(2, seed=-1)
    tracemalloc.start()
    with pytest.raises(LensCraftError, match="frames <= 100,000"):
        simulate_batch(1, frames=30_000_000)
    with pytest.raises(LensCraftError, match="more than 20,000,000 frames"):
        simulate_batch(1_000_000, frames=30)
    with pytest.raises(LensCraftError, match="between 1 and 100,000"):
        simulate_shot(Subject(position=np.zeros(3), size=np.ones(3)), {}, frames=30_000_000)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 10_000_000  # refused before the 2 GB of arrays a 30-million-frame shot would need


# ------------------------------------------------------------------------------------------------ people
@pytest.fixture(scope="module")
def people():
    labels = {"movement": np.repeat(np.arange(len(MOVEMENT)), PER_MOVE)}
    return simulate_batch(len(MOVEMENT) * PER_MOVE, frames=FRAMES, seed=12, labels=labels, person_share=1.0)


def _anchors(b):
    return body.anchors_from_arrays(b.subject_pos[:, 0], b.subject_size, b.subject_rot[:, 0])


def test_people_are_framed_by_the_body(people):
    """The first frame of every person shot has the asked shot size and angle by the body's definitions (the
    judge's functions in body.py, not the simulator's), the lens above the floor clearance, the camera outside."""
    assert people.is_person.all() and people.shot(0).subject.object_class == "person"
    a = _anchors(people)
    R0 = geo.quat_to_matrix(people.cam_rot[:, 0])
    size = body.shot_size_arrays(people.cam_pos[:, 0], R0, people.focal[:, 0], a, people.sensor_width, people.aspect)
    np.testing.assert_array_equal(size, people.labels["shot_type"])
    np.testing.assert_array_equal(body.angle_arrays(people.cam_pos[:, 0], R0, a), people.labels["angle"])
    assert (people.cam_pos[:, 0, 2] >= a.feet + 0.25 - 1e-9).all()
    assert not geo.point_in_box(people.cam_pos, people.subject_pos, people.subject_size[:, None, :],
                                geo.quat_to_matrix(people.subject_rot)).any()


def test_a_mixed_batch_frames_each_subject_by_its_kind():
    b = simulate_batch(400, frames=8, seed=3, labels={"movement": "static"})
    assert 0.25 < b.is_person.mean() < 0.55  # PERSON_SHARE of the subjects
    people, boxes = b.subset(np.flatnonzero(b.is_person)), b.subset(np.flatnonzero(~b.is_person))
    a = _anchors(people)
    size = body.shot_size_arrays(people.cam_pos[:, 0], geo.quat_to_matrix(people.cam_rot[:, 0]), people.focal[:, 0],
                                 a, b.sensor_width, b.aspect)
    np.testing.assert_array_equal(size, people.labels["shot_type"])
    m = framing.measure_batch(boxes)  # objects keep the box definition, centred
    assert (m.shot_type[:, 0] == boxes.labels["shot_type"]).mean() > 0.95
    np.testing.assert_allclose(m.centre_ndc[:, 0], 0, atol=1e-9)


def test_people_moves_read_as_asked_by_the_geometric_judge(people):
    truth = {k: getattr(people, k) for k in ("subject_pos", "subject_rot", "subject_size", "fps")}
    r = judge_arrays((people.cam_pos, people.cam_rot, people.focal), truth, dict(people.labels), people.sensor_width,
                     people.aspect, person=True)
    ok = r["judged_ok"].astype(bool)
    # straight down, a pedestal is a dolly and a roll a pan (the same motion): judged on the other angles
    level = people.labels["angle"] != ANGLE.index("overhead")
    assert ok[level].mean() >= 0.98
    for name in MOVEMENT.names:
        rows = _rows(people, name)
        assert ok[rows].mean() >= 0.6, name


def test_people_orbit_about_their_own_axis_and_keep_the_composition(people):
    a = _anchors(people)
    for name in ("shortArcShotLeft", "halfArcShotRight", "fullArcShotLeft"):
        for i in _rows(people, name):
            rel = people.cam_pos[i, :, :2] - a.axis[i]
            np.testing.assert_allclose(np.linalg.norm(rel, axis=-1), np.linalg.norm(rel[0]), rtol=1e-9, atol=1e-9)
            np.testing.assert_allclose(people.cam_pos[i, :, 2], people.cam_pos[i, 0, 2], atol=1e-9)
            eyes = np.concatenate([a.axis[i], [a.eyes[i]]])[None].repeat(FRAMES, 0)
            ndc, _ = framing.subject_centre_view(people.cam_pos[i], geo.normalize(people.cam_rot[i]),
                                                 people.focal[i], eyes, people.sensor_width, people.aspect)
            np.testing.assert_allclose(ndc, ndc[:1].repeat(FRAMES, 0), atol=1e-6)  # the eyes stay where they were


def test_simulate_shot_frames_a_person_by_the_body():
    person = Subject([1.0, 2.0, 0.9], [0.5, 0.3, 1.8], object_class="person")
    for size in ("closeUp", "mediumShot", "fullShot"):
        s = simulate_shot(person, {"movement": "panLeft", "shot_type": size, "angle": "lowAngle"}, 24)
        t = s.trajectory
        assert SHOT_TYPE.names[body.person_shot_size(t.position[:1], t.matrices[:1], t.focal_length[:1], s.subject,
                                                     t.sensor_width, t.aspect)[0]] == size
        assert ANGLE.names[body.person_angle(t.position[:1], t.matrices[:1], s.subject)[0]] == "lowAngle"
    with pytest.raises(LensCraftError, match="person_share"):
        simulate_batch(2, person_share=1.5)


@pytest.mark.parametrize("movement", ["dollyIn", "dollyInZoomOut", "dollyOut", "dollyOutZoomIn"])
def test_a_close_person_leaves_a_dolly_room_to_read_and_stays_outside(movement):
    """An extreme close-up is centimetres from the face: the dolly is shortened to stay outside the body (or the
    lens lengthened where even a readable move would not fit), so every easing simulates, and the move is still
    one (at least PERSON_MIN_DOLLY of the distance, a dolly zoom at least PERSON_MIN_DOLLY_ZOOM)."""
    from lenscraft_core.simulate import PERSON_MIN_DOLLY, PERSON_MIN_DOLLY_ZOOM

    person = Subject([0.0, 0.0, 0.9], [0.5, 0.4, 1.8], object_class="person")
    for easing in EASING.names:
        s = simulate_shot(person, {"movement": movement, "shot_type": "extremeCloseUp", "easing": easing}, 40)
        amount = s.instructions[0].params["amount"]
        assert amount >= (PERSON_MIN_DOLLY_ZOOM if "Zoom" in movement else PERSON_MIN_DOLLY) - 1e-9, easing
        assert not geo.point_in_box(s.trajectory.position, s.subject.position, s.subject.size,
                                    s.subject.matrix).any()
    b, report = simulate_batch(600, frames=48, seed=77, person_share=1.0, return_report=True)
    assert report.rejection_rate < 0.02


def test_head_pans_turn_about_the_cameras_own_up_axis():
    """head_pan_share (training data only): a pitched camera's pan turns about its own up axis, so the view's
    heading moves and the horizon rolls a little (LensCraft v1's pans), where the default pan keeps roll at 0."""
    labels = {"movement": "panLeft", "angle": "highAngle"}
    plain = simulate_batch(60, frames=30, seed=3, labels=labels)
    head = simulate_batch(60, frames=30, seed=3, labels=labels, head_pan_share=1.0)
    for b, rolls in ((plain, False), (head, True)):
        R = geo.quat_to_matrix(b.cam_rot)
        ypr = np.degrees(geo.yaw_pitch_roll(R))
        turn = (ypr[:, -1] - ypr[:, 0] + 180) % 360 - 180
        assert (turn[:, 0] > 3).all()  # pans left either way
        assert (np.abs(turn[:, 2]).max() > 2) == rolls
        # about the camera's own up axis: the up vector is the same at the first and last frame
        ups = R[:, :, :, 1]
        same_up = np.abs(np.einsum("ni,ni->n", ups[:, 0], ups[:, -1]) - 1) < 1e-9
        assert same_up.all() == rolls
    # no head pans asked: the seed's shots are what they were
    assert np.array_equal(simulate_batch(20, seed=5).cam_rot,
                          simulate_batch(20, seed=5, head_pan_share=0.0).cam_rot)
    with pytest.raises(LensCraftError, match="head_pan_share"):
        simulate_batch(2, head_pan_share=2.0)
