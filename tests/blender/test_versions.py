"""The add-on on both ends of the supported range: Blender 4.2 LTS (Action.fcurves) and 5.0 (channelbags only).

Each version lives in its own venv made by tools/setup_blender_versions.sh (bpy, numpy<2, pytest, onnxruntime; no
torch, like a stock Blender). The core add-on tests run there in a subprocess: generate (keys incl. lens, sparse,
undo), append/replace, export round trip, the model-backed Describe/Complete on ONNX Runtime, the File menu
entries and drag-and-drop FileHandler (register, unregister, a dropped file imported), the planner on a character
(segments, floor, head), the shake layer, and the fitted keys' handles."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CORE_TESTS = [
    "tests/blender/test_generate.py::test_keys_are_real_fcurves_matching_the_shot",
    "tests/blender/test_generate.py::test_sparse_keys_stay_within_tolerance",
    "tests/blender/test_generate.py::test_append_keeps_existing_keys_and_replace_clears_them",
    "tests/blender/test_generate.py::test_undo_restores_the_scene",
    "tests/blender/test_generate.py::test_euler_continuity_over_full_orbit",
    "tests/blender/test_io.py::test_export_import_export_round_trip",
    "tests/blender/test_io.py::test_export_samples_constrained_parented_camera",
    "tests/blender/test_model_and_jobs.py::test_complete_fills_between_keys_and_keeps_them_exactly",
    "tests/blender/test_model_and_jobs.py::test_describe_stores_caption_and_scores_on_the_camera",
    "tests/blender/test_cli_and_extension.py::test_installed_and_enabled",
    "tests/blender/test_cli_and_extension.py::test_register_unregister_twice",
    "tests/blender/test_io.py::test_dropped_files_import_without_a_file_browser",
    "tests/blender/test_addon_planned.py::test_a_character_push_in_then_orbit",
    "tests/blender/test_addon_planned.py::test_handheld_is_a_layer_that_switches_off_to_the_clean_move",
    "tests/blender/test_addon_shake.py::test_shake_layer_on_off_scaled_and_removed_keeps_the_move",
    "tests/blender/test_addon_keys.py::test_handles_stay_as_fitted_aligned_and_required_frames_carry_keys",
    "tests/blender/test_orbit_pivot.py::test_a_pivot_is_reused_then_let_go_when_the_move_has_no_orbit",
    "tests/blender/test_learned_generator.py::test_learned_push_in_then_orbit_on_a_character",
]


@pytest.fixture(scope="module", autouse=True)
def tiny_model():
    """Build the tiny ONNX test model here (torch is in the dev venv, not in the Blender venvs)."""
    try:
        import torch  # noqa: F401
    except ImportError:
        return
    sys.path.insert(0, str(Path(__file__).parent))
    from tiny_model import build

    build()


@pytest.mark.parametrize("venv, version", [(".venv-blender42", "4.2"), (".venv-blender50", "5.0")])
def test_core_addon_tests_pass_in(venv, version):
    python = REPO / venv / "bin" / "python"
    if not python.exists():
        pytest.skip(f"{venv} is missing: run `bash tools/setup_blender_versions.sh` (CI does, via setup_env.sh)")
    check = subprocess.run([str(python), "-c", "import bpy; print(bpy.app.version_string)"], capture_output=True,
                           text=True)
    assert check.stdout.startswith(version), f"{venv} holds Blender {check.stdout.strip()}, expected {version}.x"
    env = {k: v for k, v in os.environ.items() if k not in ("BLENDER_USER_RESOURCES", "PYTHONPATH")}
    env["HF_HUB_OFFLINE"] = "1"
    names = [t.split("::")[-1] for t in CORE_TESTS]
    proc = subprocess.run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", *CORE_TESTS],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"Blender {version}:\n{out[-4000:]}"
    assert f"{len(names)} passed" in out, f"Blender {version}: not every test ran:\n{out[-2000:]}"
