"""Train the LensCraft model: `python train.py` (simulated data) or with flags.

A recipe is a JSON file of TrainConfig fields (lenscraft_core/train/recipes/; `--recipe NAME` or `--recipe PATH`):
quick, full, the bundled model's run (bundled-1d-head-pan-encoder), the runs before it (bundled-1b-factored,
bundled-1c-head-pan) and the older bundled model's other two (bundled-1a-encoder, bundled-2-generator;
docs/MODEL_CARD.md). With no --recipe the recipe follows the machine: on a GPU `full` (the TrainConfig defaults), on
a CPU-only machine `quick`, which finishes in a few minutes (small model, 300 steps, 4000 shots). Flags you give
always win over the recipe. Outputs go to --out (default runs/lenscraft): checkpoints last/best.{safetensors,json},
metrics.csv, TensorBoard in tb/, config.json, summary.json.

    python train.py --eval-only runs/lenscraft/last   # describe / generation metrics of a checkpoint (no training)

Multi-GPU / multi-node: `torchrun --nproc_per_node 8 train.py ...`. Every flag maps to a TrainConfig field
(lenscraft_core/train/config.py); this file only parses them.
"""

import argparse
import dataclasses
import json
import sys

from lenscraft_core.train.loop import TrainConfig, train
from lenscraft_core.train.model import DECODERS, PRESETS
from lenscraft_core.train.recipe import load_recipe, recipe_names
from lenscraft_core.train.run_folder import NOT_COMPARED, saved_config

HELP = {
    "data": "training data: LensCraft v1 JSON, LensCraft JSON or folders (default: simulate)",
    "lenient": "skip bad samples in the data (reports how many) instead of failing",
    "sim_count": "simulated training shots", "val_count": "simulated validation shots",
    "sim_frames": "frames per simulated shot (0: varied 8-240 frames at 12-60 fps)",
    "sim_person_share": "share of simulated subjects that are people (0-1; the rest are boxes)",
    "model": f"model size: {', '.join(PRESETS)}",
    "decoder": f"decoder: {', '.join(DECODERS)}",
    "output": "decoder head: auto (factored with the single-pass decoder, else relative), factored, relative or "
              "absolute (docs/model.md)", "encoder": "text encoder: minilm or open_clip",
    "steps": "optimiser steps", "batch_size": "global batch size", "lr": "peak learning rate (AdamW)",
    "warmup": "linear warm-up steps before the cosine decay", "precision": "auto (bf16 on GPU) | bf16 | fp32",
    "compile": "torch.compile the model (slow first step)", "out": "output folder (checkpoints, logs, summary)",
    "resume": "continue from OUT/last exactly, with its saved settings (a flag that differs is refused)",
    "overwrite": "start afresh in an --out that holds a run, replacing its files (checkpoints, metrics.csv, ...)",
    "allow_changed": "with --resume: settings that may differ from the checkpoint's, e.g. lr,batch-size",
    "stop_after": "stop at this step (the schedule still spans --steps)",
    "val_every": "validate and checkpoint every N steps", "progress": "show a progress bar",
    "init": "fine-tune: start from this checkpoint (e.g. lenscraft_core/models/default/model); its architecture "
            "wins over --model/--decoder; optimiser and schedule start afresh",
    "freeze_encoder": "train the latent merger and decoder only: describe stays exactly as it was (use with --init)",
    "init_encoder": "with --init: take the encoder (describe) from this checkpoint instead, e.g. to pair one run's "
                    "describe with another's generator (use with --freeze-encoder)",
}

# What `--recipe quick` changes (the rest of TrainConfig's defaults stay): lenscraft_core/train/recipes/quick.json.
QUICK = load_recipe("quick")


