"""The pose-file readers (transforms.json, KITTI, TUM, RealEstate10K) on files written from shots with known poses:
round trips in each convention, up="auto", intrinsics and fps from the file, and a named error for each bad input."""

import json

import numpy as np
import pytest

from lenscraft_core import geometry as geo
from lenscraft_core.errors import DataError
from lenscraft_core.formats import kitti, re10k, transforms_json, tum
from lenscraft_core.formats.c2w import focal_pixels_from_mm
from lenscraft_core.formats.poses import read_head
from lenscraft_core.schema import Shot, Subject, Trajectory

simulate = pytest.importorskip("lenscraft_core.simulate")


def sim_shots(n=3, frames=30, fps=25.0, seed=3, **labels):
    return simulate.simulate_batch(n, frames, fps=fps, seed=seed, labels=labels or None).shots()


def pan_shot(frames=40, fps=30.0, tilt_deg=-8.0):
    """A level camera panning 50 degrees and trucking: a horizon to estimate up from."""
    t = np.linspace(0, 1, frames)
    q = geo.camera_quat_from_yaw_pitch_roll(np.radians(50 * t), np.full(frames, np.radians(tilt_deg)), 0 * t)
    pos = np.stack([2 * t, -3 + 0 * t, 1.6 + 0 * t], -1)
    traj = Trajectory(pos, q, np.linspace(30, 45, frames), fps=fps, aspect=16 / 9)
    return Shot(traj, [Subject([0, 0, 1], [1, 1, 1])], name="pan")


def same_camera(a, b, pos_tol=1e-9, focal=True):
    np.testing.assert_allclose(b.trajectory.position, a.trajectory.position, atol=pos_tol)
    np.testing.assert_allclose(b.trajectory.matrices, a.trajectory.matrices, atol=1e-9)
    if focal:
        np.testing.assert_allclose(b.trajectory.focal_length, a.trajectory.focal_length, rtol=1e-9)
    assert b.trajectory.aspect == pytest.approx(a.trajectory.aspect, rel=1e-3)


def pixels(shot, width=1920):
    t = shot.trajectory
    h = round(width / t.aspect)
    return focal_pixels_from_mm(t.focal_length, width, h, t.sensor_width), (width, h)


# ---------------------------------------------------------------------------------------------------- round trips
@pytest.mark.parametrize("up", ["+z", "+y", "-y"])
def test_transforms_round_trip(tmp_path, up):
    for k, shot in enumerate(sim_shots()):
        p = transforms_json.save_transforms(shot, tmp_path / f"t{k}.json", up=up, scale=0.5)
        back = transforms_json.load_transforms(p, up=up, scale=0.5)
        same_camera(shot, back)
        assert back.trajectory.fps == shot.trajectory.fps  # the file's "fps"
        assert back.metadata["up"] == up and back.metadata["source"] == "transforms.json"


@pytest.mark.parametrize("up", ["+z", "-y"])
def test_kitti_round_trip(tmp_path, up):
    for k, shot in enumerate(sim_shots()):
        p = kitti.save_kitti(shot, tmp_path / f"k{k}.txt", up=up)
        fx, size = pixels(shot)
        back = kitti.load_kitti(p, up=up, fps=25.0, intrinsics=fx, image_size=size)
        same_camera(shot, back)
        assert back.metadata["notes"][0].startswith("up ")  # exact rotations: no repair note


@pytest.mark.parametrize("up", ["+z", "-y"])
def test_tum_round_trip(tmp_path, up):
    for k, shot in enumerate(sim_shots(fps=30.0)):
        p = tum.save_tum(shot, tmp_path / f"u{k}.txt", up=up, start_time=1305031102.175304)
        fx, size = pixels(shot)
        back = tum.load_tum(p, up=up, intrinsics=fx, image_size=size)
        same_camera(shot, back)
        assert back.trajectory.fps == pytest.approx(30.0, rel=1e-6)  # from the timestamps


