"""The pose readers on the real tracks in shared/external/real-tracks (three E.T. KITTI-style files with float16
rotations, three DataDoP transforms.json): every sample loads with its frame count, fps and focal length, no NaN,
and the notes say what was repaired or assumed."""

import os
from pathlib import Path

import numpy as np
import pytest

from lenscraft_core.formats import kitti, rotations, transforms_json
from lenscraft_core.formats.poses import read_head

REPO = Path(__file__).resolve().parents[1]
# Found the way tests/_paths.py finds shared data: an environment override, beside the repository, or /work/shared.
REAL_TRACKS = next((p for p in (Path(os.environ.get("LENSCRAFT_REAL_TRACKS", "/nonexistent")),
                                REPO.parent / "shared" / "external" / "real-tracks",
                                Path("/work/shared/external/real-tracks")) if p.is_dir()), None)
needs_shared = pytest.mark.skipif(REAL_TRACKS is None, reason="shared/external/real-tracks is not beside the repo")

# (id, frames, fx in pixels, image width) from the README and the intrinsics files.
ET = [("2011_F_EuMeT2wBo_00014_00001", 24, 456.0, 640.0), ("2011_KAeAqaA0Llg_00005_00001", 58, 496.0, 632.0),
      ("2011_MCkKihQrNA4_00014_00000", 212, 500.0, 640.0)]
GENDOP = [(1, 642.345337, 512, 208), (2, 402.010071, 512, 288), (3, 277.381256, 512, 288)]


def levelled_to(shot, axis):
    """Whether up auto read the file's world from `axis` (its note says so, levelled or not) and left the cameras'
    right vectors level in Blender's Z-up world (under a degree rms): these worlds are a first camera's axes, which
    lean with that camera's tilt, so the axis alone leaves up to 8 degrees rms of false roll."""
    assert any(n.startswith(f"up auto: {axis}") for n in shot.metadata["notes"]), shot.metadata["notes"]
    up = shot.metadata["up"]
    assert up == axis or rotations.nearest_axis(up)[0] == axis
    right_tips = shot.trajectory.matrices[:, 2, 0]
    return float(np.sqrt(np.mean(right_tips ** 2))) < np.sin(np.radians(1.0))


def finite(shot):
    t = shot.trajectory
    return all(np.all(np.isfinite(a)) for a in (t.position, t.rotation, t.focal_length, shot.subject.position))


@needs_shared
@pytest.mark.parametrize("clip,frames,fx,width", ET)
def test_et_tracks_load(clip, frames, fx, width):
    path = REAL_TRACKS / "et" / "traj_raw" / f"{clip}.txt"
    assert kitti.sniff(path, read_head(path))
    shot = kitti.load_kitti(path)
    t = shot.trajectory
    assert t.frame_count == frames and t.fps == 25.0
    np.testing.assert_allclose(t.focal_length, fx * 36.0 / width)  # intrinsics/<id>.npy, found beside traj_raw
    assert finite(shot)
    notes = shot.metadata["notes"]
    assert any("re-orthonormalised" in n and "float16" in n for n in notes)
    assert levelled_to(shot, "-y")  # E.T.'s world: y down, the first camera's
    assert kitti.load_kitti(path, character="auto").metadata["subject_placement"] == "character"


@needs_shared
@pytest.mark.parametrize("case,fx,w,h", GENDOP)
def test_gendop_transforms_load(case, fx, w, h):
    path = REAL_TRACKS / "gendop" / f"case{case}_transforms_cleaning.json"
    assert transforms_json.sniff(path, read_head(path))
    shot = transforms_json.load_transforms(path)
    t = shot.trajectory
    assert t.frame_count == 120
    assert t.fps == 30.0 and any("DataDoP" in n for n in shot.metadata["notes"])
    np.testing.assert_allclose(t.focal_length, fx * 36.0 / w)
    assert t.aspect == pytest.approx(w / h)
    assert finite(shot)
    assert levelled_to(shot, "-y")  # the first camera's OpenCV frame: y down


@needs_shared
def test_gendop_cameras_look_forward_and_level():
    """DataDoP case 3 moves forward the whole clip: in Blender's frame the camera travels along its view, with
    its up near world +Z."""
    shot = transforms_json.load_transforms(REAL_TRACKS / "gendop" / "case3_transforms_cleaning.json")
    t = shot.trajectory
    R = t.matrices
    travel = t.position[-1] - t.position[0]
    assert np.dot(travel / np.linalg.norm(travel), -R[0][:, 2]) > 0.9
    assert R[:, 2, 1].min() > 0.9  # camera up (local +Y) has a large world-Z component
