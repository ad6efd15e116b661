"""Body-aware framing for people (lenscraft_core/body.py): the start pose and the judge's classifiers agree on every
shot size x angle x view over lenses, statures and sensors; the frame keeps the head, the eye line and the looking
room where cinematography puts them; the floor holds the lens up; bad input is a LensCraftError."""

import itertools

import numpy as np
import pytest

from lenscraft_core import body
from lenscraft_core import geometry as geo
from lenscraft_core.errors import LensCraftError
from lenscraft_core.schema import Subject
from lenscraft_core.vocabulary import ANGLE, SHOT_TYPE, VIEW

STATURES = (0.9, 1.8, 2.2)
FOCALS = (18.0, 50.0, 135.0)
SENSORS = ((36.0, 1.5), (36.0, 16 / 9), (36.0, 9 / 16), (23.5, 2.39))
AZIMUTH = np.array([v.params["azimuth_deg"] for v in VIEW])


def _person(stature=1.8, yaw=0.0, at=(0.0, 0.0), feet=0.0, name="actor", cls="person"):
    q = [np.cos(yaw / 2), 0.0, 0.0, np.sin(yaw / 2)]
    return Subject([at[0], at[1], feet + stature / 2], [0.3 * stature, 0.22 * stature, stature], q, name, cls)


@pytest.fixture(scope="module", params=SENSORS, ids=lambda s: f"{s[0]:g}mm-{s[1]:.2f}")
def grid(request):
    """Every size x angle x view x lens x stature, people facing every way, posed at once."""
    sw, aspect = request.param
    combos = np.array(list(itertools.product(range(len(SHOT_TYPE)), range(len(ANGLE)), range(len(VIEW)),
                                             range(len(FOCALS)), range(len(STATURES)))))
    size, angle, view, fi, si = combos.T
    n = len(combos)
    H, focal = np.array(STATURES)[si], np.array(FOCALS)[fi]
    yaw = np.linspace(-3.0, 3.0, n)
    centre = np.stack([3 * np.sin(yaw), 2 * np.cos(yaw), 0.4 + H / 2], -1)  # feet 0.4 m up: a floor off z = 0
    rot = np.stack([np.cos(yaw / 2), 0 * yaw, 0 * yaw, np.sin(yaw / 2)], -1)
    anchors = body.anchors_from_arrays(centre, np.stack([0.3 * H, 0.22 * H, H], -1), rot)
    pose = body.start_pose_arrays(anchors, size, angle, AZIMUTH[view], focal, sw, aspect, anchors.feet, 0.25)
    R = geo.quat_to_matrix(pose["rotation"])
    return dict(sw=sw, aspect=aspect, size=size, angle=angle, view=view, focal=focal, H=H, anchors=anchors,
                pose=pose, R=R)


def _ndc(g, points):
    return geo.project(points, g["pose"]["position"], g["R"], g["focal"], g["sw"], g["aspect"])


def test_sizes_and_angles_round_trip(grid):
    g = grid
    got_size = body.shot_size_arrays(g["pose"]["position"], g["R"], g["focal"], g["anchors"], g["sw"], g["aspect"])
    got_angle = body.angle_arrays(g["pose"]["position"], g["R"], g["anchors"])
    np.testing.assert_array_equal(got_size, g["size"])
    np.testing.assert_array_equal(got_angle, g["angle"])


def test_head_in_frame_on_cu_to_fs_and_cut_on_ecu(grid):
    g = grid
    ndc, depth = _ndc(g, body._head_points(g["anchors"]))
    cut = ~np.all((depth > 0) & np.all(np.abs(ndc) <= 1, -1), -1)
    keep = np.isin(g["size"], [SHOT_TYPE.index(n) for n in ("closeUp", "mediumCloseUp", "mediumShot", "fullShot")])
    assert not cut[keep].any()
    assert cut[g["size"] == SHOT_TYPE.index("extremeCloseUp")].all()


