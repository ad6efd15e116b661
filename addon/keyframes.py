"""Write trajectories as real, editable F-curves.

This is the only module that knows how F-curves are stored, which changed twice:
  Blender 4.2/4.3  Action.fcurves
  Blender 4.4      slotted actions: Action.slots, F-curves in layers -> strips -> channelbags (Action.fcurves kept as a
                   legacy proxy)
  Blender 5.0      Action.fcurves removed: channelbags only (bpy_extras.anim_utils.action_get_channelbag_for_slot)

Keys are either on every frame (LINEAR, exact) or eased: few Bezier keys fitted by lenscraft_core.keys (a C1
piecewise cubic whose handles, a third of a segment long and aligned, Blender evaluates exactly as the fit), within
the tolerance, with a key on every frame the caller requires (segment joins). A channel that stays within the
tolerance of one value gets no F-curve at all: its value is set once. A channel whose easing label Blender's own
interpolation (e.g. SINE / EASE_IN_OUT) reproduces from its two end keys keeps just those two. Keys of the user's
inside the span on frames not written (Complete's hand keys) are worked around: keys go at the worst frames, by
Blender's own evaluation, until the curve is within the tolerance.

The values keyed (local channels under a parent, rotations in the object's own rotation mode, the lens for its
sensor) come from convert.py; this module never changes an object's rotation mode unless asked
(use_keyable_rotation).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from collections.abc import Sequence
from typing import Any, Final

import bpy
import numpy as np

from . import convert
from .engine import LensCraftError, Trajectory
from .engine import keys as fitting  # the core's key fitting (lenscraft_core/keys.py)
from .gather import camera_data

GROUP = "Object Transforms"  # the group Blender's own keying puts transforms in
TRANSFORM_PATHS = ("location", "rotation_euler", "rotation_quaternion")  # the camera channels write_camera keys
KEYED_ROTATION_FALLBACK: Final = 'XYZ'  # the mode an axis-angle camera is switched to, when the caller asks for it
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
# Keys are written in bulk: the curve's keys are read with foreach_get, merged with the new keys in numpy (sorted, one
# key per frame), written back with keyframe_points.add + foreach_set and settled with one fc.update(). No Keyframe
# object is ever held across an update: fc.update() reallocates the key array, and writing through a Keyframe taken
# before it writes to freed memory (the heap corruption, "free(): invalid next size", the FAST-insert writer had).
# (property, dtype foreach_get/set use, width): everything a key stores that must survive a rewrite. Keys are held
# as one float64 matrix, a row per key and these properties side by side, so a merge is one concatenate + argsort.
_KEY_PROPERTIES = [("co", np.float32, 2), ("handle_left", np.float32, 2), ("handle_right", np.float32, 2),
           ("interpolation", np.int32, 1), ("handle_left_type", np.int32, 1), ("handle_right_type", np.int32, 1),
           # from here on: what keyframe_points.insert leaves alone on a key it replaces
           ("easing", np.int32, 1), ("type", np.int32, 1),
           ("back", np.float32, 1), ("amplitude", np.float32, 1), ("period", np.float32, 1),
           ("select_control_point", np.bool_, 1), ("select_left_handle", np.bool_, 1),
           ("select_right_handle", np.bool_, 1)]
_STARTS = np.cumsum([0] + [width for _, _, width in _KEY_PROPERTIES])
_COLUMN = {name: slice(int(a), int(b)) for (name, _, _), a, b in zip(_KEY_PROPERTIES, _STARTS[:-1], _STARTS[1:])}
_WIDTH = int(_STARTS[-1])
X = 0  # the frame column (co[0]); co[1] is the value
_KEPT_ON_REPLACE = slice(_COLUMN["easing"].start, _WIDTH)
_SAME_FRAME = 0.01  # Blender's own threshold for "a key on this frame" (BEZT_BINARYSEARCH_THRESH)


@functools.cache
def _enum(prop: str, identifier: str) -> int:
    """The integer foreach_get/foreach_set use for a Keyframe enum item (looked up, not hard-coded)."""
    items = bpy.types.Keyframe.bl_rna.properties[prop].enum_items  # type: ignore[attr-defined]
    return int(items[identifier].value)


@functools.cache
def _new_key(interpolation: str) -> np.ndarray:
    """The row of a key keyframe_points.insert would make (its handles are placed by fc.update())."""
    row = np.zeros(_WIDTH)
    for name, value in (("interpolation", _enum("interpolation", interpolation)), ("easing", _enum("easing", "AUTO")),
                        ("handle_left_type", _enum("handle_left_type", "AUTO_CLAMPED")),
                        ("handle_right_type", _enum("handle_right_type", "AUTO_CLAMPED")),
                        ("type", _enum("type", "KEYFRAME")), ("back", 1.70158), ("amplitude", 0.8), ("period", 4.1),
                        ("select_control_point", 1), ("select_left_handle", 1), ("select_right_handle", 1)):
        row[_COLUMN[name]] = value
    return row


def _read_keys(fc: bpy.types.FCurve) -> np.ndarray:
    """The curve's keys as a (n, _WIDTH) matrix sorted by frame."""
    kps = fc.keyframe_points
    keys = np.zeros((len(kps), _WIDTH))
    if len(kps):
        for name, dtype, width in _KEY_PROPERTIES:
            a = np.empty(len(kps) * width, dtype)
            kps.foreach_get(name, a)
            keys[:, _COLUMN[name]] = a.reshape(len(kps), width)
    return keys[np.argsort(keys[:, X], kind="stable")]


