"""Read the scene into the core's data model: subjects (box, rotation, motion) and cameras, always from the
EVALUATED scene, sampled frame by frame, so modifiers, constraints, parents, Follow Path and drivers are captured.
The maths of each conversion lives in convert.py; this module only reads Blender."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence, cast

import bpy
import numpy as np

from . import convert
from .checks import check_camera, check_object, move_frames
from .engine import LensCraftError, Shot, Subject, Trajectory, clearance, geometry

Box = clearance.Box  # the obstacle box a camera path keeps out of

_BOXED_TYPES = {'MESH', 'CURVE', 'SURFACE', 'META', 'FONT', 'CURVES', 'POINTCLOUD', 'VOLUME', 'GREASEPENCIL',
                'ARMATURE'}  # children whose bounds count towards their parent's box


@dataclass
class Samples:
    """World matrices (F, 4, 4) of one object over the sampled frames, and the lens (F,) for cameras."""

    matrices: np.ndarray
    lens: np.ndarray | None


def scene_fps(scene: bpy.types.Scene) -> float:
    return float(scene.render.fps / scene.render.fps_base)


def render_aspect(scene: bpy.types.Scene) -> float:
    r = scene.render
    return float(r.resolution_x * r.pixel_aspect_x) / float(r.resolution_y * r.pixel_aspect_y)


def camera_data(obj: bpy.types.Object) -> bpy.types.Camera:
    return cast(bpy.types.Camera, obj.data)


def is_animated(obj: bpy.types.Object | None) -> bool:
    """True when the object's world matrix may change over time (own or ancestors' animation, drivers,
    constraints)."""
    while obj is not None:
        ad = obj.animation_data
        if len(obj.constraints) or (ad is not None and (ad.action or len(ad.drivers) or len(ad.nla_tracks))):
            return True
        obj = obj.parent
    return False


def sample(scene: bpy.types.Scene, objects: Sequence[bpy.types.Object], frames: Iterable[int]) -> list[Samples]:
    """Evaluate the scene at each frame and read every object's world matrix (and lens for cameras). The current
    frame is restored afterwards."""
    frames = list(frames)
    keep = (scene.frame_current, scene.frame_subframe)
    mats = np.zeros((len(objects), len(frames), 4, 4))
    lens = np.zeros((len(objects), len(frames)))
    try:
        for t, f in enumerate(frames):
            scene.frame_set(f)
            depsgraph = bpy.context.evaluated_depsgraph_get()
            for k, obj in enumerate(objects):
                ev = obj.evaluated_get(depsgraph)
                mats[k, t] = np.array(ev.matrix_world)
                if ev.type == 'CAMERA':
                    lens[k, t] = ev.data.lens
    finally:
        scene.frame_set(keep[0], subframe=keep[1])
    return [Samples(mats[k], lens[k] if obj.type == 'CAMERA' else None) for k, obj in enumerate(objects)]


_VOLUME_EMPTIES = {'CUBE', 'SPHERE'}  # empty display types that show a volume (an imported subject is a cube empty)


def _local_box(obj: bpy.types.Object, depsgraph: bpy.types.Depsgraph, size: float | None = None,
               members: Sequence[bpy.types.Object] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(centre, size) of the object and its children's bounding boxes (or of `members`: a character's deformed
    meshes), in the object's unscaled local frame. An object with no geometry (a light, a plain-axes empty, ...)
    has no box to frame: it is refused unless `size` (metres, a cube around its origin) is given; a given size
    always wins."""
    if size is not None:
        if not (np.isfinite(size) and size > 0):
            raise LensCraftError(f"the subject size must be a positive number of metres, got {size!r}")
        return np.zeros(3), np.full(3, float(size))
    parts, solid = [], False
    for part in (obj, *obj.children_recursive) if members is None else members:
        pev = part.evaluated_get(depsgraph)
        if part is obj or pev.type in _BOXED_TYPES:
            corners = np.array([tuple(c) for c in pev.bound_box], dtype=np.float64)
            parts.append((corners, np.array(pev.matrix_world)))
            solid = solid or (pev.type in _BOXED_TYPES and float(np.ptp(corners, axis=0).max()) > 0)
    volume = obj.type == 'EMPTY' and obj.empty_display_type in _VOLUME_EMPTIES
    if not solid and not volume:
        raise LensCraftError(f"the subject '{obj.name}' ({obj.type.lower()}) has no geometry to frame: pick a mesh, "
                             "or give the subject's size in metres (Subject Size; --subject-size on the command "
                             "line)")
    display = obj.empty_display_size if obj.type == 'EMPTY' else None
    return convert.subject_box(np.array(obj.evaluated_get(depsgraph).matrix_world), parts, display)


