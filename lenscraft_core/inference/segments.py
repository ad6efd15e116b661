"""Describe a shot segment by segment: where the camera's move changes (change points in its motion), and what each
segment does (the geometric judge), joined into one caption ("the camera pans left 40 degrees, then pushes in").

    from lenscraft_core.inference.segments import find_segments, describe_segments, sequence_caption
    spans = find_segments(shot, shot.subject)            # [(start, end), ...]: frames [start, end), 0-based
    segs = describe_segments(engine, shot, "auto")       # [{"start", "end", "caption", "fields", "moves", ...}]
    sequence_caption(segs)

The motion, per frame (motion_rates), in scale-free units: the camera's heading / pitch / roll rates (judge.
camera_angles, rad/s), its velocity in its heading frame (right, world up, horizontal forward) over the distance to
the subject (given, or the point the view rays meet; without either, over the extent of the smoothed path, and
zero when that extent is within the path's own jitter), the azimuth rate around the subject (rad/s) and the log
focal rate. The rates are smoothed (SMOOTH_S) and each channel shrunk by its own noise level, measured on the
track's jitter (rate_noise), so jitter and handheld shake do not look like motion; then binned (at most BINS bins).

The cut (find_segments): a segment is one move when its motion keeps one direction in that space, at any speed
(an eased move speeds up and slows down along one direction; a pan left then right does not). Dynamic programming
chooses the cuts that minimise, over segments, the motion left unexplained by the segment's mean direction (the L1
norm of each frame's rate orthogonal to it, or against it) plus a cost per cut (CUT_COST of the shot's total
motion: scale-free, and a move of under that share of the shot is not a segment of its own); segments are at least
min_seconds long. Inside a segment, a run of near-rest (under HOLD_SHARE of the segment's peak speed) at least
min_seconds long is a hold; a "hold" that moves clear of the jitter along its neighbour is that move's slow end
(absorb_drifts). Last, neighbours the judge reads as the same moves (kind and sign, from the vocabulary) are
merged, so a wobble in one move, or shake, never makes two segments.

Baseline (benchmarks/describe_segments.py): fixed windows of WINDOW_BASELINE_S (Kandinsky's recommended practice of
describing ~2 s windows), merged where the judge reads the same moves.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .. import geometry as geo
from ..judge import Verdict, camera_angles, estimate_subject, smooth
from ..schema import Shot, Subject
from ..vocabulary import MOVEMENT

SMOOTH_S = 0.5          # smoothing of the rates: handheld shake sits at 2-10 Hz, a move lasts a second or more
REFINE_SMOOTH_S = 0.15  # lighter smoothing where a cut is placed to the frame (the noise shrink keeps it quiet)
NOISE_SHRINK = 3.0      # each smoothed rate is shrunk by this many times its own noise level (soft threshold)
REFERENCE_S = 1.0       # the jitter is measured about a local quadratic over this long (longer than any smoothing)
JITTER_ORDER = 4        # ... of this order (an eased move's shape over that second is not jitter)
DRIFT_Z = 4.0           # a "hold" moving over this many x the jitter, and over DRIFT_SHARE of a neighbour's net
DRIFT_SHARE = 0.1       # motion along it, is that neighbour's slow end
BINS = 64               # the cut works on at most this many bins (boundaries within 10 % need far fewer)
CUT_COST = 0.06         # cost of a cut, as a share of the shot's total motion (L1 of the rates)
HOLD_SHARE = 0.03       # under this share of the segment's peak speed the camera is at rest
TRANSLATION_SNR = 5.0   # without a distance scale, translation counts when its extent is this many x its jitter
MIN_SECONDS = 0.75      # default shortest segment
WINDOW_BASELINE_S = 2.0

CHANNELS = ("pan", "tilt", "roll", "truck", "pedestal", "dolly", "zoom", "arc")


def _kind_sign(label: str) -> tuple[str, int]:
    p = MOVEMENT[label].params
    return p["kind"], int(p.get("sign", 0))


def move_set(v: Verdict) -> frozenset[tuple[str, int]]:
    """The judge's moves as (kind, sign) pairs (the vocabulary's, so a renamed or flipped label follows)."""
    return frozenset(_kind_sign(m) for m in v.moves)


# ---------------------------------------------------------------------------------------------------- motion
def motion_rates(shot: Shot, subject: Subject | None = None, smooth_s: float = SMOOTH_S) -> np.ndarray:
    """Per-frame motion (F, len(CHANNELS)) in scale-free units (see the module doc), smoothed over smooth_s seconds
    and noise-shrunk."""
    raw = raw_rates(shot, subject)
    F, fps = len(raw), float(shot.trajectory.fps)
    if F < 3:
        return raw
    win = max(3, min(int(round(smooth_s * fps)), F // 4) | 1)
    fit = smooth(raw, win, 1)
    noise = rate_noise(raw, fps, win, _reference(F, fps))
    return np.sign(fit) * np.maximum(np.abs(fit) - NOISE_SHRINK * noise, 0.0)


def _reference(F: int, fps: float) -> int:
    return max(3, min(int(round(REFERENCE_S * fps)), F // 2) | 1)


def raw_rates(shot: Shot, subject: Subject | None = None) -> np.ndarray:
    """Per-frame motion (F, len(CHANNELS)), unsmoothed (zeros under 3 frames)."""
    t = shot.trajectory
    pos = np.asarray(t.position, np.float64)
    R = geo.quat_to_matrix(np.asarray(t.rotation, np.float64))
    F, fps = len(pos), float(t.fps)
    if F < 3:
        return np.zeros((F, len(CHANNELS)))
    yaw, pitch, roll = camera_angles(R)
    centre = None
    if subject is not None:
        centre = np.asarray(subject.positions(F), np.float64)
    else:
        _, sensor_h = geo.sensor_size(t.sensor_width, t.aspect)
        X, _ = estimate_subject(pos, geo.camera_forward(R), 0.5 * geo.focal_to_fov(t.focal_length, sensor_h))
        if X is not None:
            centre = np.broadcast_to(X, (F, 3))
    heading = np.stack([-np.sin(yaw), np.cos(yaw), np.zeros(F)], -1)
    right = np.cross(heading, geo.WORLD_UP)
    vel = np.gradient(pos, axis=0) * fps
    local = np.stack([np.sum(vel * right, -1), vel[:, 2], np.sum(vel * heading, -1)], -1)
    if centre is not None:
        rel = pos - centre
        dist = np.maximum(np.linalg.norm(rel, axis=-1), 1e-300)
        local = local / dist[:, None]
        azimuth = np.unwrap(np.arctan2(-rel[:, 0], rel[:, 1]))
        arc = np.gradient(azimuth) * fps
    else:
        extent = translation_extent(shot)
        local = local / extent if extent is not None else np.zeros_like(local)
        arc = np.zeros(F)
    zoom = np.gradient(np.log(np.asarray(t.focal_length, np.float64))) * fps
    return np.column_stack([np.gradient(yaw) * fps, np.gradient(pitch) * fps, np.gradient(roll) * fps, local, zoom,
                            arc])


def rate_noise(raw: np.ndarray, fps: float, win: int, reference: int) -> np.ndarray:
    """Per frame and channel (F, C), the local RMS of the noise a `win`-frame smoothing leaves in the rates: the
    jitter of the integrated channel (angle, distance share, log focal) about its local JITTER_ORDER polynomial
    over `reference` frames, differentiated and smoothed as the rates are. Measured on the track's own jitter, so
    white pose noise (which differencing makes anti-correlated) and
    coloured shake are both sized as they really leak, not by the raw rates' spread."""
    x = np.cumsum(raw, axis=0) / fps
    jitter = x - smooth(x, reference, int(JITTER_ORDER))
    leak = smooth(np.gradient(jitter, axis=0) * fps, win, 1)
    return np.sqrt(_moving_mean(leak ** 2, 2 * reference + 1))


