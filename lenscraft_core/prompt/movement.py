"""Move words -> moves.Segments: the movement half of the prompt grammar (grammar.py finds the cues).

Steps: a prompt is cut at sequence words ("then", "followed by", "after that", "finally", "next", "before", "ending
with", arrows; "Y after X" and "but first X" put X first, "Before X, Y" puts Y first) and at commas / full stops
between clauses that each name a move. A sequenced clause of directions alone repeats the move before ("push in,
then back out"). A clause that starts with "while", "as", "whilst", "meanwhile" or "at the same time" (or a
participle after a comma: clauses.py) joins the step before it, and the moves of one clause happen together ("pan
and tilt up", "dolly out while yawing left"). A hold word ("hold", "pause", "stays still") is a step of its own, even
inside a clause ("push in and hold"); a still word ("hovers", "stops") is one in a clause with no move, a rig word
("locked off") in a clause the prompt sequences. A clause that names no move (an angle, "slowly", "90
degrees") belongs to the step before it (the first step, for those before any).

In each step the move words bind their directions (nearest in the clause, else one spare in the step), then each
move takes the nearest amount, speed and duration words that fit its kind (its own clause first), and the step's
segment takes its timing words (share, seconds). Labels come from the vocabulary by (kind, sign, amount), never by
name, so renaming a label (which arc is "left") changes nothing here.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

from . import lexicon as LX
from .cue import Cue
from ..moves import MAX_SEGMENTS, Move, Segment
from ..vocabulary import FIELDS, OPPOSITE_DIRECTION

GENERIC_CONFIDENCE = 0.6  # a kind without a direction ("pan"), an easing mode without a family, a view side guess
INFERRED_CONFIDENCE = 0.8  # a hint rather than a name ("gentle" for quadratic, a direction found in another clause)
AMOUNT_CUES = ("mag", "deg", "factor", "metres", "percent", "amt", "reveal")
_LIMIT = 1e6  # moves.Move and moves.Segment take numbers below this


# ----------------------------------------------------------------------------------------------------------------------
# Labels by kind, sign and amount
# ----------------------------------------------------------------------------------------------------------------------
def direction_sign(kind: str, direction: str) -> int:
    """The vocabulary sign of a direction word for a kind; "cw" / "ccw" are literal (sign +1 = counter-clockwise)
    for the turning kinds and mean right / left for the others."""
    if direction in ("cw", "ccw"):
        if kind in LX.TURNING:
            return 1 if direction == "ccw" else -1
        direction = "right" if direction == "cw" else "left"
    return 1 if LX.POSITIVE[kind] == direction else -1


def sign_direction(kind: str, sign: int) -> str:
    positive = LX.POSITIVE[kind]
    return positive if sign > 0 else OPPOSITE_DIRECTION[positive]


@lru_cache(maxsize=None)
def _single(kind: str, sign: int | None) -> tuple:
    return tuple(sorted((l for l in FIELDS["movement"] if l.params.get("kind") == kind and not l.params.get("parts")
                         and l.params.get("sign") == sign), key=lambda l: l.params.get("amount", 0.0)))


def movement_label(kind: str, sign: int | None, amount: float | None = None, fraction: float | None = None) -> str:
    """The single-kind movement label of this kind and sign (from the vocabulary's params). Among labels that differ
    only in amount (arcs, zooms): the one nearest `amount`, else the one `fraction` of the largest names."""
    same = _single(kind, sign)
    if len(same) == 1:
        return same[0].name
    if amount is None:
        fraction = fraction or LX.DEFAULT_FRACTION[kind]
        return same[min(max(len(same) - 1 + round(math.log2(fraction)), 0), len(same) - 1)].name
    return min(same, key=lambda l: abs(math.log(max(amount, 1e-3) / l.params["amount"]))).name


def arc_label(sign: int, amount: float | None = None) -> str:
    """The arc label with this sign (+1 = counter-clockwise seen from above) nearest `amount` degrees."""
    return movement_label("arc", sign, amount)


@lru_cache(maxsize=1)
def _compounds() -> tuple:
    m = FIELDS["movement"]
    return tuple((l.name, {m[p].params["kind"]: (m[p].params.get("sign"), p) for p in l.params["parts"]})
                 for l in m if l.params.get("parts"))


def compound_label(moves: tuple[Move, ...]) -> str | None:
    """The vocabulary's compound label whose parts have exactly these moves' kinds and directions, if one exists."""
    said = {(m.kind, m.sign) for m in moves}
    return next((name for name, parts in _compounds()
                 if len(parts) == len(moves) and {(k, s) for k, (s, _) in parts.items()} == said), None)


# ----------------------------------------------------------------------------------------------------------------------
# Move words -> events (one per kind in a step)
# ----------------------------------------------------------------------------------------------------------------------
@dataclass
class _Event:
    kind: str
    direction: str | None
    at: int
    confidence: float = 1.0
    fraction: float | None = None
    words: list = field(default_factory=list)
    cues: list = field(default_factory=list)  # the cues it was made from (what was used, for `ignored`)
    label: str | None = None  # a compound's part label, when the event takes the compound's unsaid direction
    clause: int = 0


def _bind(move: Cue, dirs: list[Cue], starts: list[int], used: set, axes: str, many: bool, stops: list[int]
          ) -> list[Cue]:
    """Nearest unused directions on the given axes in the move word's clause: up to 5 cues after it, 2 before, not
    past another move word (stops). dirs, their starts and stops are sorted by position: bisect keeps a long prompt
    linear."""
    lo, hi = bisect.bisect_left(starts, move.end), bisect.bisect_left(starts, move.end + 5)
    next_stop = stops[bisect.bisect_left(stops, move.end)] if stops and stops[-1] >= move.end else None
    after = [d for d in dirs[lo:hi] if d.clause == move.clause and (next_stop is None or d.start < next_stop)]
    lo, hi = bisect.bisect_left(starts, move.start - 2), bisect.bisect_left(starts, move.start)
    before = [d for d in reversed(dirs[lo:hi]) if d.clause == move.clause]
    found: list[Cue] = []
    for d in after + before:
        if id(d) not in used and d.what[1] in axes and all(f.what[1] != d.what[1] for f in found):
            found.append(d)
            used.add(id(d))
            if not many:
                break
    return found


def _event(kind, direction, m: Cue, bound: list, confidence=1.0, fraction=None) -> _Event:
    return _Event(kind, direction, m.start, confidence, fraction, [m.words] + [b.words for b in bound], [m, *bound],
                  clause=m.clause)


def _events(cues: list[Cue]) -> list[_Event]:
    """The moves of one step: move words with their directions, one event per kind ("pull back on the dolly" is one
    dolly move), dolly + zoom in opposite directions (or a dolly-zoom word) as one dolly zoom."""
    moves = [c for c in cues if c.what[0] == "move"]
    dirs = [c for c in cues if c.what[0] == "dir"]
    starts = [d.start for d in dirs]
    used: set = set()
    events: list[_Event] = []
    strong = [m for m in moves if m.what[1] not in LX.GENERIC_KIND]
    stops = [m.start for m in strong]
    for m in strong:
        _, kind, inherent, fraction = m.what
        # a phrase that says its direction ("pans right", "track in") takes no other ("... the subject walks left")
        said = inherent is not None and " " in m.words
        bound = [] if said else _bind(m, dirs, starts, used, LX.AXES[kind], False, stops)  # its start is no stop
        if kind in LX.OFF_AXIS and not bound and inherent is None:  # "dolly left", "pan up to the sky"
            bound = _bind(m, dirs, starts, used, LX.AXES[LX.OFF_AXIS[kind]], False, stops)
            kind = LX.OFF_AXIS[kind] if bound else kind
        events.append(_event(kind, bound[0].what[2] if bound else inherent, m, bound, 1.0, fraction))
    subject_moves = any(e.kind in ("follow", "track") for e in events)  # "follow the moving character"
    around = {c.clause for c in cues if c.what[0] == "around"}
    orbiting = [m for m in moves if m.what[1] == "MOVE" and m.clause in around]  # "travel 180° around her"
    for m in orbiting:
        bound = _bind(m, dirs, starts, used, LX.AXES["arc"], False, [])
        events.append(_event("arc", bound[0].what[2] if bound else None, m, bound, 1.0, LX.DEFAULT_FRACTION["arc"]))
    for m in (m for m in moves if m.what[1] in LX.GENERIC_KIND and m not in orbiting):  # "move left", "turn left"
        for d in _bind(m, dirs, starts, used, LX.AXES[m.what[1]], True, []):
            axis, direction = d.what[1], d.what[2]
            target = next((e for e in events if e.direction is None and axis in LX.AXES[e.kind]), None)
            if subject_moves and not target:
                continue
            if target:  # "circle a quarter of the way around him, moving left": the direction belongs to the arc
                target.direction, target.words, target.cues = direction, target.words + [m.words, d.words], \
                    target.cues + [m, d]
            else:
                events.append(_event(LX.GENERIC_KIND[m.what[1]][axis], direction, m, [d]))
    merged: list[_Event] = []
    for e in sorted(events, key=lambda e: e.at):
        same = next((o for o in merged if o.kind == e.kind), None)
        if same is None:
            merged.append(e)
        else:
            same.fraction = same.fraction if same.fraction is not None else e.fraction
            same.direction = same.direction or e.direction
            same.words += e.words
            same.cues += e.cues
    events = merged
    for e in events:  # a direction left over elsewhere in the step, else the kind's default
        if e.direction is None and e.kind in LX.DEFAULT_DIRECTION:
            spare = next((d for d in dirs if id(d) not in used and d.what[1] in LX.AXES[e.kind]), None)
            if spare:
                used.add(id(spare))
                e.direction, e.confidence = spare.what[2], INFERRED_CONFIDENCE
                e.words.append(spare.words)
                e.cues.append(spare)
            else:
                e.direction, e.confidence = LX.DEFAULT_DIRECTION[e.kind], GENERIC_CONFIDENCE
    if not any(e.kind == "dolly" for e in events):  # "position forward along its view axis"
        orphan = next((d for d in dirs if id(d) not in used and d.words in LX.ORPHAN_DOLLY), None)
        if orphan:
            events.append(_event("dolly", orphan.what[2], orphan, [], INFERRED_CONFIDENCE))
    return _dolly_zoom(events, [c for c in cues if c.what[0] == "dz"])


def _dolly_zoom(events: list[_Event], dz: list[Cue]) -> list[_Event]:
    by_kind = {e.kind: e for e in events}
    dolly, zoom = by_kind.get("dolly"), by_kind.get("zoom")
    if dz or (dolly and zoom and dolly.direction != zoom.direction):
        if dolly and dolly.confidence == 1.0:  # the dolly's direction names the label ("dolly in, zoom out")
            sign = direction_sign("dolly", dolly.direction)
        elif zoom and zoom.confidence == 1.0:
            sign = -direction_sign("zoom", zoom.direction)
        else:
            sign = direction_sign("dollyZoom", LX.DEFAULT_DIRECTION["dollyZoom"])
        parts = [e for e in (dolly, zoom) if e]
        at = min([e.at for e in parts] + [c.start for c in dz])
        both = _Event("dollyZoom", sign_direction("dollyZoom", sign), at, 1.0, None,
                      [w for e in parts for w in e.words] or [c.words for c in dz],
                      [c for e in parts for c in e.cues] + dz, clause=(parts[0].clause if parts else dz[0].clause))
        return sorted([e for e in events if e not in parts] + [both], key=lambda e: e.at)
    if dolly and zoom and min(dolly.confidence, zoom.confidence) < 1.0:  # same way: keep the one whose way was said
        drop = dolly if zoom.confidence >= dolly.confidence else zoom
        return [e for e in events if e is not drop]
    return events


def _adopt_compound(events: list[_Event]) -> None:
    """Two moves whose unsaid directions fit a compound label take its directions ("pan and tilt" = panAndTilt)."""
    if len(events) != 2 or not all(e.kind in LX.POSITIVE for e in events):
        return
    for _, parts in _compounds():
        if set(parts) == {e.kind for e in events} and all(
                parts[e.kind][0] == direction_sign(e.kind, e.direction) for e in events if e.confidence == 1.0):
            for e in events:
                if e.confidence < 1.0:
                    e.direction, e.label = sign_direction(e.kind, parts[e.kind][0]), parts[e.kind][1]
            return


# ----------------------------------------------------------------------------------------------------------------------
# Amounts, speeds, durations -> Moves
# ----------------------------------------------------------------------------------------------------------------------
def amount_of(cue: Cue, kind: str) -> tuple[float, str] | None:
    """(amount, unit) an amount cue gives a move of this kind (moves.AMOUNT_UNITS), or None if it does not fit."""
    what = cue.what
    if what[0] == "mag" and what[1] == LX.SLIGHT and kind in LX.SLIGHT_AMOUNT:
        return LX.SLIGHT_AMOUNT[kind], LX.MAG_UNIT[kind]
    if what[0] == "mag" and kind in LX.FULL_AMOUNT:
        full = LX.FULL_AMOUNT[kind]
        value = full ** what[1] if kind in LX.GEOMETRIC else full * what[1]
        return value, LX.MAG_UNIT[kind]
    if what[0] == "deg" and kind in LX.DEGREE_KINDS and what[1] < _LIMIT:
        return what[1], "deg"
    if what[0] == "factor" and kind in LX.GEOMETRIC and 0 < what[1] < _LIMIT and what[1] != 1:
        return max(what[1], 1 / what[1]), "ratio"  # "0.5x" zooms by 2 (the label gives the direction)
    if what[0] == "metres" and kind in LX.METRE_KINDS and what[1] < _LIMIT:
        return what[1], "m"
    if what[0] == "percent" and kind in LX.PERCENT_UNIT and 0 < what[1] <= 100:
        return what[1] / 100, LX.PERCENT_UNIT[kind]
    if what[0] == "amt" and kind in what[1]:
        return what[1][kind]
    if what[0] == "reveal" and kind in LX.REVEAL_AMOUNT:
        return LX.REVEAL_AMOUNT[kind]
    return None


def _attach(events: list[_Event], items: list, fits: Callable) -> dict[int, object]:
    """Each item (with .start and .clause) to the nearest event it fits that has none yet: its own clause first, then
    the nearer to the event's words (move and direction), then the move after it ("slow push")."""
    spans = [(min(c.start for c in e.cues), max(c.end for c in e.cues) - 1) if e.cues else (e.at, e.at)
             for e in events]
    out: dict[int, object] = {}
    for item in items:
        options = [i for i, e in enumerate(events) if i not in out and fits(item, e)]
        if options:
            out[min(options, key=lambda i: (events[i].clause != item.clause,
                                            max(spans[i][0] - item.start, item.start - spans[i][1], 0),
                                            spans[i][0] < item.start))] = item
    return out


@dataclass
class _Said:  # a speed word inside a move or easing phrase ("whip pan", "gentle")
    start: int
    clause: int
    what: tuple
    cue: object


def _says_amount(words: str) -> bool:
    """Whether a move phrase names its amount ("half orbit", "slight zoom in"), not only implies one ("orbit")."""
    return any(w in LX.MAGNITUDES for w in words.split())


def _moves(events: list[_Event], cues: list[Cue], used: set) -> tuple[Move, ...]:
    amounts = _attach(events, [c for c in cues if c.what[0] in AMOUNT_CUES], lambda c, e: amount_of(c, e.kind))
    speeds = [c for c in cues if c.what[0] == "speed"] + [
        _Said(c.start, c.clause, ("speed", LX.SPEED_INSIDE[w]), c) for c in cues if c.what[0] in ("move", "family")
        for w in c.words.split() if w in LX.SPEED_INSIDE]
    # "fast whip pan": "fast" right before a whip word says the same thing; the whip word speaks for both
    whips = [c.start for c in speeds if c.what[1] == "whip"]
    echo = [c for c in speeds if c.what[1] == "fast" and any(0 < w - c.start <= 2 for w in whips)]
    used.update(id(getattr(c, "cue", c)) for c in echo)
    speeds = [c for c in speeds if all(c is not e for e in echo)]
    speed = _attach(events, sorted(speeds, key=lambda c: c.start), lambda c, e: True)
    durations = _attach(events, [c for c in cues if c.what[0] == "dur" and 0 < c.what[1] < _LIMIT],
                        lambda c, e: True)
    out = []
    for i, e in enumerate(events):
        amount, unit = amount_of(amounts[i], e.kind) if i in amounts else (None, None)
        if amount is None and e.fraction is not None and _says_amount(e.cues[0].words):  # "quarter orbit left"
            amount, unit = amount_of(_Said(0, 0, ("mag", e.fraction), None), e.kind) or (None, None)
        sign = direction_sign(e.kind, e.direction) if e.kind in LX.POSITIVE else None
        name = e.label if e.label and amount is None else movement_label(e.kind, sign, amount, e.fraction)
        s, d = speed.get(i), durations.get(i)
        out.append(Move(name, amount, unit, s.what[1] if s else None, d.what[1] if d else None))
        used.update(id(c) for c in (*e.cues, amounts.get(i), getattr(s, "cue", s), d) if c is not None)
    return tuple(out)


# ----------------------------------------------------------------------------------------------------------------------
# Steps -> segments
# ----------------------------------------------------------------------------------------------------------------------
@dataclass
class _Step:
    hold: bool
    cues: list


def _is_hold(c: Cue, moving_clauses: set, in_sequence: set) -> bool:
    """A hold word holds; a still word holds in a clause with no move; a rig word ("locked off") only in a clause
    with no move that the prompt puts in sequence ("Start locked off, then boom down")."""
    if c.what[0] != "static" or c.clause in moving_clauses and c.what[1:] != ("hold",):
        return False
    return c.what[1:] != ("rig",) or c.clause in in_sequence


def sequenced(cues: list[Cue], markers: list[str]) -> set:
    """Clauses that a sequence word joins to a neighbour: their own marker, or the next clause with cues'."""
    order = sorted({c.clause for c in cues})
    joined = ("seq", "after", "before", "fronted", "fronted_after")
    return {ci for k, ci in enumerate(order) if markers[ci] in joined
            or (k + 1 < len(order) and markers[order[k + 1]] in ("seq", "before"))}


_SEQUENCE_MARKERS = ("seq", "after", "before", "fronted", "fronted_after")


def _ellipsis(before: list[Cue], unit: list[Cue]) -> list[Cue]:
    """A sequenced clause of directions alone ("then back out", "and then down") repeats the step before's last move
    word that turns or travels on that axis: the clause's cues with a move cue for it at the direction (bound as
    usual); [] when none fits."""
    moves = [c for c in unit if c.what[0] == "move"]
    if [c.words for c in moves] == ["back up"] and any(
            c.what[0] == "move" and "V" in LX.AXES[c.what[1]] for c in before):  # "tilt down, then back up"
        moves[0].what = ("dir", "V", "up")  # the phrase is a direction here: up again (used as one)
    if any(c.what[0] in ("move", "dz", "static") for c in unit):
        return []
    for d in (c for c in unit if c.what[0] == "dir"):  # "pan left, then back to the right": the one that fits
        verb = next((c for c in reversed(before) if c.what[0] == "move" and d.what[1] in LX.AXES[c.what[1]]), None)
        if verb:
            cue = Cue(("move", verb.what[1], None, verb.what[3]), d.start, d.start, d.clause, verb.words.split()[0])
            return [cue] + unit
    return []


def _place_alone(steps: list[_Step], marker: str, step: _Step) -> None:
    """A fronted phrase with no main clause after it: "X, before Y" in order; "X, after Y" puts Y first."""
    steps.insert(len(steps) - 1 if marker == "fronted_after" and steps else len(steps), step)


def _steps(cues: list[Cue], markers: list[str]) -> tuple[list[_Step], list[Cue]]:
    """The steps in time order (module doc), and the cues before any step when there is none."""
    dir_clauses = {c.clause for c in cues if c.what[0] == "dir"}

    def moving(c: Cue) -> bool:
        return c.what[0] == "dz" or (c.what[0] == "move" and (c.what[1] not in LX.GENERIC_KIND
                                                              or c.clause in dir_clauses))
    moving_clauses = {c.clause for c in cues if moving(c)}
    in_sequence = sequenced(cues, markers)
    units: list[list] = []  # [marker, "move" | "hold" | None, cues]
    clause = None
    for c in cues:
        kind = "hold" if _is_hold(c, moving_clauses, in_sequence) else "move" if moving(c) else None
        if c.clause != clause:
            clause = c.clause
            units.append([markers[clause], None, []])
        unit = units[-1]
        if kind is not None and unit[1] not in (None, kind):
            unit = ["seq", kind, []]  # "push in and hold", "hold, and pan": a new step inside the clause
            units.append(unit)
        elif kind is not None and unit[1] is None:
            unit[1] = kind
        unit[2].append(c)
    steps: list[_Step] = []
    pending: list[Cue] = []
    current: _Step | None = None
    held: tuple[str, _Step] | None = None  # a fronted before / after phrase's step, placed by its main clause
    for marker, kind, unit_cues in units:
        if kind in (None, "move") and marker in _SEQUENCE_MARKERS and current and not current.hold:
            again = _ellipsis(current.cues, unit_cues)
            if again:  # "push in, then back out": the move before, the other way
                kind, unit_cues = "move", again
        if kind is None:
            (current.cues if current else pending).extend(unit_cues)
        elif kind == "move" and marker == "sim" and current and not current.hold:
            current.cues.extend(unit_cues)
        else:
            new = _Step(kind == "hold", pending + unit_cues)
            pending = []
            if held and marker != "punct":  # "Pan right, before pushing in, then tilt up": no main clause
                _place_alone(steps, *held)
                held = None
            if marker in ("fronted", "fronted_after"):
                held = (marker, new)
            else:
                if held and held[0] == "fronted_after":  # "After a pause, pan right": the pause, then the pan
                    steps.append(held[1])
                at = {"after": len(steps) - 1, "first": 0}.get(marker, len(steps)) if steps else 0
                steps.insert(at, new)
                if held and held[0] == "fronted":  # "Before the push in, the camera tilts up": the push follows
                    steps.append(held[1])
                held = None
            current = new
    if held:
        _place_alone(steps, *held)
    return steps, pending


def _segment(step: _Step, used: set, last: bool) -> tuple[Segment | None, list[_Event]]:
    events: list[_Event] = []
    moves: tuple[Move, ...] = ()
    if step.hold:
        used.update(id(c) for c in step.cues if c.what[0] == "static")
    else:
        events = _events(step.cues)
        reveal = next((c for c in step.cues if c.what[0] == "reveal"), None)
        for e in events:  # "tilt from the feet to the face": the reveal says which way
            if reveal and e.kind in LX.REVEAL_AMOUNT and e.confidence < 1.0:
                e.direction, e.confidence = reveal.what[1], 1.0
        _adopt_compound(events)
        moves = _moves(events, step.cues, used)
        if not moves:
            return None, []
    share = seconds = None
    for c in step.cues:
        if c.what[0] == "share" and share is None:
            share = c.what[1]
        elif c.what[0] == "atend" and share is None and last:
            share = LX.BRIEF_SHARE
        elif c.what[0] == "secs" and seconds is None and 0 < c.what[1] < _LIMIT:
            seconds = c.what[1]
        else:
            continue
        used.add(id(c))
    return Segment(moves, None, share, seconds), events


@dataclass
class Reading:
    """What the move words say: segments in time order (with each one's cues, for its own easing), the label the
    single-label fields carry (name, confidence, words) or None, the shake, and which cues were used."""

    segments: list[Segment]
    step_cues: list[list]
    label: tuple[str, float, str] | None
    shake: float | None
    used: set
    notes: list[tuple[str, str]]  # (words, why) of move words beyond MAX_SEGMENTS


def read_movement(cues: list[Cue], markers: list[str]) -> Reading:
    steps, pending = _steps(cues, markers)
    used: set = set()
    segments, step_cues, events_of = [], [], []
    notes: list[tuple[str, str]] = []
    kept = 0
    for k, step in enumerate(steps):
        if kept == MAX_SEGMENTS:  # the rest, said but not made
            notes += [(c.words, f"at most {MAX_SEGMENTS} segments in one shot") for c in step.cues
                      if c.what[0] in ("move", "dz", "static")]
            continue
        seg, events = _segment(step, used, k == len(steps) - 1)
        if seg is not None:
            kept += 1
            segments.append(seg)
            step_cues.append(step.cues)
            events_of.append(events)
    _merge_named_dolly_zooms(segments, step_cues, events_of)
    if not segments:
        rest = pending or [c for s in steps for c in s.cues]
        reveal = next((c for c in rest if c.what[0] == "reveal"), None)
        if reveal:  # "from the feet to the face" alone: a tilt that reveals the body
            amount, unit = LX.REVEAL_AMOUNT["tilt"]
            segments = [Segment((Move(movement_label("tilt", direction_sign("tilt", reveal.what[1])), amount,
                                      unit),))]
            used.add(id(reveal))
            step_cues, events_of = [rest], [[_Event("tilt", reveal.what[1], reveal.start, 1.0, None, [reveal.words])]]
        elif any(c.what[0] == "static" for c in rest):  # "locked off on a tripod": held still
            segments, step_cues, events_of = [Segment(())], [rest], [[]]
            used.update(id(c) for c in rest if c.what[0] == "static")
    shakes = [c for c in cues if c.what[0] == "shake"]
    used.update(id(c) for c in shakes)
    shake = max(c.what[1] for c in shakes) if shakes else None
    return Reading(segments, step_cues, _label(segments, events_of, cues), shake, used, notes)


def _merge_named_dolly_zooms(segments: list[Segment], step_cues: list[list], events_of: list[list[_Event]]) -> None:
    """"Vertigo effect, push in while zooming out": a step that only names a dolly zoom ("dolly zoom", "vertigo",
    with no dolly or zoom words of its own) beside a step that makes one from its dolly and zoom words is that same
    move, not a second one; the named step's words join its neighbour, whose directions were said. Two named ones
    ("a dolly zoom, then another") stay two. In place."""
    def named_only(k: int) -> bool:
        es = events_of[k]
        return len(es) == 1 and es[0].kind == "dollyZoom" and all(c.what[0] == "dz" for c in es[0].cues)

    def makes_dz(k: int) -> bool:  # a dolly zoom from its dolly and zoom words
        return any(e.kind == "dollyZoom" for e in events_of[k]) and not named_only(k)

    k = 0
    while k < len(segments):
        other = next((j for j in (k + 1, k - 1) if 0 <= j < len(segments) and makes_dz(j)), None)
        if named_only(k) and other is not None and len(segments[k].moves) == 1:
            step_cues[other] = step_cues[k] + step_cues[other] if other > k else step_cues[other] + step_cues[k]
            del segments[k], step_cues[k], events_of[k]
            continue
        k += 1


def _label(segments: list[Segment], events_of: list[list[_Event]], cues: list[Cue]) -> tuple[str, float, str] | None:
    """The movement field's one label: the first moving segment's move, or its two moves' compound label when the
    vocabulary has one with exactly those directions ("static" when every segment holds). The segments hold the
    whole shot, so the confidence is that of the directions, not lowered for a label that holds only a part."""
    if not segments:
        return None
    events = [e for es in events_of for e in es]
    words = " ".join(w for e in events for w in e.words)
    first = next((s for s in segments if s.moves), None)
    if first is None:
        return "static", 1.0, " ".join(c.words for c in cues if c.what[0] == "static") or "hold"
    confidence = min((e.confidence for e in events), default=1.0)
    compound = compound_label(first.moves) if len(first.moves) == 2 else None
    if compound:
        return compound, max(confidence, GENERIC_CONFIDENCE), words
    return first.moves[0].movement, confidence, words
