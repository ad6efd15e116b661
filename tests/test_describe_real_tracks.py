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
