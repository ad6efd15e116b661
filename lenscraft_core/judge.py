"""An independent geometric judge of camera moves: rules over camera geometry, no model.

judge_shot(shot, subject) reads a trajectory the way a camera operator would describe it and returns a Verdict:

* camera-only motion in the camera's own frame: pan (heading change about world up), tilt (pitch), roll, truck /
  pedestal / dolly (the net translation written in the first camera's right, world up and forward), zoom (focal
  ratio); each as a signed amount and a peak speed per second (the trajectory's fps);
* subject-relative motion when a subject is known (given, or estimated as the point the view rays meet): azimuth
  change around it (arc), distance ratio (push in / pull out), height change, and whether a moving subject is
  followed or tracked;
* the move label(s) of the vocabulary whose kind and sign match the amounts above scale-free thresholds;
* curve cleanliness that does not depend on keys: focal and roll drift, orbit radius deviation, speed humps, jerk,
  and shake (view-direction jitter left after a smooth fit).

Signs follow vocabulary.POSITIVE_DIRECTION (+1 = pan left, tilt up, dolly in, truck right, pedestal up, zoom in,
roll left; an arc's +1 is a counter-clockwise azimuth change seen from above, named by whichever arc label the
vocabulary gives sign +1). docs/JUDGE.md gives the rules and their reasons. NumPy only: no model, no torch.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from . import geometry as geo
from .judge_ends import END_SNR, FLOAT_REL, end_noise_factor, end_values, end_window, net_floor
from .judge_rays import estimate_look_point, estimate_subject
from .schema import Shot, Subject, Trajectory
from .vocabulary import MOVEMENT

# ---------------------------------------------------------------------------------------------------- thresholds
# Rotations (degrees). The simulator's smallest pans / tilts (the subject centre crossing 0.4 of the half frame on
# the longest lens) are about 4 / 2.5 degrees; below 1 degree a viewer reads a hold.
PAN_MIN_DEG = 1.0
TILT_MIN_DEG = 1.0
# Rolls: the vocabulary's rolls are 15-45 degrees; a horizon off by less than 3 degrees reads as a level camera.
ROLL_MIN_DEG = 3.0
# Arc: a third of the smallest arc in the vocabulary (90 degrees), and the camera must keep turning with the
# azimuth (ARC_FOLLOW_SHARE of it): a truck also swings the azimuth (up to ~40 degrees on a wide lens) without turning.
ARC_MIN_DEG = 30.0
ARC_FOLLOW_SHARE = 0.5
# Translation, as a fraction of the camera-subject distance at frame 0: the simulator's smallest trucks / pedestals
# move the camera by about 8 % / 4 % of it; under 2 % the parallax is below what a viewer notices.
TRANSLATION_MIN_FRACTION = 0.02
# An axis carrying less than this share of the net translation is a side effect of the main direction (a dolly
# towards a subject seen from above has a small vertical part in world terms): it is not a move of its own.
AXIS_SHARE_MIN = 0.25
# Without a subject nothing gives translation a scale: it counts when it stands above the noise the path's own
# jitter leaves in the net amount (judge_ends.net_floor, per axis) and above floating-point rounding. A segment
# judged against its take's extent (reference_length) has its ends at cuts placed only to within the jitter, where a
# neighbour's move leaks in: there it must also stand TRANSLATION_SNR x the per-frame jitter clear.
TRANSLATION_SNR = 5.0
# Zoom: half the smallest zoom of the vocabulary (2^0.25) in log terms; the zoom classes split at the geometric
# midpoints between 2^0.25, 2^0.5 and 2 (and arcs at the midpoints between 90, 180 and 360 degrees).
ZOOM_MIN_LOG = 0.5 * np.log(2.0 ** 0.25)
# Follow / track: the subject travels at least TRANSLATION_MIN_FRACTION of the camera distance and the camera moves
# with it (its net translation along the subject's travel is at least FOLLOW_SHARE of it).
FOLLOW_SHARE = 0.5
# Shake: the smooth fit is a local cubic over SHAKE_WINDOW_S seconds. Handheld energy sits at 2-10 Hz, intended
# moves take a second or more, so the fit keeps the move and leaves the shake.
SHAKE_WINDOW_S = 0.4
SHAKE_ORDER = 3
# On a shaky path an angle counts as a move only above this many times the shake (degrees RMS) as well: the two end
# frames' jitter alone differs by up to about 4 x the RMS.
SHAKE_MOVE_MULT = 4.0
# Speed humps: a local maximum of speed counts when it rises above both neighbouring dips by this share of the peak
# speed (a smaller ripple is not visible as a stutter); the shot is taken to start and end at rest.
HUMP_PROMINENCE = 0.15
# A view steeper than this is vertical: its heading (and so pan versus roll) is within rounding of undefined, so the
# heading comes from the camera's up vector and a turn about the view axis reads as a pan.
VERTICAL_VIEW_DEG = 89.0
# Straight above the subject (horizontal offset under this fraction of the distance) the camera's azimuth is its
# heading; an arc and a pan are then one motion, read as an arc from OVERHEAD_ARC_MIN_DEG: between the largest pan the
# simulator makes (under 40 degrees) and the smallest arc of the vocabulary (90).
OVERHEAD_FRACTION = 1e-3
OVERHEAD_ARC_MIN_DEG = 60.0

# A frame-to-frame turn over a quarter turn is undersampled: the sampled poses no longer tell the turn's direction
# (at half a turn they cannot at all).
UNDERSAMPLED_STEP_RAD = np.pi / 2

KINDS = ("pan", "tilt", "roll", "truck", "pedestal", "dolly", "zoom", "arc", "follow", "track")


@dataclass
class Verdict:
    """What the judge read. amounts: kind -> signed amount (+ = vocabulary.POSITIVE_DIRECTION): pan / tilt / roll /
    arc in degrees, truck / pedestal / dolly as a fraction of `reference_length`, zoom as the focal ratio (end over
    start), follow / track as the subject's travel over the distance. speeds: kind -> peak |rate| per second in the
    same units (zoom: log focal per second). relative: subject-relative measures (empty without a subject)."""

    movement: str                         # a vocabulary label, or "labelA+labelB" when no label has those parts
    moves: tuple[str, ...]                # single-move labels found, strongest first; () = static
    amounts: dict[str, float]
    amounts_m: dict[str, float]           # truck / pedestal / dolly in metres (scene units)
    speeds: dict[str, float]
    relative: dict[str, float]            # azimuth_deg, distance_ratio, height_change, elevation_change_deg, ...
    subject_source: str                   # "given", "rays" (estimated from the view rays) or "none"
    subject_point: list[float] | None     # the subject centre at frame 0 that was used
    reference_length: float               # metres: camera-subject distance at frame 0, else the path length
    focal_drift_pct: float                # (max - min) / median focal length, %: meaningful on moves that do not zoom
    roll_drift_deg: float                 # max - min roll, degrees: meaningful on moves that do not roll
    orbit_radius_dev_pct: float | None    # max |distance - median| / median, % (with a subject): meaningful on arcs
    speed_humps: int                      # local maxima of speed (see HUMP_PROMINENCE)
    jerk_peak: float                      # peak |d^3/dt^3| of the motion (radians and reference lengths), 1/s^3
    shake_deg: float                      # RMS view-direction jitter after the smooth fit, degrees
    shake_median_deg: float               # the median frame's jitter, degrees (shake on most frames, or a few)
    fps: float
    frames: int
    notes: list[str] = field(default_factory=list)
    also_reads_as: str | None = None      # the same path's other name when the view is vertical throughout (_TWIN)

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["moves"] = list(self.moves)
        return d


# ---------------------------------------------------------------------------------------------------- label table
def _label_table() -> tuple[dict, dict, dict]:
    """(kind, sign) -> single label; kind -> [(amount, sign, label)] for zoom / arc classes; parts -> compound."""
    single: dict[tuple[str, int], str] = {}
    graded: dict[str, list[tuple[float, int, str]]] = {"zoom": [], "arc": []}
    compound: dict[frozenset, str] = {}
    for label in MOVEMENT:
        p = label.params
        kind = p["kind"]
        if kind == "compound":
            compound[frozenset(p["parts"])] = label.name
        elif kind in graded:
            graded[kind].append((float(p["amount"]), int(p["sign"]), label.name))
        elif kind in ("static", "follow", "track"):
            single[(kind, 0)] = label.name
        else:
            single[(kind, int(p["sign"]))] = label.name
    return single, graded, compound


_SINGLE, _GRADED, _COMPOUND = _label_table()


def _graded_label(kind: str, amount: float) -> str:
    """The zoom / arc label of the nearest class (log-scale for zoom ratios, linear for arc degrees)."""
    sign = 1 if amount > 0 else -1
    size = abs(amount)
    best = min((c for c in _GRADED[kind] if c[1] == sign),
               key=lambda c: abs(np.log(c[0]) - size) if kind == "zoom" else abs(c[0] - size))
    return best[2]


def _label_for(kind: str, amount: float) -> str:
    if kind == "zoom":
        return _graded_label("zoom", float(np.log(amount)))
    if kind == "arc":
        return _graded_label("arc", amount)
    if kind in ("follow", "track"):
        return _SINGLE[(kind, 0)]
    return _SINGLE[(kind, 1 if amount > 0 else -1)]


# ---------------------------------------------------------------------------------------------------- helpers
def smooth(x: np.ndarray, window: int, order: int = SHAKE_ORDER) -> np.ndarray:
    """Savitzky-Golay smoothing of x (F, C) along frames: a local polynomial of `order` over `window` frames (odd);
    the first and last half windows take the edge window's fit. Returns x unchanged when F < window."""
    x = np.asarray(x, dtype=np.float64)
    F = x.shape[0]
    window = int(window) | 1
    if F < window or window <= order + 1:
        return x.copy()
    h = window // 2
    A = np.vander(np.arange(-h, h + 1, dtype=np.float64), order + 1, increasing=True)
    P = np.linalg.pinv(A)
    out = np.empty_like(x)
    win = np.lib.stride_tricks.sliding_window_view(x, window, axis=0)  # (F - w + 1, C, w)
    out[h:F - h] = np.tensordot(win, P[0], axes=([-1], [0]))
    out[:h] = A[:h] @ (P @ x[:window])
    out[F - h:] = A[h + 1:] @ (P @ x[F - window:])
    return out


