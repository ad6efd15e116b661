"""Torch twins of geometry.py and features.py that the model and the losses share: 6D rotations and compressed
positions (ONNX-exportable: no data-dependent control flow, cross product written out)."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def _cross(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Cross product over the last axis, written out (exports to any ONNX opset)."""
    return torch.stack([a[..., 1] * b[..., 2] - a[..., 2] * b[..., 1], a[..., 2] * b[..., 0] - a[..., 0] * b[..., 2],
                        a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]], dim=-1)


def sixd_to_matrix(d6: torch.Tensor) -> torch.Tensor:
    """Torch twin of geometry.sixd_to_matrix (Gram-Schmidt on the two columns), (..., 6) -> (..., 3, 3)."""
    a = F.normalize(d6[..., :3], dim=-1)
    b = d6[..., 3:] - (a * d6[..., 3:]).sum(-1, keepdim=True) * a
    b = F.normalize(b, dim=-1)
    return torch.stack([a, b, _cross(a, b)], dim=-1)


IDENTITY_6D = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0)


def expand_position(c: torch.Tensor) -> torch.Tensor:
    """Torch twin of features.expand: compressed (..., 3) -> subject-relative position in subject extents."""
    r = c.norm(dim=-1, keepdim=True).clamp(min=1e-6)
    return c * torch.expm1(r) / r


def compress_position(p: torch.Tensor) -> torch.Tensor:
    """Torch twin of features.compress."""
    r = p.norm(dim=-1, keepdim=True).clamp(min=1e-6)
    return p * torch.log1p(r) / r


def identity_6d_like(like: torch.Tensor) -> torch.Tensor:
    """IDENTITY_6D as a tensor of like's dtype and device, for callers without a model (the model passes its
    identity_6d buffer instead, so a traced graph holds one constant)."""
    return torch.tensor(IDENTITY_6D, dtype=like.dtype, device=like.device)


def rotation_geodesic(pred6: torch.Tensor, true6: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """Angle (radians) between rotations given as 6D, (...,). Supervises all three axes (yaw, pitch and roll)."""
    Rp, Rt = sixd_to_matrix(pred6.float()), sixd_to_matrix(true6.float())
    cos = ((Rp * Rt).sum((-1, -2)) - 1.0) / 2.0
    return torch.acos(cos.clamp(-1.0 + eps, 1.0 - eps))
