"""The package's import graph (read from the source by tests/support/import_graph.py): no cycle
between any two modules, and no private name imported across subpackages.

An import counts when it runs: at module level or inside a function (a lazy import that closes a
cycle is still a cycle); only imports under ``if TYPE_CHECKING:`` are left out. ``from X import n``
is an edge to ``X.n`` when that is a module of the package, to ``X`` otherwise; importing
``X.Y`` does not count as importing ``X`` (the parent package's ``__init__`` is not an edge).

The subpackages are core, record, view, narration, lessons, playground; the top-level package
(``autograd_lab/__init__.py``) is its own. A private name is one that starts with ``_`` and is not a
dunder; ``from X import _name``, ``from pkg import _module`` and ``import X; X._name`` all count when
X belongs to another subpackage than the importing module.
"""
from __future__ import annotations

from pathlib import Path

from tests.support.import_graph import ROOT, cycles, graph, private_imports

def test_no_import_cycle_between_modules():
    bad = [" -> ".join(c + (c[0],)) for c in cycles(graph())]
    assert not bad, "import cycles:\n  " + "\n  ".join(bad)


def test_no_private_name_is_imported_across_subpackages():
    bad = [f"{m}:{line} takes {mod}.{n}" for m, line, mod, n in private_imports()]
    assert not bad, "private names imported across subpackages:\n  " + "\n  ".join(bad)


def _fake_package(tmp_path: Path, files: dict) -> Path:
    pkg = tmp_path / ROOT
    for rel, text in files.items():
        p = pkg / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return pkg


def test_the_checker_sees_a_cycle_closed_by_a_function_level_import(tmp_path):
    pkg = _fake_package(tmp_path, {
        "__init__.py": "",
        "view/__init__.py": "",
        "view/a.py": "from .b import f\n",
        "view/b.py": "def f():\n    from . import a\n",
        "view/c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import f\n",
        "view/d.py": "import autograd_lab.view.c\n",
    })
    assert cycles(graph(pkg)) == [(f"{ROOT}.view.a", f"{ROOT}.view.b")]


def test_the_checker_ignores_type_only_imports(tmp_path):
    pkg = _fake_package(tmp_path, {
        "__init__.py": "",
        "view/__init__.py": "",
        "view/a.py": "from .b import f\n",
        "view/b.py": "import typing\nif typing.TYPE_CHECKING:\n    from .a import g\nelse:\n    pass\ndef f(): pass\n",
    })
    assert cycles(graph(pkg)) == []


def test_the_checker_sees_private_names_across_subpackages(tmp_path):
    pkg = _fake_package(tmp_path, {
        "__init__.py": "",
        "core/__init__.py": "",
        "core/_fmt.py": "",
        "core/function.py": "_LABELS = {}\n_x = 1\n",
        "core/tensor.py": "from .function import _LABELS\n",  # same subpackage: allowed
        "view/__init__.py": "",
        "view/a.py": "from ..core.function import _LABELS, public\n",
        "view/b.py": "from ..core import function as f, _fmt\n\ndef g():\n    return f._x\n",
        "view/c.py": "import autograd_lab.core.function\nautograd_lab.core.function._x\n",
    })
    core, view = f"{ROOT}.core", f"{ROOT}.view"
    assert private_imports(pkg) == [
        (f"{view}.a", 1, f"{core}.function", "_LABELS"),
        (f"{view}.b", 1, core, "_fmt"),
        (f"{view}.b", 4, f"{core}.function", "_x"),
        (f"{view}.c", 2, f"{core}.function", "_x"),
    ]
