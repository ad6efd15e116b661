"""`python -m lenscraft_core generate|describe|complete|export-onnx` on a small exported model (in-process)."""

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("onnxruntime")

from lenscraft_core import formats  # noqa: E402
from lenscraft_core.cli import build_parser, main  # noqa: E402


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    from lenscraft_core.train import checkpoint as ckpt
    from lenscraft_core.train.model import PRESETS, LensCraftModel, ModelConfig
    from lenscraft_core.vocabulary import FIELD_NAMES, FIELDS

    folder = tmp_path_factory.mktemp("cli-model")
    torch.manual_seed(2)
    ckpt.save(folder / "model", LensCraftModel(ModelConfig(**PRESETS["tiny"])).eval(), "minilm-l6-v2", 384)
    rng = np.random.default_rng(0)
    emb = {f: rng.normal(size=(len(FIELDS[f]), 384)).astype(np.float32) for f in FIELD_NAMES}
    np.savez(folder / "emb.npz", **emb)  # export-onnx below bundles these
    from lenscraft_core.train.export import export_onnx

    export_onnx(folder, label_embeddings={f: emb[f] / np.linalg.norm(emb[f], axis=1, keepdims=True) for f in emb})
    return folder


def test_generate_describe_complete_roundtrip(model_dir, tmp_path, capsys):
    out = tmp_path / "gen.json"
    assert main(["generate", "--model", str(model_dir), "--movement", "dollyIn", "--angle", "low angle",
                 "--frames", "36", "--variations", "2", "--subject-position", "2", "0", "1", "--out", str(out)]) == 0
    shots = formats.load(out).shots
    assert len(shots) == 2 and shots[0].trajectory.frame_count == 36
    assert shots[0].labels["movement"] == "dollyIn" and np.allclose(shots[0].subject.position, [2, 0, 1])

    desc = tmp_path / "desc.json"
    assert main(["describe", str(out), "--model", str(model_dir), "--top-k", "2", "--out", str(desc)]) == 0
    d = json.loads(desc.read_text())["descriptions"]
    assert len(d) == 2 and len(d[0]["fields"]["movement"]) == 2 and d[0]["caption"]
    # every field it had, then shake, the 0-3 motion magnitude, which reading the caption is, the judge's reading
    assert list(d[0])[:4] == ["shot", "caption", "motion", "fields"]
    # the default subject is a person: the caption is the judge's move with the body's size and angle
    assert d[0]["reading"] == "geometry" and 0 <= d[0]["motion_magnitude"] <= 3 and d[0]["shake"] >= 0
    assert d[0]["caption"].startswith("the camera") and "pushes in" in d[0]["caption"], d[0]["caption"]
    assert {"movement", "moves", "amounts", "subject_source"} <= set(d[0]["geometry"])
    printed = capsys.readouterr().out
    assert "motion" in printed and "magnitude" in printed and "shake" in printed and "geometry" in printed

    done = tmp_path / "done.json"
    assert main(["complete", str(out), "--keys", "0,17,35", "--model", str(model_dir), "--runtime", "torch",
                 "--out", str(done)]) == 0
    a, b = formats.load(out).shots[0].trajectory, formats.load(done).shots[0].trajectory
    np.testing.assert_allclose(b.position[[0, 17, 35]], a.position[[0, 17, 35]], atol=1e-5)


def test_cli_errors_are_clear(model_dir, tmp_path, capsys):
    assert main(["generate", "--model", str(model_dir), "--out", str(tmp_path / "x.json")]) == 2
    assert "give --prompt" in capsys.readouterr().err
    assert main(["generate", "--model", str(model_dir), "--prompt", "a quiet lake at dawn",
                 "--out", str(tmp_path / "x.json")]) == 2
    assert "camera work" in capsys.readouterr().err
    assert main(["generate", "--model", str(tmp_path / "nowhere"), "--movement", "dollyIn",
                 "--out", str(tmp_path / "x.json")]) == 2
    assert "not found" in capsys.readouterr().err


def test_export_onnx_command(model_dir, tmp_path, capsys):
    import shutil

    for name in ("model.json", "model.safetensors", "label_embeddings.npz"):
        shutil.copyfile(model_dir / name, tmp_path / name)
    # the folder's label embeddings are reused (no text encoder needed)
    assert main(["export-onnx", "--model", str(tmp_path)]) == 0
    assert "max |torch - onnx|" in capsys.readouterr().out
    assert (tmp_path / "encoder.onnx").exists() and (tmp_path / "generator.onnx").exists()
    assert {"generate", "describe", "complete", "export-onnx", "simulate", "demo"} <= set(
        build_parser()._subparsers._group_actions[0].choices)


def test_describe_writes_csv_and_import_labels_unlabelled_segments(tmp_path, capsys):
    """describe --csv over a dataset; import --segments labels segments the CSV leaves unlabelled with describe."""
    import csv as csvmod

    from lenscraft_core import formats
    from lenscraft_core.cli import main

    data = tmp_path / "d.json"
    assert main(["simulate", "--count", "3", "--frames", "40", "--out", str(data), "--movement", "full orbit left"]) == 0
    out_csv = tmp_path / "pred.csv"
    assert main(["describe", str(data), "--csv", str(out_csv)]) == 0
    rows = list(csvmod.DictReader(out_csv.open()))
    assert len(rows) == 3 and all(r["movement_true"] == "fullArcShotLeft" and r["movement"] for r in rows)
    for flag in ("--csv", "--out"):  # an existing output is kept, and the refusal names the flag that replaces it
        kept = tmp_path / f"kept{flag[2:]}"
        kept.write_text("precious")
        assert main(["describe", str(data), flag, str(kept)]) == 2
        assert "pass --overwrite to replace it" in capsys.readouterr().err and kept.read_text() == "precious"
        assert main(["describe", str(data), flag, str(kept), "--overwrite"]) == 0 and kept.read_text() != "precious"
    assert sorted(p.name for p in tmp_path.glob(".tmp-*")) == []  # the atomic writes left no temp file
    seg = tmp_path / "seg.csv"
    seg.write_text("start,end,label\n1,20,dollyIn\n21,40,\n")
    out = tmp_path / "segments.json"
    assert main(["import", str(data), "--segments", str(seg), "--out", str(out)]) == 0
    shots = formats.load(out).shots
    first, second = shots[0].instructions[0], shots[1].instructions[0]
    assert first.movement == "dollyIn" and first.source != "predicted"
    assert second.source == "predicted" and second.movement is not None
