"""Moved to lenscraft_core.train.model; this alias keeps `lenscraft_core.model` imports working
(the same module object, so attributes and patches are shared)."""

import sys

from .train import model as _moved

sys.modules[__name__] = _moved
