"""The layers' import rules (issue 9), checked on the source (AST), not on what happens to be loaded.

- no module of core/ imports record/, view/, narration/, lessons/, playground/, matplotlib,
  networkx or ipywidgets (the core calls one recording interface, core/recording.py);
- no import cycle between the subpackages of autograd_lab;
- inside core/, tensor.py is imported by nobody below it (function.py, node.py, ops/, engine.py).
"""
from __future__ import annotations

import ast
from pathlib import Path

from tests.support.import_graph import PKG, absolute, module_name, modules

FORBIDDEN_IN_CORE = ("record", "view", "narration", "lessons", "playground", "matplotlib", "networkx", "ipywidgets")


def _imports(path: Path) -> set:
    """Absolute names of every module ``path`` imports (at any depth of the code, lazy ones too)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            mod = absolute(node, package)
            out.add(mod)
            out.update(f"{mod}.{a.name}" for a in node.names)  # `from . import function`
    return out


def test_core_imports_nothing_outside_core():
    bad = {}
    for name, path in modules().items():
        if not name.startswith("autograd_lab.core"):
            continue
        for imp in _imports(path):
            top = imp.split(".")
            if top[0] == "autograd_lab" and len(top) > 1 and top[1] != "core" and top[1] in FORBIDDEN_IN_CORE:
                bad.setdefault(name, []).append(imp)
            elif top[0] in FORBIDDEN_IN_CORE:
                bad.setdefault(name, []).append(imp)
    assert bad == {}


def _subpackage(mod: str) -> str | None:
    parts = mod.split(".")
    return parts[1] if len(parts) > 2 and parts[0] == "autograd_lab" else None


def test_no_import_cycle_between_subpackages():
    mods = modules()
    edges: dict = {}
    for name, path in mods.items():
        src = _subpackage(name) if path.name != "__init__.py" or name.count(".") > 1 else None
        if src is None:
            continue
        for imp in _imports(path):
            dst = _subpackage(imp)
            if dst is not None and dst != src and f"autograd_lab.{dst}" in mods:
                edges.setdefault(src, set()).add(dst)
    # a cycle is a path back to where it started
    def reach(a, seen):
        for b in edges.get(a, ()):
            if b not in seen:
                seen.add(b)
                reach(b, seen)
        return seen
    cycles = {a for a in edges if a in reach(a, set())}
    assert cycles == set(), edges


def test_nothing_below_tensor_imports_it():
    core = "autograd_lab.core."
    below = [m for m in modules() if m.startswith(core) and m[len(core):].split(".")[0] in
             ("function", "node", "ops", "engine", "recording", "messages", "dtypes", "grad_mode", "_format")]
    assert below
    for m in below:
        assert not any(i == core + "tensor" or i.startswith(core + "tensor.") for i in _imports(modules()[m])), m


def test_the_layer_check_sees_a_forbidden_import(tmp_path):
    """The checker itself can fail: a core-like module importing the recorder is caught."""
    p = PKG / "core" / "_layer_probe_tmp.py"
    try:
        p.write_text("from ..record import events\n")
        bad = [i for i in _imports(p) if i.startswith("autograd_lab.record")]
        assert bad
    finally:
        p.unlink()
