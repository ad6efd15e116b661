"""A person framed close keeps the whole head in frame through a move of no stated size (issue 12).

The planner's defaults for pans, tilts, trucks, pedestals, rolls, zooms and dolly zooms are sized for the frame's
centre; on a close shot of a person the head sits near the frame's top (eyes on the upper third), so a default tilt
down, pedestal down, zoom in or a truck towards the looking room carries it out. keep_head searches, for a shot that
cuts the head on a close frame (body.HEAD_KEPT_SIZES, read per frame as the judge reads them), a smaller share of
the unstated amounts (never below what still reads as the asked move: MIN_SCALE / MIN_READABLE_DEG) from a start
with the eyes on the upper third, then lower in the frame, then the subject centred (COMPOSITIONS: the same bottom
cut, so the same size); it keeps the largest share that holds the head HEAD_MARGIN_NDC inside the frame on every
close frame (the first composition that keeps GOOD_SHARE of the default wins). A STATED amount is the user's and
stays exact (so does a fast or whip move's, a reveal): only the composition may change for it, and where that is
not enough the move cuts the head and the shot's notes say on how many frames.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable, Sequence

import numpy as np

from . import body
from .errors import LensCraftError
from .moves import Segment
from .vocabulary import SHOT_TYPE

# (eye line, looking room) of a close start, tried in this order: the rule of thirds; the eyes lower (more headroom,
# the same bottom cut, so the same size); the subject centred (no looking room) for a move across the frame
COMPOSITIONS = ((body.EYE_LINE, body.LOOKING_ROOM_NDC), (0.58, body.LOOKING_ROOM_NDC), (0.5, body.LOOKING_ROOM_NDC),
                (body.EYE_LINE, 0.0), (0.5, 0.0))
# The smallest share of an unstated amount that still reads as the asked move (the judge's classes): a zoom keeps
# its class (classes split at the geometric midpoints, 3/4 of the label's log ratio for full / half zooms), an arc
# keeps its label's amount (a quarter orbit is 90 degrees), translations keep a quarter of the default.
MIN_SCALE = {"zoom": 0.8, "dollyZoom": 0.5, "arc": 1.0, "truck": 0.25, "pedestal": 0.25, "dolly": 0.25}
MIN_READABLE_DEG = {"pan": 2.0, "tilt": 2.0, "roll": 6.0}  # twice the judge's thresholds (roll: its 3 degrees)
FULL_SPEEDS = ("fast", "whip")  # a fast or whip move is a reveal: its default size may leave the subject (plan.py)
HEAD_MARGIN_NDC = body.HEAD_MARGIN_NDC
BISECT_STEPS = 6
GOOD_SHARE = 0.75  # a share of the default this large is kept before the next composition is tried
_KEPT = [SHOT_TYPE.index(n) for n in body.HEAD_KEPT_SIZES]

# place(composition, segments) -> (plan.Path of the placed shot: position, rotation, focal, segments; its notes)
Place = Callable[[float, Sequence[Segment]], tuple]


def close_cuts(position, rotation, focal, subject, sensor_width: float, aspect: float,
               margin_ndc: float = HEAD_MARGIN_NDC) -> tuple[int, int]:
    """(frames cutting the head, close frames): among the frames read as CU / MCU / MS (body.HEAD_KEPT_SIZES),
    those where the head comes within margin_ndc of the frame's edge or leaves it."""
    size = body.person_shot_size(position, rotation, focal, subject, sensor_width, aspect)
    close = np.isin(size, _KEPT)
    cut = body.head_cut(position, rotation, focal, subject, sensor_width, aspect, margin_ndc=margin_ndc)
    return int((cut & close).sum()), int(close.sum())


def _unstated(asked: Sequence[Segment], performed: Sequence[Segment], open_from: Sequence[Segment] | None = None):
    """(segment index, move index, performed move) of every move whose amount was not stated (in open_from where
    given: the user's segments before a caller filled their open amounts)."""
    for i, (seg, done) in enumerate(zip(open_from or asked, performed)):
        for j, (a, p) in enumerate(zip(seg.moves, done.moves)):
            if (a.amount is None and p.amount and p.kind not in ("follow", "track")
                    and a.speed not in FULL_SPEEDS):
                yield i, j, p


def _least_share(move) -> float:
    """The smallest share of this unstated move's amount that still reads as the asked move."""
    if move.kind in MIN_READABLE_DEG:
        return min(1.0, MIN_READABLE_DEG[move.kind] / move.amount)
    return MIN_SCALE.get(move.kind, 1.0)