def _moving_mean(x: np.ndarray, window: int) -> np.ndarray:
    """Mean of x (F, C) over a centred window of `window` frames (fewer at the ends): the local noise level, as
    handheld shake comes in bursts."""
    c = np.concatenate([np.zeros((1, x.shape[1])), np.cumsum(x, axis=0)])
    F, h = len(x), window // 2
    lo, hi = np.clip(np.arange(F) - h, 0, F), np.clip(np.arange(F) + h + 1, 0, F)
    return (c[hi] - c[lo]) / (hi - lo)[:, None]


def _bins(F: int, n: int) -> np.ndarray:
    """Frame edges (n + 1,) of n near-equal bins over F frames."""
    return np.round(np.linspace(0, F, n + 1)).astype(int)


def _segment_costs(u: np.ndarray) -> np.ndarray:
    """cost[i, j]: over bins i..j-1, the L1 of the rates left unexplained by their mean direction (the part
    orthogonal to it, and all of a rate against it); inf where j <= i."""
    B = len(u)
    sq = np.sum(u ** 2, -1)
    cost = np.full((B + 1, B + 1), np.inf)
    for i in range(B):
        U = u[i:]
        d = geo.normalize(np.cumsum(U, axis=0))  # mean direction of bins i..i+k (row k)
        p = np.maximum(U @ d.T, 0.0)  # (t, k): projection of bin t onto segment k's direction
        r = np.sqrt(np.maximum(sq[i:, None] - p ** 2, 0.0))
        r = np.tril(r.T).T  # bin t counts for the segments that contain it (t <= k)
        cost[i, i + 1:] = np.cumsum(r, axis=0)[np.arange(B - i), np.arange(B - i)]
    return cost


