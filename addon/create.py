"""What the workflows add to the scene: cameras, the cube empties that stand for imported subjects, and timeline
markers named with a shot's labels (bound to its camera)."""

from __future__ import annotations

from typing import Mapping

import bpy
import numpy as np

from . import convert, keyframes
from .engine import Subject, marker_name


def new_camera(scene: bpy.types.Scene, name: str, sensor_width: float) -> bpy.types.Object:
    data = bpy.data.cameras.new(name)
    data.sensor_fit = 'AUTO'
    data.sensor_width = sensor_width
    obj = bpy.data.objects.new(name, data)
    scene.collection.objects.link(obj)
    return obj


def orbit_pivot(scene: bpy.types.Scene, name: str, centre) -> bpy.types.Object:
    """A plain-axes empty at the orbit's centre that a camera hangs from: turning it about Z orbits the camera."""
    pivot = bpy.data.objects.new(name, None)
    pivot.empty_display_type = 'PLAIN_AXES'
    pivot.empty_display_size = 0.25
    pivot.location = tuple(float(x) for x in centre)
    pivot.rotation_mode = 'XYZ'
    scene.collection.objects.link(pivot)
    return pivot


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
