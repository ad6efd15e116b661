"""Cut a long camera take (one Shot) into labelled samples, by a CSV of segments or by timeline markers.

CSV rows are `start,end,label...`:

* start / end: a time from the start of the take, HH:MM:SS(.ms), MM:SS(.ms) or seconds with an "s" suffix ("2.5s"),
  giving the half-open span [start, end); or whole scene frame numbers (Blender's timeline, the take's first frame
  is trajectory.frame_start), giving the inclusive range start..end as Blender's frame range does.
* labels: any vocabulary names or aliases of any field ("dolly in", "easeInOutSine", "low angle", "close-up"), one
  per cell or several in a cell separated by ";" or "|"; "field=value" picks the field when a word is ambiguous.
  A header row naming fields (start,end,movement,easing) makes its columns field-specific.

Markers are (scene frame, name) pairs: each starts a segment that runs to the next marker or the end of the take; a
marker named "end" (or "stop", "cut") only closes the previous segment. Marker names are parsed as labels separated
by "," ";" "|" or "+"; a name with no label in it (Blender's default "F_12") leaves its segment unlabelled.
marker_name writes that syntax (the add-on names its markers with it), so the two stay in one place.

Unlabelled segments get labels from label_fn(shot) -> {field: label} when one is given (Instruction.source
"predicted"); otherwise they stay unlabelled. Labelled ones have source "csv" or "marker".
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

import numpy as np

from ..errors import DataError, UnknownLabelError
from ..schema import Instruction, Shot, Subject
from ..vocabulary import FIELD_NAMES, FIELDS, get_field
from .text import ENCODING, utf8_error

LabelFn = Callable[[Shot], Mapping[str, Any]]
END_MARKERS = ("end", "stop", "cut")
MARKER_NAME_MAX = 63  # Blender's limit for a timeline marker name
MARKER_ORDER = ("movement", "shot_type", "angle", "easing", "view")  # most telling first, in case it is cut short
_TIME = re.compile(r"^(?:(\d+):)?(\d+):(\d+(?:\.\d*)?)$")


@dataclass
class Segment:
    """Frames [start, stop) of a take (0-based indices into its trajectory) with the labels parsed for them."""

    start: int
    stop: int
    labels: dict[str, str] = field(default_factory=dict)
    source: str = "csv"
    where: str = ""


# ---------------------------------------------------------------------------------------------------- parsing
def parse_time(text: str, fps: float, frame_start: int, is_end: bool = False) -> int:
    """A CSV time or frame number -> 0-based frame index; for an end, the exclusive stop index."""
    s = text.strip()
    m = _TIME.match(s)
    if m or s.lower().endswith("s"):
        if m:
            seconds = int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
        else:
            try:
                seconds = float(s[:-1])
            except ValueError:
                raise ValueError(f"'{text}' is not a time") from None
        if seconds < 0 or not np.isfinite(seconds):
            raise ValueError(f"time '{text}' must be a non-negative number")
        return int(round(seconds * fps))
    if re.fullmatch(r"-?\d+", s):
        return int(s) - frame_start + (1 if is_end else 0)
    raise ValueError(f"'{text}' is neither a time (HH:MM:SS(.ms), MM:SS or 2.5s) nor a whole frame number")


def parse_label(text: str, fields: Sequence[str] = FIELD_NAMES) -> tuple[str, str]:
    """(field, canonical label) for a name or alias of any of `fields`, or "field=value"."""
    t = text.strip()
    if "=" in t or ":" in t:
        key, value = re.split(r"[=:]", t, maxsplit=1)
        f = get_field(key.strip().lower().replace(" ", "_"))
        return f.name, f.resolve(value.strip())
    hits = [(f, FIELDS[f].resolve(t)) for f in fields if t in FIELDS[f]]
    if len(hits) == 1:
        return hits[0]
    if hits:
        raise UnknownLabelError("label", t, [f"{f}={v}" for f, v in hits])
    suggestions = [s for f in fields for s in FIELDS[f].suggest(t, 1)]
    raise UnknownLabelError("label", t, suggestions)


def parse_labels(cells: Iterable[str], where: str, columns: Sequence[str | None] | None = None,
                 separators: str = r"[;|]") -> dict[str, str]:
    """Labels from cells (each may hold several); a column's field from `columns` restricts what its cells mean."""
    labels: dict[str, str] = {}
    for k, cell in enumerate(cells):
        col_field = columns[k] if columns is not None and k < len(columns) else None
        for part in re.split(separators, cell):
            if not part.strip():
                continue
            try:
                f, name = parse_label(part, (col_field,) if col_field else FIELD_NAMES)
            except (UnknownLabelError, KeyError) as e:
                raise DataError(str(e), where) from None
            if f in labels and labels[f] != name:
                raise DataError(f"two {f} labels: {labels[f]} and {name}", where)
            labels[f] = name
    return labels


