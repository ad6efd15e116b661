"""Prompt text -> clauses, and how each clause joins the one before (the markers movement.py steps by).

Words are lower case, with special tokens: '3/4' -> threequarter, '90°' -> deg90, '1.4x' -> x1.4, '30%' -> pct30,
timing numbers zsegN ("for the first 2 seconds": the segment) and zdurN ("over 3 seconds": the move), metres mtrN,
"at the end" adds zatend. Commas, full stops, "then", "+", arrows... end a clause; the separator says how it joins.
"""

from __future__ import annotations

import re

from . import lexicon as LX
from .cue import Cue

_NUMBER = r"(\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_SECONDS = r"\s*(?:seconds?|secs?|s)\b"
_BARE_DEGREES = re.compile(r"\b((?:pan|tilt|roll|yaw|pitch|dutch|swivel|arc|orbit)\w*\s+(?:up|down|left|right|"
                           r"clockwise|counter-?clockwise|anti-?clockwise)\s+(?:by\s+)?)(\d+(?:\.\d+)?)"
                           r"(?![\d.]|\s*(?:%|x\b|m\b|mm\b|metres?|meters?|sec|s\b|frames?|times|percent|"
                           r"per\s+cent))")
# Clause boundaries and how each joins the clause before it: "seq" (then, followed by, ending with...: the next
# step), "after" ("after X": X comes first), "before" ("X before Y": in order; "Before Y, X" opening a sentence or
# a comma phrase, "fronted": X comes first), "punct" / "stop" (a comma / a full stop: the next step when both
# clauses name moves), "first" ("but first X": X opens the shot); "fronted_after": "After X, Y" (in order, and
# "Y, after X" with no main clause after it puts X first). Arrows ("->") are "seq".
_BOUNDARY = re.compile(r"(->|=>|[\u2192\u27f6\u00bb>]|[,;:!?()+\n\[\]]|\.(?!\d)|\s-\s|\b(?=[tfabnsle])(?:then|"
                       r"followed\s+by|after\s+(?:that|which)|afterwards?|finally|next(?!\s+to\b)|before|subsequently|later|"
                       r"after|eventually|lastly|"
                       r"(?:end(?:s|ing)?|finish(?:es|ing)?)\s+(?:with|by)|transition(?:s|ing)?\s+(?:in)?to)\b)")
# Opposite directions joined by "and" after a word that is not looking ("he looks left and right" is no move).
_BOTH_WAYS = re.compile(r"\b([a-z]+)\s+(left|right|up|down)\s+and\s+(?:back\s+)?(left|right|up|down)\b")
_PLACES = {"the", "to", "from", "on", "of", "at", "its", "his", "her", "their"}  # "on the left and right": sides
_OPPOSITE_WAYS = {("left", "right"), ("right", "left"), ("up", "down"), ("down", "up")}
_SENTENCE_END = re.compile(r"[.;:!?\n]")
_BLANK = re.compile(r"\s*(?:(?:and|but)\b\s*)*")  # a clause that says nothing ("Pan left, but before that, ...")


_UNITS = "one two three four five six seven eight nine".split()
_TEENS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_NUMBER_WORDS = {w: str(i) for i, w in enumerate(["zero"] + _UNITS + _TEENS[:3])}  # the seconds' words (_NUMBER)
# A spelled number before a unit of degrees or metres ("thirty degrees", "a hundred and eighty degrees", "half a
# metre", "a metre"): said out loud, it is the same amount as its digits.
_SPELLED = re.compile(r"\b((?:(?:a|one|two|three)\s+hundred(?:\s+and)?(?:\s+|(?=[\s-]+(?:deg|met|°))))?"
                      r"(?:(?:" + "|".join(_TENS) + r")(?:[\s-]+(?:" + "|".join(_UNITS) + r"))?|"
                      + "|".join(_TEENS + _UNITS) + r")?|half\s+a|a)(?=[\s-]+(?:degrees?\b|°|metres?\b|meters?\b))")


def _spelled(m: re.Match) -> str:
    words = m[1].replace("-", " ").split()
    if not words:
        return m[0]
    if words == ["half", "a"]:
        return "0.5"
    value, i = 0, 0
    if "hundred" in words:
        k = words.index("hundred")
        value, i = 100 * (1 if words[0] in ("a", "one") else _UNITS.index(words[0]) + 1), k + 1
    for w in words[i:]:
        if w in _TENS:
            value += 10 * (_TENS.index(w) + 2)
        elif w in _TEENS:
            value += 10 + _TEENS.index(w)
        elif w in _UNITS:
            value += _UNITS.index(w) + 1
        elif w == "a" and value == 0:
            value = 1
    return str(value) if value else m[0]


def _number(m: re.Match, prefix: str) -> str:
    return f" {prefix}{_NUMBER_WORDS.get(m[1], m[1])} "


_ARROWS = ("->", "=>", "\u2192", "\u27f6", "\u00bb", ">")  # "push in -> pan left": a storyboard's sequence


def _marker(separator: str) -> str:
    if separator in _ARROWS:
        return "seq"
    if re.fullmatch(r"[^a-z]+", separator):
        return "stop" if _SENTENCE_END.search(separator) else "punct"
    return separator if separator in ("after", "before") else "seq"


