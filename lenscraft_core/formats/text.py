"""Reading text inputs (JSON, COLMAP text, matrix text, CSV): UTF-8, with or without a byte order mark (Excel's
"CSV UTF-8" writes one), and a DataError naming the line and column of the first byte that is not UTF-8."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from ..errors import DataError

ENCODING = "utf-8-sig"  # UTF-8; a leading byte order mark is dropped, not read as part of the first key or header
_CHUNK = 1 << 20


def utf8_error(path: str | os.PathLike) -> DataError:
    """The DataError for a file that is not UTF-8: where its first bad byte is. Streams the file (only called once
    decoding failed, so a big file costs one more pass, not its size in memory)."""
    line, col, pending = 1, 1, b""
    with open(path, "rb") as f:
        while True:
            chunk = f.read(_CHUNK)
            data = pending + chunk
            try:
                text, pending = data.decode("utf-8"), b""
            except UnicodeDecodeError as e:
                if chunk and e.reason == "unexpected end of data" and e.end == len(data):  # cut at the chunk end
                    text, pending = data[:e.start].decode("utf-8"), data[e.start:]
                else:
                    before = data[:e.start].decode("utf-8")
                    nl = before.rfind("\n")
                    line += before.count("\n")
                    col = (col + len(before)) if nl < 0 else len(before) - nl
                    return DataError(f"line {line} column {col}: byte 0x{data[e.start]:02x} is not UTF-8 "
                                     "(save the file as UTF-8)", os.fspath(path))
            nl = text.rfind("\n")
            line += text.count("\n")
            col = (col + len(text)) if nl < 0 else len(text) - nl
            if not chunk:  # decoding failed but no bad byte was found: report the file as a whole
                return DataError("is not valid UTF-8 text", os.fspath(path))


def read_text(path: str | os.PathLike) -> str:
    """A text file's content (see the module doc); a file that is not UTF-8 is a DataError with line and column."""
    try:
        return Path(path).read_bytes().decode(ENCODING)
    except UnicodeDecodeError:
        raise utf8_error(path) from None


def json_error(e: BaseException, where: str) -> DataError:
    """The DataError for what json raises beyond JSONDecodeError: nesting past the recursion limit, integers past
    Python's digit limit."""
    if isinstance(e, RecursionError):
        return DataError(f"malformed JSON: nested deeper than Python can read (about {sys.getrecursionlimit()} "
                         "levels)", where)
    if isinstance(e, json.JSONDecodeError):
        return DataError(f"malformed JSON at line {e.lineno} column {e.colno}: {e.msg}", where)
    return DataError(f"malformed JSON: {e}", where)  # e.g. "Exceeds the limit (4300 digits) for integer string ..."


def read_json(path: str | os.PathLike) -> Any:
    """A whole (small) JSON file, every failure a DataError naming the file."""
    text = read_text(path)
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as e:
        raise json_error(e, os.fspath(path)) from None


HEAD_BYTES = 1 << 16  # how much of a file format sniffing reads


def read_head(path: str | os.PathLike, size: int = HEAD_BYTES) -> str:
    """The first bytes of a file as text (undecodable bytes replaced): for sniffing a format."""
    with open(path, "rb") as f:
        return f.read(size).decode("utf-8", errors="replace")
