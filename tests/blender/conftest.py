"""Fixtures for the add-on tests, run in real Blender (the bpy module, pip install bpy==4.5.15).

The extension is built with tools/build_extension.py, validated, installed into a throw-away user folder with
bpy.ops.extensions.package_install_files and enabled once per session; tests then drive the installed copy.
Without bpy every test here is skipped (the test modules call pytest.importorskip("bpy")).
"""

from __future__ import annotations

import atexit
import importlib
import importlib.util
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HAS_BPY = importlib.util.find_spec("bpy") is not None
SKIP_REASON = "bpy (Blender as a Python module) is not installed: pip install bpy==4.5.15"

# Blender's user folders (extensions, config) go to a temp dir, never the real home; must precede `import bpy`.
_USER_DIR = tempfile.mkdtemp(prefix="lenscraft-blender-user-")
atexit.register(shutil.rmtree, _USER_DIR, ignore_errors=True)  # ~57 MB per run otherwise left in /tmp
os.environ.setdefault("BLENDER_USER_RESOURCES", _USER_DIR)


@pytest.fixture(scope="session")
def built_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not HAS_BPY:
        pytest.skip(SKIP_REASON)
    sys.path.insert(0, str(REPO / "tools"))
    try:
        import build_extension
    finally:
        sys.path.pop(0)
    return build_extension.build(tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="session")
def ext(built_zip: Path):
    """The installed, enabled extension package (bl_ext.user_default.lenscraft)."""
    import bpy

    result = bpy.ops.extensions.package_install_files(filepath=str(built_zip), repo="user_default",
                                                      enable_on_install=True)
    assert result == {'FINISHED'}
    package = "bl_ext.user_default.lenscraft"
    for sub in ("engine", "convert", "gather", "keyframes", "generate", "exchange", "describe", "complete", "preview",
                "jobs", "cli"):  # loaded lazily by the add-on itself
        importlib.import_module(f"{package}.{sub}")
    return importlib.import_module(package)


@pytest.fixture
def scene(ext):
    """An empty scene (frames 1-48, 24 fps, 16:9) with one 1 x 0.6 x 1.8 m box 'Subject' that is the active
    object."""
    import bpy

    bpy.ops.wm.read_homefile(use_empty=True)
    sc = bpy.context.scene
    sc.frame_start, sc.frame_end, sc.frame_current = 1, 48, 1
    sc.render.fps, sc.render.fps_base = 24, 1.0
    sc.render.resolution_x, sc.render.resolution_y = 1920, 1080
    mesh = bpy.data.meshes.new("Subject")
    s = 0.5
    verts = [(x * s, y * s * 0.6, z * s * 1.8) for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)]
    mesh.from_pydata(verts, [], [(0, 1, 3, 2), (4, 6, 7, 5), (0, 4, 5, 1), (2, 3, 7, 6), (0, 2, 6, 4),
                                 (1, 5, 7, 3)])
    obj = bpy.data.objects.new("Subject", mesh)
    obj.location = (1.0, 2.0, 0.9)
    sc.collection.objects.link(obj)
    bpy.context.view_layer.objects.active = obj
    obj.select_set(True)
    return sc


@pytest.fixture
def procedural_generator(ext):
    """Select the procedural simulator as the add-on's generator (through the preference, which operators re-apply
    on every run), and the default (the planner) again afterwards."""
    import bpy

    prefs = bpy.context.preferences.addons[ext.__name__].preferences
    prefs.generator = 'SIMULATOR'
    ext.engine.configure(generator="simulator")
    yield
    prefs.generator = 'PLANNED'  # the default, put back
    ext.engine.configure(generator="planned")


@pytest.fixture(scope="session")
def model_dir():
    """The bundled model when it exists, else a tiny untrained one exported to ONNX (needs torch to build)."""
    from tiny_model import TINY_DIR, build

    for ready in (REPO / "lenscraft_core" / "models" / "default", TINY_DIR):
        if (ready / "model.json").exists() and (ready / "generator.onnx").exists():
            return ready
    pytest.importorskip("torch", reason="no bundled model, and torch is needed to build the tiny test model")
    return build()


@pytest.fixture
def model(ext, model_dir):
    """The engine on that model, ONNX runtime, chosen in the add-on's preferences as a user would."""
    import bpy

    prefs = bpy.context.preferences.addons[ext.__name__].preferences
    prefs.generator, prefs.model_path = 'MODEL', str(model_dir)
    ext.engine.configure(generator="model", model_path=str(model_dir), runtime="onnx")
    yield ext.engine
    prefs.generator, prefs.model_path = 'PLANNED', ""
    ext.engine.configure(generator="planned", model_path="", runtime="onnx")
