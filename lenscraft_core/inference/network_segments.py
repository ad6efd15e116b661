"""generate(generator="model") for a shot of several segments, or of moves at once: the network makes every segment
itself, from the segment's move and from where the previous segment ended.

Segment k is decoded with its movement (and easing) label and its first frame forced to the camera the previous
segment ended on (the factored head's `start`: the placement is that camera, and the move is made from it in its
own frame and level frame, docs/model.md), so position, direction and lens are continuous at every join. The first
segment starts where the network's placement for the stated framing fields puts it. Moves at once are each made by
the network from the same start and composed: their position changes add, their turns apply one after the other,
their lens changes multiply. A hold keeps the camera where it is. The network has no input for a move's size or
speed, so stated amounts and speed words are not kept (the shot's notes say so; generator "learned" keeps them).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import features as ft
from .. import geometry as geo
from ..body import is_person
from ..plan import SEQUENCE_EASING
from ..schema import Subject
from ..vocabulary import FIELD_NAMES, FIELDS
from .decode import decode_world
from .prompting import Request

FRAMING_FIELDS = ("angle", "shot_type", "view")  # what variations draw where the prompt leaves them open
BLEND_S = 0.125  # seconds over which a segment takes over from the previous one (blend_into)


def needs_segments(req: Request) -> bool:
    """Whether the request asks for more than the one-move path gives: several segments, or moves at once."""
    return bool(req.segments) and (len(req.segments) > 1 or len(req.segments[0].moves) > 1)


def _start_features(pos: np.ndarray, quat: np.ndarray, focal: np.ndarray, subject: Subject, frames: int,
                    internal: int) -> np.ndarray:
    """(k, 10): each variation's camera pose at the segment's first frame, in the anchor of the subject at that
    frame (the anchor the segment is decoded in: features.encode_arrays of that one frame)."""
    k = pos.shape[0]
    f = ft.encode_arrays(pos[:, None], quat[:, None], focal[:, None],
                         np.broadcast_to(subject.positions(frames)[None, :1], (k, 1, 3)),
                         np.broadcast_to(subject.rotations(frames)[None, :1], (k, 1, 4)),
                         np.broadcast_to(subject.size[None], (k, 3)), None, internal, [is_person(subject)] * k)
    return f.camera[:, 0]


def _compose(start: tuple[np.ndarray, np.ndarray, np.ndarray],
             parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Moves made from the same start (pos (k, 3), quat (k, 4), focal (k,)) over the same frames -> one path:
    position changes add, world-frame turns R_m(t) R0^T apply in order, lens ratios multiply."""
    p0, q0, f0 = start
    R0 = geo.quat_to_matrix(q0)[:, None]
    pos = p0[:, None] + sum(p - p0[:, None] for p, _, _ in parts)
    R = R0
    for _, q, _ in parts:
        R = geo.quat_to_matrix(q) @ np.swapaxes(R0, -1, -2) @ R
    focal = f0[:, None] * np.prod([f / f0[:, None] for _, _, f in parts], axis=0)
    return pos, geo.quat_continuity(geo.matrix_to_quat(R)), focal


def variation_labels(req: Request, k: int, rng: np.random.Generator) -> list[dict[str, str]]:
    """Each variation's stated framing fields: the asked ones, and for variation i > 0 a random label for every
    framing field left open (angle, shot type, view), as the one-move path draws them; the moves and easings are
    the segments'."""
    out = []
    for v in range(k):
        labels = {f: lab for f, lab in req.stated.items() if f != "movement"}
        for f in FRAMING_FIELDS:
            if f not in labels and v > 0:
                labels[f] = FIELDS[f].names[int(rng.integers(len(FIELDS[f])))]
        out.append(labels)
    return out


