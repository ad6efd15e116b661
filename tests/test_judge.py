"""The geometric judge (lenscraft_core/judge.py) on simulator shots with known labels: every single-move movement
reads back as its label, with and without the subject, scale-free, fps-aware, and shake measured."""

from __future__ import annotations

import copy
from collections import Counter

import numpy as np
import pytest

from lenscraft_core import geometry as geo
from lenscraft_core.judge import count_humps, judge_shot, smooth, steady_speeds, view_jitter
from lenscraft_core.schema import Shot, Subject, Trajectory
from lenscraft_core.simulate import simulate_batch, simulate_shot
from lenscraft_core.vocabulary import ANGLE, MOVEMENT

FRAMES = 60   # 2.5 s at 24 fps: an elastic full orbit in 30 frames turns over half a turn per frame (undersampled)
PER_LABEL = 40
SINGLE = [lbl.name for lbl in MOVEMENT if lbl.params["kind"] != "compound"]
COMPOUND = [lbl.name for lbl in MOVEMENT if lbl.params["kind"] == "compound"]
SUBJECT_RELATIVE = {"follow", "track"}  # without a subject these read as the camera's own dolly / truck
# Looking straight down, pan / roll / arc are one motion and so are dolly / pedestal (test_overhead_equivalences);
# the accuracy tests draw the other four angles.
NOT_OVERHEAD = [i for i, name in enumerate(ANGLE.names) if name != "overhead"]


def _batch(label: str, jitter: bool, seed: int, n: int = PER_LABEL, person_share: float = 0.0):
    rng = np.random.default_rng(seed)
    angles = rng.choice(NOT_OVERHEAD, n)
    # boxes by default; the judge with the subject reads people in
    # test_people_moves_read_as_asked_by_the_geometric_judge (test_simulate.py)
    return simulate_batch(n, frames=FRAMES, seed=seed, labels={"movement": label, "angle": angles}, jitter=jitter,
                          person_share=person_share)


def _accuracy(labels: list[str], jitter: bool, with_subject: bool, person_share: float = 0.0
              ) -> tuple[dict[str, float], dict[str, Counter]]:
    acc, confusion = {}, {}
    for k, label in enumerate(labels):
        b = _batch(label, jitter, seed=100 + k + (1000 if jitter else 0), person_share=person_share)
        said = Counter()
        for i in range(len(b)):
            shot = b.shot(i)
            said[judge_shot(shot, shot.subject if with_subject else None).movement] += 1
        acc[label] = said[label] / len(b)
        confusion[label] = said
    return acc, confusion


def _report(acc: dict[str, float], confusion: dict[str, Counter]) -> str:
    bad = [f"{k}: {100 * v:.0f}% {dict(confusion[k].most_common(4))}" for k, v in acc.items() if v < 0.95]
    return "per-label confusion of labels under 95 %:\n" + "\n".join(bad)


@pytest.mark.parametrize("jitter", [False, True])
def test_single_moves_with_subject(jitter):
    acc, confusion = _accuracy(SINGLE, jitter, with_subject=True)
    assert all(v >= 0.95 for v in acc.values()), _report(acc, confusion)


@pytest.mark.parametrize("person_share", [0.0, 1.0])
def test_camera_only_moves_without_subject(person_share):
    """Boxes and people. A person's orbit turns about the body's axis while the camera aims beside it (looking
    room): its rays meet in no point, and the judge takes the axis they are tangent about (judge_rays.py)."""
    labels = [name for name in SINGLE if name not in SUBJECT_RELATIVE]
    acc, confusion = _accuracy(labels, jitter=True, with_subject=False, person_share=person_share)
    assert all(v >= 0.95 for v in acc.values()), _report(acc, confusion)


def test_compound_moves_with_subject():
    acc, confusion = _accuracy(COMPOUND, jitter=True, with_subject=True)
    assert all(v >= 0.95 for v in acc.values()), _report(acc, confusion)


