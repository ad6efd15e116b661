"""Training logs: metrics.csv (long format) and TensorBoard when installed, written by rank 0 only."""

from __future__ import annotations

import csv
from pathlib import Path


class Logger:
    """CSV + TensorBoard (when installed), rank 0 only."""

    def __init__(self, out: Path, enabled: bool):
        self.enabled, self.path = enabled, out / "metrics.csv"
        self.tb = None
        if enabled:
            try:
                from torch.utils.tensorboard import SummaryWriter
                self.tb = SummaryWriter(str(out / "tb"))
            except Exception:  # tensorboard is optional
                self.tb = None

    def log(self, step: int, split: str, values: dict[str, float]) -> None:
        if not self.enabled:
            return
        row = {"step": step, "split": split, **{k: round(float(v), 7) for k, v in values.items()}}
        new = not self.path.exists()
        with open(self.path, "a", newline="") as f:
            w = csv.writer(f)
            if new:
                w.writerow(["step", "split", "key", "value"])  # long format: any set of metrics per row group
            for k, v in row.items():
                if k not in ("step", "split"):
                    w.writerow([step, split, k, v])
        if self.tb is not None:
            for k, v in values.items():
                self.tb.add_scalar(f"{split}/{k}", float(v), step)

    def close(self) -> None:
        if self.tb is not None:
            self.tb.close()
