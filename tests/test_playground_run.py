"""Programs in the playground give the same trace as the same code run directly.

"Directly" means the trusted way a lesson runs it: real Python (compiled from a file, so
events carry its lines) inside ``lab.trace(catch_errors=True, namespace=ns)``. The
playground's trace must match event by event: kinds, lines, node names, values, names of
tensors, what was printed, and the error (if any).
"""
from __future__ import annotations

import ast
import contextlib
import io
import json
import re
import textwrap
import warnings
from pathlib import Path

import pytest

import autograd_lab as lab
from autograd_lab.playground import EXAMPLES, FILENAME, Limits, RejectedCode, _Checker, _parse, run
from tests.support.direct_run import comparable, run_direct
from tests.support.requirements import require_torch

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"

LESSON_SNIPPETS = {
    "classic": """\
w = tensor(2.0, requires_grad=True)
x = tensor(3.0)
b = tensor(1.0, requires_grad=True)
y = w * x
z = y + b
z.backward()
print(w.grad, b.grad)
print(w.is_leaf, y.is_leaf, w.grad_fn, z.grad_fn.name())
print(z.grad_fn.next_functions)
print(z.grad_fn.next_functions[0][0].next_functions[0][0].variable is w)
""",
    "accumulation with retain_graph": """\
w = tensor(2.0, requires_grad=True)
x = tensor(3.0)
b = tensor(1.0, requires_grad=True)
z = w * x + b
z.backward(retain_graph=True)
print(w.grad, b.grad)
z.backward()
print(w.grad, b.grad)
""",
    "second backward fails": """\
w = tensor(2.0, requires_grad=True)
x = tensor(3.0)
z = w * x
z.backward()
print(w.grad)
z.backward()
print("never printed")
""",
    "saved values are freed": """\
w = tensor(2.0, requires_grad=True)
x = tensor(3.0)
z = w * x
print(z.grad_fn._saved_self, z.grad_fn._saved_other)
z.backward()
print(z.grad_fn._saved_self)
""",
    "register_hook with a lambda": """\
w = tensor(2.0, requires_grad=True)
x = tensor(3.0)
y = w * x
h = y.register_hook(lambda g: g * 2)
w.register_hook(lambda g: print("w gets", g))
z = y + 1
z.backward()
print(w.grad)
h.remove()
""",
    "retain_grad": """\
w = tensor(2.0, requires_grad=True)
x = tensor(3.0)
y = w * x
y.retain_grad()
z = y * y
z.backward()
print(y.grad, w.grad, y.retains_grad)
""",
    "autograd.grad": """\
w = tensor(2.0, requires_grad=True)
x = tensor(3.0)
y = w * x
z = y ** 2
gy, gw = autograd.grad(z, [y, w])
print(gy, gw, w.grad)
""",
    "SGD training loop": """\
x = tensor([1.0, 2.0, 3.0, 4.0])
y = tensor([3.0, 5.0, 7.0, 9.0])
w = tensor(0.0, requires_grad=True)
b = tensor(0.0, requires_grad=True)
opt = optim.SGD([w, b], lr=0.02)
for i in range(5):
    opt.zero_grad()
    loss = ((w * x + b - y) ** 2).mean()
    loss.backward()
    opt.step()
    if i % 2 == 0:
        print(i, f"{loss.item():.4f}")
""",
    "manual step under no_grad": """\
w = tensor([1.0, -1.0], requires_grad=True)
x = tensor([[1.0, 2.0], [3.0, 4.0]])
for i in range(3):
    loss = (x @ w).relu().sum()
    loss.backward()
    with no_grad():
        w -= 0.1 * w.grad
    w.grad.zero_()
print(w, is_grad_enabled())
""",
    "torch names and tensor methods": """\
a = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
b = a.T.reshape(3, 2).exp().log().tanh().sigmoid().sqrt()
c = lab.ones(2, 3).matmul(b).mean()
c.backward()
print(a.grad.shape, a.grad.tolist(), b.ndim, a.dtype == float32)
d = a.detach()
print(d.requires_grad, d.sum(dim=0), a.sum(1, keepdim=True).shape)
e = zeros_like(d).requires_grad_()
print(e.is_leaf, (e + a).grad_fn.name(), a[0], a.pow(2).t().shape)
""",
    "in-place on a leaf is an error": """\
w = tensor(2.0, requires_grad=True)
w += 1
""",
    "grad_fn hooks and prehooks": """\
w = tensor(2.0, requires_grad=True)
z = (w * 3).exp()
z.grad_fn.register_prehook(lambda grads: print("prehook", grads))
z.grad_fn.register_hook(lambda grad_inputs, grad_outputs: print("hook", grad_inputs))
z.backward()
print(w.grad)
w.grad = None
print(w.grad)
""",
    "saved values of different ops": """\
w = tensor([1.0, 2.0], requires_grad=True)
c = w ** 3
s = c.sum(0)
print(c.grad_fn._saved_exponent, c.grad_fn._saved_self, s.grad_fn._saved_dim)
print(s.grad_fn.metadata, s.grad_fn.next_functions[0][0].name())
""",
    "augmented assignment to .grad": """\
w = tensor(2.0, requires_grad=True)
(w * 3).backward()
w.grad += 1
w.grad *= 2
print(w.grad, w.requires_grad)
w.requires_grad = False
print(w.requires_grad)
""",
    "zeroing a gradient before backward": """\
w = tensor(2.0, requires_grad=True)
print(w.grad)
w.grad.zero_()
""",
    "assigning a wrong grad": """\
w = tensor(2.0, requires_grad=True)
w.grad = tensor([1.0, 2.0])
""",
    "a variable rebound after another took its value": """\
w = tensor([2.0, -1.0], requires_grad=True)
x = tensor([3.0, 0.5])
z = (w * x).sum()
v = z
z = (w * w * x).sum()
""",
    "NameError is part of the trace": """\
w = tensor(2.0, requires_grad=True)
z = w * 2
z.backward()
if w.grad is not None:
    print(q)
q = 1
""",
}


