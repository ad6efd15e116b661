"""The move decoder: a small network that decides the amount of every move a shot description leaves open
(lenscraft_core/move_features.py says what it reads), trained on the simulator's compound and sequential shots
(simulate_sequences.py), exported to ONNX for inference without torch (inference/learned.py).

    python train.py --move-decoder --out lenscraft_core/models/default      # about 3 minutes on a 2-core CPU

Writes into the model folder: moves.onnx (the graph: "moves" (N, feature_size) float -> "value" (N,) float),
moves.safetensors (the weights, to fine-tune) and moves.json (feature layout, the label embeddings it was trained
with, the training numbers, the graph's SHA-256). Reads the folder's label_embeddings.npz (the text side).
"""

from __future__ import annotations

import json
import os
import time
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

from .. import move_features as mf
from ..errors import LensCraftError
from ..files import atomic_write_with, atomic_writer
from ..inference.model_dir import file_sha256
from ..simulate_sequences import move_examples
from ..vocabulary import vocabulary_hash

@dataclass
class MoveDecoderConfig:
    train_shots: int = 12000
    val_shots: int = 800
    hidden: int = 256
    steps: int = 6000
    batch_size: int = 512
    lr: float = 2e-3
    seed: int = 0
    workers: int = max(1, min(8, os.cpu_count() or 1))  # processes that simulate the shots


CHUNK_SHOTS = 500  # simulated in chunks (one seed each) so several processes can share the work, reproducibly


def _examples(n_shots: int, seed: int, emb: np.ndarray, workers: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """move_examples over n_shots in CHUNK_SHOTS chunks (chunk i seeded seed * 1000 + i), on `workers` processes."""
    from concurrent.futures import ProcessPoolExecutor

    sizes = [min(CHUNK_SHOTS, n_shots - i) for i in range(0, n_shots, CHUNK_SHOTS)]
    args = [(size, seed * 1000 + i, emb) for i, size in enumerate(sizes)]
    if workers > 1 and len(args) > 1:
        with ProcessPoolExecutor(workers) as pool:
            parts = list(pool.map(move_examples, *zip(*args)))
    else:
        parts = [move_examples(*a) for a in args]
    return (np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]),
            [k for p in parts for k in p[2]])


class MoveDecoder(nn.Module):
    """Input rows -> the open amount (move_features.target_value). The label embedding is projected down first so
    the rest of the row is not drowned by its 384 values."""

    def __init__(self, embedding_dim: int, hidden: int):
        super().__init__()
        n = len(mf.FEATURES)
        self.n_plain = n
        self.label = nn.Linear(embedding_dim, 32)
        self.net = nn.Sequential(nn.Linear(n + 32, hidden), nn.GELU(), nn.Linear(hidden, hidden), nn.GELU(),
                                 nn.Linear(hidden, hidden), nn.GELU(), nn.Linear(hidden, 1))
        self.register_buffer("mean", torch.zeros(n))
        self.register_buffer("std", torch.ones(n))

    def forward(self, moves: torch.Tensor) -> torch.Tensor:
        plain = (moves[:, :self.n_plain] - self.mean) / self.std
        return self.net(torch.cat([plain, self.label(moves[:, self.n_plain:])], -1))[:, 0]


def _errors(pred: np.ndarray, y: np.ndarray, kinds: list[str], q: float = 50.0) -> dict[str, float]:
    """The q-th percentile of the relative amount error (%) per kind: exp(|log ratio|) - 1."""
    by = defaultdict(list)
    for p, t, k in zip(pred, y, kinds):
        by[k].append(np.expm1(abs(float(p) - float(t))) * 100.0)
    out = {k: round(float(np.percentile(v, q)), 2) for k, v in sorted(by.items())}
    out["all"] = round(float(np.percentile(np.expm1(np.abs(pred - y)) * 100.0, q)), 2)
    return out


def train_move_decoder(model_dir: str | Path, cfg: MoveDecoderConfig = MoveDecoderConfig(),
                       log=print) -> dict:
    """Train on simulated shots, export into model_dir (which must hold label_embeddings.npz); the summary."""
    folder = Path(model_dir)
    emb_path = folder / "label_embeddings.npz"
    if not emb_path.is_file():
        raise LensCraftError(f"{folder}: no label_embeddings.npz (export the model first: the move decoder reads "
                             "the movement labels' text embeddings from it)")
    with np.load(emb_path, allow_pickle=False) as z:
        emb = np.asarray(z["movement"], np.float32)
        encoder_id = str(z["__encoder_id__"]) if "__encoder_id__" in z.files else "unknown"
    torch.manual_seed(cfg.seed)
    t0 = time.time()
    X, y, _ = _examples(cfg.train_shots, cfg.seed, emb, cfg.workers)
    Xv, yv, kv = _examples(cfg.val_shots, cfg.seed + 10_000, emb, cfg.workers)
    log(f"move decoder: {len(y)} training moves, {len(yv)} validation moves ({time.time() - t0:.0f} s to simulate)")
    model = MoveDecoder(emb.shape[1], cfg.hidden)
    n = len(mf.FEATURES)
    model.mean.copy_(torch.from_numpy(X[:, :n].mean(0)))
    model.std.copy_(torch.from_numpy(np.maximum(X[:, :n].std(0), 1e-3)))
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, cfg.lr, total_steps=cfg.steps, pct_start=0.05)
    gen = torch.Generator().manual_seed(cfg.seed)
    for step in range(cfg.steps):
        idx = torch.randint(0, len(yt), (cfg.batch_size,), generator=gen)
        loss = nn.functional.smooth_l1_loss(model(Xt[idx]), yt[idx], beta=0.1)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 1000 == 0 or step == cfg.steps - 1:
            log(f"move decoder step {step}: loss {loss.item():.4f}")
    model.eval()
    with torch.no_grad():
        pred = model(torch.from_numpy(Xv)).numpy()
    errors, tail = _errors(pred, yv, kv), _errors(pred, yv, kv, 90.0)
    log(f"move decoder validation: median amount error {errors['all']:.2f} % ({errors}); 90th percentile {tail}")
    summary = {"config": asdict(cfg), "validation_median_error_pct": errors, "validation_p90_error_pct": tail,
               "train_moves": int(len(y)), "validation_moves": int(len(yv)), "seconds": round(time.time() - t0, 1)}
    export(model, folder, emb.shape[1], encoder_id, summary)
    return summary


def export(model: MoveDecoder, folder: Path, embedding_dim: int, encoder_id: str, summary: dict) -> None:
    from safetensors.torch import save_file

    from .export import _export

    _export(model, (torch.zeros(2, mf.feature_size(embedding_dim)),), ["moves"], "value", folder / "moves.onnx")
    atomic_write_with(folder / "moves.safetensors",
                      lambda p: save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(p)))
    meta = {"format": "lenscraft-move-decoder", "feature_version": mf.FEATURE_VERSION, "features": list(mf.FEATURES),
            "embedding_dim": int(embedding_dim), "hidden": model.net[0].out_features, "encoder_id": encoder_id,
            "vocabulary_hash": vocabulary_hash(), "kind_scale": mf.KIND_SCALE,
            "onnx_sha256": file_sha256(folder / "moves.onnx"), "training": summary}
    with atomic_writer(folder / "moves.json", overwrite=True) as f:
        f.write(json.dumps(meta, indent=1))
