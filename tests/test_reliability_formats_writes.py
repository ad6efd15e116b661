"""Writers (issue 11, "Writes and overwrites"): every file write in formats/ and cli.py goes through files.py, so a
write that fails midway (an exception, a full disk) leaves the old file intact and no temp file; no writer replaces
a file without being told; non-finite values are refused before anything is written (JSON has no token for them)."""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

import numpy as np
import pytest

import lenscraft_core
from lenscraft_core import files, formats
from lenscraft_core.errors import DataError
from lenscraft_core.formats.c2w import save_c2w
from lenscraft_core.formats.colmap import save_colmap
from lenscraft_core.simulate import simulate_batch

PACKAGE = Path(lenscraft_core.__file__).parent
OPTIONS = {"lenscraft": {}, "lenscraft-v1": {"mapping": "nearest"}}


@pytest.fixture
def shots():
    return simulate_batch(4, frames=8, seed=5, labels={"movement": "dollyIn"}).shots()


def _left(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_every_write_goes_through_files_py():
    """Source check: no direct file writes in the modules this promise covers."""
    direct = re.compile(r"\bopen\([^)]*['\"](?:w|a|x|r\+)b?['\"]|\.write_(?:text|bytes)\(|np\.save(?:txt|z)?\((?!f,)")
    sources = sorted((PACKAGE / "formats").glob("*.py")) + [PACKAGE / "cli.py"]
    offenders = [f"{p.name}:{n}" for p in sources for n, line in enumerate(p.read_text().splitlines(), 1)
                 if direct.search(line)]
    assert offenders == []


@pytest.mark.parametrize("fmt", formats.FORMATS)
def test_a_writer_failing_after_half_the_shots_keeps_the_old_file(tmp_path, shots, fmt):
    out = tmp_path / "shots.json"
    formats.save(shots, out, format=fmt, **OPTIONS[fmt])
    before = out.read_bytes()

    def half_then_fail():
        yield from shots[:2]
        raise RuntimeError("the generator died")

    with pytest.raises(RuntimeError, match="died"):
        formats.save(half_then_fail(), out, format=fmt, overwrite=True, **OPTIONS[fmt])
    assert out.read_bytes() == before and _left(tmp_path) == ["shots.json"]


class _FullDisk:
    """A file whose writes fail with ENOSPC once `room` bytes are written, like a disk filling up mid-write."""

    def __init__(self, f, room: int):
        self._f, self._room = f, room

    def write(self, data):
        self._room -= len(data)
        if self._room < 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return self._f.write(data)

    def __getattr__(self, name):
        return getattr(self._f, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return self._f.__exit__(*exc)


def _writers(shots):
    yield "lenscraft", "shots.json", lambda p, ow: formats.save(shots, p, overwrite=ow)
    yield "lenscraft-v1", "v1.json", lambda p, ow: formats.save(shots, p, "lenscraft-v1", ow, mapping="nearest")
    for suffix in (".json", ".npy", ".txt"):
        yield f"c2w{suffix}", f"take{suffix}", lambda p, ow: save_c2w(shots[0], p, overwrite=ow)
    for binary in (False, True):
        yield f"colmap-{'bin' if binary else 'txt'}", "model", lambda p, ow, b=binary: save_colmap(
            shots[0], p, binary=b, overwrite=ow)


@pytest.mark.parametrize("how", ["write", "fsync", "replace"])
def test_a_full_disk_midway_leaves_the_old_files_and_no_temp_file(tmp_path, shots, monkeypatch, how):
    for name, target, write in _writers(shots):
        folder = tmp_path / name
        folder.mkdir()
        write(folder / target, False)
        before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
        with monkeypatch.context() as m:
            if how == "write":
                real = os.fdopen
                m.setattr(files.os, "fdopen", lambda *a, **k: _FullDisk(real(*a, **k), 200))
            else:
                def full(*a, **k):
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                m.setattr(files.os, how, full)
            with pytest.raises(OSError) as e:
                write(folder / target, True)
        assert e.value.errno == errno.ENOSPC, name
        after = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
        assert after == before, name  # every file as it was, nothing added (no temp file)


def test_writers_never_replace_without_being_told(tmp_path, shots):
    for name, target, write in _writers(shots):
        folder = tmp_path / name
        folder.mkdir()
        write(folder / target, False)
        before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
        with pytest.raises(FileExistsError, match="already exists; pass overwrite=True"):
            write(folder / target, False)
        assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before, name
    with pytest.raises(FileExistsError, match="pass --overwrite to replace it"):
        formats.save(shots, tmp_path / "lenscraft" / "shots.json", flag="--overwrite")


def test_a_symlink_at_the_target_is_replaced_not_written_through(tmp_path, shots):
    precious = tmp_path / "precious.json"
    precious.write_text("precious")
    link = tmp_path / "out.json"
    link.symlink_to(precious)
    formats.save(shots, link, overwrite=True)
    assert precious.read_text() == "precious" and not link.is_symlink() and len(formats.load(link)) == 4


@pytest.mark.parametrize("spoil, field", [
    (lambda s: s.trajectory.position.__setitem__((3, 0), np.nan), r"cameraFrames\[3\].position.x is NaN"),
    (lambda s: s.trajectory.focal_length.__setitem__(2, np.inf), r"cameraFrames\[2\].focalLength is Infinity"),
    (lambda s: s.subjects[0].size.__setitem__(1, np.nan), r"subjects\[0\].size.\w is NaN"),
    (lambda s: s.instructions[0].params.__setitem__("movementDistance", float("nan")),
     r"instructions\[0\].movementDistance is NaN"),
])
def test_the_v1_writer_refuses_non_finite_values(tmp_path, shots, spoil, field):
    out = tmp_path / "v1.json"
    formats.save(shots, out, "lenscraft-v1", mapping="nearest")
    before = out.read_bytes()
    spoil(shots[1])
    with pytest.raises(DataError, match=rf"v1.json: shot 1 \(sim1\): {field}"):
        formats.save(shots, out, "lenscraft-v1", overwrite=True, mapping="nearest")
    assert out.read_bytes() == before and _left(tmp_path) == ["v1.json"]
    with pytest.raises(DataError, match=r"metadata.note has a NaN"):
        formats.save(shots[:1], tmp_path / "m.json", "lenscraft-v1", mapping="nearest",
                     metadata={"note": float("nan")})
    assert _left(tmp_path) == ["v1.json"]


@pytest.mark.parametrize("where", ["params", "metadata", "file metadata"])
def test_the_native_writer_refuses_non_finite_values(tmp_path, shots, where):
    out = tmp_path / "shots.json"
    formats.save(shots, out)
    before = out.read_bytes()
    kw = {}
    if where == "params":
        shots[2].instructions[0].params["amount"] = float("inf")
    elif where == "metadata":
        shots[2].metadata["score"] = [1.0, float("nan")]
    else:
        kw["metadata"] = {"score": float("nan")}
    with pytest.raises(DataError, match="has a NaN or infinite value") as e:
        formats.save(shots, out, overwrite=True, **kw)
    assert ("shot 2" in str(e.value)) == (where != "file metadata")
    assert out.read_bytes() == before and _left(tmp_path) == ["shots.json"]


def test_a_written_file_gets_the_usual_mode_or_keeps_the_replaced_ones(tmp_path, shots):
    """A temp file is created 0o600; the finished file must not be (others could no longer read a dataset)."""
    umask = os.umask(0o022)
    os.umask(umask)
    out = tmp_path / "shots.json"
    formats.save(shots, out)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask
    out.chmod(0o640)
    formats.save(shots, out, overwrite=True)
    assert out.stat().st_mode & 0o777 == 0o640
    files.atomic_write_with(tmp_path / "a.npy", lambda tmp: np.save(tmp, np.zeros(3)))
    assert (tmp_path / "a.npy").stat().st_mode & 0o777 == 0o666 & ~umask
