"""Write (or check) tests/data/bundled_outputs.npz: the bundled model's outputs on fixed inputs, on both runtimes.

The pin lets a refactor prove it changed no behaviour: tests/test_bundled_pin.py reruns the same calls and compares
them with these arrays bit for bit (the same code and the same libraries give the same floats). Regenerate only when
the model or its maths change on purpose:

    .venv/bin/python tools/pin_bundled_outputs.py --overwrite
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PIN = ROOT / "tests" / "data" / "bundled_outputs.npz"

# (name, prompt or labels, frames, extra generate() keywords): prompts and structured labels, a fixed lens, a floor,
# variations (the seeded random path) and an unusual sensor.
CASES = [
    ("prompt_push_low_cu", "slow push in from a low angle, ease in-out, close-up", 48, {}),
    ("labels_orbit", {"movement": "arcLeft", "easing": "linear", "angle": "highAngle", "shot_type": "mediumShot"},
     30, {}),
    ("movement_only", {"movement": "panRight"}, 60, {}),
    ("fixed_lens_floor", "pull back to reveal, wide shot", 40, {"focal_length": 35.0, "floor": 0.0}),
    ("variations", "orbit left, low angle", 24, {"variations": 3, "seed": 7}),
    ("sensor_24mm", "static, close-up", 30, {"sensor_width": 24.0, "aspect": 1.5}),
]


def compute() -> dict[str, np.ndarray]:
    from lenscraft_core.infer import Engine
    from lenscraft_core.schema import Subject

    subject = Subject(position=np.array([0.3, -0.2, 0.9]), size=np.array([0.5, 0.4, 1.8]))
    out: dict[str, np.ndarray] = {}
    for runtime in ("onnx", "torch"):
        engine = Engine.load(None, runtime=runtime)
        for name, instruction, frames, kw in CASES:
            for i, shot in enumerate(engine.generate(subject, instruction, frames=frames, generator="model", **kw)):
                t = shot.trajectory
                key = f"{runtime}/{name}/{i}"
                out[key + "/position"] = t.position
                out[key + "/rotation"] = t.rotation
                out[key + "/focal"] = t.focal_length
        first = engine.generate(subject, CASES[0][1], frames=48, generator="model")[0]
        d = engine.describe(first, top_k=3)
        out[f"{runtime}/describe/scores"] = np.array([s for f in sorted(d.fields) for _, s in d.fields[f]])
        out[f"{runtime}/describe/motion"] = np.array(d.motion)
        filled = engine.complete(first, [0, 20, 47])
        out[f"{runtime}/complete/position"] = filled.trajectory.position
        out[f"{runtime}/complete/rotation"] = filled.trajectory.rotation
    # the planner runs no network, and the learned generator only the move decoder's ONNX graph (whichever runtime
    # the engine has): the same on both runtimes, pinned once
    person = Subject(position=subject.position, size=subject.size, object_class="person")
    for generator, name, instruction, frames, kw in [(g, *case) for g in ("planned", "learned") for case in CASES]:
        for who, subj in (("object", subject), ("person", person)):
            for i, shot in enumerate(engine.generate(subj, instruction, frames=frames, generator=generator, **kw)):
                t = shot.trajectory
                key = f"{generator}/{who}/{name}/{i}"
                out[key + "/position"] = t.position
                out[key + "/rotation"] = t.rotation
                out[key + "/focal"] = t.focal_length
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--overwrite", action="store_true", help="replace the existing pin")
    p.add_argument("--check", action="store_true", help="compare with the pin bit for bit (same machine, threads)")
    a = p.parse_args(argv)
    if a.check:
        pinned, now = np.load(PIN), compute()
        differ = sorted(k for k in pinned if k not in now or not np.array_equal(pinned[k], now[k]))
        print(f"{len(pinned) - len(differ)}/{len(pinned)} arrays bit-identical" + (f"; differ: {differ}" if differ else ""))
        return 1 if differ else 0
    if PIN.exists() and not a.overwrite:
        print(f"{PIN} exists; pass --overwrite to replace it", file=sys.stderr)
        return 2
    arrays = compute()
    PIN.parent.mkdir(parents=True, exist_ok=True)
    tmp = PIN.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, **arrays)
    tmp.replace(PIN)
    print(f"wrote {len(arrays)} arrays to {PIN}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
