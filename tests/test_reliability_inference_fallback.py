"""The MiniLM free-text fallback (inference/prompting.py): reached through Engine.parse without torch (as inside
Blender), bounded in work and memory on the longest prompt the grammar takes, and a damaged encoder folder means
the grammar alone with a note, never an error on every prompt. Accuracy: benchmarks/bench_parse_fallback.py."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("onnxruntime")
pytest.importorskip("tokenizers")

from lenscraft_core.inference import prompting  # noqa: E402
from lenscraft_core.inference.engine import Engine  # noqa: E402
from lenscraft_core.inference.model_dir import MINILM_DIR  # noqa: E402
from lenscraft_core.prompt.grammar import MAX_PROMPT_CHARS  # noqa: E402
from lenscraft_core.vocabulary import FIELD_NAMES, FIELDS  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
needs_minilm = pytest.mark.skipif(not (MINILM_DIR / "minilm.onnx").exists(), reason="no bundled MiniLM")

NO_TORCH = """
import json, sys
sys.modules["torch"] = None  # as inside Blender: `import torch` raises ImportError
from lenscraft_core.inference.engine import Engine
eng = Engine.load()
eng.prompt_fallback = True
it = eng.parse("the subject faces directly into the lens")
print(json.dumps({"runtime": eng.runtime_name, "encoder": type(eng.text_encoder()).__name__,
                  "view": it.labels["view"], "source": it.source["view"], "note": eng.text_note,
                  "torch": sys.modules.get("torch") is None}))
"""


@needs_minilm
def test_engine_parse_reaches_the_onnx_minilm_without_torch():
    out = subprocess.run([sys.executable, "-c", NO_TORCH], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got == {"runtime": "onnx", "encoder": "OnnxTextEncoder", "view": "front", "source": "fallback",
                   "note": None, "torch": True}


class _Recorder:
    """A text encoder that records how many pieces each call gets (random unit rows, no model)."""

    dim = 384

    def __init__(self):
        self.calls: list[int] = []

    def encode(self, texts):
        self.calls.append(len(texts))
        e = np.random.default_rng(len(texts)).normal(size=(len(texts), self.dim)).astype(np.float32)
        return e / np.linalg.norm(e, axis=1, keepdims=True)


def _label_embeddings():
    rng = np.random.default_rng(0)
    return {f: (lambda e: e / np.linalg.norm(e, axis=1, keepdims=True))(rng.normal(size=(len(FIELDS[f]), 384)))
            for f in FIELD_NAMES}


@pytest.mark.parametrize("text", ["a b, " * 800, ", ".join(f"{i} pan" for i in range(2000))])
def test_the_fallback_encodes_a_bounded_number_of_pieces_in_small_calls(text):
    """A 4,000-character prompt of 800 clauses once went to ONNX Runtime in one padded call: 13 GB, 100 s."""
    text = text[:MAX_PROMPT_CHARS]
    enc = _Recorder()
    prompting.nearest_labels(enc, _label_embeddings(), text, list(FIELD_NAMES))
    assert sum(enc.calls) <= 1 + prompting.FALLBACK_MAX_CLAUSES
    assert max(enc.calls) <= prompting.ENCODE_BATCH


def test_repeated_clauses_are_encoded_once():
    enc = _Recorder()
    prompting.nearest_labels(enc, _label_embeddings(), "pan left, pan left, pan left, tilt up", ["view"])
    assert enc.calls == [3]  # the prompt, "pan left", "tilt up"


@needs_minilm
def test_a_damaged_minilm_folder_means_the_grammar_alone_with_a_note(tmp_path, monkeypatch):
    broken = tmp_path / "minilm"
    shutil.copytree(MINILM_DIR, broken, ignore=shutil.ignore_patterns("minilm.onnx"))
    (broken / "minilm.onnx").write_bytes(b"not a graph")
    monkeypatch.setattr(prompting, "MINILM_DIR", broken)
    eng = Engine.load(None, runtime="onnx")
    eng.prompt_fallback = True
    it = eng.parse("slow push in, close-up")
    assert it.labels["movement"] == "dollyIn" and it.source["view"] == "default"
    assert eng.text_encoder() is None
    assert "minilm.onnx" in eng.text_note and "grammar alone" in eng.text_note


@needs_minilm
def test_the_fallback_is_off_by_default_so_no_unasked_field_is_stated(tmp_path):
    """Headless as in Blender: "overhead shot, pedestal down slowly" names no shot size, so the shot is the default
    medium shot (with the fallback, MiniLM read "overhead shot" as an extreme close-up and the pedestal shrank to
    2 cm); --prompt-fallback / Engine.prompt_fallback turns the text encoder on."""
    eng = Engine.load(None, runtime="onnx")
    text = "overhead shot, pedestal down slowly"
    it = eng.parse(text)
    assert it.source["shot_type"] == "default" and it.labels["shot_type"] == FIELDS["shot_type"].default
    assert (it.labels["angle"], it.labels["movement"]) == ("overhead", "pedestalDown")
    eng.prompt_fallback = True
    assert eng.parse(text).source["shot_type"] == "fallback"
    said = {}
    for flags in ([], ["--prompt-fallback"]):
        out = subprocess.run([sys.executable, "-m", "lenscraft_core", "generate", "--prompt", text, "--frames", "24",
                              "--subject-kind", "person", "--out", str(tmp_path / f"g{len(flags)}.json"), *flags],
                             cwd=REPO, capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stderr
        said[bool(flags)] = out.stdout + out.stderr
    assert "shot type: mediumShot (default)" in said[False] and "extremeCloseUp" not in said[False]
    assert "extremeCloseUp" in said[True]
