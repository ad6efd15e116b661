"""Issue 11, training: a run's folder is never silently reused, --resume refuses changed settings, a kill between
checkpoints leaves no duplicate metric rows, stale temp files of killed writes are removed, every write is atomic."""

import csv
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import _train_data as td  # noqa: E402

from lenscraft_core.errors import LensCraftError  # noqa: E402
from lenscraft_core.train import loop, run_folder  # noqa: E402
from lenscraft_core.train.loop import TrainConfig, train  # noqa: E402
from _train_data import train_script  # noqa: E402

ROOT = Path(__file__).parents[1]


@pytest.fixture(scope="module")
def data():
    return td.features(128, seed=0), td.features(32, seed=1)


def cfg(tmp, **kw):
    base = dict(model="tiny", steps=4, batch_size=16, lr=2e-3, warmup=1, val_every=2, log_every=1, out=str(tmp),
                progress=False)
    return TrainConfig(**{**base, **kw})


def rows(path):
    with open(path, newline="") as f:
        return list(csv.reader(f))[1:]


def keys(path):
    return [(int(s), split, k) for s, split, k, _ in rows(path)]




def test_existing_run_is_refused_without_resume_or_overwrite(data, tmp_path):
    train(cfg(tmp_path, steps=2), data)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    with pytest.raises(LensCraftError, match="already holds a training run.*--resume.*--overwrite"):
        train(cfg(tmp_path, steps=2, seed=1), data)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before  # nothing touched
    with pytest.raises(LensCraftError, match="--resume.*--overwrite"):  # the command line says the same
        train_script().main(["--out", str(tmp_path), "--model", "tiny", "--device", "cpu", "--no-progress"])

    # --overwrite: afresh; no row of the old run is left
    (tmp_path / "notes.txt").write_text("mine")
    train(cfg(tmp_path, steps=2, seed=1, overwrite=True), data)
    assert sorted(keys(tmp_path / "metrics.csv")) == sorted(set(keys(tmp_path / "metrics.csv")))
    assert max(s for s, _, _ in keys(tmp_path / "metrics.csv")) == 2
    assert (tmp_path / "last.safetensors").read_bytes() != before["last.safetensors"]
    assert (tmp_path / "notes.txt").read_text() == "mine"  # only the run's own files are replaced
    with pytest.raises(LensCraftError, match="contradict"):
        train(cfg(tmp_path, resume=True, overwrite=True), data)
    with pytest.raises(LensCraftError, match="no checkpoint.*--overwrite"):
        (tmp_path / "last.json").unlink()
        train(cfg(tmp_path, resume=True), data)


def test_resume_refuses_changed_settings_unless_allowed(data, tmp_path):
    train(cfg(tmp_path, stop_after=2), data)
    with pytest.raises(LensCraftError, match=r"--lr 0\.002 \(checkpoint\) vs 0\.001.*--allow-changed lr"):
        train(cfg(tmp_path, resume=True, lr=1e-3), data)
    with pytest.raises(LensCraftError) as e:
        train(cfg(tmp_path, resume=True, batch_size=8, seed=3, steps=6), data)
    for name in ("--batch-size", "--seed", "--steps"):
        assert name in str(e.value)
    assert "--lr" not in str(e.value) and "--allow-changed steps,batch-size,seed " in str(e.value)
    with pytest.raises(LensCraftError, match="'nope' is not a training flag"):
        train(cfg(tmp_path, resume=True, lr=1e-3, allow_changed="nope"), data)
    assert keys(tmp_path / "metrics.csv")[-1][0] == 2  # refusals wrote nothing

    # train.py --out DIR --resume takes the run's saved settings; a flag given that differs is refused
    script = train_script()
    c, args = script.parse(["--out", str(tmp_path), "--resume"])
    assert args.resumed_settings and (c.model, c.steps, c.batch_size, c.lr, c.stop_after) == ("tiny", 4, 16, 2e-3,
                                                                                               None)
    run_folder.check_start(c)
    c, _ = script.parse(["--out", str(tmp_path), "--resume", "--batch-size", "8"])
    with pytest.raises(LensCraftError, match="--batch-size 16 \\(checkpoint\\) vs 8"):
        run_folder.check_start(c)
    c, _ = script.parse(["--out", str(tmp_path), "--resume", "--lr", "1e-3", "--allow-changed", "lr"])
    run_folder.check_start(c)

    s = train(cfg(tmp_path, resume=True, lr=1e-3, allow_changed="lr"), data)  # told: continues
    assert s["resumed_from"] == 2 and s["steps"] == 4


