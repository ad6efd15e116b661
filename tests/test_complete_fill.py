"""complete() on hand keys: never worse than Blender's own interpolation of the same keys (inbetween_reference),
the key poses exactly, and a note where it keeps the keys."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from lenscraft_core import geometry as geo
from lenscraft_core.inbetween_reference import blender_fill
from lenscraft_core.inference.engine import Engine
from lenscraft_core.schema import Subject
from lenscraft_core.simulate import simulate_shot

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from bench_complete import humps, speed_of  # noqa: E402

SUBJECT = Subject(np.array([0.5, -1.0, 0.9]), np.array([0.6, 0.45, 1.8]), np.array([1.0, 0.0, 0.0, 0.0]))


@pytest.fixture(scope="module")
def engine():
    return Engine.load()


def _arc(radius=5.0, movement="shortArcShotLeft", easing="easeInOutSine", frames=72):
    return simulate_shot(SUBJECT, {"movement": movement, "easing": easing, "shot_type": "mediumShot"},
                         frames=frames, focal_length=radius / (3.34 / 30.0), jitter=False)


def test_quarter_arc_from_three_keys_stays_on_the_arc(engine):
    shot = _arc()
    true, centre = shot.trajectory, shot.subject.positions(72)
    radius = np.linalg.norm(true.position - centre, axis=-1).mean()
    assert radius == pytest.approx(5.0, rel=0.02)
    keys = [0, 36, 71]
    done = engine.complete(shot, keys)
    assert done.metadata["complete_kept_keys"] is False and "complete_note" not in done.metadata
    fill, bezier = done.trajectory, blender_fill(true, keys)
    r = np.linalg.norm(fill.position - centre, axis=-1)
    assert np.abs(r / radius - 1).max() < 0.01
    assert np.abs(np.linalg.norm(bezier.position - centre, axis=-1) / radius - 1).max() > 0.01  # Bezier is off
    err = np.linalg.norm(fill.position - true.position, axis=-1)
    err_bezier = np.linalg.norm(bezier.position - true.position, axis=-1)
    assert err.max() < err_bezier.max() and err.mean() < err_bezier.mean()
    assert humps(speed_of(fill)) == 1
    # the camera keeps looking at the subject as the keys do
    view = geo.camera_forward(fill.matrices)
    to_subject = geo.normalize(centre - fill.position)
    assert np.degrees(np.arccos(np.clip(np.sum(view * to_subject, -1), -1, 1))).max() < 0.5


def test_two_keys_a_quarter_apart_fill_the_arc_not_the_chord(engine):
    shot = _arc(radius=2.0, movement="shortArcShotRight")
    centre = shot.subject.positions(72)
    fill = engine.complete(shot, [0, 71]).trajectory
    r = np.linalg.norm(fill.position - centre, axis=-1)
    assert np.ptp(r) / r.mean() < 0.01


@pytest.mark.parametrize("keys", [[0, 11, 30, 44], [3, 40], [5]])
def test_key_poses_pass_through_exactly(engine, keys):
    shot = _arc(frames=45)
    t, r = engine.complete(shot, keys).trajectory, shot.trajectory
    np.testing.assert_array_equal(t.position[keys], r.position[keys])
    np.testing.assert_array_equal(t.focal_length[keys], r.focal_length[keys])
    np.testing.assert_array_equal(np.abs(t.rotation[keys]), np.abs(r.rotation[keys]))
    assert np.all(np.sum(t.rotation[1:] * t.rotation[:-1], -1) > 0)  # sign-continuous quaternions


@pytest.mark.parametrize("labels, why", [({"movement": "panLeft"}, "straight in the world"),
                                         ({"movement": "dollyIn", "easing": "easeInOutCubic"}, "straight"),
                                         ({"movement": "truckRight"}, "straight")])
def test_moves_blender_already_fits_keep_the_keys_and_say_so(engine, labels, why):
    shot = simulate_shot(SUBJECT, {**labels, "shot_type": "mediumShot"}, frames=48, jitter=False)
    keys = [0, 20, 47]
    done = engine.complete(shot, keys)
    assert done.metadata["complete_kept_keys"] is True
    assert done.metadata["complete_note"].startswith("kept your keys:") and why in done.metadata["complete_note"]
    bezier = blender_fill(shot.trajectory, keys)
    np.testing.assert_allclose(done.trajectory.position, bezier.position, atol=1e-12)
    np.testing.assert_allclose(done.trajectory.matrices, bezier.matrices, atol=1e-12)


def test_opposite_keys_are_ambiguous_and_kept(engine):
    shot = _arc(movement="halfArcShotLeft")
    done = engine.complete(shot, [0, 71])
    assert done.metadata["complete_kept_keys"] is True and "ambiguous" in done.metadata["complete_note"]
    assert engine.complete(shot, [0, 36, 71]).metadata["complete_kept_keys"] is False


def test_a_follow_shot_keeps_its_offset_to_the_moving_subject(engine):
    shot = simulate_shot(SUBJECT, {"movement": "follow", "shot_type": "mediumShot"}, frames=60, jitter=False)
    keys = [0, 30, 59]
    done = engine.complete(shot, keys)
    true = shot.trajectory
    err = np.linalg.norm(done.trajectory.position - true.position, axis=-1)
    err_bezier = np.linalg.norm(blender_fill(true, keys).position - true.position, axis=-1)
    assert done.metadata["complete_kept_keys"] is False and err.max() <= err_bezier.max() + 1e-9


@pytest.mark.parametrize("movement", ["shortArcShotLeft", "dollyOut", "panAndTilt"])
def test_a_stated_easing_is_what_the_fill_follows(engine, movement):
    shot = simulate_shot(SUBJECT, {"movement": movement, "easing": "linear", "shot_type": "mediumShot"}, frames=48,
                         jitter=False)
    keys = [0, 17, 47]
    done = engine.complete(shot, keys, instruction={"easing": "linear"})
    assert done.metadata["complete_kept_keys"] is False and done.labels["easing"] == "linear"
    true = shot.trajectory
    assert np.abs(done.trajectory.position - true.position).max() < 1e-6
    assert geo.rotation_angle_between(done.trajectory.matrices, true.matrices).max() < 1e-5
    # a bouncing easing runs backwards: no progress curve to follow, so a straight move keeps its keys
    if movement != "shortArcShotLeft":
        assert engine.complete(shot, keys, instruction={"easing": "easeOutBounce"}).metadata["complete_kept_keys"]


def test_an_overhead_key_keeps_the_keys_and_says_why(engine):
    shot = simulate_shot(SUBJECT, {"movement": "shortArcShotLeft", "angle": "overhead", "shot_type": "mediumShot"},
                         frames=48, jitter=False)
    done = engine.complete(shot, [0, 24, 47])
    assert done.metadata["complete_kept_keys"] is True and "up or down" in done.metadata["complete_note"]
