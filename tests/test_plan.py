"""The shot planner (lenscraft_core/plan.py), graded by the geometric judge and by direct geometry, never by the model:
every movement with only the movement stated, exact amounts, speeds, clean channels, closed orbits, sequences that
join continuously, a person framed by the body."""

from __future__ import annotations

import numpy as np
import pytest

from lenscraft_core import body, geometry as geo
from lenscraft_core.errors import LensCraftError
from lenscraft_core.judge import judge_shot
from lenscraft_core.moves import Move, Segment
from lenscraft_core.plan import plan_shot, segment_label, segments_from_movement
from lenscraft_core.schema import Subject
from lenscraft_core.vocabulary import MOVEMENT

PERSON = Subject([0.0, 0.0, 0.9], [0.5, 0.35, 1.8], name="person", object_class="person")
BOX = Subject([1.0, -2.0, 0.3], [0.6, 0.6, 0.6], name="crate")
SINGLE = [m.name for m in MOVEMENT if m.params.get("kind") not in ("static", "follow", "track")]


def _ypr(shot):
    return geo.yaw_pitch_roll(geo.quat_to_matrix(shot.trajectory.rotation))


@pytest.mark.parametrize("subject", [PERSON, BOX], ids=["person", "object"])
@pytest.mark.parametrize("movement", SINGLE)
def test_only_the_movement_stated_gives_that_move(subject, movement):
    shot = plan_shot(subject, {"movement": movement}, frames=72, fps=24.0)
    v = judge_shot(shot, subject)
    assert v.movement == movement, (movement, v.movement, v.amounts)


@pytest.mark.parametrize("movement", ["panLeft", "tiltUp", "truckRight", "pedestalUp", "dollyIn", "rollLeft",
                                      "shortArcShotLeft"])
def test_channels_a_move_does_not_drive_stay_exactly_constant(movement):
    shot = plan_shot(BOX, {"movement": movement}, frames=48)
    t = shot.trajectory
    kind = MOVEMENT[movement].params["kind"]
    assert np.ptp(t.focal_length) == 0.0  # no zoom: not a hair of focal drift
    if kind not in ("roll",):
        assert np.abs(_ypr(shot)[:, 2]).max() < 1e-9
    if kind in ("pan", "tilt", "roll"):
        assert np.ptp(t.position, axis=0).max() < 1e-12


def test_stated_amounts_are_performed_exactly_and_orbits_close():
    shot = plan_shot(BOX, {"movement": "panLeft"}, [Segment((Move("panLeft", 90.0),))], frames=96)
    yaw = np.unwrap(_ypr(shot)[:, 0])
    assert np.degrees(yaw[-1] - yaw[0]) == pytest.approx(90.0, abs=1e-9)
    full = plan_shot(PERSON, {"movement": "fullArcShotRight"}, frames=120)
    p = full.trajectory.position
    assert np.linalg.norm(p[0] - p[-1]) < 1e-9
    r = np.linalg.norm(p[:, :2] - PERSON.position[:2], axis=1)
    assert np.ptp(r) / r.mean() < 1e-9  # a constant radius (the limit: 2 %)


def test_a_whip_pan_is_fast_and_a_slow_pan_is_slow():
    whip = plan_shot(BOX, {}, [Segment((Move("panLeft", speed="whip"),))], frames=48)
    slow = plan_shot(BOX, {}, [Segment((Move("panLeft", speed="slow"),))], frames=48)
    rate = lambda s: np.degrees(np.abs(np.diff(np.unwrap(_ypr(s)[:, 0])))).max() * 24.0  # noqa: E731
    assert rate(whip) > 200.0
    assert rate(slow) < 15.0
    assert judge_shot(whip, BOX).movement == "panLeft"


