"""Quick checkpoint metrics (`python train.py --eval-only`, tools/bundle_model.py): describe accuracy on simulated
and v1 shots, and generation scored with the shared metrics (lenscraft_core.metrics). The evaluation suite
(`python -m lenscraft_core evaluate`) is the full version."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from . import checkpoint as ckpt
from .. import features as ft
from .. import metrics
from ..vocabulary import FIELD_NAMES
from .data import label_table, simulate_features, to_device, v1_features
from .model import LensCraftModel


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
def generation_scores(core: LensCraftModel, batch, table: torch.Tensor) -> dict[str, float]:
    """Generate from the label text embeddings for the batch's labels and subjects and score the shots against the
    simulator's (ShotBatch) with metrics.generation_metrics; plus the asked move read back by the model's own
    describe (evaluate.suite.readback is the full version)."""
    f = ft.encode_batch(batch, core.cfg.frames)
    t = to_device(f, table.device)
    labels = t["labels"]
    fields = torch.arange(len(FIELD_NAMES), device=labels.device)
    memory = core.memory(table[fields, labels.clamp(min=0)], t["subject"], labels >= 0)
    cam = core.generate(memory, t["motion"]).float().cpu().numpy()
    pos, rot, focal = ft.decode_camera(cam, f.anchor, batch.frames)
    truth = {k: getattr(batch, k) for k in ("cam_pos", "cam_rot", "focal", "subject_pos", "subject_rot",
                                           "subject_size", "fps")}
    truth["person"] = batch.is_person
    m = metrics.generation_metrics((pos, rot, focal), truth, batch.labels, batch.sensor_width, batch.aspect)
    back = ft.encode_arrays(pos, rot, focal, batch.subject_pos, batch.subject_rot, batch.subject_size, None,
                            core.cfg.frames, batch.person)
    scores = describe_scores(core, back, table, table_valid=torch.ones(table.shape[:2], dtype=torch.bool,
                                                                       device=table.device))
    mean = lambda k: float(np.nanmean(m[k]))  # noqa: E731  (NaN: undefined for that sample, e.g. no label)
    return {
        "gen_movement_readback": float((scores[:, 0].argmax(-1).cpu().numpy() == batch.labels["movement"]).mean()),
        "gen_on_screen": mean("on_screen"),
        "gen_first_shot_type": mean("shot_type_ok"),
        "gen_first_angle": mean("angle_ok"),
        "gen_pos_err_rel": mean("position_err"),
        "gen_pos_err_rel_dist": mean("position_err_dist"),
        "gen_rot_err_deg": mean("rotation_err_deg"),
    }


def quick_metrics(stem: str | Path, n: int = 1000, seed: int = 12345, v1_dir: str | Path | None = None,
                  cache_dir: str | None = None) -> dict[str, float]:
    """Describe accuracy on IID simulated shots (train-split label triples, fresh seed, varied frame counts) and on
    held-out triples; generation metrics from label embeddings at 30 frames / 24 fps; v1 describe accuracy when
    v1_dir is given."""
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
    out.update(generation_scores(core, batch, table))
    if v1_dir is not None:
        v1 = v1_features(v1_dir, core.cfg.frames)
        out.update(describe_accuracy(describe_scores(core, v1, table, valid), v1.labels, "v1_"))
    return out
