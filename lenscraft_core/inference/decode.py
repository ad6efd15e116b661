"""The model's camera features -> world-space camera poses, with the lens clamped into the range generated shots
keep (schema.GENERATED_FOCAL_RANGE_MM). generate() and complete() both decode through here."""

from __future__ import annotations

import numpy as np

from .. import features as ft
from ..schema import GENERATED_FOCAL_RANGE_MM


def clamp_lens(camera: np.ndarray) -> np.ndarray:
    """Camera features (..., 10) with the log focal length (channel 9) clamped into GENERATED_FOCAL_RANGE_MM."""
    camera = np.array(camera, np.float64)
    lo, hi = np.log(np.array(GENERATED_FOCAL_RANGE_MM) / ft.FOCAL_REF_MM)
    camera[..., 9] = np.clip(camera[..., 9], lo, hi)
    return camera


def decode_world(camera: np.ndarray, anchor: ft.Anchor, frames: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Camera features (N, T, 10) and the subject anchors -> world (position, quaternion, focal length) at `frames`
    frames (features.decode_camera of the clamped features)."""
    return ft.decode_camera(clamp_lens(camera), anchor, frames)
