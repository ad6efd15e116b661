"""describe without a subject or a scale (issue 14 items 2 and 4, issue 12 item 7): the geometric reading, shake,
"handheld", speed words from the frame rate, and the 0-3 motion magnitude, on the bundled model's Engine.

Simulator shots with the subject removed, scaled x0.01 and x100, at 10 and 60 fps; pans of known speed; a reader's
placeholder subject; and the model reading kept where a real subject is given."""

from __future__ import annotations

import copy
from collections import Counter

import numpy as np
import pytest

from lenscraft_core import geometry as geo
from lenscraft_core.formats.poses import build_shot
from lenscraft_core.inference.engine import (DEFAULT_MODEL_DIR, HANDHELD_SHAKE_DEG, Description, Engine,
                                             estimated_subject)
from lenscraft_core.schema import Shot, Subject, Trajectory
from lenscraft_core.simulate import simulate_batch
from lenscraft_core.vocabulary import ANGLE, MOVEMENT, caption

pytest.importorskip("onnxruntime")
pytestmark = pytest.mark.skipif(not (DEFAULT_MODEL_DIR / "model.json").exists(), reason="no bundled model")

CAMERA_ONLY = [m.name for m in MOVEMENT if m.params["kind"] in ("pan", "tilt", "roll", "truck", "pedestal", "dolly",
                                                                  "zoom")]
NOT_OVERHEAD = [i for i, name in enumerate(ANGLE.names) if name != "overhead"]
SUBJECT = Subject(position=np.array([0.0, 0.0, 0.9]), size=np.array([0.5, 0.4, 1.8]))


@pytest.fixture(scope="module")
def eng():
    return Engine.load(runtime="onnx")


def _subject_free(shot: Shot, scale: float = 1.0, fps: float | None = None) -> Shot:
    t = shot.trajectory
    traj = Trajectory(t.position * scale, t.rotation, t.focal_length, t.sensor_width, t.aspect,
                      fps or t.fps, t.frame_start)
    return Shot(traj, [], [], shot.name, {})


def _pan(degrees: float, seconds: float, fps: float, shake_deg: float = 0.0, seed: int = 0) -> Trajectory:
    """A pan left of `degrees` over `seconds` (smoothstep ease), optionally with white view jitter."""
    F = int(round(seconds * fps)) + 1
    u = np.linspace(0.0, 1.0, F)
    yaw = np.radians(degrees) * (3 * u ** 2 - 2 * u ** 3)
    pitch = np.zeros(F)
    if shake_deg:
        rng = np.random.default_rng(seed)
        yaw, pitch = (a + np.radians(shake_deg) * rng.normal(size=F) for a in (yaw, pitch))
    q = geo.camera_quat_from_yaw_pitch_roll(yaw, pitch, np.zeros(F))
    return Trajectory(np.tile([0.0, -4.0, 1.5], (F, 1)), q, np.full(F, 35.0), fps=fps)


@pytest.mark.parametrize("fps", [10.0, 60.0])
def test_subject_free_simulator_shots_read_their_move_at_any_scale(eng, fps):
    """Every camera-only move, subject removed: the caption is the geometric reading, its movement the asked one on
    >= 90 % per label, and scaling the world x0.01 / x100 changes nothing but the numbers' units."""
    said: dict[str, Counter] = {}
    for k, label in enumerate(CAMERA_ONLY):
        rng = np.random.default_rng(k)
        b = simulate_batch(12, frames=60, fps=fps, seed=300 + k, jitter=True,
                           labels={"movement": label, "angle": rng.choice(NOT_OVERHEAD, 12)})
        said[label] = Counter()
        for i in range(len(b)):
            d = eng.describe(_subject_free(b.shot(i)))
            assert d.reading == "geometry" and "geometric reading" in d.notes[0]
            said[label][d.geometry["movement"]] += 1
            if i < 2:
                for scale in (0.01, 100.0):
                    ds = eng.describe(_subject_free(b.shot(i), scale))
                    assert (ds.caption, ds.motion_magnitude, ds.geometry["movement"]) == \
                        (d.caption, d.motion_magnitude, d.geometry["movement"])
                    assert abs(ds.shake - d.shake) < 1e-6
    bad = {k: dict(c.most_common(3)) for k, c in said.items() if c[k] < 0.9 * sum(c.values())}
    assert not bad, bad


