import numpy as np
import pytest

from lenscraft_core import geometry as geo
from lenscraft_core.errors import DataError
from lenscraft_core.formats.segments import (MARKER_NAME_MAX, marker_name, parse_time, read_segments_csv,
                                             segments_from_markers, split_by_csv, split_by_markers, export_segments)
from lenscraft_core.vocabulary import FIELD_NAMES, FIELDS
from lenscraft_core.schema import Shot, Subject, Trajectory

FPS = 24.0


def make_take(frames=120):
    t = np.arange(frames) / FPS
    pos = np.stack([np.cos(0.3 * t) * 4, np.sin(0.3 * t) * 4, 1.5 + 0.1 * t], -1)
    target = np.stack([0.1 * t, np.zeros(frames), np.full(frames, 0.9)], -1)
    traj = Trajectory.from_matrices(pos, geo.look_at(pos, target), np.linspace(30, 60, frames), fps=FPS,
                                    frame_start=1)
    return Shot(traj, [Subject(target[0], [0.5, 0.5, 1.8], motion_position=target)], name="take")


def fake_describe(shot):
    """Deterministic stand-in for the model's describe: pan direction from the yaw change."""
    yaw = geo.yaw_pitch_roll(shot.trajectory.matrices)[:, 0]
    turn = np.angle(np.exp(1j * (yaw[-1] - yaw[0])))  # wrapped to (-pi, pi]
    return {"movement": ("panLeft" if turn > 0 else "panRight", 0.75), "easing": "linear"}


