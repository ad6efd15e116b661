"""Exceptions with messages that name the problem (file, sample, field) so users can fix their input."""

from __future__ import annotations


class LensCraftError(ValueError):
    """Base class for every error LensCraft raises about user input."""


class UnknownLabelError(LensCraftError, KeyError):
    def __init__(self, field: str, value: object, suggestions: list[str]):
        self.field, self.value, self.suggestions = field, value, suggestions
        hint = f"; closest valid: {', '.join(suggestions)}" if suggestions else ""
        super().__init__(f"unknown {field} '{value}'{hint}")

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return self.args[0]


class DataError(LensCraftError):
    """Invalid data: where names the file / sample / field, e.g. "shots.json: sample 12: cameraFrames[3].position.x"."""

    def __init__(self, message: str, where: str = ""):
        self.where, self.reason = where, message
        super().__init__(f"{where}: {message}" if where else message)
