"""Complete: fill a camera's motion between the poses keyed by hand; the hand keys stay exactly as they are (no key
is written on a keyed frame). Where the core cannot beat Blender's own interpolation of the keys (a straight dolly,
a pan) it keeps them, and then nothing is written at all: not a key, not a handle, not the rotation mode."""

from __future__ import annotations

import bpy

from . import engine, gather, keyframes
from .checks import check_camera, check_editable, check_still_parent
from .engine import LensCraftError
from .jobs import Result
from .keyframes import KeyOptions


def complete_camera(scene: bpy.types.Scene, cam: bpy.types.Object, frame_start: int, frame_end: int,
                    subject: bpy.types.Object | None = None, labels: dict[str, str] | None = None,
                    keys: KeyOptions | None = None) -> Result:
    """Fill the camera's motion between its keyed poses inside the range (between the first and the last key,
    never beyond); labels (optional) steer the fill."""
    cam = check_still_parent(check_editable(check_camera(cam, scene)))
    known = keyframes.keyed_frames(cam, frame_start, frame_end)
    if len(known) < 2:
        raise LensCraftError(f"camera '{cam.name}' has {len(known)} keyed pose(s) in frames {frame_start}-"
                             f"{frame_end}: key at least two, then Complete fills the motion between them")
    frame_start, frame_end = known[0], known[-1]
    shot = gather.camera_shot(scene, cam, frame_start, frame_end, subject)
    done = engine.complete_shot(shot, [f - frame_start for f in known], labels)
    note = done.metadata.get("complete_note") if isinstance(done.metadata, dict) else None
    if isinstance(done.metadata, dict) and done.metadata.get("complete_kept_keys"):
        return Result(objects=[cam], message=f"{cam.name}: {note or 'kept your keys'} (nothing written)")
    opts = KeyOptions(**{**(keys or KeyOptions()).__dict__, "replace": False, "skip_frames": tuple(known),
                         "easing": None})
    result = Result(objects=[cam], notes=[f"{cam.name}: {note}"] if note else [])
    switched = keyframes.use_keyable_rotation(cam)
    if switched:
        result.warnings.append(switched)
    n = keyframes.write_camera(cam, done.trajectory, frame_start, gather.render_aspect(scene), opts)
    scene.frame_set(scene.frame_current)
    result.message = (f"{cam.name}: filled frames {frame_start}-{frame_end} between {len(known)} keyed poses "
                      f"({n} keys)")
    return result
