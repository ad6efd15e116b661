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
FLOORS = ("SUBJECT_BASE", "WORLD_ZERO", "NONE")


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
    floor: str = "SUBJECT_BASE"  # FLOORS: where the camera may not go below


def new_camera(scene: bpy.types.Scene, name: str, sensor_width: float) -> bpy.types.Object:
    data = bpy.data.cameras.new(name)
    data.sensor_fit = 'AUTO'
    data.sensor_width = sensor_width
    obj = bpy.data.objects.new(name, data)
    scene.collection.objects.link(obj)
    return obj


class Job:
    """Work split into steps, so a modal operator can show progress between steps and stop early (Esc). The
    constructor checks everything and may raise LensCraftError without touching the scene; step() does one item;
    finish() completes the result. Stopping early keeps the items already done (each one is whole)."""

    title = "LensCraft"

    def __init__(self, total: int) -> None:
        self.total, self.done = total, 0
        self.result = Result()

    @property
    def finished(self) -> bool:
        return self.done >= self.total

    def step(self) -> None:
        self._step(self.done)
        self.done += 1

    def _step(self, index: int) -> None:
        raise NotImplementedError

    def finish(self) -> Result:
        return self.result

    def stop(self) -> Result:
        """End after the items done so far (Esc): keeps them, reports how far it got."""
        result = self.finish() if self.done else self.result
        result.message = f"cancelled after {self.done} of {self.total}: {result.message}" if self.done else \
            f"cancelled: nothing done ({self.title})"
        return result


def run(job: Job) -> Result:
    """Run a job to the end, synchronously (headless, tests, small jobs)."""
    while not job.finished:
        job.step()
    return job.finish()


class GenerateJob(Job):
    """One step per variation: generate its shot and key its camera."""

    title = "Generating shots"

    def __init__(self, scene: bpy.types.Scene, req: GenerateRequest) -> None:
        subject_obj = check_object(req.subject, "subject", scene)
        target = check_camera(req.camera, scene) if req.camera is not None else None
        if target is not None and target == subject_obj:
            raise LensCraftError("the subject and the target camera are the same object")
        if not 1 <= req.variations <= 64:
            raise LensCraftError(f"variations must be 1-64, got {req.variations}")
        frames = gather.frame_list(req.frame_start, req.frame_end)
        if len(frames) < 2:
            raise LensCraftError(f"frame range {req.frame_start}-{req.frame_end} has one frame: a move needs at "
                                 "least two")
        labels = engine.resolve_labels(req.labels)
        if labels["movement"] in FOLLOWING and not gather.is_animated(subject_obj):
            raise LensCraftError(f"'{labels['movement']}' follows a moving subject, but '{subject_obj.name}' is not "
                                 "animated: animate it first or pick another movement")
        super().__init__(req.variations)
        self.scene, self.req, self.labels, self.target, self.subject_obj = scene, req, labels, target, subject_obj
        self.frames = frames
        self.fps, self.aspect = gather.scene_fps(scene), gather.render_aspect(scene)
        self.subject: Subject = gather.subject_from_object(scene, subject_obj, frames)
        self.focal, self.sensor = None, engine.DEFAULT_SENSOR_WIDTH_MM
        if target is not None:  # an existing camera keeps its sensor and starts from its own lens
            cam_data = gather.camera_data(target)
            self.focal, self.sensor = cam_data.lens, gather.effective_sensor_width(cam_data, self.aspect)
        if req.floor not in FLOORS:
            raise LensCraftError(f"floor must be one of {', '.join(FLOORS)}, got '{req.floor}'")
        self.floor = {"SUBJECT_BASE": engine.subject_base(self.subject, len(frames)), "WORLD_ZERO": 0.0,
                      "NONE": None}[req.floor]
        self.keys = 0
        # The first shot is made before anything changes, so a failing generator leaves the scene as it was.
        self.first: Shot | None = self._shot(0)
        if engine.backend() != "model" and engine.model_status().startswith("Simulator:"):
            self.result.warnings.append(engine.model_status())

    def _shot(self, v: int) -> Shot:
        return engine.generate_shot(self.subject, self.labels, len(self.frames), fps=self.fps, seed=self.req.seed + v,
                                    focal_length=self.focal, sensor_width=self.sensor, aspect=self.aspect,
                                    floor=self.floor)

    def _step(self, v: int) -> None:
        req, scene = self.req, self.scene
        shot = self.first if v == 0 and self.first is not None else self._shot(v)
        self.first = None
        if v == 0 and self.target is not None:
            cam = self.target
        else:
            suffix = f" v{v + 1}" if req.variations > 1 else ""
            cam = new_camera(scene, f"LensCraft {self.labels['movement']}{suffix}", shot.trajectory.sensor_width)
        if cam.constraints:
            self.result.warnings.append(f"camera '{cam.name}' has constraints that may override the generated motion")
        opts = KeyOptions(**{**req.keys.__dict__, "easing": self.labels["easing"]})
        self.keys += keyframes.write_camera(cam, shot.trajectory, req.frame_start, self.aspect, opts)
        if req.focus_on_subject:
            dof = gather.camera_data(cam).dof
            dof.use_dof, dof.focus_object = True, self.subject_obj
        if req.add_marker:
            marker = scene.timeline_markers.new(marker_name(self.labels), frame=req.frame_start)
            marker.camera = cam
        self.result.objects.append(cam)

    def finish(self) -> Result:
        if self.scene.camera is None and self.result.objects:
            self.scene.camera = self.result.objects[0]
        self.scene.frame_set(self.scene.frame_current)  # show the new pose
        self.result.message = (f"{len(self.result.objects)} camera(s), {self.keys} keys, frames "
                               f"{self.req.frame_start}-{self.req.frame_end}: {engine.caption(self.labels)}")
        return self.result


