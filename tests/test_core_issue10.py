"""Issue 10's core items, each checked against torch 2.13 (the same lines run in both)."""
from __future__ import annotations

import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

import autograd_lab as lab

ROOT = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------------- item 5: the line that raised
def test_an_error_is_attributed_to_the_line_that_raised(tmp_path):
    cell = tmp_path / "cell.py"
    cell.write_text(textwrap.dedent("""\
        import autograd_lab as lab
        with lab.trace(catch_errors=True) as t:
            a = lab.tensor(2.0)
            d = a * 3
            d.backward()
        """))
    ns: dict = {}
    exec(compile(cell.read_text(), str(cell), "exec"), ns)
    err = ns["t"].events[-1]
    assert err.kind == "error" and err.error == "RuntimeError"
    assert (err.source.line, err.source.text) == (5, "d.backward()")


def test_an_error_raised_in_a_function_is_attributed_to_the_users_innermost_line(tmp_path):
    cell = tmp_path / "cell2.py"
    cell.write_text(textwrap.dedent("""\
        import autograd_lab as lab
        def step(x):
            return x.reshape(5)
        with lab.trace(catch_errors=True) as t:
            a = lab.ones(2, requires_grad=True)
            step(a)
        """))
    ns: dict = {}
    exec(compile(cell.read_text(), str(cell), "exec"), ns)
    err = ns["t"].events[-1]
    assert (err.source.line, err.source.text) == (3, "return x.reshape(5)")


# ---------------------------------------------------------------------- item 13: requires_grad on a non-leaf
REQUIRES_GRAD_CASES = ["y.requires_grad_(True)", "y.requires_grad_()", "y.requires_grad_(False)",
                       "y.requires_grad = True", "y.requires_grad = False", "n.requires_grad = True",
                       "n.requires_grad_(True)", "n.requires_grad = False", "i.requires_grad = True",
                       "i.requires_grad_(True)", "i.requires_grad_(False)", "i.requires_grad = False",
                       "w.requires_grad = False", "w.requires_grad_(False)"]


def _requires_grad_outcome(L, code):
    w = L.tensor(2.0, requires_grad=True)
    y = w * 3
    with L.no_grad():
        n = w * 3
    i = L.tensor([1, 2])
    try:
        exec(code)
    except Exception as e:  # noqa: BLE001
        return type(e).__name__, str(e)
    return "ok", (w.requires_grad, y.requires_grad, n.requires_grad, i.requires_grad, y.is_leaf, n.is_leaf)


@pytest.mark.parametrize("code", REQUIRES_GRAD_CASES)
def test_setting_requires_grad_as_pytorch(code):
    assert _requires_grad_outcome(lab, code) == _requires_grad_outcome(torch, code)


# ---------------------------------------------------------------------- item 13: AccumulateGrad hooks in autograd.grad
def _acc_hooks(L, call):
    fired = []
    w = L.tensor(2.0, requires_grad=True)
    y = w * 3
    acc = y.grad_fn.next_functions[0][0]
    acc.register_prehook(lambda g: fired.append(("acc-pre", float(g[0]))))
    acc.register_hook(lambda gi, go: fired.append(("acc-post", float(go[0]))))
    w.register_hook(lambda g: fired.append(("tensor", float(g))))
    w.register_post_accumulate_grad_hook(lambda t: fired.append(("post-acc", float(t.grad))))
    if call == "grad":
        got = [float(g) for g in L.autograd.grad(y, w)]
    else:
        y.backward()
        got = [float(w.grad)]
    return fired, got


@pytest.mark.parametrize("call", ["grad", "backward"])
def test_accumulate_grad_hooks_fire_only_when_accumulating(call):
    """autograd.grad captures the leaf's gradient (its tensor hooks run) and never runs its AccumulateGrad."""
    assert _acc_hooks(lab, call) == _acc_hooks(torch, call)


# ---------------------------------------------------------------------- item 14: autograd.grad prunes branches
def _pruned(L):
    seen = []
    a = L.tensor(1.0, requires_grad=True)
    b = L.tensor(2.0, requires_grad=True)
    c = L.tensor(3.0, requires_grad=True)
    z = a + b * c
    z.grad_fn.register_hook(lambda gi, go: seen.append(("add-post", tuple(None if g is None else float(g) for g in gi))))
    b.register_hook(lambda g: seen.append(("b-hook", float(g))))
    got = L.autograd.grad(z, a)
    return seen, [float(g) for g in got]


