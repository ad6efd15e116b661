"""Inference speed: one shot (ONNX Runtime vs torch eager), batch throughput, KV-cached vs recomputed autoregressive
decoding, and cold start without torch. Prints a markdown table (numbers go to docs/inference.md).

    .venv/bin/python benchmarks/bench_infer.py                 # the bundled model if it loads, else a random 'base'
    .venv/bin/python benchmarks/bench_infer.py --model DIR --threads 1

Weights do not change the timings, so a random model of the bundled size stands in when needed.
"""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def p50(fn, n: int) -> float:
    fn()
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return float(np.median(times))


def random_model(folder: Path, preset: str | dict, decoder: str = "single_pass") -> Path:
    import torch

    from lenscraft_core.train import checkpoint as ckpt
    from lenscraft_core.train.export import export_onnx
    from lenscraft_core.train.model import PRESETS, LensCraftModel, ModelConfig
    from lenscraft_core.vocabulary import FIELD_NAMES, FIELDS

    torch.manual_seed(0)
    cfg = dict(PRESETS[preset]) if isinstance(preset, str) else dict(preset)
    model = LensCraftModel(ModelConfig(**{**cfg, "decoder": decoder})).eval()
    ckpt.save(folder / "model", model, "minilm-l6-v2", 384)
    if decoder == "single_pass":
        rng = np.random.default_rng(0)
        emb = {f: rng.normal(size=(len(FIELDS[f]), 384)).astype(np.float32) for f in FIELD_NAMES}
        export_onnx(folder, label_embeddings={f: e / np.linalg.norm(e, axis=1, keepdims=True) for f, e in emb.items()})
    return folder


def complete_vs_linear(eng, n: int = 24, frames: int = 48, every: int = 12) -> tuple[float, float]:
    """Mean in-between position error / subject extent of complete() and of linear interpolation between the same
    key frames, on simulated arcs (orbits); meaningful with trained weights only."""
    from lenscraft_core.simulate import simulate_batch
    from lenscraft_core.vocabulary import FIELDS

    arcs = [i for i, name in enumerate(FIELDS["movement"].names) if "Arc" in name or "orbit" in name.lower()]
    batch = simulate_batch(n, frames=frames, seed=7, labels={"movement": np.array(arcs)[np.arange(n) % len(arcs)]})
    keys = np.unique(np.r_[np.arange(0, frames, every), frames - 1])
    mid = np.setdiff1d(np.arange(frames), keys)
    model_err, lin_err = [], []
    for shot in batch.shots():
        ext = shot.subject.extent
        done = eng.complete(shot, keys).trajectory.position
        lin = np.stack([np.interp(np.arange(frames), keys, shot.trajectory.position[keys, j]) for j in range(3)], -1)
        true = shot.trajectory.position
        model_err.append(np.linalg.norm(done[mid] - true[mid], axis=-1).mean() / ext)
        lin_err.append(np.linalg.norm(lin[mid] - true[mid], axis=-1).mean() / ext)
    return float(np.mean(model_err)), float(np.mean(lin_err))


