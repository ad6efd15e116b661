"""Operators: thin wrappers that read the settings, call the workflow modules (generate, exchange, describe,
complete), and report. Errors go to self.report, never a traceback; an operator that fails returns {'CANCELLED'}
with the scene unchanged. Import takes one file or several (picked together, or dropped on the viewport).

Generate (several variations) and Export (several cameras) run as modal operators when started from the UI: a timer
does one item at a time, the progress bar and the status bar show how far it got, and Esc stops it. Stopping keeps
the items already done (whole cameras; one Ctrl+Z removes them) - an export writes its file only at the end, so a
stopped export writes nothing. In background mode (and with EXEC_DEFAULT) they run synchronously."""

from __future__ import annotations

import os
from typing import Any, Literal

import bpy
from bpy.props import BoolProperty, CollectionProperty, EnumProperty, IntProperty, StringProperty  # type: ignore
from bpy_extras.io_utils import ExportHelper, ImportHelper

from .engine import FORMATS, IMPORT_EXTENSIONS, LensCraftError
from .properties import apply_preferences, labels_of

Status = set[Literal['RUNNING_MODAL', 'CANCELLED', 'FINISHED', 'PASS_THROUGH', 'INTERFACE']]


def settings_subject(context: bpy.types.Context) -> bpy.types.Object | None:
    s = context.scene.lenscraft
    return s.subject or context.active_object


def frame_range(context: bpy.types.Context) -> tuple[int, int]:
    s, scene = context.scene.lenscraft, context.scene
    return (scene.frame_start, scene.frame_end) if s.use_scene_range else (s.frame_start, s.frame_end)


def key_options(s: Any) -> Any:
    from .keyframes import KeyOptions

    return KeyOptions(every_frame=s.key_density == 'EVERY_FRAME', tolerance=s.key_tolerance,
                      angle_tolerance=s.key_angle_tolerance, animate_focal=s.animate_focal,
                      replace=s.keep == 'REPLACE')


def _report_result(op: bpy.types.Operator, result: Any) -> Status:
    for w in result.warnings:
        op.report({'WARNING'}, w)
    for n in result.notes:
        op.report({'INFO'}, n)
    op.report({'INFO'}, result.message)
    return {'FINISHED'}


def _run(op: bpy.types.Operator, fn: Any, *args: Any) -> Status:
    """Call a workflow function; expected failures become a report and {'CANCELLED'}."""
    try:
        return _report_result(op, fn(*args))
    except (LensCraftError, OSError) as e:
        op.report({'ERROR'}, str(e))
        return {'CANCELLED'}


