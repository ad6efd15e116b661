"""addon/gather.py reads people, aim targets, obstacles and the floor from a real Blender scene (bpy)."""

from __future__ import annotations

import sys

import numpy as np
import pytest

bpy = pytest.importorskip("bpy", reason="bpy (Blender as a Python module) is not installed")

from blender_helpers import box_mesh  # noqa: E402


def _box_mesh(name, size, base=(0.0, 0.0, 0.0), on_floor=True):
    return box_mesh(bpy, name, size, base, on_floor)


def _character(scene, at=(3.0, 0.0, 0.0)):
    """An armature 'Rig' (bones spine, head, and a control bone 'ik' far out to the side) and a 0.5 x 0.3 x 1.8 m
    mesh 'Body' that it deforms through an Armature modifier (not parented: the modifier alone ties them)."""
    arm = bpy.data.armatures.new("Rig")
    rig = bpy.data.objects.new("Rig", arm)
    rig.location = at
    scene.collection.objects.link(rig)
    bpy.context.view_layer.objects.active = rig
    bpy.ops.object.mode_set(mode='EDIT')
    for name, head, tail in (("spine", (0, 0, 0.9), (0, 0, 1.4)), ("head", (0, 0, 1.5), (0, 0, 1.8)),
                             ("ik", (1.5, 0, 0), (1.5, 0, 0.3))):
        bone = arm.edit_bones.new(name)
        bone.head, bone.tail = head, tail
    bpy.ops.object.mode_set(mode='OBJECT')
    body = _box_mesh("Body", (0.5, 0.3, 1.8), at)
    body.modifiers.new("Armature", 'ARMATURE').object = rig
    return rig, body


def _frames(scene):
    return list(range(scene.frame_start, scene.frame_end + 1))


def test_people_and_objects_are_told_apart(scene, ext):
    g, frames = ext.gather, _frames(scene)
    rig, body = _character(scene)
    thin = _box_mesh("Statue", (0.4, 0.3, 1.8), (-3.0, 0.0, 0.0))
    cube = _box_mesh("Cube", (1.0, 1.0, 1.0), (0.0, -4.0, 0.0))
    group = bpy.data.objects.new("Figure", None)  # a person built from two meshes under one empty
    scene.collection.objects.link(group)
    group.location = (0.0, 4.0, 0.0)
    for name, size, z in (("Legs", (0.4, 0.25, 0.9), 0.0), ("Torso", (0.45, 0.25, 0.8), 0.9)):
        part = _box_mesh(name, size, (0.0, 0.0, z))
        part.parent = group
    for obj, want in ((rig, "person"), (body, "person"), (thin, "person"), (group, "person"), (cube, "object"),
                      (bpy.data.objects["Subject"], "object")):  # the fixture box is 1.8 m but only 1.8x its width
        found = g.gather_subject(scene, obj, frames)
        assert (found.kind, found.subject.object_class) == (want, want), (obj.name, found.note)
        assert found.aim_points is None and found.note.startswith(want)
    # the rig is boxed around the body it deforms, not around its bones (the control bone sticks out 1.5 m)
    person = g.gather_subject(scene, rig, frames).subject
    assert np.allclose(person.size, [0.5, 0.3, 1.8], atol=1e-6) and np.allclose(person.position, [3.0, 0.0, 0.9])
    assert "armature 'Rig'" in g.gather_subject(scene, body, frames).note
    # a kind says it outright
    assert g.gather_subject(scene, cube, frames, kind="PERSON").subject.object_class == "person"
    forced = g.gather_subject(scene, rig, frames, kind="object")
    assert forced.kind == "object" and forced.note == "object: set by hand"
    with pytest.raises(ext.engine.LensCraftError, match="unknown subject kind 'ROBOT'"):
        g.gather_subject(scene, cube, frames, kind="robot")
    # the old reader still answers as before, without a class
    assert g.subject_from_object(scene, cube, frames).object_class is None


