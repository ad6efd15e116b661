import json

import numpy as np
import pytest

from lenscraft_core import geometry as geo
from lenscraft_core.errors import DataError
from lenscraft_core.formats.c2w import load_c2w, read_matrices, save_c2w
from lenscraft_core.schema import Shot, Subject, Trajectory


def make_shot(frames=30, seed=0, moving=False, roll=None):
    """An orbit about a moving target; roll (radians per frame) defaults to a 0.1 rad ramp over the shot."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0.0, 1.0, frames)
    ang = rng.uniform(0, 6) + 1.1 * t
    pos = np.stack([3 * np.cos(ang), 3 * np.sin(ang), 1.2 + 0.4 * t], -1)
    target = np.stack([0.5 * t, 0.2 * t, np.full(frames, 0.9)], -1)
    R = geo.look_at(pos, target, roll=0.1 * t if roll is None else roll)
    traj = Trajectory.from_matrices(pos, R, 24.0 + 30 * t, fps=25.0)
    subj = Subject(target[0], [0.6, 0.4, 1.8], motion_position=target if moving else None)
    return Shot(traj, [subj], name="synthetic")


def assert_same_camera(a: Trajectory, b: Trajectory, tol=1e-6):
    np.testing.assert_allclose(b.position, a.position, atol=tol)
    np.testing.assert_allclose(b.matrices, a.matrices, atol=tol)
    np.testing.assert_allclose(b.focal_length, a.focal_length, atol=tol)
    assert b.fps == a.fps
    assert b.aspect == pytest.approx(a.aspect, abs=1e-3)


@pytest.mark.parametrize("axes,up", [("opencv", "-y"), ("opencv", "+z"), ("opengl", "+y"), ("opengl", "+z")])
@pytest.mark.parametrize("ext", [".npy", ".txt", ".json"])
def test_round_trip_each_convention(tmp_path, axes, up, ext):
    shot = make_shot(moving=True)
    paths = save_c2w(shot, tmp_path / f"traj{ext}", camera_axes=axes, up=up, scale=0.1,
                     layout="3x4" if ext == ".txt" else "4x4")
    kw = {} if ext == ".json" else {"intrinsics": paths["intrinsics"], "character": paths["character"], "fps": 25.0}
    back = load_c2w(paths["matrices"], camera_axes=axes, up=up, scale=0.1, **kw)
    assert_same_camera(shot.trajectory, back.trajectory)
    np.testing.assert_allclose(back.subject.motion_position, shot.subject.motion_position, atol=1e-6)
    assert back.metadata["subject_placement"] == "character"


def test_round_trip_simulator_shots(tmp_path):
    simulate = pytest.importorskip("lenscraft_core.simulate")
    for k, shot in enumerate(simulate.simulate_batch(3, 30, seed=2).shots()):
        p = save_c2w(shot, tmp_path / f"s{k}.npy")
        back = load_c2w(p["matrices"], intrinsics=p["intrinsics"], fps=float(shot.trajectory.fps))
        assert_same_camera(shot.trajectory, back.trajectory)


def test_conventions_agree_on_a_known_pose(tmp_path):
    # An OpenGL camera with identity rotation in a Y-up world looks down world -Z with +Y up; an OpenCV camera with
    # identity rotation in a y-down world looks down +Z with -Y up. Both are a camera at the origin looking at
    # Blender +Y (the Y-up "into the screen" and the y-down "forward") with +Z up.
    eye = np.eye(4)[None]
    np.save(tmp_path / "gl.npy", eye)
    np.save(tmp_path / "cv.npy", eye)
    gl = load_c2w(tmp_path / "gl.npy", camera_axes="opengl", up="+y", subject=[0, 0, -2])
    cv = load_c2w(tmp_path / "cv.npy", camera_axes="opencv", up="-y", subject=[0, 0, 2])
    want = geo.look_at(np.zeros(3), [0, 1, 0])
    np.testing.assert_allclose(gl.trajectory.matrices[0], want, atol=1e-12)
    np.testing.assert_allclose(cv.trajectory.matrices[0], want, atol=1e-12)
    np.testing.assert_allclose(gl.subject.position, [0, 2, 0], atol=1e-12)
    np.testing.assert_allclose(cv.subject.position, [0, 2, 0], atol=1e-12)


def test_text_layouts_and_intrinsics(tmp_path):
    shot = make_shot(6)
    p = save_c2w(shot, tmp_path / "a.npy", camera_axes="opengl", up="+z")
    M = np.load(p["matrices"])
    rows = M.reshape(-1, 4)  # one matrix row per line, blocks of 4
    np.savetxt(tmp_path / "rows.txt", rows)
    np.savetxt(tmp_path / "flat16.txt", M.reshape(6, 16), delimiter=",")
    for name in ("rows.txt", "flat16.txt"):
        np.testing.assert_allclose(read_matrices(tmp_path / name), M, atol=1e-12)
    # fx in pixels per frame with an image size, and K per frame (image size from the principal point).
    fx = shot.trajectory.focal_length * 1920 / 36
    a = load_c2w(tmp_path / "rows.txt", camera_axes="opengl", up="+z", intrinsics=fx, image_size=(1920, 1080))
    b = load_c2w(p["matrices"], camera_axes="opengl", up="+z", intrinsics=p["intrinsics"])
    for s in (a, b):
        np.testing.assert_allclose(s.trajectory.focal_length, shot.trajectory.focal_length, atol=1e-9)
        assert s.trajectory.aspect == pytest.approx(16 / 9)
    with pytest.raises(DataError, match="image_size"):
        load_c2w(p["matrices"], intrinsics=fx)


def test_nerf_transforms_json_and_estimated_subject(tmp_path):
    shot = make_shot(20)
    M = np.load(save_c2w(shot, tmp_path / "a.npy", camera_axes="opengl", up="+y")["matrices"])
    doc = {"camera_angle_x": 0.8, "frames": [{"file_path": f"f{i}", "transform_matrix": m.tolist()}
                                             for i, m in enumerate(M)]}
    (tmp_path / "transforms.json").write_text(json.dumps(doc))
    back = load_c2w(tmp_path / "transforms.json", camera_axes="opengl", up="+y", fps=25.0)
    np.testing.assert_allclose(back.trajectory.position, shot.trajectory.position, atol=1e-9)
    # The cameras look at a slowly moving target: the estimate lands near its path.
    assert back.metadata["subject_placement"] == "look_point"
    assert np.linalg.norm(back.subject.position - [0.25, 0.1, 0.9]) < 0.5


def _bad_txt(tmp_path, edit):
    M = np.load(save_c2w(make_shot(5), tmp_path / "a.npy")["matrices"]).reshape(5, 16)
    lines = ["# header comment"] + [" ".join(repr(float(v)) for v in row) for row in M]
    edit(lines)
    (tmp_path / "bad.txt").write_text("\n".join(lines) + "\n")
    return tmp_path / "bad.txt"


@pytest.mark.parametrize("edit,line,words", [
    (lambda L: L.__setitem__(3, L[3].replace(L[3].split()[5], "nan", 1)), 4, "NaN"),
    (lambda L: L.__setitem__(4, " ".join(L[4].split()[:15])), 5, "15 values"),
    (lambda L: L.__setitem__(2, " ".join(["2"] + L[2].split()[1:])), 3, "rotation part is scaled"),
    (lambda L: L.__setitem__(5, " ".join(L[5].split()[:12] + ["0", "0", "1", "1"])), 6, "last row"),
    (lambda L: L.__setitem__(1, L[1].replace(L[1].split()[0], "abc", 1)), 2, "not a number"),
])
def test_bad_text_names_line(tmp_path, edit, line, words):
    with pytest.raises(DataError) as e:
        load_c2w(_bad_txt(tmp_path, edit))
    assert f"bad.txt: line {line}" in str(e.value) and words in str(e.value), str(e.value)


def test_bad_shapes(tmp_path):
    np.save(tmp_path / "m.npy", np.zeros((4, 5)))
    with pytest.raises(DataError, match=r"m.npy: matrices have shape \(4, 5\)"):
        load_c2w(tmp_path / "m.npy")
    shot = make_shot(5)
    p = save_c2w(shot, tmp_path / "a.npy")
    with pytest.raises(DataError, match=r"character trajectory has shape \(4, 3\)"):
        load_c2w(p["matrices"], character=np.zeros((4, 3)))
    with pytest.raises(FileExistsError):
        save_c2w(shot, tmp_path / "a.npy")


def test_float16_rotations_are_repaired_and_mirrors_and_scales_stay_errors(tmp_path):
    shot = make_shot(6)
    M = np.load(save_c2w(shot, tmp_path / "a.npy")["matrices"])
    np.save(tmp_path / "half.npy", M.astype(np.float16))
    back = load_c2w(tmp_path / "half.npy")
    assert any("re-orthonormalised" in n and "float16" in n for n in back.metadata["notes"])
    R = back.trajectory.matrices
    np.testing.assert_allclose(R @ np.swapaxes(R, 1, 2), np.broadcast_to(np.eye(3), R.shape), atol=1e-12)
    assert "notes" not in load_c2w(tmp_path / "a.npy").metadata  # exact rotations: nothing to say
    for name, edit, words in [("mirror", np.diag([1.0, 1.0, -1.0, 1.0]), "frame 2: rotation part is mirrored"),
                              ("scaled", np.diag([1.01, 1.01, 1.01, 1.0]), "frame 2: rotation part is scaled")]:
        bad = M.copy()
        bad[2] = bad[2] @ edit
        np.save(tmp_path / f"{name}.npy", bad)
        with pytest.raises(DataError, match=words):
            load_c2w(tmp_path / f"{name}.npy")


def test_up_auto_finds_the_files_world(tmp_path):
    """A world saved on an axis reads back on that axis, exactly, when the cameras are level (up auto's premise)
    and when their roll is only noise (2 degrees per frame here: the levelled up's 1.3-degree lean is within its own
    uncertainty, so it is no evidence against the axis)."""
    noisy_roll = np.radians(2.0) * np.random.default_rng(100).normal(size=20)
    for name, roll in (("level", np.zeros(20)), ("noisy", noisy_roll)):
        shot = make_shot(20, roll=roll)
        for up in ("+z", "+y", "-y"):
            p = save_c2w(shot, tmp_path / f"{name}{up}.npy", up=up)["matrices"]
            back = load_c2w(p, up="auto")
            assert back.metadata["up"] == up and back.metadata["notes"][0].startswith(f"up auto: {up}")
            np.testing.assert_allclose(back.trajectory.position, shot.trajectory.position, atol=1e-9)


def test_up_auto_levels_a_roll_in_step_with_the_orbit_and_names_the_axis(tmp_path):
    """A roll ramp in step with the orbit (make_shot's 0.1 rad over 63 degrees) tips the right vectors as a 6.7-degree
    lean of the world would, with no residue to tell them apart: up auto levels it, and its note names the file's
    axis and how far it leaned, so the user can give --up instead."""
    shot = make_shot(20)
    p = save_c2w(shot, tmp_path / "roll.npy", up="+y")["matrices"]
    back = load_c2w(p, up="auto")
    assert not isinstance(back.metadata["up"], str)
    assert back.metadata["notes"][0].startswith("up auto: +y levelled to the cameras' right vectors: 6.7 degrees from +y")
    assert "--up +y keeps the axis" in back.metadata["notes"][0]
    np.testing.assert_allclose(load_c2w(p, up="+y").trajectory.position, shot.trajectory.position, atol=1e-9)
