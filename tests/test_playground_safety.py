"""Hostile programs typed into the playground: each is refused with RejectedCode, quickly,
and leaves nothing behind (no file written, no module or builtin name rebound, grad mode
unchanged).

Every input names the family it belongs to and whether the refusal must come from the
static check (nothing of the program runs at all) or may come while it runs (a limit is
reached; the program's own fresh namespace is all it touched).
"""
from __future__ import annotations

import ast
import builtins
import sys
import threading
from pathlib import Path

import pytest

from autograd_lab import playground
from autograd_lab.playground import Limits, RejectedCode, run, runner

HANG_GUARD = 20.0  # seconds: only catches a hang, not a speed target

STATIC, DYNAMIC = "static", "dynamic"
_T = "x = tensor(1.0, requires_grad=True)\nz = x * 2\n"  # a tensor and a grad_fn to poke at

HOSTILE: list[tuple[str, str, str]] = [  # (family, when refused, source)
    # imports
    ("import", STATIC, "import os"),
    ("import", STATIC, "from os import system"),
    ("import", STATIC, "import os as torch"),
    ("import", STATIC, "from torch import *"),
    ("import", STATIC, "from torch import save"),
    ("import", STATIC, "from torch import load as tensor"),
    ("import", STATIC, "import torch.hub"),
    ("import", STATIC, "from torch.hub import load"),
    ("import", STATIC, "import torch.multiprocessing as mp"),
    ("import", STATIC, "from torch.utils.data import DataLoader"),
    ("import", STATIC, "from torch.serialization import save"),
    ("import", STATIC, "import torch.nn as torch"),
    ("import", STATIC, "if True:\n    import torch"),
    ("import", STATIC, "import torch.nn.functional as F\nF = 2"),
    ("import", STATIC, "from torch.autograd import grad\nh = tensor(1.0).register_hook(lambda grad: grad)"),
    ("import", STATIC, "__import__('os').system('touch pwned')"),
    ("import", STATIC, "w = tensor(1.0)\nimport subprocess"),
    # dunder walks
    ("dunder", STATIC, "x = tensor(1.0)\ny = x.__class__"),
    ("dunder", STATIC, "c = (1).__class__.__base__.__subclasses__()"),
    ("dunder", STATIC, "g = tensor.__globals__"),
    ("dunder", STATIC, _T + "g = x.backward.__func__.__globals__"),
    ("dunder", STATIC, _T + "m = z.grad_fn.__class__.__mro__"),
    ("dunder", STATIC, _T + "s = x.shape.__class__.__bases__[0].__subclasses__()"),
    ("dunder", STATIC, _T + "g = z.grad_fn._saved___class__"),
    ("dunder", STATIC, _T + "i = z.grad_fn._saved_self.__init__.__globals__"),
    ("dunder", STATIC, "d = lab.__dict__"),
    ("dunder", STATIC, "b = __builtins__"),
    # private names
    ("private", STATIC, "x = tensor(1.0)\nd = x._data"),
    ("private", STATIC, "_x = 1"),
    ("private", STATIC, _T + "v = z.grad_fn._version"),
    ("private", DYNAMIC, _T + "s = z.grad_fn._saved_names"),
    ("private", DYNAMIC, _T + "s = z.grad_fn._saved_if"),
    # builtins
    ("builtin", STATIC, "eval('1 + 1')"),
    ("builtin", STATIC, "exec('x = 1')"),
    ("builtin", STATIC, "c = compile('1', 'f', 'eval')"),
    ("builtin", STATIC, "getattr(tensor, 'x')"),
    ("builtin", STATIC, "setattr(tensor, 'x', 1)"),
    ("builtin", STATIC, "g = globals()"),
    ("builtin", STATIC, "v = vars()"),
    ("builtin", STATIC, "t = type(1)"),
    ("builtin", STATIC, "breakpoint()"),
    ("builtin", STATIC, "x = input()"),
    ("builtin", STATIC, "exit()"),
    ("builtin", STATIC, "p = print"),
    ("builtin", DYNAMIC, _T + "g = z.grad_fn(tensor(1.0))"),
    # format-string tricks
    ("format", STATIC, "x = tensor(1.0)\nprint('{0.__class__}'.format(x))"),
    ("format", STATIC, "x = tensor(1.0)\nprint(f'{x.__class__.__mro__}')"),
    ("format", STATIC, "print('%s' % 1)"),
    ("format", STATIC, "x = 1\nprint(f'{x:{10**9}}')"),
    ("format", STATIC, "x = 1\nprint(f'{x:>999999999}')"),
    ("format", STATIC, "s = 'a' * 10**9"),
    ("format", DYNAMIC, _T + "n = z.grad_fn.name()\nprint(n * 10**9)"),
    # huge allocations
    ("allocation", STATIC, "x = zeros(10**9)"),
    ("allocation", STATIC, "x = ones(100000, 100000)"),
    ("allocation", STATIC, "x = zeros(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)"),
    ("allocation", DYNAMIC, "n = 10**9\nx = zeros(n)"),
    ("allocation", DYNAMIC, "x = zeros([100000, 100000])"),
    ("allocation", DYNAMIC, "a = zeros(10000, 1)\nb = zeros(1, 10000)\nc = a + b"),
    ("allocation", DYNAMIC, "a = zeros(10000, 1)\nb = zeros(1, 10000)\nc = a @ b"),
    ("allocation", DYNAMIC, "a = zeros(10000, 1)\nb = zeros(1, 10000)\nc = a == b"),
    ("allocation", DYNAMIC, "a = zeros(10000, 1).numpy()\nb = zeros(1, 10000).numpy()\nc = a < b"),
    ("allocation", DYNAMIC, "a = zeros(10000, 1)\nb = zeros(1, 10000)\nc = a.matmul(b)"),
    ("allocation", DYNAMIC, "a = zeros(100, 1)\nb = zeros(1, 1000)\na.add_(b)"),
    ("allocation", DYNAMIC, "x = tensor([0.0] * 10**9)"),
    ("allocation", DYNAMIC, "a = [1.0]\nfor i in range(100):\n    a = [a, a]\nx = tensor(a)"),
    ("allocation", DYNAMIC, "a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]\n"
                            "for i in range(6):\n    a = [a, a, a, a, a, a, a, a]"),
    ("allocation", DYNAMIC, "x = zeros(2)\ny = x.reshape(1, 1, 1, 1, 1, 1, 1, 1, 1, 2)"),
    ("allocation", STATIC, "x = zeros(0, 10**15)\ny = x.t() @ x"),
    # huge numbers
    ("number", STATIC, "x = 100000000000000000000000"),
    ("number", DYNAMIC, "x = 10**10**10"),
    ("number", DYNAMIC, "x = 9**9**9"),
    ("number", DYNAMIC, "x = 2**100000"),
    ("number", DYNAMIC, "x = 10**15\ny = x * x * x"),
    ("number", DYNAMIC, "x = tensor(2.0) ** 10**10"),
    ("number", DYNAMIC, "x = tensor(2.0)\ny = x.pow(1e300)"),
    # infinite or huge loops
    ("loop", STATIC, "while True:\n    pass"),
    ("loop", STATIC, "for i in range(10**9):\n    pass"),
    ("loop", STATIC, "for x in [1, 2, 3]:\n    pass"),
    ("loop", DYNAMIC, "n = 10**9\nfor i in range(n):\n    pass"),
    ("loop", DYNAMIC, "for i in range(100):\n    for j in range(100):\n        for k in range(100):\n"
                      "            x = i"),
    ("loop", DYNAMIC, "x = tensor(1.0, requires_grad=True)\nfor i in range(100):\n"
                      "    for j in range(100):\n        x = x * 1.0"),
    ("loop", DYNAMIC, "for i in range(100):\n    for j in range(100):\n        print(i, j, i, j, i, j)"),
    # deep recursion
    ("recursion", STATIC, "def f():\n    return f()\nf()"),
    ("recursion", STATIC, "f = lambda: f()\nf()"),
    ("recursion", STATIC, "x = " + "-" * 1000 + "1"),
    ("recursion", STATIC, "x = " + "[" * 150 + "]" * 150),
    ("recursion", STATIC, "x = 1" + " + 1" * 400),
    ("recursion", DYNAMIC, _T + "h = x.register_hook(lambda g: z.backward(retain_graph=True))\n"
                           "z.backward(retain_graph=True)"),
    # writing files
    ("file", STATIC, "f = open('pwned.txt', 'w')\nf.write('x')"),
    ("file", STATIC, "x = tensor([1.0])\nx.numpy().tofile('pwned.txt')"),
    ("file", STATIC, "print(1, file=open('pwned.txt', 'w'))"),
    ("file", STATIC, "x = tensor([1.0])\na = x.numpy()\na.dump('pwned.txt')"),
    ("file", STATIC, "x = tensor(1.0)\nlab.save(x, 'pwned.txt')"),
    ("file", DYNAMIC, "x = tensor([1.0])\na = x.numpy()\nb = a.data"),
    ("file", DYNAMIC, "x = tensor([1.0])\ns = x.numpy().sum()"),
    # touching the namespace
    ("namespace", STATIC, "tensor = None"),
    ("namespace", STATIC, "print = None"),
    ("namespace", STATIC, "torch = None"),
    ("namespace", STATIC, "lab.tensor = None"),
    ("namespace", STATIC, "autograd.grad = None"),
    ("namespace", STATIC, "optim.SGD = None"),
    ("namespace", STATIC, "x = tensor(1.0)\nx.backward = None"),
    ("namespace", STATIC, _T + "z.grad_fn.name = None"),
    ("namespace", STATIC, "del tensor"),
    ("namespace", STATIC, "global tensor\ntensor = 1"),
    ("namespace", STATIC, "x = tensor(1.0)\nx.__dict__['grad'] = 1"),
    ("namespace", STATIC, "for print in range(3):\n    pass"),
    # text the parser itself must survive
    ("parser", STATIC, "x = 1\x00"),
    ("parser", STATIC, "x = '\ud800'"),
    ("parser", STATIC, "if True:\n\tx = 1\n        y = 2"),
    ("parser", STATIC, "x = (1,\n"),
    ("parser", STATIC, "\ufeffimport os"),
    # other constructs
    ("construct", STATIC, "class A:\n    pass"),
    ("construct", STATIC, "x = [i for i in range(3)]"),
    ("construct", STATIC, "x = {1: 2}"),
    ("construct", STATIC, "x = (y := 3)"),
    ("construct", STATIC, "try:\n    x = 1\nexcept Exception:\n    pass"),
    ("construct", STATIC, "raise SystemExit"),
    ("construct", STATIC, "x = tensor(1.0, requires_grad=True)\nh = x.register_hook(lambda g, o=open: g)"),
    ("construct", STATIC, "x = 1\n" * 400),
]


