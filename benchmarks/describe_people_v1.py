"""The autoencoder's describe, checkpoints side by side: people framed by the body, boxes, LensCraft v1's own shots.

    .venv/bin/python benchmarks/describe_people_v1.py lenscraft_core/models/default/model runs/share20/last ...

Per checkpoint (a path without the suffix), the top-1 movement / angle / shot size of the network's describe
(field embedding -> nearest label text embedding, train/quick_metrics.describe_scores) on N simulated shots of
people and N of boxes (48 frames, `train` split labels, seed 77: the same shots for every checkpoint) and on the
v1 simulator's files (../shared/external/lenscraft-v1-sim, a generalisation test: never trained on). This is the
trade docs/MODEL_CARD.md reports when the share of people in the training data changes.

The last two columns split v1 by file: pick a model on v1_single_30f.json ("v1 pick") and report it on
v1_single_30f_5subj.json ("v1 held out", the file `evaluate` scores), so the number reported was not chosen on.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

V1_DIR = REPO.parent / "shared" / "external" / "lenscraft-v1-sim"
FIELDS = ("movement", "angle", "shot_type")
V1_HALVES = {"v1 pick": "v1_single_30f.json", "v1 held out": "v1_single_30f_5subj.json"}


def measure(stem: str, n: int, seed: int, v1_dir: Path | None) -> dict[str, dict[str, float]]:
    from lenscraft_core.text.cache import label_embeddings
    from lenscraft_core.train import checkpoint as ckpt
    from lenscraft_core.train.data import label_table, simulate_features, v1_features
    from lenscraft_core.train.quick_metrics import describe_accuracy, describe_scores

    core, meta = ckpt.load(stem)
    _, emb = label_embeddings(meta["text_encoder"]["id"], None)
    table, valid = label_table(emb, "cpu")
    groups = {"people": simulate_features(n, seed, 48, "train", core.cfg.frames, person_share=1.0),
              "boxes": simulate_features(n, seed, 48, "train", core.cfg.frames, person_share=0.0)}
    if v1_dir is not None:
        groups["v1"] = v1_features(v1_dir, core.cfg.frames)
        for name, file in V1_HALVES.items():
            groups[name] = v1_features(v1_dir, core.cfg.frames, files=(file,))
    return {g: describe_accuracy(describe_scores(core, f, table, valid), f.labels) for g, f in groups.items()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("checkpoints", nargs="+", help="checkpoint paths without the suffix")
    ap.add_argument("--shots", type=int, default=1500, help="simulated shots per group")
    ap.add_argument("--seed", type=int, default=77)
    ap.add_argument("--v1-dir", default=str(V1_DIR), help="LensCraft v1 simulator output ('' to skip)")
    args = ap.parse_args()
    v1 = Path(args.v1_dir) if args.v1_dir else None
    if v1 is not None and not v1.is_dir():
        print(f"no v1 folder at {v1}: v1 column skipped", file=sys.stderr)
        v1 = None
    t0 = time.time()
    results = {stem: measure(stem, args.shots, args.seed, v1) for stem in args.checkpoints}
    groups = ["people", "boxes"] + (["v1"] if v1 is not None else [])
    halves = list(V1_HALVES) if v1 is not None else []
    print("| checkpoint | " + " | ".join([f"{g} {f}" for g in groups for f in FIELDS]
                                         + [f"{h} movement" for h in halves]) + " |")
    print("|---" * (1 + len(groups) * len(FIELDS) + len(halves)) + "|")
    for stem, r in results.items():
        cells = [f"{100 * r[g].get(f'{f}_top1', float('nan')):.1f}" for g in groups for f in FIELDS]
        cells += [f"{100 * r[h]['movement_top1']:.1f}" for h in halves]
        print(f"| {stem} | " + " | ".join(cells) + " |")
    print(f"\n{args.shots} simulated shots per group, seed {args.seed}; {time.time() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
