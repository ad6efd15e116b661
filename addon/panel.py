"""The sidebar panel: View3D > Sidebar > LensCraft."""

from __future__ import annotations

import bpy

from .engine import FIELD_NAMES, model_status
from .properties import menu_summary, ui_name


class _SidebarPanel(bpy.types.Panel):
    """Where every LensCraft panel lives: View3D > Sidebar > LensCraft."""

    bl_space_type = 'VIEW_3D'
    bl_region_type = 'UI'
    bl_category = "LensCraft"


class LENSCRAFT_PT_main(_SidebarPanel):
    bl_label = "LensCraft"
    bl_idname = "LENSCRAFT_PT_main"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        s = context.scene.lenscraft
        layout.prop(s, "subject")
        if s.subject is None:
            active = context.active_object
            layout.label(text=f"Using active: {active.name}" if active else "No active object", icon='OBJECT_DATA')
        layout.prop(s, "subject_size")
        layout.prop(s, "prompt", text="")
        if s.understood:
            box = layout.box()
            bad = s.understood.startswith("not understood")
            # live: the menus may have changed, and the generator (what an open field becomes) may have
            text = s.understood if bad else "understood as " + menu_summary(s)
            for k, line in enumerate(text.split("; ")):
                box.label(text=line, icon=('ERROR' if bad else 'INFO') if k == 0 else 'BLANK1')
            for line in ([] if bad else s.ignored.splitlines()):
                box.label(text=line, icon='QUESTION')
        col = layout.column(align=True)
        for f in FIELD_NAMES:
            col.prop(s, f)
        layout.operator("lenscraft.generate", icon='CAMERA_DATA')
        layout.label(text=model_status(), icon='SETTINGS')


class LENSCRAFT_PT_camera(_SidebarPanel):
    """Describe and Complete work on the active camera."""

    bl_label = "Active Camera"
    bl_parent_id = "LENSCRAFT_PT_main"

    def draw(self, context: bpy.types.Context) -> None:
        from .describe import stored_description

        layout = self.layout
        row = layout.row(align=True)
        row.operator("lenscraft.describe", text="Describe", icon='TEXT')
        row.operator("lenscraft.complete", text="Complete", icon='IPO_BEZIER')
        layout.prop(context.scene.lenscraft, "complete_use_easing")
        obj = context.active_object
        found = stored_description(obj) if obj is not None and obj.type == 'CAMERA' else None
        if found is None:
            return
        caption, fields = found
        box = layout.box()
        box.label(text=caption, icon='CAMERA_DATA')
        for f, ranked in fields.items():
            col = box.column(align=True)
            col.label(text=ui_name(f))
            for label, score in ranked[:3]:
                col.label(text=f"{ui_name(label)}: {score:.2f}", icon='BLANK1')


class LENSCRAFT_PT_output(_SidebarPanel):
    bl_label = "Output"
    bl_parent_id = "LENSCRAFT_PT_main"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        layout.use_property_split = True
        s = context.scene.lenscraft
        layout.prop(s, "use_scene_range")
        row = layout.row(align=True)
        row.enabled = not s.use_scene_range
        row.prop(s, "frame_start")
        row.prop(s, "frame_end")
        layout.prop(s, "camera_target")
        if s.camera_target == 'EXISTING':
            layout.prop(s, "camera")
            layout.prop(s, "keep")
        layout.prop(s, "variations")
        layout.prop(s, "seed")
        layout.prop(s, "key_density")
        if s.key_density == 'SPARSE':
            layout.prop(s, "key_tolerance")
            layout.prop(s, "key_angle_tolerance")
        layout.prop(s, "animate_focal")
        layout.prop(s, "floor")
        layout.prop(s, "focus_on_subject")
        layout.prop(s, "add_marker")


class LENSCRAFT_PT_files(_SidebarPanel):
    bl_label = "Import / Export"
    bl_parent_id = "LENSCRAFT_PT_main"
    bl_options = {'DEFAULT_CLOSED'}

    def draw(self, context: bpy.types.Context) -> None:
        row = self.layout.row(align=True)
        row.operator("lenscraft.export_shots", text="Export", icon='EXPORT')
        row.operator("lenscraft.import_shots", text="Import", icon='IMPORT')


CLASSES = (LENSCRAFT_PT_main, LENSCRAFT_PT_camera, LENSCRAFT_PT_output, LENSCRAFT_PT_files)
