"""Pieces shared by the command lines (lenscraft_core/cli.py and the evaluate command): argparse actions."""

from __future__ import annotations

import argparse
import sys


class DeprecatedFlag(argparse.Action):
    """An old flag name kept working: it stores into the new flag's dest and says so on stderr."""

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"note: {option_string} is deprecated; use --{self.dest.replace('_', '-')}", file=sys.stderr)
        setattr(namespace, self.dest, values)
