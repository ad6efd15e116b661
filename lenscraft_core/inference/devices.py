"""Which compute device a model runs on: the names a user may ask for, checked in one place for every runtime
(ONNX Runtime here, torch in train/torch_runtime.py)."""

from __future__ import annotations

from ..errors import LensCraftError

DEVICES = ("cpu", "cuda", "coreml", "directml")


def check_device(device: str) -> str:
    key = str(device).lower()
    if key not in DEVICES:
        raise LensCraftError(f"unknown compute device '{device}': use one of {', '.join(DEVICES)}")
    return key
