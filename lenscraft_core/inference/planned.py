"""generate(generator="planned"): a generate request (prompting.Request) -> planned shots (plan.plan_shot), one per
variation, with the request's metadata (prompt, how it was understood, what was ignored) and the asked handheld
shake (shake.py) baked in or left to the caller."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .. import plan
from .. import shake as _shake
from ..schema import Shot, Subject
from .learned import MoveDecoderSession, plan_learned
from .prompting import Request, check_generate_options


def generate_planned(req: Request, subject: Subject, frames: int, fps: float, seed: int, variations: int,
                     focal_length: float | None, sensor_width: float, aspect: float, floor: float | str | None,
                     obstacles: Sequence = (), aim: np.ndarray | None = None, bake_shake: bool = True,
                     decoder: MoveDecoderSession | None = None) -> list[Shot]:
    """decoder: the model's move decoder decides the open amounts (generator "learned": learned.plan_learned);
    None: the planner's own operator defaults."""
    check_generate_options(frames, fps, variations, focal_length, sensor_width, aspect, floor)
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