def test_overhead_equivalences():
    """Straight above the subject, pan / roll / arc of one sign are one motion (read as a pan, or an arc from 60
    degrees), and travel along the vertical view is a dolly; tilts, zooms and trucks read as themselves."""
    same = {"panLeft": {"panLeft"}, "rollLeft": {"panLeft"}, "shortArcShotLeft": {"shortArcShotLeft"},
            "pedestalUp": {"dollyOut"}, "dollyIn": {"dollyIn"}, "tiltUp": {"tiltUp"}, "halfZoomIn": {"halfZoomIn"},
            "truckRight": {"truckRight"}}
    for label, ok in same.items():
        b = simulate_batch(20, frames=FRAMES, seed=7, labels={"movement": label, "angle": "overhead"}, jitter=False)
        said = Counter(judge_shot(s, s.subject).movement for s in b.shots())
        assert sum(said[m] for m in ok) >= 19, (label, dict(said))


def test_a_vertical_views_path_carries_its_other_name():
    """Looking straight down, a pedestal is a dolly along the view and a roll a pan about world up: the verdict
    names the camera-frame reading and gives the other as also_reads_as (signs by geometry: down is in, a roll left
    turns the frame as a pan left does); a steep but not vertical view, and moves with one name, get None."""
    twins = {"pedestalDown": ("dollyIn", "pedestalDown"), "pedestalUp": ("dollyOut", "pedestalUp"),
             "dollyIn": ("dollyIn", "pedestalDown"), "rollLeft": ("panLeft", "rollLeft"),
             "rollRight": ("panRight", "rollRight"), "tiltUp": ("tiltUp", None), "truckRight": ("truckRight", None),
             "halfZoomIn": ("halfZoomIn", None), "shortArcShotLeft": ("shortArcShotLeft", None)}
    for label, want in twins.items():
        b = simulate_batch(10, frames=FRAMES, seed=3, labels={"movement": label, "angle": "overhead"}, jitter=False)
        said = Counter((v.movement, v.also_reads_as) for v in (judge_shot(s, s.subject) for s in b.shots()))
        assert said[want] >= 9, (label, dict(said))
        v = judge_shot(b.shots()[0], b.shots()[0].subject)
        assert (v.also_reads_as is None) == (want[1] is None)
        assert v.also_reads_as is None or any(v.also_reads_as in n for n in v.notes)
    for label in ("pedestalDown", "rollLeft"):
        b = simulate_batch(10, frames=FRAMES, seed=3, labels={"movement": label, "angle": "birdsEye"}, jitter=False)
        assert all(judge_shot(s, s.subject).also_reads_as is None for s in b.shots())
    # straight up and straight down by hand: rising is a dolly in looking up, a dolly out looking down
    rise = np.array([[0.0, 0.0, z] for z in np.linspace(0.0, 1.0, 48)])
    for turn, subject_z, want in ((np.pi, 5.0, ("dollyIn", "pedestalUp")), (0.0, -5.0, ("dollyOut", "pedestalUp"))):
        q = geo.matrix_to_quat(geo.axis_angle_matrix(np.array([1.0, 0.0, 0.0]), turn))  # identity looks down -Z
        v = judge_shot(Trajectory(rise, np.tile(q, (48, 1)), np.full(48, 35.0), 36.0, 16 / 9, 24.0),
                       Subject([0.0, 0.0, subject_z], [0.4, 0.4, 0.4]))
        assert (v.movement, v.also_reads_as) == want, (turn, v.movement, v.also_reads_as, v.notes)


def _scaled(shot: Shot, k: float) -> tuple[Shot, Subject]:
    t = shot.trajectory
    sub = shot.subject
    traj = Trajectory(t.position * k, t.rotation, t.focal_length, t.sensor_width, t.aspect, t.fps)
    mp = None if sub.motion_position is None else sub.motion_position * k
    return Shot(traj, []), Subject(sub.position * k, sub.size * k, sub.rotation, motion_position=mp)


