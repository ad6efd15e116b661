"""Moved to lenscraft_core.inference.engine; this alias keeps `lenscraft_core.infer` imports working
(the same module object, so attributes and patches are shared)."""

import sys

from .inference import engine as _moved

sys.modules[__name__] = _moved
