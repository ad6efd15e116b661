import json
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

sys.path.insert(0, str(Path(__file__).parent))
import _train_data as td  # noqa: E402

from lenscraft_core.train import checkpoint as ckpt  # noqa: E402
from lenscraft_core.train import loop as training  # noqa: E402
from lenscraft_core.errors import LensCraftError  # noqa: E402
from lenscraft_core.train.model import PRESETS  # noqa: E402
from lenscraft_core.train.loop import TrainConfig, TrainingDiverged, train  # noqa: E402
from lenscraft_core.vocabulary import FIELDS  # noqa: E402


@pytest.fixture(scope="module")
def data():
    return td.features(600, seed=0), td.features(200, seed=1)


def cfg(tmp, **kw):
    base = dict(model="tiny", steps=200, batch_size=64, lr=2e-3, warmup=20, val_every=100, log_every=10,
                out=str(tmp), progress=False)
    return TrainConfig(**{**base, **kw})


@pytest.mark.parametrize("output", ["relative", "factored"])
def test_short_run_learns(data, tmp_path, output):
    s = train(cfg(tmp_path, steps=100, val_every=50, output=output), data)
    rows = [r.split(",") for r in (tmp_path / "metrics.csv").read_text().splitlines()[1:]]
    losses = [float(v) for step, split, key, v in rows if split == "train" and key == "loss"]
    assert losses[-1] < 0.7 * losses[0], (losses[0], losses[-1])
    chance = 1.0 / len(FIELDS["movement"])
    assert s["val"]["acc_movement"] > 2 * chance, s["val"]
    assert s["val"]["acc_angle"] > 2.0 / len(FIELDS["angle"])
    for key in ("pos", "rot", "focal", "text_movement", "acc_shot_type", "lr", "noise", "mask", "tf"):
        assert any(k == key for _, _, k, _ in rows), key
    for name in ("last.json", "last.safetensors", "best.json", "best.safetensors", "summary.json", "config.json"):
        assert (tmp_path / name).exists(), name
    assert any((tmp_path / "tb").iterdir())
    model, meta = ckpt.load(tmp_path / "best", encoder_id=s["encoder"])
    assert meta["training"]["step"] in (50, 100)


def test_resume_equals_uninterrupted_run(data, tmp_path):
    small = (data[0].subset(slice(0, 300)), data[1].subset(slice(0, 64)))
    kw = dict(steps=12, batch_size=32, val_every=4, mask_start=0.2, tf_end=0.5, noise_start=0.1,
              decoder="autoregressive")  # exercises scheduled sampling too
    train(cfg(tmp_path / "a", **kw), small)
    train(cfg(tmp_path / "b", stop_after=8, **kw), small)
    train(cfg(tmp_path / "b", resume=True, **kw), small)
    a, _ = ckpt.load(tmp_path / "a" / "last")
    b, meta = ckpt.load(tmp_path / "b" / "last")
    assert meta["training"]["step"] == 12
    for (k, va), vb in zip(a.state_dict().items(), b.state_dict().values()):
        assert torch.equal(va, vb), k


def test_ema_weights_are_the_running_average_and_resume_exactly(data, tmp_path):
    small = (data[0].subset(slice(0, 300)), data[1].subset(slice(0, 64)))
    kw = dict(steps=12, batch_size=32, val_every=4, ema=0.9)
    train(cfg(tmp_path / "a", **kw), small)
    train(cfg(tmp_path / "b", stop_after=8, **kw), small)
    train(cfg(tmp_path / "b", resume=True, **kw), small)
    ema_a, meta = ckpt.load(tmp_path / "a" / "ema")
    ema_b, _ = ckpt.load(tmp_path / "b" / "ema")
    last, _ = ckpt.load(tmp_path / "a" / "last")
    assert meta["training"]["step"] == 12
    for (k, va), vb in zip(ema_a.state_dict().items(), ema_b.state_dict().values()):
        assert torch.equal(va, vb), k
    moved = [k for (k, e), p in zip(ema_a.named_parameters(), last.parameters()) if not torch.equal(e, p)]
    assert moved, "the average trails the weights"
    rows = (tmp_path / "a" / "metrics.csv").read_text()
    assert ",val_ema,loss," in rows
    # the update itself: d * ema + (1 - d) * weights, d ramped as (1 + step) / (10 + step) up to the decay
    e, c = torch.nn.Linear(2, 2), torch.nn.Linear(2, 2)
    before = e.weight.detach().clone()
    training.ema_update(e, c, 0.99, 0)
    assert torch.allclose(e.weight, 0.1 * before + 0.9 * c.weight)
    with pytest.raises(LensCraftError, match="--ema"):
        train(cfg(tmp_path / "c", steps=1, ema=1.5), small)


