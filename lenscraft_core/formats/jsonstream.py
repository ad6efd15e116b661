"""Streaming JSON for the format readers: a top-level object whose one big array is parsed an element at a time
(the stdlib scanner, or ijson on request), and the checks every reader words its errors with."""

from __future__ import annotations

import json
import os
import re
import warnings
from typing import Any, Iterator

import numpy as np

from ..errors import DataError, LensCraftError
from .text import ENCODING, json_error, utf8_error

try:  # optional dependency (pyproject extra "stream"); the stdlib scanner below does the same job without it
    import ijson
except ImportError:  # pragma: no cover - exercised by forcing reader="json"
    ijson = None

READERS = ("auto", "json", "ijson")
IJSON_MAX_DEPTH = 200  # ijson's memory grows with the square of the nesting depth: deeper goes to the stdlib scanner


# ------------------------------------------------------------------------------------------------------- streaming JSON
def pick_reader(reader: str = "auto", backend: str | None = None) -> str:
    """The JSON reader to use: reader, or the deprecated keyword backend (its old name) when that is given."""
    if backend is not None:
        warnings.warn("the JSON reader keyword 'backend' is deprecated: use reader=", DeprecationWarning, stacklevel=3)
        reader = backend
    if reader not in READERS:
        raise ValueError(f"unknown JSON reader '{reader}' ({', '.join(READERS)})")
    return reader


def iter_document(path: str | os.PathLike, array_key: str, header_keys: tuple[str, ...] = (),
                  reader: str = "auto", *, backend: str | None = None) -> Iterator[tuple[str, Any, Any]]:
    """Stream a JSON document of the form {"key": value, ..., array_key: [item, item, ...], ...}.

    Yields ("header", key, value) for top-level keys other than array_key (with ijson only those in header_keys)
    and ("item", index, value) for each element of the big array, in file order. Malformed JSON raises DataError
    with line and column. reader: "auto" (= "json"), "json" (the stdlib scanner) or "ijson"; backend: its old name.
    """
    reader = pick_reader(reader, backend)
    if reader == "auto":  # the stdlib scanner streams with the same flat memory and is faster (docs/formats.md)
        reader = "json"
    if reader == "json":
        yield from _Scanner(path, array_key).events()
    else:
        if ijson is None:
            raise ImportError("reader='ijson' needs the ijson package (pip install ijson)")
        yield from _iter_ijson(path, array_key, header_keys)


def _iter_ijson(path: str | os.PathLike, array_key: str, header_keys: tuple[str, ...]
                ) -> Iterator[tuple[str, Any, Any]]:
    # One C parser builds the array items; one small parser per header key (they build nothing else).
    items = ijson.sendable_list()
    coros: list[tuple[str, str | None, Any, Any]] = [
        ("item", None, items, ijson.items_coro(items, f"{array_key}.item", use_float=True))]
    for key in header_keys:
        out = ijson.sendable_list()
        coros.append(("header", key, out, ijson.items_coro(out, key, use_float=True)))
    done_items, done_headers = 0, set()
    depth = _Depth()
    try:
        with open(path, "rb") as f:
            while True:
                chunk = f.read(1 << 16)  # small: every item of a chunk is built before we see it
                if depth.feed(chunk) > IJSON_MAX_DEPTH:
                    raise RecursionError("nested too deep for ijson")
                for _, name, _, coro in coros:
                    if name in done_headers:  # found: stop paying for that parser
                        continue
                    if chunk:
                        coro.send(chunk)
                    else:
                        coro.close()
                for _, name, out, _ in coros[1:]:  # headers first: they precede the array in our files
                    if out and name not in done_headers:
                        done_headers.add(name)
                        yield "header", name, out[0]
                for value in items:
                    yield "item", done_items, value
                    done_items += 1
                del items[:]
                if not chunk:
                    return
    except LensCraftError:
        raise
    except (ijson.JSONError, ValueError, RecursionError):  # ValueError: bytes that are not UTF-8, huge numbers
        pass
    # ijson stopped: malformed JSON, or something only Python's json accepts (NaN / Infinity tokens, a byte order
    # mark). The stdlib scanner either names the problem (line and column) or carries on from where ijson stopped.
    for kind, key, value in _Scanner(path, array_key).events():
        if kind == "item" and key >= done_items or kind == "header" and key not in done_headers:
            yield kind, key, value


