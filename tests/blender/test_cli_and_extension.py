"""The built extension (zip contents, validation, install, register/unregister) and the headless command."""

from __future__ import annotations

import json
import zipfile

import pytest

bpy = pytest.importorskip("bpy", reason="bpy (Blender as a Python module) is not installed")

from blender_helpers import cameras  # noqa: E402


def test_zip_contents(built_zip):
    names = zipfile.ZipFile(built_zip).namelist()
    assert "blender_manifest.toml" in names and "__init__.py" in names
    assert "lenscraft_core/simulate.py" in names and "lenscraft_core/vocabulary.py" in names
    assert "lenscraft_core/model.py" not in names  # imports torch: left out
    assert not any("__pycache__" in n for n in names)


def test_installed_and_enabled(ext):
    assert ext.__name__ == "bl_ext.user_default.lenscraft"
    for op in ("generate", "export_shots", "import_shots", "apply_prompt"):
        assert hasattr(bpy.ops.lenscraft, op)
    assert hasattr(bpy.types, "LENSCRAFT_PT_main")
    assert ext.engine._CORE == "bl_ext.user_default.lenscraft.lenscraft_core"  # the bundled core, not the repo


def _file_menu_state(ext):
    """(import entry in File > Import, export entry in File > Export, drop handler registered)."""
    fm = ext.file_menu
    return (fm.menu_import in bpy.types.TOPBAR_MT_file_import.draw._draw_funcs,
            fm.menu_export in bpy.types.TOPBAR_MT_file_export.draw._draw_funcs,
            hasattr(bpy.types, "LENSCRAFT_FH_shots"))


def test_register_unregister_twice(ext):
    for _ in range(2):
        ext.unregister()
        assert not hasattr(bpy.types, "LENSCRAFT_PT_main")
        assert "lenscraft" not in bpy.types.Scene.bl_rna.properties
        assert _file_menu_state(ext) == (False, False, False)
        ext.register()
        assert hasattr(bpy.types, "LENSCRAFT_PT_main")
        assert "lenscraft" in bpy.types.Scene.bl_rna.properties
        assert _file_menu_state(ext) == (True, True, True)
    # once each: registering again after an unregister does not stack a second menu entry
    assert bpy.types.TOPBAR_MT_file_import.draw._draw_funcs.count(ext.file_menu.menu_import) == 1


def test_file_menu_entries_run_the_shot_operators(ext):
    class Layout:
        def __init__(self):
            self.calls = []

        def operator(self, idname, text=""):
            self.calls.append((idname, text))

    class Menu:
        layout = Layout()

    ext.file_menu.menu_import(Menu, bpy.context)
    ext.file_menu.menu_export(Menu, bpy.context)
    assert Menu.layout.calls == [("lenscraft.import_shots", "LensCraft Shots / Camera Poses"),
                                 ("lenscraft.export_shots", "LensCraft Shots (.json)")]


def test_file_handler_imports_dropped_json_on_the_viewport(ext):
    fh = bpy.types.LENSCRAFT_FH_shots
    assert fh.bl_import_operator == "lenscraft.import_shots" and ".json" in fh.bl_file_extensions.split(";")

    class Area:
        type = 'VIEW_3D'

    class Context:
        area = Area()

    assert fh.poll_drop(Context)
    Context.area.type = 'PROPERTIES'
    assert not fh.poll_drop(Context)


def test_format_menu_is_the_cores_format_list(ext):
    import importlib

    formats = importlib.import_module(ext.engine._CORE + ".formats")
    items = bpy.ops.lenscraft.export_shots.get_rna_type().properties["format"].enum_items
    assert [i.identifier for i in items] == list(formats.FORMATS) == list(ext.engine.FORMATS)


def test_device_preference_lists_the_cores_devices(ext):
    """The preference's items are RNA identifiers saved in users' preferences (upper case); the list is the core's."""
    prefs = bpy.context.preferences.addons[ext.__name__].preferences
    items = type(prefs).bl_rna.properties["device"].enum_items
    assert [i.identifier.lower() for i in items] == list(ext.engine.DEVICES)
    assert list(ext.engine.RUNTIMES) and "onnx" in ext.engine.RUNTIMES


def test_old_names_still_work(ext):
    """backend (the old word for the generator) and the workflow module are kept for scripts that use them."""
    eng = ext.engine
    assert eng.BACKENDS == eng.GENERATORS == ("planned", "learned", "model", "simulator")
    assert eng.backend is eng.generator
    eng.configure(backend="simulator")  # the old keyword
    try:
        assert eng.generator() == "simulator"
    finally:
        eng.configure(generator="model")
    with pytest.raises(eng.LensCraftError, match="unknown generator"):
        eng.configure(generator="magic")
    import importlib

    workflow = importlib.import_module(ext.__name__ + ".workflow")
    assert workflow.generate is ext.generate.generate and workflow.import_shots is ext.exchange.import_shots
    assert all(hasattr(workflow, name) for name in workflow.__all__)


