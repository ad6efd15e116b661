"""In-betweening: Engine.complete() fills in a shot from its key frames.

The keys are encoded (other frames masked) into field embeddings; the model regenerates the shot from several
readings of them in one batch (analysis by synthesis) and the one passing closest to the keys is kept; the residual
at the keys, interpolated between them, is added so the result passes exactly through every key pose.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from .. import features as ft
from .. import geometry as geo
from ..errors import LensCraftError
from ..schema import Instruction, Shot, Trajectory
from ..vocabulary import FIELD_NAMES, FIELDS
from .decode import decode_world
from .runtime import cosine_scores


def _interp_frames(values: np.ndarray, keys: np.ndarray, frames: int) -> np.ndarray:
    """Per-component linear interpolation over frame index from the key frames (constant beyond the ends)."""
    t = np.arange(frames, dtype=np.float64)
    return np.stack([np.interp(t, keys, values[:, j]) for j in range(values.shape[1])], -1)


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


def complete(engine, shot: Shot, known_frames: Sequence[int], instruction=None) -> Shot:
    """Engine.complete (see there): `shot` filled in from its frames `known_frames` by `engine` (an Engine; this
    module does not import engine.py, which imports it)."""
    traj, subject = shot.trajectory, shot.subject
    if subject is None:
        raise LensCraftError(f"shot {shot.name or ''}: complete() needs the subject the camera frames")
    F, T = traj.frame_count, engine.frames_internal
    keys = np.unique(np.asarray(list(known_frames), np.int64))
    if keys.size == 0:
        raise LensCraftError("complete(): give at least one known frame")
    if keys.min() < 0 or keys.max() >= F:
        raise LensCraftError(f"complete(): known frame {int(keys.min() if keys.min() < 0 else keys.max())} is "
                             f"outside the shot's {F} frames (0-based indices)")
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
