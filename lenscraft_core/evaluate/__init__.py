"""The evaluation suite (may import torch): `python -m lenscraft_core evaluate`. See docs/EVALUATION.md.

    data.py         where the evaluation data lives; the simulated and v1 splits
    baselines.py    the oracle (the simulator again) and the retrieval baseline
    judged.py       generation graded by the geometric judge (lenscraft_core/judge.py): the primary grader
    readback.py     a generated shot read back by the model's own describe: a second opinion
    describe.py     describe measured three ways (discriminative, analysis by synthesis, combined); retrieval
    paraphrases.py  parse accuracy on a paraphrase set
    targets.py      the targets, as data, and the verdict
    report.py       the summary table and the overview plots
    suite.py        the run: one split (evaluate_shots), then all of them (run_evaluation)
    cli.py          the `evaluate` command
    plots.py        dataset inspection and confusion plots (`python -m lenscraft_core inspect`), describe scored
                    only against labels it did not make (score_describe)

Generation metrics are lenscraft_core.metrics (shared with training). This package exports the names of the former
lenscraft_core/evaluate.py.
"""

from ..metrics import generation_metrics
from .baselines import RetrievalBaseline, oracle_trajectories
from .cli import add_parser, cmd_evaluate
from .data import (EVAL_SEED, PARAPHRASES, V1_ENV, V1_FIELDS, checkout_root, default_paraphrases, default_v1_dir,
                   label_arrays, load_v1, shot_arrays, simulated_split)
from .describe import (UNCERTAIN, accuracy, combine, describe_choice, describe_discriminative, describe_generative,
                       describe_methods, describe_report, retrieval_scores)
from .judged import CELLS, asked_found, judge_arrays, person_subject_arrays
from .paraphrases import load_paraphrases, paraphrase_accuracy, score_parses
from .plots import NO_INDEPENDENT_LABELS, format_describe_scores, score_describe
from .readback import EASING_MODE, READBACK_FIELDS, readback
from .report import plot_accuracy_bars, plot_error_histograms, summary_table
from .suite import QUICK, evaluate_shots, judge_report, run_evaluation, summarise, summarise_raw
from .targets import verdict

__all__ = [
    "generation_metrics", "RetrievalBaseline", "oracle_trajectories", "add_parser", "cmd_evaluate", "EVAL_SEED",
    "PARAPHRASES", "V1_ENV", "V1_FIELDS", "checkout_root", "default_paraphrases", "default_v1_dir", "label_arrays",
    "load_v1", "shot_arrays", "simulated_split", "UNCERTAIN", "accuracy", "combine", "describe_choice",
    "describe_discriminative", "describe_generative", "describe_methods", "describe_report", "retrieval_scores",
    "load_paraphrases", "paraphrase_accuracy", "score_parses", "EASING_MODE", "READBACK_FIELDS", "readback",
    "plot_accuracy_bars", "plot_error_histograms", "summary_table", "QUICK", "evaluate_shots", "run_evaluation",
    "summarise", "summarise_raw", "verdict", "CELLS", "asked_found", "judge_arrays", "person_subject_arrays",
    "judge_report", "NO_INDEPENDENT_LABELS", "format_describe_scores", "score_describe",
]
