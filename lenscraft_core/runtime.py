"""Moved to lenscraft_core.inference.runtime; this alias keeps `lenscraft_core.runtime` imports working
(the same module object, so attributes and patches are shared)."""

import sys

from .inference import runtime as _moved

sys.modules[__name__] = _moved
