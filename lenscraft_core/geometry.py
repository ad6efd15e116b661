"""Coordinate conventions and rotation maths: the one place that knows them.

Canonical frame (Blender's): right-handed, Z up, metres. A camera looks down its local -Z with local +Y up.
Rotations are camera-to-world (or object-to-world) and stored as unit quaternions (w, x, y, z).
Objects face their local -Y ("front"), so an object's left is local +X.

three.js (LensCraft v1) is Y up. Blender = C @ three with C a +90 degree turn about X: (x, y, z) -> (x, -z, y).
Cameras share the local convention in both, so a camera rotation converts as C @ R. Objects are Y-up locally in
three.js and Z-up in Blender, so an object rotation converts as C @ R @ C^T and its size (x, y, z) -> (x, z, y).

Euler orders follow Blender: order "XYZ" applies X first, so R = Rz @ Ry @ Rx. three.js order "XYZ" is R = Rx @ Ry
@ Rz, which is Blender's "ZYX" with the same three angles.

Every function accepts leading batch dimensions.
"""

from __future__ import annotations

import math

import numpy as np

Array = np.ndarray

Y_UP_TO_Z_UP: Array = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]])
Z_UP_TO_Y_UP: Array = Y_UP_TO_Z_UP.T
WORLD_UP: Array = np.array([0.0, 0.0, 1.0])
THREEJS_EULER_ORDER = "ZYX"  # Blender-style name of three.js's default order "XYZ"


# ---------------------------------------------------------------------------------------------------- axis conversion
def points_yup_to_zup(p: Array) -> Array:
    p = np.asarray(p, dtype=np.float64)
    return np.stack([p[..., 0], -p[..., 2], p[..., 1]], axis=-1)


def points_zup_to_yup(p: Array) -> Array:
    p = np.asarray(p, dtype=np.float64)
    return np.stack([p[..., 0], p[..., 2], -p[..., 1]], axis=-1)


def camera_rotation_yup_to_zup(R: Array) -> Array:
    return Y_UP_TO_Z_UP @ R


def camera_rotation_zup_to_yup(R: Array) -> Array:
    return Z_UP_TO_Y_UP @ R


def object_rotation_yup_to_zup(R: Array) -> Array:
    return Y_UP_TO_Z_UP @ R @ Z_UP_TO_Y_UP


def object_rotation_zup_to_yup(R: Array) -> Array:
    return Z_UP_TO_Y_UP @ R @ Y_UP_TO_Z_UP


def size_yup_to_zup(s: Array) -> Array:
    s = np.asarray(s, dtype=np.float64)
    return np.stack([s[..., 0], s[..., 2], s[..., 1]], axis=-1)


size_zup_to_yup = size_yup_to_zup  # the swap is its own inverse


# ---------------------------------------------------------------------------------------------------- basic rotations
def axis_rotation(axis: int, angle: Array) -> Array:
    """Rotation matrices about a principal axis (0=X, 1=Y, 2=Z) by angle (radians), shape (..., 3, 3)."""
    angle = np.asarray(angle, dtype=np.float64)
    c, s = np.cos(angle), np.sin(angle)
    R = np.zeros(angle.shape + (3, 3))
    i, j = [(1, 2), (2, 0), (0, 1)][axis]
    R[..., axis, axis] = 1.0
    R[..., i, i] = c
    R[..., j, j] = c
    R[..., i, j] = -s
    R[..., j, i] = s
    return R


def axis_angle_matrix(axis: Array, angle: Array) -> Array:
    """Rodrigues: rotation about unit axis (..., 3) by angle (...)."""
    axis = np.asarray(axis, dtype=np.float64)
    axis = axis / np.linalg.norm(axis, axis=-1, keepdims=True)
    angle = np.asarray(angle, dtype=np.float64)[..., None, None]
    K = skew(axis)
    eye = np.broadcast_to(np.eye(3), K.shape)
    return eye + np.sin(angle) * K + (1.0 - np.cos(angle)) * (K @ K)


def skew(v: Array) -> Array:
    v = np.asarray(v, dtype=np.float64)
    z = np.zeros(v.shape[:-1])
    x, y, w = v[..., 0], v[..., 1], v[..., 2]
    return np.stack([np.stack([z, -w, y], -1), np.stack([w, z, -x], -1), np.stack([-y, x, z], -1)], -2)


