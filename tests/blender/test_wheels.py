"""The extension zip with the torch-free runtime: onnxruntime (and its dependencies, not numpy) for
every platform and Python Blender runs, listed in the manifest, validated by Blender's tool; the model files too.

tools/setup_env.sh fills the wheel cache (build/wheels, ignored by git) while it installs everything else; the test
builds offline from that cache, so it needs no network."""

from __future__ import annotations

import re
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("bpy", reason="bpy ships Blender's extension tool: pip install bpy==4.5.15")

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel_zip(tmp_path_factory):
    sys.path.insert(0, str(REPO / "tools"))
    try:
        import build_extension
    finally:
        sys.path.pop(0)
    return build_extension, build_extension.build(tmp_path_factory.mktemp("dist"), wheels=True, offline=True)


def _tags(name: str) -> tuple[str, str, str]:
    """(package, python tag, platform tag) of a wheel file name."""
    parts = name[:-4].split("-")
    return parts[0].lower(), parts[-3], parts[-1]


def test_every_platform_and_python_has_the_runtime(wheel_zip):
    build_extension, path = wheel_zip
    z = zipfile.ZipFile(path)
    manifest = tomllib.loads(z.read("blender_manifest.toml").decode())
    wheels = [w.removeprefix("./wheels/") for w in manifest["wheels"]]
    assert sorted(wheels) == sorted(n.removeprefix("wheels/") for n in z.namelist() if n.startswith("wheels/"))
    assert not any(w.startswith("numpy-") for w in wheels)  # Blender's own numpy is used
    required = {"linux-x64": ("manylinux",), "macos-arm64": ("arm64", "universal2"), "windows-x64": ("win_amd64",)}
    assert set(required) <= set(manifest["platforms"])
    for platform in manifest["platforms"]:
        markers = {**required, "macos-x64": ("x86_64", "universal2")}[platform]
        for package in ("onnxruntime",):
            for py in ("cp311", "cp313"):
                ok = [w for w in wheels if _tags(w)[0] == package and any(m in _tags(w)[2] for m in markers)
                      and (_tags(w)[1] in (py, "py3") or "abi3" in w)
                      and (not platform.startswith("macos") or "macosx" in _tags(w)[2])
                      and (platform != "linux-x64" or "x86_64" in _tags(w)[2])]
                assert ok, f"no {package} wheel for {platform} / {py}"
                if package == "onnxruntime":  # the release pinned as known to load inside Blender
                    pin = dict(r.split("==") for r in build_extension.RUNTIME_REQUIREMENTS[f"{py[2]}.{py[3:]}"])
                    assert {w.split("-")[1] for w in ok} == {pin["onnxruntime"]}, (platform, py, ok)


def test_model_files_and_runtime_core_are_bundled(wheel_zip):
    _, path = wheel_zip
    names = set(zipfile.ZipFile(path).namelist())
    build_extension, _ = wheel_zip
    models = [p.relative_to(REPO).as_posix() for p in (REPO / "lenscraft_core" / "models").rglob("*") if p.is_file()]
    left_out = [m for m in models if m.split("/")[2] in build_extension.LEFT_OUT_MODELS]
    shipped = [m for m in models if m not in left_out]
    assert shipped and all(m in names for m in shipped)  # the bundled model
    assert left_out and not set(left_out) & names  # the MiniLM prompt encoder: measured no better than the grammar
    assert not any(n.startswith("wheels/tokenizers-") for n in names)  # only MiniLM needed it
    assert {"lenscraft_core/infer.py", "lenscraft_core/runtime.py"} <= names
    assert not {"lenscraft_core/model.py", "lenscraft_core/export.py"} & names  # import torch: left out
    assert not any(re.search(r"__pycache__|\.pyc$", n) for n in names)
