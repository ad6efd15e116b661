"""Operators: thin wrappers that read the settings, call workflow, and report. Errors go to self.report, never a
traceback; an operator that fails returns {'CANCELLED'} with the scene unchanged."""

from __future__ import annotations

from typing import Any, Literal

import bpy
from bpy.props import BoolProperty, EnumProperty, IntProperty, StringProperty  # type: ignore
from bpy_extras.io_utils import ExportHelper, ImportHelper

from .engine import LensCraftError
from .properties import labels_of

Status = set[Literal['RUNNING_MODAL', 'CANCELLED', 'FINISHED', 'PASS_THROUGH', 'INTERFACE']]


def settings_subject(context: bpy.types.Context) -> bpy.types.Object | None:
    s = context.scene.lenscraft
    return s.subject or context.active_object


def frame_range(context: bpy.types.Context) -> tuple[int, int]:
    s, scene = context.scene.lenscraft, context.scene
    return (scene.frame_start, scene.frame_end) if s.use_scene_range else (s.frame_start, s.frame_end)


def _report_result(op: bpy.types.Operator, result: Any) -> Status:
    for w in result.warnings:
        op.report({'WARNING'}, w)
    op.report({'INFO'}, result.message)
    return {'FINISHED'}


def _run(op: bpy.types.Operator, fn: Any, *args: Any) -> Status:
    """Call a workflow function; expected failures become a report and {'CANCELLED'}."""
    try:
        return _report_result(op, fn(*args))
    except (LensCraftError, OSError) as e:
        op.report({'ERROR'}, str(e))
        return {'CANCELLED'}


class LENSCRAFT_OT_generate(bpy.types.Operator):
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

    def execute(self, context: bpy.types.Context) -> Status:
        from . import workflow
        from .keyframes import KeyOptions

        s = context.scene.lenscraft
        start, end = frame_range(context)
        req = workflow.GenerateRequest(
            subject=settings_subject(context), labels=labels_of(s), frame_start=start, frame_end=end,
            camera=s.camera if s.camera_target == 'EXISTING' else None, variations=s.variations, seed=s.seed,
            keys=KeyOptions(every_frame=s.key_density == 'EVERY_FRAME', tolerance=s.key_tolerance,
                            angle_tolerance=s.key_angle_tolerance, animate_focal=s.animate_focal,
                            replace=s.keep == 'REPLACE'),
            focus_on_subject=s.focus_on_subject, add_marker=s.add_marker)
        return _run(self, workflow.generate, context.scene, req)


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


class LENSCRAFT_OT_export(bpy.types.Operator, ExportHelper):  # type: ignore[misc]
    """Export cameras, sampled every frame from the evaluated scene, as shot JSON"""

    bl_idname = "lenscraft.export_shots"
    bl_label = "Export Camera Shots"
    bl_options = {'REGISTER'}
    filename_ext = ".json"

    filter_glob: StringProperty(default="*.json", options={'HIDDEN'})  # type: ignore[valid-type]
    format: EnumProperty(  # type: ignore[valid-type]
        name="Format", default='lenscraft',
        items=[('lenscraft', "LensCraft", "LensCraft training JSON (all fields, any frame count)"),
               ('lenscraft-v1', "LensCraft v1", "LensCraft v1 simulator JSON (Y up)")])
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

    def execute(self, context: bpy.types.Context) -> Status:
        from . import workflow

        scene = context.scene
        objs = context.selected_objects if self.selection == 'SELECTED' else scene.objects
        cameras = [o for o in objs if o.type == 'CAMERA']
        if not cameras:
            self.report({'ERROR'}, "no camera selected (select cameras or export All)")
            return {'CANCELLED'}
        start, end = (scene.frame_start, scene.frame_end) if self.use_scene_range else (self.frame_start,
                                                                                         self.frame_end)
        subject = scene.lenscraft.subject if self.include_subject else None
        path: str = self.filepath  # type: ignore[attr-defined]  # from ExportHelper
        return _run(self, workflow.export_cameras, scene, cameras, path, self.format, start, end, subject)


class LENSCRAFT_OT_import(bpy.types.Operator, ImportHelper):  # type: ignore[misc]
    """Import shot JSON (LensCraft or LensCraft v1) as keyed cameras and subject boxes"""

    bl_idname = "lenscraft.import_shots"
    bl_label = "Import Camera Shots"
    bl_options = {'REGISTER', 'UNDO'}
    filename_ext = ".json"

    filter_glob: StringProperty(default="*.json", options={'HIDDEN'})  # type: ignore[valid-type]

    def execute(self, context: bpy.types.Context) -> Status:
        from . import workflow

        path: str = self.filepath  # type: ignore[attr-defined]  # from ImportHelper
        return _run(self, workflow.import_shots, context.scene, path)


CLASSES = (LENSCRAFT_OT_generate, LENSCRAFT_OT_apply_prompt, LENSCRAFT_OT_export, LENSCRAFT_OT_import)