class _Depth:
    """The deepest nesting of a JSON byte stream fed chunk by chunk (vectorised; brackets inside strings, and
    escaped quotes, do not count). Exact for valid JSON; on invalid JSON ijson stops at the first bad byte anyway."""

    def __init__(self) -> None:
        self.depth, self.in_string, self.backslashes = 0, 0, 0  # state at the end of what was fed

    def feed(self, chunk: bytes) -> int:
        a = np.frombuffer(chunk, np.uint8)
        if not len(a):
            return self.depth
        quote = a == 0x22
        if self.backslashes or b"\\" in chunk:  # drop escaped quotes: odd runs of backslashes before them
            idx = np.arange(len(a))
            last_other = np.maximum.accumulate(np.where(a != 0x5C, idx, -1))  # last byte that is no backslash
            before = np.concatenate([[-1], last_other[:-1]])
            run = idx - 1 - before + np.where(before < 0, self.backslashes, 0)  # backslashes right before
            quote &= run % 2 == 0
            self.backslashes = int(len(a) - 1 - last_other[-1]) + (self.backslashes if last_other[-1] < 0 else 0)
        quotes = np.flatnonzero(quote)
        brackets = np.flatnonzero((a == 0x5B) | (a == 0x7B) | (a == 0x5D) | (a == 0x7D))
        outside = (np.searchsorted(quotes, brackets) + self.in_string) % 2 == 0  # not inside a string
        step = np.where(a[brackets] & 0x02, 1, -1)[outside]  # "[" 0x5B, "{" 0x7B open; "]" 0x5D, "}" 0x7D close
        self.in_string = (self.in_string + len(quotes)) % 2
        if not len(step):
            return self.depth
        running = self.depth + np.cumsum(step)
        self.depth = int(running[-1])
        return int(running.max())


