"""Parse accuracy on a paraphrase set (benchmarks/data/paraphrases.jsonl): each line is {"text", "labels": {field:
label}, "kind"}. A field counts as right only when the parser states it (it is in Interpretation.explicit) with the
expected label; a line without labels (no camera in it) counts as rejected when the parser raises LensCraftError.
The suite scores engine.parse with it, benchmarks/parse_accuracy.py the grammar alone."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Callable

from ..errors import LensCraftError
from ..vocabulary import FIELD_NAMES
from .data import PARAPHRASES


def load_paraphrases(path: str | Path) -> list[dict]:
    """The JSON lines of `path` (blank lines skipped); LensCraftError names the line that is not JSON."""
    path = Path(path)
    rows = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise LensCraftError(f"{path}:{i}: not JSON: {e}") from None
    return rows


def score_parses(rows: list[dict], parse: Callable[[str], Any]) -> tuple[dict[str, Any], list[str]]:
    """Run parse(text) -> Interpretation over the rows. Returns (the summary: per-field accuracy and counts, all
    fields, share of no-camera prompts rejected, camera prompts wrongly rejected, ms per prompt; one line per miss)."""
    total = {f: 0 for f in FIELD_NAMES}
    right = {f: 0 for f in FIELD_NAMES}
    nones = rejected = false_rejects = 0
    errors = []
    t0 = time.perf_counter()
    for row in rows:
        expected = row["labels"]
        try:
            interp = parse(row["text"])
        except LensCraftError:
            interp = None
        if not expected:
            nones += 1
            rejected += interp is None
            if interp is not None:
                errors.append(f"NOT REJECTED  {row['text']!r}: {interp.summary()}")
            continue
        false_rejects += interp is None
        for f, label in expected.items():
            total[f] += 1
            got = interp.labels[f] if interp is not None and f in interp.explicit else None
            right[f] += got == label
            if got != label:
                errors.append(f"{f:9s} want {label:18s} got {got or '-':18s} {row['text']!r}")
    ms = (time.perf_counter() - t0) * 1000 / max(len(rows), 1)
    summary = {"accuracy": {f: right[f] / total[f] for f in FIELD_NAMES if total[f]},
               "n": {f: total[f] for f in FIELD_NAMES if total[f]},
               "right": {f: right[f] for f in FIELD_NAMES if total[f]},
               "all_fields": sum(right.values()) / max(sum(total.values()), 1),
               "none_rejected": rejected / nones if nones else float("nan"), "n_none": nones,
               "n_rejected": rejected, "wrongly_rejected": false_rejects, "prompts": len(rows), "ms_per_prompt": ms}
    return summary, errors


def paraphrase_accuracy(engine, path: str | Path | None = PARAPHRASES, limit: int | None = None) -> dict[str, Any]:
    """score_parses of engine.parse over the file at `path`; with `limit`, an even spread of limit prompts plus every
    no-camera prompt (few, and the only rejection test)."""
    if path is None:
        raise LensCraftError("no paraphrase file: pass one (--paraphrases); only a development checkout has a default")
    rows = load_paraphrases(path)
    if limit:
        rows = rows[::max(1, len(rows) // limit)][:limit] + [r for r in rows if not r["labels"]]
    return score_parses(rows, engine.parse)[0]