def test_eyes_on_the_upper_third_on_cu_mcu_ms(grid):
    """Landscape frames, eye level, low and high: the eyes within the upper-third band (0.58-0.75 of the frame
    height up; from a high angle through an 18 mm lens the near, magnified head needs the room and the eyes drop to
    >= 0.5); on the line itself (2/3, within 0.02) at eye level. Portrait frames put the eyes on the line when the
    head's width allows it (long lenses) and lower otherwise (the bottom cut, i.e. the size, comes first)."""
    g = grid
    eye = np.concatenate([g["anchors"].axis, g["anchors"].eyes[:, None]], -1)[:, None]
    up = (_ndc(g, eye)[0][:, 0, 1] + 1) / 2
    close = np.isin(g["size"], [SHOT_TYPE.index(n) for n in ("closeUp", "mediumCloseUp", "mediumShot")])
    if g["aspect"] < 1:
        long_lens = close & (g["focal"] >= 135) & (g["angle"] <= ANGLE.index("mediumAngle"))
        assert np.abs(up[long_lens] - 2 / 3).max() < 1e-3 and np.all((up[close] > 0.3) & (up[close] < 0.75))
        return
    side_on = g["angle"] <= ANGLE.index("highAngle")
    wide_high = (g["angle"] == ANGLE.index("highAngle")) & (g["focal"] < 24)
    assert np.all(up[close & side_on & ~wide_high] > 0.58) and np.all(up[close & side_on] < 0.75)
    assert np.all(up[close & wide_high] >= 0.5)
    level = close & (g["angle"] == ANGLE.index("mediumAngle")) & (g["aspect"] >= 1)
    assert np.abs(up[level] - 2 / 3).max() < 0.02  # 18 mm: the near head takes a little of the room


def test_lens_heights_follow_the_angle(grid):
    g = grid
    a, pos = g["anchors"], g["pose"]["position"]
    pitch = np.degrees(geo.yaw_pitch_roll(g["R"])[:, 1])
    level = g["angle"] == ANGLE.index("mediumAngle")
    assert np.abs(pos[level, 2] - a.eyes[level]).max() < 0.02
    low = g["angle"] == ANGLE.index("lowAngle")
    assert np.all(pos[low, 2] < a.eyes[low]) and np.all(pitch[low] > 0)
    high = g["angle"] >= ANGLE.index("highAngle")
    assert np.all(pos[high, 2] > a.eyes[high]) and np.all(pitch[high] < 0)
    assert np.all(pitch[g["angle"] == ANGLE.index("overhead")] < -89.9)
    assert pos[:, 2].min() >= (a.feet + 0.25).min() - 1e-9 and np.all(pos[:, 2] >= a.feet + 0.25 - 1e-9)
    # not floor-held: the lens sits at the label's elevation as seen from the eyes
    free = ~g["pose"]["floor_limited"] & (g["angle"] != ANGLE.index("overhead"))
    rise = pos[:, 2] - a.eyes
    elevation = np.degrees(np.arctan2(rise, np.linalg.norm(pos[:, :2] - a.axis, axis=-1)))
    want = np.array([lbl.params["elevation_deg"] for lbl in ANGLE])[g["angle"]]
    assert np.abs(elevation - want)[free].max() < 0.05
    assert g["pose"]["floor_limited"][low].any()  # wide low angles do reach the floor


def test_looking_room_on_the_side_the_subject_faces(grid):
    g = grid
    a = g["anchors"]
    eye = np.concatenate([a.axis, a.eyes[:, None]], -1)
    ndc = _ndc(g, np.stack([eye, eye + 0.02 * a.stature[:, None] * a.facing], 1))[0]  # a step it faces
    facing_x = ndc[:, 1, 0] - ndc[:, 0, 0]
    x = g["pose"]["subject_ndc_x"]
    np.testing.assert_allclose(ndc[:, 0, 0], x, atol=1e-6)  # the eyes sit where the pose says
    turned = (np.abs(np.sin(np.radians(AZIMUTH[g["view"]]))) > 0.5) & (g["angle"] <= ANGLE.index("highAngle"))
    placed = turned & (np.abs(x) > 1e-9)
    assert np.all(np.sign(facing_x[placed]) == -np.sign(x[placed]))  # more room on the side it faces
    profile = np.isin(g["view"], [VIEW.index("left"), VIEW.index("right")]) & turned & (g["aspect"] > 1.4)
    assert np.all(np.abs(x[profile & (g["size"] >= SHOT_TYPE.index("mediumShot"))]) > 0.3)
    front = g["view"] == VIEW.index("front")
    assert np.abs(x[front]).max() < 1e-9


