"""What a camera does over a shot, as data: a shot is a sequence of Segments, each a set of simultaneous Moves with an
easing, over a share of the shot's frames. The prompt parser produces this (prompt/grammar.py), the planner builds
camera paths from it (plan.py), the native format stores it, describe reports it.

A Move is one elementary move: a single-kind MOVEMENT label (panLeft, dollyIn, shortArcShotRight...; never a
compound label, those are Segments with two moves) with an optional amount and speed. None means "the default a
good operator would use" (plan.py decides, from the shot's length and the speed).

Units of Move.amount, per kind (AMOUNT_UNITS; always a magnitude >= 0, the label gives the direction):
    pan, tilt, roll, arc    degrees turned (an arc: around the subject)
    dolly                   share of the camera-subject distance travelled (0.5 = half way in / out)
    truck, pedestal         metres ("unit": "m") or a share of the frame width / height the subject crosses
                            ("unit": "frame")
    zoom                    focal-length ratio (2.0 = the lens doubles, or halves on a zoom out)
    dollyZoom               distance ratio
    follow, track           not used (the subject's own motion sets them)

Speed words (SPEEDS): "slow", "fast", "whip" (a whip / snap pan or tilt: over 200 deg/s at its peak). A duration
in seconds ("over 2 seconds") is Move.duration_s. Timing of segments: Segment.share (0-1 of the shot's frames,
None = split the rest evenly).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Sequence

from .errors import LensCraftError
from .schema import Instruction
from .vocabulary import EASING, FIELD_NAMES, MOVEMENT

SPEEDS = ("slow", "fast", "whip")
AMOUNT_UNITS = {"pan": ("deg",), "tilt": ("deg",), "roll": ("deg",), "arc": ("deg",), "dolly": ("share",),
                "truck": ("m", "frame"), "pedestal": ("m", "frame"), "zoom": ("ratio",), "dollyZoom": ("ratio",),
                "follow": (), "track": ()}
MAX_SEGMENTS = 8


def move_kind(movement: str) -> str:
    """The kind ("pan", "arc", ...) of a single-kind movement label; LensCraftError for compound or static ones."""
    label = MOVEMENT[movement]
    kind = label.params.get("kind")
    if kind in (None, "static") or label.params.get("parts"):
        raise LensCraftError(f"'{movement}' is not a single move: a Move is one of the single-kind movements")
    return kind


@dataclass(frozen=True)
class Move:
    movement: str                     # single-kind MOVEMENT label name
    amount: float | None = None       # magnitude in the kind's unit (module docstring); None = default
    unit: str | None = None           # one of AMOUNT_UNITS[kind]; None = the kind's first unit
    speed: str | None = None          # one of SPEEDS; None = a normal pace
    duration_s: float | None = None   # how long the move takes within its segment; None = the whole segment

    def __post_init__(self) -> None:
        object.__setattr__(self, "movement", MOVEMENT.resolve(self.movement))
        kind = move_kind(self.movement)
        if self.amount is not None and not (isinstance(self.amount, (int, float)) and 0 <= self.amount < 1e6):
            raise LensCraftError(f"{self.movement}: amount must be a number >= 0, got {self.amount!r}")
        if self.unit is not None and self.unit not in AMOUNT_UNITS[kind]:
            raise LensCraftError(f"{self.movement}: unit '{self.unit}' is not one of "
                                 f"{', '.join(AMOUNT_UNITS[kind]) or 'none (this move has no amount)'}")
        if self.speed is not None and self.speed not in SPEEDS:
            raise LensCraftError(f"{self.movement}: speed '{self.speed}' is not one of {', '.join(SPEEDS)}")
        if self.duration_s is not None and not (isinstance(self.duration_s, (int, float)) and self.duration_s > 0):
            raise LensCraftError(f"{self.movement}: duration_s must be a positive number of seconds")

    @property
    def kind(self) -> str:
        return move_kind(self.movement)

    @property
    def sign(self) -> int:
        return int(MOVEMENT[self.movement].params.get("sign", 0))

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in (("movement", self.movement), ("amount", self.amount), ("unit", self.unit),
                                  ("speed", self.speed), ("duration_s", self.duration_s)) if v is not None}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Move":
        unknown = set(d) - {"movement", "amount", "unit", "speed", "duration_s"}
        if unknown:
            raise LensCraftError(f"move: unknown key(s) {', '.join(sorted(unknown))}")
        if "movement" not in d:
            raise LensCraftError("move: 'movement' missing")
        return cls(**dict(d))


@dataclass(frozen=True)
class Segment:
    moves: tuple[Move, ...] = ()      # simultaneous moves; () = hold still
    easing: str | None = None         # EASING label; None = the default (in-out)
    share: float | None = None        # share of the shot's frames; None = an even split of what is left
    seconds: float | None = None      # or its length in seconds ("for the first two seconds"); share wins if both

    def __post_init__(self) -> None:
        object.__setattr__(self, "moves", tuple(self.moves))
        kinds = [m.kind for m in self.moves]
        if len(set(kinds)) != len(kinds):
            raise LensCraftError(f"a segment moves each kind once at most, got {', '.join(kinds)}")
        if self.easing is not None:
            object.__setattr__(self, "easing", EASING.resolve(self.easing))
        if self.share is not None and not (isinstance(self.share, (int, float)) and 0 < self.share <= 1):
            raise LensCraftError(f"segment share must be in (0, 1], got {self.share!r}")
        if self.seconds is not None and not (isinstance(self.seconds, (int, float)) and 0 < self.seconds < 1e6):
            raise LensCraftError(f"segment seconds must be a positive number, got {self.seconds!r}")

    @property
    def is_hold(self) -> bool:
        return not self.moves

    def with_share(self, share: float | None) -> "Segment":
        return replace(self, share=share)

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"moves": [m.as_dict() for m in self.moves]}
        if self.easing is not None:
            d["easing"] = self.easing
        if self.share is not None:
            d["share"] = self.share
        if self.seconds is not None:
            d["seconds"] = self.seconds
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Segment":
        unknown = set(d) - {"moves", "easing", "share", "seconds"}
        if unknown:
            raise LensCraftError(f"segment: unknown key(s) {', '.join(sorted(unknown))}")
        return cls(tuple(Move.from_dict(m) for m in d.get("moves", ())), d.get("easing"), d.get("share"),
                   d.get("seconds"))


def segment_frames(segments: tuple[Segment, ...] | list[Segment], frames: int,
                   fps: float = 24.0) -> list[tuple[int, int]]:
    """[(start, end)] frame spans (end inclusive, joins shared: segment k ends on the frame segment k+1 starts on)
    covering frames 0..frames-1, from the segments' shares or seconds (neither: an even split of the rest)."""
    duration = max(frames - 1, 1) / fps
    segments = [s if s.share is not None or s.seconds is None else s.with_share(min(s.seconds / duration, 1.0))
                for s in segments]
    n = len(segments)
    if n == 0:
        return []
    if n > MAX_SEGMENTS:
        raise LensCraftError(f"{n} segments; at most {MAX_SEGMENTS} in one shot")
    fixed = sum(s.share for s in segments if s.share is not None)
    open_count = sum(s.share is None for s in segments)
    if fixed > 1.0 + 1e-9 or (open_count == 0 and abs(fixed - 1.0) > 1e-6 and fixed > 0):
        scale = 1.0 / fixed  # shares that do not add up to the shot are scaled to it
    else:
        scale = 1.0
    rest = max(1.0 - fixed * scale, 0.0)
    shares = [s.share * scale if s.share is not None else rest / open_count for s in segments]
    edges = [0.0]
    for sh in shares:
        edges.append(edges[-1] + sh)
    last = frames - 1
    cuts = [round(e / edges[-1] * last) if edges[-1] > 0 else 0 for e in edges]
    return [(cuts[i], max(cuts[i + 1], cuts[i])) for i in range(n)]


