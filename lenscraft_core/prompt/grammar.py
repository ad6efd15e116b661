"""Free-text prompt -> shot fields, by a small compositional grammar (no torch, no text encoder).

"slow push in from a low angle, ease in-out, close-up" ->
    movement=dollyIn, easing=easeInOutSine, angle=lowAngle, shot_type=closeUp (+ speed="slow").

1. Words (clauses.py): lower case, '3/4' -> threequarter, '90°' -> deg90, '1.4x' -> x1.4, word stems, filler words
   dropped, and clause numbers with how each clause joins the one before (commas, "then", "+", arrows end a clause;
   words bind only inside their clause; "Before X, Y" puts Y first, a comma clause opening with an -ing move joins
   the move before it).
2. Cues: the longest phrase of prompt_lexicon (plus the vocabulary's angle and shot-size names and aliases) wins at
   each word; a cue right after "no"/"without"/"neither"... is negated, a move right after "stop(s)" too; "looks
   up/left" turns the camera only in a clause the prompt sequences.
3. Fields from cues:
   segments (movement.py) = the moves in time order: steps cut at "then", "followed by", commas between moves...;
       the moves of one clause at once ("pan and tilt up", "dolly out while yawing left"); each move with the
       nearest direction, amount, speed and duration words; each segment with its timing words. movement = the
       first moving segment's label (or its compound label: pan left + tilt down -> panAndTilt); shake from
       "handheld", "shaky", "steady"...
   easing = family (quadratic... or a hint: gentle/smooth/strong/soft/sharp) x mode (in/out/in-out, accelerates,
       settles, both ends...), matched on the vocabulary's (family, mode) params.
   angle = the most extreme elevation named; shot_type = the first size named; view = front/back x left/right
       (+ three-quarter), matched on azimuth_deg.
Fields the prompt does not state take the vocabulary default with confidence 0 and are listed in `unresolved`, as are
fields the grammar had to guess (confidence < 1); an optional `fallback(text, fields)` (e.g. a text encoder) may fill
them. A prompt that states no field at all is an error, never a random shot.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Callable, Mapping

from . import lexicon as LX
from .clauses import join_participles, marked_clauses
from .cue import Cue
from .movement import (AMOUNT_CUES, GENERIC_CONFIDENCE, INFERRED_CONFIDENCE, Reading, read_movement, sequenced,
                       sign_direction)
from ..errors import LensCraftError
from ..moves import Move, Plan, Segment, segment_frames
from ..vocabulary import FIELD_NAMES, FIELDS, OPPOSITE_DIRECTION
_SPEED = {"slow": "slow", "slowly": "slow", "gradual": "slow", "leisurely": "slow", "fast": "fast", "quick": "fast",
          "quickly": "fast", "rapid": "fast", "rapidly": "fast", "whip": "fast", "snap": "fast", "crash": "fast",
          "swift": "fast", "swiftly": "fast"}
Fallback = Callable[[str, list], Mapping[str, tuple]]
# The longest prompt parse_prompt takes (documented in docs/RELIABILITY.md). Parsing is linear in the length, so the
# cap bounds the work of every caller (the Blender panel parses on every edit; the text encoder sees each clause).
MAX_PROMPT_CHARS = 4000


@lru_cache(maxsize=8192)  # a prompt repeats its words: each is stemmed once
def _stem(word: str) -> str:
    w = word
    if len(w) > 5 and w.endswith("ing") and re.search(r"[aeiouy]", w[:-3]):  # not "spring" -> "spr"
        w = w[:-3]
    elif len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 4 and w.endswith("es") and w[-3] in "shx":
        w = w[:-2]
    elif len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]
    elif len(w) > 4 and w.endswith("ed"):
        w = w[:-2]
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiouls":
        w = w[:-1]
    return w


def _phrase(text: str) -> tuple[str, ...]:
    return tuple(_stem(w) for _, c in marked_clauses(text) for w in c if w not in LX.FILLER)


@lru_cache(maxsize=1)
def _table() -> tuple[dict[tuple[str, ...], list[tuple]], dict[str, int]]:
    """Stemmed phrase -> cues, from prompt_lexicon plus generated family x mode forms and vocabulary names."""
    spec: dict[str, object] = {}
    for fname, ftype in (("angle", "angle"), ("shot_type", "shot")):
        for label in FIELDS[fname]:
            value = label.params["elevation_deg"] if ftype == "angle" else label.name
            for text in (label.name, label.description, *label.aliases):
                if text.lower() not in LX.AMBIGUOUS_ALIASES:
                    spec[text] = (ftype, value)
    for group in (LX.AROUND, LX.MOVES, LX.DIRECTIONS, LX.MAGNITUDES, LX.STATIC, LX.DOLLY_ZOOM, LX.ANGLES, LX.SHOTS,
                  LX.VIEWS, LX.MODES, LX.HALTS, LX.LOOKS, LX.AMOUNTS, LX.REVEALS, LX.SPEEDS, LX.TIMING, LX.SHAKE):
        spec.update(group)
    for part, label in LX.BODY_PARTS.items():
        for pattern in LX.PART_FRAMING:
            for poss in ("", "his ", "her ", "its ", "their "):
                spec[pattern.format(p=poss + part)] = ("shot", label)
    sizes = list(FIELDS["shot_type"].names)
    for a, la in LX.BODY_PARTS.items():  # "head to toe", "waist to head": the wider part sets the size
        for b, lb in LX.BODY_PARTS.items():
            if la != lb:
                spec[f"{a} to {b}"] = spec[f"{a} and {b}"] = ("shot", max(la, lb, key=sizes.index))
    ease = LX._words(LX.EASE_WORDS)
    for family, words in LX.FAMILIES.items():
        for w in LX._words(words):
            spec[w] = ("family", family, True)
            for suffix, mode in LX.MODE_SUFFIX.items():
                spec[f"{w} {suffix}"] = [("family", family, True), ("mode", mode, True)]
                if mode == "InOut":
                    spec[f"{suffix} {w}"] = [("mode", mode, True), ("family", family, True)]
    for family, words in LX.INTENSITY.items():
        spec.update({w: ("family", family, False) for w in LX._words(words)})
    for w, (family, mode) in LX.FAMILY_WITH_MODE.items():
        spec[w] = [("family", family, True), ("mode", mode, None)]
    for e in ease:
        spec[e] = ("ease",)
        spec[f"{LX.BACK_FAMILY} {e}"] = [("family", "Back", True), ("ease",)]
        for suffix, mode in LX.MODE_SUFFIX.items():
            spec[f"{e} {suffix}"] = [("ease",), ("mode", mode, True)]
            spec[f"{e} {suffix} {LX.BACK_FAMILY}"] = [("ease",), ("mode", mode, True), ("family", "Back", True)]
            spec[f"{LX.BACK_FAMILY} {e} {suffix}"] = [("family", "Back", True), ("ease",), ("mode", mode, True)]
            if mode == "InOut":
                spec[f"{suffix} {e}"] = [("mode", mode, True), ("ease",)]
                spec[f"{LX.BACK_FAMILY} {suffix}"] = [("family", "Back", True), ("mode", mode, True)]
    table = {}
    for text, cues in spec.items():
        key = _phrase(text)
        if key:
            table[key] = cues if isinstance(cues, list) else [cues]
    for key, cue in _movement_aliases():  # the vocabulary's own movement names, where the lexicon says nothing
        table.setdefault(key, [cue])
    longest: dict[str, int] = {}  # the longest phrase starting with each word: the matcher tries no longer ones
    for key in table:
        longest[key[0]] = max(longest.get(key[0], 0), len(key))
    return table, longest


def _movement_aliases() -> list[tuple[tuple[str, ...], tuple]]:
    """(stemmed phrase, cue) for each single move's name, description and aliases in the vocabulary: the cue its
    params (kind, sign, amount) mean, so a synonym added to the vocabulary is understood without a lexicon entry."""
    largest = {kind: max(lb.params.get("amount", 0.0) for lb in FIELDS["movement"] if lb.params["kind"] == kind)
               for kind in ("zoom", "arc")}
    out = []
    for label in FIELDS["movement"]:
        p = label.params
        if p["kind"] == "static":
            cue: tuple = ("static", "still")
        elif p["kind"] in ("follow", "track"):
            cue = ("move", p["kind"], None, None)
        elif p["kind"] in LX.POSITIVE and p["kind"] != "dollyZoom":
            positive = LX.POSITIVE[p["kind"]]
            direction = positive if p["sign"] > 0 else OPPOSITE_DIRECTION[positive]
            fraction = None
            if p["kind"] == "arc":
                fraction = p["amount"] / largest["arc"]
            elif p["kind"] == "zoom":
                fraction = math.log(p["amount"]) / math.log(largest["zoom"])
            cue = ("move", p["kind"], direction, fraction)
        else:  # compounds and dolly zooms are composed from their parts' words
            continue
        for text in (label.name, label.description, *label.aliases):
            key = _phrase(text)
            if key and text.lower() not in LX.AMBIGUOUS_ALIASES:
                out.append((key, cue))
    return out


def _lone_word(word: str) -> list[tuple]:
    if word in FIELDS["angle"]:
        return [("angle", FIELDS["angle"][word].params["elevation_deg"])]
    if word in FIELDS["shot_type"]:
        return [("shot", FIELDS["shot_type"].resolve(word))]
    side = {"left": "L", "right": "R", "front": "F", "back": "B"}.get(word)
    return [("view", side)] if side else []


_NUMBER_TOKEN = {"deg": "deg", "x": "factor", "mtr": "metres", "zdur": "dur", "zseg": "secs", "pct": "percent"}
_NUMBER_TOKEN_RE = re.compile(r"(deg|x|mtr|zdur|zseg|pct)(\d+(?:\.\d+)?)")


_SIM_ONLY = LX.SIMULTANEOUS | {"and", "same", "time", "together", "once"}


def _cues(text: str) -> tuple[list[Cue], list[str], list[str]]:
    """Every cue of the prompt, in order, the raw words (after filler removal) for speed/matched reporting, and how
    each clause joins the one before ("start", "punct", "seq", "after", "sim": it starts with "while", "as"...)."""
    table, longest = _table()
    raw, stems, clause, markers = [], [], [], []
    opened: set[int] = set()  # first word of each clause
    before_that = False  # "Push in. Before that, pan left": the next clause comes first
    together = fronted_sim = False
    for ci, (marker, words) in enumerate(marked_clauses(text)):
        kept = [w for w in words if w not in LX.FILLER]
        head = kept[1:3] if kept[:1] == ["and"] else kept[:2]  # ", and at the same time tilts up"
        if marker == "fronted" and not [w for w in kept if w not in ("and", "but")]:
            before_that = True
        elif raw and (kept[:1] == ["first"] or kept[:2] == ["but", "first"]):
            marker = "first"  # "Push in, but first pan left": the pan opens the shot
        elif kept and before_that:
            marker, before_that = ("after" if marker in ("punct", "stop") else marker), False
        if together and marker in ("punct", "stop") or fronted_sim and marker == "punct":
            marker = "sim"
        together = False
        opens_with_sim = bool(head[:1]) and (head[0] in LX.SIMULTANEOUS or head == ["same", "time"])
        # "As the camera dollies in, it pans left": a sentence that opens with "as" / "while" is one moment
        fronted_sim = opens_with_sim and marker in ("start", "stop")
        markers.append("sim" if opens_with_sim else marker)
        if kept and markers[-1] == "sim" and set(kept) <= _SIM_ONLY:  # "zooms in and, at the same time, pans left"
            together = True  # the clause says only that: the next one is the simultaneous move
        if kept:
            opened.add(len(raw))
        for w in kept:
            raw.append(w)
            stems.append(_stem(w))
            clause.append(ci)
    for i, w in enumerate(raw):  # "pan L", "tilt U"
        if w in LX.LETTER_DIRECTIONS and i and table.get((stems[i - 1],), [("",)])[0][0] == "move":
            raw[i] = stems[i] = LX.LETTER_DIRECTIONS[w]
    cues: list[Cue] = []
    i, n = 0, len(stems)
    while i < n:
        for size in range(min(longest.get(stems[i], 0), n - i), 0, -1):
            key = tuple(stems[i:i + size])
            if clause[i + size - 1] == clause[i] and key in table:
                cues += [Cue(c, i, i + size, clause[i], " ".join(raw[i:i + size])) for c in table[key]]
                i += size
                break
        else:
            m = _NUMBER_TOKEN_RE.fullmatch(raw[i])
            if m:
                cues.append(Cue((_NUMBER_TOKEN[m[1]], float(m[2])), i, i + 1, clause[i], _said(m[1], m[2])))
            i += 1
    # Each step below touches every word and cue a bounded number of times, so a long prompt costs linear time.
    words_of: dict[int, list[int]] = {}
    for i, ci in enumerate(clause):
        words_of.setdefault(ci, []).append(i)
    at_word: dict[int, list[Cue]] = {}
    for c in cues:
        at_word.setdefault(c.start, []).append(c)
    for ci in sorted(words_of):  # a clause of one everyday word ("pan left, low, wide") is that field's alias
        at = words_of[ci]
        lone = _lone_word(raw[at[0]]) if len(at) == 1 else []
        if lone and lone[0][0] == "view" and markers[ci] in ("seq", "after", "before"):
            lone = []  # "pan left, then right": the move again, the other way (movement.py)
        if lone and all(c.what[0] in ("dir", "mag") for c in at_word.get(at[0], [])):
            at_word[at[0]] = [Cue(c, at[0], at[0] + 1, ci, raw[at[0]]) for c in lone]
    cues = [c for start in sorted(at_word) for c in at_word[start]]
    covered = {j for o in cues for j in range(o.start, o.end)}
    for c in cues:  # "without tilting", "neither looking up nor down", "no zoom"
        before = [j for j in range(max(0, c.start - 2), c.start) if clause[j] == c.clause]
        c.negated = any(raw[j] in LX.NEGATION and j not in covered for j in before) or (
            c.what[0] == "move" and c.start and clause[c.start - 1] == c.clause and raw[c.start - 1] in LX.ENDING)
    cues = [c for c in cues if not c.negated and c.what[0] != "none"]
    join_participles(cues, raw, markers, opened)
    return _looks(cues, markers), raw, markers


def _looks(cues: list[Cue], markers: list[str]) -> list[Cue]:
    """"looks up/down/left": a tilt or pan in a clause the prompt sequences ("pans left, then looks up"), where its
    angle reading goes; elsewhere the angle alone ("camera looks up at the giant": a low angle)."""
    looks = [c for c in cues if c.what[0] == "look"]
    if not looks:
        return cues
    turned = sequenced(cues, markers)
    drop = {c.start for c in looks if c.clause in turned}
    out = []
    for c in cues:
        if c.what[0] == "look":
            if c.clause in turned:
                kind = "tilt" if c.what[1] in ("up", "down") else "pan"
                out.append(Cue(("move", kind, c.what[1], None), c.start, c.end, c.clause, c.words))
        elif not (c.what[0] == "angle" and c.start in drop):
            out.append(c)
    return out


def _said(token: str, number: str) -> str:
    """A number token as the prompt said it, for the summary and `ignored`."""
    return {"deg": f"{number} deg", "x": f"{number}x", "mtr": f"{number} m", "zdur": f"over {number} s",
            "zseg": f"for {number} s", "pct": f"{number}%"}[token]


# ----------------------------------------------------------------------------------------------------------------------
# Easing, angle, shot size, view
# ----------------------------------------------------------------------------------------------------------------------
def _easing(cues: list[Cue]) -> tuple[str, float, str] | None:
    fams = [c for c in cues if c.what[0] == "family"]
    modes = [c for c in cues if c.what[0] == "mode"]
    exact = [c for c in fams if c.what[2]]
    eases = [c for c in cues if c.what[0] == "ease"]
    strong = [c for c in modes if c.what[2]]
    if not (exact or eases or strong or (fams and any(c.what[2] is False for c in modes))):
        return None  # "gentle", "smooth" alone describe style, not a curve
    family = next((c.what[1] for c in exact if c.what[1] != "Linear"), None) or \
        ("Linear" if exact else None) or next((c.what[1] for c in fams), None)
    used = exact or fams[:1]
    if family == "Linear":
        return "linear", 1.0, " ".join(c.words for c in used)
    said = {c.what[1] for c in strong}
    weak = {c.what[1] for c in modes if c.what[2] is False}
    hint = [c.what[1] for c in modes if c.what[2] is None]
    if "InOut" in said or {"In", "Out"} <= said:
        mode = "InOut"
    elif said:
        (mode,) = said
        if weak - said:  # "slow start ... long slow finish"
            mode = "InOut"
    elif weak:
        mode = "InOut" if len(weak) > 1 else next(iter(weak))
    elif hint:
        mode = hint[0]
    else:
        mode = "Out" if family in ("Bounce", "Elastic", "Back") else "InOut"
    conf = 1.0 if (exact or not family) and (said or weak or family) else INFERRED_CONFIDENCE
    if family is None:
        family, conf = "Sine", (1.0 if said or eases else GENERIC_CONFIDENCE)
    elif not exact:
        conf = INFERRED_CONFIDENCE
    label = next(l for l in FIELDS["easing"] if l.params["family"] == family and l.params["mode"] == mode)
    return label.name, conf, " ".join(c.words for c in used + eases + strong)


def _angle(cues: list[Cue]) -> tuple[str, float, str] | None:
    found = [c for c in cues if c.what[0] == "angle"]
    if not found:
        return None
    best = max(found, key=lambda c: abs(c.what[1]))  # "from a great height, looking down" -> bird's-eye
    label = min(FIELDS["angle"], key=lambda l: abs(l.params["elevation_deg"] - best.what[1]))
    return label.name, 1.0, best.words


def _shot(cues: list[Cue]) -> tuple[str, float, str] | None:
    found = next((c for c in cues if c.what[0] == "shot"), None)
    return (found.what[1], 1.0, found.words) if found else None


def _view(cues: list[Cue]) -> tuple[str, float, str] | None:
    found = [c for c in cues if c.what[0] == "view"]
    parts = [c.what[1] for c in found]
    if not parts:
        return None
    depth = next((p for p in parts if p in "FB"), None)
    side = next((p for p in parts if p in "LR"), None)
    azimuth = {"L": 90.0, "R": -90.0}.get(side or "", 0.0)
    conf = 1.0
    if depth == "B":
        azimuth = 180.0 if side is None else azimuth * 1.5
    elif depth == "F" or "TQ" in parts:
        azimuth /= 2
        if side is None and depth is None:  # "three-quarter view" without a side
            azimuth, conf = 45.0, GENERIC_CONFIDENCE
    elif side is None:  # "profile" without a side
        azimuth, conf = 90.0, GENERIC_CONFIDENCE
    label = min(FIELDS["view"], key=lambda l: abs((l.params["azimuth_deg"] - azimuth + 180) % 360 - 180))
    return label.name, conf, " ".join(c.words for c in found)


_RESOLVERS = {"easing": _easing, "angle": _angle, "shot_type": _shot, "view": _view}  # movement: movement.py
_UNIT_TEXT = {"deg": "{:g} deg", "share": "{:g} of the way", "frame": "{:g} frame", "m": "{:g} m", "ratio": "{:g}x"}


def move_text(move: Move) -> str:
    """'dolly in', 'arc right (cw) 90 deg (slow, over 3 s)': a move in words, its direction read from its sign."""
    kind = move.kind
    if kind in ("follow", "track"):
        text = kind
    else:
        text = f"{kind} {sign_direction(kind, move.sign)}"
        if kind in LX.TURNING and kind != "pan":
            text += " (ccw)" if move.sign > 0 else " (cw)"
    if move.amount is not None:
        text += " " + _UNIT_TEXT[move.unit or "deg"].format(round(move.amount, 3))
    extra = [x for x in (move.speed, f"over {move.duration_s:g} s" if move.duration_s else None) if x]
    return text + (f" ({', '.join(extra)})" if extra else "")


def segments_text(segments: list[Segment]) -> str:
    """'1) dolly in (slow) 0-50%; 2) arc right (cw) 90 deg 50-100%': the segments in order, with their spans."""
    if not segments:
        return ""
    spans = segment_frames([s if s.share is not None else s.with_share(None) for s in segments], 101)
    out = []
    for k, (seg, (a, b)) in enumerate(zip(segments, spans), 1):
        what = " + ".join(move_text(m) for m in seg.moves) or "hold"
        if seg.easing:
            what += f" [{seg.easing}]"
        if len(segments) > 1:
            what += f" {seg.seconds:g} s" if seg.seconds is not None and seg.share is None else f" {a}-{b}%"
        out.append(f"{k}) {what}" if len(segments) > 1 else what)
    return "; ".join(out)


@dataclass
class Interpretation:
    """What a prompt was understood as. labels has every field (defaults filled in); confidence is 1 for a field the
    prompt names, lower for one inferred or guessed, 0 for a default; explicit lists the fields the prompt stated;
    matched maps each explicit field to the words that said it; unresolved lists the fields left to a default or
    guessed (a fallback may settle them); source says "grammar", "fallback" or "default" per field.

    segments: the moves in time order (moves.Segment: simultaneous moves.Move with amount, unit, speed, duration;
    share / seconds of the shot), [] when the prompt names no move; labels["movement"] is the first moving
    segment's label (or its two moves' compound label where the vocabulary has one with those directions).
    shake: handheld amplitude (0 steady, 1 handheld, 2 very shaky), None when not said. speed: the first speed word
    of the prompt, "slow" or "fast" (each Move has its own, with "whip")."""

    prompt: str
    labels: dict[str, str]
    confidence: dict[str, float]
    explicit: set[str] = field(default_factory=set)
    matched: dict[str, str] = field(default_factory=dict)
    speed: str | None = None
    unresolved: set[str] = field(default_factory=set)
    source: dict[str, str] = field(default_factory=dict)
    ignored: list[tuple[str, str]] = field(default_factory=list)  # (words, why): camera words not acted on
    segments: list[Segment] = field(default_factory=list)
    shake: float | None = None

    def plan(self) -> Plan:
        """The segments and shake as one moves.Plan (what the planner and the native format take)."""
        return Plan(list(self.segments), self.shake)

    def summary(self) -> str:
        parts = [segments_text(self.segments)] if self.segments else []
        if self.shake is not None:
            parts.append(f"shake: {self.shake:g}")
        for f in FIELD_NAMES:
            mark = "" if f in self.explicit else " (default)"
            parts.append(f"{f.replace('_', ' ')}: {self.labels[f]}{mark}")
        text = "understood as " + "; ".join(parts)
        if self.ignored:
            text += "; ignored: " + "; ".join(f"'{w}' ({why})" for w, why in self.ignored)
        return text


def parse_prompt(text: str, defaults: Mapping[str, str] | None = None,
                 fallback: Fallback | None = None) -> Interpretation:
    """Parse a shot description. Raises LensCraftError when it mentions no camera work.

    fallback(text, fields) -> {field: (label, confidence)} is asked about the unresolved fields; its answer replaces
    a field only when more confident than the grammar (a movement it replaces replaces the segments too). It should
    return nothing for a field it cannot tell."""
    if not isinstance(text, str) or not text.strip():
        raise LensCraftError("the prompt is empty: describe the camera move, e.g. 'slow push in, low angle, close-up'")
    if len(text) > MAX_PROMPT_CHARS:
        raise LensCraftError(f"the prompt is {len(text):,} characters long; the limit is {MAX_PROMPT_CHARS:,} "
                             "(a shot description is a sentence or a short paragraph)")
    return _parse(text, defaults, fallback)


def label_segments(movement: str) -> list[Segment]:
    """A movement label as segments: one move, a compound's parts at once, or a hold."""
    params = FIELDS["movement"][movement].params
    if params["kind"] == "static":
        return [Segment(())]
    return [Segment(tuple(Move(p) for p in params.get("parts", (movement,))))]


