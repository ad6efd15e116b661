"""Handheld shake as its own layer on a camera: the camera's keys stay the clean move.

The shake (lenscraft_core.shake: recorded CC0 handheld curves, looped, high-passed, resampled) is keyed on every
frame as the rotation (and, given a distance, location) of an Empty "<camera> Shake" in its own action. A Copy
Transforms constraint on the camera, "LensCraft Shake", multiplies it in after the camera's own transform (mix
'AFTER_FULL': world = move @ shake, the offset in the camera's own axes), the same composition as the core's
apply_shake. The Empty is read in world space (Blender 4.5 measured: target space LOCAL adds nothing at all), so it
stays unparented at the origin, where its keys put it. Muting the constraint switches
the shake off, its influence fades it; set_shake_amplitude re-keys the Empty only. The camera's F-curves are never
touched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import bpy
import numpy as np

from . import keyframes
from .engine import LensCraftError
from .engine import shake as core_shake
from .gather import scene_fps

if TYPE_CHECKING:
    from bpy.stub_internal.rna_enums import ObjectRotationModeItems

CONSTRAINT_NAME = "LensCraft Shake"
EMPTY_SUFFIX = " Shake"
SETTINGS = "lenscraft_shake"  # the Empty's custom property: what the shake was made from (set_shake_amplitude)
EMPTY_DISPLAY_SIZE = 0.1  # metres: the Empty sits at the origin; small, it does not clutter the view
ROTATION_PATH, LOCATION_PATH = "rotation_euler", "location"


def shake_constraint(camera_obj: bpy.types.Object) -> bpy.types.CopyTransformsConstraint | None:
    """The camera's shake constraint, or None."""
    found = camera_obj.constraints.get(CONSTRAINT_NAME)
    if found is None or found.type != 'COPY_TRANSFORMS':
        return None
    return cast(bpy.types.CopyTransformsConstraint, found)  # its .type says so; mypy cannot narrow on .type


def shake_empty(camera_obj: bpy.types.Object) -> bpy.types.Object | None:
    """The Empty that carries the camera's shake, or None."""
    con = shake_constraint(camera_obj)
    return None if con is None else con.target


def _layer(camera_obj: bpy.types.Object) -> tuple[bpy.types.CopyTransformsConstraint, bpy.types.Object]:
    con = shake_constraint(camera_obj)
    if con is None or con.target is None:
        raise LensCraftError(f"'{camera_obj.name}' has no shake layer (add one with add_shake_layer)")
    return con, con.target


def _new_empty(camera_obj: bpy.types.Object) -> bpy.types.Object:
    empty = bpy.data.objects.new(camera_obj.name + EMPTY_SUFFIX, None)
    empty.empty_display_type = 'ARROWS'
    empty.empty_display_size = EMPTY_DISPLAY_SIZE
    empty.hide_render = True
    collections = camera_obj.users_collection or (bpy.context.scene.collection,)
    collections[0].objects.link(empty)
    return empty


def _key_offsets(empty: bpy.types.Object, offsets: core_shake.ShakeOffsets, frame_start: int) -> None:
    """The offsets as the Empty's own keys, every frame, LINEAR (exact at the frames); its old keys go."""
    keyframes.clear_channels(empty, {ROTATION_PATH, LOCATION_PATH})
    # the order the offsets are composed in (apply_shake); the core's constant is a plain str, a Blender Euler name
    empty.rotation_mode = cast("ObjectRotationModeItems", core_shake.EULER_ORDER)
    empty.location, empty.rotation_euler, empty.scale = (0.0, 0.0, 0.0), (0.0, 0.0, 0.0), (1.0, 1.0, 1.0)
    frames = np.arange(frame_start, frame_start + offsets.frame_count)
    keyframes.key_every_frame(empty, ROTATION_PATH, frames, offsets.rotation)
    if offsets.translation.any():
        keyframes.key_every_frame(empty, LOCATION_PATH, frames, offsets.translation)


