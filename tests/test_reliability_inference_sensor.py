"""Framing is the same on any sensor through the model path, as it is in the simulator: the model works on the
reference sensor (schema.DEFAULT_SENSOR_WIDTH_MM, DEFAULT_ASPECT) and the Engine converts its lens to the one asked
for (decode.sensor_scale); a fixed focal_length is on the asked sensor. Before, a close-up at 50 mm came out at
coverage 1.94 / 2.91 / 5.81 on 36 / 24 / 12 mm sensors."""

import numpy as np
import pytest

pytest.importorskip("onnxruntime")

from lenscraft_core import framing  # noqa: E402
from lenscraft_core.errors import LensCraftError  # noqa: E402
from lenscraft_core.inference.decode import reference_shot, sensor_scale  # noqa: E402
from lenscraft_core.inference.engine import Engine  # noqa: E402
from lenscraft_core.schema import DEFAULT_ASPECT, DEFAULT_SENSOR_WIDTH_MM, Subject, Trajectory  # noqa: E402
from lenscraft_core.simulate import simulate_shot  # noqa: E402

SUBJECT = Subject(position=np.array([0.3, -0.2, 0.9]), size=np.array([0.5, 0.4, 1.8]))
SENSORS = (36.0, 24.0, 12.0)


@pytest.fixture(scope="module")
def engine():
    return Engine.load(None, runtime="onnx")


def _first_coverage(shot) -> float:
    return float(framing.measure(shot.trajectory, SUBJECT).coverage[0])


@pytest.mark.parametrize("prompt", ["static, close-up", "slow push in from a low angle, close-up",
                                    "pull back to reveal, wide shot"])
@pytest.mark.parametrize("focal_length", [None, 50.0])
@pytest.mark.parametrize("generator", ["model", "planned"])
def test_first_frame_coverage_is_the_same_on_36_24_and_12_mm_sensors(engine, prompt, focal_length, generator):
    # no floor: lifting a low camera off the ground changes its distance, which is the floor's doing, not the sensor's
    shots = {w: engine.generate(SUBJECT, prompt, frames=30, seed=3, focal_length=focal_length, sensor_width=w,
                                floor=None, generator=generator)[0] for w in SENSORS}
    cov = {w: _first_coverage(s) for w, s in shots.items()}
    for w in SENSORS:
        assert cov[w] == pytest.approx(cov[36.0], rel=0.02), cov
    if focal_length is not None:
        assert all(np.all(s.trajectory.focal_length == focal_length) for s in shots.values())
    else:  # the lens scales with the sensor width at the reference aspect
        for w, s in shots.items():
            np.testing.assert_allclose(s.trajectory.focal_length, shots[36.0].trajectory.focal_length * w / 36.0)


def test_the_reference_sensor_result_is_unchanged(engine):
    """On the reference sensor the conversion is exactly the identity (the pin, tests/test_bundled_pin.py, checks
    the same bit for bit): scale 1.0, positions untouched."""
    assert sensor_scale(DEFAULT_SENSOR_WIDTH_MM, DEFAULT_ASPECT) == 1.0
    a = engine.generate(SUBJECT, "orbit left, low angle", frames=24, seed=7, variations=2)
    b = engine.generate(SUBJECT, "orbit left, low angle", frames=24, seed=7, variations=2,
                        sensor_width=DEFAULT_SENSOR_WIDTH_MM, aspect=DEFAULT_ASPECT)
    for x, y in zip(a, b):
        assert np.array_equal(x.trajectory.position, y.trajectory.position)
        assert np.array_equal(x.trajectory.focal_length, y.trajectory.focal_length)


def test_the_model_agrees_with_the_simulator_across_sensors_and_aspects(engine):
    """Shot size follows the frame height (framing.py), as in the simulator: the same coverage on a 3:2 24 mm
    sensor, a portrait frame and a 2.39:1 frame as on the reference sensor."""
    ref = _first_coverage(engine.generate(SUBJECT, "static, close-up", frames=30)[0])
    for w, aspect in ((24.0, 1.5), (36.0, 0.5625), (23.76, 2.39), (6.17, 4 / 3)):
        shot = engine.generate(SUBJECT, "static, close-up", frames=30, sensor_width=w, aspect=aspect)[0]
        assert _first_coverage(shot) == pytest.approx(ref, rel=0.02), (w, aspect)
        sim = simulate_shot(SUBJECT, {"movement": "static", "shot_type": "closeUp"}, frames=30, sensor_width=w,
                            aspect=aspect)
        assert _first_coverage(sim) == pytest.approx(1.6, rel=0.02)


def test_a_tiny_sensor_keeps_a_valid_lens_and_the_framing(engine):
    ref = _first_coverage(engine.generate(SUBJECT, "static, close-up", frames=30)[0])
    shot = engine.generate(SUBJECT, "static, close-up", frames=30, sensor_width=1.0)[0]
    shot.validate()  # focal length inside schema.FOCAL_RANGE_MM
    assert _first_coverage(shot) == pytest.approx(ref, rel=0.02)


def test_describe_reads_a_shot_the_same_on_any_sensor(engine):
    """The same picture (same camera, lens scaled with the sensor) gets the same description."""
    shot = simulate_shot(SUBJECT, {"movement": "dollyIn", "shot_type": "closeUp"}, frames=40, seed=2)
    t = shot.trajectory
    for w in (24.0, 12.0):
        other = Trajectory(t.position, t.rotation, t.focal_length * w / 36.0, w, t.aspect, t.fps, t.frame_start)
        moved = type(shot)(other, shot.subjects, shot.instructions, shot.name, shot.metadata)
        assert reference_shot(moved) is not moved
        np.testing.assert_allclose(reference_shot(moved).trajectory.focal_length, t.focal_length)
        a, b = engine.describe(shot), engine.describe(moved)
        assert a.labels == b.labels
        for f in a.fields:
            np.testing.assert_allclose([s for _, s in a.fields[f]], [s for _, s in b.fields[f]], atol=1e-5)


@pytest.mark.parametrize("kw", [{"sensor_width": 0.0}, {"sensor_width": float("nan")}, {"aspect": 0.0},
                                {"aspect": "wide"}, {"focal_length": 0.0}, {"focal_length": float("inf")}])
def test_a_sensor_or_lens_outside_its_range_is_refused(engine, kw):
    with pytest.raises(LensCraftError, match=next(iter(kw))):
        engine.generate(SUBJECT, "static, close-up", frames=10, **kw)
