"""Training data for the model tests: the real simulator when it imports, else a small hand-made cinematographer
(dolly / pan / truck at three angles and three distances) so the tests still exercise learning."""

import numpy as np

from lenscraft_core import features as ft
from lenscraft_core import geometry as geo
from lenscraft_core.schema import ShotBatch
from lenscraft_core.vocabulary import FIELD_NAMES, FIELDS


def handmade_batch(n: int, frames: int = 30, seed: int = 0) -> ShotBatch:
    rng = np.random.default_rng(seed)
    moves = ["dollyIn", "dollyOut", "panLeft", "panRight", "truckLeft", "truckRight"]
    angles = {"lowAngle": -30.0, "mediumAngle": 0.0, "highAngle": 30.0}
    shots = {"closeUp": 1.5, "mediumShot": 3.0, "longShot": 6.0}
    m = rng.integers(0, len(moves), n)
    a = rng.integers(0, 3, n)
    s = rng.integers(0, 3, n)
    t = np.linspace(0, 1, frames)[None]
    size = rng.uniform(0.5, 2.0, (n, 3))
    ext = size.max(1)
    elev = np.radians(np.array(list(angles.values()))[a])[:, None]
    dist = (np.array(list(shots.values()))[s] * ext)[:, None] * np.ones_like(t)
    mv = np.array(moves)[m][:, None]
    dist = np.where(mv == "dollyIn", dist * (1 - 0.5 * t), np.where(mv == "dollyOut", dist * (1 + 0.5 * t), dist))
    side = np.where(mv == "truckRight", 1.0, np.where(mv == "truckLeft", -1.0, 0.0)) * t * ext[:, None]
    eye = np.stack([side, -dist * np.cos(elev), dist * np.sin(elev)], -1)
    target = np.stack([side, 0 * side, 0 * side], -1)
    R = geo.look_at(eye, target)
    pan = np.where(mv == "panLeft", 1.0, np.where(mv == "panRight", -1.0, 0.0)) * t * 0.6
    R = \
        np.einsum("nfij,nfjk->nfik", geo.axis_rotation(2, pan), R)
    labels = {f: np.zeros(n, np.int64) for f in FIELD_NAMES}
    labels["movement"] = np.array([FIELDS["movement"].index(x) for x in np.array(moves)[m]])
    labels["angle"] = np.array([FIELDS["angle"].index(list(angles)[i]) for i in a])
    labels["shot_type"] = np.array([FIELDS["shot_type"].index(list(shots)[i]) for i in s])
    labels["easing"] = np.full(n, FIELDS["easing"].index("linear"))
    labels["view"] = np.full(n, FIELDS["view"].index("front"))
    zeros = np.zeros((n, frames, 3))
    ident = np.broadcast_to(np.array([1.0, 0, 0, 0]), (n, frames, 4)).copy()
    return ShotBatch(eye, geo.matrix_to_quat(R), np.full((n, frames), 50.0), zeros, ident, size, labels,
                     np.full(n, 24.0))


def training_batch(n: int, frames: int = 30, seed: int = 0) -> ShotBatch:
    try:
        from lenscraft_core.simulate import simulate_batch
    except ImportError:
        return handmade_batch(n, frames, seed)
    return simulate_batch(n, frames=frames, seed=seed)


def features(n: int, seed: int = 0, length: int = ft.T_DEFAULT) -> ft.Features:
    return ft.encode_batch(training_batch(n, seed=seed), length)


def train_script():
    """The repository's train.py as a module (a script beside the package, not installed)."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    try:
        import train
    finally:
        sys.path.pop(0)
    return train
