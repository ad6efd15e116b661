"""A run's folder (--out): what may happen to the files already in it before a run starts or resumes.

- A folder holding a run is never silently reused: without --resume or --overwrite the run is refused.
- --overwrite starts afresh: the run's own files (checkpoints, metrics.csv, config.json, summary.json, TensorBoard
  events) are removed first, nothing else in the folder.
- --resume continues only with the settings the checkpoint was trained with (its TrainConfig); a flag that differs
  is refused unless named in --allow-changed.
- Temp files left by a killed write (files.py names them .tmp-*-NAME next to NAME) are removed on start and resume.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, fields
from pathlib import Path

from ..errors import LensCraftError
from ..files import atomic_writer
from .config import TrainConfig

RUN_FILES = ("last.json", "last.safetensors", "best.json", "best.safetensors", "ema.json", "ema.safetensors",
             "metrics.csv", "config.json", "summary.json")
TB_DIR = "tb"
METRICS_HEADER = ["step", "split", "key", "value"]

# Settings that do not change what is trained (where it is written, how it is shown, where it stops this time);
# every other TrainConfig field must match the checkpoint's on --resume.
NOT_COMPARED = frozenset({"out", "resume", "overwrite", "allow_changed", "stop_after", "progress", "cache_dir",
                          "log_every"})


def flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def existing_run_files(out: Path) -> list[str]:
    found = [name for name in RUN_FILES if (out / name).exists()]
    tb = out / TB_DIR
    if tb.is_dir() and any(p.name.startswith("events.out.tfevents.") for p in tb.iterdir()):
        found.append(TB_DIR + "/")
    return found


def check_start(cfg: TrainConfig) -> None:
    """Refuse what would reuse a run's folder wrongly (read-only: every rank may call it)."""
    out = Path(cfg.out)
    if cfg.resume and cfg.overwrite:
        raise LensCraftError("--resume and --overwrite contradict each other: --resume continues the run in "
                             f"{out}, --overwrite starts it afresh")
    if cfg.allow_changed and not cfg.resume:
        raise LensCraftError("--allow-changed only applies with --resume")
    if cfg.resume:
        if not (out / "last.json").exists():
            raise LensCraftError(f"--resume: no checkpoint at {out / 'last.json'}"
                                 + ("; start the run afresh with --overwrite" if existing_run_files(out) else ""))
        check_resume_config(saved_config(out) or {}, cfg, str(out / "last.json"))
        return
    found = existing_run_files(out)
    if found and not cfg.overwrite:
        raise LensCraftError(f"{out} already holds a training run ({', '.join(found)}); pass --resume to continue "
                             "it or --overwrite to start afresh (replacing its files), or choose another --out")


def remove_stale_temp_files(out: Path) -> list[Path]:
    """Remove the temp files a killed write of one of this run's files left (.tmp-*-last.safetensors, ...)."""
    removed = []
    if not out.is_dir():
        return removed
    for p in out.iterdir():
        if p.name.startswith(".tmp-") and p.name.endswith(tuple("-" + n for n in RUN_FILES)) and p.is_file():
            p.unlink(missing_ok=True)
            removed.append(p)
    return removed


def clear_run(out: Path) -> None:
    """--overwrite: remove the run's own files (nothing else in the folder)."""
    for name in RUN_FILES:
        (out / name).unlink(missing_ok=True)
    tb = out / TB_DIR
    if tb.is_dir():
        for p in tb.iterdir():
            if p.name.startswith("events.out.tfevents.") and p.is_file():
                p.unlink()


def prepare(cfg: TrainConfig) -> None:
    """Rank 0, after check_start: clear the folder for --overwrite and remove stale temp files."""
    out = Path(cfg.out)
    if cfg.overwrite and not cfg.resume:
        clear_run(out)
    remove_stale_temp_files(out)


def allowed_changes(cfg: TrainConfig) -> set[str]:
    names = {f.name for f in fields(TrainConfig)}
    allowed = set()
    for item in (cfg.allow_changed or "").split(","):
        item = item.strip()
        if not item:
            continue
        name = item.lstrip("-").replace("-", "_")
        if name not in names:
            raise LensCraftError(f"--allow-changed: '{item}' is not a training flag (see train.py --help)")
        allowed.add(name)
    return allowed


def changed_settings(saved: dict, cfg: TrainConfig) -> dict[str, tuple]:
    """{field: (checkpoint's value, new value)} for the settings that change the run. A field the checkpoint does
    not record (saved by older code) counts as its default."""
    new, default = asdict(cfg), asdict(TrainConfig())
    return {k: (saved.get(k, default[k]), v) for k, v in new.items()
            if k not in NOT_COMPARED and saved.get(k, default[k]) != v}


def check_resume_config(saved: dict, cfg: TrainConfig, where: str) -> None:
    """Refuse to resume with settings that differ from the checkpoint's, unless --allow-changed names them."""
    diff = changed_settings(saved, cfg)
    refused = {k: v for k, v in diff.items() if k not in allowed_changes(cfg)}
    if refused:
        said = ", ".join(f"{flag(k)} {a!r} (checkpoint) vs {b!r}" for k, (a, b) in refused.items())
        raise LensCraftError(f"--resume: {where} was trained with other settings: {said}; resume with the same "
                             f"flags, or pass --allow-changed {','.join(k.replace('_', '-') for k in refused)} to "
                             "continue with the new ones")


def saved_config(out: str | Path) -> dict | None:
    """The TrainConfig fields the checkpoint OUT/last was trained with (None without one)."""
    from ..inference.model_dir import read_meta

    if not (Path(out) / "last.json").exists():
        return None
    config = read_meta(Path(out) / "last").get("training", {}).get("config")
    return config if isinstance(config, dict) else None


# ------------------------------------------------------------------------------------------------------ metrics.csv
def read_metrics(path: Path, upto: int) -> list[list[str]]:
    """metrics.csv's rows (without the header) up to step `upto`: on resume, the rows written after the checkpoint
    belong to steps that run again. A malformed row (a torn line from an older version's appends) is dropped."""
    if not path.exists():
        return []
    rows = []
    with open(path, newline="", encoding="utf-8", errors="replace") as f:
        for row in csv.reader(f):
            if row == METRICS_HEADER or len(row) != 4:
                continue
            try:
                step = int(row[0])
                float(row[3])
            except ValueError:
                continue
            if step <= upto:
                rows.append(row)
    return rows


def write_metrics(path: Path, rows: list[list]) -> None:
    """The whole metrics.csv, atomically (readers and a kill see the old file or the new one)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")  # the csv module's default, as the old appending logger wrote
    w.writerow(METRICS_HEADER)
    w.writerows(rows)
    with atomic_writer(path, overwrite=True) as f:
        f.write(buf.getvalue())
