"""Body-aware framing for people: shot sizes and camera angles as cinematography defines them on a human body,
where box framing (framing.py: the box's largest dimension against the frame height, angles at the box centre)
puts a "close-up" on the belt and "eye level" at the waist. Objects keep box framing; this module is for subjects
that `is_person` accepts. Definitions, numbers and sources: docs/cinematography.md.

A standing person is read from its Subject box: stature = the box's world vertical extent, feet = the box bottom,
the body axis = the vertical line through the box centre, the front = the subject's local -Y (as the simulator).
Landmark heights are shares of stature (BODY_SHARES).

Two sides share every definition here:

* `person_start_pose` (simulator, generator): the first camera for a shot size, angle, view and lens;
* `person_shot_size`, `person_angle`, `head_cut` (the judge): the same labels read back from any camera, per frame.

Where the frame cuts the body: the frame's top and bottom edges are planes through the lens; where they cross the
body axis are the frame's top and bottom heights at the subject (`frame_cuts`). A close size is named by the bottom
cut (ECU through the head, CU below the shoulders, MCU mid-chest, MS at the waist); a whole-body size by the body's
share of that axis span. From a lens STEEP_ELEVATION_DEG or more above (below) the eye line, or one looking so
steeply that the vertical's vanishing point lies in the frame, the edges cross the axis far from where they cut
the visible body (from a bird's eye the face hides the shoulders); the size is then by scale: the frame height at
the depth of the eyes against each size's span length. Angles are the lens elevation seen from the eye line.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from . import geometry as geo
from .errors import LensCraftError
from .schema import Subject
from .vocabulary import ANGLE, SHOT_TYPE, VIEW

# ---------------------------------------------------------------------------------------------------- anatomy
# object_class spellings that mean a person (compared lower-cased, stripped).
PERSON_CLASSES = ("person", "human", "people", "pedestrian", "man", "woman", "child")

# Landmark heights above the feet as shares of stature: Winter, "Biomechanics and Motor Control of Human
# Movement" (4th ed., 2009), fig. 4.1, after Drillis & Contini (1966): eyes 0.936, chin 0.870, shoulders (acromion)
# 0.818, chest (nipple line) 0.720, hips (greater trochanter) 0.530, knees 0.285. Waist (natural waist / navel)
# 0.60: the eight-head canon puts the navel at 3 heads down (0.625) and measured omphalion heights are ~0.60 of
# stature. Mouth: 40% of the way from chin to eyes (facial thirds).
BODY_SHARES = MappingProxyType({
    "head_top": 1.0, "eyes": 0.936, "mouth": 0.896, "chin": 0.870, "shoulders": 0.818, "chest": 0.720,
    "waist": 0.600, "hips": 0.530, "knees": 0.285, "feet": 0.0,
})
# Head breadth (ear to ear) and length (brow to back) as shares of stature (adult means ~15.5 cm and ~19.5 cm on
# ~1.75 m); head height is head_top - chin (0.130).
HEAD_BREADTH_SHARE = 0.088
HEAD_LENGTH_SHARE = 0.110
MAX_LEAN_DEG = 45.0  # a box whose local up leans further from the vertical is not a standing person

# ---------------------------------------------------------------------------------------------------- shot sizes
EYE_LINE = 2.0 / 3.0   # close sizes: the eyes sit on the upper third line of the frame (2/3 up from the bottom)
FOOTROOM = 0.05        # full shot: ground below the feet, share of stature
FS_HEADROOM = 0.07     # full shot: air above the head, share of stature
# Close sizes: the height (share of stature) where the frame's bottom edge cuts the body.
CLOSE_CUTS = MappingProxyType({"extremeCloseUp": 0.89,   # under the mouth: the frame cuts through the head
                               "closeUp": 0.76,          # head and the top of the shoulders
                               "mediumCloseUp": 0.69,    # mid-chest
                               "mediumShot": 0.57})      # around the waist
# Whole-body sizes: the body's height as a share of the frame height at the subject.
BODY_SHARE_OF_FRAME = MappingProxyType({"fullShot": 1.0 / (1.0 + FOOTROOM + FS_HEADROOM), "longShot": 1 / 2,
                                        "veryLongShot": 1 / 4, "extremeLongShot": 1 / 10})


def _size_spans() -> dict[str, tuple[float, float]]:
    eyes = BODY_SHARES["eyes"]
    out = {}
    for name, cut in CLOSE_CUTS.items():
        out[name] = (cut, cut + (eyes - cut) / EYE_LINE)
    out["fullShot"] = (-FOOTROOM, 1.0 + FS_HEADROOM)
    for name in ("longShot", "veryLongShot", "extremeLongShot"):
        span = 1.0 / BODY_SHARE_OF_FRAME[name]
        out[name] = (eyes - EYE_LINE * span, eyes + (1 - EYE_LINE) * span)  # eyes on the upper third
    return {n: out[n] for n in SHOT_TYPE.names}


# name -> (bottom, top) of the frame at the subject for a level camera, shares of stature above the feet.
SIZE_SPANS = MappingProxyType(_size_spans())
_SPAN = np.array([SIZE_SPANS[n] for n in SHOT_TYPE.names])                       # (8, 2)
_SPAN_LOG_LENGTH = np.log(_SPAN[:, 1] - _SPAN[:, 0])
_CLOSE = np.array([SHOT_TYPE.index(n) for n in CLOSE_CUTS])
_WIDE = np.array([SHOT_TYPE.index(n) for n in BODY_SHARE_OF_FRAME])
_WIDE_LOG_SHARE = np.log([BODY_SHARE_OF_FRAME[n] for n in BODY_SHARE_OF_FRAME])
# The judge's bins for the bottom cut (share of stature): above the chin the frame cuts the head (ECU); then the
# chest line, the lower ribs, the knees. Below the knees the body's share of the frame decides (FS and wider).
CLOSE_BOUNDS = (BODY_SHARES["chin"], 0.725, 0.63, BODY_SHARES["knees"])

# ---------------------------------------------------------------------------------------------------- angles
_ELEVATION = np.array([lbl.params["elevation_deg"] for lbl in ANGLE])
_LOW, _EYE_LEVEL, _OVERHEAD = ANGLE.index("lowAngle"), ANGLE.index("mediumAngle"), ANGLE.index("overhead")
# A lens this far below the eye line (share of stature) that looks up is a low angle even when it is too far away
# for a steep elevation: the floor-limited low angle of wide shots.
LOW_LENS_DROP = 0.25
LOW_MIN_PITCH_DEG = 0.5
STEEP_ELEVATION_DEG = 45.0  # a lens this far above (or below) the eye line sizes the person by scale, see _steep
LOOKING_ROOM_NDC = 1.0 / 3.0  # profile: the subject on the third line away from where it faces
HEAD_MARGIN_NDC = 0.02
HEAD_KEPT_SIZES = ("closeUp", "mediumCloseUp", "mediumShot")  # sizes whose frames must not cut the head


@dataclass
class PersonAnchors:
    """World heights (m) of a standing person's landmarks, its body axis (x, y) and facing (unit horizontal vector,
    its local -Y). Arrays with the leading shape of the frames asked for (0-d for one frame)."""

    stature: np.ndarray
    feet: np.ndarray
    knees: np.ndarray
    waist: np.ndarray
    chest: np.ndarray
    shoulders: np.ndarray
    chin: np.ndarray
    mouth: np.ndarray
    eyes: np.ndarray
    head_top: np.ndarray
    axis: np.ndarray     # (..., 2)
    facing: np.ndarray   # (..., 3)

    def height(self, share) -> np.ndarray:
        """World height of a share of stature above the feet."""
        return self.feet + np.asarray(share, dtype=np.float64) * self.stature

    def head_centre(self) -> np.ndarray:
        """(..., 3) the centre of the head: on the body axis, midway from chin to crown (what a close shot frames
        and a person's push-in aims at)."""
        mid = 0.5 * (np.asarray(self.chin, np.float64) + np.asarray(self.head_top, np.float64))
        return np.concatenate([np.asarray(self.axis, np.float64), mid[..., None]], -1)


def is_person(subject: Subject) -> bool:
    """True when the subject's object_class is one of PERSON_CLASSES (case and surrounding spaces ignored)."""
    cls = getattr(subject, "object_class", None)
    return isinstance(cls, str) and cls.strip().lower() in PERSON_CLASSES


def _require_person(subject: Subject, where: str) -> None:
    if not isinstance(subject, Subject):
        raise LensCraftError(f"{where}: expected a Subject, got {type(subject).__name__}")
    if not is_person(subject):
        raise LensCraftError(f"{where}: subject '{subject.name}' has object_class {subject.object_class!r}, not a "
                             f"person ({', '.join(PERSON_CLASSES)}); objects use box framing (framing.py)")


def anchors_from_arrays(position: np.ndarray, size: np.ndarray, rotation: np.ndarray) -> PersonAnchors:
    """Anchors of person boxes: centres (..., 3), full extents (..., 3), object-to-world quaternions (..., 4)."""
    position, size = np.asarray(position, np.float64), np.asarray(size, np.float64)
    R = geo.quat_to_matrix(np.asarray(rotation, np.float64))
    if not (np.all(np.isfinite(position)) and np.all(np.isfinite(size)) and np.all(size > 0)):
        raise LensCraftError("person box: position and size must be finite, size positive")
    if np.any(R[..., 2, 2] < np.cos(np.radians(MAX_LEAN_DEG))):
        raise LensCraftError(f"person box: its local up leans more than {MAX_LEAN_DEG:g} degrees from the vertical; "
                             "body framing needs a standing person (box local +Z up)")
    stature = np.sum(np.abs(R[..., 2, :]) * size, axis=-1)  # world vertical extent of the box
    feet = position[..., 2] - stature / 2
    front = -R[..., :, 1] * np.array([1.0, 1.0, 0.0])
    h = {k: feet + s * stature for k, s in BODY_SHARES.items()}
    return PersonAnchors(stature, feet, h["knees"], h["waist"], h["chest"], h["shoulders"], h["chin"], h["mouth"],
                         h["eyes"], h["head_top"], position[..., :2].copy(), geo.normalize(front))


def person_anchors(subject: Subject, frames: int | None = None) -> PersonAnchors:
    """Anchors of a person subject: at its first frame (frames=None) or per frame (frames=F, (F,) arrays; a moving
    subject's motion must have F frames)."""
    _require_person(subject, "person_anchors")
    if frames is None:
        pos = subject.motion_position[0] if subject.motion_position is not None else subject.position
        rot = subject.motion_rotation[0] if subject.motion_rotation is not None else subject.rotation
        return anchors_from_arrays(pos, subject.size, rot)
    pos, rot = np.asarray(subject.positions(frames)), np.asarray(subject.rotations(frames))
    if pos.shape[0] != frames or rot.shape[0] != frames:
        raise LensCraftError(f"person_anchors: the subject's motion has {pos.shape[0]} frames, the camera {frames}")
    return anchors_from_arrays(pos, subject.size, rot)


def frame_span(subject: Subject, shot_type: str) -> tuple[float, float]:
    """World heights (bottom, top) of the frame at the subject for a shot size, as a level camera frames it (the
    SIZE_SPANS shares of the person's stature). Tilted cameras keep the same bottom cut (person_start_pose)."""
    a = person_anchors(subject)
    lo, hi = SIZE_SPANS[SHOT_TYPE.resolve(shot_type)]
    return float(a.height(lo)), float(a.height(hi))


# ---------------------------------------------------------------------------------------------------- the judge
def _frames_anchors(cam_pos: np.ndarray, subject: Subject, where: str) -> PersonAnchors:
    _require_person(subject, where)
    cam_pos = np.asarray(cam_pos, np.float64)
    if cam_pos.shape[-1:] != (3,) or not np.all(np.isfinite(cam_pos)):
        raise LensCraftError(f"{where}: cam_pos must be finite (..., 3), got shape {cam_pos.shape}")
    if cam_pos.ndim >= 2 and subject.is_moving:
        return person_anchors(subject, cam_pos.shape[-2])
    return person_anchors(subject)


def _rotation(cam_rot: np.ndarray) -> np.ndarray:
    cam_rot = np.asarray(cam_rot, np.float64)
    return geo.quat_to_matrix(cam_rot) if cam_rot.shape[-1] == 4 else cam_rot


def _check_lens(focal_mm, sensor_width: float, aspect: float, where: str) -> np.ndarray:
    focal = np.asarray(focal_mm, np.float64)
    if not np.all(np.isfinite(focal)) or np.any(focal <= 0):
        raise LensCraftError(f"{where}: focal_mm must be finite and positive")
    for name, v in (("sensor_width", sensor_width), ("aspect", aspect)):
        if not (np.isfinite(v) and v > 0):
            raise LensCraftError(f"{where}: {name} must be finite and positive, got {v!r}")
    return focal


def _cuts(cam_pos, R, focal, anchors: PersonAnchors, sensor_width: float, aspect: float):
    """(bottom, top, steep, k): world heights where the frame's bottom and top edges cross the body axis (-inf /
    +inf where an edge does not cross it in front of the lens), whether the vertical's vanishing point lies in the
    frame's height band, and k = focal / half the sensor height (NDC y = k * y / depth)."""
    _, sh = geo.sensor_size(sensor_width, aspect)
    k = focal / (sh / 2)
    base = np.concatenate([anchors.axis, np.zeros(anchors.axis.shape[:-1] + (1,))], -1)
    a = np.einsum("...ji,...j->...i", R, base - cam_pos)   # the axis foot in camera coordinates
    w = R[..., 2, :]                                        # world up in camera coordinates
    steep = np.abs(k * w[..., 1]) <= np.abs(w[..., 2])
    out = []
    for y in (-1.0, 1.0):
        den = k * w[..., 1] + y * w[..., 2]
        safe = np.where(np.abs(den) < 1e-12, 1e-12, den)
        z = -(y * a[..., 2] + k * a[..., 1]) / safe
        ok = (np.abs(den) >= 1e-12) & (-(a[..., 2] + z * w[..., 2]) > 0)
        out.append(np.where(ok, z, -np.inf if y < 0 else np.inf))
    bottom, top = np.minimum(out[0], out[1]), np.maximum(out[0], out[1])  # a camera rolled past 90 degrees
    return bottom, top, steep, k


def frame_cuts(cam_pos, cam_rot, focal_mm, subject: Subject, sensor_width: float, aspect: float):
    """World heights (bottom, top) where the frame's bottom and top edges cross the person's body axis, per frame
    (-inf / +inf where an edge does not cross it in front of the lens)."""
    focal = _check_lens(focal_mm, sensor_width, aspect, "frame_cuts")
    a = _frames_anchors(cam_pos, subject, "frame_cuts")
    bottom, top, _, _ = _cuts(np.asarray(cam_pos, np.float64), _rotation(cam_rot), focal, a, sensor_width, aspect)
    return bottom, top


def _classify_size(bottom, top, steep, eye_depth, k, anchors: PersonAnchors) -> np.ndarray:
    H = anchors.stature
    beta = (bottom - anchors.feet) / H
    close = np.searchsorted(-np.asarray(CLOSE_BOUNDS), -beta, side="right")  # 0..3 close, 4 = whole body
    share = np.log(np.maximum(H / np.maximum(top - bottom, 1e-12), 1e-12))
    wide = _WIDE[np.argmin(np.abs(share[..., None] - _WIDE_LOG_SHARE), axis=-1)]
    normal = np.where(close < len(_CLOSE), _CLOSE[np.minimum(close, len(_CLOSE) - 1)], wide)
    # Steep views: the frame height at the eyes' depth against each size's span length.
    length = np.log(np.maximum(2 * np.maximum(eye_depth, 1e-12) / k, 1e-12) / H)
    by_length = np.argmin(np.abs(length[..., None] - _SPAN_LOG_LENGTH), axis=-1)
    return np.where(steep, by_length, normal)


def person_shot_size(cam_pos, cam_rot, focal_mm, subject: Subject, sensor_width: float, aspect: float) -> np.ndarray:
    """SHOT_TYPE label index per frame for a person subject.

    cam_pos (..., 3) or (F, 3); cam_rot quaternions (..., 4) or matrices (..., 3, 3); focal_mm (...) or one value.
    A moving subject is read per frame (F frames). Close sizes come from where the frame's bottom edge cuts the body
    axis (CLOSE_BOUNDS); below the knees, from the body's share of the frame's axis span (BODY_SHARE_OF_FRAME,
    nearest in log). A camera facing away from the person reads extremeLongShot; check it is in frame separately.
    """
    focal = _check_lens(focal_mm, sensor_width, aspect, "person_shot_size")
    cam_pos = np.asarray(cam_pos, np.float64)
    return shot_size_arrays(cam_pos, _rotation(cam_rot), focal, _frames_anchors(cam_pos, subject, "person_shot_size"),
                            sensor_width, aspect)


def shot_size_arrays(cam_pos, cam_rot, focal_mm, anchors: PersonAnchors, sensor_width: float, aspect: float
                     ) -> np.ndarray:
    """person_shot_size on arrays: cam_pos (..., 3), cam_rot matrices (..., 3, 3), focal (...), anchors broadcast
    against them (anchors_from_arrays of the subject boxes, e.g. (N, F))."""
    R = np.asarray(cam_rot, np.float64)
    bottom, top, steep, k = _cuts(cam_pos, R, focal_mm, anchors, sensor_width, aspect)
    eye = np.concatenate([anchors.axis, np.asarray(anchors.eyes)[..., None]], -1)
    eye_depth = -np.einsum("...ji,...j->...i", R, eye - cam_pos)[..., 2]
    rise = cam_pos[..., 2] - anchors.eyes
    high = np.abs(np.degrees(np.arctan2(rise, np.linalg.norm(cam_pos[..., :2] - anchors.axis, axis=-1))))
    return _classify_size(bottom, top, steep | (high >= STEEP_ELEVATION_DEG), eye_depth, k, anchors)


def _classify_angle(elevation_deg, drop, pitch_deg) -> np.ndarray:
    label = np.argmin(np.abs(np.asarray(elevation_deg)[..., None] - _ELEVATION), axis=-1)
    floor_low = (label == _EYE_LEVEL) & (drop >= LOW_LENS_DROP) & (pitch_deg >= LOW_MIN_PITCH_DEG)
    return np.where(floor_low, _LOW, label)


def person_angle(cam_pos, cam_rot, subject: Subject) -> np.ndarray:
    """ANGLE label index per frame for a person subject: the label whose elevation_deg is nearest to the lens
    elevation seen from the eye line (on the body axis); and lowAngle when the lens is at least LOW_LENS_DROP of
    the stature below the eyes and looks up (pitch >= LOW_MIN_PITCH_DEG), as a low angle held off the floor is.
    cam_pos (..., 3), cam_rot quaternions (..., 4) or matrices (..., 3, 3)."""
    cam_pos = np.asarray(cam_pos, np.float64)
    return angle_arrays(cam_pos, _rotation(cam_rot), _frames_anchors(cam_pos, subject, "person_angle"))


def angle_arrays(cam_pos, cam_rot, anchors: PersonAnchors) -> np.ndarray:
    """person_angle on arrays: cam_pos (..., 3), cam_rot matrices (..., 3, 3), anchors broadcast against them."""
    cam_pos = np.asarray(cam_pos, np.float64)
    horiz = np.linalg.norm(cam_pos[..., :2] - anchors.axis, axis=-1)
    rise = cam_pos[..., 2] - anchors.eyes
    elevation = np.degrees(np.arctan2(rise, horiz))
    pitch = np.degrees(geo.yaw_pitch_roll(np.asarray(cam_rot, np.float64))[..., 1])
    return _classify_angle(elevation, -rise / anchors.stature, pitch)


def _head_points(anchors: PersonAnchors) -> np.ndarray:
    """26 points (..., 26, 3) on the head's ellipsoid: vertex to chin tall, HEAD_BREADTH x HEAD_LENGTH across."""
    H = np.asarray(anchors.stature)[..., None]
    facing = np.asarray(anchors.facing)
    left = np.stack([-facing[..., 1], facing[..., 0], np.zeros_like(facing[..., 0])], -1)
    lon = np.radians(np.arange(0, 360, 45))
    lat = np.radians([-45.0, 0.0, 45.0])
    cl, sl = np.cos(lat)[:, None].repeat(8, 1).ravel(), np.sin(lat)[:, None].repeat(8, 1).ravel()
    co, so = np.tile(np.cos(lon), 3), np.tile(np.sin(lon), 3)
    cl, sl, co, so = (np.concatenate([v, e]) for v, e in ((cl, [0, 0]), (sl, [1, -1]), (co, [0, 0]), (so, [0, 0])))
    half_h = (BODY_SHARES["head_top"] - BODY_SHARES["chin"]) / 2
    fwd = (HEAD_LENGTH_SHARE / 2) * H * cl * co
    side = (HEAD_BREADTH_SHARE / 2) * H * cl * so
    up = half_h * H * sl
    centre = np.concatenate([anchors.axis, ((np.asarray(anchors.chin) + anchors.head_top) / 2)[..., None]], -1)
    return (centre[..., None, :] + fwd[..., None] * facing[..., None, :] + side[..., None] * left[..., None, :]
            + up[..., None] * np.array([0.0, 0.0, 1.0]))


def head_cut(cam_pos, cam_rot, focal_mm, subject: Subject, sensor_width: float, aspect: float,
             margin_ndc: float = 0.0) -> np.ndarray:
    """True per frame where the person's head (an ellipsoid from the top of the head to the chin, head breadth x
    length, sampled at 26 points) is cut by the frame edge or out of frame (any point outside the frame or behind
    the lens). An extreme close-up cuts the head on purpose; callers decide what to accept. margin_ndc: the head
    must also stay this far (NDC) inside the edges (the judge reads 0; the planner keeps HEAD_MARGIN_NDC)."""
    focal = _check_lens(focal_mm, sensor_width, aspect, "head_cut")
    cam_pos = np.asarray(cam_pos, np.float64)
    a = _frames_anchors(cam_pos, subject, "head_cut")
    ndc, depth = geo.project(_head_points(a), cam_pos, _rotation(cam_rot), focal, sensor_width, aspect)
    inside = (depth > 0) & np.all(np.abs(ndc) <= 1.0 - margin_ndc, axis=-1)
    return ~np.all(inside, axis=-1)


# ---------------------------------------------------------------------------------------------------- the start pose
@dataclass
class PersonPose:
    """The first camera of a shot on a person: position (3,), camera-to-world quaternion w-x-y-z (4,) (the lens
    looks down its local -Z), the aim point (3,) on the line of sight at the body axis, the distance lens to aim
    (m); frame_bottom / frame_top: world heights where the frame edges cross the body axis (NaN for bird's-eye and
    overhead poses, which are sized by scale); subject_ndc_x: where
    the body axis sits across the frame (looking room); floor_limited: the floor held the lens up (low angles);
    inside_subject: the lens is inside the subject's box (a lens too short for the size: use a longer one)."""

    position: np.ndarray
    rotation: np.ndarray
    aim: np.ndarray
    distance: float
    frame_bottom: float
    frame_top: float
    subject_ndc_x: float
    floor_limited: bool
    inside_subject: bool


def _head_profile(H: np.ndarray, chin: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The head's outline in the plane of the view, (N, 13): offsets towards the lens (head length both ways, the
    longer head dimension: conservative) and heights, upper half only (the top edge is what it must clear)."""
    t = np.linspace(0.0, np.pi, 13)
    half_h = (BODY_SHARES["head_top"] - BODY_SHARES["chin"]) / 2
    s = (HEAD_LENGTH_SHARE / 2) * H[:, None] * np.cos(t)
    z = (chin + half_h * H)[:, None] + half_h * H[:, None] * np.sin(t)
    return s, z


def _fit(bottom, top, eyes, close, head_s, head_z, head_width, k_x, ref, slope, fixed, phi, margin, u_max,
         eye_line=EYE_LINE):
    """Forward distance D (N,), pitch and lens height so that the frame's bottom edge crosses the body axis at
    `bottom` and, the nearest lens for which it holds: close sizes put the eyes on the upper third line, the
    others fit the frame's top edge to `top`; in both the frame must hold the head outline (+ margin) and its
    width (head_width across, k_x = focal / half the sensor width) at its nearest point. Lens height
    = ref + slope * D, or `fixed` where that is finite. Where nothing fits (a lens under the bottom cut, whose view
    of the span peaks below the frame's height) the bottom edge is kept and the frame holds more above. eye_line:
    where close sizes put the eyes (a share of the frame height from the bottom)."""
    third = np.arctan(np.tan(phi) * (2 * eye_line - 1))  # the upper third line's angle above the optical axis

    def lens(u):
        return np.where(np.isfinite(fixed), fixed, ref + slope / u)

    def excess(u):
        d, h = 1.0 / u, lens(u)
        low = np.arctan2(bottom - h, d)
        frame = np.where(close, np.arctan2(eyes - h, d) - low - phi - third, np.arctan2(top - h, d) - low - 2 * phi)
        head = (np.arctan2(head_z - h[:, None], d[:, None] - head_s)).max(1) + margin - low - 2 * phi
        pitch = low + phi
        near = d * np.cos(pitch) + (eyes - h) * np.sin(pitch) - head_s.max(1)
        across = np.where(near > 0, head_width / 2 * k_x / np.maximum(near, 1e-12), np.inf) - (1 - HEAD_MARGIN_NDC)
        return np.maximum(np.maximum(frame, head), across)

    # The first crossing on a log grid of u (the farthest lens that fits), then bisection inside that cell; a lens
    # under the bottom cut sees the span shrink again when it comes close, so the excess need not be monotone.
    grid = np.linspace(np.log(1e-7), 0.0, 64)[:, None] + np.log(u_max)
    values = np.stack([excess(np.exp(g)) for g in grid])          # (64, N)
    fits = values >= 0
    short = ~fits.any(0)
    first = np.where(short, np.argmax(values, 0), np.argmax(fits, 0))
    cols = np.arange(len(bottom))
    hi = grid[first, cols]
    lo = grid[np.maximum(first - 1, 0), cols]
    for _ in range(40):
        mid = (lo + hi) / 2
        up = excess(np.exp(mid)) < 0
        lo, hi = np.where(up, mid, lo), np.where(up, hi, mid)
    u = np.exp(np.where(short, grid[first, cols], hi))
    h = lens(u)
    return 1.0 / u, np.arctan2(bottom - h, 1.0 / u) + phi, h


def _steep(eye_point, aim_height, out_dir, elevation, depth):
    """Bird's-eye and overhead: the lens at `elevation` above the eyes, looking at the body axis at aim_height, at
    the distance where the eyes lie `depth` in front of it. Returns the lens position (N, 3) and the aim (N, 3)."""
    aim = eye_point.copy()
    aim[:, 2] = aim_height
    ray = np.cos(elevation)[:, None] * out_dir + np.sin(elevation)[:, None] * np.array([0.0, 0.0, 1.0])
    reach = depth.copy()
    for _ in range(8):  # the eyes' depth grows with the reach almost one for one
        lens = eye_point + reach[:, None] * ray
        view = geo.normalize(aim - lens)
        reach = reach + depth - np.sum((eye_point - lens) * view, -1)
    return eye_point + reach[:, None] * ray, aim


def start_pose_arrays(anchors: PersonAnchors, shot_type: np.ndarray, angle: np.ndarray, azimuth_deg: np.ndarray,
                      focal_mm: np.ndarray, sensor_width: float, aspect: float, floor: np.ndarray,
                      clearance: float = 0.25, eye_line: float = EYE_LINE,
                      lead_room: float = LOOKING_ROOM_NDC) -> dict[str, np.ndarray]:
    """person_start_pose for N people at once: anchors with (N,) arrays, SHOT_TYPE / ANGLE indices (N,), view
    azimuths (degrees from the front towards the left), focal lengths and floor heights (N,). Returns arrays:
    position (N, 3), rotation (N, 4), aim (N, 3), distance, frame_bottom, frame_top, subject_ndc_x, floor_limited
    (N,). eye_line: where close sizes put the eyes (default the upper third line); lead_room: the looking room in
    profile (NDC, default LOOKING_ROOM_NDC; 0 centres the subject). No self-check:
    person_start_pose checks its pose with the judge's functions."""
    sw, sh = geo.sensor_size(sensor_width, aspect)
    size, angle = np.asarray(shot_type, np.int64), np.asarray(angle, np.int64)
    H, feet, eyes = (np.atleast_1d(np.asarray(v, np.float64)) for v in (anchors.stature, anchors.feet, anchors.eyes))
    n = len(H)
    focal = np.broadcast_to(np.asarray(focal_mm, np.float64), (n,))
    az = np.radians(np.broadcast_to(np.asarray(azimuth_deg, np.float64), (n,)))
    low_limit = np.broadcast_to(np.asarray(floor, np.float64), (n,)) + clearance
    phi = np.arctan(sh / (2 * focal))
    margin = np.arctan(HEAD_MARGIN_NDC * np.tan(phi))
    span = _SPAN[size]
    bottom, top = feet + span[:, 0] * H, feet + span[:, 1] * H
    close = size < SHOT_TYPE.index("fullShot")
    head_s, head_z = _head_profile(H, np.atleast_1d(anchors.chin))
    no_head = size == SHOT_TYPE.index("extremeCloseUp")  # the frame cuts the head on purpose
    head_z = np.where(no_head[:, None], -np.inf, head_z)
    elevation = np.radians(_ELEVATION[angle])
    steep = _ELEVATION[angle] >= STEEP_ELEVATION_DEG
    k_x = focal / (sw / 2)
    width = H * np.hypot(HEAD_BREADTH_SHARE * np.cos(az), HEAD_LENGTH_SHARE * np.sin(az))  # visible head width
    head_w = np.where(no_head, 0.0, width)
    u_max = 1e3 / H
    none = np.full(n, np.nan)

    def looking_room(d, pitch, h):
        depth = d * np.cos(pitch) + (eyes - h) * np.sin(pitch) - HEAD_LENGTH_SHARE / 2 * H  # the nearest head
        room = np.maximum(0.0, 1.0 - HEAD_MARGIN_NDC - width / 2 / np.maximum(depth, 1e-9) * k_x)
        x = np.where(no_head, 0.0, np.clip(lead_room * np.sin(az), -room, room))
        return x, np.arctan2(x * (depth + HEAD_LENGTH_SHARE / 2 * H) / k_x, d)

    tilt = np.where(steep, 0.0, np.tan(elevation))
    delta = np.zeros(n)
    for _ in range(4):  # the lateral offset lengthens the horizontal distance, so the elevation needs a refit
        d, pitch, h = _fit(bottom, top, eyes, close, head_s, head_z, head_w, k_x, eyes, tilt / np.cos(delta), none,
                           phi, margin, u_max, eye_line)
        x, delta = looking_room(d, pitch, h)
    # A low angle whose lens would go under the floor, or would still look down at a whole body (very wide
    # lenses close in), sits at the lowest it may instead and looks up.
    looks_down = (angle == _LOW) & (pitch < np.radians(2 * LOW_MIN_PITCH_DEG))
    limited = ((h < low_limit) | looks_down) & ~steep
    if limited.any():
        length = top - bottom
        fixed = np.where(limited, low_limit, np.nan)
        bottom_l = np.where(close, bottom, feet - FOOTROOM * H)  # whole body low in the frame, sky above
        d_l, p_l, h_l = _fit(bottom_l, bottom_l + length, eyes, close, head_s, head_z, head_w, k_x, eyes, 0.0, fixed,
                             phi, margin, u_max, eye_line)
        # ... unless the frame's top would then look near the zenith (very wide lenses): lift the span in eighths.
        base_l = bottom_l
        for step in range(1, 8):
            zenith = p_l + phi > np.radians(90.0 - STEEP_ELEVATION_DEG / 3)
            if not zenith.any():
                break
            lifted = np.where(zenith, base_l - step / 8 * (length - H), bottom_l)
            d_s, p_s, h_s = _fit(lifted, lifted + length, eyes, close, head_s, head_z, head_w, k_x, eyes, 0.0, fixed,
                                 phi, margin, u_max, eye_line)
            d_l, p_l, h_l = np.where(zenith, d_s, d_l), np.where(zenith, p_s, p_l), np.where(zenith, h_s, h_l)
            bottom_l = lifted
        x_l, delta_l = looking_room(d_l, p_l, h_l)
        d, pitch, h, x, delta = (np.where(limited, a, b) for a, b in ((d_l, d), (p_l, pitch), (h_l, h), (x_l, x),
                                                                       (delta_l, delta)))
        bottom, top = np.where(limited, bottom_l, bottom), np.where(limited, bottom_l + length, top)

    heading = np.arctan2(-anchors.facing[..., 0], anchors.facing[..., 1]).reshape(n) + az  # subject -> lens
    out_dir = np.stack([-np.sin(heading), np.cos(heading), np.zeros(n)], -1)
    axis = np.atleast_2d(anchors.axis)
    eye_point = np.concatenate([axis, eyes[:, None]], -1)
    position = np.concatenate([axis, np.zeros((n, 1))], -1) + np.hypot(d, np.tan(delta) * d)[:, None] * out_dir
    position[:, 2] = h
    yaw = heading + np.pi + delta
    rotation = geo.camera_quat_from_yaw_pitch_roll(yaw, pitch, np.zeros(n))
    forward = geo.camera_forward(geo.quat_to_matrix(rotation))
    aim = position + forward * (d / np.maximum(np.cos(pitch), 1e-12))[:, None]
    if steep.any():  # bird's eye, overhead: sized by scale (the frame height at the eyes' depth is the span)
        st_pos, st_aim = _steep(eye_point, (bottom + top) / 2, out_dir, elevation, (top - bottom) * focal / sh)
        over = angle == _OVERHEAD  # straight down, image up towards the lens's side: no heading from the aim
        st_yaw = np.where(over, heading + np.pi, np.arctan2(-(st_aim - st_pos)[:, 0], (st_aim - st_pos)[:, 1]))
        st_pitch = np.where(over, -np.pi / 2, np.arcsin(np.clip(geo.normalize(st_aim - st_pos)[:, 2], -1, 1)))
        st_rot = geo.camera_quat_from_yaw_pitch_roll(st_yaw, st_pitch, np.zeros(n))
        position, aim = np.where(steep[:, None], st_pos, position), np.where(steep[:, None], st_aim, aim)
        rotation = np.where(steep[:, None], st_rot, rotation)
        x = np.where(steep, 0.0, x)
    cut_top = np.where(steep, np.nan, h + d * np.tan(pitch + phi))
    return {"position": position, "rotation": rotation, "aim": aim,
            "distance": np.linalg.norm(aim - position, axis=-1), "frame_bottom": np.where(steep, np.nan, bottom),
            "frame_top": cut_top, "subject_ndc_x": x, "floor_limited": limited}


def person_start_pose(subject: Subject, shot_type: str, angle: str, azimuth_deg: float, focal_mm: float,
                      sensor_width: float, aspect: float, floor: float | None = None,
                      clearance: float = 0.25, eye_line: float = EYE_LINE,
                      lead_room: float = LOOKING_ROOM_NDC) -> PersonPose:
    """The first camera of a shot on a standing person (subject.object_class a person spelling, see is_person).

    shot_type / angle: SHOT_TYPE / ANGLE names or aliases. azimuth_deg: where the lens stands around the person,
    from its front towards its left (VIEW azimuth_deg, as the simulator). focal_mm, sensor_width (mm, on the
    larger image side), aspect (width / height): the lens. floor: world z of the ground (default: the feet); the
    lens stays at or above floor + clearance (m).

    The distance comes from the lens and the size's span (SIZE_SPANS): the frame's bottom edge crosses the body
    axis at the size's cut and the frame holds the span's top and the whole head (bar ECU). Eye level puts the lens
    at the eye line; low / high / bird's eye put it at the label's elevation_deg as seen from the eyes; a low angle
    that would go under floor + clearance sits there instead and looks up (whole-body sizes then put the feet low
    in the frame). Overhead: straight above the eyes, looking straight down. On 3/4 and profile views the subject
    is off-centre, more room on the side it faces. The pose is read back with person_shot_size / person_angle and a
    LensCraftError says so when the labels cannot be honoured (e.g. a floor above the eyes). eye_line: where close
    sizes put the eyes, a share of the frame height (default EYE_LINE, the upper third; the planner lowers it
    towards the middle for a move that would otherwise carry the head out of the frame's top); lead_room: the
    looking room in profile, NDC (default LOOKING_ROOM_NDC; the planner centres the subject for a move that would
    otherwise carry the head out of the side).
    """
    _require_person(subject, "person_start_pose")
    shot_name, angle_name = SHOT_TYPE.resolve(shot_type), ANGLE.resolve(angle)
    _check_lens(focal_mm, sensor_width, aspect, "person_start_pose")
    for name, v in (("azimuth_deg", azimuth_deg), ("clearance", clearance)) + ((("floor", floor),) if floor is not
                                                                              None else ()):
        if not isinstance(v, (int, float, np.floating, np.integer)) or not np.isfinite(v):
            raise LensCraftError(f"person_start_pose: {name} must be a finite number, got {v!r}")
    if clearance < 0:
        raise LensCraftError(f"person_start_pose: clearance must be >= 0, got {clearance!r}")
    a = person_anchors(subject)
    ground = float(a.feet) if floor is None else float(floor)
    arrays = start_pose_arrays(a, np.array([SHOT_TYPE.index(shot_name)]), np.array([ANGLE.index(angle_name)]),
                               np.array([float(azimuth_deg)]), np.array([float(focal_mm)]), sensor_width, aspect,
                               np.array([ground]), float(clearance), float(eye_line),
                               float(lead_room))
    pos, rot = arrays["position"][0], arrays["rotation"][0]
    got_size = SHOT_TYPE.names[int(person_shot_size(pos, rot, focal_mm, subject, sensor_width, aspect))]
    got_angle = ANGLE.names[int(person_angle(pos, rot, subject))]
    if (got_size, got_angle) != (shot_name, angle_name):
        raise LensCraftError(
            f"person_start_pose: a {shot_name} from {angle_name} on '{subject.name}' (stature {float(a.stature):.2f} m"
            f", floor {ground:.2f} m + {clearance:g} m) with a {focal_mm:g} mm lens reads as {got_size} from "
            f"{got_angle}; a floor or clearance this high leaves no room for it: lower them or change lens")
    inside = bool(geo.point_in_box(pos, subject.position, subject.size, subject.matrix))
    return PersonPose(pos, rot, arrays["aim"][0], float(arrays["distance"][0]), float(arrays["frame_bottom"][0]),
                      float(arrays["frame_top"][0]), float(arrays["subject_ndc_x"][0]),
                      bool(arrays["floor_limited"][0]), inside)


def view_azimuth(view: str) -> float:
    """VIEW label name or alias -> azimuth_deg (from the front towards the left), for person_start_pose."""
    return float(VIEW[view].params["azimuth_deg"])
