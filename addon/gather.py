"""Read the scene into the core's data model: subjects (box, rotation, motion) and cameras, always from the
EVALUATED scene, sampled frame by frame, so modifiers, constraints, parents, Follow Path and drivers are captured.
The maths of each conversion lives in convert.py; this module only reads Blender."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence, cast

import bpy
import numpy as np

from . import convert
from .checks import check_camera, check_object, move_frames
from .engine import LensCraftError, Shot, Subject, Trajectory

_BOXED_TYPES = {'MESH', 'CURVE', 'SURFACE', 'META', 'FONT', 'CURVES', 'POINTCLOUD', 'VOLUME', 'GREASEPENCIL',
                'ARMATURE'}  # children whose bounds count towards their parent's box


@dataclass
class Samples:
    """World matrices (F, 4, 4) of one object over the sampled frames, and the lens (F,) for cameras."""

    matrices: np.ndarray
    lens: np.ndarray | None


def scene_fps(scene: bpy.types.Scene) -> float:
    return float(scene.render.fps / scene.render.fps_base)


def render_aspect(scene: bpy.types.Scene) -> float:
    r = scene.render
    return float(r.resolution_x * r.pixel_aspect_x) / float(r.resolution_y * r.pixel_aspect_y)


def camera_data(obj: bpy.types.Object) -> bpy.types.Camera:
    return cast(bpy.types.Camera, obj.data)


def is_animated(obj: bpy.types.Object | None) -> bool:
    """True when the object's world matrix may change over time (own or ancestors' animation, drivers,
    constraints)."""
    while obj is not None:
        ad = obj.animation_data
        if len(obj.constraints) or (ad is not None and (ad.action or len(ad.drivers) or len(ad.nla_tracks))):
            return True
        obj = obj.parent
    return False


def sample(scene: bpy.types.Scene, objects: Sequence[bpy.types.Object], frames: Iterable[int]) -> list[Samples]:
    """Evaluate the scene at each frame and read every object's world matrix (and lens for cameras). The current
    frame is restored afterwards."""
    frames = list(frames)
    keep = (scene.frame_current, scene.frame_subframe)
    mats = np.zeros((len(objects), len(frames), 4, 4))
    lens = np.zeros((len(objects), len(frames)))
    try:
        for t, f in enumerate(frames):
            scene.frame_set(f)
            depsgraph = bpy.context.evaluated_depsgraph_get()
            for k, obj in enumerate(objects):
                ev = obj.evaluated_get(depsgraph)
                mats[k, t] = np.array(ev.matrix_world)
                if ev.type == 'CAMERA':
                    lens[k, t] = ev.data.lens
    finally:
        scene.frame_set(keep[0], subframe=keep[1])
    return [Samples(mats[k], lens[k] if obj.type == 'CAMERA' else None) for k, obj in enumerate(objects)]


_VOLUME_EMPTIES = {'CUBE', 'SPHERE'}  # empty display types that show a volume (an imported subject is a cube empty)


def _local_box(obj: bpy.types.Object, depsgraph: bpy.types.Depsgraph, size: float | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
    """(centre, size) of the object and its children's bounding boxes, in the object's unscaled local frame.
    An object with no geometry (a light, a plain-axes empty, ...) has no box to frame: it is refused unless `size`
    (metres, a cube around its origin) is given; a given size always wins."""
    if size is not None:
        if not (np.isfinite(size) and size > 0):
            raise LensCraftError(f"the subject size must be a positive number of metres, got {size!r}")
        return np.zeros(3), np.full(3, float(size))
    parts, solid = [], False
    for part in (obj, *obj.children_recursive):
        pev = part.evaluated_get(depsgraph)
        if part is obj or pev.type in _BOXED_TYPES:
            corners = np.array([tuple(c) for c in pev.bound_box], dtype=np.float64)
            parts.append((corners, np.array(pev.matrix_world)))
            solid = solid or (pev.type in _BOXED_TYPES and float(np.ptp(corners, axis=0).max()) > 0)
    volume = obj.type == 'EMPTY' and obj.empty_display_type in _VOLUME_EMPTIES
    if not solid and not volume:
        raise LensCraftError(f"the subject '{obj.name}' ({obj.type.lower()}) has no geometry to frame: pick a mesh, "
                             "or give the subject's size in metres (Subject Size; --subject-size on the command "
                             "line)")
    display = obj.empty_display_size if obj.type == 'EMPTY' else None
    return convert.subject_box(np.array(obj.evaluated_get(depsgraph).matrix_world), parts, display)


def subject_from_object(scene: bpy.types.Scene, obj: bpy.types.Object, frames: Sequence[int],
                        size: float | None = None) -> Subject:
    """The object's oriented box in the evaluated scene at the first frame (size: a cube of that many metres
    instead, see _local_box); per-frame centre and rotation over `frames` when it moves."""
    keep = (scene.frame_current, scene.frame_subframe)
    try:
        scene.frame_set(frames[0])
        depsgraph = bpy.context.evaluated_depsgraph_get()
        centre_local, box = _local_box(obj, depsgraph, size)
    finally:
        scene.frame_set(keep[0], subframe=keep[1])
    moving = is_animated(obj)
    mats = sample(scene, [obj], frames if moving else frames[:1])[0].matrices
    centres, quats = convert.subject_track(mats, centre_local)
    still = np.allclose(centres, centres[:1], atol=1e-7) and np.allclose(quats, quats[:1], atol=1e-7)
    return Subject(centres[0], box, quats[0], name=obj.name,
                   motion_position=None if still else centres, motion_rotation=None if still else quats)


def subjects(scene: bpy.types.Scene, subject: bpy.types.Object | None, frames: Sequence[int],
             size: float | None = None) -> list[Subject]:
    """[the subject over the frames], or [] when there is none: what a shot carries."""
    return [subject_from_object(scene, check_object(subject, "subject", scene), frames, size)] if subject else []


def camera_trajectory(scene: bpy.types.Scene, cam: bpy.types.Object, samples: Samples, frame_start: int
                      ) -> Trajectory:
    """A Trajectory from a camera's sampled world matrices and lens."""
    if cam.type != 'CAMERA':
        raise LensCraftError(f"'{cam.name}' is not a camera")
    if cam.data.type != 'PERSP':
        raise LensCraftError(f"camera '{cam.name}' is {cam.data.type.lower()}: only perspective cameras can be "
                             "exported")
    aspect = render_aspect(scene)
    assert samples.lens is not None
    return convert.trajectory_from_matrices(samples.matrices, samples.lens,
                                            convert.effective_sensor_width(camera_data(cam), aspect), aspect,
                                            scene_fps(scene), frame_start)


def camera_shot(scene: bpy.types.Scene, cam: bpy.types.Object, frame_start: int, frame_end: int,
                subject: bpy.types.Object | None) -> Shot:
    """The evaluated camera over the range as one shot (markers ignored), with the subject when given."""
    cam = check_camera(cam, scene)
    frames = move_frames(frame_start, frame_end)
    found = subjects(scene, subject, frames)
    (samples,) = sample(scene, [cam], frames)
    return Shot(camera_trajectory(scene, cam, samples, frame_start), found, [], name=cam.name)
