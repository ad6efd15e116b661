"""Do the words change a move's amount and speed as they say? Each prompt is generated (generate's default, the
learned generator, and the planner) on a 1.8 m person, 96 frames at 24 fps, and read back by the geometric judge (not the model): the amount it
measures, the move's peak speed, and the frames read as CU / MCU / MS that cut the head (body.head_cut, the judge's
reading): an amount left to the planner keeps the head in (head_room.py); a stated size, or a fast / whip speed, is
performed as said, even where that carries the head out of frame.

    .venv/bin/python benchmarks/judge_words.py                      # learned and planned side by side

Both generators build what the words state the same way; they differ in what the words leave open (the move
decoder's amounts, or the planner's operator rules).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lenscraft_core.head_room import close_cuts  # noqa: E402
from lenscraft_core.inference import load_engine  # noqa: E402
from lenscraft_core.judge import judge_shot  # noqa: E402
from lenscraft_core.schema import Subject  # noqa: E402

PERSON = Subject([0.0, 0.0, 0.9], [0.5, 0.35, 1.8], name="person", object_class="person")
# (kind the judge measures, unit, prompts): the plain move first, then the words that should change it
GROUPS = [
    ("pan", "deg", ["pan left", "slight pan left", "slow pan left", "fast pan left", "whip pan left",
                    "pan left 90 degrees", "pan left across the scene", "pan left over 1 second"]),
    ("tilt", "deg", ["tilt up", "tilt up a touch", "tilt up from the feet to the face", "fast tilt up",
                     "tilt up 45 degrees"]),
    ("arc", "deg", ["orbit left", "quarter orbit left", "half orbit left", "full orbit left", "slow orbit left",
                    "fast orbit left", "orbit left 30 degrees"]),
    ("dolly", "share of the distance", ["push in", "slow push in", "fast push in", "push in halfway",
                                        "push in a little"]),
    ("pedestal", "share of the distance", ["crane up", "crane up over the subject", "slow crane up",
                                           "crane up 1 metre"]),
    ("truck", "share of the distance", ["truck left", "truck left across the scene", "fast truck left",
                                        "truck left 2 metres"]),
    ("zoom", "focal ratio", ["zoom in", "slight zoom in", "2x zoom in", "fast zoom in"]),
    ("roll", "deg", ["roll left", "slight roll left", "roll left 45 degrees"]),
]


def main() -> None:
    engine = load_engine()
    gens = ("learned", "planned")
    print("| prompt | understood as | judged move | amount: " + " / ".join(gens) + " | peak speed (unit/s): "
          + " / ".join(gens) + " | head cut on CU/MCU/MS frames: " + " / ".join(gens) + " |")
    print("|---|---|---|---|---|---|")
    for kind, unit, prompts in GROUPS:
        for prompt in prompts:
            cells = []
            for gen in gens:
                shot = engine.generate(PERSON, prompt, frames=96, fps=24.0, generator=gen)[0]
                v = judge_shot(shot, PERSON)
                t = shot.trajectory
                cut, close = close_cuts(t.position, t.matrices, t.focal_length, PERSON, t.sensor_width, t.aspect,
                                        0.0)
                cells.append((v.movement, abs(v.amounts.get(kind, 0.0)), v.speeds.get(kind, 0.0), cut, close))
            understood = shot.metadata["understood_as"].split(";")[0].replace("understood as ", "")
            moves = " / ".join(dict.fromkeys(c[0] for c in cells))
            print(f"| {prompt} | {understood} | {moves} | " + " / ".join(f"{c[1]:.3g}" for c in cells) + f" {unit} | "
                  + " / ".join(f"{c[2]:.3g}" for c in cells) + " | "
                  + " / ".join(f"{c[3]} of {c[4]}" for c in cells) + " |")


if __name__ == "__main__":
    main()
