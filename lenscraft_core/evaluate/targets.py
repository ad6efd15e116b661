"""The targets a model is held to, as data, and the verdict: each target with the measured value and pass/fail.

The bars come from the issue that set up the suite, except the move read back (our own: the issue sets none); on
held-out combinations the retrieval baseline's own value is the bar. The geometric judge's bars are issue 12's:
the judged move is the asked one on >= 95 % of a person subject's shots, with full and with partial instructions,
and the clean-curve limits hold on >= 95 % of shots. Each verdict entry names its grader: the geometric judge, or
describe (the model's own read-back, a second opinion).
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from .judged import FOCAL_DRIFT_MAX_PCT, ROLL_DRIFT_MAX_DEG

# describe's movement top-1 per split
DESCRIBE_MOVEMENT = {"iid": 0.95, "v1": 0.80}
# generation, on the simulated splits: (name, metric, bar)
GENERATION = (("subject on screen", "on_screen", 0.99),
              ("first-frame shot type", "shot_type_ok", 0.95),
              ("first-frame angle", "angle_ok", 0.95),
              ("generated move read back as asked", "movement_ok", 0.90))  # the asked move in 9 of 10 shots
GENERATION_SPLITS = ("iid", "heldout")
PARAPHRASE_PARSE = 0.90  # every field
# the geometric judge (judged.py) on the person-sized subject, per instruction mode: (name, key, bar)
JUDGE_MOVE = ("generated move judged as asked (geometric judge)", "judged_as_asked", 0.95)
JUDGE_CLEAN = ((f"focal drift < {FOCAL_DRIFT_MAX_PCT:g} % on non-zoom moves", "focal_within_limit_share", 0.95),
               (f"roll drift < {ROLL_DRIFT_MAX_DEG:g} deg on non-roll moves", "roll_within_limit_share", 0.95),
               ("one speed hump on single-hump easings", "one_speed_hump_share", 0.95))
# held-out combinations: the model against the retrieval baseline (errors no higher, shares no lower)
BEAT_RETRIEVAL_LOWER = ("position_err", "rotation_err_deg", "translation_deg")
BEAT_RETRIEVAL_HIGHER = ("on_screen", "shot_type_ok", "angle_ok", "movement_ok", "judged_ok")
# who grades a move target: the geometric judge, or the model's own describe reading its shot back
JUDGE, DESCRIBE = "geometric judge", "describe read-back (second opinion)"
GRADER = {"movement_ok": DESCRIBE, "judged_ok": JUDGE}


def verdict(r: Mapping[str, Any]) -> dict[str, Any]:
    """Every target above that the results `r` have a value for: {name: {"value", "target", "ok"}} (ok None when
    the value is missing or not finite)."""
    out: dict[str, Any] = {}

    def check(name, value, target, higher=True, grader=None):
        ok = None if value is None or not np.isfinite(value) else bool(value >= target if higher else value <= target)
        out[name] = {"value": value, "target": target, "ok": ok}
        if grader:
            out[name]["grader"] = grader

    check("describe movement top-1, iid", r["iid"]["describe"]["movement"]["top1"], DESCRIBE_MOVEMENT["iid"])
    if "v1" in r and "overall" in r["v1"]:
        check("describe movement top-1, v1", r["v1"]["overall"]["describe"]["movement"]["top1"],
              DESCRIBE_MOVEMENT["v1"])
    for split in GENERATION_SPLITS:
        g = r[split]["generation"]["model"]
        for name, metric, bar in GENERATION:
            check(f"{name}, {split}", g[metric], bar, grader=GRADER.get(metric))
        j = r[split].get("judge", {}).get("model", {})
        for mode in ("full", "partial"):
            if f"{mode}_person" in j:
                name, key, bar = JUDGE_MOVE
                check(f"{name}, {split}, {mode} instructions, person", j[f"{mode}_person"][key], bar, grader=JUDGE)
        if "all" in j:
            for name, key, bar in JUDGE_CLEAN:
                check(f"{name}, {split}, all cells", j["all"][key], bar, grader=JUDGE)
    if "paraphrases" in r:
        for f, a in r["paraphrases"]["accuracy"].items():
            check(f"paraphrase parse {f}", a, PARAPHRASE_PARSE)
    h = r["heldout"]["generation"]
    for m in BEAT_RETRIEVAL_LOWER:
        check(f"heldout {m}: model <= retrieval", h["model"][m], h["retrieval"][m], higher=False)
    for m in BEAT_RETRIEVAL_HIGHER:
        if m in h["model"]:
            check(f"heldout {m}: model >= retrieval", h["model"][m], h["retrieval"][m], grader=GRADER.get(m))
    return out
