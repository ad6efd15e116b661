"""Simulator throughput: shots per second for several batch sizes (30 frames, and one 120-frame row).

    .venv/bin/python benchmarks/bench_simulate.py [--repeat 3]

Each row is the best of --repeat runs of simulate_batch (random labels, quality gates and redraws included)."""

from __future__ import annotations

import argparse
import os
import platform
import time

from lenscraft_core.simulate import simulate_batch


def bench(n: int, frames: int, repeat: int) -> tuple[float, str]:
    best, report = float("inf"), None
    for r in range(repeat):
        t0 = time.perf_counter()
        _, report = simulate_batch(n, frames=frames, seed=r, return_report=True)
        best = min(best, time.perf_counter() - t0)
    return n / best, f"{100 * report.rejection_rate:.2f}%"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"| {'batch':>7} | {'frames':>6} | {'shots/s':>9} | {'rejected':>8} |")
    print(f"| {'-' * 7} | {'-' * 6} | {'-' * 9} | {'-' * 8} |")
    for n, frames in ((256, 30), (1024, 30), (4096, 30), (16384, 30), (65536, 30), (4096, 120)):
        rate, rejected = bench(n, frames, args.repeat)
        print(f"| {n:>7} | {frames:>6} | {rate:>9,.0f} | {rejected:>8} |")


if __name__ == "__main__":
    main()
