"""Write trajectories as real, editable F-curves.

This is the only module that knows how F-curves are stored, which changed twice:
  Blender 4.2/4.3  Action.fcurves
  Blender 4.4      slotted actions: Action.slots, F-curves in layers -> strips -> channelbags (Action.fcurves kept as a
                   legacy proxy)
  Blender 5.0      Action.fcurves removed: channelbags only (bpy_extras.anim_utils.action_get_channelbag_for_slot)

Keys are either on every frame (LINEAR, exact) or sparse: a key on the first and last frame, then, recursively, a key
at the worst frame of every span where Blender's own evaluation of the curve strays from the samples by more than
the tolerance. A channel that the easing's interpolation (e.g. SINE / EASE_IN_OUT) reproduces from its two end keys
keeps just those, so an eased move stays two editable keys.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import bpy
import numpy as np

from .engine import FIELDS, Trajectory, geometry
from .gather import camera_data, effective_sensor_width

GROUP = "Object Transforms"  # the group Blender's own keying puts transforms in
Animatable = bpy.types.Object | bpy.types.Camera  # the IDs the add-on keys


# ------------------------------------------------------------------------------------------------- compat layer
def _channel_owner(id_data: Animatable, create: bool) -> Any:
    """What holds the ID's F-curves: the Action (4.2/4.3) or the slot's channelbag (4.4+). None if absent."""
    ad = id_data.animation_data
    if ad is None:
        if not create:
            return None
        ad = id_data.animation_data_create()
    action = ad.action
    if action is None:
        if not create:
            return None
        action = bpy.data.actions.new(f"{id_data.name}Action")
        ad.action = action
    if not hasattr(action, "slots"):  # Blender < 4.4
        return action
    if ad.action_slot is None:
        if not create:
            return None
        suitable = list(ad.action_suitable_slots)
        ad.action_slot = suitable[0] if suitable else action.slots.new(id_type=id_data.id_type, name=id_data.name)
    from bpy_extras import anim_utils

    slot = ad.action_slot
    channelbag = anim_utils.action_get_channelbag_for_slot(action, slot)  # type: ignore[func-returns-value]
    if channelbag is None and create:
        layer = action.layers[0] if len(action.layers) else action.layers.new("Layer")
        strip = layer.strips[0] if len(layer.strips) else layer.strips.new(type='KEYFRAME')
        channelbag = strip.channelbag(ad.action_slot, ensure=True)  # type: ignore[attr-defined]
    return channelbag


def find_fcurve(id_data: Animatable, data_path: str, index: int = 0) -> bpy.types.FCurve | None:
    owner = _channel_owner(id_data, create=False)
    return None if owner is None else owner.fcurves.find(data_path, index=index)


def ensure_fcurve(id_data: Animatable, data_path: str, index: int = 0, group: str | None = None
                  ) -> bpy.types.FCurve:
    owner = _channel_owner(id_data, create=True)
    fc = owner.fcurves.find(data_path, index=index)
    if fc is not None:
        return fc
    if isinstance(owner, bpy.types.Action):  # 4.2/4.3: groups are made by fcurves.new
        return owner.fcurves.new(data_path, index=index, action_group=group or "")
    fc = owner.fcurves.new(data_path, index=index)
    if group:
        fc.group = owner.groups.get(group) or owner.groups.new(group)
    return fc


def fcurves(id_data: Animatable) -> list[bpy.types.FCurve]:
    owner = _channel_owner(id_data, create=False)
    return [] if owner is None else list(owner.fcurves)


# ------------------------------------------------------------------------------------------------- channel writing
def _key(fc: bpy.types.FCurve, frame: int, value: float, interpolation: str) -> None:
    kp = fc.keyframe_points.insert(frame, value, options={'FAST'})
    kp.interpolation = interpolation  # type: ignore[assignment]
    kp.handle_left_type = kp.handle_right_type = 'AUTO_CLAMPED'


def _evaluate(fc: bpy.types.FCurve, frames: np.ndarray) -> np.ndarray:
    fc.update()
    return np.array([fc.evaluate(float(f)) for f in frames])


def write_channel(fc: bpy.types.FCurve, frames: np.ndarray, values: np.ndarray, every_frame: bool,
                  tolerance: float, easing: tuple[str, str] | None = None) -> int:
    """Key `values` at integer `frames` on fc (existing keys elsewhere are kept); returns the number of keys set."""
    n = len(frames)
    if every_frame or n <= 2:
        for f, v in zip(frames, values):
            _key(fc, int(f), float(v), 'LINEAR')
        fc.update()
        return n
    keyed = {0, n - 1}
    for i in keyed:
        _key(fc, int(frames[i]), float(values[i]), 'BEZIER')
    if easing is not None and np.ptp(values) > tolerance:
        first = next(kp for kp in fc.keyframe_points if int(round(kp.co[0])) == int(frames[0]))
        first.interpolation, first.easing = easing  # type: ignore[assignment]
        if np.abs(_evaluate(fc, frames) - values).max() <= tolerance:
            return 2
        first.interpolation = 'BEZIER'
    while True:
        err = np.abs(_evaluate(fc, frames) - values)
        if err.max() <= tolerance:
            break
        new = []
        marks = sorted(keyed)
        for a, b in zip(marks[:-1], marks[1:]):
            if b - a > 1:
                worst = a + 1 + int(np.argmax(err[a + 1:b]))
                if err[worst] > tolerance:
                    new.append(worst)
        if not new:  # only keyed frames are off (keys of the user's inside the span): nothing more to do
            break
        for i in new:
            _key(fc, int(frames[i]), float(values[i]), 'BEZIER')
        keyed.update(new)
    return len(keyed)


# ------------------------------------------------------------------------------------------------- cameras
@dataclass
class KeyOptions:
    every_frame: bool = False
    tolerance: float = 0.005  # metres (scene units)
    angle_tolerance: float = math.radians(0.25)
    lens_tolerance: float = 0.05  # mm
    easing: str | None = None  # easing label: its interpolation is tried on sparse spans
    animate_focal: bool = True
    replace: bool = False  # clear the channels' existing keys first
    skip_frames: tuple[int, ...] = ()  # frames never written (Complete keeps the user's keys exactly)


def _parent_basis(obj: bpy.types.Object) -> np.ndarray:
    """Matrix taking the object's own transform channels to world space (parent, parent inverse), read at the
    current frame. Constraints on the object itself are not undone."""
    if obj.parent is None:
        return np.eye(4)
    return np.array(obj.matrix_world) @ np.linalg.inv(np.array(obj.matrix_basis))


def _reference(id_data: Animatable, path: str, current: Any, frame: int) -> np.ndarray:
    """Value each channel has at `frame` (its F-curve if keyed, else the property), for continuity."""
    out = []
    for i, v in enumerate(current):
        fc = find_fcurve(id_data, path, i)
        out.append(fc.evaluate(frame) if fc is not None and len(fc.keyframe_points) else v)
    return np.array(out, dtype=np.float64)


def _channels(obj: bpy.types.Object, traj: Trajectory, frame_start: int) -> dict[str, np.ndarray]:
    """Local transform channels (location, rotation in the object's rotation mode) for the trajectory."""
    W = np.zeros((traj.frame_count, 4, 4))
    W[:, :3, :3] = geometry.quat_to_matrix(traj.rotation)
    W[:, :3, 3] = traj.position
    W[:, 3, 3] = 1.0
    L = W if obj.parent is None else np.linalg.inv(_parent_basis(obj)) @ W  # no parent: the basis is identity
    R = L[:, :3, :3] / np.linalg.norm(L[:, :3, :3], axis=-2, keepdims=True)
    out = {"location": L[:, :3, 3]}
    if obj.rotation_mode == 'AXIS_ANGLE':
        obj.rotation_mode = 'XYZ'
    if obj.rotation_mode == 'QUATERNION':
        q = geometry.matrix_to_quat(R)
        ref = _reference(obj, "rotation_quaternion", obj.rotation_quaternion, frame_start)
        if np.dot(q[0], ref) < 0:
            q[0] = -q[0]
        out["rotation_quaternion"] = geometry.quat_continuity(q)
    else:
        ref = _reference(obj, "rotation_euler", obj.rotation_euler, frame_start)
        e = geometry.matrix_to_euler(R, obj.rotation_mode)
        out["rotation_euler"] = geometry.euler_continuity(e, obj.rotation_mode, reference=ref)
    return out


def clear_channels(id_data: Animatable, paths: set[str]) -> None:
    for fc in fcurves(id_data):
        if fc.data_path in paths:
            fc.keyframe_points.clear()


def write_camera(cam: bpy.types.Object, traj: Trajectory, frame_start: int, aspect: float,
                 opts: KeyOptions) -> int:
    """Key the camera object's transform and its lens for the trajectory, starting at frame_start; returns the
    number of keys written."""
    frames = np.arange(frame_start, frame_start + traj.frame_count)
    channels = _channels(cam, traj, frame_start)
    # Keep the field of view when the camera's sensor differs from the trajectory's.
    data = camera_data(cam)
    lens = traj.focal_length * (effective_sensor_width(data, aspect) / traj.sensor_width)
    if opts.replace:
        clear_channels(cam, {"location", "rotation_euler", "rotation_quaternion"})
        if opts.animate_focal:
            clear_channels(data, {"lens"})
    easing = None
    if opts.easing:
        p = FIELDS["easing"][opts.easing].params
        easing = (p["blender_interpolation"], p["blender_easing"])
    write = ~np.isin(frames, np.asarray(opts.skip_frames, dtype=np.int64))
    keys = 0
    for path, values in channels.items():
        tol = opts.tolerance if path == "location" else opts.angle_tolerance
        for i in range(values.shape[1]):
            fc = ensure_fcurve(cam, path, i, GROUP)
            keys += write_channel(fc, frames[write], values[write, i], opts.every_frame, tol, easing)
    if opts.animate_focal and np.ptp(lens) > 1e-6:
        fc = ensure_fcurve(data, "lens")
        keys += write_channel(fc, frames[write], lens[write], opts.every_frame, opts.lens_tolerance, easing)
    elif find_fcurve(data, "lens") is None:
        data.lens = float(lens[0])
    return keys


def key_static(obj: bpy.types.Object, path: str, frames: np.ndarray, values: np.ndarray) -> None:
    """Key every frame of a property (e.g. an imported subject's motion) with LINEAR interpolation."""
    for i in range(values.shape[1]):
        write_channel(ensure_fcurve(obj, path, i, GROUP), frames, values[:, i], True, 0.0)
