"""Where a run executes: the device and, under torchrun, the torch.distributed process group (DDP)."""

from __future__ import annotations

import os

import torch
import torch.distributed as dist

from .config import TrainConfig


def setup_distributed(device: torch.device) -> tuple[int, int]:
    """(rank, world size); joins the process group when torchrun started several processes."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world > 1 and not dist.is_initialized():
        dist_backend = "nccl" if device.type == "cuda" else "gloo"
        dist.init_process_group(dist_backend)
    return (dist.get_rank(), dist.get_world_size()) if dist.is_initialized() else (0, 1)


def select_device(cfg: TrainConfig) -> torch.device:
    if cfg.device != "auto":
        return torch.device(cfg.device)
    if torch.cuda.is_available():
        return torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
    return torch.device("cpu")

