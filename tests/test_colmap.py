import numpy as np
import pytest

from lenscraft_core import geometry as geo
from lenscraft_core.errors import DataError
from lenscraft_core.formats.colmap import load_colmap, natural_key, read_model, save_colmap
from lenscraft_core.schema import Shot, Subject, Trajectory

CAMERAS = """# Camera list
1 PINHOLE 1920 1080 1600 1600 960 540
2 SIMPLE_RADIAL 1920 1080 2400 960 540 0.01
"""
# Image 2 (named img10) sits at COLMAP (5, 0, 0) looking at the origin along -x: camera axes x=(0,0,1), y=(0,1,0)
# (down), z=(-1,0,0), so R_w2c = [[0,0,1],[0,1,0],[-1,0,0]], a +90 degree turn about Y: q = (cos 45, 0, sin 45, 0);
# t = -R_w2c C = (0, 0, 5). Image 1 (img2) has the identity rotation at (0, 0, -5): t = (0, 0, 5).
IMAGES = """# Image list
2 0.70710678 0 0.70710678 0 0 0 5 2 img10.jpg

1 1 0 0 0 0 0 5 1 img2.jpg
100.0 200.0 -1
"""


def write_model(tmp_path, cameras=CAMERAS, images=IMAGES, name="model"):
    d = tmp_path / name
    d.mkdir()
    (d / "cameras.txt").write_text(cameras)
    (d / "images.txt").write_text(images)
    return d


def make_shot(frames=40, seed=0, roll_amplitude=0.2):
    rng = np.random.default_rng(seed)
    t = np.linspace(0.0, 1.0, frames)
    ang = rng.uniform(0, 6) + 1.3 * t
    r = 4.0 - 1.5 * t
    pos = np.stack([r * np.cos(ang), r * np.sin(ang), 1.0 + 0.5 * t], -1) + rng.normal(size=3)
    target = np.array([0.2, -0.1, 0.9])
    R = geo.look_at(pos, target, roll=roll_amplitude * np.sin(3 * t))
    traj = Trajectory.from_matrices(pos, R, 30.0 * (1 + t), fps=25.0)
    return Shot(traj, [Subject(target, [0.5, 0.5, 1.8])], name="synthetic")


def assert_same_camera(a: Trajectory, b: Trajectory, tol=1e-6):
    assert a.frame_count == b.frame_count
    np.testing.assert_allclose(b.position, a.position, atol=tol)
    np.testing.assert_allclose(b.matrices, a.matrices, atol=tol)
    np.testing.assert_allclose(b.focal_length, a.focal_length, atol=tol)
    assert b.aspect == pytest.approx(a.aspect, abs=1e-3)


def test_hand_made_model_imports_known_poses(tmp_path):
    shot = load_colmap(write_model(tmp_path), up="-y", fps=30)
    t = shot.trajectory
    assert shot.metadata["images"] == ["img2.jpg", "img10.jpg"]  # natural order, not text order
    # COLMAP's -y up becomes Blender +Z; COLMAP +z (forward of image 1) becomes Blender +Y.
    np.testing.assert_allclose(t.position, [[0, -5, 0], [5, 0, 0]], atol=1e-6)
    np.testing.assert_allclose(t.matrices, geo.look_at(t.position, np.zeros(3)), atol=1e-6)
    np.testing.assert_allclose(t.focal_length, [1600 * 36 / 1920, 2400 * 36 / 1920])
    assert t.fps == 30 and t.aspect == pytest.approx(16 / 9)
    np.testing.assert_allclose(shot.subject.position, [0, 0, 0], atol=1e-6)  # where both optical axes meet
    assert shot.instructions == []


def test_scale_up_axis_and_given_subject(tmp_path):
    shot = load_colmap(write_model(tmp_path), up="-y", scale=2.0,
                       subject={"position": [0, -1, 0], "size": [1, 2, 3]})
    np.testing.assert_allclose(shot.trajectory.position, [[0, -10, 0], [10, 0, 0]], atol=1e-6)
    np.testing.assert_allclose(shot.subject.position, [0, 0, 2], atol=1e-9)  # COLMAP -y is up
    np.testing.assert_allclose(shot.subject.size, [2, 6, 4])  # y and z extents swap, times the scale


def test_timestamp_order(tmp_path):
    images = IMAGES.replace("img10.jpg", "cam_100.5.jpg").replace("img2.jpg", "cam_99.25.jpg")
    shot = load_colmap(write_model(tmp_path, images=images), order="timestamp")
    assert shot.metadata["images"] == ["cam_99.25.jpg", "cam_100.5.jpg"]
    assert sorted(["f10", "f2", "f1"], key=natural_key) == ["f1", "f2", "f10"]