def test_kill_between_checkpoints_leaves_no_duplicate_rows(data, tmp_path, monkeypatch):
    kw = dict(steps=8, val_every=4)
    train(cfg(tmp_path / "a", **kw), data)

    # Killed during step 7 (checkpoint at 4), metrics.csv flushed at every log: rows 5-6 are past the checkpoint.
    real = loop.lr_at

    def killed(step, c):
        if step == 6:
            raise KeyboardInterrupt("killed")
        return real(step, c)

    monkeypatch.setattr(loop, "lr_at", killed)
    monkeypatch.setattr("lenscraft_core.train.logger.FLUSH_S", -1.0, raising=False)
    with pytest.raises(KeyboardInterrupt):
        train(cfg(tmp_path / "b", **kw), data)
    monkeypatch.undo()
    b = tmp_path / "b"
    assert max(s for s, _, _ in keys(b / "metrics.csv")) == 6
    with open(b / "metrics.csv", "a") as f:  # and a torn row, as an appending writer killed mid-line left
        f.write("7,train,lo")
    s = train(cfg(b, resume=True, **kw), data)
    assert s["resumed_from"] == 4
    got, want = rows(b / "metrics.csv"), rows(tmp_path / "a" / "metrics.csv")
    assert [r[:3] for r in got] == [r[:3] for r in want]  # each step once, in order, as if never killed
    assert [r for r in got if r[2] != "samples_per_s"] == [r for r in want if r[2] != "samples_per_s"]


def test_stale_temp_files_of_killed_writes_are_removed_on_start_and_resume(data, tmp_path):
    b = tmp_path / "b"
    train(cfg(b, stop_after=2), data)
    # a checkpoint write killed by SIGKILL: its temp file stays (a real subprocess killed mid-write)
    child = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from lenscraft_core.files import atomic_write_with
        def write(tmp):
            with open(tmp, "wb") as f:
                f.write(b"x" * 1_000_000)
            print("writing", flush=True)
            time.sleep(60)
        atomic_write_with({str(b / "last.safetensors")!r}, write)
        """)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "writing"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
        child.stdout.close()
    stale = [p for p in b.iterdir() if p.name.startswith(".tmp-")]
    assert len(stale) == 1 and stale[0].name.endswith("-last.safetensors") and stale[0].stat().st_size == 1_000_000
    (b / ".tmp-abc123-best.json").write_text("{")
    (b / ".tmp-keep-notes.txt").write_text("not the run's")

    s = train(cfg(b, resume=True), data)
    assert s["resumed_from"] == 2
    assert sorted(p.name for p in b.iterdir() if p.name.startswith(".tmp-")) == [".tmp-keep-notes.txt"]
    # a fresh start in a folder where only a killed first write's temp file is left: removed too
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / ".tmp-x1-last.safetensors").write_bytes(b"x" * 1000)
    train(cfg(fresh, steps=1, val_every=1), data)
    assert not [p for p in fresh.iterdir() if p.name.startswith(".tmp-")]


def test_writes_replace_symlinks_and_never_write_through(data, tmp_path):
    run, elsewhere = tmp_path / "run", tmp_path / "elsewhere"
    elsewhere.mkdir()
    train(cfg(run, stop_after=2), data)
    for name in ("config.json", "summary.json", "metrics.csv"):
        (elsewhere / name).write_text("precious")
        (run / name).unlink()
        (run / name).symlink_to(elsewhere / name)
    train(cfg(run, resume=True), data)
    for name in ("config.json", "summary.json", "metrics.csv"):
        assert (elsewhere / name).read_text() == "precious", name
        assert not (run / name).is_symlink(), name
    assert keys(run / "metrics.csv")[-1][0] == 4


def test_no_stray_writes_in_train(tmp_path):
    """Every file train/ writes goes through files.py (a plain open/write_text/np.save would bypass it)."""
    import re
    bad = re.compile(r"\.write_text\(|\.write_bytes\(|open\([^)]*['\"][wa]b?['\"]|np\.save[a-z_]*\((?!f,)|"
                     r"shutil\.copy|\.save\(str\(")
    for path in sorted((ROOT / "lenscraft_core" / "train").glob("*.py")):
        for i, line in enumerate(path.read_text().splitlines(), 1):
            if bad.search(line) and "atomic_write" not in line and "lambda tmp" not in line:
                pytest.fail(f"{path.name}:{i}: writes a file without files.py: {line.strip()}")
