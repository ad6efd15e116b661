"""Atomic file writes: the one helper every writer in LensCraft uses (data files, checkpoints, caches, reports).

A write goes to a temp file in the target's folder and is moved into place with os.replace only when it succeeded,
so readers see the old file or the new one, never half of one, and a failed write leaves nothing behind. A symlink
at the target is replaced by the new file (its target is never written through).
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from typing import IO, Any, Callable, Iterator


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
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix="-" + os.path.basename(path), dir=folder)
    try:
        with (os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="\n")) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        if not overwrite:  # appeared while we were writing
            refuse_overwrite(path, flag)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_write_with(path: str | os.PathLike, write: Callable[[str], None], overwrite: bool = True,
                      flag: str = "overwrite=True") -> None:
    """For writers that take a file name (safetensors, numpy, ONNX): write(temp_path) then move it into place."""
    path = os.fspath(path)
    if not overwrite:
        refuse_overwrite(path, flag)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix="-" + os.path.basename(path), dir=folder)
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        if not overwrite:
            refuse_overwrite(path, flag)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
