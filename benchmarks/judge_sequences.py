"""Sequences and simultaneous moves, generated and graded from outside: every prompt of the held-out compound set
(tests/data/compound_prompts_heldout.json) is generated (generate's default, learned, and the planner) on a 1.8 m
person and on a 0.6 m box, 120 frames at 24 fps, from (a) the set's own segments (generation alone) and (b) the
prompt text (parse + generation); each segment's frames are read by the geometric judge (not the model): right when
the judge finds exactly the asked moves, each in its asked direction (kind and sign), in order, and a hold holds.
Joins: the peak jerk within 2 frames of a join over the peak jerk inside the segments on either side (the issue's
limit: 2x).

    .venv/bin/python benchmarks/judge_sequences.py                       # planned and learned side by side
    .venv/bin/python benchmarks/judge_sequences.py --generators planned learned model
    .venv/bin/python benchmarks/judge_sequences.py --generators planned --show-failures

Generators: planned (the operator's defaults for open amounts), learned (generate's default: the model's move
decoder decides them; the planner builds both) and model (the network's own path, segment by segment from where
the previous one ended: inference/network_segments.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lenscraft_core.inference import load_engine  # noqa: E402
from lenscraft_core.judge import camera_angles, judge_shot  # noqa: E402
from lenscraft_core.moves import Move, Segment  # noqa: E402
from lenscraft_core.schema import Subject  # noqa: E402
from lenscraft_core.vocabulary import MOVEMENT  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
SETS = {"heldout": DATA / "compound_prompts_heldout.json", "heldout2": DATA / "compound_prompts_heldout2.json"}
SUBJECTS = {"person": Subject([0.0, 0.0, 0.9], [0.5, 0.35, 1.8], name="person", object_class="person"),
            "object": Subject([0.0, 0.0, 0.3], [0.6, 0.6, 0.6], name="box")}
FRAMES, FPS = 120, 24.0
WALK_M_S = 1.0  # a followed / tracked subject walks (the camera has something to follow): away from the camera for
# follow (along the view), across it for track (the front view looks along +Y), as the judge tells them apart


def moving_subject(subject: Subject, segments) -> Subject:
    """The subject itself for prompts without follow / track; else the same subject walking at WALK_M_S."""
    kinds = {m.kind for seg in segments for m in seg.moves}
    if not kinds & {"follow", "track"}:
        return subject
    direction = np.array([0.0, 1.0, 0.0]) if "follow" in kinds else np.array([1.0, 0.0, 0.0])
    path = subject.position + np.arange(FRAMES)[:, None] / FPS * WALK_M_S * direction
    return Subject(subject.position, subject.size, subject.rotation, name=subject.name,
                   object_class=subject.object_class, motion_position=path)


def _key(label: str) -> tuple[str, int]:
    p = MOVEMENT[label].params
    return p["kind"], int(p.get("sign", 0))


def _asked(segment: Segment) -> set:
    out = set()
    for m in segment.moves:
        if m.kind == "dollyZoom":  # the judge reads a dolly zoom as its dolly and its zoom
            out |= {("dolly", m.sign), ("zoom", -m.sign)}
        else:
            out.add(_key(m.movement))
    return out


def _jerk(shot, subject) -> np.ndarray:
    """Per-frame jerk magnitude: position in camera-subject distances and view angles in radians, per s^3. The
    angles are the judge's (camera_angles: the heading tracked through a vertical view, where Euler angles jump by
    180 degrees with no turn of the camera)."""
    t = shot.trajectory
    d = float(np.linalg.norm(t.position[0] - subject.position))
    ypr = np.stack(camera_angles(t.matrices[:, :3, :3]), 1)
    x = np.concatenate([t.position / d, ypr, np.log(t.focal_length)[:, None]], 1)
    j = np.linalg.norm(np.diff(x, 3, axis=0), axis=1) * FPS ** 3
    return np.concatenate([[0.0], j, [0.0, 0.0]])  # centred on the frames the differences span


def grade(shot, segments, subject) -> tuple[bool, list[float]]:
    spans = shot.metadata["segment_frames"]
    ok = True
    for seg, (a, b) in zip(segments, spans):
        v = judge_shot(shot.trajectory.slice(a, b + 1), subject.slice(a, b + 1))
        found = {_key(m) for m in v.moves}
        ok &= found == _asked(seg)
    jerk = _jerk(shot, subject)
    ratios = []
    for k in range(len(spans) - 1):
        join = spans[k][1]
        near = jerk[max(join - 2, 0):join + 3].max()
        inside = max(jerk[spans[k][0] + 3:spans[k][1] - 2].max(initial=0.0),
                     jerk[spans[k + 1][0] + 3:spans[k + 1][1] - 2].max(initial=0.0))
        if inside > 0:
            ratios.append(near / inside)
    return bool(ok), ratios


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--generators", nargs="+", default=["planned", "learned"], choices=("planned", "learned", "model"))
    ap.add_argument("--show-failures", action="store_true", help="print each prompt judged wrong")
    ap.add_argument("--set", choices=SETS, default="heldout", help="the held-out compound set (default heldout)")
    ap.add_argument("--model", default=None, help="model folder or checkpoint (default: the bundled model)")
    ap.add_argument("--runtime", default="auto", help="what runs the model (default: auto)")
    args = ap.parse_args()
    engine = load_engine(args.model, args.runtime)
    entries = json.loads(SETS[args.set].read_text())
    right: dict = defaultdict(lambda: [0, 0])
    ratios: dict = defaultdict(list)
    for gen in args.generators:
        for e in entries:
            asked = [Segment(tuple(Move(m["movement"], m.get("amount"), speed=m.get("speed")) for m in seg))
                     for seg in e["segments"]]
            for subj_name, standing in SUBJECTS.items():
                subject = moving_subject(standing, asked)
                for how, instruction in (("set's segments", {"segments": asked}), ("prompt text", e["prompt"])):
                    shot = engine.generate(subject, instruction, frames=FRAMES, fps=FPS, generator=gen)[0]
                    if how == "prompt text":
                        segments = [Segment.from_dict(s) for s in shot.metadata["segments"]]
                        if len(segments) != len(asked) or any(_asked(a) != _asked(s)
                                                              for a, s in zip(asked, segments)):
                            right[(gen, how, subj_name, e["category"])][1] += 1  # misread: counts as wrong
                            right[(gen, how, subj_name, "all")][1] += 1
                            continue
                    ok, r = grade(shot, asked, subject)
                    if not ok and args.show_failures:
                        print(f"wrong ({gen}, {how}, {subj_name}): {e['prompt']!r}")
                    for cat in (e["category"], "all"):
                        right[(gen, how, subj_name, cat)][0] += ok
                        right[(gen, how, subj_name, cat)][1] += 1
                    ratios[(gen, how, subj_name)] += r
    print(f"{len(entries)} held-out prompts, {FRAMES} frames at {FPS:g} fps\n")
    print("| generator | from | subject | category | every segment's moves judged as asked, in order |")
    print("|---|---|---|---|---|")
    for (gen, how, subj, cat), (n_ok, n) in sorted(right.items()):
        print(f"| {gen} | {how} | {subj} | {cat} | {100 * n_ok / n:.1f} % of {n} |")
    print("\n| generator | from | subject | joins | peak join jerk / the segments' own: median | max | joins over 2x |")
    print("|---|---|---|---|---|---|---|")
    for (gen, how, subj), r in sorted(ratios.items()):
        r = np.array(r)
        print(f"| {gen} | {how} | {subj} | {len(r)} | {np.median(r):.2f} | {r.max():.2f} | "
              f"{100 * np.mean(r > 2):.1f} % |")


if __name__ == "__main__":
    main()