@pytest.mark.parametrize("up", ["+z", "-y"])
def test_re10k_round_trip(tmp_path, up):
    for k, shot in enumerate(sim_shots(fps=30.0)):
        p = re10k.save_re10k(shot, tmp_path / f"r{k}.txt", up=up)
        back = re10k.load_re10k(p, up=up)
        same_camera(shot, back)  # focal and aspect from the normalised intrinsics
        assert back.trajectory.fps == pytest.approx(30.0, rel=1e-4)  # integer microseconds
        assert back.metadata["url"].startswith("https://")


@pytest.mark.parametrize("save,load", [
    (transforms_json.save_transforms, transforms_json.load_transforms), (kitti.save_kitti, kitti.load_kitti),
    (tum.save_tum, tum.load_tum), (re10k.save_re10k, re10k.load_re10k)])
@pytest.mark.parametrize("up", ["+z", "-y", "+y"])
def test_auto_up_recovers_the_written_world(tmp_path, save, load, up):
    shot = pan_shot()
    p = save(shot, tmp_path / ("t.json" if save is transforms_json.save_transforms else "t.txt"), up=up)
    back = load(p)  # up="auto" is the default
    assert back.metadata["up"] == up
    assert any(n.startswith(f"up auto: {up}") for n in back.metadata["notes"])
    same_camera(shot, back, focal=load in (transforms_json.load_transforms, re10k.load_re10k))


def test_auto_up_on_level_simulator_shots(tmp_path):
    for k, shot in enumerate(sim_shots(n=4, angle="mediumAngle")):
        p = kitti.save_kitti(shot, tmp_path / f"k{k}.txt", up="-y")
        assert kitti.load_kitti(p, fps=25.0).metadata["up"] == "-y"


# ---------------------------------------------------------------------------------------------------- transforms.json
def write_json(path, doc):
    path.write_text(json.dumps(doc))
    return path


def frames_doc(n=6, names=None, **top):
    M = np.eye(4)
    frames = []
    for i in range(n):
        m = M.copy()
        m[:3, :3] = geo.axis_rotation(1, np.radians(3 * i))
        m[0, 3] = 0.1 * i
        frames.append({"file_path": (names or [f"images/frame_{i + 1}.png" for i in range(n)])[i],
                       "transform_matrix": m.tolist()})
    return {"frames": frames, **top}


def test_transforms_intrinsics_from_file(tmp_path):
    doc = frames_doc(w=1000, h=500, fl_x=1000.0, fl_y=1000.0)
    shot = transforms_json.load_transforms(write_json(tmp_path / "transforms.json", doc))
    np.testing.assert_allclose(shot.trajectory.focal_length, 36.0)  # f / width * 36 mm
    assert shot.trajectory.aspect == 2.0
    assert shot.trajectory.fps == 24.0 and any("24 fps assumed" in n for n in shot.metadata["notes"])
    assert shot.name == tmp_path.name  # a transforms.json is named by its folder


def test_transforms_camera_angle_and_per_frame_override(tmp_path):
    doc = frames_doc(w=800, h=600, camera_angle_x=2 * np.arctan(0.5), fps=60)
    doc["frames"][2]["fl_x"] = 1600.0  # a per-frame focal (zoom), fl_y follows
    shot = transforms_json.load_transforms(write_json(tmp_path / "t.json", doc))
    f = shot.trajectory.focal_length
    assert f[0] == pytest.approx(36.0) and f[2] == pytest.approx(72.0)
    assert shot.trajectory.fps == 60.0
    assert transforms_json.load_transforms(tmp_path / "t.json", fps=12).trajectory.fps == 12.0  # argument wins


def test_transforms_principal_point_gives_size(tmp_path):
    shot = transforms_json.load_transforms(write_json(tmp_path / "t.json", frames_doc(fl_x=500.0, cx=500, cy=250)))
    assert shot.trajectory.focal_length[0] == pytest.approx(18.0)
    assert any("principal point" in n for n in shot.metadata["notes"])