def subject_from_object(scene: bpy.types.Scene, obj: bpy.types.Object, frames: Sequence[int],
                        size: float | None = None, object_class: str | None = None,
                        members: Sequence[bpy.types.Object] | None = None) -> Subject:
    """The object's oriented box in the evaluated scene at the first frame (size: a cube of that many metres
    instead; members: the objects whose bounds make the box, see _local_box); per-frame centre and rotation over
    `frames` when it moves."""
    keep = (scene.frame_current, scene.frame_subframe)
    try:
        scene.frame_set(frames[0])
        depsgraph = bpy.context.evaluated_depsgraph_get()
        centre_local, box = _local_box(obj, depsgraph, size, members)
    finally:
        scene.frame_set(keep[0], subframe=keep[1])
    moving = is_animated(obj)
    mats = sample(scene, [obj], frames if moving else frames[:1])[0].matrices
    centres, quats = convert.subject_track(mats, centre_local)
    still = np.allclose(centres, centres[:1], atol=1e-7) and np.allclose(quats, quats[:1], atol=1e-7)
    return Subject(centres[0], box, quats[0], name=obj.name, object_class=object_class,
                   motion_position=None if still else centres, motion_rotation=None if still else quats)


def subjects(scene: bpy.types.Scene, subject: bpy.types.Object | None, frames: Sequence[int],
             size: float | None = None) -> list[Subject]:
    """[the subject over the frames, a person or an object as gather_subject decides], or [] when there is none:
    what a shot carries (Describe and Export read a character as a person, as Generate framed it)."""
    return [gather_subject(scene, subject, frames, size).subject] if subject else []


def camera_trajectory(scene: bpy.types.Scene, cam: bpy.types.Object, samples: Samples, frame_start: int
                      ) -> Trajectory:
    """A Trajectory from a camera's sampled world matrices and lens."""
    if cam.type != 'CAMERA':
        raise LensCraftError(f"'{cam.name}' is not a camera")
    if cam.data.type != 'PERSP':
        raise LensCraftError(f"camera '{cam.name}' is {cam.data.type.lower()}: only perspective cameras can be "
                             "exported")
    aspect = render_aspect(scene)
    assert samples.lens is not None
    return convert.trajectory_from_matrices(samples.matrices, samples.lens,
                                            convert.effective_sensor_width(camera_data(cam), aspect), aspect,
                                            scene_fps(scene), frame_start)


def camera_shot(scene: bpy.types.Scene, cam: bpy.types.Object, frame_start: int, frame_end: int,
                subject: bpy.types.Object | None) -> Shot:
    """The evaluated camera over the range as one shot (markers ignored), with the subject when given."""
    cam = check_camera(cam, scene)
    frames = move_frames(frame_start, frame_end)
    found = subjects(scene, subject, frames)
    (samples,) = sample(scene, [cam], frames)
    return Shot(camera_trajectory(scene, cam, samples, frame_start), found, [], name=cam.name)


