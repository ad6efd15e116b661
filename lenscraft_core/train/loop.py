"""Training: data -> tensors on the device, the loss, the curriculum, the loop, checkpoints, logs, DDP.

Run it with `python train.py [flags]` (flags mirror TrainConfig) or `torchrun --nproc_per_node N train.py ...`.

Determinism (exact resume): the sample order of step s comes from a permutation seeded by (seed, epoch), and every
random draw of step s (noise, masks, teacher forcing) from a generator seeded by (seed, s, rank). Nothing depends on
how many steps ran in this process, so resuming from a checkpoint at step s continues exactly as if never stopped.
"""

from __future__ import annotations

import csv
import json
import math
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F

from . import checkpoint as ckpt
from .. import features as ft
from ..errors import LensCraftError
from .model import (MOVE_CHANNELS, PRESETS, PROFILE_CHANNELS, LensCraftModel, ModelConfig, camera_view,
                    flops_per_sample, motion_features, rotation_geodesic)
from ..vocabulary import FIELD_NAMES


class TrainingDiverged(LensCraftError):
    pass


@dataclass
class TrainConfig:
    # data: no paths -> simulate. Paths: LensCraft v1 JSON, our JSON, or folders of them.
    data: list[str] = field(default_factory=list)
    lenient: bool = False
    sim_count: int = 60000
    val_count: int = 1000
    sim_frames: int = 0  # frames per simulated shot; 0 = varied (log-uniform FRAMES_RANGE, fps in FPS_RANGE)
    val_fraction: float = 0.05  # of loaded data
    # model
    model: str = "small"  # the bundled model (trained on a shared 2-core CPU; see docs/MODEL_CARD.md)
    decoder: str = "single_pass"  # or "autoregressive" (docs/model.md compares them)
    output: str = "auto"  # decoder head (model.py): "factored" (first frame + the move, from the movement / easing
    # tokens and the placement only, in the camera's and the level frame), "relative" (first frame + camera-frame move
    # from the whole memory), "absolute" (every frame); auto = factored, or relative for the autoregressive decoder
    encoder: str = "minilm"
    # optimisation
    steps: int = 8000
    batch_size: int = 64  # global, over all ranks
    lr: float = 1e-3
    min_lr_ratio: float = 0.05
    warmup: int = 100
    weight_decay: float = 0.01
    grad_clip: float = 1.0
    # loss weights
    w_pos: float = 1.0
    w_rot: float = 1.0
    w_focal: float = 1.0
    w_delta: float = 2.0  # every frame relative to the first, predicted vs true (see compute_losses)
    w_profile: float = 0.0  # the easing: motion_features' speed profile of moving shots, prediction vs truth
    w_motion: float = 4.0  # the encoder's camera-relative motion features, prediction vs truth, per move size
    w_frame: float = 1.0  # framing: subject centre NDC and log shot size of the predicted camera vs the true one
    w_text: float = 1.0  # per field: 1 - cosine to the true label's text embedding
    w_label_ce: float = 1.0  # per field: cross-entropy over cosine / label_tau against all labels of the field
    label_tau: float = 0.05  # (text embeddings of labels are close together; this term separates them)
    # augmentation and curriculum (linear from start to end over the run)
    noise_start: float = 0.002  # feature units; velocities are x T, so larger noise drowns slow moves
    noise_end: float = 0.0
    mask_start: float = 0.0
    mask_end: float = 0.5
    tf_start: float = 1.0
    tf_end: float = 0.7
    label_memory_p: float = 0.5  # share of samples whose decoder memory is the label text embeddings
    field_dropout: float = 0.1  # share of memory fields replaced by the "unspecified" token
    # run
    val_every: int = 500
    log_every: int = 10
    device: str = "auto"
    precision: str = "auto"  # auto (bf16 on CUDA, fp32 on CPU) | bf16 | fp32
    compile: bool = False
    seed: int = 0
    out: str = "runs/lenscraft"
    resume: bool = False
    init: str | None = None  # start from this checkpoint's weights and architecture (fine-tuning), fresh optimiser
    freeze_encoder: bool = False  # train the merger and decoder only (with --init: improve generation, keep describe)
    init_encoder: str | None = None  # with --init: take the encoder (describe) from this checkpoint instead
    progress: bool = True
    stop_after: int | None = None  # stop at this step as if interrupted (the schedule still spans `steps`)
    cache_dir: str | None = None  # label-embedding cache (default ~/.cache/lenscraft)