def marked_clauses(text: str) -> list[tuple[str, list[str]]]:
    """(how it joins the clause before, words) of each clause, lower case, with the special tokens of the module
    doc; timing numbers become zsegN ("for the first 2 seconds": the segment), zdurN ("over 3 seconds": the move),
    metres mtrN, and "at the end" adds the token zatend."""
    t = re.sub(r"([a-z])([A-Z])", r"\1 \2", text).lower()
    t = t.replace("\u2019", "'").replace("n't", " not").replace("_", " ")
    t = re.sub(r"'s\b", " zposs", t)  # possessive marker: "the subject's left" is a view
    t = re.sub(r"\b3\s*/\s*4\b|\u00be|\bthree[\s-]*quarters?\b", " threequarter ", t)
    if "deg" in t or "met" in t or "\u00b0" in t:
        t = _SPELLED.sub(_spelled, t)
    if "sec" in t or re.search(r"\d\s*s\b", t):  # (skipped when no seconds are named: long prompts stay fast)
        t = re.sub(r"(?<![\d.])\bfor\s+(?:the\s+)?(?:first\s+|last\s+|next\s+|final\s+)?" + _NUMBER + _SECONDS,
                   lambda m: _number(m, "zseg"), t)
        t = re.sub(r"(?<![\d.])\b(?:over|in|within|taking|lasting|during)\s+(?:the\s+)?(?:first|last|next|final)\s+"
                   + _NUMBER + _SECONDS, lambda m: _number(m, "zseg"), t)
        t = re.sub(r"(?<![\d.])\b(?:over|in|within|taking|lasting|during)\s+(?:about\s+)?" + _NUMBER + _SECONDS,
                   lambda m: _number(m, "zdur"), t)
        t = re.sub(r"(?<![\d.])\b" + _NUMBER + r"[\s-]*(?:seconds?|secs?)\b", lambda m: _number(m, "zdur"), t)
    if re.search(r"\d\s*m", t):
        t = re.sub(r"(?<![\d.])(\d+(?:\.\d+)?)\s*(?:m|metres?|meters?)\b", r" mtr\1 ", t)
    if "once" in t:  # ", at once zooming out" ("at" is a filler word; "once it stops" is not at the same time)
        t = re.sub(r"\bat\s+once\b", " simultaneously ", t)
    if " and " in t:  # "pan left and right": one way, then the other (the second move is an ellipsis)
        t = _BOTH_WAYS.sub(lambda m: f"{m[1]} {m[2]} then {m[3]}" if (m[2], m[3]) in _OPPOSITE_WAYS
                           and not m[1].startswith(("look", "glanc")) and m[1] not in _PLACES else m[0], t)
    if "end" in t:
        t = re.sub(r"\bat\s+the\s+(?:very\s+)?end\b", r"\g<0> zatend", t)
    # (?<!\d): a number is matched from its first digit only, so a long run of digits costs linear time, not
    # quadratic backtracking from every digit in it.
    t = re.sub(r"(?<!\d)(\d+)\s*(?:\u00b0|degrees?\b|deg\b)", r" deg\1 ", t)
    t = re.sub(r"\b(90|180|270|360)\b", r"deg\1", t)
    # A bare number right after a turn and its direction is degrees ("tilt up 20", "pan left by 45").
    t = _BARE_DEGREES.sub(r"\1deg\2", t)
    t = re.sub(r"(?<![\d.])\b(\d+(?:\.\d+)?)\s*x\b", r" x\1 ", t)
    if "%" in t or "cent" in t:  # "push in 30%": a share of the way
        t = re.sub(r"(?<![\d.])(\d+(?:\.\d+)?)\s*(?:%|percent\b|per\s+cent\b)", r" pct\1 ", t)
    parts = _BOUNDARY.split(t)
    out = []
    opens = True  # whether clause i opens a phrase: only blank clauses since the start or a punctuation mark
    for i in range((len(parts) + 1) // 2):
        marker = "start" if i == 0 else _marker(parts[2 * i - 1].strip())
        if i:
            opens = marker in ("punct", "stop") or bool(opens and _BLANK.fullmatch(parts[2 * i - 2]))
        if marker in ("before", "after") and opens:  # "Before the push in, the camera tilts up": the tilt first
            marker = "fronted" if marker == "before" else "fronted_after"
        out.append((marker, re.findall(r"[a-z0-9_.]+", parts[2 * i])))
    return out


def join_participles(cues: list[Cue], raw: list[str], markers: list[str], opened: set[int]) -> None:
    """A comma clause that opens with a move in -ing ("truck left fast, panning right to keep him centred") is
    simultaneous with the move before it, unless that one is an -ing form too (a list: "panning left, tilting up");
    so is a sentence's main clause after an opening -ing clause ("Descending slowly, the drone yaws right")."""
    verbs = []  # (clause, -ing form, whether the clause opens with it) of each clause's first move word
    for c in cues:
        if c.what[0] in ("move", "dz") and (not verbs or verbs[-1][0] != c.clause):
            first = c.start
            while first > 0 and first not in opened and (raw[first - 1] in LX.SPEEDS
                                                          or raw[first - 1].endswith("ly")):
                first -= 1  # "slowly panning right", "gradually tilting down"
            verbs.append((c.clause, raw[c.start].endswith("ing"), first in opened))
    for (ca, ing_a, opens_a), (cb, ing_b, opens_b) in zip(verbs, verbs[1:]):
        if markers[cb] != "punct" or ing_a == ing_b:
            continue
        if ing_b and opens_b or ing_a and opens_a and markers[ca] in ("start", "stop"):
            markers[cb] = "sim"