def generate(scene: bpy.types.Scene, req: GenerateRequest) -> Result:
    """Key one camera per variation with a generated shot framing the subject."""
    return run(GenerateJob(scene, req))


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


class ExportJob(Job):
    """One step per camera (sampling the evaluated scene is the slow part); the file is written at the end, so
    stopping early writes nothing."""

    title = "Exporting cameras"

    def __init__(self, scene: bpy.types.Scene, cameras: Sequence[bpy.types.Object], path: str, format: str,
                 frame_start: int, frame_end: int, subject: bpy.types.Object | None = None,
                 overwrite: bool = True) -> None:
        if not cameras:
            raise LensCraftError("no cameras to export")
        if format not in engine.FORMATS:
            raise LensCraftError(f"unknown export format '{format}' (formats: {', '.join(engine.FORMATS)})")
        super().__init__(len(cameras))
        self.scene, self.cameras = scene, [check_camera(c, scene) for c in cameras]
        self.path, self.format, self.overwrite = path, format, overwrite
        self.frame_start, self.frame_end, self.subject = frame_start, frame_end, subject
        gather.frame_list(frame_start, frame_end)  # checks the range
        self.shots: list[Shot] = []

    def _step(self, k: int) -> None:
        self.shots += gather_shots(self.scene, [self.cameras[k]], self.frame_start, self.frame_end, self.subject)

    def finish(self) -> Result:
        engine.save_shots(self.shots, self.path, format=self.format, overwrite=self.overwrite)
        self.result.message = (f"exported {len(self.shots)} shot(s) from {len(self.cameras)} camera(s) to "
                               f"{self.path}")
        return self.result

    def stop(self) -> Result:
        return Result(message=f"export cancelled after {self.done} of {self.total} camera(s): nothing written")


def export_cameras(scene: bpy.types.Scene, cameras: Sequence[bpy.types.Object], path: str, format: str,
                   frame_start: int, frame_end: int, subject: bpy.types.Object | None = None,
                   overwrite: bool = True) -> Result:
    return run(ExportJob(scene, cameras, path, format, frame_start, frame_end, subject, overwrite))


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


# ------------------------------------------------------------------------------------------------- describe
CAPTION_PROP = "lenscraft_caption"  # custom properties Describe leaves on the camera
SCORES_PROP = "lenscraft_scores"  # {field: {label: score}}, best first
RANGE_PROP = "lenscraft_described_frames"


def camera_shot(scene: bpy.types.Scene, cam: bpy.types.Object, frame_start: int, frame_end: int,
                subject: bpy.types.Object | None) -> Shot:
    """The evaluated camera over the range as one shot (markers ignored), with the subject when given."""
    cam = check_camera(cam, scene)
    frames = gather.frame_list(frame_start, frame_end)
    if len(frames) < 2:
        raise LensCraftError(f"frame range {frame_start}-{frame_end} has one frame: a move needs at least two")
    subjects = [gather.subject_from_object(scene, check_object(subject, "subject", scene), frames)] if subject \
        else []
    (samples,) = gather.sample(scene, [cam], frames)
    return Shot(gather.camera_trajectory(scene, cam, samples, frame_start), subjects, [], name=cam.name)


def describe_camera(scene: bpy.types.Scene, cam: bpy.types.Object, frame_start: int, frame_end: int,
                    subject: bpy.types.Object | None = None, top_k: int = 3) -> Result:
    """Caption and per-field top-k scores of the camera's move, stored on the camera as custom properties."""
    shot = camera_shot(scene, cam, frame_start, frame_end, subject)
    d = engine.describe_shot(shot, top_k=top_k)
    cam[CAPTION_PROP] = d.caption
    cam[SCORES_PROP] = {f: {label: score for label, score in ranked} for f, ranked in d.fields.items()}
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


# ------------------------------------------------------------------------------------------------- complete
TRANSFORM_PATHS = ("location", "rotation_euler", "rotation_quaternion")


def keyed_frames(cam: bpy.types.Object, frame_start: int, frame_end: int) -> list[int]:
    """Frames inside the range where the camera's transform has a key (any channel)."""
    frames = {int(round(kp.co[0])) for fc in keyframes.fcurves(cam) if fc.data_path in TRANSFORM_PATHS
              for kp in fc.keyframe_points}
    return sorted(f for f in frames if frame_start <= f <= frame_end)