@pytest.mark.parametrize("k", [0.01, 100.0])
def test_scale_free(k):
    for label in SINGLE + COMPOUND:
        b = _batch(label, jitter=True, seed=5, n=5)
        for shot in b.shots():
            base = judge_shot(shot, shot.subject)
            scaled_shot, scaled_sub = _scaled(shot, k)
            for subject in (scaled_sub, None):
                v = judge_shot(scaled_shot, subject)
                ref = base if subject is not None else judge_shot(shot, None)
                assert v.movement == ref.movement, (label, k, subject is None, v.movement, ref.movement)
                for kind, amount in ref.amounts.items():
                    assert v.amounts[kind] == pytest.approx(amount, rel=1e-6, abs=1e-9), (label, kind)


def test_fps_sets_speed():
    shot = simulate_shot(Subject([0, 0, 0.9], [0.5, 0.4, 1.8]), {"movement": "panLeft"}, frames=FRAMES, fps=10)
    slow = judge_shot(shot, shot.subject)
    fast_traj = copy.copy(shot.trajectory)
    fast_traj.fps = 60.0
    fast = judge_shot(fast_traj, shot.subject)
    assert slow.movement == fast.movement == "panLeft"
    # the same frames: the same amount, but for the end-noise pull, whose smooth fit spans a fixed time
    assert slow.amounts["pan"] == pytest.approx(fast.amounts["pan"], rel=0.01)
    assert fast.speeds["pan"] == pytest.approx(6.0 * slow.speeds["pan"])
    assert slow.speeds["pan"] > 0


def _shaken(traj: Trajectory, deg: float, seed: int = 0) -> Trajectory:
    rng = np.random.default_rng(seed)
    axis = geo.normalize(rng.normal(size=(traj.frame_count, 3)))
    angle = np.radians(rng.normal(0.0, deg, traj.frame_count))
    R = geo.axis_angle_matrix(axis, angle) @ geo.quat_to_matrix(traj.rotation)
    return Trajectory(traj.position, geo.quat_continuity(geo.matrix_to_quat(R)), traj.focal_length,
                      traj.sensor_width, traj.aspect, traj.fps)


def test_shake_higher_with_noise():
    subject = Subject([0, 0, 0.9], [0.5, 0.4, 1.8])
    for label in ("static", "panLeft", "dollyIn", "shortArcShotLeft"):
        shot = simulate_shot(subject, {"movement": label, "easing": "easeInOutSine"}, frames=FRAMES)
        clean = judge_shot(shot, shot.subject)
        noisy = judge_shot(_shaken(shot.trajectory, 0.5), shot.subject)
        assert clean.shake_deg < 0.05, (label, clean.shake_deg)
        assert noisy.shake_deg > 0.2 and noisy.shake_deg > 10 * clean.shake_deg, (label, noisy.shake_deg)


def test_steady_speeds_ignore_jitter_and_shake_is_the_jitter_rms():
    """steady_speeds: the move's own peak speeds (on the smooth fit), close to the raw ones on a clean eased move and
    far below them once noise is added; shake_deg is the RMS of view_jitter."""
    subject = Subject([0, 0, 0.9], [0.5, 0.4, 1.8])
    for label, kind in (("panLeft", "pan"), ("shortArcShotLeft", "arc"), ("dollyIn", "translation")):
        shot = simulate_shot(subject, {"movement": label, "easing": "easeInOutSine"}, frames=FRAMES)
        v = judge_shot(shot, shot.subject)
        steady = steady_speeds(shot, v, shot.subject)
        raw = v.speeds.get(kind, v.speeds["dolly"])
        assert steady[kind] == pytest.approx(raw, rel=0.1), (label, steady, v.speeds)
        noisy = _shaken(shot.trajectory, 0.5)
        vn = judge_shot(noisy, shot.subject)
        jitter = view_jitter(geo.quat_to_matrix(noisy.rotation), noisy.fps)
        assert vn.shake_deg == pytest.approx(float(np.degrees(np.sqrt(np.mean(jitter ** 2)))), rel=1e-12)
        if kind == "pan":
            assert steady_speeds(noisy, vn, shot.subject)["pan"] < 0.5 * vn.speeds["pan"]
            assert steady_speeds(noisy, vn, shot.subject)["pan"] == pytest.approx(steady["pan"], rel=0.5)