class JobOperator:
    """Mixin: execute() runs the job synchronously; invoke() (the UI) runs it step by step from a timer with a
    progress bar and a status line, Esc stops it. Subclasses implement make_job(context)."""

    STEP_BUDGET_S = 0.05  # time per timer tick before handing control back to the UI

    _job: Any = None
    _timer: Any = None

    def make_job(self, context: bpy.types.Context) -> Any:
        raise NotImplementedError

    def _start(self, context: bpy.types.Context) -> Any:
        apply_preferences(context)
        try:
            return self.make_job(context)
        except (LensCraftError, OSError) as e:
            self.report({'ERROR'}, str(e))  # type: ignore[attr-defined]
            return None

    def execute(self, context: bpy.types.Context) -> Status:
        job = self._start(context)
        return {'CANCELLED'} if job is None else self._run_sync(job)

    def _run_sync(self, job: Any) -> Status:
        from .jobs import run

        try:
            return _report_result(self, run(job))  # type: ignore[arg-type]
        except (LensCraftError, OSError) as e:
            self.report({'ERROR'}, str(e))  # type: ignore[attr-defined]
            return {'FINISHED'} if job.done else {'CANCELLED'}

    def invoke(self, context: bpy.types.Context, event: bpy.types.Event) -> Status:
        if bpy.app.background or context.window is None:
            return self.execute(context)
        job = self._start(context)
        if job is None:
            return {'CANCELLED'}
        if job.total <= 1:  # nothing to show progress for
            return self._run_sync(job)
        self._job = job
        wm = context.window_manager
        wm.progress_begin(0, job.total)
        self._timer = wm.event_timer_add(0.01, window=context.window)
        wm.modal_handler_add(self)  # type: ignore[arg-type]  # a mixin of an Operator
        self._status(context)
        return {'RUNNING_MODAL'}

    def _status(self, context: bpy.types.Context) -> None:
        job = self._job
        context.workspace.status_text_set(f"{job.title}: {job.done} of {job.total} - Esc to cancel")
        context.window_manager.progress_update(job.done)

    def modal(self, context: bpy.types.Context, event: bpy.types.Event) -> Status:
        if event.type == 'ESC':
            return self._finish(context, stopped=True)
        if event.type != 'TIMER':  # viewport navigation keeps working; edits wait until the job ends
            nav = {'MOUSEMOVE', 'INBETWEEN_MOUSEMOVE', 'MIDDLEMOUSE', 'WHEELUPMOUSE', 'WHEELDOWNMOUSE', 'TRACKPADPAN',
                   'TRACKPADZOOM'}
            return {'PASS_THROUGH'} if event.type in nav else {'RUNNING_MODAL'}
        import time

        t0 = time.perf_counter()
        try:
            while not self._job.finished and time.perf_counter() - t0 < self.STEP_BUDGET_S:
                self._job.step()
        except (LensCraftError, OSError) as e:
            self.report({'ERROR'}, str(e))  # type: ignore[attr-defined]
            return self._finish(context, stopped=True)
        if self._job.finished:
            return self._finish(context, stopped=False)
        self._status(context)
        return {'RUNNING_MODAL'}

    def _finish(self, context: bpy.types.Context, stopped: bool) -> Status:
        job, self._job = self._job, None
        wm = context.window_manager
        if self._timer is not None:
            wm.event_timer_remove(self._timer)
            self._timer = None
            wm.progress_end()
            context.workspace.status_text_set(None)
        try:
            result = job.stop() if stopped else job.finish()
        except (LensCraftError, OSError) as e:
            self.report({'ERROR'}, str(e))  # type: ignore[attr-defined]
            return {'FINISHED'} if job.done else {'CANCELLED'}
        if stopped:
            self.report({'WARNING'}, result.message)  # type: ignore[attr-defined]
            return {'FINISHED'} if job.done and job.result.objects else {'CANCELLED'}
        return _report_result(self, result)  # type: ignore[arg-type]


class LENSCRAFT_OT_generate(JobOperator, bpy.types.Operator):
    """Key a camera move that frames the subject as the prompt and menus describe"""

    bl_idname = "lenscraft.generate"
    bl_label = "Generate Shot"
    bl_options = {'REGISTER', 'UNDO'}

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        subject = settings_subject(context)
        if subject is None:
            cls.poll_message_set("Pick a subject or make an object active")
            return False
        if subject.type == 'CAMERA':
            cls.poll_message_set("The subject is a camera: pick the object to frame")
            return False
        s = context.scene.lenscraft
        if s.camera_target == 'EXISTING' and s.camera is None:
            cls.poll_message_set("Pick the camera to animate, or choose New Camera")
            return False
        return True

    def make_job(self, context: bpy.types.Context) -> Any:
        from .generate import GenerateJob, GenerateRequest

        from .segment_list import segments_of

        s = context.scene.lenscraft
        start, end = frame_range(context)
        req = GenerateRequest(
            subject=settings_subject(context), labels=labels_of(s), frame_start=start, frame_end=end,
            camera=s.camera if s.camera_target == 'EXISTING' else None, variations=s.variations, seed=s.seed,
            keys=key_options(s), focus_on_subject=s.focus_on_subject, add_marker=s.add_marker, floor=s.floor,
            subject_size=s.subject_size or None, segments=segments_of(s.segments) or None, shake=s.shake,
            shake_enabled=s.shake_enabled, subject_kind=s.subject_kind, aim=s.aim_object,
            aim_bone=s.aim_bone if s.aim_object is not None and s.aim_object.type == 'ARMATURE' else "",
            avoid_obstacles=s.avoid_obstacles, segment_markers=s.segment_markers)
        return GenerateJob(context.scene, req)  # type: ignore[arg-type]