# ---------------------------------------------------------------------------------------------------- data
FRAMES_RANGE = (8, 240)  # varied simulated shots: frame count log-uniform in this range ...
FPS_RANGE = (12.0, 60.0)  # ... fps uniform in this range, capped so that a shot lasts at least MIN_DURATION_S
MIN_DURATION_S = 0.75
SIM_CHUNKS = 16  # one frame count per chunk (simulate_batch takes one frame count per call)


def simulate_features(n: int, seed: int, frames: int = 0, split: str = "train", length: int = ft.T_DEFAULT
                      ) -> ft.Features:
    """n simulated shots with labels from splits.sample_labels(split) (held-out triples never appear in "train"),
    encoded at `length` frames. frames=0: SIM_CHUNKS chunks of varied frame counts and frame rates."""
    from ..simulate import simulate_batch
    from ..splits import sample_labels

    rng = np.random.default_rng(seed)
    if frames:
        labels = sample_labels(n, rng, split)
        return ft.encode_batch(simulate_batch(n, frames=frames, seed=seed, labels=labels), length)
    parts = []
    sizes = np.diff(np.linspace(0, n, SIM_CHUNKS + 1).astype(int))
    for i, size in enumerate(sizes):
        if size == 0:
            continue
        f = int(round(np.exp(rng.uniform(*np.log(FRAMES_RANGE)))))
        fps = np.minimum(rng.uniform(*FPS_RANGE, size), max(FPS_RANGE[0], f / MIN_DURATION_S))
        labels = sample_labels(int(size), rng, split)
        parts.append(ft.encode_batch(simulate_batch(int(size), frames=f, fps=fps, seed=seed * 1009 + i,
                                                    labels=labels), length))
    return ft.Features.concat(parts)


def load_features(cfg: TrainConfig, frames: int) -> tuple[ft.Features, ft.Features, dict]:
    """(train, val, description). Simulated data is regenerated identically from the seed on resume."""
    if not cfg.data:
        train = simulate_features(cfg.sim_count, cfg.seed, cfg.sim_frames, "train", frames)
        val = simulate_features(cfg.val_count, cfg.seed + 1_000_003, cfg.sim_frames, "train", frames)
        return train, val, {"source": "simulated", "split": "train", "train": len(train), "val": len(val),
                            "frames": cfg.sim_frames or list(FRAMES_RANGE), "fps": list(FPS_RANGE)}
    from .. import formats

    shots, skipped = [], 0
    for path in cfg.data:
        result = formats.load(path, lenient=cfg.lenient)
        shots += [s for shot in result.shots for s in shot.split()]
        skipped += len(getattr(result, "skipped", []) or [])
    if len(shots) < 2:
        raise LensCraftError(f"{', '.join(cfg.data)}: need at least 2 samples to train, found {len(shots)}")
    feats = ft.encode_shots(shots, frames)
    order = np.random.default_rng(cfg.seed).permutation(len(feats))
    n_val = max(1, int(round(len(feats) * cfg.val_fraction)))
    return feats.subset(order[n_val:]), feats.subset(order[:n_val]), {
        "source": [str(p) for p in cfg.data], "train": len(feats) - n_val, "val": n_val, "skipped": skipped}


def to_device(f: ft.Features, device) -> dict[str, torch.Tensor]:
    return {"camera": torch.as_tensor(f.camera, device=device), "subject": torch.as_tensor(f.subject, device=device),
            "motion": torch.as_tensor(f.motion, device=device), "labels": torch.as_tensor(f.labels, device=device)}


