"""LensCraft's core: camera shots from words and words from camera shots, without Blender.

Everything here is torch-free (NumPy; ONNX Runtime for the model) except the two sub-packages that train and judge
the model, which may import torch. The Blender extension ships the torch-free part whole and never these.
"""

# The torch side of the package boundary (tools/build_extension.py leaves these out of the extension; a test imports
# every other module with torch unimportable).
TORCH_PACKAGES = ("train", "evaluate")
# Module paths from before train/ existed, kept as aliases of their new homes (they import torch).
TORCH_ALIASES = ("model", "training", "checkpoint", "export")
