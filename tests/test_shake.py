"""Handheld shake from the recorded CC0 profiles (lenscraft_core.shake), read back by the geometric judge."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from lenscraft_core import geometry as geo
from lenscraft_core import shake
from lenscraft_core.errors import LensCraftError
from lenscraft_core.inference.engine import HANDHELD_SHAKE_DEG, read_geometry
from lenscraft_core.judge import judge_shot, view_jitter
from lenscraft_core.schema import Subject, Trajectory
from lenscraft_core.simulate import simulate_shot

SUBJECT = Subject(np.array([0.0, 0.0, 0.9]), np.array([0.6, 0.4, 1.8]))


def _shaken(shot, amplitude, seed=0, profile=None):
    t = shot.trajectory
    return dataclasses.replace(shot, trajectory=shake.apply_shake(
        t, shake.shake_offsets(t.frame_count, t.fps, amplitude, profile, seed)))


def test_profiles_are_the_nine_recorded_ones_and_names_resolve():
    names = shake.shake_profiles()
    assert len(names) == 9 and names[0] == "Investigation" and "Bike On Gravel (2D)" in names
    assert shake.get_profile("the_closeup").name == "The Closeup"
    assert shake.get_profile(None).name == shake.DEFAULT_PROFILE
    assert not shake.get_profile("The Zeek (2D)").has_translation
    with pytest.raises(LensCraftError, match="unknown shake profile 'wobble'.*Investigation"):
        shake.get_profile("wobble")


def test_amplitude_zero_is_no_shake_and_the_same_trajectory():
    shot = simulate_shot(SUBJECT, {"movement": "shortArcShotLeft"}, 96, 24.0, seed=1)
    off = shake.shake_offsets(96, 24.0, 0.0, distance=3.0)
    assert not off.rotation.any() and not off.translation.any()
    out = shake.apply_shake(shot.trajectory, off)
    assert np.array_equal(out.position, shot.trajectory.position)
    assert np.array_equal(out.rotation, shot.trajectory.rotation)


def test_offsets_are_seeded_linear_in_amplitude_and_zero_mean():
    a = shake.shake_offsets(96, 24.0, 1.0, seed=3)
    assert np.array_equal(a.rotation, shake.shake_offsets(96, 24.0, 1.0, seed=3).rotation)
    assert not np.allclose(a.rotation, shake.shake_offsets(96, 24.0, 1.0, seed=4).rotation)
    np.testing.assert_allclose(shake.shake_offsets(96, 24.0, 2.0, seed=3).rotation, 2.0 * a.rotation, atol=1e-15)
    np.testing.assert_allclose(a.rotation.mean(axis=0), 0.0, atol=1e-15)
    assert 0.05 < a.rms_deg() < 1.0  # a walking operator: a fraction of a degree


def test_the_slow_drift_is_removed_and_the_texture_kept():
    """The recording drifts (most of its power is below 0.5 Hz); the offsets keep its fast part only."""
    profile = shake.get_profile("Investigation")
    off = shake.shake_offsets(2400, 24.0, 1.0, "Investigation")

    def slow_share(x):  # share of the power below 0.5 Hz
        power = np.abs(np.fft.rfft(x - x.mean(0), axis=0)) ** 2
        return power[np.fft.rfftfreq(len(x), 1 / 24.0) < 0.5].sum() / power.sum()

    assert slow_share(profile.rotation) > 0.5
    assert slow_share(off.rotation) < 0.01
    # The texture the judge measures (its 0.4 s fit's residual) is the recording's.
    raw = np.degrees(np.sqrt(np.mean(view_jitter(geo.euler_to_matrix(profile.rotation), 24.0) ** 2)))
    kept = np.degrees(np.sqrt(np.mean(view_jitter(off.matrices()[:len(profile.rotation), :3, :3], 24.0) ** 2)))
    assert 0.95 < kept / raw < 1.05


def test_resampled_at_the_profiles_own_rate_and_looped_without_a_seam():
    at24 = shake.shake_offsets(96, 24.0, 1.0, seed=5).rotation
    at48 = shake.shake_offsets(192, 48.0, 1.0, seed=5).rotation[::2]  # the same instants
    np.testing.assert_allclose(at48 - at48.mean(0), at24 - at24.mean(0), atol=1e-9)
    # A shot 10x the recording: no step at the loop's seam larger than the recording's own largest.
    profile = shake.get_profile("Walk to the Store")
    long = shake.shake_offsets(10 * len(profile.rotation), 24.0, 1.0, "Walk to the Store").rotation
    assert np.abs(np.diff(long, axis=0)).max() <= 1.05 * np.abs(np.diff(profile.rotation, axis=0)).max()


def test_translation_only_with_a_distance_and_kept_small():
    assert not shake.shake_offsets(96, 24.0, 2.0).translation.any()
    t = shake.shake_offsets(96, 24.0, 2.0, distance=0.5).translation
    assert 0 < np.abs(t).max() <= shake.MAX_TRANSLATION_SHARE * 0.5 + 1e-15
    assert not shake.shake_offsets(96, 24.0, 1.0, "Spaceship Shake (2D)", distance=3.0).translation.any()


def test_offsets_compose_in_the_camera_frame():
    """A pitch offset tilts the view towards the camera's own up, whatever way the camera faces; a translation
    moves along the camera's own axes."""
    R = geo.look_at(np.array([[4.0, 1.0, 1.5]]), np.array([0.0, 0.0, 1.0]))
    traj = Trajectory(np.array([[4.0, 1.0, 1.5]]), geo.matrix_to_quat(R), 35.0)
    off = shake.ShakeOffsets(np.array([[0.01, 0.0, 0.0]]), np.array([[0.0, 0.0, -0.1]]), 24.0, 1.0, "test", 0)
    out = shake.apply_shake(traj, off)
    R2 = out.matrices[0]
    expected = np.cos(0.01) * geo.camera_forward(R[0]) + np.sin(0.01) * geo.camera_up(R[0])
    np.testing.assert_allclose(geo.camera_forward(R2), expected, atol=1e-12)
    np.testing.assert_allclose(out.position[0], traj.position[0] + 0.1 * geo.camera_forward(R[0]), atol=1e-12)
    np.testing.assert_allclose(off.matrices()[0, :3, :3], geo.euler_to_matrix(off.rotation[0], "XYZ"))


