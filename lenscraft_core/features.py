"""The model's view of a shot: arrays in, arrays out, and exactly back again (pure NumPy, no torch).

Representation (what the network sees and predicts), per shot:

* anchor: the subject's centre and heading (yaw) at frame 0, and its extent (largest box side). Everything is
  expressed in this anchor frame and divided by the extent, so "front" and "close" mean the same for every subject.
* camera frames (T, CAM_DIM=10): relative position (3, radially log-compressed: direction kept, distance r becomes
  log(1 + r), so a close-up and an extreme long shot have errors of comparable size), camera rotation relative to the anchor yaw as continuous
  6D (6; pitch, yaw and roll all included), log focal length normalised by FOCAL_REF_MM (1).
* subject static (SUBJ_DIM=11): log(size / extent) (3), log(extent) (1), subject rotation in the anchor frame as 6D
  (6), and 1 for a person (body.is_person: framed by the body, body.py), 0 for an object (1).
* subject motion (T, MOTION_DIM=9): per-frame subject centre (3) and rotation (6D) relative to the anchor; all zeros
  but the identity 6D for a subject that does not move.
* Time is normalised to [0, 1] and resampled to a fixed internal length T (linear for positions and log focal,
  normalised 6D interpolation for rotations); `decode` resamples back to any frame count.

`encode` / `decode` are exact inverses (1e-9) when the frame count equals T.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import geometry as geo
from .body import is_person
from .errors import LensCraftError
from .schema import Shot, ShotBatch
from .vocabulary import FIELD_NAMES, FIELDS

T_DEFAULT = 32
CAM_DIM = 10
SUBJ_DIM = 11
MOTION_DIM = 9
FOCAL_REF_MM = 50.0
IDENTITY_6D = np.array([1.0, 0.0, 0.0, 0.0, 1.0, 0.0])
MISSING_LABEL = -1  # a field the sample does not label (e.g. view in LensCraft v1 data)


@dataclass
class Anchor:
    """The per-shot frame the features live in: centre (N, 3), yaw (N,) radians, extent (N,)."""

    center: np.ndarray
    yaw: np.ndarray
    extent: np.ndarray

    @property
    def matrix(self) -> np.ndarray:
        return geo.axis_rotation(2, self.yaw)


@dataclass
class Features:
    """Model-ready arrays (float32) for N shots; labels (N, len(FIELD_NAMES)) int64 with MISSING_LABEL where unknown."""

    camera: np.ndarray
    subject: np.ndarray
    motion: np.ndarray
    labels: np.ndarray
    anchor: Anchor
    frames: np.ndarray  # (N,) original frame counts
    decode_weight: np.ndarray | None = None  # (N,) float32 weight of the decoder's losses (None: all 1; train only)

    def __len__(self) -> int:
        return int(self.camera.shape[0])

    def subset(self, idx: np.ndarray) -> "Features":
        a = self.anchor
        return Features(self.camera[idx], self.subject[idx], self.motion[idx], self.labels[idx],
                        Anchor(a.center[idx], a.yaw[idx], a.extent[idx]), self.frames[idx],
                        None if self.decode_weight is None else self.decode_weight[idx])

    @staticmethod
    def concat(parts: list["Features"]) -> "Features":
        cat = lambda get: np.concatenate([get(p) for p in parts])  # noqa: E731
        weight = None if all(p.decode_weight is None for p in parts) else cat(
            lambda p: np.ones(len(p), np.float32) if p.decode_weight is None else p.decode_weight)
        return Features(cat(lambda p: p.camera), cat(lambda p: p.subject), cat(lambda p: p.motion),
                        cat(lambda p: p.labels), Anchor(cat(lambda p: p.anchor.center), cat(lambda p: p.anchor.yaw),
                                                        cat(lambda p: p.anchor.extent)), cat(lambda p: p.frames),
                        weight)


# ---------------------------------------------------------------------------------------------------- time resampling
def resample(x: np.ndarray, length: int) -> np.ndarray:
    """Linear resampling of (N, F, D) over normalised time [0, 1] to (N, length, D). Identity when F == length."""
    x = np.asarray(x, dtype=np.float64)
    frames = x.shape[1]
    if frames == length:
        return x.copy()
    if frames == 1:
        return np.repeat(x, length, axis=1)
    pos = np.linspace(0.0, frames - 1.0, length) if length > 1 else np.zeros(1)
    lo = np.clip(np.floor(pos).astype(int), 0, frames - 2)
    w = (pos - lo)[None, :, None]
    return x[:, lo] * (1.0 - w) + x[:, lo + 1] * w


def resample_6d(d6: np.ndarray, length: int) -> np.ndarray:
    """Rotations (N, F, 6) resampled by interpolating 6D and re-orthonormalising (exact at the original frames)."""
    out = resample(d6, length)
    if d6.shape[1] == length:
        return out
    return geo.matrix_to_6d(geo.sixd_to_matrix(out))


def compress(p: np.ndarray) -> np.ndarray:
    """Radial log compression of positions (..., 3): |p| -> log(1 + |p|), direction kept. Smooth and invertible."""
    r = np.linalg.norm(p, axis=-1, keepdims=True)
    return p * np.where(r > 1e-12, np.log1p(r) / np.maximum(r, 1e-12), 1.0)


def expand(c: np.ndarray) -> np.ndarray:
    """Inverse of compress."""
    r = np.linalg.norm(c, axis=-1, keepdims=True)
    return c * np.where(r > 1e-12, np.expm1(r) / np.maximum(r, 1e-12), 1.0)


# ---------------------------------------------------------------------------------------------------- anchor
def subject_yaw(R: np.ndarray) -> np.ndarray:
    """Heading of an object (..., 3, 3): the angle about world Z of its local +X axis (its left; front is -Y)."""
    x = R[..., :, 0]
    y = R[..., :, 1]
    # A subject lying on its side has no horizontal X: fall back to its Y axis (turned by -90 degrees).
    flat = np.hypot(x[..., 0], x[..., 1]) < 1e-6
    return np.where(flat, np.arctan2(y[..., 1], y[..., 0]) - np.pi / 2, np.arctan2(x[..., 1], x[..., 0]))


def make_anchor(subject_pos0: np.ndarray, subject_rot0: np.ndarray, subject_size: np.ndarray) -> Anchor:
    return Anchor(np.asarray(subject_pos0, np.float64), subject_yaw(geo.quat_to_matrix(subject_rot0)),
                  np.max(np.asarray(subject_size, np.float64), axis=-1))


def _to_anchor(anchor: Anchor, points: np.ndarray, rots: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """World points (N, F, 3) and rotation matrices (N, F, 3, 3) -> scaled anchor-frame points and 6D rotations."""
    A = anchor.matrix[:, None]  # (N, 1, 3, 3)
    rel = np.einsum("nfji,nfj->nfi", A, points - anchor.center[:, None]) / anchor.extent[:, None, None]
    return rel, geo.matrix_to_6d(np.swapaxes(A, -1, -2) @ rots)


def _from_anchor(anchor: Anchor, rel: np.ndarray, d6: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    A = anchor.matrix[:, None]
    pos = np.einsum("nfij,nfj->nfi", A, rel * anchor.extent[:, None, None]) + anchor.center[:, None]
    return pos, A @ geo.sixd_to_matrix(d6)


# ---------------------------------------------------------------------------------------------------- encode / decode
def encode_arrays(cam_pos, cam_rot, focal, subject_pos, subject_rot, subject_size, labels=None,
                  length: int = T_DEFAULT, person=None) -> Features:
    """ShotBatch-style arrays (world space, quaternions) -> Features resampled to `length` frames. person: (N,)
    bool, which subjects are people (None: none)."""
    cam_pos, focal = np.asarray(cam_pos, np.float64), np.asarray(focal, np.float64)
    subject_pos, subject_size = np.asarray(subject_pos, np.float64), np.asarray(subject_size, np.float64)
    n, frames = cam_pos.shape[:2]
    anchor = make_anchor(subject_pos[:, 0], np.asarray(subject_rot)[:, 0], subject_size)
    rel, cam6 = _to_anchor(anchor, cam_pos, geo.quat_to_matrix(cam_rot))
    log_f = np.log(focal / FOCAL_REF_MM)[..., None]
    camera = np.concatenate([compress(resample(rel, length)), resample_6d(cam6, length), resample(log_f, length)], -1)

    s_rel, s6 = _to_anchor(anchor, subject_pos, geo.quat_to_matrix(subject_rot))
    motion = np.concatenate([resample(s_rel, length), resample_6d(s6, length)], -1)
    person_col = np.zeros(n) if person is None else np.broadcast_to(np.asarray(person, np.float64), (n,))
    static = np.concatenate([np.log(subject_size / anchor.extent[:, None]), np.log(anchor.extent)[:, None],
                             s6[:, 0], person_col[:, None]], -1)
    if labels is None:
        lab = np.full((n, len(FIELD_NAMES)), MISSING_LABEL, np.int64)
    else:
        lab = np.stack([np.asarray(labels[f], np.int64) if f in labels else np.full(n, MISSING_LABEL, np.int64)
                        for f in FIELD_NAMES], -1)
    return Features(camera.astype(np.float32), static.astype(np.float32), motion.astype(np.float32), lab, anchor,
                    np.full(n, frames, np.int64))


def encode_batch(batch: ShotBatch, length: int = T_DEFAULT) -> Features:
    return encode_arrays(batch.cam_pos, batch.cam_rot, batch.focal, batch.subject_pos, batch.subject_rot,
                         batch.subject_size, batch.labels, length, batch.person)


def encode_shot(shot: Shot, length: int = T_DEFAULT) -> Features:
    """One Shot (first instruction's subject and labels) -> Features with N = 1. Missing labels are MISSING_LABEL."""
    traj, subj = shot.trajectory, shot.subject
    if subj is None:
        raise LensCraftError(f"shot {shot.name or ''}: has no subject; LensCraft measures camera moves relative to "
                             "a subject: pick one (the LensCraft panel's Subject, or --subject)")
    frames = traj.frame_count
    labels = {f: np.array([FIELDS[f].index(v)]) for f, v in shot.labels.items()}
    return encode_arrays(traj.position[None], traj.rotation[None], traj.focal_length[None],
                         subj.positions(frames)[None], subj.rotations(frames)[None], subj.size[None], labels, length,
                         [is_person(subj)])


def encode_shots(shots: list[Shot], length: int = T_DEFAULT) -> Features:
    """Many shots of any frame counts (multi-instruction shots should be Shot.split() first)."""
    if not shots:
        raise LensCraftError("no shots to encode")
    return Features.concat([encode_shot(s, length) for s in shots])


def decode_camera(camera: np.ndarray, anchor: Anchor, frames: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Predicted camera features (N, T, 10) -> world cam_pos (N, F, 3), cam_rot quaternions (N, F, 4), focal (N, F)."""
    camera = np.asarray(camera, np.float64)
    rel = resample(expand(camera[..., 0:3]), frames)
    d6 = resample_6d(camera[..., 3:9], frames)
    focal = FOCAL_REF_MM * np.exp(resample(camera[..., 9:10], frames)[..., 0])
    pos, R = _from_anchor(anchor, rel, d6)
    return pos, geo.quat_continuity(geo.matrix_to_quat(R)), focal
