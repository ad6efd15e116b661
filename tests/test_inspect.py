import csv

import numpy as np
import pytest

from lenscraft_core import geometry as geo
from lenscraft_core import formats
from lenscraft_core.evaluate.plots import (NO_INDEPENDENT_LABELS, describe_to_csv, format_describe_scores,
                                           format_summary_table, inspect_dataset, plot_confusion, save_figure,
                                           score_describe, trajectory_features)
from lenscraft_core.schema import Instruction, Shot, Subject, Trajectory

MOVES = ("panLeft", "dollyIn", "shortArcShotLeft", "halfZoomIn")


def make_shot(move, seed, frames=30, offset=(0, 0, 0), turn=0.0):
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 1, frames)
    subject = np.array([0.0, 0.0, 0.9])
    start = np.array([0.0, -(3 + rng.uniform()), 1.2 + 0.2 * rng.uniform()])
    focal = np.full(frames, 35.0)
    target = np.broadcast_to(subject, (frames, 3)).copy()
    pos = np.broadcast_to(start, (frames, 3)).copy()
    if move == "panLeft":
        yaw = 0.6 * t
        target = start + np.stack([-np.sin(yaw), np.cos(yaw), np.zeros(frames)], -1) * 3
    elif move == "dollyIn":
        pos = start + (subject - start) * 0.5 * t[:, None]
    elif move == "shortArcShotLeft":
        a = np.pi / 2 * t
        pos = np.stack([np.sin(a) * start[1] * -1, np.cos(a) * start[1], np.full(frames, start[2])], -1)
    elif move == "halfZoomIn":
        focal = 35.0 * 2 ** (0.5 * t)
    Rz = geo.axis_rotation(2, turn)
    pos, target = pos @ Rz.T + offset, target @ Rz.T + offset
    traj = Trajectory.from_matrices(pos, geo.look_at(pos, target), focal, fps=24.0)
    ins = Instruction(movement=move, angle="mediumAngle", source="simulator")
    return Shot(traj, [Subject(subject @ Rz.T + offset, [0.5, 0.4, 1.8], geo.matrix_to_quat(Rz))], [ins],
                name=f"{move}{seed}")


@pytest.fixture(scope="module")
def shots():
    return [make_shot(m, s) for s in range(5) for m in MOVES]


def assert_real_png(path, min_bytes=5000):
    import matplotlib.image as mpimg

    assert path.exists() and path.stat().st_size > min_bytes, path
    img = mpimg.imread(path)
    assert img.ndim == 3 and img.shape[0] > 100 and img.shape[1] > 100
    assert img[..., :3].std() > 0.02  # not a blank canvas


def test_inspect_dataset_summary_and_plots(tmp_path, shots):
    summary = inspect_dataset(shots, tmp_path / "report")
    assert summary["samples"] == 20
    assert summary["labels"]["movement"] == {m: 5 for m in ("panLeft", "dollyIn", "halfZoomIn", "shortArcShotLeft")}
    assert summary["labels"]["angle"] == {"mediumAngle": 20}
    assert summary["labels"]["view"] == {"(none)": 20}
    assert summary["frames"]["min"] == summary["frames"]["max"] == 30
    assert summary["duration_s"]["total"] == pytest.approx(20 * 30 / 24)
    assert summary["subjects"]["size_max"] == [0.5, 0.4, 1.8]
    assert summary["embedding_method"] in ("tsne", "umap")
    assert set(summary["plots"]) == {"label_histograms", "trajectories_top", "trajectories_side", "embedding"}
    for p in summary["plots"].values():
        assert_real_png(tmp_path / "report" / p.split("/")[-1])
    table = format_summary_table(summary)
    assert "samples: 20" in table and "shortArcShotLeft" in table and "25.0%" in table


def test_embedding_hook(tmp_path, shots):
    calls = []

    def embed(batch):
        calls.append(len(batch))
        return np.array([[MOVES.index(s.labels["movement"]), i % 3] for i, s in enumerate(batch)], float)

    summary = inspect_dataset(shots[:4], tmp_path, embed_fn=embed)
    assert calls == [4] and summary["embedding_method"] == "pca"  # too few samples for t-SNE
    assert_real_png(tmp_path / "embedding.png", 2000)


def test_features_ignore_world_placement_and_separate_moves():
    a = trajectory_features(make_shot("dollyIn", 1))
    b = trajectory_features(make_shot("dollyIn", 1, offset=(5, -2, 1), turn=1.0))
    np.testing.assert_allclose(a, b, atol=1e-9)
    feats = {m: trajectory_features(make_shot(m, 1)) for m in MOVES}
    for m in MOVES:
        for n in MOVES:
            if m != n:
                assert np.linalg.norm(feats[m] - feats[n]) > 0.1, (m, n)


