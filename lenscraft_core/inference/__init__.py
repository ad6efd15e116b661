"""Inference without torch: the Engine (generate / describe / complete / parse) over ONNX Runtime graphs.

    from lenscraft_core.inference import load_engine

The entry points load on first use (PEP 562), so importing a light module of this package (devices, runtime,
model_dir) does not load the Engine: the Blender add-on reads DEVICES at register() time.
"""

from typing import Any

__all__ = ["Description", "Engine", "load_engine"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import engine

        return getattr(engine, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