def normalize(v: Array, eps: float = 1e-12) -> Array:
    v = np.asarray(v, dtype=np.float64)
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), eps)


# ---------------------------------------------------------------------------------------------------- quaternions
def quat_to_matrix(q: Array) -> Array:
    q = normalize(q)
    w, x, y, z = q[..., 0], q[..., 1], q[..., 2], q[..., 3]
    return np.stack([
        np.stack([1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)], -1),
        np.stack([2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)], -1),
        np.stack([2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)], -1),
    ], -2)


def matrix_to_quat(R: Array) -> Array:
    """Unit quaternion (w, x, y, z) with w >= 0 for rotation matrices (..., 3, 3); numerically robust."""
    R = np.asarray(R, dtype=np.float64)
    m00, m11, m22 = R[..., 0, 0], R[..., 1, 1], R[..., 2, 2]
    # Four candidate solutions; take the one with the largest denominator (Shepperd's method).
    t = np.stack([1 + m00 + m11 + m22, 1 + m00 - m11 - m22, 1 - m00 + m11 - m22, 1 - m00 - m11 + m22], -1)
    k = np.argmax(t, axis=-1)
    s = np.sqrt(np.maximum(np.take_along_axis(t, k[..., None], -1)[..., 0], 1e-300)) * 2.0
    q = np.empty(R.shape[:-2] + (4,))
    r21, r12 = R[..., 2, 1], R[..., 1, 2]
    r02, r20 = R[..., 0, 2], R[..., 2, 0]
    r10, r01 = R[..., 1, 0], R[..., 0, 1]
    cand = [
        np.stack([s / 4, (r21 - r12) / s, (r02 - r20) / s, (r10 - r01) / s], -1),
        np.stack([(r21 - r12) / s, s / 4, (r01 + r10) / s, (r02 + r20) / s], -1),
        np.stack([(r02 - r20) / s, (r01 + r10) / s, s / 4, (r12 + r21) / s], -1),
        np.stack([(r10 - r01) / s, (r02 + r20) / s, (r12 + r21) / s, s / 4], -1),
    ]
    for i in range(4):
        sel = k == i
        q[sel] = cand[i][sel]
    q = normalize(q)
    return np.where(q[..., :1] < 0, -q, q)


def quat_mul(a: Array, b: Array) -> Array:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    aw, ax, ay, az = np.moveaxis(a, -1, 0)
    bw, bx, by, bz = np.moveaxis(b, -1, 0)
    return np.stack([
        aw * bw - ax * bx - ay * by - az * bz,
        aw * bx + ax * bw + ay * bz - az * by,
        aw * by - ax * bz + ay * bw + az * bx,
        aw * bz + ax * by - ay * bx + az * bw,
    ], -1)


def quat_conj(q: Array) -> Array:
    q = np.asarray(q, dtype=np.float64)
    return q * np.array([1.0, -1.0, -1.0, -1.0])


def quat_rotate(q: Array, v: Array) -> Array:
    """Rotate vectors v (..., 3) by unit quaternions q (..., 4) without building matrices (cheap on big batches):
    v' = v + 2w (u x v) + 2 u x (u x v), u = (x, y, z)."""
    q, v = np.asarray(q, dtype=np.float64), np.asarray(v, dtype=np.float64)
    w, x, y, z = (q[..., i] for i in range(4))
    vx, vy, vz = v[..., 0], v[..., 1], v[..., 2]
    tx, ty, tz = 2 * (y * vz - z * vy), 2 * (z * vx - x * vz), 2 * (x * vy - y * vx)  # t = 2 u x v
    return np.stack([vx + w * tx + (y * tz - z * ty), vy + w * ty + (z * tx - x * tz),
                     vz + w * tz + (x * ty - y * tx)], axis=-1)


def quat_continuity(q: Array, axis: int = -2) -> Array:
    """Flip signs along a sequence axis so consecutive quaternions lie in the same hemisphere."""
    q = np.moveaxis(np.array(q, dtype=np.float64), axis, 0)
    if q.shape[0] > 1:
        # Each frame's sign is the product of the signs of all earlier consecutive dot products.
        step = np.where(np.sum(q[1:] * q[:-1], axis=-1, keepdims=True) < 0, -1.0, 1.0)
        q[1:] *= np.cumprod(step, axis=0)
    return np.moveaxis(q, 0, axis)


