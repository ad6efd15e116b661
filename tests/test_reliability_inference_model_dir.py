"""Broken model folders give named errors (a LensCraftError naming the file and the field), never a raw KeyError,
AttributeError, ONNX Runtime exception, an unpickled object, a file outside the folder or a huge allocation; and
runtime="auto" falls back to torch when the ONNX graphs are unusable, saying so in Engine.runtime_note.

Each test breaks a copy of the bundled model folder (lenscraft_core/models/default) in tmp_path."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("onnxruntime")

from lenscraft_core.errors import LensCraftError  # noqa: E402
from lenscraft_core.inference import model_dir as md  # noqa: E402
from lenscraft_core.inference.engine import Engine  # noqa: E402
from lenscraft_core.inference.model_dir import DEFAULT_MODEL_DIR, CheckpointError, read_meta  # noqa: E402
from lenscraft_core.inference.runtime import load_label_embeddings  # noqa: E402


@pytest.fixture
def folder(tmp_path) -> Path:
    out = tmp_path / "model"
    shutil.copytree(DEFAULT_MODEL_DIR, out)
    return out


def _edit_json(path: Path, edit) -> None:
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data))


def _torch_or_skip():
    return pytest.importorskip("torch")


# ------------------------------------------------------------------------------------------------ onnx.json
def test_manifest_without_graphs_is_a_named_error(folder):
    _edit_json(folder / "onnx.json", lambda m: m.pop("graphs"))
    with pytest.raises(LensCraftError, match=r"onnx\.json: graphs"):
        Engine.load(folder, runtime="onnx")


@pytest.mark.parametrize("manifest", [[1, 2], "x", None])
def test_manifest_that_is_not_an_object_is_a_named_error(folder, manifest):
    (folder / "onnx.json").write_text(json.dumps(manifest))
    with pytest.raises(LensCraftError, match=r"onnx\.json"):
        Engine.load(folder, runtime="onnx")


@pytest.mark.parametrize("graph", ["../../etc/passwd", "/etc/passwd", "../model.json", "sub/../../x.onnx", 7, ""])
def test_graph_paths_must_stay_inside_the_model_folder(folder, graph):
    _edit_json(folder / "onnx.json", lambda m: m["graphs"].update(encoder=graph))
    with pytest.raises(LensCraftError, match=r"onnx\.json: graphs\.encoder"):
        Engine.load(folder, runtime="onnx")


def test_a_graph_symlinked_out_of_the_folder_is_refused(folder, tmp_path):
    outside = tmp_path / "elsewhere.onnx"
    shutil.copy(folder / "encoder.onnx", outside)
    (folder / "encoder.onnx").unlink()
    (folder / "encoder.onnx").symlink_to(outside)
    with pytest.raises(LensCraftError, match=r"graphs\.encoder.*outside"):
        Engine.load(folder, runtime="onnx")


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "swapped"])
def test_a_corrupt_graph_is_a_named_error(folder, damage):
    enc = folder / "encoder.onnx"
    if damage == "garbage":
        enc.write_bytes(b"\x00not an onnx graph\xff" * 100)
    elif damage == "truncated":
        enc.write_bytes(enc.read_bytes()[: enc.stat().st_size // 2])
    elif damage == "empty":
        enc.write_bytes(b"")
    else:  # a valid graph, but the other one: its inputs are not the encoder's
        enc.write_bytes((folder / "generator.onnx").read_bytes())
    with pytest.raises(LensCraftError, match=r"encoder\.onnx"):
        Engine.load(folder, runtime="onnx")


@pytest.mark.parametrize("damage", ["corrupt", "missing", "no manifest"])
def test_auto_falls_back_to_torch_and_says_why(folder, damage):
    _torch_or_skip()
    if damage == "corrupt":
        (folder / "generator.onnx").write_bytes(b"\x08\x07garbage")
    elif damage == "missing":
        (folder / "generator.onnx").unlink()
    else:
        (folder / "onnx.json").unlink()
    eng = Engine.load(folder)
    assert eng.runtime_name == "torch"
    assert eng.runtime_note and "torch" in eng.runtime_note
    assert ("onnx.json" if damage == "no manifest" else "generator.onnx") in eng.runtime_note


def test_a_sound_folder_has_no_runtime_note():
    eng = Engine.load(DEFAULT_MODEL_DIR)
    assert eng.runtime_name == "onnx" and eng.runtime_note is None


# ------------------------------------------------------------------------------------------------ model.json
@pytest.mark.parametrize("key, value, field", [
    ("training", "x", "training"),
    ("training", {"config": "x"}, "training.config"),
    ("training", {"config": {"label_tau": "abc"}}, "training.config.label_tau"),
    ("training", {"step": "ten"}, "training.step"),
    ("text_encoder", "minilm", "text_encoder"),
    ("text_encoder", {"id": 3, "dim": 384}, "text_encoder.id"),
    ("text_encoder", {"id": "minilm-l6-v2", "dim": "384"}, "text_encoder.dim"),
    ("model_config", "x", "model_config"),
    ("weights", "x", "weights"),
    ("weights", {"file": "model.safetensors", "sha256": 5, "bytes": 1}, "weights.sha256"),
    ("labels", ["a"], "labels"),
])
def test_model_json_fields_of_the_wrong_type_are_named(folder, key, value, field):
    _edit_json(folder / "model.json", lambda m: m.update({key: value}))
    for runtime in ("onnx", "auto"):
        with pytest.raises(CheckpointError) as e:
            Engine.load(folder, runtime=runtime)
        assert str(folder / "model.json") in str(e.value) and f"{field} " in str(e.value)


def test_model_json_without_frames_is_named(folder):
    _edit_json(folder / "model.json", lambda m: m["model_config"].pop("frames"))
    with pytest.raises(LensCraftError, match=r"model\.json: model_config\.frames"):
        Engine.load(folder, runtime="onnx")


@pytest.mark.parametrize("field, value", [
    ("d_model", 20000), ("d_model", 0), ("d_model", -128), ("d_model", 128.5), ("d_model", "128"), ("d_model", True),
    ("n_heads", 10 ** 6), ("enc_layers", 10 ** 5), ("dec_layers", 1000), ("ff_mult", 4096), ("frames", 10 ** 9),
    ("frames", 1), ("text_dim", 10 ** 7), ("move_basis", 10 ** 6), ("dropout", 2.0), ("dropout", float("nan")),
])
def test_sizes_are_checked_before_anything_is_allocated(folder, monkeypatch, field, value):
    _edit_json(folder / "model.json", lambda m: m["model_config"].update({field: value}))
    with pytest.raises(CheckpointError, match=rf"model\.json: model_config\.{field} "):
        read_meta(folder / "model")
    with pytest.raises(CheckpointError, match=rf"model_config\.{field} "):
        Engine.load(folder, runtime="onnx")
    _torch_or_skip()
    from lenscraft_core.train import checkpoint as ckpt

    def no_model(*a, **k):
        raise AssertionError("the model was built before its sizes were checked")

    monkeypatch.setattr(ckpt, "LensCraftModel", no_model)
    with pytest.raises(CheckpointError, match=rf"model_config\.{field} "):
        Engine.load(folder, runtime="torch")


def test_sizes_that_are_each_in_range_but_together_too_big_are_refused(folder):
    big = {"d_model": 2048, "n_heads": 8, "enc_layers": 32, "dec_layers": 32, "ff_mult": 16}
    _edit_json(folder / "model.json", lambda m: m["model_config"].update(big))
    with pytest.raises(CheckpointError, match=r"model_config: .*parameters"):
        read_meta(folder / "model")


@pytest.mark.parametrize("field", ["subj_dim", "cam_dim", "motion_dim"])
def test_a_model_for_another_feature_layout_is_refused_by_name(folder, field):
    # a model from before the subject's person flag has subj_dim 10: its weights would fit no input this code makes
    from lenscraft_core import features as ft

    ours = {"subj_dim": ft.SUBJ_DIM, "cam_dim": ft.CAM_DIM, "motion_dim": ft.MOTION_DIM}[field]
    _edit_json(folder / "model.json", lambda m: m["model_config"].update({field: ours - 1}))
    for runtime in ("onnx", "torch"):
        if runtime == "torch":
            _torch_or_skip()
        with pytest.raises(CheckpointError, match=rf"model_config\.{field} is {ours - 1}, this code's features "
                                                  rf"have {ours}.*another feature layout"):
            Engine.load(folder, runtime=runtime)


def test_every_size_limit_admits_the_shipped_presets():
    torch = _torch_or_skip()  # noqa: F841
    from lenscraft_core.train.model import PRESETS, ModelConfig

    for name, preset in PRESETS.items():
        md.check_model_config(ModelConfig(**preset).to_dict(), name)


def test_an_architecture_this_code_cannot_build_is_named_on_torch(folder):
    _torch_or_skip()
    _edit_json(folder / "model.json", lambda m: m["model_config"].update(decoder="diffusion"))
    with pytest.raises(CheckpointError, match=r"model\.json: model_config.*decoder"):
        Engine.load(folder, runtime="torch")


# ------------------------------------------------------------------------------------------------ label_embeddings.npz
UNPICKLED = []


def _mark_unpickled(tag):
    UNPICKLED.append(tag)
    return tag


class _Tripwire:
    """Unpickling this object calls _mark_unpickled: the test sees whether the loader ever ran pickle."""

    def __reduce__(self):
        return (_mark_unpickled, ("unpickled",))


def _rewrite_npz(path: Path, **changes) -> None:
    with np.load(path) as z:
        arrays = {k: z[k] for k in z.files}
    for k, v in changes.items():
        if v is None:
            arrays.pop(k)
        else:
            arrays[k] = v
    np.savez(path, **arrays)  # object arrays are pickled inside the npz


@pytest.mark.parametrize("key", ["movement", "__encoder_id__", "__vocabulary_hash__"])
def test_an_object_array_is_never_unpickled(folder, key):
    UNPICKLED.clear()
    npz = folder / "label_embeddings.npz"
    _rewrite_npz(npz, **{key: np.array([_Tripwire()], dtype=object)})
    with pytest.raises(LensCraftError, match=rf"label_embeddings\.npz: {key}"):
        Engine.load(folder, runtime="onnx")
    assert UNPICKLED == []


@pytest.mark.parametrize("key", ["__encoder_id__", "__vocabulary_hash__", "view"])
def test_a_missing_entry_is_named(folder, key):
    npz = folder / "label_embeddings.npz"
    _rewrite_npz(npz, **{key: None})
    with pytest.raises(LensCraftError, match=rf"label_embeddings\.npz: .*{key}"):
        load_label_embeddings(npz, "minilm-l6-v2")


@pytest.mark.parametrize("value", [np.zeros((5, 100), np.float32), np.full((5, 384), np.nan, np.float32),
                                   np.array(["a"] * 5), np.zeros(5, np.float32)])
def test_embeddings_of_the_wrong_shape_dtype_or_values_are_named(folder, value):
    npz = folder / "label_embeddings.npz"
    _rewrite_npz(npz, angle=value)
    with pytest.raises(LensCraftError, match=r"label_embeddings\.npz: angle"):
        Engine.load(folder, runtime="onnx")


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 truncated zip", b"\x93NUMPY garbage", b"plain text"])
def test_a_file_that_is_not_an_npz_is_named(folder, content):
    (folder / "label_embeddings.npz").write_bytes(content)
    with pytest.raises(LensCraftError, match=r"label_embeddings\.npz"):
        Engine.load(folder, runtime="onnx")


@pytest.mark.parametrize("name", ["model.json", "onnx.json"])
def test_a_model_json_with_a_5000_digit_number_is_a_named_error(folder, name):
    """json.loads raises a plain ValueError past 4,300 digits: read through formats.text.read_json, it is named."""
    path = folder / name
    path.write_text(path.read_text().rstrip().rstrip("}") + ', "x": ' + "9" * 5000 + "}")
    with pytest.raises(LensCraftError, match=name):
        Engine.load(folder, runtime="onnx")
