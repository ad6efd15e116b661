"""Evaluation metrics with known answers (lenscraft_core.metrics)."""

import numpy as np
import pytest

from lenscraft_core import geometry as geo
from lenscraft_core import metrics as m
from lenscraft_core.simulate import simulate_batch
from lenscraft_core.vocabulary import MOVEMENT


@pytest.fixture(scope="module")
def batch():
    return simulate_batch(24, frames=30, seed=3, person_share=0.0)  # boxes: framing.py measures them


def _traj(b):
    return b.cam_pos, b.cam_rot, b.focal


def test_trajectory_errors_are_zero_against_itself(batch):
    pos, rot, focal = _traj(batch)
    ext = batch.subject_size.max(1)
    assert np.allclose(m.position_error(pos, pos, ext), 0)
    assert np.allclose(m.rotation_error_deg(rot, -rot), 0, atol=1e-4)  # q and -q are the same rotation
    assert np.allclose(m.focal_error(focal, focal), 0)
    d = m.direction_errors(pos, rot, focal, pos, rot, focal, ext)
    for k in ("translation_deg", "rotation_deg", "path_shape"):
        assert np.nanmax(d[k]) < 1e-3, k
    assert np.nanmin(d["zoom_sign"]) == 1.0


def test_trajectory_errors_known_values():
    n, f = 2, 5
    pos = np.zeros((n, f, 3))
    rot = np.broadcast_to([1.0, 0, 0, 0], (n, f, 4)).copy()
    shifted = pos + np.array([0.0, 0.0, 2.0])
    assert np.allclose(m.position_error(shifted, pos, np.array([1.0, 4.0])), [2.0, 0.5])
    turned = np.broadcast_to(geo.matrix_to_quat(geo.axis_rotation(2, np.radians(30.0))), (n, f, 4))
    assert np.allclose(m.rotation_error_deg(turned, rot), 30.0)
    assert np.allclose(m.focal_error(np.full((n, f), 55.0), np.full((n, f), 50.0)), 0.1)


def test_direction_errors_ignore_magnitude_but_see_direction():
    f = 10
    t = np.linspace(0, 1, f)[None, :, None]
    true = t * np.array([1.0, 0, 0])
    rot = np.broadcast_to([1.0, 0, 0, 0], (1, f, 4))
    focal = np.full((1, f), 50.0)
    ext = np.ones(1)
    longer = m.direction_errors(3 * true, rot, focal, true, rot, focal, ext)
    backwards = m.direction_errors(-true, rot, focal, true, rot, focal, ext)
    assert longer["translation_deg"][0] < 1e-6 and longer["path_shape"][0] < 1e-9
    assert abs(backwards["translation_deg"][0] - 180) < 1e-6 and backwards["path_shape"][0] > 0.9
    assert np.isnan(longer["rotation_deg"][0]) and np.isnan(longer["zoom_sign"][0])  # no such component


def test_perturbed_trajectory_is_worse(batch):
    pos, rot, focal = _traj(batch)
    ext = batch.subject_size.max(1)
    rng = np.random.default_rng(0)
    noisy_pos = pos + rng.normal(0, 0.1, pos.shape) * ext[:, None, None]
    noisy_rot = geo.normalize(rot + rng.normal(0, 0.05, rot.shape))
    assert m.position_error(noisy_pos, pos, ext).mean() > 0.1
    assert m.rotation_error_deg(noisy_rot, rot).mean() > 1.0
    assert m.mean_jerk(noisy_pos, batch.fps, ext).mean() > 10 * m.mean_jerk(pos, batch.fps, ext).mean()


def test_framing_scores_perfect_for_simulator_and_worse_when_turned_away(batch):
    pos, rot, focal = _traj(batch)
    args = (batch.subject_pos, batch.subject_rot, batch.subject_size, batch.labels, batch.sensor_width, batch.aspect)
    s = m.framing_scores(pos, rot, focal, *args)
    assert s["on_screen"].min() == 1.0
    assert s["shot_type_ok"].mean() == 1.0 and s["angle_ok"].mean() == 1.0
    away = geo.quat_mul(rot, geo.matrix_to_quat(geo.axis_rotation(1, np.pi)))  # look backwards
    assert m.framing_scores(pos, away, focal, *args)["on_screen"].max() == 0.0
    far = batch.subject_pos + 4 * (pos - batch.subject_pos)
    assert m.framing_scores(far, rot, focal, *args)["shot_type_ok"].mean() < 0.2


