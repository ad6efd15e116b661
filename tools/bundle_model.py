"""Make a trained run the bundled model: copy its checkpoint without optimiser state into
lenscraft_core/models/default/, export the ONNX graphs, and write training_metrics.json (the runs' summaries and
quick_metrics), so the model card's numbers come from one command.

    .venv/bin/python tools/bundle_model.py --run runs/gen --stage1 runs/default \
        --command "stage 1: python train.py ...; stage 2: python train.py ..."

--run is the run whose `last` checkpoint ships (`--checkpoint ema`: its weight average, train.py --ema); --stage1
(optional) the run it was fine-tuned from, recorded too.
Replaces the bundled model only with --overwrite.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from lenscraft_core.train import checkpoint as ckpt  # noqa: E402
from lenscraft_core.train.export import export_onnx  # noqa: E402
from lenscraft_core.train.quick_metrics import quick_metrics  # noqa: E402

DEST = REPO / "lenscraft_core" / "models" / "default"
V1_DIR = REPO.parent / "shared" / "external" / "lenscraft-v1-sim"


def summary(run: Path) -> dict:
    path = run / "summary.json"
    if not path.exists():
        sys.exit(f"bundle_model.py: {path} not found (did the run finish?)")
    return json.loads(path.read_text())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--run", type=Path, required=True, help="training output folder whose last checkpoint ships")
    ap.add_argument("--checkpoint", default="last", choices=("last", "ema", "best"),
                    help="which of the run's checkpoints ships (default last)")
    ap.add_argument("--stage1", type=Path, help="the run --run was fine-tuned from (recorded in the metrics)")
    ap.add_argument("--command", required=True, help="the training command(s), as the model card quotes them")
    ap.add_argument("--machine", default=f"{platform.machine()} CPU, no GPU", help="where it trained")
    ap.add_argument("--dest", type=Path, default=DEST, help="model folder to write (default: the bundled model's)")
    ap.add_argument("--overwrite", action="store_true", help="replace the model already in --dest")
    args = ap.parse_args(argv)

    dest = args.dest
    dest.mkdir(parents=True, exist_ok=True)
    stem = dest / "model"
    if stem.with_suffix(".json").exists() and not args.overwrite:
        print(f"bundle_model.py: {stem}.json exists; pass --overwrite to replace it", file=sys.stderr)
        return 2
    train = summary(args.run)
    ckpt.strip_optimizer(args.run / args.checkpoint, stem)
    manifest = export_onnx(dest)
    v1 = V1_DIR if V1_DIR.is_dir() else None
    metrics = {
        "command": args.command,
        "eval_command": "python train.py --eval-only lenscraft_core/models/default/model"
                        + (" --v1-dir ../shared/external/lenscraft-v1-sim" if v1 else ""),
        "train": {k: v for k, v in train.items() if k != "val"},
        "checkpoint": args.checkpoint,
        "val_at_end": train.get("val", {}),
        "eval": quick_metrics(stem, v1_dir=v1),
        "onnx_max_abs_diff": manifest.get("max_abs_diff"),
        "machine": args.machine,
    }
    if args.stage1:
        metrics["stage1"] = summary(args.stage1)
        metrics["stage1"]["val_at_end"] = metrics["stage1"].pop("val", {})
    (dest / "training_metrics.json").write_text(json.dumps(metrics, indent=1))
    size = sum(p.stat().st_size for p in dest.iterdir() if p.is_file())
    print(f"bundle_model.py: {dest} ({size / 1e6:.1f} MB), ONNX max |torch - onnx| {manifest.get('max_abs_diff')}")
    print(json.dumps({k: round(v, 4) for k, v in metrics["eval"].items() if isinstance(v, float)}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