@pytest.mark.parametrize("fps", [10.0, 60.0])
def test_frame_rate_sets_the_speed_words(eng, fps):
    """A 90-degree pan in 1 s is a whip pan; in 10 s a slow pan; at either frame rate."""
    fast = eng.describe(Shot(_pan(90.0, 1.0, fps)))
    slow = eng.describe(Shot(_pan(90.0, 10.0, fps)))
    assert fast.geometry["movement"] == slow.geometry["movement"] == "panLeft"
    assert "fast" in fast.caption and "whip pan" in fast.caption and "90 degrees" in fast.caption
    assert slow.caption.startswith("the camera slowly pans left 90 degrees"), slow.caption
    assert fast.geometry["pace"] == {"panLeft": "fast"} and slow.geometry["pace"] == {"panLeft": "slow"}
    assert (fast.motion_magnitude, slow.motion_magnitude) == (3, 1)
    # the same frames played 6x slower read 6x slower
    ten = Shot(_pan(90.0, 1.0, 60.0))
    ten.trajectory.fps = 10.0
    assert eng.describe(ten).geometry["steady_speeds"]["pan"] < fast.geometry["steady_speeds"]["pan"] / 4


def test_static_shot_scores_zero_and_holds_still(eng):
    d = eng.describe(Shot(_pan(0.0, 2.0, 24.0)))
    assert d.motion_magnitude == 0 and d.caption == "the camera holds still" and d.shake < 1e-6


def test_shake_is_reported_and_handheld_still_reads_as_its_move(eng):
    steady = eng.describe(Shot(_pan(40.0, 4.0, 24.0)))
    shaky = eng.describe(Shot(_pan(40.0, 4.0, 24.0, shake_deg=0.3)))
    assert steady.shake < 0.01 and "handheld" not in steady.caption
    assert shaky.shake > HANDHELD_SHAKE_DEG and shaky.geometry["handheld"]
    assert shaky.caption.endswith(", handheld") and shaky.geometry["movement"] == "panLeft"
    # with a real subject the caption is the model's, plus "handheld"
    traj = _pan(40.0, 4.0, 24.0, shake_deg=0.3)
    d = eng.describe(Shot(traj, [SUBJECT]))
    assert d.reading == "model" and d.caption == caption(d.labels) + ", handheld"
    assert d.motion_magnitude >= 1 and abs(d.shake - shaky.shake) < 1e-9


def test_handheld_is_not_claimed_on_smooth_simulator_shots(eng):
    """Simulator shots have no shake; only bounce / elastic-like eases compressed into a second oscillate at
    handheld frequencies (docs/inference.md gives the counts)."""
    b = simulate_batch(120, frames=60, fps=24.0, seed=11, jitter=True)
    claimed = [b.shot(i).labels["easing"] for i in range(len(b)) if eng.describe(b.shot(i)).geometry["handheld"]]
    assert len(claimed) <= 0.05 * len(b), claimed


def test_placeholder_subjects_read_the_geometry(eng):
    """A reader's estimated subject (metadata subject_placement) is not a subject: describe reads the geometry
    without it. A subject the file gives is kept (the model's reading)."""
    t = _pan(60.0, 3.0, 24.0).matrices
    traj = _pan(60.0, 3.0, 24.0)
    from lenscraft_core.formats.c2w import from_blender

    R, pos = from_blender(t, traj.position, "opencv", "+z", 1.0)
    focal = np.full(len(pos), 35.0)
    est = build_shot(R, pos, focal, camera_axes="opencv", up="+z", fps=24.0, where="test", name="est",
                     source="test", notes=[])
    given = build_shot(R, pos, focal, camera_axes="opencv", up="+z", fps=24.0, where="test", name="given",
                       source="test", notes=[], subject=[0.0, 4.0, 1.5])
    assert estimated_subject(est) and not estimated_subject(given)
    a, b = eng.describe(est), eng.describe(given)
    assert a.reading == "geometry" and a.geometry["subject_source"] != "given" and "pans left 60" in a.caption
    assert b.reading == "model" and b.geometry["subject_source"] == "given"
    # no subject at all works too (it used to be an error): the model sees the readers' placeholder
    c = eng.describe(Shot(traj))
    assert c.reading == "geometry" and set(c.fields) == set(a.fields) and c.notes[0].startswith("no subject")