def count_humps(speed: np.ndarray, prominence: float = HUMP_PROMINENCE) -> int:
    """Local maxima of a speed profile whose prominence (rise above the higher of the two dips that separate them
    from any higher point, or from the shot's ends, where the camera is taken to be at rest) is at least
    `prominence` x the peak speed."""
    s = np.concatenate([[0.0], np.abs(np.asarray(speed, dtype=np.float64)), [0.0]])
    top = s.max()
    if not np.isfinite(top) or top <= 0:
        return 0
    # Collapse plateaus so that a flat top is one maximum.
    keep = np.concatenate([[True], np.diff(s) != 0])
    v = s[keep]
    n = 0
    for i in range(1, len(v) - 1):
        if not (v[i] > v[i - 1] and v[i] > v[i + 1]):
            continue
        left = v[:i][::-1]
        higher = np.flatnonzero(left >= v[i])  # an equal peak to the left already took this hump
        dip_l = left[:higher[0]].min() if len(higher) else left.min()
        right = v[i + 1:]
        higher = np.flatnonzero(right > v[i])
        dip_r = right[:higher[0]].min() if len(higher) else right.min()
        if v[i] - max(dip_l, dip_r) >= prominence * top:
            n += 1
    return n


def fit_window(fps: float) -> int:
    """Frames of the smooth fit (SHAKE_WINDOW_S at this fps, odd, at least 5)."""
    return max(5, int(round(SHAKE_WINDOW_S * float(fps))) | 1)


