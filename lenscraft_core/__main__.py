"""`python -m lenscraft_core ...`: the core's command line (lenscraft_core/cli.py)."""

from .cli import build_parser, main  # noqa: F401  (build_parser: imported from here before cli.py existed)

if __name__ == "__main__":
    raise SystemExit(main())