def add_shake_layer(camera_obj: bpy.types.Object, amplitude: float = 1.0, profile: str | None = None, seed: int = 0,
                    frame_start: int | None = None, frames: int | None = None, fps: float | None = None,
                    distance: float | None = None) -> bpy.types.Object:
    """Add (or remake) the camera's shake layer and return its Empty. amplitude: 1 = handheld as recorded, 2 = very
    shaky; profile: a name of lenscraft_core.shake.shake_profiles() (None: the default); seed: where in the
    recording the shake starts; frame_start / frames / fps: the shot (default: the scene's range and rate);
    distance: the camera-subject distance in metres, to also sway the camera along its axes (None: rotation only).
    The layer is on (unmuted, full influence) afterwards."""
    if camera_obj is None or camera_obj.type != 'CAMERA':
        raise LensCraftError(f"the shake layer goes on a camera, got {getattr(camera_obj, 'name', camera_obj)!r}")
    scene = bpy.context.scene
    assert scene is not None, "the add-on runs with a current scene (only registration's context has none)"
    frame_start = scene.frame_start if frame_start is None else int(frame_start)
    frames = scene.frame_end - frame_start + 1 if frames is None else frames
    fps = scene_fps(scene) if fps is None else fps
    offsets = core_shake.shake_offsets(frames, fps, amplitude, profile, seed, distance)
    con = shake_constraint(camera_obj)
    empty = con.target if con is not None and con.target is not None else _new_empty(camera_obj)
    _key_offsets(empty, offsets, frame_start)
    empty[SETTINGS] = {"amplitude": offsets.amplitude, "profile": offsets.profile, "seed": offsets.seed,
                       "frame_start": frame_start, "frames": offsets.frame_count, "fps": offsets.fps,
                       "distance": -1.0 if distance is None else float(distance)}
    if con is None:
        # last: the shake goes on top of any other constraint. The stubs type new() as the base Constraint; Blender
        # returns the kind asked for
        con = cast(bpy.types.CopyTransformsConstraint, camera_obj.constraints.new('COPY_TRANSFORMS'))
        con.name = CONSTRAINT_NAME
    con.target = empty
    con.mix_mode = 'AFTER_FULL'
    con.target_space, con.owner_space = 'WORLD', 'WORLD'
    con.influence, con.mute = 1.0, False
    return empty


def set_shake_enabled(camera_obj: bpy.types.Object, enabled: bool) -> None:
    """Switch the camera's shake on or off (the constraint's mute); the move and the shake's keys stay as they
    are."""
    con, _ = _layer(camera_obj)
    con.mute = not enabled


def shake_enabled(camera_obj: bpy.types.Object) -> bool:
    con = shake_constraint(camera_obj)
    return con is not None and con.target is not None and not con.mute


def set_shake_amplitude(camera_obj: bpy.types.Object, amplitude: float) -> None:
    """Re-key the shake at another amplitude, the same profile, seed and frames (the same shake, scaled)."""
    con, empty = _layer(camera_obj)
    made = dict(empty.get(SETTINGS, {}))
    if not made:
        raise LensCraftError(f"'{empty.name}' has no shake settings: remake the layer with add_shake_layer")
    distance = float(made["distance"])
    add_shake_layer(camera_obj, amplitude, str(made["profile"]), int(made["seed"]), int(made["frame_start"]),
                    int(made["frames"]), float(made["fps"]), None if distance < 0 else distance)


def remove_shake_layer(camera_obj: bpy.types.Object) -> bool:
    """Remove the camera's shake constraint, its Empty and the Empty's action; False when it had none."""
    con = camera_obj.constraints.get(CONSTRAINT_NAME)
    if con is None:
        return False
    empty = con.target
    camera_obj.constraints.remove(con)
    if empty is not None:
        action = empty.animation_data.action if empty.animation_data else None
        bpy.data.objects.remove(empty)
        if action is not None and action.users == 0:
            bpy.data.actions.remove(action)
    return True
