"""In-betweening: Engine.complete() fills in a shot from its key frames, the poses a user keyed by hand.

What a user's keys already give them is Blender's own interpolation of them (inbetween_reference.blender_fill:
auto-clamped Bezier F-curves per channel). complete() must never make that worse, so it only fills where a better
reading of the keys exists, and measurably so (benchmarks/bench_complete.py, docs/BENCHMARKS.md):

- orbit fill: when the keys change less as seen from the subject than as seen from the world (an arc keeps its
  distance and turns the camera with the view; a follow shot keeps its offset to the moving subject), each key is
  read as azimuth, elevation and distance around the subject centre of its frame plus the camera's heading, pitch
  and roll relative to looking at that centre; each of these is interpolated over frames with the same
  auto-clamped spline Blender uses (so the timing is Blender's), the lens as Blender does. The fill stays on the
  arc and keeps the subject where the keys put it.
- otherwise (pans, dollies, trucks: moves that are straight in the world, where Blender's per-channel spline is
  already this reading) the keys are kept: the result is Blender's own interpolation and
  metadata["complete_note"] says so (metadata["complete_kept_keys"] is True).

The key poses pass through exactly. The model's own fill (model_fill) is kept for the benchmark's comparison.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from .. import features as ft
from .. import geometry as geo
from ..errors import LensCraftError
from ..inbetween_reference import bezier_channels, blender_fill
from ..schema import Instruction, Shot, Subject, Trajectory
from ..vocabulary import FIELD_NAMES, FIELDS
from .decode import decode_world
from .runtime import cosine_scores

ORBIT_GAIN = 0.8          # the orbit reading must change the keys at most this share of the world reading ...
ORBIT_SLACK = 0.02        # ... less this much (radian-equivalents): ties and near-ties keep the keys
MAX_ELEVATION_DEG = 80.0  # nearer the vertical the heading around the subject is undefined: keys kept
MAX_KEY_TURN_DEG = 170.0  # consecutive keys this far apart around the subject: the way round is ambiguous


def _interp_frames(values: np.ndarray, keys: np.ndarray, frames: int) -> np.ndarray:
    """Per-component linear interpolation over frame index from the key frames (constant beyond the ends)."""
    t = np.arange(frames, dtype=np.float64)
    return np.stack([np.interp(t, keys, values[:, j]) for j in range(values.shape[1])], -1)


def _check_keys(shot: Shot, known_frames: Sequence[int]) -> tuple[np.ndarray, Subject]:
    """The sorted distinct key frame indices, checked against the shot, and the shot's subject."""
    subject = shot.subject
    if subject is None:
        raise LensCraftError(f"shot {shot.name or ''}: complete() needs the subject the camera frames")
    F = shot.trajectory.frame_count
    keys = np.unique(np.asarray(list(known_frames), np.int64))
    if keys.size == 0:
        raise LensCraftError("complete(): give at least one known frame")
    if keys.min() < 0 or keys.max() >= F:
        raise LensCraftError(f"complete(): known frame {int(keys.min() if keys.min() < 0 else keys.max())} is "
                             f"outside the shot's {F} frames (0-based indices)")
    return keys, subject


def _wrap(a: np.ndarray) -> np.ndarray:
    return (a + np.pi) % (2 * np.pi) - np.pi


def _unwrap(a: np.ndarray) -> np.ndarray:
    """Angles (K, ...) made continuous key to key (the short way round)."""
    return a[:1] + np.concatenate([np.zeros_like(a[:1]), np.cumsum(_wrap(np.diff(a, axis=0)), axis=0)])


