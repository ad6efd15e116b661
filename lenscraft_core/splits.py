"""Train / held-out label splits, defined once so training and evaluation agree.

Held-out combinations: (movement, angle, shot_type) triples that training never sees, although every single label
is seen in other triples. They test whether the model composes fields rather than memorising combinations. A triple
is held out when a hash of its names falls in HELDOUT_FRACTION of the hash space: stable across runs, machines and
vocabulary additions (adding labels never moves an existing triple between splits).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

import numpy as np

from .vocabulary import ANGLE, FIELD_NAMES, FIELDS, MOVEMENT, SHOT_TYPE

HELDOUT_FRACTION = 1 / 12


def is_heldout(movement: str, angle: str, shot_type: str) -> bool:
    key = f"{MOVEMENT.resolve(movement)}|{ANGLE.resolve(angle)}|{SHOT_TYPE.resolve(shot_type)}".encode()
    return int.from_bytes(hashlib.sha256(key).digest()[:8], "big") / 2.0 ** 64 < HELDOUT_FRACTION


@lru_cache(maxsize=1)
def heldout_mask() -> np.ndarray:
    """(movements, angles, shot_types) bool array: True for held-out triples."""
    return np.array([[[is_heldout(m, a, s) for s in SHOT_TYPE.names] for a in ANGLE.names] for m in MOVEMENT.names])


def sample_labels(n: int, rng: np.random.Generator, split: str = "train", fixed: dict | None = None
                  ) -> dict[str, np.ndarray]:
    """n uniformly drawn label indices per field, restricted to the split's (movement, angle, shot_type) triples.

    split: "train" (never a held-out triple), "heldout" (only held-out triples) or "all". fixed: field -> label name
    to use for every sample (the triple constraint still applies to the other fields of the triple).
    """
    if split not in ("train", "heldout", "all"):
        raise ValueError(f"split must be train, heldout or all, got '{split}'")
    fixed = {f: FIELDS[f].index(v) for f, v in (fixed or {}).items()}
    out = {f: np.full(n, fixed[f]) if f in fixed else rng.integers(0, len(FIELDS[f]), n) for f in FIELD_NAMES}
    if split == "all":
        return out
    want_heldout = split == "heldout"
    mask = heldout_mask()
    for _ in range(1000):
        bad = mask[out["movement"], out["angle"], out["shot_type"]] != want_heldout
        if not bad.any():
            return out
        for f in ("movement", "angle", "shot_type"):
            if f not in fixed:
                out[f][bad] = rng.integers(0, len(FIELDS[f]), int(bad.sum()))
    raise ValueError(f"no {split} triple is compatible with the fixed labels {fixed}")
