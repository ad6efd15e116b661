"""The evaluation suite (may import torch): `python -m lenscraft_core evaluate`. See docs/EVALUATION.md."""

from .suite import *  # noqa: F401,F403  (the public names of the former lenscraft_core/evaluate.py)
