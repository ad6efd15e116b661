"""describe on the six real camera tracks of ../shared/external/real-tracks/ against their datasets' tags.

    .venv/bin/python benchmarks/describe_real_tracks.py [--root DIR]

Every track is loaded as a user would (lenscraft_core.formats.load_any, no flags): no file gives a subject the
readers trust (E.T.'s character file is not read by load_any; DataDoP has none), so describe reads the geometry
(reading "geometry"). The table compares the whole-clip reading, and each tagged segment's, with the tags:
E.T. tags translation only, in the camera's frame (never pan, tilt or roll); DataDoP tags translation plus yaw /
pitch / roll from language-model sentences. An arc is a truck and a pan together (arc right = the camera's own
truck right while panning left, to keep the subject: the vocabulary's signs), so a tagged truck counts as found
in an arc that carries it, marked "via arc".
A small sample (README.md): it checks, it does not tune.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from lenscraft_core.formats import load_any  # noqa: E402
from lenscraft_core.inference.engine import Engine, geometric_caption, read_geometry  # noqa: E402
from lenscraft_core.schema import Shot  # noqa: E402
from lenscraft_core.vocabulary import MOVEMENT  # noqa: E402

ROOTS = [Path(os.environ.get("LENSCRAFT_REAL_TRACKS", "/nonexistent")), REPO.parent / "shared" / "external" /
         "real-tracks", Path("/work/shared/external/real-tracks")]
ET_IDS = ("2011_F_EuMeT2wBo_00014_00001", "2011_KAeAqaA0Llg_00005_00001", "2011_MCkKihQrNA4_00014_00000")
# DataDoP's tags by segment, from the README's table (the captions are sentences; case 2 gives no frames).
GENDOP_TAGS = {1: [(0, 29, {("truck", 1), ("pan", 1)}), (30, 72, {("truck", 1), ("dolly", 1)}), (73, 118, set())],
               2: [(0, 119, {("truck", -1), ("dolly", 1)})],
               3: [(0, 119, {("dolly", 1)})]}
# E.T.'s camera tag digits over (x right, y down, z forward): 1 = positive, 2 = negative; y down is pedestal down.
ET_AXES = (("truck", 1), ("pedestal", -1), ("dolly", 1))
NAMES = {("pan", 1): "pan left", ("pan", -1): "pan right", ("tilt", 1): "tilt up", ("tilt", -1): "tilt down",
         ("roll", 1): "roll left", ("roll", -1): "roll right", ("truck", 1): "truck right", ("truck", -1): "truck left",
         ("pedestal", 1): "pedestal up", ("pedestal", -1): "pedestal down", ("dolly", 1): "forward",
         ("dolly", -1): "back", ("zoom", 1): "zoom in", ("zoom", -1): "zoom out", ("arc", 1): "arc right",
         ("arc", -1): "arc left"}


def find_root() -> Path | None:
    return next((p for p in ROOTS if (p / "README.md").is_file()), None)


def et_segments(tags: np.ndarray) -> list[tuple[int, int, set]]:
    """(first frame, last frame, {(kind, sign)}) runs of E.T.'s per-step camera tags."""
    out, start = [], 0
    for i in range(1, len(tags) + 1):
        if i == len(tags) or tags[i] != tags[start]:
            digits = (int(tags[start]) // 9, int(tags[start]) // 3 % 3, int(tags[start]) % 3)
            moves = {(k, s if d == 1 else -s) for (k, s), d in zip(ET_AXES, digits) if d}
            out.append((start, i, moves))  # steps start..i-1 join frames start..i
            start = i
    return out


def tracks(root: Path) -> list[tuple[str, Path, list]]:
    """(name, file, tag segments) of the six tracks."""
    out = [(i[5:16], root / "et" / "traj_raw" / f"{i}.txt", et_segments(np.load(root / "et" / "cam_segments" /
                                                                                 f"{i}.npy"))) for i in ET_IDS]
    out += [(f"DataDoP case{n}", root / "gendop" / f"case{n}_transforms_cleaning.json", segs)
            for n, segs in GENDOP_TAGS.items()]
    return out


def _found(tags: set, v) -> tuple[list[str], list[str]]:
    """(tags found, judge moves not tagged), by kind and sign; an arc carries its truck and pan."""
    read = {(MOVEMENT[m].params["kind"], int(MOVEMENT[m].params.get("sign", 0))) for m in v.moves}
    via = {(k, s) for kind, s in read if kind == "arc" for k in ("truck", "pan")}
    found = [NAMES[t] + (" (via arc)" if t not in read else "") for t in sorted(tags) if t in read | via]
    extra = [NAMES.get(t, t[0]) for t in sorted(read) if t not in tags and not (t[0] == "arc" and tags & {
        ("truck", t[1]), ("pan", t[1])})]
    return found, extra


def read_track(name: str, path: Path, segments: list, engine: Engine | None) -> list[dict]:
    """The whole clip's row (with the model's second opinion when an engine is given), then one per segment."""
    shot = load_any(path).shots[0]
    rows = []
    spans = [(0, shot.trajectory.frame_count - 1, set().union(*(s[2] for s in segments)))]
    spans += [s for s in segments if len(segments) > 1]
    for k, (a, b, tags) in enumerate(spans):
        part = shot if k == 0 else Shot(shot.trajectory.slice(a, b + 1), [], [], shot.name, shot.metadata)
        if k == 0 and engine is not None:
            d = engine.describe(shot)
            reading, caption, model = d.reading, d.caption, d.labels["movement"]
            v = read_geometry(shot, None if reading == "geometry" else shot.subject)[0]
        else:
            v, speeds, handheld = read_geometry(part, None)
            reading, caption, model = "geometry", geometric_caption(v, speeds, handheld), "-"
        found, extra = _found(tags, v)
        rows.append({"track": name, "frames": f"{a}-{b}" if k else f"all {b + 1}", "fps": shot.trajectory.fps,
                     "tags": ", ".join(NAMES[t] for t in sorted(tags)) or "static", "reading": reading,
                     "judge": v.movement, "caption": caption, "found": f"{len(found)}/{len(tags)}",
                     "found_tags": found, "untagged": extra, "model": model, "shake": v.shake_deg})
    return rows


def table(rows: list[dict]) -> str:
    head = ("| track | frames | tags | judge (whole clip, then each tagged segment) | tags found | read but not "
            "tagged | model's movement |\n|---|---|---|---|---|---|---|")
    lines = [f"| {r['track']} | {r['frames']} | {r['tags']} | {r['judge']} | {r['found']} "
             f"{'; '.join(r['found_tags'])} | {', '.join(r['untagged']) or '-'} | {r['model']} |" for r in rows]
    return "\n".join([head] + lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", type=Path, help="the real-tracks folder (default: ../shared/external/real-tracks)")
    args = ap.parse_args()
    root = args.root or find_root()
    if root is None:
        print("no real-tracks folder found (../shared/external/real-tracks): nothing to do")
        return 1
    engine = Engine.load()
    rows = [r for t in tracks(root) for r in read_track(*t, engine)]
    print(table(rows))
    print()
    for r in rows:
        if r["frames"].startswith("all"):
            print(f"{r['track']} ({r['fps']:g} fps): {r['caption']} [shake {r['shake']:.3f} deg]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