def rotation_angle_between(Ra: Array, Rb: Array) -> Array:
    """Geodesic angle (radians) between rotation matrices."""
    tr = np.einsum("...ij,...ij->...", Ra, Rb)  # trace(Ra^T Rb)
    return np.arccos(np.clip((tr - 1.0) / 2.0, -1.0, 1.0))


# ---------------------------------------------------------------------------------------------------- 6D rotations
def matrix_to_6d(R: Array) -> Array:
    """Continuous 6D representation (Zhou et al. 2019): the first two columns, as (..., 6)."""
    R = np.asarray(R, dtype=np.float64)
    return np.concatenate([R[..., :, 0], R[..., :, 1]], axis=-1)


def sixd_to_matrix(d6: Array) -> Array:
    d6 = np.asarray(d6, dtype=np.float64)
    a = normalize(d6[..., :3])
    b = d6[..., 3:] - np.sum(a * d6[..., 3:], -1, keepdims=True) * a
    b = normalize(b)
    c = np.cross(a, b)
    return np.stack([a, b, c], axis=-1)


# ---------------------------------------------------------------------------------------------------- Euler angles
_ORDER_PARITY = {"XYZ": 0, "XZY": 1, "YXZ": 1, "YZX": 0, "ZXY": 0, "ZYX": 1}


def euler_to_matrix(e: Array, order: str = "XYZ") -> Array:
    """Blender semantics: e = (x, y, z) angles; order names the axis applied first ... last."""
    e = np.asarray(e, dtype=np.float64)
    order = order.upper()
    if order not in _ORDER_PARITY:
        raise ValueError(f"unknown Euler order '{order}'")
    R = np.broadcast_to(np.eye(3), e.shape[:-1] + (3, 3))
    for ax in order:  # first applied sits rightmost
        i = "XYZ".index(ax)
        R = axis_rotation(i, e[..., i]) @ R
    return R


def matrix_to_euler(R: Array, order: str = "XYZ") -> Array:
    """Inverse of euler_to_matrix; middle angle in [-pi/2, pi/2] (the same branch Blender returns)."""
    R = np.asarray(R, dtype=np.float64)
    order = order.upper()
    parity = _ORDER_PARITY[order]
    i, j, k = ("XYZ".index(a) for a in order)
    # Blender stores mat[col][row]; mat[a][b] = R[b, a].
    m = lambda a, b: R[..., b, a]  # noqa: E731
    cy = np.hypot(m(i, i), m(i, j))
    ei = np.arctan2(m(j, k), m(k, k))
    ej = np.arctan2(-m(i, k), cy)
    ek = np.arctan2(m(i, j), m(i, i))
    # Gimbal lock: the first and last axes coincide; put all of it in the first angle.
    lock = cy <= 1e-9
    ei = np.where(lock, np.arctan2(-m(k, j), m(j, j)), ei)
    ek = np.where(lock, 0.0, ek)
    out = np.empty(R.shape[:-2] + (3,))
    out[..., i], out[..., j], out[..., k] = ei, ej, ek
    if parity:
        out = -out
    return out


def euler_alternate(e: Array, order: str = "XYZ") -> Array:
    """The other Euler triple for the same rotation: (a + pi, pi - b, c + pi) in application order."""
    e = np.array(e, dtype=np.float64)
    i, j, k = ("XYZ".index(a) for a in order.upper())
    out = e.copy()
    out[..., i] = e[..., i] + np.pi
    out[..., j] = np.pi - e[..., j]
    out[..., k] = e[..., k] + np.pi
    return out


def _wrap_near(e: Array, ref: Array) -> Array:
    return e + 2 * np.pi * np.round((ref - e) / (2 * np.pi))