def label_table(emb: dict[str, np.ndarray], device) -> tuple[torch.Tensor, torch.Tensor]:
    """Label embeddings padded to (n_fields, max_labels, dim) and a (n_fields, max_labels) validity mask."""
    n = max(len(emb[f]) for f in FIELD_NAMES)
    dim = emb[FIELD_NAMES[0]].shape[1]
    table = torch.zeros(len(FIELD_NAMES), n, dim)
    valid = torch.zeros(len(FIELD_NAMES), n, dtype=torch.bool)
    for i, f in enumerate(FIELD_NAMES):
        table[i, :len(emb[f])] = torch.as_tensor(emb[f])
        valid[i, :len(emb[f])] = True
    return table.to(device), valid.to(device)


def batch_indices(step: int, n: int, batch_size: int, seed: int) -> torch.Tensor:
    """Global sample indices of a step: consecutive slices of per-epoch permutations seeded by (seed, epoch)."""
    start = step * batch_size
    out = []
    while len(out) < batch_size:
        epoch, offset = divmod(start + len(out), n)
        g = torch.Generator().manual_seed(seed * 7919 + epoch)
        perm = torch.randperm(n, generator=g)
        out += perm[offset:offset + batch_size - len(out)].tolist()
    return torch.tensor(out)


# ---------------------------------------------------------------------------------------------------- schedule
def lr_at(step: int, cfg: TrainConfig) -> float:
    if step < cfg.warmup:
        return cfg.lr * (step + 1) / cfg.warmup
    p = min(1.0, (step - cfg.warmup) / max(1, cfg.steps - cfg.warmup))
    return cfg.lr * (cfg.min_lr_ratio + (1 - cfg.min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * p)))


def curriculum(step: int, cfg: TrainConfig) -> dict[str, float]:
    """Input noise falls, the masked share rises and teacher forcing falls, linearly over the run."""
    p = min(1.0, step / max(1, cfg.steps - 1))
    lerp = lambda a, b: a + (b - a) * p  # noqa: E731
    return {"noise": lerp(cfg.noise_start, cfg.noise_end), "mask": lerp(cfg.mask_start, cfg.mask_end),
            "tf": lerp(cfg.tf_start, cfg.tf_end)}


# ---------------------------------------------------------------------------------------------------- loss
MOTION_FLOOR = 0.1  # move size below which a shot counts as locked off (in motion_features units)


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