def _snapshot() -> dict[str, dict[str, int]]:
    """Identity of every name in the places a program could try to rebind."""
    import autograd_lab

    modules = {name: mod for name, mod in sys.modules.items()
               if name == "autograd_lab" or name.startswith("autograd_lab.")}
    modules["builtins"] = builtins
    return {name: {k: id(v) for k, v in vars(mod).items()} for name, mod in modules.items()} | {
        "_FUNCTIONS": {k: id(v) for k, v in playground._FUNCTIONS.items()},
        "_RULES": {k: id(v) for k, v in playground._RULES.items()},
        "grad mode": {"enabled": autograd_lab.is_grad_enabled()},
    }


def _run_guarded(source: str, limits: Limits | None = None) -> BaseException | None:
    """run(source) in a thread; fails the test if it does not finish within HANG_GUARD."""
    outcome: list[BaseException | None] = []

    def target() -> None:
        try:
            run(source, limits=limits)
            outcome.append(None)
        except BaseException as e:  # noqa: BLE001 - reported to the test
            outcome.append(e)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(HANG_GUARD)
    assert not thread.is_alive(), f"run() still running after {HANG_GUARD} s: {source[:80]!r}"
    return outcome[0]


@pytest.fixture
def clean_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run("x = tensor(1.0, requires_grad=True)\n(x * 2).backward()")  # import what run() imports
    yield tmp_path
    assert list(tmp_path.iterdir()) == [], "a hostile program wrote a file"


