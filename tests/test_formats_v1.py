"""LensCraft v1 JSON: real simulator files, exact round trips, every documented error, lenient mode, streaming."""

import copy
import filecmp
import json
import os
import tracemalloc

import numpy as np
import pytest

from lenscraft_core import geometry as geo
from lenscraft_core.errors import DataError
from lenscraft_core.formats import load, save
from lenscraft_core.formats import lenscraft_v1 as v1
from lenscraft_core.schema import Instruction, Shot, Subject, Trajectory

from _paths import V1_SIM_DIR

SIM_DIR = str(V1_SIM_DIR)
REAL = {n: os.path.join(SIM_DIR, n + ".json") for n in ("v1_single_30f", "v1_single_30f_5subj", "v1_default")}
READERS = ["json"] + (["ijson"] if v1.iter_document.__globals__["ijson"] is not None else [])
needs_real = pytest.mark.skipif(not os.path.isdir(SIM_DIR), reason="shared v1 simulator files not present")


@pytest.fixture(scope="module")
def real():
    return {n: load(p) for n, p in REAL.items()} if os.path.isdir(SIM_DIR) else {}


@pytest.fixture(scope="module")
def raw_sim():
    with open(REAL["v1_single_30f"]) as f:
        return json.load(f)["simulations"][0]


def _write_doc(tmp_path, sims, name="data.json"):
    path = tmp_path / name
    path.write_text(json.dumps({"simulations": sims, "metadata": {"simulationCount": len(sims)}}, indent=2))
    return path


# ------------------------------------------------------------------------------------------------ real files
@needs_real
@pytest.mark.parametrize("name", list(REAL))
def test_real_file_written_back_byte_identical(real, name, tmp_path):
    out = tmp_path / "out.json"
    save(real[name].shots, out, "lenscraft-v1", metadata=real[name].metadata)
    assert filecmp.cmp(REAL[name], out, shallow=False)
    # The computed metadata block equals the simulator's for these files too.
    save(real[name].shots, tmp_path / "computed.json", "lenscraft-v1")
    assert json.loads((tmp_path / "computed.json").read_text())["metadata"] == real[name].metadata


@needs_real
def test_real_files_structure(real):
    single, five, default = real["v1_single_30f"], real["v1_single_30f_5subj"], real["v1_default"]
    for result in (single, five, default):  # every simulation of the file, as its metadata counts them
        assert len(result) == result.metadata["simulationCount"] > 0
    assert all(s.trajectory.frame_count == 30 and len(s.instructions) == 1 for s in single.shots)
    assert all(len(s.subjects) == 5 for s in five.shots)
    assert np.mean([s.instructions[0].subject_index != 0 for s in five.shots]) > 0.6
    for shot in default.shots:  # multi-instruction: spans tile the frames back to back
        assert len(shot.instructions) == 4 and len(shot.subjects) == 4
        starts = np.cumsum([0] + [i.count for i in shot.instructions])
        assert [i.start for i in shot.instructions] == starts[:-1].tolist()
        assert starts[-1] == shot.trajectory.frame_count
        assert all(i.source == "v1" and "movementDistance" in i.params for i in shot.instructions)
        assert shot.split()[1].trajectory.frame_count == shot.instructions[1].count
    t = single.shots[0].trajectory
    assert (t.fps, t.sensor_width, t.aspect) == (v1.V1_FPS, 35.0, 16 / 9)
    assert {s.object_class for r in real.values() for sh in r.shots for s in sh.subjects} == \
        {"chair", "table", "laptop", "book", "tree"}