def _merge_keys(keys: np.ndarray, frames: np.ndarray, values: np.ndarray | Sequence[float], interpolation: str,
                handles: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """keys with a key on each frame set to its value: a key already on that frame is replaced (it keeps its easing,
    type and selection, as keyframe_points.insert does), keys elsewhere are kept. Sorted, one key per frame.
    handles: the new keys' (left, right) handle points, each (k, 2), made ALIGNED (else Blender places them)."""
    fresh = np.repeat(_new_key(interpolation)[None], len(frames), axis=0)
    fresh[:, 0:6:2] = np.asarray(frames)[:, None]  # co, handle_left, handle_right: (frame, value) each
    fresh[:, 1:6:2] = np.asarray(values)[:, None]
    if handles is not None:
        fresh[:, _COLUMN["handle_left"]], fresh[:, _COLUMN["handle_right"]] = handles
        fresh[:, _COLUMN["handle_left_type"]] = _enum("handle_left_type", "ALIGNED")
        fresh[:, _COLUMN["handle_right_type"]] = _enum("handle_right_type", "ALIGNED")
    if len(keys) and len(frames):
        distance = np.abs(keys[:, X, None] - np.asarray(frames, np.float64)[None, :])
        hit = distance.min(axis=1) < _SAME_FRAME
        if hit.any():
            fresh[distance[hit].argmin(axis=1), _KEPT_ON_REPLACE] = keys[hit, _KEPT_ON_REPLACE]
            keys = keys[~hit]
    merged = np.concatenate([keys, fresh])
    return merged[np.argsort(merged[:, X], kind="stable")]


def _write_keys(fc: bpy.types.FCurve, keys: np.ndarray) -> None:
    """Make the curve's keys exactly `keys` (sorted), then let Blender place the handles, once."""
    kps = fc.keyframe_points
    if len(kps) > len(keys):
        kps.clear()
    if len(kps) < len(keys):
        kps.add(len(keys) - len(kps))
    for name, dtype, _ in _KEY_PROPERTIES:
        kps.foreach_set(name, keys[:, _COLUMN[name]].astype(dtype).ravel())
    fc.update()


def _changed_frames(key_frames: np.ndarray, added: np.ndarray, frames: np.ndarray) -> np.ndarray:
    """Which frames a curve's value can have changed at after keys were added at `added`: a new key moves the auto
    handles of the keys beside it, so the curve changes from two keys before it to two keys after."""
    at = np.searchsorted(key_frames, added)
    lo = np.where(at >= 2, key_frames[np.maximum(at - 2, 0)], -np.inf)
    hi = np.where(at + 2 < len(key_frames), key_frames[np.minimum(at + 2, len(key_frames) - 1)], np.inf)
    return ((frames[:, None] >= lo[None]) & (frames[:, None] <= hi[None])).any(axis=1)


def _evaluate(fc: bpy.types.FCurve, frames: np.ndarray) -> np.ndarray:
    return np.array([fc.evaluate(float(f)) for f in frames])


def write_channel(fc: bpy.types.FCurve, frames: np.ndarray, values: np.ndarray, every_frame: bool,
                  tolerance: float, easing: tuple[str, str] | None = None, required: Any = ()) -> int:
    """Key `values` at integer `frames` on fc (existing keys elsewhere are kept); returns the number of keys set.
    required: frames (of `frames`) that must carry a key."""
    frames = np.asarray(frames, np.int64)
    values = np.asarray(values, np.float64)
    n = len(frames)
    existing = _read_keys(fc)
    if n == 0:
        return 0
    if every_frame or n <= 2:
        _write_keys(fc, _merge_keys(existing, frames, values, 'LINEAR'))
        return n
    if easing is not None and np.ptp(values) > tolerance and _write_eased(fc, existing, frames, values, tolerance,
                                                                          easing):
        return 2
    marks = np.flatnonzero(np.isin(frames, np.asarray(required, np.int64)))
    inside = existing[(existing[:, X] > frames[0] + _SAME_FRAME) & (existing[:, X] < frames[-1] - _SAME_FRAME), X]
    on_frames = np.isin(np.round(inside), frames) & (np.abs(inside - np.round(inside)) < _SAME_FRAME)
    if np.all(np.diff(frames) == 1) and on_frames.all():
        # Keys already inside the span are on frames written now: they carry fitted keys (their values replaced).
        own = np.union1d(marks, np.round(inside).astype(np.int64) - frames[0])
        written = _write_fitted(fc, existing, frames, values, tolerance, own)
        if written:
            return written
    return _write_worked_around(fc, existing, frames, values, tolerance, marks)


def _write_eased(fc: bpy.types.FCurve, existing: np.ndarray, frames: np.ndarray, values: np.ndarray,
                 tolerance: float, easing: tuple[str, str]) -> bool:
    """Two end keys with the easing's own interpolation, if Blender's curve then stays within the tolerance."""
    keys = _merge_keys(existing, frames[[0, -1]], values[[0, -1]], 'BEZIER')
    first = int(np.flatnonzero(np.abs(keys[:, X] - frames[0]) < _SAME_FRAME)[0])
    keys[first, [_COLUMN["interpolation"].start, _COLUMN["easing"].start]] = (_enum("interpolation", easing[0]),
                                                                              _enum("easing", easing[1]))
    _write_keys(fc, keys)
    if np.abs(_evaluate(fc, frames) - values).max() <= tolerance:
        return True
    _write_keys(fc, existing)
    return False


def _write_fitted(fc: bpy.types.FCurve, existing: np.ndarray, frames: np.ndarray, values: np.ndarray,
                  tolerance: float, required: np.ndarray) -> int:
    """The fitted Bezier keys (lenscraft_core.keys); 0 (and the curve as it was) if Blender's evaluation of them
    misses the tolerance, which the fit rules out but float32 key storage far from frame 0 could break."""
    fit = fitting.fit_channel(values, tolerance, required.tolist(), hold=False)
    key_frames = frames[0] + np.array(fit.frames)
    left = np.array([k.left_handle for k in fit.keys]) + [frames[0], 0.0]
    right = np.array([k.right_handle for k in fit.keys]) + [frames[0], 0.0]
    _write_keys(fc, _merge_keys(existing, key_frames, [k.value for k in fit.keys], 'BEZIER', (left, right)))
    if np.abs(_evaluate(fc, frames) - values).max() <= max(tolerance, fit.max_error) * (1 + 1e-3) + 1e-6:
        return len(fit.keys)
    _write_keys(fc, existing)
    return 0


def _write_worked_around(fc: bpy.types.FCurve, existing: np.ndarray, frames: np.ndarray, values: np.ndarray,
                         tolerance: float, marks: np.ndarray) -> int:
    """Keys at both ends and the marks (indices into frames), then, recursively, at the worst frame of every span
    where Blender's evaluation of the curve (with the user's keys inside it, kept as they are) strays from the
    samples by more than the tolerance."""
    n = len(frames)
    keyed = sorted({0, n - 1, *marks.tolist()})
    keys = _merge_keys(existing, frames[keyed], values[keyed], 'BEZIER')
    _write_keys(fc, keys)
    err = np.abs(_evaluate(fc, frames) - values)
    local = fc.auto_smoothing == 'NONE' and not len(fc.modifiers)  # a key then only moves its neighbours' handles
    while err.max() > tolerance:
        new = []
        in_order = sorted(keyed)
        for a, b in zip(in_order[:-1], in_order[1:]):
            if b - a > 1:
                worst = a + 1 + int(np.argmax(err[a + 1:b]))
                if err[worst] > tolerance:
                    new.append(worst)
        if not new:  # only keyed frames are off (keys of the user's inside the span): nothing more to do
            break
        keyed += new
        keys = _merge_keys(keys, frames[new], values[new], 'BEZIER')  # stale auto handles: update() redoes them
        _write_keys(fc, keys)
        changed = _changed_frames(keys[:, X], frames[new], frames) if local else np.ones(n, bool)
        err[changed] = np.abs(_evaluate(fc, frames[changed]) - values[changed])
    return len(keyed)


def hold_channel(id_data: Animatable, path: str, index: int, values: np.ndarray, tolerance: float) -> bool:
    """Set a channel that stays within the tolerance of one value to that value, once, with no F-curve (an empty
    one is removed); False, and nothing changed, when it moves or keys already drive it."""
    value = fitting.held_value(values, tolerance)
    if value is None:
        return False
    fc = find_fcurve(id_data, path, index)
    if fc is not None:
        if len(fc.keyframe_points) or len(fc.modifiers):
            return False
        _channel_owner(id_data, create=False).fcurves.remove(fc)
    if isinstance(getattr(id_data, path), float):  # a single-number property (the lens)
        setattr(id_data, path, value)
    else:
        getattr(id_data, path)[index] = value
    return True


# ------------------------------------------------------------------------------------------------- cameras
@dataclass
class KeyOptions:
    every_frame: bool = False  # else eased keys: few fitted Bezier keys, none on a channel that holds still
    tolerance: float = 0.001  # metres (scene units)
    angle_tolerance: float = math.radians(0.1)
    lens_tolerance: float = 0.05  # mm, at most ...
    lens_tolerance_fraction: float = 0.001  # ... and at most this share of the shot's shortest focal length
    easing: str | None = None  # easing label: its interpolation is tried on sparse spans
    required_frames: tuple[int, ...] = ()  # frames that carry a key on every keyed channel (segment joins)
    animate_focal: bool = True
    replace: bool = False  # clear the channels' existing keys first
    skip_frames: tuple[int, ...] = ()  # frames never written (Complete keeps the user's keys exactly)


def _parent_basis(obj: bpy.types.Object) -> np.ndarray | None:
    """The matrix taking the object's own transform channels to world space, read at the current frame (None: no
    parent). Constraints on the object itself are not undone."""
    if obj.parent is None:
        return None
    return convert.parent_basis(np.array(obj.matrix_world), np.array(obj.matrix_basis))


def _reference(id_data: Animatable, path: str, current: Any, frame: int) -> np.ndarray:
    """Value each channel has at `frame` (its F-curve if keyed, else the property), for continuity."""
    out = []
    for i, v in enumerate(current):
        fc = find_fcurve(id_data, path, i)
        out.append(fc.evaluate(frame) if fc is not None and len(fc.keyframe_points) else v)
    return np.array(out, dtype=np.float64)


def use_keyable_rotation(obj: bpy.types.Object) -> str | None:
    """Switch an axis-angle object to XYZ Euler, the one rotation mode write_camera cannot key in, and say so for
    the caller to report; None when the object's own mode is kept (every other mode)."""
    if obj.rotation_mode != 'AXIS_ANGLE':
        return None
    obj.rotation_mode = KEYED_ROTATION_FALLBACK
    return f"'{obj.name}' used axis-angle rotation: switched to {KEYED_ROTATION_FALLBACK} Euler to key the move"


def _channels(obj: bpy.types.Object, traj: Trajectory, frame_start: int) -> dict[str, np.ndarray]:
    """Local transform channels (location, rotation in the object's own rotation mode) for the trajectory."""
    mode = obj.rotation_mode
    if mode == 'AXIS_ANGLE':
        raise LensCraftError(f"'{obj.name}' uses axis-angle rotation, which cannot be keyed here: switch it to "
                             "Euler or quaternion first (keyframes.use_keyable_rotation)")
    local = convert.world_to_local(convert.trajectory_matrices(traj), _parent_basis(obj))
    path = convert.rotation_path(mode)
    current = obj.rotation_quaternion if path == "rotation_quaternion" else obj.rotation_euler
    ref = _reference(obj, path, current, frame_start)
    return {"location": local[:, :3, 3], path: convert.rotation_channel(convert.pure_rotation(local), mode, ref)}


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
    lens = convert.lens_for_sensor(traj.focal_length, traj.sensor_width, convert.effective_sensor_width(data, aspect))
    if opts.replace:
        clear_channels(cam, set(TRANSFORM_PATHS))
        if opts.animate_focal:
            clear_channels(data, {"lens"})
    easing = convert.easing_interpolation(opts.easing)
    write = ~np.isin(frames, np.asarray(opts.skip_frames, dtype=np.int64))
    required = np.intersect1d(frames[write], np.asarray(opts.required_frames, dtype=np.int64))
    lens_tol = min(opts.lens_tolerance, opts.lens_tolerance_fraction * float(np.min(lens)))
    keys = 0
    targets: list[tuple[Animatable, str, np.ndarray, float]] = [
        (cam, path, values, opts.tolerance if path == "location" else opts.angle_tolerance)
        for path, values in channels.items()]
    if opts.animate_focal:
        targets.append((data, "lens", lens[:, None], lens_tol))
    for owner, path, values, tol in targets:
        for i in range(values.shape[1]):
            if path == "lens" and opts.every_frame and np.ptp(lens) <= 1e-6:
                continue  # an unchanging lens is never keyed on every frame either (set below)
            if not opts.every_frame and hold_channel(owner, path, i, values[write, i], tol):
                continue
            fc = ensure_fcurve(owner, path, i, None if path == "lens" else GROUP)
            keys += write_channel(fc, frames[write], values[write, i], opts.every_frame, tol, easing, required)
    if find_fcurve(data, "lens") is None:
        data.lens = float(lens[0])
    return keys


def key_every_frame(obj: bpy.types.Object, path: str, frames: np.ndarray, values: np.ndarray) -> None:
    """Key a property on every frame (e.g. an imported subject's motion) with LINEAR interpolation."""
    for i in range(values.shape[1]):
        write_channel(ensure_fcurve(obj, path, i, GROUP), frames, values[:, i], True, 0.0)


def keyed_frames(obj: bpy.types.Object, frame_start: int | None = None, frame_end: int | None = None) -> list[int]:
    """Frames (inside the range, when given) where the object's transform has a key on any channel."""
    frames = {int(round(kp.co[0])) for fc in fcurves(obj) if fc.data_path in TRANSFORM_PATHS
              for kp in fc.keyframe_points}
    return sorted(f for f in frames if (frame_start is None or f >= frame_start) and
                  (frame_end is None or f <= frame_end))