def test_clean_curve_measures_on_simulator():
    subject = Subject([0, 0, 0.9], [0.5, 0.4, 1.8])
    pan = judge_shot(simulate_shot(subject, {"movement": "panLeft", "easing": "easeInOutSine"}, frames=FRAMES),
                     subject)
    assert pan.focal_drift_pct == pytest.approx(0.0, abs=1e-9)
    assert pan.roll_drift_deg == pytest.approx(0.0, abs=1e-6)
    assert pan.speed_humps == 1
    orbit = judge_shot(simulate_shot(subject, {"movement": "fullArcShotLeft"}, frames=FRAMES), subject)
    assert orbit.movement == "fullArcShotLeft"
    # azimuth + = counter-clockwise seen from above; the arc label's sign says which way its name goes
    # within the end-noise pull (judge.end_values): about 1e-3 degrees on a clean eased orbit
    assert orbit.relative["azimuth_deg"] == pytest.approx(360.0 * MOVEMENT["fullArcShotLeft"].params["sign"], abs=0.05)
    assert orbit.orbit_radius_dev_pct < 1e-6
    bounce = judge_shot(simulate_shot(subject, {"movement": "panLeft", "easing": "easeOutBounce"}, frames=FRAMES),
                        subject)
    assert bounce.speed_humps >= 3


def test_signs_follow_the_vocabulary():
    subject = Subject([0, 0, 0.9], [0.5, 0.4, 1.8])
    pairs = {"pan": ("panLeft", "panRight"), "tilt": ("tiltUp", "tiltDown"), "roll": ("rollLeft", "rollRight"),
             "truck": ("truckRight", "truckLeft"), "pedestal": ("pedestalUp", "pedestalDown"),
             "dolly": ("dollyIn", "dollyOut"),
             # which arc name is + (counter-clockwise seen from above) is the vocabulary's convention
             "arc": tuple(sorted(("shortArcShotLeft", "shortArcShotRight"), key=lambda n: -MOVEMENT[n].params["sign"]))}
    for kind, (plus, minus) in pairs.items():
        for name, sign in ((plus, 1), (minus, -1)):
            assert MOVEMENT[name].params["sign"] == sign
            v = judge_shot(simulate_shot(subject, {"movement": name}, frames=FRAMES), subject)
            assert np.sign(v.amounts[kind]) == sign, (name, v.amounts)
    zin = judge_shot(simulate_shot(subject, {"movement": "fullZoomIn"}, frames=FRAMES), subject)
    assert zin.amounts["zoom"] == pytest.approx(2.0)


def test_helpers():
    x = np.linspace(0, 1, 40)[:, None] ** 3
    assert np.allclose(smooth(x, 9), x)  # a cubic is its own local cubic fit
    assert count_humps(np.zeros(10)) == 0
    assert count_humps(np.ones(10)) == 1  # constant speed between rests: one hump
    assert count_humps(np.sin(np.linspace(0, np.pi, 30))) == 1
    assert count_humps(np.abs(np.sin(np.linspace(0, 3 * np.pi, 60)))) == 3


def test_verdict_serialises():
    import json
    subject = Subject([0, 0, 0.9], [0.5, 0.4, 1.8])
    v = judge_shot(simulate_shot(subject, {"movement": "dollyIn"}, frames=FRAMES), subject)
    d = json.loads(json.dumps(v.as_dict()))
    assert d["movement"] == "dollyIn" and d["subject_source"] == "given"


def _pose_noise(shot: Shot, rng: np.random.Generator, pos_share: float, rot_deg: float) -> Trajectory:
    """The shot's trajectory with white pose-estimator noise: position pos_share of the camera-subject distance,
    rotation rot_deg about a random axis, per frame."""
    t = shot.trajectory
    dist = float(np.linalg.norm(t.position[0] - shot.subject.position))
    pos = t.position + rng.normal(0.0, pos_share * dist, t.position.shape)
    axis = geo.normalize(rng.normal(size=(t.frame_count, 3)))
    R = geo.axis_angle_matrix(axis, np.radians(rng.normal(0.0, rot_deg, t.frame_count))) @ t.matrices
    return Trajectory(pos, geo.quat_continuity(geo.matrix_to_quat(R)), t.focal_length, t.sensor_width, t.aspect,
                      t.fps)


