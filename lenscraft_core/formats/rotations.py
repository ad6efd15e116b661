"""Camera rotations read from files: checking and repairing them (nearest_rotations) and choosing a world's up
axis from the cameras (estimate_up, resolve_up). Shared by every pose reader (c2w, colmap and the pose formats of
poses.py), so it depends on geometry (and judge_ends' noise measure) alone.

Rotations stored at reduced precision (float16) are projected onto the nearest rotation with a note instead of
rejected; scaled and mirrored matrices stay errors. Worlds without a fixed up (a SLAM map's, the first camera's,
COLMAP's) get `up="auto"`: estimated from the cameras, with a note saying what was chosen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from .. import geometry as geo
from ..errors import DataError
from ..judge_ends import white_sigma

ORTHO_TOLERANCE = 1e-4  # R R^T off the identity by more than this is repaired (or refused, beyond REPAIR_TOLERANCE)
# float16 keeps 11 significant bits: entries near 1 round by up to ~5e-4, so R R^T is off by up to ~1e-3. Beyond
# REPAIR_TOLERANCE a matrix was not a rotation before it was stored (a scale, a shear, a typo).
REPAIR_TOLERANCE = 5e-3
DET_TOLERANCE = 1e-2  # |det - 1| beyond this is a scaled matrix
# up="auto" levels the world to the cameras (levelled_up): their right vectors are taken to be level (a tripod or a
# steady hand keeps the horizon), which fixes up about every direction the right vectors span; about the rest (the
# right vector itself, when the camera does not pan) it keeps the world axis nearest to the estimate. A levelled up
# within SNAP_DEGREES of that axis, or within SNAP_SIGMAS of its own standard error (the right vectors' scatter about
# level: jitter, shake, small rolls), is the axis: pose files put their world on a camera's axes or on gravity, a lean
# this small moves a 60-degree pan's tilt by under a degree (the judge's smallest tilt), and a lean within the noise
# is not evidence against the axis.
SNAP_DEGREES = 1.0
SNAP_SIGMAS = 3.5  # a lean from noise alone passes this about once in 450 tracks (2-D normal: exp(-3.5^2 / 2))
# The ridge on levelled_up's correction, per frame, against the right vectors' second moment across the prior: a
# pan of about 2 degrees (1e-4) levels half of the lean about its axis, a 10-degree pan 96 % of it.
_AXIS_PRIOR_WEIGHT = 1e-4
_ROLL_AXIS_DEG = 20.0  # the rights turning about an axis this near the mean view: a roll (_rolls_about_view)
_HORIZON_MIN_SPREAD = 0.01  # variance of the right vectors along their second axis: a pan of about 20 degrees
_UP_UNRELIABLE = 0.5  # |mean camera up| below this: the cameras disagree on up (rolls, flips)
# Without a horizon the lean of up about the cameras' right vector is open (a pitched camera rising straight and a
# level one moving up and back are the same poses). In a world levelling already finds off its axis, travel within
# TRAVEL_UP_MAX_DEG of the levelled up, and nearer it than the view, is taken to be straight up or down (the
# simplest reading: one move, not two): up turns about the right vector onto it. Leaned worlds sit within about 25
# degrees of an axis (COLMAP's was 22.6 off on a real model), so this covers the lean levelling leaves.
TRAVEL_UP_MAX_DEG = 30.0
_TRAVEL_SNR = 10.0  # the net travel against its own white jitter (judge_ends.white_sigma over the end means)
_TRAVEL_IN_PLANE = 0.5  # share of the travel off the right vector (a truck's lean says nothing about up)


# ---------------------------------------------------------------------------------------------------- rotations
def nearest_rotations(R: np.ndarray, where: Callable[[int], str], what: str = "rotation"
                      ) -> tuple[np.ndarray, list[str]]:
    """Rotation matrices (F, 3, 3) checked and repaired.

    Finite values, det > 0 (a mirror is not a camera pose) and det near 1 (a scaled matrix is a units or export
    mistake) are required; DataError names the frame by where(frame). Matrices off orthonormal by up to
    REPAIR_TOLERANCE (float16 storage and the like) are replaced by the nearest rotation (SVD: U V^T) and a note
    says so; beyond that they are errors. Returns (rotations, notes)."""
    R = np.asarray(R, dtype=np.float64)
    for f in np.flatnonzero(~np.all(np.isfinite(R), axis=(1, 2))):
        raise DataError(f"{what} has a NaN or infinite value", where(int(f)))
    with np.errstate(over="ignore", invalid="ignore"):  # huge entries: an inf det, refused below as scaled
        det = np.linalg.det(R)
        err = np.abs(R @ np.swapaxes(R, 1, 2) - np.eye(3)).max(axis=(1, 2))
    for f in np.flatnonzero(det < 0):
        raise DataError(f"{what} is mirrored (det {det[f]:.3g} < 0): not a camera pose; is the handedness of the "
                        f"file's axes right?", where(int(f)))
    for f in np.flatnonzero(~(np.abs(det - 1) <= DET_TOLERANCE)):  # NaN (inf - inf) is scaled too
        raise DataError(f"{what} is scaled (det {det[f]:.4g}, expected 1): a camera pose has no scale; divide it "
                        f"out before export", where(int(f)))
    for f in np.flatnonzero(~(err <= REPAIR_TOLERANCE)):
        raise DataError(f"{what} is not a rotation (orthonormality error {err[f]:.2g}, limit "
                        f"{REPAIR_TOLERANCE:g} for repair)", where(int(f)))
    notes = []
    bad = np.flatnonzero(err > ORTHO_TOLERANCE)
    if len(bad):
        U, _, Vt = np.linalg.svd(R[bad])
        R = R.copy()
        R[bad] = U @ Vt
        notes.append(f"re-orthonormalised {len(bad)} of {len(R)} rotations to the nearest rotation (SVD): "
                     f"orthonormality error up to {err.max():.2g} (tolerance {ORTHO_TOLERANCE:g}), as from float16 "
                     f"storage")
    return R, notes


# ---------------------------------------------------------------------------------------------------- world up
def camera_up_vectors(R: np.ndarray, camera_axes: str = "opengl") -> np.ndarray:
    """Each camera's up direction (F, 3) in its world: local +y for OpenGL axes, local -y for OpenCV axes."""
    up = np.asarray(R, dtype=np.float64)[..., :, 1]
    return -up if str(camera_axes).lower() == "opencv" else up


