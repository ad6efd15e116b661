"""Free-text prompt -> shot fields, by the vocabulary's alias grammar (no torch, no text encoder).

"slow push in from a low angle, ease in-out, close-up" ->
    movement=dollyIn, easing=easeInOutSine, angle=lowAngle, shot_type=closeUp (+ speed="slow").

Every label's name, description and aliases become word-stem phrases; the longest phrases found in the prompt win and
may not overlap. Direction-less terms ("pan", "zoom") fall back to a default direction with lower confidence. Fields
the prompt does not mention take the vocabulary default with confidence 0. A prompt that mentions no camera work at
all is an error, never a random shot. The text-encoder fallback for wordings no alias covers lives with the model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .errors import LensCraftError
from .vocabulary import FIELD_NAMES, FIELDS

# Words that carry no camera meaning in any phrase ("pan to the left" == "pan left").
_FILLER = {"the", "a", "an", "to", "toward", "towards", "of", "camera", "cam", "from", "at", "while", "as", "it",
           "its", "is", "around", "then", "with", "on"}

# Direction-less terms and the label they default to (confidence GENERIC_CONFIDENCE).
_GENERIC = {
    "movement": {"pan": "panRight", "whip pan": "panRight", "swish pan": "panRight", "tilt": "tiltUp",
                 "dolly": "dollyIn", "push": "dollyIn", "truck": "truckRight", "crab": "truckRight",
                 "pedestal": "pedestalUp", "boom": "pedestalUp", "crane": "pedestalUp", "jib": "pedestalUp",
                 "zoom": "halfZoomIn", "arc": "shortArcShotLeft", "arc shot": "shortArcShotLeft",
                 "roll": "rollLeft", "dutch": "rollLeft", "dutch angle": "rollLeft", "track": "track"},
    "easing": {"ease": "easeInOutSine", "eas": "easeInOutSine"},
}
GENERIC_CONFIDENCE = 0.6
_SPEED = {"slow": "slow", "slowly": "slow", "gentle": "slow", "gently": "slow", "gradual": "slow",
          "fast": "fast", "quick": "fast", "quickly": "fast", "rapid": "fast", "whip": "fast", "snap": "fast",
          "crash": "fast"}


def _stem(word: str) -> str:
    w = word
    if len(w) > 5 and w.endswith("ing"):
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


def _words(text: str) -> list[str]:
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", text)  # camelCase names -> words
    text = text.lower().replace("'s", "s").replace("\u2019s", "s")
    return re.findall(r"[a-z0-9]+", text)


def _phrase(text: str) -> tuple[str, ...]:
    return tuple(_stem(w) for w in _words(text) if w not in _FILLER)


@lru_cache(maxsize=1)
def _phrase_table() -> list[tuple[tuple[str, ...], str, str, float]]:
    """(stems, field, label, confidence) for every name, alias, description and generic term; longest first."""
    table: dict[tuple[tuple[str, ...], str], tuple[str, float]] = {}
    for fname in FIELD_NAMES:
        for label in FIELDS[fname]:
            for text in (label.name, label.description, *label.aliases):
                stems = _phrase(text)
                if stems:
                    table.setdefault((stems, fname), (label.name, 1.0))
        for text, name in _GENERIC.get(fname, {}).items():
            table.setdefault((_phrase(text), fname), (name, GENERIC_CONFIDENCE))
    rows = [(stems, f, name, conf) for (stems, f), (name, conf) in table.items()]
    rows.sort(key=lambda r: (-len(r[0]), -r[3]))
    return rows


@dataclass
class Interpretation:
    """What a prompt was understood as. labels has every field (defaults filled in); confidence is 1 for an exact
    term, GENERIC_CONFIDENCE for a direction-less one and 0 for a default; explicit lists the fields the prompt said;
    matched maps each explicit field to the words that said it."""

    prompt: str
    labels: dict[str, str]
    confidence: dict[str, float]
    explicit: set[str] = field(default_factory=set)
    matched: dict[str, str] = field(default_factory=dict)
    speed: str | None = None

    def summary(self) -> str:
        parts = []
        for f in FIELD_NAMES:
            mark = "" if f in self.explicit else " (default)"
            parts.append(f"{f.replace('_', ' ')}: {self.labels[f]}{mark}")
        if self.speed:
            parts.append(f"speed: {self.speed}")
        return "understood as " + "; ".join(parts)


def parse_prompt(text: str, defaults: dict[str, str] | None = None) -> Interpretation:
    """Parse a shot description. Raises LensCraftError when it mentions no camera work."""
    if not isinstance(text, str) or not text.strip():
        raise LensCraftError("the prompt is empty: describe the camera move, e.g. 'slow push in, low angle, close-up'")
    raw = [w for w in _words(text) if w not in _FILLER]
    stems = [_stem(w) for w in raw]
    taken = [False] * len(stems)
    found: dict[str, tuple[str, float, str]] = {}
    for phrase, fname, label, conf in _phrase_table():
        if fname in found:
            continue
        n = len(phrase)
        for i in range(len(stems) - n + 1):
            if tuple(stems[i:i + n]) == phrase and not any(taken[i:i + n]):
                taken[i:i + n] = [True] * n
                found[fname] = (label, conf, " ".join(raw[i:i + n]))
                break
    speed = next((_SPEED[w] for w in raw if w in _SPEED), None)
    if not found:
        raise LensCraftError(
            f"'{text.strip()[:80]}' says nothing about camera work: name a move (pan, dolly in, orbit, zoom...), "
            "an angle (low angle, bird's-eye...) or a shot size (close-up, wide shot...)")
    defaults = defaults or {}
    labels = {f: found[f][0] if f in found else FIELDS[f].resolve(defaults.get(f, FIELDS[f].default))
              for f in FIELD_NAMES}
    confidence = {f: found[f][1] if f in found else 0.0 for f in FIELD_NAMES}
    return Interpretation(text, labels, confidence, set(found), {f: v[2] for f, v in found.items()}, speed)