def test_autograd_grad_prunes_branches_that_do_not_lead_to_the_inputs():
    assert _pruned(lab) == _pruned(torch) == ([("add-post", (1.0, None))], [1.0])


def test_pruned_branches_are_recorded_as_sending_nothing():
    with lab.trace() as t:
        a = lab.tensor(1.0, requires_grad=True)
        b = lab.tensor(2.0, requires_grad=True)
        z = a + b
        lab.autograd.grad(z, a)
    nodes = [e for e in t.events if e.kind == "node"]
    assert [(e.name, e.grad_inputs) for e in nodes] == [("AddBackward0", (1.0, None))]


# ---------------------------------------------------------------------- item 14: post-hooks after the node, then release
def _post_hook_sees(L):
    seen = []
    w = L.tensor(2.0, requires_grad=True)
    y = w * w
    node = y.grad_fn
    node.register_hook(lambda gi, go: seen.append((float(gi[0]), float(node._saved_self))))
    y.backward()
    try:
        node._saved_self
    except RuntimeError:
        seen.append("freed after")
    return seen


def test_a_post_hook_sees_the_outputs_and_the_saved_values_then_release():
    assert _post_hook_sees(lab) == _post_hook_sees(torch) == [(2.0, 2.0), "freed after"]
    with lab.trace() as t:
        w = lab.tensor(2.0, requires_grad=True)
        y = w * w
        y.grad_fn.register_hook(lambda gi, go: (gi[0] * 10, gi[1]))
        y.backward()
    kinds = [(e.kind, getattr(e, "name", None) or getattr(e, "which", None)) for e in t.events
             if e.kind in ("node", "hook", "release")]
    assert kinds == [("node", "MulBackward0"), ("hook", "hook"), ("release", "MulBackward0")]
    node, hook = [e for e in t.events if e.kind in ("node", "hook")]
    assert node.grad_inputs == (2.0, 2.0) and hook.grad_in == (2.0, 2.0) and hook.grad_out == (20.0, 2.0)
    assert float(w.grad) == 22.0


# ---------------------------------------------------------------------- item 14: version numbers
def _version_messages(L):
    msgs = set()
    for k in range(300):  # numpy scalars die and are born again at the same addresses
        x = L.tensor(2.0, requires_grad=True)
        y = x * 1
        z = y * y
        y.mul_(2)
        try:
            z.backward()
        except RuntimeError as e:
            msgs.add(str(e))
        w = L.tensor(float(k))
        w.add_(1)
        del x, y, z, w
    return msgs


def test_version_numbers_in_the_inplace_error_are_pytorchs():
    ours, theirs = _version_messages(lab), _version_messages(torch)
    assert len(theirs) == 1 and "is at version 1; expected version 0 instead" in next(iter(theirs))
    assert ours == theirs


# ---------------------------------------------------------------------- item 14: the seed autograd.grad makes
@pytest.fixture
def warn_once_reset():
    """backward(create_graph=True) warns once per process (as PyTorch): let later tests see it again."""
    from autograd_lab.core import engine
    saved = set(engine._warned)
    yield
    engine._warned.clear()
    engine._warned.update(saved)


@pytest.mark.parametrize("call", ["grad", "backward"])
def test_the_seed_of_a_create_graph_call_is_recorded_as_made_by_that_call(call, tmp_path, warn_once_reset):
    cell = tmp_path / "seed.py"
    cell.write_text(textwrap.dedent(f"""\
        import autograd_lab as lab
        with lab.trace() as t:
            x = lab.tensor(2.0, requires_grad=True)
            y = x * x
            {'(g,) = lab.autograd.grad(y, x, create_graph=True)' if call == 'grad' else 'y.backward(create_graph=True)'}
        """))
    ns: dict = {}
    exec(compile(cell.read_text(), str(cell), "exec"), ns)
    events = list(ns["t"].events)
    begin = next(i for i, e in enumerate(events) if e.kind == "backward")
    seed = events[begin + 1]
    assert seed.kind == "tensor" and seed.how == "seed" and seed.value == 1.0 and seed.requires_grad is False
    assert seed.source.line == 5
    assert not [e for e in events if e.kind == "tensor" and e.how == "existing"]