def write(tmp_path, text, name="cuts.csv"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_parse_time():
    assert parse_time("00:00:01.5", FPS, 1) == 36
    assert parse_time("1:02", FPS, 1) == 62 * 24
    assert parse_time("2.5s", FPS, 1) == 60
    assert parse_time("25", FPS, 1) == 24  # scene frame 25 is index 24 when the take starts at frame 1
    assert parse_time("25", FPS, 1, is_end=True) == 25  # frame ranges are inclusive
    with pytest.raises(ValueError, match="neither a time"):
        parse_time("1.5", FPS, 1)


def test_csv_split(tmp_path):
    take = make_take()
    p = write(tmp_path, "start,end,labels\n"
                        "00:00:00.000,00:00:01.000,dolly in,ease in out\n"
                        "# a comment line\n"
                        "0:01,0:02.5,pan left|low angle\n"
                        "61,96,orbit right;close-up;view=back\n"
                        "97,120,\n")
    samples = split_by_csv(take, p, label_fn=fake_describe)
    spans = [(0, 24), (24, 60), (60, 96), (96, 120)]
    assert [s.trajectory.frame_count for s in samples] == [b - a for a, b in spans]
    for s, (a, b) in zip(samples, spans):
        np.testing.assert_array_equal(s.trajectory.position, take.trajectory.position[a:b])
        np.testing.assert_array_equal(s.subject.motion_position, take.subject.motion_position[a:b])
        assert s.trajectory.frame_start == 1 + a
        assert s.metadata["segment"]["frame_start"] == 1 + a and s.metadata["segment"]["frame_end"] == b
        assert s.instructions[0].count == b - a
    assert samples[0].labels == {"movement": "dollyIn", "easing": "easeInOutSine"}
    assert samples[1].labels == {"movement": "panLeft", "angle": "lowAngle"}
    assert samples[2].labels == {"movement": "shortArcShotRight", "shot_type": "closeUp", "view": "back"}
    assert [s.instructions[0].source for s in samples] == ["csv", "csv", "csv", "predicted"]
    assert samples[3].labels == {"movement": "panLeft", "easing": "linear"}  # the orbit turns the camera left


def test_unlabelled_without_callback_stays_unlabelled(tmp_path):
    samples = split_by_csv(make_take(), write(tmp_path, "1,48\n49,120,static\n"))
    assert samples[0].labels == {} and samples[0].instructions[0].source == "csv"
    assert samples[1].labels == {"movement": "static"}


def test_header_columns_name_fields(tmp_path):
    p = write(tmp_path, "start,end,movement,angle\n1,10,push in,high\n")
    assert read_segments_csv(p, FPS, 120)[0].labels == {"movement": "dollyIn", "angle": "highAngle"}
    p = write(tmp_path, "start,end,movement\n1,10,low angle\n", "b.csv")
    with pytest.raises(DataError, match=r"b.csv: line 2: unknown label 'low angle'"):
        read_segments_csv(p, FPS, 120)


@pytest.mark.parametrize("row,words", [
    ("0:00,0:01,dolly inn", "unknown label 'dolly inn'; closest valid: dollyIn"),
    ("0:02,0:01,static", "segment 0:02..0:01"),
    ("100,130,static", "which has 120 frames"),
    ("0:00,1.5,static", "neither a time"),
    ("0:00", "expected start,end"),
    ("0:00,0:01,pan left,dolly in", "two movement labels"),
    ("0:00,0:01,colour=red", "unknown field 'colour'"),
])
def test_bad_rows_name_the_line(tmp_path, row, words):
    p = write(tmp_path, "start,end,labels\n1,24,static\n" + row + "\n")
    with pytest.raises(DataError) as e:
        read_segments_csv(p, FPS, 120)
    assert "cuts.csv: line 3: " in str(e.value) and words in str(e.value), str(e.value)


def test_marker_split():
    take = make_take()
    markers = [(73, "pan right + high angle"), (1, "dolly in, ease out"), (49, "F_02"), (110, "end")]
    samples = split_by_markers(take, markers, label_fn=fake_describe)
    assert [(s.trajectory.frame_start, s.trajectory.frame_count) for s in samples] == [(1, 48), (49, 24), (73, 37)]
    assert samples[0].labels == {"movement": "dollyIn", "easing": "easeOutSine"}
    assert samples[1].instructions[0].source == "predicted"
    assert samples[2].labels == {"movement": "panRight", "angle": "highAngle"}
    assert samples[2].instructions[0].source == "marker"
    np.testing.assert_array_equal(samples[2].trajectory.rotation, take.trajectory.rotation[72:109])


def test_marker_name_reads_back():
    """The writer's output is what the marker reader parses: every canonical label of every field, all together."""
    assert marker_name({"easing": "linear", "movement": "dollyIn", "view": ""}) == "dollyIn,linear"
    assert marker_name({}) == ""
    widest = max(len(FIELDS[f]) for f in FIELD_NAMES)
    for k in range(widest):
        labels = {f: FIELDS[f].names[k % len(FIELDS[f])] for f in FIELD_NAMES}
        name = marker_name(labels)
        assert len(name) <= MARKER_NAME_MAX
        (seg,) = segments_from_markers([(1, name)], frame_count=10)
        assert seg.labels and seg.labels == {f: labels[f] for f in seg.labels}, (name, seg.labels)
        if len(",".join(labels.values())) <= MARKER_NAME_MAX:
            assert seg.labels == labels, name


def test_marker_name_cuts_least_telling_first():
    labels = {"movement": "shortArcShotRight", "shot_type": "extremeCloseUp", "angle": "birdsEyeView",
              "easing": "easeInOutElastic", "view": "frontRight"}
    name = marker_name(labels)
    assert len(name) <= MARKER_NAME_MAX and name.startswith("shortArcShotRight,extremeCloseUp,birdsEyeView")
    assert "frontRight" not in name


@pytest.mark.parametrize("markers,words", [
    ([(1, "dolly in + blargh")], "marker 'dolly in + blargh' at frame 1: unknown label(s) ['blargh']"),
    ([(1, "static"), (500, "end")], "marker 'end' at frame 500: lies outside the take"),
    ([(5, "static"), (5, "pan left")], "has no frames before the next marker"),
])
def test_bad_markers(markers, words):
    with pytest.raises(DataError) as e:
        split_by_markers(make_take(), markers)
    assert words in str(e.value), str(e.value)


@pytest.mark.parametrize("fmt", ["lenscraft", "lenscraft-v1"])
def test_export_round_trip(tmp_path, fmt):
    formats = pytest.importorskip("lenscraft_core.formats")
    pytest.importorskip("lenscraft_core.formats.native")
    pytest.importorskip("lenscraft_core.formats.lenscraft_v1")
    labels = ",".join(["dolly in", "linear", "eye level", "medium shot"])
    p = write(tmp_path, f"1,30,{labels}\n31,60,{labels.replace('dolly in', 'pan left')}\n")
    samples = split_by_csv(make_take(), p)
    options = {"mapping": "nearest"} if fmt == "lenscraft-v1" else {}  # v1 subjects are static: keep frame 0's pose
    assert export_segments(samples, tmp_path / "out.json", format=fmt, **options) == 2
    back = formats.load(tmp_path / "out.json", format=fmt).shots
    assert len(back) == 2
    for a, b in zip(samples, back):
        assert b.labels["movement"] == a.labels["movement"]
        assert b.trajectory.frame_count == a.trajectory.frame_count
        np.testing.assert_allclose(b.trajectory.position, a.trajectory.position, atol=1e-4)