def _ids() -> list[str]:
    seen: dict[str, int] = {}
    ids = []
    for family, _, _ in HOSTILE:
        seen[family] = seen.get(family, 0) + 1
        ids.append(f"{family}-{seen[family]}")
    return ids


@pytest.mark.parametrize("family, when, source", HOSTILE, ids=_ids())
def test_hostile_input_is_rejected_without_side_effects(family, when, source, clean_cwd, monkeypatch):
    if when == STATIC:  # refused by the check alone: the interpreter is never even built
        def no_interpreter(*args, **kwargs):
            raise AssertionError("the program started running before it was checked")
        monkeypatch.setattr(runner, "_Interpreter", no_interpreter)
    before = _snapshot()
    error = _run_guarded(source)
    assert isinstance(error, RejectedCode), f"{source!r} gave {error!r}, not RejectedCode"
    assert isinstance(error, ValueError)
    assert _snapshot() == before


def test_at_least_40_hostile_inputs_in_at_least_10_families():
    assert len(HOSTILE) >= 40
    assert len({family for family, _, _ in HOSTILE}) >= 10


# --- messages: what is not allowed, and what is ----------------------------------------

def _rejection(source: str, limits: Limits | None = None) -> RejectedCode:
    error = _run_guarded(source, limits)
    assert isinstance(error, RejectedCode), f"{source!r} gave {error!r}"
    return error