def orbit_coordinates(position: np.ndarray, R: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """(..., 6): azimuth, elevation (rad) and distance of the camera around `centre`, and the camera's heading,
    pitch and roll (rad) relative to a camera at the same place looking at the centre."""
    o = position - centre
    r = np.linalg.norm(o, axis=-1)
    az, el = np.arctan2(o[..., 1], o[..., 0]), np.arcsin(np.clip(o[..., 2] / np.maximum(r, 1e-12), -1, 1))
    rel = _wrap(geo.yaw_pitch_roll(R) - geo.yaw_pitch_roll(geo.look_at(position, centre)))
    return np.concatenate([np.stack([az, el, r], -1), rel], -1)


def from_orbit(c: np.ndarray, centre: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions (..., 3) and camera quaternions (..., 4) for orbit_coordinates `c` around `centre`."""
    az, el, r = c[..., 0], c[..., 1], c[..., 2]
    pos = centre + r[..., None] * np.stack([np.cos(el) * np.cos(az), np.cos(el) * np.sin(az), np.sin(el)], -1)
    ypr = geo.yaw_pitch_roll(geo.look_at(pos, centre)) + c[..., 3:]
    return pos, geo.camera_quat_from_yaw_pitch_roll(ypr[..., 0], ypr[..., 1], ypr[..., 2])


def _key_change(pos: np.ndarray, R: np.ndarray, scale: float) -> float:
    """How much consecutive keys differ: travel / scale plus turn (radians)."""
    return float(np.linalg.norm(np.diff(pos, axis=0), axis=-1).sum() / scale
                 + geo.rotation_angle_between(R[1:], R[:-1]).sum())


def orbit_reading(traj: Trajectory, subject: Subject, keys: np.ndarray) -> tuple[np.ndarray | None, str]:
    """The keys' orbit coordinates (K, 6), unwrapped, when the orbit fill reads them better than the world does;
    else None and why the keys are kept."""
    if keys.size < 2:
        return None, "one key: nothing to fill between"
    F = traj.frame_count
    centre = subject.positions(F)[keys]
    pos, R = traj.position[keys], geo.quat_to_matrix(traj.rotation[keys])
    c = orbit_coordinates(pos, R, centre)
    view = geo.camera_forward(geo.look_at(pos, centre))
    if np.any(np.abs(c[:, 1]) > np.radians(MAX_ELEVATION_DEG)) or np.any(np.abs(view[:, 2]) > np.sin(
            np.radians(MAX_ELEVATION_DEG))):
        return None, "a key looks at the subject from (nearly) straight above or below"
    if np.any(np.abs(_wrap(np.diff(c[:, 0]))) > np.radians(MAX_KEY_TURN_DEG)):
        return None, ("two keys are on opposite sides of the subject (which way round is ambiguous): key a pose "
                      "between them")
    scale = float(np.mean(c[:, 2]))
    offsets = pos - centre
    rel = geo.quat_to_matrix(geo.camera_quat_from_yaw_pitch_roll(c[:, 3], c[:, 4], c[:, 5]))
    world, orbit = _key_change(pos, R, scale), _key_change(offsets, rel, scale)
    if orbit > ORBIT_GAIN * world - ORBIT_SLACK:
        return None, ("the move is straight in the world (a pan, dolly or truck), where Blender's interpolation "
                      "already fits")
    c[:, 0], c[:, 3:] = _unwrap(c[:, 0]), _unwrap(c[:, 3:])
    return c, ""


def orbit_fill(traj: Trajectory, subject: Subject, keys: np.ndarray, c: np.ndarray) -> Trajectory:
    """The trajectory through the keys with orbit coordinates `c` (orbit_reading) splined over frames."""
    F = traj.frame_count
    frames = np.arange(F, dtype=np.float64)
    pos, quat = from_orbit(bezier_channels(keys, c, frames), subject.positions(F))
    lens = bezier_channels(keys, traj.focal_length[keys][:, None], frames)[:, 0]
    return _with_keys(Trajectory(pos, quat, lens, traj.sensor_width, traj.aspect, traj.fps, traj.frame_start),
                      traj, keys)


def _with_keys(fill: Trajectory, traj: Trajectory, keys: np.ndarray) -> Trajectory:
    """`fill` with the key poses of `traj` exactly, its quaternions sign-continuous in the input's convention."""
    pos, lens = fill.position.copy(), fill.focal_length.copy()
    pos[keys], lens[keys] = traj.position[keys], traj.focal_length[keys]
    quat = geo.quat_continuity(fill.rotation)
    if np.dot(quat[keys[0]], traj.rotation[keys[0]]) < 0:
        quat = -quat
    sign = np.where(np.sum(quat[keys] * traj.rotation[keys], -1) < 0, -1.0, 1.0)
    quat[keys] = traj.rotation[keys] * sign[:, None]
    return Trajectory(pos, quat, lens, fill.sensor_width, fill.aspect, fill.fps, fill.frame_start)


def complete(engine, shot: Shot, known_frames: Sequence[int], instruction=None, rotation_mode: str = "XYZ") -> Shot:
    """Engine.complete (see there): `shot` filled in from its frames `known_frames` (the module docstring says
    how). `engine` (an Engine; not imported here, engine.py imports this module) resolves the instruction's
    labels, which go into the result's labels. rotation_mode: the channels the keys were set in (an Euler order
    or 'QUATERNION'), for the keys-kept result."""
    traj = shot.trajectory
    keys, subject = _check_keys(shot, known_frames)
    stated, _ = engine._instruction(instruction)
    c, why = orbit_reading(traj, subject, keys)
    if c is None:
        out = _with_keys(blender_fill(traj, keys, rotation_mode), traj, keys)
        meta: dict = {"complete_note": f"kept your keys: {why}", "complete_kept_keys": True}
    else:
        out, meta = orbit_fill(traj, subject, keys, c), {"complete_kept_keys": False}
    F = traj.frame_count
    ins = Instruction(**{**shot.labels, **stated}, start=0, count=F, subject_index=0, source="user")
    return Shot(out, [subject], [ins], name=shot.name,
                metadata={**shot.metadata, "completed_from": keys.tolist(), "generator": "lenscraft/inbetween",
                          **meta})


def completion_candidates(engine, emb: np.ndarray, stated: Mapping[str, str], top: int = 3) -> np.ndarray:
    """(K, F, D) memories for complete(): the encoder's own (1, F, D) first, then its field embeddings with
    movement and easing swapped for the label embeddings describe ranks highest (fields the user stated stay)."""
    scores = cosine_scores(emb, engine.label_embeddings, engine.tau)
    options = {name: [None] if name in stated else
               [None] + [int(i) for i in np.argsort(-scores[name][0])[:top]] for name in ("movement", "easing")}
    out = []
    for m in options["movement"]:
        for e in options["easing"]:
            c = emb[0].copy()
            for name, idx in (("movement", m), ("easing", e)):
                if idx is not None:
                    c[FIELD_NAMES.index(name)] = engine.label_embeddings[name][idx]
            out.append(c)
    return np.stack(out).astype(np.float32)


def model_fill(engine, shot: Shot, known_frames: Sequence[int], instruction=None) -> Shot:
    """The model's own fill of `shot` from its frames `known_frames` by `engine` (an Engine; this module does not
    import engine.py, which imports it): analysis by synthesis plus the residual blend. complete() does not use it
    (on hand keys it measured worse than Blender's own interpolation: docs/BENCHMARKS.md); benchmarks compare it."""
    traj = shot.trajectory
    keys, subject = _check_keys(shot, known_frames)
    F, T = traj.frame_count, engine.frames_internal
    # Unknown frames: interpolate between keys so resampling to T slots mixes in nothing arbitrary.
    R = geo.quat_to_matrix(traj.rotation)
    pos = _interp_frames(traj.position[keys], keys, F)
    logf = _interp_frames(np.log(traj.focal_length[keys])[:, None], keys, F)[:, 0]
    R_fill = geo.sixd_to_matrix(_interp_frames(geo.matrix_to_6d(R[keys]), keys, F))
    sp, sr = subject.positions(F)[None], subject.rotations(F)[None]
    f = ft.encode_arrays(pos[None], geo.matrix_to_quat(R_fill)[None], np.exp(logf)[None], sp, sr,
                         subject.size[None], None, T)
    slot_time = np.linspace(0.0, F - 1.0, T)
    known_T = np.zeros(T, bool)
    known_T[np.round(keys * (T - 1) / max(F - 1, 1)).astype(int)] = True  # the slot nearest each key
    is_key = np.zeros(F, bool)
    is_key[keys] = True
    known_T |= is_key[np.round(slot_time).astype(int)]  # slots whose nearest frame is a key
    emb = engine.field_embeddings(f, known_T[None])
    keep = np.ones((1, len(FIELD_NAMES)), bool)
    stated, _ = engine._instruction(instruction)
    for i, name in enumerate(FIELD_NAMES):
        if name in stated:
            emb[0, i] = engine.label_embeddings[name][FIELDS[name].index(stated[name])]
    runtime = engine.runtime
    if runtime.name == "torch" and engine.decoder == "autoregressive":  # feeds the keys back as it decodes
        camera = runtime.generate(emb, keep, f.subject, f.motion, known_T[None], f.camera)
        p_pos, p_quat, p_focal = decode_world(camera, f.anchor, F)
        best = 0
    else:
        # Analysis by synthesis: the keys' own field embeddings and the alternatives describe ranks next
        # (movement x easing the user left open), in one batch; keep the one that passes closest to the keys.
        cands = completion_candidates(engine, emb, stated)
        k = len(cands)
        fk = f.subset(np.zeros(k, int))
        camera = runtime.generate(cands, np.ones((k, len(FIELD_NAMES)), bool), fk.subject, fk.motion)
        p_pos, p_quat, p_focal = decode_world(camera, fk.anchor, F)
        miss = (np.linalg.norm(p_pos[:, keys] - traj.position[keys], axis=-1).mean(1) / subject.extent
                + geo.rotation_angle_between(geo.quat_to_matrix(p_quat[:, keys]), R[keys]).mean(1)
                + np.abs(np.log(p_focal[:, keys] / traj.focal_length[keys])).mean(1))
        best = int(np.argmin(miss))
    p_pos, p_R, p_logf = p_pos[best], geo.quat_to_matrix(p_quat[best]), np.log(p_focal[best])
    # Residual blend: exact at the keys, linear in frame index between them, constant beyond the ends.
    out_pos = p_pos + _interp_frames(traj.position[keys] - p_pos[keys], keys, F)
    out_logf = p_logf + _interp_frames((np.log(traj.focal_length[keys]) - p_logf[keys])[:, None], keys, F)[:, 0]
    p6 = geo.matrix_to_6d(p_R)
    out_R = geo.sixd_to_matrix(p6 + _interp_frames(geo.matrix_to_6d(R[keys]) - p6[keys], keys, F))
    quat = geo.quat_continuity(geo.matrix_to_quat(out_R))
    if np.dot(quat[keys[0]], traj.rotation[keys[0]]) < 0:  # same sign convention as the input
        quat = -quat
    out = Trajectory(out_pos, quat, np.exp(out_logf), traj.sensor_width, traj.aspect, traj.fps, traj.frame_start)
    labels = {**shot.labels, **stated}
    ins = Instruction(**labels, start=0, count=F, subject_index=0, source="user")
    return Shot(out, [subject], [ins], name=shot.name, metadata={**shot.metadata, "completed_from": keys.tolist(),
                                                                  "generator": f"lenscraft/{runtime.name}"})
