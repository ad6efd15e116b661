"""Validation during training: the loss terms on clean held-back shots, plus free-running generation from the label
text embeddings (the path users get)."""

from __future__ import annotations

import math
from dataclasses import asdict

import torch
import torch.nn.functional as F

from . import losses
from ..vocabulary import FIELD_NAMES
from .config import TrainConfig
from .model import LensCraftModel, rotation_geodesic


@torch.no_grad()
def evaluate(core: LensCraftModel, data: dict, table, table_valid, cfg: TrainConfig, autocast,
             chunk: int = 1024) -> dict[str, float]:
    """Validation: clean inputs, teacher forcing, memory from the encoder; plus free-running generation from the
    label text embeddings on the first chunk (the generation path users get)."""
    core.eval()
    n = data["camera"].shape[0]
    vcfg = TrainConfig(**{**asdict(cfg), "label_memory_p": 0.0, "field_dropout": 0.0})
    sums: dict[str, float] = {}
    for a in range(0, n, chunk):
        batch = {k: v[a:a + chunk] for k, v in data.items()}
        with autocast():
            _, terms = losses.compute_losses(core, core, batch, table, table_valid,
                                             {"noise": 0.0, "mask": 0.0, "tf": 1.0}, vcfg, None)
        for k, v in terms.items():
            sums[k] = sums.get(k, 0.0) + float(v) * batch["camera"].shape[0]
    out = {k: v / n for k, v in sums.items()}
    batch = {k: v[:min(n, 256)] for k, v in data.items()}
    labels = batch["labels"]
    fields = torch.arange(len(FIELD_NAMES), device=labels.device)
    with autocast():
        memory = core.memory(table[fields, labels.clamp(min=0)], batch["subject"], labels >= 0)
        gen = core.generate(memory, batch["motion"]).float()
    out["gen_pos"] = float(F.mse_loss(gen[..., :3], batch["camera"][..., :3]))
    out["gen_rot_deg"] = float(rotation_geodesic(gen[..., 3:9], batch["camera"][..., 3:9]).mean() * 180 / math.pi)
    core.train()
    return out