@dataclass
class UpEstimate:
    """What estimate_up found: the unit up vector in the file's world, the world axis nearest to it (one of
    geometry.UP_AXES) and the angle between them, how it was found, and whether the cameras agree enough to
    trust it."""

    vector: np.ndarray
    axis: str
    angle_deg: float
    method: str
    reliable: bool = True

    def describe(self) -> str:
        v = ", ".join(f"{c:.3f}" for c in self.vector)
        trust = "" if self.reliable else "; unreliable: the cameras' up vectors disagree (rolls or flips)"
        return f"{self.method} ({v}) is {self.angle_deg:.1f} degrees from {self.axis}{trust}"


def nearest_axis(v: np.ndarray) -> tuple[str, float]:
    """The signed world axis ("+x" ... "-z") nearest to vector v and the angle to it in degrees."""
    v = geo.normalize(np.asarray(v, dtype=np.float64))
    i = int(np.argmax(np.abs(v)))
    axis = ("+" if v[i] >= 0 else "-") + "xyz"[i]
    return axis, float(np.degrees(np.arccos(np.clip(abs(v[i]), -1.0, 1.0))))


def estimate_up(rotations: np.ndarray, camera_axes: str = "opengl") -> UpEstimate:
    """World up estimated from camera-to-world rotations (F, 3, 3) in a file's world and camera axes.

    The cameras' mean up vector: for a rig that looks roughly horizontally this is the world up, tilted by the
    rig's mean tilt. When the cameras pan enough for their right vectors (which stay level on a tripod or a
    steady hand) to span a plane, the normal of that plane (the horizon) is used instead: it does not lean with
    the tilt. The horizon is only taken when it agrees with the mean up within 45 degrees (a roll also sweeps the
    right vectors through a plane, one that contains the up)."""
    R = np.asarray(rotations, dtype=np.float64)
    ups = camera_up_vectors(R, camera_axes)
    mean_up = ups.mean(axis=0)
    strength = float(np.linalg.norm(mean_up))
    if strength < 1e-9:
        mean_up, strength = np.array([0.0, 0.0, 1.0]), 0.0
    m = mean_up / max(strength, 1e-12)
    vector, method = m, "mean camera up"
    rights = R[..., :, 0]
    w, V = np.linalg.eigh(rights.T @ rights / len(rights))
    if w[1] > _HORIZON_MIN_SPREAD and w[0] < 0.1 * w[1]:
        h = V[:, 0] * (1.0 if V[:, 0] @ m >= 0 else -1.0)
        if h @ m > np.cos(np.radians(45.0)):
            vector, method = h, "horizon normal"
    axis, angle = nearest_axis(vector)
    return UpEstimate(vector, axis, angle, method, strength >= _UP_UNRELIABLE)


