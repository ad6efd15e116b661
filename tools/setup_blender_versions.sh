#!/usr/bin/env bash
# Blender 4.2 LTS and 5.0 as Python modules, each in its own venv, so tests/blender/test_versions.py can run the
# add-on's core tests on both ends of the supported range (the animation API changed in 4.4 and again in 5.0).
#
#   .venv-blender42  bpy 4.2.x  (CPython 3.11; bpy 4.2 needs numpy<2 like 4.5/5.0)
#   .venv-blender50  bpy 5.0.x  (CPython 3.11; pins numpy<2)
#
# Each venv gets bpy, pytest, numpy<2 and the onnxruntime release the extension bundles (no torch: that is what a stock
# Blender has). lenscraft_core is NOT installed: the tests drive the built extension, which bundles its own copy.
# Idempotent: a stamp file per venv skips work already done. Usage: bash tools/setup_blender_versions.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
BPY42=${BPY42:-4.2.23}
BPY50=${BPY50:-5.0.1}

setup() {  # setup VENV BPY_VERSION
    local venv=$1 version=$2
    local stamp="$venv/.lenscraft-bpy-$version-$(sha256sum "$0" | cut -c1-12)"  # a change here reinstalls
    [ -f "$stamp" ] && return 0
    [ -x "$venv/bin/python" ] || "$PYTHON" -m venv "$venv"
    echo '*' > "$venv/.gitignore"  # keep the venv out of git (.gitignore's ".venv/" does not match it)
    "$venv/bin/pip" install -q --disable-pip-version-check "bpy==$version" "numpy<2" "pytest>=8" \
        "onnxruntime==1.18.1"  # what the extension bundles for Python 3.11 (tools/build_extension.py)
    "$venv/bin/python" -c "import bpy; assert bpy.app.version_string.startswith('${version%.*}'), bpy.app.version_string"
    rm -f "$venv"/.lenscraft-bpy-* && touch "$stamp"
    echo "$venv: bpy $version ready"
}

setup .venv-blender42 "$BPY42"
setup .venv-blender50 "$BPY50"