def _cut(u: np.ndarray, min_bins: int, penalty: float) -> list[tuple[int, int]]:
    """Bins [a, b) of the cheapest segmentation (dynamic programming over _segment_costs + penalty per segment)."""
    B = len(u)
    if B < 2 * min_bins:
        return [(0, B)]
    cost = _segment_costs(u)
    best = np.full(B + 1, np.inf)
    best[0] = 0.0
    back = np.zeros(B + 1, int)
    for j in range(min_bins, B + 1):
        i = np.arange(0, j - min_bins + 1)
        total = best[i] + cost[i, j] + penalty
        k = int(np.argmin(total))
        best[j], back[j] = total[k], i[k]
    spans, j = [], B
    while j > 0:
        spans.append((int(back[j]), j))
        j = back[j]
    return spans[::-1]


def _holds(speed: np.ndarray, a: int, b: int, min_bins: int) -> list[tuple[int, int, bool]]:
    """Bins [a, b) split at runs of near-rest (under HOLD_SHARE of the span's peak) at least min_bins long:
    (start, end, is_hold) pieces; a moving piece shorter than min_bins joins its neighbour."""
    s = speed[a:b]
    top = float(s.max()) if len(s) else 0.0
    if top <= 0:
        return [(a, b, True)]
    quiet = s < HOLD_SHARE * top
    pieces: list[tuple[int, int, bool]] = []
    k = 0
    while k < len(s):
        e = k
        while e < len(s) and quiet[e] == quiet[k]:
            e += 1
        hold = bool(quiet[k]) and e - k >= min_bins
        if pieces and (not hold and not pieces[-1][2] or (e - k < min_bins and not quiet[k])):
            pieces[-1] = (pieces[-1][0], e, pieces[-1][2] and hold)
        else:
            pieces.append((k, e, hold))
        k = e
    if len(pieces) > 1 and not pieces[0][2] and pieces[0][1] - pieces[0][0] < min_bins:
        pieces[1] = (pieces[0][0], pieces[1][1], False)
        del pieces[0]
    return [(a + x, a + y, h) for x, y, h in pieces]