@pytest.mark.parametrize("up", ["-y", "+z", "+y"])
@pytest.mark.parametrize("binary", [False, True])
def test_round_trip(tmp_path, up, binary):
    shot = make_shot()
    save_colmap(shot, tmp_path / "m", up=up, scale=0.5, binary=binary)
    assert (tmp_path / "m" / ("images.bin" if binary else "images.txt")).exists()
    back = load_colmap(tmp_path / "m", up=up, scale=0.5, fps=25.0)
    assert_same_camera(shot.trajectory, back.trajectory)
    # The estimated subject is where the (rolling, orbiting) cameras look.
    np.testing.assert_allclose(back.subject.position, shot.subject.position, atol=1e-6)


def test_round_trip_simulator_shots(tmp_path):
    simulate = pytest.importorskip("lenscraft_core.simulate")
    for k, shot in enumerate(simulate.simulate_batch(3, 30, seed=1).shots()):
        save_colmap(shot, tmp_path / f"s{k}")
        back = load_colmap(tmp_path / f"s{k}", fps=float(shot.trajectory.fps))
        assert_same_camera(shot.trajectory, back.trajectory)


def test_binary_matches_text(tmp_path):
    shot = make_shot(12)
    save_colmap(shot, tmp_path / "t")
    save_colmap(shot, tmp_path / "b", binary=True)
    (ct, it), (cb, ib) = read_model(tmp_path / "t"), read_model(tmp_path / "b")
    assert [i.name for i in it] == [i.name for i in ib]
    np.testing.assert_allclose(np.stack([i.qvec for i in it]), np.stack([i.qvec for i in ib]), atol=1e-15)
    assert ct[1].fx == cb[1].fx


