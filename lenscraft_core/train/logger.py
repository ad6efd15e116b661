"""Training logs: metrics.csv (long format) and TensorBoard when installed, written by rank 0 only.

metrics.csv is never appended to: its rows are kept here and the whole file is replaced atomically (files.py) when
the loop checkpoints, at the end, and at most every FLUSH_S seconds in between, so a kill never leaves a torn row.
On resume the rows after the checkpoint's step are dropped (those steps run again), so no step appears twice.
"""

from __future__ import annotations

import time
from pathlib import Path

from .run_folder import read_metrics, write_metrics

FLUSH_S = 30.0  # how stale metrics.csv may get between checkpoints (each flush rewrites the whole file)


class Logger:
    """CSV + TensorBoard (when installed), rank 0 only. `resume_step`: keep the existing rows up to this step."""

    def __init__(self, out: Path, enabled: bool, resume_step: int | None = None):
        self.enabled, self.path = enabled, out / "metrics.csv"
        self.tb = None
        self.rows: list[list] = []
        self.flushed = time.monotonic()
        if enabled:
            if resume_step is not None:
                self.rows = read_metrics(self.path, resume_step)
            self.flush()  # a fresh run starts with a header only; a resumed one without the rows that run again
            try:
                from torch.utils.tensorboard import SummaryWriter
                self.tb = SummaryWriter(str(out / "tb"))
            except Exception:  # tensorboard is optional
                self.tb = None

    def log(self, step: int, split: str, values: dict[str, float]) -> None:
        if not self.enabled:
            return
        # long format: any set of metrics per row group
        self.rows += [[step, split, k, round(float(v), 7)] for k, v in values.items()]
        if self.tb is not None:
            for k, v in values.items():
                self.tb.add_scalar(f"{split}/{k}", float(v), step)
        if time.monotonic() - self.flushed > FLUSH_S:
            self.flush()

    def flush(self) -> None:
        if self.enabled:
            write_metrics(self.path, self.rows)
            self.flushed = time.monotonic()

    def close(self) -> None:
        self.flush()
        if self.tb is not None:
            self.tb.close()
