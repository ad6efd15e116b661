"""Where a model lives and what its metadata says: the one place that turns a user's path into a checkpoint and
checks model.json (used by inference, the ONNX export and the torch checkpoint loader alike).

A model is a checkpoint stem: `<stem>.json` (metadata) + `<stem>.safetensors` (weights). A model folder holds the
stem `model` and, once exported, encoder.onnx / generator.onnx / onnx.json / label_embeddings.npz beside it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from ..errors import DataError, LensCraftError
from ..formats.text import read_json as read_json_file
from ..schema import is_finite_number
from ..vocabulary import vocabulary_hash

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
DEFAULT_MODEL_DIR = MODELS_DIR / "default"  # the bundled model
MINILM_DIR = MODELS_DIR / "minilm"  # the bundled ONNX text encoder
CHECKPOINT_FORMAT = "lenscraft-checkpoint"
CHECKPOINT_VERSION = 1


class CheckpointError(LensCraftError):
    pass


# A model that cannot make a segment from where the previous one ended (OnnxRuntime / TorchRuntime .takes_start).
START_NOTE = ("this model's generator cannot start a segment where the previous one ended (its ONNX graph was "
              "exported before 2026-12-04, or its head is not 'factored')")


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


def read_json(path: Path, what: str, error: type[LensCraftError] = LensCraftError, corrupted: str = "is corrupted"
              ) -> Any:
    """A model folder's JSON file, read by formats.text.read_json (UTF-8, nesting and digit limits named); `error`
    names what is wrong with the file as `what`."""
    if not path.exists():
        raise error(f"{path}: {what} not found")
    try:
        return read_json_file(path)
    except DataError as e:
        raise error(f"{path}: {what} {corrupted} ({e})") from None


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# The one table of the sizes a model.json may ask for, checked before anything is allocated: the torch runtime builds
# the model from these numbers (a d_model of 20000 would try a 4.8 GB allocation first). Generous around the
# presets (train/model.py PRESETS), which tests/test_reliability_inference_model_dir.py checks fit.
SIZE_LIMITS: dict[str, tuple[int, int]] = {
    "text_dim": (1, 4096), "d_model": (1, 2048), "n_heads": (1, 64), "enc_layers": (1, 32), "dec_layers": (1, 32),
    "ff_mult": (1, 16), "frames": (2, 4096), "move_basis": (1, 256), "n_fields": (1, 64), "cam_dim": (1, 64),
    "subj_dim": (1, 64), "motion_dim": (1, 64),
}
MAX_PARAMETERS = 250_000_000  # about 1 GB of float32 weights; the shipped model has a few million


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def check_model_config(cfg: object, where: str) -> None:
    """Refuse (CheckpointError naming the field) a model_config whose sizes are not integers in SIZE_LIMITS, or
    whose sizes together make a model of more than MAX_PARAMETERS. Fields it lacks keep ModelConfig's defaults."""
    if not isinstance(cfg, dict):
        raise CheckpointError(f"{where}: model_config must be an object, got {type(cfg).__name__}")
    for name, (lo, hi) in SIZE_LIMITS.items():
        if name in cfg and not (_is_int(cfg[name]) and lo <= cfg[name] <= hi):
            raise CheckpointError(f"{where}: model_config.{name} must be an integer in {lo}-{hi}, got {cfg[name]!r}")
    from ..features import CAM_DIM, MOTION_DIM, SUBJ_DIM

    for name, ours in (("cam_dim", CAM_DIM), ("subj_dim", SUBJ_DIM), ("motion_dim", MOTION_DIM)):
        if name in cfg and cfg[name] != ours:  # e.g. subj_dim 10: a model from before the person flag
            raise CheckpointError(f"{where}: model_config.{name} is {cfg[name]}, this code's features have {ours} "
                                  "(features.py): the model was trained for another feature layout; retrain it, or "
                                  "use the LensCraft version it was made with")
    if "dropout" in cfg and not (is_finite_number(cfg["dropout"]) and 0 <= cfg["dropout"] < 1):
        raise CheckpointError(f"{where}: model_config.dropout must be a number in [0, 1), got {cfg['dropout']!r}")
    for name in ("decoder", "output"):
        if name in cfg and not isinstance(cfg[name], str):
            raise CheckpointError(f"{where}: model_config.{name} must be a name, got {cfg[name]!r}")
    # Transformer weights grow as d_model^2 per layer: attention (4 d^2, twice in a decoder layer) + feed-forward.
    d, ff = cfg.get("d_model", 192), cfg.get("ff_mult", 4)
    params = d * d * (cfg.get("enc_layers", 3) * (4 + 2 * ff) + cfg.get("dec_layers", 3) * (8 + 2 * ff))
    if params > MAX_PARAMETERS:
        raise CheckpointError(f"{where}: model_config: d_model, enc_layers, dec_layers and ff_mult make about "
                              f"{params / 1e6:.0f} million parameters, more than this code loads "
                              f"({MAX_PARAMETERS / 1e6:.0f} million)")