def _csv_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of a CSV file: UTF-8, a byte order mark dropped (Excel's "CSV UTF-8"); bytes that are
    not UTF-8 and rows the csv module refuses (a cell past its field size limit, a NUL byte) are DataErrors."""
    with open(path, newline="", encoding=ENCODING) as f:
        reader = csv.reader(f)
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError:
                raise utf8_error(path) from None
            except csv.Error as e:
                raise DataError(f"not a readable CSV row ({e})", f"{path}: line {reader.line_num}") from None
            yield reader.line_num, row


def read_segments_csv(path: str | Path, fps: float, frame_count: int, frame_start: int = 1) -> list[Segment]:
    """Segments of a take with frame_count frames from a CSV file (see the module doc)."""
    path = Path(path)
    if not path.is_file():
        raise DataError("file not found", str(path))
    segments: list[Segment] = []
    columns: list[str | None] | None = None
    for n, row in _csv_rows(path):
        where = f"{path}: line {n}"
        cells = [c.strip() for c in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if columns is None and not segments and cells[0].lower() == "start":
            columns = []
            for name in cells[2:]:
                key = name.lower().replace(" ", "_")
                columns.append(key if key in FIELDS else None)
            continue
        if len(cells) < 2:
            raise DataError(f"has {len(cells)} column, expected start,end[,label...]", where)
        try:
            a = parse_time(cells[0], fps, frame_start)
            b = parse_time(cells[1], fps, frame_start, is_end=True)
        except OverflowError:  # hours too large for a float
            raise DataError(f"time {cells[0]}..{cells[1]} is too large", where) from None
        except ValueError as e:
            raise DataError(str(e), where) from None
        if a < 0 or b > frame_count or b - a < 1:
            raise DataError(f"segment {cells[0]}..{cells[1]} is frames [{a}, {b}) of the take, which has "
                            f"{frame_count} frames (scene frames {frame_start}..{frame_start + frame_count - 1})",
                            where)
        segments.append(Segment(a, b, parse_labels(cells[2:], where, columns), "csv", where))
    if not segments:
        raise DataError("has no segment rows", str(path))
    return segments


def segments_from_markers(markers: Iterable[tuple[int, str]], frame_count: int, frame_start: int = 1,
                          where: str = "markers") -> list[Segment]:
    """Segments between consecutive timeline markers (scene frames); see the module doc."""
    items = sorted(((int(f), str(name)) for f, name in markers), key=lambda m: m[0])
    segments = []
    for k, (frame, name) in enumerate(items):
        w = f"{where}: marker '{name}' at frame {frame}"
        a = frame - frame_start
        if not 0 <= a <= frame_count:
            raise DataError(f"lies outside the take (scene frames {frame_start}..{frame_start + frame_count - 1})", w)
        if name.strip().lower() in END_MARKERS:
            continue
        b = items[k + 1][0] - frame_start if k + 1 < len(items) else frame_count
        if b - a < 1:
            nxt = f"the next marker '{items[k + 1][1]}'" if k + 1 < len(items) else "the end of the take"
            raise DataError(f"has no frames before {nxt}", w)
        parts = [p for p in re.split(r"[,;|+]", name) if p.strip()]
        known = [p for p in parts if any(p.strip() in FIELDS[f] for f in FIELD_NAMES) or "=" in p]
        if known and len(known) != len(parts):
            bad = [p.strip() for p in parts if p not in known]
            raise DataError(f"unknown label(s) {bad} next to known ones", w)
        segments.append(Segment(a, min(b, frame_count), parse_labels(known, w) if known else {}, "marker", w))
    return segments


def marker_name(labels: Mapping[str, str]) -> str:
    """Canonical labels joined by commas (the syntax segments_from_markers reads), cut to Blender's length limit."""
    parts = [labels[f] for f in MARKER_ORDER if labels.get(f)]
    while len(",".join(parts)) > MARKER_NAME_MAX and len(parts) > 1:
        parts.pop()
    return ",".join(parts)


# ---------------------------------------------------------------------------------------------------- cutting
def slice_shot(shot: Shot, start: int, stop: int, name: str | None = None) -> Shot:
    """Frames [start, stop) of a shot, with its subjects' motion cut to match; no instructions."""
    subjects = [Subject(s.position if s.motion_position is None else s.motion_position[start],
                        s.size, s.rotation if s.motion_rotation is None else s.motion_rotation[start],
                        s.name, s.object_class,
                        None if s.motion_position is None else s.motion_position[start:stop],
                        None if s.motion_rotation is None else s.motion_rotation[start:stop]) for s in shot.subjects]
    return Shot(shot.trajectory.slice(start, stop), subjects, [], name or shot.name, dict(shot.metadata))


def _predicted(label_fn: LabelFn, sample: Shot, where: str) -> dict[str, str]:
    out = {}
    for f, value in dict(label_fn(sample)).items():
        if value is None:
            continue
        if f not in FIELDS:
            raise DataError(f"label_fn returned unknown field '{f}'", where)
        if not isinstance(value, str):  # (label, score) pairs are accepted too
            value = value[0]
        out[f] = FIELDS[f].resolve(value)
    return out


def split_segments(shot: Shot, segments: Sequence[Segment], label_fn: LabelFn | None = None) -> list[Shot]:
    """One sample Shot per segment, with one Instruction covering it; unlabelled ones labelled by label_fn."""
    frame_start = shot.trajectory.frame_start
    out = []
    for k, seg in enumerate(segments):
        sample = slice_shot(shot, seg.start, seg.stop, f"{shot.name or 'take'}#{k}")
        labels, source = dict(seg.labels), seg.source
        if not labels and label_fn is not None:
            labels, source = _predicted(label_fn, sample, seg.where), "predicted"
        ins = Instruction(start=0, count=seg.stop - seg.start, source=source)
        for f, name in labels.items():
            setattr(ins, f, name)
        sample.instructions = [ins]
        sample.metadata["segment"] = {"frame_start": frame_start + seg.start, "frame_end": frame_start + seg.stop - 1,
                                      "where": seg.where}
        out.append(sample.validate(seg.where or f"sample {k}"))
    return out


def split_by_csv(shot: Shot, csv_path: str | Path, label_fn: LabelFn | None = None) -> list[Shot]:
    t = shot.trajectory
    return split_segments(shot, read_segments_csv(csv_path, t.fps, t.frame_count, t.frame_start), label_fn)


def split_by_markers(shot: Shot, markers: Iterable[tuple[int, str]], label_fn: LabelFn | None = None) -> list[Shot]:
    t = shot.trajectory
    return split_segments(shot, segments_from_markers(markers, t.frame_count, t.frame_start), label_fn)


def export_segments(samples: list[Shot], path: str | Path, format: str = "lenscraft", overwrite: bool = False,
                    **options: Any) -> int:
    """Save samples in our format or LensCraft v1 ("lenscraft-v1") through lenscraft_core.formats.save; options go
    to the writer (v1: mapping="nearest" writes a moving subject's first-frame pose and the nearest v1 labels)."""
    from . import save  # the format registry lives in the package

    return save(samples, path, format=format, overwrite=overwrite, **options)
