"""A cue: what a phrase of the prompt contributes (lexicon.py lists the kinds), where it is, and its words. The
grammar (grammar.py) finds cues; movement.py and the field resolvers read them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Cue:
    what: tuple  # ("move", kind, direction, fraction), ("dir", axis, direction)... see lexicon.py
    start: int  # token span [start, end) in the prompt's word list
    end: int
    clause: int
    words: str
    negated: bool = False
