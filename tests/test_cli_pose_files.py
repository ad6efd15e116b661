"""The command line on camera files of other tools (issue 14): import / describe / convert read transforms.json,
KITTI (E.T.), TUM, RealEstate10K, matrix files and COLMAP models with no extra flags, print what the reader assumed
or repaired as "note:" lines on stderr, and take `--up auto` and `--up -y`. On files written from shots with known
poses, and on the real tracks in shared/external/real-tracks (skipped when that folder is absent)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from lenscraft_core import formats
from lenscraft_core import geometry as geo
from lenscraft_core.cli import build_parser, main
from lenscraft_core.formats import colmap, kitti, re10k, transforms_json, tum
from lenscraft_core.formats.c2w import save_c2w
from lenscraft_core.schema import Shot, Subject, Trajectory

REPO = Path(__file__).resolve().parents[1]
REAL_TRACKS = next((p for p in (Path(os.environ.get("LENSCRAFT_REAL_TRACKS", "/nonexistent")),
                                REPO.parent / "shared" / "external" / "real-tracks",
                                Path("/work/shared/external/real-tracks")) if p.is_dir()), None)
needs_shared = pytest.mark.skipif(REAL_TRACKS is None, reason="shared/external/real-tracks is not beside the repo")
ET_CLIP = "2011_F_EuMeT2wBo_00014_00001"  # 24 frames, fx 456 px on a 640 px wide image (its intrinsics file)


def pan_shot(frames=40, fps=30.0):
    """A level camera panning 50 degrees and trucking, tilted 8 degrees down: up="auto" can find its world."""
    t = np.linspace(0, 1, frames)
    q = geo.camera_quat_from_yaw_pitch_roll(np.radians(50 * t), np.full(frames, np.radians(-8.0)), 0 * t)
    pos = np.stack([2 * t, -3 + 0 * t, 1.6 + 0 * t], -1)
    traj = Trajectory(pos, q, np.full(frames, 35.0), fps=fps, aspect=16 / 9)
    return Shot(traj, [Subject([0, 0, 1], [1, 1, 1])], name="pan")


def imported(tmp_path, source, *flags):
    out = tmp_path / f"out-{Path(source).name}{''.join(flags)}.json"
    assert main(["import", str(source), "--out", str(out), *flags]) == 0
    return formats.load(out).shots


def notes_printed(capsys) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line.startswith("note: ")]


# ---------------------------------------------------------------------------------------------------- known poses
def write_each(shot, folder: Path) -> dict[str, Path]:
    """The shot in each pose format, each written in its format's usual world (not Blender's Z up)."""
    (folder / "poses").mkdir(parents=True)
    return {"transforms": transforms_json.save_transforms(shot, folder / "transforms.json", up="+y"),
            "kitti": kitti.save_kitti(shot, folder / "poses" / "00.txt", up="-y"),
            "tum": tum.save_tum(shot, folder / "trajectory.txt", up="-y"),
            "re10k": re10k.save_re10k(shot, folder / "clip.txt", up="-y")}


def test_import_reads_each_pose_format_without_flags(tmp_path, capsys):
    shot = pan_shot()
    for fmt, path in write_each(shot, tmp_path).items():
        assert formats.detect_any(path) == fmt
        (back,) = imported(tmp_path, path)
        t = back.trajectory
        assert t.frame_count == 40, fmt
        # up auto finds the file's world axis: the camera comes back as it was, in Blender's Z-up frame
        np.testing.assert_allclose(t.position, shot.trajectory.position, atol=1e-6, err_msg=fmt)
        np.testing.assert_allclose(t.matrices, shot.trajectory.matrices, atol=1e-6, err_msg=fmt)
        notes = notes_printed(capsys)
        assert any(n.startswith("note: up auto: ") for n in notes), (fmt, notes)
        if fmt in ("transforms", "tum", "re10k"):  # a frame rate in the file: the shot's
            assert t.fps == pytest.approx(30.0), fmt
        else:  # KITTI odometry's poses/<sequence>.txt: 10 fps, said in a note
            assert t.fps == 10.0 and any("KITTI odometry" in n for n in notes)


def test_up_flag_overrides_auto_and_warns_when_upside_down(tmp_path, capsys):
    (tmp_path / "poses").mkdir()
    path = kitti.save_kitti(pan_shot(), tmp_path / "poses" / "03.txt", up="-y")
    (right,) = imported(tmp_path, path, "--up", "-y")
    (wrong,) = imported(tmp_path, path, "--up", "+y")
    notes = notes_printed(capsys)
    assert any("will read upside down unless up is -y" in n for n in notes), notes
    np.testing.assert_allclose(right.trajectory.position, pan_shot().trajectory.position, atol=1e-6)
    assert not np.allclose(wrong.trajectory.position, right.trajectory.position)


def test_up_takes_auto_and_negative_axes_as_separate_arguments():
    for value in ("auto", "-y", "-z", "+x"):
        assert build_parser().parse_args(["describe", "x.json", "--up", value]).up == value
        assert build_parser().parse_args(["convert", "x.json", "--out", "o.json", "--up", value]).up == value
    assert build_parser().parse_args(["import", "x.json", "--out", "o.json"]).up is None  # the format's default


def test_matrix_files_keep_minus_y_and_accept_auto(tmp_path, capsys):
    shot = pan_shot()
    save_c2w(shot, tmp_path / "take.npy", up="-y")
    (default,) = imported(tmp_path, tmp_path / "take.npy")
    np.testing.assert_allclose(default.trajectory.position, shot.trajectory.position, atol=1e-9)
    assert notes_printed(capsys) == []  # a given (default) axis the cameras agree with: nothing to say
    save_c2w(shot, tmp_path / "zup.npy", up="+z")
    (auto,) = imported(tmp_path, tmp_path / "zup.npy", "--up", "auto")
    np.testing.assert_allclose(auto.trajectory.position, shot.trajectory.position, atol=1e-9)
    assert any(n.startswith("note: up auto: +z") for n in notes_printed(capsys))


def test_float16_matrices_are_repaired_with_a_note(tmp_path, capsys):
    shot = pan_shot()
    paths = save_c2w(shot, tmp_path / "half.npy")
    np.save(paths["matrices"], np.load(paths["matrices"]).astype(np.float16))
    (back,) = imported(tmp_path, paths["matrices"])
    assert any("re-orthonormalised" in n for n in notes_printed(capsys))
    np.testing.assert_allclose(back.trajectory.position, shot.trajectory.position, atol=5e-3)


def test_convert_and_describe_read_a_pose_file(tmp_path, capsys):
    path = tum.save_tum(pan_shot(), tmp_path / "traj.tum", up="-y")
    assert main(["convert", str(path), "--out", str(tmp_path / "c.json")]) == 0
    assert any("no intrinsics: 50 mm assumed" in n for n in notes_printed(capsys))
    assert formats.load(tmp_path / "c.json").shots[0].trajectory.frame_count == 40
    assert main(["describe", str(path), "--top-k", "1"]) == 0
    captured = capsys.readouterr()
    assert "traj: the camera" in captured.out and "note: up auto: -y" in captured.err


# ---------------------------------------------------------------------------------------------------- COLMAP
def test_colmap_file_in_a_model_folder_reads_the_folder(tmp_path, capsys, monkeypatch):
    colmap.save_colmap(pan_shot(), tmp_path / "sparse" / "0")
    (tmp_path / "sparse" / "0" / "points3D.txt").write_text("# no points\n")
    monkeypatch.chdir(tmp_path / "sparse" / "0")
    for name in ("images.txt", "cameras.txt", "points3D.txt"):
        assert main(["describe", name, "--top-k", "1"]) == 0, name
        assert "no COLMAP model here" not in capsys.readouterr().err


def test_colmap_up_auto_says_what_it_chose(tmp_path, capsys):
    """A model whose world is tilted 22.6 degrees off gravity (as a real reconstruction was): auto turns it back."""
    shot = pan_shot()
    tilt = geo.axis_angle_matrix(np.array([1.0, 0.0, 0.0]), np.radians(22.6))
    t = shot.trajectory
    tilted = Shot(Trajectory.from_matrices(t.position @ tilt.T, tilt @ t.matrices, t.focal_length, fps=t.fps,
                                           aspect=t.aspect), shot.subjects, name="tilted")
    colmap.save_colmap(tilted, tmp_path / "m", up="+z")
    (auto,) = imported(tmp_path, tmp_path / "m", "--up", "auto")
    assert any(n.startswith("note: up auto: +z levelled to the cameras' right vectors: 22.6 degrees from +z")
               for n in notes_printed(capsys))
    up = auto.trajectory.matrices[:, :, 1].mean(0)  # the camera's up axis, in the read world
    assert np.degrees(np.arccos(up[2] / np.linalg.norm(up))) < 10.0  # near Z again (the shot tilts 8 degrees)
    (given,) = imported(tmp_path, tmp_path / "m", "--up", "+z")
    np.testing.assert_allclose(given.trajectory.position, tilted.trajectory.position, atol=1e-9)


# ---------------------------------------------------------------------------------------------------- real tracks
@needs_shared
@pytest.mark.parametrize("case", [1, 2, 3])
def test_describe_reads_a_datadop_transforms_json_at_30_fps(tmp_path, capsys, case):
    path = REAL_TRACKS / "gendop" / f"case{case}_transforms_cleaning.json"
    assert main(["describe", str(path), "--top-k", "1"]) == 0
    captured = capsys.readouterr()
    assert f"case{case}_transforms_cleaning: the camera" in captured.out
    assert "note: no fps in the file: 30 fps, DataDoP's rate" in captured.err
    (shot,) = imported(tmp_path, path)
    assert shot.trajectory.fps == 30.0 and shot.trajectory.frame_count == 120


@needs_shared
def test_import_reads_an_et_track_at_25_fps_with_its_intrinsics(tmp_path, capsys):
    path = REAL_TRACKS / "et" / "traj_raw" / f"{ET_CLIP}.txt"
    assert formats.detect_any(path) == "kitti"
    (shot,) = imported(tmp_path, path)
    t = shot.trajectory
    assert t.frame_count == 24 and t.fps == 25.0
    np.testing.assert_allclose(t.focal_length, 456.0 * 36.0 / 640.0)
    notes = notes_printed(capsys)
    assert any("re-orthonormalised" in n and "float16" in n for n in notes), notes
    assert any("intrinsics from E.T.'s" in n for n in notes) and any("25 fps (E.T.'s rate)" in n for n in notes)
    assert main(["describe", str(path), "--top-k", "1"]) == 0
    assert f"{ET_CLIP}: the camera" in capsys.readouterr().out