def _refine(speed: np.ndarray, pieces: list[tuple[int, int, bool]], reach: int, rates: np.ndarray,
            smoothed: np.ndarray) -> list[tuple[int, int]]:
    """Frame spans with each cut moved, within `reach` frames: into a hold to the first frame at rest, out of one
    to the last (so the hold keeps no motion; `speed`: the noise-shrunk fine speed); between two moves to where the
    motion along the next move's direction overtakes the motion along the previous one's (directions from the
    noise-shrunk `rates`, read on the unshrunk `smoothed` rates, summed so their noise cancels: a shrunk rate ends
    a noisy channel's move early and would pull the cut that way)."""
    F = len(speed)
    cuts = [p[0] for p in pieces[1:]]
    out = []
    for k, c in enumerate(cuts):
        lo = max(c - reach, (out[-1] if out else 0) + 1)
        hi = min(c + reach, F - 1)
        if hi < lo:
            out.append(c)
            continue
        w = speed[lo:hi + 1]
        near = np.flatnonzero(w <= w.min() + 0.02 * max(float(w.max()), 1e-300))
        if pieces[k + 1][2] and not pieces[k][2]:
            pick = near[0]
        elif pieces[k][2] and not pieces[k + 1][2]:
            pick = near[-1]
        else:
            before = geo.normalize(rates[pieces[k][0]:pieces[k][1]].sum(0))
            after = geo.normalize(rates[pieces[k + 1][0]:pieces[k + 1][1]].sum(0))
            gain = smoothed[lo:hi + 1] @ (after - before)  # > 0 where the next move leads
            # Cutting before frame lo + t leaves sum(gain[:t]) on the wrong side, and -sum(gain[t:]): their
            # difference is 2 * sum(gain[:t]) less a constant.
            pick = int(np.argmin(np.concatenate([[0.0], np.cumsum(gain)])[:-1]))
        out.append(lo + int(pick))
    edges = [0, *out, F]
    return [(a, b) for a, b in zip(edges[:-1], edges[1:]) if b > a]


