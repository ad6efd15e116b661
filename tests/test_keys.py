"""lenscraft_core.keys: few Bezier keys that reproduce simulated moves within the tolerance, checked by evaluating
the keys as Blender does (a 2-D cubic Bezier per segment, solved for the frame), not through the fitter's own maths."""

import math

import numpy as np
import pytest

from lenscraft_core import geometry as geo
from lenscraft_core.errors import LensCraftError
from lenscraft_core.keys import fit_channel, fit_channels, held_value
from lenscraft_core.schema import Subject
from lenscraft_core.simulate import simulate_shot

FRAMES = 48
LOCATION_TOL, ANGLE_TOL, LENS_FRACTION = 1e-3, math.radians(0.1), 1e-3
SUBJECT = Subject(position=np.array([1.0, 2.0, 0.9]), size=np.array([1.0, 0.6, 1.8]))
EASINGS = ("easeInOutSine", "easeInOutCubic", "linear", "easeOutQuad")
SINGLE_MOVES = ("panLeft", "tiltUp", "dollyIn", "truckRight", "pedestalUp", "rollLeft")


def bezier_curve(keys, frames):
    """Values at `frames` of the F-curve the keys make: per segment the 2-D cubic Bezier (key, right handle, next
    left handle, next key), solved for the curve parameter whose frame is the asked one (bisection)."""
    out = []
    for f in frames:
        i = min(max(np.searchsorted([k.frame for k in keys], f, side="right") - 1, 0), len(keys) - 2)
        a, b = keys[i], keys[i + 1]
        px = np.array([a.frame, a.right_handle[0], b.left_handle[0], b.frame])
        py = np.array([a.value, a.right_handle[1], b.left_handle[1], b.value])
        lo, hi = 0.0, 1.0
        for _ in range(60):
            t = (lo + hi) / 2
            x = ((1 - t) ** 3 * px[0] + 3 * (1 - t) ** 2 * t * px[1] + 3 * (1 - t) * t * t * px[2] + t ** 3 * px[3])
            lo, hi = (t, hi) if x < f else (lo, t)
        t = (lo + hi) / 2
        out.append((1 - t) ** 3 * py[0] + 3 * (1 - t) ** 2 * t * py[1] + 3 * (1 - t) * t * t * py[2] + t ** 3 * py[3])
    return np.array(out)


def shot_channels(movement, easing):
    """(name, values (F,), tolerance) of every channel a camera keys for the simulated shot (XYZ Euler)."""
    t = simulate_shot(SUBJECT, {"movement": movement, "easing": easing}, FRAMES, seed=1).trajectory
    euler = geo.euler_continuity(geo.matrix_to_euler(geo.quat_to_matrix(t.rotation), "XYZ"), "XYZ")
    out = [(f"location[{i}]", t.position[:, i], LOCATION_TOL) for i in range(3)]
    out += [(f"rotation_euler[{i}]", euler[:, i], ANGLE_TOL) for i in range(3)]
    return out + [("lens", t.focal_length, LENS_FRACTION * t.focal_length.min())]


def check_fit(values, tol, fit):
    """The keys (evaluated as Bezier curves) stay within the tolerance of every sample; the report is honest."""
    if not fit.keys:
        assert np.abs(values - fit.value).max() <= tol
        return
    curve = bezier_curve(fit.keys, np.arange(len(values), dtype=np.float64))
    assert np.abs(curve - values).max() <= tol * (1 + 1e-6)
    assert np.abs(curve - values).max() == pytest.approx(fit.max_error, rel=1e-4, abs=1e-9)


@pytest.mark.parametrize("movement", SINGLE_MOVES)
@pytest.mark.parametrize("easing", EASINGS)
def test_a_single_eased_move_is_at_most_four_keys_on_moving_channels_and_none_elsewhere(movement, easing):
    moving = 0
    for name, values, tol in shot_channels(movement, easing):
        fit = fit_channel(values, tol)
        check_fit(values, tol, fit)
        if np.ptp(values) <= 2 * tol:
            assert fit.keys == (), f"{name} holds still but got {len(fit.keys)} keys"
        else:
            moving += 1
            assert 2 <= len(fit.keys) <= 4, f"{movement} {easing} {name}: {len(fit.keys)} keys"
    assert moving >= 1


@pytest.mark.parametrize("easing", EASINGS)
def test_an_arc_is_at_most_eight_keys_per_channel(easing):
    counts = []
    for name, values, tol in shot_channels("shortArcShotLeft", easing):
        fit = fit_channel(values, tol)
        check_fit(values, tol, fit)
        counts.append(len(fit.keys))
    assert max(counts) <= 8 and sum(c > 0 for c in counts) >= 3  # x, y and the heading move