def test_a_sequence_runs_in_order_and_joins_without_jumps():
    segs = [Segment((Move("dollyIn"),)), Segment((Move("shortArcShotRight"),)), Segment(())]
    shot = plan_shot(PERSON, {}, segs, frames=96)
    spans = shot.metadata["segment_frames"]
    assert [ins.movement for ins in shot.instructions] == ["dollyIn", "shortArcShotRight", "static"]
    p = shot.trajectory.position
    step = np.linalg.norm(np.diff(p, axis=0), axis=1)
    for _, join in spans[:-1]:  # continuous at a join: the segments ease out and in there, no jump
        assert max(step[join - 1], step[join]) < 0.05 * step.max()
    for (a, b), want in zip(spans, ["dollyIn", "shortArcShotRight"]):
        part = shot.trajectory.slice(a, b + 1)
        assert judge_shot(part, PERSON).movement == want
    assert np.ptp(p[spans[2][0]:], axis=0).max() < 1e-12  # the hold holds


def test_two_moves_at_once_keep_their_own_directions():
    shot = plan_shot(BOX, {}, [Segment((Move("tiltUp"), Move("panRight")))], frames=72)
    v = judge_shot(shot, BOX)
    assert set(v.moves) == {"tiltUp", "panRight"}


def test_segment_labels():
    assert segment_label(Segment(())) == "static"
    assert segment_label(segments_from_movement("panAndTilt")[0]) == "panAndTilt"
    # no compound label has exactly pan right + tilt up (panAndTilt is pan left + tilt down): the first move names it
    assert segment_label(Segment((Move("tiltUp"), Move("panRight")))) == "tiltUp"


def test_person_close_up_frames_the_head_and_the_camera_stays_off_the_floor():
    # moves that keep the shot size (a push-in from a close-up ends tighter, an extreme close-up, by design)
    for angle, movement in (("lowAngle", "shortArcShotLeft"), ("mediumAngle", "panLeft"), ("highAngle", "zoomOut")):
        shot = plan_shot(PERSON, {"movement": movement, "shot_type": "closeUp", "angle": angle}, frames=48)
        t = shot.trajectory
        assert t.position[:, 2].min() >= 0.25 - 1e-9
        cut = body.head_cut(t.position, t.matrices, t.focal_length, PERSON, t.sensor_width, t.aspect)
        assert not np.any(cut), angle
        size = body.person_shot_size(t.position[:1], t.matrices[:1], t.focal_length[:1], PERSON, t.sensor_width,
                                     t.aspect)
        from lenscraft_core.vocabulary import SHOT_TYPE
        assert SHOT_TYPE.names[int(np.asarray(size).reshape(-1)[0])] == "closeUp"


def test_bad_requests_are_named():
    with pytest.raises(LensCraftError):
        plan_shot(BOX, {"movement": "nonsense"})
    with pytest.raises(LensCraftError):
        Move("panAndTilt")  # a compound label is two moves, not one


@pytest.mark.parametrize("bad,says", [
    ({"segments": "pan"}, "list of moves.Segment"),
    ({"segments": [{"moves": [{"movement": "panLeft", "amount": float("nan")}]}]}, "amount must be a number"),
    ({"segments": [{"moves": [{"movement": "nope"}]}]}, "unknown movement 'nope'"),
    ({"segments": [{"moves": [{"movement": "panLeft"}], "share": 2}]}, "share must be in"),
    ({"shake": -1}, "shake must be an amplitude"),
])
def test_bad_segment_requests_through_the_engine_are_named(bad, says):
    from lenscraft_core.inference import load_engine

    with pytest.raises(LensCraftError, match=says):
        load_engine().generate(PERSON, bad)