def view_jitter(R: np.ndarray, fps: float) -> np.ndarray | None:
    """Per frame, the angle (radians) between the view direction and its smooth fit (fit_window frames): shake_deg
    is its RMS. None when the shot has fewer frames than the fit."""
    win = fit_window(fps)
    if len(R) < win:
        return None
    fwd = geo.camera_forward(R)
    return np.arccos(np.clip(np.sum(geo.normalize(smooth(fwd, win)) * fwd, -1), -1.0, 1.0))


def _rotation_rates(R: np.ndarray, fps: float) -> np.ndarray:
    """World-frame angular velocity (F - 1, 3), rad/s, between consecutive camera rotations."""
    rel = np.einsum("fji,fjk->fik", R[:-1], R[1:])  # R_t^T R_{t+1}: the step in the camera's frame
    q = geo.matrix_to_quat(rel)
    v = q[:, 1:]
    s = np.linalg.norm(v, axis=-1, keepdims=True)
    angle = 2.0 * np.arctan2(s, q[:, :1])
    axis_cam = np.where(s > 0, v / np.maximum(s, 1e-300), 0.0)
    return np.einsum("fij,fj->fi", R[:-1], axis_cam * angle) * fps


def _heading(v: np.ndarray) -> np.ndarray:
    """Counter-clockwise heading from +Y seen from above (geometry.yaw_pitch_roll's yaw)."""
    return np.arctan2(-v[..., 0], v[..., 1])