def test_init_fine_tunes_from_a_checkpoint_with_its_architecture(data, tmp_path):
    small = (data[0].subset(slice(0, 200)), data[1].subset(slice(0, 32)))
    train(cfg(tmp_path / "a", steps=4, val_every=4), small)
    s = train(cfg(tmp_path / "b", model="small", init=str(tmp_path / "a" / "last"), steps=2, val_every=2, lr=0.0,
                  weight_decay=0.0), small)  # lr 0: the weights must arrive unchanged
    a, _ = ckpt.load(tmp_path / "a" / "last")
    b, meta = ckpt.load(tmp_path / "b" / "last")
    assert b.cfg == a.cfg and b.cfg.d_model == PRESETS["tiny"]["d_model"]  # the checkpoint's size, not --model
    assert meta["training"]["step"] == 2 and s["steps"] == 2
    for (k, va), vb in zip(a.state_dict().items(), b.state_dict().values()):
        assert torch.equal(va, vb), k
    with pytest.raises(LensCraftError):
        train(cfg(tmp_path / "c", init=str(tmp_path / "missing"), steps=1), small)
    # --freeze-encoder: describe's weights stay, the merger and decoder learn
    train(cfg(tmp_path / "d", init=str(tmp_path / "a" / "last"), freeze_encoder=True, steps=3, val_every=3), small)
    d, _ = ckpt.load(tmp_path / "d" / "last")
    enc = {id(p) for p in d.encoder_parameters()}
    changed = {k for (k, va), (_, vb) in zip(a.named_parameters(), d.named_parameters()) if not torch.equal(va, vb)}
    frozen = {k for k, p in d.named_parameters() if id(p) in enc}
    assert frozen and not (changed & frozen) and {k for k in changed if k.startswith(("dec_", "head", "move_"))}

    # --init-encoder: another run's describe under this run's merger and decoder
    train(cfg(tmp_path / "e", steps=2, val_every=2, seed=7), small)
    train(cfg(tmp_path / "f", init=str(tmp_path / "a" / "last"), init_encoder=str(tmp_path / "e" / "last"),
              freeze_encoder=True, steps=2, val_every=2), small)
    e, _ = ckpt.load(tmp_path / "e" / "last")
    f, _ = ckpt.load(tmp_path / "f" / "last")
    names = {k for k, _ in f.named_parameters() if k.split(".")[0] in f.ENCODER_PARTS}
    for (k, ve), vf in zip(e.named_parameters(), f.parameters()):
        assert torch.equal(ve, vf) == (k in names), k
    with pytest.raises(LensCraftError, match="needs --init"):
        train(cfg(tmp_path / "g", init_encoder=str(tmp_path / "e" / "last"), steps=1), small)
    train(cfg(tmp_path / "h", model="small", steps=1, val_every=1), small)
    with pytest.raises(LensCraftError, match="does not fit"):
        train(cfg(tmp_path / "i", init=str(tmp_path / "a" / "last"), init_encoder=str(tmp_path / "h" / "last"),
                  steps=1), small)

    # tools/bundle_model.py makes such a run a model folder: weights without optimiser, ONNX, metrics
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
    try:
        import bundle_model
    finally:
        sys.path.pop(0)
    dest = tmp_path / "bundle"
    argv = ["--run", str(tmp_path / "d"), "--stage1", str(tmp_path / "a"), "--command", "train.py ...",
            "--dest", str(dest)]
    assert bundle_model.main(argv) == 0
    metrics = json.loads((dest / "training_metrics.json").read_text())
    assert metrics["train"]["steps"] == 3 and metrics["stage1"]["steps"] == 4 and metrics["command"] == "train.py ..."
    assert 0.0 <= metrics["eval"]["iid_movement_top1"] <= 1.0 and metrics["onnx_max_abs_diff"] < 1e-4
    assert ckpt.read_meta(dest / "model")["optimizer"] is None
    from lenscraft_core.inference.engine import Engine
    assert Engine.load(dest).runtime_name == "onnx"
    before = (dest / "model.safetensors").read_bytes()
    assert bundle_model.main(argv[:2] + ["--command", "x", "--dest", str(dest)]) == 2  # no --overwrite: untouched
    assert (dest / "model.safetensors").read_bytes() == before