def test_a_crane_over_the_subject_tilts_to_keep_it_and_a_plain_pedestal_does_not():
    over = plan_shot(PERSON, {}, [Segment((Move("pedestalUp", 1.0, "frame"),))], frames=96)
    plain = plan_shot(PERSON, {}, [Segment((Move("pedestalUp"),))], frames=96)
    t = over.trajectory
    assert not body.head_cut(t.position, t.matrices, t.focal_length, PERSON, t.sensor_width, t.aspect).any()
    assert set(judge_shot(over, PERSON).moves) == {"pedestalUp", "tiltDown"}
    assert judge_shot(plain, PERSON).moves == ("pedestalUp",)
    assert np.ptp(_ypr(plain)[:, 1]) < 1e-12  # a pedestal alone keeps its pitch exactly
    # only the words make a crane: a fast pedestal's large default and a pedestal sized in metres stay plain
    for seg in (Segment((Move("pedestalDown", speed="fast"),)), Segment((Move("pedestalUp", 1.5, "m"),))):
        shot = plan_shot(PERSON, {}, [seg], frames=96)
        assert np.ptp(_ypr(shot)[:, 1]) < 1e-12, seg


def _close_cuts(shot, subject=PERSON):
    t = shot.trajectory
    size = body.person_shot_size(t.position, t.matrices, t.focal_length, subject, t.sensor_width, t.aspect)
    cut = body.head_cut(t.position, t.matrices, t.focal_length, subject, t.sensor_width, t.aspect)
    close = np.isin(size, [body.SHOT_TYPE.index(n) for n in body.HEAD_KEPT_SIZES])
    return int((cut & close).sum()), int(close.sum())


# Each of these cut the head on a close person before head_room.py (a default tilt / pedestal down carries the head
# out of the top, a zoom in from a close-up magnifies it past the edge, a truck runs it out of the side).
HEAD_MOVES = [("tiltDown", {}), ("pedestalDown", {}), ("fullZoomIn", {}), ("panAndTilt", {}), ("zoomAndTruck", {}),
              ("fullZoomIn", {"shot_type": "closeUp"}), ("tiltDown", {"shot_type": "closeUp"}),
              ("halfZoomIn", {"angle": "highAngle", "shot_type": "closeUp", "view": "frontRight"}),
              ("truckRight", {"easing": "easeOutCubic", "angle": "highAngle", "shot_type": "closeUp",
                              "view": "backRight"}),
              ("dollyOutZoomIn", {"easing": "easeOutCirc", "angle": "highAngle", "shot_type": "closeUp",
                                  "view": "frontRight"}),
              ("zoomAndTruck", {"easing": "easeInQuint", "shot_type": "closeUp", "view": "backRight"})]


@pytest.mark.parametrize("movement, more", HEAD_MOVES, ids=[f"{m}-{'-'.join(x.values()) or 'MS'}"
                                                            for m, x in HEAD_MOVES])
def test_a_close_person_keeps_the_head_in_frame_through_unstated_moves(movement, more):
    labels = {"movement": movement, **more}
    shot = plan_shot(PERSON, labels, frames=60, fps=24.0)
    cut, close = _close_cuts(shot)
    assert close > 0 and cut == 0, (labels, cut, close, shot.metadata.get("notes"))
    assert judge_shot(shot, PERSON).movement == movement
    t = shot.trajectory  # the first frame keeps the asked size
    size0 = body.person_shot_size(t.position[:1], t.matrices[:1], t.focal_length[:1], PERSON, t.sensor_width,
                                  t.aspect)[0]
    assert body.SHOT_TYPE.names[int(size0)] == more.get("shot_type", "mediumShot")


def test_a_close_up_zoom_in_lowers_the_eyes_and_keeps_its_full_zoom():
    shot = plan_shot(PERSON, {"movement": "fullZoomIn", "shot_type": "closeUp"}, frames=60)
    f = shot.trajectory.focal_length
    assert f[-1] / f[0] >= 2.0 ** 0.75  # still read as a full zoom
    assert any("eyes sit at" in n for n in shot.metadata["notes"])


def test_stated_and_fast_amounts_stay_exact_even_when_they_cut_the_head():
    seg = Segment((Move("tiltDown", 20.0),))
    shot = plan_shot(PERSON, {"shot_type": "closeUp"}, segments=[seg], frames=48)
    assert shot.metadata["segments"][0]["moves"][0]["amount"] == 20.0
    assert _close_cuts(shot)[0] > 0
    assert any("as stated" in n for n in shot.metadata["notes"])
    whip = plan_shot(PERSON, {"movement": "panLeft"}, segments=[Segment((Move("panLeft", speed="whip"),))],
                     frames=48)
    assert judge_shot(whip, PERSON).amounts["pan"] == pytest.approx(90.0, abs=0.5)