def test_plot_confusion(tmp_path):
    labels = ["panLeft", "panRight", "static"]
    true = ["panLeft", "panLeft", "panRight", "static", "static"]
    pred = ["panLeft", "panRight", "panRight", "static", "panLeft"]
    m = plot_confusion(true, pred, labels, tmp_path / "cm.png", title="movement")
    np.testing.assert_array_equal(m, [[1, 1, 0], [0, 1, 0], [1, 0, 1]])
    assert_real_png(tmp_path / "cm.png", 2000)
    np.testing.assert_array_equal(plot_confusion([0, 1], [1, 1], labels, tmp_path / "cm2.png"),
                                  [[0, 1, 0], [0, 1, 0], [0, 0, 0]])


def test_describe_to_csv(tmp_path, shots):
    def describe(shot):
        zoom = shot.trajectory.focal_length[-1] > shot.trajectory.focal_length[0] * 1.1
        return {"movement": ("zoom in" if zoom else "static", 0.9 if zoom else 0.4), "angle": "eye level",
                "view": {"label": "front", "score": 0.25}}

    describe_to_csv(shots[:4], describe, tmp_path / "pred" / "describe.csv")
    rows = list(csv.DictReader(open(tmp_path / "pred" / "describe.csv")))
    assert len(rows) == 4
    assert [r["movement"] for r in rows] == ["static", "static", "static", "halfZoomIn"]
    assert [r["movement_true"] for r in rows] == list(MOVES)
    assert rows[3]["movement_score"] == "0.9" and rows[0]["angle"] == "mediumAngle"
    assert rows[0]["angle_score"] == "" and rows[0]["view_score"] == "0.25" and rows[0]["easing"] == ""
    assert rows[0]["frames"] == "30"


def _relabelled(shot, source):
    ins = shot.instructions[0]
    return Shot(shot.trajectory, shot.subjects, [Instruction(**{**ins.__dict__, "source": source})], shot.name)


def test_describe_is_never_scored_against_its_own_labels(tmp_path, shots):
    """inspect --describe: segments that describe itself labelled (source "predicted", as `import --segments`
    writes them) would score 100 % against describe; they get "no independent labels" instead."""
    path = tmp_path / "predicted.json"
    formats.save([_relabelled(s, "predicted") for s in shots[:8]], path)
    loaded = [s for shot in formats.load(path).shots for s in shot.split()]
    assert {s.instructions[0].source for s in loaded} == {"predicted"}  # the source survives the file
    describe_says = [dict(s.labels) for s in loaded]  # describe agrees with "its" labels: self-grading
    scores = score_describe(loaded, describe_says, tmp_path / "out")
    assert scores["movement"] == {"n": 0, "accuracy": None, "self_labelled": 8, "sources": {}}
    lines = format_describe_scores(scores)
    assert all(NO_INDEPENDENT_LABELS in line for line in lines) and "%" not in " ".join(lines)
    assert not list((tmp_path / "out").glob("confusion_*.png"))  # no confusion matrix of describe against itself


def test_describe_scored_only_on_independent_labels(tmp_path, shots):
    mixed = [_relabelled(s, "predicted") for s in shots[:4]] + [_relabelled(s, "user") for s in shots[4:8]]
    said = [{"movement": "static", "angle": "eye level"} for _ in mixed]  # wrong movement, right angle
    scores = score_describe(mixed, said, tmp_path)
    assert scores["movement"]["n"] == 4 and scores["movement"]["accuracy"] == 0.0
    assert scores["movement"]["self_labelled"] == 4 and scores["movement"]["sources"] == {"user": 4}
    assert scores["angle"]["accuracy"] == 1.0
    assert "view" not in scores  # neither labelled nor described
    line = format_describe_scores(scores)[0]
    assert "top-1   0.0% over 4 independently labelled samples (user 4)" in line and NO_INDEPENDENT_LABELS in line
    assert_real_png(tmp_path / "confusion_movement.png", 2000)
    sim = score_describe(shots, [dict(s.labels) for s in shots])  # simulator ground truth is independent
    assert sim["movement"]["accuracy"] == 1.0 and sim["movement"]["sources"] == {"simulator": len(shots)}
    with pytest.raises(ValueError):
        score_describe(shots, said)


def test_plots_and_csv_are_written_atomically(tmp_path, shots):
    from lenscraft_core.evaluate.plots import pyplot

    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    for name in ("fig.png", "rows.csv"):
        (tmp_path / name).symlink_to(victim)
    plt = pyplot()
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    save_figure(fig, tmp_path / "fig.png")
    plt.close(fig)
    describe_to_csv(shots[:2], lambda s: {"movement": "static"}, tmp_path / "rows.csv")
    assert victim.read_text() == "keep me"
    assert not (tmp_path / "fig.png").is_symlink() and (tmp_path / "fig.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "rows.csv").read_text().startswith("index,name,frames")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fig.png", "rows.csv", "victim.txt"]  # no temp files


def test_cli_inspect_describe_says_no_independent_labels(tmp_path, shots, capsys):
    from lenscraft_core.cli import main

    path = tmp_path / "predicted.json"
    formats.save([_relabelled(s, "predicted") for s in shots[:4]], path)  # 4: PCA, no t-SNE
    assert main(["inspect", str(path), "--out", str(tmp_path / "out"), "--describe"]) == 0
    out = capsys.readouterr().out
    assert NO_INDEPENDENT_LABELS in out and "top-1" not in out
