"""Add-on latency and throughput in real Blender (the bpy module), printed as a table.

    .venv/bin/python benchmarks/bench_addon.py [--model DIR] [--runtime onnx|torch|auto] [--jobs 100]

- cold: first Generate of the session (model load + first inference + keys), one 120-frame shot (goal <= 2 s)
- warm: the same click again, median of 20 (goal <= 50 ms)
- batch: `lenscraft batch` with N generate jobs, shots per second
The model is the bundled one (lenscraft_core/models/default); without it, pass --model (e.g. build/test-model from
tests/blender/tiny_model.py: the same code path on a tiny network, so model time is underestimated).
Generate uses sparse keys (the default); the add-on is used from the checkout (addon/ as a package)."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
from lenscraft_core.inference.runtime import RUNTIMES  # noqa: E402  (light: no bpy, no torch)


def scene_with_subject(bpy):
    bpy.ops.wm.read_homefile(use_empty=True)
    sc = bpy.context.scene
    sc.frame_start, sc.frame_end = 1, 120
    bpy.ops.mesh.primitive_cube_add(size=1.0, location=(0.0, 0.0, 0.9))
    bpy.context.active_object.name = "Subject"
    return sc


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="", help="model folder (default: the bundled model)")
    ap.add_argument("--runtime", default="onnx", choices=RUNTIMES)
    ap.add_argument("--jobs", type=int, default=100)
    ap.add_argument("--warm-runs", type=int, default=20)
    args = ap.parse_args()

    import bpy

    import addon
    from addon import cli, engine, gather
    from addon.generate import FOLLOWING, GenerateRequest, generate

    addon.register()
    engine.configure(generator="model", model_path=args.model, runtime=args.runtime)
    scene = scene_with_subject(bpy)
    req = GenerateRequest(subject=bpy.data.objects["Subject"], labels={"movement": "dollyIn"},
                          frame_start=1, frame_end=120)
    t0 = time.perf_counter()
    generate(scene, req)
    cold = time.perf_counter() - t0
    status = engine.model_status()
    warm = []
    for k in range(args.warm_runs):
        req.seed = k + 1
        t0 = time.perf_counter()
        generate(scene, req)
        warm.append(time.perf_counter() - t0)
    model_only = []
    labels = engine.resolve_labels({"movement": "dollyIn"}, fill=False)  # as Generate hands them over (stated only)
    subject = gather.subject_from_object(scene, bpy.data.objects["Subject"], list(range(1, 121)))
    for k in range(args.warm_runs):
        t0 = time.perf_counter()
        engine.generate_shot(subject, labels, 120, seed=k)
        model_only.append(time.perf_counter() - t0)

    scene = scene_with_subject(bpy)
    moves = [m for m in engine.FIELDS["movement"].names if m not in FOLLOWING]  # still subject
    jobs = [{"subject": "Subject", "movement": moves[i % len(moves)], "frames": "1-120", "seed": i}
            for i in range(args.jobs)]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "jobs.json"
        path.write_text(json.dumps(jobs))
        t0 = time.perf_counter()
        cli.run(["batch", str(path)], scene)
        batch = time.perf_counter() - t0

    print(f"Blender {bpy.app.version_string}; generator: {status}; model: {args.model or 'bundled'}")
    print(f"{'measure':<44}{'value':>12}  goal")
    print(f"{'cold click-to-keys, 120 frames (s)':<44}{cold:>12.3f}  <= 2 s")
    print(f"{'warm click-to-keys, 120 frames (ms, median)':<44}{1e3 * statistics.median(warm):>12.1f}  <= 50 ms")
    print(f"{'  of which generate_shot (ms, median)':<44}{1e3 * statistics.median(model_only):>12.1f}")
    print(f"{f'batch, {len(jobs)} headless jobs (shots/s)':<44}{len(jobs) / batch:>12.1f}")
    addon.unregister()  # a registered add-on left behind makes bpy crash at interpreter exit
    return 0


if __name__ == "__main__":
    sys.exit(main())