def test_message_names_the_construct_the_line_and_what_is_allowed():
    error = _rejection("w = tensor(2.0, requires_grad=True)\nimport os\nz = w * 2")
    assert error.lineno == 2 and error.line == "import os"
    assert str(error).startswith("line 2: `import os` is not available in the playground: it imports only torch")
    for allowed in ("`import torch`", "`import torch.nn as nn`", "`from torch.autograd import grad`", "already there"):
        assert allowed in error.hint and allowed in str(error)
    error = _rejection("x = tensor(1.0)\nwhile x < 2:\n    x = x + 1")
    for allowed in ("tensor()", "zeros()", "autograd.grad()", "optim.SGD()", "print()", "range("):
        assert allowed in error.hint and allowed in str(error)


# The first lines of a pasted lesson: imports of torch, read as the names the playground offers.
# (imports, program, the same program in the playground's own names)
ACCEPTED_IMPORTS = [
    ("import torch", "x = torch.tensor([1.0, -2.0], requires_grad=True)\n(x * x).sum().backward()\nprint(x.grad)",
     "x = torch.tensor([1.0, -2.0], requires_grad=True)\n(x * x).sum().backward()\nprint(x.grad)"),
    ("import autograd_lab as lab", "print(lab.ones(2))", "print(lab.ones(2))"),
    ("import autograd_lab as torch", "print(torch.ones(2))", "print(torch.ones(2))"),
    ("import torch as t", "print(t.ones(2))", "print(torch.ones(2))"),
    ("import torch.nn as nn", "m = nn.Linear(2, 1)\nprint(m.weight.shape)", "m = nn.Linear(2, 1)\nprint(m.weight.shape)"),
    ("import torch.nn.functional as F", "print(F.relu(tensor([1.0, -2.0])))",
     "print(nn.functional.relu(tensor([1.0, -2.0])))"),
    ("from torch.nn import functional as F", "print(F.relu(tensor([1.0, -2.0])))",
     "print(nn.functional.relu(tensor([1.0, -2.0])))"),
    ("from torch import nn, optim", "m = nn.Linear(2, 1)\nopt = optim.SGD(m.parameters(), lr=0.1)\nprint(m.weight.shape)",
     "m = nn.Linear(2, 1)\nopt = optim.SGD(m.parameters(), lr=0.1)\nprint(m.weight.shape)"),
    ("from torch import tensor, zeros as z", "print(tensor(2.0) + z(1))", "print(tensor(2.0) + zeros(1))"),
    ("from torch.autograd import grad", "x = tensor(3.0, requires_grad=True)\nprint(grad(x * x, x))",
     "x = tensor(3.0, requires_grad=True)\nprint(autograd.grad(x * x, x))"),
    ("from torch.optim import SGD", "w = tensor(1.0, requires_grad=True)\nopt = SGD([w], lr=0.5)\nprint(w)",
     "w = tensor(1.0, requires_grad=True)\nopt = optim.SGD([w], lr=0.5)\nprint(w)"),
    ("import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\nfrom torch.autograd import grad",
     "print(F.relu(torch.tensor(-1.0)))", "print(nn.functional.relu(torch.tensor(-1.0)))"),
]


@pytest.mark.parametrize("imports, program, plain", ACCEPTED_IMPORTS,
                         ids=[i.split("\n")[0] for i, _, _ in ACCEPTED_IMPORTS])