class _Scanner:
    """Streams a top-level JSON object with the stdlib: raw_decode parses one value at a time from a sliding
    buffer, so only the current array element is ever held as Python objects."""

    _WS = re.compile(r"[ \t\n\r]*")  # matches everywhere (possibly empty)
    _CHUNK = 1 << 18

    def __init__(self, path: str | os.PathLike, array_key: str):
        self.path, self.array_key = os.fspath(path), array_key
        self.decoder = json.JSONDecoder()
        self.buf, self.pos, self.eof = "", 0, False
        self.line0, self.col0 = 1, 1  # line and column of buf[0]

    def events(self) -> Iterator[tuple[str, Any, Any]]:
        try:
            yield from self._events()
        except UnicodeDecodeError:
            raise utf8_error(self.path) from None

    def _events(self) -> Iterator[tuple[str, Any, Any]]:
        with open(self.path, "r", encoding=ENCODING, newline="") as self.f:
            if self.peek() == "":
                raise DataError("the file is empty", self.path)
            self.expect("{", "the document must be a JSON object")
            if self.peek() == "}":
                self.pos += 1
            else:
                while True:
                    key = self.value()
                    if not isinstance(key, str):
                        raise self.error("expected a key string", self.pos)
                    self.expect(":", "expected ':' after a key")
                    if key == self.array_key:
                        yield from self.array()
                    else:
                        yield "header", key, self.value()
                    c = self.peek()
                    self.pos += 1
                    if c == "}":
                        break
                    if c != ",":
                        raise self.error("expected ',' or '}' after a top-level value", self.pos - 1)
            if self.peek() != "":
                raise self.error("extra data after the end of the JSON document", self.pos)

    def array(self) -> Iterator[tuple[str, Any, Any]]:
        self.expect("[", f"'{self.array_key}' must be a list")
        if self.peek() == "]":
            self.pos += 1
            return
        index = 0
        while True:
            yield "item", index, self.value()
            index += 1
            c = self.peek()
            self.pos += 1
            if c == "]":
                return
            if c != ",":
                raise self.error(f"expected ',' or ']' after element {index - 1} of '{self.array_key}'",
                                 self.pos - 1)
            self.compact()

    # --- buffer handling
    def fill(self) -> None:
        chunk = self.f.read(max(self._CHUNK, len(self.buf) - self.pos))  # grows: big values stay linear-time
        if chunk:
            self.buf += chunk
        else:
            self.eof = True

    def compact(self) -> None:
        if self.pos > self._CHUNK:
            gone = self.buf[:self.pos]
            lines = gone.count("\n")
            self.col0 = (self.col0 + len(gone)) if lines == 0 else len(gone) - gone.rfind("\n")
            self.line0 += lines
            self.buf, self.pos = self.buf[self.pos:], 0

    def peek(self) -> str:
        while True:
            self.pos = self._WS.match(self.buf, self.pos).end()
            if self.pos < len(self.buf) or self.eof:
                return self.buf[self.pos:self.pos + 1]
            self.fill()

    def expect(self, ch: str, message: str) -> None:
        if self.peek() != ch:
            raise self.error(message, self.pos)
        self.pos += 1

    def value(self) -> Any:
        self.peek()
        while True:
            try:
                obj, end = self.decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as e:
                if not self.eof:  # maybe the value just continues past the buffer
                    self.fill()
                    continue
                rest = self.buf[self.pos:]  # unclosed brackets up to the end: the file was cut short
                cut = rest.count("{") + rest.count("[") > rest.count("}") + rest.count("]")
                raise self.error(e.msg, e.pos, cut) from None
            except (ValueError, RecursionError) as e:  # nested past the recursion limit, > 4300-digit integers
                line, col = self.position(self.pos)
                why = json_error(e, "").reason.removeprefix("malformed JSON: ")
                raise DataError(f"malformed JSON: the value at line {line} column {col}: {why}", self.path) from None
            if end == len(self.buf) and not self.eof:  # a number cut at the buffer end ("12" of "123")
                self.fill()
                continue
            self.pos = end
            return obj

    def position(self, pos: int) -> tuple[int, int]:
        lines = self.buf.count("\n", 0, pos)
        return self.line0 + lines, (self.col0 + pos) if lines == 0 else pos - self.buf.rfind("\n", 0, pos)

    def error(self, message: str, pos: int, cut: bool = False) -> DataError:
        line, col = self.position(pos)
        at_end = cut or self.eof and self._WS.match(self.buf, pos).end() >= len(self.buf)
        hint = " (the file ends here: truncated?)" if at_end else ""
        return DataError(f"malformed JSON at line {line} column {col}: {message}{hint}", self.path)


# ------------------------------------------------------------------------------------------------------- shared checks
# What a reader's checks can still let through on odd input (a safety net: each is reported as a DataError naming
# the sample, so a lenient load skips it like any other bad sample).
UNEXPECTED = (ValueError, TypeError, OverflowError, KeyError, IndexError, AttributeError, ZeroDivisionError,
              RecursionError)


def as_data_error(e: BaseException, where: str) -> DataError:
    """e itself when it is a DataError, else a DataError saying what went wrong at where."""
    if isinstance(e, DataError):
        return e
    if isinstance(e, LensCraftError):
        return DataError(str(e), where)
    return DataError(f"cannot read this sample ({type(e).__name__}: {str(e)[:200]})", where)


def json_type(value: Any) -> str:
    """JSON name of a Python value's type, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def number_problem(value: Any) -> str | None:
    """Why value is not a usable JSON number, or None if it is one."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        if value is None:
            return "is null, expected a number (JSON.stringify writes NaN and Infinity as null)"
        return f"is {json_type(value)} ({json.dumps(value)[:40]}), expected a number"
    if isinstance(value, int):
        try:
            float(value)
        except OverflowError:
            return f"is a {len(str(abs(value)))}-digit integer, too large for a number"
    if value != value:
        return "is NaN"
    if value in (float("inf"), float("-inf")):
        return "is Infinity" if value > 0 else "is -Infinity"
    return None
