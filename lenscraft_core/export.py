"""Moved to lenscraft_core.train.export; this alias keeps `lenscraft_core.export` imports working
(the same module object, so attributes and patches are shared)."""

import sys

from .train import export as _moved

sys.modules[__name__] = _moved