def _turn_onto_z(v: np.ndarray) -> np.ndarray:
    """The smallest rotation taking unit vector v onto +Z."""
    z = np.array([0.0, 0.0, 1.0])
    axis = np.cross(v, z)
    s, c = float(np.linalg.norm(axis)), float(v @ z)
    if s < 1e-12:
        return np.eye(3) if c > 0 else np.diag([1.0, -1.0, -1.0])
    return geo.axis_angle_matrix(axis / s, np.arctan2(s, c))


def up_matrix(up: Any) -> np.ndarray:
    """Rotation taking a file's world to Blender's Z-up world for an axis (geometry.UP_AXES) or an up vector (3,).
    A vector turns by the axis nearest to it (geometry.up_axis_to_zup, so the heading matches the axis case),
    then by the small rest."""
    if isinstance(up, str):
        return geo.up_axis_to_zup(up)
    v = np.asarray(up, dtype=np.float64)
    if v.shape != (3,) or not np.all(np.isfinite(v)) or np.linalg.norm(v) < 1e-9:
        raise ValueError(f"up must be one of {', '.join(geo.UP_AXES)}, 'auto' or a non-zero vector, got {up!r}")
    W0 = geo.up_axis_to_zup(nearest_axis(v)[0])
    return _turn_onto_z(geo.normalize(W0 @ v)) @ W0


def levelled_up(rotations: np.ndarray, prior: np.ndarray, camera_axes: str = "opengl") -> np.ndarray:
    """The unit up near `prior` (a world axis) in which the cameras' right vectors are level: u = prior + x with x
    orthogonal to prior, least squares over sum (r . u)^2 + ridge (_AXIS_PRIOR_WEIGHT |x|^2 per frame). Linear in
    x, so roll noise on the right vectors (uncorrelated with a pan's sweep) adds no bias. Up is levelled about the
    mean right vector always (a lean about the view) and about the others as far as the camera pans (a horizon).
    A roll sweeps the right vectors about the view, not about up: when the view directions stay put while the right
    vectors sweep (a roll-dominated shot), only the mean right vector is levelled."""
    a, B, P, c, normal = _levelling_system(rotations, prior)
    return geo.normalize(a + B @ -np.linalg.solve(normal, P.T @ c))


def _levelling_system(rotations: np.ndarray, prior: np.ndarray) -> tuple[np.ndarray, ...]:
    """levelled_up's least squares about `prior`: (a = the unit prior, B = a basis of the plane orthogonal to it,
    P = the levelled right vectors in B, c = their component along a, the ridged normal matrix)."""
    R = np.asarray(rotations, dtype=np.float64)
    rights = R[..., :, 0]  # local +x is the right vector in OpenGL and OpenCV camera axes alike
    a = geo.normalize(np.asarray(prior, dtype=np.float64))
    B = np.linalg.svd(np.eye(3) - np.outer(a, a))[0][:, :2]  # an orthonormal basis of the plane orthogonal to a
    if _rolls_about_view(rights, -R[..., :, 2]):  # the rights turn about the view: a roll, no horizon
        rights = np.mean(rights, axis=0, keepdims=True)
    else:
        rights = _smooth_rights(rights)
    P, c = rights @ B, rights @ a
    return a, B, P, c, P.T @ P + len(rights) * _AXIS_PRIOR_WEIGHT * np.eye(2)


