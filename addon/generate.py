"""Generate: key one camera per variation with a shot that frames the subject as the labels describe. The job
checks its inputs and makes the first shot before it changes the scene, so a bad input or a failing generator
raises LensCraftError and leaves the scene as it was."""

from __future__ import annotations

from dataclasses import dataclass, field

import bpy

from . import convert, engine, gather, keyframes
from .checks import check_camera, check_editable, check_object, move_frames
from .create import label_marker, new_camera
from .engine import MAX_SEED, LensCraftError, Shot, Subject  # MAX_SEED: the core command line's limit
from .jobs import Job, Result, run
from .keyframes import KeyOptions

FOLLOWING = ("follow", "track")  # movements that only make sense with a moving subject
FLOORS = ("SUBJECT_BASE", "WORLD_ZERO", "NONE")
MAX_VARIATIONS = 64  # shots one Generate makes, each on its own camera
UI_VARIATIONS = 16  # how far the panel's slider drags (typing goes up to MAX_VARIATIONS)


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
    subject_size: float | None = None  # metres: a cube instead of the subject's geometry (needed for a light, ...)


class GenerateJob(Job):
    """One step per variation: generate its shot and key its camera."""

    title = "Generating shots"

    def __init__(self, scene: bpy.types.Scene, req: GenerateRequest) -> None:
        subject_obj = check_object(req.subject, "subject", scene)
        target = check_camera(req.camera, scene) if req.camera is not None else None
        if target is not None:
            check_editable(target)
        if target is not None and target == subject_obj:
            raise LensCraftError("the subject and the target camera are the same object")
        if isinstance(req.variations, bool) or not isinstance(req.variations, int) or \
                not 1 <= req.variations <= MAX_VARIATIONS:
            raise LensCraftError(f"variations must be 1-{MAX_VARIATIONS}, got {req.variations!r}")
        if isinstance(req.seed, bool) or not isinstance(req.seed, int) or not 0 <= req.seed <= MAX_SEED:
            raise LensCraftError(f"the seed must be a whole number in 0-{MAX_SEED}, got {req.seed!r}")
        frames = move_frames(req.frame_start, req.frame_end)
        # The one resolution on the generate path: only the fields stated (by the prompt, the menus or the user)
        # are passed on; an open field is the model's to pick (the simulator's default).
        labels = engine.resolve_labels({f: v for f, v in req.labels.items() if v}, fill=False)
        if labels.get("movement") in FOLLOWING and not gather.is_animated(subject_obj):
            raise LensCraftError(f"'{labels['movement']}' follows a moving subject, but '{subject_obj.name}' is not "
                                 "animated: animate it first or pick another movement")
        super().__init__(req.variations)
        self.scene, self.req, self.labels, self.target, self.subject_obj = scene, req, labels, target, subject_obj
        self.frames = frames
        self.fps, self.aspect = gather.scene_fps(scene), gather.render_aspect(scene)
        self.subject: Subject = gather.subject_from_object(scene, subject_obj, frames, req.subject_size)
        self.focal, self.sensor = None, engine.DEFAULT_SENSOR_WIDTH_MM
        if target is not None:  # an existing camera keeps its sensor and starts from its own lens
            cam_data = gather.camera_data(target)
            self.focal, self.sensor = cam_data.lens, convert.effective_sensor_width(cam_data, self.aspect)
        if req.floor not in FLOORS:
            raise LensCraftError(f"floor must be one of {', '.join(FLOORS)}, got '{req.floor}'")
        self.floor = {"SUBJECT_BASE": engine.subject_base(self.subject, len(frames)), "WORLD_ZERO": 0.0,
                      "NONE": None}[req.floor]
        self.keys = 0
        # Every shot is made before anything changes (the model makes all variations in one call: that is how they
        # differ), so a failing generator leaves the scene as it was.
        self.shots: list[Shot] = engine.generate_shots(
            self.subject, self.labels, len(self.frames), req.variations, fps=self.fps, seed=req.seed,
            focal_length=self.focal, sensor_width=self.sensor, aspect=self.aspect, floor=self.floor)
        self.generated = engine.generated_labels(labels)  # what the camera does: the caption and marker say this
        if engine.generator() != "model" and engine.model_status().startswith("Simulator:"):
            self.result.warnings.append(engine.model_status())

    def _step(self, v: int) -> None:
        req, scene = self.req, self.scene
        shot = self.shots[v]
        if v == 0 and self.target is not None:
            cam = self.target
            note = keyframes.use_keyable_rotation(cam)
            if note:
                self.result.warnings.append(note)
        else:
            suffix = f" v{v + 1}" if req.variations > 1 else ""
            name = self.generated.get("movement", "shot")
            cam = new_camera(scene, f"LensCraft {name}{suffix}", shot.trajectory.sensor_width)
        if cam.constraints:
            self.result.warnings.append(f"camera '{cam.name}' has constraints that may override the generated motion")
        opts = KeyOptions(**{**req.keys.__dict__, "easing": self.generated.get("easing")})
        self.keys += keyframes.write_camera(cam, shot.trajectory, req.frame_start, self.aspect, opts)
        if req.focus_on_subject:
            dof = gather.camera_data(cam).dof
            dof.use_dof, dof.focus_object = True, self.subject_obj
        if req.add_marker:
            label_marker(scene, self.generated, req.frame_start, cam)
        self.result.objects.append(cam)

    def finish(self) -> Result:
        if self.scene.camera is None and self.result.objects:
            self.scene.camera = self.result.objects[0]
        self.scene.frame_set(self.scene.frame_current)  # show the new pose
        what = engine.caption(self.generated) or "every label left to the model"
        self.result.message = (f"{len(self.result.objects)} camera(s), {self.keys} keys, frames "
                               f"{self.req.frame_start}-{self.req.frame_end}: {what}")
        return self.result


def generate(scene: bpy.types.Scene, req: GenerateRequest) -> Result:
    """Key one camera per variation with a generated shot framing the subject."""
    return run(GenerateJob(scene, req))
