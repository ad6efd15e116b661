#!/usr/bin/env bash
# Create or update .venv with everything LensCraft needs on this machine: the core, training (torch), ONNX Runtime,
# open_clip, the offline MiniLM text encoder, Blender as a Python module (bpy) and the test tools. Idempotent: a stamp
# records what was installed, so a second run takes a second.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
stamp=".venv/.lenscraft-$(cat pyproject.toml tools/setup_env.sh | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
    # A full install takes about 9 GB (the CUDA build of torch alone is 5.6 GB). Say so up front rather than let pip
    # die halfway with "No space left on device" (what a CI run on a full disk once printed).
    need_gb=${LENSCRAFT_NEED_GB:-10}
    free_gb=$(df -Pk . | awk 'NR==2 {print int($4 / 1048576)}')
    if [ "$free_gb" -lt "$need_gb" ]; then
        echo "setup_env.sh: only ${free_gb} GB free on $(df -P . | awk 'NR==2 {print $6}'); the environment needs about" \
             "${need_gb} GB (torch, bpy x3, ONNX Runtime). Free some space and run again." >&2
        exit 1
    fi
    # torch and torchvision first, pinned to the builds this project's machines keep on local disk (a CUDA build that
    # also runs on the CPU). open_clip imports torchvision, and PyPI's torchvision does not load beside other torches.
    .venv/bin/pip install -q --disable-pip-version-check "torch==2.14.1" "torchvision==0.29.1" "numpy<2"
    .venv/bin/pip install -q --disable-pip-version-check -e ".[train,onnx,clip,blender,dev]"
    # triton (pulled in by the CUDA build for torch.compile on GPUs) segfaults on import once bpy is loaded in the
    # same process (the test suite imports both); nothing here needs it, and torch works without it.
    .venv/bin/pip uninstall -y -q triton || true
    rm -f .venv/.lenscraft-* && touch "$stamp"
fi
# Blender 4.2 LTS and 5.0 as modules too, so the add-on's version-compat layer is tested on both ends.
[ ! -f tools/setup_blender_versions.sh ] || bash tools/setup_blender_versions.sh
# The runtime wheels the extension zip bundles (every platform Blender runs), cached in build/wheels so building the
# zip and its tests need no network later. Quick when the cache is filled.
.venv/bin/python tools/build_extension.py --fetch-wheels
