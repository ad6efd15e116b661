"""Generate, export and import, as plain functions on a scene: the operators and the command line are thin wrappers
around these. Every function checks its inputs and does all the work that can fail (simulation, file reading) before
it changes the scene, so a bad input raises LensCraftError and leaves the scene as it was."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Sequence

import bpy
import numpy as np

from . import engine, gather, keyframes
from .engine import FIELD_NAMES, LensCraftError, Shot, Subject
from .keyframes import KeyOptions

MARKER_NAME_MAX = 63  # Blender's limit for a timeline marker name
FOLLOWING = ("follow", "track")  # movements that only make sense with a moving subject
MARKER_ORDER = ("movement", "shot_type", "angle", "easing", "view")  # most telling first, in case it is cut short


@dataclass
class Result:
    objects: list[bpy.types.Object] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    message: str = ""


# ------------------------------------------------------------------------------------------------- checks
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


def marker_name(labels: dict[str, str]) -> str:
    """Canonical labels joined by commas (the marker syntax export reads back), cut to Blender's length limit."""
    parts = [labels[f] for f in MARKER_ORDER if labels.get(f)]
    while len(",".join(parts)) > MARKER_NAME_MAX and len(parts) > 1:
        parts.pop()
    return ",".join(parts)


# ------------------------------------------------------------------------------------------------- generate
@dataclass
class GenerateRequest:
    subject: bpy.types.Object | None
    labels: dict[str, str]
    frame_start: int
    frame_end: int
    camera: bpy.types.Object | None = None  # None: make a new camera
    variations: int = 1
    seed: int = 0
    keys: KeyOptions = field(default_factory=KeyOptions)
    focus_on_subject: bool = False
    add_marker: bool = False


def new_camera(scene: bpy.types.Scene, name: str, sensor_width: float) -> bpy.types.Object:
    data = bpy.data.cameras.new(name)
    data.sensor_fit = 'AUTO'
    data.sensor_width = sensor_width
    obj = bpy.data.objects.new(name, data)
    scene.collection.objects.link(obj)
    return obj


def generate(scene: bpy.types.Scene, req: GenerateRequest) -> Result:
    """Key one camera per variation with a generated shot framing the subject."""
    subject_obj = check_object(req.subject, "subject", scene)
    target = check_camera(req.camera, scene) if req.camera is not None else None
    if target is not None and target == subject_obj:
        raise LensCraftError("the subject and the target camera are the same object")
    if not 1 <= req.variations <= 64:
        raise LensCraftError(f"variations must be 1-64, got {req.variations}")
    frames = gather.frame_list(req.frame_start, req.frame_end)
    if len(frames) < 2:
        raise LensCraftError(f"frame range {req.frame_start}-{req.frame_end} has one frame: a move needs at least two")
    labels = engine.resolve_labels(req.labels)
    if labels["movement"] in FOLLOWING and not gather.is_animated(subject_obj):
        raise LensCraftError(f"'{labels['movement']}' follows a moving subject, but '{subject_obj.name}' is not "
                             "animated: animate it first or pick another movement")
    fps, aspect = gather.scene_fps(scene), gather.render_aspect(scene)
    subject: Subject = gather.subject_from_object(scene, subject_obj, frames)
    focal, sensor = None, engine.DEFAULT_SENSOR_WIDTH_MM
    if target is not None:  # an existing camera keeps its sensor and starts from its own lens
        cam_data = gather.camera_data(target)
        focal, sensor = cam_data.lens, gather.effective_sensor_width(cam_data, aspect)
    shots = [engine.generate_shot(subject, labels, len(frames), fps=fps, seed=req.seed + v, focal_length=focal,
                                  sensor_width=sensor, aspect=aspect) for v in range(req.variations)]

    # Nothing above touched the scene; from here on it changes.
    result = Result()
    opts = KeyOptions(**{**req.keys.__dict__, "easing": labels["easing"]})
    keys = 0
    for v, shot in enumerate(shots):
        if v == 0 and target is not None:
            cam = target
        else:
            suffix = f" v{v + 1}" if req.variations > 1 else ""
            cam = new_camera(scene, f"LensCraft {labels['movement']}{suffix}", shot.trajectory.sensor_width)
        if cam.constraints:
            result.warnings.append(f"camera '{cam.name}' has constraints that may override the generated motion")
        keys += keyframes.write_camera(cam, shot.trajectory, req.frame_start, aspect, opts)
        if req.focus_on_subject:
            dof = gather.camera_data(cam).dof
            dof.use_dof, dof.focus_object = True, subject_obj
        if req.add_marker:
            marker = scene.timeline_markers.new(marker_name(labels), frame=req.frame_start)
            marker.camera = cam
        result.objects.append(cam)
    if scene.camera is None:
        scene.camera = result.objects[0]
    scene.frame_set(scene.frame_current)  # show the new pose
    result.message = (f"{len(shots)} camera(s), {keys} keys, frames {req.frame_start}-{req.frame_end}: "
                      f"{engine.caption(labels)}")
    return result