def compute_losses(model, core: LensCraftModel, batch: dict, table: torch.Tensor, table_valid: torch.Tensor,
                   cur: dict, cfg: TrainConfig, gen: torch.Generator | None) -> tuple[torch.Tensor, dict]:
    """Total loss and each term (tensors). model is what runs the differentiable forward (DDP wrapper or core);
    core is the bare model (used without gradients for the scheduled-sampling pre-pass)."""
    camera, subject, motion, labels = batch["camera"], batch["subject"], batch["motion"], batch["labels"]
    B, T, _ = camera.shape
    dev = camera.device
    rand = lambda *shape: torch.rand(*shape, generator=gen, device=dev)  # noqa: E731
    noisy = camera + cur["noise"] * torch.randn(camera.shape, generator=gen, device=dev) if cur["noise"] > 0 \
        else camera
    # Each sample masks a share of its frames drawn uniformly up to the curriculum's ratio, so fully known shots
    # (what describe sees) stay common all through the run.
    known = rand(B, T) >= cur["mask"] * rand(B, 1) if cur["mask"] > 0 else None
    fields = torch.arange(len(FIELD_NAMES), device=dev)
    has_label = labels >= 0
    label_emb = table[fields, labels.clamp(min=0)]  # (B, n_fields, dim)
    use_label = has_label & (rand(B, 1) < cfg.label_memory_p) if cfg.label_memory_p > 0 else None
    field_keep = rand(B, len(FIELD_NAMES)) >= cfg.field_dropout if cfg.field_dropout > 0 else None

    prev = camera
    if core.cfg.decoder == "autoregressive" and cur["tf"] < 1.0:
        # Scheduled sampling in two parallel passes: predict with teacher forcing, then feed a random share of
        # those predictions back as the "previous frame" inputs.
        with torch.no_grad():
            _, guess = core(noisy, subject, motion, known, camera, label_emb, use_label, field_keep)
        prev = torch.where(rand(B, T, 1) < cur["tf"], camera, guess.to(camera.dtype))

    field_emb, pred = model(noisy, subject, motion, known, prev, label_emb, use_label, field_keep)
    pred, field_emb = pred.float(), field_emb.float()
    terms = {
        "pos": F.mse_loss(pred[..., :3], camera[..., :3]),
        "rot": rotation_geodesic(pred[..., 3:9], camera[..., 3:9]).mean(),
        "focal": F.mse_loss(pred[..., 9], camera[..., 9]),
    }
    # The shot's overall placement dominates the per-frame error, so the move itself (each frame relative to the
    # first) gets its own term; without it the decoder settles on a still camera at the right spot.
    terms["delta"] = F.mse_loss(pred - pred[:, :1], camera - camera[:, :1])
    # ... and in the camera's own frame (motion_features), where "truck left" or "roll right" is the same numbers
    # from every view. Each shot's error is divided by the size of its true move (MOTION_FLOOR for a locked-off
    # shot), so a pan that comes out half as big costs as much as a half-size orbit: a plain MSE is all orbits and
    # full zooms.
    # (Only the move channels: the velocity and speed-profile ones, divided by near-zero speeds, train far slower.)
    every = torch.ones(camera.shape[:2], dtype=torch.float32, device=dev)
    mf_true = motion_features(camera.float(), motion.float(), every)
    mf_pred = motion_features(pred, motion.float(), every)
    true_move = mf_true[..., MOVE_CHANNELS]
    size = true_move.pow(2).mean((1, 2)).sqrt()  # (B,)
    err = (mf_pred[..., MOVE_CHANNELS] - true_move).pow(2).mean((1, 2))
    terms["motion"] = (err / (size + MOTION_FLOOR).pow(2)).mean()  # ~1 for a still camera where a move was due
    # The easing: speed / mean speed and the covered share of the path, for shots that move at all.
    moving = (size > MOTION_FLOOR).float()
    prof = (mf_pred[..., PROFILE_CHANNELS] - mf_true[..., PROFILE_CHANNELS]).pow(2).mean((1, 2))
    terms["profile"] = (prof * moving).sum() / moving.sum().clamp(min=1)
    ndc_p, cov_p = camera_view(pred, motion[..., 0:3].float())
    ndc_t, cov_t = camera_view(camera.float(), motion[..., 0:3].float())
    terms["frame"] = F.mse_loss(ndc_p.clamp(-3, 3), ndc_t.clamp(-3, 3)) + F.mse_loss(cov_p, cov_t)
    cos = (field_emb * label_emb.float()).sum(-1)  # (B, n_fields)
    w = has_label.float()
    text = ((1 - cos) * w).sum(0) / w.sum(0).clamp(min=1)
    for i, f in enumerate(FIELD_NAMES):
        terms[f"text_{f}"] = text[i]
    scores = torch.einsum("bfd,fld->bfl", field_emb, table.float()).masked_fill(~table_valid, -2.0)
    ce = F.cross_entropy((scores / cfg.label_tau).flatten(0, 1), labels.flatten(), ignore_index=-1,
                         reduction="none").view(B, -1)
    ce = (ce * w).sum(0) / w.sum(0).clamp(min=1)
    terms["label_ce"] = ce.sum()
    total = (cfg.w_pos * terms["pos"] + cfg.w_rot * terms["rot"] + cfg.w_focal * terms["focal"]
             + cfg.w_frame * terms["frame"] + cfg.w_delta * terms["delta"] + cfg.w_motion * terms["motion"]
             + cfg.w_profile * terms["profile"]
             + cfg.w_text * text.sum() + cfg.w_label_ce * ce.sum())
    terms["loss"] = total
    with torch.no_grad():  # field accuracy: nearest label embedding
        hit = (scores.argmax(-1) == labels).float()
        for i, f in enumerate(FIELD_NAMES):
            terms[f"acc_{f}"] = (hit[:, i] * w[:, i]).sum() / w[:, i].sum().clamp(min=1)
    return total, terms


