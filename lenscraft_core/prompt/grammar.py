"""Free-text prompt -> shot fields, by a small compositional grammar (no torch, no text encoder).

"slow push in from a low angle, ease in-out, close-up" ->
    movement=dollyIn, easing=easeInOutSine, angle=lowAngle, shot_type=closeUp (+ speed="slow").

1. Words: lower case, '3/4' -> threequarter, '90°' -> deg90, '1.4x' -> x1.4, word stems, filler words dropped, and
   clause numbers (commas, "then", "+" end a clause; words bind only inside their clause).
2. Cues: the longest phrase of prompt_lexicon (plus the vocabulary's angle and shot-size names and aliases) wins at
   each word; a cue right after "no"/"without"/"neither"... is negated.
3. Fields from cues:
   movement = move words + the nearest direction in the clause + magnitude, composed into the label whose params
       (kind, sign, amount, parts) match: pan+tilt -> panAndTilt, dolly+zoom in opposite directions -> dolly zoom.
   easing = family (quadratic... or a hint: gentle/smooth/strong/soft/sharp) x mode (in/out/in-out, accelerates,
       settles, both ends...), matched on the vocabulary's (family, mode) params.
   angle = the most extreme elevation named; shot_type = the first size named; view = front/back x left/right
       (+ three-quarter), matched on azimuth_deg.
Fields the prompt does not state take the vocabulary default with confidence 0 and are listed in `unresolved`, as are
fields the grammar had to guess (confidence < 1); an optional `fallback(text, fields)` (e.g. a text encoder) may fill
them. A prompt that states no field at all is an error, never a random shot.
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Mapping

from . import lexicon as LX
from ..errors import LensCraftError
from ..vocabulary import FIELD_NAMES, FIELDS, OPPOSITE_DIRECTION

GENERIC_CONFIDENCE = 0.6  # a kind without a direction ("pan"), an easing mode without a family, a view side guess
INFERRED_CONFIDENCE = 0.8  # a hint rather than a name ("gentle" for quadratic, a direction found in another clause)
_SPEED = {"slow": "slow", "slowly": "slow", "gradual": "slow", "leisurely": "slow", "fast": "fast", "quick": "fast",
          "quickly": "fast", "rapid": "fast", "rapidly": "fast", "whip": "fast", "snap": "fast", "crash": "fast",
          "swift": "fast", "swiftly": "fast"}
Fallback = Callable[[str, list], Mapping[str, tuple]]
# The longest prompt parse_prompt takes (documented in docs/RELIABILITY.md). Parsing is linear in the length, so the
# cap bounds the work of every caller (the Blender panel parses on every edit; the text encoder sees each clause).
MAX_PROMPT_CHARS = 4000


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


def _clauses(text: str) -> list[list[str]]:
    """Words of each clause, lower case, with the special tokens described in the module doc."""
    t = re.sub(r"([a-z])([A-Z])", r"\1 \2", text).lower()
    t = t.replace("\u2019", "'").replace("n't", " not").replace("_", " ")
    t = re.sub(r"'s\b", " zposs", t)  # possessive marker: "the subject's left" is a view
    t = re.sub(r"\b3\s*/\s*4\b|\u00be|\bthree[\s-]*quarters?\b", " threequarter ", t)
    # (?<!\d): a number is matched from its first digit only, so a long run of digits costs linear time, not
    # quadratic backtracking from every digit in it.
    t = re.sub(r"(?<!\d)(\d+)\s*(?:\u00b0|degrees?\b|deg\b)", r" deg\1 ", t)
    t = re.sub(r"\b(90|180|270|360)\b", r"deg\1", t)
    t = re.sub(r"(?<![\d.])\b(\d+(?:\.\d+)?)\s*x\b", r" x\1 ", t)
    parts = re.split(r"[,;:!?()+\n\[\]]|\.(?!\d)|\bthen\b|\s-\s", t)
    return [re.findall(r"[a-z0-9_.]+", p) for p in parts]


def _phrase(text: str) -> tuple[str, ...]:
    return tuple(_stem(w) for c in _clauses(text) for w in c if w not in LX.FILLER)


@lru_cache(maxsize=1)
def _table() -> tuple[dict[tuple[str, ...], list[tuple]], int]:
    """Stemmed phrase -> cues, from prompt_lexicon plus generated family x mode forms and vocabulary names."""
    spec: dict[str, object] = {}
    for fname, ftype in (("angle", "angle"), ("shot_type", "shot")):
        for label in FIELDS[fname]:
            value = label.params["elevation_deg"] if ftype == "angle" else label.name
            for text in (label.name, label.description, *label.aliases):
                if text.lower() not in LX.AMBIGUOUS_ALIASES:
                    spec[text] = (ftype, value)
    for group in (LX.AROUND, LX.MOVES, LX.DIRECTIONS, LX.MAGNITUDES, LX.STATIC, LX.DOLLY_ZOOM, LX.ANGLES, LX.SHOTS,
                  LX.VIEWS, LX.MODES):
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
    return table, max(len(k) for k in table)


def _movement_aliases() -> list[tuple[tuple[str, ...], tuple]]:
    """(stemmed phrase, cue) for each single move's name, description and aliases in the vocabulary: the cue its
    params (kind, sign, amount) mean, so a synonym added to the vocabulary is understood without a lexicon entry."""
    largest = {kind: max(lb.params.get("amount", 0.0) for lb in FIELDS["movement"] if lb.params["kind"] == kind)
               for kind in ("zoom", "arc")}
    out = []
    for label in FIELDS["movement"]:
        p = label.params
        if p["kind"] == "static":
            cue: tuple = ("static",)
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


@dataclass
class Cue:
    what: tuple  # ("move", kind, direction, fraction), ("dir", axis, direction)... see prompt_lexicon
    start: int  # token span [start, end) in the prompt's word list
    end: int
    clause: int
    words: str
    negated: bool = False


def _cues(text: str) -> tuple[list[Cue], list[str]]:
    """Every cue of the prompt, in order, and the raw words (after filler removal) for speed/matched reporting."""
    table, longest = _table()
    raw, stems, clause = [], [], []
    for ci, words in enumerate(_clauses(text)):
        for w in words:
            if w not in LX.FILLER:
                raw.append(w)
                stems.append(_stem(w))
                clause.append(ci)
    for i, w in enumerate(raw):  # "pan L", "tilt U"
        if w in LX.LETTER_DIRECTIONS and i and table.get((stems[i - 1],), [("",)])[0][0] == "move":
            raw[i] = stems[i] = LX.LETTER_DIRECTIONS[w]
    cues: list[Cue] = []
    i, n = 0, len(stems)
    while i < n:
        for size in range(min(longest, n - i), 0, -1):
            key = tuple(stems[i:i + size])
            if clause[i + size - 1] == clause[i] and key in table:
                cues += [Cue(c, i, i + size, clause[i], " ".join(raw[i:i + size])) for c in table[key]]
                i += size
                break
        else:
            m = re.fullmatch(r"(deg|x)(\d+(?:\.\d+)?)", stems[i])
            if m:
                kind = "deg" if m[1] == "deg" else "factor"
                cues.append(Cue((kind, float(m[2])), i, i + 1, clause[i], raw[i]))
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
        if lone and all(c.what[0] in ("dir", "mag") for c in at_word.get(at[0], [])):
            at_word[at[0]] = [Cue(c, at[0], at[0] + 1, ci, raw[at[0]]) for c in lone]
    cues = [c for start in sorted(at_word) for c in at_word[start]]
    covered = {j for o in cues for j in range(o.start, o.end)}
    for c in cues:  # "without tilting", "neither looking up nor down", "no zoom"
        before = [j for j in range(max(0, c.start - 2), c.start) if clause[j] == c.clause]
        c.negated = any(raw[j] in LX.NEGATION and j not in covered for j in before)
    return [c for c in cues if not c.negated and c.what[0] != "none"], raw


# ----------------------------------------------------------------------------------------------------------------------
# Movement
# ----------------------------------------------------------------------------------------------------------------------
@dataclass
class _Event:
    kind: str
    direction: str | None
    at: int
    confidence: float = 1.0
    fraction: float | None = None
    words: list = field(default_factory=list)


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


def _movement_events(cues: list[Cue]) -> tuple[list[_Event], bool, list[Cue]]:
    moves = [c for c in cues if c.what[0] == "move"]
    dirs = [c for c in cues if c.what[0] == "dir"]
    starts = [d.start for d in dirs]
    used: set = set()
    events: list[_Event] = []
    strong = [m for m in moves if m.what[1] not in LX.GENERIC_KIND]
    stops = [m.start for m in strong]
    for m in strong:
        _, kind, inherent, fraction = m.what
        bound = _bind(m, dirs, starts, used, LX.AXES[kind], False, stops)  # its own start is never a stop
        direction = bound[0].what[2] if bound else inherent
        events.append(_Event(kind, direction, m.start, 1.0, fraction, [m.words] + [b.words for b in bound]))
    subject_moves = any(e.kind in ("follow", "track") for e in events)  # "follow the moving character"
    around = {c.clause for c in cues if c.what[0] == "around"}
    orbiting = [m for m in moves if m.what[1] == "MOVE" and m.clause in around]  # "travel 180° around her"
    for m in orbiting:
        bound = _bind(m, dirs, starts, used, LX.AXES["arc"], False, [])
        events.append(_Event("arc", bound[0].what[2] if bound else None, m.start, 1.0, LX.DEFAULT_FRACTION["arc"],
                             [m.words] + [b.words for b in bound]))
    for m in (m for m in moves if m.what[1] in LX.GENERIC_KIND and m not in orbiting):  # "move left", "turn left"
        for d in _bind(m, dirs, starts, used, LX.AXES[m.what[1]], True, []):
            axis, direction = d.what[1], d.what[2]
            target = next((e for e in events if e.direction is None and axis in LX.AXES[e.kind]), None)
            if subject_moves and not target:
                continue
            if target:  # "circle a quarter of the way around him, moving left": the direction belongs to the arc
                target.direction, target.words = direction, target.words + [m.words, d.words]
            else:
                events.append(_Event(LX.GENERIC_KIND[m.what[1]][axis], direction, m.start, 1.0, None,
                                     [m.words, d.words]))
    merged: list[_Event] = []  # one event per kind: "pull back on the dolly" is one dolly move
    for e in sorted(events, key=lambda e: e.at):
        same = next((o for o in merged if o.kind == e.kind), None)
        if same is None:
            merged.append(e)
        else:
            same.fraction = same.fraction if same.fraction is not None else e.fraction
            same.direction = same.direction or e.direction
            same.words += e.words
    events = merged
    for e in events:  # a direction left over elsewhere in the prompt, else the kind's default
        if e.direction is None and e.kind in LX.DEFAULT_DIRECTION:
            spare = next((d for d in dirs if id(d) not in used and d.what[1] in LX.AXES[e.kind]), None)
            if spare:
                used.add(id(spare))
                e.direction, e.confidence = spare.what[2], INFERRED_CONFIDENCE
                e.words.append(spare.words)
            else:
                e.direction, e.confidence = LX.DEFAULT_DIRECTION[e.kind], GENERIC_CONFIDENCE
    if not any(e.kind == "dolly" for e in events):  # "position forward along its view axis"
        orphan = next((d for d in dirs if id(d) not in used and d.words in LX.ORPHAN_DOLLY), None)
        if orphan:
            events.append(_Event("dolly", orphan.what[2], orphan.start, INFERRED_CONFIDENCE, None, [orphan.words]))
    magnitudes = [c for c in cues if c.what[0] in ("mag", "deg", "factor")]
    return events, any(c.what[0] == "dz" for c in cues), magnitudes


def _sign(kind: str, direction: str) -> int:
    return 1 if LX.POSITIVE[kind] == direction else -1


def _amount_label(event: _Event, magnitudes: list[Cue], candidates: list) -> str:
    """Among labels that differ only in amount, the one the nearest magnitude word names (or the word's own)."""
    candidates = sorted(candidates, key=lambda l: l.params["amount"])
    amounts = [l.params["amount"] for l in candidates]
    unit = "deg" if event.kind == "arc" else "factor"
    usable = [c for c in magnitudes if c.what[0] in ("mag", unit)]
    mag = min(usable, key=lambda c: abs(c.start - event.at), default=None)
    if mag is not None and mag.what[0] == unit:
        target = mag.what[1]
    else:
        fraction = mag.what[1] if mag else event.fraction if event.fraction else LX.DEFAULT_FRACTION[event.kind]
        idx = min(max(len(amounts) - 1 + round(math.log2(fraction)), 0), len(amounts) - 1)
        target = amounts[idx]
    best = min(candidates, key=lambda l: abs(math.log(l.params["amount"] / target)))
    if mag:
        event.words.append(mag.words)
    return best.name


def _movement(cues: list[Cue]) -> tuple[str, float, str] | None:
    events, dolly_zoom, magnitudes = _movement_events(cues)
    labels = FIELDS["movement"].labels
    moving = events
    by_kind = {e.kind: e for e in moving}
    if dolly_zoom or ("dolly" in by_kind and "zoom" in by_kind
                      and by_kind["dolly"].direction != by_kind["zoom"].direction):
        dolly, zoom = by_kind.get("dolly"), by_kind.get("zoom")
        if dolly and dolly.confidence == 1.0:  # the dolly's direction names the label ("dolly in, zoom out")
            sign = _sign("dolly", dolly.direction)
        elif zoom and zoom.confidence == 1.0:
            sign = -_sign("zoom", zoom.direction)
        else:
            sign = _sign("dollyZoom", LX.DEFAULT_DIRECTION["dollyZoom"])
        label = next(l for l in labels if l.params.get("kind") == "dollyZoom" and l.params["sign"] == sign)
        words = [w for e in (dolly, zoom) if e for w in e.words]
        return label.name, 1.0, " ".join(words) or "dolly zoom"
    if "dolly" in by_kind and "zoom" in by_kind:  # same direction: keep the one whose direction was said
        by_kind.pop("dolly" if by_kind["zoom"].confidence >= by_kind["dolly"].confidence else "zoom")
        moving = [e for e in moving if e.kind in by_kind]
    if len(moving) >= 2:
        kinds = {moving[0].kind, moving[1].kind}
        said = {e.kind: _sign(e.kind, e.direction) for e in moving[:2] if e.confidence == 1.0 and e.direction
                and e.kind in LX.POSITIVE}
        for l in labels:
            parts = l.params.get("parts")
            part_signs = {FIELDS["movement"][p].params["kind"]: FIELDS["movement"][p].params.get("sign")
                          for p in (parts or ())}
            # the compound labels' directions are fixed (panAndTilt pans left and tilts down): one whose directions
            # contradict the words is not what was asked; the first move is, and the other is listed as ignored
            if parts and set(part_signs) == kinds and all(part_signs[k] == sg for k, sg in said.items()):
                conf = min(moving[0].confidence, moving[1].confidence, 1.0 if len(moving) == 2 else INFERRED_CONFIDENCE)
                return l.name, max(conf, GENERIC_CONFIDENCE), " ".join(moving[0].words + moving[1].words)
    if not moving:
        static = next((c for c in cues if c.what[0] == "static"), None)
        return ("static", 1.0, static.words) if static else None
    event = moving[0]
    conf = event.confidence if len(moving) == 1 else min(event.confidence, INFERRED_CONFIDENCE)
    sign = _sign(event.kind, event.direction) if event.kind in LX.POSITIVE else None  # follow/track: none
    same = [l for l in labels if l.params.get("kind") == event.kind and l.params.get("sign") == sign]
    name = _amount_label(event, magnitudes, same) if len(same) > 1 else same[0].name
    return name, conf, " ".join(event.words)


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


_RESOLVERS = {"movement": _movement, "easing": _easing, "angle": _angle, "shot_type": _shot, "view": _view}


@dataclass
class Interpretation:
    """What a prompt was understood as. labels has every field (defaults filled in); confidence is 1 for a field the
    prompt names, lower for one inferred or guessed, 0 for a default; explicit lists the fields the prompt stated;
    matched maps each explicit field to the words that said it; unresolved lists the fields left to a default or
    guessed (a fallback may settle them); source says "grammar", "fallback" or "default" per field."""

    prompt: str
    labels: dict[str, str]
    confidence: dict[str, float]
    explicit: set[str] = field(default_factory=set)
    matched: dict[str, str] = field(default_factory=dict)
    speed: str | None = None
    unresolved: set[str] = field(default_factory=set)
    source: dict[str, str] = field(default_factory=dict)
    ignored: list[tuple[str, str]] = field(default_factory=list)  # (words, why): camera words not acted on

    def summary(self) -> str:
        parts = []
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
    a field only when more confident than the grammar. It should return nothing for a field it cannot tell."""
    if not isinstance(text, str) or not text.strip():
        raise LensCraftError("the prompt is empty: describe the camera move, e.g. 'slow push in, low angle, close-up'")
    if len(text) > MAX_PROMPT_CHARS:
        raise LensCraftError(f"the prompt is {len(text):,} characters long; the limit is {MAX_PROMPT_CHARS:,} "
                             "(a shot description is a sentence or a short paragraph)")
    return _parse(text, defaults, fallback)


def _parse(text: str, defaults: Mapping[str, str] | None, fallback: Fallback | None) -> Interpretation:
    """parse_prompt without the length cap (benchmarks/bench_prompt.py times it on 100 KB: linear in the length)."""
    cues, raw = _cues(text)
    found = {f: r for f, r in ((f, _RESOLVERS[f](cues)) for f in FIELD_NAMES) if r}
    source = {f: "grammar" for f in found}
    if fallback is not None:
        ask = [f for f in FIELD_NAMES if f not in found or found[f][1] < 1.0]
        for f, (label, conf) in (fallback(text, ask) or {}).items():
            if f in ask and conf > (found[f][1] if f in found else 0.0):
                found[f] = (FIELDS[f].resolve(label), float(conf), "(fallback)")
                source[f] = "fallback"
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
    return Interpretation(text, labels, confidence, set(found), {f: v[2] for f, v in found.items()}, speed,
                          unresolved, source, _ignored(cues, raw, found, speed))


# A move word the movement label did not use: the grammar makes one move (or one of the fixed compound labels).
_ONE_MOVE = "one move per shot for now: sequences and simultaneous moves are not generated yet"


@lru_cache(maxsize=1)
def _unused_table() -> tuple[dict[tuple[str, ...], tuple[str, str]], int]:
    """Stemmed phrase -> (phrase, why) of LX.UNUSED_WORDS, and the longest phrase's length."""
    table = {_phrase(k): (k, why) for k, why in LX.UNUSED_WORDS.items()}
    return table, max(len(k) for k in table)


def _ignored(cues: list[Cue], raw: list[str], found: Mapping[str, tuple], speed: str | None
             ) -> list[tuple[str, str]]:
    """(words, why) for camera words the prompt says that the interpretation does not act on: move words the
    movement label left out, words of LX.UNUSED_WORDS, and the speed word (read, not generated yet)."""
    used = set(found["movement"][2].split()) if "movement" in found else set()
    out: list[tuple[str, str]] = []
    for c in cues:
        if c.what[0] in ("move", "dz") and not set(c.words.split()) <= used and (c.words, _ONE_MOVE) not in out:
            out.append((c.words, _ONE_MOVE))
    covered = {j for c in cues for j in range(c.start, c.end)}
    table, longest = _unused_table()
    i = 0
    while i < len(raw):  # longest unused phrase at each word no cue took
        for size in range(min(longest, len(raw) - i), 0, -1):
            key = tuple(_stem(w) for w in raw[i:i + size])
            if key in table and not covered & set(range(i, i + size)):
                out.append((" ".join(raw[i:i + size]), table[key][1]))
                i += size
                break
        else:
            i += 1
    if speed:
        out.append((speed, "speed is read but not generated yet: each label has its own pace"))
    return out