def euler_continuity(e: Array, order: str = "XYZ", reference: Array | None = None) -> Array:
    """Make a sequence of Euler triples (F, 3) continuous: no 360-degree jumps, no flips between the two branches.

    Each frame takes whichever of its two equivalent triples, shifted by whole turns, lies closest to the previous
    frame (the same rule as Blender's compatible_eul). `reference` sets what frame 0 is made compatible with.
    """
    e = np.array(e, dtype=np.float64)
    if e.shape[0] == 0:
        return e
    alt = euler_alternate(e, order)
    # The branch choice depends on angles only modulo whole turns, so it runs on wrapped differences in plain
    # Python floats (cheap); the whole-turn unwrapping is then one vectorised pass.
    two_pi = 2.0 * math.pi
    gap = lambda x, y: abs(x - y - two_pi * round((x - y) / two_pi))  # noqa: E731
    ea, eb = e.tolist(), alt.tolist()
    prev = None if reference is None else [float(v) for v in np.asarray(reference, dtype=np.float64)]
    use_alt = [False] * len(ea)
    for t, (a, b) in enumerate(zip(ea, eb)):
        if prev is not None and sum(map(gap, a, prev)) > sum(map(gap, b, prev)):
            use_alt[t] = True
        prev = b if use_alt[t] else a
    chosen = np.where(np.array(use_alt)[:, None], alt, e)
    if reference is not None:
        chosen[0] = _wrap_near(chosen[0], np.asarray(reference, dtype=np.float64))
    steps = np.diff(chosen, axis=0)
    chosen[1:] -= two_pi * np.cumsum(np.round(steps / two_pi), axis=0)
    return chosen


# ---------------------------------------------------------------------------------------------------- cameras
def look_at(eye: Array, target: Array, up: Array = WORLD_UP, up_fallback: Array | None = None,
            roll: Array | float = 0.0) -> Array:
    """Camera-to-world rotation (..., 3, 3) looking from eye at target (local -Z forward, +Y up), then rolled about
    the view axis by `roll` radians (positive: the camera's top turns left as seen by its operator, so the image
    turns clockwise). When the view is parallel to `up`, `up_fallback` (default world +Y) is used.
    """
    eye, target = np.asarray(eye, dtype=np.float64), np.asarray(target, dtype=np.float64)
    f = normalize(target - eye)
    up = np.broadcast_to(np.asarray(up, dtype=np.float64), f.shape)
    fb = np.broadcast_to(np.array([0.0, 1.0, 0.0]) if up_fallback is None else np.asarray(up_fallback, float), f.shape)
    r = np.cross(f, up)
    degenerate = np.linalg.norm(r, axis=-1, keepdims=True) < 1e-6
    r = np.where(degenerate, np.cross(f, fb), r)
    r = normalize(r)
    u = np.cross(r, f)
    R = np.stack([r, u, -f], axis=-1)
    roll = np.asarray(roll, dtype=np.float64)
    if np.any(roll != 0):
        R = R @ axis_rotation(2, np.broadcast_to(roll, R.shape[:-2]))
    return R


def camera_forward(R: Array) -> Array:
    return -np.asarray(R)[..., :, 2]


def camera_right(R: Array) -> Array:
    return np.asarray(R)[..., :, 0]


def camera_up(R: Array) -> Array:
    return np.asarray(R)[..., :, 1]


def yaw_pitch_roll(R: Array) -> Array:
    """Camera heading, pitch and roll in radians, (..., 3).

    yaw: heading of the view in the XY plane, counter-clockwise from +Y (so "pan left" increases it);
    pitch: elevation of the view direction (positive looks up); roll: rotation about the view axis
    (positive = camera turns counter-clockwise as seen from behind it, the image turns clockwise).
    """
    R = np.asarray(R, dtype=np.float64)
    f = camera_forward(R)
    yaw = np.arctan2(-f[..., 0], f[..., 1])
    pitch = np.arcsin(np.clip(f[..., 2], -1.0, 1.0))
    # Roll: angle of the camera's right vector out of the horizontal plane, measured about the view axis.
    level = look_at(np.zeros_like(f), f, up_fallback=None)
    r_level, u_level = level[..., :, 0], level[..., :, 1]
    r = camera_right(R)
    roll = np.arctan2(np.sum(r * u_level, -1), np.sum(r * r_level, -1))
    # Straight down (or up) heading and roll are one angle: give it to the heading, read from where the camera's up
    # points (down: the way it would look if it tilted up; up: the other way), roll 0, as the inverse builds it, so
    # a tilt that starts overhead keeps its heading instead of jumping from an arbitrary one.
    pole = np.abs(f[..., 2]) > 1.0 - 1e-12
    if np.any(pole):
        u = np.cross(r, f)  # the camera's up (looking down -Z: right x forward)
        side = -np.sign(f[..., 2])[..., None] * u
        yaw = np.where(pole, np.arctan2(-side[..., 0], side[..., 1]), yaw)
        roll = np.where(pole, 0.0, roll)
    return np.stack([yaw, pitch, roll], axis=-1)


