"""In-betweening: Engine.complete() fills in a shot from its key frames, the poses a user keyed by hand.

What a user's keys already give them is Blender's own interpolation of them (inbetween_reference.blender_fill:
auto-clamped Bezier F-curves per channel). complete() must never make that worse, so it only fills where a better
reading of the keys exists, and measurably so (benchmarks/bench_complete.py, docs/BENCHMARKS.md):

- orbit fill: when the keys change less as seen from the subject than as seen from the world (an arc keeps its
  distance and turns the camera with the view; a follow shot keeps its offset to the moving subject), each key is
  read as azimuth, elevation and distance around the subject centre of its frame plus the camera's heading, pitch
  and roll relative to looking at that centre; each of these is interpolated over frames with the same
  auto-clamped spline Blender uses (so the timing is Blender's), the lens as Blender does. The fill stays on the
  arc and keeps the subject where the keys put it. When the instruction states the easing, progress along the
  keys runs as that easing instead (warped in time just enough to pass each key at its frame).
- otherwise (pans, dollies, trucks: moves that are straight in the world, where Blender's per-channel spline is
  already this reading) the keys are kept: the result is Blender's own interpolation and
  metadata["complete_note"] says so (metadata["complete_kept_keys"] is True); unless the instruction states the
  easing, which the keys' positions and heading/pitch/roll then follow in the world.

The key poses pass through exactly. The model's own fill (model_fill) is kept for the benchmark's comparison.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from .. import features as ft
from .. import geometry as geo
from ..easing import ease
from ..body import is_person
from ..errors import LensCraftError
from ..inbetween_reference import bezier_channels, blender_fill
from ..schema import Instruction, Shot, Subject, Trajectory
from ..vocabulary import FIELD_NAMES, FIELDS
from .decode import decode_world
from .runtime import cosine_scores

ORBIT_GAIN = 0.8          # the orbit reading must change the keys at most this share of the world reading ...
ORBIT_SLACK = 0.02        # ... less this much (radian-equivalents): ties and near-ties keep the keys
MAX_ELEVATION_DEG = 80.0  # nearer the vertical, headings (around the subject, of the view) are undefined
MAX_KEY_TURN_DEG = 170.0  # consecutive keys this far apart around the subject: the way round is ambiguous
ROTATION_MODES = ("XYZ", "XZY", "YXZ", "YZX", "ZXY", "ZYX", "QUATERNION")  # Blender's, less AXIS_ANGLE


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
    steep = np.radians(MAX_ELEVATION_DEG)
    if np.any(np.abs(c[:, 1]) > steep) or np.any(np.abs(geo.yaw_pitch_roll(R)[:, 1]) > steep):
        return None, "a key looks (nearly) straight up or down, or sits (nearly) straight above or below the subject"
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


def _hermite(x: np.ndarray, y: np.ndarray, m: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Cubic Hermite through (x, y) with slopes m (columns of y, m), at t (clamped to the ends)."""
    t = np.clip(t, x[0], x[-1])
    i = np.clip(np.searchsorted(x, t, side="right") - 1, 0, len(x) - 2)
    h = x[i + 1] - x[i]
    s = ((t - x[i]) / np.where(h > 0, h, 1.0))[:, None]
    h = h[:, None]
    return ((2 * s ** 3 - 3 * s ** 2 + 1) * y[i] + (s ** 3 - 2 * s ** 2 + s) * h * m[i]
            + (-2 * s ** 3 + 3 * s ** 2) * y[i + 1] + (s ** 3 - s ** 2) * h * m[i + 1])


