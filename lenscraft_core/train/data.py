"""Training data: simulated or loaded shots as Features, the tensors on the device, the label-embedding table,
and which samples each step sees (batch_indices, a pure function of the step: exact resume)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from .. import features as ft
from ..errors import LensCraftError
from ..vocabulary import FIELD_NAMES
from .config import TrainConfig

FRAMES_RANGE = (8, 240)  # varied simulated shots: frame count log-uniform in this range ...
FPS_RANGE = (12.0, 60.0)  # ... fps uniform in this range, capped so that a shot lasts at least MIN_DURATION_S
MIN_DURATION_S = 0.75
SIM_CHUNKS = 16  # one frame count per chunk (simulate_batch takes one frame count per call)


def simulate_features(n: int, seed: int, frames: int = 0, split: str = "train", length: int = ft.T_DEFAULT,
                      person_share: float | None = None, head_pan_share: float = 0.0,
                      head_pans_decoded: bool = True) -> ft.Features:
    """n simulated shots with labels from splits.sample_labels(split) (held-out triples never appear in "train"),
    encoded at `length` frames. frames=0: SIM_CHUNKS chunks of varied frame counts and frame rates. person_share:
    simulated subjects that are people (None: the simulator's PERSON_SHARE); head_pan_share: simulate_batch's.
    head_pans_decoded=False: the head pans get decode_weight 0, so only the encoder learns from them (describe reads
    them as pans) while the decoder keeps generating pans about the vertical."""
    from ..simulate import PERSON_SHARE, simulate_batch

    def encode(batch):
        feats = ft.encode_batch(batch, length)
        if not head_pans_decoded and "head_pan" in batch.params:
            feats.decode_weight = (1.0 - batch.params["head_pan"]).astype(np.float32)
        return feats

    share = PERSON_SHARE if person_share is None else person_share
    from ..splits import sample_labels

    rng = np.random.default_rng(seed)
    if frames:
        labels = sample_labels(n, rng, split)
        return encode(simulate_batch(n, frames=frames, seed=seed, labels=labels, person_share=share,
                                     head_pan_share=head_pan_share))
    parts = []
    sizes = np.diff(np.linspace(0, n, SIM_CHUNKS + 1).astype(int))
    for i, size in enumerate(sizes):
        if size == 0:
            continue
        f = int(round(np.exp(rng.uniform(*np.log(FRAMES_RANGE)))))
        fps = np.minimum(rng.uniform(*FPS_RANGE, size), max(FPS_RANGE[0], f / MIN_DURATION_S))
        labels = sample_labels(int(size), rng, split)
        parts.append(encode(simulate_batch(int(size), frames=f, fps=fps, seed=seed * 1009 + i, labels=labels,
                                           person_share=share, head_pan_share=head_pan_share)))
    return ft.Features.concat(parts)


def load_features(cfg: TrainConfig, frames: int) -> tuple[ft.Features, ft.Features, dict]:
    """(train, val, description). Simulated data is regenerated identically from the seed on resume."""
    if not cfg.data:
        train = simulate_features(cfg.sim_count, cfg.seed, cfg.sim_frames, "train", frames, cfg.sim_person_share,
                                  cfg.sim_head_pan_share, cfg.sim_head_pans_decoded)
        val = simulate_features(cfg.val_count, cfg.seed + 1_000_003, cfg.sim_frames, "train", frames,
                                cfg.sim_person_share, cfg.sim_head_pan_share, cfg.sim_head_pans_decoded)
        return train, val, {"source": "simulated", "split": "train", "train": len(train), "val": len(val),
                            "person_share": cfg.sim_person_share, "head_pan_share": cfg.sim_head_pan_share,
                            "head_pans_decoded": cfg.sim_head_pans_decoded,
                            "frames": cfg.sim_frames or list(FRAMES_RANGE), "fps": list(FPS_RANGE)}
    from .. import formats

    shots, skipped = [], 0
    for path in cfg.data:
        result = formats.load(path, lenient=cfg.lenient)
        shots += [s for shot in result.shots for s in shot.split()]
        skipped += len(getattr(result, "skipped", []) or [])
    if len(shots) < 2:
        raise LensCraftError(f"{', '.join(cfg.data)}: need at least 2 samples to train, found {len(shots)}")
    feats = ft.encode_shots(shots, frames)
    order = np.random.default_rng(cfg.seed).permutation(len(feats))
    n_val = max(1, int(round(len(feats) * cfg.val_fraction)))
    return feats.subset(order[n_val:]), feats.subset(order[:n_val]), {
        "source": [str(p) for p in cfg.data], "train": len(feats) - n_val, "val": n_val, "skipped": skipped}


def to_device(f: ft.Features, device) -> dict[str, torch.Tensor]:
    out = {"camera": torch.as_tensor(f.camera, device=device), "subject": torch.as_tensor(f.subject, device=device),
           "motion": torch.as_tensor(f.motion, device=device), "labels": torch.as_tensor(f.labels, device=device)}
    if f.decode_weight is not None:
        out["decode_weight"] = torch.as_tensor(f.decode_weight, device=device)
    return out


def label_table(emb: dict[str, np.ndarray], device) -> tuple[torch.Tensor, torch.Tensor]:
    """Label embeddings padded to (n_fields, max_labels, dim) and a (n_fields, max_labels) validity mask."""
    n = max(len(emb[f]) for f in FIELD_NAMES)
    dim = emb[FIELD_NAMES[0]].shape[1]
    table = torch.zeros(len(FIELD_NAMES), n, dim)
    valid = torch.zeros(len(FIELD_NAMES), n, dtype=torch.bool)
    for i, f in enumerate(FIELD_NAMES):
        table[i, :len(emb[f])] = torch.as_tensor(emb[f])
        valid[i, :len(emb[f])] = True
    return table.to(device), valid.to(device)


def batch_indices(step: int, n: int, batch_size: int, seed: int) -> torch.Tensor:
    """Global sample indices of a step: consecutive slices of per-epoch permutations seeded by (seed, epoch)."""
    start = step * batch_size
    out = []
    while len(out) < batch_size:
        epoch, offset = divmod(start + len(out), n)
        g = torch.Generator().manual_seed(seed * 7919 + epoch)
        perm = torch.randperm(n, generator=g)
        out += perm[offset:offset + batch_size - len(out)].tolist()
    return torch.tensor(out)



V1_FILES = ("v1_single_30f.json", "v1_single_30f_5subj.json")


def v1_features(v1_dir: str | Path, length: int = ft.T_DEFAULT, files: tuple[str, ...] = V1_FILES) -> ft.Features:
    """The single-instruction LensCraft v1 files (real output of the original simulator), never trained on."""
    from .. import formats

    shots = []
    for name in files:
        shots += [s for shot in formats.load(Path(v1_dir) / name).shots for s in shot.split()]
    return ft.encode_shots(shots, length)

