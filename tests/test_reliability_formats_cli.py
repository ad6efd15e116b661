"""The command line's promises (issue 11): a bad value is a usage message before any work starts, every error of a
command is one line on stderr and exit 2 (never a traceback), a full disk leaves the old file as it was, and no
command replaces earlier output without --overwrite."""

from __future__ import annotations

import errno
import json
import os

import pytest

from lenscraft_core import files, formats
from lenscraft_core.cli import build_parser, main


def _usage_error(argv, capsys) -> str:
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize("argv, message", [
    (["simulate", "--count", "2", "--seed", "-1"], "argument --seed: -1 is out of range"),
    (["simulate", "--count", "2", "--frames", "30000000"], "the frame count must be between 1 and 100,000"),
    (["simulate", "--count", "-3"], "argument --count"),
    (["simulate", "--count", "2", "--fps", "nan"], "argument --fps: 'nan' is not a finite number"),
    (["demo", "--frames", "0"], "argument --frames"),
    (["demo", "--prompt", "push in \udcff"], "argument --prompt: is not valid UTF-8"),
    (["simulate", "--count", "1", "--movement", "caf\udce9"], "argument --movement: is not valid UTF-8"),
    (["import", "x.json", "--up", "q"], "argument --up: unknown up axis 'q'"),
    (["import", "x.json", "--scale", "0"], "argument --scale: 0 must be greater than 0"),
    (["import", "x.json", "--scale", "-1"], "argument --scale: -1 must be greater than 0"),
    (["import", "x.json", "--scale", "nan"], "argument --scale: 'nan' is not a finite number"),
    (["generate", "--frames", "30000000", "--movement", "dollyIn"], "argument --frames"),
    (["generate", "--seed", "-1", "--movement", "dollyIn"], "argument --seed"),
    (["describe", "x.json", "--top-k", "0"], "argument --top-k"),
])
def test_bad_values_are_usage_messages(tmp_path, capsys, argv, message):
    argv = argv + (["--out", str(tmp_path / "o.json")] if argv[0] in ("simulate", "import", "generate") else [])
    assert message in _usage_error(argv, capsys)
    assert not (tmp_path / "o.json").exists()


@pytest.mark.parametrize("axis", ["-y", "+z", "-X"])
def test_up_takes_a_negative_axis_as_a_separate_argument(axis):
    args = build_parser().parse_args(["import", "x.json", "--out", "o.json", "--up", axis])
    assert args.up == axis
    assert build_parser().parse_args(["import", "x.json", "--out", "o.json", f"--up={axis}"]).up == axis


def test_up_minus_y_reads_a_matrix_file(tmp_path):
    from lenscraft_core.formats.c2w import save_c2w
    from lenscraft_core.simulate import simulate_batch

    shot = simulate_batch(1, 12, seed=2).shots()[0]
    save_c2w(shot, tmp_path / "take.npy", up="+z")
    assert main(["import", str(tmp_path / "take.npy"), "--out", str(tmp_path / "a.json"), "--up", "+z"]) == 0
    assert main(["import", str(tmp_path / "take.npy"), "--out", str(tmp_path / "b.json"), "--up", "-y"]) == 0
    a, b = (formats.load(tmp_path / n).shots[0].trajectory.position for n in ("a.json", "b.json"))
    assert not (a == b).all()  # the axis was applied, not swallowed


@pytest.mark.parametrize("where", ["fsync", "replace"])
def test_a_full_disk_is_one_line_and_keeps_the_old_file(tmp_path, capsys, monkeypatch, where):
    out = tmp_path / "shots.json"
    assert main(["simulate", "--count", "2", "--out", str(out)]) == 0
    before = out.read_bytes()

    def full(*a, **k):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # as a full disk raises it: no file name

    monkeypatch.setattr(files.os, where, full)
    assert main(["simulate", "--count", "3", "--out", str(out), "--overwrite"]) == 2
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0 and "Traceback" not in err
    assert err.startswith(f"error: {out}: No space left on device")
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["shots.json"]  # no temp file left


