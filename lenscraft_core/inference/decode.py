"""The model's camera features -> world-space camera poses, with the lens clamped into the range generated shots
keep (schema.GENERATED_FOCAL_RANGE_MM), and the lens converted between the reference sensor the model works on
(schema.DEFAULT_SENSOR_WIDTH_MM, DEFAULT_ASPECT: the simulator's, so its training data's) and the sensor a shot asks
for. generate() and complete() both decode through here."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .. import features as ft
from .. import geometry as geo
from ..schema import DEFAULT_ASPECT, DEFAULT_SENSOR_WIDTH_MM, GENERATED_FOCAL_RANGE_MM, Shot, Trajectory


def clamp_lens(camera: np.ndarray) -> np.ndarray:
    """Camera features (..., 10) with the log focal length (channel 9) clamped into GENERATED_FOCAL_RANGE_MM."""
    camera = np.array(camera, np.float64)
    lo, hi = np.log(np.array(GENERATED_FOCAL_RANGE_MM) / ft.FOCAL_REF_MM)
    camera[..., 9] = np.clip(camera[..., 9], lo, hi)
    return camera


def decode_world(camera: np.ndarray, anchor: ft.Anchor, frames: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Camera features (N, T, 10) and the subject anchors -> world (position, quaternion, focal length) at `frames`
    frames (features.decode_camera of the clamped features), on the reference sensor."""
    return ft.decode_camera(clamp_lens(camera), anchor, frames)


def sensor_scale(sensor_width: float, aspect: float) -> float:
    """Focal length on this sensor / focal length on the reference sensor for the same framing: the ratio of the
    sensor heights (geometry.sensor_size), because shot size is measured on the frame height (framing.py). At the
    reference aspect it is the ratio of the sensor widths; on the reference sensor exactly 1.0."""
    _, height = geo.sensor_size(float(sensor_width), float(aspect))
    _, ref_height = geo.sensor_size(DEFAULT_SENSOR_WIDTH_MM, DEFAULT_ASPECT)
    return height / ref_height


def reference_shot(shot: Shot) -> Shot:
    """The shot as the model sees it: its lens converted to the reference sensor (the same framing), for encoding
    (describe, complete). The shot itself when it is on the reference sensor already."""
    t = shot.trajectory
    k = sensor_scale(t.sensor_width, t.aspect)
    if k == 1.0:
        return shot
    ref = Trajectory(t.position, t.rotation, t.focal_length / k, DEFAULT_SENSOR_WIDTH_MM, DEFAULT_ASPECT, t.fps,
                     t.frame_start)
    return replace(shot, trajectory=ref)
