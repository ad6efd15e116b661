"""Inference without torch: the Engine (generate / describe / complete / parse) over ONNX Runtime graphs."""
