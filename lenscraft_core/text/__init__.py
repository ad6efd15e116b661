"""Text encoders (MiniLM, open_clip) behind one interface, and the on-disk cache of label embeddings."""

from .cache import label_embeddings, load_label_embeddings
from .encoders import MiniLMEncoder, OpenCLIPEncoder, TextEncoder, get_encoder

__all__ = ["TextEncoder", "MiniLMEncoder", "OpenCLIPEncoder", "get_encoder", "label_embeddings",
           "load_label_embeddings"]
