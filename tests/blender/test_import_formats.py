"""Import of every pose format the core reads (formats.load_any), in real Blender: files written by the core's own
writers (transforms.json, TUM, KITTI, RealEstate10K, matrix .npy / .json, COLMAP text and binary, a COLMAP rig),
the readers' notes reported (INFO, WARNING for repairs), the File menu filter and FileHandler extensions, the
headless import command, and a real DataDoP transforms.json when shared/ has it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

bpy = pytest.importorskip("bpy", reason="bpy (Blender as a Python module) is not installed")

from _paths import REPO  # noqa: E402
from blender_helpers import cameras, scene_state, world_matrices  # noqa: E402
from lenscraft_core.formats import c2w, colmap, kitti, re10k, transforms_json, tum  # noqa: E402
from lenscraft_core.schema import Shot, Subject, Trajectory  # noqa: E402
from lenscraft_core.simulate import simulate_shot  # noqa: E402

REAL_TRACKS = REPO.parent / "shared" / "external" / "real-tracks"
FRAMES = 36


@pytest.fixture(scope="module")
def shot():
    """A 36-frame orbit at 30 fps around the scene fixture's subject, in Blender's world (Z up)."""
    subject = Subject(np.array([1.0, 2.0, 0.9]), np.array([1.0, 0.6, 1.8]), name="Subject")
    return simulate_shot(subject, {"movement": "orbitLeft", "shot_type": "mediumShot"}, FRAMES, fps=30.0,
                         jitter=False)


def _colmap_binary(shot, d):
    colmap.save_colmap(shot, d / "sparse", binary=True)
    return d / "sparse" / "images.bin"  # any file of a model names its folder


WRITERS = {  # format -> writes the shot, returns the path Import is given
    "transforms": lambda shot, d: transforms_json.save_transforms(shot, d / "transforms.json"),
    "tum": lambda shot, d: tum.save_tum(shot, d / "trajectory.tum"),
    "kitti": lambda shot, d: (d / "poses").mkdir() or kitti.save_kitti(shot, d / "poses" / "00.txt"),
    "re10k": lambda shot, d: re10k.save_re10k(shot, d / "clip.txt"),
    "c2w-npy": lambda shot, d: c2w.save_c2w(shot, d / "take.npy")["matrices"],
    "c2w-json": lambda shot, d: c2w.save_c2w(shot, d / "take.json")["matrices"],
    "colmap-folder": lambda shot, d: colmap.save_colmap(shot, d / "sparse"),
    "colmap-bin-file": _colmap_binary,
}


def _pose_error(scene, cam, traj):
    """Largest position (m) and rotation-matrix difference between the imported camera and the trajectory."""
    M = world_matrices(bpy, scene, cam, range(traj.frame_start, traj.frame_start + traj.frame_count))
    return np.abs(M[:, :3, 3] - traj.position).max(), np.abs(M[:, :3, :3] - traj.matrices).max()


@pytest.mark.parametrize("fmt", list(WRITERS))
def test_every_pose_format_imports_as_a_keyed_camera(scene, ext, tmp_path, shot, fmt):
    path = WRITERS[fmt](shot, tmp_path)
    before = len(cameras(bpy))
    assert bpy.ops.lenscraft.import_shots(filepath=str(path)) == {'FINISHED'}
    assert len(cameras(bpy)) == before + 1
    (cam,) = cameras(bpy)
    fc = ext.keyframes.find_fcurve(cam, "location", 0)
    assert len(fc.keyframe_points) == FRAMES and fc.keyframe_points[0].co[0] == 1
    pos_err, rot_err = _pose_error(scene, cam, shot.trajectory)
    assert pos_err < 1e-4 and rot_err < 1e-4, (fmt, pos_err, rot_err)


def test_reader_notes_are_reported_info_and_repairs_warnings(scene, ext, tmp_path, shot):
    """transforms.json: the up the reader chose is a note (INFO); float16 matrices are re-orthonormalised, a repair
    (WARNING). The operator reports both, at those levels, before its message."""
    result = ext.exchange.import_shots(scene, str(WRITERS["transforms"](shot, tmp_path)))
    assert any(n.startswith("up auto: +z") for n in result.notes)
    assert not any("re-orthonormalised" in w for w in result.warnings)
    M = np.load(c2w.save_c2w(shot, tmp_path / "half.npy")["matrices"])
    np.save(tmp_path / "half16.npy", M.astype(np.float16))
    result = ext.exchange.import_shots(scene, str(tmp_path / "half16.npy"))
    assert any("re-orthonormalised" in w for w in result.warnings)
    assert not any("re-orthonormalised" in n for n in result.notes)

    class Op:
        reports: list = []

        def report(self, level, text):
            self.reports.append((set(level), text))

    op = Op()
    ext.operators._report_result(op, result)
    levels = {text: level for level, text in op.reports}
    assert all(levels[w] == {'WARNING'} for w in result.warnings)
    assert all(levels[n] == {'INFO'} for n in result.notes) and op.reports[-1] == ({'INFO'}, result.message)


def test_kitti_without_a_frame_rate_says_which_it_assumed(scene, ext, tmp_path, shot):
    result = ext.exchange.import_shots(scene, str(WRITERS["kitti"](shot, tmp_path)))
    assert any("no frame rate in the file" in n for n in result.notes)


def _rig(shot, d: Path) -> Path:
    """A COLMAP text model of a two-camera rig: cam0/ and cam1/ film the same frames half a metre apart."""
    t = shot.trajectory
    right = Shot(Trajectory.from_matrices(t.position + [0.5, 0, 0], t.matrices, t.focal_length, fps=t.fps),
                 shot.subjects)
    colmap.save_colmap(shot, d / "a", name_pattern="cam0/{:06d}.png")
    colmap.save_colmap(right, d / "b", name_pattern="cam1/{:06d}.png")
    model = d / "rig"
    model.mkdir()
    data = lambda p: [ln for ln in p.read_text().splitlines() if not ln.startswith("#")]  # noqa: E731
    cams = data(d / "a" / "cameras.txt") + ["2 " + ln.split(" ", 1)[1] for ln in data(d / "b" / "cameras.txt")]
    images = data(d / "a" / "images.txt")
    for k, ln in enumerate(data(d / "b" / "images.txt")):
        f = ln.split()
        images.append(" ".join([str(int(f[0]) + 1000)] + f[1:8] + ["2"] + f[9:]) if k % 2 == 0 else ln)
    (model / "cameras.txt").write_text("\n".join(cams) + "\n")
    (model / "images.txt").write_text("\n".join(images) + "\n")
    (model / "points3D.txt").write_text("")
    return model


def test_a_colmap_rig_makes_one_camera_per_rig_camera(scene, ext, tmp_path, shot):
    result = ext.exchange.import_shots(scene, str(_rig(shot, tmp_path)))
    assert sorted(c.name for c in cameras(bpy)) == ["rig_cam1", "rig_cam2"]
    assert sum("2-camera rig" in n for n in result.notes) == 2
    assert all(n.startswith("rig_cam") for n in result.notes)  # several shots: each note names its shot
    for name, offset in (("rig_cam1", 0.0), ("rig_cam2", 0.5)):
        cam = bpy.data.objects[name]
        t = shot.trajectory
        moved = Trajectory.from_matrices(t.position + [offset, 0, 0], t.matrices, t.focal_length, fps=t.fps)
        assert _pose_error(scene, cam, moved)[0] < 1e-4


def test_dropped_files_of_one_colmap_model_import_it_once(scene, ext, tmp_path, shot):
    colmap.save_colmap(shot, tmp_path, binary=True)
    names = [{"name": n} for n in ("cameras.bin", "images.bin", "points3D.bin")]
    assert bpy.ops.lenscraft.import_shots('INVOKE_DEFAULT', directory=str(tmp_path), files=names) == {'FINISHED'}
    assert len(cameras(bpy)) == 1


def test_file_browser_and_drop_accept_the_pose_files(ext):
    wanted = {".json", ".txt", ".npy", ".bin", ".tum", ".csv"}
    glob = bpy.ops.lenscraft.import_shots.get_rna_type().properties["filter_glob"].default
    assert {g.lstrip("*") for g in glob.split(";")} == wanted
    assert set(bpy.types.LENSCRAFT_FH_shots.bl_file_extensions.split(";")) == wanted


def test_unreadable_pose_file_reports_and_changes_nothing(scene, ext, tmp_path):
    bad = tmp_path / "trajectory.tum"
    bad.write_text("0 1 2 3 0 0 0 1\n0.1 1 2 x 0 0 0 1\n")
    before = scene_state(bpy, ext)
    with pytest.raises(RuntimeError, match="trajectory.tum"):
        bpy.ops.lenscraft.import_shots(filepath=str(bad))
    broken = tmp_path / "take.npy"
    broken.write_bytes(b"\x93NUMPY not really")
    with pytest.raises(RuntimeError, match="take.npy"):
        bpy.ops.lenscraft.import_shots(filepath=str(broken))
    assert scene_state(bpy, ext) == before


def test_headless_import_prints_the_readers_notes(scene, ext, tmp_path, shot, capsys):
    path = WRITERS["tum"](shot, tmp_path)
    assert ext.cli.main(["import", str(path)]) == 0
    captured = capsys.readouterr()
    assert "imported 1 shot(s)" in captured.out
    assert "lenscraft: note: no intrinsics: 50 mm assumed" in captured.err
    assert "lenscraft: warning: shot 0 (trajectory) is 30 fps, the scene 24 fps" in captured.err


def test_real_datadop_transforms_json(scene, ext):
    path = REAL_TRACKS / "gendop" / "case1_transforms_cleaning.json"
    if not path.is_file():
        pytest.skip(f"no DataDoP sample at {path} (shared/external/real-tracks/ is not beside the checkout)")
    scene.render.fps = 30
    result = ext.exchange.import_shots(scene, str(path))
    (cam,) = cameras(bpy)
    fc = ext.keyframes.find_fcurve(cam, "location", 0)
    assert [int(k.co[0]) for k in fc.keyframe_points] == list(range(1, 121))
    assert not any("fps" in w for w in result.warnings)  # 30 fps, the scene's rate
    assert any("30 fps, DataDoP's rate" in n for n in result.notes)
    scene.render.fps = 24
    result = ext.exchange.import_shots(scene, str(path))
    assert any("is 30 fps, the scene 24 fps" in w for w in result.warnings)
