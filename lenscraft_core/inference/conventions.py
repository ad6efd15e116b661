"""Label conventions a model was trained under, and the label embeddings that speak to it in ours.

A model learns each label embedding row as the geometry its training data had under that name. Models trained
before the arc flip (model.json without "arc_convention", the bundled one included) learned the arc rows of the
movement field the v1 way: their "shortArcShotLeft" row is a counter-clockwise arc seen from above, which is our
shortArcShotRight (vocabulary.py, ARC_CONVENTION). So what the model is fed and scored with swaps each Left/Right
arc pair's rows; text (a prompt matched against label descriptions) keeps the rows as they are.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from ..errors import LensCraftError
from ..vocabulary import ARC_CONVENTION, ARC_CONVENTIONS, ARC_MIRROR, MOVEMENT, V1_ARC_CONVENTION
from .model_dir import CheckpointError

ARC_CONVENTION_KEY = "arc_convention"  # the model.json field


def model_arc_convention(meta: Mapping) -> str:
    """The arc convention a model was trained under: its model.json's "arc_convention", V1_ARC_CONVENTION when
    absent (every model from before the field); CheckpointError for a value this code does not know."""
    value = meta.get(ARC_CONVENTION_KEY, V1_ARC_CONVENTION)
    if not isinstance(value, str) or value not in ARC_CONVENTIONS:
        raise CheckpointError(f"model.json {ARC_CONVENTION_KEY} is {value!r}; this code knows "
                             f"{', '.join(map(repr, ARC_CONVENTIONS))} (a newer LensCraft trained it?)")
    return value


def model_label_embeddings(meta: Mapping, label_embeddings: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """{field: (L, D)} rows in our label order -> the rows the model must be fed and scored with: for a model of
    another arc convention, each arc label's row is the one the model learned for that geometry (its mirror's).
    The input is left untouched (its rows stay right for text matching)."""
    out = dict(label_embeddings)
    if model_arc_convention(meta) == ARC_CONVENTION:
        return out
    movement = np.asarray(label_embeddings["movement"])
    if movement.shape[0] != len(MOVEMENT):
        raise LensCraftError(f"movement label embeddings have {movement.shape[0]} rows, the vocabulary has "
                             f"{len(MOVEMENT)} labels")
    order = np.arange(len(MOVEMENT))
    for name, mirror in ARC_MIRROR.items():
        order[MOVEMENT.index(name)] = MOVEMENT.index(mirror)
    out["movement"] = movement[order]
    return out
