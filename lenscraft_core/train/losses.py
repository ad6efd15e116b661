"""The training loss: trajectory, move, easing, framing and text terms (compute_losses)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ..vocabulary import FIELD_NAMES
from .config import TrainConfig
from .model import MOVE_CHANNELS, PROFILE_CHANNELS, LensCraftModel, camera_view, motion_features, rotation_geodesic

MOTION_FLOOR = 0.1  # move size below which a shot counts as locked off (in motion_features units)


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
    # The decoder's terms are per-sample means averaged with the batch's decode_weight (data.simulate_features: 0
    # on shots only the encoder should learn from); without one, a plain mean.
    weight = batch.get("decode_weight")

    def decoded(per_sample: torch.Tensor, keep: torch.Tensor | None = None) -> torch.Tensor:
        w = keep if weight is None else weight if keep is None else weight * keep
        return per_sample.mean() if w is None else (per_sample * w).sum() / w.sum().clamp(min=1)

    per_sample = lambda x: x.flatten(1).mean(1)  # noqa: E731
    terms = {
        "pos": decoded(per_sample((pred[..., :3] - camera[..., :3]).pow(2))),
        "rot": decoded(per_sample(rotation_geodesic(pred[..., 3:9], camera[..., 3:9]))),
        "focal": decoded(per_sample((pred[..., 9] - camera[..., 9]).pow(2))),
    }
    # The shot's overall placement dominates the per-frame error, so the move itself (each frame relative to the
    # first) gets its own term; without it the decoder settles on a still camera at the right spot.
    terms["delta"] = decoded(per_sample((pred - pred[:, :1] - (camera - camera[:, :1])).pow(2)))
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
    terms["motion"] = decoded(err / (size + MOTION_FLOOR).pow(2))  # ~1 for a still camera where a move was due
    # The easing: speed / mean speed and the covered share of the path, for shots that move at all.
    moving = (size > MOTION_FLOOR).float()
    prof = (mf_pred[..., PROFILE_CHANNELS] - mf_true[..., PROFILE_CHANNELS]).pow(2).mean((1, 2))
    terms["profile"] = decoded(prof, moving)
    ndc_p, cov_p = camera_view(pred, motion[..., 0:3].float())
    ndc_t, cov_t = camera_view(camera.float(), motion[..., 0:3].float())
    terms["frame"] = decoded(per_sample((ndc_p.clamp(-3, 3) - ndc_t.clamp(-3, 3)).pow(2))) \
        + decoded(per_sample((cov_p - cov_t).pow(2)))
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

