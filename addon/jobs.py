"""Work the operators can run step by step: a Job checks everything in its constructor (raising LensCraftError
without touching the scene), does one item per step() and completes in finish(). A modal operator shows progress
between steps and may stop early (Esc); run() does it all at once (headless, tests, small jobs)."""

from __future__ import annotations

from dataclasses import dataclass, field

import bpy


@dataclass
class Result:
    objects: list[bpy.types.Object] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # reported as WARNING
    notes: list[str] = field(default_factory=list)  # reported as INFO, before the message
    message: str = ""


class Job:
    """Work split into steps. Stopping early keeps the items already done (each one is whole)."""

    title = "LensCraft"

    def __init__(self, total: int) -> None:
        self.total, self.done = total, 0
        self.result = Result()

    @property
    def finished(self) -> bool:
        return self.done >= self.total

    def step(self) -> None:
        self._step(self.done)
        self.done += 1

    def _step(self, index: int) -> None:
        raise NotImplementedError

    def finish(self) -> Result:
        return self.result

    def stop(self) -> Result:
        """End after the items done so far (Esc): keeps them, reports how far it got."""
        result = self.finish() if self.done else self.result
        result.message = f"cancelled after {self.done} of {self.total}: {result.message}" if self.done else \
            f"cancelled: nothing done ({self.title})"
        return result


def run(job: Job) -> Result:
    """Run a job to the end, synchronously."""
    while not job.finished:
        job.step()
    return job.finish()