def _parse(text: str, defaults: Mapping[str, str] | None, fallback: Fallback | None) -> Interpretation:
    """parse_prompt without the length cap (benchmarks/bench_prompt.py times it on 100 KB: linear in the length)."""
    cues, raw, markers = _cues(text)
    reading = read_movement(cues, markers)
    found = {f: r for f, r in ((f, reading.label if f == "movement" else _RESOLVERS[f](cues)) for f in FIELD_NAMES)
             if r}
    segments = reading.segments
    if len(segments) > 1:  # each segment its own easing words ("push in with an ease in, then pan left linearly")
        segments = [s if s.easing else replace(s, easing=e[0] if (e := _easing(c)) else None)
                    for s, c in zip(segments, reading.step_cues)]
    elif segments and "easing" in found:
        segments = [replace(segments[0], easing=found["easing"][0])]
    source = {f: "grammar" for f in found}
    if fallback is not None:
        ask = [f for f in FIELD_NAMES if f not in found or found[f][1] < 1.0]
        for f, (label, conf) in (fallback(text, ask) or {}).items():
            if f in ask and conf > (found[f][1] if f in found else 0.0):
                found[f] = (FIELDS[f].resolve(label), float(conf), "(fallback)")
                source[f] = "fallback"
                if f == "movement":  # the segments follow the label they were replaced by
                    segments = label_segments(found[f][0])
    if not found:
        raise LensCraftError(
            f"'{text.strip()[:80]}' says nothing about camera work: name a move (pan, dolly in, orbit, zoom...), "
            "an angle (low angle, bird's-eye...) or a shot size (close-up, wide shot...)")
    easing_words = {w for c in cues if c.what[0] in ("mode", "family") for w in c.words.split()}
    speed = next((_SPEED[w] for w in raw if w in _SPEED and w not in easing_words), None)
    defaults = defaults or {}
    labels = {f: found[f][0] if f in found else FIELDS[f].resolve(defaults.get(f, FIELDS[f].default))
              for f in FIELD_NAMES}
    confidence = {f: found[f][1] if f in found else 0.0 for f in FIELD_NAMES}
    unresolved = {f for f in FIELD_NAMES if confidence[f] < 1.0}
    source.update({f: "default" for f in FIELD_NAMES if f not in found})
    ignored = _ignored(cues, raw, reading, speed if not any(m.speed for s in segments for m in s.moves) else None)
    return Interpretation(text, labels, confidence, set(found), {f: v[2] for f, v in found.items()}, speed,
                          unresolved, source, ignored, segments, reading.shake)


