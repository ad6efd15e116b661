"""Fine-tuning from another run: transplant one checkpoint's encoder (describe) into a model."""

from __future__ import annotations

import torch

from . import checkpoint as ckpt
from ..errors import LensCraftError
from .model import LensCraftModel


def transplant_encoder(core: LensCraftModel, source: str, encoder_id: str, text_dim: int) -> None:
    """Copy the encoder (what describe uses) of checkpoint `source` into core: one run's describe with another's
    generator. Both encoders map shots into the same label text-embedding space; fine-tuning the merger and
    decoder on top (with --freeze-encoder) makes the pair consistent."""
    donor, _ = ckpt.load(source, encoder_id=encoder_id, text_dim=text_dim)
    mine, theirs = core.state_dict(), donor.state_dict()
    parts = [k for k in mine if k.split(".")[0] in core.ENCODER_PARTS]
    bad = [k for k in parts if k not in theirs or theirs[k].shape != mine[k].shape]
    if bad:
        raise LensCraftError(f"--init-encoder {source}: its encoder does not fit this model's (first mismatch: "
                             f"{bad[0]}); both runs need the same model size")
    with torch.no_grad():
        for k in parts:
            mine[k].copy_(theirs[k])
