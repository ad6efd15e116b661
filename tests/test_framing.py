import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lenscraft_core import framing
from lenscraft_core import geometry as geo
from lenscraft_core.schema import Subject, Trajectory
from lenscraft_core.vocabulary import ANGLE, SHOT_TYPE, V1_SHOT_TYPES

SENSOR, ASPECT = 36.0, 16 / 9
SENSOR_H = SENSOR / ASPECT  # 20.25 mm


def _camera_looking_at(eye, target):
    return geo.matrix_to_quat(geo.look_at(np.asarray(eye, float), np.asarray(target, float)))


def test_coverage_definition():
    """extent / frame height at the subject centre's depth, frame height = depth * sensor_h / focal."""
    eye, centre = np.array([0.0, -10.0, 0.0]), np.zeros(3)
    R = geo.look_at(eye, centre)
    cov = framing.shot_coverage(eye, R, 50.0, centre, np.array([2.0, 1.0, 0.5]), SENSOR, ASPECT)
    assert cov == pytest.approx(2.0 / (10.0 * SENSOR_H / 50.0))
    # focal length matters: twice the focal length, twice the coverage
    assert framing.shot_coverage(eye, R, 100.0, centre, np.array([2.0, 1.0, 0.5]), SENSOR, ASPECT) == pytest.approx(
        2 * cov)
    # depth, not distance: a subject off the view axis at the same depth has the same coverage
    off = np.array([3.0, 0.0, 0.0])
    assert framing.shot_coverage(eye, R, 50.0, off, np.array([2.0, 1.0, 0.5]), SENSOR, ASPECT) == pytest.approx(cov)


def test_portrait_aspect_uses_sensor_on_long_side():
    eye, centre = np.array([0.0, -10.0, 0.0]), np.zeros(3)
    cov = framing.shot_coverage(eye, geo.look_at(eye, centre), 50.0, centre, np.ones(3), SENSOR, 0.5)
    assert cov == pytest.approx(1.0 / (10.0 * SENSOR / 50.0))


@settings(max_examples=50, deadline=None)
@given(st.floats(0.01, 100), st.floats(0.02, 5.0), st.floats(10, 300))
def test_depth_for_coverage_inverts(extent, coverage, focal):
    depth = framing.depth_for_coverage(extent, coverage, focal, SENSOR, ASPECT)
    assert framing.coverage_from_depth(extent, depth, focal, SENSOR, ASPECT) == pytest.approx(coverage)


def test_classify_shot_type_every_label():
    cov = np.array([lbl.params["coverage"] for lbl in SHOT_TYPE])
    np.testing.assert_array_equal(framing.classify_shot_type(cov), np.arange(len(SHOT_TYPE)))
    # the simulator's +-10% jitter stays in the bin
    np.testing.assert_array_equal(framing.classify_shot_type(cov * np.exp(0.1)), np.arange(len(SHOT_TYPE)))
    np.testing.assert_array_equal(framing.classify_shot_type(cov * np.exp(-0.1)), np.arange(len(SHOT_TYPE)))
    # bigger coverage never gives a wider shot
    grid = np.geomspace(0.01, 10, 500)
    assert np.all(np.diff(framing.classify_shot_type(grid)) <= 0)


def test_classify_shot_type_v1():
    v1 = {SHOT_TYPE.index(n) for n in V1_SHOT_TYPES}
    got = framing.classify_shot_type(np.geomspace(0.01, 10, 200), v1_only=True)
    assert set(got.tolist()) == v1
    # v1's own distances (1.5x / 3x / 6x the size at 50 mm on 35 mm film) land in its three types
    depth = np.array([1.5, 3.0, 6.0])
    cov = framing.coverage_from_depth(1.0, depth, 50.0, 36.0, 1.5)
    names = [SHOT_TYPE.names[i] for i in framing.classify_shot_type(cov, v1_only=True)]
    assert names == ["closeUp", "mediumShot", "longShot"]


