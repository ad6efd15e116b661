"""What the workflows add to the scene: cameras, the cube empties that stand for imported subjects, and timeline
markers named with a shot's labels (bound to its camera)."""

from __future__ import annotations

from typing import Mapping

import bpy
import numpy as np

from . import convert, keyframes
from .checks import PIVOT_PROPERTY
from .engine import Subject, marker_name


def new_camera(scene: bpy.types.Scene, name: str, sensor_width: float) -> bpy.types.Object:
    data = bpy.data.cameras.new(name)
    data.sensor_fit = 'AUTO'
    data.sensor_width = sensor_width
    obj = bpy.data.objects.new(name, data)
    scene.collection.objects.link(obj)
    return obj


def orbit_pivot(scene: bpy.types.Scene, name: str, centre, reuse: bpy.types.Object | None = None
                ) -> bpy.types.Object:
    """A plain-axes empty at the orbit's centre that a camera hangs from: turning it about Z orbits the camera.
    reuse: a LensCraft pivot made earlier, moved to the centre at rest with its old keys cleared."""
    if reuse is None:
        pivot = bpy.data.objects.new(name, None)
        pivot.empty_display_type = 'PLAIN_AXES'
        pivot.empty_display_size = 0.25
        pivot[PIVOT_PROPERTY] = True
        scene.collection.objects.link(pivot)
    else:
        pivot = reuse
        keyframes.clear_channels(pivot, set(keyframes.TRANSFORM_PATHS))
    pivot.location = tuple(float(x) for x in centre)
    pivot.rotation_mode = 'XYZ'
    pivot.rotation_euler = (0.0, 0.0, 0.0)
    return pivot


def hang_from_pivot(cam: bpy.types.Object, pivot: bpy.types.Object) -> None:
    """Parent the camera to the pivot keeping its world transform (Blender's Keep Transform): the parent inverse is
    the pivot's rest matrix inverted, so while the pivot is at rest (before the orbit) the camera's own channels
    are world space and keys of the user's before the move stay where they were."""
    view_layer = bpy.context.view_layer
    view_layer.update()  # the pivot at its (new) centre, the camera where it is now
    world = cam.matrix_world.copy()
    cam.parent = pivot
    cam.matrix_parent_inverse = pivot.matrix_world.inverted()
    cam.matrix_basis = world
    view_layer.update()  # the camera's world matrix under its new parent (write_camera reads it)


def release_from_pivot(cam: bpy.types.Object) -> None:
    """Unparent the camera keeping its world transform (Alt+P > Clear and Keep Transformation)."""
    bpy.context.view_layer.update()
    world = cam.matrix_world.copy()
    cam.parent = None
    cam.matrix_parent_inverse.identity()
    cam.matrix_world = world
    bpy.context.view_layer.update()


def remove_if_unused(obj: bpy.types.Object) -> bool:
    """Remove obj (and its action, if nothing else has it) when no other data-block uses it: no child, constraint
    or driver points at it (collections and scenes only hold it). True if removed."""
    holders = (bpy.types.Collection, bpy.types.Scene, bpy.types.Action)
    if any(not isinstance(user, holders) for user in bpy.data.user_map(subset=[obj])[obj]):
        return False
    anim = obj.animation_data
    action = anim.action if anim is not None else None
    bpy.data.objects.remove(obj)
    if action is not None and action.users == 0:
        bpy.data.actions.remove(action)
    return True


def subject_empty(scene: bpy.types.Scene, s: Subject, frames: np.ndarray) -> bpy.types.Object:
    """A cube empty the size of the subject's box, keyed on every frame when the subject moves."""
    obj = bpy.data.objects.new(s.name or "subject", None)
    obj.empty_display_type = 'CUBE'
    obj.empty_display_size = convert.CUBE_EMPTY_DISPLAY_SIZE
    obj.scale = tuple(s.size)
    obj.rotation_mode = 'QUATERNION'  # a new object: the subject's rotation is a quaternion
    obj.location, obj.rotation_quaternion = tuple(s.position), tuple(s.rotation)
    scene.collection.objects.link(obj)
    if s.motion_position is not None:
        keyframes.key_every_frame(obj, "location", frames, s.motion_position)
    if s.motion_rotation is not None:
        quats = convert.subject_motion_rotation(s.motion_rotation)
        keyframes.key_every_frame(obj, "rotation_quaternion", frames, quats)
    return obj


def label_marker(scene: bpy.types.Scene, labels: Mapping[str, str], frame: int, cam: bpy.types.Object
                 ) -> bpy.types.TimelineMarker:
    """A timeline marker at `frame` named with the labels (the syntax export reads back), bound to the camera."""
    marker = scene.timeline_markers.new(marker_name(labels), frame=frame)
    marker.camera = cam
    return marker