@lru_cache(maxsize=1)
def _unused_table() -> tuple[dict[tuple[str, ...], tuple[str, str]], int]:
    """Stemmed phrase -> (phrase, why) of LX.UNUSED_WORDS, and the longest phrase's length."""
    table = {_phrase(k): (k, why) for k, why in LX.UNUSED_WORDS.items()}
    return table, max(len(k) for k in table)


def _why_unused(c: Cue) -> str | None:
    """Why a camera cue the segments did not take was left out (None: not a camera word of the segments)."""
    what = c.what
    if what[0] in ("move", "dz"):
        return None if what[1] in LX.GENERIC_KIND else "a move word the segments could not place"
    if what[0] == "metres":
        return "metres fit a truck or pedestal; a dolly's amount is a share of the way ('halfway in')"
    if what[0] in AMOUNT_CUES:
        return "an amount that fits none of the moves said with it"
    if what[0] in ("speed", "dur"):
        return "a speed or duration with no move to apply it to"
    if what[0] in ("share", "secs"):
        return "a second timing for the same segment"
    if what[0] == "static" and what[1] == "still":
        return "said with moves: the camera moves"
    return None


def _ignored(cues: list[Cue], raw: list[str], reading: Reading, speed: str | None) -> list[tuple[str, str]]:
    """(words, why) for camera words the prompt says that the interpretation does not act on: cues the segments
    did not take (moves past MAX_SEGMENTS, amounts that fit no move...), words of LX.UNUSED_WORDS, and a speed word
    with no move to take it."""
    out: list[tuple[str, str]] = []
    seen: set = set()

    def note(words: str, why: str) -> None:
        if (words, why) not in seen:
            seen.add((words, why))
            out.append((words, why))
    for words, why in reading.notes:
        note(words, why)
    past_cap = {w for w, _ in reading.notes}
    for c in cues if reading.segments else ():  # amount words in a prompt with no move describe something else
        why = None if id(c) in reading.used or c.words in past_cap else _why_unused(c)
        if why:
            note(c.words, why)
    covered = {j for c in cues for j in range(c.start, c.end)}
    table, longest = _unused_table()
    i = 0
    while i < len(raw):  # longest unused phrase at each word no cue took
        for size in range(min(longest, len(raw) - i), 0, -1):
            key = tuple(_stem(w) for w in raw[i:i + size])
            if key in table and not covered & set(range(i, i + size)):
                note(" ".join(raw[i:i + size]), table[key][1])
                i += size
                break
        else:
            i += 1
    if speed:
        note(speed, "a speed with no move to apply it to")
    return out
