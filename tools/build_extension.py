"""Build the LensCraft Blender extension zip with Blender's own extension tool.

    python tools/build_extension.py                      # -> dist/lenscraft-<version>.zip, validated
    python tools/build_extension.py --wheels             # also bundle the torch-free runtime wheels

Stages addon/ (the package root), blender_manifest.toml and the pure parts of lenscraft_core (files that import
torch are left out: the add-on never imports them) into a temporary folder, then runs
`blender_ext.py build` and `blender_ext.py validate` from the installed bpy wheel (stdlib only, no Blender binary).

--wheels downloads unmodified PyPI wheels (onnxruntime, tokenizers and their dependencies, except numpy which
Blender ships) for Linux, macOS and Windows, CPython 3.11 (Blender 4.2-5.0) and 3.13 (5.1+), into a cache folder,
and lists them in the staged manifest. Off by default: the model that needs them is not bundled yet.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RUNTIME_PACKAGES = ("onnxruntime", "tokenizers")
PYTHON_VERSIONS = ("3.11", "3.13")
# Blender platform name -> pip --platform tags (newest first; pip takes any of them).
PLATFORMS = {
    "linux-x64": ("manylinux_2_28_x86_64", "manylinux_2_27_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64"),
    "macos-arm64": ("macosx_14_0_arm64", "macosx_13_0_arm64", "macosx_12_0_arm64", "macosx_11_0_arm64"),
    "windows-x64": ("win_amd64",),
}
SKIP_WHEELS = re.compile(r"^numpy-")  # Blender bundles numpy; a second copy would shadow it
IMPORTS_TORCH = re.compile(r"^\s*(import torch\b|from torch\b|import open_clip\b|from open_clip\b)", re.MULTILINE)
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".*")


class BuildError(RuntimeError):
    pass


def blender_ext_tool() -> Path:
    """Path of blender_ext.py inside the installed bpy wheel (found without importing bpy)."""
    spec = importlib.util.find_spec("bpy")
    if spec is None or not spec.submodule_search_locations:
        raise BuildError("the bpy module is not installed: pip install bpy==4.5.15")
    root = Path(next(iter(spec.submodule_search_locations)))
    found = sorted(root.glob("*/scripts/addons_core/bl_pkg/cli/blender_ext.py"))
    if not found:
        raise BuildError(f"blender_ext.py not found under {root}")
    return found[-1]


def manifest_version(manifest: Path) -> tuple[str, str]:
    data = tomllib.loads(manifest.read_text())
    return data["id"], data["version"]


def copy_core(dest: Path) -> list[str]:
    """Copy lenscraft_core without the modules that import torch; returns the left-out files."""
    src = REPO / "lenscraft_core"
    shutil.copytree(src, dest, ignore=IGNORE)
    left_out = []
    for path in sorted(dest.rglob("*.py")):
        if IMPORTS_TORCH.search(path.read_text(encoding="utf-8")):
            left_out.append(str(path.relative_to(dest)))
            path.unlink()
    return left_out


def fetch_wheels(cache: Path) -> list[Path]:
    """Download (once) the runtime wheels for every platform and Python version into cache."""
    wheels: list[Path] = []
    for platform_name, tags in PLATFORMS.items():
        for py in PYTHON_VERSIONS:
            target = cache / f"{platform_name}-cp{py.replace('.', '')}"
            if not any(target.glob("*.whl")):
                target.mkdir(parents=True, exist_ok=True)
                cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--only-binary=:all:", "--dest", str(target),
                       "--python-version", py, *(a for t in tags for a in ("--platform", t)), *RUNTIME_PACKAGES]
                if subprocess.run(cmd).returncode != 0:
                    raise BuildError(f"pip download failed for {platform_name} / Python {py}: {' '.join(cmd)}")
            wheels += [w for w in sorted(target.glob("*.whl")) if not SKIP_WHEELS.match(w.name)]
    # The same pure-Python wheel is fetched for every platform: ship it once.
    unique: dict[str, Path] = {}
    for w in wheels:
        unique.setdefault(w.name, w)
    return list(unique.values())


def stage(dest: Path, wheels: list[Path] | None = None) -> list[str]:
    """Lay out the extension source folder; returns the core files left out."""
    shutil.copytree(REPO / "addon", dest, ignore=IGNORE)
    left_out = copy_core(dest / "lenscraft_core")
    manifest = (REPO / "blender_manifest.toml").read_text()
    if wheels:
        (dest / "wheels").mkdir()
        for w in wheels:
            shutil.copy2(w, dest / "wheels" / w.name)
        listed = ",\n".join(f'  "./wheels/{w.name}"' for w in wheels)
        platforms = ", ".join(f'"{p}"' for p in PLATFORMS)
        # Top-level keys must come before the first [table].
        head, sep, tail = manifest.partition("\n[")
        manifest = f"{head.rstrip()}\n\nplatforms = [{platforms}]\nwheels = [\n{listed},\n]\n{sep}{tail}"
    (dest / "blender_manifest.toml").write_text(manifest)
    return left_out


def run_tool(*args: str) -> str:
    proc = subprocess.run([sys.executable, str(blender_ext_tool()), *args], capture_output=True, text=True)
    out = proc.stdout + proc.stderr
    if proc.returncode != 0:
        raise BuildError(f"blender_ext {args[0]} failed:\n{out}")
    return out


def build(output_dir: Path = REPO / "dist", wheels: bool = False, wheel_cache: Path | None = None,
          verbose: bool = False) -> Path:
    """Stage, build and validate; returns the zip path."""
    ext_id, version = manifest_version(REPO / "blender_manifest.toml")
    output_dir.mkdir(parents=True, exist_ok=True)
    zip_path = output_dir / f"{ext_id}-{version}.zip"
    wheel_files = fetch_wheels(wheel_cache or REPO / "build" / "wheels") if wheels else []
    with tempfile.TemporaryDirectory(prefix="lenscraft-ext-") as tmp:
        src = Path(tmp) / ext_id
        left_out = stage(src, wheel_files)
        if verbose and left_out:
            print("left out (import torch):", ", ".join(left_out))
        run_tool("validate", str(src))
        if zip_path.exists():
            zip_path.unlink()
        run_tool("build", "--source-dir", str(src), "--output-filepath", str(zip_path))
    run_tool("validate", str(zip_path))
    return zip_path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--output-dir", type=Path, default=REPO / "dist")
    ap.add_argument("--wheels", action="store_true", help="bundle onnxruntime/tokenizers wheels (default off)")
    ap.add_argument("--wheel-cache", type=Path, default=None, help="download cache (default build/wheels)")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args(argv)
    try:
        path = build(args.output_dir, args.wheels, args.wheel_cache, args.verbose)
    except BuildError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