def _no_addresses(lines: list[str]) -> list[str]:
    return [re.sub(r" at 0x[0-9a-f]+", " at 0x...", line) for line in lines]


def assert_same(source: str, tmp_path: Path) -> None:
    expected, printed = run_direct(source, tmp_path)
    actual = run(source)
    assert comparable(actual) == comparable(expected)
    assert sorted(actual.names.values()) == sorted(expected.names.values())
    assert _no_addresses(actual.printed) == _no_addresses(printed)
    assert set(actual.warnings) == set(expected.warnings)
    assert type(actual.error) is type(expected.error)
    assert str(actual.error) == str(expected.error)
    assert all(e.source is None or e.source.file == FILENAME for e in actual.events)


@pytest.mark.parametrize("name", LESSON_SNIPPETS)
def test_lesson_snippet_gives_the_same_trace_as_running_it(name, tmp_path):
    assert_same(LESSON_SNIPPETS[name], tmp_path)


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_gives_the_same_trace_as_running_it(name, tmp_path):
    assert_same(EXAMPLES[name], tmp_path)


def test_classic_example_trace():
    t = run(EXAMPLES["The classic example"])
    kinds = [e.kind for e in t.events]
    assert kinds[:5] == ["tensor", "tensor", "tensor", "op", "op"]
    assert kinds[-1] == "done" and "accumulate" in kinds and t.error is None
    ops = [e for e in t.events if e.kind == "op"]
    assert [e.node_name for e in ops] == ["MulBackward0", "AddBackward0"]
    assert [(e.source.line, e.source.text) for e in ops] == [
        (4, "y = w * x          # MulBackward0"), (5, "z = y + b          # AddBackward0")]
    assert sorted(t.names.values()) == ["b", "w", "x", "y", "z"]
    assert t.printed == ["tensor(3.) tensor(1.)"]


def test_second_backward_error_is_in_the_trace_with_its_line():
    t = run(LESSON_SNIPPETS["second backward fails"])
    errors = [e for e in t.events if e.kind == "error"]
    assert len(errors) == 1 and t.printed == ["tensor(3.)"]
    assert (errors[0].source.line, errors[0].source.text) == (6, "z.backward()")
    assert errors[0].error == "RuntimeError"
    assert errors[0].message.startswith("Trying to backward through the graph a second time")


def test_hook_ops_take_the_line_of_their_lambda():
    t = run("w = tensor(2.0, requires_grad=True)\n"
            "h = w.register_hook(lambda g: g * 10)\n"
            "z = w * 3\n"
            "z.backward()\n")
    lines = {e.kind: e.source.line for e in t.events if e.kind in ("hook", "backward", "done")}
    assert lines == {"backward": 4, "hook": 4, "done": 4}
    in_hook = [e for e in t.events if e.kind == "op" and e.op == "mul" and e.source.line == 2]
    assert len(in_hook) == 1
    assert t.events[-1].kind == "done" and t.printed == []
    assert run("w = tensor(2.0, requires_grad=True)\nh = w.register_hook(lambda g: g * 10)\n"
               "(w * 3).backward()\nw.grad").printed == ["tensor(30.)"]


def test_bare_expressions_show_their_value_like_the_python_prompt():
    t = run("w = tensor(2.0, requires_grad=True)\nz = w * 3\nz.backward()\nw.grad\nz.grad_fn.name()\n"
            "w.grad.zero_()\nw.register_hook(lambda g: g)\n3 * 4\n")
    assert t.printed == ["tensor(3.)", "'MulBackward0'", "12"]


