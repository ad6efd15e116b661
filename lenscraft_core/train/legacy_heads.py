"""The heads and the decoder the shipped model does not use: the "relative" and "absolute" heads and the
autoregressive decoder. Older checkpoints need them (the bundled model's describe comes from a relative-head run),
and `train.py --decoder autoregressive` / `--output relative|absolute` still trains them; model.py is the shipped
model (factored head, single-pass decoder) and builds these only when its config asks.

"relative": the output is the first frame's placement plus the move since then in the first camera's frame
(compose_relative), with the whole move also predicted straight from the memory on move_basis ("absolute": every
frame as raw camera features). "autoregressive": slot t reads frame t-1 (teacher forcing in training), causal
self-attention, and an incremental KV-cached path for inference (generate_autoregressive).
"""

from __future__ import annotations

import torch
import torch.nn as nn

from .rotations import compress_position, expand_position, identity_6d_like, sixd_to_matrix


def compose_relative(base: torch.Tensor, rel: torch.Tensor, eye: torch.Tensor | None = None) -> torch.Tensor:
    """The "relative" output: the first frame's camera features base (B, 1, 10) and each frame's move since then
    rel (B, L, 10) -> camera features (B, L, 10). eye: IDENTITY_6D as a tensor (the model's buffer).

    rel is measured in motion_features' frame: translation in the first camera's axes / its distance to the
    subject (3), rotation R0^T R_t as 6D minus the identity (6), log focal change (1). There a pan, a truck or a
    roll is the same numbers from every view and angle; in subject-relative coordinates their direction depends on
    where the camera stands, and a decoder unsure of that averages the move away (the first bundled models did)."""
    eye = identity_6d_like(rel) if eye is None else eye.to(rel.dtype)
    p0 = expand_position(base[..., 0:3])
    R0 = sixd_to_matrix(base[..., 3:9])
    d0 = p0.norm(dim=-1, keepdim=True).clamp(min=1e-3)
    pos = p0 + d0 * (R0 @ rel[..., 0:3, None])[..., 0]
    R = R0 @ sixd_to_matrix(rel[..., 3:9] + eye)
    return torch.cat([compress_position(pos), R[..., :, 0], R[..., :, 1], base[..., 9:10] + rel[..., 9:10]], -1)


def add_autoregressive_input(model: nn.Module, d: int, cam_dim: int) -> None:
    """The autoregressive decoder's inputs: frame t-1 -> slot t, and a learned start token for slot 0."""
    model.dec_in = nn.Linear(cam_dim, d)
    model.start = nn.Parameter(torch.zeros(d))


def add_legacy_head(model: nn.Module, cfg, d: int) -> None:
    """"relative": placement + move coefficients from the whole memory, and per-slot detail; "absolute": frames."""
    if cfg.output == "relative":
        model.move_head = nn.Sequential(nn.Linear((cfg.n_fields + 1) * d, cfg.ff_mult * d), nn.GELU(),
                                        nn.Linear(cfg.ff_mult * d, cfg.cam_dim * (1 + cfg.move_basis)))
        model.head = nn.Linear(d, 2 * cfg.cam_dim)
    else:
        model.head = nn.Linear(d, cfg.cam_dim)


class LegacyDecoding:
    """LensCraftModel's methods for the relative / absolute heads and the autoregressive decoder."""

    def autoregressive_input(self, memory, prev_frames):
        """Slot inputs (B, T, d): the start token, then frames 0..T-2 of prev_frames (teacher forcing)."""
        B = memory.shape[0]
        return torch.cat([self.start.expand(B, 1, -1), self.dec_in(prev_frames[:, :-1])], dim=1)

    def legacy_output(self, memory, h, causal: bool):
        """The head output h (B, T, 10 or 20) read as the "absolute" or "relative" output."""
        if self.cfg.output == "absolute":
            return h
        base, move = self.whole_move(memory)
        slots = h[..., 10:] - h[:, :1, 10:]
        if not causal:  # an autoregressive decoder emits frames one by one: nothing to project
            slots = self.smooth.to(h.dtype) @ slots
        return compose_relative(base + h[:, :1, :10], move + slots, self.identity_6d)

    def whole_move(self, memory):
        """"relative" output: the memory's placement (B, 1, 10) and move over the frame slots (B, T, 10)."""
        g = self.move_head(memory.flatten(1))
        coef = g[:, self.cfg.cam_dim:].view(g.shape[0], self.cfg.move_basis, self.cfg.cam_dim)
        return g[:, None, :self.cfg.cam_dim], self.basis.to(g.dtype) @ coef

    def decode_step(self, x_t, t: int, motion_t, memory_kvs, caches):
        """One incremental step: x_t (B, 1, d) is slot t's input embedding (start token or dec_in(frame t-1)).
        caches: per-layer (k, v) of earlier slots or None. Returns (slot t's head output (B, 10 or 20), new caches):
        frame t itself for the "absolute" output; generate() composes the "relative" one."""
        x = x_t + self.dec_motion_in(motion_t)[:, None] + self.dec_pos[t]
        new = []
        for block, kv, past in zip(self.dec_blocks, memory_kvs, caches):
            x, cache = block(x, kv, causal=True, past=past)
            new.append(cache)
        return self.head(self.dec_ln(x))[:, 0], new

    @torch.no_grad()
    def generate_autoregressive(self, memory, motion, known=None, camera=None):
        """T cached steps (each frame's keys/values are computed once); keyframes (known, camera) are forced as
        they are fed back."""
        B, T = memory.shape[0], self.cfg.frames
        memory_kvs = [block.cross.memory_kv(memory) for block in self.dec_blocks]
        caches: list = [None] * len(self.dec_blocks)
        x = self.start.expand(B, 1, -1)
        frames, h0 = [], None
        if self.cfg.output == "relative":
            base, move = self.whole_move(memory)
        for t in range(T):
            h, caches = self.decode_step(x, t, motion[:, t], memory_kvs, caches)
            if self.cfg.output == "relative":
                h0 = h if h0 is None else h0
                y = compose_relative(base + h0[:, None, :10], move[:, t:t + 1] + (h - h0)[:, None, 10:],
                                     self.identity_6d)[:, 0]
            else:
                y = h
            if known is not None:
                y = torch.where(known[:, t, None], camera[:, t], y)
            frames.append(y)
            x = self.dec_in(y)[:, None]
        return torch.stack(frames, dim=1)

    @torch.no_grad()
    def generate_recompute(self, memory, motion):
        """Reference autoregressive decoding that reruns the whole prefix for every frame (for tests and benchmarks:
        what the KV cache saves)."""
        B, T = memory.shape[0], self.cfg.frames
        prev = torch.zeros(B, T, self.cfg.cam_dim, device=memory.device, dtype=memory.dtype)
        for t in range(T):
            out = self.decode(memory, motion, prev)  # causal: slot t only sees prev[:, :t]
            if t + 1 < T:
                prev[:, t] = out[:, t]
        return out