@torch.no_grad()
def evaluate(core: LensCraftModel, data: dict, table, table_valid, cfg: TrainConfig, autocast,
             chunk: int = 1024) -> dict[str, float]:
    """Validation: clean inputs, teacher forcing, memory from the encoder; plus free-running generation from the
    label text embeddings on the first chunk (the generation path users get)."""
    core.eval()
    n = data["camera"].shape[0]
    vcfg = TrainConfig(**{**asdict(cfg), "label_memory_p": 0.0, "field_dropout": 0.0})
    sums: dict[str, float] = {}
    for a in range(0, n, chunk):
        batch = {k: v[a:a + chunk] for k, v in data.items()}
        with autocast():
            _, terms = compute_losses(core, core, batch, table, table_valid, {"noise": 0.0, "mask": 0.0, "tf": 1.0},
                                      vcfg, None)
        for k, v in terms.items():
            sums[k] = sums.get(k, 0.0) + float(v) * batch["camera"].shape[0]
    out = {k: v / n for k, v in sums.items()}
    batch = {k: v[:min(n, 256)] for k, v in data.items()}
    labels = batch["labels"]
    fields = torch.arange(len(FIELD_NAMES), device=labels.device)
    with autocast():
        memory = core.memory(table[fields, labels.clamp(min=0)], batch["subject"], labels >= 0)
        gen = core.generate(memory, batch["motion"]).float()
    out["gen_pos"] = float(F.mse_loss(gen[..., :3], batch["camera"][..., :3]))
    out["gen_rot_deg"] = float(rotation_geodesic(gen[..., 3:9], batch["camera"][..., 3:9]).mean() * 180 / math.pi)
    core.train()
    return out


# ---------------------------------------------------------------------------------------------------- logging
class Logger:
    """CSV + TensorBoard (when installed), rank 0 only."""

    def __init__(self, out: Path, enabled: bool):
        self.enabled, self.path = enabled, out / "metrics.csv"
        self.tb = None
        if enabled:
            try:
                from torch.utils.tensorboard import SummaryWriter
                self.tb = SummaryWriter(str(out / "tb"))
            except Exception:  # tensorboard is optional
                self.tb = None

    def log(self, step: int, split: str, values: dict[str, float]) -> None:
        if not self.enabled:
            return
        row = {"step": step, "split": split, **{k: round(float(v), 7) for k, v in values.items()}}
        new = not self.path.exists()
        with open(self.path, "a", newline="") as f:
            w = csv.writer(f)
            if new:
                w.writerow(["step", "split", "key", "value"])  # long format: any set of metrics per row group
            for k, v in row.items():
                if k not in ("step", "split"):
                    w.writerow([step, split, k, v])
        if self.tb is not None:
            for k, v in values.items():
                self.tb.add_scalar(f"{split}/{k}", float(v), step)

    def close(self) -> None:
        if self.tb is not None:
            self.tb.close()


# ---------------------------------------------------------------------------------------------------- the run
def setup_distributed(device: torch.device) -> tuple[int, int]:
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world > 1 and not dist.is_initialized():
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return (dist.get_rank(), dist.get_world_size()) if dist.is_initialized() else (0, 1)


def select_device(cfg: TrainConfig) -> torch.device:
    if cfg.device != "auto":
        return torch.device(cfg.device)
    if torch.cuda.is_available():
        return torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
    return torch.device("cpu")


def model_config(cfg: TrainConfig, text_dim: int) -> ModelConfig:
    if cfg.model not in PRESETS:
        raise LensCraftError(f"unknown model size '{cfg.model}': choose one of {', '.join(PRESETS)}")
    output = cfg.output
    if output == "auto":  # factored needs the single-pass decoder (model.py)
        output = "factored" if cfg.decoder == "single_pass" else "relative"
    try:
        return ModelConfig(text_dim=text_dim, decoder=cfg.decoder, output=output, **PRESETS[cfg.model])
    except ValueError as e:
        raise LensCraftError(f"--decoder {cfg.decoder} --output {output}: {e}") from None