def test_cli_generate_saves_blend(scene, ext, tmp_path):
    out = tmp_path / "out.blend"
    code = ext.cli.main(["generate", "--subject", "Subject", "--prompt", "slow push in from a low angle, close-up",
                         "--frames", "1-24", "--out", str(out)])
    assert code == 0 and out.exists()
    (cam,) = cameras(bpy)
    keyed = [fc for fc in ext.keyframes.fcurves(cam) if fc.data_path == "location"]  # the axes the push-in moves
    assert keyed and all({int(kp.co[0]) for kp in fc.keyframe_points} >= {1, 24} for fc in keyed)


def test_cli_bad_arguments_exit_nonzero(scene, ext, capsys):
    assert ext.cli.main(["generate", "--subject", "Nope", "--prompt", "orbit"]) == 1
    assert "no subject object named 'Nope'" in capsys.readouterr().err
    assert ext.cli.main(["generate", "--subject", "Subject", "--prompt", "a sunny day"]) == 1
    assert ext.cli.main(["generate", "--subject", "Subject", "--movement", "orbit", "--frames", "9-3"]) == 1
    assert ext.cli.main(["frobnicate"]) == 1
    assert cameras(bpy) == []


def test_cli_batch_with_one_bad_job(scene, ext, tmp_path, capsys):
    jobs = [
        {"subject": "Subject", "prompt": "dolly in, close up", "frames": "1-24"},
        {"subject": "Missing", "prompt": "orbit left"},
        {"subject": "Subject", "movement": "fullArcShotLeft", "frames": "1-48", "seed": 3, "every_frame": True},
        {"command": "export", "out": str(tmp_path / "all.json"), "frames": "1-24", "subject": "Subject"},
    ]
    path = tmp_path / "jobs.json"
    path.write_text(json.dumps({"jobs": jobs}))
    assert ext.cli.main(["batch", str(path), "--out", str(tmp_path / "batch.blend")]) == 1
    captured = capsys.readouterr()
    assert "[2/4] FAILED" in captured.err and "'Missing'" in captured.err
    assert "3 of 4 job(s) done" in captured.err
    assert len(cameras(bpy)) == 2
    shots, _ = ext.engine.load_shots(str(tmp_path / "all.json"))
    assert len(shots) == 2 and (tmp_path / "batch.blend").exists()


def test_cli_export_import(scene, ext, tmp_path):
    assert ext.cli.main(["generate", "--subject", "Subject", "--movement", "panLeft", "--frames", "1-12"]) == 0
    out = tmp_path / "pan.json"
    assert ext.cli.main(["export", "--out", str(out), "--frames", "1-12"]) == 0
    assert ext.cli.main(["import", str(out)]) == 0
    assert len(cameras(bpy)) == 2
    assert ext.cli.main(["import", str(tmp_path / "missing.json")]) == 1


HEAVY_CORE = ("simulate", "prompt.grammar", "inference.engine", "formats.segments")


def test_register_loads_no_heavy_core_module(tmp_path):
    """From a development checkout (addon/ as a package: the installed lenscraft_core, not a bundled copy),
    register() loads only the light core modules; the heavy ones come on first use."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    code = ("import sys, bpy; sys.path.insert(0, sys.argv[1]); import addon; addon.register(); "
            "print('core:', addon.engine._CORE, addon.engine._BUNDLED); "
            f"print('heavy:', [m for m in {HEAVY_CORE!r} if 'lenscraft_core.' + m in sys.modules]); "
            "addon.unregister()")
    env = {**os.environ, "BLENDER_USER_RESOURCES": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code, str(repo)], capture_output=True, text=True, env=env,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert "core: lenscraft_core False\nheavy: []\n" in out.stdout, out.stdout


def test_addon_modules_import_no_cycle():
    """Relative imports between the add-on's modules (lazy ones inside functions too) form no cycle."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "addon"
    graph = {}
    for path in root.glob("*.py"):
        deps = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                deps |= {node.module} if node.module else {a.name for a in node.names}
        graph[path.stem] = {d.split(".")[0] for d in deps} & {p.stem for p in root.glob("*.py")}
    graph.pop("__init__")
    graph.pop("workflow")  # the old module path: it only re-exports the others
    done, stack = set(), []

    def visit(n):
        assert n not in stack, "import cycle: " + " -> ".join(stack[stack.index(n):] + [n])
        if n not in done:
            stack.append(n)
            for d in sorted(graph.get(n, ())):
                visit(d)
            stack.pop()
            done.add(n)

    for n in sorted(graph):
        visit(n)
