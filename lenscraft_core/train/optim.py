"""The optimiser: AdamW with weight decay on the weight matrices only."""

from __future__ import annotations

import torch

from .config import TrainConfig


def param_groups(module: torch.nn.Module, weight_decay: float) -> list[dict]:
    """Trainable parameters in two AdamW groups: matrices (linear weights, >= 2-D) decay; biases, LayerNorm weights
    and other 1-D parameters do not (decaying a gain or an offset towards 0 only fights the loss)."""
    params = [p for p in module.parameters() if p.requires_grad]
    groups = [{"params": [p for p in params if p.dim() >= 2], "weight_decay": weight_decay},
              {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}]
    return [g for g in groups if g["params"]]


def make_optimizer(module: torch.nn.Module, cfg: TrainConfig) -> torch.optim.AdamW:
    return torch.optim.AdamW(param_groups(module, cfg.weight_decay), lr=cfg.lr, betas=(0.9, 0.95))
