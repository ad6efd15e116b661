"""A tiny, untrained LensCraft model exported to ONNX, for add-on tests when no bundled model exists yet.

Its labels are arbitrary (random weights), but every path through the add-on is real: ONNX Runtime inference,
describe scores, and Complete's pass-through of the keyed poses (exact by construction in Engine.complete).
Built with torch in the development venv, once, into build/test-model/ (ignored by git), and reused."""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TINY_DIR = REPO / "build" / "test-model"


def build(out: Path = TINY_DIR) -> Path:
    if (out / "model.json").exists() and (out / "generator.onnx").exists():
        if json.loads((out / "model.json").read_text())["model_config"].get("output") == "factored":
            return out  # (a model built before the tiny model used the shipped head is rebuilt)
    import numpy as np
    import torch

    from lenscraft_core.train import checkpoint, export
    from lenscraft_core.train.model import LensCraftModel, ModelConfig
    from lenscraft_core.vocabulary import FIELD_NAMES, FIELDS

    torch.manual_seed(0)
    # What ships: the factored head on the single-pass decoder.
    cfg = ModelConfig(d_model=32, n_heads=2, enc_layers=1, dec_layers=1, ff_mult=2, decoder="single_pass",
                      output="factored")
    out.mkdir(parents=True, exist_ok=True)
    checkpoint.save(out / "model", LensCraftModel(cfg).eval(), "tiny-test-encoder", cfg.text_dim)
    rng = np.random.default_rng(0)
    emb = {}
    for f in FIELD_NAMES:
        e = rng.normal(size=(len(FIELDS[f].names), cfg.text_dim)).astype(np.float32)
        emb[f] = e / np.linalg.norm(e, axis=1, keepdims=True)
    export.export_onnx(out / "model", out, label_embeddings=emb, check=False)
    return out


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else TINY_DIR))