def test_an_aim_target_gives_a_world_point_per_frame(scene, ext):
    g, frames = ext.gather, _frames(scene)
    rig, _ = _character(scene)
    bone = rig.pose.bones["head"]
    bone.location = (0.0, 0.0, 0.0)
    bone.keyframe_insert("location", frame=1)
    bone.location = (0.0, 0.2, 0.0)  # along the bone: the head bone rises 0.2 m
    bone.keyframe_insert("location", frame=48)
    found = g.gather_subject(scene, bpy.data.objects["Subject"], frames, aim=rig, aim_bone="head")
    pts = found.aim_points
    assert pts.shape == (len(frames), 3) and found.subject.name == "Subject"
    assert np.allclose(pts[0], [3.0, 0.0, 1.5], atol=1e-6) and np.allclose(pts[-1], [3.0, 0.0, 1.7], atol=1e-6)
    assert np.all(np.diff(pts[:, 2]) >= 0) and pts[len(frames) // 2, 2] > 1.5
    tail = g.aim_points(scene, rig, frames, bone="head", bone_point="TAIL")
    assert np.allclose(tail[0], [3.0, 0.0, 1.8], atol=1e-6)
    empty = bpy.data.objects.new("Look Here", None)
    scene.collection.objects.link(empty)
    empty.location = (1.0, 2.0, 3.0)
    assert np.allclose(g.aim_points(scene, empty, frames), [1.0, 2.0, 3.0])
    assert np.allclose(g.aim_points(scene, bpy.data.objects["Subject"], frames[:3]), [1.0, 2.0, 0.9])
    with pytest.raises(ext.engine.LensCraftError, match="armature 'Rig' has no bone 'neck'"):
        g.aim_points(scene, rig, frames, bone="neck")
    with pytest.raises(ext.engine.LensCraftError, match="not an armature"):
        g.aim_points(scene, empty, frames, bone="head")


def test_obstacles_are_the_other_meshes_and_the_ground_plane_is_the_floor(scene, ext):
    g = ext.gather
    subject = bpy.data.objects["Subject"]  # 1 x 0.6 x 1.8 m, centred at (1, 2, 0.9): feet on z = 0
    ground = _box_mesh("Ground", (40.0, 40.0, 0.0))
    crate = _box_mesh("Crate", (1.0, 1.0, 1.0), (4.0, 2.0, 0.0))
    crate.rotation_euler = (0.0, 0.0, 0.5)
    crate.scale = (2.0, 1.0, 1.0)
    _box_mesh("Shelf", (3.0, 3.0, 0.02), (1.0, 2.0, 2.5))  # flat, but above the subject: an obstacle
    hidden = _box_mesh("Hidden", (1.0, 1.0, 1.0), (-4.0, 0.0, 0.0))
    hidden.hide_set(True)
    hat = _box_mesh("Hat", (0.3, 0.3, 0.2), (0.0, 0.0, 0.9))
    hat.parent = subject  # part of the subject
    cam = bpy.data.objects.new("Cam", bpy.data.cameras.new("Cam"))
    scene.collection.objects.link(cam)
    rig, _ = _character(scene, at=(-2.0, -2.0, 0.0))  # another character: its body is an obstacle, its rig is not
    found = g.gather_obstacles(scene, exclude=[cam], subject=subject)
    assert found.floor == pytest.approx(0.0) and found.floor_name == "Ground"
    boxes = {b.name: b for b in found.boxes}
    assert sorted(boxes) == ["Body", "Crate", "Shelf"]
    box = boxes["Crate"]
    assert np.allclose(box.centre, [4.0, 2.0, 0.5]) and np.allclose(box.size, [2.0, 1.0, 1.0])
    geo = ext.engine.geometry
    assert np.allclose(geo.quat_to_matrix(box.rotation), geo.axis_rotation(2, np.array(0.5)), atol=1e-6)
    # with the character as the subject its own rig and body are left out, and its feet find the same floor
    as_subject = g.gather_obstacles(scene, exclude=[cam], subject=rig)
    assert sorted(b.name for b in as_subject.boxes) == ["Crate", "Hat", "Shelf", "Subject"]
    assert as_subject.floor == pytest.approx(0.0)
    # a raised floor under the feet is still the floor; nothing under them: no floor
    ground.location.z = -0.5
    assert g.gather_obstacles(scene, exclude=[cam], subject=subject).floor == pytest.approx(-0.5)
    ground.location.x = 100.0
    away = g.gather_obstacles(scene, exclude=[cam], subject=subject)
    assert away.floor is None and "Ground" in [b.name for b in away.boxes]
    ground.location.x = 0.0
    # the boxes are what clearance.keep_clear takes: an orbit through the crate is pushed out of it
    clearance = sys.modules[type(box).__module__]
    ang = np.linspace(-0.6, 0.6, 48)
    aim = np.array([1.0, 2.0, 0.9])
    eye = np.stack([1.0 + 3.0 * np.cos(ang), 2.0 + 3.0 * np.sin(ang), np.full(48, 0.8)], 1)
    rot = geo.matrix_to_quat(geo.look_at(eye, aim))
    scene_now = g.gather_obstacles(scene, exclude=[cam], subject=subject)
    assert box.contains(eye, 0.1).any()
    out = clearance.keep_clear(eye, rot, aim, scene_now.floor, obstacles=scene_now.boxes)
    assert out.moved and out.notes == [] and not box.contains(out.position, 0.1).any()
    assert out.position[:, 2].min() >= scene_now.floor + 0.25
