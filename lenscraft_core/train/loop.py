"""The training run: train() wires the pieces together and steps the optimiser.

Run it with `python train.py [flags]` (flags mirror TrainConfig; `--recipe NAME` loads recipes/NAME.json) or
`torchrun --nproc_per_node N train.py ...`. The pieces, one file each: config.py (TrainConfig), data.py (shots ->
tensors, batch order), schedule.py (learning rate, curriculum), losses.py, optim.py, validate.py, logger.py,
distributed.py (device, DDP), finetune.py (encoder transplant), checkpoint.py, quick_metrics.py (--eval-only),
run_folder.py (what may happen to an existing --out: refusal, --overwrite, --resume's settings check).
This module also re-exports their public names (lenscraft_core.training is an alias of it).

Determinism (exact resume): the sample order of step s comes from a permutation seeded by (seed, epoch), and every
random draw of step s (noise, masks, teacher forcing) from a generator seeded by (seed, s, rank). Nothing depends on
how many steps ran in this process, so resuming from a checkpoint at step s continues exactly as if never stopped.
"""

from __future__ import annotations

import copy
import json
import math
import time
from dataclasses import asdict
from pathlib import Path

import torch
import torch.distributed as dist

from . import checkpoint as ckpt
from . import losses
from . import run_folder
from .. import features as ft
from ..errors import LensCraftError
from ..files import atomic_writer
from ..vocabulary import FIELD_NAMES
from .config import TrainConfig, TrainingDiverged, model_config
from .data import (FPS_RANGE, FRAMES_RANGE, MIN_DURATION_S, SIM_CHUNKS, batch_indices, label_table, load_features,
                   simulate_features, to_device, v1_features)
from .distributed import select_device, setup_distributed
from .finetune import transplant_encoder
from .logger import Logger
from .losses import MOTION_FLOOR, compute_losses
from .model import LensCraftModel, flops_per_sample
from .optim import make_optimizer, param_groups
from .quick_metrics import describe_accuracy, describe_scores, generation_scores, quick_metrics
from .schedule import curriculum, lr_at
from .validate import evaluate

generation_metrics = generation_scores  # the old name of quick_metrics' generation part

__all__ = ["TrainConfig", "TrainingDiverged", "model_config", "FPS_RANGE", "FRAMES_RANGE", "MIN_DURATION_S",
           "SIM_CHUNKS", "batch_indices", "label_table", "load_features", "simulate_features", "to_device",
           "v1_features", "select_device", "setup_distributed", "transplant_encoder", "Logger", "MOTION_FLOOR",
           "compute_losses", "make_optimizer", "param_groups", "describe_accuracy", "describe_scores",
           "generation_scores", "generation_metrics", "quick_metrics", "curriculum", "lr_at", "evaluate", "train"]


def write_json(path: Path, obj: dict) -> None:
    with atomic_writer(path, overwrite=True) as f:
        f.write(json.dumps(obj, indent=1))


def ema_update(ema: LensCraftModel, core: LensCraftModel, decay: float, step: int) -> None:
    """ema <- d * ema + (1 - d) * core, with d ramped up from 0.1 so the first steps' weights do not linger (the
    usual warm-up, (1 + step) / (10 + step)); buffers (field_center) are copied."""
    d = min(decay, (1 + step) / (10 + step))
    with torch.no_grad():
        for e, p in zip(ema.parameters(), core.parameters()):
            e.lerp_(p.detach(), 1.0 - d)
        for e, b in zip(ema.buffers(), core.buffers()):
            e.copy_(b)


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
    run_folder.check_start(cfg)  # before anything is written: a run's folder is never silently reused
    if world > 1:
        dist.barrier()  # every rank has checked before rank 0 changes the folder
    if rank == 0:
        out.mkdir(parents=True, exist_ok=True)
        run_folder.prepare(cfg)
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
    opt = make_optimizer(core, cfg)
    start, best, resumed = 0, float("inf"), False
    last = out / "last"
    if cfg.resume:  # check_start made sure OUT/last exists, trained with the same settings
        loaded, meta = ckpt.load(last, encoder_id=encoder_id, text_dim=text_dim, model_config=mcfg,
                                 map_location=str(device), optimizer=opt)
        core.load_state_dict(loaded.state_dict())
        start, best, resumed = meta["training"]["step"], meta["training"]["best_val"], True
    ema = None
    if cfg.ema > 0:  # a copy that trails the weights (ema_update); resumed from OUT/ema, saved beside `last`
        if not 0 < cfg.ema < 1:
            raise LensCraftError(f"--ema {cfg.ema}: the decay is between 0 and 1 (0.999 averages ~1000 steps)")
        ema = copy.deepcopy(core).eval()
        if resumed and ckpt.checkpoint_paths(out / "ema")[1].exists():
            ema.load_state_dict(ckpt.load(out / "ema", encoder_id=encoder_id, text_dim=text_dim, model_config=mcfg,
                                          map_location=str(device))[0].state_dict())
        for p in ema.parameters():
            p.requires_grad_(False)

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

    logger = Logger(out, rank == 0, resume_step=start if resumed else None)
    if rank == 0:
        write_json(out / "config.json", {"train": asdict(cfg), "model": mcfg.to_dict(), "encoder": encoder_id,
                                         "data": data_info})

    def save(stem: str, step: int, weights: LensCraftModel | None = None) -> None:
        if rank == 0:
            ckpt.save(out / stem, core if weights is None else weights, encoder_id, text_dim,
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
            loss, terms = losses.compute_losses(model, core, batch, table, table_valid, cur, cfg, gen)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if cfg.grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(core.parameters(), cfg.grad_clip)
        opt.step()
        if ema is not None:
            ema_update(ema, core, cfg.ema, step)
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
            if ema is not None:
                logger.log(done, "val_ema", evaluate(ema, val_t, table, table_valid, cfg, autocast))
                save("ema", done, ema)
            logger.flush()  # before `last`: a kill in between leaves rows past the checkpoint, dropped on resume
            save("last", done)
    if bar is not None:
        bar.close()
    elapsed = time.time() - t0
    summary = {"steps": stop, "resumed_from": start if resumed else None, "device": str(device), "world": world,
               "bf16": bf16, "params": core.num_params(), "encoder": encoder_id, "data": data_info,
               "samples_per_s": seen / max(elapsed, 1e-9), "seconds": elapsed, "best_val_loss": best,
               "val": last_val, "train_flops_per_sample": flops_per_sample(mcfg)}
    if rank == 0:
        write_json(out / "summary.json", summary)
    logger.close()
    if dist.is_initialized():
        dist.barrier()
    return summary

