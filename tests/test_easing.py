import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lenscraft_core.easing import ease, ease_batch, normalised_time
from lenscraft_core.errors import UnknownLabelError
from lenscraft_core.vocabulary import EASING

OVERSHOOT = ("Back", "Elastic")  # families whose progress leaves [0, 1] on purpose


@pytest.mark.parametrize("name", EASING.names)
def test_endpoints_exact(name):
    p = ease(name, np.array([0.0, 1.0]))
    assert p[0] == 0.0 and p[1] == 1.0


@pytest.mark.parametrize("name", EASING.names)
def test_profile_matches_mode(name):
    """In starts slow (behind linear at t=0.25), Out starts fast, InOut is point-symmetric about (0.5, 0.5)."""
    mode = EASING[name].params["mode"]
    t = np.linspace(0, 1, 201)
    p = ease(name, t)
    if mode == "In":
        assert ease(name, 0.25) < 0.25
    elif mode == "Out":
        assert ease(name, 0.25) > 0.25
    elif mode == "InOut":
        np.testing.assert_allclose(p + p[::-1], 1.0, atol=1e-12)
    else:
        np.testing.assert_allclose(p, t)


@pytest.mark.parametrize("name", EASING.names)
def test_continuous_and_bounded(name):
    """No jumps between the pieces of piecewise curves (Bounce, InOut halves); only Back/Elastic overshoot."""
    t = np.linspace(0, 1, 20001)
    p = ease(name, t)
    assert np.abs(np.diff(p)).max() < 1e-2  # Expo's 2^-10 end steps and Circ's vertical tangent are legitimate
    family = EASING[name].params["family"]
    if family in OVERSHOOT:
        assert p.min() < -0.05 or p.max() > 1.05
        assert -0.4 < p.min() and p.max() < 1.4
    else:
        assert p.min() >= 0.0 and p.max() <= 1.0
        if family != "Bounce":
            assert np.all(np.diff(p) >= -1e-15)


@pytest.mark.parametrize("name, t, expected", [
    ("linear", 0.3, 0.3), ("easeInQuad", 0.5, 0.25), ("easeOutQuad", 0.5, 0.75), ("easeInOutQuad", 0.25, 0.125),
    ("easeInCubic", 0.5, 0.125), ("easeOutCubic", 0.5, 0.875), ("easeInQuart", 0.5, 0.0625),
    ("easeInQuint", 0.5, 0.03125), ("easeInOutSine", 0.25, (1 - np.cos(np.pi / 4)) / 2),
    ("easeInSine", 0.5, 1 - np.cos(np.pi / 4)), ("easeInExpo", 0.5, 2.0 ** -5), ("easeOutExpo", 0.5, 1 - 2.0 ** -5),
    ("easeInCirc", 0.6, 0.2), ("easeOutBounce", 0.5, 0.765625), ("easeInBounce", 0.5, 0.234375),
    ("easeInBack", 0.5, 2.70158 * 0.125 - 1.70158 * 0.25), ("easeOutElastic", 0.1, 1 + 0.5 * np.sin(0.25 * 2 * np.pi / 3)),
])
def test_penner_values(name, t, expected):
    assert ease(name, t) == pytest.approx(expected, abs=1e-12)


def test_aliases_and_unknown():
    t = np.linspace(0, 1, 7)
    np.testing.assert_array_equal(ease("ease in-out", t), ease("easeInOutSine", t))
    with pytest.raises(UnknownLabelError, match="easeInOutSine|easeInSine"):
        ease("easeInOutSinus", t)


def test_batch_matches_single():
    idx = np.arange(len(EASING)).repeat(2)
    t = normalised_time(17)
    p = ease_batch(idx, t)
    assert p.shape == (len(idx), 17)
    for row, k in zip(p, idx):
        np.testing.assert_array_equal(row, ease(EASING.names[k], t))
    # per-sample times
    tt = np.random.default_rng(0).uniform(0, 1, (len(idx), 5))
    np.testing.assert_array_equal(ease_batch(idx, tt)[3], ease(EASING.names[idx[3]], tt[3]))


def test_normalised_time():
    np.testing.assert_array_equal(normalised_time(1), [0.0])
    np.testing.assert_array_equal(normalised_time(3), [0.0, 0.5, 1.0])
    with pytest.raises(ValueError):
        normalised_time(0)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(EASING.names), st.floats(0.0, 1.0))
def test_in_out_relation(name, t):
    """Out(t) = 1 - In(1 - t) for every family (Penner's definition), at any t."""
    params = EASING[name].params
    if params["mode"] != "Out":
        return
    in_name = name.replace("easeOut", "easeIn")
    assert ease(name, t) == pytest.approx(1 - ease(in_name, 1 - t), abs=1e-12)