def test_elevation_and_angle():
    centre = np.array([1.0, 2.0, 3.0])
    for label in ANGLE:
        e = np.radians(label.params["elevation_deg"])
        cam = centre + 7.0 * np.array([0.0, -np.cos(e), np.sin(e)])
        el = framing.camera_elevation(cam, centre)
        assert el == pytest.approx(label.params["elevation_deg"], abs=1e-9)
        assert framing.classify_angle(el) == ANGLE.index(label.name)
    assert ANGLE.names[int(framing.classify_angle(88.0, v1_only=True))] == "birdsEyeView"
    assert ANGLE.names[int(framing.classify_angle(88.0))] == "overhead"
    assert ANGLE.names[int(framing.classify_angle(-14.0))] == "mediumAngle"


def test_measure_single_shot():
    subject = Subject([0.0, 0.0, 1.0], [1.0, 0.5, 2.0])
    frames = 5
    pos = np.stack([np.linspace(-1, 1, frames), np.full(frames, -10.0), np.ones(frames)], -1)
    rot = np.repeat(_camera_looking_at([0, -10, 1], [0, 0, 1])[None], frames, 0)  # fixed orientation: a truck
    m = framing.measure(Trajectory(pos, rot, 35.0), subject)
    assert m.centre_ndc.shape == (frames, 2) and m.coverage.shape == (frames,)
    # trucking right moves the subject left in frame, by x / depth * focal / (sensor_w / 2)
    np.testing.assert_allclose(m.centre_ndc[:, 0], -pos[:, 0] / 10 * 35 / 18)
    np.testing.assert_allclose(m.centre_ndc[:, 1], 0, atol=1e-12)
    np.testing.assert_allclose(m.depth, 10.0)
    np.testing.assert_allclose(m.coverage, 2.0 / (10 * SENSOR_H / 35))
    assert m.centre_in_frame.all() and m.box_in_frame.all()
    np.testing.assert_allclose(m.elevation_deg, 0.0, atol=1e-9)


def test_measure_out_of_frame_and_behind():
    subject = Subject([0.0, 0.0, 0.0], [1.0, 1.0, 1.0])
    eye = np.array([[0.0, -10.0, 0.0], [0.0, -2.0, 0.0], [0.0, 10.0, 0.0]])
    rot = np.repeat(_camera_looking_at([0, -10, 0], [0, 0, 0])[None], 3, 0)  # all look along +Y
    m = framing.measure(Trajectory(eye, rot, 50.0), subject)
    assert m.centre_in_frame.tolist() == [True, True, False]  # the last camera is past the subject
    assert m.depth[2] < 0
    assert m.box_in_frame.tolist() == [True, False, False]  # at 2 m a 50 mm lens sees only 0.8 m of height


def test_measure_moving_subject():
    frames = 4
    motion = np.stack([np.arange(frames, dtype=float), np.zeros(frames), np.zeros(frames)], -1)
    subject = Subject(motion[0], [1.0, 1.0, 1.0], motion_position=motion)
    rot = np.repeat(_camera_looking_at([0, -10, 0], [0, 0, 0])[None], frames, 0)
    m = framing.measure(Trajectory(np.tile([0.0, -10.0, 0.0], (frames, 1)), rot, 50.0), subject)
    assert np.all(np.diff(m.centre_ndc[:, 0]) > 0)  # the subject walks right across the frame


def test_measure_batch_shapes():
    n, f = 3, 6
    rng = np.random.default_rng(0)
    cam = rng.normal(size=(n, f, 3)) + np.array([0, -20, 0])
    rot = _camera_looking_at(cam, np.zeros((n, f, 3)))
    m = framing.measure_arrays(cam, rot, np.full((n, f), 40.0), np.zeros((n, f, 3)), np.array([1.0, 0, 0, 0]),
                               np.ones((n, 1, 3)), SENSOR, ASPECT)
    assert m.coverage.shape == (n, f) and m.centre_ndc.shape == (n, f, 2) and m.box_in_frame.shape == (n, f)
    np.testing.assert_allclose(m.centre_ndc, 0, atol=1e-9)
    assert m.shot_type.shape == (n, f) and m.angle.shape == (n, f)