def generate_segments(engine: Any, req: Request, subject: Subject, spans: list[tuple[int, int]], fps: float,
                      labels: list[dict[str, str]], rng: np.random.Generator
                      ) -> tuple[list[tuple[np.ndarray, np.ndarray, np.ndarray]], list[str]]:
    """Every variation's path on the reference sensor, segment by segment: ([(pos (F, 3), quat (F, 4), focal
    (F,))] per variation, notes). spans: the segments' frames (moves.segment_frames); labels: each variation's
    framing fields (variation_labels). The runtime must take a start (engine.runtime.takes_start)."""
    segments = req.segments
    notes = []
    lost = [f"segment {i + 1}'s {m.movement} " + ", ".join(w for w in (
        f"{m.amount:g}" if m.amount is not None else None, m.speed,
        f"in {m.duration_s:g} s" if m.duration_s is not None else None) if w)
        for i, s in enumerate(segments) for m in s.moves
        if m.amount is not None or m.speed is not None or m.duration_s is not None]
    if lost:
        notes.append("the network decides every move's size, speed and timing within its segment: "
                     + "; ".join(lost) + " not kept (generator='learned' keeps them)")
    paths: list[np.ndarray] | None = None  # pos (k, F, 3), quat (k, F, 4), focal (k, F) so far
    for i, (seg, (a, b)) in enumerate(zip(segments, spans)):
        # a segment after another starts BLEND_S early (at most a third of either segment), from where the camera
        # was then, and takes over from the previous one over those frames (blend_into), so no velocity step is
        # left at the join (into a hold too: the previous move comes to rest over them)
        m = 0 if paths is None else min(round(BLEND_S * fps), (b - a) // 3, (spans[i - 1][1] - spans[i - 1][0]) // 3)
        a -= m
        n = b - a + 1
        sub = subject.slice(a, b + 1)
        start = None if paths is None else tuple(p[:, a] for p in paths)
        if seg.is_hold and start is not None:
            piece = tuple(np.repeat(x[:, None], n, 1) for x in start)
        else:
            moves = seg.moves or ()
            names = [m.movement for m in moves] or ["static"]
            easing = seg.easing or req.stated.get("easing") or (SEQUENCE_EASING if len(segments) > 1 else None)
            parts = []
            if start is None:  # the first segment: the network places the camera for the framing fields
                parts.append(_decode(engine, labels, sub, n, names[0], easing, None, rng))
                start = tuple(x[:, 0] for x in parts[0])
            parts += [_decode(engine, labels, sub, n, name, easing, start, rng) for name in names[len(parts):]]
            piece = parts[0] if len(parts) == 1 else _compose(start, parts)
            if names == ["static"]:
                piece = tuple(np.repeat(x[:, :1], n, 1) for x in piece)
        if paths is None:
            paths = list(piece)
        else:  # the piece starts on frame a of the path so far; its quaternions on the same side as the path's
            same = np.sign(np.sum(piece[1][:, :1] * paths[1][:, a:a + 1], -1, keepdims=True))
            piece = (piece[0], piece[1] * np.where(same == 0, 1.0, same), piece[2])
            paths = blend_into(paths, piece, m)
    return [tuple(p[v] for p in paths) for v in range(len(labels))], notes


def _rotvec(q: np.ndarray) -> np.ndarray:
    """Unit quaternions (..., 4) (w, x, y, z) -> rotation vectors (..., 3)."""
    q = np.where(q[..., :1] < 0, -q, q)
    v = q[..., 1:]
    s = np.linalg.norm(v, axis=-1, keepdims=True)
    angle = 2.0 * np.arctan2(s, q[..., :1])
    return np.where(s > 1e-12, v / np.maximum(s, 1e-12) * angle, 2.0 * v)


def _quat(r: np.ndarray) -> np.ndarray:
    """Rotation vectors (..., 3) -> unit quaternions (..., 4)."""
    angle = np.linalg.norm(r, axis=-1, keepdims=True)
    axis = r / np.maximum(angle, 1e-12)
    return np.concatenate([np.cos(angle / 2), axis * np.sin(angle / 2)], -1)


def blend_into(paths: list[np.ndarray], piece: tuple, m: int) -> list[np.ndarray]:
    """The path so far (pos (k, F, 3), quat (k, F, 4), focal (k, F)) continued by `piece`, which starts on its
    frame F-1-m. Over those m frames the per-frame change goes from the old path's to the new one's (a quintic
    smoothstep weight on the steps: position steps, world-frame turns, log-lens steps), so the velocity changes
    gradually and never overshoots either; after them the camera goes on with the new path's own steps."""
    if m == 0:
        return [np.concatenate([paths[j], piece[j][:, 1:]], 1) for j in range(3)]
    F = paths[0].shape[1]
    u = (np.arange(m) + 0.5) / m
    w = np.concatenate([u ** 3 * (10 - 15 * u + 6 * u * u), np.ones(piece[0].shape[1] - 1 - m)])[None, :, None]
    old = [p[:, F - 1 - m:] for p in paths]
    pad = piece[0].shape[1] - 1 - m  # the old path's steps count only inside the blend
    d_old = np.concatenate([np.diff(old[0], axis=1), np.zeros((old[0].shape[0], pad, 3))], 1)
    d_new = np.diff(piece[0], axis=1)
    pos = piece[0][:, :1] + np.concatenate([np.zeros_like(d_new[:, :1]), np.cumsum((1 - w) * d_old + w * d_new,
                                                                                   1)], 1)

    def turns(q):  # world-frame turn from each frame to the next, as a rotation vector
        return _rotvec(geo.quat_mul(q[:, 1:], geo.quat_conj(q[:, :-1])))

    r_old = np.concatenate([turns(old[1]), np.zeros((old[1].shape[0], pad, 3))], 1)
    r = (1 - w) * r_old + w * turns(piece[1])
    quat = [piece[1][:, 0]]
    for t in range(r.shape[1]):
        quat.append(geo.quat_mul(_quat(r[:, t]), quat[-1]))
    quat = geo.quat_continuity(np.stack(quat, 1))
    lf_old = np.concatenate([np.diff(np.log(old[2]), axis=1), np.zeros((old[2].shape[0], pad))], 1)
    lf = (1 - w[..., 0]) * lf_old + w[..., 0] * np.diff(np.log(piece[2]), axis=1)
    focal = piece[2][:, :1] * np.exp(np.concatenate([np.zeros_like(lf[:, :1]), np.cumsum(lf, 1)], 1))
    head = [p[:, :F - 1 - m] for p in paths]
    return [np.concatenate([head[j], x], 1) for j, x in enumerate((pos, quat, focal))]


def _decode(engine: Any, labels: list[dict[str, str]], subject: Subject, frames: int, movement: str,
            easing: str | None, start: tuple | None, rng: np.random.Generator):
    """One move over one segment for every variation: (pos (k, F, 3), quat (k, F, 4), focal (k, F)), world space,
    reference sensor. labels: each variation's framing fields; start None: the network places the camera."""
    k = len(labels)
    rows = [{**v, "movement": movement, **({"easing": easing} if easing is not None else {})} for v in labels]
    idx = {name: np.array([FIELDS[name].index(r[name]) if name in r else -1 for r in rows], np.int64)
           for name in FIELD_NAMES}
    emb, keep = engine._variation_memory(idx, k, rng)
    f = engine._subject_features(subject, frames)
    fk = f.subset(np.zeros(k, int))
    start_features = None if start is None else _start_features(*start, subject, frames, engine.frames_internal)
    camera = engine.runtime.generate(emb, keep, fk.subject, fk.motion, start=start_features)
    return decode_world(camera, fk.anchor, frames)
