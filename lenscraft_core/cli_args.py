"""Pieces shared by the command lines (lenscraft_core/cli.py, the evaluate command and the Blender add-on's
headless command): argparse value types and actions."""

from __future__ import annotations

import argparse
import math
import sys
from typing import Callable

MAX_SEED = 2 ** 63 - 1  # numpy takes any whole number >= 0, torch.manual_seed up to 2 ** 64 - 1


class DeprecatedFlag(argparse.Action):
    """An old flag name kept working: it stores into the new flag's dest and says so on stderr."""

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"note: {option_string} is deprecated; use --{self.dest.replace('_', '-')}", file=sys.stderr)
        setattr(namespace, self.dest, values)


# ---------------------------------------------------------------------------------------------------- argument types
# Checked by argparse, so a bad value is a usage message (exit 2) before any work or allocation starts.
def whole(lo: int, hi: int | None = None, what: str = "") -> Callable[[str], int]:
    """An argparse type: a whole number in lo..hi."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
        if value < lo or (hi is not None and value > hi):
            span = f"at least {lo:,}" if hi is None else f"between {lo:,} and {hi:,}"
            raise argparse.ArgumentTypeError(f"{value:,} is out of range: {what or 'it'} must be {span}")
        return value
    parse.__name__ = "whole number"  # what argparse names in "invalid ... value"
    return parse


def number(positive: bool = False) -> Callable[[str], float]:
    """An argparse type: a finite number (NaN and infinities refused), > 0 when positive."""
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"'{text}' is not a finite number")
        if positive and value <= 0:
            raise argparse.ArgumentTypeError(f"{text} must be greater than 0")
        return value
    parse.__name__ = "number"
    return parse


def text(value: str) -> str:
    """An argparse type for free text: bytes that were not UTF-8 in the command line (Python keeps them as
    surrogate escapes) are refused here rather than failing later when the text is printed or encoded."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise argparse.ArgumentTypeError("is not valid UTF-8 text (check the terminal's encoding)") from None
    return value