# ---------------------------------------------------------------------------------------------------- subject kind
SUBJECT_KINDS = ("AUTO", "PERSON", "OBJECT")  # AUTO: decided from the scene (is_person); the others override it
PERSON_HEIGHT_M = (0.4, 2.6)  # a child to a tall adult with raised arms
PERSON_SLENDERNESS = (2.0, 8.0)  # height / max(width, depth) of a standing figure
_AIM_BONE_POINTS = ("HEAD", "TAIL", "MIDDLE")


@dataclass
class GatheredSubject:
    """A subject read from the scene: the core Subject (object_class "person" or "object"), the world points (F, 3)
    the shot frames when an aim target was given (None: the box centre), the kind decided and why, in words."""

    subject: Subject
    aim_points: np.ndarray | None
    kind: str
    note: str


def armature_of(obj: bpy.types.Object) -> bpy.types.Object | None:
    """The armature that drives the object: itself, an armature among its parents, or its Armature modifier's."""
    for up in _ancestors(obj):
        if up.type == 'ARMATURE':
            return up
    for mod in getattr(obj, "modifiers", ()):
        if mod.type == 'ARMATURE' and mod.object is not None:
            return mod.object
    return None


def deformed_meshes(armature: bpy.types.Object, scene: bpy.types.Scene) -> list[bpy.types.Object]:
    """The scene's meshes an armature moves: those with an Armature modifier on it, and those parented under it."""
    return [o for o in scene.objects if o.type == 'MESH' and o is not armature and armature_of(o) is armature]


def is_person(obj: bpy.types.Object, depsgraph: bpy.types.Depsgraph) -> tuple[bool, str]:
    """Whether the object is a person, and why: an armature, an object an armature drives, or a mesh (or a group of
    meshes under one parent) of human proportions (PERSON_HEIGHT_M tall, PERSON_SLENDERNESS times taller than its
    width and depth)."""
    rig = armature_of(obj)
    if rig is not None:
        return True, f"person: driven by armature '{rig.name}'" if rig is not obj else f"person: armature '{obj.name}'"
    meshes = [o for o in (obj, *obj.children_recursive) if o.type == 'MESH']
    if not meshes:
        return False, f"object: '{obj.name}' has no armature or mesh"
    corners = np.concatenate([_world_corners(m, depsgraph) for m in meshes])
    height = float(np.ptp(corners[:, 2]))
    # width and depth along the object's own heading, so a figure turned 45 degrees is not counted as wide
    R = convert.pure_rotation(np.array(obj.evaluated_get(depsgraph).matrix_world))
    heading = np.arctan2(R[1, 0], R[0, 0])
    c, s = np.cos(heading), np.sin(heading)
    flat = corners[:, :2] @ np.array([[c, -s], [s, c]])
    across = float(np.ptp(flat, axis=0).max())
    ratio = height / max(across, 1e-6)
    person = PERSON_HEIGHT_M[0] <= height <= PERSON_HEIGHT_M[1] and PERSON_SLENDERNESS[0] <= ratio \
        <= PERSON_SLENDERNESS[1]
    what = "a group of meshes" if len(meshes) > 1 else "a mesh"
    return person, f"{'person' if person else 'object'}: {what} {height:.2f} m tall, {ratio:.1f} times its width"


