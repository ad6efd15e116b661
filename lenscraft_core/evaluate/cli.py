"""The `evaluate` command of `python -m lenscraft_core` (lenscraft_core/cli.py registers it through add_parser)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..inference.engine import Engine
from ..inference.runtime import RUNTIMES
from .data import V1_ENV
from .report import summary_table
from .suite import QUICK, run_evaluation
from ..cli_args import DeprecatedFlag


def cmd_evaluate(args: argparse.Namespace) -> int:
    engine = Engine.load(args.model, runtime=args.runtime)
    engine.prompt_fallback = args.prompt_fallback
    kw: dict[str, Any] = dict(QUICK) if args.quick else {}
    if args.count is not None:
        kw["count"] = args.count
    if args.v1_dir is not None:
        kw["v1_dir"] = args.v1_dir
    if args.paraphrases is not None:
        kw["paraphrases"] = args.paraphrases
    results = run_evaluation(engine, args.out, seed=args.seed, plots=not args.no_plots, **kw)
    print(summary_table(results))
    print(f"\nwrote {Path(args.out) / 'results.json'} and plots ({results['timings_s']['total']:.1f} s)")
    return 0




def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register `evaluate` on the CLI's subparsers."""
    p = subparsers.add_parser("evaluate", help="evaluate a model: generation, describe, retrieval, baselines")
    p.add_argument("--out", required=True, type=Path, help="folder for results.json and the plots")
    p.add_argument("--count", type=int, default=None, help="shots per simulated split (default 2000; --quick 32)")
    p.add_argument("--model", type=Path, default=None, help="model folder or checkpoint (default: bundled)")
    p.add_argument("--runtime", choices=RUNTIMES, default="auto",
                   help="what runs the model: ONNX Runtime, torch, or auto (ONNX when exported, else torch)")
    p.add_argument("--backend", dest="runtime", choices=RUNTIMES, action=DeprecatedFlag, default=argparse.SUPPRESS,
                   help=argparse.SUPPRESS)
    p.add_argument("--prompt-fallback", action="store_true",
                   help="parse the paraphrases with the MiniLM fallback too (generate's default is the grammar alone)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--v1-dir", type=Path, default=None,
                   help=f"real LensCraft v1 output (default: ${V1_ENV}, else shared/external/lenscraft-v1-sim beside "
                        "a development checkout; skipped when absent)")
    p.add_argument("--paraphrases", type=Path, default=None,
                   help="paraphrase set, JSON lines (default: a development checkout's "
                        "benchmarks/data/paraphrases.jsonl; skipped when absent)")
    p.add_argument("--quick", action="store_true", help="small sizes, for tests and smoke runs")
    p.add_argument("--no-plots", action="store_true")
    p.set_defaults(func=cmd_evaluate)
    return p