def test_importing_torch_reads_as_the_names_the_playground_offers(imports, program, plain, clean_cwd):
    """`import torch`, `import torch.nn as nn`, ...: refused before; now they run, and print what the
    same program prints with the playground's own names (nothing else changes: same toolbox, no file)."""
    expected = run(plain).printed  # (first: what the core sets up on first use is not the import's doing)
    before = _snapshot()
    traced = run(imports + "\n" + program)
    assert traced.printed and traced.printed == expected
    assert _snapshot() == before


def test_a_refused_import_of_torch_says_why():
    assert "no `save`" in str(_rejection("from torch import save"))
    assert "Did you mean `tensor`?" in str(_rejection("from torch import tensr"))
    assert "`from torch import *` is not available" in str(_rejection("from torch import *"))
    assert "`import torch.hub` is not available" in str(_rejection("import torch.hub"))
    assert "at the top of the program" in str(_rejection("for i in range(2):\n    import torch"))
    error = _rejection("import torch.nn.functional as F\nF = 2")
    assert error.lineno == 2 and "`F` names torch.nn.functional (imported on line 1)" in error.reason


@pytest.mark.parametrize("source, said", [
    ("w = tensor(2.0, requires_grad=True)\nz = w * 3\nz.backwrd()", "Did you mean `.backward`?"),
    ("x = tensr(3.0)", "Did you mean `tensor`?"),
    ("x = torch.tensr(3.0)", "Did you mean `torch.tensor`?"),
    ("w = tensor(2.0, requires_grad=True)\nh = w.register_hook(lambda g: g.backwrd)\n(w * 2).backward()",
     "Did you mean `.backward`?"),
])
def test_a_suggestion_comes_without_the_list_of_every_name(source, said):
    """A typo got the right "Did you mean .backward?" and then a 13-line list of every allowed name."""
    error = _rejection(source)
    assert said in str(error)
    assert error.hint == "(The examples menu shows what the playground runs.)", error.hint
    assert "register_hook()" not in str(error) and "zeros_like()" not in str(error)


def test_unknown_attribute_lists_what_tensors_offer():
    error = _rejection("w = tensor(2.0)\nw.cuda()")
    assert "`.cuda` is not available" in str(error)
    assert "backward()" in str(error) and "register_hook()" in str(error)


def test_dunder_message_explains_python_internals():
    error = _rejection("w = tensor(2.0)\nc = w.__class__")
    assert "double underscores are Python internals" in str(error)


def test_syntax_error_is_rejected_with_its_line():
    error = _rejection("w = tensor(2.0)\nz = w *\n")
    assert error.lineno == 2 and "Python cannot read this" in str(error)


def test_undefined_name_is_rejected_before_running():
    error = _rejection("w = tensr(2.0)")
    assert "`tensr` is not defined" in str(error)


LIMIT_MESSAGES = [  # (source, limits, words the message must contain)
    ("x = 1\n" * 400, None, ["2,000 characters"]),
    ("x = " + "-" * 60 + "1", None, ["nested more than 50 levels"]),
    ("x = zeros(200, 100)", None, ["at most 10,000 numbers", "(200, 100)"]),
    ("x = zeros(1, 1, 1, 1, 1, 1, 1, 1, 1)", None, ["at most 8 dimensions"]),
    ("x = 10**15 * 10", None, ["at most 1e+15"]),
    ("x = 2.0 ** 5000", None, ["exponents can be at most 1000"]),
    ("for i in range(101):\n    pass", None, ["101 steps", "at most 100"]),
    ("for i in range(100):\n    for j in range(100):\n        pass", None, ["more than 5,000 statements"]),
    ("x = tensor(1.0, requires_grad=True)\nfor i in range(100):\n    for j in range(6):\n        x = x + 1",
     None, ["more than 500 operations"]),
    ("for i in range(100):\n    for j in range(50):\n        print(10**14)", None,
     ["printed more than 20,000 characters"]),
    ("x = tensor(1.0, requires_grad=True)\nfor i in range(50):\n    y = x * 2\n    y.backward()",
     Limits(events=100), ["more than 100 events"]),
    ("for i in range(100):\n    for j in range(40):\n        pass", Limits(seconds=0.0),
     ["ran for more than 0 seconds"]),
    (_T + "h = x.register_hook(lambda g: z.backward(retain_graph=True))\nz.backward(retain_graph=True)",
     None, ["hooks ran inside hooks more than 8 deep"]),
]