@dataclass
class Plan:
    """A whole shot as asked for: segments in order, and the shot-wide extras."""

    segments: list[Segment] = field(default_factory=list)
    shake: float | None = None        # handheld shake amplitude (0 = steady, 1 = handheld, 2 = very shaky)

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"segments": [s.as_dict() for s in self.segments]}
        if self.shake is not None:
            d["shake"] = self.shake
        return d


def segment_label(segment: Segment) -> str:
    """The MOVEMENT label naming a segment: static for a hold, its move, the compound label of exactly its moves
    when the vocabulary has one, else its first move."""
    if segment.is_hold:
        return "static"
    names = {m.movement for m in segment.moves}
    if len(names) > 1:
        for label in MOVEMENT:
            if set(label.params.get("parts") or ()) == names:
                return label.name
    return segment.moves[0].movement


def first_move_label(segments: Sequence[Segment]) -> str:
    """The MOVEMENT label of a shot made as one move: its first moving segment's (segment_label), static when every
    segment holds."""
    moving = [s for s in segments if not s.is_hold] or list(segments)
    return segment_label(moving[0])


def segment_instructions(segments: Sequence[Segment], spans: Sequence[tuple[int, int]],
                         labels: Mapping[str, str]) -> list[Instruction]:
    """One Instruction per segment, with the shot's other fields (labels; its movement is the segment's), tiling
    the frames: spans share their join frame, so each instruction ends where the next one starts."""
    out = []
    for k, (seg, (a, b)) in enumerate(zip(segments, spans)):
        end = spans[k + 1][0] if k + 1 < len(spans) else b + 1
        ins = {**{f: labels[f] for f in FIELD_NAMES if f in labels and f != "movement"}, "movement": segment_label(seg)}
        out.append(Instruction(**ins, start=a, count=max(end - a, 1), source="user", params={"segment": seg.as_dict()}))
    return out
