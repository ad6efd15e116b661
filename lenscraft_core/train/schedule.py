"""The schedules of a run, pure functions of the step: the learning rate (linear warm-up, cosine decay) and the
curriculum (noise, masking, teacher forcing)."""

from __future__ import annotations

import math

from .config import TrainConfig


def lr_at(step: int, cfg: TrainConfig) -> float:
    if step < cfg.warmup:
        return cfg.lr * (step + 1) / cfg.warmup
    p = min(1.0, (step - cfg.warmup) / max(1, cfg.steps - cfg.warmup))
    return cfg.lr * (cfg.min_lr_ratio + (1 - cfg.min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * p)))


def curriculum(step: int, cfg: TrainConfig) -> dict[str, float]:
    """Input noise falls, the masked share rises and teacher forcing falls, linearly over the run."""
    p = min(1.0, step / max(1, cfg.steps - 1))
    lerp = lambda a, b: a + (b - a) * p  # noqa: E731
    return {"noise": lerp(cfg.noise_start, cfg.noise_end), "mask": lerp(cfg.mask_start, cfg.mask_end),
            "tf": lerp(cfg.tf_start, cfg.tf_end)}

