"""The torch runtime: LensCraftModel from its checkpoint behind the same numeric interface as
inference.runtime.OnnxRuntime (see there). It is the reference the ONNX graphs are checked against, and the only
runtime for the autoregressive decoder. Engine.load imports it only when asked for torch, or when "auto" finds no
usable ONNX export."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from ..errors import LensCraftError
from ..inference.devices import check_device
from ..inference.model_dir import START_NOTE
from . import checkpoint as ckpt


class TorchRuntime:
    name = "torch"

    def __init__(self, stem: Path, device: str = "cpu"):
        self.torch = torch
        self.device_note = None
        device = check_device(device)
        if device != "cpu" and not (device == "cuda" and torch.cuda.is_available()):
            self.device_note = f"{device} is not available to torch here: running on CPU"
            device = "cpu"
        try:
            self.model, self.meta = ckpt.load(stem, map_location=device)
        except LensCraftError:
            raise
        except ValueError as e:  # ModelConfig refusing the architecture (decoder, output, d_model % n_heads)
            raise ckpt.CheckpointError(f"{ckpt.checkpoint_paths(stem)[1]}: model_config: {e}") from None
        self.device = device

    def _t(self, a, dtype=None):
        return torch.as_tensor(np.asarray(a), dtype=dtype or torch.float32, device=self.device)

    def encode(self, camera, subject, motion, known):
        with torch.no_grad():
            out = self.model.encode(self._t(camera), self._t(subject), self._t(motion), self._t(known, torch.bool))
        return out.float().cpu().numpy()

    @property
    def takes_start(self) -> bool:
        return self.model.cfg.output == "factored" and self.model.cfg.decoder == "single_pass"

    def generate(self, field_emb, keep, subject, motion, known=None, camera=None, start=None):
        with torch.no_grad():
            memory = self.model.memory(self._t(field_emb), self._t(subject), self._t(keep, torch.bool))
            if start is not None:  # the first frame forced, the move made from it (OnnxRuntime.generate)
                if not self.takes_start:
                    raise LensCraftError(START_NOTE)
                start = self._t(start)
                out = self.model.decode(memory, self._t(motion), start=start,
                                        use_start=torch.ones(start.shape[0], device=start.device))
                return out.float().cpu().numpy()
            out = self.model.generate(memory, self._t(motion),
                                      None if known is None else self._t(known, torch.bool),
                                      None if camera is None else self._t(camera))
        return out.float().cpu().numpy()


TorchBackend = TorchRuntime  # deprecated alias (the old name, from when it lived in inference/runtime.py)
