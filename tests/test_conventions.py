"""The arc direction convention: "arc left" = the camera travels to its own left around the subject = clockwise seen
from above (vocabulary.ARC_CONVENTION). LensCraft v1's files and models trained before the flip name arcs the other
way round: v1 files are mapped by geometry (docs/formats.md, "Arc direction"), such models are fed their own rows
(inference/conventions.py)."""

import json

import numpy as np
import pytest

from lenscraft_core import features as ft
from lenscraft_core import geometry as geo
from lenscraft_core.errors import LensCraftError
from lenscraft_core.formats import load, save
from lenscraft_core.inference.conventions import model_arc_convention, model_label_embeddings
from lenscraft_core.inference.model_dir import DEFAULT_MODEL_DIR, CheckpointError, read_meta
from lenscraft_core.schema import Subject
from lenscraft_core.simulate import simulate_shot
from lenscraft_core.vocabulary import (ARC_CONVENTION, ARC_MIRROR, FIELDS, MOVEMENT, POSITIVE_DIRECTION,
                                       V1_ARC_CONVENTION)

from _paths import V1_SIM_DIR

SUBJECT = Subject([0.3, -0.2, 0.9], [0.5, 0.4, 1.8])
FRAMES = 24
ARCS = [label.name for label in MOVEMENT if label.params.get("kind") == "arc"]


def _turn(name: str) -> int:
    """What an arc name means here: +1 counter-clockwise seen from above (Right), -1 clockwise (Left)."""
    return -1 if name.endswith("Left") else 1


def _azimuth_change_deg(position: np.ndarray, centre: np.ndarray) -> float:
    """Signed azimuth travelled around `centre` in the XY plane, counter-clockwise seen from above positive."""
    rel = position - centre
    az = np.unwrap(np.arctan2(rel[:, 1], rel[:, 0]))
    return float(np.degrees(az[-1] - az[0]))


def _shot_azimuth_change_deg(shot) -> float:
    t = shot.trajectory
    return _azimuth_change_deg(t.position, shot.subject.positions(t.frame_count))


def test_there_are_three_arc_pairs_and_the_mirror_is_its_own_inverse():
    assert len(ARCS) == 6 and set(ARC_MIRROR) == set(ARCS)
    for name in ARCS:
        mirror = ARC_MIRROR[name]
        assert ARC_MIRROR[mirror] == name and _turn(mirror) == -_turn(name)
        assert MOVEMENT[mirror].params["amount"] == MOVEMENT[name].params["amount"]
    assert POSITIVE_DIRECTION["arc"] == "right" and MOVEMENT["full orbit left"].name == "fullArcShotLeft"
    assert MOVEMENT["orbit left"].name == "shortArcShotLeft"  # a sizeless orbit is the quarter turn


@pytest.mark.parametrize("name", ARCS)
def test_arc_left_travels_clockwise_to_the_cameras_own_left(name):
    shot = simulate_shot(SUBJECT, {"movement": name}, frames=FRAMES)
    turned = _shot_azimuth_change_deg(shot)
    assert np.sign(turned) == _turn(name) == MOVEMENT[name].params["sign"]
    assert abs(turned) == pytest.approx(MOVEMENT[name].params["amount"], abs=1e-6)
    t = shot.trajectory
    right = geo.camera_right(geo.quat_to_matrix(t.rotation[0]))
    start = (t.position[1] - t.position[0]) @ right  # the first step, along the camera's own right axis
    assert np.sign(start) == _turn(name)  # Left: the camera moves to its own left, as a truck left does
    truck = simulate_shot(SUBJECT, {"movement": name.replace("shortArcShot", "truck").replace("halfArcShot", "truck")
                                    .replace("fullArcShot", "truck")}, frames=FRAMES).trajectory
    assert np.sign((truck.position[1] - truck.position[0]) @ right) == np.sign(start)


