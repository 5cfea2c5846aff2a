"""numpy's RuntimeWarnings (overflow, division by zero, invalid values) never reach the student,
whatever the warning filters (Python's default ones included: a fresh interpreter, as pytest
changes them), nor in any parity case; the core installs no filter of its own to hide them; the
values are torch 2.13's."""
from __future__ import annotations

import textwrap
import warnings

import pytest
import torch

import autograd_lab as lab
from tests.support.fresh import python

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
    proc = python(code)
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
    proc = python(code)
    assert proc.stdout.strip() == "True", proc.stderr


def test_no_numpy_warnings_in_any_parity_case():
    """Every parity snippet (tests/support/parity_cases.py), run with the default filters: no RuntimeWarning escapes."""
    proc = python("""
        import json, warnings, numpy as np, math
        import autograd_lab as lab
        from tests.support.parity_cases import CASES
        leaks = {}
        for name, code in CASES.items():
            with warnings.catch_warnings(record=True) as caught:   # keeps the filters in force
                try:
                    exec(code, {"lab": lab, "np": np, "math": math})
                except Exception:
                    pass
            bad = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
            if bad:
                leaks[name] = bad
        print(json.dumps(leaks))
    """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "{}"