def train(cfg: TrainConfig, features: tuple[ft.Features, ft.Features] | None = None) -> dict:
    """Run (or resume) training; returns the summary also written to OUT/summary.json. `features` = (train, val)
    replaces cfg's data source (for callers that already hold arrays)."""
    from ..text.cache import label_embeddings

    device = select_device(cfg)
    if device.type == "cuda":
        torch.cuda.set_device(device)
    rank, world = setup_distributed(device)
    if cfg.batch_size % world:
        raise LensCraftError(f"batch size {cfg.batch_size} is not divisible by the {world} processes")
    out = Path(cfg.out)
    if rank == 0:
        out.mkdir(parents=True, exist_ok=True)
    bf16 = cfg.precision == "bf16" or (cfg.precision == "auto" and device.type == "cuda")
    autocast = lambda: torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16)  # noqa: E731

    encoder_id, emb = label_embeddings(cfg.encoder, cfg.cache_dir)
    text_dim = emb[FIELD_NAMES[0]].shape[1]
    table, table_valid = label_table(emb, device)
    mcfg = model_config(cfg, text_dim)

    torch.manual_seed(cfg.seed)
    if cfg.init:  # fine-tune: the checkpoint's architecture and weights; optimiser and schedule start afresh
        init_model, _ = ckpt.load(cfg.init, encoder_id=encoder_id, text_dim=text_dim, map_location=str(device))
        mcfg = init_model.cfg
        core = init_model.train()
    else:
        core = LensCraftModel(mcfg).to(device)
    if cfg.init_encoder:
        if not cfg.init:
            raise LensCraftError("--init-encoder needs --init (the checkpoint whose merger and decoder to start from)")
        transplant_encoder(core, cfg.init_encoder, encoder_id, text_dim)
    with torch.no_grad():  # each field's mean label embedding (see LensCraftModel.field_center)
        valid = table_valid.float()[..., None]
        core.field_center.copy_((table * valid).sum(1) / valid.sum(1).clamp(min=1))
    if cfg.freeze_encoder:  # fine-tune generation only: describe (the encoder) stays exactly as it was
        for p in core.encoder_parameters():
            p.requires_grad_(False)
    opt = torch.optim.AdamW([p for p in core.parameters() if p.requires_grad], lr=cfg.lr, betas=(0.9, 0.95),
                            weight_decay=cfg.weight_decay)
    start, best, resumed = 0, float("inf"), False
    last = out / "last"
    if cfg.resume and (out / "last.json").exists():
        loaded, meta = ckpt.load(last, encoder_id=encoder_id, text_dim=text_dim, model_config=mcfg,
                                 map_location=str(device), optimizer=opt)
        core.load_state_dict(loaded.state_dict())
        start, best, resumed = meta["training"]["step"], meta["training"]["best_val"], True
    elif cfg.resume:
        raise LensCraftError(f"--resume: no checkpoint at {out / 'last.json'}")

    if features is None:
        train_f, val_f, data_info = load_features(cfg, mcfg.frames)
    else:
        (train_f, val_f), data_info = features, {"source": "arrays", "train": len(features[0]),
                                                 "val": len(features[1])}
    train_t, val_t = to_device(train_f, device), to_device(val_f, device)
    n = len(train_f)

    model = core
    if world > 1:
        model = torch.nn.parallel.DistributedDataParallel(core, device_ids=[device.index] if device.type == "cuda"
                                                          else None)
    if cfg.compile:
        model = torch.compile(model)

    logger = Logger(out, rank == 0)
    if rank == 0:
        (out / "config.json").write_text(json.dumps({"train": asdict(cfg), "model": mcfg.to_dict(),
                                                     "encoder": encoder_id, "data": data_info}, indent=1))

    def save(stem: str, step: int) -> None:
        if rank == 0:
            ckpt.save(out / stem, core, encoder_id, text_dim,
                      training={"step": step, "best_val": best, "config": asdict(cfg), "data": data_info},
                      optimizer=opt if stem == "last" else None)

    stop = min(cfg.steps, cfg.stop_after or cfg.steps)
    bar = None
    if cfg.progress and rank == 0:
        from tqdm import tqdm
        bar = tqdm(total=stop, initial=start, desc="train", dynamic_ncols=True)
    t0, seen, last_val = time.time(), 0, {}
    per_rank = cfg.batch_size // world
    core.train()
    for step in range(start, stop):
        idx = batch_indices(step, n, cfg.batch_size, cfg.seed)[rank * per_rank:(rank + 1) * per_rank].to(device)
        batch = {k: v.index_select(0, idx) for k, v in train_t.items()}
        gen = torch.Generator(device=device).manual_seed(cfg.seed * 1_000_003 + step * 101 + rank)
        torch.manual_seed(cfg.seed * 7 + step)  # dropout, if any, is reproducible per step too
        lr = lr_at(step, cfg)
        for g in opt.param_groups:
            g["lr"] = lr
        cur = curriculum(step, cfg)
        with autocast():
            loss, terms = compute_losses(model, core, batch, table, table_valid, cur, cfg, gen)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if cfg.grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(core.parameters(), cfg.grad_clip)
        opt.step()
        seen += cfg.batch_size

        done = step + 1
        if done % cfg.log_every == 0 or done == stop or done % cfg.val_every == 0:
            values = {k: float(v.detach()) for k, v in terms.items()}
            if not all(math.isfinite(v) for v in values.values()):
                bad = ", ".join(f"{k}={v}" for k, v in values.items() if not math.isfinite(v))
                raise TrainingDiverged(f"step {done}: non-finite loss ({bad}); stopped. The last good checkpoint "
                                       f"is {out / 'last.json'} (try a lower --lr)")
            rate = seen / max(time.time() - t0, 1e-9)
            logger.log(done, "train", {**values, "lr": lr, **cur, "samples_per_s": rate})
            if bar is not None:
                bar.set_postfix(loss=f"{values['loss']:.4f}", sps=f"{rate:.0f}")
        if bar is not None:
            bar.update(1)
        if done % cfg.val_every == 0 or done == stop:
            last_val = evaluate(core, val_t, table, table_valid, cfg, autocast)
            logger.log(done, "val", last_val)
            if rank == 0 and last_val["loss"] < best:
                best = last_val["loss"]
                save("best", done)
            save("last", done)
    if bar is not None:
        bar.close()
    elapsed = time.time() - t0
    summary = {"steps": stop, "resumed_from": start if resumed else None, "device": str(device), "world": world,
               "bf16": bf16, "params": core.num_params(), "encoder": encoder_id, "data": data_info,
               "samples_per_s": seen / max(elapsed, 1e-9), "seconds": elapsed, "best_val_loss": best,
               "val": last_val, "train_flops_per_sample": flops_per_sample(mcfg)}
    if rank == 0:
        (out / "summary.json").write_text(json.dumps(summary, indent=1))
    logger.close()
    if dist.is_initialized():
        dist.barrier()
    return summary


