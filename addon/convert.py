"""Blender <-> file maths, in one place: world matrices <-> trajectories, local transform channels under a parent,
rotation channels in an object's rotation mode, sensor fit, the lens that keeps a field of view, subject boxes and
the cube empties that stand for them.

Pure NumPy on numbers Blender hands over (no bpy import), so every conversion the add-on makes between the scene
and the core's data model can be read, and tested, here. Blender and the core share the frame (Z up, metres,
quaternions w-x-y-z, a camera looking down its -Z), so nothing here swaps axes.
"""

from __future__ import annotations

from typing import Protocol, Sequence

import numpy as np

from .engine import FIELDS, Trajectory, geometry

MIN_SUBJECT_SIZE = 1e-3  # metres; flat or point-like objects still get a box the framing maths can use
CUBE_EMPTY_DISPLAY_SIZE = 0.5  # an imported subject's cube empty spans one unit at scale 1, so its scale = its size


class SensorSettings(Protocol):
    """What a bpy.types.Camera says about its sensor."""

    @property
    def sensor_fit(self) -> str: ...

    @property
    def sensor_width(self) -> float: ...

    @property
    def sensor_height(self) -> float: ...


# ------------------------------------------------------------------------------------------------- matrices
def pure_rotation(matrices: np.ndarray) -> np.ndarray:
    """Rotations (..., 3, 3) from world matrices (..., 4, 4) that may carry scale."""
    R = matrices[..., :3, :3]
    return R / np.linalg.norm(R, axis=-2, keepdims=True)


def trajectory_matrices(traj: Trajectory) -> np.ndarray:
    """The trajectory's camera-to-world matrices (F, 4, 4)."""
    W = np.zeros((traj.frame_count, 4, 4))
    W[:, :3, :3] = geometry.quat_to_matrix(traj.rotation)
    W[:, :3, 3] = traj.position
    W[:, 3, 3] = 1.0
    return W


def trajectory_from_matrices(matrices: np.ndarray, lens: np.ndarray, sensor_width: float, aspect: float, fps: float,
                             frame_start: int) -> Trajectory:
    """A Trajectory from sampled world matrices (F, 4, 4) and lenses (F,) of a camera."""
    return Trajectory.from_matrices(matrices[:, :3, 3], pure_rotation(matrices), lens, sensor_width=sensor_width,
                                    aspect=aspect, fps=fps, frame_start=frame_start)


def parent_basis(matrix_world: np.ndarray, matrix_basis: np.ndarray) -> np.ndarray:
    """The matrix taking an object's own transform channels to world space (parent and parent inverse)."""
    return np.asarray(matrix_world) @ np.linalg.inv(np.asarray(matrix_basis))


def world_to_local(world: np.ndarray, basis: np.ndarray | None) -> np.ndarray:
    """World matrices (F, 4, 4) as the matrices an object's channels must hold under `basis` (None: no parent)."""
    return world if basis is None else np.linalg.inv(basis) @ world


# ------------------------------------------------------------------------------------------------- rotation channels
def rotation_path(mode: str) -> str:
    """The transform property that holds rotations in this rotation mode (axis-angle is not keyed: see keyframes)."""
    return "rotation_quaternion" if mode == 'QUATERNION' else "rotation_euler"


def rotation_channel(R: np.ndarray, mode: str, reference: np.ndarray) -> np.ndarray:
    """Rotations (F, 3, 3) as the values of rotation_path(mode), continuous from frame to frame and starting next
    to `reference` (the channel's value just before, so appended keys do not flip)."""
    if mode == 'QUATERNION':
        q = geometry.matrix_to_quat(R)
        if np.dot(q[0], reference) < 0:
            q[0] = -q[0]
        return geometry.quat_continuity(q)
    return geometry.euler_continuity(geometry.matrix_to_euler(R, mode), mode, reference=reference)


# ------------------------------------------------------------------------------------------------- lens and sensor
def effective_sensor_width(cam: SensorSettings, aspect: float) -> float:
    """Sensor size (mm) across the larger image side: the Trajectory convention (Blender's AUTO sensor fit)."""
    if cam.sensor_fit == 'HORIZONTAL':
        return float(cam.sensor_width if aspect >= 1.0 else cam.sensor_width / aspect)
    if cam.sensor_fit == 'VERTICAL':
        return float(cam.sensor_height * aspect if aspect >= 1.0 else cam.sensor_height)
    return float(cam.sensor_width)


def lens_for_sensor(focal_length: np.ndarray, from_sensor: float, to_sensor: float) -> np.ndarray:
    """The lens (mm) that keeps the field of view of `focal_length` on a sensor of from_sensor mm on one of
    to_sensor mm."""
    return np.asarray(focal_length) * (to_sensor / from_sensor)


def easing_interpolation(easing: str | None) -> tuple[str, str] | None:
    """The F-curve (interpolation, easing) that performs an easing label between two keys (None: no label)."""
    if not easing:
        return None
    p = FIELDS["easing"][easing].params
    return p["blender_interpolation"], p["blender_easing"]


# ------------------------------------------------------------------------------------------------- subjects
def subject_box(matrix_world: np.ndarray, parts: Sequence[tuple[np.ndarray, np.ndarray]],
                empty_display_size: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(centre, size) in an object's unscaled local frame of the box around its parts' bounding boxes, each given
    as (corners (8, 3) in its own space, its world matrix). An empty (empty_display_size given) without geometry is
    its cube; a flat or tiny box gets a minimum thickness so the framing maths can use it."""
    R, t = pure_rotation(matrix_world), matrix_world[:3, 3]
    pts = np.concatenate([((corners @ M[:3, :3].T + M[:3, 3]) - t) @ R for corners, M in parts])
    lo, hi = pts.min(0), pts.max(0)
    size = hi - lo
    if empty_display_size is not None and np.all(size < MIN_SUBJECT_SIZE):
        return np.zeros(3), cube_empty_size(empty_display_size, np.linalg.norm(matrix_world[:3, :3], axis=0))
    floor = max(MIN_SUBJECT_SIZE, 0.01 * float(size.max()))
    return (lo + hi) / 2.0, np.maximum(size, floor)


def subject_track(matrices: np.ndarray, centre_local: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(box centres (F, 3), continuous quaternions (F, 4)) of a subject from its world matrices and the box centre
    in its own unscaled frame."""
    R = pure_rotation(matrices)
    centres = np.einsum("fij,j->fi", R, centre_local) + matrices[:, :3, 3]
    return centres, geometry.quat_continuity(geometry.matrix_to_quat(R))


def cube_empty_size(display_size: float, scale: np.ndarray) -> np.ndarray:
    """Full extents of a cube empty (it spans display_size either side of its origin on each scaled axis)."""
    return 2.0 * display_size * np.asarray(scale)


def subject_motion_rotation(motion_rotation: np.ndarray) -> np.ndarray:
    """A subject's per-frame quaternions as rotation_quaternion key values (no sign flips between frames)."""
    return geometry.quat_continuity(motion_rotation)