def complete_camera(scene: bpy.types.Scene, cam: bpy.types.Object, frame_start: int, frame_end: int,
                    subject: bpy.types.Object | None = None, labels: dict[str, str] | None = None,
                    keys: KeyOptions | None = None) -> Result:
    """Fill the camera's motion between its keyed poses with the model; the user's keys are kept exactly (no key
    is written on a keyed frame)."""
    cam = check_camera(cam, scene)
    known = keyed_frames(cam, frame_start, frame_end)
    if len(known) < 2:
        raise LensCraftError(f"camera '{cam.name}' has {len(known)} keyed pose(s) in frames {frame_start}-"
                             f"{frame_end}: key at least two, then Complete fills the motion between them")
    frame_start, frame_end = known[0], known[-1]  # fill between the first and last key, never beyond
    shot = camera_shot(scene, cam, frame_start, frame_end, subject)
    done = engine.complete_shot(shot, [f - frame_start for f in known], labels)
    opts = KeyOptions(**{**(keys or KeyOptions()).__dict__, "replace": False, "skip_frames": tuple(known),
                         "easing": None})
    n = keyframes.write_camera(cam, done.trajectory, frame_start, gather.render_aspect(scene), opts)
    scene.frame_set(scene.frame_current)
    return Result(objects=[cam], message=f"{cam.name}: filled frames {frame_start}-{frame_end} between "
                                          f"{len(known)} keyed poses ({n} keys)")


# ------------------------------------------------------------------------------------------------- preview
def render_preview(scene: bpy.types.Scene, cam: bpy.types.Object, frame_start: int, frame_end: int, out_dir: str,
                   count: int = 6, width: int = 160) -> list[str]:
    """Render `count` evenly spaced frames of the camera with Workbench at a small size into out_dir and tile them
    into a contact sheet (<camera>_sheet.png); returns the written paths (sheet last). Scene settings are restored."""
    cam = check_camera(cam, scene)
    os.makedirs(out_dir, exist_ok=True)
    r = scene.render
    saved = (r.engine, r.resolution_x, r.resolution_y, r.resolution_percentage, r.filepath,
             r.image_settings.file_format, scene.camera, scene.frame_current)
    aspect = gather.render_aspect(scene)
    w, h = width, max(2, int(round(width / aspect)))
    frames = sorted({int(round(f)) for f in np.linspace(frame_start, frame_end, max(1, count))})
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in cam.name)
    paths = []
    try:
        r.engine = 'BLENDER_WORKBENCH'  # type: ignore[assignment]  # the stubs list one engine only
        r.resolution_x, r.resolution_y, r.resolution_percentage = w, h, 100
        r.image_settings.file_format = 'PNG'
        scene.camera = cam
        for f in frames:
            scene.frame_set(f)
            r.filepath = os.path.join(out_dir, f"{stem}_{f:04d}.png")
            bpy.ops.render.render(write_still=True, scene=scene.name)
            paths.append(r.filepath)
    finally:
        (r.engine, r.resolution_x, r.resolution_y, r.resolution_percentage, r.filepath,
         r.image_settings.file_format, scene.camera) = saved[:7]
        scene.frame_set(saved[7])
    paths.append(_contact_sheet(paths, os.path.join(out_dir, f"{stem}_sheet.png"), w, h))
    return paths


def _contact_sheet(paths: Sequence[str], out: str, w: int, h: int, columns: int = 3) -> str:
    """Tile same-size PNGs into one image (row-major from the top left) with Blender's image API."""
    rows = (len(paths) + columns - 1) // columns
    sheet = np.ones((rows * h, columns * w, 4), dtype=np.float32) * np.float32(0.1)
    for k, path in enumerate(paths):
        img = bpy.data.images.load(path, check_existing=False)
        try:
            px = np.empty(img.size[0] * img.size[1] * 4, dtype=np.float32)
            img.pixels.foreach_get(px)  # type: ignore[attr-defined]  # a bpy_prop_array, not a float
            tile = px.reshape(img.size[1], img.size[0], 4)[:h, :w]  # Blender rows run bottom-up
        finally:
            bpy.data.images.remove(img)
        top = (rows - 1 - k // columns) * h  # first tile at the top of the sheet
        sheet[top:top + tile.shape[0], (k % columns) * w:(k % columns) * w + tile.shape[1]] = tile
    img = bpy.data.images.new("lenscraft_sheet", columns * w, rows * h, alpha=True)
    try:
        img.pixels.foreach_set(sheet.ravel())  # type: ignore[attr-defined]
        img.filepath_raw, img.file_format = out, 'PNG'
        img.save()
    finally:
        bpy.data.images.remove(img)
    return out


__all__ = ["Result", "Job", "run", "GenerateRequest", "GenerateJob", "generate", "gather_shots", "ExportJob",
           "export_cameras", "import_shots", "marker_name", "check_object", "check_camera", "camera_shot",
           "describe_camera", "stored_description", "keyed_frames", "complete_camera", "render_preview",
           "FIELD_NAMES"]
