"""The sidebar panel: View3D > Sidebar > LensCraft."""

from __future__ import annotations

from typing import Any

import bpy

from .engine import FIELD_NAMES, LensCraftError, model_status
from .properties import menu_summary, ui_name
from .segment_list import HOLD, UNIT_WORDS, amount_unit, segment_lines, segments_of


def _frames(context: bpy.types.Context) -> tuple[int, int, float]:
    """(first frame, frame count, fps) Generate will use."""
    from .operators import frame_range

    start, end = frame_range(context)
    r = context.scene.render
    return start, max(end - start + 1, 1), r.fps / r.fps_base


class LENSCRAFT_UL_segments(bpy.types.UIList):
    """The shot's segments in order: one row per move, a row marked With Previous moves at the same time."""

    def draw_item(self, context: bpy.types.Context, layout: bpy.types.UILayout, data: Any, item: Any,
                  icon: int | None, active_data: Any, active_property: str | None, index: int | None = 0,
                  flt_flag: int | None = 0) -> None:
        assert index is not None, "Blender passes every row's index"
        row = layout.row(align=True)
        row.label(text="+" if item.together and index else f"{index + 1}", icon='BLANK1' if item.together else 'NONE')
        row.prop(item, "movement", text="", emboss=False)
        unit = amount_unit(item)
        if unit and item.use_amount:
            row.label(text=f"{item.amount:g} {UNIT_WORDS[unit]}")
        elif item.movement != HOLD:
            row.label(text="default amount")
        if item.speed != 'NORMAL':
            row.label(text=item.speed.lower())


class _SidebarPanel(bpy.types.Panel):
    """Where every LensCraft panel lives: View3D > Sidebar > LensCraft."""

    bl_space_type = 'VIEW_3D'
    bl_region_type = 'UI'
    bl_category = "LensCraft"


def draw_segments(context: bpy.types.Context, layout: bpy.types.UILayout, s) -> None:  # noqa: ANN001
    """The segments Generate makes, with their frames (every value checked), and the editable list."""
    box = layout.box()
    if len(s.segments):
        try:
            start, frames, fps = _frames(context)
            for line in segment_lines(segments_of(s.segments), start, frames, fps):
                box.label(text=line, icon='ANIM')
        except LensCraftError as e:
            box.label(text=str(e), icon='ERROR')
    else:
        box.label(text="No segments: the Movement menu says what the camera does", icon='INFO')
    row = box.row()
    row.template_list("LENSCRAFT_UL_segments", "", s, "segments", s, "segment_index", rows=3)
    col = row.column(align=True)
    col.operator("lenscraft.segment_add", text="", icon='ADD')
    col.operator("lenscraft.segment_remove", text="", icon='REMOVE')
    col.separator()
    col.operator("lenscraft.segment_move", text="", icon='TRIA_UP').direction = 'UP'
    col.operator("lenscraft.segment_move", text="", icon='TRIA_DOWN').direction = 'DOWN'
    if not 0 <= s.segment_index < len(s.segments):
        return
    row_data = s.segments[s.segment_index]
    col = box.column(align=True)
    col.prop(row_data, "movement")
    if s.segment_index:
        col.prop(row_data, "together")
    unit = amount_unit(row_data)
    if unit:
        amount_row = col.row(align=True)
        amount_row.prop(row_data, "use_amount", text="")
        sub = amount_row.row(align=True)
        sub.active = row_data.use_amount
        sub.prop(row_data, "amount", text=f"Amount ({UNIT_WORDS[unit]})")
        if row_data.movement.startswith(("truck", "pedestal")):
            sub.prop(row_data, "unit", text="")
    if row_data.movement != HOLD:
        col.prop(row_data, "speed")
        col.prop(row_data, "duration")
    if not row_data.together or not s.segment_index:  # a segment's first row carries its easing and timing
        col.prop(row_data, "easing")
        col.prop(row_data, "share")
        col.prop(row_data, "seconds")


class LENSCRAFT_PT_main(_SidebarPanel):
    bl_label = "LensCraft"
    bl_idname = "LENSCRAFT_PT_main"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        assert layout is not None, "a panel has its layout while it draws"
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
        draw_segments(context, layout, s)
        col = layout.column(align=True)
        for f in FIELD_NAMES:
            col.prop(s, f)
        col = layout.column(align=True)
        col.prop(s, "subject_kind")
        col.prop(s, "aim_object")
        if s.aim_object is not None and s.aim_object.type == 'ARMATURE':
            col.prop_search(s, "aim_bone", s.aim_object.data, "bones")
        col.prop(s, "avoid_obstacles")
        row = layout.row(align=True)
        row.prop(s, "shake_enabled", text="Shake")
        sub = row.row(align=True)
        sub.active = s.shake_enabled
        sub.prop(s, "shake", text="Amount")
        obj = context.active_object
        from .shake import shake_constraint, shake_enabled

        if obj is not None and obj.type == 'CAMERA' and shake_constraint(obj) is not None:
            on = shake_enabled(obj)
            layout.operator("lenscraft.toggle_shake", text=f"Shake of '{obj.name}': {'On' if on else 'Off'}",
                            icon='HIDE_OFF' if on else 'HIDE_ON', depress=on)
        layout.operator("lenscraft.generate", icon='CAMERA_DATA')
        layout.label(text=model_status(), icon='SETTINGS')


class LENSCRAFT_PT_camera(_SidebarPanel):
    """Describe and Complete work on the active camera."""

    bl_label = "Active Camera"
    bl_parent_id = "LENSCRAFT_PT_main"

    def draw(self, context: bpy.types.Context) -> None:
        from .describe import stored_description, stored_segments

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
        segments = stored_segments(obj)
        if segments:
            col = box.column(align=True)
            col.label(text=f"Segments ({len(segments)})")
            for a, b, text in segments:
                col.label(text=f"{a}-{b}: {text}", icon='BLANK1')
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
        layout.prop(s, "segment_markers")


class LENSCRAFT_PT_files(_SidebarPanel):
    bl_label = "Import / Export"
    bl_parent_id = "LENSCRAFT_PT_main"
    bl_options = {'DEFAULT_CLOSED'}

    def draw(self, context: bpy.types.Context) -> None:
        row = self.layout.row(align=True)
        row.operator("lenscraft.export_shots", text="Export", icon='EXPORT')
        row.operator("lenscraft.import_shots", text="Import", icon='IMPORT')


CLASSES = (LENSCRAFT_UL_segments, LENSCRAFT_PT_main, LENSCRAFT_PT_camera, LENSCRAFT_PT_output, LENSCRAFT_PT_files)