@pytest.mark.parametrize("source, limits, words", LIMIT_MESSAGES,
                         ids=["source", "nesting", "elements", "dims", "number", "exponent", "loop",
                              "statements", "operations", "printed", "events", "seconds", "hooks"])
def test_each_limit_has_its_own_message(source, limits, words):
    message = str(_rejection(source, limits))
    for word in words:
        assert word in message, message


def test_limit_reached_inside_a_loop_points_at_the_line():
    error = _rejection("x = tensor(1.0)\nfor i in range(3):\n    n = 10**9\n    y = zeros(n)")
    assert error.lineno == 4 and error.line == "    y = zeros(n)"


def test_rejected_code_is_a_value_error_with_its_parts():
    error = RejectedCode("no", 3, "import os")
    assert isinstance(error, ValueError)
    assert (str(error), error.reason, error.lineno, error.line) == ("line 3: no", "no", 3, "import os")


def test_the_playground_never_calls_eval_exec_or_compile():
    def forbidden(call: ast.Call) -> bool:
        func = call.func
        if isinstance(func, ast.Name):
            return func.id in {"eval", "exec", "compile", "__import__"}
        if isinstance(func, ast.Attribute):
            regex = func.attr == "compile" and isinstance(func.value, ast.Name) and func.value.id == "re"
            return func.attr in {"eval", "exec", "compile", "import_module"} and not regex
        return False

    modules = sorted(Path(playground.__file__).parent.glob("*.py"))  # every module of the package
    calls = [node for path in modules for node in ast.walk(ast.parse(path.read_text()))
             if isinstance(node, ast.Call)]
    assert len(calls) > 100
    assert [ast.unparse(c) for c in calls if forbidden(c)] == []


def test_grad_mode_is_restored_when_a_limit_stops_a_no_grad_block():
    import autograd_lab as lab

    _rejection("x = tensor(1.0)\nwith no_grad():\n    n = 10**9\n    y = zeros(n)")
    assert lab.is_grad_enabled()



def test_the_allow_list_is_data_and_the_binding_reaches_only_what_it_names():
    """allowlist.py holds names and checks only, no value a program reaches (those are bound in
    binding.py); binding.py gives a function to exactly the operators the table allows, so an
    operator the table does not name is unreachable."""
    import operator

    from autograd_lab.playground import allowlist, binding
    from autograd_lab.playground.wrappers import Namespace

    checks = list(allowlist._FUNCTIONS.values()) + [c for rule in allowlist._RULES.values()
                                                   for c in rule.methods.values()]
    assert all(c is None or c.__module__.startswith("autograd_lab.playground.") for c in checks)
    reachable = {id(v) for v in vars(operator).values() if callable(v)}
    namespaces = [binding.core_api().names]
    while namespaces:
        for value in namespaces.pop().values():
            if isinstance(value, Namespace):
                namespaces.append(value.members)
            reachable.add(id(getattr(value, "fn", value)))
    assert len(reachable) > 100

    def held(value, depth=0):  # everything a module-level value of allowlist.py holds
        yield value
        if depth < 4 and isinstance(value, dict):
            for k, v in value.items():
                yield from held(k, depth + 1)
                yield from held(v, depth + 1)
        elif depth < 4 and isinstance(value, (list, tuple, set, frozenset)):
            for v in value:
                yield from held(v, depth + 1)
        elif depth < 4 and isinstance(value, allowlist._Rule):
            yield from held(vars(value), depth + 1)

    found = [name for name, value in vars(allowlist).items() if not name.startswith("__")
             if any(id(v) in reachable for v in held(value))]
    assert found == []
    tables = [(allowlist._BINOPS, binding.BINOP_FUNCTIONS), (allowlist._INPLACE, binding.INPLACE_FUNCTIONS),
              (allowlist._COMPARE, binding.COMPARE_FUNCTIONS), (allowlist._UNARY, binding.UNARY_FUNCTIONS)]
    for allowed, functions in tables:
        assert set(functions) == set(allowed)
        assert all(isinstance(op, type) and issubclass(op, ast.AST) for op in allowed)
    assert ast.BitOr not in binding.BINOP_FUNCTIONS and ast.In not in binding.COMPARE_FUNCTIONS
    with pytest.raises(RejectedCode, match=r"the `\|` operator is not available"):
        run("x = 1 | 2")
