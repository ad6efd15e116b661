"""Describe: the caption and per-field top-k label scores of a camera's move, kept on the camera as custom
properties (so the panel, a saved .blend and the command line can read them back)."""

from __future__ import annotations

import bpy

from . import engine, gather
from .engine import FIELD_NAMES
from .jobs import Result

CAPTION_PROP = "lenscraft_caption"  # custom properties Describe leaves on the camera
SCORES_PROP = "lenscraft_scores"  # {field: {label: score}}, best first
RANGE_PROP = "lenscraft_described_frames"


def describe_camera(scene: bpy.types.Scene, cam: bpy.types.Object, frame_start: int, frame_end: int,
                    subject: bpy.types.Object | None = None, top_k: int = 3) -> Result:
    """Caption and per-field top-k scores of the camera's move, stored on the camera as custom properties."""
    shot = gather.camera_shot(scene, cam, frame_start, frame_end, subject)
    d = engine.describe_shot(shot, top_k=top_k)
    cam[CAPTION_PROP] = d.caption
    cam[SCORES_PROP] = {f: {label: score for label, score in d.fields[f]} for f in FIELD_NAMES if f in d.fields}
    cam[RANGE_PROP] = [frame_start, frame_end]
    return Result(objects=[cam], message=f"{cam.name}: {d.caption}")


def stored_description(cam: bpy.types.Object | None) -> tuple[str, dict[str, list[tuple[str, float]]]] | None:
    """(caption, {field: [(label, score)] best first}) left by describe_camera, or None."""
    if cam is None or cam.get(CAPTION_PROP) is None:
        return None
    scores = cam.get(SCORES_PROP) or {}
    fields = {f: sorted(((str(k), float(v)) for k, v in scores[f].items()), key=lambda kv: -kv[1])
              for f in FIELD_NAMES if f in scores}
    return str(cam[CAPTION_PROP]), fields
