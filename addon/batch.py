"""The headless batch: a jobs file run job by job, each one isolated, so no job can stop, kill or change another.

Every job gets the batch's own generator configuration (a job's --generator/--model/--device is put back after it),
its own options (checked by the same parser as the command line, before the job touches the scene), and a line in
the log numbered as in the summary ([3/7] ... job 3). A job that fails, whatever it raises (a LensCraftError, an
OSError, an argparse exit such as "help", or an unexpected exception), is reported with its number and the batch
goes on; the batch fails (exit 1) when any job did.
"""

from __future__ import annotations

import re
import sys
import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable

from . import engine
from .checks import is_utf8
from .engine import LensCraftError

COMMANDS = ("generate", "describe", "complete", "export", "import")  # what a job may run (not a batch)
_KEY = re.compile(r"[a-z][a-z0-9_]{0,63}\Z")  # an option name as a job writes it: "every_frame"


class JobError(LensCraftError):
    """A job the jobs file describes wrongly (not an object, an unknown command, a value of the wrong type)."""


def say(text: str, file: Any = None) -> None:
    """Print without ever raising on text the terminal cannot encode (a job may carry any string)."""
    out = file or sys.stdout
    enc = getattr(out, "encoding", None) or "utf-8"
    print(str(text).encode(enc, "backslashreplace").decode(enc, "replace"), file=out)


def read_jobs(path: str) -> list[Any]:
    """The jobs of a jobs file: a list, or {"jobs": [...]}. Raises LensCraftError naming the file."""
    try:
        data = engine.read_json(path)
    except OSError as e:
        raise JobError(f"{path}: cannot read the jobs file: {e.strerror or e}") from None
    except LensCraftError as e:
        raise JobError(f"cannot read the jobs file: {e}") from None
    if isinstance(data, dict):
        data = data.get("jobs")
    if not isinstance(data, list):
        raise JobError(f"{path}: expected a list of jobs or {{\"jobs\": [...]}}")
    return data


def _value(key: str, value: Any, where: str) -> str:
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)  # NaN, inf: refused by the parser's types
    if isinstance(value, str):
        if not is_utf8(value):
            raise JobError(f"{where}: '{key}' is not valid UTF-8 text")
        return value
    raise JobError(f"{where}: '{key}' must be a string, a number or true, got {type(value).__name__}")


def job_argv(job: Any, number: int) -> list[str]:
    """A jobs-file entry as command-line arguments (values as --key=value, so a value that starts with '-' stays a
    value). number: the job's number in the log (1-based)."""
    where = f"job {number}"
    if not isinstance(job, dict):
        raise JobError(f"{where}: expected an object, got {type(job).__name__}")
    job = dict(job)
    command = job.pop("command", "generate")
    if command == "batch":
        raise JobError(f"{where}: a batch cannot contain a batch")
    if command not in COMMANDS:
        raise JobError(f"{where}: unknown command {str(command)[:40]!r} (commands: {', '.join(COMMANDS)})")
    argv, positional = [command], []
    if command == "import" and "file" in job:
        positional = ["--", _value("file", job.pop("file"), where)]
    for key, value in job.items():
        if not isinstance(key, str) or not _KEY.match(key) or key == "help":
            raise JobError(f"{where}: {str(key)[:40]!r} is not an option of '{command}'")
        flag = "--" + key.replace("_", "-")
        if value is True:
            argv.append(flag)
        elif value is not False and value is not None:
            argv.append(f"{flag}={_value(key, value, where)}")
    return argv + positional


@dataclass
class BatchResult:
    total: int
    failed: list[int] = field(default_factory=list)  # job numbers, 1-based as in the log
    seconds: float = 0.0

    @property
    def summary(self) -> str:
        text = f"batch: {self.total - len(self.failed)} of {self.total} job(s) done in {self.seconds:.2f} s"
        if self.failed:
            text += "; failed: " + ", ".join(f"job {n}" for n in self.failed)
        return text


def run_jobs(jobs: list[Any], run_one: Callable[[list[str]], str]) -> BatchResult:
    """Run each job with run_one(argv) (the CLI's run), isolated (see the module doc); logs one line per job."""
    result, t0 = BatchResult(len(jobs)), time.perf_counter()
    for n, job in enumerate(jobs, start=1):
        tag = f"[{n}/{len(jobs)}]"
        state = engine.config_state()
        try:
            message = run_one(job_argv(job, n))
            say(f"{tag} ok: {message}")
        except LensCraftError as e:
            result.failed.append(n)
            say(f"{tag} FAILED: job {n}: {e}", sys.stderr)
        except SystemExit as e:  # argparse exits on --help / --version; a job never ends the batch
            result.failed.append(n)
            say(f"{tag} FAILED: job {n}: the job asked to exit (status {e.code})", sys.stderr)
        except Exception as e:  # noqa: BLE001  (a bug must cost one job, not the batch)
            result.failed.append(n)
            say(f"{tag} FAILED: job {n}: unexpected {type(e).__name__}: {e}", sys.stderr)
            say("".join(traceback.format_exception(type(e), e, e.__traceback__, limit=-3)), sys.stderr)
        finally:
            engine.restore_config(state)
    result.seconds = time.perf_counter() - t0
    return result
