"""Inference without torch: the Engine (generate / describe / complete / parse) over ONNX Runtime graphs.

    from lenscraft_core.inference import load_engine
"""

from .engine import Description, Engine, load_engine  # noqa: F401  (the public entry points)
