"""The simulator's compound and sequential shots: random shot descriptions (1-4 segments of one or two
simultaneous moves, speed words, some amounts and framing fields stated, the rest open) on random people and
objects, performed by the shot planner's operator (plan.plan_shot: what a good operator does with what was left
open), with their segment ground truth. Training data for the move decoder (move_examples) and test shots for
describe's segmentation.

Each example is one move: its input row (move_features.move_row: the move, its segment, where the camera stands when
the segment starts) and the amount the operator performed (move_features.target_value). Moves whose amount the
description states (arcs and zooms by their label) are not examples (the decoder never predicts a stated amount)
but shape the shot around them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from . import move_features as mf
from .moves import Move, Segment
from .plan import plan_shot
from .schema import Shot, Subject
from .simulate import PERSON_DEPTH, PERSON_STATURE_M, PERSON_WIDTH
from .vocabulary import FIELDS, MOVEMENT

SINGLE_MOVES = tuple(label.name for label in MOVEMENT if label.params.get("kind") in mf.MOVE_KINDS)
# Stated amounts are drawn log-uniformly over these ranges (the kind's native unit; truck / pedestal in frames).
STATED_RANGE = {"pan": (5.0, 180.0), "tilt": (5.0, 75.0), "roll": (5.0, 45.0), "arc": (15.0, 360.0),
                "dolly": (0.1, 0.8), "truck": (0.2, 2.0), "pedestal": (0.2, 2.0), "zoom": (1.1, 3.0),
                "dollyZoom": (1.2, 2.5)}
SEGMENT_COUNTS = ((1, 0.45), (2, 0.3), (3, 0.15), (4, 0.1))
SPEED_WORDS = ((None, 0.5), ("slow", 0.2), ("fast", 0.3))
WHIP_SHARE = 0.5  # of fast pans and tilts are whips (rare words, but a whip's size is far from a plain pan's)
STATED_AMOUNT_P = 0.3
STATED_FIELD_P = 0.6
STATED_DURATION_P = 0.1


@dataclass
class SequenceShot:
    subject: Subject
    labels: dict[str, str]          # the stated framing fields
    asked: list[Segment]            # the description's segments (open amounts are None)
    shot: Shot                      # as performed; metadata["segments"] holds every amount


def _pick(rng: np.random.Generator, table) -> object:
    values, p = zip(*table)
    return values[int(rng.choice(len(values), p=np.asarray(p) / np.sum(p)))]


def random_subject(rng: np.random.Generator) -> Subject:
    yaw = rng.uniform(-np.pi, np.pi)
    rot = [np.cos(yaw / 2), 0.0, 0.0, np.sin(yaw / 2)]
    if rng.random() < 0.6:
        h = rng.uniform(*PERSON_STATURE_M)
        size = [h * rng.uniform(*PERSON_WIDTH), h * rng.uniform(*PERSON_DEPTH), h]
        return Subject([0.0, 0.0, h / 2], size, rot, name="person", object_class="person")
    size = np.exp(rng.uniform(np.log(0.1), np.log(3.0), 3))
    return Subject([0.0, 0.0, size[2] / 2], size, rot, name="object")


def random_move(rng: np.random.Generator, exclude: set) -> Move:
    kinds = [k for k in mf.MOVE_KINDS if k not in exclude]
    kind = kinds[int(rng.integers(len(kinds)))]
    names = [n for n in SINGLE_MOVES if MOVEMENT[n].params["kind"] == kind]
    name = names[int(rng.integers(len(names)))]
    speed = _pick(rng, SPEED_WORDS)
    if speed == "fast" and kind in ("pan", "tilt") and rng.random() < WHIP_SHARE:
        speed = "whip"
    amount = unit = None
    if rng.random() < STATED_AMOUNT_P:
        lo, hi = STATED_RANGE[kind]
        amount = round(float(np.exp(rng.uniform(np.log(lo), np.log(hi)))), 3)
        unit = "frame" if kind in ("truck", "pedestal") else None
    duration = None
    if speed is None and rng.random() < STATED_DURATION_P:  # "over 2 seconds"
        duration = round(float(rng.uniform(0.5, 4.0)), 2)
    return Move(name, amount, unit, speed, duration)


def random_request(rng: np.random.Generator) -> tuple[dict[str, str], list[Segment]]:
    count = int(_pick(rng, SEGMENT_COUNTS))
    segments = []
    for _ in range(count):
        if count > 1 and rng.random() < 0.1:
            segments.append(Segment(()))
            continue
        first = random_move(rng, set())
        moves = [first]
        if rng.random() < 0.3:
            moves.append(random_move(rng, {first.kind}))
        segments.append(Segment(tuple(moves)))
    labels = {name: FIELDS[name].names[int(rng.integers(len(FIELDS[name])))]
              for name in ("shot_type", "angle", "view", "easing") if rng.random() < STATED_FIELD_P}
    return labels, segments


def simulate_sequence(rng: np.random.Generator) -> SequenceShot:
    subject = random_subject(rng)
    labels, asked = random_request(rng)
    fps = float(rng.choice([24.0, 25.0, 30.0]))
    frames = int(rng.integers(36, 241))
    shot = plan_shot(subject, labels, asked, frames, fps, seed=int(rng.integers(1 << 30)))
    return SequenceShot(subject, labels, asked, shot)


def performed_segments(shot: Shot) -> list[Segment]:
    return [Segment.from_dict(d) for d in shot.metadata["segments"]]


def move_examples(n_shots: int, seed: int, embeddings: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(X (N, feature_size), y (N,), kinds) over the open-amount moves of n_shots simulated shots; embeddings:
    the movement labels' text embeddings (MOVEMENT order)."""
    rng = np.random.default_rng(seed)
    rows, targets, kinds = [], [], []
    for _ in range(n_shots):
        s = simulate_sequence(rng)
        traj, fps = s.shot.trajectory, s.shot.trajectory.fps
        for k, (asked, done) in enumerate(zip(s.asked, performed_segments(s.shot))):
            a, b = s.shot.metadata["segment_frames"][k]
            state = mf.segment_state(traj, a, s.subject)
            seconds = max(b - a, 1) / fps
            for move, performed in zip(asked.moves, done.moves):
                if move.amount is not None or move.kind not in mf.PREDICTED_KINDS:
                    continue
                rows.append(mf.move_row(move, asked, seconds, k == 0, state,
                                        embeddings[MOVEMENT.index(move.movement)]))
                targets.append(mf.target_value(replace(performed, speed=move.speed), state.frame_size))
                kinds.append(move.kind)
    return np.stack(rows), np.asarray(targets, np.float32), kinds