def camera_quat_from_yaw_pitch_roll(yaw: Array, pitch: Array, roll: Array) -> Array:
    """Camera-to-world quaternions (..., 4) for heading/pitch/roll in radians: the inverse of yaw_pitch_roll.

    R = Rz(yaw) @ Rx(pi/2 + pitch) @ Rz(roll): a camera looking down -Z is first rolled about its view axis, then
    tipped up to look along +Y (pitch 0), then turned to its heading. Smooth in all three angles (pitch may pass
    +-90 degrees, e.g. a tilt through straight down), so continuous angle curves give continuous quaternions.
    """
    hy, hp, hr = (np.asarray(a, dtype=np.float64) / 2 for a in (yaw, pitch, roll))
    hp = hp + np.pi / 4
    cy, sy, cp, sp, cr, sr = np.cos(hy), np.sin(hy), np.cos(hp), np.sin(hp), np.cos(hr), np.sin(hr)
    # (cy, 0, 0, sy) * (cp, sp, 0, 0) * (cr, 0, 0, sr), multiplied out.
    return np.stack([cy * cp * cr - sy * cp * sr, cy * sp * cr + sy * sp * sr,
                     sy * sp * cr - cy * sp * sr, cy * cp * sr + sy * cp * cr], axis=-1)


def keep_above_floor(cam_pos: Array, cam_rot: Array, target: Array, floor: float) -> tuple[Array, Array]:
    """A camera path (F, 3) + quaternions (F, 4) that dips below world height `floor` is lifted to it, and each
    lifted frame tilts by the change in the target's (F, 3) elevation angle, keeping heading and roll: what a
    camera operator does with a low angle on a floor (set the camera on the ground, aim up). Frames at or above
    the floor are returned unchanged."""
    pos, rot = np.array(cam_pos, np.float64), np.array(cam_rot, np.float64)
    low = pos[:, 2] < floor
    if not low.any():
        return pos, rot
    target = np.broadcast_to(np.asarray(target, np.float64), pos.shape)
    lifted = pos.copy()
    lifted[low, 2] = floor
    horiz = np.linalg.norm((target - pos)[:, :2], axis=-1)
    tilt = np.arctan2(target[:, 2] - lifted[:, 2], horiz) - np.arctan2(target[:, 2] - pos[:, 2], horiz)
    ypr = yaw_pitch_roll(quat_to_matrix(rot))
    q = camera_quat_from_yaw_pitch_roll(ypr[:, 0], ypr[:, 1] + tilt, ypr[:, 2])
    q = np.where(np.sum(q * rot, -1, keepdims=True) < 0, -q, q)  # same hemisphere as the input, frame by frame
    rot[low] = q[low]
    return lifted, quat_continuity(rot)


def focal_to_fov(focal_mm: Array, sensor_mm: Array | float) -> Array:
    """Field of view (radians) across a sensor dimension of sensor_mm for a lens of focal_mm."""
    return 2.0 * np.arctan(np.asarray(sensor_mm, dtype=np.float64) / (2.0 * np.asarray(focal_mm, dtype=np.float64)))


def fov_to_focal(fov_rad: Array, sensor_mm: Array | float) -> Array:
    return np.asarray(sensor_mm, dtype=np.float64) / (2.0 * np.tan(np.asarray(fov_rad, dtype=np.float64) / 2.0))


def sensor_size(sensor_width_mm: float, aspect: float) -> tuple[float, float]:
    """(horizontal, vertical) sensor extent in mm. As in Blender's AUTO sensor fit, the sensor size applies to the
    larger image dimension; aspect = image width / height."""
    if aspect >= 1.0:
        return sensor_width_mm, sensor_width_mm / aspect
    return sensor_width_mm * aspect, sensor_width_mm


