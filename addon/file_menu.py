"""LensCraft in Blender's File menu (File > Import > LensCraft Shots / Camera Poses, File > Export > LensCraft Shots
(.json)) and a FileHandler so a shot or pose file dropped on the 3D viewport imports it. The sidebar's Import /
Export buttons run the same operators."""

from __future__ import annotations

import bpy

from .engine import IMPORT_EXTENSIONS
from .operators import LENSCRAFT_OT_export, LENSCRAFT_OT_import

MENU_TEXT = "LensCraft Shots (.json)"  # what Export writes
IMPORT_MENU_TEXT = "LensCraft Shots / Camera Poses"  # what Import reads: shot JSON and the pose formats


def menu_import(self: bpy.types.Menu, context: bpy.types.Context) -> None:
    self.layout.operator(LENSCRAFT_OT_import.bl_idname, text=IMPORT_MENU_TEXT)


def menu_export(self: bpy.types.Menu, context: bpy.types.Context) -> None:
    self.layout.operator(LENSCRAFT_OT_export.bl_idname, text=MENU_TEXT)


class LENSCRAFT_FH_shots(bpy.types.FileHandler):
    """Drag and drop of shot and pose files onto the 3D viewport (Blender 4.1+): the import operator gets the files
    (several files of one COLMAP model import it once)."""

    bl_idname = "LENSCRAFT_FH_shots"
    bl_label = "LensCraft Shots"
    bl_import_operator = LENSCRAFT_OT_import.bl_idname
    bl_file_extensions = ";".join(IMPORT_EXTENSIONS)

    @classmethod
    def poll_drop(cls, context: bpy.types.Context) -> bool:
        return context.area is not None and context.area.type == 'VIEW_3D'


CLASSES = (LENSCRAFT_FH_shots,)
MENUS = ((bpy.types.TOPBAR_MT_file_import, menu_import), (bpy.types.TOPBAR_MT_file_export, menu_export))


def register_menus() -> None:
    for menu, entry in MENUS:
        menu.append(entry)


def unregister_menus() -> None:
    for menu, entry in MENUS:
        menu.remove(entry)