def test_amounts_a_caller_filled_may_be_bounded_when_it_says_they_were_open():
    """The learned generator fills the open amounts before planning: with open_segments those stay boundable (the
    head kept), without them they are the caller's stated amounts, performed exactly."""
    asked = [Segment((Move("tiltDown"),))]
    filled = [Segment((Move("tiltDown", 10.0),))]
    exact = plan_shot(PERSON, {"shot_type": "closeUp"}, segments=filled, frames=48)
    assert exact.metadata["segments"][0]["moves"][0]["amount"] == 10.0 and _close_cuts(exact)[0] > 0
    kept = plan_shot(PERSON, {"shot_type": "closeUp"}, segments=filled, frames=48, open_segments=asked)
    assert _close_cuts(kept)[0] == 0 and kept.metadata["segments"][0]["moves"][0]["amount"] < 10.0
    assert judge_shot(kept, PERSON).movement == "tiltDown"
    with pytest.raises(LensCraftError, match="open_segments"):
        plan_shot(PERSON, {}, segments=filled, frames=48, open_segments=[Segment((Move("panLeft"),))])


def test_a_follow_picks_the_subject_up_and_lets_it_go_without_a_jerk():
    """hold, follow, hold on a walking person: the camera starts and stops with continuous velocity and
    acceleration (no jerk spike at the joins), and over the follow it travels exactly as far as the subject."""
    frames, fps = 120, 24.0
    walk = PERSON.position + np.arange(frames)[:, None] / fps * np.array([0.0, 1.0, 0.0])
    subject = Subject(PERSON.position, PERSON.size, name="walker", object_class="person", motion_position=walk)
    segs = [Segment(()), Segment((Move("follow"),)), Segment(())]
    shot = plan_shot(subject, {}, segs, frames=frames, fps=fps, floor=None)
    pos = shot.trajectory.position
    (a0, b0), (a1, b1), _ = shot.metadata["segment_frames"]
    velocity = np.gradient(pos, axis=0)
    assert np.linalg.norm(velocity[a1]) < 1e-3 and np.linalg.norm(velocity[b1]) < 1e-3  # from rest, to rest
    jerk = np.linalg.norm(np.diff(pos, 3, axis=0), axis=1)
    inside = jerk[a1 + 3:b1 - 3].max()
    for join in (a1, b1):
        assert jerk[join - 2:join + 2].max() <= 2 * inside
    assert np.allclose(pos[b1] - pos[a1], walk[b1] - walk[a1], atol=1e-9)


def test_a_shot_level_ease_in_out_over_a_sequence_has_no_jerk_at_the_joins():
    """hold, then push in, with the shot's easing stated as in-out sine (its acceleration steps at its ends): the
    sequence eases on SEQUENCE_EASING, so the push starts from the hold without a jerk spike."""
    segs = [Segment((), share=0.25), Segment((Move("dollyIn"),))]
    shot = plan_shot(PERSON, {"easing": "easeInOutSine"}, segs, frames=96)
    pos = shot.trajectory.position
    jerk = np.linalg.norm(np.diff(pos, 3, axis=0), axis=1)
    (_, join), (a, b) = shot.metadata["segment_frames"]
    assert jerk[join - 2:join + 2].max() <= 2 * jerk[a + 3:b - 3].max()
    single = plan_shot(PERSON, {"easing": "easeInOutSine"}, [Segment((Move("dollyIn"),))], frames=96)
    p = single.trajectory.position  # one move keeps the stated curve: its speed peaks at pi / 2 x its mean
    speed = np.linalg.norm(np.diff(p, axis=0), axis=1)
    assert speed.max() / speed.mean() == pytest.approx(np.pi / 2, rel=0.02)
