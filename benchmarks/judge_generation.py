"""Does generation do what was asked, graded by the geometric judge (lenscraft_core/judge.py), not by the model?
the planner (plan.py), the planner with the move decoder deciding the open amounts (generator="learned",
generate's default), the network's own trajectory (generator="model") and the simulator, side by side in one run.

    .venv/bin/python benchmarks/judge_generation.py                 # bundled model (ONNX), 5 seeds per cell
    .venv/bin/python benchmarks/judge_generation.py --seeds 20 --model runs/x/last --runtime torch

For every movement label, on a person-sized subject (1.8 m, object_class "person") and an object (a 0.4 m box), with
all five fields stated (easing, angle, shot_type and view drawn with a fixed seed) and with only the movement
stated, generate N seeds and judge each shot with its subject given. The same cells for the simulator
(simulate_shot; partial instructions take the vocabulary defaults) are the reference. follow / track give the
model the moving subject the simulator made for the same labels.

Tables: judged-as-asked % per movement (full / partial x person / object), for the model and the simulator; then
the clean-curve measures per movement: median focal drift (%, on moves that do not zoom), median roll drift
(degrees, on moves that do not roll) and median speed humps (on shots whose stated easing has one hump: full
instructions only, since a partial instruction leaves the easing to the generator, and not Bounce / Elastic / Back).
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lenscraft_core.evaluate.judged import asked_found, movement_kinds  # noqa: E402
from lenscraft_core.inference import load_engine  # noqa: E402
from lenscraft_core.judge import judge_shot  # noqa: E402
from lenscraft_core.schema import Subject  # noqa: E402
from lenscraft_core.simulate import simulate_shot  # noqa: E402
from lenscraft_core import body, framing  # noqa: E402
from lenscraft_core.vocabulary import ANGLE, EASING, FIELDS, MOVEMENT, SHOT_TYPE  # noqa: E402

SUBJECTS = {
    "person": Subject([0.0, 0.0, 0.9], [0.5, 0.4, 1.8], name="person", object_class="person"),
    "object": Subject([0.0, 0.0, 0.2], [0.4, 0.4, 0.4], name="box"),
}
MULTI_HUMP = {"Bounce", "Elastic", "Back"}  # easings whose speed has several humps by design
# the planner, the planner with the move decoder's open amounts (generate's default), the network's own trajectory,
# the simulator
GENS = ("planned", "learned", "model", "simulator")




def _full_labels(rng: np.random.Generator, movement: str) -> dict[str, str]:
    out = {"movement": movement}
    for name in ("easing", "angle", "shot_type", "view"):
        out[name] = FIELDS[name].names[int(rng.integers(0, len(FIELDS[name])))]
    return out


def framing_checks(shot, subject, labels) -> dict:
    """First-frame shot size and angle by the body's definitions for a person (body.py), the box's for an object
    (framing.py), against the stated ones (the vocabulary default where a field is open: what the planner frames);
    the share of frames cutting the head among close-up / medium close-up / medium frames (a person)."""
    t = shot.trajectory
    want = {f: labels.get(f) or FIELDS[f].default for f in ("shot_type", "angle")}
    if body.is_person(subject):
        size = body.person_shot_size(t.position, t.matrices, t.focal_length, subject, t.sensor_width, t.aspect)
        angle = body.person_angle(t.position, t.matrices, subject)[0]
        cut = body.head_cut(t.position, t.matrices, t.focal_length, subject, t.sensor_width, t.aspect)
        tight = np.isin(size, [SHOT_TYPE.index(n) for n in HEAD_KEPT])
        head = (int((cut & tight).sum()), int(tight.sum()))
        size0 = int(size[0])
    else:
        fr = framing.measure(t, subject)
        size0, angle, head = int(fr.shot_type[0]), int(fr.angle[0]), (0, 0)
    return {"size": SHOT_TYPE.names[size0] == want["shot_type"], "angle": ANGLE.names[int(angle)] == want["angle"],
            "head": head, "min_z": float(t.position[:, 2].min())}


HEAD_KEPT = body.HEAD_KEPT_SIZES  # sizes whose frames must not cut the head


def run(engine, seeds: int, frames: int, fps: float, generators: tuple[str, ...] = GENS) -> tuple[dict, dict]:
    """rows[(generator, mode, subject)][movement] = list of (verdict, stated labels); framed[(generator, mode,
    subject)] = list of framing_checks (each with its movement), for every generator."""
    rows: dict = defaultdict(lambda: defaultdict(list))
    framed: dict = defaultdict(list)
    for mi, movement in enumerate(MOVEMENT.names):
        for subj_name, subject in SUBJECTS.items():
            for seed in range(seeds):
                rng = np.random.default_rng(1000 * mi + seed)
                full = _full_labels(rng, movement)
                for mode, labels in (("full", full), ("partial", {"movement": movement})):
                    sim = simulate_shot(subject, labels, frames=frames, fps=fps, seed=seed)
                    if "simulator" in generators:
                        rows[("simulator", mode, subj_name)][movement].append((judge_shot(sim, sim.subject),
                                                                               labels))
                        framed[("simulator", mode, subj_name)].append(
                            {**framing_checks(sim, sim.subject, labels), "movement": movement})
                    for gen in ("model", "planned", "learned"):
                        if gen not in generators:
                            continue
                        shot = engine.generate(sim.subject, labels, frames=frames, fps=fps, seed=seed,
                                               generator=gen)[0]
                        rows[(gen, mode, subj_name)][movement].append((judge_shot(shot, sim.subject), labels))
                        framed[(gen, mode, subj_name)].append(
                            {**framing_checks(shot, sim.subject, labels), "movement": movement})
    return rows, framed


def _pct(items: list, movement: str, either: bool = False) -> float:
    """% judged as exactly `movement`; either: also where it is the same path's other name (Verdict.also_reads_as:
    a vertical view, where a pedestal is a dolly and a roll a pan)."""
    ok = sum(v.movement == movement or (either and v.also_reads_as == movement) for v, _ in items)
    return 100.0 * ok / max(len(items), 1)





def _median(values: list[float]) -> str:
    return f"{np.median(values):.2f}" if values else "-"


def print_tables(rows: dict, generator: str, seeds: int) -> None:
    cells = [(m, s) for m in ("full", "partial") for s in SUBJECTS]
    print(f"\n### {generator}: judged as asked, % of {seeds} seeds (full / partial instruction x person / object)\n")
    print("| movement | " + " | ".join(f"{m} {s}" for m, s in cells)
          + " | asked move found, all cells | most often judged as (partial) |")
    print("|---|" + "---|" * len(cells) + "---|---|")
    totals = Counter()
    for movement in MOVEMENT.names:
        vals = [_pct(rows[(generator, m, s)][movement], movement) for m, s in cells]
        for c, v in zip(cells, vals):
            totals[c] += v
        pooled = [v for m, s in cells for v, _ in rows[(generator, m, s)][movement]]
        found = 100.0 * np.mean([asked_found(v, movement) for v in pooled])
        totals["found"] += found
        said = Counter(v.movement for key in [(generator, "partial", s) for s in SUBJECTS]
                       for v, _ in rows[key][movement]).most_common(2)
        print(f"| {movement} | " + " | ".join(f"{v:.0f}" for v in vals) + f" | {found:.0f} | "
              + ", ".join(f"{k} ({n})" for k, n in said) + " |")
    print("| **all** | " + " | ".join(f"**{totals[c] / len(MOVEMENT):.1f}**" for c in cells)
          + f" | **{totals['found'] / len(MOVEMENT):.1f}** | |")
    either = {(mv, c): _pct(rows[(generator, *c)][mv], mv, either=True) for mv in MOVEMENT.names for c in cells}
    print("| **all, either name of a vertical view's path** | "
          + " | ".join(f"**{np.mean([either[(mv, c)] for mv in MOVEMENT.names]):.1f}**" for c in cells) + " | | |")
    low = [f"{mv} {m} {s_} {either[(mv, (m, s_))]:.0f}" for mv in MOVEMENT.names for m, s_ in cells
           if either[(mv, (m, s_))] < 95.0]
    print(f"\nmovements under 95 % in some cell, either name counted: {', '.join(low) or 'none'}")


def print_clean(rows: dict, seeds: int, gens: tuple[str, ...] = GENS) -> None:
    print(f"\n### clean curves: medians per movement over full + partial, person + object ({4 * seeds} shots a cell)\n")
    print("| movement | focal drift % " + " | ".join(gens) + " | roll drift deg " + " | ".join(gens)
          + " | speed humps " + " | ".join(gens) + " |")
    print("|---|" + "---|" * (3 * len(gens)))
    summary: dict = defaultdict(list)
    for movement in MOVEMENT.names:
        parts = movement_kinds(movement)
        out = []
        for measure in ("focal", "roll", "humps"):
            for gen in gens:
                vals = []
                for (g, mode, _), by in rows.items():
                    if g != gen:
                        continue
                    for v, labels in by[movement]:
                        if measure == "focal" and "zoom" not in parts:
                            vals.append(v.focal_drift_pct)
                        elif measure == "roll" and "roll" not in parts:
                            vals.append(v.roll_drift_deg)
                        elif (measure == "humps" and mode == "full" and movement != "static"
                              and EASING[labels["easing"]].params["family"] not in MULTI_HUMP):
                            vals.append(float(v.speed_humps))
                summary[(measure, gen)] += vals
                out.append(_median(vals))
        print(f"| {movement} | " + " | ".join(out) + " |")
    print("| **all** | " + " | ".join(_median(summary[(m, g)]) for m in ("focal", "roll", "humps")
                                       for g in gens) + " |")
    limits = {"focal": 0.5, "roll": 0.2}
    for gen in gens:
        share = {m: 100.0 * np.mean(np.array(summary[(m, gen)]) < lim) for m, lim in limits.items()}
        one = 100.0 * np.mean(np.array(summary[("humps", gen)]) == 1)
        print(f"\n{gen}: focal drift < 0.5 % on {share['focal']:.0f} % of non-zoom shots, roll drift < 0.2 deg on "
              f"{share['roll']:.0f} % of non-roll shots, one speed hump on {one:.0f} % of single-hump eased shots")


def print_framing(framed: dict) -> None:
    print("\n### framing at the first frame (body definitions for the person, the box's for the object), the head "
          "on close-up to medium frames, the lowest camera height (the person's feet and the box's base at z = 0)\n")
    print("| generator | instruction | subject | shot size right | angle right | head cut on CU/MCU/MS frames | "
          "lowest camera z (m) |")
    print("|---|---|---|---|---|---|---|")
    for (gen, mode, subj), checks in sorted(framed.items()):
        cut, tight = (sum(c["head"][i] for c in checks) for i in (0, 1))
        print(f"| {gen} | {mode} | {subj} | {100 * np.mean([c['size'] for c in checks]):.1f} % | "
              f"{100 * np.mean([c['angle'] for c in checks]):.1f} % | "
              + (f"{100 * cut / tight:.1f} % of {tight}" if tight else "-")
              + f" | {min(c['min_z'] for c in checks):.2f} |")


def print_head_cuts(framed: dict, generator: str = "planned") -> None:
    """Which movements cut the head: per movement, the share of its CU / MCU / MS frames (person) that cut it."""
    print(f"\n### {generator}: head cut per movement, % of the CU / MCU / MS frames on the person (cut / frames)\n")
    print("| movement | full | partial |")
    print("|---|---|---|")
    for movement in MOVEMENT.names:
        cells = []
        for mode in ("full", "partial"):
            checks = [c for c in framed.get((generator, mode, "person"), []) if c["movement"] == movement]
            cut, tight = (sum(c["head"][i] for c in checks) for i in (0, 1))
            cells.append(f"{100 * cut / tight:.1f} % ({cut}/{tight})" if tight else "-")
        if any(c != "-" and not c.startswith("0.0") for c in cells):
            print(f"| {movement} | " + " | ".join(cells) + " |")
    print("(movements whose CU / MCU / MS frames never cut the head are left out)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=None, help="model folder or checkpoint (default: the bundled model)")
    ap.add_argument("--runtime", default="onnx", help="what runs the model (default: onnx)")
    ap.add_argument("--seeds", type=int, default=5, help="seeds per (movement, subject, instruction) cell")
    ap.add_argument("--frames", type=int, default=60, help="frames per shot (60 at 24 fps: 2.5 s)")
    ap.add_argument("--fps", type=float, default=24.0)
    ap.add_argument("--generators", default=",".join(GENS),
                    help=f"comma-separated subset of {','.join(GENS)} (default: all; 'planned' alone skips the "
                         "network and the simulator's judging)")
    args = ap.parse_args()
    gens = tuple(g for g in args.generators.split(",") if g)
    if not gens or set(gens) - set(GENS):
        ap.error(f"--generators takes a comma-separated subset of {','.join(GENS)}, got {args.generators!r}")
    t0 = time.time()
    engine = load_engine(args.model, runtime=args.runtime)
    rows, framed = run(engine, args.seeds, args.frames, args.fps, gens)
    print(f"judge_generation: model {engine.model_dir} ({engine.runtime_name}), {args.seeds} seeds, "
          f"{args.frames} frames at {args.fps:g} fps; {platform.machine()} CPU x{_cpus()}")
    for gen in gens:
        print_tables(rows, gen, args.seeds)
    print_clean(rows, args.seeds, gens)
    print_framing(framed)
    if "planned" in gens:
        print_head_cuts(framed)
    print(f"\n{time.time() - t0:.1f} s")


def _cpus() -> int:
    import os
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


if __name__ == "__main__":
    main()
