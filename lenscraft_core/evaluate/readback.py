"""Does a generated shot do what was asked? The model's own describe reads the trajectory back: a second opinion.

The grader of the move is the geometric judge (judged.py): describe shares the model's encoder and reads one top-1
label, so it passes shots the judge sees doing extra moves (docs/EVALUATION.md). It stays for comparison with
earlier runs; like the judge, and unlike the position errors, it does not compare with one random realisation of
the instruction.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from .. import features as ft
from ..vocabulary import FIELDS

READBACK_FIELDS = ("movement", "easing")
EASING_MODE = np.array([FIELDS["easing"][n].params["mode"] for n in FIELDS["easing"].names])  # In, Out, InOut, ""


def readback(engine, pred: tuple, truth: Mapping[str, np.ndarray], labels: Mapping[str, np.ndarray]
             ) -> dict[str, np.ndarray]:
    """Per sample, movement_ok / easing_ok = describe's top label for the generated shot `pred` (positions,
    rotations, focal) is the asked one, and easing_ramp_ok = its easing has the asked ramp (NaN where the field
    was not asked). truth holds the subject's arrays (data.shot_arrays)."""
    pos, rot, focal = pred
    f = ft.encode_arrays(pos, rot, focal, truth["subject_pos"], truth["subject_rot"], truth["subject_size"], None,
                         engine.frames_internal, truth.get("person"))
    scores = engine.describe_features(f)
    asked = {name: np.asarray(labels.get(name, np.full(len(pos), -1))) for name in READBACK_FIELDS}
    said = {name: np.argmax(scores[name], -1) for name in READBACK_FIELDS}
    out = {}
    for name in READBACK_FIELDS:
        out[f"{name}_ok"] = np.where(asked[name] >= 0, (said[name] == asked[name]).astype(float), np.nan)
    # The easing's ramp alone (in, out, in-out or linear): near-twin curves (Quart / Quint / Expo) aside.
    ramp = (EASING_MODE[said["easing"]] == EASING_MODE[np.maximum(asked["easing"], 0)]).astype(float)
    out["easing_ramp_ok"] = np.where(asked["easing"] >= 0, ramp, np.nan)
    return out
