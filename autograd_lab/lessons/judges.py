"""The code exercises: each judges what an answer *did* (its trace and its result), never its text.

``check(name, answer)`` runs the student's function (``runner``) and returns ``Feedback`` in the
lessons' words; ``hint(name)`` is a nudge, never the answer. Solutions live in ``solutions/``.
Every sentence comes from the narration catalogue (ids ``lessons.<exercise>.*``).

    >>> def answer():
    ...     b = tensor(1.0, requires_grad=True)
    ...     (b * 2).backward()
    ...     return b
    >>> check("zero_between", answer)            # says what is wrong, in words
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

from ..core.tensor import Tensor
from ..narration import join, say
from .feedback import Feedback
from .runner import TIMEOUT, Run, explain_error, raised, run_answer

__all__ = ["EXERCISES", "Exercise", "check", "hint"]


def _number(v) -> float | None:
    """A Python number from a number or a one-element tensor; None otherwise."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, Tensor) and v.numel() == 1:
        return float(v.item())
    return None


def _close(a, b, tol: float = 1e-4) -> bool:
    return a is not None and b is not None and math.isclose(a, b, rel_tol=tol, abs_tol=tol)


def _describe(v) -> str:
    if v is None:
        return "None"
    if v is Ellipsis:
        return say("lessons.describe.ellipsis")
    if isinstance(v, Tensor):
        return repr(v)
    mod = type(v).__module__
    if mod.startswith("torch") and type(v).__name__ == "Tensor":
        return say("lessons.describe.real_torch")
    text = repr(v)
    return f"{type(v).__name__} {text[:60]}{'...' if len(text) > 60 else ''}"


def _fmt(x: float | None) -> str:
    return "None" if x is None else f"{x:g}"


def _no(msg_id: str, **params) -> Feedback:
    return Feedback(False, say(msg_id, **params))


def _yes(msg_id: str, **params) -> Feedback:
    return Feedback(True, say(msg_id, **params))


# ---------------------------------------------------------------------------------------
# The exercises. Title, task and hint are catalogue ids lessons.<name>.title/.task/.hint.

@dataclass
class Exercise:
    """A code exercise: ``title`` and ``task`` describe it, ``judge(run)`` grades an answer."""

    name: str
    judge: Callable[[Run], Feedback]
    lesson: str = ""
    on_error: dict = field(default_factory=dict)  # start of PyTorch's message -> message id

    @property
    def title(self) -> str:
        return say(f"lessons.{self.name}.title")

    @property
    def task(self) -> str:
        return say(f"lessons.{self.name}.task")

    @property
    def hint(self) -> str:
        return say(f"lessons.{self.name}.hint")

    @property
    def returns(self) -> str:
        return say(f"lessons.{self.name}.returns")


EXERCISES: dict[str, Exercise] = {}


def _exercise(name: str, lesson: str, on_error=None):
    def register(judge):
        EXERCISES[name] = Exercise(name, judge, lesson, on_error or {})
        return judge
    return register


def _tensor_or_feedback(run: Run, what: str) -> Feedback | Tensor:
    v = run.value
    if isinstance(v, Tensor):
        return v
    if v is Ellipsis:
        return _no("lessons.returned.ellipsis", what=what)
    if v is None:
        return _no("lessons.returned.none", what=what)
    return _no("lessons.returned.other", value=_describe(v), what=what)


def _grad_of(t: Tensor) -> float | None:
    g = t._grad  # not t.grad: no warning for a non-leaf
    return None if g is None else _number(g)


def _backward_calls(run: Run) -> list:
    return [e for e in run.events("backward") if e.call == "backward"]


@_exercise("make_leaf", "01")
def _judge_make_leaf(run: Run) -> Feedback:
    v = _tensor_or_feedback(run, say("lessons.what.the_tensor"))
    if isinstance(v, Feedback):
        return v
    if v.tolist() != [1.0, 2.0, 3.0]:
        return _no("lessons.make_leaf.numbers", numbers=v.tolist())
    if not v.is_leaf:
        return _no("lessons.make_leaf.not_leaf", node=v.grad_fn.name())
    if not v.requires_grad:
        return _no("lessons.make_leaf.no_grad")
    if any(e.kind == "tensor" and e.how == "tensor" and e.requires_grad for e in run.trace.events):
        return _no("lessons.make_leaf.at_creation")
    return _yes("lessons.make_leaf.ok")


def _number_like(v) -> bool:
    return isinstance(v, (int, float))


def _clears_grad(e) -> bool:
    """Does event ``e`` clear a gradient: ``.grad.zero_()``, or ``.grad = None`` (``zero_grad()``)?"""
    return e.kind == "zero" or (e.kind == "set_grad" and e.after is None)


def _cleared_between(run: Run, tid, start: int, end: int) -> bool:
    return any(_clears_grad(e) and e.tensor == tid and start < e.index < end for e in run.trace.events)