def _smooth_rights(rights: np.ndarray) -> np.ndarray:
    """The right vectors' slow part, a polynomial in time (up to quartic) fitted to each component: a pan sweeps them
    smoothly, handheld shake turns them about every axis at a few hertz (about the camera's own up on a steep
    camera, which tips them out of level), and levelling to the shake would lean up towards the camera's up."""
    F = len(rights)
    if F < 8:
        return rights
    t = np.linspace(-1.0, 1.0, F)
    V = np.vander(t, min(5, F // 4))
    coef = np.linalg.lstsq(V, rights, rcond=None)[0]
    return geo.normalize(V @ coef)


def _rolls_about_view(rights: np.ndarray, fwd: np.ndarray) -> bool:
    """The right vectors sweep about the view, not about up: the views stay put while the rights sweep (a pure
    roll), or the axis the rights turn about (the normal of their plane) is within _ROLL_AXIS_DEG of the views
    (a roll under shake, whose views wander too; a pan turns them about up, over 20 degrees from any view short of
    70 degrees steep)."""
    if len(rights) < 2:
        return False
    spread = lambda v: float(np.trace(np.cov(v.T)))  # noqa: E731
    if spread(fwd) < 0.1 * spread(rights):
        return True
    w, V = np.linalg.eigh(rights.T @ rights / len(rights))
    near = float(np.median(np.abs(geo.normalize(fwd) @ V[:, 0])))  # per frame: an orbit's views point all round
    return bool(w[1] > _HORIZON_MIN_SPREAD and near > np.cos(np.radians(_ROLL_AXIS_DEG)))


def _lean_error_deg(rotations: np.ndarray, up: np.ndarray, axis_vector: np.ndarray) -> float:
    """The standard error (degrees) of levelled_up's lean from axis_vector to `up`, along that lean: the right
    vectors' scatter about level in `up` (what levelling cannot explain: jitter, shake, rolls) through the ridged
    normal matrix. 0 when no scatter can be measured (two frames or fewer, or one mean right vector on a roll)."""
    a, B, P, _, normal = _levelling_system(rotations, up)
    dof = len(P) - 2
    if dof < 1:
        return 0.0
    residual = np.asarray(rotations, dtype=np.float64)[..., :, 0] @ a  # each right vector's tip out of level
    cov = float(residual @ residual) / dof * np.linalg.inv(normal)
    lean = B.T @ (a - axis_vector)  # the lean's direction, in the plane about `up`
    norm = float(np.linalg.norm(lean))
    if norm < 1e-12:
        return 0.0
    d = lean / norm
    return float(np.degrees(np.sqrt(max(d @ cov @ d, 0.0))))


def _level_from(axis: str, rotations: np.ndarray, camera_axes: str) -> tuple[np.ndarray, float, float]:
    """levelled_up from a world axis: (the levelled up, its angle to the axis in degrees, that angle's standard
    error in degrees)."""
    a = geo.up_axis_to_zup(axis).T @ np.array([0.0, 0.0, 1.0])
    # A second pass from the first answer takes off the ridge's pull where the horizon decides (its share squared).
    u = levelled_up(rotations, levelled_up(rotations, a, camera_axes), camera_axes)
    return u, float(np.degrees(np.arccos(np.clip(u @ a, -1.0, 1.0)))), _lean_error_deg(rotations, u, a)


def travel_up(up: np.ndarray, rotations: np.ndarray, positions: np.ndarray) -> np.ndarray | None:
    """Up turned about the cameras' mean right vector onto their net travel, when the travel is clear of the
    jitter, mostly off the right vector, within TRAVEL_UP_MAX_DEG of `up` and nearer it than the mean view (a
    dolly along a steep view stays a dolly); else None. For cameras that show no horizon (see TRAVEL_UP_MAX_DEG)."""
    R, p = np.asarray(rotations, dtype=np.float64), np.asarray(positions, dtype=np.float64)
    F = len(p)
    if F < 8 or p.shape != (F, 3):
        return None
    w = max(2, F // 10)
    travel = p[-w:].mean(axis=0) - p[:w].mean(axis=0)
    noise = float(np.linalg.norm(white_sigma(p))) * np.sqrt(2.0 / w)
    right = geo.normalize(R[..., :, 0].mean(axis=0))
    in_plane = travel - (travel @ right) * right
    size = float(np.linalg.norm(in_plane))
    if size <= _TRAVEL_SNR * noise or size < _TRAVEL_IN_PLANE * float(np.linalg.norm(travel)):
        return None
    d = in_plane / size * (1.0 if in_plane @ up >= 0 else -1.0)
    view = geo.normalize(-R[..., :, 2].mean(axis=0))
    view = geo.normalize(view - (view @ right) * right)
    to_up = np.degrees(np.arccos(np.clip(d @ up, -1.0, 1.0)))
    to_view = np.degrees(np.arccos(np.clip(abs(d @ view), 0.0, 1.0)))
    return d if to_up <= TRAVEL_UP_MAX_DEG and to_up < to_view else None


def _travel_axis(axis: str, lean: float, rotations: np.ndarray, camera_axes: str, positions: np.ndarray
                 ) -> tuple[str, np.ndarray, np.ndarray] | None:
    """Another world axis whose levelled up the cameras' travel runs along (travel_up), when that travel sits
    nearer the axis than `axis`'s levelled up (lean degrees off it) does: (the axis, its levelled up, the travel as
    up), else None.

    Without a horizon a camera pitched 60 degrees down rising straight and one pitched 30 degrees up moving level
    are the same poses (up turned 90 degrees about the right vector). estimate_up's axis is the one nearest the
    cameras' mean up, which for a steep view is a horizontal one, so the rise read as a level push-in. Of the two
    readings, each one move, keep the one whose world is nearer its axis: the file's axes are the evidence the
    poses leave (a file's world sits on or near an axis). A world already on its axis never gets here (`leaned`)."""
    R = np.asarray(rotations, dtype=np.float64)
    mean_up = camera_up_vectors(R, camera_axes).mean(axis=0)
    best = None
    for name in geo.UP_AXES:
        if name[1] == axis[1]:
            continue
        a = geo.up_axis_to_zup(name).T @ geo.WORLD_UP
        if a @ mean_up <= 0:  # the cameras' up would point down in that world
            continue
        u = _level_from(name, R, camera_axes)[0]
        along = travel_up(u, R, positions)
        if along is None:
            continue
        off = float(np.degrees(np.arccos(np.clip(along @ a, -1.0, 1.0))))
        if off < lean and (best is None or off < best[0]):
            best = (off, name, u, along)
    return None if best is None else best[1:]


def resolve_up(up: Any, rotations: np.ndarray, camera_axes: str, positions: np.ndarray | None = None
               ) -> tuple[np.ndarray, Any, str]:
    """(world rotation to Z-up, the up used (an axis or a vector), a note) for up = "auto", an axis or a vector.

    "auto": estimate_up picks the world axis nearest to the cameras' up; levelled_up then levels the world to the
    cameras' right vectors (a lean left in place reads as tilt and roll on every pan); the axis itself when the
    levelled up is within SNAP_DEGREES or SNAP_SIGMAS standard errors of it, or when the cameras disagree on up.
    Every auto note starts "up auto: <axis>" (the axis chosen or levelled from); a levelled one goes on with the
    lean, its standard error and the vector. Cameras that roll in step with a pan tip their right vectors as a lean
    would: the levelled up then leans too, and the note names the axis to give instead. A given axis that the
    cameras contradict (their up points down in it) gets a note: the shot would read upside down."""
    est = estimate_up(rotations, camera_axes)
    if is_auto(up):
        # Without a horizon, levelling fixes the lean about the view only: say what stays unmeasured.
        unmeasured = "" if est.method == "horizon normal" else (
            "; they do not pan enough to show the horizon, so a lean of up towards the view is not measured and "
            "rising and forward travel may mix (give --up if the world's up is known)")
        axis_note = f"up auto: {est.axis}; the cameras' {est.describe()}{unmeasured}"
        if not est.reliable:
            return geo.up_axis_to_zup(est.axis), est.axis, axis_note
        axis = est.axis
        u, lean, error = _level_from(axis, rotations, camera_axes)
        if lean > 45.0:  # a steep view's mean up is nearer a horizontal axis; the horizon found says which is up
            mean_up = camera_up_vectors(rotations, camera_axes).mean(axis=0)
            axis = nearest_axis(u if u @ mean_up >= 0 else -u)[0]
            u, lean, error = _level_from(axis, rotations, camera_axes)
            axis_note = f"up auto: {axis} (from the cameras' horizon); the cameras' {est.describe()}{unmeasured}"
        # Only in a world already found off its axis: a file on an axis (gravity, a first camera's frame) is kept
        # as it is, so a diagonal move there is not taken for a rise and the import is not tilted by it.
        leaned = lean > max(SNAP_DEGREES, SNAP_SIGMAS * error)
        along = None if positions is None or not unmeasured or not leaned else travel_up(u, rotations, positions)
        switched = ""
        if along is None and unmeasured and leaned and positions is not None:
            other = _travel_axis(axis, lean, rotations, camera_axes, positions)
            if other is not None:  # a steep camera rising straight in a world nearer another axis: see _travel_axis
                switched = (f"; {other[0]}, not {axis}: the travel runs along {other[0]}'s levelled up and sits "
                            f"nearer that axis than {axis}'s reading (a level move) does")
                axis, u, along = other
        if along is not None:  # the open lean set by the travel: see TRAVEL_UP_MAX_DEG
            turn = float(np.degrees(np.arccos(np.clip(along @ u, -1.0, 1.0))))
            u, error = along, 0.0
            lean = float(np.degrees(np.arccos(np.clip(u @ (geo.up_axis_to_zup(axis).T @ geo.WORLD_UP), -1.0, 1.0))))
            unmeasured = (f"; they do not pan enough to show the horizon, so up was turned {turn:.1f} degrees "
                          f"towards the view onto their travel: they rise or descend straight (the poses cannot "
                          f"tell that from a diagonal move on a level camera; give --up if the world's up is known)"
                          f"{switched}")
            axis_note = f"up auto: {axis}; the cameras' {est.describe()}{unmeasured}"
        if lean <= max(SNAP_DEGREES, SNAP_SIGMAS * error):
            return geo.up_axis_to_zup(axis), axis, axis_note
        vector = [round(float(c), 6) for c in u]
        how = "turned onto the cameras' travel" if along is not None else "levelled to the cameras' right vectors"
        spread = "" if along is not None else f" (+- {error:.2f})"
        return (up_matrix(u), vector,
                f"up auto: {axis} {how}: {lean:.1f} degrees from {axis}{spread}, up "
                f"({', '.join(f'{c:.3f}' for c in u)}); --up {axis} keeps the axis; the "
                f"cameras' {est.describe()}{unmeasured}")
    W = up_matrix(up)
    note = f"up {up}: given"
    if float((W @ est.vector)[2]) < 0:
        note += (f"; but the cameras' up points down in that world (their {est.describe()}): the shot will read "
                 f"upside down unless up is {est.axis}")
    return W, up, note


def is_auto(up: Any) -> bool:
    """Whether up asks for the estimate ("auto", any case)."""
    return isinstance(up, str) and up.strip().lower() == "auto"


def world_turn(up: Any, rotations: np.ndarray, camera_axes: str, positions: np.ndarray | None = None
               ) -> tuple[str, np.ndarray | None, Any, list[str]]:
    """For readers that take an up axis (c2w, colmap): (the axis to read the world with; the turn W to apply to the
    file's world first, or None; the up used, for metadata; notes). A given axis is kept as it is, with a note only
    when the cameras contradict it; "auto" or a vector becomes resolve_up's choice, with a note. W is only set for
    an up off every axis, after which the world is read as "+z"."""
    W, used, note = resolve_up(up, rotations, camera_axes, positions)
    notes = [note] if is_auto(up) or "upside down" in note or not isinstance(up, str) else []
    if isinstance(used, str):
        return used, None, used, notes
    return "+z", W, used, notes