def test_transforms_shuffled_frames_sorted_with_note(tmp_path):
    doc = frames_doc(12)
    ordered = transforms_json.load_transforms(write_json(tmp_path / "a.json", doc))
    rng = np.random.default_rng(1)
    doc["frames"] = [doc["frames"][i] for i in rng.permutation(12)]
    shuffled = transforms_json.load_transforms(write_json(tmp_path / "b.json", doc))
    np.testing.assert_allclose(shuffled.trajectory.position, ordered.trajectory.position)
    assert shuffled.metadata["file_paths"][:3] == [f"images/frame_{i}.png" for i in (1, 2, 3)]  # natural order
    assert any("not in time order" in n and "natural sort" in n for n in shuffled.metadata["notes"])
    assert not any("time order" in n for n in ordered.metadata["notes"])


def test_transforms_float16_rotation_repaired(tmp_path):
    doc = frames_doc()
    for f in doc["frames"]:
        f["transform_matrix"] = np.asarray(f["transform_matrix"]).astype(np.float16).astype(float).tolist()
    doc["frames"][3]["transform_matrix"][0][1] = 9e-4  # float16-sized error
    shot = transforms_json.load_transforms(write_json(tmp_path / "t.json", doc))
    assert any("re-orthonormalised" in n for n in shot.metadata["notes"])


@pytest.mark.parametrize("edit,match", [
    (lambda d: d["frames"][2]["transform_matrix"][0].__setitem__(0, 1.2), r"frames\[2\] \(images/frame_3.png\): "
                                                                          r"transform_matrix rotation is"),
    (lambda d: d["frames"][1]["transform_matrix"][0].__setitem__(0, -1.0), r"frames\[1\].*mirrored"),
    (lambda d: d["frames"][4]["transform_matrix"][1].__setitem__(3, float("nan")), r"frames\[4\].*NaN"),
    (lambda d: d["frames"][0].__setitem__("transform_matrix", [[1, 0, 0, 0]] * 2), r"frames\[0\].*shape \(2, 4\)"),
    (lambda d: d["frames"][0]["transform_matrix"][3].__setitem__(0, 1.0), r"frames\[0\].*last row"),
    (lambda d: d["frames"][1].pop("transform_matrix"), r"frames\[1\]: each frame must"),
    (lambda d: d.__setitem__("frames", []), r'"frames" is empty'),
    (lambda d: d.__setitem__("fl_x", -3), r"t.json: fl_x: must be a positive number"),
    (lambda d: d["frames"][2].__setitem__("fl_x", "big"), r"frames\[2\].fl_x: must be a positive number"),
    (lambda d: d.__setitem__("fps", 0), r"t.json: fps: must be a number"),
    (lambda d: d["frames"][3].__setitem__("file_path", "images/frame_1.png"), r"appears twice"),
])
def test_transforms_bad_input_named(tmp_path, edit, match):
    doc = frames_doc(w=100, h=100, fl_x=100.0)
    edit(doc)
    with pytest.raises(DataError, match=match):
        transforms_json.load_transforms(write_json(tmp_path / "t.json", doc))


def test_transforms_bad_bytes_and_json(tmp_path):
    (tmp_path / "t.json").write_bytes(b'{"frames": [\n"\xc3\x28"]}')
    with pytest.raises(DataError, match=r"t.json: line 2 column \d+: byte 0x.. is not UTF-8"):
        transforms_json.load_transforms(tmp_path / "t.json")
    (tmp_path / "t.json").write_text('{"frames": [\n\n  {"transform_matrix": [1, 2,]}]}')
    with pytest.raises(DataError, match=r"t.json: line 3: invalid JSON"):
        transforms_json.load_transforms(tmp_path / "t.json")
    (tmp_path / "t.json").write_text('[]')
    with pytest.raises(DataError, match='"frames" list'):
        transforms_json.load_transforms(tmp_path / "t.json")


def test_transforms_without_intrinsics_uses_focal_mm(tmp_path):
    shot = transforms_json.load_transforms(write_json(tmp_path / "t.json", frames_doc()), focal_mm=35.0)
    np.testing.assert_allclose(shot.trajectory.focal_length, 35.0)
    assert any("35 mm assumed" in n for n in shot.metadata["notes"])