def test_warnings_are_shown_in_order_once_per_line():
    t = run("w = tensor(2.0, requires_grad=True)\ny = w * 3\nprint('before')\n"
            "for i in range(3):\n    g = y.grad\nprint(y.grad)\n")
    assert len(t.warnings) == 2 and t.warnings[0].startswith("UserWarning: The .grad attribute of a Tensor")
    assert t.printed == ["before", "None"]
    lines = t.output.splitlines()
    assert lines[0] == "before" and lines[1] == t.warnings[0] and lines[2] == t.warnings[1]
    assert lines[3] == "None"


def test_warning_filters_are_restored_after_a_run():
    import warnings

    filters, show = list(warnings.filters), warnings.showwarning
    run("w = tensor(2.0, requires_grad=True)\ny = w * 3\ng = y.grad")
    assert warnings.filters == filters and warnings.showwarning is show


def test_print_formats():
    t = run("x = tensor(2.5)\nprint('x is', x, sep=': ', end='!\\n')\nprint(f'{x.item():.2f} {x!r} {3:>4d}')\n")
    assert t.printed == ["x is: tensor(2.5000)!", "2.50 tensor(2.5000)    3"]


def test_each_run_gets_a_fresh_namespace():
    run("secret = tensor(1.0)")
    with pytest.raises(RejectedCode, match="`secret` is not defined"):
        run("print(secret)")


def test_runtime_python_errors_become_error_events():
    t = run("x = 1 / 0\nprint('after')")
    assert isinstance(t.error, ZeroDivisionError) and t.printed == []
    assert [e.kind for e in t.events] == ["error"] and t.events[0].source.line == 1


def test_unpacking_comparisons_and_indexing():
    t = run("a, b = [1, 2]\nc = a < b < 3\nd = not (a == b) and b >= 2 or 5\n"
            "s = tensor([[1.0, 2.0, 3.0]]).shape\nprint(a, b, c, d, s[1], s)")
    assert t.printed == ["1 2 True True 3 torch.Size([1, 3])"]


def test_limits_can_be_tightened():
    with pytest.raises(RejectedCode, match="4 steps; a loop in the playground can have at most 3"):
        run("for i in range(4):\n    pass", limits=Limits(loop=3))


def test_run_wants_a_string():
    with pytest.raises(TypeError, match="str"):
        run(b"x = 1")


# --- every lesson snippet of the notebooks that fits the subset ------------------------

_PROVIDED = ("autograd_lab", "torch")  # the playground already provides these names


def _cells(notebook: Path) -> list[str]:
    data = json.loads(notebook.read_text())
    return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in data.get("cells", []) if c.get("cell_type") == "code"]


def _snippets_of(cell: str) -> list[str]:
    """The cell, or the body of each ``with ...trace(...):`` block in it, without the imports
    of autograd_lab and torch (the playground provides those names)."""
    try:
        tree = ast.parse(cell)
    except SyntaxError:
        return []
    lines = cell.splitlines()
    bodies = [node.body for node in ast.walk(tree) if isinstance(node, ast.With)
              and any("trace" in ast.unparse(item.context_expr) for item in node.items)]
    blocks = bodies or [tree.body]
    snippets = []
    for body in blocks:
        keep = [stmt for stmt in body if not (isinstance(stmt, (ast.Import, ast.ImportFrom)) and all(
            (getattr(stmt, "module", None) or alias.name).split(".")[0] in _PROVIDED for alias in stmt.names))]
        if keep:
            text = "\n".join(lines[keep[0].lineno - 1:keep[-1].end_lineno])
            snippets.append(textwrap.dedent(text) + "\n")
    return snippets


def _fits(snippet: str) -> bool:
    try:
        tree, lines = _parse(snippet, Limits())
        _Checker(lines, Limits()).check(tree)
    except RejectedCode:
        return False
    return True


def notebook_snippets() -> list:
    """Each snippet that fits, alone or after the notebook's earlier fitting snippets (a cell
    that reads `w` from the cell before it)."""
    found = []
    for notebook in sorted(NOTEBOOKS.glob("*.ipynb")):
        before: list[str] = []
        for i, cell in enumerate(_cells(notebook)):
            for j, snippet in enumerate(_snippets_of(cell)):
                for program in (snippet, "".join(before) + snippet):
                    if _fits(program):
                        found.append(pytest.param(program, id=f"{notebook.stem}-cell{i}-{j}"))
                        before.append(snippet)
                        break
    return found or [pytest.param(None, id="no-notebook-snippets-yet")]


@pytest.mark.parametrize("snippet", notebook_snippets())
def test_notebook_snippet_gives_the_same_trace_in_the_playground(snippet, tmp_path):
    if snippet is None:
        pytest.skip(f"no code cell of {NOTEBOOKS}/*.ipynb fits the playground's subset yet")
    assert_same(snippet, tmp_path)


