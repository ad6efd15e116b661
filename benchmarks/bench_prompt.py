"""Prompt parsing time against prompt length: the grammar must stay linear (100 KB in well under 0.1 s per 10 KB
of growth), whatever the text repeats. Times the parser without its length cap (grammar._parse); parse_prompt itself
refuses prompts over MAX_PROMPT_CHARS.

    .venv/bin/python benchmarks/bench_prompt.py
"""

from __future__ import annotations

import time

from lenscraft_core.errors import LensCraftError
from lenscraft_core.prompt import grammar

PATTERNS = {
    "digits": "7",
    "pan left": "pan left ",
    "12 degrees": "12 degrees ",
    "1.5x": "1.5x ",
    "moves and directions": "pan tilt dolly zoom left right up ",
    "full prompt": "slow push in from a low angle, ease in-out, close-up, ",
    "negations": "no zoom, without tilting, ",
}
SIZES = (1_000, 10_000, 100_000)


def seconds(text: str, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        try:
            grammar._parse(text, None, None)
        except LensCraftError:
            pass
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    grammar.parse_prompt("pan left")  # build the phrase table once
    print(f"prompt cap: {grammar.MAX_PROMPT_CHARS:,} characters\n")
    print(f"{'pattern':<22}" + "".join(f"{n:>12,} ch" for n in SIZES) + "   100K/10K")
    for name, unit in PATTERNS.items():
        times = [seconds(unit * (n // len(unit))) for n in SIZES]
        print(f"{name:<22}" + "".join(f"{t * 1000:>12.1f} ms" for t in times) + f"   {times[2] / times[1]:>8.1f}x")


if __name__ == "__main__":
    main()