# ---------------------------------------------------------------------------------------------------- text formats
def test_kitti_bad_input_named(tmp_path):
    good = "1 0 0 0 0 1 0 0 0 0 1 0"
    cases = [
        (f"{good}\n1 0 0 0 0 1 0 0 0 0 1\n", r"k.txt: line 2: has 11 values, expected 12 \(a row-major 3x4"),
        (f"{good}\n1 0 0 0 0 1 0 nan 0 0 1 0\n", r"line 2: column 8 is nan"),
        (f"# poses\n{good}\n2 0 0 0 0 2 0 0 0 0 2 0\n", r"line 3 \(frame 1\): rotation is scaled"),
        (f"{good}\n-1 0 0 0 0 1 0 0 0 0 1 0\n", r"line 2 \(frame 1\): rotation is mirrored"),
        ("# only a comment\n", r"no pose lines"),
        ("", r"empty"),
    ]
    for text, match in cases:
        (tmp_path / "k.txt").write_text(text)
        with pytest.raises(DataError, match=match):
            kitti.load_kitti(tmp_path / "k.txt")
    (tmp_path / "k.txt").write_bytes(good.encode() + b"\n\x80\n")
    with pytest.raises(DataError, match=r"line 2 column \d+: byte 0x.. is not UTF-8"):
        kitti.load_kitti(tmp_path / "k.txt")


def test_kitti_et_layout_companions(tmp_path):
    shot = pan_shot(frames=20)
    (tmp_path / "traj_raw").mkdir()
    (tmp_path / "intrinsics").mkdir()
    (tmp_path / "char_raw").mkdir()
    p = kitti.save_kitti(shot, tmp_path / "traj_raw" / "clip.txt")
    np.save(tmp_path / "intrinsics" / "clip.npy", np.array([456, 456, 320, 136], np.float16))
    char = np.stack([np.linspace(0, 1, 20), np.zeros(20), np.full(20, 3.0)], -1)
    np.save(tmp_path / "char_raw" / "clip.npy", char)
    back = kitti.load_kitti(p)
    assert back.trajectory.fps == 25.0 and back.trajectory.focal_length[0] == pytest.approx(456 * 36 / 640)
    assert back.trajectory.aspect == pytest.approx(640 / 272)
    assert any("E.T." in n for n in back.metadata["notes"])
    with_char = kitti.load_kitti(p, character="auto")
    assert with_char.metadata["subject_placement"] == "character"


def test_tum_shuffled_and_bad_input(tmp_path):
    shot = pan_shot(frames=10)
    p = tum.save_tum(shot, tmp_path / "u.txt", up="+z")
    lines = p.read_text().splitlines()
    header, rows = lines[0], lines[1:]
    (tmp_path / "s.txt").write_text("\n".join([header] + rows[::-1]) + "\n")
    back = tum.load_tum(tmp_path / "s.txt", up="+z", focal_mm=40.0)
    np.testing.assert_allclose(back.trajectory.position, shot.trajectory.position, atol=1e-9)
    assert any("not in time order" in n for n in back.metadata["notes"])
    cases = [
        ("0 1 2 3 0 0 0 1\n0.1 1 2 3 0 0 0\n", r"line 2: has 7 values, expected 8 \(timestamp tx"),
        ("0 1 2 3 0 0 0 1\n0.1 1 2 3 0 0 0 nan\n", r"line 2: qw is nan"),
        ("0 1 2 3 0 0 0 1\n0.1 1 2 3 0 0 0 2\n", r"line 2: quaternion .* has length 2"),
        ("0 1 2 3 0 0 0 1\n0 1 2 3 0 0 0 1\n", r"same time"),
        ("0 1 2 3 0 0 0 0\n", r"line 1: quaternion"),
        ("0 1 2 3 0 0 0 1\n", r"one frame has no frame rate"),
    ]
    for text, match in cases:
        (tmp_path / "bad.txt").write_text(text)
        with pytest.raises(DataError, match=match):
            tum.load_tum(tmp_path / "bad.txt")
    assert tum.load_tum(tmp_path / "bad.txt", fps=30).trajectory.frame_count == 1