@_exercise("zero_between", "05")
def _judge_zero_between(run: Run) -> Feedback:
    b = _tensor_or_feedback(run, "b")
    if isinstance(b, Feedback):
        return b
    backs = _backward_calls(run)
    tid = getattr(b, "_tid", None)
    adds = [e for e in run.events("accumulate") if e.tensor == tid]
    if len(backs) < 2:
        return _no("lessons.zero_between.too_few", n=len(backs))
    if not b.requires_grad or not b.is_leaf:
        return _no("lessons.zero_between.not_leaf")
    grad = _grad_of(b)
    if grad is None:
        return _no("lessons.zero_between.none")
    if len(adds) < 2:
        return _no("lessons.zero_between.new_b", grad=_fmt(grad), n=len(adds))
    if _close(grad, 2 * adds[-1].added if _number_like(adds[-1].added) else None) and \
            not _cleared_between(run, tid, adds[-2].index, adds[-1].index):
        return _no("lessons.zero_between.added", grad=_fmt(grad), added=_fmt(adds[-1].added),
                   before=_fmt(adds[-1].before))
    if not _close(grad, 1.0):
        return _no("lessons.zero_between.wrong", grad=_fmt(grad))
    return _yes("lessons.zero_between.ok")


@_exercise("second_backward", "06",
           on_error={"Trying to backward through the graph a second time": "lessons.second_backward.freed"})
def _judge_second_backward(run: Run) -> Feedback:
    w = _tensor_or_feedback(run, "w")
    if isinstance(w, Feedback):
        return w
    backs = _backward_calls(run)
    if len(backs) < 2:
        return _no("lessons.second_backward.too_few", n=len(backs))
    if backs[-1].roots != backs[-2].roots:
        return _no("lessons.second_backward.different")
    grad = _grad_of(w)
    if not _close(grad, 6.0):
        return _no("lessons.second_backward.wrong", grad=_fmt(grad))
    return _yes("lessons.second_backward.ok")


@_exercise("grad_without_storing", "07")
def _judge_grad_without_storing(run: Run) -> Feedback:
    v = run.value
    if isinstance(v, tuple):
        if len(v) == 1 and isinstance(v[0], Tensor):
            return _no("lessons.grad_without_storing.tuple_of_one")
        return _no("lessons.grad_without_storing.tuple", n=len(v))
    g = _tensor_or_feedback(run, say("lessons.what.dz_dy"))
    if isinstance(g, Feedback):
        return g
    value = _number(g)
    if value is None:
        return _no("lessons.grad_without_storing.not_a_number", value=repr(g))
    if _close(value, 36.0):
        return _no("lessons.grad_without_storing.dz_dw")
    if _close(value, 1.0):
        return _no("lessons.grad_without_storing.dz_db")
    if not _close(value, 12.0):
        return _no("lessons.grad_without_storing.wrong", value=_fmt(value))
    if any(e.kind == "hook" and e.which == "retain_grad" for e in run.trace.events):
        return _no("lessons.grad_without_storing.retain_grad")
    if any(e.kind == "backward" and e.call == "autograd.grad" for e in run.trace.events):
        return _yes("lessons.grad_without_storing.ok_grad")
    return _yes("lessons.grad_without_storing.ok_hook")


@_exercise("double_with_hook", "07")
def _judge_double_with_hook(run: Run) -> Feedback:
    w = _tensor_or_feedback(run, "w")
    if isinstance(w, Feedback):
        return w
    hooks = [e for e in run.events("hook") if e.which == "tensor"]
    ops = run.events("op")
    results = {e.output for e in ops} | {e.node for e in ops if e.node is not None}
    on_y = [e for e in hooks if e.tensor in results or e.node in results]  # on a result, not a leaf
    grad = _grad_of(w)
    if grad is None:
        return _no("lessons.double_with_hook.none")
    adds = [e for e in run.events("accumulate") if e.tensor == getattr(w, "_tid", None)]
    left = adds[-1].after if adds and _number_like(adds[-1].after) else None
    if left is not None and not _close(grad, left):  # .grad was set after backward() filled it
        return _no("lessons.double_with_hook.set_by_hand", grad=_fmt(grad), left=_fmt(left))
    if not hooks:
        if _close(grad, 6.0):
            return _no("lessons.double_with_hook.six_without_hook")
        return _no("lessons.double_with_hook.no_hook", grad=_fmt(grad))
    if not on_y:
        return _no("lessons.double_with_hook.on_leaf")
    if all(e.grad_out is None or e.grad_out == e.grad_in for e in on_y) and _close(grad, 3.0):
        return _no("lessons.double_with_hook.unchanged")
    if not _close(grad, 6.0):
        return _no("lessons.double_with_hook.wrong", grad=_fmt(grad))
    return _yes("lessons.double_with_hook.ok")


def _zeroed_between_backward_and_step(run: Run) -> bool:
    """Were the gradients cleared after a backward() before any parameter was updated with them?"""
    after_backward = False
    for e in run.trace.events:
        if e.kind == "backward" and e.call == "backward":
            after_backward = True
        elif e.kind == "update":
            after_backward = False
        elif _clears_grad(e) and after_backward:
            return True
    return False


