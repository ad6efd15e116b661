"""Do the words change a move's amount and speed as they say? Each prompt is generated (generate's default, the
planner) on a 1.8 m person, 96 frames at 24 fps, and read back by the geometric judge (not the model): the amount it
measures, the move's peak speed, and the frames read as CU / MCU / MS that cut the head (body.head_cut, the judge's
reading): an amount left to the planner keeps the head in (head_room.py); a stated size, or a fast / whip speed, is
performed as said, even where that carries the head out of frame.

    .venv/bin/python benchmarks/judge_words.py
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
    print("| prompt | understood as | judged move | amount | peak speed (unit/s) | head cut on CU/MCU/MS frames |")
    print("|---|---|---|---|---|---|")
    for kind, unit, prompts in GROUPS:
        for prompt in prompts:
            shot = engine.generate(PERSON, prompt, frames=96, fps=24.0)[0]
            v = judge_shot(shot, PERSON)
            understood = shot.metadata["understood_as"].split(";")[0].replace("understood as ", "")
            amount = abs(v.amounts.get(kind, 0.0))
            t = shot.trajectory
            cut, close = close_cuts(t.position, t.matrices, t.focal_length, PERSON, t.sensor_width, t.aspect, 0.0)
            print(f"| {prompt} | {understood} | {v.movement} | {amount:.3g} {unit} | {v.speeds.get(kind, 0.0):.3g} | "
                  f"{cut} of {close} |")


if __name__ == "__main__":
    main()