def test_public_pose_matches_the_batch_and_reads_back():
    person = _person(1.8, yaw=0.7, at=(2.0, -1.0))
    for size, angle, view, focal in (("closeUp", "eye level", "left", 50.0), ("ms", "low", "3/4 left", 24.0),
                                     ("fullShot", "highAngle", "back", 35.0), ("els", "lowAngle", "front", 85.0),
                                     ("mcu", "birdsEyeView", "right", 85.0), ("ls", "overhead", "front", 18.0)):
        pose = body.person_start_pose(person, size, angle, body.view_azimuth(view), focal, 36.0, 16 / 9)
        assert pose.position.shape == (3,) and pose.rotation.shape == (4,) and pose.aim.shape == (3,)
        assert SHOT_TYPE.names[int(body.person_shot_size(pose.position, pose.rotation, focal, person, 36.0,
                                                         16 / 9))] == SHOT_TYPE.resolve(size)
        assert ANGLE.names[int(body.person_angle(pose.position, pose.rotation, person))] == ANGLE.resolve(angle)
        forward = geo.camera_forward(geo.quat_to_matrix(pose.rotation))
        assert np.dot(geo.normalize(pose.aim - pose.position), forward) > 1 - 1e-9
        assert pose.distance == pytest.approx(np.linalg.norm(pose.aim - pose.position))
        assert not pose.inside_subject


def test_a_close_up_frames_the_face_not_the_belt():
    """The issue's case: a 1.8 m character. Box framing put a close-up on the belt and eye level at the waist."""
    person = _person(1.8)
    pose = body.person_start_pose(person, "closeUp", "eye level", 0.0, 50.0, 36.0, 16 / 9)
    bottom, top = body.frame_cuts(pose.position, pose.rotation, 50.0, person, 36.0, 16 / 9)
    assert pose.position[2] == pytest.approx(0.936 * 1.8, abs=0.02)
    assert bottom == pytest.approx(0.76 * 1.8, abs=1e-3) and 1.8 < top < 1.9
    assert not body.head_cut(pose.position, pose.rotation, 50.0, person, 36.0, 16 / 9)
    medium = body.person_start_pose(person, "mediumShot", "eye level", 0.0, 50.0, 36.0, 16 / 9)
    assert body.frame_cuts(medium.position, medium.rotation, 50.0, person, 36.0, 16 / 9)[0] == pytest.approx(
        0.57 * 1.8, abs=1e-3)  # the waist, not the whole body
    assert body.frame_span(person, "closeUp") == pytest.approx((0.76 * 1.8, (0.76 + 1.5 * (0.936 - 0.76)) * 1.8))


def test_floor_holds_a_low_angle_up_and_it_looks_up_more():
    person = _person(1.8, feet=1.0)
    free = body.person_start_pose(person, "fullShot", "low", 0.0, 24.0, 36.0, 16 / 9)
    held = body.person_start_pose(person, "fullShot", "low", 0.0, 85.0, 36.0, 16 / 9, floor=1.0, clearance=0.3)
    assert not free.floor_limited and held.floor_limited
    assert held.position[2] == pytest.approx(1.3)
    pitch = np.degrees(geo.yaw_pitch_roll(geo.quat_to_matrix(held.rotation))[1])
    assert pitch > 0.5
    # a floor above what a low angle can use is refused, named
    with pytest.raises(LensCraftError, match="floor"):
        body.person_start_pose(person, "extremeLongShot", "low", 0.0, 50.0, 36.0, 16 / 9, floor=2.8)


def test_judge_reads_each_frame_of_a_moving_person():
    frames = 5
    person = _person(1.8)
    person.motion_position = np.array([[0.0, 0.0, 0.9 + 0.5 * i] for i in range(frames)])  # rising on a lift
    pose = body.person_start_pose(_person(1.8), "mediumCloseUp", "eye level", 0.0, 50.0, 36.0, 16 / 9)
    cam = np.repeat(pose.position[None], frames, 0)
    rot = np.repeat(pose.rotation[None], frames, 0)
    sizes = body.person_shot_size(cam, rot, np.full(frames, 50.0), person, 36.0, 16 / 9)
    assert sizes[0] == SHOT_TYPE.index("mediumCloseUp") and len(set(sizes.tolist())) > 1
    angles = body.person_angle(cam, rot, person)
    assert angles[0] == ANGLE.index("mediumAngle") and angles[-1] == ANGLE.index("lowAngle")
    assert body.head_cut(cam, rot, 50.0, person, 36.0, 16 / 9).tolist() == [False] + [True] * (frames - 1)


def test_is_person_spellings():
    assert body.PERSON_CLASSES[0] == "person"
    assert body.is_person(_person(cls="person")) and body.is_person(_person(cls=" Human "))
    assert not body.is_person(_person(cls="chair")) and not body.is_person(_person(cls=None))