def test_classification_metrics_known_answers():
    true = np.array([0, 1, 2, 2, -1])
    scores = np.array([[0.9, 0.1, 0.0], [0.2, 0.7, 0.1], [0.5, 0.1, 0.4], [0.1, 0.2, 0.7], [1, 0, 0]])
    assert m.topk_accuracy(scores, true, 1) == 0.75
    assert m.topk_accuracy(scores, true, 2) == 1.0
    pred = scores.argmax(-1)
    # class 0: tp 1, support 1, predicted 2 -> 2/3; class 1: 1; class 2: tp 1, support 2, predicted 1 -> 2/3
    assert m.macro_f1(pred, true, 3) == pytest.approx((2 / 3 + 1 + 2 / 3) / 3)
    assert m.mean_average_precision(scores, true) == pytest.approx((1.0 + 1.0 + 1.0) / 3)
    assert m.average_precision(np.array([0.9, 0.8, 0.1]), np.array([False, True, True])) == pytest.approx(
        (1 / 2 + 2 / 3) / 2)
    perfect = np.eye(3)[[0, 1, 2, 2]]
    assert m.classification_report(perfect, true[:4]) == {"top1": 1.0, "top3": 1.0, "macro_f1": 1.0, "mAP": 1.0,
                                                          "n": 4}


def test_confusable_pairs_counts_kind_swaps():
    pan, truck, dolly = MOVEMENT.index("panLeft"), MOVEMENT.index("truckRight"), MOVEMENT.index("dollyIn")
    zoom = MOVEMENT.index("halfZoomIn")
    true = np.array([pan, pan, truck, zoom, zoom])
    pred = np.array([truck, pan, truck, dolly, zoom])
    c = m.confusable_pairs(pred, true)
    assert c["pan_vs_truck"]["pan_as_truck"] == 0.5 and c["pan_vs_truck"]["truck_as_pan"] == 0.0
    assert c["zoom_vs_dolly"]["zoom_as_dolly"] == 0.5 and np.isnan(c["zoom_vs_dolly"]["dolly_as_zoom"])
    assert c["tilt_vs_pedestal"]["n_tilt"] == 0


def test_retrieval_recall_perfect_random_and_ties():
    n = 64
    assert m.retrieval_recall(np.eye(n)) == {"traj2text_R@1": 1.0, "traj2text_R@5": 1.0, "text2traj_R@1": 1.0,
                                             "text2traj_R@5": 1.0}
    assert m.retrieval_recall(np.ones((n, n)))["traj2text_R@5"] == 0.0  # all tied: the match is never ahead
    rng = np.random.default_rng(0)
    r = m.retrieval_recall(rng.normal(size=(3200, 3200)))
    assert abs(r["traj2text_R@1"] - 1 / 32) < 0.015 and abs(r["text2traj_R@5"] - 5 / 32) < 0.03


def test_label_similarity_matches_own_labels():
    rng = np.random.default_rng(1)
    fields = ("movement", "angle")
    label_emb = {"movement": geo.normalize(rng.normal(size=(6, 8))), "angle": geo.normalize(rng.normal(size=(4, 8)))}
    labels = np.stack([rng.integers(0, 6, 10), rng.integers(0, 4, 10)], -1)
    labels[3, 1] = -1
    field_emb = np.stack([label_emb["movement"][labels[:, 0]], label_emb["angle"][np.maximum(labels[:, 1], 0)]], 1)
    s = m.label_similarity(field_emb, label_emb, labels, fields)
    assert np.allclose(np.diag(s), 1.0)
    assert s.shape == (10, 10) and np.all(s <= 1 + 1e-9)


def test_framing_scores_read_a_person_by_the_body():
    """The simulator's person shots score their asked size and angle by the body's definitions (and mostly fail the
    box's), and stay on screen by the body's line even when the box centre is below a close-up's frame."""
    from lenscraft_core.simulate import simulate_batch

    b = simulate_batch(120, frames=12, seed=5, person_share=1.0, labels={"movement": "static"})
    pos, rot, focal = b.cam_pos, b.cam_rot, b.focal
    args = (b.subject_pos, b.subject_rot, b.subject_size, b.labels, b.sensor_width, b.aspect)
    body_read = m.framing_scores(pos, rot, focal, *args, person=b.is_person)
    box_read = m.framing_scores(pos, rot, focal, *args)
    assert body_read["shot_type_ok"].mean() == 1.0 and body_read["angle_ok"].mean() == 1.0
    assert body_read["on_screen"].min() == 1.0
    assert box_read["shot_type_ok"].mean() < 0.7 and box_read["on_screen"].mean() < 0.95
    away = geo.quat_mul(rot, geo.matrix_to_quat(geo.axis_rotation(1, np.pi)))
    assert m.framing_scores(pos, away, focal, *args, person=b.is_person)["on_screen"].max() == 0.0