def test_non_finite_loss_stops_and_keeps_last_good_checkpoint(data, tmp_path, monkeypatch):
    small = (data[0].subset(slice(0, 200)), data[1].subset(slice(0, 32)))
    from lenscraft_core.train import losses
    real = losses.compute_losses
    calls = {"n": 0}

    def poisoned(*args, **kwargs):
        total, terms = real(*args, **kwargs)
        calls["n"] += 1
        if calls["n"] > 8:  # after the step-4 checkpoint and its validation
            total = total * float("nan")
            terms["loss"] = total
        return total, terms

    monkeypatch.setattr(losses, "compute_losses", poisoned)  # the one the loop and validation call
    with pytest.raises(TrainingDiverged, match="non-finite loss.*last good checkpoint"):
        train(cfg(tmp_path, steps=20, batch_size=16, val_every=4, log_every=2, tf_end=1.0), small)
    model, meta = ckpt.load(tmp_path / "last")
    assert meta["training"]["step"] == 4
    assert all(torch.isfinite(p).all() for p in model.parameters())


def test_decode_weight_keeps_only_the_encoder_learning_from_a_shot(data, tmp_path, monkeypatch):
    """A sample with decode_weight 0 adds nothing to the decoder's terms (they equal the terms of the batch without
    it) while the encoder's text terms still see it; all-ones weights are the plain mean."""
    from lenscraft_core.train import losses
    real, seen = losses.compute_losses, []

    def spy(*args, **kwargs):
        seen.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(losses, "compute_losses", spy)
    small = (data[0].subset(slice(0, 64)), data[1].subset(slice(0, 16)))
    train(cfg(tmp_path, steps=1, batch_size=16, val_every=1), small)
    model, core, batch, table, valid, cur, c, _ = seen[0]
    core.eval()
    still = {**cur, "noise": 0.0, "mask": 0.0}
    c = TrainConfig(**{**c.__dict__, "label_memory_p": 0.0, "field_dropout": 0.0})
    keep = torch.arange(len(batch["camera"])) % 3 != 0
    with torch.no_grad():
        weighted = real(core, core, {**batch, "decode_weight": keep.float()}, table, valid, still, c, None)[1]
        kept = real(core, core, {k: v[keep] for k, v in batch.items()}, table, valid, still, c, None)[1]
        plain = real(core, core, batch, table, valid, still, c, None)[1]
        ones = real(core, core, {**batch, "decode_weight": torch.ones(len(keep))}, table, valid, still, c, None)[1]
    for term in ("pos", "rot", "focal", "delta", "motion", "profile", "frame"):
        assert torch.allclose(weighted[term], kept[term], rtol=1e-5, atol=1e-7), term
        assert torch.allclose(ones[term], plain[term], rtol=1e-5, atol=1e-7), term
    assert torch.equal(weighted["text_movement"], plain["text_movement"])
    assert not torch.allclose(weighted["pos"], plain["pos"])


def test_head_pans_taught_to_the_encoder_only_get_decode_weight_zero():
    both = training.simulate_features(120, seed=3, frames=24, head_pan_share=0.5)
    enc = training.simulate_features(120, seed=3, frames=24, head_pan_share=0.5, head_pans_decoded=False)
    assert both.decode_weight is None and training.simulate_features(8, seed=3, frames=24).decode_weight is None
    assert np.array_equal(both.camera, enc.camera)  # the same shots either way
    pans = np.isin(np.array(FIELDS["movement"].names)[enc.labels[:, 0]], ["panLeft", "panRight"])
    off = enc.decode_weight == 0
    assert off.any() and set(np.unique(enc.decode_weight)) <= {0.0, 1.0}
    assert off[pans].mean() > 0.2 and not off[~pans & ~np.isin(np.array(FIELDS["movement"].names)[
        enc.labels[:, 0]], ["panAndTilt", "dollyAndPan"])].any()  # only moves with a pan in them
    assert np.array_equal(enc.subset(np.arange(10)).decode_weight, enc.decode_weight[:10])
    mixed = type(enc).concat([both, enc])
    assert np.array_equal(mixed.decode_weight, np.concatenate([np.ones(len(both)), enc.decode_weight]))