# ---------------------------------------------------------------------------------------------------- quick metrics
@torch.no_grad()
def describe_scores(core: LensCraftModel, f: ft.Features, table: torch.Tensor, table_valid: torch.Tensor,
                    chunk: int = 1024) -> torch.Tensor:
    """Cosine of each field embedding to every label of its field: (N, n_fields, max_labels), -2 where padding."""
    out = []
    for a in range(0, len(f), chunk):
        t = to_device(f.subset(np.arange(a, min(a + chunk, len(f)))), table.device)
        emb = core.encode(t["camera"], t["subject"], t["motion"]).float()
        out.append(torch.einsum("bfd,fld->bfl", emb, table.float()).masked_fill(~table_valid, -2.0))
    return torch.cat(out)


def describe_accuracy(scores: torch.Tensor, labels: np.ndarray, prefix: str = "") -> dict[str, float]:
    """Top-1 and top-3 accuracy per field over the samples that carry the field's label."""
    out = {}
    lab = torch.as_tensor(labels, device=scores.device)
    top3 = scores.topk(3, dim=-1).indices
    for i, name in enumerate(FIELD_NAMES):
        has = lab[:, i] >= 0
        if has.any():
            out[f"{prefix}{name}_top1"] = float((top3[has, i, 0] == lab[has, i]).float().mean())
            out[f"{prefix}{name}_top3"] = float((top3[has, i] == lab[has, i, None]).any(-1).float().mean())
    return out


