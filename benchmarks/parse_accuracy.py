"""Per-field accuracy of the free-text prompt parser on a paraphrase set.

    .venv/bin/python benchmarks/parse_accuracy.py [file.jsonl] [--errors]

Each line is {"text", "labels": {field: label}, "kind": "single" | "combo" | "none"}. A field counts as correct only
when the parser states it (it is in Interpretation.explicit) and its label equals the expected one; a "none" line
counts as rejected when parse_prompt raises LensCraftError. --errors lists every miss.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

from lenscraft_core.errors import LensCraftError
from lenscraft_core.prompt import parse_prompt
from lenscraft_core.vocabulary import FIELD_NAMES


def load(path: Path) -> list[dict]:
    rows = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as e:
                sys.exit(f"{path}:{i}: not JSON: {e}")
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", nargs="?", default=str(Path(__file__).parent / "data" / "paraphrases.jsonl"))
    ap.add_argument("--errors", action="store_true", help="print every wrong or missing field")
    ap.add_argument("--half", choices=("dev", "test"), help="only the development half (the grammar was written on "
                    "it) or the held-out test half: sha256 of the prompt text, even = dev, odd = test")
    args = ap.parse_args()
    rows = load(Path(args.path))
    if args.half:
        parity = 0 if args.half == "dev" else 1
        rows = [r for r in rows if int(hashlib.sha256(r["text"].encode()).hexdigest(), 16) % 2 == parity]

    total = {f: 0 for f in FIELD_NAMES}
    right = {f: 0 for f in FIELD_NAMES}
    nones = rejected = false_rejects = 0
    errors = []
    t0 = time.perf_counter()
    for row in rows:
        expected = row["labels"]
        try:
            interp = parse_prompt(row["text"])
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

    if args.errors:
        print("\n".join(errors) + "\n")
    print(f"{'field':12s} {'correct':>9s} {'accuracy':>9s}")
    for f in FIELD_NAMES:
        if total[f]:
            print(f"{f:12s} {right[f]:4d}/{total[f]:<4d} {100 * right[f] / total[f]:8.1f}%")
    all_right, all_total = sum(right.values()), sum(total.values())
    print(f"{'all fields':12s} {all_right:4d}/{all_total:<4d} {100 * all_right / max(all_total, 1):8.1f}%")
    if nones:
        print(f"{'none reject':12s} {rejected:4d}/{nones:<4d} {100 * rejected / nones:8.1f}%")
    print(f"wrongly rejected camera prompts: {false_rejects}")
    print(f"{len(rows)} prompts, {ms:.3f} ms/prompt")


if __name__ == "__main__":
    main()
