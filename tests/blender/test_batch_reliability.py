"""Issue 11, the headless batch and CLI in real Blender: one job can never stop, kill or change another; values are
checked before the scene changes; outputs are never overwritten without --overwrite, and --json is written
atomically."""

from __future__ import annotations

import json
import os

import pytest

bpy = pytest.importorskip("bpy", reason="bpy (Blender as a Python module) is not installed")

from blender_helpers import cameras  # noqa: E402

GOOD = {"subject": "Subject", "movement": "panLeft", "frames": "1-12", "generator": "simulator"}


def _batch(ext, tmp_path, jobs, *extra):
    path = tmp_path / "jobs.json"
    path.write_text(json.dumps(jobs))
    return ext.cli.main(["batch", str(path), *extra])


def test_help_job_does_not_end_the_batch(scene, ext, tmp_path, capsys):
    code = _batch(ext, tmp_path, [{"subject": "Subject", "help": True}, GOOD])
    err = capsys.readouterr().err
    assert code == 1 and "[1/2] FAILED" in err and "'help'" in err
    assert len(cameras(bpy)) == 1  # the job after it ran
    assert "1 of 2 job(s) done" in err and "failed: job 1" in err  # numbered as in the log


@pytest.mark.parametrize("bad", [{"seed": -1}, {"seed": 2 ** 64}, {"variations": 0}, {"tolerance": float("nan")},
                                 {"preview_width": 0, "preview": "PREVIEW"}, {"preview_frames": -3, "preview": "P"},
                                 {"subject_size": 0}, {"subject_size": -1}, {"frames": [1, 2]}, {"bogus_key": 1},
                                 {"prompt": "--help"}, {"command": 7}])
def test_a_bad_value_fails_its_job_only_and_touches_nothing(scene, ext, tmp_path, capsys, bad):
    bad = {k: (str(tmp_path / v) if k == "preview" else v) for k, v in bad.items()}
    code = _batch(ext, tmp_path, [{**GOOD, **bad}, GOOD, {**GOOD, **bad}])
    err = capsys.readouterr().err
    assert code == 1 and "[1/3] FAILED" in err and "[3/3] FAILED" in err, err
    assert "Traceback" not in err and "failed: job 1, job 3" in err
    assert len(cameras(bpy)) == 1  # only job 2 made a camera: a refused job keys nothing (checked first)


def test_unexpected_exception_is_reported_with_its_job_number(scene, ext, tmp_path, capsys, monkeypatch):
    def boom(args, scene):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(ext.cli, "cmd_import", boom)
    code = _batch(ext, tmp_path, [GOOD, {"command": "import", "file": "x.json"}, GOOD])
    err = capsys.readouterr().err
    assert code == 1 and "[2/3] FAILED: job 2: unexpected ZeroDivisionError: a bug" in err
    assert len(cameras(bpy)) == 2 and "failed: job 2" in err


def test_each_job_has_its_own_generator_configuration(scene, ext, tmp_path, monkeypatch):
    """{"model": "/etc"} in one job (it falls back to the simulator) must not send the later jobs there too."""
    seen = []
    real = ext.engine.generate_shots

    def spy(*a, **kw):
        seen.append((ext.engine.generator(), ext.engine._config.model_path))
        return real(*a, **kw)

    monkeypatch.setattr(ext.engine, "generate_shots", spy)
    ext.engine.configure(generator="model", model_path="")
    before = ext.engine.config_state()[0]
    job = {"subject": "Subject", "movement": "panLeft", "frames": "1-12"}
    assert _batch(ext, tmp_path, [{**job, "model": "/etc"}, job, {**job, "generator": "simulator"}, job]) == 0
    assert [g for g, _ in seen] == ["simulator", "model", "simulator", "model"], seen
    assert seen[1][1] is None and ext.engine.config_state()[0] == before  # the batch's configuration, restored


def test_bad_jobs_files_are_named_errors(scene, ext, tmp_path, capsys):
    latin1 = tmp_path / "latin1.json"
    latin1.write_bytes(b'[{"subject": "Caf\xe9"}]')
    assert ext.cli.main(["batch", str(latin1)]) == 1
    err = capsys.readouterr().err
    assert "not UTF-8" in err and "latin1.json" in err and "Traceback" not in err
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    assert ext.cli.main(["batch", str(deep)]) == 1
    err = capsys.readouterr().err
    assert "nested deeper" in err and "deep.json" in err and "Traceback" not in err
    for text in ("{}", "3", '{"jobs": 3}'):
        (tmp_path / "odd.json").write_text(text)
        assert ext.cli.main(["batch", str(tmp_path / "odd.json")]) == 1
    assert ext.cli.main(["batch", str(tmp_path / "missing.json")]) == 1
    assert cameras(bpy) == []


def test_out_blend_is_not_overwritten_without_the_flag(scene, ext, tmp_path, capsys):
    out = tmp_path / "out.blend"
    out.write_bytes(b"the user's work")
    args = ["generate", "--subject", "Subject", "--movement", "panLeft", "--frames", "1-12", "--out", str(out)]
    assert ext.cli.main(args) == 1
    assert "--overwrite" in capsys.readouterr().err and out.read_bytes() == b"the user's work"
    assert cameras(bpy) == []  # refused before any work
    for cmd in (["import", str(tmp_path / "x.json"), "--out", str(out)], ["batch", str(tmp_path / "j.json"),
                                                                          "--out", str(out)]):
        assert ext.cli.main(cmd) == 1 and "--overwrite" in capsys.readouterr().err
    assert ext.cli.main(args + ["--overwrite"]) == 0 and out.read_bytes()[:7] == b"BLENDER"


def test_argparse_refuses_bad_numbers(scene, ext, capsys):
    base = ["generate", "--subject", "Subject", "--movement", "panLeft", "--frames", "1-12"]
    for extra in (["--tolerance", "nan"], ["--tolerance", "0"], ["--tolerance", "-1"], ["--tolerance", "inf"],
                  ["--seed", "-1"], ["--variations", "65"], ["--subject-size", "0"], ["--subject-size", "-1"],
                  ["--preview-width", "0"], ["--prompt", "dolly \udcff in"]):
        assert ext.cli.main(base + extra) == 1, extra
        err = capsys.readouterr().err
        assert "lenscraft: error:" in err and "Traceback" not in err, (extra, err)
    assert cameras(bpy) == []


def test_describe_json_is_atomic_and_needs_overwrite(scene, ext, model_dir, tmp_path, capsys):
    assert ext.cli.main(["generate", "--subject", "Subject", "--movement", "orbit", "--frames", "1-24",
                         "--generator", "simulator"]) == 0
    (cam,) = cameras(bpy)
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    link = tmp_path / "d.json"
    os.symlink(target, link)
    args = ["describe", "--camera", cam.name, "--subject", "Subject", "--frames", "1-24", "--json", str(link)]
    try:
        assert ext.cli.main(args) == 1
        assert "--overwrite" in capsys.readouterr().err and target.read_text() == "keep me"
        assert ext.cli.main(args + ["--overwrite"]) == 0, capsys.readouterr().err
    finally:
        ext.engine.configure(generator="model", model_path="")
    assert target.read_text() == "keep me"  # never written through the link
    assert not link.is_symlink() and json.loads(link.read_text())["camera"] == cam.name
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".tmp-")]