@needs_real
def test_real_geometry_in_z_up(real):
    checked = 0
    for shot in real["v1_single_30f_5subj"].shots:
        subj = shot.subject
        assert abs(subj.position[2] - subj.size[2] / 2) < 1e-9  # stands on the ground (z = 0), Z up
        if "Arc" in shot.instructions[0].movement:  # v1's arcs do not start from the usual look-at pose
            continue
        R = geo.quat_to_matrix(shot.trajectory.rotation[0])
        to_subject = geo.normalize(subj.position - shot.trajectory.position[0])
        assert np.degrees(np.arccos(np.clip(geo.camera_forward(R) @ to_subject, -1, 1))) < 1e-4
        assert abs(geo.yaw_pitch_roll(R)[2]) < 1e-9  # a look-at has no roll
        checked += 1
    assert checked > 300
    # The camera starts on the subject's +Z side in three.js, i.e. its -Y side in Blender.
    shot = real["v1_single_30f"].shots[0]
    assert shot.trajectory.position[0][1] < shot.subject.position[1]


@needs_real
@pytest.mark.parametrize("name", ["v1_single_30f", "v1_default"])
def test_v1_native_v1_round_trip(real, name, tmp_path):
    save(real[name].shots, tmp_path / "n.json")
    back = load(tmp_path / "n.json")
    assert back.format == "lenscraft"
    save(back.shots, tmp_path / "v.json", "lenscraft-v1", metadata=real[name].metadata)
    assert filecmp.cmp(REAL[name], tmp_path / "v.json", shallow=False)


@needs_real
@pytest.mark.parametrize("reader", READERS)
def test_readers_agree(reader):
    a = load(REAL["v1_default"], reader=reader)
    b = load(REAL["v1_default"], reader="json")
    assert a.metadata == b.metadata and len(a) == len(b)
    assert all(np.array_equal(x.trajectory.rotation, y.trajectory.rotation) for x, y in zip(a.shots, b.shots))


