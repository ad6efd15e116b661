"""The inference API: shots from words (generate), words from shots (describe), in-betweening (complete), prompts.

    from lenscraft_core.infer import Engine, load_engine
    eng = Engine.load()                       # the bundled model (lenscraft_core/models/default/), ONNX if exported
    shots = eng.generate(subject, "slow push in from a low angle, close-up", frames=48, variations=3)
    eng.describe(shots[0]).caption
    eng.complete(shot, known_frames=[0, 20, 47])

Backends (runtime.py) share one numeric interface: "onnx" (ONNX Runtime + NumPy, imports no torch), "torch" (the
checkpoint through LensCraftModel), "auto" (ONNX when its graphs match the weights, else torch).

Generation: each stated field's label text embedding (label_embeddings.npz, so no text encoder is needed for
structured instructions) becomes a decoder memory token; a field the instruction leaves open gets the model's learned
"unspecified" token. Variations come in one batch: variation 0 is exactly that; variation i > 0 (seeded) gives every
open field a random label of its vocabulary and adds Gaussian noise (VARIATION_NOISE) to the stated fields'
embeddings, so variations differ in what was left open and slightly in how the stated fields are performed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from .. import features as ft
from .. import geometry as geo
from ..errors import LensCraftError
from .runtime import (BACKENDS, OnnxBackend, OnnxTextEncoder, TorchBackend, check_device, cosine_scores, load_label_embeddings,
                      read_json)
from ..schema import Instruction, Shot, Subject, Trajectory
from ..vocabulary import FIELD_NAMES, FIELDS, caption, vocabulary_hash

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
DEFAULT_MODEL_DIR = MODELS_DIR / "default"
MINILM_DIR = MODELS_DIR / "minilm"
VARIATION_NOISE = 0.05  # std of the noise on stated fields' embeddings for variations > 0 (unit vectors, D = 384)
FALLBACK_MIN_COS = 0.57  # a prompt piece must be this close to a label description (0.5 let "slow" pick an easing)
FALLBACK_MAX_CONFIDENCE = 0.9  # the fallback never outranks a label the grammar named (confidence 1)
FOCAL_RANGE_MM = (4.0, 2000.0)  # predicted lenses are clamped into what a real camera (and Shot.validate) accepts
BATCH = 1024  # rows per backend call in the batch paths


@dataclass
class Description:
    """describe(): per field the top-k (label, score) with scores summing to 1 over the field's labels, a caption
    from the top labels, and the camera-motion magnitude (0 = locked off; see motion_magnitude)."""

    fields: dict[str, list[tuple[str, float]]]
    caption: str
    motion: float

    @property
    def labels(self) -> dict[str, str]:
        return {f: ranked[0][0] for f, ranked in self.fields.items()}


def motion_magnitude(traj: Trajectory, subject: Subject | None = None) -> float:
    """How much the camera moves, unitless: path length / mean distance to the subject (or to the path's centre)
    + total rotation in radians + total |change of log focal length|. A locked-off shot scores 0; a dolly in to
    half the distance about 0.5; a 90-degree pan about 1.6."""
    pos, f = traj.position, traj.focal_length
    centre = subject.positions(len(pos)) if subject is not None else pos.mean(0, keepdims=True)
    dist = max(float(np.linalg.norm(pos - centre, axis=-1).mean()), 1e-3)
    path = float(np.linalg.norm(np.diff(pos, axis=0), axis=-1).sum()) / dist
    R = geo.quat_to_matrix(traj.rotation)
    turn = float(geo.rotation_angle_between(R[:-1], R[1:]).sum()) if len(R) > 1 else 0.0
    zoom = float(np.abs(np.diff(np.log(f))).sum())
    return path + turn + zoom


def _clamp_lens(camera: np.ndarray) -> np.ndarray:
    camera = np.array(camera, np.float64)
    lo, hi = np.log(np.array(FOCAL_RANGE_MM) / ft.FOCAL_REF_MM)
    camera[..., 9] = np.clip(camera[..., 9], lo, hi)
    return camera


def _interp_frames(values: np.ndarray, keys: np.ndarray, frames: int) -> np.ndarray:
    """Per-component linear interpolation over frame index from the key frames (constant beyond the ends)."""
    t = np.arange(frames, dtype=np.float64)
    return np.stack([np.interp(t, keys, values[:, j]) for j in range(values.shape[1])], -1)


class Engine:
    def __init__(self, backend, label_embeddings: dict[str, np.ndarray], meta: dict, model_dir: Path):
        self.backend = backend
        self.label_embeddings = label_embeddings
        self.meta = meta
        self.model_dir = model_dir
        cfg = meta["model_config"]
        self.frames_internal = int(cfg["frames"])
        self.decoder = cfg.get("decoder", "single_pass")
        self.tau = float(meta.get("training", {}).get("config", {}).get("label_tau", 0.05))
        self.encoder_id = meta["text_encoder"]["id"]
        self._text_encoder = None
        self._text_lock = threading.Lock()
        self.clip_weights: str | None = None
        self.text_note: str | None = None  # why free text falls back to the grammar alone, when it does

    # ------------------------------------------------------------------------------------------------ loading
    @classmethod
    def load(cls, path: str | Path | None = None, backend: str = "auto", threads: int | None = None,
             device: str = "cpu", clip_weights: str | Path | None = None) -> "Engine":
        """path: a model folder (model.json [+ model.safetensors, *.onnx, label_embeddings.npz]) or a checkpoint
        stem / .json; None = the bundled model. backend: "auto", "onnx" or "torch". device: one of
        runtime.DEVICES; one this runtime lacks runs on the CPU and says so in `device_note`. clip_weights: the
        open_clip weights file a CLIP-trained model needs to read free-text prompts (structured labels never do)."""
        if backend not in BACKENDS:
            raise LensCraftError(f"unknown backend '{backend}': use one of {', '.join(BACKENDS)}")
        device = check_device(device)
        p = Path(path) if path is not None else DEFAULT_MODEL_DIR
        stem = p / "model" if p.is_dir() else (p.with_suffix("") if p.suffix in (".json", ".safetensors") else p)
        json_path = stem.with_name(stem.name + ".json")
        if not json_path.exists():
            hint = " (no bundled model: train one, see docs/training.md, or pass a path)" if path is None else ""
            raise LensCraftError(f"{json_path}: model metadata not found{hint}")
        meta = read_json(json_path, "model metadata")
        if meta.get("format") != "lenscraft-checkpoint":
            raise LensCraftError(f"{json_path}: not a LensCraft checkpoint")
        if meta.get("vocabulary_hash") != vocabulary_hash():
            raise LensCraftError(f"{json_path}: trained with vocabulary {meta.get('vocabulary_hash')}, the code has "
                                 f"{vocabulary_hash()}; retrain or use the matching LensCraft version")
        model_dir = stem.parent
        sha = meta.get("weights", {}).get("sha256")
        if backend == "onnx":
            impl = OnnxBackend(model_dir, sha, threads, device)
        elif backend == "torch":
            impl = TorchBackend(stem, device)
        else:
            try:
                impl = OnnxBackend(model_dir, sha, threads, device)
            except LensCraftError as onnx_error:
                try:
                    impl = TorchBackend(stem, device)
                except ImportError:
                    raise onnx_error from None
        npz = model_dir / "label_embeddings.npz"
        if npz.exists():
            emb = load_label_embeddings(npz, meta["text_encoder"]["id"])
        elif impl.name == "torch":  # a fresh checkpoint without an export: the text cache has them
            from ..text.cache import label_embeddings

            enc_id, emb = label_embeddings("minilm")
            if enc_id != meta["text_encoder"]["id"]:
                raise LensCraftError(f"{npz}: missing, and the model's text encoder '{meta['text_encoder']['id']}' "
                                     "is not the default; run export-onnx with its label embeddings")
        else:
            raise LensCraftError(f"{npz}: label embeddings missing (run `python -m lenscraft_core export-onnx`)")
        engine = cls(impl, emb, meta, model_dir)
        engine.clip_weights = str(clip_weights) if clip_weights else None
        return engine

    @property
    def backend_name(self) -> str:
        return self.backend.name

    @property
    def device(self) -> str:
        """Where the model runs ("cpu", "cuda", ...); device_note says why when it is not the one asked for."""
        return self.backend.device

    @property
    def device_note(self) -> str | None:
        return self.backend.device_note

    # ------------------------------------------------------------------------------------------------ prompts
    def text_encoder(self):
        """The prompt encoder: MiniLM on ONNX Runtime when the model runs on ONNX (no torch), else
        sentence-transformers; None when neither is available or the model uses another text encoder."""
        with self._text_lock:
            if self._text_encoder is None:
                self._text_encoder = False
                if self.encoder_id == OnnxTextEncoder.id:
                    if self.backend.name == "onnx" and (MINILM_DIR / "minilm.onnx").exists():
                        self._text_encoder = OnnxTextEncoder(MINILM_DIR)
                    else:
                        try:
                            from ..text.encoders import MiniLMEncoder

                            self._text_encoder = MiniLMEncoder()
                        except (ImportError, LensCraftError):
                            if (MINILM_DIR / "minilm.onnx").exists():
                                self._text_encoder = OnnxTextEncoder(MINILM_DIR)
                elif self.encoder_id.startswith("open_clip/"):
                    self._text_encoder = self._open_clip() or False
            return self._text_encoder or None

    def _open_clip(self):
        """The open_clip text tower of a CLIP-trained model, from clip_weights (needs torch + open_clip)."""
        if not self.clip_weights:
            self.text_note = f"the model uses {self.encoder_id}: give its open_clip weights file to read free text"
            return None
        from ..text.encoders import OpenCLIPEncoder

        try:
            enc = OpenCLIPEncoder(self.encoder_id.split("/")[1], weights=self.clip_weights)
        except LensCraftError as e:
            self.text_note = str(e)
            return None
        if enc.id != self.encoder_id:
            self.text_note = (f"{self.clip_weights} is {enc.id}, the model was trained with {self.encoder_id}: "
                              "free text uses the grammar alone")
            return None
        return enc

    def _fallback(self, text: str, fields: list) -> dict[str, tuple[str, float]]:
        """Nearest label description per field among the prompt and its clauses (cosine >= FALLBACK_MIN_COS)."""
        enc = self.text_encoder()
        if enc is None or not fields:
            return {}
        import re

        pieces = [text] + [p.strip() for p in re.split(r"[,;.]|\bthen\b", text) if p.strip() and p.strip() != text]
        emb = enc.encode(pieces)
        out = {}
        for f in fields:
            cos = emb @ self.label_embeddings[f].T  # (pieces, labels)
            best = float(cos.max())
            if best >= FALLBACK_MIN_COS:
                label = FIELDS[f].names[int(cos.max(0).argmax())]
                out[f] = (label, min(best, FALLBACK_MAX_CONFIDENCE))
        return out

    def parse(self, prompt: str, defaults: Mapping[str, str] | None = None):
        """Prompt -> prompt.Interpretation: the grammar, with the text encoder settling what it left open."""
        from ..prompt.grammar import parse_prompt

        return parse_prompt(prompt, defaults, fallback=self._fallback)

    def _instruction(self, instruction) -> tuple[dict[str, str], dict]:
        """A prompt or {field: label} -> (stated labels, metadata for the shot)."""
        if instruction is None:
            return {}, {}
        if isinstance(instruction, str):
            interp = self.parse(instruction)
            stated = {f: interp.labels[f] for f in FIELD_NAMES if interp.source.get(f) != "default"}
            return stated, {"prompt": instruction, "understood_as": interp.summary()}
        if not isinstance(instruction, Mapping):
            raise LensCraftError(f"instruction must be a prompt string or {{field: label}}, got "
                                 f"{type(instruction).__name__}")
        stated = {}
        for f, v in instruction.items():
            if f not in FIELDS:
                raise LensCraftError(f"instruction: unknown field '{f}' (fields: {', '.join(FIELD_NAMES)})")
            if v is not None:
                stated[f] = FIELDS[f].resolve(v)
        return stated, {}

    # ------------------------------------------------------------------------------------------------ arrays
    def _memory_inputs(self, labels: Mapping[str, np.ndarray], n: int, rng: np.random.Generator | None = None,
                       noise: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
        """{field: (n,) int, -1 = unspecified} -> label embeddings (n, F, D) and keep mask (n, F)."""
        D = next(iter(self.label_embeddings.values())).shape[1]
        emb = np.zeros((n, len(FIELD_NAMES), D), np.float32)
        keep = np.zeros((n, len(FIELD_NAMES)), bool)
        for i, f in enumerate(FIELD_NAMES):
            idx = np.asarray(labels.get(f, np.full(n, -1)), np.int64).reshape(-1)
            if idx.shape[0] != n:
                raise LensCraftError(f"labels['{f}'] has {idx.shape[0]} entries, expected {n}")
            if np.any(idx >= len(FIELDS[f])):
                raise LensCraftError(f"labels['{f}']: index {int(idx.max())} out of range ({len(FIELDS[f])} labels)")
            keep[:, i] = idx >= 0
            emb[:, i] = self.label_embeddings[f][np.maximum(idx, 0)]
        if noise > 0 and rng is not None:
            emb = emb + rng.normal(0.0, noise, emb.shape).astype(np.float32) * keep[..., None]
            emb /= np.maximum(np.linalg.norm(emb, axis=-1, keepdims=True), 1e-12)
        return emb, keep

    def generate_arrays(self, features_subject: np.ndarray, motion: np.ndarray, labels: Mapping[str, np.ndarray],
                        seed: int = 0, noise: float = 0.0) -> np.ndarray:
        """Batch path: subject (N, 10), motion (N, T, 9), labels {field: (N,) int, -1 = unspecified} -> camera
        features (N, T, 10). Deterministic; noise > 0 perturbs the stated fields' embeddings (seeded)."""
        n = int(features_subject.shape[0])
        emb, keep = self._memory_inputs(labels, n, np.random.default_rng(seed), noise)
        out = [self.backend.generate(emb[i:i + BATCH], keep[i:i + BATCH], features_subject[i:i + BATCH],
                                     motion[i:i + BATCH]) for i in range(0, n, BATCH)]
        return np.concatenate(out) if out else np.zeros((0, self.frames_internal, ft.CAM_DIM), np.float32)

    def field_embeddings(self, features: ft.Features, known: np.ndarray | None = None) -> np.ndarray:
        """Encoder output (N, n_fields, D), unit rows; known (N, T) bool marks the frames to trust (None: all)."""
        n = len(features)
        known = np.ones(features.camera.shape[:2], bool) if known is None else np.asarray(known, bool)
        out = [self.backend.encode(features.camera[i:i + BATCH], features.subject[i:i + BATCH],
                                   features.motion[i:i + BATCH], known[i:i + BATCH]) for i in range(0, n, BATCH)]
        return np.concatenate(out)

    def describe_features(self, features: ft.Features) -> dict[str, np.ndarray]:
        """Batch path: {field: (N, L) scores} (softmax of cosine / tau over each field's labels)."""
        return cosine_scores(self.field_embeddings(features), self.label_embeddings, self.tau)

    # ------------------------------------------------------------------------------------------------ shots
    def _subject_features(self, subject: Subject, frames: int) -> ft.Features:
        subject.validate("subject", frames if subject.is_moving else None)
        for name, m in (("motion_position", subject.motion_position), ("motion_rotation", subject.motion_rotation)):
            if m is not None and len(m) != frames:
                raise LensCraftError(f"subject.{name} has {len(m)} frames, the shot asks for {frames}")
        cam = np.zeros((1, frames, 3))
        quat = np.broadcast_to(np.array([1.0, 0.0, 0.0, 0.0]), (1, frames, 4))
        return ft.encode_arrays(cam, quat, np.full((1, frames), ft.FOCAL_REF_MM), subject.positions(frames)[None],
                                subject.rotations(frames)[None], subject.size[None], None, self.frames_internal)

    def generate(self, subject: Subject, instruction, frames: int = 30, fps: float = 24.0, seed: int = 0,
                 variations: int = 1, focal_length: float | None = None, sensor_width: float = 36.0,
                 aspect: float = 16 / 9, floor: float | None = None) -> list[Shot]:
        """Shots for `subject` in world space. instruction: {field: label} or a prompt. focal_length fixes the lens
        (the camera distance scales with it, keeping the subject's size on screen). floor: a world height the
        camera stays at or above (geometry.keep_above_floor), e.g. the ground the subject stands on."""
        if frames < 2:
            raise LensCraftError(f"frames must be at least 2, got {frames}")
        if variations < 1:
            raise LensCraftError(f"variations must be at least 1, got {variations}")
        if floor is not None and not np.isfinite(floor):
            raise LensCraftError(f"floor must be a finite world height, got {floor}")
        stated, meta = self._instruction(instruction)
        f = self._subject_features(subject, frames)
        k, rng = variations, np.random.default_rng(seed)
        idx = {name: np.full(k, FIELDS[name].index(stated[name]) if name in stated else -1, np.int64)
               for name in FIELD_NAMES}
        for name in FIELD_NAMES:  # variations > 0 pick a label for every open field
            if name not in stated and k > 1:
                idx[name][1:] = rng.integers(0, len(FIELDS[name]), k - 1)
        emb, keep = self._memory_inputs(idx, k)
        if k > 1:
            noise = rng.normal(0.0, VARIATION_NOISE, emb.shape).astype(np.float32) * keep[..., None]
            noise[0] = 0.0
            emb = emb + noise
            emb /= np.linalg.norm(emb, axis=-1, keepdims=True)
        fk = f.subset(np.zeros(k, int))  # the subject once per variation
        camera = self.backend.generate(emb, keep, fk.subject, fk.motion)
        # "static" means the camera holds still: the model picks the placement, lens and framing (its first frame)
        # and the shot keeps them. The network's own static shots drift a little (docs/MODEL_CARD.md), which would
        # put keys on a locked-off camera. (evaluate measures the network as it is, without this.)
        still = idx["movement"] == FIELDS["movement"].index("static")
        camera[still] = camera[still, :1]
        pos, quat, focal = ft.decode_camera(_clamp_lens(camera), fk.anchor, frames)
        if focal_length is not None:
            centre = subject.positions(frames)[None]
            pos = centre + (pos - centre) * (float(focal_length) / focal)[..., None]
            focal = np.full_like(focal, float(focal_length))
        shots = []
        for i in range(k):
            labels = {name: FIELDS[name].names[int(idx[name][i])] for name in FIELD_NAMES if idx[name][i] >= 0}
            if floor is not None:
                pos[i], quat[i] = geo.keep_above_floor(pos[i], quat[i], subject.positions(frames), float(floor))
            traj = Trajectory(pos[i], quat[i], focal[i], sensor_width, aspect, float(fps), 1)
            ins = Instruction(**labels, start=0, count=frames, source="user")
            shots.append(Shot(traj, [subject], [ins], name=f"generated-{seed}-{i}",
                              metadata={**meta, "generator": f"lenscraft/{self.backend.name}", "seed": seed,
                                        "variation": i}))
        return shots

    def describe(self, shot: Shot, top_k: int = 3) -> Description:
        """Ranked labels per field (top_k), a caption and the motion magnitude of a shot (its first instruction's
        span and subject; Shot.split() a multi-instruction shot first)."""
        f = ft.encode_shot(shot, self.frames_internal)
        scores = self.describe_features(f)
        ranked = {}
        for name in FIELD_NAMES:
            s = scores[name][0]
            order = np.argsort(-s)[:max(1, top_k)]
            ranked[name] = [(FIELDS[name].names[j], float(s[j])) for j in order]
        labels = {name: r[0][0] for name, r in ranked.items()}
        return Description(ranked, caption(labels), motion_magnitude(shot.trajectory, shot.subject))

    def _completion_candidates(self, emb: np.ndarray, stated: Mapping[str, str], top: int = 3) -> np.ndarray:
        """(K, F, D) memories for complete(): the encoder's own (1, F, D) first, then its field embeddings with
        movement and easing swapped for the label embeddings describe ranks highest (fields the user stated stay)."""
        scores = cosine_scores(emb, self.label_embeddings, self.tau)
        options = {name: [None] if name in stated else
                   [None] + [int(i) for i in np.argsort(-scores[name][0])[:top]] for name in ("movement", "easing")}
        out = []
        for m in options["movement"]:
            for e in options["easing"]:
                c = emb[0].copy()
                for name, idx in (("movement", m), ("easing", e)):
                    if idx is not None:
                        c[FIELD_NAMES.index(name)] = self.label_embeddings[name][idx]
                out.append(c)
        return np.stack(out).astype(np.float32)

    def complete(self, shot: Shot, known_frames: Sequence[int], instruction=None) -> Shot:
        """Fill in a shot from its key frames: encode the keys (other frames masked), regenerate (several candidate
        readings of the keys in one batch, keeping the one closest to them), then add the residual at the keys,
        interpolated between them, so the result passes exactly through every key pose.
        instruction ({field: label} or a prompt) overrides what the keys imply for the fields it states."""
        traj, subject = shot.trajectory, shot.subject
        if subject is None:
            raise LensCraftError(f"shot {shot.name or ''}: complete() needs the subject the camera frames")
        F, T = traj.frame_count, self.frames_internal
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
        emb = self.field_embeddings(f, known_T[None])
        keep = np.ones((1, len(FIELD_NAMES)), bool)
        stated, _ = self._instruction(instruction)
        for i, name in enumerate(FIELD_NAMES):
            if name in stated:
                emb[0, i] = self.label_embeddings[name][FIELDS[name].index(stated[name])]
        if self.backend.name == "torch" and self.decoder == "autoregressive":  # feeds the keys back as it decodes
            camera = self.backend.generate(emb, keep, f.subject, f.motion, known_T[None], f.camera)
            p_pos, p_quat, p_focal = ft.decode_camera(_clamp_lens(camera), f.anchor, F)
            best = 0
        else:
            # Analysis by synthesis: the keys' own field embeddings and the alternatives describe ranks next
            # (movement x easing the user left open), in one batch; keep the one that passes closest to the keys.
            cands = self._completion_candidates(emb, stated)
            k = len(cands)
            fk = f.subset(np.zeros(k, int))
            camera = self.backend.generate(cands, np.ones((k, len(FIELD_NAMES)), bool), fk.subject, fk.motion)
            p_pos, p_quat, p_focal = ft.decode_camera(_clamp_lens(camera), fk.anchor, F)
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
                                                                      "generator": f"lenscraft/{self.backend.name}"})


_cache: dict[tuple, Engine] = {}
_cache_lock = threading.Lock()


def load_engine(path: str | Path | None = None, backend: str = "auto", device: str = "cpu") -> Engine:
    """A cached Engine (the bundled model by default): what the add-on and the CLI use."""
    key = (str(path) if path is not None else None, backend, device)
    with _cache_lock:
        if key not in _cache:
            _cache[key] = Engine.load(path, backend, device=device)
        return _cache[key]


__all__ = ["Engine", "Description", "load_engine", "motion_magnitude", "DEFAULT_MODEL_DIR", "VARIATION_NOISE"]