def test_train_py_flags_parse():
    sys.path.insert(0, str(Path(__file__).parents[1]))
    import train as train_script
    c, _ = train_script.parse(["--steps", "7", "--lr", "3e-4", "--model", "small", "--no-progress", "--data",
                               "x.json", "--stop-after", "3", "--compile"])
    assert (c.steps, c.lr, c.model, c.progress, c.data, c.stop_after, c.compile) == \
        (7, 3e-4, "small", False, ["x.json"], 3, True)
    assert train_script.parse(["--recipe", "full"])[0] == TrainConfig()  # the bundled model's recipe
    quick, args = train_script.parse(["--recipe", "quick", "--steps", "5"])
    assert args.recipe == "quick" and quick.steps == 5 and quick.model == train_script.QUICK["model"]
    auto, args = train_script.parse(["--device", "cpu"])  # no GPU asked for: the quick recipe, minutes on a CPU
    assert args.recipe == "quick" and auto.sim_count == train_script.QUICK["sim_count"]


def test_simulated_training_data_uses_only_train_triples_and_varied_lengths():
    from lenscraft_core.splits import heldout_mask
    f = training.simulate_features(64, seed=3)
    m, a, s = f.labels[:, 0], f.labels[:, 2], f.labels[:, 3]
    assert not heldout_mask()[m, a, s].any()
    assert len(set(f.frames.tolist())) > 4 and f.camera.shape[1:] == (32, 10)
    assert f.frames.min() >= training.FRAMES_RANGE[0] and f.frames.max() <= training.FRAMES_RANGE[1]


def test_unknown_model_size_is_a_clear_error(tmp_path):
    with pytest.raises(Exception, match="unknown model size 'huge'"):
        training.model_config(TrainConfig(model="huge"), 384)


def test_schedules():
    c = TrainConfig(steps=1000, warmup=100, lr=1e-3)
    assert training.lr_at(0, c) < training.lr_at(99, c) == pytest.approx(1e-3)
    assert training.lr_at(999, c) == pytest.approx(1e-3 * c.min_lr_ratio, rel=1e-2)
    first, last = training.curriculum(0, c), training.curriculum(999, c)
    assert first["noise"] > last["noise"] and first["mask"] < last["mask"] and first["tf"] > last["tf"]
    assert torch.equal(training.batch_indices(5, 100, 32, 0), training.batch_indices(5, 100, 32, 0))
    seen = torch.cat([training.batch_indices(s, 96, 32, 0) for s in range(3)])
    assert sorted(seen.tolist()) == list(range(96))  # one epoch covers every sample once
    json.dumps(training.curriculum(3, c))


BUNDLED = Path(__file__).parents[1] / "lenscraft_core" / "models" / "default" / "model"


@pytest.mark.skipif(not BUNDLED.with_suffix(".json").exists(), reason="no bundled model")
def test_bundled_model_describes_simulated_and_real_v1_shots():
    """Guards the committed model against regressions (full numbers: docs/MODEL_CARD.md, a bigger sample)."""
    from _paths import V1_SIM_DIR
    from lenscraft_core.inference.conventions import model_label_embeddings
    from lenscraft_core.text.cache import label_embeddings
    core, meta = ckpt.load(BUNDLED)
    emb = model_label_embeddings(meta, label_embeddings(meta["text_encoder"]["id"])[1])  # its arc rows, v1's way
    table, valid = training.label_table(emb, "cpu")
    iid = training.simulate_features(300, seed=777)
    acc = training.describe_accuracy(training.describe_scores(core, iid, table, valid), iid.labels)
    assert acc["movement_top1"] > 0.9 and acc["angle_top1"] > 0.95 and acc["shot_type_top1"] > 0.95, acc
    assert acc["easing_top3"] > 0.8, acc
    if V1_SIM_DIR.is_dir():
        v1 = training.v1_features(V1_SIM_DIR)
        acc = training.describe_accuracy(training.describe_scores(core, v1, table, valid), v1.labels)
        assert acc["movement_top1"] > 0.8, acc


def test_output_auto_picks_the_head_the_decoder_supports():
    from lenscraft_core.train.loop import model_config

    assert model_config(TrainConfig(), 384).output == "factored"
    assert model_config(TrainConfig(decoder="autoregressive"), 384).output == "relative"
    assert model_config(TrainConfig(output="relative"), 384).output == "relative"
    with pytest.raises(LensCraftError, match="--decoder autoregressive --output factored: .*single_pass"):
        model_config(TrainConfig(decoder="autoregressive", output="factored"), 384)
