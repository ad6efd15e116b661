"""Generate: key one camera per variation with a shot that frames the subject as the labels and segments describe.
The subject is read with its kind (person / object) and optional aim target, the other meshes as obstacles; after
the keys, the handheld shake goes on as its own layer (shake.py). The job checks its inputs and makes every shot
before it changes the scene, so a bad input or a failing generator raises LensCraftError and leaves the scene as it
was. What the generator could not do (an obstacle it could not clear) is a warning of the result."""

from __future__ import annotations

from dataclasses import dataclass, field

import bpy
import numpy as np

from . import convert, engine, gather, keyframes
from .checks import check_camera, check_editable, check_object, check_still_parent, is_orbit_pivot, move_frames
from .create import hang_from_pivot, label_marker, new_camera, orbit_pivot, release_from_pivot, remove_if_unused
from .engine import MAX_SEED, LensCraftError, Shot, Subject, moves, plan  # MAX_SEED: the core command line's limit
from .jobs import Job, Result, run
from .keyframes import KeyOptions

FOLLOWING = ("follow", "track")  # movements that only make sense with a moving subject
FLOORS = ("SUBJECT_BASE", "WORLD_ZERO", "GROUND", "NONE")  # GROUND: the flat mesh under the subject (else its base)
SUBJECT_KINDS = ("AUTO", "PERSON", "OBJECT")
MAX_SHAKE = 10.0  # amplitude (1: handheld as recorded)
MAX_VARIATIONS = 64  # shots one Generate makes, each on its own camera
UI_VARIATIONS = 16  # how far the panel's slider drags (typing goes up to MAX_VARIATIONS)


def check_pivot_keys(obj: bpy.types.Object, frame_start: int, frame_end: int, replace: bool) -> bpy.types.Object:
    """Refuse appending to a camera on a LensCraft orbit pivot that has transform keys outside the frame range:
    they are in the pivot's space of an earlier orbit, which Generate re-keys (or removes) for the new move."""
    if replace or not is_orbit_pivot(obj.parent):
        return obj
    outside = [f for f in keyframes.keyed_frames(obj) if not frame_start <= f <= frame_end]
    if outside:
        raise LensCraftError(f"camera '{obj.name}' hangs from its orbit pivot '{obj.parent.name}' and has keys "
                             f"outside frames {frame_start}-{frame_end} (frame {outside[0]}), made for that pivot's "
                             "earlier orbit: the new move re-keys the pivot, so they would move; pick Replace, "
                             "cover those frames, or use a new camera")
    return obj


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
    segments: list[moves.Segment] | None = None  # what the camera does, in order (None: the movement label's)
    shake: float = 0.0  # handheld shake amplitude, added as its own layer (0: none; an old layer is removed)
    shake_enabled: bool = True  # the layer on (False: added muted)
    subject_kind: str = "AUTO"  # SUBJECT_KINDS
    aim: bpy.types.Object | None = None  # frame this object (or aim_bone of this armature) instead of the subject
    aim_bone: str = ""
    avoid_obstacles: bool = True  # keep out of the other visible meshes' boxes
    segment_markers: bool = False  # a timeline marker at every join between two segments