@_exercise("train_with_sgd", "08")
def _judge_train_with_sgd(run: Run) -> Feedback:
    v = run.value
    if not isinstance(v, (list, tuple)):
        return _no("lessons.train_with_sgd.not_a_list", value=_describe(v))
    if len(v) < 2:
        return _no("lessons.train_with_sgd.too_short", n=len(v))
    tensors = [x for x in v if isinstance(x, Tensor)]
    if tensors:
        return _no("lessons.train_with_sgd.tensors", value=repr(tensors[0]))
    losses = [_number(x) for x in v]
    if any(x is None for x in losses):
        return _no("lessons.train_with_sgd.not_numbers", value=_describe(v[losses.index(None)]))
    if any(not math.isfinite(x) for x in losses):
        return _no("lessons.train_with_sgd.not_finite")
    steps = _backward_calls(run)
    zeros = [e for e in run.trace.events if _clears_grad(e)] if run.trace is not None else []
    first, last = f"{losses[0]:.3g}", f"{losses[-1]:.3g}"
    if len(steps) >= 2 and not zeros:
        return _no("lessons.train_with_sgd.never_cleared", n=len(steps), first=first, last=last)
    if losses[-1] >= losses[0] and _zeroed_between_backward_and_step(run):
        return _no("lessons.train_with_sgd.cleared_before_step", first=first, last=last)
    if len(zeros) < len(steps) - 1 and len(steps) >= 2:
        return _no("lessons.train_with_sgd.cleared_sometimes", zeros=len(zeros), n=len(steps))
    if losses[-1] >= losses[0]:
        if not run.events("update"):
            return _no("lessons.train_with_sgd.no_step", first=first, last=last)
        return _no("lessons.train_with_sgd.flat", first=first, last=last)
    if losses[-1] > 0.05:
        return _no("lessons.train_with_sgd.more_steps", first=first, last=last)
    return _yes("lessons.train_with_sgd.ok", first=first, last=last, n=len(losses))


_INPLACE_ERROR = "one of the variables needed for gradient computation has been modified by an inplace operation"
_FREED_ERROR = "Trying to backward through the graph a second time"


@_exercise("fix_inplace", "09", on_error={_INPLACE_ERROR: "lessons.fix_inplace.inplace"})
def _judge_fix_inplace(run: Run) -> Feedback:
    a = _tensor_or_feedback(run, "a")
    if isinstance(a, Feedback):
        return a
    grad = _grad_of(a)
    if grad is None:
        return _no("lessons.fix_inplace.none")
    if _close(grad, 2 * math.exp(2)):  # the in-place line was dropped, not rewritten
        return _no("lessons.fix_inplace.dropped", grad=_fmt(grad))
    if not _close(grad, 6 * math.exp(2)):
        return _no("lessons.fix_inplace.wrong", grad=_fmt(grad))
    return _yes("lessons.fix_inplace.ok", grad=_fmt(grad))


_RNN_GRAD = 0.0292528  # w.grad after the three iterations, each backward through its own iteration only


@_exercise("rnn_loop", "09", on_error={_FREED_ERROR: "lessons.rnn_loop.freed"})
def _judge_rnn_loop(run: Run) -> Feedback:
    w = _tensor_or_feedback(run, "w")
    if isinstance(w, Feedback):
        return w
    backs = _backward_calls(run)
    if any(e.retain_graph for e in backs):
        return _no("lessons.rnn_loop.retain")
    if len(backs) < 3:
        return _no("lessons.rnn_loop.too_few", n=len(backs))
    grad = _grad_of(w)
    if not _close(grad, _RNN_GRAD, tol=1e-5):
        return _no("lessons.rnn_loop.wrong", grad=_fmt(grad))
    return _yes("lessons.rnn_loop.ok")


def check(name: str, answer: Callable, hint: bool = False, timeout: float = TIMEOUT) -> Feedback:
    """Run ``answer()`` for exercise ``name`` and say what is right or wrong (``hint=True``: a hint too)."""
    ex = EXERCISES.get(name)
    if ex is None:
        return _no("lessons.check.unknown", name=repr(name), names=join(EXERCISES))
    hint_text = ex.hint if hint else None
    if not callable(answer):
        return Feedback(False, say("lessons.check.not_callable", name=repr(name), value=_describe(answer)),
                        hint_text)
    run = run_answer(answer, timeout)
    if run.timed_out:
        return Feedback(False, say("lessons.check.timeout", seconds=f"{timeout:g}"), hint_text)
    if run.error is not None:
        for start, msg_id in ex.on_error.items():
            if start in str(run.error):
                return Feedback(False, raised(run, say(msg_id)), hint_text)
        return Feedback(False, explain_error(run), hint_text)
    try:
        verdict = ex.judge(run)
    except Exception as exc:  # noqa: BLE001 - an odd answer must still get words, not a traceback
        verdict = _no("lessons.check.unreadable", value=_describe(run.value), error=type(exc).__name__,
                      returns=ex.returns)
    if hint and not verdict.ok:
        verdict.hint = ex.hint
    return verdict


def hint(name: str) -> str:
    """The hint of exercise ``name`` (a nudge, never the answer)."""
    ex = EXERCISES.get(name)
    return ex.hint if ex is not None else say("lessons.check.no_such", name=repr(name))
