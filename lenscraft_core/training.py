"""Moved to lenscraft_core.train.loop; this alias keeps `lenscraft_core.training` imports working
(the same module object, so attributes and patches are shared)."""

import sys

from .train import loop as _moved

sys.modules[__name__] = _moved