class LENSCRAFT_OT_apply_prompt(bpy.types.Operator):
    """Read the prompt again and set the menus it names"""

    bl_idname = "lenscraft.apply_prompt"
    bl_label = "Apply Prompt"
    bl_options = {'REGISTER', 'UNDO'}

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        if not context.scene.lenscraft.prompt.strip():
            cls.poll_message_set("Type a shot description first")
            return False
        return True

    def execute(self, context: bpy.types.Context) -> Status:
        from .properties import apply_prompt

        s = context.scene.lenscraft
        apply_prompt(s)
        if s.understood.startswith("not understood"):
            self.report({'ERROR'}, s.understood)
            return {'CANCELLED'}
        self.report({'INFO'}, s.understood)
        return {'FINISHED'}


class LENSCRAFT_OT_segment_add(bpy.types.Operator):
    """Add a segment after the selected one (a copy of it, or a push-in on an empty list)"""

    bl_idname = "lenscraft.segment_add"
    bl_label = "Add Segment"
    bl_options = {'REGISTER', 'UNDO'}

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        from .engine import moves

        s = context.scene.lenscraft
        if len(s.segments) >= 2 * moves.MAX_SEGMENTS:
            cls.poll_message_set(f"A shot has at most {moves.MAX_SEGMENTS} segments")
            return False
        return True

    def execute(self, context: bpy.types.Context) -> Status:
        s = context.scene.lenscraft
        rows = s.segments
        source = rows[s.segment_index] if 0 <= s.segment_index < len(rows) else None
        row = rows.add()
        if source is not None:
            for name in ("movement", "use_amount", "amount", "unit", "speed", "easing", "duration"):
                setattr(row, name, getattr(source, name))
        at = min(s.segment_index + 1, len(rows) - 1) if source is not None else len(rows) - 1
        rows.move(len(rows) - 1, at)
        s.segment_index = at
        self.report({'INFO'}, f"segment row {at + 1} added")
        return {'FINISHED'}


def _has_segment(cls: Any, context: bpy.types.Context) -> bool:
    s = context.scene.lenscraft
    if not 0 <= s.segment_index < len(s.segments):
        cls.poll_message_set("Select a segment in the list first")
        return False
    return True


class LENSCRAFT_OT_segment_remove(bpy.types.Operator):
    """Remove the selected segment"""

    bl_idname = "lenscraft.segment_remove"
    bl_label = "Remove Segment"
    bl_options = {'REGISTER', 'UNDO'}

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        return _has_segment(cls, context)

    def execute(self, context: bpy.types.Context) -> Status:
        s = context.scene.lenscraft
        k = s.segment_index
        s.segments.remove(k)
        if len(s.segments) and s.segments[0].together:
            s.segments[0].together = False  # the first row starts a segment
        s.segment_index = max(min(k, len(s.segments) - 1), 0)
        self.report({'INFO'}, f"segment row {k + 1} removed")
        return {'FINISHED'}


class LENSCRAFT_OT_segment_move(bpy.types.Operator):
    """Move the selected segment earlier or later in the shot"""

    bl_idname = "lenscraft.segment_move"
    bl_label = "Move Segment"
    bl_options = {'REGISTER', 'UNDO'}

    direction: EnumProperty(  # type: ignore[valid-type]
        name="Direction", items=[('UP', "Up", "Earlier in the shot"), ('DOWN', "Down", "Later in the shot")])

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        if not _has_segment(cls, context):
            return False
        if len(context.scene.lenscraft.segments) < 2:
            cls.poll_message_set("Only one segment: nothing to reorder")
            return False
        return True

    def execute(self, context: bpy.types.Context) -> Status:
        s = context.scene.lenscraft
        k = s.segment_index
        to = k - 1 if self.direction == 'UP' else k + 1
        if not 0 <= to < len(s.segments):
            self.report({'WARNING'}, f"segment row {k + 1} is already the {'first' if to < 0 else 'last'}")
            return {'CANCELLED'}
        s.segments.move(k, to)
        s.segment_index = to
        if s.segments[0].together:
            s.segments[0].together = False
        return {'FINISHED'}


