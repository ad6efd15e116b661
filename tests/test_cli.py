"""The command line, run in-process through main() (the same code path as `python -m lenscraft_core`)."""

import json

import pytest

from lenscraft_core import formats
from lenscraft_core.cli import main

from _paths import V1_SIM_DIR

V1_SAMPLE = str(V1_SIM_DIR / "v1_single_30f.json")


def test_simulate_writes_both_formats(tmp_path, capsys):
    ours, v1 = tmp_path / "ours.json", tmp_path / "v1.json"
    assert main(["simulate", "--count", "12", "--frames", "20", "--out", str(ours), "--seed", "3"]) == 0
    assert main(["simulate", "--count", "12", "--out", str(v1), "--format", "lenscraft-v1"]) == 0
    shots = formats.load(ours).shots
    assert len(shots) == 12 and all(s.trajectory.frame_count == 20 for s in shots)
    assert len(formats.load(v1).shots) == 12
    assert json.loads(v1.read_text())["metadata"]["simulationCount"] == 12


def test_simulate_fixed_labels_and_prompt(tmp_path):
    out = tmp_path / "a.json"
    assert main(["simulate", "--count", "4", "--out", str(out), "--prompt", "full orbit left, bird's-eye",
                 "--shot-type", "wide shot"]) == 0
    for shot in formats.load(out).shots:
        assert shot.labels["movement"] == "fullArcShotLeft"
        assert shot.labels["angle"] == "birdsEyeView" and shot.labels["shot_type"] == "longShot"


def test_never_overwrites_without_asking(tmp_path, capsys):
    out = tmp_path / "keep.json"
    out.write_text("precious")
    assert main(["simulate", "--count", "2", "--out", str(out)]) == 2
    assert out.read_text() == "precious"
    assert "exists" in capsys.readouterr().err
    assert main(["simulate", "--count", "2", "--out", str(out), "--overwrite"]) == 0


def test_unknown_label_is_a_clear_error(tmp_path, capsys):
    assert main(["simulate", "--count", "2", "--out", str(tmp_path / "x.json"), "--movement", "dolyIn"]) == 2
    err = capsys.readouterr().err
    assert "unknown movement 'dolyIn'" in err and "dollyIn" in err


def test_validate_reports_bad_file(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"simulations": [')
    assert main(["validate", str(bad), V1_SAMPLE]) == 1
    out = capsys.readouterr().out
    assert "bad.json: INVALID" in out and "500 shot(s)" in out


def test_convert_v1_split_and_demo(tmp_path, capsys):
    out = tmp_path / "ours.json"
    assert main(["convert", str(V1_SIM_DIR / "v1_default.json"), "--out", str(out),
                 "--split"]) == 0
    shots = formats.load(out).shots
    source = formats.load(V1_SIM_DIR / "v1_default.json").shots
    assert len(shots) == sum(len(s.instructions) for s in source)  # one shot per instruction of the file
    assert all(len(s.instructions) == 1 for s in shots)
    assert main(["demo", "--prompt", "slow push in, low angle, close-up", "--frames", "48"]) == 0
    assert "subject centre on screen in 100% of frames" in capsys.readouterr().out


def test_demo_rejects_prompt_without_camera_work(capsys):
    assert main(["demo", "--prompt", "a cat on a mat"]) == 2
    assert "says nothing about camera work" in capsys.readouterr().err


def test_inspect(tmp_path, capsys):
    data = tmp_path / "d.json"
    assert main(["simulate", "--count", "24", "--out", str(data)]) == 0
    assert main(["inspect", str(data), "--out", str(tmp_path / "plots")]) == 0
    assert (tmp_path / "plots" / "label_histograms.png").stat().st_size > 1000
    assert "movement" in capsys.readouterr().out
    assert main(["inspect", str(data), "--out", str(tmp_path / "plots2"), "--describe"]) == 0
    assert (tmp_path / "plots2" / "confusion_movement.png").stat().st_size > 1000
    assert "describe movement   top-1" in capsys.readouterr().out