@pytest.mark.parametrize("name", ARCS)
def test_v1_round_trip_keeps_each_arcs_geometry(name, tmp_path):
    """Our arc written to v1 carries v1's name for its turn (v1's Left = counter-clockwise), and reads back as ours."""
    shot = simulate_shot(SUBJECT, {"movement": name}, frames=FRAMES)
    path = tmp_path / "v1.json"
    save([shot], path, "lenscraft-v1")
    sim = json.loads(path.read_text())["simulations"][0]
    v1_name = sim["instructions"][0]["cameraMovement"]
    assert v1_name == ARC_MIRROR[name]
    # The file's own camera path, Y up (three.js): seen from above is its x / -z plane.
    xz = np.array([[f["position"]["x"], -f["position"]["z"]] for f in sim["cameraFrames"]])
    centre = np.array([sim["subjects"][0]["position"]["x"], -sim["subjects"][0]["position"]["z"]])
    v1_turn = 1 if v1_name.endswith("Left") else -1  # v1's meaning
    assert np.sign(_azimuth_change_deg(xz, centre)) == v1_turn == _turn(name)
    back = load(path).shots[0]
    assert back.instructions[0].movement == name
    save([back], tmp_path / "again.json", "lenscraft-v1")
    assert (tmp_path / "again.json").read_bytes() == path.read_bytes()


def test_v1_arc_left_alias_reads_as_our_counter_clockwise_arc_and_writes_back_as_v1_left(tmp_path):
    ccw = simulate_shot(SUBJECT, {"movement": "shortArcShotRight"}, frames=FRAMES)  # ours: counter-clockwise
    path = tmp_path / "v1.json"
    save([ccw], path, "lenscraft-v1")
    doc = json.loads(path.read_text())
    doc["simulations"][0]["instructions"][0]["cameraMovement"] = "arcLeft"  # as a v1 file may say it
    path.write_text(json.dumps(doc))
    shot = load(path).shots[0]
    label = shot.instructions[0].movement
    assert label == "shortArcShotRight"
    assert _shot_azimuth_change_deg(shot) > 0  # the file's path: counter-clockwise seen from above
    assert _shot_azimuth_change_deg(simulate_shot(SUBJECT, {"movement": label}, frames=FRAMES)) > 0  # the label's
    save([shot], tmp_path / "out.json", "lenscraft-v1")
    written = json.loads((tmp_path / "out.json").read_text())["simulations"][0]["instructions"][0]["cameraMovement"]
    assert MOVEMENT.resolve(written) == MOVEMENT.resolve("arcLeft") == "shortArcShotLeft"


@pytest.mark.skipif(not V1_SIM_DIR.is_dir(), reason="shared v1 simulator files not present")
def test_real_v1_arcs_read_as_labels_whose_sign_is_their_turn():
    turns = {}
    for shot in load(V1_SIM_DIR / "v1_single_30f.json").shots:
        label = shot.instructions[0].movement
        if label in ARCS:
            turns.setdefault(label, set()).add(int(np.sign(_shot_azimuth_change_deg(shot))))
    assert set(turns) == set(ARCS)
    assert all(signs == {MOVEMENT[label].params["sign"]} for label, signs in turns.items()), turns


def _embeddings(seed=0):
    rng = np.random.default_rng(seed)
    return {name: rng.normal(size=(len(f), 8)).astype(np.float32) for name, f in FIELDS.items()}


@pytest.mark.parametrize("meta", [{}, {"arc_convention": V1_ARC_CONVENTION}])
def test_a_model_of_the_v1_convention_is_fed_each_arcs_mirror_row(meta):
    emb = _embeddings()
    before = {k: v.copy() for k, v in emb.items()}
    out = model_label_embeddings(meta, emb)
    assert model_arc_convention(meta) == V1_ARC_CONVENTION
    for label in MOVEMENT:
        i = MOVEMENT.index(label.name)
        source = ARC_MIRROR.get(label.name, label.name)
        np.testing.assert_array_equal(out["movement"][i], emb["movement"][MOVEMENT.index(source)])
    assert not np.array_equal(out["movement"], emb["movement"])
    for name in FIELDS:
        if name != "movement":
            np.testing.assert_array_equal(out[name], emb[name])
        np.testing.assert_array_equal(emb[name], before[name])  # the text-facing rows stay as they were