class LENSCRAFT_OT_toggle_shake(bpy.types.Operator):
    """Switch the active camera's handheld shake layer on or off (the move's keys stay as they are)"""

    bl_idname = "lenscraft.toggle_shake"
    bl_label = "Toggle Shake"
    bl_options = {'REGISTER', 'UNDO'}

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        if not _active_camera_poll(cls, context):
            return False
        from .shake import shake_constraint

        obj = context.active_object
        assert obj is not None, "_active_camera_poll returned True: there is an active camera"
        if shake_constraint(obj) is None:
            cls.poll_message_set("The active camera has no shake layer: generate with a shake amount")
            return False
        return True

    def execute(self, context: bpy.types.Context) -> Status:
        from .shake import set_shake_enabled, shake_enabled

        cam = context.active_object
        assert cam is not None, "poll let the operator run: there is an active camera"
        on = not shake_enabled(cam)
        try:
            set_shake_enabled(cam, on)
        except LensCraftError as e:
            self.report({'ERROR'}, str(e))
            return {'CANCELLED'}
        self.report({'INFO'}, f"shake of '{cam.name}' {'on' if on else 'off'}")
        return {'FINISHED'}


# How the file dialog names each format the core writes (lenscraft_core.formats.FORMATS); a format without an entry
# here still gets a menu item, named as the core names it.
_FORMAT_UI = {"lenscraft": ("LensCraft", "LensCraft training JSON (all fields, any frame count)"),
              "lenscraft-v1": ("LensCraft v1", "LensCraft v1 simulator JSON (Y up)")}
_FORMAT_ITEMS = [(f, *_FORMAT_UI.get(f, (f, f"{f} JSON"))) for f in FORMATS]


class LENSCRAFT_OT_export(JobOperator, bpy.types.Operator, ExportHelper):  # type: ignore[misc]
    """Export cameras, sampled every frame from the evaluated scene, as shot JSON"""

    bl_idname = "lenscraft.export_shots"
    bl_label = "Export Camera Shots"
    bl_options = {'REGISTER'}
    filename_ext = ".json"

    filter_glob: StringProperty(default="*.json", options={'HIDDEN'})  # type: ignore[valid-type]
    format: EnumProperty(  # type: ignore[valid-type]
        name="Format", default=FORMATS[0], items=_FORMAT_ITEMS)
    selection: EnumProperty(  # type: ignore[valid-type]
        name="Cameras", default='SELECTED',
        items=[('SELECTED', "Selected", "Selected cameras"), ('ALL', "All", "Every camera in the scene")])
    use_scene_range: BoolProperty(name="Scene Range", default=True)  # type: ignore[valid-type]
    frame_start: IntProperty(name="Start", default=1, min=0)  # type: ignore[valid-type]
    frame_end: IntProperty(name="End", default=120, min=0)  # type: ignore[valid-type]
    include_subject: BoolProperty(  # type: ignore[valid-type]
        name="Include Subject", default=True, description="Write the LensCraft subject with each shot")

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        if not any(o.type == 'CAMERA' for o in context.scene.objects):
            cls.poll_message_set("The scene has no camera")
            return False
        return True

    def invoke(self, context: bpy.types.Context, event: bpy.types.Event) -> Status:  # type: ignore[override]
        return ExportHelper.invoke(self, context, event)  # type: ignore[func-returns-value,return-value]

    def execute(self, context: bpy.types.Context) -> Status:
        if bpy.app.background or context.window is None:
            return JobOperator.execute(self, context)
        return JobOperator.invoke(self, context, None)  # type: ignore[arg-type]  # modal, with progress

    def make_job(self, context: bpy.types.Context) -> Any:
        from .exchange import ExportJob

        scene = context.scene
        objs = context.selected_objects if self.selection == 'SELECTED' else scene.objects
        cameras = [o for o in objs if o.type == 'CAMERA']
        if not cameras:
            raise LensCraftError("no camera selected (select cameras or export All)")
        start, end = (scene.frame_start, scene.frame_end) if self.use_scene_range else (self.frame_start,
                                                                                         self.frame_end)
        subject = scene.lenscraft.subject if self.include_subject else None
        path: str = self.filepath  # type: ignore[attr-defined]  # from ExportHelper
        return ExportJob(scene, cameras, path, self.format, start, end, subject,  # type: ignore[arg-type]
                         subject_size=scene.lenscraft.subject_size or None)


