"""Label embeddings for every vocabulary field, computed once per (encoder id, vocabulary hash) and cached on disk.

Cache layout: <cache_dir>/<encoder id, made filename-safe>-<vocabulary hash>.safetensors, one (n_labels, dim) float32
tensor per field, with metadata (encoder id, dim, vocabulary hash, label names) in the safetensors header.
Training and inference read this file; they never run the text encoder per step.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np

from ..errors import LensCraftError
from ..files import atomic_write_with
from ..vocabulary import FIELDS, vocabulary_hash
from .encoders import TextEncoder


def default_cache_dir() -> Path:
    return Path(os.environ.get("LENSCRAFT_CACHE", Path.home() / ".cache" / "lenscraft")) / "label-embeddings"


def cache_path(encoder_id: str, cache_dir: str | Path | None = None) -> Path:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", encoder_id)
    return Path(cache_dir or default_cache_dir()) / f"{safe}-{vocabulary_hash()}.safetensors"


def compute_label_embeddings(encoder: TextEncoder) -> dict[str, np.ndarray]:
    """Each label's canonical description through the encoder: {field: (n_labels, dim) float32, unit rows}."""
    return {name: encoder.encode(f.descriptions()) for name, f in FIELDS.items()}


def load_label_embeddings(encoder_id: str, cache_dir: str | Path | None = None) -> dict[str, np.ndarray] | None:
    """Cached embeddings for this encoder id and the current vocabulary, or None when there is no cache file."""
    from safetensors import safe_open

    path = cache_path(encoder_id, cache_dir)
    if not path.exists():
        return None
    try:
        with safe_open(str(path), framework="numpy") as f:
            meta = f.metadata() or {}
            out = {name: f.get_tensor(name) for name in FIELDS}
    except Exception as e:
        raise LensCraftError(f"{path}: label-embedding cache is unreadable ({e}); delete it to rebuild") from e
    if meta.get("encoder_id") != encoder_id or meta.get("vocabulary_hash") != vocabulary_hash():
        raise LensCraftError(f"{path}: cache was written for encoder {meta.get('encoder_id')} / vocabulary "
                             f"{meta.get('vocabulary_hash')}; delete it to rebuild")
    for name, f in FIELDS.items():
        if out[name].shape[0] != len(f):
            raise LensCraftError(f"{path}: field {name} has {out[name].shape[0]} rows, vocabulary has {len(f)}")
    return out


def save_label_embeddings(emb: dict[str, np.ndarray], encoder_id: str, cache_dir: str | Path | None = None) -> Path:
    from safetensors.numpy import save_file

    path = cache_path(encoder_id, cache_dir)
    dim = next(iter(emb.values())).shape[1]
    meta = {"encoder_id": encoder_id, "dim": str(dim), "vocabulary_hash": vocabulary_hash()}
    arrays = {k: np.ascontiguousarray(v, np.float32) for k, v in emb.items()}
    # atomic: a reader (another training process) sees the old cache or the new one, never half of one
    atomic_write_with(path, lambda tmp: save_file(arrays, tmp, metadata=meta))
    return path


def label_embeddings(encoder: TextEncoder | str = "minilm", cache_dir: str | Path | None = None
                     ) -> tuple[str, dict[str, np.ndarray]]:
    """(encoder id, {field: (n_labels, dim)}) from the cache, computing and caching it on first use.

    `encoder` may be an encoder object or a name for get_encoder; with a name and a warm cache no encoder is loaded.
    """
    from .encoders import MiniLMEncoder, get_encoder

    if isinstance(encoder, str):
        known_id = MiniLMEncoder.id if encoder.lower() in ("minilm", MiniLMEncoder.id) else None
        if known_id:
            cached = load_label_embeddings(known_id, cache_dir)
            if cached is not None:
                return known_id, cached
        encoder = get_encoder(encoder)
    cached = load_label_embeddings(encoder.id, cache_dir)
    if cached is None:
        cached = compute_label_embeddings(encoder)
        save_label_embeddings(cached, encoder.id, cache_dir)
    return encoder.id, cached
