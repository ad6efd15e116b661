"""The native "lenscraft" format: exact round trips, versioning, validation errors, lenient mode, format detection."""

import json
import os

import numpy as np
import pytest

from lenscraft_core import geometry as geo
from lenscraft_core.errors import DataError
from lenscraft_core.formats import detect_format, load, save
from lenscraft_core.formats import native
from lenscraft_core.schema import Instruction, Shot, Subject, Trajectory

READERS = ["json"] + (["ijson"] if native.iter_document.__globals__["ijson"] is not None else [])


def _shots(n=4, frames=9, seed=1):
    rng = np.random.default_rng(seed)
    out = []
    for k in range(n):
        eye = rng.normal(size=(frames, 3)) * 3
        R = geo.look_at(eye, rng.normal(size=3), roll=rng.normal(size=frames))
        traj = Trajectory.from_matrices(eye, R, rng.uniform(20, 80, frames), sensor_width=36.0, aspect=2.39,
                                        fps=23.976, frame_start=1001)
        moving = Subject(rng.normal(size=3), rng.uniform(0.1, 2, 3), geo.matrix_to_quat(geo.axis_rotation(2, 0.3)),
                         name="runner", object_class="person", motion_position=rng.normal(size=(frames, 3)),
                         motion_rotation=geo.matrix_to_quat(geo.axis_rotation(2, np.linspace(0, 1, frames))))
        still = Subject(rng.normal(size=3), [1.0, 2.0, 0.5], name="box")
        ins = [Instruction("dolly zoom", "easeOutBack", "overhead", "extremeCloseUp", "frontLeft", 0, 4, 1,
                           "simulator", {"amount": 0.1 * k, "tag": "x"}),
               Instruction("follow", None, None, None, None, 4, None, 0, "user")]
        out.append(Shot(traj, [moving, still], ins, name=f"shot{k}" if k else None, metadata={"seed": k, "why": [1, 2]}))
    return out


def test_exact_round_trip(tmp_path):
    shots = _shots()
    save(shots, tmp_path / "a.json", metadata={"made_by": "test"})
    back = load(tmp_path / "a.json")
    assert back.format == "lenscraft" and back.metadata == {"made_by": "test"} and len(back) == 4
    for a, b in zip(shots, back.shots):
        ta, tb = a.trajectory, b.trajectory
        for x, y in [(ta.position, tb.position), (ta.rotation, tb.rotation), (ta.focal_length, tb.focal_length)]:
            assert np.array_equal(x, y)  # bit for bit
        assert (ta.fps, ta.frame_start, ta.sensor_width, ta.aspect) == (tb.fps, tb.frame_start, tb.sensor_width,
                                                                        tb.aspect)
        for sa, sb in zip(a.subjects, b.subjects):
            assert (sa.name, sa.object_class, sa.is_moving) == (sb.name, sb.object_class, sb.is_moving)
            assert np.array_equal(sa.rotation, sb.rotation) and np.array_equal(sa.size, sb.size)
            if sa.is_moving:
                assert np.array_equal(sa.motion_position, sb.motion_position)
                assert np.array_equal(sa.motion_rotation, sb.motion_rotation)
        assert [i.__dict__ for i in a.instructions] == [i.__dict__ for i in b.instructions]
        assert b.instructions[0].movement == "dollyOutZoomIn"  # aliases were resolved on the way out
        assert (a.name, a.metadata) == (b.name, b.metadata)
    save(back.shots, tmp_path / "b.json", metadata=back.metadata)
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_file_states_its_conventions(tmp_path):
    save(_shots(1), tmp_path / "a.json")
    doc = json.loads((tmp_path / "a.json").read_text())
    assert doc["format"] == "lenscraft" and doc["version"] == 1
    assert doc["conventions"]["up"] == "+Z" and doc["conventions"]["length"] == "metre"
    assert "w, x, y, z" in doc["conventions"]["rotation"]
    shot = doc["shots"][0]
    assert shot["frame_count"] == 9 and shot["fps"] == 23.976 and len(shot["camera"]["rotation"][0]) == 4
    assert detect_format(tmp_path / "a.json") == "lenscraft"


@pytest.mark.parametrize("reader", READERS)
def test_newer_version_rejected(tmp_path, reader):
    save(_shots(1), tmp_path / "a.json")
    doc = json.loads((tmp_path / "a.json").read_text())
    doc["version"] = 2
    (tmp_path / "b.json").write_text(json.dumps(doc))
    with pytest.raises(DataError, match=r"b.json: version 2 is newer than this LensCraft reads \(up to version 1\)"):
        load(tmp_path / "b.json", reader=reader)