def camera_angles(R: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Heading, pitch and roll (F,) in radians, continuous over the shot: geometry.yaw_pitch_roll's conventions
    (heading counter-clockwise from +Y, pitch up, roll left positive), with the heading tracked frame to frame so
    that a tilt through straight down keeps its heading (pitch runs past -90 degrees) and a vertical view takes
    its heading from the camera's up vector (a turn about world up is then a pan, roll stays 0)."""
    fwd, up = geo.camera_forward(R), geo.camera_up(R)
    fh, uh = fwd[:, :2], up[:, :2] * -np.sign(np.where(fwd[:, 2:] == 0, 1.0, fwd[:, 2:]))
    vertical = np.linalg.norm(fh, axis=-1) < np.cos(np.radians(VERTICAL_VIEW_DEG))
    cand = geo.normalize(np.where(vertical[:, None], uh, fh))
    # Each frame's heading is +-cand: -cand means the view went over the vertical (pitch past +-90). Take the sign
    # whose heading and pitch steps are smaller together (a fast turn keeps its sign, a tilt through vertical flips).
    wrap = lambda a: (a + np.pi) % (2 * np.pi) - np.pi  # noqa: E731
    yaw_c = _heading(np.concatenate([cand, np.zeros((len(cand), 1))], axis=1))
    along = np.sum(fwd[:, :2] * cand, -1)
    yaws = np.stack([yaw_c, wrap(yaw_c + np.pi)], -1)
    pitches = np.stack([np.arctan2(fwd[:, 2], along), np.arctan2(fwd[:, 2], -along)], -1)
    yaw, pitch = np.empty(len(cand)), np.empty(len(cand))
    yaw[0], pitch[0] = yaws[0, 0], pitches[0, 0]
    for t in range(1, len(cand)):
        cost = np.abs(wrap(yaws[t] - yaw[t - 1])) + np.abs(wrap(pitches[t] - pitch[t - 1]))
        k = int(cost[1] < cost[0])
        yaw[t] = yaw[t - 1] + wrap(yaws[t, k] - yaw[t - 1])
        pitch[t] = pitch[t - 1] + wrap(pitches[t, k] - pitch[t - 1])
    level = geo.quat_to_matrix(geo.camera_quat_from_yaw_pitch_roll(yaw, pitch, np.zeros_like(yaw)))
    M = np.einsum("fji,fjk->fik", level, R)  # level^T R = Rz(roll)
    roll = np.unwrap(np.arctan2(M[:, 1, 0], M[:, 0, 0]))
    return yaw, pitch, roll


def _residual_rms(x: np.ndarray, win: int) -> float:
    """RMS of a series (F,) about its smooth fit (0 on shots shorter than the fit)."""
    return float(np.sqrt(np.mean((x - smooth(x[:, None], win)[:, 0]) ** 2))) if len(x) >= win else 0.0


def _significant(t_vec: np.ndarray, t_floor: float | np.ndarray) -> np.ndarray:
    """Axes (3,) bool of a net translation that are moves: above the floor and a real share of the translation."""
    norm = float(np.linalg.norm(t_vec))
    share = np.abs(t_vec) / norm if norm > 0 else np.zeros(3)
    return (share >= AXIS_SHARE_MIN) & (np.abs(t_vec) > t_floor)


def _translation(disp: np.ndarray, net: np.ndarray, bases: list[np.ndarray], L: float, t_floor: float,
                 ends: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Displacements (F, 3) and the net one (3,) written in each basis (columns right, up, forward) over L; the
    reading with the fewest moving axes (the first on a tie): (coords (F, 3), net (3,), moving axes (3,) bool, the
    floor per axis: t_floor or the coordinate's own net_floor over `ends` (end window, fit window))."""
    best = None
    for B in bases:
        coords = np.linalg.solve(B, disp.T).T / L
        t_net = np.linalg.solve(B, net) / L
        floors = np.maximum(t_floor, net_floor(coords, *ends))
        axes = _significant(t_net, floors)
        if best is None or axes.sum() < best[2].sum():
            best = (coords, t_net, axes, floors)
    assert best is not None
    return best


def _arc_bases(rel0: np.ndarray, overhead: bool) -> list[np.ndarray]:
    """Bases (columns truck, pedestal, dolly) of an orbit's radial moves, in coordinates (none, height, horizontal
    radius inwards): world up and the horizontal radius, so a pedestal beside an arc (its radius kept) is a pedestal
    only, though it changes the distance to the subject; and world up and the line of sight to the subject, so a
    push along a view looking down is a dolly only. Over the subject the line of sight is the vertical (a dolly) and
    the horizontal radius is the view's up (a pedestal), as a vertical view reads camera-only translation."""
    d0 = float(np.linalg.norm(rel0))
    sight = np.array([0.0, -rel0[2], np.linalg.norm(rel0[:2])]) / d0
    if overhead:
        return [np.stack([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], sight], -1)]
    return [np.eye(3), np.stack([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], sight], -1)]


# ---------------------------------------------------------------------------------------------------- the judge
def judge_shot(shot: Shot | Trajectory, subject: Subject | None = None, reference_length: float | None = None
               ) -> Verdict:
    """Judge a shot's camera move by rules over its geometry. subject: what the camera frames (e.g. shot.subject);
    None judges without one (the subject is then estimated from the view rays when they agree, else only
    camera-only motion is read). reference_length: without a subject or meeting rays, a length (scene units) that
    translation is measured against as it would be against the subject's distance (TRANSLATION_MIN_FRACTION of
    it), e.g. the whole take's translation when judging one segment of it; None: translation has no scale.
    Units and signs: see Verdict and the module docstring."""
    traj = shot.trajectory if isinstance(shot, Shot) else shot
    pos = np.asarray(traj.position, dtype=np.float64)
    R = geo.quat_to_matrix(np.asarray(traj.rotation, dtype=np.float64))
    focal = np.asarray(traj.focal_length, dtype=np.float64)
    fps = float(traj.fps)
    F = len(pos)
    notes: list[str] = []
    fwd = geo.camera_forward(R)
    _, sensor_h = geo.sensor_size(traj.sensor_width, traj.aspect)
    half_fov_v = 0.5 * geo.focal_to_fov(focal, sensor_h)

    # Subject: given, else the point the view rays meet.
    subj_pos: np.ndarray | None = None
    source = "none"
    if subject is not None:
        subj_pos = np.array(subject.positions(F), dtype=np.float64)
        source = "given"
    elif F >= 3:
        X, why = estimate_subject(pos, fwd, half_fov_v)
        notes.append(why)
        if X is not None:
            subj_pos = np.broadcast_to(X, (F, 3)).copy()
            source = "rays"

    win = fit_window(fps)
    we = end_window(F)
    first, last = lambda x: end_values(x, we, win)[0], lambda x: end_values(x, we, win)[1]  # noqa: E731
    net = lambda x: np.subtract(*end_values(x, we, win)[::-1])  # noqa: E731
    steps = np.diff(pos, axis=0)
    pos_fit = smooth(pos, win) if F >= win else pos
    # The path's jitter (RMS position residual after the smooth fit) and its length along the fit (the raw path
    # length grows with the jitter, not the move).
    noise = float(np.sqrt(np.mean(np.sum((pos - pos_fit) ** 2, -1)))) if F >= win else 0.0
    path = float(np.linalg.norm(np.diff(pos_fit, axis=0), axis=-1).sum())
    floor = FLOAT_REL * (float(np.abs(pos).max()) + path + 1e-300)
    rel = None if subj_pos is None else pos - subj_pos
    d0 = None if rel is None else float(np.linalg.norm(first(rel)))
    scaled = reference_length is not None and reference_length > floor
    if d0 is not None and d0 > floor:
        L = d0
    else:
        L = float(reference_length) if scaled else path if path > floor else 1.0
        if rel is not None:
            notes.append("camera at the subject centre: translation measured against the path length")
            rel, subj_pos, source = None, None, "none"

    # Camera-only angles (heading / pitch / roll tracked through vertical views, see camera_angles).
    yaw, pitch, roll = camera_angles(R)
    vertical = np.abs(np.degrees(pitch)) > VERTICAL_VIEW_DEG
    if vertical.any():
        notes.append("the view is vertical on some frames: a turn about the view axis there reads as a pan")
    jitter = view_jitter(R, fps)
    if jitter is not None:
        shake = float(np.degrees(np.sqrt(np.mean(jitter ** 2))))
        shake_median = float(np.degrees(np.median(jitter)))
    else:
        shake = shake_median = 0.0
        notes.append(f"too few frames ({F}) for the {win}-frame smooth fit: shake not measured")
    amounts: dict[str, float] = {
        "pan": float(np.degrees(net(yaw))),
        "tilt": float(np.degrees(net(pitch))),
        "roll": float(np.degrees(net(roll))),
        "zoom": float(focal[-1] / focal[0]),
    }
    # Translation bases: the first camera's right, world up and forward (solved in that non-orthogonal basis, so a
    # dolly along a tilted view stays a dolly), and right / up / the horizontal heading (so a dolly on the ground
    # under a tilted camera stays a dolly too). The reading with fewer moving axes wins (see _translation).
    heading0 = np.array([-np.sin(yaw[0]), np.cos(yaw[0]), 0.0])
    right0 = np.cross(heading0, geo.WORLD_UP)
    if abs(np.degrees(pitch[0])) <= VERTICAL_VIEW_DEG:
        bases = [np.stack([right0, geo.WORLD_UP, fwd[0]], -1), np.stack([right0, geo.WORLD_UP, heading0], -1)]
    else:  # looking straight up or down: travel along the view is a dolly (the subject grows or shrinks)
        bases = [np.stack([right0, -np.sign(fwd[0, 2]) * heading0, fwd[0]], -1)]
    if source == "none":  # no scale: translation counts against the path's own jitter
        t_floor = floor / L
        if scaled:
            t_floor = max(t_floor, TRANSLATION_SNR * noise / L, TRANSLATION_MIN_FRACTION)
    else:
        t_floor = TRANSLATION_MIN_FRACTION
    # ... and above the noise left in the end-to-end difference (per axis: the 3-D jitter over sqrt 3).
    t_floor = max(t_floor, END_SNR * noise / np.sqrt(3.0) * end_noise_factor(we) / L)

    relative: dict[str, float] = {}
    arc = follow_kind = None
    disp_series = pos - pos[0]
    if rel is not None:
        assert subj_pos is not None and d0 is not None
        dist = np.linalg.norm(rel, axis=-1)
        horiz = np.linalg.norm(rel[:, :2], axis=-1)
        overhead = bool(horiz.max() < OVERHEAD_FRACTION * d0)
        # Straight above (or below) the subject the azimuth is the camera's own heading turned to face it.
        az = yaw - np.pi if overhead else np.unwrap(_heading(rel))
        elev = np.degrees(np.arctan2(rel[:, 2], horiz))
        travel = net(subj_pos)
        relative = {"azimuth_deg": float(np.degrees(net(az))), "distance_ratio": float(last(dist) / first(dist)),
                    "height_change": float(net(rel[:, 2]) / d0),
                    "elevation_change_deg": float(net(elev)),
                    "subject_travel": float(np.linalg.norm(travel) / d0)}
        if overhead:
            notes.append("camera straight above the subject: an arc and a pan are one motion; read as an arc from "
                         f"{OVERHEAD_ARC_MIN_DEG:g} degrees")
        turn, daz = amounts["pan"], relative["azimuth_deg"]
        arc = (abs(daz) >= (OVERHEAD_ARC_MIN_DEG if overhead else ARC_MIN_DEG) and turn * daz > 0
               and abs(turn) >= ARC_FOLLOW_SHARE * abs(daz))
        if relative["subject_travel"] >= TRANSLATION_MIN_FRACTION:
            along = float(net(pos) @ travel) / float(travel @ travel)
            if along >= FOLLOW_SHARE:  # the camera moves with the subject: its own moves are what is left over
                follow_kind = "follow" if abs(travel @ heading0) >= abs(travel @ right0) else "track"
                amounts[follow_kind] = relative["subject_travel"]
                disp_series = rel - rel[0]
        speeds_arc = float(np.degrees(np.abs(np.gradient(az) * fps).max())) if F >= 2 else 0.0
    coords, t_net, axes, t_floors = _translation(disp_series, net(disp_series), bases, L, t_floor, (we, win))
    if arc:
        amounts["arc"] = relative["azimuth_deg"]
        # Turning with the orbit is part of it: the pan left is the net of heading minus azimuth, one series, so the
        # move's own easing (which the end fits overshoot) cancels and only the bearing to the subject is left.
        amounts["pan"] = float(np.degrees(net(yaw - az)))
        # Dolly and pedestal relative to the orbit (columns none, up, in), each above the noise its own series
        # leaves: from the height and the 3-D distance (the subject's size in frame), or from the height and the
        # horizontal radius read in the bases of _arc_bases; the reading with fewer moving axes wins, the first on
        # a tie (the distance dilutes an estimated centre's horizontal error on a steep view).
        readings = [np.stack([np.zeros(F), rel[:, 2] - rel[0, 2], series], -1)
                    for series in (dist[0] - dist, horiz[0] - horiz)]
        _, t_vec, axes, t_floors = min(
            (_translation(x, net(x), bases, d0, t_floor, (we, win))
             for x, bases in zip(readings, ([np.eye(3)], _arc_bases(first(rel), overhead)))),
            key=lambda r: int(r[2].sum()))
    else:
        t_vec = t_net
    amounts["truck"], amounts["pedestal"], amounts["dolly"] = (float(v) for v in t_vec)
    amounts_m = {k: amounts[k] * L for k in ("truck", "pedestal", "dolly")}

    # Which amounts are moves: each against its threshold, strongest first.
    floor_deg = SHAKE_MOVE_MULT * shake
    steep = max(float(np.cos(pitch).min()), 0.2)  # heading errors grow as 1 / cos(pitch) on steep views
    # ... and above the noise the series' own white jitter leaves in its end-to-end difference (judge_ends).
    # A roll's shake is not in the view direction: each angle's floor also takes SHAKE_MOVE_MULT x its own RMS
    # residual after the smooth fit.
    noise_deg = {k: float(np.degrees(max(net_floor(x, we, win), SHAKE_MOVE_MULT * _residual_rms(x, win))))
                 for k, x in (("pan", yaw - az if arc else yaw), ("tilt", pitch), ("roll", roll))}
    strength: dict[str, float] = {"pan": abs(amounts["pan"]) / max(PAN_MIN_DEG, floor_deg / steep, noise_deg["pan"]),
                                  "tilt": abs(amounts["tilt"]) / max(TILT_MIN_DEG, floor_deg, noise_deg["tilt"]),
                                  "roll": abs(amounts["roll"]) / max(ROLL_MIN_DEG, floor_deg, noise_deg["roll"]),
                                  "zoom": abs(np.log(amounts["zoom"])) / ZOOM_MIN_LOG}
    if arc:
        strength["arc"] = abs(amounts["arc"]) / ARC_MIN_DEG
    if follow_kind:
        strength[follow_kind] = amounts[follow_kind] / TRANSLATION_MIN_FRACTION
    for i, kind in enumerate(("truck", "pedestal", "dolly")):
        strength[kind] = (abs(t_vec[i]) / max(t_floors[i], 1e-300)) if axes[i] else 0.0
    found = sorted((k for k, v in strength.items() if v >= 1.0), key=lambda k: -strength[k])
    moves = tuple(_label_for(k, amounts[k]) for k in found)
    movement = _combine(found, moves)
    also = _vertical_twin(found, amounts, float(fwd[0, 2])) if vertical.all() else None
    if also is not None:  # its kinds or signs differ, so it is always another name
        notes.append(f"the view is vertical throughout: {movement} is the same path as {also}")

    # Speeds per second.
    rate = lambda x: np.abs(np.gradient(x) * fps).max() if F >= 2 else 0.0  # noqa: E731
    speeds = {"pan": float(np.degrees(rate(yaw))), "tilt": float(np.degrees(rate(pitch))),
              "roll": float(np.degrees(rate(roll))), "zoom": float(rate(np.log(focal))),
              "truck": float(rate(coords[:, 0])), "pedestal": float(rate(coords[:, 1])),
              "dolly": float(rate(coords[:, 2]))}
    if rel is not None:
        speeds["arc"] = speeds_arc

    # Clean-curve measures.
    omega = _rotation_rates(R, fps) if F >= 2 else np.zeros((0, 3))
    vel = steps * fps / L
    zrate = np.diff(np.log(focal)) * fps
    motion = np.concatenate([omega, vel, zrate[:, None]], axis=1)  # (F - 1, 7), scale-free
    speed = np.linalg.norm(motion, axis=-1)
    if len(omega) and np.linalg.norm(omega, axis=-1).max() / fps > UNDERSAMPLED_STEP_RAD:
        notes.append("undersampled: the camera turns over 90 degrees between two frames, so the direction of that "
                     "turn is ambiguous; more frames per second read it reliably")
    jerk = np.diff(motion, n=2, axis=0) * fps ** 2 if F >= 4 else np.zeros((0, 7))
    radius_dev = None
    if rel is not None:
        dist = np.linalg.norm(rel, axis=-1)
        radius_dev = float(np.abs(dist - np.median(dist)).max() / np.median(dist) * 100.0)
    return Verdict(
        movement=movement, moves=moves, amounts=amounts, amounts_m=amounts_m, speeds=speeds, relative=relative,
        subject_source=source, subject_point=None if subj_pos is None else [float(v) for v in subj_pos[0]],
        reference_length=float(L),
        focal_drift_pct=float((focal.max() - focal.min()) / np.median(focal) * 100.0),
        roll_drift_deg=float(np.degrees(roll.max() - roll.min())),
        orbit_radius_dev_pct=radius_dev, speed_humps=count_humps(speed),
        jerk_peak=float(np.linalg.norm(jerk, axis=-1).max()) if len(jerk) else 0.0,
        shake_deg=shake, shake_median_deg=shake_median, fps=fps, frames=F, notes=notes, also_reads_as=also)


def steady_speeds(shot: Shot | Trajectory, verdict: Verdict, subject: Subject | None = None) -> dict[str, float]:
    """Peak |rate| per second of the move itself: Verdict.speeds measured on the smooth fit (the local cubic over
    SHAKE_WINDOW_S that shake is measured against) instead of frame to frame, so jitter and pose-estimator noise
    do not count as speed. Keys: pan / tilt / roll (deg/s), zoom (log focal / s), translation (the camera's speed
    in verdict.reference_length per second, any direction), arc (deg/s of azimuth; when the verdict had a subject).
    subject: the one given to judge_shot (needed when verdict.subject_source is "given")."""
    traj = shot.trajectory if isinstance(shot, Shot) else shot
    pos = np.asarray(traj.position, dtype=np.float64)
    R = geo.quat_to_matrix(np.asarray(traj.rotation, dtype=np.float64))
    F, fps = len(pos), float(traj.fps)
    if F < 2:
        return {k: 0.0 for k in ("pan", "tilt", "roll", "zoom", "translation")}
    win = fit_window(fps)
    fit = lambda x: smooth(x.reshape(F, -1), win).reshape(x.shape) if F >= win else x  # noqa: E731
    peak = lambda x: float(np.abs(np.gradient(fit(x), axis=0) * fps).max())  # noqa: E731
    yaw, pitch, roll = camera_angles(R)
    out = {"pan": np.degrees(peak(yaw)), "tilt": np.degrees(peak(pitch)), "roll": np.degrees(peak(roll)),
           "zoom": peak(np.log(np.asarray(traj.focal_length, dtype=np.float64)))}
    vel = np.gradient(fit(pos), axis=0) * fps
    out["translation"] = float(np.linalg.norm(vel, axis=-1).max()) / verdict.reference_length
    if verdict.subject_point is not None:
        centre = subject.positions(F) if verdict.subject_source == "given" and subject is not None else \
            np.broadcast_to(np.asarray(verdict.subject_point), (F, 3))
        rel = pos - centre
        overhead = np.linalg.norm(rel[:, :2], axis=-1).max() < OVERHEAD_FRACTION * verdict.reference_length
        out["arc"] = np.degrees(peak(yaw if overhead else np.unwrap(_heading(rel))))
    return {k: float(v) for k, v in out.items()}


# Looking straight down (or up) the view axis is world up, so one path has two names: travel along the view is a
# dolly and a pedestal, travel towards the top of the frame a pedestal (the camera's up) and a dolly along the
# heading, a turn about the view a pan and a roll. The judge names the camera-frame reading; this gives the other.
_TWIN = {"dolly": "pedestal", "pedestal": "dolly", "pan": "roll"}


def _vertical_twin(found: list[str], amounts: dict[str, float], view_z: float) -> str | None:
    """The movement name of the same moves read in the world's frame (a vertical view throughout), or None."""
    down = view_z < 0  # looking down, the camera's up is its heading and its view is world down
    flip = {"dolly": -1 if down else 1, "pedestal": 1 if down else -1, "pan": 1 if down else -1}
    kinds = [k if k not in _TWIN or (k == "pan" and "arc" in found) else _TWIN[k] for k in found]
    if kinds == found or len(set(kinds)) < len(kinds):
        return None
    labels = tuple(_label_for(k2, amounts[k] * (flip[k] if k2 != k else 1)) for k, k2 in zip(found, kinds))
    return _combine(kinds, labels)


def _combine(kinds: list[str], moves: tuple[str, ...]) -> str:
    """One movement name for the moves found: static, the single label, the dolly zoom (a dolly and a zoom in
    opposite directions), the vocabulary's compound with exactly these parts, or the parts joined by '+'."""
    if not moves:
        return _SINGLE[("static", 0)]
    if len(moves) == 1:
        return moves[0]
    if set(kinds) == {"dolly", "zoom"}:
        dolly_in = "dollyIn" in moves
        zoom_in = any(MOVEMENT[m].params["kind"] == "zoom" and MOVEMENT[m].params["sign"] > 0 for m in moves)
        if dolly_in != zoom_in:
            return _SINGLE[("dollyZoom", 1 if dolly_in else -1)]
    for parts, name in _COMPOUND.items():
        if _parts_match(parts, moves):
            return name
    return "+".join(moves)


def _parts_match(parts: frozenset, moves: tuple[str, ...]) -> bool:
    """A compound's parts match the moves found: same count, each part's kind and sign present (zoom classes are
    free: a compound's zoom amount is whatever the path needed)."""
    if len(parts) != len(moves):
        return False
    key = lambda n: (MOVEMENT[n].params["kind"], MOVEMENT[n].params.get("sign", 0))  # noqa: E731
    return {key(p) for p in parts} == {key(m) for m in moves}


def judge_batch(shots: list[Shot], subjects: list[Subject | None] | None = None) -> list[Verdict]:
    """judge_shot over a list (subjects: one per shot, or None for every shot's own first subject)."""
    subs = [s.subject for s in shots] if subjects is None else subjects
    return [judge_shot(s, sub) for s, sub in zip(shots, subs)]


__all__ = ["Verdict", "judge_shot", "judge_batch", "estimate_look_point", "estimate_subject", "smooth", "count_humps", "steady_speeds",
           "fit_window", "view_jitter", "KINDS"]
