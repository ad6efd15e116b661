"""Moved to lenscraft_core.prompt.lexicon; this alias keeps `lenscraft_core.prompt_lexicon` imports working
(the same module object, so attributes and patches are shared)."""

import sys

from .prompt import lexicon as _moved

sys.modules[__name__] = _moved