def _bad(doc, mutate):
    shot = doc["shots"][1]
    mutate(shot)
    return doc


BAD = [
    (lambda s: s["camera"]["position"][2].__setitem__(1, float("nan")), r"camera\.position\[2\]\[1\] is NaN"),
    (lambda s: s["camera"]["position"][2].__setitem__(1, None), r"camera\.position\[2\]\[1\] is null"),
    (lambda s: s["camera"]["rotation"][3].pop(), r"camera\.rotation\[3\] is 3 numbers, expected a list of 4"),
    (lambda s: s["camera"]["focal_length"].pop(), r"camera\.focal_length has 8 entries, expected 9"),
    (lambda s: s["camera"].pop("position"), r"camera\.position is missing"),
    (lambda s: s.__setitem__("frame_count", 10), r"frame_count is 10 but camera\.position has 9 frames"),
    (lambda s: s["camera"].__setitem__("position", []), r"camera\.position is empty \(zero frames\)"),
    (lambda s: s.__setitem__("fps", "24"), r"fps is a string"),
    (lambda s: s["instructions"][0].__setitem__("easing", "easeInOutSien"),
     r"instructions\[0\]: unknown easing 'easeInOutSien'; closest valid: easeInOutSine"),
    (lambda s: s["instructions"][0].__setitem__("subject_index", 5), r"subject_index 5 but the shot has 2"),
    (lambda s: s["subjects"][1].__setitem__("size", [1, 0, 1]), r"subjects\[1\]: size must be positive"),
    (lambda s: s["camera"]["position"][0].__setitem__(0, 1e12), r"position has an absurd magnitude"),
    (lambda s: s["camera"]["focal_length"].__setitem__(0, 0.01), r"focal_length outside 1-5000 mm"),
    (lambda s: s["camera"]["rotation"].__setitem__(0, [0, 0, 0, 0]), r"zero quaternion"),
]


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("mutate,message", BAD, ids=[m[:30] for _, m in BAD])
def test_bad_input(tmp_path, reader, mutate, message):
    save(_shots(3), tmp_path / "a.json")
    doc = _bad(json.loads((tmp_path / "a.json").read_text()), mutate)
    (tmp_path / "bad.json").write_text(json.dumps(doc))
    with pytest.raises(DataError, match=message) as e:
        load(tmp_path / "bad.json", reader=reader)
    assert str(e.value).startswith(f"{tmp_path / 'bad.json'}: shot 1")
    result = load(tmp_path / "bad.json", lenient=True, reader=reader)
    assert len(result) == 2 and [i for i, _ in result.skipped] == [1] and "skipped 1 bad sample" in result.summary


@pytest.mark.parametrize("reader", READERS)
def test_truncated(tmp_path, reader):
    save(_shots(3), tmp_path / "a.json")
    text = (tmp_path / "a.json").read_text()
    (tmp_path / "cut.json").write_text(text[:-200])
    with pytest.raises(DataError, match=r"cut.json: malformed JSON at line 4 column \d+: .*truncated\?"):
        load(tmp_path / "cut.json", reader=reader)


def test_no_overwrite_and_unknown_format(tmp_path):
    save(_shots(1), tmp_path / "a.json")
    with pytest.raises(FileExistsError, match="a.json already exists"):
        save(_shots(2), tmp_path / "a.json")
    assert len(load(tmp_path / "a.json")) == 1
    save(_shots(2), tmp_path / "a.json", overwrite=True)
    assert len(load(tmp_path / "a.json")) == 2
    (tmp_path / "other.json").write_text('{"hello": 1}')
    with pytest.raises(DataError, match="cannot tell the format"):
        load(tmp_path / "other.json")
    with pytest.raises(DataError, match=r'format is "other", expected "lenscraft"'):
        (tmp_path / "o2.json").write_text('{"format": "other", "version": 1, "shots": []}')
        load(tmp_path / "o2.json", format="lenscraft")


def test_writer_refuses_invalid_shot(tmp_path):
    shot = _shots(1)[0]
    shot.trajectory.position[3, 0] = np.inf
    with pytest.raises(DataError, match="shot 0: position has a non-finite value"):
        save([shot], tmp_path / "x.json")
    assert not os.path.exists(tmp_path / "x.json")
