"""The inference API: shots from words (generate), words from shots (describe), in-betweening (complete), prompts.

    from lenscraft_core.inference.engine import Engine, load_engine   # or the old path lenscraft_core.infer
    eng = Engine.load()                       # the bundled model (lenscraft_core/models/default/), ONNX if exported
    shots = eng.generate(subject, "slow push in from a low angle, close-up", frames=48, variations=3)
    eng.describe(shots[0]).caption
    eng.complete(shot, known_frames=[0, 20, 47])

This module loads a model and does generate and describe; beside it, prompting.py reads prompts (text encoder
choice and the nearest-label fallback), complete.py does in-betweening, decode.py turns model output into world
poses, model_dir.py finds the model and checks its metadata. Runtimes (runtime.RUNTIMES) share one numeric
interface: "onnx" (runtime.OnnxRuntime: ONNX Runtime + NumPy, imports no torch), "torch" (train/torch_runtime.py:
the checkpoint through LensCraftModel), "auto" (ONNX when its graphs match the weights, else torch).

Generation: each stated field's label text embedding (label_embeddings.npz, so no text encoder is needed for
structured instructions) becomes a decoder memory token; a field the instruction leaves open gets the model's learned
"unspecified" token. Variations come in one batch: variation 0 is exactly that; variation i > 0 (seeded) gives every
open field a random label of its vocabulary and adds Gaussian noise (VARIATION_NOISE) to the stated fields'
embeddings, so variations differ in what was left open and slightly in how the stated fields are performed.
"""

from __future__ import annotations

import threading
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from .. import features as ft
from ..body import is_person
from .. import geometry as geo
from ..errors import LensCraftError
from .. import schema
from ..schema import DEFAULT_ASPECT, DEFAULT_SENSOR_WIDTH_MM, Instruction, Shot, Subject, Trajectory
from ..vocabulary import FIELD_NAMES, FIELDS, caption
from . import complete as _complete
from . import network_segments
from ..moves import first_move_label, segment_frames, segment_instructions
from . import prompting
from . import runtime as _runtime
from .decode import decode_world, reference_shot, sensor_scale
from .conventions import model_label_embeddings
from .devices import check_device
from .planned import generate_planned
from .reading import (ESTIMATED_SUBJECT, HANDHELD_MEDIAN_SHARE, HANDHELD_MIN_SECONDS, HANDHELD_SHAKE_DEG,  # noqa: F401
                      PACE_LEVEL, ROTATION_FAST_DEG_S, ROTATION_SLOW_DEG_S, SHAKE_UNRESOLVED_DEG_S, STRONG_SHAKE_DEG,
                      TRANSLATION_FAST_PER_S, TRANSLATION_SLOW_PER_S, ZOOM_FAST_PER_S, ZOOM_SLOW_PER_S, _geometry,
                      estimated_subject, geometric_caption, motion_level, motion_magnitude, pace, person_caption,
                      person_framing,
                      read_geometry)
from .model_dir import DEFAULT_MODEL_DIR, START_NOTE, CheckpointError, checkpoint_paths, model_stem, read_meta
from .runtime import RUNTIMES, OnnxRuntime, cosine_scores, load_label_embeddings

# Names lenscraft_core.infer (this module's old path) had before the split, kept importable from here.
from ..schema import GENERATED_FOCAL_RANGE_MM as FOCAL_RANGE_MM  # noqa: F401
from .complete import _interp_frames  # noqa: F401
from .decode import clamp_lens as _clamp_lens  # noqa: F401
from .model_dir import MINILM_DIR, MODELS_DIR, read_json  # noqa: F401
from .prompting import FALLBACK_MAX_CONFIDENCE, FALLBACK_MIN_COS  # noqa: F401
from .learned import RETRAIN_HINT, MoveDecoderSession, has_move_decoder
from .runtime import BACKENDS, OnnxBackend, OnnxTextEncoder  # noqa: F401