@pytest.mark.parametrize("label", ["halfArcShotLeft", "fullArcShotRight", "shortArcShotRight"])
def test_arcs_about_the_estimated_look_point_under_pose_noise(label):
    """No subject, 2 % position / 0.3 degree rotation jitter: an orbit reads as exactly its arc, nothing beside it.
    The pan left over is net(heading - azimuth), one series, so the end fits' overshoot on the eased ends cancels,
    and the residual pan / distance / height count only above the noise their own series leave (judge_ends)."""
    rng = np.random.default_rng(7)
    sign = MOVEMENT[label].params["sign"]
    for k in range(8):
        shot = simulate_shot(Subject([0.0, 0.0, 0.9], [0.5, 0.4, 1.8]), {"movement": label, "angle": "highAngle"},
                             frames=int(rng.integers(80, 240)), fps=24.0, seed=k, jitter=True)
        v = judge_shot(_pose_noise(shot, rng, 0.02, 0.3), None)
        assert v.subject_source == "rays", v.notes
        assert [(MOVEMENT[m].params["kind"], MOVEMENT[m].params["sign"]) for m in v.moves] == [("arc", sign)], \
            (k, v.movement, v.amounts)


def test_orbit_axis_is_found_where_rays_are_tangent_to_it_and_a_meeting_point_is_kept():
    """judge_rays.orbit_axis: a camera on a circle of radius 3 about (1, -2) aiming 0.3 beside the axis (rays
    tangent to a cylinder) gives that axis and radius; aiming at the axis (a framed box), and a spiral whose rays
    all meet the centre (an arc with a push in), give no axis, so the rays' point stands."""
    from lenscraft_core.judge_rays import orbit_axis

    az = np.radians(np.linspace(0.0, 70.0, 50))
    centre = np.array([1.0, -2.0, 1.6])
    for radius, offset in ((3.0, 0.3), (3.0, 0.0), (np.linspace(3.0, 2.0, 50), 0.0)):
        pos = centre + np.stack([radius * np.cos(az), radius * np.sin(az), np.zeros_like(az)], -1)
        aim = centre + offset * np.stack([-np.sin(az), np.cos(az), np.zeros_like(az)], -1)
        c, rho = orbit_axis(pos, geo.normalize(aim - pos))
        if offset:
            assert c is not None and np.allclose(c, centre[:2], atol=1e-9) and abs(abs(rho) - offset * 3.0 / np.hypot(3.0, offset)) < 1e-9
        else:
            assert c is None and rho == 0.0


@pytest.mark.parametrize("label", ["pedestalUp", "pedestalDown", "truckLeft"])
def test_small_camera_only_translation_stands_above_long_white_jitter(label):
    """No subject and no scale, a 4-8 % pedestal / truck over 10 s under 2 % white position jitter: the net move is
    many times the noise left in the end fits' difference (judge_ends.net_floor), so it is read, and a locked-off
    camera under the same jitter stays static."""
    rng = np.random.default_rng(3)
    kind, sign = MOVEMENT[label].params["kind"], MOVEMENT[label].params["sign"]
    for k in range(6):
        shot = simulate_shot(Subject([0.0, 0.0, 0.9], [0.5, 0.4, 1.8]), {"movement": label, "angle": "mediumAngle"},
                             frames=250, fps=25.0, seed=k, jitter=True)
        v = judge_shot(_pose_noise(shot, rng, 0.02, 0.1), None)
        assert [(MOVEMENT[m].params["kind"], MOVEMENT[m].params["sign"]) for m in v.moves] == [(kind, sign)], \
            (k, v.movement, v.amounts)
        still = simulate_shot(Subject([0.0, 0.0, 0.9], [0.5, 0.4, 1.8]), {"movement": "static"}, frames=250,
                              fps=25.0, seed=k, jitter=True)
        assert judge_shot(_pose_noise(still, rng, 0.02, 0.1), None).moves == ()


