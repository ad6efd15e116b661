"""The torch wall is a package boundary: every module outside lenscraft_core.TORCH_PACKAGES (and the old paths
aliased to them) imports, and the inference path runs, with torch unimportable, as inside stock Blender."""

import subprocess
import sys
import textwrap

from _paths import REPO

SCRIPT = textwrap.dedent("""
    import sys, pkgutil, importlib
    sys.modules["torch"] = None  # `import torch` now raises ImportError, as in Blender without torch
    import lenscraft_core as core
    skip = set(core.TORCH_PACKAGES) | set(core.TORCH_ALIASES) | {"__main__"}
    names = []
    for m in pkgutil.walk_packages(core.__path__, "lenscraft_core.",
                                   onerror=lambda name: (_ for _ in ()).throw(ImportError(name))):
        if m.name.split(".")[1] in skip:
            continue
        importlib.import_module(m.name)
        names.append(m.name)
    import numpy as np
    from lenscraft_core.inference.engine import Engine
    from lenscraft_core.schema import Subject
    eng = Engine.load(None, runtime="onnx")
    shot = eng.generate(Subject(position=np.array([0, 0, 0.9]), size=np.array([0.5, 0.4, 1.8])),
                        "slow push in, low angle, close-up", frames=24)[0]
    print(len(names), eng.describe(shot).caption != "")
""")


def test_torch_free_core_imports_and_runs_without_torch():
    out = subprocess.run([sys.executable, "-c", SCRIPT], cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    count, described = out.stdout.split()
    assert int(count) >= 20 and described == "True"


def test_no_import_cycles_between_core_modules():
    """Relative imports inside lenscraft_core (lazy ones in functions too) form no cycle: arrows run from the front
    (CLI, inference, training) down to the ground (vocabulary, geometry, schema), never back up."""
    import ast

    root = REPO / "lenscraft_core"
    graph: dict[str, set[str]] = {}
    for path in root.rglob("*.py"):
        parts = list(path.relative_to(REPO).with_suffix("").parts)
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        package = parts[:-1]
        deps = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package[: len(package) - node.level + 1]
                mod = base + (node.module.split(".") if node.module else [])
                deps |= {".".join(mod + [a.name]) for a in node.names} | ({".".join(mod)} if node.module else set())
        graph[name] = deps
    # a dep on a package means its __init__; a dep on a name inside a module means the module
    known = set(graph)
    graph = {k: {d if d in known else d.rpartition(".")[0] for d in v} & known for k, v in graph.items()}
    # the old module paths are aliases of their new homes: not part of the layout
    graph = {k: v for k, v in graph.items() if k.split(".")[-1] not in ("infer", "runtime", "prompt_lexicon")
             or k.count(".") > 1}
    seen, stack = set(), []

    def visit(n):
        if n in stack:
            raise AssertionError("import cycle: " + " -> ".join(stack[stack.index(n):] + [n]))
        if n in seen:
            return
        stack.append(n)
        for d in sorted(graph[n]):
            if d != n and not (n.startswith(d + ".")):  # a module importing its own package's __init__ is normal
                visit(d)
        stack.pop()
        seen.add(n)

    for n in sorted(graph):
        visit(n)


def test_no_module_of_the_core_or_the_add_on_is_over_600_lines():
    """Files with one job stay readable: a module past 600 lines is doing several (docs/architecture.md)."""
    long = {str(p.relative_to(REPO)): n for folder in ("lenscraft_core", "addon") for p in (REPO / folder).rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 600}
    assert not long


STAGED = textwrap.dedent("""
    import sys, pkgutil, importlib
    sys.path[:0] = [sys.argv[1]] + sys.argv[2:]  # the staged core first, then site-packages (no editable finder: -S)
    sys.modules["torch"] = None
    import lenscraft_core as core
    assert core.__file__.startswith(sys.argv[1]), core.__file__
    names = [m.name for m in pkgutil.walk_packages(core.__path__, "lenscraft_core.") if m.name != "lenscraft_core.__main__"]
    for name in names:
        importlib.import_module(name)
    import numpy as np
    from lenscraft_core.errors import LensCraftError
    from lenscraft_core.inference import Engine
    from lenscraft_core.schema import Subject
    eng = Engine.load(None, runtime="onnx")
    shot = eng.generate(Subject(position=np.array([0, 0, 0.9]), size=np.array([0.5, 0.4, 1.8])),
                        "slow push in, low angle, close-up", frames=24)[0]
    assert eng.describe(shot).caption
    assert eng.text_encoder() is None  # no MiniLM in the extension
    try:
        eng.parse("spin around the subject")  # the grammar cannot read it: refused, not guessed
        raise AssertionError("a prompt the grammar cannot read was guessed")
    except LensCraftError:
        pass
    try:
        Engine.load(None, runtime="torch")
        raise AssertionError("runtime torch loaded without torch")
    except LensCraftError as e:
        assert "needs PyTorch" in str(e), e
    print(len(names))
""")


def test_the_core_the_extension_ships_runs_on_its_own(tmp_path):
    """The copy tools/build_extension.py stages (no train/, evaluate/, alias modules or MiniLM), imported from that
    folder alone: every module loads, generate / describe / parse work, the torch runtime says it needs torch."""
    import sysconfig

    sys.path.insert(0, str(REPO / "tools"))
    try:
        import build_extension
    finally:
        sys.path.pop(0)
    build_extension.copy_core(tmp_path / "lenscraft_core")
    site = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
    out = subprocess.run([sys.executable, "-S", "-c", STAGED, str(tmp_path), *site], cwd=tmp_path,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    assert int(out.stdout.split()[-1]) >= 20