class GenerateJob(Job):
    """One step per variation: generate its shot and key its camera."""

    title = "Generating shots"

    def __init__(self, scene: bpy.types.Scene, req: GenerateRequest) -> None:
        subject_obj = check_object(req.subject, "subject", scene)
        target = check_camera(req.camera, scene) if req.camera is not None else None
        if target is not None:  # its own LensCraft orbit pivot is re-keyed for the new move (or removed)
            check_still_parent(check_editable(target), pivot_ok=True)
            check_pivot_keys(target, req.frame_start, req.frame_end, req.keys.replace)
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
        if req.subject_kind not in SUBJECT_KINDS:
            raise LensCraftError(f"subject kind must be one of {', '.join(SUBJECT_KINDS)}, got '{req.subject_kind}'")
        if isinstance(req.shake, bool) or not isinstance(req.shake, (int, float)) or not 0 <= req.shake <= MAX_SHAKE:
            raise LensCraftError(f"shake must be an amplitude in 0-{MAX_SHAKE:g}, got {req.shake!r}")
        if req.floor not in FLOORS:
            raise LensCraftError(f"floor must be one of {', '.join(FLOORS)}, got '{req.floor}'")
        segments = list(req.segments) if req.segments else None
        for k, seg in enumerate(segments or (), 1):
            if not isinstance(seg, moves.Segment):
                raise LensCraftError(f"segment {k} must be a moves.Segment, got {type(seg).__name__}")
        if segments is not None:
            moves.segment_frames(segments, len(frames))  # too many segments: said before anything is made
        super().__init__(req.variations)
        self.scene, self.req, self.labels, self.target, self.subject_obj = scene, req, labels, target, subject_obj
        self.frames, self.segments = frames, segments
        self.fps, self.aspect = gather.scene_fps(scene), gather.render_aspect(scene)
        found = gather.gather_subject(scene, subject_obj, frames, req.subject_size, req.subject_kind, req.aim,
                                      req.aim_bone)
        self.subject: Subject = found.subject
        self.kind_note = found.note
        self.focal, self.sensor = None, engine.DEFAULT_SENSOR_WIDTH_MM
        if target is not None:  # an existing camera keeps its sensor and starts from its own lens
            cam_data = gather.camera_data(target)
            self.focal, self.sensor = cam_data.lens, convert.effective_sensor_width(cam_data, self.aspect)
        scene_obstacles = gather.gather_obstacles(scene, exclude=[target, req.aim], subject=subject_obj)
        base = engine.subject_base(self.subject, len(frames))
        ground = scene_obstacles.floor if scene_obstacles.floor is not None else base
        self.floor = {"SUBJECT_BASE": base, "WORLD_ZERO": 0.0, "GROUND": ground, "NONE": None}[req.floor]
        obstacles = scene_obstacles.boxes if req.avoid_obstacles else []
        self.keys = 0
        # Every shot is made before anything changes (the model makes all variations in one call: that is how they
        # differ), so a failing generator leaves the scene as it was.
        self.shots: list[Shot] = engine.generate_shots(
            self.subject, self.labels, len(self.frames), req.variations, fps=self.fps, seed=req.seed,
            focal_length=self.focal, sensor_width=self.sensor, aspect=self.aspect, floor=self.floor,
            segments=segments, aim=found.aim_points, obstacles=obstacles)
        self.generated = engine.generated_labels(labels)  # what the camera does: the caption and marker say this
        if segments:
            self.generated["movement"] = moves.first_move_label(segments)
        if engine.generator() != "model" and engine.model_status().startswith("Simulator:"):
            self.result.warnings.append(engine.model_status())
        for note in dict.fromkeys(n for shot in self.shots for n in engine.shot_notes(shot)):
            self.result.warnings.append(note)

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
        from .shake import CONSTRAINT_NAME

        if any(c.name != CONSTRAINT_NAME for c in cam.constraints):  # the shake layer is ours, made after the move
            self.result.warnings.append(f"camera '{cam.name}' has constraints that may override the generated motion")
        joins = tuple(req.frame_start + ins.start for ins in shot.instructions[1:])  # a key at every segment join
        opts = KeyOptions(**{**req.keys.__dict__, "easing": self.generated.get("easing"), "required_frames": joins})
        orbit = shot.metadata.get("orbit")
        rig = self._orbit_rig(cam, orbit)
        if rig is not None and orbit is not None:  # a rig only for an orbit
            # the orbit is one rotation channel on a pivot at the centre, the camera keeps the rest of the move (a
            # push-in before, say), so an orbit is a few keys an animator can retime
            traj = plan.unorbit(shot.trajectory, orbit["centre"], orbit["angle_rad"])
            self.keys += keyframes.write_camera(cam, traj, req.frame_start, self.aspect, opts)
            # the pivot's angle moves the camera by angle x radius: its tolerance keeps the position within opts'
            radius = float(np.linalg.norm((traj.position - np.asarray(orbit["centre"]))[:, :2], axis=1).max())
            self.keys += keyframes.write_channel(
                keyframes.ensure_fcurve(rig, "rotation_euler", 2, keyframes.GROUP),
                np.arange(req.frame_start, req.frame_start + traj.frame_count), np.asarray(orbit["angle_rad"]),
                opts.every_frame, min(opts.angle_tolerance, opts.tolerance / max(radius, 1e-6)), None,
                opts.required_frames)
        else:
            self.keys += keyframes.write_camera(cam, shot.trajectory, req.frame_start, self.aspect, opts)
        if req.focus_on_subject:
            dof = gather.camera_data(cam).dof
            dof.use_dof, dof.focus_object = True, self.subject_obj
        if req.add_marker:
            label_marker(scene, self.generated, req.frame_start, cam)
        if req.segment_markers:  # one per join, named with the next segment's labels (Export splits there)
            for ins in shot.instructions[1:]:
                label_marker(scene, ins.labels(), req.frame_start + ins.start, cam)
        self._shake(cam, shot, v)
        self.result.objects.append(cam)

    def _orbit_rig(self, cam: bpy.types.Object, orbit: dict | None) -> bpy.types.Object | None:
        """The pivot an orbit turns on, with the camera hung from it keeping its world transform: a new one, or the
        camera's LensCraft pivot from an earlier Generate with its old keys replaced. None: the move goes in the
        camera's own keys (no orbit; a parent of the user's, never replaced; keys after the range a turned pivot
        would move). A LensCraft pivot with no orbit to turn lets go of the camera, which keeps its world
        transform, and is removed if nothing else uses it."""
        old = cam.parent if is_orbit_pivot(cam.parent) else None
        if not orbit:
            if old is not None:
                name = old.name
                release_from_pivot(cam)
                gone = remove_if_unused(old)
                self.result.notes.append(f"'{cam.name}' no longer orbits: unparented from its orbit pivot '{name}' "
                                         "where it stood" + ("; the pivot was removed" if gone else
                                                             "; the pivot stays (something else uses it)"))
            return None
        if cam.parent is not None and old is None:
            self.result.warnings.append(
                f"'{cam.name}' keeps the orbit in its own location and rotation keys, not on an orbit pivot: its "
                f"parent '{cam.parent.name}' is yours and is never replaced (Alt+P > Clear and Keep Transformation, "
                "then Generate again, for a pivot)")
            return None
        later = [f for f in keyframes.keyed_frames(cam) if f > self.req.frame_end]
        if old is None and later and not self.req.keys.replace:
            self.result.warnings.append(
                f"'{cam.name}' keeps the orbit in its own location and rotation keys, not on an orbit pivot: its keys "
                f"after frame {self.req.frame_end} (frame {later[0]}) would turn with the pivot (Replace clears "
                "them)")
            return None
        rig = orbit_pivot(self.scene, f"{cam.name} Orbit", orbit["centre"], reuse=old)
        hang_from_pivot(cam, rig)
        if self.target is cam:  # a new camera's pivot is no news
            self.result.notes.append(f"'{cam.name}' orbits on " + (
                f"its pivot '{rig.name}' again (its old keys replaced)" if old is not None else
                f"a new pivot '{rig.name}' at the orbit's centre (the orbit is the pivot's Z rotation)"))
        return rig

    def _shake(self, cam: bpy.types.Object, shot: Shot, v: int) -> None:
        """The handheld shake as its own layer over the clean move, or no layer (an old one goes)."""
        from .shake import add_shake_layer, remove_shake_layer, set_shake_enabled

        req = self.req
        if req.shake > 0:
            point = self.subject.positions(len(self.frames))[0]
            distance = float(((shot.trajectory.position[0] - point) ** 2).sum() ** 0.5)
            add_shake_layer(cam, float(req.shake), seed=req.seed + v, frame_start=req.frame_start,
                            frames=len(self.frames), fps=self.fps, distance=distance)
            set_shake_enabled(cam, req.shake_enabled)
        else:
            remove_shake_layer(cam)

    def finish(self) -> Result:
        if self.scene.camera is None and self.result.objects:
            self.scene.camera = self.result.objects[0]
        self.scene.frame_set(self.scene.frame_current)  # show the new pose
        what = engine.caption(self.generated) or "every label left to the model"
        self.result.message = (f"{len(self.result.objects)} camera(s), {self.keys} keys, frames "
                               f"{self.req.frame_start}-{self.req.frame_end}: {what}")
        performed = self.shots[0].metadata.get("segments") if self.shots else None
        if performed and any(d.get("moves") for d in performed):  # as made: amounts filled in (the move
            # decoder's or the planner's where the words left them open), the frames each segment spans
            from .segment_list import segment_lines

            segs = [moves.Segment.from_dict(d) for d in performed]
            self.result.message += "; " + "; ".join(segment_lines(segs, self.req.frame_start, len(self.frames),
                                                                  self.fps))
        if self.req.shake > 0:
            self.result.message += f"; shake {self.req.shake:g}" + ("" if self.req.shake_enabled else " (off)")
        return self.result


def generate(scene: bpy.types.Scene, req: GenerateRequest) -> Result:
    """Key one camera per variation with a generated shot framing the subject."""
    return run(GenerateJob(scene, req))