# ------------------------------------------------------------------------------------------------ our own shots
def _shots(n=3, frames=12, seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for k in range(n):
        target = rng.normal(size=3)
        eye = target + np.array([0.0, -4.0, 1.0]) + rng.normal(size=(frames, 3)) * 0.3
        R = geo.look_at(eye, target, roll=rng.normal(size=frames) * 0.2)
        traj = Trajectory.from_matrices(eye, R, np.linspace(30, 60, frames), fps=24.0)
        subj = Subject(target, [0.5, 0.4, 1.7], geo.matrix_to_quat(geo.axis_rotation(2, rng.uniform(-3, 3))),
                       object_class="chair")
        ins = [Instruction("dollyIn", "easeInOutSine", "highAngle", "closeUp", start=0, count=frames // 2),
               Instruction("panLeft", "linear", "lowAngle", "longShot", start=frames // 2, count=frames - frames // 2)]
        out.append(Shot(traj, [subj], ins, name=f"s{k}"))
    return out


def test_write_read_write_identical_without_source_angles(tmp_path):
    shots = _shots()
    save(shots, tmp_path / "a.json", "lenscraft-v1")
    back = load(tmp_path / "a.json").shots
    for s in back:
        s.metadata.clear()  # no source Euler triples: the rounded principal triples must be a fixed point alone
    save(back, tmp_path / "b.json", "lenscraft-v1")
    assert filecmp.cmp(tmp_path / "a.json", tmp_path / "b.json", shallow=False)
    save(load(tmp_path / "b.json").shots, tmp_path / "c.json", "lenscraft-v1")
    assert filecmp.cmp(tmp_path / "a.json", tmp_path / "c.json", shallow=False)
    # Geometry survives the trip (to the 1e-12 rounding of the Euler angles); focal scaled 36 -> 35 mm film.
    for a, b in zip(shots, back):
        assert np.allclose(a.trajectory.position, b.trajectory.position, atol=1e-12)
        assert np.all(geo.rotation_angle_between(a.trajectory.matrices, b.trajectory.matrices) < 1e-7)
        assert np.allclose(a.trajectory.focal_length * 35 / 36, b.trajectory.focal_length)
        assert np.allclose(a.subjects[0].size, b.subjects[0].size)
        assert b.instructions[1].start == a.instructions[1].start


def test_labels_v1_lacks(tmp_path):
    shot = _shots(1)[0]
    for field, value, nearest in [("movement", "dollyOutZoomIn", "dollyOut"), ("easing", "easeInBack", "easeInCubic"),
                                  ("angle", "overhead", "birdsEyeView"), ("shot_type", "extremeCloseUp", "closeUp"),
                                  ("shot_type", "extremeLongShot", "longShot")]:
        s = copy.deepcopy(shot)
        setattr(s.instructions[0], field, value)
        with pytest.raises(DataError, match=f"{value}' does not exist in LensCraft v1.*'{nearest}'"):
            save([s], tmp_path / f"{value}.json", "lenscraft-v1")
        assert not (tmp_path / f"{value}.json").exists()  # nothing half-written
        save([s], tmp_path / f"{value}.json", "lenscraft-v1", mapping="nearest")
        assert getattr(load(tmp_path / f"{value}.json").shots[0].instructions[0], field) == nearest
    s = copy.deepcopy(shot)
    s.instructions[0].movement = "rollLeft"
    with pytest.raises(DataError, match="rollLeft' does not exist in LensCraft v1; v1 has no equivalent"):
        save([s], tmp_path / "roll.json", "lenscraft-v1", mapping="nearest")


def test_no_overwrite(tmp_path):
    path = tmp_path / "x.json"
    path.write_text("keep me")
    with pytest.raises(FileExistsError, match="x.json already exists; pass overwrite=True"):
        save(_shots(1), path, "lenscraft-v1")
    assert path.read_text() == "keep me"
    save(_shots(1), path, "lenscraft-v1", overwrite=True)
    assert len(load(path)) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]  # no temp files left


# ------------------------------------------------------------------------------------------------ bad inputs
def _set(sim, path, value):
    *keys, last = path
    for k in keys:
        sim = sim[k]
    if value is KeyError:
        del sim[last]
    else:
        sim[last] = value


BAD = [
    (("cameraFrames", 3, "position", "x"), float("nan"), r"simulation 1: cameraFrames\[3\]\.position\.x is NaN"),
    (("cameraFrames", 3, "position", "x"), None, r"cameraFrames\[3\]\.position\.x is null"),
    (("cameraFrames", 2, "angle", "y"), float("inf"), r"cameraFrames\[2\]\.angle\.y is Infinity"),
    (("cameraFrames", 0, "focalLength"), "50", r"cameraFrames\[0\]\.focalLength is a string \(\"50\"\), expected a number"),
    (("cameraFrames", 4, "angle"), KeyError, r"cameraFrames\[4\]\.angle is missing"),
    (("cameraFrames", 4, "position"), [1, 2, 3], r"cameraFrames\[4\]\.position is a list, expected an object"),
    (("subjects", 0, "size", "y"), True, r"subjects\[0\]\.size\.y is a boolean"),
    (("subjects", 0, "size", "z"), 0, r"subjects\[0\]\.size\.z is 0: not a size"),
    (("cameraFrames", 5, "position", "z"), 1e9, r"cameraFrames\[5\]\.position\.z is 1e\+09: absurd magnitude"),
    (("cameraFrames", 5, "angle", "x"), 90.0 * 57, r"cameraFrames\[5\]\.angle\.x .*degrees instead of radians"),
    (("cameraFrames", 5, "focalLength"), 0.0, r"cameraFrames\[5\]\.focalLength is 0: outside 1-5000 mm"),
    (("cameraFrames",), [], r"cameraFrames is empty \(zero frames\)"),
    (("instructions", 0, "frameCount"), 31, r"cameraFrames has 30 frames but the instructions' frameCount sum to 31"),
    (("instructions", 0, "frameCount"), 0, r"instructions\[0\]\.frameCount is 0"),
    (("instructions", 0, "frameCount"), 2.5, r"instructions\[0\]\.frameCount is 2\.5, expected a whole number"),
    (("instructions", 0, "cameraMovement"), "panLetf",
     r"instructions\[0\]\.cameraMovement: unknown movement 'panLetf'; closest valid: panLeft"),
    (("instructions", 0, "initialShotType"), "closeupp", r"unknown shot_type 'closeupp'; closest valid: closeUp"),
    (("instructions", 0, "subjectIndex"), 3, r"instructions\[0\]\.subjectIndex is 3 but the simulation has 1 subject"),
    (("instructions", 0, "movementEasing"), KeyError, r"instructions\[0\]\.movementEasing is missing"),
    (("instructions",), [], r"instructions is empty"),
    (("subjects",), {"a": 1}, r"subjects is an object, expected a list"),
]


@needs_real
@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("path,value,message", BAD, ids=[m[:30] for _, _, m in BAD])
def test_bad_input_names_file_simulation_and_field(raw_sim, tmp_path, reader, path, value, message):
    bad = copy.deepcopy(raw_sim)
    _set(bad, path, value)
    file = _write_doc(tmp_path, [raw_sim, bad, raw_sim])
    with pytest.raises(DataError, match=message) as e:
        load(file, reader=reader)
    assert str(e.value).startswith(f"{file}: simulation 1: ")
    result = load(file, lenient=True, reader=reader)  # lenient: the bad one is skipped and reported
    assert len(result.shots) == 2 and [i for i, _ in result.skipped] == [1]
    assert "skipped 1 bad sample" in result.summary and "sample 1:" in result.summary


@needs_real
@pytest.mark.parametrize("reader", READERS)
def test_truncated_and_malformed_json(raw_sim, tmp_path, reader):
    text = json.dumps({"simulations": [raw_sim] * 3}, indent=2)
    cut = tmp_path / "cut.json"
    cut.write_text(text[: len(text) * 2 // 3])
    with pytest.raises(DataError, match=r"cut.json: malformed JSON at line \d+ column \d+: .*truncated\?"):
        load(cut, reader=reader)
    lines = text.splitlines()
    lines[40] = lines[40].rstrip(",") + ",,"  # a stray comma on line 41
    broken = tmp_path / "broken.json"
    broken.write_text("\n".join(lines))
    with pytest.raises(DataError, match=r"broken.json: malformed JSON at line 41 column"):
        load(broken, reader=reader)
    (tmp_path / "empty.json").write_text("")
    with pytest.raises(DataError, match="empty"):
        load(tmp_path / "empty.json")


@needs_real
def test_lenient_counts_many(raw_sim, tmp_path):
    sims = []
    for k in range(10):
        s = copy.deepcopy(raw_sim)
        if k % 3 == 0:
            s["cameraFrames"][k]["focalLength"] = None
        sims.append(s)
    result = load(_write_doc(tmp_path, sims), lenient=True)
    assert len(result.shots) == 6 and [i for i, _ in result.skipped] == [0, 3, 6, 9]
    assert "cameraFrames[3].focalLength is null" in result.skipped[1][1]


# ------------------------------------------------------------------------------------------------ streaming
@needs_real
@pytest.mark.parametrize("reader", READERS)
def test_streaming_memory_is_far_below_file_size(real, tmp_path, reader):
    shots = real["v1_single_30f"].shots
    path = tmp_path / "big.json"
    count = 2000 if reader == "json" else 600  # tracemalloc makes ijson's many small allocations slow
    save((shots[k % len(shots)] for k in range(count)), path, "lenscraft-v1")  # a generator: streamed write
    size = os.path.getsize(path)
    assert size > count * 9500
    tracemalloc.start()
    n = sum(1 for _ in v1.iter_shots(path, reader=reader))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert n == count
    assert peak < size / 2, f"peak {peak / 1e6:.1f} MB for a {size / 1e6:.1f} MB file"