# ---------------------------------------------------------------------- item 13: numpy's RuntimeWarnings never reach the student
NOISY = """
x = lab.tensor(0.0, requires_grad=True)
x.log().backward()                                  # log(0) = -inf, d/dx = inf
y = lab.tensor(0.0, requires_grad=True)
y.sqrt().backward()                                 # sqrt'(0) = inf
z = lab.tensor([0.0, -1.0, float('inf'), float('nan')], requires_grad=True)
w = (z.log() + z.sqrt() + 1 / z + z / 0 + z ** -0.5 + 0 ** z + z ** z + z.exp() * 1e38 - z.sum() * z.mean())
w.sum().backward()
e = lab.tensor([1000.0, -1000.0], requires_grad=True)
(e.exp() * e.sigmoid() + e.tanh() + e.sin() + e.cos()).sum().backward()
s = lab.tensor(1.0) / lab.tensor(0.0)               # numpy scalars
r = lab.tensor(2.0).reciprocal() * 0 + lab.tensor(0.0).reciprocal()
q = lab.tensor([3e38]) * 10
m = lab.tensor(3e38) * 10                           # 0-d: the binary operators' fast path
i = lab.tensor(float('inf'))
d = (i - i, i + -i, lab.tensor(3e38) + 3e38, lab.tensor(-3e38) - lab.tensor(3e38), i * 0, lab.tensor(2**62) * 4)
b = lab.tensor(3e38, requires_grad=True)
(b * b - b * 10).backward()
print(x.grad, y.grad, z.grad, e.grad, s, r, q, m, d, b.grad)
"""

FILTERS = {
    "default": "",
    "error": "warnings.simplefilter('error')",
    "always": "warnings.simplefilter('always')",
    "reset": "warnings.resetwarnings()",
}


@pytest.mark.parametrize("setup", FILTERS.values(), ids=FILTERS.keys())
def test_no_numpy_warning_whatever_the_filters(setup):
    code = "import warnings\nimport autograd_lab as lab\n" + setup + "\nwith warnings.catch_warnings():\n" + \
        textwrap.indent(("warnings.simplefilter('always')\n" if setup else "pass\n") + NOISY, "    ")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert "inf" in proc.stdout


def test_zero_d_overflow_and_inf_minus_inf_give_torchs_values():
    def values(L):
        i = L.tensor(float("inf"))
        return [str(v) for v in (L.tensor(3e38) * 10, i - i, i + -i, L.tensor(3e38) + 3e38, i * 0,
                                 L.tensor(-3e38) - L.tensor(3e38), L.tensor(2**62) * 4, L.tensor(2.5) * 4 - 1)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a RuntimeWarning would fail here
        assert values(lab) == values(torch)


def test_the_core_adds_no_warning_filter():
    """Quiet by np.errstate around the core's own numpy calls, not by a filter on everyone's warnings
    (a fresh interpreter: pytest restores the filters around each test)."""
    code = ("import warnings, numpy; before = list(warnings.filters); import autograd_lab as lab; "
            "(lab.ones(2, requires_grad=True) * 2).sum().backward(); print(warnings.filters == before)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert proc.stdout.strip() == "True", proc.stderr


# ---------------------------------------------------------------------- item 14: what autograd.grad frees and fills
def _grad_frees(L):
    out = []
    w = L.tensor(2.0, requires_grad=True)
    v = L.tensor(3.0, requires_grad=True)
    p, q = w * w, v * v
    s = p + q
    out.append([float(g) for g in L.autograd.grad(s, w)])
    out.append([float(g) for g in L.autograd.grad(q, v)])       # the branch it did not run: still usable
    try:
        L.autograd.grad(p, w)                                   # the node it ran: freed
    except RuntimeError as e:
        out.append(str(e)[:60])
    x = L.tensor(2.0, requires_grad=True)
    y = x * x
    (g,) = L.autograd.grad(y, x, create_graph=True)            # retain_graph defaults to create_graph
    out.append([float(h) for h in L.autograd.grad(y, x)])
    return out


def test_autograd_grad_frees_only_what_it_ran():
    assert _grad_frees(lab) == _grad_frees(torch)


def _retained_in_grad(L):
    w = L.tensor(2.0, requires_grad=True)
    y = w * 3
    y.retain_grad()
    z = y * y
    (g,) = L.autograd.grad(z, w)
    return float(g), None if y.grad is None else float(y.grad), w.grad


def test_retain_grad_tensors_get_their_grad_inside_autograd_grad():
    assert _retained_in_grad(lab) == _retained_in_grad(torch) == (36.0, 12.0, None)