def test_bad_data_is_one_line_and_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"simulations": [{"cameraFrames": "caf\xe9"}]}')
    assert main(["convert", str(bad), "--out", str(tmp_path / "o.json")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "bad.json" in err and "not UTF-8" in err and err.count("\n") == 1
    assert main(["import", str(tmp_path / "missing.npy"), "--out", str(tmp_path / "o.json")]) == 2
    assert "missing.npy" in capsys.readouterr().err


def test_lenient_convert_skips_bad_samples(tmp_path, capsys):
    from lenscraft_core.simulate import simulate_batch

    good = tmp_path / "good.json"
    formats.save(simulate_batch(3, 6, seed=1).shots(), good)
    doc = [json.loads(line.rstrip(",")) for line in good.read_text().splitlines()[1:-1]]
    doc[0]["frame_count"] = 10 ** 400
    doc[1]["metadata"] = {"v1_euler": "abc"}
    head = good.read_text().splitlines()[0]
    mixed = tmp_path / "mixed.json"
    mixed.write_text(head + "\n" + ",\n".join(json.dumps(d) for d in doc) + "\n]}\n")
    assert main(["convert", str(mixed), "--out", str(tmp_path / "o.json")]) == 2
    assert main(["convert", str(mixed), "--out", str(tmp_path / "o.json"), "--lenient"]) == 0
    assert "skipped 2 bad sample(s)" in capsys.readouterr().out
    assert len(formats.load(tmp_path / "o.json").shots) == 1


def test_inspect_refuses_to_replace_its_plots(tmp_path, capsys):
    data, plots = tmp_path / "d.json", tmp_path / "plots"
    assert main(["simulate", "--count", "6", "--frames", "10", "--out", str(data)]) == 0
    plots.mkdir()
    (plots / "embedding.png").write_bytes(b"precious")
    assert main(["inspect", str(data), "--out", str(plots)]) == 2
    assert "pass --overwrite" in capsys.readouterr().err
    assert (plots / "embedding.png").read_bytes() == b"precious" and len(list(plots.iterdir())) == 1
    (plots / "notes.txt").write_text("mine")  # other files in the folder do not block it
    (plots / "embedding.png").unlink()
    assert main(["inspect", str(data), "--out", str(plots)]) == 0
    assert main(["inspect", str(data), "--out", str(plots), "--overwrite"]) == 0
    assert (plots / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize("existing", ["onnx.json", "encoder.onnx", "model.safetensors"])
def test_export_onnx_refuses_a_folder_holding_a_model(tmp_path, capsys, existing):
    model, out = tmp_path / "model", tmp_path / "out"
    model.mkdir()
    out.mkdir()
    (out / existing).write_bytes(b"precious")
    assert main(["export-onnx", "--model", str(model), "--out", str(out)]) == 2
    assert "pass --overwrite" in capsys.readouterr().err and (out / existing).read_bytes() == b"precious"


def test_export_onnx_refuses_to_replace_the_graphs_beside_a_checkpoint(tmp_path, capsys):
    (tmp_path / "onnx.json").write_text("{}")
    assert main(["export-onnx", "--model", str(tmp_path)]) == 2
    assert "onnx.json" in capsys.readouterr().err


@pytest.mark.parametrize("existing", ["results.json", "confusion_v1_movement.png"])
def test_evaluate_refuses_to_replace_a_report(tmp_path, capsys, existing):
    pytest.importorskip("torch")
    (tmp_path / existing).write_text("precious")
    assert main(["evaluate", "--out", str(tmp_path), "--quick", "--model", str(tmp_path / "none")]) == 2
    err = capsys.readouterr().err
    assert "pass --overwrite" in err and (tmp_path / existing).read_text() == "precious"
    args = build_parser().parse_args(["evaluate", "--out", str(tmp_path), "--overwrite"])
    assert args.overwrite


def test_a_file_name_that_is_not_utf8_is_printed_escaped(tmp_path, capsys):
    out = tmp_path / "caf\udce9.json"  # bytes b"caf\xe9.json" on disk, as Python keeps them from the command line
    assert main(["simulate", "--count", "1", "--frames", "5", "--out", str(out)]) == 0
    assert main(["validate", str(out)]) == 0
    assert "caf\\udce9.json: 1 shot(s)" in capsys.readouterr().out
