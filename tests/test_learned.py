"""The move decoder (generate(generator="learned")): it trains, exports, loads with its checks, decides the open
amounts close to what the simulator's operator does on shots it never saw, keeps stated amounts exactly, and the
bundled model ships one."""

import json
import shutil
from dataclasses import replace

import numpy as np
import pytest

from lenscraft_core import move_features as mf
from lenscraft_core.errors import LensCraftError
from lenscraft_core.inference import load_engine
from lenscraft_core.inference.learned import MoveDecoderSession, fill_open_amounts
from lenscraft_core.inference.model_dir import DEFAULT_MODEL_DIR
from lenscraft_core.moves import Move, Segment
from lenscraft_core.schema import Subject
from lenscraft_core.simulate_sequences import move_examples, performed_segments, simulate_sequence
from lenscraft_core.vocabulary import MOVEMENT

PERSON = Subject([0.0, 0.0, 0.9], [0.5, 0.4, 1.8], name="person", object_class="person")


@pytest.fixture(scope="module")
def engine():
    return load_engine(DEFAULT_MODEL_DIR)


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory):
    """A move decoder trained for a few steps into a copy of the bundled model's text side."""
    pytest.importorskip("torch")
    from lenscraft_core.train.move_decoder import MoveDecoderConfig, train_move_decoder

    folder = tmp_path_factory.mktemp("tiny")
    shutil.copy(DEFAULT_MODEL_DIR / "label_embeddings.npz", folder)
    summary = train_move_decoder(folder, MoveDecoderConfig(train_shots=40, val_shots=10, steps=30, hidden=16),
                                 log=lambda *_: None)
    assert summary["train_moves"] > 20
    return folder


def _embeddings(folder):
    with np.load(folder / "label_embeddings.npz") as z:
        return z["movement"]


def test_examples_are_open_moves_with_finite_rows():
    X, y, kinds = move_examples(20, 3, _embeddings(DEFAULT_MODEL_DIR))
    assert X.shape == (len(y), mf.feature_size(384)) and np.isfinite(X).all() and np.isfinite(y).all()
    assert set(kinds) <= set(mf.PREDICTED_KINDS)


def test_simulated_sequence_has_segment_truth():
    s = simulate_sequence(np.random.default_rng(5))
    done = performed_segments(s.shot)
    assert len(done) == len(s.asked) == len(s.shot.metadata["segment_frames"])
    assert all(m.amount is not None for seg in done for m in seg.moves if m.kind in mf.PREDICTED_KINDS)


def test_trained_folder_loads_and_predicts(tiny_folder):
    dec = MoveDecoderSession(tiny_folder, _embeddings(tiny_folder))
    X, _, _ = move_examples(3, 1, dec.embeddings)
    out = dec.predict(X)
    assert out.shape == (len(X),) and np.isfinite(out).all()


@pytest.mark.parametrize("edit, words", [
    (lambda m, f: m.update(features=m["features"][:-1]), "feature layout"),
    (lambda m, f: m.update(vocabulary_hash="x"), "vocabulary"),
    (lambda m, f: m.update(onnx_sha256="0" * 64), "another training"),
    (lambda m, f: (f / "moves.onnx").unlink(), "missing"),
    (lambda m, f: m.update(format="other"), "not a LensCraft move decoder"),
])
def test_bad_decoder_folders_are_named(tiny_folder, tmp_path, edit, words):
    folder = tmp_path / "m"
    shutil.copytree(tiny_folder, folder)
    meta = json.loads((folder / "moves.json").read_text())
    edit(meta, folder)
    (folder / "moves.json").write_text(json.dumps(meta))
    with pytest.raises(LensCraftError, match=words):
        MoveDecoderSession(folder, _embeddings(folder))


def test_a_folder_without_a_decoder_says_so(tmp_path):
    folder = tmp_path / "m"
    shutil.copytree(DEFAULT_MODEL_DIR, folder)
    for name in ("moves.json", "moves.onnx", "moves.safetensors"):
        (folder / name).unlink(missing_ok=True)
    eng = load_engine(folder)
    with pytest.raises(LensCraftError, match="no move decoder"):
        eng.generate(PERSON, "pan left", frames=24, generator="learned")
    assert eng.generate(PERSON, "pan left", frames=24)[0].trajectory.frame_count == 24  # planned still works


def test_bundled_decoder_matches_the_operator_on_unseen_shots(engine):
    """Open amounts on simulated shots the decoder never saw (another seed): within 10 % of the operator's on the
    median, per kind, and the whole shot's segments stay in order."""
    dec = engine.move_decoder()
    X, y, kinds = move_examples(60, 987_654, dec.embeddings)
    err = np.expm1(np.abs(dec.predict(X) - y)) * 100
    for k in set(kinds):
        sel = np.array(kinds) == k
        assert np.median(err[sel]) < 10.0, (k, np.median(err[sel]))


def test_stated_amounts_are_kept_exactly(engine):
    segs = [Segment((Move("panLeft", 37.0),)), Segment((Move("dollyIn"), Move("truckRight", 0.4, "m")))]
    filled = fill_open_amounts(engine.move_decoder(), PERSON, {"shot_type": "mediumShot"}, segs, 72, 24.0, 0, 0)
    assert filled[0].moves[0] == segs[0].moves[0] and filled[1].moves[1] == segs[1].moves[1]
    assert filled[1].moves[0].amount is not None and 0.0 < filled[1].moves[0].amount < 0.9
    shot = engine.generate(PERSON, {"segments": segs}, frames=72, generator="learned")[0]
    assert [m["amount"] for s in shot.metadata["segments"] for m in s["moves"]][0] == 37.0


def test_learned_generation_follows_the_words(engine):
    """Speed words change what the decoder decides: a whip pan turns much further than a slow one, and a full
    orbit closes (the builder keeps its radius)."""
    def amount(prompt):
        shot = engine.generate(PERSON, prompt, frames=96, generator="learned")[0]
        return shot.metadata["segments"][0]["moves"][0]["amount"], shot
    slow, _ = amount("slow pan left")
    whip, _ = amount("whip pan left")
    assert whip > 3 * slow
    timed, _ = amount("pan left over 1 second")  # a stated duration is the time the move has
    plain = engine.generate(PERSON, "pan left over 1 second", frames=96, generator="planned")[0]
    assert timed == pytest.approx(plain.metadata["segments"][0]["moves"][0]["amount"], rel=0.1)
    full, shot = amount("full orbit left")
    assert abs(full - 360.0) < 10.0
    t = shot.trajectory
    assert np.linalg.norm(t.position[0] - t.position[-1]) < 0.02 * np.linalg.norm(t.position[0, :2])


def test_predicted_move_units():
    assert predicted_unit(Move("truckLeft"), 0.0) == ("frame", 0.5)
    m = mf.predicted_move(Move("fullZoomIn"), float(np.log(np.log(2.0) / mf.KIND_SCALE["zoom"])))
    assert abs(m.amount - 2.0) < 1e-3
    assert mf.target_value(replace(m, speed=None)) == pytest.approx(np.log(np.log(2.0) / 0.5), abs=1e-3)
    assert MOVEMENT[m.movement].params["kind"] == "zoom"


def predicted_unit(move, value):
    m = mf.predicted_move(move, value)
    return m.unit, m.amount