def parse(argv=None) -> tuple[TrainConfig, argparse.Namespace]:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--recipe", default="auto", metavar="NAME_OR_PATH",
                    help=f"auto (full on a GPU, quick on a CPU-only machine), one of {', '.join(recipe_names())} "
                         "(lenscraft_core/train/recipes/) or a recipe .json file; flags override it")
    ap.add_argument("--eval-only", metavar="CHECKPOINT", help="print metrics of a checkpoint (path without suffix)")
    ap.add_argument("--v1-dir", help="LensCraft v1 simulator output folder for --eval-only (describe on real data)")
    ap.add_argument("--move-decoder", action="store_true",
                    help="train only the move decoder (what generate(generator='learned') runs: it decides the "
                         "amounts a description leaves open) into the exported model folder --out (it reads the "
                         "folder's label_embeddings.npz); --steps and --seed apply")
    for f in dataclasses.fields(TrainConfig):
        flag = "--" + f.name.replace("_", "-")
        common = dict(default=argparse.SUPPRESS, help=HELP.get(f.name))  # SUPPRESS: only flags the user gave
        if str(f.type) == "bool":
            ap.add_argument(flag, action=argparse.BooleanOptionalAction, **common)
        elif f.name == "data":
            ap.add_argument(flag, nargs="+", **common)
        else:
            kind = {"int": int, "float": float}.get(str(f.type).split(" ")[0], str)  # "int | None" -> int
            ap.add_argument(flag, type=kind, **common)
    args = ap.parse_args(argv)
    given = {k: v for k, v in vars(args).items() if k not in ("recipe", "eval_only", "v1_dir", "move_decoder")}
    recipe = args.recipe
    explicit = recipe != "auto"
    if recipe == "auto":
        import torch
        on_gpu = torch.cuda.is_available() and given.get("device", "auto") != "cpu"
        recipe = "full" if on_gpu or given.get("data") else "quick"
    args.recipe = recipe
    base = load_recipe(recipe)
    args.resumed_settings = False
    if given.get("resume"):  # the run's own settings: `--out DIR --resume` continues it as it was started
        saved = saved_config(given.get("out", base.get("out", TrainConfig.out)))
        if saved is not None:
            names = {f.name for f in dataclasses.fields(TrainConfig)}
            kept = {k: v for k, v in saved.items() if k in names and k not in NOT_COMPARED}
            base = {**base, **kept, **(load_recipe(recipe) if explicit else {})}
            args.resumed_settings = True
    return TrainConfig(**{**base, **given}), args


def main(argv=None) -> None:
    cfg, args = parse(argv)
    if args.move_decoder:
        from lenscraft_core.train.move_decoder import MoveDecoderConfig, train_move_decoder
        given = vars(args)
        over = {k: given[k] for k in ("steps", "seed") if k in given}
        summary = train_move_decoder(given.get("out", "lenscraft_core/models/default"), MoveDecoderConfig(**over))
        print(json.dumps(summary["validation_median_error_pct"]))
        return
    if args.eval_only:
        from lenscraft_core.train.quick_metrics import quick_metrics
        print(json.dumps(quick_metrics(args.eval_only, v1_dir=args.v1_dir), indent=1))
        return
    where = "simulated shots" if not cfg.data else ", ".join(cfg.data)
    source = "the run's saved settings" if args.resumed_settings else f"recipe '{args.recipe}'"
    print(f"train.py: {source} ({cfg.model} model, {cfg.steps} steps, batch {cfg.batch_size}, "
          f"data: {cfg.sim_count if not cfg.data else ''} {where}); outputs in {cfg.out}/"
          + (" -- quick CPU recipe; the bundled model's runs are --recipe bundled-*"
             if args.recipe == "quick" and not args.resumed_settings else ""),
          flush=True)
    summary = train(cfg)
    print({k: summary[k] for k in ("steps", "device", "params", "samples_per_s", "best_val_loss")})
    print(f"train.py: checkpoints {cfg.out}/last and {cfg.out}/best; metrics {cfg.out}/metrics.csv; "
          f"evaluate with: python train.py --eval-only {cfg.out}/best")


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # a clear one-line message for user errors; tracebacks for bugs
        from lenscraft_core.errors import LensCraftError
        if isinstance(e, LensCraftError):
            sys.exit(f"train.py: {e}")
        raise
