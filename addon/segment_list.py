"""The panel's editable segment list (Scene.lenscraft.segments): what the camera does, in order, as rows the user can
edit, add, remove and reorder. A row is one move; a row marked "With Previous" happens at the same time as the row
above (one core Segment of simultaneous moves), and the first row of a segment carries its easing and timing.
Parsing a prompt fills the list (fill_rows); Generate reads it back (segments_of: moves.Segment, every value checked,
a bad one named by its row); segment_lines says it in words, with the frames each segment spans."""

from __future__ import annotations

from typing import Any, Sequence

import bpy
from bpy.props import BoolProperty, EnumProperty, FloatProperty  # type: ignore

from .engine import FIELDS, LensCraftError, move_text, moves

HOLD = "static"  # a row that holds still (a Segment with no moves)
AUTO = 'AUTO'


def _title(label: str) -> str:
    import re

    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", label).title()


def _single_moves() -> list[str]:
    """The movement labels a row can take: every single-kind move (moves.Move) and the hold."""
    out = []
    for label in FIELDS["movement"].labels:
        try:
            moves.move_kind(label.name)
        except LensCraftError:
            continue
        out.append(label.name)
    return out + [HOLD]


MOVEMENTS = tuple(_single_moves())
# Enum items stay referenced from Python for as long as the properties exist.
_MOVE_ITEMS = [(m, "Hold" if m == HOLD else _title(m),
                "Hold still" if m == HOLD else FIELDS["movement"][m].description.capitalize(), i)
               for i, m in enumerate(MOVEMENTS)]
_SPEED_ITEMS = [('NORMAL', "Normal", "A normal operator's pace")] + [
    (s.upper(), s.title(), {"slow": "Slow", "fast": "Fast: takes the time its pace needs",
                            "whip": "Whip / snap: over 200 degrees per second at its peak"}[s])
    for s in moves.SPEEDS]
_EASING_ITEMS = [(AUTO, "Auto", "The shot's easing (the Easing menu, else in-out)")] + [
    (e, _title(e), FIELDS["easing"][e].description.capitalize()) for e in FIELDS["easing"].names]
_UNIT_ITEMS = [('FRAME', "Frame", "A share of the frame the subject crosses"), ('M', "Metres", "Metres")]
UNIT_WORDS = {"deg": "deg", "share": "of the distance", "ratio": "x (lens ratio)", "m": "m", "frame": "of the frame"}


def amount_unit(row: Any) -> str | None:
    """The unit of a row's amount (moves.AMOUNT_UNITS), None for moves without one (a hold, follow)."""
    if row.movement == HOLD:
        return None
    units = moves.AMOUNT_UNITS[moves.move_kind(row.movement)]
    if not units:
        return None
    return row.unit.lower() if len(units) > 1 else units[0]


class LensCraftSegment(bpy.types.PropertyGroup):
    movement: EnumProperty(  # type: ignore[valid-type]
        name="Move", items=_MOVE_ITEMS, default="dollyIn", description="What the camera does in this row")
    together: BoolProperty(  # type: ignore[valid-type]
        name="With Previous", default=False, description="At the same time as the row above (one segment)")
    use_amount: BoolProperty(  # type: ignore[valid-type]
        name="Amount", default=False, description="State the amount (off: the default a good operator would use)")
    amount: FloatProperty(  # type: ignore[valid-type]
        name="Amount", default=0.0, soft_min=0.0, soft_max=360.0, precision=3,
        description="How far: degrees (pan, tilt, roll, orbit), share of the distance (dolly), metres or a share of "
                    "the frame (truck, pedestal), lens ratio (zoom)")
    unit: EnumProperty(name="Unit", items=_UNIT_ITEMS, default='FRAME')  # type: ignore[valid-type]
    speed: EnumProperty(name="Speed", items=_SPEED_ITEMS, default='NORMAL')  # type: ignore[valid-type]
    easing: EnumProperty(name="Easing", items=_EASING_ITEMS, default=AUTO)  # type: ignore[valid-type]
    share: FloatProperty(  # type: ignore[valid-type]
        name="Share", default=0.0, soft_min=0.0, soft_max=1.0, subtype='FACTOR',
        description="Share of the shot's frames (0: an even split of what the other segments leave)")
    seconds: FloatProperty(  # type: ignore[valid-type]
        name="Seconds", default=0.0, soft_min=0.0, soft_max=30.0, unit='TIME_ABSOLUTE',
        description="Length of the segment in seconds (0: by share); a share wins")
    duration: FloatProperty(  # type: ignore[valid-type]
        name="Move Seconds", default=0.0, soft_min=0.0, soft_max=30.0, unit='TIME_ABSOLUTE',
        description="How long the move takes inside its segment (0: the whole segment)")


