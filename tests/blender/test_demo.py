"""tools/demo_blender.py, the add-on's main job on a fresh machine, run as a user would (its own process, since it
must point Blender's user folder at a temp dir before importing bpy)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("bpy", reason="bpy (Blender as a Python module) is not installed")

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "tools" / "demo_blender.py"


def _run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    env.pop("BLENDER_USER_RESOURCES", None)  # the demo makes its own
    return subprocess.run([sys.executable, str(DEMO), *args], capture_output=True, text=True, timeout=180, env=env)


def test_demo_writes_blend_and_contact_sheet_and_keeps_existing_blend(tmp_path):
    out = tmp_path / "out"
    run = _run("full orbit left around the subject, wide shot", "--out", str(out), "--frames", "1-48")
    assert run.returncode == 0, run.stdout + run.stderr
    blend, sheets = out / "demo.blend", list((out / "preview").glob("*_sheet.png"))
    assert blend.stat().st_size > 0
    assert len(sheets) == 1 and sheets[0].stat().st_size > 0
    assert sheets[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = run.stdout
    assert "understood as arc left (cw) 360 deg" in text and "shot type: longShot" in text
    assert "described as: the camera" in text and f"saved: {blend}" in text
    assert int(text.split("keyframes: ")[1].split()[0]) >= 2
    assert "judged (geometry, not the model): fullArcShotLeft" in text  # the independent reading
    seen, total = text.split("head in frame: ")[1].split(" frames")[0].split(" of ")
    assert int(seen) == int(total) == 48  # a wide orbit keeps the character's head in the picture

    before = blend.stat().st_mtime_ns
    again = _run("--out", str(out))
    assert again.returncode == 2 and "--overwrite" in again.stderr
    assert blend.stat().st_mtime_ns == before
