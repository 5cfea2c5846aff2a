"""An error inside ``trace(catch_errors=True)`` is recorded at the student's line that raised it,
also when it was raised inside a function the student wrote (its innermost line of theirs)."""
from __future__ import annotations

import textwrap


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
