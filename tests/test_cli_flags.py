"""The command line's shared flags: --runtime (and its deprecated name --backend), --overwrite, load_any inputs."""

import numpy as np
import pytest

from lenscraft_core import formats
from lenscraft_core.cli import build_parser, main
from lenscraft_core.formats.c2w import save_c2w
from lenscraft_core.inference.runtime import RUNTIMES
from lenscraft_core.simulate import simulate_batch


@pytest.mark.parametrize("command", ["describe", "complete", "inspect"])
def test_runtime_flag_and_its_deprecated_alias(command, capsys):
    extra = ["--keys", "0", "--out", "o.json"] if command == "complete" else []
    args = build_parser().parse_args([command, "x.json", *extra, "--runtime", "onnx"])
    assert args.runtime == "onnx"
    assert build_parser().parse_args([command, "x.json", *extra]).runtime == "auto"
    args = build_parser().parse_args([command, "x.json", *extra, "--backend", "torch"])
    assert args.runtime == "torch" and "--backend is deprecated; use --runtime" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        build_parser().parse_args([command, "x.json", *extra, "--runtime", "tensorflow"])


def test_runtime_choices_come_from_the_runtime_module(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["generate", "--help"])
    help_text = capsys.readouterr().out
    assert "--runtime {" + ",".join(RUNTIMES) + "}" in help_text and "--backend" not in help_text


def test_overwrite_refusal_names_the_flag(tmp_path, capsys):
    out = tmp_path / "keep.json"
    out.write_text("precious")
    assert main(["simulate", "--count", "2", "--out", str(out)]) == 2
    assert "pass --overwrite to replace it" in capsys.readouterr().err and out.read_text() == "precious"


def test_import_reads_a_matrix_json(tmp_path, capsys):
    shot = simulate_batch(1, 24, seed=1).shots()[0]
    save_c2w(shot, tmp_path / "take.json")
    assert main(["import", str(tmp_path / "take.json"), "--out", str(tmp_path / "ours.json")]) == 0
    (back,) = formats.load(tmp_path / "ours.json").shots
    np.testing.assert_allclose(back.trajectory.position, shot.trajectory.position, atol=1e-9)
    assert back.trajectory.fps == shot.trajectory.fps


def test_validate_and_convert_take_what_import_takes(tmp_path, capsys):
    shot = simulate_batch(1, 24, seed=1).shots()[0]
    save_c2w(shot, tmp_path / "take.npy")
    assert main(["validate", str(tmp_path / "take.npy")]) == 0
    assert "take.npy: 1 shot(s), 24 frames" in capsys.readouterr().out
    assert main(["convert", str(tmp_path / "take.npy"), "--out", str(tmp_path / "o.json")]) == 0
    assert len(formats.load(tmp_path / "o.json").shots) == 1