@pytest.mark.parametrize("movement, most", [("halfZoomIn", 4), ("fullZoomIn", 6), ("dollyOutZoomIn", 6)])
def test_zooms_fit_the_lens_within_a_thousandth_of_the_focal_length(movement, most):
    for easing in EASINGS:
        for name, values, tol in shot_channels(movement, easing):
            fit = fit_channel(values, tol)
            check_fit(values, tol, fit)
            assert len(fit.keys) <= most, f"{movement} {easing} {name}: {len(fit.keys)} keys"


def test_a_static_shot_and_constant_channels_get_no_keys():
    for name, values, tol in shot_channels("static", "linear"):
        fit = fit_channel(values, tol)
        assert fit.keys == () and fit.max_error == 0.0 and fit.value == values[0], name
    assert held_value(np.full(10, 2.5), 1e-9) == 2.5
    assert held_value(np.linspace(0.0, 1.0, 10), 0.4) is None
    flat = fit_channel(np.full(30, -1.25), 1e-3, hold=False)  # a curve that must stay keyed: two flat keys
    assert [k.frame for k in flat.keys] == [0.0, 29.0]
    assert np.allclose([[k.value, k.left_handle[1], k.right_handle[1]] for k in flat.keys], -1.25, atol=1e-12)


def test_required_frames_carry_keys_and_the_fit_stays_within():
    values = shot_channels("dollyIn", "easeInOutCubic")[1][1]
    free = fit_channel(values, LOCATION_TOL)
    required = [10, 17, 31]
    fit = fit_channel(values, LOCATION_TOL, required=required)
    assert set(required) <= set(fit.frames) and {0, FRAMES - 1} <= set(fit.frames)
    assert not set(required) <= set(free.frames)  # the requirement, not the move, put them there
    check_fit(values, LOCATION_TOL, fit)


def test_the_handles_sit_a_third_of_a_segment_out_and_aligned():
    values = shot_channels("truckRight", "easeInOutSine")[0][1]
    fit = fit_channel(values, LOCATION_TOL)
    for prev, key, nxt in zip(fit.keys, fit.keys[1:], fit.keys[2:]):
        assert key.left_handle[0] == pytest.approx(key.frame - (key.frame - prev.frame) / 3)
        assert key.right_handle[0] == pytest.approx(key.frame + (nxt.frame - key.frame) / 3)
        left = (key.value - key.left_handle[1]) / (key.frame - key.left_handle[0])
        right = (key.right_handle[1] - key.value) / (key.right_handle[0] - key.frame)
        assert left == pytest.approx(right, rel=1e-9, abs=1e-12)


def test_a_capped_fit_says_how_far_it_misses():
    values = shot_channels("fullArcShotLeft", "easeInOutCubic")[0][1]
    fit = fit_channel(values, LOCATION_TOL, max_keys=4)
    assert len(fit.keys) == 4 and not fit.within and fit.max_error > LOCATION_TOL
    curve = bezier_curve(fit.keys, np.arange(FRAMES, dtype=np.float64))
    assert np.abs(curve - values).max() == pytest.approx(fit.max_error, rel=1e-4)
    uncapped = fit_channel(values, LOCATION_TOL)
    assert uncapped.within and len(uncapped.keys) > 4


def test_fit_channels_fits_each_column_with_its_tolerance():
    t = simulate_shot(SUBJECT, {"movement": "truckRight", "easing": "easeInOutSine"}, FRAMES, seed=1).trajectory
    fits = fit_channels(t.position, [LOCATION_TOL, LOCATION_TOL, 10.0])
    assert len(fits) == 3 and len(fits[0].keys) >= 2 and fits[2].keys == ()
    assert [f.tolerance for f in fits] == [LOCATION_TOL, LOCATION_TOL, 10.0]


@pytest.mark.parametrize("call, match", [
    (lambda: fit_channel([0.0, np.nan, 1.0], 1e-3), "finite"),
    (lambda: fit_channel(np.zeros((3, 2)), 1e-3), "1-D"),
    (lambda: fit_channel([], 1e-3), "at least one frame"),
    (lambda: fit_channel([0.0, 1.0, 2.0], 0.0), "tolerance must be positive"),
    (lambda: fit_channel([0.0, 1.0, 2.0], 1e-3, required=[3]), "required key frames"),
    (lambda: fit_channel([0.0, 1.0, 2.0], 1e-3, required=[1], max_keys=2), "max_keys"),
    (lambda: fit_channels(np.zeros(4), 1e-3), "frames, channels"),
])
def test_bad_input_is_a_named_error(call, match):
    with pytest.raises(LensCraftError, match=match):
        call()
