"""Does generation do what was asked? Per label: generate from the label for simulator subjects, read the shot back
with the model's own describe, and compare the camera's motion with the simulator's for the same labels.

    .venv/bin/python benchmarks/movement_readback.py                        # bundled model, every movement
    .venv/bin/python benchmarks/movement_readback.py --field easing         # every easing
    .venv/bin/python benchmarks/movement_readback.py --split heldout        # held-out (movement, angle, shot) triples
    .venv/bin/python benchmarks/movement_readback.py --model runs/x/last --runtime torch
    .venv/bin/python benchmarks/movement_readback.py --model runs/x/last --judge lenscraft_core/models/default

--judge reads the shots back with another model's describe (default: the model's own), so that two generators are
compared by one judge.

Columns: gen->desc = share of generated shots describe reads back as the asked label; true->desc = the same for the
simulator's shots (how good a judge describe is); path / turn / zoom = camera path length / mean distance to the
subject, total rotation (rad), total |change of log focal|, generated vs simulated (means). The easing table also
lists what the generated shots are read as most often.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lenscraft_core import features as ft  # noqa: E402
from lenscraft_core import geometry as geo  # noqa: E402
from lenscraft_core.inference.engine import Engine  # noqa: E402
from lenscraft_core.inference.runtime import RUNTIMES  # noqa: E402
from lenscraft_core.simulate import simulate_batch  # noqa: E402
from lenscraft_core.splits import sample_labels  # noqa: E402
from lenscraft_core.vocabulary import FIELDS  # noqa: E402


def motion_parts(pos, quat, focal, subject_pos) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per shot: path length / mean distance to the subject, total rotation (rad), total |change of log focal|."""
    dist = np.linalg.norm(pos - subject_pos, axis=-1).mean(1)
    path = np.linalg.norm(np.diff(pos, axis=1), axis=-1).sum(1) / dist
    R = geo.quat_to_matrix(quat)
    turn = geo.rotation_angle_between(R[:, :-1], R[:, 1:]).sum(1)
    return path, turn, np.abs(np.diff(np.log(focal), axis=1)).sum(1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=None, help="model folder or checkpoint (default: the bundled model)")
    ap.add_argument("--runtime", default="auto", choices=RUNTIMES, help="what runs the model (default: auto)")
    ap.add_argument("--backend", dest="runtime", choices=RUNTIMES, help=argparse.SUPPRESS)  # old name of --runtime
    ap.add_argument("--judge", default=None, help="model whose describe reads the shots back (default: --model)")
    ap.add_argument("--field", default="movement", choices=("movement", "easing"))
    ap.add_argument("--split", default="train", choices=("train", "heldout"))
    ap.add_argument("--per-label", type=int, default=50, help="shots per label (train split)")
    ap.add_argument("--frames", type=int, default=30)
    ap.add_argument("--seed", type=int, default=5)
    args = ap.parse_args()

    eng = Engine.load(args.model, runtime=args.runtime)
    judge = eng if args.judge is None else Engine.load(args.judge, runtime=args.runtime)
    field = FIELDS[args.field]
    rng = np.random.default_rng(args.seed)
    n = args.per_label * len(field)
    labels = sample_labels(n, rng, args.split)
    if args.split == "train":  # every label equally often (held-out triples fix the movement, so leave it drawn)
        labels[args.field] = np.arange(n) % len(field)
    batch = simulate_batch(n, frames=args.frames, seed=args.seed + 2, labels=labels)
    truth = ft.encode_batch(batch, eng.frames_internal)
    cam = eng.generate_arrays(truth.subject, truth.motion, {k: np.asarray(v) for k, v in labels.items()})
    gen = ft.Features(cam, truth.subject, truth.motion, truth.labels, truth.anchor, truth.frames)
    said = judge.describe_features(gen)[args.field].argmax(-1)
    said_true = judge.describe_features(truth)[args.field].argmax(-1)
    pos, quat, focal = ft.decode_camera(cam, truth.anchor, args.frames)
    g = motion_parts(pos, quat, focal, batch.subject_pos)
    t = motion_parts(batch.cam_pos, batch.cam_rot, batch.focal, batch.subject_pos)
    asked = np.asarray(labels[args.field])

    print(f"model: {eng.model_dir} ({eng.runtime_name}); judge: {'itself' if judge is eng else judge.model_dir}; "
          f"{args.field}, split {args.split}, {n} shots of {args.frames} frames")
    print(f"| {args.field} | n | gen->desc | true->desc | path gen/sim | turn gen/sim | zoom gen/sim |"
          + (" read as |" if args.field == "easing" else ""))
    print("|---|---:|---:|---:|---:|---:|---:|" + ("---|" if args.field == "easing" else ""))
    for i, name in enumerate(field.names):
        m = asked == i
        if not m.any():
            continue
        row = (f"| {name} | {m.sum()} | {np.mean(said[m] == i):.2f} | {np.mean(said_true[m] == i):.2f} | "
               + " | ".join(f"{a[m].mean():.2f} / {b[m].mean():.2f}" for a, b in zip(g, t)) + " |")
        if args.field == "easing":
            row += " " + ", ".join(f"{field.names[j]} {c}" for j, c in Counter(said[m].tolist()).most_common(2)) + " |"
        print(row)
    print(f"\nall: generated read back as asked {np.mean(said == asked):.3f}; the simulator's shots "
          f"{np.mean(said_true == asked):.3f}")


if __name__ == "__main__":
    main()
