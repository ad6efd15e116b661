"""Atomic file writes: the one helper every writer in LensCraft uses (data files, checkpoints, caches, reports).

A write goes to a temp file in the target's folder and is moved into place with os.replace only when it succeeded,
so readers see the old file or the new one, never half of one, and a failed write leaves nothing behind. A symlink
at the target is replaced by the new file (its target is never written through). The new file gets the mode the
replaced file had, else the usual one for a new file (0o666 less the umask; a bare temp file would be 0o600).
"""

from __future__ import annotations

import os
import stat
import tempfile
from contextlib import contextmanager
from typing import IO, Any, Callable, Iterator


def _umask() -> int:
    try:  # Linux says it without changing it
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)  # elsewhere the only way to read it is to set it (and put it back at once)
    os.umask(mask)
    return mask


def _temp_beside(path: str) -> tuple[int, str]:
    """A temp file next to path, with the mode the finished file should have."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix="-" + os.path.basename(path), dir=folder)
    try:
        st = os.stat(path, follow_symlinks=False)
        mode = stat.S_IMODE(st.st_mode) if stat.S_ISREG(st.st_mode) else 0o666 & ~_umask()
    except OSError:
        mode = 0o666 & ~_umask()
    try:
        os.chmod(tmp, mode)
    except OSError:  # e.g. a file system without modes: the temp file's own is fine
        pass
    return fd, tmp


def refuse_overwrite(path: str | os.PathLike, flag: str = "overwrite=True") -> None:
    """Raise FileExistsError when path exists; `flag` names how the user allows replacing it in their interface
    (e.g. "--overwrite" on the command line)."""
    if os.path.lexists(path):
        raise FileExistsError(f"{os.fspath(path)} already exists; pass {flag} to replace it")


@contextmanager
def atomic_writer(path: str | os.PathLike, overwrite: bool = False, binary: bool = False,
                  flag: str = "overwrite=True") -> Iterator[IO[Any]]:
    """A file handle on a temp file next to path (text, UTF-8, "\\n" newlines, or binary), fsynced and moved into
    place only if the block succeeds."""
    path = os.fspath(path)
    if not overwrite:
        refuse_overwrite(path, flag)
    fd, tmp = _temp_beside(path)
    try:
        with (os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="\n")) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        if not overwrite:  # appeared while we were writing
            refuse_overwrite(path, flag)
        os.replace(tmp, path)
    except BaseException as e:
        if os.path.exists(tmp):
            os.unlink(tmp)
        _name_the_file(e, path)
        raise


def atomic_write_with(path: str | os.PathLike, write: Callable[[str], object], overwrite: bool = True,
                      flag: str = "overwrite=True") -> None:
    """For writers that take a file name (safetensors, numpy, ONNX): write(temp_path) then move it into place."""
    path = os.fspath(path)
    if not overwrite:
        refuse_overwrite(path, flag)
    fd, tmp = _temp_beside(path)
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        if not overwrite:
            refuse_overwrite(path, flag)
        os.replace(tmp, path)
    except BaseException as e:
        _name_the_file(e, path)
        raise
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _name_the_file(e: BaseException, path: str) -> None:
    """An OSError from writing (a full disk raises ENOSPC with no file name) names the file being written."""
    if isinstance(e, OSError) and e.errno is not None and e.filename is None:
        e.filename = path
