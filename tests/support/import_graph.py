"""The package's import graph, read from the source (AST), for tests/test_imports.py and
tests/test_core_layers.py: its modules, the imports each makes at run time, the cycles among them,
and the private names taken across subpackages (the rules are in test_imports.py's docstring)."""
from __future__ import annotations

import ast
from pathlib import Path

import autograd_lab

PKG = Path(autograd_lab.__file__).resolve().parent
ROOT = PKG.name


def module_name(path: Path, pkg: Path = PKG) -> str:
    parts = list(path.relative_to(pkg.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(pkg: Path = PKG) -> dict:
    """Every module of the package: dotted name -> path."""
    return {module_name(p, pkg): p for p in sorted(pkg.rglob("*.py"))}


def is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def runtime_nodes(tree: ast.AST):
    """Every node of ``tree`` except what sits under ``if TYPE_CHECKING:`` (its ``else`` runs)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ast.If) and is_type_checking(node.test):
            stack.extend(node.orelse)
            stack.append(node.test)
            continue
        stack.extend(ast.iter_child_nodes(node))


def absolute(node: ast.ImportFrom, package: str) -> str:
    """The absolute name of the module ``from <node.module> import ...`` reads, inside ``package``."""
    if not node.level:
        return node.module or ""
    base = package.split(".")
    base = base[:len(base) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


class Import:
    """One run-time import: the module doing it, the module it reaches, the names it takes."""

    def __init__(self, src: str, dst: str, line: int, names: tuple = (), alias: str | None = None):
        self.src, self.dst, self.line, self.names, self.alias = src, dst, line, names, alias

    def __repr__(self):
        return f"{self.src}:{self.line} -> {self.dst}" + (f" {self.names}" if self.names else "")


def imports(name: str, path: Path, known: dict) -> list:
    """The run-time imports of module ``name`` (file ``path``) that reach a module in ``known``."""
    is_pkg = path.name == "__init__.py"
    package = name if is_pkg else name.rpartition(".")[0]
    out = []
    for node in runtime_nodes(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name in known:
                    # `import a.b.c` binds `a`; `import a.b.c as m` binds m to a.b.c
                    out.append(Import(name, a.name, node.lineno, alias=a.asname))
        elif isinstance(node, ast.ImportFrom):
            mod = absolute(node, package)
            plain = []
            for a in node.names:
                sub = f"{mod}.{a.name}"
                if sub in known:  # `from . import function`: the submodule itself
                    out.append(Import(name, sub, node.lineno, alias=a.asname or a.name))
                else:
                    plain.append(a.name)
            if plain and mod in known:
                out.append(Import(name, mod, node.lineno, tuple(plain)))
    return out


def graph(pkg: Path = PKG) -> dict:
    """module -> list of its run-time Imports of other modules of the package."""
    known = modules(pkg)
    return {m: [i for i in imports(m, p, known) if i.dst != m] for m, p in known.items()}


def cycles(g: dict) -> list:
    """Every elementary import cycle (no module twice), each a tuple of module names that starts at
    its smallest name and follows the imports. The graph is small: a plain depth-first search does."""
    succ = {m: sorted({i.dst for i in imps}) for m, imps in g.items()}
    found = []
    for start in sorted(succ):
        path, on_path = [start], {start}
        stack = [iter(succ[start])]
        while stack:
            b = next(stack[-1], None)
            if b is None:
                stack.pop()
                on_path.discard(path.pop())
            elif b == start:
                found.append(tuple(path))
            elif b > start and b not in on_path:  # each cycle once, from its smallest module
                path.append(b)
                on_path.add(b)
                stack.append(iter(succ.get(b, ())))
    return sorted(found, key=lambda c: (len(c), c))


def subpackage(mod: str, known: dict) -> str:
    """core, record, view, ... for a module inside one; the top-level package for the rest."""
    parts = mod.split(".")
    if len(parts) > 1 and known.get(".".join(parts[:2]), Path()).name == "__init__.py":
        return parts[1]
    return parts[0]


def is_private(n: str) -> bool:
    return n.startswith("_") and not (n.startswith("__") and n.endswith("__"))


def private_imports(pkg: Path = PKG) -> list:
    """(importer, line, module, private name) for every private name taken across subpackages."""
    known = modules(pkg)
    out = []
    for m, path in known.items():
        tree = ast.parse(path.read_text(), str(path))
        bound = {}  # local name -> module it is bound to
        for imp in imports(m, path, known):
            cross = subpackage(imp.dst, known) != subpackage(m, known)
            if cross:
                out += [(m, imp.line, imp.dst, n) for n in imp.names if is_private(n)]
                tail = imp.dst.rpartition(".")[2]
                if not imp.names and is_private(tail) and tail == (imp.alias or tail):
                    out.append((m, imp.line, imp.dst.rpartition(".")[0], tail))  # `from pkg import _mod`
                if not imp.names:
                    bound[imp.alias or imp.dst] = imp.dst
        for node in runtime_nodes(tree):  # `import X as m; m._name`
            if isinstance(node, ast.Attribute) and is_private(node.attr):
                dotted, v = [], node.value
                while isinstance(v, ast.Attribute):
                    dotted.append(v.attr)
                    v = v.value
                if isinstance(v, ast.Name):
                    local = ".".join([v.id] + dotted[::-1])
                    if local in bound:
                        out.append((m, node.lineno, bound[local], node.attr))
    return sorted(set(out))