def scaled(asked: Sequence[Segment], performed: Sequence[Segment], share: float,
           open_from: Sequence[Segment] | None = None) -> list[Segment]:
    """The asked segments with each unstated amount set to `share` of what the planner performed, or the least
    share that still reads as that move where that is more (a zoom's and a dolly zoom's in log ratio); stated
    amounts stay exact."""
    out = [list(seg.moves) for seg in asked]
    for i, j, p in _unstated(asked, performed, open_from):
        k = max(share, _least_share(p))
        amount = p.amount ** k if p.kind in ("zoom", "dollyZoom") else p.amount * k
        out[i][j] = replace(out[i][j], amount=float(amount), unit=p.unit)
    return [replace(seg, moves=tuple(moves)) for seg, moves in zip(asked, out)]


def min_share(asked: Sequence[Segment], performed: Sequence[Segment],
              open_from: Sequence[Segment] | None = None) -> float | None:
    """The smallest common share worth trying (each move stops at its own least share, see scaled); None: no
    unstated amount."""
    shares = [_least_share(p) for _, _, p in _unstated(asked, performed, open_from)]
    return min(shares) if shares else None


def keep_head(place: Place, asked: Sequence[Segment], subject, sensor_width: float, aspect: float,
              close_start: bool, open_from: Sequence[Segment] | None = None) -> tuple[tuple, list[str]]:
    """place's result for the asked segments, bounded so the head stays in frame on the close frames (module
    docstring), and notes on what was bounded or could not be. close_start: the start size is ECU to MS (only
    then does the composition change: the eye line and looking room of the larger sizes are not used). open_from:
    the segments as the user asked them where a caller filled their open amounts (the learned generator): amounts
    open there may still be bounded; None: asked's own open amounts."""
    first = place(COMPOSITIONS[0], asked)

    def cuts(result):
        return close_cuts(result[0].position, result[0].rotation, result[0].focal, subject, sensor_width, aspect)

    cut, close = cuts(first)
    if not cut:
        return first, []
    performed = first[0].segments
    lowest = min_share(asked, performed, open_from)
    stated = lowest is None  # every amount is the user's (or a fast / whip move's): only the composition may change
    best = None  # (share, composition, result)
    for composition in COMPOSITIONS if close_start else COMPOSITIONS[:1]:
        found = _largest_share(place, composition, asked, performed, 1.0 if stated else lowest, cuts,
                               first if composition == COMPOSITIONS[0] else None, open_from)
        if found is not None and (best is None or found[0] > best[0]):
            best = (found[0], composition, found[1])
        if best is not None and best[0] >= GOOD_SHARE:
            break
    if best is None:
        if stated:
            return first, [f"the move as stated (its size, or a fast / whip speed) takes the head out of frame on "
                           f"{cut} of its {close} close frames"]
        return first, [f"the move takes the head out of frame on {cut} of its {close} close frames even at its "
                       "smallest readable size"]
    share, (eye_line, lead_room), result = best
    notes = [] if share >= 1.0 else [f"the unstated amounts are {share:.0%} of the default so the head stays in "
                                     "frame"]
    if eye_line != COMPOSITIONS[0][0]:
        notes.append(f"the eyes sit at {eye_line:.2f} of the frame height so the head stays in frame")
    if lead_room != COMPOSITIONS[0][1]:
        notes.append("the subject is centred (no looking room) so the head stays in frame")
    return result, notes


def _largest_share(place: Place, composition: tuple[float, float], asked, performed, lowest: float, cuts,
                   placed=None, open_from=None):
    """(the largest share of the unstated amounts, at least `lowest`, whose shot keeps the head in frame from a
    start composed as `composition`, that shot), or None where even the lowest share cuts it (or that start
    cannot be composed)."""
    try:
        full = placed if placed is not None else place(composition, asked)
        if not cuts(full)[0]:
            return 1.0, full
        low = place(composition, scaled(asked, performed, lowest, open_from))
    except LensCraftError:  # a start this composition cannot reach is simply not a candidate
        return None
    if cuts(low)[0]:
        return None
    lo, hi, best = lowest, 1.0, low
    for _ in range(BISECT_STEPS):
        mid = 0.5 * (lo + hi)
        trial = place(composition, scaled(asked, performed, mid, open_from))
        if cuts(trial)[0]:
            hi = mid
        else:
            lo, best = mid, trial
    return lo, best