def gather_subject(scene: bpy.types.Scene, obj: bpy.types.Object, frames: Sequence[int], size: float | None = None,
                   kind: str = "AUTO", aim: bpy.types.Object | None = None, aim_bone: str = "",
                   aim_bone_point: str = "HEAD") -> GatheredSubject:
    """The subject over the frames with its kind (kind "AUTO" decides with is_person; "PERSON" or "OBJECT" say it)
    and, when `aim` is given, the per-frame world point the shot frames instead of the box centre: the aim object's
    origin (an empty, a light) or its box centre (geometry), or with `aim_bone` that bone's head, tail or middle.
    A person driven by an armature is boxed around the armature's deformed meshes (the mesh itself when the mesh
    was picked)."""
    obj = check_object(obj, "subject", scene)
    kind = str(kind).upper()
    if kind not in SUBJECT_KINDS:
        raise LensCraftError(f"unknown subject kind '{kind}'; expected one of {', '.join(SUBJECT_KINDS)}")
    keep = (scene.frame_current, scene.frame_subframe)
    try:
        scene.frame_set(frames[0])
        person, note = is_person(obj, bpy.context.evaluated_depsgraph_get())
    finally:
        scene.frame_set(keep[0], subframe=keep[1])
    if kind != "AUTO":
        person, note = kind == "PERSON", f"{kind.lower()}: set by hand"
    members = deformed_meshes(obj, scene) if obj.type == 'ARMATURE' and size is None else None
    subject = subject_from_object(scene, obj, frames, size, "person" if person else "object", members or None)
    points = aim_points(scene, aim, frames, aim_bone, aim_bone_point) if aim is not None else None
    return GatheredSubject(subject, points, "person" if person else "object", note)


def aim_points(scene: bpy.types.Scene, target: bpy.types.Object, frames: Sequence[int], bone: str = "",
               bone_point: str = "HEAD") -> np.ndarray:
    """World points (F, 3) of an aim target over the frames, from the evaluated scene (see gather_subject)."""
    target = check_object(target, "aim", scene)
    point = str(bone_point).upper()
    if point not in _AIM_BONE_POINTS:
        raise LensCraftError(f"unknown bone point '{bone_point}'; expected one of {', '.join(_AIM_BONE_POINTS)}")
    if bone:
        if target.type != 'ARMATURE':
            raise LensCraftError(f"the aim object '{target.name}' is a {target.type.lower()}, not an armature: it has "
                                 f"no bone '{bone}'")
        if target.pose is None or target.pose.bones.get(bone) is None:
            names = ", ".join(b.name for b in list(target.pose.bones)[:8]) if target.pose else ""
            raise LensCraftError(f"armature '{target.name}' has no bone '{bone}'" + (f" (it has {names}...)"
                                                                                     if names else ""))

    def read(depsgraph: bpy.types.Depsgraph) -> np.ndarray:
        ev = target.evaluated_get(depsgraph)
        M = np.array(ev.matrix_world)
        if bone:
            pb = ev.pose.bones[bone]
            local = {"HEAD": np.array(pb.head), "TAIL": np.array(pb.tail),
                     "MIDDLE": (np.array(pb.head) + np.array(pb.tail)) / 2}[point]
        elif ev.type in _BOXED_TYPES and ev.type != 'ARMATURE':
            local = np.array([tuple(c) for c in ev.bound_box]).mean(0)
        else:
            local = np.zeros(3)
        return M[:3, :3] @ local + M[:3, 3]

    moving = is_animated(target) or bool(bone)  # a bone may be posed by its own action
    points = _sample_each(scene, frames if moving else frames[:1], read)
    return np.array(np.broadcast_to(points, (len(frames), 3)))


# ---------------------------------------------------------------------------------------------------- obstacles
FLOOR_FLATNESS = 0.05  # a box this many times thinner than it is wide is a ground plane, if it lies under the subject
FLOOR_TOLERANCE_M = 0.02  # its top may sit this far above the subject's feet (a character standing "in" the floor)


@dataclass
class SceneObstacles:
    """The boxes a camera path keeps out of (clearance.Box, world space, at one frame) and the floor height found
    under the subject (None: no ground plane there), with the ground plane's name."""

    boxes: list[Box] = field(default_factory=list)
    floor: float | None = None
    floor_name: str = ""


