"""describe on the six real tracks of ../shared/external/real-tracks/ (E.T. and DataDoP), loaded as a user would
(formats.load_any): no trusted subject, so the caption is the geometric reading; the whole-clip reading carries
every tagged move. The table (benchmarks/describe_real_tracks.py) is printed: `pytest -s` or `-rP` shows it.
Skipped when ../shared is not beside the checkout."""

from __future__ import annotations

import sys

import pytest
from _paths import REPO

sys.path.insert(0, str(REPO / "benchmarks"))
import describe_real_tracks as bench  # noqa: E402

from lenscraft_core.inference.engine import DEFAULT_MODEL_DIR, Engine  # noqa: E402

ROOT = bench.find_root()
pytestmark = [pytest.mark.skipif(ROOT is None, reason="no ../shared/external/real-tracks beside the checkout"),
              pytest.mark.skipif(not (DEFAULT_MODEL_DIR / "model.json").exists(), reason="no bundled model")]


def test_real_tracks_whole_clip_reading_against_their_tags():
    pytest.importorskip("onnxruntime")
    engine = Engine.load(runtime="onnx")
    rows = [r for t in bench.tracks(ROOT) for r in bench.read_track(*t, engine)]
    print("\n" + bench.table(rows))
    whole = [r for r in rows if r["frames"].startswith("all")]
    assert len(whole) == 6
    for r in whole:
        assert r["reading"] == "geometry", r  # the readers' subjects are estimates
        found, tagged = (int(n) for n in r["found"].split("/"))
        # Every tag is among the moves read (E.T.'s truck left as the arc's travel: truck + pan read as an arc).
        # Untagged moves are expected: E.T. never tags pan, tilt or roll.
        assert found == tagged, r
    fps = {r["track"]: r["fps"] for r in whole}
    assert fps["F_EuMeT2wBo"] == 25.0 and fps["DataDoP case1"] == 30.0  # the datasets' rates, without flags


def test_the_datasets_own_tag_rule_on_the_imported_poses_gives_their_tags():
    """The readers checked against labels LensCraft did not make: E.T.'s and DataDoP's tag rule (absolute
    thresholds on camera-frame velocity, benchmarks/dataset_tag_rule.py) run on the poses as load_any imports them
    (axes, frame order, fps) gives the datasets' tags; scaled, the same poses tag differently (the tags' cuts are
    thresholds on the file's units, which describe, being scale-free, does not share)."""
    import dataset_tag_rule as rule

    from lenscraft_core.formats import load_any

    found = {}
    for name, path, tags in bench.tracks(ROOT):
        traj = load_any(path).shots[0].trajectory
        found[name] = rule.tag_segments(traj, rotation=name.startswith("DataDoP"))  # E.T. tags translation only
        if name.startswith("DataDoP case1"):
            assert [(a, b, set(m)) for a, b, m in found[name]] == [(a, b, set(m)) for a, b, m in tags]
        elif name.startswith("DataDoP case2"):  # the README: static, then left + forward, then static
            assert [set(m) for _, _, m in found[name]] == [set(), {("truck", -1), ("dolly", 1)}, set()]
        elif name in ("DataDoP case3", "F_EuMeT2wBo", "KAeAqaA0Llg"):
            assert [set(m) for _, _, m in found[name]] == [set(tags[0][2])]
    mck = found["MCkKihQrNA4"]  # tagged 0-92 truck right, then static
    assert set(mck[0][2]) == {("truck", 1)} and abs(mck[0][1] + 1 - 92) <= 0.1 * 212 and not mck[-1][2]
    case1 = load_any(ROOT / "gendop" / "case1_transforms_cleaning.json").shots[0].trajectory
    assert rule.tag_segments(case1, scale=2.0)[-1][0] == 97  # the final "static" moves from step 73 to 97
