"""Describe: the caption and per-field top-k label scores of a camera's move, and the segments its move falls into
(found where the motion changes, each with the geometric judge's caption), kept on the camera as custom properties
(so the panel, a saved .blend and the command line can read them back)."""

from __future__ import annotations

import json

import bpy

from . import engine, gather
from .engine import FIELD_NAMES
from .jobs import Result

CAPTION_PROP = "lenscraft_caption"  # custom properties Describe leaves on the camera
SCORES_PROP = "lenscraft_scores"  # {field: {label: score}}, best first
RANGE_PROP = "lenscraft_described_frames"
SEGMENTS_PROP = "lenscraft_segments"  # JSON: [{"frame_start", "frame_end" (scene frames, inclusive), "caption", ...}]


def describe_camera(scene: bpy.types.Scene, cam: bpy.types.Object, frame_start: int, frame_end: int,
                    subject: bpy.types.Object | None = None, top_k: int = 3) -> Result:
    """Caption and per-field top-k scores of the camera's move, stored on the camera as custom properties."""
    shot = gather.camera_shot(scene, cam, frame_start, frame_end, subject)
    d = engine.describe_shot(shot, top_k=top_k)
    segments = engine.describe_segments(shot, top_k=top_k)
    caption = engine.shot_caption(d, segments)  # several segments: in order, not read as one move
    cam[CAPTION_PROP] = caption
    cam[SCORES_PROP] = {f: {label: score for label, score in d.fields[f]} for f in FIELD_NAMES if f in d.fields}
    cam[RANGE_PROP] = [frame_start, frame_end]
    message = f"{cam.name}: {caption}"
    cam[SEGMENTS_PROP] = json.dumps([{"frame_start": frame_start + s["start"], "frame_end": frame_start + s["end"] - 1,
                                      "caption": s["caption"], "movement": s["movement"]} for s in segments])
    if len(segments) > 1:
        message += f" ({len(segments)} segments)"
    return Result(objects=[cam], message=message)


def stored_description(cam: bpy.types.Object | None) -> tuple[str, dict[str, list[tuple[str, float]]]] | None:
    """(caption, {field: [(label, score)] best first}) left by describe_camera, or None."""
    if cam is None or cam.get(CAPTION_PROP) is None:
        return None
    scores = cam.get(SCORES_PROP) or {}
    fields = {f: sorted(((str(k), float(v)) for k, v in scores[f].items()), key=lambda kv: -kv[1])
              for f in FIELD_NAMES if f in scores}
    return str(cam[CAPTION_PROP]), fields


def stored_segments(cam: bpy.types.Object | None) -> list[tuple[int, int, str]]:
    """[(first scene frame, last scene frame, caption)] of the segments describe_camera found, in order; [] when
    it found one segment only, or none was stored."""
    raw = cam.get(SEGMENTS_PROP) if cam is not None else None
    try:
        items = json.loads(raw) if isinstance(raw, str) else []
    except ValueError:
        return []
    out = [(int(s["frame_start"]), int(s["frame_end"]), str(s["caption"])) for s in items if isinstance(s, dict)]
    return out if len(out) > 1 else []