def gather_obstacles(scene: bpy.types.Scene, exclude: Iterable[bpy.types.Object | None] = (),
                     subject: bpy.types.Object | None = None, depsgraph: bpy.types.Depsgraph | None = None
                     ) -> SceneObstacles:
    """Every other visible mesh as a world box, at the current frame: not the objects in `exclude` (the camera, ...)
    nor `subject`, their children, or the rig they belong to. A flat box under the subject whose top is at or below
    its feet is the floor, not an obstacle: the highest one's top is the floor height."""
    depsgraph = depsgraph or bpy.context.evaluated_depsgraph_get()
    skip: set[str] = set()
    for obj in (*exclude, subject):
        if obj is not None:
            skip |= {o.name for o in _family(obj, scene)}
    feet: float = 0.0
    centre: np.ndarray | None = None  # no subject: no floor found under it
    if subject is not None:
        corners = np.concatenate([_world_corners(o, depsgraph) for o in _family(subject, scene)
                                  if o.type in _BOXED_TYPES] or [_world_corners(subject, depsgraph)])
        feet, centre = float(corners[:, 2].min()), corners[:, :2].mean(0)
    found = SceneObstacles()
    for obj in scene.objects:
        if obj.type != 'MESH' or obj.name in skip or not obj.visible_get():
            continue
        corners = _world_corners(obj, depsgraph)
        lo, hi = corners.min(0), corners.max(0)
        wide = float(max(hi[0] - lo[0], hi[1] - lo[1]))
        under = centre is not None and bool(np.all((lo[:2] <= centre) & (centre <= hi[:2])))
        if under and hi[2] - lo[2] <= FLOOR_FLATNESS * wide and hi[2] <= feet + FLOOR_TOLERANCE_M:
            if found.floor is None or hi[2] > found.floor:
                found.floor, found.floor_name = float(hi[2]), obj.name
            continue
        found.boxes.append(_world_box(obj, depsgraph))
    return found


def _world_box(obj: bpy.types.Object, depsgraph: bpy.types.Depsgraph) -> Box:
    """The object's evaluated bounding box in world space, as an oriented box (a flat plane gets a thin one)."""
    ev = obj.evaluated_get(depsgraph)
    M = np.array(ev.matrix_world)
    local = np.array([tuple(c) for c in ev.bound_box], dtype=np.float64)
    scale = np.linalg.norm(M[:3, :3], axis=0)
    size = np.maximum(np.ptp(local, axis=0) * scale, convert.MIN_SUBJECT_SIZE)
    centre = M[:3, :3] @ local.mean(0) + M[:3, 3]
    rotation = geometry.matrix_to_quat(convert.pure_rotation(M))
    return Box(centre, size, rotation, name=obj.name)


def _world_corners(obj: bpy.types.Object, depsgraph: bpy.types.Depsgraph) -> np.ndarray:
    ev = obj.evaluated_get(depsgraph)
    M = np.array(ev.matrix_world)
    return np.array([tuple(c) for c in ev.bound_box], dtype=np.float64) @ M[:3, :3].T + M[:3, 3]


def _ancestors(obj: bpy.types.Object) -> Iterable[bpy.types.Object]:
    node: bpy.types.Object | None = obj
    while node is not None:
        yield node
        node = node.parent


def _family(obj: bpy.types.Object, scene: bpy.types.Scene) -> list[bpy.types.Object]:
    """The object, its children, and when an armature drives it the whole rig (armature, deformed meshes and their
    children): what counts as the subject, not as an obstacle."""
    out = [obj, *obj.children_recursive]
    rig = armature_of(obj)
    if rig is not None:
        for part in (rig, *rig.children_recursive, *deformed_meshes(rig, scene)):
            out += [part, *part.children_recursive]
    return out


def _sample_each(scene: bpy.types.Scene, frames: Sequence[int],
                 read: Callable[[bpy.types.Depsgraph], np.ndarray]) -> np.ndarray:
    """read(depsgraph) at each frame of the evaluated scene, stacked; the current frame is restored afterwards."""
    keep = (scene.frame_current, scene.frame_subframe)
    out = []
    try:
        for f in frames:
            scene.frame_set(f)
            out.append(read(bpy.context.evaluated_depsgraph_get()))
    finally:
        scene.frame_set(keep[0], subframe=keep[1])
    return np.array(out)