def test_description_keeps_its_old_constructor_and_fields(eng):
    d = Description({"movement": [("static", 1.0)]}, "the camera holds still", 0.0)
    assert (d.shake, d.motion_magnitude, d.reading, d.geometry) == (0.0, 0, "model", {})
    out = eng.describe(simulate_batch(1, frames=30, seed=1).shot(0)).as_dict()
    assert list(out)[:3] == ["caption", "motion", "fields"]
    assert {"shake", "motion_magnitude", "reading", "geometry"} <= set(out)
    assert {"movement", "amounts", "subject_source"} <= set(out["geometry"])
    copy.deepcopy(out)


def test_up_auto_keeps_a_roll_under_shake_a_roll():
    """A 35-degree roll at a 25-degree tilt under strong handheld shake (1.5x, every CC0 profile), the world leaned
    20 degrees: the shake makes the views wander, but the rights still turn about the view, so up auto does not
    take their plane for a horizon (which put up along the view: 65-114 degrees off, read as a pan). Only the mean
    right vector is levelled, so the lean about it stays (under 25 degrees)."""
    from lenscraft_core.formats.rotations import resolve_up
    from lenscraft_core.shake import apply_shake, shake_offsets, shake_profiles

    F, fps = 120, 24.0
    u = np.linspace(0.0, 1.0, F)
    q = geo.camera_quat_from_yaw_pitch_roll(np.zeros(F), np.full(F, np.radians(25.0)),
                                            np.radians(35.0) * (3 * u ** 2 - 2 * u ** 3))
    for seed in range(20):
        rng = np.random.default_rng(seed)
        profile = shake_profiles()[seed % len(shake_profiles())]
        t = apply_shake(Trajectory(np.tile([0.0, -4.0, 1.5], (F, 1)), q, np.full(F, 35.0), fps=fps),
                        shake_offsets(F, fps, 1.5, profile, seed))
        W = geo.axis_angle_matrix(geo.normalize(rng.normal(size=3)), np.radians(20.0))
        W_back, _, note = resolve_up("auto", W @ t.matrices, "opengl")
        up = W_back @ W @ np.array([0.0, 0.0, 1.0])
        assert np.degrees(np.arccos(np.clip(up[2], -1.0, 1.0))) < 25.0, (seed, profile, note)


def test_a_vertical_views_other_name_is_in_the_describe_json(eng):
    """Straight down, a pedestal down is a push along the view: describe's geometry names both (also_reads_as) and
    says so in a note and in the geometric caption; a level shot has no second name."""
    down = simulate_batch(3, frames=48, seed=5, labels={"movement": "pedestalDown", "angle": "overhead"},
                          jitter=False).shots()
    for shot in down:
        d = eng.describe(shot)
        assert (d.geometry["movement"], d.geometry["also_reads_as"]) == ("dollyIn", "pedestalDown"), d.geometry
        assert any("same path as pedestalDown" in n for n in d.notes)
        alone = eng.describe(_subject_free(shot))  # the geometric caption (an object's caption is the model's)
        assert "the view is vertical: the same path as the camera that lowers on a pedestal" in alone.caption
    level = simulate_batch(1, frames=48, seed=5, labels={"movement": "pedestalDown", "angle": "mediumAngle"},
                           jitter=False).shots()[0]
    assert eng.describe(level).geometry["also_reads_as"] is None and "vertical" not in eng.describe(level).caption
