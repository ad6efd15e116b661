"""lenscraft_core.clearance: camera paths kept off the floor and out of obstacles, smoothly, still framing the aim."""

from __future__ import annotations

import numpy as np
import pytest

from lenscraft_core import clearance as C
from lenscraft_core import geometry as G
from lenscraft_core.errors import LensCraftError

F = 96
AIM = np.array([0.0, 0.0, 1.0])
SMALL_JERK = C.MAX_CORRECTION_JERK * 1.05  # metres per frame^3 a correction may add to the move's own jerk


def jerk(p):
    """Largest frame-to-frame change of acceleration (third difference) of a path (F, 3)."""
    return float(np.abs(np.diff(p, 3, axis=0)).max())


def on_screen(points, pos, rot):
    ndc, depth = G.project(np.broadcast_to(points, pos.shape)[:, None], pos, rot, np.full(len(pos), 35.0), 36.0,
                           16 / 9)
    return ndc[:, 0], depth[:, 0]


def orbit(radius=5.0, height=1.5, frames=F, roll=0.0):
    ang = np.linspace(0.0, 2 * np.pi, frames)
    eye = np.stack([radius * np.cos(ang), radius * np.sin(ang), np.full(frames, height)], 1)
    return eye, G.matrix_to_quat(G.look_at(eye, AIM, roll=roll))


def test_a_dip_through_the_floor_is_lifted_smoothly_and_keeps_the_aim_on_screen():
    t = np.linspace(0.0, 1.0, F)
    eye, _ = orbit()
    eye[:, 2] = 0.6 - 1.2 * np.sin(np.pi * t)  # dives 0.6 m under the floor mid-orbit
    aim = AIM + [0.3, 0.0, 0.1]  # framed off centre, with a rolled camera
    rot = G.matrix_to_quat(G.look_at(eye, AIM, roll=0.2)) * np.where(np.arange(F) % 2, 1.0, -1.0)[:, None]
    out = C.keep_clear(eye, rot, aim, floor=0.0)
    assert out.moved and out.notes == []
    assert out.position[:, 2].min() >= 0.25
    assert np.array_equal(out.position[:, :2], eye[:, :2])  # lifted straight up
    assert jerk(out.position) <= jerk(eye) + SMALL_JERK
    clamped, _ = G.keep_above_floor(eye, rot, np.broadcast_to(aim, eye.shape), 0.25)
    assert jerk(clamped) > 10 * SMALL_JERK  # the flat clamp this replaces would fail that test
    (before, _), (after, depth) = on_screen(aim, eye, rot), on_screen(aim, out.position, out.rotation)
    assert np.abs(after - before).max() < 1e-9 and depth.min() > 0
    ypr0, ypr = G.yaw_pitch_roll(G.quat_to_matrix(rot)), G.yaw_pitch_roll(G.quat_to_matrix(out.rotation))
    assert np.abs(ypr[:, 2] - ypr0[:, 2]).max() < 1e-9  # the roll is kept
    lifted = out.position[:, 2] > eye[:, 2]
    assert np.all(ypr[lifted, 1] < ypr0[lifted, 1])  # a lifted camera looks down more at the same point
    assert np.all(np.sum(out.rotation[1:] * out.rotation[:-1], -1) > 0)  # continuous quaternions


def test_a_crane_that_starts_in_the_floor_still_rises():
    t = np.linspace(0.0, 1.0, 48)
    eye = np.stack([np.zeros(48), np.full(48, -6.0), -0.5 + 3.5 * t], 1)
    rot = G.matrix_to_quat(G.look_at(eye, AIM))
    out = C.keep_clear(eye, rot, AIM, floor=0.0)
    z = out.position[:, 2]
    assert z.min() >= 0.25 and z[-1] == eye[-1, 2]
    assert np.all(np.diff(z) > 0.02)  # still a crane up, never a parked camera that only tilts
    assert jerk(out.position) <= jerk(eye) + SMALL_JERK
    pitch, pitch0 = (G.yaw_pitch_roll(G.quat_to_matrix(r))[:, 1] for r in (out.rotation, rot))
    assert 0 < pitch[0] < pitch0[0]  # still a low angle looking up at the aim, a little less steeply from higher


def test_a_path_already_clear_is_returned_bit_for_bit():
    eye, rot = orbit()
    crate = C.Box([0.0, 0.0, 0.5], [1.0, 1.0, 1.0], name="Crate")
    out = C.keep_clear(eye, rot, AIM, floor=0.0, obstacles=[crate])
    assert not out.moved and out.notes == []
    assert np.array_equal(out.position, eye) and np.array_equal(out.rotation, rot)
    assert out.position.tobytes() == eye.tobytes() and out.rotation.tobytes() == rot.tobytes()


