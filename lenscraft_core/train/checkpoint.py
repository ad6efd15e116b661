"""Checkpoints without pickle: weights in safetensors, everything else in JSON.

A checkpoint named STEM is two files, each written atomically (temp file + os.replace):

    STEM.safetensors   model weights (and, for resume, optimiser tensors under "optim/...")
    STEM.json          model config, text encoder id and dim, vocabulary hash and label lists, the arc convention
                       the labels were trained under, training state, optimiser scalars, and the SHA-256 and size
                       of STEM.safetensors

The JSON is written last and names the exact weights file it belongs to, so a truncated, corrupted or mismatched
pair is detected on load. Loading for another text encoder, vocabulary or architecture is a clear error.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch

from ..files import atomic_write_with
# read_meta checks the metadata for everyone (inference too); CheckpointError and model_stem stay importable here.
from ..inference.conventions import ARC_CONVENTION_KEY, model_arc_convention
from ..inference.model_dir import (CHECKPOINT_FORMAT as FORMAT, CHECKPOINT_VERSION as VERSION, CheckpointError,
                                   checkpoint_paths, file_sha256, model_stem, read_meta)
from .model import LensCraftModel, ModelConfig
from ..vocabulary import ARC_CONVENTION, FIELDS, vocabulary_hash

__all__ = ["FORMAT", "VERSION", "CheckpointError", "model_stem", "read_meta", "save", "load", "load_tensors",
           "check_compatible", "strip_optimizer", "optimizer_to_flat", "optimizer_from_flat"]


def optimizer_to_flat(opt: torch.optim.Optimizer) -> tuple[dict[str, torch.Tensor], dict]:
    """Optimiser state as safetensors-ready tensors + JSON-ready scalars (no pickle)."""
    sd = opt.state_dict()
    tensors, scalars = {}, {}
    for pid, st in sd["state"].items():
        for k, v in st.items():
            if torch.is_tensor(v):
                tensors[f"optim/{pid}/{k}"] = v.detach().cpu().contiguous()
            else:
                scalars[f"{pid}/{k}"] = v
    groups = [{k: (list(v) if isinstance(v, tuple) else v) for k, v in g.items()} for g in sd["param_groups"]]
    return tensors, {"param_groups": groups, "scalars": scalars}


def optimizer_from_flat(opt: torch.optim.Optimizer, tensors: dict[str, torch.Tensor], meta: dict) -> None:
    state: dict[int, dict[str, Any]] = {}
    for key, v in tensors.items():
        if key.startswith("optim/"):
            _, pid, name = key.split("/", 2)
            state.setdefault(int(pid), {})[name] = v
    for key, v in meta.get("scalars", {}).items():
        pid, name = key.split("/", 1)
        state.setdefault(int(pid), {})[name] = v
    groups = [{k: (tuple(v) if k == "betas" else v) for k, v in g.items()} for g in meta["param_groups"]]
    opt.load_state_dict({"state": state, "param_groups": groups})


def save(stem: str | Path, model: LensCraftModel, encoder_id: str, text_dim: int, training: dict | None = None,
         optimizer: torch.optim.Optimizer | None = None, extra: dict | None = None) -> Path:
    """Write STEM.safetensors then STEM.json. Returns the JSON path. The JSON records this code's arc convention
    (what the training data's arc labels meant) unless extra names another (a copy of an older checkpoint)."""
    from safetensors.torch import save_file

    weights_path, json_path = checkpoint_paths(stem)
    model = getattr(model, "module", model)  # unwrap DDP / compiled models
    model = getattr(model, "_orig_mod", model)
    tensors = {f"model/{k}": v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    optim_meta = None
    if optimizer is not None:
        t, optim_meta = optimizer_to_flat(optimizer)
        tensors.update(t)
    atomic_write_with(weights_path, lambda tmp: save_file(tensors, tmp, metadata={"format": FORMAT}))
    meta = {
        "format": FORMAT, "version": VERSION,
        "model_config": model.cfg.to_dict(),
        "text_encoder": {"id": encoder_id, "dim": int(text_dim)},
        "vocabulary_hash": vocabulary_hash(),
        "labels": {name: list(f.names) for name, f in FIELDS.items()},
        ARC_CONVENTION_KEY: ARC_CONVENTION,
        "training": training or {},
        "optimizer": optim_meta,
        "weights": {"file": weights_path.name, "sha256": file_sha256(weights_path),
                    "bytes": weights_path.stat().st_size},
        **(extra or {}),
    }
    atomic_write_with(json_path, lambda tmp: Path(tmp).write_text(json.dumps(meta, indent=1)))
    return json_path


def check_compatible(meta: dict, where: str, encoder_id: str | None = None, text_dim: int | None = None,
                     model_config: ModelConfig | None = None) -> None:
    """Raise CheckpointError naming the first mismatch between the checkpoint and what the caller uses."""
    enc = meta["text_encoder"]
    if encoder_id is not None and enc["id"] != encoder_id:
        raise CheckpointError(f"{where}: trained with text encoder '{enc['id']}' (dim {enc['dim']}), "
                              f"but '{encoder_id}' was given; use the same encoder or retrain")
    if text_dim is not None and enc["dim"] != text_dim:
        raise CheckpointError(f"{where}: text dimension {enc['dim']} does not match the encoder's {text_dim}")
    if meta["vocabulary_hash"] != vocabulary_hash():
        changed = [f for f, names in meta["labels"].items() if f not in FIELDS or list(FIELDS[f].names) != names]
        changed += [f for f in FIELDS if f not in meta["labels"]]
        raise CheckpointError(f"{where}: trained with vocabulary {meta['vocabulary_hash']}, the code has "
                              f"{vocabulary_hash()} (fields changed: {', '.join(changed) or 'descriptions only'}); "
                              "retrain or use the matching LensCraft version")
    if model_config is not None:
        diff = {k: (v, model_config.to_dict().get(k)) for k, v in meta["model_config"].items()
                if model_config.to_dict().get(k) != v}
        if diff:
            raise CheckpointError(f"{where}: architecture differs from the requested one: " +
                                  ", ".join(f"{k}={a} (checkpoint) vs {b}" for k, (a, b) in diff.items()))


def load_tensors(stem: str | Path, meta: dict) -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file

    weights_path, json_path = checkpoint_paths(stem)
    if not weights_path.exists():
        raise CheckpointError(f"{weights_path}: weights file missing (metadata {json_path.name} exists)")
    w = meta["weights"]
    size = weights_path.stat().st_size
    if size != w["bytes"] or file_sha256(weights_path) != w["sha256"]:
        raise CheckpointError(f"{weights_path}: weights are corrupted, truncated or from another save "
                              f"({size} bytes, expected {w['bytes']}; checksum mismatch)")
    try:
        return load_file(str(weights_path))
    except Exception as e:
        raise CheckpointError(f"{weights_path}: unreadable safetensors file ({e})") from e


def load(stem: str | Path, encoder_id: str | None = None, text_dim: int | None = None,
         model_config: ModelConfig | None = None, map_location: str = "cpu",
         optimizer: torch.optim.Optimizer | None = None) -> tuple[LensCraftModel, dict]:
    """Model (eval mode) and metadata. Pass encoder_id / text_dim / model_config to check they match; pass an
    optimizer (built over the model's parameters) to restore its state for resume."""
    meta = read_meta(stem)
    where = str(checkpoint_paths(stem)[1])
    check_compatible(meta, where, encoder_id, text_dim, model_config)
    try:
        # Checkpoints from before the "relative" head read their head as absolute camera features.
        cfg = ModelConfig(**{"output": "absolute", **meta["model_config"]})
    except TypeError as e:
        raise CheckpointError(f"{where}: model_config does not fit this code's ModelConfig ({e})") from None
    tensors = load_tensors(stem, meta)
    model = LensCraftModel(cfg)
    state = {k[len("model/"):]: v for k, v in tensors.items() if k.startswith("model/")}
    missing, unexpected = set(model.state_dict()) - set(state), set(state) - set(model.state_dict())
    if missing or unexpected:
        raise CheckpointError(f"{where}: weights do not fit the architecture (missing {sorted(missing)[:5]}, "
                              f"unexpected {sorted(unexpected)[:5]})")
    for k, v in model.state_dict().items():
        if v.shape != state[k].shape:
            raise CheckpointError(f"{where}: tensor {k} has shape {tuple(state[k].shape)}, model wants "
                                  f"{tuple(v.shape)}")
    model.load_state_dict(state)
    model.to(map_location).eval()
    if optimizer is not None:
        if not meta.get("optimizer"):
            raise CheckpointError(f"{where}: has no optimiser state to resume from")
        optimizer_from_flat(optimizer, {k: v for k, v in tensors.items() if k.startswith("optim/")},
                            meta["optimizer"])
    return model, meta


def strip_optimizer(src: str | Path, dst: str | Path) -> Path:
    """Copy a checkpoint without its optimiser state (how a training run's `last` becomes the bundled model in
    lenscraft_core/models/default/model). Returns the new JSON path."""
    model, meta = load(src)
    return save(dst, model, meta["text_encoder"]["id"], meta["text_encoder"]["dim"], training=meta.get("training"),
                extra={ARC_CONVENTION_KEY: model_arc_convention(meta)})  # the copy keeps what its labels meant
