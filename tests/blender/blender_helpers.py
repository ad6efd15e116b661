"""Shared checks for the add-on tests (real bpy)."""

from __future__ import annotations

import numpy as np


def cameras(bpy):
    return sorted((o for o in bpy.data.objects if o.type == 'CAMERA'), key=lambda o: o.name)


def scene_state(bpy, ext) -> dict:
    """A fingerprint of everything an operator could change."""
    sc = bpy.context.scene
    return {
        "objects": sorted(o.name for o in bpy.data.objects),
        "actions": sorted(a.name for a in bpy.data.actions),
        "markers": sorted((m.name, m.frame) for m in sc.timeline_markers),
        "keys": sorted((o.name, fc.data_path, fc.array_index, len(fc.keyframe_points))
                       for o in bpy.data.objects for fc in ext.keyframes.fcurves(o)),
        "frame": sc.frame_current,
    }


def subject_in_view(bpy, scene, cam, subject, frames, margin=0.0):
    """Per frame: the subject centre projected with Blender's own camera data (x, y in [0, 1] = in frame, z depth)."""
    from bpy_extras.object_utils import world_to_camera_view
    from mathutils import Vector

    out = []
    keep = scene.frame_current
    for f in frames:
        scene.frame_set(f)
        dg = bpy.context.evaluated_depsgraph_get()
        sub = subject.evaluated_get(dg)
        corners = [sub.matrix_world @ Vector(c) for c in sub.bound_box]
        centre = sum(corners, Vector()) / 8.0
        out.append(tuple(world_to_camera_view(scene, cam.evaluated_get(dg), centre)))
    scene.frame_set(keep)
    return np.array(out)


def world_matrices(bpy, scene, obj, frames):
    keep = scene.frame_current
    out = []
    for f in frames:
        scene.frame_set(f)
        out.append(np.array(obj.evaluated_get(bpy.context.evaluated_depsgraph_get()).matrix_world))
    scene.frame_set(keep)
    return np.array(out)


def box_mesh(bpy, name, size, base=(0.0, 0.0, 0.0), on_floor=True):
    """A box mesh object of full extents `size` linked to the scene: standing on `base` (on_floor) or centred on it."""
    sx, sy, sz = (s / 2 for s in size)
    z0, z1 = (0.0, 2 * sz) if on_floor else (-sz, sz)
    verts = [(x, y, z) for x in (-sx, sx) for y in (-sy, sy) for z in (z0, z1)]
    mesh = bpy.data.meshes.new(name)
    mesh.from_pydata(verts, [], [(0, 1, 3, 2), (4, 6, 7, 5), (0, 4, 5, 1), (2, 3, 7, 6), (0, 2, 6, 4), (1, 5, 7, 3)])
    obj = bpy.data.objects.new(name, mesh)
    obj.location = base
    bpy.context.scene.collection.objects.link(obj)
    return obj
