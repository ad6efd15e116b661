"""Input checks shared by the workflows: each raises LensCraftError with a message for the user, before the scene
is changed."""

from __future__ import annotations

import bpy

from .engine import LensCraftError


def check_object(obj: bpy.types.Object | None, role: str, scene: bpy.types.Scene) -> bpy.types.Object:
    if obj is None:
        raise LensCraftError(f"no {role} object: pick one or make it the active object")
    try:
        name = obj.name
    except ReferenceError:
        raise LensCraftError(f"the {role} object was deleted") from None
    if scene.objects.get(name) is None:
        raise LensCraftError(f"the {role} object '{name}' is not in scene '{scene.name}'")
    return obj


def check_camera(obj: bpy.types.Object | None, scene: bpy.types.Scene) -> bpy.types.Object:
    obj = check_object(obj, "camera", scene)
    if obj.type != 'CAMERA':
        raise LensCraftError(f"'{obj.name}' is a {obj.type.lower()}, not a camera")
    return obj


def frame_list(frame_start: int, frame_end: int) -> list[int]:
    if frame_end < frame_start:
        raise LensCraftError(f"empty frame range {frame_start}-{frame_end}: the end frame is before the start frame")
    return list(range(frame_start, frame_end + 1))


def move_frames(frame_start: int, frame_end: int) -> list[int]:
    """The frames of a range that must hold a camera move (two frames at least)."""
    frames = frame_list(frame_start, frame_end)
    if len(frames) < 2:
        raise LensCraftError(f"frame range {frame_start}-{frame_end} has one frame: a move needs at least two")
    return frames