@pytest.mark.parametrize("box, way", [
    (C.Box([-5.0, 0.0, 0.5], [1.5, 1.5, 2.0], name="Crate"), "up"),  # low: over the top is shortest
    (C.Box([-5.0, 0.0, 1.5], [1.0, 1.0, 3.0], G.matrix_to_quat(G.axis_rotation(2, np.array(0.4))), "Pillar"),
     "sideways"),
])
def test_an_orbit_through_a_box_keeps_out_of_it(box, way):
    eye, rot = orbit()
    assert box.contains(eye, 0.1).any()
    out = C.keep_clear(eye, rot, AIM, floor=0.0, obstacles=[box])
    assert out.moved and out.notes == []
    assert not box.contains(out.position, 0.1).any()
    moved = np.any(out.position != eye, axis=1)
    assert 0 < moved.sum() < 3 * F // 4 and not moved[:12].any() and not moved[-12:].any()  # around the pass only
    if way == "up":
        assert np.allclose(out.position[:, :2], eye[:, :2]) and out.position[:, 2].max() > 1.6
    else:
        assert np.allclose(out.position[:, 2], eye[:, 2]) and np.linalg.norm(out.position[:, :2], axis=1).min() < 4.5
    assert jerk(out.position) <= jerk(eye) + SMALL_JERK
    (before, _), (after, _) = on_screen(AIM, eye, rot), on_screen(AIM, out.position, out.rotation)
    assert np.abs(after - before).max() < 1e-9


def test_a_box_that_cannot_be_left_is_left_alone_with_a_note():
    x = np.linspace(-4.0, 4.0, F)
    eye = np.stack([x, np.zeros(F), np.full(F, 1.0)], 1)  # along a corridor, through a crate that fills it
    aim = np.array([0.0, -6.0, 1.0])
    rot = G.matrix_to_quat(G.look_at(eye, aim))
    crate = C.Box([0, 0, 1], [2, 2, 2], name="Crate")
    walls = [C.Box([0, 1.65, 1], [20, 1, 4], name="Wall L"), C.Box([0, -1.65, 1], [20, 1, 4], name="Wall R"),
             C.Box([0, 0, 2.65], [20, 4.4, 1], name="Ceiling")]
    out = C.keep_clear(eye, rot, aim, floor=0.0, obstacles=[crate, *walls], first_frame=1)
    inside = np.flatnonzero(crate.contains(eye, 0.1))
    assert out.notes == [f"could not keep clear of 'Crate' on frames {inside[0] + 1}-{inside[-1] + 1}"]
    assert not out.moved and np.array_equal(out.position, eye)
    # without the walls it goes round the crate
    free = C.keep_clear(eye, rot, aim, floor=0.0, obstacles=[crate])
    assert free.notes == [] and not crate.contains(free.position, 0.1).any()


def test_a_camera_that_starts_inside_a_box_stays_there():
    eye, rot = orbit()
    room = C.Box([5.0, 0.0, 1.5], [1.0, 1.0, 1.0], name="Room")
    out = C.keep_clear(eye, rot, AIM, floor=None, obstacles=[room])
    assert out.notes[0].startswith("the camera starts inside 'Room'")
    first_pass = np.flatnonzero(room.contains(eye, 0.1) & (np.arange(F) < F // 2))
    assert np.array_equal(out.position[first_pass], eye[first_pass])


@pytest.mark.parametrize("change, message", [
    (lambda a: a.update(position=np.full((F, 3), np.nan)), "non-finite"),
    (lambda a: a.update(position=np.zeros((F, 2))), "shape"),
    (lambda a: a.update(rotation=a["rotation"][:-1]), "frames"),
    (lambda a: a.update(rotation=a["rotation"] * 2), "unit quaternion"),
    (lambda a: a.update(aim=np.zeros((3, 3))), "aim point"),
    (lambda a: a.update(aim=a["position"][0] * 1.0, position=np.broadcast_to(a["position"][0], (F, 3))),
     "coincides"),
    (lambda a: a.update(floor=float("nan")), "floor"),
    (lambda a: a.update(clearance=-1.0), "clearance"),
    (lambda a: a.update(obstacles=[(0, 0, 0)]), "clearance.Box"),
])
def test_bad_input_is_a_lenscraft_error(change, message):
    eye, rot = orbit()
    args = dict(position=eye, rotation=rot, aim=AIM, floor=0.0)
    change(args)
    with pytest.raises(LensCraftError, match=message):
        C.keep_clear(**args)


def test_bad_boxes_are_lenscraft_errors():
    with pytest.raises(LensCraftError, match="size must be positive"):
        C.Box([0, 0, 0], [1, 0, 1], name="Flat")
    with pytest.raises(LensCraftError, match="non-finite"):
        C.Box([0, np.inf, 0], [1, 1, 1])
    with pytest.raises(LensCraftError, match="shape"):
        C.Box([0, 0], [1, 1, 1])


def test_smooth_lift_covers_the_need_and_is_zero_away_from_it():
    need = np.zeros(300)
    need[100:130] = 2.0 * np.sin(np.linspace(0.2, np.pi - 0.2, 30))
    need[200] = 0.4
    lift = C.smooth_lift(need)
    assert np.all(lift >= need) and lift[:40].max() == 0.0 and lift[-40:].max() == 0.0
    assert float(np.abs(np.diff(lift, 3)).max()) <= SMALL_JERK
