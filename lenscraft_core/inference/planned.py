"""generate(generator="planned"): a generate request (prompting.Request) -> planned shots (plan.plan_shot), one per
variation, with the request's metadata (prompt, how it was understood, what was ignored) and the asked handheld
shake (shake.py) baked in or left to the caller."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .. import plan, schema
from .. import shake as _shake
from ..errors import LensCraftError
from ..schema import Shot, Subject, is_finite_number
from .learned import MoveDecoderSession, plan_learned
from .prompting import Request


def generate_planned(req: Request, subject: Subject, frames: int, fps: float, seed: int, variations: int,
                     focal_length: float | None, sensor_width: float, aspect: float, floor: float | str | None,
                     obstacles: Sequence = (), aim: np.ndarray | None = None, bake_shake: bool = True,
                     decoder: MoveDecoderSession | None = None) -> list[Shot]:
    """decoder: the model's move decoder decides the open amounts (generator "learned": learned.plan_learned);
    None: the planner's own operator defaults."""
    if isinstance(frames, bool) or not isinstance(frames, (int, np.integer)) or not 2 <= frames <= schema.MAX_FRAMES:
        raise LensCraftError(f"frames must be a whole number in 2-{schema.MAX_FRAMES}, got {frames!r}")
    if isinstance(variations, bool) or not isinstance(variations, (int, np.integer)) or variations < 1:
        raise LensCraftError(f"variations must be at least 1, got {variations!r}")
    for name, value, (lo, hi) in (("sensor_width", sensor_width, schema.SENSOR_RANGE_MM),
                                  ("aspect", aspect, schema.ASPECT_RANGE),
                                  ("focal_length", focal_length, schema.FOCAL_RANGE_MM),
                                  ("fps", fps, schema.FPS_RANGE)):
        if value is not None and not (is_finite_number(value) and lo <= value <= hi):
            raise LensCraftError(f"{name} must be a number in {lo:g}-{hi:g}, got {value!r}")
    if floor is not None and floor != "auto" and not is_finite_number(floor):
        raise LensCraftError(f"floor must be a finite world height, got {floor}")
    shots = []
    options = dict(focal_length=focal_length, sensor_width=sensor_width, aspect=aspect, floor=floor,
                   obstacles=obstacles)
    for v in range(int(variations)):
        if decoder is not None:
            shot = plan_learned(decoder, subject, req.stated, req.segments, int(frames), float(fps), seed, v, aim,
                                **options)
        else:
            shot = plan.plan_shot(subject, req.stated, req.segments, int(frames), float(fps), seed, v, aim=aim,
                                  **options)
        shot.metadata.update(req.meta)
        if req.shake:
            shot.metadata["shake"] = float(req.shake)
            if bake_shake:
                offsets = _shake.shake_offsets(int(frames), float(fps), float(req.shake), seed=seed + v)
                shot.trajectory = _shake.apply_shake(shot.trajectory, offsets)
        shots.append(shot)
    return shots