def __getattr__(name: str):
    """TorchBackend / TorchRuntime, on first use (as in runtime.py): importing this module never imports torch."""
    if name in ("TorchRuntime", "TorchBackend"):
        return getattr(_runtime, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# generate(generator=...): the model's move decoder deciding what the words leave open (learned.py; the planner builds
# the path; the default where the model has one), the planner's operator rules for them (plan.plan_shot), or the
# autoencoder's own per-frame trajectory
GENERATORS = ("learned", "planned", "model")
VARIATION_NOISE = 0.05  # std of the noise on stated fields' embeddings for variations > 0 (unit vectors, D = 384)
BATCH = 1024  # rows per runtime call in the batch paths


# ---------------------------------------------------------------------------------------------------- describe

@dataclass
class Description:
    """describe(): what a shot looks like in the vocabulary's words. The one Description of LensCraft (the add-on
    returns this one too). `fields` are always the model's ranking; `reading` says where the caption comes from:
    "model" (the model's top labels) or "geometry" (the geometric judge: the shot has no subject, or only an
    estimated one, which the model was not trained on). docs/inference.md gives the scales."""

    fields: dict[str, list[tuple[str, float]]]  # field -> top-k [(label, score)], best first (scores sum to 1)
    caption: str  # a sentence from the top labels (vocabulary.caption) or from the judge's moves
    motion: float  # how much the camera moves (motion_magnitude(); 0 = locked off), unitless
    shake: float = 0.0  # degrees RMS of view-direction jitter (judge.Verdict.shake_deg)
    motion_magnitude: int = 0  # 0 static .. 3 strong, Kandinsky's camera-motion scale (see PACE_LEVEL)
    reading: str = "model"  # which reading the caption is: "model" or "geometry"
    geometry: dict[str, Any] = field(default_factory=dict)  # the judge's reading (movement, signed amounts, ...)
    notes: list[str] = field(default_factory=list)
    # the caption's framing clause (angle, shot size, view) on its own, so a shot described segment by segment can
    # say it after the segments (segments.shot_caption); "" when the caption has none (no subject)
    framing: str = ""

    @property
    def labels(self) -> dict[str, str]:
        return {f: ranked[0][0] for f, ranked in self.fields.items()}

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (describe --out)."""
        return {"caption": self.caption, "motion": round(self.motion, 4),
                "fields": {f: [[label, round(score, 4)] for label, score in r] for f, r in self.fields.items()},
                "shake": round(self.shake, 4), "motion_magnitude": self.motion_magnitude, "reading": self.reading,
                "geometry": self.geometry, "notes": list(self.notes), "framing": self.framing}

    def summary_lines(self) -> list[str]:
        """Printable: the caption with the numbers, the judge's reading, the model's fields."""
        g = self.geometry
        amounts = ", ".join(f"{k} {v:+.3g}" for k, v in g.get("amounts", {}).items() if k in g.get("kinds", ()))
        return ([f"{self.caption} (motion {self.motion:.2f}, magnitude {self.motion_magnitude}/3, shake "
                 f"{self.shake:.3f} deg, caption from the {self.reading})",
                 f"  {'geometry':10s} {g.get('movement', '?')}" + (f" ({amounts})" if amounts else "")]
                + [f"  {f:10s} " + ", ".join(f"{label} {score:.2f}" for label, score in r)
                   for f, r in self.fields.items()] + [f"  note: {n}" for n in self.notes])


def _runtime_arg(runtime: str, backend: str | None) -> str:
    """The runtime asked for: `runtime`, or the deprecated keyword `backend` (its old name)."""
    if backend is None:
        return runtime
    warnings.warn("backend= is deprecated: use runtime=", DeprecationWarning, stacklevel=3)
    if runtime not in ("auto", backend):
        raise LensCraftError(f"runtime '{runtime}' and backend '{backend}' disagree: give runtime only")
    return backend


def _torch_runtime(stem: Path, device: str):
    # Imported here, not at the top: it needs torch and train/, which the Blender extension does not ship.
    try:
        from ..train.torch_runtime import TorchRuntime
    except ImportError as e:
        raise LensCraftError(f"runtime 'torch' needs PyTorch and lenscraft_core.train ({e}); use runtime 'onnx'"
                             ) from None

    return TorchRuntime(stem, device)


class Engine:
    def __init__(self, runtime, label_embeddings: dict[str, np.ndarray], meta: dict, model_dir: Path):
        self.runtime = runtime  # the runtime object (runtime_name says which)
        # Two tables of the same rows: the labels' text embeddings (what prompt text is compared with), and the rows
        # the model is fed and scored with, which for a model trained under LensCraft v1's arc directions swaps
        # the Left / Right arcs (conventions.py); generate, describe and complete read the second.
        self.text_label_embeddings = label_embeddings
        self.label_embeddings = model_label_embeddings(meta, label_embeddings)
        self.meta = meta
        self.model_dir = model_dir
        cfg = meta["model_config"]
        self.frames_internal = int(cfg["frames"])
        self.decoder = cfg.get("decoder", "single_pass")
        self.tau = float(((meta.get("training") or {}).get("config") or {}).get("label_tau", 0.05))
        self.encoder_id = meta["text_encoder"]["id"]
        self._text_encoder: Any = None  # None: not chosen yet; False: none available
        self._text_lock = threading.Lock()
        self.clip_weights: str | None = None
        self.text_note: str | None = None  # why free text falls back to the grammar alone, when it does
        # Off by default, as in the add-on: on held-out prompts the text encoder's nearest labels stated more
        # fields the prompt never said than they fixed (docs/inference.md, benchmarks/bench_parse_fallback.py).
        self.prompt_fallback = False
        self.runtime_note: str | None = None  # why runtime "auto" runs on torch, when the ONNX export is unusable
        self._move_decoder: MoveDecoderSession | None = None

    # ------------------------------------------------------------------------------------------------ loading
    @classmethod
    def load(cls, path: str | Path | None = None, runtime: str = "auto", threads: int | None = None,
             device: str = "cpu", clip_weights: str | Path | None = None, *, backend: str | None = None) -> "Engine":
        """path: a model folder (model.json [+ model.safetensors, *.onnx, label_embeddings.npz]) or a checkpoint
        stem / .json; None = the bundled model. runtime: one of runtime.RUNTIMES ("auto", "onnx", "torch"; the
        keyword `backend` is its deprecated old name); "auto" runs on torch when the ONNX export is missing or
        unusable and says why in `runtime_note`. device: one of runtime.DEVICES; one this runtime lacks runs
        on the CPU and says so in `device_note`. clip_weights: the open_clip weights file a CLIP-trained model needs
        to read free-text prompts (structured labels never do)."""
        runtime = _runtime_arg(runtime, backend)
        if runtime not in RUNTIMES:
            raise LensCraftError(f"unknown runtime '{runtime}': use one of {', '.join(RUNTIMES)}")
        device = check_device(device)
        stem = model_stem(path)
        try:
            meta = read_meta(stem, check_vocabulary=True)
        except CheckpointError as e:
            if path is None and not checkpoint_paths(stem)[1].exists():
                raise CheckpointError(f"{e} (no bundled model: train one, see docs/training.md, or pass a path)"
                                      ) from None
            raise
        if "frames" not in meta["model_config"]:  # the one size the Engine reads itself (read_meta bounds it)
            raise CheckpointError(f"{checkpoint_paths(stem)[1]}: model_config.frames missing")
        model_dir = stem.parent
        sha = (meta.get("weights") or {}).get("sha256")
        runtime_note = None
        if runtime == "onnx":
            impl = OnnxRuntime(model_dir, sha, threads, device)
        elif runtime == "torch":
            impl = _torch_runtime(stem, device)
        else:
            try:
                impl = OnnxRuntime(model_dir, sha, threads, device)
            except LensCraftError as onnx_error:
                try:
                    impl = _torch_runtime(stem, device)
                except ImportError:  # no torch (or no train/, as in the extension): the ONNX problem is the news
                    raise onnx_error from None
                runtime_note = f"the ONNX export is not usable ({onnx_error}): running on torch"
        npz = model_dir / "label_embeddings.npz"
        if npz.exists():
            emb = load_label_embeddings(npz, meta["text_encoder"]["id"], meta["text_encoder"]["dim"])
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
        engine.runtime_note = runtime_note
        return engine

    @property
    def runtime_name(self) -> str:
        """The runtime the model runs on: "onnx" or "torch"."""
        return self.runtime.name

    @property
    def backend_name(self) -> str:
        """Deprecated: runtime_name."""
        return self.runtime.name

    @property
    def backend(self):
        """Deprecated: runtime (the runtime object)."""
        return self.runtime

    @backend.setter
    def backend(self, value) -> None:
        self.runtime = value

    @property
    def device(self) -> str:
        """Where the model runs ("cpu", "cuda", ...); device_note says why when it is not the one asked for."""
        return self.runtime.device

    @property
    def device_note(self) -> str | None:
        return self.runtime.device_note

    # ------------------------------------------------------------------------------------------------ prompts
    def text_encoder(self):
        """The prompt encoder (prompting.choose_text_encoder), chosen on first use; None when none is available
        for this model's text encoder (text_note then says why, when there is something to do about it)."""
        with self._text_lock:
            if self._text_encoder is None:
                enc, note = prompting.choose_text_encoder(self.encoder_id, self.runtime.name, self.clip_weights)
                self._text_encoder = enc or False
                if note is not None:
                    self.text_note = note
            return self._text_encoder or None

    def _fallback(self, text: str, fields: list) -> dict[str, tuple[str, float]]:
        """The grammar's fallback: nearest label per open field (prompting.nearest_labels)."""
        return prompting.nearest_labels(self.text_encoder(), self.text_label_embeddings, text, fields)

    def parse(self, prompt: str, defaults: Mapping[str, str] | None = None):
        """Prompt -> prompt.Interpretation: the grammar; with `prompt_fallback` on, the text encoder settles what
        it left open."""
        return prompting.parse(prompt, defaults, self._fallback if self.prompt_fallback else None)

    def _instruction(self, instruction) -> tuple[dict[str, str], dict]:
        """A prompt or {field: label} -> (stated labels, metadata for the shot)."""
        return prompting.read_instruction(instruction, self.parse)

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

    def _variation_memory(self, idx: Mapping[str, np.ndarray], k: int,
                          rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """_memory_inputs for k variations: variation 0 the plain labels, the others with N(0, VARIATION_NOISE) on
        the stated fields' embeddings (re-normalised)."""
        emb, keep = self._memory_inputs(idx, k)
        if k > 1:
            noise = rng.normal(0.0, VARIATION_NOISE, emb.shape).astype(np.float32) * keep[..., None]
            noise[0] = 0.0
            emb = emb + noise
            emb /= np.linalg.norm(emb, axis=-1, keepdims=True)
        return emb, keep

    def generate_arrays(self, features_subject: np.ndarray, motion: np.ndarray, labels: Mapping[str, np.ndarray],
                        seed: int = 0, noise: float = 0.0) -> np.ndarray:
        """Batch path: subject (N, 10), motion (N, T, 9), labels {field: (N,) int, -1 = unspecified} -> camera
        features (N, T, 10). Deterministic; noise > 0 perturbs the stated fields' embeddings (seeded)."""
        n = int(features_subject.shape[0])
        emb, keep = self._memory_inputs(labels, n, np.random.default_rng(seed), noise)
        out = [self.runtime.generate(emb[i:i + BATCH], keep[i:i + BATCH], features_subject[i:i + BATCH],
                                     motion[i:i + BATCH]) for i in range(0, n, BATCH)]
        return np.concatenate(out) if out else np.zeros((0, self.frames_internal, ft.CAM_DIM), np.float32)

    def field_embeddings(self, features: ft.Features, known: np.ndarray | None = None) -> np.ndarray:
        """Encoder output (N, n_fields, D), unit rows; known (N, T) bool marks the frames to trust (None: all)."""
        n = len(features)
        known = np.ones(features.camera.shape[:2], bool) if known is None else np.asarray(known, bool)
        out = [self.runtime.encode(features.camera[i:i + BATCH], features.subject[i:i + BATCH],
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
                                subject.rotations(frames)[None], subject.size[None], None, self.frames_internal,
                                [is_person(subject)])

    def generate(self, subject: Subject, instruction, frames: int = 30, fps: float = 24.0, seed: int = 0,
                 variations: int = 1, focal_length: float | None = None,
                 sensor_width: float = DEFAULT_SENSOR_WIDTH_MM, aspect: float = DEFAULT_ASPECT,
                 floor: float | str | None = "auto", generator: str | None = None, obstacles=(),
                 aim: np.ndarray | None = None, shake: bool = True) -> list[Shot]:
        """Shots for `subject` in world space. instruction: a prompt, or {field: label} (optionally with
        "segments": [moves.Segment or its dict] and "shake": amplitude). focal_length fixes the lens.
        floor: the ground's world height (the planner keeps plan.CLEARANCE_M above it; "auto": where the subject
        stands, its lowest corner; None: no floor; the model path keeps the camera at or above a given height).
        generator: "learned" (plan.plan_shot, the asked moves built exactly, framed by the body for a person,
        with the amounts the words leave open decided by the model's move decoder, inference/learned.py),
        "planned" (the same with the operator's rules for the open amounts; needs no model files) or "model" (the
        autoencoder's own per-frame trajectory, as evaluate measures it; several segments or moves at once are
        made segment by segment, each from where the previous one ended: network_segments.py). None (the default):
        learned when the model folder has a move decoder, else planned (metadata["notes"] says so).
        obstacles: clearance.Box list the planned path keeps out of; aim (F, 3): a point to frame instead of the
        subject's; shake: bake the asked handheld shake into the trajectory (False: leave it to the caller, as the
        add-on does with its separate layer; metadata["shake"] says how much was asked)."""
        fallback = None
        if generator is None:
            generator = "learned" if has_move_decoder(self.model_dir) else "planned"
            if generator == "planned":
                fallback = (f"{self.model_dir} has no move decoder (moves.onnx): the planner's rules decided the "
                            "amounts left open")
        if generator not in GENERATORS:
            raise LensCraftError(f"unknown generator '{generator}': use one of {', '.join(GENERATORS)}")
        if generator in ("planned", "learned"):
            decoder = self.move_decoder() if generator == "learned" else None
            shots = generate_planned(prompting.read_request(instruction, self.parse), subject, frames, fps, seed,
                                     variations, focal_length, sensor_width, aspect, floor, obstacles, aim, shake,
                                     decoder)
            for shot in shots if fallback else ():
                shot.metadata["notes"] = list(shot.metadata.get("notes", [])) + [fallback]
            return shots
        prompting.check_generate_options(frames, fps, variations, focal_length, sensor_width, aspect, floor)
        if floor == "auto":
            floor = None  # the network's own path: only a height given is kept
        req = prompting.read_request(instruction, self.parse)
        stated, meta, notes = req.stated, req.meta, []
        if network_segments.needs_segments(req):
            if getattr(self.runtime, "takes_start", False):
                return self._generate_segments(req, subject, frames, fps, seed, variations, focal_length,
                                               sensor_width, aspect, floor)
            stated = {**stated, "movement": first_move_label(req.segments)}
            notes = [f"{self.model_dir}: {START_NOTE}: only '{stated['movement']}' was made of the "
                     f"{len(req.segments)} segment(s) (re-export it, `python -m lenscraft_core export-onnx`, or use "
                     "generator='learned', which makes them all)"]
        f = self._subject_features(subject, frames)
        k, rng = variations, np.random.default_rng(seed)
        idx = {name: np.full(k, FIELDS[name].index(stated[name]) if name in stated else -1, np.int64)
               for name in FIELD_NAMES}
        for name in FIELD_NAMES:  # variations > 0 pick a label for every open field
            if name not in stated and k > 1:
                idx[name][1:] = rng.integers(0, len(FIELDS[name]), k - 1)
        emb, keep = self._variation_memory(idx, k, rng)
        fk = f.subset(np.zeros(k, int))  # the subject once per variation
        camera = self.runtime.generate(emb, keep, fk.subject, fk.motion)
        # "static" means the camera holds still: the model picks the placement, lens and framing (its first frame)
        # and the shot keeps them. The network's own static shots drift a little (docs/MODEL_CARD.md), which would
        # put keys on a locked-off camera. (evaluate measures the network as it is, without this.)
        still = idx["movement"] == FIELDS["movement"].index("static")
        camera[still] = camera[still, :1]
        pos, quat, focal = decode_world(camera, fk.anchor, frames)  # on the reference sensor
        pos, focal = self._lens_on_sensor(pos, focal, subject.positions(frames)[None], focal_length, sensor_width,
                                          aspect)
        shots = []
        for i in range(k):
            labels = {name: FIELDS[name].names[int(idx[name][i])] for name in FIELD_NAMES if idx[name][i] >= 0}
            if floor is not None:
                pos[i], quat[i] = geo.keep_above_floor(pos[i], quat[i], subject.positions(frames), float(floor))
            traj = Trajectory(pos[i], quat[i], focal[i], sensor_width, aspect, float(fps), 1)
            ins = Instruction(**labels, start=0, count=frames, source="user")
            shots.append(Shot(traj, [subject], [ins], name=f"generated-{seed}-{i}",
                              metadata={**meta, "generator": f"lenscraft/{self.runtime.name}", "seed": seed,
                                        "variation": i, **({"notes": list(notes)} if notes else {})}))
        return shots

    def _generate_segments(self, req: prompting.Request, subject: Subject, frames: int, fps: float, seed: int,
                           variations: int, focal_length: float | None, sensor_width: float, aspect: float,
                           floor: float | None) -> list[Shot]:
        """generate(generator="model") of several segments or moves at once: network_segments.py."""
        self._subject_features(subject, frames)  # the subject checked against the shot's frames first
        rng = np.random.default_rng(seed)
        labels = network_segments.variation_labels(req, variations, rng)
        spans = segment_frames(req.segments, frames, fps)
        paths, notes = network_segments.generate_segments(self, req, subject, spans, fps, labels, rng)
        centre = subject.positions(frames)[None]
        shots = []
        for i, (pos, quat, focal) in enumerate(paths):
            instructions = segment_instructions(req.segments, spans, labels[i])
            pos, focal = self._lens_on_sensor(pos[None], focal[None], centre, focal_length, sensor_width, aspect)
            pos, focal = pos[0], focal[0]
            if floor is not None:
                pos, quat = geo.keep_above_floor(pos, quat, subject.positions(frames), float(floor))
            traj = Trajectory(pos, quat, focal, sensor_width, aspect, float(fps), 1)
            meta = {**req.meta, "segments": [s.as_dict() for s in req.segments],
                    "segment_frames": [list(sp) for sp in spans], "generator": f"lenscraft/{self.runtime.name}",
                    "seed": seed, "variation": i}
            if notes:
                meta["notes"] = list(notes)
            shots.append(Shot(traj, [subject], instructions, name=f"generated-{seed}-{i}", metadata=meta))
        return shots

    def move_decoder(self) -> MoveDecoderSession:
        """The model folder's move decoder (moves.onnx), loaded on first use."""
        if self._move_decoder is None:
            if not has_move_decoder(self.model_dir):
                raise LensCraftError(f"{self.model_dir}: this model has no move decoder (moves.json / moves.onnx); "
                                     f"{RETRAIN_HINT}, or use generator='planned'")
            self._move_decoder = MoveDecoderSession(self.model_dir, self.text_label_embeddings["movement"])
        return self._move_decoder

    @staticmethod
    def _lens_on_sensor(pos: np.ndarray, focal: np.ndarray, centre: np.ndarray, focal_length: float | None,
                        sensor_width: float, aspect: float) -> tuple[np.ndarray, np.ndarray]:
        """Decoded cameras on the reference sensor -> on the asked one, with the same framing: the lens scales
        with the sensor (decode.sensor_scale). A fixed focal_length (on the asked sensor) is the reference lens
        focal_length / scale, reached by scaling the camera's distance to the subject (keeping its size on screen);
        so is a converted lens outside schema.FOCAL_RANGE_MM, clipped into it (sensors of a few mm)."""
        k = sensor_scale(sensor_width, aspect)
        want = focal * k if focal_length is None else np.full_like(focal, float(focal_length))
        lens = np.clip(want, *schema.FOCAL_RANGE_MM) if focal_length is None else want
        if focal_length is not None or np.any(lens != want):
            pos = centre + (pos - centre) * (lens / (focal * k))[..., None]
        return pos, lens

    def describe(self, shot: Shot, top_k: int = 3) -> Description:
        """Ranked labels per field (top_k), a caption, the motion magnitude, the shake and the geometric judge's
        reading of a shot (its first instruction's span and subject; Shot.split() a multi-instruction shot first).
        With a real subject the caption is the model's (reading "model"); with none, or only a reader's estimate
        (estimated_subject), it is the judge's, read without a subject (reading "geometry"): the judge estimates
        the point the view rays meet when they agree, else reads camera-only motion. The model's fields are given
        either way (on an estimated subject they are a second opinion)."""
        geometric = estimated_subject(shot)
        model_shot = shot
        if shot.subject is None:  # the model needs a subject: the readers' placeholder (a second opinion only)
            from ..formats.c2w import default_subject

            t = shot.trajectory
            model_shot = Shot(t, [default_subject(t.position, geo.quat_to_matrix(t.rotation))[0]],
                              shot.instructions, shot.name, shot.metadata)
        f = ft.encode_shot(reference_shot(model_shot), self.frames_internal)  # the lens as on the model's sensor
        scores = self.describe_features(f)
        ranked = {}
        for name in FIELD_NAMES:
            s = scores[name][0]
            order = np.argsort(-s)[:max(1, top_k)]
            ranked[name] = [(FIELDS[name].names[j], float(s[j])) for j in order]
        labels = {name: r[0][0] for name, r in ranked.items()}
        v, speeds, handheld = read_geometry(shot, None if geometric else shot.subject)
        notes = list(v.notes)
        person = not geometric and is_person(shot.subject)
        framing = ""
        if geometric:
            text = geometric_caption(v, speeds, handheld)
            notes.insert(0, "no subject given" if shot.subject is None else "the subject is the reader's estimate")
            notes[0] += ": the caption is the geometric reading (the model was trained with real subjects)"
        elif person:
            framing = person_framing(shot, labels["view"])
            text = person_caption(v, speeds, handheld, framing)
            notes.insert(0, "a person: the caption is the judge's reading of the move with the body's shot size and "
                            "angle (body.py); the model's fields are a second opinion")
        else:
            text = caption(labels) + (", handheld" if handheld else "")
            framing = caption({f: labels[f] for f in ("angle", "shot_type", "view")})
        return Description(ranked, text, motion_magnitude(shot.trajectory, shot.subject), v.shake_deg,
                           motion_level(v, speeds, handheld), "geometry" if geometric or person else "model",
                           {**_geometry(v, speeds), "handheld": handheld}, notes, framing)

    def complete(self, shot: Shot, known_frames: Sequence[int], instruction=None,
                 rotation_mode: str = "XYZ") -> Shot:
        """Fill in a shot from its key frames (complete.py; its docstring and docs/inference.md say more). What a
        user's keys already give is Blender's own interpolation of them (auto-clamped Bezier per channel), so the
        fill never does worse than that: when the keys read as a move around the subject (an arc keeps its
        distance, a follow its offset) the frames between keys are interpolated around the subject, with the
        timing Blender would give (or the stated easing); otherwise the keys are kept as Blender interpolates them
        (metadata["complete_kept_keys"] is True and metadata["complete_note"] says why), unless the instruction
        states an easing for the move to follow. The key poses pass through exactly. instruction ({field: label}
        or a prompt) sets the result's labels for the fields it states. rotation_mode: the channels the keys were
        set in (an Euler order such as "XYZ", or "QUATERNION"), which Blender's interpolation works in."""
        return _complete.complete(self, shot, known_frames, instruction, rotation_mode)


_cache: dict[tuple, Engine] = {}
_cache_lock = threading.Lock()


def load_engine(path: str | Path | None = None, runtime: str = "auto", device: str = "cpu", *,
                backend: str | None = None) -> Engine:
    """A cached Engine (the bundled model by default): what the add-on and the CLI use. `backend` is the deprecated
    old name of `runtime`."""
    runtime = _runtime_arg(runtime, backend)
    key = (str(path) if path is not None else None, runtime, device)
    with _cache_lock:
        if key not in _cache:
            _cache[key] = Engine.load(path, runtime, device=device)
        return _cache[key]


__all__ = ["Engine", "Description", "load_engine", "motion_magnitude", "DEFAULT_MODEL_DIR", "VARIATION_NOISE",
           "RUNTIMES", "estimated_subject", "geometric_caption", "motion_level", "pace", "read_geometry",
           "HANDHELD_SHAKE_DEG"]