COLD = """
import sys, time
t0 = time.perf_counter()
class NoTorch:
    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            raise ImportError("blocked")
sys.meta_path.insert(0, NoTorch())
import numpy as np
from lenscraft_core.inference.engine import Engine
from lenscraft_core.schema import Subject
eng = Engine.load(sys.argv[1], runtime="onnx")
eng.generate(Subject(position=np.zeros(3), size=np.array([0.5, 0.4, 1.8])), {"movement": "dollyIn"}, frames=48)
print(time.perf_counter() - t0)
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=None, help="model folder (default: bundled if it loads, else random base)")
    ap.add_argument("--threads", type=int, default=None, help="torch + ONNX Runtime intra-op threads")
    ap.add_argument("--repeats", type=int, default=50)
    ap.add_argument("--batch", type=int, default=1024)
    args = ap.parse_args()
    import torch

    from lenscraft_core import features as ft
    from lenscraft_core.inference.engine import DEFAULT_MODEL_DIR, Engine
    from lenscraft_core.schema import Subject
    from lenscraft_core.simulate import simulate_batch
    from lenscraft_core.vocabulary import FIELD_NAMES

    if args.threads:
        torch.set_num_threads(args.threads)
    tmp = Path(tempfile.mkdtemp(prefix="bench-infer-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    folder = Path(args.model) if args.model else DEFAULT_MODEL_DIR
    try:
        onnx_eng = Engine.load(folder, runtime="onnx", threads=args.threads)
        torch_eng = Engine.load(folder, runtime="torch")
        what = f"{folder}"
    except Exception as e:  # no bundled model, or one that does not fit this code: time a random one of its size
        import json

        from lenscraft_core.train.model import ModelConfig

        size = "base"
        if (folder / "model.json").exists():
            keys = ("d_model", "n_heads", "enc_layers", "dec_layers", "ff_mult", "frames", "text_dim")
            size = {k: v for k, v in json.loads((folder / "model.json").read_text())["model_config"].items()
                    if k in keys and k in ModelConfig.__dataclass_fields__}
        print(f"({folder}: {e}; timing a random model of its size instead)", file=sys.stderr)
        folder = random_model(tmp / "random", size)
        onnx_eng = Engine.load(folder, runtime="onnx", threads=args.threads)
        torch_eng = Engine.load(folder, runtime="torch")
        what = f"random weights, {size if isinstance(size, str) else 'the bundled model'} size"
    cfg = torch_eng.meta["model_config"]
    params = sum(p.numel() for p in torch_eng.runtime.model.parameters())
    subject = Subject(position=np.zeros(3), size=np.array([0.5, 0.4, 1.8]))
    ins = {"movement": "dollyIn", "angle": "lowAngle", "shot_type": "closeUp"}
    rows = []
    for name, eng in (("onnx", onnx_eng), ("torch", torch_eng)):
        t = p50(lambda: eng.generate(subject, ins, frames=48), args.repeats)
        rows.append((f"generate() one 48-frame shot, p50 ({name})", f"{t * 1e3:.2f} ms"))
    data = ft.encode_batch(simulate_batch(args.batch, frames=30, seed=0))
    labels = {f: data.labels[:, i] for i, f in enumerate(FIELD_NAMES)}
    for name, eng in (("onnx", onnx_eng), ("torch", torch_eng)):
        t = p50(lambda: eng.generate_arrays(data.subject, data.motion, labels), 3)
        rows.append((f"generate_arrays batch {args.batch} ({name})", f"{args.batch / t:,.0f} shots/s"))
        t = p50(lambda: ft.decode_camera(eng.generate_arrays(data.subject, data.motion, labels), data.anchor, 30), 3)
        rows.append((f"  + decode_camera to world, 30 frames ({name})", f"{args.batch / t:,.0f} shots/s"))
    t = p50(lambda: onnx_eng.describe_features(data), 3)
    rows.append((f"describe_features batch {args.batch} (onnx)", f"{args.batch / t:,.0f} shots/s"))

    if not what.startswith("random"):
        m, lin = complete_vs_linear(onnx_eng)
        rows.append(("complete(): arcs, key every 12 of 48 frames, in-between error / extent", f"{m:.3f}"))
        rows.append(("  linear interpolation between the same keys", f"{lin:.3f}"))
        ratios = [np.divide(*complete_vs_linear(onnx_eng, n=96, every=every)) for every in (8, 12, 16, 24)]
        rows.append(("  complete / linear over 96 arcs, keys every 8 / 12 / 16 / 24 frames",
                     " / ".join(f"{r:.2f}" for r in ratios)))
    ar = Engine.load(random_model(tmp / "ar", "base", "autoregressive"), runtime="torch").runtime.model
    with torch.no_grad():
        mem = ar.memory(torch.randn(1, 5, 384), torch.randn(1, 10))
        mot = torch.randn(1, cfg["frames"], 9)
        cached = p50(lambda: ar.generate(mem, mot), max(5, args.repeats // 5))
        recompute = p50(lambda: ar.generate_recompute(mem, mot), max(5, args.repeats // 5))
    rows.append(("autoregressive decode, KV cache (torch, base)", f"{cached * 1e3:.1f} ms"))
    rows.append(("autoregressive decode, recompute prefix (torch, base)", f"{recompute * 1e3:.1f} ms"))
    rows.append(("  recompute / cached", f"{recompute / cached:.2f}x"))

    colds = []
    for _ in range(3):
        t = time.perf_counter()
        r = subprocess.run([sys.executable, "-c", COLD, str(folder)], capture_output=True, text=True, cwd=REPO,
                           env={**os.environ, "HF_HUB_OFFLINE": "1"})
        if r.returncode:
            raise SystemExit(r.stderr)
        colds.append((time.perf_counter() - t, float(r.stdout.strip())))
    wall, inside = np.median([c[0] for c in colds]), np.median([c[1] for c in colds])
    rows.append(("cold start without torch: process start + import + load + first shot", f"{wall:.2f} s"))
    rows.append(("  of which import + load + first shot", f"{inside:.2f} s"))

    print(f"model: {what} ({params / 1e6:.2f} M params, d={cfg['d_model']}, decoder {cfg['decoder']}); "
          f"threads: {args.threads or 'default'}; CPUs: {os.cpu_count()}")
    print("| measurement | value |\n|---|---|")
    for k, v in rows:
        print(f"| {k} | {v} |")


if __name__ == "__main__":
    main()