@pytest.mark.parametrize("call", [
    lambda p, o: body.person_start_pose(o, "closeUp", "eye level", 0.0, 50.0, 36.0, 1.5),
    lambda p, o: body.person_start_pose(p, "closeUpish", "eye level", 0.0, 50.0, 36.0, 1.5),
    lambda p, o: body.person_start_pose(p, "closeUp", "sideways", 0.0, 50.0, 36.0, 1.5),
    lambda p, o: body.person_start_pose(p, "closeUp", "eye level", 0.0, -5.0, 36.0, 1.5),
    lambda p, o: body.person_start_pose(p, "closeUp", "eye level", float("nan"), 50.0, 36.0, 1.5),
    lambda p, o: body.person_start_pose(p, "closeUp", "eye level", 0.0, 50.0, 36.0, 1.5, clearance=-1.0),
    lambda p, o: body.person_shot_size(np.zeros(3), [1.0, 0, 0, 0], 50.0, o, 36.0, 1.5),
    lambda p, o: body.person_angle(np.zeros(3), [1.0, 0, 0, 0], o),
    lambda p, o: body.head_cut(np.zeros(3), [1.0, 0, 0, 0], 50.0, o, 36.0, 0.0),
    lambda p, o: body.person_anchors(Subject([0, 0, 1], [1.8, 0.3, 0.5], object_class="person")  # lying
                                     .__class__([0, 0, 1], [0.5, 0.3, 1.8], [0.7071, 0.7071, 0, 0], "lying",
                                                "person")),
], ids=["not-a-person", "unknown-size", "unknown-angle", "bad-focal", "bad-azimuth", "bad-clearance",
        "judge-object", "angle-object", "bad-aspect", "lying-down"])
def test_bad_inputs_are_named_errors(call):
    with pytest.raises(LensCraftError):
        call(_person(), _person(cls="car"))


def test_a_lower_eye_line_keeps_the_size_and_angle_and_adds_headroom():
    """eye_line (the planner's room for a move that would carry the head out of the top): eyes at mid-frame on an
    eye-level close-up, the bottom cut (the size) and the angle unchanged, the head further from the top edge."""
    p = _person()
    a = body.person_anchors(p)
    eye = np.array([[float(a.axis[0]), float(a.axis[1]), float(a.eyes)]])
    for size in ("closeUp", "mediumCloseUp", "mediumShot"):
        third = body.person_start_pose(p, size, "mediumAngle", 0.0, 85.0, 36.0, 16 / 9)
        mid = body.person_start_pose(p, size, "mediumAngle", 0.0, 85.0, 36.0, 16 / 9, eye_line=0.5)
        assert mid.frame_bottom == pytest.approx(third.frame_bottom, abs=1e-6)
        assert mid.frame_top > third.frame_top + 0.05
        ndc = geo.project(eye, mid.position, geo.quat_to_matrix(mid.rotation), 85.0, 36.0, 16 / 9)[0]
        assert abs(float(ndc[0, 1])) < 0.02  # the eyes on the middle line
        assert SHOT_TYPE.names[int(body.person_shot_size(mid.position, mid.rotation, 85.0, p, 36.0, 16 / 9))] == size


def test_no_lead_room_centres_a_profile():
    p = _person()
    side = body.person_start_pose(p, "closeUp", "mediumAngle", 90.0, 85.0, 36.0, 16 / 9)
    centred = body.person_start_pose(p, "closeUp", "mediumAngle", 90.0, 85.0, 36.0, 16 / 9, lead_room=0.0)
    assert abs(side.subject_ndc_x) > 0.2 and centred.subject_ndc_x == 0.0
    assert centred.frame_bottom == pytest.approx(side.frame_bottom, abs=1e-6)


def test_head_cut_margin_is_stricter_and_the_judge_reads_none():
    """margin_ndc asks the head to stay that far inside the edges: a close-up whose head reaches NDC `edge` passes
    margins under 1 - edge and fails those over it; the judge's reading (margin 0) is unchanged."""
    p = _person()
    pose = body.person_start_pose(p, "closeUp", "mediumAngle", 0.0, 85.0, 36.0, 16 / 9)
    args = (pose.position, pose.rotation, 85.0, p, 36.0, 16 / 9)
    ndc = geo.project(body._head_points(body.person_anchors(p)), pose.position, geo.quat_to_matrix(pose.rotation),
                      85.0, 36.0, 16 / 9)[0]
    room = 1.0 - float(np.abs(ndc).max())
    assert 0.0 < room < 0.5
    assert not body.head_cut(*args) and not body.head_cut(*args, margin_ndc=room - 1e-3)
    assert body.head_cut(*args, margin_ndc=room + 1e-3)
