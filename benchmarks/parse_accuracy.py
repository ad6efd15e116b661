"""Per-field accuracy of the free-text prompt parser on a paraphrase set.

    .venv/bin/python benchmarks/parse_accuracy.py [file.jsonl] [--errors]

Each line is {"text", "labels": {field: label}, "kind": "single" | "combo" | "none"}. A field counts as correct only
when the parser states it (it is in Interpretation.explicit) and its label equals the expected one; a "none" line
counts as rejected when parse_prompt raises LensCraftError. --errors lists every miss. The counting is
lenscraft_core.evaluate.paraphrases, which the evaluation suite runs through the engine's parse (grammar and text
encoder); this measures the grammar alone.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

from lenscraft_core.errors import LensCraftError
from lenscraft_core.evaluate.paraphrases import load_paraphrases, score_parses
from lenscraft_core.prompt import parse_prompt
from lenscraft_core.vocabulary import FIELD_NAMES


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", nargs="?", default=str(Path(__file__).parent / "data" / "paraphrases.jsonl"))
    ap.add_argument("--errors", action="store_true", help="print every wrong or missing field")
    ap.add_argument("--half", choices=("dev", "test"), help="only the development half (the grammar was written on "
                    "it) or the held-out test half: sha256 of the prompt text, even = dev, odd = test")
    args = ap.parse_args()
    try:
        rows = load_paraphrases(args.path)
    except LensCraftError as e:
        sys.exit(str(e))
    if args.half:
        parity = 0 if args.half == "dev" else 1
        rows = [r for r in rows if int(hashlib.sha256(r["text"].encode()).hexdigest(), 16) % 2 == parity]
    s, errors = score_parses(rows, parse_prompt)

    if args.errors:
        print("\n".join(errors) + "\n")
    print(f"{'field':12s} {'correct':>9s} {'accuracy':>9s}")
    for f in FIELD_NAMES:
        if f in s["n"]:
            right, total = s["right"][f], s["n"][f]
            print(f"{f:12s} {right:4d}/{total:<4d} {100 * right / total:8.1f}%")
    all_right, all_total = sum(s["right"].values()), sum(s["n"].values())
    print(f"{'all fields':12s} {all_right:4d}/{all_total:<4d} {100 * all_right / max(all_total, 1):8.1f}%")
    if s["n_none"]:
        print(f"{'none reject':12s} {s['n_rejected']:4d}/{s['n_none']:<4d} {100 * s['n_rejected'] / s['n_none']:8.1f}%")
    print(f"wrongly rejected camera prompts: {s['wrongly_rejected']}")
    print(f"{len(rows)} prompts, {s['ms_per_prompt']:.3f} ms/prompt")


if __name__ == "__main__":
    main()
