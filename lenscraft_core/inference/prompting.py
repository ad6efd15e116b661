"""How the Engine reads what the user asked for: the prompt's text encoder (MiniLM on ONNX Runtime or
sentence-transformers, or a CLIP model's open_clip tower), the nearest-label fallback for what the grammar left
open, and instructions ({field: label} or a prompt) turned into stated labels.

The grammar (prompt/grammar.py) reads a prompt first; the text encoder only settles the fields it could not.
Structured {field: label} instructions never need a text encoder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np

from .. import schema
from ..errors import LensCraftError
from ..moves import Segment
from ..vocabulary import FIELD_NAMES, FIELDS
from .model_dir import MINILM_DIR
from .runtime import OnnxTextEncoder

FALLBACK_MIN_COS = 0.57  # a prompt piece must be this close to a label description (0.5 let "slow" pick an easing)
FALLBACK_MAX_CONFIDENCE = 0.9  # the fallback never outranks a label the grammar named (confidence 1)
FALLBACK_MAX_CLAUSES = 24  # distinct clauses the fallback reads besides the whole prompt (a shot description has few)
ENCODE_BATCH = 8  # prompt pieces per text-encoder call


def choose_text_encoder(encoder_id: str, runtime_name: str, clip_weights: str | None):
    """(encoder or None, note or None): the prompt encoder for a model trained with `encoder_id`. MiniLM runs on ONNX
    Runtime when the model does (no torch; none when its folder is absent, as in the Blender extension, which does
    not ship it: then the grammar reads prompts alone, never something else found installed), else through
    sentence-transformers with the ONNX one as the fallback; a CLIP-trained model needs its open_clip weights file.
    The note says why free text uses the grammar alone."""
    if encoder_id == OnnxTextEncoder.id:
        if runtime_name == "onnx":
            return _onnx_minilm() if (MINILM_DIR / "minilm.onnx").exists() else (None, None)
        try:
            from ..text.encoders import MiniLMEncoder

            return MiniLMEncoder(), None
        except Exception:  # noqa: BLE001  (not installed, or a broken install: the ONNX copy, else the grammar)
            if (MINILM_DIR / "minilm.onnx").exists():
                return _onnx_minilm()
        return None, None
    if encoder_id.startswith("open_clip/"):
        return open_clip_encoder(encoder_id, clip_weights)
    return None, None


def _onnx_minilm():
    """(the bundled offline MiniLM, None), or (None, why) when its files are damaged: free text then uses the
    grammar alone instead of failing every prompt."""
    try:
        return OnnxTextEncoder(MINILM_DIR), None
    except LensCraftError as e:
        return None, f"the offline text encoder is unusable ({e}): free text uses the grammar alone"


def open_clip_encoder(encoder_id: str, clip_weights: str | None):
    """(encoder or None, note or None): the open_clip text tower of a CLIP-trained model, from clip_weights (needs
    torch + open_clip)."""
    if not clip_weights:
        return None, f"the model uses {encoder_id}: give its open_clip weights file to read free text"
    from ..text.encoders import OpenCLIPEncoder

    try:
        enc = OpenCLIPEncoder(encoder_id.split("/")[1], weights=clip_weights)
    except LensCraftError as e:
        return None, str(e)
    if enc.id != encoder_id:
        return None, (f"{clip_weights} is {enc.id}, the model was trained with {encoder_id}: "
                      "free text uses the grammar alone")
    return enc, None


def nearest_labels(encoder, label_embeddings: Mapping[str, np.ndarray], text: str,
                   fields: list) -> dict[str, tuple[str, float]]:
    """Nearest label description per field among the prompt and its distinct clauses (the first
    FALLBACK_MAX_CLAUSES), cosine >= FALLBACK_MIN_COS."""
    if encoder is None or not fields:
        return {}
    clauses = dict.fromkeys(p.strip() for p in re.split(r"[,;.]|\bthen\b", text) if p.strip() and p.strip() != text)
    pieces = [text] + list(clauses)[:FALLBACK_MAX_CLAUSES]
    # A few pieces per call: the encoder pads a call to its longest piece (the whole prompt, up to 256 tokens), so
    # one call with every clause of a 4,000-character prompt asked ONNX Runtime for gigabytes.
    emb = np.concatenate([encoder.encode(pieces[i:i + ENCODE_BATCH]) for i in range(0, len(pieces), ENCODE_BATCH)])
    out = {}
    for f in fields:
        cos = emb @ label_embeddings[f].T  # (pieces, labels)
        best = float(cos.max())
        if best >= FALLBACK_MIN_COS:
            label = FIELDS[f].names[int(cos.max(0).argmax())]
            out[f] = (label, min(best, FALLBACK_MAX_CONFIDENCE))
    return out


def parse(prompt: str, defaults: Mapping[str, str] | None, fallback: Callable):
    """Prompt -> prompt.Interpretation: the grammar, with `fallback` settling what it left open."""
    from ..prompt.grammar import parse_prompt

    return parse_prompt(prompt, defaults, fallback=fallback)


@dataclass
class Request:
    """What a generate call asks for: the stated labels, the segments (moves.Segment; None = the movement label's),
    the handheld shake amplitude (None = not said) and metadata for the shot (the prompt, how it was understood,
    what was ignored)."""

    stated: dict[str, str]
    segments: list[Segment] | None = None
    shake: float | None = None
    meta: dict = field(default_factory=dict)


def check_generate_options(frames, fps, variations, focal_length, sensor_width, aspect, floor) -> None:
    """generate's numeric options, checked once for every generator: a LensCraftError naming the option."""
    if isinstance(frames, bool) or not isinstance(frames, (int, np.integer)) or not 2 <= frames <= schema.MAX_FRAMES:
        raise LensCraftError(f"frames must be a whole number in 2-{schema.MAX_FRAMES}, got {frames!r}")
    if isinstance(variations, bool) or not isinstance(variations, (int, np.integer)) or variations < 1:
        raise LensCraftError(f"variations must be at least 1, got {variations!r}")
    for name, value, (lo, hi) in (("sensor_width", sensor_width, schema.SENSOR_RANGE_MM),
                                  ("aspect", aspect, schema.ASPECT_RANGE),
                                  ("focal_length", focal_length, schema.FOCAL_RANGE_MM),
                                  ("fps", fps, schema.FPS_RANGE)):
        if value is not None and not (schema.is_finite_number(value) and lo <= value <= hi):
            raise LensCraftError(f"{name} must be a number in {lo:g}-{hi:g}, got {value!r}")
    if floor is not None and floor != "auto" and not schema.is_finite_number(floor):
        raise LensCraftError(f"floor must be a finite world height, 'auto' or None, got {floor!r}")


def read_request(instruction, parse_prompt: Callable) -> Request:
    """A prompt, {field: label} (optionally with "segments": [Segment or its dict] and "shake": amplitude) or None
    -> Request; parse_prompt reads a prompt string."""
    if instruction is None:
        return Request({})
    if isinstance(instruction, str):
        interp = parse_prompt(instruction)
        stated = {f: interp.labels[f] for f in FIELD_NAMES if interp.source.get(f) != "default"}
        meta = {"prompt": instruction, "understood_as": interp.summary()}
        if interp.ignored:
            meta["ignored"] = [list(i) for i in interp.ignored]
        return Request(stated, list(interp.segments) or None, interp.shake, meta)
    if not isinstance(instruction, Mapping):
        raise LensCraftError(f"instruction must be a prompt string or {{field: label}}, got "
                             f"{type(instruction).__name__}")
    stated, segments, shake = {}, None, None
    for f, v in instruction.items():
        if f == "segments":
            if v is not None:
                if not isinstance(v, (list, tuple)) or not all(isinstance(s, (Segment, Mapping)) for s in v):
                    raise LensCraftError("instruction: segments must be a list of moves.Segment or their dicts "
                                         "({'moves': [{'movement': ..., 'amount': ...}], 'easing': ..., 'share': ...})")
                segments = [s if isinstance(s, Segment) else Segment.from_dict(s) for s in v]
        elif f == "shake":
            if v is not None and not (isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 10):
                raise LensCraftError(f"instruction: shake must be an amplitude in 0-10, got {v!r}")
            shake = v
        elif f not in FIELDS:
            raise LensCraftError(f"instruction: unknown field '{f}' (fields: {', '.join(FIELD_NAMES)}, segments, "
                                 "shake)")
        elif v is not None:
            stated[f] = FIELDS[f].resolve(v)
    return Request(stated, segments, shake)


def read_instruction(instruction, parse_prompt: Callable) -> tuple[dict[str, str], dict]:
    """A prompt or {field: label} -> (stated labels, metadata for the shot) (read_request's first and last)."""
    req = read_request(instruction, parse_prompt)
    return req.stated, req.meta