def translation_extent(shot: Shot) -> float | None:
    """The extent of the shot's smoothed path (scene units), or None when it is within the path's own jitter: the
    scale a segment's translation is judged against when there is no subject (judge_shot's reference_length)."""
    pos = np.asarray(shot.trajectory.position, np.float64)
    F = len(pos)
    if F < 3:
        return None
    fit = smooth(pos, max(3, min(int(round(SMOOTH_S * shot.trajectory.fps)), F // 4) | 1), 2)
    extent = 2.0 * float(np.linalg.norm(fit - fit.mean(0), axis=-1).max())
    jitter = float(np.sqrt(np.mean(np.sum((pos - fit) ** 2, -1))))
    return extent if extent > max(TRANSLATION_SNR * jitter, 1e-9 * (1.0 + float(np.abs(pos).max()))) else None


def read_span(shot: Shot, subject: Subject | None, a: int, b: int) -> tuple[Verdict, dict[str, float], bool]:
    """The judge's reading of frames [a, b) plus the join frame b (the motion between b - 1 and b is this
    segment's): (verdict, steady speeds, handheld), as engine.read_geometry gives them. Without a subject (and
    without rays that meet on the segment) translation is judged against the whole shot's (translation_extent),
    so the tail of a neighbouring move is not a move of its own."""
    from ..formats.segments import slice_shot
    from ..judge import judge_shot
    from .engine import read_geometry

    part = slice_shot(shot, a, min(b + 1, shot.trajectory.frame_count))
    v, speeds, handheld = read_geometry(part, part.subject if subject is not None else None)
    if v.subject_source == "none" and (a, b) != (0, shot.trajectory.frame_count):
        ref = translation_extent(shot)
        if ref is not None:
            v = judge_shot(part, None, reference_length=ref)
    return v, speeds, handheld


def merge_same(shot: Shot, subject: Subject | None, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Neighbouring spans the judge reads as the same moves (kind and sign) joined into one."""
    spans = list(spans)
    reads = [move_set(read_span(shot, subject, a, b)[0]) for a, b in spans]
    k = 0
    while k + 1 < len(spans):
        if reads[k] == reads[k + 1]:
            spans[k] = (spans[k][0], spans[k + 1][1])
            del spans[k + 1], reads[k + 1]
            reads[k] = move_set(read_span(shot, subject, *spans[k])[0])
            k = max(k - 1, 0)
        else:
            k += 1
    return spans


def absorb_drifts(shot: Shot, subject: Subject | None, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """A span the judge reads as static whose net motion stands clear of the track's jitter (over DRIFT_Z times it,
    channel by channel)
    and is a real share of a neighbour's (over DRIFT_SHARE of it, along it) is that neighbour's slow end (an eased
    move fading into shake, under the noise shrink), not a hold: it joins that neighbour."""
    spans = list(spans)
    if len(spans) < 2:
        return spans
    F, fps = shot.trajectory.frame_count, float(shot.trajectory.fps)
    x = np.cumsum(raw_rates(shot, subject), axis=0) / fps
    path = smooth(x, _reference(F, fps), 2)
    jitter = np.sqrt(np.mean((x - path) ** 2, axis=0))
    k = 0
    while k < len(spans) and len(spans) > 1:
        a, b = spans[k]
        net = path[b - 1] - path[a]
        z = np.linalg.norm(net / np.maximum(jitter, 1e-9 * max(float(jitter.max()), 1e-300)))
        if z <= DRIFT_Z or move_set(read_span(shot, subject, a, b)[0]):
            k += 1
            continue
        best, along = None, 0.0
        for j in (k - 1, k + 1):
            if 0 <= j < len(spans):
                other = path[spans[j][1] - 1] - path[spans[j][0]]
                share = float(net @ other) / max(float(other @ other), 1e-300)
                if share > max(DRIFT_SHARE, along):
                    best, along = j, share
        if best is None:
            k += 1
            continue
        lo, hi = min(best, k), max(best, k)
        spans[lo:hi + 1] = [(spans[lo][0], spans[hi][1])]
        k = lo
    return spans


def find_segments(shot: Shot, subject: Subject | None = None, min_seconds: float = MIN_SECONDS
                  ) -> list[tuple[int, int]]:
    """Frames [start, end) (0-based, covering the shot) of each segment of one move (see the module doc).
    subject: what the camera frames (None: the point the view rays meet, else camera-only motion)."""
    t = shot.trajectory
    F, fps = t.frame_count, float(t.fps)
    min_frames = max(2, int(round(min_seconds * fps)))
    if F < 2 * min_frames:
        return [(0, F)]
    u_frames = motion_rates(shot, subject)
    n = min(BINS, F)
    edges = _bins(F, n)
    u = np.stack([u_frames[edges[k]:edges[k + 1]].mean(0) for k in range(n)])
    min_bins = max(1, int(np.ceil(min_frames * n / F)))
    speed = np.linalg.norm(u, axis=-1)
    total = float(speed.sum())
    if total <= 0:
        return [(0, F)]
    # Rest is found on the lightly smoothed rates (the cut's smoothing would spread each move's ends into a hold);
    # a hold's run of rest is at least min_seconds less that smoothing.
    fine = np.linalg.norm(motion_rates(shot, subject, REFINE_SMOOTH_S), axis=-1)
    fine_bins = np.array([fine[edges[k]:edges[k + 1]].mean() for k in range(n)])
    hold_bins = max(1, min_bins - int(round(REFINE_SMOOTH_S * fps * n / F)))
    pieces = [h for a, b in _cut(u, min_bins, CUT_COST * total) for h in _holds(fine_bins, a, b, hold_bins)]
    frames = [(int(edges[a]), int(edges[b]), hold) for a, b, hold in pieces]
    reach = max(int(np.ceil(F / n)), int(round(SMOOTH_S * fps / 2)))
    fine_fit = smooth(raw_rates(shot, subject), max(3, min(int(round(REFINE_SMOOTH_S * fps)), F // 4) | 1), 1)
    spans = _refine(fine, frames, reach, u_frames, fine_fit)
    # Refining can leave a piece under min_seconds (a slow settle at the end of an ease): it joins its neighbour.
    k = 0
    while len(spans) > 1 and k < len(spans):
        a, b = spans[k]
        if b - a < min_frames:
            j = k - 1 if k > 0 else k + 1
            lo, hi = min(j, k), max(j, k)
            spans[lo:hi + 1] = [(spans[lo][0], spans[hi][1])]
            k = max(lo - 1, 0)
        else:
            k += 1
    return merge_same(shot, subject, absorb_drifts(shot, subject, spans))


def window_segments(shot: Shot, subject: Subject | None = None, seconds: float = WINDOW_BASELINE_S
                    ) -> list[tuple[int, int]]:
    """The baseline: fixed windows of `seconds` (the last one takes the remainder under half a window), merged
    where the judge reads the same moves."""
    F, fps = shot.trajectory.frame_count, float(shot.trajectory.fps)
    w = max(2, int(round(seconds * fps)))
    edges = list(range(0, F, w)) + [F]
    if len(edges) > 2 and edges[-1] - edges[-2] < w / 2:
        del edges[-2]
    return merge_same(shot, subject, list(zip(edges[:-1], edges[1:])))


# ---------------------------------------------------------------------------------------------------- describe
def _spans(mode: Any, shot: Shot, subject: Subject | None, min_seconds: float) -> list[tuple[int, int]]:
    from ..errors import LensCraftError

    F = shot.trajectory.frame_count
    if mode == "auto":
        return find_segments(shot, subject, min_seconds)
    if mode in ("none", None):
        return [(0, F)]
    if isinstance(mode, str):
        raise LensCraftError(f"segments: expected 'auto', 'none' or a list of (start, end) frames, got '{mode}'")
    spans = [(int(s.start), int(s.stop)) if hasattr(s, "stop") else (int(s[0]), int(s[1])) for s in mode]
    for a, b in spans:
        if not 0 <= a < b <= F:
            raise LensCraftError(f"segment [{a}, {b}) is not inside the shot's {F} frames")
    return spans


def describe_segments(engine: Any, shot: Shot, mode: Any = "auto", min_seconds: float = MIN_SECONDS,
                      top_k: int = 3) -> list[dict[str, Any]]:
    """Each segment of the shot, described: {"start", "end" (frames [start, end), 0-based), "seconds" ([start, end]
    in seconds), "caption" (the judge's geometric caption of the segment), "movement" and "moves" (the judge's
    labels), "fields" (the model's ranked labels for the segment, {field: [[label, score]]}; {} without an
    engine)}. mode: "auto" (find_segments), "none" (the whole shot) or spans ((start, end) pairs or
    formats.segments.Segment). The segments are read with the shot's subject when it is a real one (not a
    reader's estimate), else without one, as Engine.describe reads the whole shot."""
    from .engine import estimated_subject, geometric_caption

    subject = None if estimated_subject(shot) else shot.subject
    fps = float(shot.trajectory.fps)
    out = []
    for a, b in _spans(mode, shot, subject, min_seconds):
        v, speeds, handheld = read_span(shot, subject, a, b)
        fields: dict[str, list] = {}
        if engine is not None:
            from ..formats.segments import slice_shot

            d = engine.describe(slice_shot(shot, a, b), top_k=top_k)
            fields = {f: [[label, round(score, 4)] for label, score in r] for f, r in d.fields.items()}
        out.append({"start": a, "end": b, "seconds": [round(a / fps, 3), round(b / fps, 3)],
                    "caption": geometric_caption(v, speeds, handheld), "movement": v.movement,
                    "moves": list(v.moves), "fields": fields})
    return out


def sequence_caption(segments: Sequence[dict[str, Any]]) -> str:
    """One sentence for the whole shot: the segments' captions in order, joined by "then"."""
    parts = [s["caption"] for s in segments]
    if not parts:
        return ""
    rest = [p[len("the camera "):] if p.startswith("the camera ") else p for p in parts[1:]]
    return ", then ".join([parts[0], *rest])


def shot_caption(description: Any, segments: Sequence[dict[str, Any]]) -> str:
    """The caption to show for a shot: describe's own (Description.caption) for one segment; for several, the
    segments in order (sequence_caption: the whole-shot reading would say moves made one after the other happen
    together) followed by the framing describe read (Description.framing)."""
    if len(segments) <= 1:
        return description.caption
    framing = getattr(description, "framing", "")
    return sequence_caption(segments) + (f", {framing}" if framing else "")


def segment_lines(segments: Sequence[dict[str, Any]]) -> list[str]:
    """Printable: one line per segment (frames, seconds, the judge's caption and movement)."""
    return [f"  segment {k + 1}: frames {s['start']}-{s['end'] - 1} ({s['seconds'][0]:g}-{s['seconds'][1]:g} s) "
            f"{s['caption']} [{s['movement']}]" for k, s in enumerate(segments)]


__all__ = ["find_segments", "window_segments", "describe_segments", "sequence_caption", "shot_caption",
           "segment_lines", "read_span", "translation_extent", "motion_rates", "raw_rates", "rate_noise", "absorb_drifts", "merge_same", "move_set",
           "CHANNELS", "MIN_SECONDS", "WINDOW_BASELINE_S"]
