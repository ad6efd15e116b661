"""formats.load_any: one entry point that detects every format LensCraft reads from the file itself."""

import json
import os
import warnings

import numpy as np
import pytest

from lenscraft_core import formats
from lenscraft_core.errors import DataError
from lenscraft_core.formats import detect_any, load, load_any, save
from lenscraft_core.formats.c2w import load_c2w, save_c2w
from lenscraft_core.formats.colmap import save_colmap
from lenscraft_core.schema import DEFAULT_FPS
from lenscraft_core.simulate import simulate_batch


@pytest.fixture(scope="module")
def shot():
    return simulate_batch(1, 30, seed=4).shots()[0]


def test_each_format_is_detected_and_read(tmp_path, shot):
    save([shot], tmp_path / "ours.json")
    save([shot], tmp_path / "v1.json", format="lenscraft-v1", mapping="nearest")
    save_c2w(shot, tmp_path / "c2w.npy")
    save_c2w(shot, tmp_path / "c2w.txt")
    save_c2w(shot, tmp_path / "c2w.json")
    save_colmap(shot, tmp_path / "model")
    expected = {"ours.json": "lenscraft", "v1.json": "lenscraft-v1", "c2w.npy": "c2w", "c2w.txt": "c2w",
                "c2w.json": "c2w", "model": "colmap", "model/images.txt": "colmap"}
    for name, fmt in expected.items():
        assert detect_any(tmp_path / name) == fmt, name
        result = load_any(tmp_path / name)
        assert result.format == fmt and len(result.shots) == 1, name
        assert result.shots[0].trajectory.frame_count == 30, name
        assert fmt in formats.LOAD_ANY_FORMATS


def test_json_formats_read_as_load_reads_them(tmp_path, shot):
    save([shot, shot], tmp_path / "ours.json")
    a, b = load(tmp_path / "ours.json"), load_any(tmp_path / "ours.json")
    assert (a.format, len(a.shots), a.path) == (b.format, len(b.shots), b.path)
    np.testing.assert_array_equal(a.shots[1].trajectory.position, b.shots[1].trajectory.position)


def test_source_options_reach_the_readers(tmp_path, shot):
    paths = save_c2w(shot, tmp_path / "m.npy", camera_axes="opengl", up="+y", scale=0.5)
    direct = load_c2w(paths["matrices"], camera_axes="opengl", up="+y", scale=0.5, fps=30.0)
    (via,) = load_any(paths["matrices"], camera_axes="opengl", up="+y", scale=0.5, fps=30.0).shots
    np.testing.assert_array_equal(via.trajectory.position, direct.trajectory.position)
    assert via.trajectory.fps == 30.0
    save_colmap(shot, tmp_path / "model")
    assert load_any(tmp_path / "model").shots[0].trajectory.fps == DEFAULT_FPS


def test_matrix_files_default_to_the_schema_fps(tmp_path):
    np.save(tmp_path / "eye.npy", np.eye(4)[None].repeat(3, 0))
    assert load_c2w(tmp_path / "eye.npy", subject=[0, 0, 2]).trajectory.fps == DEFAULT_FPS
    (tmp_path / "own.json").write_text(json.dumps({"c2w": np.eye(4)[None].repeat(3, 0).tolist(), "fps": 30}))
    assert load_c2w(tmp_path / "own.json", subject=[0, 0, 2]).trajectory.fps == 30.0


def test_errors_stay_those_of_the_reader(tmp_path):
    (tmp_path / "other.json").write_text('{"hello": 1}')
    with pytest.raises(DataError, match="cannot tell the format"):
        load_any(tmp_path / "other.json")
    (tmp_path / "empty.json").write_text("")
    with pytest.raises(DataError, match="the file is empty"):
        load_any(tmp_path / "empty.json")
    with pytest.raises(FileNotFoundError):
        load_any(tmp_path / "missing.json")
    with pytest.raises(DataError, match="file not found"):
        load_any(tmp_path / "missing.npy")
    with pytest.raises(DataError, match="no COLMAP model here"):
        load_any(tmp_path)
    with pytest.raises(ValueError, match="unknown format"):
        load_any(tmp_path / "other.json", format="fbx")


def test_reader_keyword_and_its_old_name(tmp_path, shot):
    save([shot], tmp_path / "a.json")
    assert len(load(tmp_path / "a.json", reader="json")) == 1
    with pytest.warns(DeprecationWarning, match="reader="):
        assert len(load(tmp_path / "a.json", backend="json")) == 1
    with pytest.raises(ValueError, match="unknown JSON reader 'xml'"):
        load(tmp_path / "a.json", reader="xml")


def test_multi_file_writers_refuse_before_writing_any(tmp_path, shot):
    save_c2w(shot, tmp_path / "m.npy")
    os.remove(tmp_path / "m.npy")  # the intrinsics file is still there
    with pytest.raises(FileExistsError, match="m_intrinsics.npy already exists"):
        save_c2w(shot, tmp_path / "m.npy")
    assert not (tmp_path / "m.npy").exists()
    save_colmap(shot, tmp_path / "model")
    os.remove(tmp_path / "model" / "cameras.txt")
    with pytest.raises(FileExistsError, match="images.txt already exists"):
        save_colmap(shot, tmp_path / "model")
    assert not (tmp_path / "model" / "cameras.txt").exists()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        save_colmap(shot, tmp_path / "model", overwrite=True)
    assert sorted(os.listdir(tmp_path / "model")) == ["cameras.txt", "images.txt", "points3D.txt"]  # no temp files


def test_pose_formats_are_detected_and_a_plain_matrix_text_stays_c2w(tmp_path, shot):
    from lenscraft_core.formats import kitti, re10k, transforms_json, tum

    (tmp_path / "traj_raw").mkdir()
    files = {"transforms.json": ("transforms", transforms_json.save_transforms(shot, tmp_path / "transforms.json")),
             "re10k.txt": ("re10k", re10k.save_re10k(shot, tmp_path / "re10k.txt")),
             "tum.txt": ("tum", tum.save_tum(shot, tmp_path / "tum.txt")),
             "tum.csv": ("tum", tum.save_tum(shot, tmp_path / "tum.csv")),
             "et": ("kitti", kitti.save_kitti(shot, tmp_path / "traj_raw" / "clip.txt")),
             # 12 numbers a line outside E.T.'s or KITTI's layout: a matrix file, read as it always was
             "rows.txt": ("c2w", kitti.save_kitti(shot, tmp_path / "rows.txt"))}
    for name, (fmt, path) in files.items():
        assert detect_any(path) == fmt, name
        assert fmt in formats.LOAD_ANY_FORMATS
        result = load_any(path)
        assert result.format == fmt and result.shots[0].trajectory.frame_count == 30, name
    plain = load_any(tmp_path / "rows.txt").shots[0]
    assert plain.metadata["up"] == "-y" and plain.metadata["source"] == "c2w"


def test_any_file_of_a_colmap_model_names_the_model(tmp_path, shot):
    save_colmap(shot, tmp_path / "model")
    for name in formats.COLMAP_FILES[:3]:
        assert detect_any(tmp_path / "model" / name) == "colmap"
    assert load_any(tmp_path / "model" / "points3D.txt").shots[0].trajectory.frame_count == 30