def project(points: Array, cam_pos: Array, cam_rot: Array, focal_mm: Array, sensor_width_mm: float,
            aspect: float) -> tuple[Array, Array]:
    """Project world points into the camera.

    points (..., P, 3); cam_pos (..., 3); cam_rot (..., 3, 3) matrices or (..., 4) unit quaternions; focal (...).
    Returns (ndc (..., P, 2), depth (..., P)): ndc in [-1, 1] across the frame (x right, y up), depth > 0 in front of
    the camera.
    """
    sw, sh = sensor_size(sensor_width_mm, aspect)
    cam_pos = np.asarray(cam_pos, dtype=np.float64)
    cam_rot = np.asarray(cam_rot, dtype=np.float64)
    rel = np.asarray(points, dtype=np.float64) - cam_pos[..., None, :]
    if cam_rot.shape[-1] == 4:
        local = quat_rotate(quat_conj(cam_rot)[..., None, :], rel)
    else:
        local = np.einsum("...ji,...pj->...pi", cam_rot, rel)
    depth = -local[..., 2]
    f = np.asarray(focal_mm, dtype=np.float64)[..., None]
    safe = np.where(np.abs(depth) < 1e-9, 1e-9, depth)
    ndc = np.stack([local[..., 0] / safe * f / (sw / 2), local[..., 1] / safe * f / (sh / 2)], axis=-1)
    return ndc, depth


def box_corners(center: Array, size: Array, rot: Array) -> Array:
    """The 8 corners (..., 8, 3) of an oriented box with full extents `size` and rotation matrix `rot`."""
    signs = np.array([[sx, sy, sz] for sx in (-0.5, 0.5) for sy in (-0.5, 0.5) for sz in (-0.5, 0.5)])
    local = signs * np.asarray(size, dtype=np.float64)[..., None, :]
    return np.einsum("...ij,...pj->...pi", rot, local) + np.asarray(center, dtype=np.float64)[..., None, :]


def point_in_box(p: Array, center: Array, size: Array, rot: Array, margin: float = 0.0) -> Array:
    """True where point p lies inside the oriented box grown by `margin` on every side."""
    local = np.einsum("...ji,...j->...i", rot, np.asarray(p, dtype=np.float64) - np.asarray(center, dtype=np.float64))
    return np.all(np.abs(local) <= np.asarray(size) / 2 + margin, axis=-1)


# ---------------------------------------------------------------------------------------------------- other conventions
# OpenCV / COLMAP cameras: x right, y down, +z forward. OpenGL cameras share Blender's axes (x right, y up, -z forward).
OPENCV_TO_BLENDER_CAMERA: Array = np.diag([1.0, -1.0, -1.0])  # its own inverse


def camera_rotation_opencv_to_blender(R: Array) -> Array:
    """Camera-to-world rotation of an OpenCV-axes camera -> the same camera with Blender camera axes."""
    return np.asarray(R, dtype=np.float64) @ OPENCV_TO_BLENDER_CAMERA


camera_rotation_blender_to_opencv = camera_rotation_opencv_to_blender  # the flip is its own inverse

UP_AXES = ("+x", "-x", "+y", "-y", "+z", "-z")


def up_axis_to_zup(up: str) -> Array:
    """Rotation taking a world whose up axis is `up` (one of UP_AXES) to Blender's Z-up world: the smallest turn that
    brings `up` onto +Z ("+y" gives Y_UP_TO_Z_UP; "-y", OpenCV/COLMAP's usual, turns -90 degrees about X, so a camera
    looking down that world's +Z looks down Blender's +Y). Its transpose goes back."""
    key = str(up).strip().lower()
    key = key if key[:1] in "+-" else "+" + key
    turns = {"+z": (0, 0.0), "-z": (0, np.pi), "+y": (0, np.pi / 2), "-y": (0, -np.pi / 2),
             "+x": (1, -np.pi / 2), "-x": (1, np.pi / 2)}
    if key not in turns:
        raise ValueError(f"unknown up axis '{up}'; expected one of {', '.join(UP_AXES)}")
    axis, angle = turns[key]
    R = axis_rotation(axis, angle)
    return np.where(np.abs(R) < 1e-15, 0.0, np.round(R))  # exact signed permutation