BAD = {
    "wrong image columns": ("images", "1 1 0 0 0 0 0 5 1 img2.jpg", "1 1 0 0 0 0 0 5 img2.jpg", 4, "columns"),
    "non-unit quaternion": ("images", "1 1 0 0 0 0 0 5 1", "1 0.9 0 0 0 0 0 5 1", 4, "norm"),
    "duplicate name": ("images", "img10.jpg", "img2.jpg", 4, "duplicate image name"),
    "missing camera": ("images", "0 0 5 1 img2", "0 0 5 7 img2", 4, "camera id 7"),
    "NaN in pose": ("images", "1 1 0 0 0 0 0 5", "1 1 0 0 0 nan 0 5", 4, "non-finite"),
    "text in pose": ("images", "1 1 0 0 0 0 0 5", "1 1 0 0 0 x 0 5", 4, "not a valid float"),
    "NaN in camera": ("cameras", "1600 1600 960", "1600 nan 960", 2, "non-finite"),
    "wrong param count": ("cameras", "1600 1600 960 540\n", "1600 1600 960\n", 2, "takes 4 parameters"),
    "unknown model": ("cameras", "SIMPLE_RADIAL", "WEIRD_MODEL", 3, "unknown camera model"),
    "short camera line": ("cameras", "2 SIMPLE_RADIAL 1920 1080 2400 960 540 0.01", "2 SIMPLE_RADIAL", 3, "columns"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_names_file_and_line(tmp_path, case):
    which, old, new, line, words = BAD[case]
    texts = {"cameras": CAMERAS, "images": IMAGES}
    assert old in texts[which]
    texts[which] = texts[which].replace(old, new, 1)
    d = write_model(tmp_path, texts["cameras"], texts["images"])
    with pytest.raises(DataError) as e:
        load_colmap(d)
    msg = str(e.value)
    assert f"{which}.txt: line {line}" in msg, msg
    assert words in msg, msg


def test_missing_model(tmp_path):
    with pytest.raises(DataError, match="no COLMAP model"):
        load_colmap(tmp_path)


def test_truncated_binary(tmp_path):
    save_colmap(make_shot(5), tmp_path / "b", binary=True)
    p = tmp_path / "b" / "images.bin"
    p.write_bytes(p.read_bytes()[:-30])
    with pytest.raises(DataError, match=r"images.bin: image record 4: file ends early"):
        load_colmap(tmp_path / "b")


# ---------------------------------------------------------------------------------------------------- layout, rigs
def _image_lines(shot, camera_of=lambda i: 1, name_of="frame_{:05d}.jpg".format, points=lambda i: None):
    """images.txt lines for a shot's camera (COLMAP's world = the shot's with up -y), one image per frame."""
    from lenscraft_core.formats.c2w import from_blender

    t = shot.trajectory
    R_c2w, centre = from_blender(t.matrices, t.position, "opencv", "-y")
    R_w2c = np.swapaxes(R_c2w, 1, 2)
    q, tv = geo.matrix_to_quat(R_w2c), -np.einsum("fij,fj->fi", R_w2c, centre)
    lines = []
    for i in range(t.frame_count):
        lines.append(" ".join(str(v) for v in [i + 1, *q[i], *tv[i], camera_of(i), name_of(i + 1)]))
        if points(i) is not None:
            lines.append(points(i))
    return "\n".join(lines) + "\n"


ONE_CAMERA = "1 PINHOLE 1920 1080 1600 1600 960 540\n"


@pytest.mark.parametrize("layout", ["no points lines", "mixed", "every image with points"])
def test_images_txt_with_or_without_points_lines_drops_no_image(tmp_path, layout):
    shot = make_shot(9)
    points = {"no points lines": lambda i: None, "mixed": lambda i: ["", None, "1.5 2.5 -1 3 4 7"][i % 3],
              "every image with points": lambda i: "10 20 -1"}[layout]
    d = write_model(tmp_path, ONE_CAMERA, _image_lines(shot, points=points))
    back = load_colmap(d, fps=25.0)
    assert back.trajectory.frame_count == 9
    np.testing.assert_allclose(back.trajectory.position, shot.trajectory.position, atol=1e-6)


def test_a_points_line_without_its_image_is_a_named_error(tmp_path):
    d = write_model(tmp_path, ONE_CAMERA, "1 1 0 0 0 0 0 5 1 a.jpg\n1 2 -1\n3 4 -1\n")
    with pytest.raises(DataError, match=r"images.txt: line 3: has 3 columns: a POINTS2D line .* follows no image"):
        load_colmap(d)


def test_a_two_camera_rig_is_one_take_per_camera(tmp_path):
    """cam0/ and cam1/ film the same frames half a metre apart: two takes, each smooth, never one that jumps."""
    from lenscraft_core import formats

    left = make_shot(8)
    t = left.trajectory
    right = Shot(Trajectory.from_matrices(t.position + [0.5, 0, 0], t.matrices, t.focal_length, fps=25.0),
                 left.subjects)
    lines = _image_lines(left, name_of="cam0/{:06d}.png".format)
    extra = _image_lines(right, camera_of=lambda i: 2, name_of="cam1/{:06d}.png".format).splitlines()
    lines += "\n".join(" ".join([str(int(ln.split()[0]) + 100)] + ln.split()[1:]) for ln in extra) + "\n"
    d = write_model(tmp_path, ONE_CAMERA + "2 PINHOLE 1920 1080 1600 1600 960 540\n", lines)
    result = formats.load_any(d)
    assert [s.name for s in result.shots] == ["model_cam1", "model_cam2"]
    for shot, want in zip(result.shots, (left, right)):
        np.testing.assert_allclose(shot.trajectory.position, want.trajectory.position, atol=1e-6)
        assert any("2-camera rig" in n for n in shot.metadata["notes"])
    with pytest.raises(DataError, match=r"2-camera rig \(camera ids \[1, 2\]\): pass camera="):
        load_colmap(d)
    assert load_colmap(d, camera=2).trajectory.frame_count == 8


def test_a_zoom_stored_as_one_camera_per_focal_length_stays_one_take(tmp_path):
    from lenscraft_core import formats

    shot = make_shot(12)
    t = shot.trajectory
    focal = np.where(np.arange(12) < 6, 30.0, 60.0)  # two focal lengths: save_colmap writes two cameras
    zoom = Shot(Trajectory.from_matrices(t.position, t.matrices, focal, fps=25.0), shot.subjects, name="zoom")
    save_colmap(zoom, tmp_path / "z")
    (back,) = formats.load_any(tmp_path / "z", fps=25.0).shots
    assert_same_camera(zoom.trajectory, back.trajectory)


def test_up_auto_and_float_rounded_quaternions(tmp_path):
    """Level cameras (up auto's premise; make_shot's roll would tip the right vectors as a lean does) in COLMAP's
    -y world, quaternions rounded to 4 decimals: the rounding is within the levelled up's noise, so the axis."""
    shot = make_shot(10, roll_amplitude=0.0)
    text = _image_lines(shot)
    rounded = "\n".join(" ".join([c.split()[0]] + [f"{float(v):.4f}" for v in c.split()[1:5]] + c.split()[5:])
                        for c in text.splitlines()) + "\n"
    d = write_model(tmp_path, ONE_CAMERA, rounded)
    back = load_colmap(d, up="auto")
    assert back.metadata["up"] == "-y" and any(n.startswith("up auto: -y") for n in back.metadata["notes"])
    np.testing.assert_allclose(back.trajectory.position, shot.trajectory.position, atol=1e-3)
