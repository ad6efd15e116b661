"""Train the LensCraft model: `python train.py` (simulated data, default model, GPU if present) or with flags.

Multi-GPU / multi-node: `torchrun --nproc_per_node 8 train.py ...`. Every flag maps to a TrainConfig field
(lenscraft_core/training.py); this file only parses them.
"""

import argparse
import dataclasses
import sys

from lenscraft_core.model import DECODERS, PRESETS
from lenscraft_core.training import TrainConfig, train

HELP = {
    "data": "training data: LensCraft v1 JSON, LensCraft JSON or folders (default: simulate)",
    "lenient": "skip bad samples in the data (reports how many) instead of failing",
    "sim_count": "simulated training shots", "val_count": "simulated validation shots",
    "sim_frames": "frames per simulated shot", "model": f"model size: {', '.join(PRESETS)}",
    "decoder": f"decoder: {', '.join(DECODERS)}", "encoder": "text encoder: minilm or open_clip",
    "steps": "optimiser steps", "batch_size": "global batch size", "lr": "peak learning rate (AdamW)",
    "warmup": "linear warm-up steps before the cosine decay", "precision": "auto (bf16 on GPU) | bf16 | fp32",
    "compile": "torch.compile the model (slow first step)", "out": "output folder (checkpoints, logs, summary)",
    "resume": "continue from OUT/last exactly", "stop_after": "stop at this step (the schedule still spans --steps)",
    "val_every": "validate and checkpoint every N steps", "progress": "show a progress bar",
}


def parse(argv=None) -> TrainConfig:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for f in dataclasses.fields(TrainConfig):
        default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
        flag = "--" + f.name.replace("_", "-")
        if str(f.type) == "bool":
            ap.add_argument(flag, action=argparse.BooleanOptionalAction, default=default, help=HELP.get(f.name))
        elif f.name == "data":
            ap.add_argument(flag, nargs="+", default=default, help=HELP["data"])
        else:
            kind = {"int": int, "float": float}.get(str(f.type).split(" ")[0], str)  # "int | None" -> int
            ap.add_argument(flag, type=kind, default=default, help=HELP.get(f.name))
    return TrainConfig(**vars(ap.parse_args(argv)))


if __name__ == "__main__":
    try:
        summary = train(parse())
    except Exception as e:  # a clear one-line message for user errors; tracebacks for bugs
        from lenscraft_core.errors import LensCraftError
        if isinstance(e, LensCraftError):
            sys.exit(f"train.py: {e}")
        raise
    print({k: summary[k] for k in ("steps", "device", "params", "samples_per_s", "best_val_loss")})
