"""Input checks shared by the workflows: each raises LensCraftError with a message for the user, before the scene
is changed."""

from __future__ import annotations

import bpy

from .engine import MAX_FRAMES, LensCraftError

MAXFRAME = 1_048_574  # Blender's last frame (MAXFRAME in DNA_scene_types.h); frames are floats in F-curves, so a
# frame past 2^24 cannot even be stored exactly
MINFRAME = -MAXFRAME  # MINAFRAME: keys may sit before frame 0


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


def check_editable(obj: bpy.types.Object, what: str = "camera") -> bpy.types.Object:
    """Refuse an object (or its data) linked from a library: keys written on it are not saved (they would vanish on
    save and reload). A library override or a local copy is editable."""
    for block in (obj, obj.data):
        lib = getattr(block, "library", None)
        if lib is not None:
            raise LensCraftError(f"{what} '{obj.name}' is linked from the library '{lib.filepath}': its keys would not "
                                 "be saved; make it local or a library override first (Object > Library Override "
                                 "> Make)")
    return obj


PIVOT_PROPERTY = "lenscraft_orbit_pivot"  # set on every pivot create.orbit_pivot makes: how Generate knows its own
# (and reuses it) from a parent of the user's, which it never replaces


def is_orbit_pivot(obj: bpy.types.Object | None) -> bool:
    """Whether obj is a pivot create.orbit_pivot made (its custom property), not a parent of the user's."""
    return obj is not None and obj.type == 'EMPTY' and bool(obj.get(PIVOT_PROPERTY, False))


def check_still_parent(obj: bpy.types.Object, what: str = "camera", pivot_ok: bool = False) -> bpy.types.Object:
    """Refuse an object whose parent is animated (a LensCraft orbit pivot, a rig): keys are written in the parent's
    space at one frame, so they would not follow a moving parent. pivot_ok: a LensCraft orbit pivot as the direct
    parent is fine (Generate re-keys or removes it)."""
    parent = obj.parent
    if pivot_ok and is_orbit_pivot(parent):
        parent = parent.parent
    while parent is not None:
        anim = parent.animation_data
        if anim is not None and (anim.action is not None or len(anim.drivers)):
            raise LensCraftError(f"{what} '{obj.name}' hangs from the animated '{parent.name}' (an orbit pivot or a "
                                 "rig): keys on it would not follow its parent; clear the parent with Keep Transform "
                                 "(Alt+P) or use a new camera")
        parent = parent.parent
    return obj


def check_frame(frame: int, what: str = "frame") -> int:
    """A frame Blender can key: an int in MINFRAME..MAXFRAME."""
    if isinstance(frame, bool) or not isinstance(frame, int) or not MINFRAME <= frame <= MAXFRAME:
        raise LensCraftError(f"{what} {frame!r} is outside Blender's frame range {MINFRAME:,} to {MAXFRAME:,}")
    return frame


def frame_list(frame_start: int, frame_end: int) -> list[int]:
    check_frame(frame_start, "start frame")
    check_frame(frame_end, "end frame")
    if frame_end < frame_start:
        raise LensCraftError(f"empty frame range {frame_start}-{frame_end}: the end frame is before the start frame")
    if frame_end - frame_start + 1 > MAX_FRAMES:  # checked before the scene is sampled frame by frame
        raise LensCraftError(f"frame range {frame_start}-{frame_end} has {frame_end - frame_start + 1:,} frames; a "
                             f"shot has at most {MAX_FRAMES:,}")
    return list(range(frame_start, frame_end + 1))


def move_frames(frame_start: int, frame_end: int) -> list[int]:
    """The frames of a range that must hold a camera move (two frames at least)."""
    frames = frame_list(frame_start, frame_end)
    if len(frames) < 2:
        raise LensCraftError(f"frame range {frame_start}-{frame_end} has one frame: a move needs at least two")
    return frames


def is_utf8(text: str) -> bool:
    """Whether the text is valid UTF-8 (a bad byte on Blender's command line, or a lone surrogate escape in a jobs
    file, cannot be encoded)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
