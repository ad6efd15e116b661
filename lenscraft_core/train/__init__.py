"""Training side of the core (imports torch): the model, its checkpoints, the training loop and the ONNX export.
The extension never ships this package; inference runs without it (lenscraft_core.inference)."""
