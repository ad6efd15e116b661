"""Build the LensCraft Blender extension zip with Blender's own extension tool.

    python tools/build_extension.py                      # -> dist/lenscraft-<version>.zip, validated
    python tools/build_extension.py --wheels             # also bundle the torch-free runtime wheels

Stages addon/ (the package root), blender_manifest.toml and the torch-free part of lenscraft_core (with the bundled
model files under lenscraft_core/models/; the torch side, lenscraft_core.TORCH_PACKAGES, is left out: the add-on never
needs it) into a temporary folder, then runs `blender_ext.py build` and `blender_ext.py validate`
from the installed bpy wheel (stdlib only, no Blender binary).

--wheels downloads unmodified PyPI wheels (onnxruntime and its dependencies, except numpy which
Blender ships) for Linux x64, macOS arm64 (and x64 while onnxruntime still publishes it) and Windows x64, CPython
3.11 (Blender 4.2-5.0) and 3.13 (5.1+), into a cache folder (build/wheels), and lists them and their platforms in
the staged manifest. Without --wheels the zip still works where onnxruntime is already importable, and otherwise
generates with the simulator.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
import lenscraft_core as core  # noqa: E402  (its __init__ only names the package boundary)
# The runtime wheels per Blender Python, pinned to releases known to load inside Blender (docs/blender.md, "Bundled
# wheels"): onnxruntime 1.19 and later fail on Windows under Blender 4.x with "DLL initialization failed" (reported by
# other add-ons), so Python 3.11 (Blender 4.2-5.0) takes 1.18.1 and Python 3.13 (Blender 5.1+) 1.21.0. Both run the
# bundled model (checked on Linux: docs/blender.md says how).
RUNTIME_REQUIREMENTS = {
    "3.11": ("onnxruntime==1.18.1",),
    "3.13": ("onnxruntime==1.21.0",),
}
RUNTIME_PACKAGES = ("onnxruntime",)
# Model folders the extension does not ship: the offline MiniLM prompt encoder (45 MB, plus tokenizers and its
# dependencies) measured no better than the grammar alone on the held-out paraphrases: it fixed 2 fields and rescued 3
# rejected prompts but stated 3 wrong and 11 unasked fields (benchmarks/bench_parse_fallback.py; docs/RELIABILITY.md).
# Without it the add-on reads prompts with the grammar (inference.prompting.choose_text_encoder finds no encoder).
LEFT_OUT_MODELS = ("minilm",)
PYTHON_VERSIONS = tuple(RUNTIME_REQUIREMENTS)
# Blender platform name -> pip --platform tags (newest first; pip takes any of them).
PLATFORMS = {
    "linux-x64": ("manylinux_2_28_x86_64", "manylinux_2_27_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64"),
    "macos-arm64": ("macosx_14_0_arm64", "macosx_13_0_arm64", "macosx_12_0_arm64", "macosx_11_0_arm64",
                    "macosx_13_0_universal2", "macosx_11_0_universal2"),
    "macos-x64": ("macosx_14_0_x86_64", "macosx_13_0_x86_64", "macosx_12_0_x86_64", "macosx_11_0_x86_64",
                  "macosx_10_15_x86_64", "macosx_13_0_universal2", "macosx_11_0_universal2"),
    "windows-x64": ("win_amd64",),
}
OPTIONAL_PLATFORMS = {"macos-x64"}  # shipped when every runtime wheel exists for it (onnxruntime is phasing it out)
SKIP_WHEELS = re.compile(r"^numpy-")  # Blender bundles numpy; a second copy would shadow it
TORCH_MODULES = {"torch", "torchvision", "open_clip"}
WHEEL_CACHE = REPO / "build" / "wheels"  # filled by tools/setup_env.sh, so builds and tests need no network
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


def _module_imports(path: Path) -> set[str]:
    """Absolute top-level packages imported when the module loads: module-level statements and their if/try
    blocks, not function bodies (a lazy `import torch` inside a function is fine)."""
    absolute: set[str] = set()
    todo = list(ast.parse(path.read_text(encoding="utf-8")).body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.If, ast.Try)):
            todo += node.body + node.orelse + getattr(node, "finalbody", [])
            todo += [s for h in getattr(node, "handlers", []) for s in h.body]
        elif isinstance(node, ast.Import):
            absolute |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            absolute.add(node.module.split(".")[0])
    return absolute


def core_ignore(folder: str, names: list[str]) -> set[str]:
    """shutil.copytree ignore: caches, and the torch side of the core (lenscraft_core.TORCH_PACKAGES and the old
    module paths aliased to them) at its top level."""
    ignored = set(IGNORE(folder, names))
    if Path(folder).resolve() == (REPO / "lenscraft_core").resolve():
        ignored |= set(core.TORCH_PACKAGES) | {f"{m}.py" for m in core.TORCH_ALIASES}
    if Path(folder).resolve() == (REPO / "lenscraft_core" / "models").resolve():
        ignored |= set(LEFT_OUT_MODELS)
    return ignored


def copy_core(dest: Path) -> list[str]:
    """Copy the torch-free core (bundled model files included); returns what was left out. The boundary is the
    package layout, not a scan: a module on the torch-free side that imports torch at load time is a build error."""
    shutil.copytree(REPO / "lenscraft_core", dest, ignore=core_ignore)
    leaks = sorted(str(p.relative_to(dest)) for p in dest.rglob("*.py") if _module_imports(p) & TORCH_MODULES)
    if leaks:
        raise BuildError(f"torch-free core modules import torch at load time: {', '.join(leaks)} "
                         "(move them into lenscraft_core/train or lenscraft_core/evaluate, or import lazily)")
    return sorted([f"{p}/" for p in core.TORCH_PACKAGES] + [f"{m}.py" for m in core.TORCH_ALIASES])


def _download(target: Path, platform_name: str, py: str, offline: bool = False) -> bool:
    """pip download the runtime wheels for one platform and Python into target (once); False if unavailable.
    offline: use only the cache (tools/setup_env.sh fills it), never the network."""
    pins = [r.replace("==", "-") for r in RUNTIME_REQUIREMENTS[py]]  # "onnxruntime-1.18.1": a wheel name's start
    # (tokenizers: a cache from before MiniLM left the extension; the check can go once such caches are gone)
    if all(any(target.glob(f"{pin}-*.whl")) for pin in pins) and not any(target.glob("tokenizers-*.whl")):
        return True
    if (target / "unavailable").exists():  # an optional platform PyPI had no wheels for at setup time
        return False
    if target.exists():  # wheels of other pins (an older cache): fetch the pinned set afresh
        shutil.rmtree(target)
    if offline:
        raise BuildError(f"no cached runtime wheels in {target}; run tools/setup_env.sh (or tools/build_extension.py "
                         "--fetch-wheels) once with network access")
    target.mkdir(parents=True, exist_ok=True)
    tags = PLATFORMS[platform_name]
    cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--only-binary=:all:",
           "--dest", str(target), "--python-version", py, *(a for t in tags for a in ("--platform", t)),
           *RUNTIME_REQUIREMENTS[py]]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        if platform_name in OPTIONAL_PLATFORMS:
            (target / "unavailable").write_text(proc.stderr[-2000:])
            return False
        raise BuildError(f"pip download failed for {platform_name} / Python {py}: {' '.join(cmd)}\n{proc.stderr}")
    return True


def fetch_wheels(cache: Path, offline: bool = False) -> tuple[list[Path], list[str]]:
    """Download (once) the runtime wheels for every platform and Python version into cache; returns (wheels,
    platforms that have all of them)."""
    wheels: list[Path] = []
    platforms = []
    for platform_name in PLATFORMS:
        targets = [cache / f"{platform_name}-cp{py.replace('.', '')}" for py in PYTHON_VERSIONS]
        if not all(_download(t, platform_name, py, offline) for t, py in zip(targets, PYTHON_VERSIONS)):
            print(f"note: no {', '.join(RUNTIME_PACKAGES)} wheels for {platform_name}: platform left out",
                  file=sys.stderr)
            continue
        platforms.append(platform_name)
        wheels += [w for t in targets for w in sorted(t.glob("*.whl")) if not SKIP_WHEELS.match(w.name)]
    # The same pure-Python wheel is fetched for every platform: ship it once.
    unique: dict[str, Path] = {}
    for w in wheels:
        unique.setdefault(w.name, w)
    return list(unique.values()), platforms


def stage(dest: Path, wheels: list[Path] | None = None, platforms: list[str] | None = None) -> list[str]:
    """Lay out the extension source folder; returns the core files left out."""
    shutil.copytree(REPO / "addon", dest, ignore=IGNORE)
    left_out = copy_core(dest / "lenscraft_core")
    manifest = (REPO / "blender_manifest.toml").read_text()
    if wheels:
        (dest / "wheels").mkdir()
        for w in wheels:
            shutil.copy2(w, dest / "wheels" / w.name)
        listed = ",\n".join(f'  "./wheels/{w.name}"' for w in wheels)
        listed_platforms = ", ".join(f'"{p}"' for p in (platforms or PLATFORMS))
        # Top-level keys must come before the first [table].
        head, sep, tail = manifest.partition("\n[")
        manifest = f"{head.rstrip()}\n\nplatforms = [{listed_platforms}]\nwheels = [\n{listed},\n]\n{sep}{tail}"
    (dest / "blender_manifest.toml").write_text(manifest)
    return left_out


def run_tool(*args: str) -> str:
    proc = subprocess.run([sys.executable, str(blender_ext_tool()), *args], capture_output=True, text=True)
    out = proc.stdout + proc.stderr
    if proc.returncode != 0:
        raise BuildError(f"blender_ext {args[0]} failed:\n{out}")
    return out


def build(output_dir: Path = REPO / "dist", wheels: bool = False, wheel_cache: Path | None = None,
          verbose: bool = False, offline: bool = False) -> Path:
    """Stage, build and validate; returns the zip path."""
    ext_id, version = manifest_version(REPO / "blender_manifest.toml")
    output_dir.mkdir(parents=True, exist_ok=True)
    zip_path = output_dir / f"{ext_id}-{version}.zip"
    wheel_files, platforms = fetch_wheels(wheel_cache or WHEEL_CACHE, offline) if wheels else ([], [])
    with tempfile.TemporaryDirectory(prefix="lenscraft-ext-") as tmp:
        src = Path(tmp) / ext_id
        left_out = stage(src, wheel_files, platforms)
        if verbose and left_out:
            print("left out (the torch side):", ", ".join(left_out))
        run_tool("validate", str(src))
        if zip_path.exists():
            zip_path.unlink()
        run_tool("build", "--source-dir", str(src), "--output-filepath", str(zip_path))
    run_tool("validate", str(zip_path))
    return zip_path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--output-dir", type=Path, default=REPO / "dist")
    ap.add_argument("--wheels", action="store_true", help="bundle the onnxruntime wheels")
    ap.add_argument("--wheel-cache", type=Path, default=None, help="download cache (default build/wheels)")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--offline", action="store_true", help="use only cached wheels (fail if the cache lacks some)")
    ap.add_argument("--fetch-wheels", action="store_true", help="only fill the wheel cache, build nothing")
    args = ap.parse_args(argv)
    try:
        if args.fetch_wheels:
            wheel_files, platforms = fetch_wheels(args.wheel_cache or WHEEL_CACHE)
            print(f"{len(wheel_files)} runtime wheels cached for {', '.join(platforms)}")
            return 0
        path = build(args.output_dir, args.wheels, args.wheel_cache, args.verbose, args.offline)
    except BuildError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
