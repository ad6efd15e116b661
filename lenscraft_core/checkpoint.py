"""Moved to lenscraft_core.train.checkpoint; this alias keeps `lenscraft_core.checkpoint` imports working
(the same module object, so attributes and patches are shared)."""

import sys

from .train import checkpoint as _moved

sys.modules[__name__] = _moved