class LENSCRAFT_OT_import(bpy.types.Operator, ImportHelper):  # type: ignore[misc]
    """Import shot JSON or camera poses (COLMAP, matrices, transforms.json, KITTI, TUM, RealEstate10K) as cameras"""

    bl_idname = "lenscraft.import_shots"
    bl_label = "Import Camera Shots"
    bl_options = {'REGISTER', 'UNDO'}
    filename_ext = ".json"

    filter_glob: StringProperty(  # type: ignore[valid-type]
        default=";".join(f"*{e}" for e in IMPORT_EXTENSIONS), options={'HIDDEN'})
    # Several files at once: picked together in the file browser, or dropped on the viewport (file_menu.py).
    files: CollectionProperty(  # type: ignore[valid-type]
        type=bpy.types.OperatorFileListElement, options={'HIDDEN', 'SKIP_SAVE'})
    directory: StringProperty(subtype='DIR_PATH', options={'HIDDEN', 'SKIP_SAVE'})  # type: ignore[valid-type]

    def paths(self) -> list[str]:
        """The files picked or dropped, each COLMAP model once (any of its files, or its folder, names it)."""
        from .engine import import_source

        names = [f.name for f in self.files if f.name]
        if names and self.directory:
            picked = [os.path.join(self.directory, n) for n in names]
        else:
            picked = [self.filepath]  # type: ignore[attr-defined]  # from ImportHelper
        return list(dict.fromkeys(import_source(p) for p in picked))

    def invoke(self, context: bpy.types.Context, event: bpy.types.Event) -> Status:  # type: ignore[override]
        props = self.properties
        if props.is_property_set("filepath") or props.is_property_set("directory"):  # dropped: no file browser
            return self.execute(context)
        return ImportHelper.invoke(self, context, event)  # type: ignore[func-returns-value,return-value]

    def execute(self, context: bpy.types.Context) -> Status:
        from .exchange import import_shots

        status: Status = {'CANCELLED'}
        for path in self.paths():
            if _run(self, import_shots, context.scene, path) == {'FINISHED'}:
                status = {'FINISHED'}
        return status


def _active_camera_poll(cls: Any, context: bpy.types.Context) -> bool:
    obj = context.active_object
    if obj is None or obj.type != 'CAMERA':
        cls.poll_message_set("Make a camera the active object")
        return False
    return True


class LENSCRAFT_OT_describe(bpy.types.Operator):
    """Describe the active camera's move over the frame range: a caption and the top labels of every field, kept
    on the camera"""

    bl_idname = "lenscraft.describe"
    bl_label = "Describe Camera"
    bl_options = {'REGISTER', 'UNDO'}

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        return _active_camera_poll(cls, context)

    def execute(self, context: bpy.types.Context) -> Status:
        from .describe import describe_camera

        apply_preferences(context)
        start, end = frame_range(context)
        return _run(self, describe_camera, context.scene, context.active_object, start, end,
                    context.scene.lenscraft.subject)


class LENSCRAFT_OT_complete(bpy.types.Operator):
    """Fill the active camera's motion between the poses keyed by hand (the keys stay as they are)"""

    bl_idname = "lenscraft.complete"
    bl_label = "Complete Motion"
    bl_options = {'REGISTER', 'UNDO'}

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        if not _active_camera_poll(cls, context):
            return False
        from .keyframes import keyed_frames

        cam: Any = context.active_object  # a camera: _active_camera_poll said so
        if len(keyed_frames(cam)) < 2:
            cls.poll_message_set("Key at least two camera poses first")
            return False
        return True

    def execute(self, context: bpy.types.Context) -> Status:
        from .complete import complete_camera

        apply_preferences(context)
        s = context.scene.lenscraft
        start, end = frame_range(context)
        labels = {"easing": s.easing} if s.complete_use_easing and s.easing != 'AUTO' else None
        return _run(self, complete_camera, context.scene, context.active_object, start, end, s.subject,
                    labels, key_options(s))


CLASSES = (LENSCRAFT_OT_generate, LENSCRAFT_OT_apply_prompt, LENSCRAFT_OT_segment_add, LENSCRAFT_OT_segment_remove,
           LENSCRAFT_OT_segment_move, LENSCRAFT_OT_toggle_shake, LENSCRAFT_OT_export, LENSCRAFT_OT_import,
           LENSCRAFT_OT_describe, LENSCRAFT_OT_complete)