@pytest.mark.parametrize("move", ["panLeft", "dollyIn", "shortArcShotLeft"])
def test_shaken_moves_read_as_shaky_and_still_as_their_move(move):
    shot = simulate_shot(SUBJECT, {"movement": move}, 96, 24.0, seed=1)
    clean = judge_shot(shot, shot.subject)
    assert clean.movement == move and clean.shake_deg < 0.01
    seeds = range(8)
    by_amplitude = {a: [judge_shot(_shaken(shot, a, s), shot.subject) for s in seeds] for a in (0.5, 1.0, 2.0)}
    for a, verdicts in by_amplitude.items():
        assert [v.movement for v in verdicts] == [move] * len(verdicts), a
    median = {a: np.median([v.shake_deg for v in vs]) for a, vs in by_amplitude.items()}
    assert median[0.5] < HANDHELD_SHAKE_DEG < median[1.0] < median[2.0]
    assert np.isclose(median[2.0], 2 * median[1.0], rtol=0.02)  # the shake measure scales with the amplitude
    # At amplitude 2 every seed is captioned handheld.
    assert all(read_geometry(_shaken(shot, 2.0, s), shot.subject)[2] for s in seeds)


def test_bad_input_is_named():
    with pytest.raises(LensCraftError, match="amplitude"):
        shake.shake_offsets(10, 24.0, -1.0)
    with pytest.raises(LensCraftError, match="fps"):
        shake.shake_offsets(10, float("nan"))
    with pytest.raises(LensCraftError, match="frames"):
        shake.shake_offsets(0, 24.0)
    with pytest.raises(LensCraftError, match="distance"):
        shake.shake_offsets(10, 24.0, distance=-2.0)
    shot = simulate_shot(SUBJECT, {"movement": "panLeft"}, 20, 24.0)
    with pytest.raises(LensCraftError, match="10 frames of offsets for a 20-frame"):
        shake.apply_shake(shot.trajectory, shake.shake_offsets(10, 24.0))