def test_net_floor_is_three_sigma_of_the_end_to_end_difference():
    """judge_ends: white_sigma recovers a series' white jitter under a smooth move (fourth differences), and
    net_floor is END_SNR standard deviations of end_values' difference: on pure noise it is passed about 0.3 % of
    the time, and on a long shot the end fits keep it near 1.5 x one frame's jitter (the old floor without a
    subject, 5 x the 3-D residual, was about 7 x)."""
    from lenscraft_core.judge_ends import END_SNR, end_values, end_window, net_floor, white_sigma

    rng = np.random.default_rng(0)
    F, win = 300, 11
    move = 5.0 * (3 * np.linspace(0, 1, F) ** 2 - 2 * np.linspace(0, 1, F) ** 3)
    assert white_sigma(move + rng.normal(0.0, 0.2, F)) == pytest.approx(0.2, rel=0.15)
    w = end_window(F)
    diffs = [np.subtract(*end_values(rng.normal(0.0, 1.0, F), w, win)[::-1]) for _ in range(400)]
    floor = float(net_floor(rng.normal(0.0, 1.0, F), w, win))
    assert np.std(diffs) == pytest.approx(floor / END_SNR, rel=0.2)
    assert floor < 2.0  # 300 frames, 30-frame end fits: 3 x 0.50


def _orbit(sweep_deg: float, rise: float, push: float, frames: int = 96) -> tuple[Trajectory, Subject]:
    """A camera 2.4 m out and 0.8 m above a person's centre, aimed at it, orbiting sweep_deg about the vertical
    through it (eased, + = counter-clockwise from above), turning with the orbit but keeping its pitch (as the
    planner's pedestal does), while rising `rise` m (its horizontal radius kept) and pushing `push` m along its
    first line of sight to the centre."""
    subject = Subject([0.0, 0.0, 0.9], [0.5, 0.35, 1.8], name="person", object_class="person")
    s = np.linspace(0.0, 1.0, frames)
    s = s * s * (3.0 - 2.0 * s)
    rel0 = np.array([0.0, -2.4, 0.8])
    d0 = float(np.linalg.norm(rel0))
    a = np.radians(sweep_deg) * s
    rel = (rel0 * (1.0 - push * s / d0)[:, None])
    rel = np.stack([-np.sin(a) * rel[:, 1], np.cos(a) * rel[:, 1], rel[:, 2] + rise * s], -1)
    yaw = a  # facing +Y (the subject) at a = 0
    pitch = np.full(frames, -np.arctan2(rel0[2], -rel0[1]))
    rot = geo.camera_quat_from_yaw_pitch_roll(yaw, pitch, np.zeros(frames))
    return Trajectory(subject.position + rel, rot, np.full(frames, 35.0), fps=24.0), subject


@pytest.mark.parametrize("sweep", [90.0, -180.0])
def test_an_arc_beside_a_pedestal_or_a_push_reads_as_those_moves(sweep):
    """Orbiting a person from above its centre: rising with the radius kept is arc + pedestal (the 3-D distance
    grows 5 % from the rise alone, as a pedestal without an arc does not read as a dolly either), and a push along
    the line of sight to the subject is arc + dolly (its height drops with it, no pedestal of its own)."""
    sign = 1 if sweep > 0 else -1
    kinds = lambda v: sorted((MOVEMENT[m].params["kind"], MOVEMENT[m].params["sign"]) for m in v.moves)  # noqa: E731
    traj, subject = _orbit(sweep, rise=0.35, push=0.0)
    v = judge_shot(traj, subject)
    assert v.relative["distance_ratio"] > 1.04  # the rise alone lengthens the line of sight
    assert kinds(v) == [("arc", sign), ("pedestal", 1)], (v.movement, v.amounts, v.relative)
    traj, subject = _orbit(sweep, rise=0.0, push=0.6)
    v = judge_shot(traj, subject)
    assert kinds(v) == [("arc", sign), ("dolly", 1)], (v.movement, v.amounts, v.relative)
    assert v.amounts["dolly"] == pytest.approx(0.6 / np.linalg.norm([2.4, 0.8]), rel=0.02)
