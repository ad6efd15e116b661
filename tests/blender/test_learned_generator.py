"""The add-on's Learned generator in real Blender (bpy): the planner builds the asked segments and the bundled model's
move decoder decides what the words leave open; it keys a character's push-in then orbit as cleanly as the planner,
keeps stated amounts exactly, and falls back to the planner, saying so, with a model that has no move decoder."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

bpy = pytest.importorskip("bpy", reason="bpy (Blender as a Python module) is not installed")

from blender_helpers import cameras, world_matrices  # noqa: E402
from test_addon_planned import PROMPT, _key_counts, character, planned  # noqa: E402,F401  (fixtures)


@pytest.fixture
def learned(ext, character):  # noqa: F811
    prefs = bpy.context.preferences.addons[ext.__name__].preferences
    prefs.generator = 'LEARNED'
    ext.engine.configure(generator="learned")
    yield prefs
    prefs.generator = 'PLANNED'
    prefs.model_path = ""
    ext.engine.configure(generator="planned", model_path="")


def _generate():
    assert bpy.ops.lenscraft.generate('EXEC_DEFAULT') == {'FINISHED'}
    return cameras(bpy)[-1]


def test_learned_push_in_then_orbit_on_a_character(scene, ext, learned):
    s = scene.lenscraft
    s.prompt = PROMPT
    assert ext.engine.generator() == "learned"
    assert ext.engine.model_status().startswith("Learned")
    cam = _generate()
    counts = _key_counts(ext, cam)
    assert counts and max(counts.values()) <= 8, counts  # the orbit on its pivot, the push-in a few keys
    assert not any(k.startswith("lens") for k in counts)
    mats = world_matrices(bpy, scene, cam, list(range(1, 97)))
    pos = mats[:, :3, 3]
    assert pos[:, 2].min() >= 0.25 - 1e-3
    turned = np.degrees(np.unwrap(np.arctan2(pos[:, 1], pos[:, 0])))
    assert turned[-1] - turned[48] == pytest.approx(90.0, abs=3.0)  # a quarter orbit, counter-clockwise
    # the push-in moved the camera closer to the character's head, then the orbit kept the distance
    head = np.array([0.0, 0.0, 1.65])
    d = np.linalg.norm(pos - head, axis=1)
    assert d[48] < 0.97 * d[0] and abs(d[-1] - d[48]) < 0.02 * d[48]


def test_the_result_says_the_amount_the_decoder_chose(scene, ext, learned):
    """A plain "pan left": the amount the words left open is the move decoder's, the camera turns by it, and the
    result line says it."""
    scene.lenscraft.prompt = "pan left"
    job = ext.operators.LENSCRAFT_OT_generate.make_job(None, bpy.context)
    result = ext.jobs.run(job)
    amount = job.shots[0].metadata["segments"][0]["moves"][0]["amount"]
    assert job.shots[0].metadata["generator"] == "lenscraft/learned" and 5.0 < amount < 40.0
    look = -world_matrices(bpy, scene, result.objects[0], [1, 96])[:, :3, 2]
    turned = np.degrees(np.arctan2(look[:, 1], look[:, 0]))
    assert turned[1] - turned[0] == pytest.approx(amount, abs=0.2)
    assert f"1) pan left {amount:.5g} deg f1-96" in result.message, result.message


def test_a_stated_amount_is_kept_by_the_learned_generator(scene, ext, learned):
    scene.lenscraft.prompt = "pan left 40 degrees"
    cam = _generate()
    look = -world_matrices(bpy, scene, cam, [1, 96])[:, :3, 2]
    yaw = np.degrees(np.arctan2(look[:, 1], look[:, 0]))
    assert yaw[1] - yaw[0] == pytest.approx(40.0, abs=0.2)


def test_a_model_without_a_move_decoder_falls_back_to_the_planner(scene, ext, learned, tmp_path):
    from lenscraft_core.inference.model_dir import DEFAULT_MODEL_DIR

    folder = tmp_path / "old"
    shutil.copytree(DEFAULT_MODEL_DIR, folder)
    for name in ("moves.json", "moves.onnx", "moves.safetensors"):
        (folder / name).unlink()
    learned.model_path = str(folder / "model")
    ext.engine.configure(generator="learned", model_path=str(folder / "model"))
    assert ext.engine.generator() == "planned"
    assert "move decoder" in ext.engine.model_status()
    scene.lenscraft.prompt = "pan left"
    cam = _generate()
    assert cam.animation_data is not None