@torch.no_grad()
def generation_metrics(core: LensCraftModel, batch, table: torch.Tensor) -> dict[str, float]:
    """Generate from the label text embeddings for the batch's labels and subjects; compare with the simulator's
    shots (ShotBatch) and measure framing with framing.py (the one definition of shot size, angle, in frame)."""
    from .. import framing

    f = ft.encode_batch(batch, core.cfg.frames)
    t = to_device(f, table.device)
    labels = t["labels"]
    fields = torch.arange(len(FIELD_NAMES), device=labels.device)
    memory = core.memory(table[fields, labels.clamp(min=0)], t["subject"], labels >= 0)
    cam = core.generate(memory, t["motion"]).float().cpu().numpy()
    pos, rot, focal = ft.decode_camera(cam, f.anchor, batch.frames)
    m = framing.measure_arrays(pos, rot, focal, batch.subject_pos, batch.subject_rot, batch.subject_size[:, None, :],
                               batch.sensor_width, batch.aspect)
    extent = batch.subject_size.max(1)
    dot = np.abs(np.sum(rot * batch.cam_rot, -1)).clip(0, 1)
    # The asked move, read back by the model's own describe (evaluate.readback is the full version).
    back = ft.encode_arrays(pos, rot, focal, batch.subject_pos, batch.subject_rot, batch.subject_size, None,
                            core.cfg.frames)
    scores = describe_scores(core, back, table, table_valid=torch.ones(table.shape[:2], dtype=torch.bool,
                                                                       device=table.device))
    return {
        "gen_movement_readback": float((scores[:, 0].argmax(-1).cpu().numpy() == batch.labels["movement"]).mean()),
        "gen_on_screen": float(m.centre_in_frame.mean()),
        "gen_first_shot_type": float((m.shot_type[:, 0] == batch.labels["shot_type"]).mean()),
        "gen_first_angle": float((m.angle[:, 0] == batch.labels["angle"]).mean()),
        "gen_pos_err_rel": float((np.linalg.norm(pos - batch.cam_pos, axis=-1) / extent[:, None]).mean()),
        "gen_pos_err_rel_dist": float((np.linalg.norm(pos - batch.cam_pos, axis=-1)
                                       / np.linalg.norm(batch.cam_pos - batch.subject_pos, axis=-1)).mean()),
        "gen_rot_err_deg": float(np.degrees(2 * np.arccos(dot)).mean()),
    }


def v1_features(v1_dir: str | Path, length: int = ft.T_DEFAULT) -> ft.Features:
    """The single-instruction LensCraft v1 files (real output of the original simulator), never trained on."""
    from .. import formats

    shots = []
    for name in ("v1_single_30f.json", "v1_single_30f_5subj.json"):
        shots += [s for shot in formats.load(Path(v1_dir) / name).shots for s in shot.split()]
    return ft.encode_shots(shots, length)


def quick_metrics(stem: str | Path, n: int = 1000, seed: int = 12345, v1_dir: str | Path | None = None,
                  cache_dir: str | None = None) -> dict[str, float]:
    """Describe accuracy on IID simulated shots (train-split label triples, fresh seed, varied frame counts) and on
    held-out triples; generation metrics from label embeddings at 30 frames / 24 fps; v1 describe accuracy when
    v1_dir is given. The evaluation suite (`python -m lenscraft_core evaluate`) is the full version."""
    from ..simulate import simulate_batch
    from ..splits import sample_labels
    from ..text.cache import label_embeddings

    core, meta = ckpt.load(stem)
    encoder_id, emb = label_embeddings(meta["text_encoder"]["id"], cache_dir)
    table, valid = label_table(emb, "cpu")
    out = {"params": core.num_params()}
    iid = simulate_features(n, seed, 0, "train", core.cfg.frames)
    out.update(describe_accuracy(describe_scores(core, iid, table, valid), iid.labels, "iid_"))
    held = simulate_features(n // 2, seed + 1, 0, "heldout", core.cfg.frames)
    out.update(describe_accuracy(describe_scores(core, held, table, valid), held.labels, "heldout_"))
    batch = simulate_batch(n // 2, frames=30, fps=24.0, seed=seed + 2,
                           labels=sample_labels(n // 2, np.random.default_rng(seed + 2), "train"))
    out.update(generation_metrics(core, batch, table))
    if v1_dir is not None:
        v1 = v1_features(v1_dir, core.cfg.frames)
        out.update(describe_accuracy(describe_scores(core, v1, table, valid), v1.labels, "v1_"))
    return out
