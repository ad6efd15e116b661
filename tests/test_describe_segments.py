"""describe finds the segments of a track (lenscraft_core/inference/segments.py): built sequential shots cut where
the move changes and labelled by the judge, holds, no spurious cuts on one eased move or on handheld shake, the
CLI's --segments auto / none / FILE and the JSON "segments", and a robustness smoke test (perturbed tracks read
without the subject)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from lenscraft_core import formats
from lenscraft_core.cli import main
from lenscraft_core.inference.engine import read_geometry
from lenscraft_core.inference.segments import describe_segments, find_segments, move_set, rate_noise, read_span, \
    sequence_caption
from lenscraft_core.judge import smooth
from lenscraft_core.schema import Shot, Subject
from lenscraft_core.simulate import simulate_shot

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from describe_robustness import SUBJECT, perturb  # noqa: E402
from describe_segments import build_sequence  # noqa: E402
from describe_segments import perturb as noisy_track  # noqa: E402


def _check(shot: Shot, spans, truth, subject) -> list[tuple[int, int]]:
    found = find_segments(shot, subject)
    F = shot.trajectory.frame_count
    assert len(found) == len(spans), (found, spans)
    assert found[0][0] == 0 and found[-1][1] == F and all(a[1] == b[0] for a, b in zip(found, found[1:]))
    for (a, _), (b, _) in zip(spans[1:], found[1:]):
        assert abs(a - b) <= 0.1 * F, (found, spans)
    assert [move_set(read_span(shot, subject, a, b)[0]) for a, b in found] == truth
    return found


@pytest.mark.parametrize("with_subject", [True, False])
def test_three_segment_shot(with_subject):
    shot, spans, truth = build_sequence([("pan", 1, 1.5), ("dolly", 1, 2.0), ("truck", -1, 1.5)], 24.0, seed=3)
    _check(shot, spans, truth, shot.subject if with_subject else None)


def test_hold_is_a_segment():
    shot, spans, truth = build_sequence([("tilt", -1, 1.5), ("hold", 0, 1.5), ("zoom", 1, 1.5)], 30.0, seed=5)
    assert truth[1] == frozenset()  # the hold: no move
    _check(shot, spans, truth, shot.subject)


def test_describe_segments_and_caption():
    shot, spans, _ = build_sequence([("pan", 1, 1.5), ("dolly", 1, 2.0)], 24.0, seed=1)
    segs = describe_segments(None, shot, "auto")
    assert [list(s) for s in segs] == [["start", "end", "seconds", "caption", "movement", "moves", "fields"]] * 2
    text = sequence_caption(segs)
    assert text.startswith("the camera pans left") and ", then pushes in" in text, text
    whole = describe_segments(None, shot, "none")
    assert [(s["start"], s["end"]) for s in whole] == [(0, shot.trajectory.frame_count)]
    given = describe_segments(None, shot, [(0, 10), (10, 30)])
    assert [(s["start"], s["end"]) for s in given] == [(0, 10), (10, 30)]


@pytest.mark.parametrize("easing", ["easeInOutSine", "linear", "easeOutCubic"])
def test_one_eased_move_is_one_segment(easing):
    for movement in ("panLeft", "dollyIn", "shortArcShotRight"):
        shot = simulate_shot(SUBJECT, {"movement": movement, "easing": easing}, frames=120, fps=24.0, seed=2)
        assert find_segments(shot, shot.subject) == [(0, 120)], movement
        assert len(find_segments(shot, None)) == 1, movement


@pytest.mark.parametrize("movement", ["static", "panRight", "dollyOut"])
def test_handheld_shake_makes_no_segments(movement):
    shot = simulate_shot(SUBJECT, {"movement": movement}, frames=144, fps=24.0, seed=4)
    rng = np.random.default_rng(7)
    shaky = Shot(perturb(shot, "shake", rng), [], [], "shaky", {})
    assert read_geometry(shaky, None)[0].shake_deg > 0.02  # the shake is there
    assert len(find_segments(shaky, None)) == 1


def _sequence_file(tmp_path: Path) -> tuple[Path, int]:
    shot, _, _ = build_sequence([("pan", 1, 1.5), ("hold", 0, 1.0), ("dolly", 1, 2.0)], 24.0, seed=2)
    path = tmp_path / "sequence.json"
    formats.save([shot], path)
    return path, shot.trajectory.frame_count


def test_cli_segments_auto_none_file(tmp_path, capsys):
    path, F = _sequence_file(tmp_path)
    out = tmp_path / "auto.json"
    assert main(["describe", str(path), "--out", str(out)]) == 0  # auto is the default
    printed = capsys.readouterr().out
    assert "in 3 segments:" in printed and "segment 2:" in printed
    d = json.loads(out.read_text())["descriptions"][0]
    for key in ("caption", "motion", "fields", "shake", "motion_magnitude", "reading", "geometry", "notes"):
        assert key in d  # the whole shot's fields stay
    assert [s["movement"] for s in d["segments"]] == ["panLeft", "static", "dollyIn"]
    assert d["segments"][0]["start"] == 0 and d["segments"][-1]["end"] == F
    assert set(d["segments"][0]["fields"]) >= {"movement", "easing"}  # the model's reading of each segment

    out_none = tmp_path / "none.json"
    assert main(["describe", str(path), "--segments", "none", "--out", str(out_none)]) == 0
    seg = json.loads(out_none.read_text())["descriptions"][0]["segments"]
    assert [(s["start"], s["end"]) for s in seg] == [(0, F)]

    csv = tmp_path / "cuts.csv"
    csv.write_text("start,end\n0s,1.5s\n1.5s,2.5s\n2.5s,4.5s\n")
    out_csv = tmp_path / "csv.json"
    assert main(["describe", str(path), "--segments", str(csv), "--out", str(out_csv)]) == 0
    seg = json.loads(out_csv.read_text())["descriptions"][0]["segments"]
    assert [(s["start"], s["end"]) for s in seg] == [(0, 36), (36, 60), (60, 108)]
    assert [s["movement"] for s in seg] == ["panLeft", "static", "dollyIn"]


def test_cli_segments_bad_value(tmp_path, capsys):
    path, _ = _sequence_file(tmp_path)
    with pytest.raises(SystemExit):
        main(["describe", str(path), "--segments", str(tmp_path / "missing.csv")])
    assert "neither auto, none nor a segments CSV" in capsys.readouterr().err


@pytest.mark.parametrize("condition", ["float16", "drop+dup", "shake", "jitter"])
def test_robustness_smoke(condition):
    rng = np.random.default_rng(11)
    for movement, want in (("dollyIn", {("dolly", 1)}), ("fullZoomOut", {("zoom", -1)}),
                           ("rollLeft", {("roll", 1)})):
        shot = simulate_shot(Subject([0, 0, 0.9], [0.5, 0.4, 1.8]), {"movement": movement}, frames=96, fps=24.0,
                             seed=1)
        traj = perturb(shot, condition, rng)
        v = read_geometry(Shot(traj, [], [], "perturbed", {}), None)[0]
        assert move_set(v) == want, (condition, movement, v.movement)


def test_rate_noise_is_the_noise_left_in_the_smoothed_rates():
    """rate_noise sizes the noise a smoothing leaves, measured on the track's own jitter: white pose jitter
    (which differencing makes anti-correlated) within 30 % of the truth, and an eased move alone is no noise."""
    rng = np.random.default_rng(3)
    fps, win, ref = 30.0, 15, 31
    raw = np.gradient(rng.normal(0.0, 0.01, (3000, 2)), axis=0) * fps  # the rates of white jitter
    truth = np.sqrt(np.mean(smooth(raw, win, 1)[100:-100] ** 2, axis=0))
    got = np.sqrt(np.mean(rate_noise(raw, fps, win, ref)[100:-100] ** 2, axis=0))
    assert np.all(np.abs(got / truth - 1.0) < 0.3), (got, truth)
    s = np.linspace(0.0, 1.0, 90)
    eased = np.gradient(np.column_stack([s * s * (3 - 2 * s), 0.5 - 0.5 * np.cos(np.pi * s)]), axis=0) * fps
    assert np.all(rate_noise(eased, fps, win, ref).max(0) < 0.01 * np.abs(eased).max(0))


@pytest.mark.parametrize("with_subject", [True, False])
def test_noisy_sequence_keeps_its_hold_and_cuts(with_subject):
    """Pose jitter plus handheld shake (the benchmark's noisy tracks): the hold between two moves stays a segment
    and the cuts stay within 10 % of the shot."""
    shot, spans, truth = build_sequence([("tilt", 1, 1.5), ("hold", 0, 1.5), ("truck", -1, 2.0)], 30.0, seed=3)
    noisy = noisy_track(shot, np.random.default_rng(0))
    _check(noisy, spans, truth, noisy.subject if with_subject else None)


@pytest.mark.parametrize("with_subject", [True, False])
def test_a_cut_where_one_channel_stops_while_another_goes_on(with_subject):
    """A truck right at constant speed through 0-80 (it never slows at the cut), a pan left eased over 0-40 and a
    push-in eased over 40-80, then a hold: the pan stopping and the push starting cut at 40 although the truck goes
    on (DataDoP case1's tags, made exact), and the hold after the truck stops is a segment."""
    from lenscraft_core import geometry as geo
    from lenscraft_core.schema import Trajectory

    F, cut, end, dist = 120, 40, 80, 4.0
    t = np.arange(F, dtype=np.float64)
    ease = lambda s: np.clip(s, 0, 1) ** 2 * (3 - 2 * np.clip(s, 0, 1))  # noqa: E731
    pos = (np.array([0.0, -dist, 0.9]) + (0.6 * dist * np.clip(t / end, 0, 1))[:, None] * [1.0, 0.0, 0.0]
           + (0.3 * dist * ease((t - cut) / (end - cut)))[:, None] * [0.0, 1.0, 0.0])
    rot = geo.camera_quat_from_yaw_pitch_roll(np.radians(20.0) * ease(t / cut), np.zeros(F), np.zeros(F))
    subject = Subject(position=[0.0, 0.0, 0.9], size=[0.5, 0.4, 1.8], name="subject")
    shot = Shot(Trajectory(pos, rot, np.full(F, 35.0), fps=30.0), [subject], [], name="overlap", metadata={})
    truth = [frozenset({("pan", 1), ("truck", 1)}), frozenset({("truck", 1), ("dolly", 1)}), frozenset()]
    _check(shot, [(0, cut), (cut, end), (end, F)], truth, subject if with_subject else None)


def test_the_pace_of_a_push_in_is_its_own_not_the_orbit_beside_it():
    """A slow push-in under an orbit reads "slowly pushes in": the dolly's pace is its speed along the view, not
    the camera's whole speed (the orbit's sideways travel), which a plain slow push-in has alone."""
    from lenscraft_core.inference.reading import geometric_caption
    from lenscraft_core.plan import plan_shot
    from lenscraft_core.prompt import parse_prompt

    person = Subject([0.0, 0.0, 0.9], [0.5, 0.3, 1.8], object_class="person")
    for prompt in ("slow push in while orbiting right", "slow push in"):
        r = parse_prompt(prompt)
        shot = plan_shot(person, r.labels, r.segments, frames=96, fps=24)
        v, speeds, handheld = read_geometry(shot, person)
        assert "slowly pushes in" in geometric_caption(v, speeds, handheld), prompt
        assert speeds["dolly"] < 0.2 <= speeds["translation"] or prompt == "slow push in"