def test_re10k_bad_input_named(tmp_path):
    shot = pan_shot(frames=5)
    p = re10k.save_re10k(shot, tmp_path / "r.txt")
    url, *rows = p.read_text().splitlines()
    cells = rows[2].split()
    cases = [
        ([url] + rows[:2] + [" ".join(cells[:-1])], r"line 4: has 18 values, expected 19"),
        ([url] + rows[:2] + [" ".join(cells[:8] + ["nan"] + cells[9:])], r"line 4: r12 is nan"),
        ([url] + rows[:2] + [" ".join(cells[:1] + ["800"] + cells[2:])], r"line 4: fx .* look like pixels"),
        ([url] + rows[:2] + [" ".join(cells[:1] + ["-0.5"] + cells[2:])], r"line 4: fx must be positive"),
        ([url] + rows[:2] + [" ".join(cells[:7] + [str(-float(c)) for c in cells[7:11]] + cells[11:])],
         r"line 4 \(frame 2\): world-to-camera rotation is mirrored"),
        (["not a url"] + rows, r"line 1: expected the clip's video URL"),
        ([url], r"no camera lines"),
    ]
    for lines, match in cases:
        (tmp_path / "bad.txt").write_text("\n".join(lines) + "\n")
        with pytest.raises(DataError, match=match):
            re10k.load_re10k(tmp_path / "bad.txt")
    (tmp_path / "nourl.txt").write_text("\n".join(rows) + "\n")
    assert any("no URL" in n for n in re10k.load_re10k(tmp_path / "nourl.txt").metadata["notes"])


def test_re10k_image_size_in_pixels(tmp_path):
    shot = pan_shot(frames=5)
    p = re10k.save_re10k(shot, tmp_path / "r.txt")
    assert re10k.load_re10k(p, image_size=(1280, 720)).trajectory.focal_length == pytest.approx(
        shot.trajectory.focal_length)


# ---------------------------------------------------------------------------------------------------- sniffing
def test_each_format_sniffs_its_own_files_only(tmp_path):
    shot = pan_shot(frames=5)
    files = {"transforms": transforms_json.save_transforms(shot, tmp_path / "transforms.json"),
             "kitti": kitti.save_kitti(shot, tmp_path / "k.txt"), "tum": tum.save_tum(shot, tmp_path / "u.txt"),
             "re10k": re10k.save_re10k(shot, tmp_path / "r.txt")}
    (tmp_path / "rows.txt").write_text("1 0 0 0\n0 1 0 0\n0 0 1 0\n")  # c2w rows of 4: none of these
    files["other"] = tmp_path / "rows.txt"
    modules = {"transforms": transforms_json, "kitti": kitti, "tum": tum, "re10k": re10k}
    for kind, path in files.items():
        head = read_head(path)
        assert [k for k, m in modules.items() if m.sniff(path, head)] == ([kind] if kind in modules else [])


def test_loaded_shots_save_as_lenscraft_json(tmp_path):
    """What the readers put in Shot.metadata (notes, timestamps, file names, an estimated up vector) is plain
    JSON, so a converted track keeps it."""
    from lenscraft_core.formats import load, save

    shot = pan_shot(frames=6)
    shots = [transforms_json.load_transforms(transforms_json.save_transforms(shot, tmp_path / "t.json")),
             kitti.load_kitti(kitti.save_kitti(shot, tmp_path / "k.txt")),
             tum.load_tum(tum.save_tum(shot, tmp_path / "u.txt")),
             re10k.load_re10k(re10k.save_re10k(shot, tmp_path / "r.txt"))]
    assert save(shots, tmp_path / "out.json") == 4
    back = load(tmp_path / "out.json").shots
    assert [s.metadata["notes"] for s in back] == [s.metadata["notes"] for s in shots]
