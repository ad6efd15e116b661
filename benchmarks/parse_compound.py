"""The prompt parser on compound and sequential prompts it never saw (tests/data/compound_prompts_heldout.json, written
by someone who did not read the grammar; tests/data/compound_prompts_heldout.md says how; the first such set,
compound_prompts.json, became the development set once its misses were read): a prompt is right when every
segment's moves (label: kind and direction), their order and the holds are right; amounts and speeds are scored
where the set gives them.

    .venv/bin/python benchmarks/parse_compound.py              # the held-out set (tests/data/compound_prompts_heldout)
    .venv/bin/python benchmarks/parse_compound.py --set heldout2    # the second unseen set (150 prompts)
    .venv/bin/python benchmarks/parse_compound.py --set dev --show-misses 20
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lenscraft_core.prompt import parse_prompt  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
SETS = {"dev": DATA / "compound_prompts.json",  # read while fixing the grammar: a development set
        "heldout": DATA / "compound_prompts_heldout.json",  # never read by the grammar's authors
        "heldout2": DATA / "compound_prompts_heldout2.json"}  # a third set, 2026-12-04, by a writer who never saw it


def _moves(segment) -> frozenset:
    return frozenset(m.movement for m in segment.moves)


def score(entries: list[dict]) -> tuple[dict, list]:
    rows: dict = defaultdict(lambda: {"n": 0, "moves": 0, "amount": [0, 0], "speed": [0, 0]})
    misses = []
    for e in entries:
        want = [frozenset(m["movement"] for m in seg) for seg in e["segments"]]
        try:
            interp = parse_prompt(e["prompt"])
            got = [_moves(s) for s in interp.segments]
        except Exception as err:  # noqa: BLE001  (a refused prompt is a miss, reported)
            got, interp = [f"error: {err}"], None
        for cat in (e.get("category", "all"), "all"):
            r = rows[cat]
            r["n"] += 1
            r["moves"] += got == want
        if got != want:
            misses.append((e["prompt"], [sorted(w) for w in want], [sorted(g) if isinstance(g, frozenset) else g
                                                                        for g in got]))
            continue
        for seg_want, seg_got in zip(e["segments"], interp.segments):
            by_name = {m.movement: m for m in seg_got.moves}
            for m in seg_want:
                for key in ("amount", "speed"):
                    if key in m:
                        for cat in (e.get("category", "all"), "all"):
                            rows[cat][key][1] += 1
                            got_v = getattr(by_name[m["movement"]], key)
                            ok = (got_v is not None and abs(got_v - m[key]) < 1e-6 * max(1, abs(m[key])))\
                                if key == "amount" else got_v == m[key]
                            rows[cat][key][0] += ok
    return rows, misses


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", choices=SETS, default="heldout",
                    help="heldout (default: the honest number), heldout2 (a second unseen set) or dev (the set the "
                         "grammar was fixed on)")
    ap.add_argument("--show-misses", type=int, default=0, help="print misses (dev set only: keep held-out unseen)")
    args = ap.parse_args()
    if args.set.startswith("heldout") and args.show_misses:
        ap.error("--show-misses reads the held-out set's misses, which would make it a development set: use --set dev")
    entries = json.loads(SETS[args.set].read_text())
    rows, misses = score(entries)
    print(f"{'category':14s} {'prompts':>7s} {'segments, moves, directions, order':>36s} {'amounts':>10s} "
          f"{'speeds':>10s}")
    for cat in sorted(rows, key=lambda c: (c == "all", c)):
        r = rows[cat]
        pct = lambda a, b: f"{100 * a / b:.1f}%" if b else "-"  # noqa: E731
        print(f"{cat:14s} {r['n']:7d} {pct(r['moves'], r['n']):>36s} {pct(*r['amount']):>10s} "
              f"{pct(*r['speed']):>10s}")
    for prompt, want, got in misses[:args.show_misses]:
        print(f"- {prompt}\n    want {want}\n    got  {got}")


if __name__ == "__main__":
    main()
