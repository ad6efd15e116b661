"""LensCraft core: shot vocabulary, data model and formats, geometry, simulator, model, training and inference.

Pure Python + NumPy for everything but the model and training (which need torch). Never imports bpy.
"""

__version__ = "0.1.0"