def test_snippet_extraction_unwraps_trace_blocks_and_drops_provided_imports():
    cell = ("import autograd_lab as lab\nfrom autograd_lab import tensor\n"
            "with lab.trace() as t:\n    w = lab.tensor(1.0)\n    z = w * 2\nlab.Player(t)\n")
    assert _snippets_of(cell) == ["w = lab.tensor(1.0)\nz = w * 2\n"]
    assert _snippets_of("import autograd_lab as lab\nw = lab.tensor(1.0)\n") == ["w = lab.tensor(1.0)\n"]
    assert not _fits("import numpy as np\nx = np.zeros(3)")


# --- what the examples print, against real PyTorch -------------------------------------

@pytest.mark.parametrize("name", EXAMPLES)
def test_example_prints_what_pytorch_prints(name):
    torch = require_torch()
    namespace = {"tensor": torch.tensor, "zeros": torch.zeros, "ones": torch.ones,
                 "autograd": torch.autograd, "optim": torch.optim, "no_grad": torch.no_grad}
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.suppress(RuntimeError):
        exec(EXAMPLES[name], namespace)
    assert run(EXAMPLES[name]).printed == out.getvalue().splitlines()


# --- issue 10 item 10: refusals a student can act on ---------------------------------------

def _refusal(source: str) -> RejectedCode:
    with pytest.raises(RejectedCode) as info:
        run(source)
    return info.value


@pytest.mark.parametrize("call", ["torch.erfinv(x)", "torch.lgamma(x)", "lab.erfinv(x)"])
def test_unknown_module_function_lists_the_module_functions(call):
    e = _refusal(f"x = tensor(1.0)\ny = {call}")
    module, name = call.split("(")[0].split(".")
    assert e.reason == f"`{module}.{name}` is not available in the playground."
    assert "tensor(), zeros(), ones()" in e.hint and "optim.SGD()" in e.hint
    assert "a optimizer" not in str(e)


def test_module_functions_of_declared_ops_are_allowed_as_in_real_code():
    """The playground's module functions come from the core's op declarations: what
    ``autograd_lab.sin(x)`` accepts in a notebook, ``torch.sin(x)``/``lab.sin(x)`` accept here."""
    import autograd_lab
    from autograd_lab.core.function import playground_functions
    names = playground_functions()
    assert {"sin", "exp", "relu"} <= set(names)
    # the arguments after x that a function cannot do without, as source text
    needed = {"pow": "2", "clamp": "0.6", "reshape": "2", "unsqueeze": "0", "transpose": "0, 0",
              "permute": "(0,)", "matmul": "x", "softmax": "0", "log_softmax": "0"}
    for name in names:
        assert callable(getattr(autograd_lab, name))
        if name == "argmax":  # an index, not differentiable: the forward value is compared
            t = run("x = tensor([0.5, 1.0])\nprint(torch.argmax(x), lab.argmax(x))")
            value = str(autograd_lab.argmax(autograd_lab.tensor([0.5, 1.0])))
            assert t.printed == [f"{value} {value}"]
            continue
        more = f", {needed[name]}" if name in needed else ""
        t = run(f"x = tensor([0.5, 1.0], requires_grad=True)\ny = torch.{name}(x{more}).sum() + lab.{name}(x{more}).sum()\n"
                "y.backward()\nprint(x.grad)")
        x = autograd_lab.tensor([0.5, 1.0], requires_grad=True)
        (eval(f"f(x{more})", {"f": getattr(autograd_lab, name), "x": x}).sum() * 2).backward()
        assert t.printed == [str(x.grad)], name


def test_unknown_attribute_hint_lists_functions_and_values_with_correct_grammar():
    e = _refusal("w = tensor(1.0)\nw.foo()")
    assert "torch (or lab) offers tensor()" in e.hint
    assert "an optimizer offers step() and zero_grad()" in e.hint and "a optimizer" not in e.hint
    assert "a tensor offers" in e.hint and "a hook handle offers remove()" in e.hint


@pytest.mark.parametrize("source,suggestion", [
    ("w = tensor(1.0, requires_grad=True)\nprint(w.grd)", "Did you mean `.grad`?"),
    ("w = tensor(1.0, requires_grad=True)\nw.bakward()", "Did you mean `.backward`?"),
    ("x = torch.tensr(1.0)", "Did you mean `torch.tensor`?"),
    ("loss = tensor(1.0)\nprint(los)", "Did you mean `loss`?"),
])
def test_misspelt_names_get_did_you_mean(source, suggestion):
    assert suggestion in _refusal(source).reason


def test_no_did_you_mean_for_names_far_from_any():
    assert "Did you mean" not in _refusal("w = tensor(1.0)\nw.foo()").reason