# ------------------------------------------------------------------------------------------------- export
def camera_markers(scene: bpy.types.Scene, cam: bpy.types.Object, frames: Sequence[int]) -> list[tuple[int, str]]:
    """Markers inside the frame range bound to this camera (or, when no marker is bound to any camera, the unbound
    ones), with an unlabelled segment added before the first when it starts late."""
    inside = [m for m in scene.timeline_markers if frames[0] <= m.frame <= frames[-1]]
    bound = [m for m in inside if m.camera is not None]
    chosen = [m for m in bound if m.camera == cam] if bound else inside
    out = sorted((m.frame, m.name) for m in chosen)
    if out and out[0][0] > frames[0]:
        out.insert(0, (frames[0], ""))
    return out


def gather_shots(scene: bpy.types.Scene, cameras: Sequence[bpy.types.Object], frame_start: int, frame_end: int,
                 subject: bpy.types.Object | None = None) -> list[Shot]:
    """Sample each camera (evaluated, every frame) into shots, split by its markers' labels when it has any."""
    if not cameras:
        raise LensCraftError("no cameras to export")
    cams = [check_camera(c, scene) for c in cameras]
    frames = gather.frame_list(frame_start, frame_end)
    subjects = [gather.subject_from_object(scene, check_object(subject, "subject", scene), frames)] if subject else []
    shots = []
    for cam, samples in zip(cams, gather.sample(scene, cams, frames)):
        shot = Shot(gather.camera_trajectory(scene, cam, samples, frame_start), list(subjects), [], name=cam.name)
        markers = camera_markers(scene, cam, frames)
        shots += engine.split_by_markers(shot, markers) if markers else [shot.validate(cam.name)]
    return shots


def export_cameras(scene: bpy.types.Scene, cameras: Sequence[bpy.types.Object], path: str, format: str,
                   frame_start: int, frame_end: int, subject: bpy.types.Object | None = None,
                   overwrite: bool = True) -> Result:
    shots = gather_shots(scene, cameras, frame_start, frame_end, subject)
    engine.save_shots(shots, path, format=format, overwrite=overwrite)
    return Result(message=f"exported {len(shots)} shot(s) from {len(cameras)} camera(s) to {path}")


# ------------------------------------------------------------------------------------------------- import
def _subject_empty(scene: bpy.types.Scene, s: Subject, frames: np.ndarray) -> bpy.types.Object:
    obj = bpy.data.objects.new(s.name or "subject", None)
    obj.empty_display_type = 'CUBE'
    obj.empty_display_size = 0.5  # a unit cube, so scale = size
    obj.scale = tuple(s.size)
    obj.rotation_mode = 'QUATERNION'
    obj.location, obj.rotation_quaternion = tuple(s.position), tuple(s.rotation)
    scene.collection.objects.link(obj)
    if s.motion_position is not None:
        keyframes.key_static(obj, "location", frames, s.motion_position)
    if s.motion_rotation is not None:
        keyframes.key_static(obj, "rotation_quaternion", frames, engine.geometry.quat_continuity(s.motion_rotation))
    return obj


def import_shots(scene: bpy.types.Scene, path: str) -> Result:
    """Each shot becomes a camera keyed on every frame from its frame_start (its subjects become box empties,
    its labelled instructions become markers bound to the camera)."""
    if not os.path.isfile(path):
        raise LensCraftError(f"{path}: no such file")
    shots, skipped = engine.load_shots(path)
    if not shots:
        raise LensCraftError(f"{path}: the file holds no shots")
    result = Result()
    if skipped:
        result.warnings.append(f"{path}: skipped {len(skipped)} bad sample(s)")
    fps, aspect = gather.scene_fps(scene), gather.render_aspect(scene)
    opts = KeyOptions(every_frame=True, animate_focal=True)
    for k, shot in enumerate(shots):
        t = shot.trajectory
        if abs(t.fps - fps) > 1e-6:
            result.warnings.append(f"shot {k} ({shot.name}) is {t.fps:g} fps, the scene {fps:g} fps")
        cam = new_camera(scene, shot.name or f"LensCraft import {k}", t.sensor_width)
        keyframes.write_camera(cam, t, t.frame_start, aspect, opts)
        frames = np.arange(t.frame_start, t.frame_start + t.frame_count)
        result.objects.append(cam)
        result.objects += [_subject_empty(scene, s, frames) for s in shot.subjects]
        for ins in shot.instructions:
            labels = ins.labels()
            if labels:
                marker = scene.timeline_markers.new(marker_name(labels), frame=t.frame_start + ins.start)
                marker.camera = cam
    scene.frame_set(scene.frame_current)
    result.message = f"imported {len(shots)} shot(s) from {path}"
    return result


__all__ = ["Result", "GenerateRequest", "generate", "gather_shots", "export_cameras", "import_shots", "marker_name",
           "check_object", "check_camera", "FIELD_NAMES"]