def _check_types(meta: dict, where: str) -> None:
    """The fields every reader of model.json relies on have the types they expect (CheckpointError naming the
    field otherwise): before these checks a `"training": "x"` escaped as an AttributeError."""
    check_model_config(meta.get("model_config"), where)
    enc = meta.get("text_encoder")
    if not isinstance(enc, dict):
        raise CheckpointError(f"{where}: text_encoder must be an object with id and dim, got {enc!r}")
    if not isinstance(enc.get("id"), str):
        raise CheckpointError(f"{where}: text_encoder.id must be a name, got {enc.get('id')!r}")
    if not (_is_int(enc.get("dim")) and 1 <= enc["dim"] <= SIZE_LIMITS["text_dim"][1]):
        raise CheckpointError(f"{where}: text_encoder.dim must be an integer in 1-{SIZE_LIMITS['text_dim'][1]}, "
                              f"got {enc.get('dim')!r}")
    for key in ("training", "weights", "labels", "optimizer"):
        if meta.get(key) is not None and not isinstance(meta[key], dict):
            raise CheckpointError(f"{where}: {key} must be an object, got {type(meta[key]).__name__}")
    training = meta.get("training") or {}
    if training.get("config") is not None and not isinstance(training["config"], dict):
        raise CheckpointError(f"{where}: training.config must be an object, got {type(training['config']).__name__}")
    tau = (training.get("config") or {}).get("label_tau", 0.05)
    if not (is_finite_number(tau) and tau > 0):
        raise CheckpointError(f"{where}: training.config.label_tau must be a positive number, got {tau!r}")
    if "step" in training and not (_is_int(training["step"]) and training["step"] >= 0):
        raise CheckpointError(f"{where}: training.step must be a whole number, got {training['step']!r}")
    if "best_val" in training and not (training["best_val"] is None or isinstance(training["best_val"], (int, float))):
        raise CheckpointError(f"{where}: training.best_val must be a number, got {training['best_val']!r}")
    weights = meta.get("weights") or {}
    if "sha256" in weights and not isinstance(weights["sha256"], str):
        raise CheckpointError(f"{where}: weights.sha256 must be a hex digest, got {weights['sha256']!r}")
    if "bytes" in weights and not (_is_int(weights["bytes"]) and weights["bytes"] >= 0):
        raise CheckpointError(f"{where}: weights.bytes must be a whole number, got {weights['bytes']!r}")


def read_meta(stem: str | Path, check_vocabulary: bool = False) -> dict:
    """The checkpoint's metadata, checked once for everyone: it exists, parses, is a LensCraft checkpoint of the
    version this code reads, (check_vocabulary) was trained with this code's vocabulary, and its fields have the
    types and sizes readers rely on (check_model_config: sizes bounded before anything is allocated)."""
    _, json_path = checkpoint_paths(stem)
    meta = read_json(json_path, "checkpoint metadata", CheckpointError, "is corrupted or truncated")
    if not isinstance(meta, dict) or meta.get("format") != CHECKPOINT_FORMAT:
        raise CheckpointError(f"{json_path}: not a LensCraft checkpoint (format {meta.get('format')!r})"
                              if isinstance(meta, dict) else f"{json_path}: not a LensCraft checkpoint")
    if meta.get("version") != CHECKPOINT_VERSION:
        raise CheckpointError(f"{json_path}: checkpoint version {meta.get('version')}, this code reads "
                              f"{CHECKPOINT_VERSION}")
    if check_vocabulary and meta.get("vocabulary_hash") != vocabulary_hash():
        raise CheckpointError(f"{json_path}: trained with vocabulary {meta.get('vocabulary_hash')}, the code has "
                              f"{vocabulary_hash()}; retrain or use the matching LensCraft version")
    _check_types(meta, str(json_path))
    return meta


def path_inside(folder: Path, name: object, where: str) -> Path:
    """folder / name for a file a manifest names, refused (LensCraftError naming `where`) unless it is a relative
    path that stays inside folder, symlinks resolved: a model folder must never make LensCraft open other files."""
    if not isinstance(name, str) or not name.strip():
        raise LensCraftError(f"{where} must be a file name inside {folder}, got {name!r}")
    rel = Path(name)
    if rel.is_absolute() or rel.drive or ".." in rel.parts:
        raise LensCraftError(f"{where} '{name}' points outside the model folder {folder}: refused")
    path = folder / rel
    if not path.resolve().is_relative_to(folder.resolve()):
        raise LensCraftError(f"{where} '{name}' resolves outside the model folder {folder}: refused")
    return path