def test_a_model_of_this_convention_is_fed_the_rows_as_they_are():
    emb = _embeddings()
    out = model_label_embeddings({"arc_convention": ARC_CONVENTION}, emb)
    assert out.keys() == emb.keys() and all(np.array_equal(out[k], emb[k]) for k in emb)


@pytest.mark.parametrize("value", ["left-is-up", 3, None])
def test_an_unknown_arc_convention_is_a_named_error(value):
    with pytest.raises(CheckpointError, match="arc_convention"):
        model_label_embeddings({"arc_convention": value}, _embeddings())


def test_movement_rows_that_do_not_fit_the_vocabulary_are_a_named_error():
    emb = _embeddings()
    emb["movement"] = emb["movement"][:-1]
    with pytest.raises(LensCraftError, match="movement label embeddings have"):
        model_label_embeddings({}, emb)


def test_a_model_from_before_the_flip_reads_our_arcs_only_through_its_own_rows():
    """A model trained before the flip (no arc_convention) describes each simulated arc as its label only with the
    swapped rows. The bundled model, trained since (arc_convention = ours), needs no swap: a copy of it marked as
    from before the flip must then read each arc as its mirror, which is what the swap is for."""
    from lenscraft_core.inference.decode import reference_shot
    from lenscraft_core.inference.runtime import OnnxRuntime, cosine_scores, load_label_embeddings

    meta = read_meta(DEFAULT_MODEL_DIR / "model")
    assert meta["arc_convention"] == ARC_CONVENTION
    legacy = {k: v for k, v in meta.items() if k != "arc_convention"}  # as every model.json from before the flip
    runtime = OnnxRuntime(DEFAULT_MODEL_DIR, meta["weights"]["sha256"], 1, "cpu")
    text_rows = load_label_embeddings(DEFAULT_MODEL_DIR / "label_embeddings.npz", meta["text_encoder"]["id"])
    tau = float(meta["training"]["config"].get("label_tau", 0.05))
    shots = [simulate_shot(SUBJECT, {"movement": name, "shot_type": "longShot"}, frames=FRAMES) for name in ARCS]
    f = ft.encode_shots([reference_shot(s) for s in shots], int(meta["model_config"]["frames"]))
    out = runtime.encode(f.camera, f.subject, f.motion, np.ones(f.camera.shape[:2], bool))
    for rows, expect in ((model_label_embeddings(meta, text_rows), ARCS), (text_rows, ARCS),
                         (model_label_embeddings(legacy, text_rows), [ARC_MIRROR[n] for n in ARCS])):
        read = [MOVEMENT.names[i] for i in cosine_scores(out, rows, tau)["movement"].argmax(-1)]
        assert read == expect


def test_checkpoints_record_the_arc_convention_and_copies_keep_their_own(tmp_path):
    pytest.importorskip("torch")
    from lenscraft_core.train import checkpoint as ckpt
    from lenscraft_core.train.model import PRESETS, LensCraftModel, ModelConfig

    json_path = ckpt.save(tmp_path / "new", LensCraftModel(ModelConfig(**PRESETS["tiny"])).eval(), "minilm-l6-v2",
                          384)
    assert json.loads(json_path.read_text())["arc_convention"] == ARC_CONVENTION
    copy = ckpt.strip_optimizer(tmp_path / "new", tmp_path / "copy")
    assert json.loads(copy.read_text())["arc_convention"] == ARC_CONVENTION
    legacy = json.loads(json_path.read_text())
    del legacy["arc_convention"]  # as every checkpoint from before the field
    json_path.write_text(json.dumps(legacy))
    copy = ckpt.strip_optimizer(tmp_path / "new", tmp_path / "legacy_copy")
    assert json.loads(copy.read_text())["arc_convention"] == V1_ARC_CONVENTION