def _monotone(x: np.ndarray, y: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Monotone (Fritsch-Carlson) cubic through increasing (x, y) at t: a time warp that never runs backwards."""
    if len(x) == 2:
        return np.interp(t, x, y)
    h, d = np.diff(x), np.diff(y) / np.diff(x)
    m = np.zeros(len(x))
    for i in range(1, len(x) - 1):
        if d[i - 1] * d[i] > 0:
            w1, w2 = 2 * h[i] + h[i - 1], h[i] + 2 * h[i - 1]
            m[i] = (w1 + w2) / (w1 / d[i - 1] + w2 / d[i])
    for end, (a, b, ha, hb) in ((0, (d[0], d[1], h[0], h[1])), (-1, (d[-1], d[-2], h[-1], h[-2]))):
        v = ((2 * ha + hb) * a - ha * b) / (ha + hb)
        m[end] = 0.0 if v * a <= 0 else (3 * a if a * b < 0 and abs(v) > abs(3 * a) else v)
    return _hermite(x, y[:, None], m[:, None], t)[:, 0]


def _along(u: np.ndarray, c: np.ndarray, p: np.ndarray) -> np.ndarray:
    """The keys' coordinates c (K, C) at key progress u (K,) interpolated to progress p: C1 and exact on
    quadratics in u (three-point slopes), so an arc at a steady turn rate stays exactly that."""
    if len(u) == 2:
        return c[0] + (c[1] - c[0]) * ((p - u[0]) / max(u[1] - u[0], 1e-12))[:, None]
    h = np.maximum(np.diff(u), 1e-12)[:, None]
    d = np.diff(c, axis=0) / h
    m = np.empty_like(c)
    m[1:-1] = (h[1:] * d[:-1] + h[:-1] * d[1:]) / (h[:-1] + h[1:])
    m[0], m[-1] = 2 * d[0] - m[1], 2 * d[-1] - m[-2]
    return _hermite(u, c, m, p)


def eased_channels(keys: np.ndarray, c: np.ndarray, step: np.ndarray, frames: np.ndarray, easing: str
                   ) -> np.ndarray | None:
    """Coordinates c (K, C) of the keys at `frames` when the move is said to follow `easing`: progress along the
    keys (`step`, how much each key differs from the one before) runs as that easing over the keyed span, warped in
    time just enough to pass each key at its frame. None for an easing that runs backwards (back, elastic,
    bounce) or keys that do not move."""
    grid = np.linspace(0.0, 1.0, 2001)
    curve = ease(easing, grid)
    if np.any(np.diff(curve) < 0) or step.sum() <= 0:
        return None
    u = np.r_[0.0, np.cumsum(step)] / step.sum()
    tau = (keys - keys[0]) / (keys[-1] - keys[0])
    warp = _monotone(tau, np.interp(u, curve, grid), np.clip((frames - keys[0]) / (keys[-1] - keys[0]), 0, 1))
    return _along(u, c, np.interp(warp, grid, curve))


def _orbit_step(c: np.ndarray) -> np.ndarray:
    d = np.diff(c, axis=0)
    return (np.hypot(np.cos(c[:-1, 1]) * d[:, 0], d[:, 1]) + np.abs(d[:, 2]) / np.mean(c[:, 2])
            + np.linalg.norm(d[:, 3:], axis=-1))


def world_eased_fill(traj: Trajectory, subject: Subject, keys: np.ndarray, easing: str) -> Trajectory | None:
    """The keys' positions and heading/pitch/roll, run as `easing` (eased_channels) in the world; None where that
    reading does not apply (one key, a view near the vertical, an easing that runs backwards)."""
    if keys.size < 2:
        return None
    F = traj.frame_count
    R = geo.quat_to_matrix(traj.rotation[keys])
    ypr = geo.yaw_pitch_roll(R)
    if np.any(np.abs(ypr[:, 1]) > np.radians(MAX_ELEVATION_DEG)):
        return None
    pos = traj.position[keys]
    c = np.concatenate([pos, _unwrap(ypr)], -1)
    scale = float(np.linalg.norm(pos - subject.positions(F)[keys], axis=-1).mean())
    step = (np.linalg.norm(np.diff(pos, axis=0), axis=-1) / max(scale, 1e-9)
            + geo.rotation_angle_between(R[1:], R[:-1]))
    frames = np.arange(F, dtype=np.float64)
    cf = eased_channels(keys, c, step, frames, easing)
    if cf is None:
        return None
    quat = geo.camera_quat_from_yaw_pitch_roll(cf[:, 3], cf[:, 4], cf[:, 5])
    lens = bezier_channels(keys, traj.focal_length[keys][:, None], frames)[:, 0]
    return _with_keys(Trajectory(cf[:, :3], quat, lens, traj.sensor_width, traj.aspect, traj.fps, traj.frame_start),
                      traj, keys)


def orbit_fill(traj: Trajectory, subject: Subject, keys: np.ndarray, c: np.ndarray,
               easing: str | None = None) -> Trajectory:
    """The trajectory through the keys with orbit coordinates `c` (orbit_reading) splined over frames the way
    Blender splines a channel, or run as `easing` when the user says how the move eases."""
    F = traj.frame_count
    frames = np.arange(F, dtype=np.float64)
    cf = None if easing is None else eased_channels(keys, c, _orbit_step(c), frames, easing)
    pos, quat = from_orbit(bezier_channels(keys, c, frames) if cf is None else cf, subject.positions(F))
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
    or 'QUATERNION': ROTATION_MODES), for the keys-kept result."""
    if rotation_mode not in ROTATION_MODES:  # checked first: only the keys-kept path reads it
        raise LensCraftError(f"complete(): rotation_mode '{rotation_mode}' is not one of {', '.join(ROTATION_MODES)}")
    traj = shot.trajectory
    keys, subject = _check_keys(shot, known_frames)
    stated, _ = engine._instruction(instruction)
    c, why = orbit_reading(traj, subject, keys)
    easing = stated.get("easing")
    meta: dict = {"complete_kept_keys": False}
    if c is not None:
        out = orbit_fill(traj, subject, keys, c, easing)
    else:  # straight in the world: only a stated easing says more than Blender's interpolation does
        eased = None if easing is None else world_eased_fill(traj, subject, keys, easing)
        if eased is None:
            out = _with_keys(blender_fill(traj, keys, rotation_mode), traj, keys)
            meta = {"complete_note": f"kept your keys: {why}", "complete_kept_keys": True}
        else:
            out = eased
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
                         subject.size[None], None, T, [is_person(subject)])
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
