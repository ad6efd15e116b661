"""The evaluation's data: where it lives, and the simulated and real (v1) shots each split is made of.

The folders are arguments (run_evaluation's v1_dir / paraphrases, the CLI's --v1-dir / --paraphrases) or, for the
v1 output, the LENSCRAFT_V1_SIM environment variable. Only a development checkout has defaults, resolved here and
nowhere else: benchmarks/data/paraphrases.jsonl inside it and shared/external/lenscraft-v1-sim beside it. An
installed package has neither and skips those splits with a note.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .. import features as ft
from ..body import is_person
from ..errors import LensCraftError
from ..schema import Shot, ShotBatch
from ..simulate import simulate_batch
from ..splits import sample_labels
from ..vocabulary import FIELD_NAMES, V1_KEYS

V1_ENV = "LENSCRAFT_V1_SIM"
EVAL_SEED = 900_001_003       # offset for evaluation draws; training uses seed, seed*1009+i and seed+1_000_003
V1_FIELDS = tuple(f for f in FIELD_NAMES if f in V1_KEYS)  # v1 has no view: that field goes unscored there

_CHECKOUT = Path(__file__).resolve().parents[2]  # the repository, when this package sits in one


def checkout_root() -> Path | None:
    """The development checkout this package sits in (its pyproject.toml and benchmarks/ beside lenscraft_core/),
    or None for an installed package."""
    root = _CHECKOUT
    return root if (root / "pyproject.toml").is_file() and (root / "benchmarks").is_dir() else None


def default_v1_dir() -> Path | None:
    """The real LensCraft v1 output: $LENSCRAFT_V1_SIM, else shared/external/lenscraft-v1-sim beside a development
    checkout, else None (no default: pass v1_dir / --v1-dir)."""
    env = os.environ.get(V1_ENV)
    if env:
        return Path(env)
    root = checkout_root()
    return root.parent / "shared" / "external" / "lenscraft-v1-sim" if root is not None else None


def default_paraphrases() -> Path | None:
    """benchmarks/data/paraphrases.jsonl of a development checkout, else None (pass paraphrases / --paraphrases)."""
    root = checkout_root()
    return root / "benchmarks" / "data" / "paraphrases.jsonl" if root is not None else None


PARAPHRASES = default_paraphrases()


def simulated_split(n: int, split: str, seed: int, frames: int, fps: float) -> ShotBatch:
    """n simulated shots with labels of splits.sample_labels(split) ("train" or "heldout"), from seeds training
    never draws."""
    rng = np.random.default_rng([EVAL_SEED, seed, ("train", "heldout").index(split)])
    labels = sample_labels(n, rng, split=split)
    return simulate_batch(n, frames=frames, fps=fps, seed=EVAL_SEED + 7919 * seed + (split == "heldout"),
                          labels=labels)


def load_v1(v1_dir: Path, limit: int | None = None) -> dict[str, list[Shot]]:
    """file name -> single-instruction shots (Shot.split) from every *.json in the v1 folder."""
    from .. import formats

    files = sorted(Path(v1_dir).glob("*.json"))
    if not files:
        raise LensCraftError(f"{v1_dir}: no LensCraft v1 JSON files (set {V1_ENV} or pass --v1-dir)")
    out = {}
    for path in files:
        shots = [s for shot in formats.load(path, format="lenscraft-v1").shots for s in shot.split()]
        out[path.name] = shots[:limit] if limit else shots
    return out


def shot_arrays(shots: list[Shot]) -> dict[str, np.ndarray]:
    """Same-length shots -> ShotBatch-like arrays (subject per frame) for the metrics."""
    f = shots[0].trajectory.frame_count
    return {
        "cam_pos": np.stack([s.trajectory.position for s in shots]),
        "cam_rot": np.stack([s.trajectory.rotation for s in shots]),
        "focal": np.stack([s.trajectory.focal_length for s in shots]),
        "subject_pos": np.stack([np.asarray(s.subject.positions(f)) for s in shots]),
        "subject_rot": np.stack([np.asarray(s.subject.rotations(f)) for s in shots]),
        "subject_size": np.stack([s.subject.size for s in shots]),
        "fps": np.array([s.trajectory.fps for s in shots]),
        "person": np.array([is_person(s.subject) for s in shots]),
    }


def label_arrays(features: ft.Features) -> dict[str, np.ndarray]:
    """field -> (N,) label index (-1 where unlabelled)."""
    return {f: features.labels[:, i] for i, f in enumerate(FIELD_NAMES)}
