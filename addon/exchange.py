"""Export cameras as shot JSON and import shot files (JSON and the camera pose formats the core reads) as keyed
cameras. Both do the work that can fail (checking, reading the file) before they change anything, so a bad input
raises LensCraftError and leaves the scene (and the file system) as it was."""

from __future__ import annotations

import os
from typing import Sequence

import bpy
import numpy as np

from . import engine, gather, keyframes
from .checks import check_camera, check_frame, frame_list
from .create import label_marker, new_camera, subject_empty
from .engine import LensCraftError, Shot, Subject
from .jobs import Job, Result, run
from .keyframes import KeyOptions


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


def camera_shots(scene: bpy.types.Scene, cam: bpy.types.Object, frames: Sequence[int], subjects: Sequence[Subject]
                 ) -> list[Shot]:
    """One camera sampled (evaluated, every frame) into shots with the already gathered subjects, split by its
    markers' labels when it has any."""
    (samples,) = gather.sample(scene, [cam], frames)
    shot = Shot(gather.camera_trajectory(scene, cam, samples, frames[0]), list(subjects), [], name=cam.name)
    markers = camera_markers(scene, cam, frames)
    return engine.split_by_markers(shot, markers) if markers else [shot.validate(cam.name)]


def gather_shots(scene: bpy.types.Scene, cameras: Sequence[bpy.types.Object], frame_start: int, frame_end: int,
                 subject: bpy.types.Object | None = None) -> list[Shot]:
    """Sample each camera into shots (see camera_shots); the subject is sampled once for all of them."""
    if not cameras:
        raise LensCraftError("no cameras to export")
    cams = [check_camera(c, scene) for c in cameras]
    frames = frame_list(frame_start, frame_end)
    subjects = gather.subjects(scene, subject, frames)
    return [shot for cam in cams for shot in camera_shots(scene, cam, frames, subjects)]


class ExportJob(Job):
    """One step per camera (sampling the evaluated scene is the slow part); the subject is sampled once, up front;
    the file is written at the end, so stopping early writes nothing."""

    title = "Exporting cameras"

    def __init__(self, scene: bpy.types.Scene, cameras: Sequence[bpy.types.Object], path: str, format: str,
                 frame_start: int, frame_end: int, subject: bpy.types.Object | None = None,
                 overwrite: bool = True, subject_size: float | None = None) -> None:
        if not cameras:
            raise LensCraftError("no cameras to export")
        if format not in engine.FORMATS:
            raise LensCraftError(f"unknown export format '{format}' (formats: {', '.join(engine.FORMATS)})")
        super().__init__(len(cameras))
        self.scene, self.cameras = scene, [check_camera(c, scene) for c in cameras]
        self.path, self.format, self.overwrite = path, format, overwrite
        self.frames = frame_list(frame_start, frame_end)
        self.subjects = gather.subjects(scene, subject, self.frames, subject_size)  # what every camera's shots carry
        self.shots: list[Shot] = []

    def _step(self, k: int) -> None:
        self.shots += camera_shots(self.scene, self.cameras[k], self.frames, self.subjects)

    def finish(self) -> Result:
        engine.save_shots(self.shots, self.path, format=self.format, overwrite=self.overwrite)
        self.result.message = (f"exported {len(self.shots)} shot(s) from {len(self.cameras)} camera(s) to "
                               f"{self.path}")
        return self.result

    def stop(self) -> Result:
        return Result(message=f"export cancelled after {self.done} of {self.total} camera(s): nothing written")


def export_cameras(scene: bpy.types.Scene, cameras: Sequence[bpy.types.Object], path: str, format: str,
                   frame_start: int, frame_end: int, subject: bpy.types.Object | None = None,
                   overwrite: bool = True, subject_size: float | None = None) -> Result:
    return run(ExportJob(scene, cameras, path, format, frame_start, frame_end, subject, overwrite, subject_size))


# ------------------------------------------------------------------------------------------------- import
def import_shots(scene: bpy.types.Scene, path: str) -> Result:
    """Each shot of a file in any format the core reads (engine.load_shots: shot JSON, COLMAP models, matrix files,
    transforms.json, KITTI, TUM, RealEstate10K) becomes a camera keyed on every frame from its frame_start (its
    subjects become box empties, its labelled instructions become markers bound to the camera). What the reader
    assumed goes to result.notes, what it repaired to result.warnings."""
    if not os.path.exists(path):
        raise LensCraftError(f"{path}: no such file or folder")
    shots, skipped = engine.load_shots(path)
    if not shots:
        raise LensCraftError(f"{path}: the file holds no shots")
    for k, shot in enumerate(shots):  # before anything is made: keys past Blender's range land on wrong frames
        t = shot.trajectory
        check_frame(int(t.frame_start), f"{path}: shot {k} ({shot.name}) starts at frame")
        check_frame(int(t.frame_start) + t.frame_count - 1, f"{path}: shot {k} ({shot.name}) ends at frame")
    result = Result()
    if skipped:
        result.warnings.append(f"{path}: skipped {len(skipped)} bad sample(s)")
    for shot in shots:
        for repair, note in engine.file_notes(shot):
            text = f"{shot.name}: {note}" if len(shots) > 1 else note
            (result.warnings if repair else result.notes).append(text)
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
        result.objects += [subject_empty(scene, s, frames) for s in shot.subjects]
        for ins in shot.instructions:
            labels = ins.labels()
            if labels:
                label_marker(scene, labels, t.frame_start + ins.start, cam)
    scene.frame_set(scene.frame_current)
    result.message = f"imported {len(shots)} shot(s) from {path}"
    return result
