"""The two baselines generation is compared with, made for the same instruction and subject as the model's shot:
the oracle (the simulator again: how far apart two correct shots are) and retrieval (the nearest training shot by
label text, re-targeted to the subject: memorise-and-look-up)."""

from __future__ import annotations

from typing import Mapping

import numpy as np

from .. import features as ft
from ..errors import LensCraftError
from ..schema import Shot
from ..simulate import simulate_shot
from ..vocabulary import FIELD_NAMES


def oracle_trajectories(shots: list[Shot], seed: int) -> tuple:
    """The simulator again for each shot's subject and labels (another random draw): two correct shots' distance.
    A shot the simulator cannot make for that subject (gates fail) comes back as NaN."""
    pos, rot, focal = [], [], []
    for i, s in enumerate(shots):
        f = s.trajectory.frame_count
        try:
            t = simulate_shot(s.subject, s.labels, f, s.trajectory.fps, seed=seed + i, jitter=True,
                              sensor_width=s.trajectory.sensor_width, aspect=s.trajectory.aspect).trajectory
            pos.append(t.position), rot.append(t.rotation), focal.append(t.focal_length)
        except LensCraftError:
            pos.append(np.full((f, 3), np.nan)), rot.append(np.full((f, 4), np.nan)), focal.append(np.full(f, np.nan))
    return np.stack(pos), np.stack(rot), np.stack(focal)


class RetrievalBaseline:
    """Nearest neighbour by text: a bank of simulated training shots; the query instruction's label text embeddings
    (one per stated field) are compared with each bank shot's by mean cosine over the query's stated fields; the
    best bank shot's subject-relative camera features are decoded around the query's subject."""

    def __init__(self, bank: ft.Features, label_emb: Mapping[str, np.ndarray]):
        self.bank = bank
        self.label_emb = {f: np.asarray(e, np.float64) for f, e in label_emb.items()}

    def nearest(self, labels: Mapping[str, np.ndarray]) -> np.ndarray:
        n = len(next(iter(labels.values())))
        score = np.zeros((n, len(self.bank)))
        count = np.zeros((n, 1))
        for i, f in enumerate(FIELD_NAMES):
            q = np.asarray(labels.get(f, np.full(n, -1)))
            have = q >= 0
            e = self.label_emb[f]
            cos = e[np.maximum(q, 0)] @ e[self.bank.labels[:, i]].T
            score += cos * have[:, None]
            count += have[:, None]
        return np.argmax(score / np.maximum(count, 1), axis=1)

    def generate(self, labels: Mapping[str, np.ndarray], anchor: ft.Anchor, frames: int) -> tuple:
        return ft.decode_camera(self.bank.camera[self.nearest(labels)], anchor, frames)
