"""Where a model lives and what its metadata says: the one place that turns a user's path into a checkpoint and
checks model.json (used by inference, the ONNX export and the torch checkpoint loader alike).

A model is a checkpoint stem: `<stem>.json` (metadata) + `<stem>.safetensors` (weights). A model folder holds the
stem `model` and, once exported, encoder.onnx / generator.onnx / onnx.json / label_embeddings.npz beside it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..errors import LensCraftError
from ..vocabulary import vocabulary_hash

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
DEFAULT_MODEL_DIR = MODELS_DIR / "default"  # the bundled model
MINILM_DIR = MODELS_DIR / "minilm"  # the bundled ONNX text encoder
CHECKPOINT_FORMAT = "lenscraft-checkpoint"
CHECKPOINT_VERSION = 1


class CheckpointError(LensCraftError):
    pass


def model_stem(path: str | Path | None) -> Path:
    """A model folder (holding model.json) or a checkpoint stem / .json / .safetensors -> the checkpoint stem;
    None -> the bundled model."""
    p = Path(path) if path is not None else DEFAULT_MODEL_DIR
    if p.is_dir():
        return p / "model"
    return p.with_suffix("") if p.suffix in (".json", ".safetensors") else p


def checkpoint_paths(stem: str | Path) -> tuple[Path, Path]:
    """(weights .safetensors, metadata .json) of a checkpoint stem."""
    stem = model_stem(stem) if Path(stem).suffix in (".json", ".safetensors") else Path(stem)
    return stem.with_name(stem.name + ".safetensors"), stem.with_name(stem.name + ".json")


def read_json(path: Path, what: str) -> dict:
    if not path.exists():
        raise LensCraftError(f"{path}: {what} not found")
    try:
        return json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise LensCraftError(f"{path}: {what} is corrupted ({e})") from None


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_meta(stem: str | Path, check_vocabulary: bool = False) -> dict:
    """The checkpoint's metadata, checked once for everyone: it exists, parses, is a LensCraft checkpoint of the
    version this code reads, and (check_vocabulary) was trained with this code's vocabulary."""
    _, json_path = checkpoint_paths(stem)
    if not json_path.exists():
        raise CheckpointError(f"{json_path}: checkpoint metadata not found")
    try:
        meta = json.loads(json_path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise CheckpointError(f"{json_path}: checkpoint metadata is corrupted or truncated ({e})") from None
    if not isinstance(meta, dict) or meta.get("format") != CHECKPOINT_FORMAT:
        raise CheckpointError(f"{json_path}: not a LensCraft checkpoint (format {meta.get('format')!r})"
                              if isinstance(meta, dict) else f"{json_path}: not a LensCraft checkpoint")
    if meta.get("version") != CHECKPOINT_VERSION:
        raise CheckpointError(f"{json_path}: checkpoint version {meta.get('version')}, this code reads "
                              f"{CHECKPOINT_VERSION}")
    if check_vocabulary and meta.get("vocabulary_hash") != vocabulary_hash():
        raise CheckpointError(f"{json_path}: trained with vocabulary {meta.get('vocabulary_hash')}, the code has "
                              f"{vocabulary_hash()}; retrain or use the matching LensCraft version")
    return meta