def _groups(rows: Sequence[Any]) -> list[list[tuple[int, Any]]]:
    groups: list[list[tuple[int, Any]]] = []
    for k, row in enumerate(rows, 1):
        if row.together and groups and row.movement != HOLD and groups[-1][0][1].movement != HOLD:
            groups[-1].append((k, row))
        else:
            groups.append([(k, row)])
    return groups


def segments_of(rows: Sequence[Any]) -> list[moves.Segment]:
    """The rows as core segments; LensCraftError naming the row of a bad value (a negative amount, ...)."""
    out = []
    for group in _groups(rows):
        k0, head = group[0]
        try:
            found = []
            for k, row in group:
                if row.movement == HOLD:
                    continue
                unit = amount_unit(row)
                found.append(moves.Move(row.movement, float(row.amount) if row.use_amount and unit else None,
                                        unit if row.use_amount and unit else None,
                                        None if row.speed == 'NORMAL' else row.speed.lower(),
                                        float(row.duration) if row.duration else None))
            for name, value in (("share", head.share), ("seconds", head.seconds)):
                if value < 0:
                    raise LensCraftError(f"{name} must be 0 (automatic) or more, got {value:g}")
            out.append(moves.Segment(tuple(found), None if head.easing == AUTO else head.easing,
                                     float(head.share) if head.share else None,
                                     float(head.seconds) if head.seconds else None))
        except LensCraftError as e:
            rows_said = f"rows {k0}-{group[-1][0]}" if len(group) > 1 else f"row {k0}"
            raise LensCraftError(f"segment {len(out) + 1} ({rows_said}): {e}") from None
    if len(out) > moves.MAX_SEGMENTS:
        raise LensCraftError(f"{len(out)} segments; at most {moves.MAX_SEGMENTS} in one shot")
    return out


def fill_rows(rows: Any, segments: Sequence[moves.Segment]) -> None:
    """Replace the rows with these segments (what a prompt was understood as)."""
    rows.clear()
    for seg in segments:
        for j, move in enumerate(seg.moves or (None,)):
            row = rows.add()
            row.movement = HOLD if move is None else move.movement
            row.together = j > 0
            if j == 0:
                row.easing = seg.easing or AUTO
                row.share = seg.share or 0.0
                row.seconds = seg.seconds or 0.0
            if move is None:
                continue
            row.use_amount = move.amount is not None
            row.amount = move.amount or 0.0
            if move.unit in ("m", "frame"):
                row.unit = move.unit.upper()
            row.speed = (move.speed or "normal").upper()
            row.duration = move.duration_s or 0.0


_TURN_WORDS = {"(ccw)": "(counter-clockwise seen from above)", "(cw)": "(clockwise seen from above)"}


def move_words(move: moves.Move) -> str:
    """A move in words, an orbit with the way it turns seen from above."""
    units = moves.AMOUNT_UNITS[move.kind]
    if move.amount is not None and move.unit is None and units:  # said in the kind's own unit
        move = moves.Move(move.movement, move.amount, units[0], move.speed, move.duration_s)
    text = move_text(move)
    if move.kind == "arc":
        if move.amount is None:  # an arc label's own amount: a quarter orbit is 90 degrees
            text = text.replace(")", f") {FIELDS['movement'][move.movement].params['amount']:g} deg", 1)
        for short, long in _TURN_WORDS.items():
            text = text.replace(short, long)
        text = text.replace("arc ", "orbit ", 1)
    return text


def segment_lines(segments: Sequence[moves.Segment], frame_start: int, frames: int, fps: float) -> list[str]:
    """'1) dolly in (slow) f1-48', '2) orbit right (counter-clockwise seen from above) 90 deg f48-96': each segment
    with the frames it spans (joins shared: one segment ends on the frame the next starts on)."""
    spans = moves.segment_frames(list(segments), max(frames, 1), fps)
    out = []
    for k, (seg, (a, b)) in enumerate(zip(segments, spans), 1):
        what = " + ".join(move_words(m) for m in seg.moves) or "hold"
        if seg.easing:
            what += f" [{seg.easing}]"
        out.append(f"{k}) {what} f{frame_start + a}-{frame_start + b}")
    return out


CLASSES = (LensCraftSegment,)
