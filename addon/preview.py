"""Preview: a few frames of a camera rendered small with Workbench and tiled into one contact sheet (the headless
command's --preview)."""

from __future__ import annotations

import os
from typing import Sequence

import bpy
import numpy as np

from . import gather
from .checks import check_camera


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
