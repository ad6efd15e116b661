"""Load time and peak memory for a large LensCraft v1 file: ijson streaming vs the stdlib streaming scanner vs a
plain json.load of the whole tree.

    .venv/bin/python benchmarks/bench_v1_load.py [--count 100000] [--plain-count 10000] [--keep]

Writes a v1 file of `count` single-instruction 30-frame simulations under /tmp (about 10 KB each, so ~1 GB for
100,000), made by replicating the real simulator samples in /work/shared/external/lenscraft-v1-sim/ with a random
offset per copy, streamed to disk. Each load runs in a fresh subprocess so its peak RSS (ru_maxrss) is its own.
json.load materialises the whole tree (many times the file size in RAM), so it runs on a smaller file of
`plain_count` simulations. The files are deleted at the end unless --keep.
"""

from __future__ import annotations

import argparse
import copy
import os
import subprocess
import sys
import time

import numpy as np

REAL = "/work/shared/external/lenscraft-v1-sim/v1_single_30f.json"

CHILD = r"""
import json, resource, sys, time
path, how = sys.argv[1], sys.argv[2]
t = time.perf_counter()
if how == "json.load":
    with open(path) as f:
        doc = json.load(f)
    n = len(doc["simulations"])
else:
    from lenscraft_core.formats.lenscraft_v1 import iter_shots
    n = sum(1 for _ in iter_shots(path, reader=how))  # stream; keep nothing
dt = time.perf_counter() - t
print(n, dt, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def jittered(count: int, seed: int = 0):
    from lenscraft_core.formats import load

    base = load(REAL).shots
    rng = np.random.default_rng(seed)
    for k in range(count):
        shot = copy.copy(base[k % len(base)])
        offset = rng.normal(size=3) * 0.5
        t = shot.trajectory
        shot.trajectory = type(t)(t.position + offset, t.rotation, t.focal_length, t.sensor_width, t.aspect, t.fps,
                                  t.frame_start)
        shot.subjects = [copy.copy(s) for s in shot.subjects]
        for s in shot.subjects:
            s.position = s.position + offset
        yield shot


def write(path: str, count: int) -> float:
    from lenscraft_core.formats import save

    if os.path.exists(path):
        os.remove(path)
    t = time.perf_counter()
    save(jittered(count), path, "lenscraft-v1")
    return time.perf_counter() - t


def measure(path: str, how: str) -> tuple[int, float, float]:
    out = subprocess.run([sys.executable, "-c", CHILD, path, how], capture_output=True, text=True, check=True)
    n, dt, rss = out.stdout.split()
    return int(n), float(dt), float(rss)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=100_000)
    ap.add_argument("--plain-count", type=int, default=10_000)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    big, small = f"/tmp/lenscraft_v1_bench_{args.count}.json", f"/tmp/lenscraft_v1_bench_{args.plain_count}.json"
    try:
        print(f"writing {args.count} simulations ... ", end="", flush=True)
        dt = write(big, args.count)
        print(f"{os.path.getsize(big) / 1e6:.0f} MB in {dt:.1f} s ({args.count / dt:,.0f} sims/s)")
        write(small, args.plain_count)
        rows = []
        for path, how in [(big, "ijson"), (big, "json"), (small, "ijson"), (small, "json"), (small, "json.load")]:
            n, dt, rss = measure(path, how)
            name = {"ijson": "ijson streaming", "json": "stdlib streaming", "json.load": "json.load (whole tree)"}[how]
            rows.append((name, n, os.path.getsize(path) / 1e6, dt, n / dt, rss))
        print(f"\n{'reader':<24}{'sims':>9}{'file MB':>9}{'load s':>9}{'sims/s':>10}{'peak RSS MB':>13}")
        for name, n, mb, dt, rate, rss in rows:
            print(f"{name:<24}{n:>9}{mb:>9.0f}{dt:>9.1f}{rate:>10,.0f}{rss:>13.0f}")
    finally:
        if not args.keep:
            for p in (big, small):
                if os.path.exists(p):
                    os.remove(p)


if __name__ == "__main__":
    main()
