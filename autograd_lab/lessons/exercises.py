"""Exercises for the lessons: code exercises with checkers, predict-then-reveal questions,
the closing "same lines in real PyTorch" check, and friendlier errors for cells run out of order.

    >>> from autograd_lab import exercises as ex
    >>> def answer():
    ...     b = tensor(1.0, requires_grad=True)
    ...     (b * 2).backward()
    ...     return b
    >>> ex.check("zero_between", answer)            # runs answer(), says what is wrong in words
    >>> ex.check("zero_between", answer, hint=True)  # ... and gives a hint; never the answer itself
    >>> ex.Predict("w.grad after the second backward()?", answer=6, trace=t, reveal=("accumulate", "w", 2))
    >>> ex.same_in_pytorch("w = torch.tensor(2.0, requires_grad=True)\\nprint(w * 3)")

A student's function runs inside ``trace()`` under a time limit (a timer signal in the main
thread, a watched thread elsewhere); whatever it raises, loops on or returns becomes feedback,
never a traceback. Solutions live in ``solutions/``, not here: the checkers look at what the
answer *did* (its trace and its result), not at its text. ipywidgets is imported only when a
``Predict`` widget is first shown.
"""
from __future__ import annotations

import contextlib
import html
import importlib
import io
import linecache
import math
import re
import signal
import sys
import threading
import traceback
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

from ..record import events as _events
from ..core.tensor import Tensor

__all__ = ["EXERCISES", "Exercise", "Feedback", "Parity", "Predict", "Run", "check", "hint",
           "run_answer", "same_in_pytorch", "start_lesson"]

TIMEOUT = 3.0  # seconds an answer may run; the lessons' answers take milliseconds


# ---------------------------------------------------------------------------------------
# Feedback: what every checker returns (shown as the cell's result).

@dataclass
class Feedback:
    """The verdict on an answer: ``ok``, a message in the student's terms, and an optional hint."""

    ok: bool
    message: str
    hint: str | None = None

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        text = ("✓ " if self.ok else "✗ ") + self.message
        return text + (f"\nHint: {self.hint}" if self.hint else "")

    __repr__ = __str__

    def _repr_markdown_(self) -> str:
        text = ("✅ " if self.ok else "❌ ") + self.message
        return text + (f"\n\n💡 *Hint:* {self.hint}" if self.hint else "")


# ---------------------------------------------------------------------------------------
# Running a student's function: time limit, trace, errors in words.

class _TimeUp(BaseException):
    """Raised by the timer inside a student's function (a BaseException: `except Exception` in
    the student's code cannot swallow it)."""


@dataclass
class Run:
    """What happened when a student's function ran."""

    value: Any = None
    error: BaseException | None = None
    timed_out: bool = False
    trace: Any = None
    where: str = ""  # "line 4: `z.backward()`" when the error has a line in the student's code

    @property
    def finished(self) -> bool:
        return self.error is None and not self.timed_out

    def events(self, kind: str) -> list:
        return [e for e in self.trace.events if e.kind == kind] if self.trace is not None else []


@contextlib.contextmanager
def _alarm(seconds: float):
    def ring(signum, frame):
        raise _TimeUp()
    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _call_with_time_limit(fn: Callable, timeout: float):
    """``fn()`` under a time limit: raises ``_TimeUp`` when it runs longer than ``timeout``."""
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        with _alarm(timeout):
            return fn()
    box: dict = {}

    def target():
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller as is
            box["error"] = exc
    worker = threading.Thread(target=target, daemon=True, name="autograd_lab answer")
    worker.start()
    worker.join(timeout)
    if worker.is_alive():  # it cannot be stopped from here; it is a daemon and is left behind
        raise _TimeUp()
    if "error" in box:
        raise box["error"]
    return box.get("value")


def _where(exc: BaseException, fn: Callable) -> str:
    """``line N: `text``` (N counted in the cell) of the innermost frame of the student's code."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return ""
    found = ""
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == code.co_filename:  # the cell that defines the function
            text = (frame.line or linecache.getline(frame.filename, frame.lineno)).strip()
            found = f"line {frame.lineno}" + (f": `{text}`" if text else "")
    return found


def run_answer(fn: Callable, timeout: float = TIMEOUT) -> Run:
    """Call ``fn()`` inside ``trace()`` with a time limit; never raises (except KeyboardInterrupt)."""
    run = Run()
    with _events.trace() as t:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                run.value = _call_with_time_limit(fn, timeout)
        except _TimeUp:
            run.timed_out = True
        except Exception as exc:  # noqa: BLE001 - every error of the answer becomes feedback
            run.error = exc
            run.where = _where(exc, fn)
    run.trace = t
    return run


# What common errors mean, in the lessons' words (matched against the start of the message).
_ERRORS = [
    ("Trying to backward through the graph a second time",
     "the first backward() freed the values the graph had saved, so a second backward() through "
     "the same graph cannot run (lesson 06)."),
    ("element 0 of tensors does not require grad",
     "backward() was called on a tensor no gradient can flow from: nothing it was computed from "
     "has requires_grad=True (lesson 01)."),
    ("grad can be implicitly created only for scalar outputs",
     "backward() without an argument needs a single number to start from; this tensor holds "
     "several (reduce it with .sum() or .mean() first)."),
    ("One of the differentiated Tensors does not require grad",
     "autograd.grad(outputs, inputs): every input must require grad (lesson 07)."),
    ("One of the differentiated Tensors appears to not have been used in the graph",
     "one of the inputs given to autograd.grad was not used to compute the output."),
    ("a leaf Variable that requires grad is being used in an in-place operation",
     "a leaf that requires grad was changed in place; optimizers do that under no_grad()."),
    ("cannot register a hook on a tensor that doesn't require gradient",
     "a hook can only go on a tensor that requires grad (or is computed from one)."),
    ("'NoneType' object has no attribute",
     "something was None where a tensor was expected. A .grad is None until a backward() "
     "reaches that tensor, and again after zero_grad() or `.grad = None`."),
]


def explain_error(run: Run) -> str:
    """One or two sentences about ``run.error`` in the lessons' words."""
    exc = run.error
    msg = str(exc)
    where = f" ({run.where})" if run.where else ""
    if isinstance(exc, NameError):
        name = getattr(exc, "name", None) or msg
        return (f"Your function raised NameError{where}: `{name}` is not defined. Create it inside "
                "your function (or check the spelling).")
    for start, meaning in _ERRORS:
        if start in msg:
            return f"Your function raised {type(exc).__name__}{where}: {meaning}"
    first = msg.splitlines()[0] if msg else ""
    return f"Your function raised {type(exc).__name__}{where}: {first}"


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
        return "`...`, the placeholder (replace it with your answer)"
    if isinstance(v, Tensor):
        return repr(v)
    mod = type(v).__module__
    if mod.startswith("torch") and type(v).__name__ == "Tensor":
        return ("a real PyTorch tensor; these checkers read autograd_lab tensors, so keep "
                "`import autograd_lab as torch` at the top of the notebook")
    text = repr(v)
    return f"{type(v).__name__} {text[:60]}{'...' if len(text) > 60 else ''}"


def _fmt(x: float) -> str:
    return f"{x:g}"


# ---------------------------------------------------------------------------------------
# The code exercises. Each judges a Run; none of them knows a solution's text.

@dataclass
class Exercise:
    """A code exercise: ``title`` and ``task`` describe it, ``judge(run)`` grades an answer."""

    name: str
    title: str
    task: str
    hint: str
    judge: Callable[[Run], Feedback]
    returns: str = "a tensor"
    lesson: str = ""
    on_error: dict = field(default_factory=dict)  # message start -> exercise-specific words


EXERCISES: dict[str, Exercise] = {}


def _exercise(name: str, title: str, task: str, hint: str, returns: str, lesson: str, on_error=None):
    def register(judge):
        EXERCISES[name] = Exercise(name, title, task, hint, judge, returns, lesson, on_error or {})
        return judge
    return register


def _tensor_or_feedback(run: Run, what: str) -> Feedback | Tensor:
    v = run.value
    if isinstance(v, Tensor):
        return v
    if v is Ellipsis:
        return Feedback(False, f"Your function still returns `...`, the placeholder: write your answer "
                               f"and return {what}.")
    if v is None:
        return Feedback(False, f"Your function returned None. End it with `return {what}` "
                               f"(it should return {what}, a tensor).")
    return Feedback(False, f"Your function returned {_describe(v)}; it should return {what}, a tensor.")


def _grad_of(t: Tensor) -> float | None:
    g = t._grad  # not t.grad: no warning for a non-leaf
    return None if g is None else _number(g)


@_exercise(
    "make_leaf", "A leaf that requires grad",
    "`data = torch.tensor([1.0, 2.0, 3.0])` was made without requires_grad. Without typing "
    "requires_grad=True in torch.tensor(...), return a tensor holding the same numbers that is a "
    "leaf AND requires grad.",
    "Lesson 01: a tensor has a method that switches requires_grad on in place (its name ends with "
    "an underscore), and it works while the tensor is still a leaf.",
    "a tensor", "01")
def _judge_make_leaf(run: Run) -> Feedback:
    v = _tensor_or_feedback(run, "the tensor")
    if isinstance(v, Feedback):
        return v
    if v.tolist() != [1.0, 2.0, 3.0]:
        return Feedback(False, f"Your tensor holds {v.tolist()}, not the numbers of `data` [1.0, 2.0, 3.0].")
    if not v.is_leaf:
        return Feedback(False, f"Your tensor has grad_fn={v.grad_fn.name()}: it is the result of an "
                               "operation, so it is not a leaf. Switch gradients on for a tensor that "
                               "was never computed from anything.")
    if not v.requires_grad:
        return Feedback(False, "Your tensor is a leaf, but v.requires_grad is False: autograd would not "
                               "compute a gradient for it.")
    if any(e.kind == "tensor" and e.how == "tensor" and e.requires_grad for e in run.trace.events):
        return Feedback(False, "That works, but requires_grad=True was passed when the tensor was made; "
                               "the exercise asks you to switch it on afterwards.")
    return Feedback(True, "A leaf (grad_fn is None) that requires grad: backward() will fill its .grad.")


@_exercise(
    "zero_between", "One backward's worth of gradient",
    "Run the forward and backward twice on the same w and b, and make b.grad equal 1 (not 2) "
    "after the second backward. Return b.",
    "Lesson 05: AccumulateGrad ADDS into b.grad. Something has to happen to b.grad between the two "
    "backward() calls, the way every training step starts.",
    "b", "05")
def _judge_zero_between(run: Run) -> Feedback:
    b = _tensor_or_feedback(run, "b")
    if isinstance(b, Feedback):
        return b
    backs = [e for e in run.events("backward") if e.call == "backward"]
    tid = getattr(b, "_tid", None)
    adds = [e for e in run.events("accumulate") if e.tensor == tid]
    if len(backs) < 2:
        return Feedback(False, f"backward() ran {len(backs)} time(s); the exercise needs two backward "
                               "calls, so that the second one would accumulate onto the first.")
    if not b.requires_grad or not b.is_leaf:
        return Feedback(False, "The b you returned is not a leaf that requires grad, so it gets no .grad.")
    grad = _grad_of(b)
    if grad is None:
        return Feedback(False, "b.grad is None: its gradient was cleared after the last backward() "
                               "(or no backward reached it). Clear it *between* the two calls.")
    if len(adds) < 2:
        return Feedback(False, f"b.grad is {_fmt(grad)}, but only {len(adds)} backward reached this b: a "
                               "new b was made in between (or a backward skipped it). Keep the same b "
                               "and clear its gradient between the calls.")
    if _close(grad, 2 * adds[-1].added if _number_like(adds[-1].added) else None) and \
            not _cleared_between(run, tid, adds[-2].index, adds[-1].index):
        return Feedback(False, f"b.grad is {_fmt(grad)}: the second backward ADDED its "
                               f"{_fmt(adds[-1].added)} to the {_fmt(adds[-1].before)} the first one left "
                               "(that is AccumulateGrad's job). Clear b.grad between the two calls.")
    if not _close(grad, 1.0):
        return Feedback(False, f"b.grad is {_fmt(grad)}, not 1. With z = w * x + b, one backward gives b "
                               "a gradient of 1.")
    return Feedback(True, "b.grad is 1: the gradient was cleared between the steps, so it holds one "
                          "backward's worth, as in every training loop.")


def _number_like(v) -> bool:
    return isinstance(v, (int, float))


def _cleared_between(run: Run, tid, start: int, end: int) -> bool:
    return any(e.kind == "zero" and e.tensor == tid and start < e.index < end for e in run.trace.events)


@_exercise(
    "second_backward", "Backward twice through one graph",
    "Build z = w * x + b once, then call z.backward() twice on that same z (no new forward in "
    "between) without an error. Return w: its .grad should then be 6.",
    "Lesson 06: backward() frees what the graph saved, unless the first call is told to keep it. "
    "Look at the arguments of backward().",
    "w", "06",
    on_error={"Trying to backward through the graph a second time":
              "the first backward() freed the graph's saved values (MulBackward0 saved x to compute w's gradient), so "
              "the second cannot run. The first call has to keep them."})
def _judge_second_backward(run: Run) -> Feedback:
    w = _tensor_or_feedback(run, "w")
    if isinstance(w, Feedback):
        return w
    backs = [e for e in run.events("backward") if e.call == "backward"]
    if len(backs) < 2:
        return Feedback(False, f"backward() ran {len(backs)} time(s); the exercise needs two calls on the same z.")
    if backs[-1].roots != backs[-2].roots:
        return Feedback(False, "The two backward() calls started from different tensors: a new z was "
                               "built in between. Call backward() twice on the same z.")
    grad = _grad_of(w)
    if not _close(grad, 6.0):
        return Feedback(False, f"Both calls ran, but w.grad is {_fmt(grad) if grad is not None else 'None'}, "
                               "not 6 = 3 + 3. Was it cleared, or did you return another w?")
    return Feedback(True, "Two backward passes through one graph: the first kept the saved values, "
                          "and w.grad accumulated 3 + 3 = 6.")


@_exercise(
    "grad_without_storing", "The gradient of y, not stored in y.grad",
    "With y = w * x and z = y * y + b (w=2, x=3, b=1), get dz/dy without storing it in y.grad, "
    "and return it.",
    "Lesson 07: one function of torch.autograd returns gradients instead of putting them in .grad. "
    "Tell it the output and the tensor you want the gradient for.",
    "the gradient", "07")
def _judge_grad_without_storing(run: Run) -> Feedback:
    v = run.value
    if isinstance(v, tuple):
        if len(v) == 1 and isinstance(v[0], Tensor):
            return Feedback(False, "You returned a tuple holding one tensor. autograd.grad returns one "
                                   "gradient per input, in a tuple: return the gradient itself.")
        return Feedback(False, f"You returned a tuple of {len(v)} items; return one gradient (a tensor).")
    g = _tensor_or_feedback(run, "the gradient dz/dy")
    if isinstance(g, Feedback):
        return g
    value = _number(g)
    if value is None:
        return Feedback(False, f"Your gradient is {g!r}; dz/dy is a single number here.")
    if _close(value, 36.0):
        return Feedback(False, "36 is dz/dw (= 2*y*x): the gradient for the leaf w. The exercise asks "
                               "for the gradient with respect to y.")
    if _close(value, 1.0):
        return Feedback(False, "1 is dz/db, or the gradient z starts with. dz/dy is the gradient that "
                               "reaches y.")
    if not _close(value, 12.0):
        return Feedback(False, f"Your gradient is {_fmt(value)}. With z = y * y + b and y = 6, "
                               "dz/dy = 2 * y.")
    if any(e.kind == "hook" and e.which == "retain_grad" for e in run.trace.events):
        return Feedback(False, "12 is right, but retain_grad() stored it in y.grad. Get it without "
                               "storing anything in y.grad.")
    if any(e.kind == "backward" and e.call == "autograd.grad" for e in run.trace.events):
        return Feedback(True, "12 = 2 * y, returned by autograd.grad without touching any .grad.")
    return Feedback(True, "12 = 2 * y, read by a hook on the way past y, with y.grad left empty.")


@_exercise(
    "double_with_hook", "A hook that doubles a gradient",
    "With y = w * x and z = y + b (w=2, x=3, b=1), register a hook on y so that the gradient "
    "flowing back through y is doubled: after z.backward(), w.grad is 6 instead of 3. "
    "Do not change the formulas. Return w.",
    "Lesson 07: y.register_hook(fn) calls fn with the gradient arriving at y; whatever fn "
    "returns (if not None) travels on instead.",
    "w", "07")
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
        return Feedback(False, "w.grad is None: no backward() reached w.")
    if not hooks:
        if _close(grad, 6.0):
            return Feedback(False, "w.grad is 6, but no hook ran: the formula or the number of backward "
                                   "calls changed instead. Leave them, and let a hook on y do it.")
        return Feedback(False, f"w.grad is {_fmt(grad)} and no hook ran during backward(). Register the "
                               "hook on y before calling z.backward().")
    if not on_y:
        return Feedback(False, "Your hook is on a leaf (w or b), not on y. Put it on y, the tensor in the "
                               "middle, so the gradient *flowing through* y changes.")
    if all(e.grad_out is None or e.grad_out == e.grad_in for e in on_y) and _close(grad, 3.0):
        return Feedback(False, "Your hook on y ran, but the gradient went on unchanged (w.grad is 3): a "
                               "hook changes the gradient only by returning a new one.")
    if not _close(grad, 6.0):
        return Feedback(False, f"Your hook on y ran, and w.grad is {_fmt(grad)}, not 6: it should double "
                               "the gradient it receives.")
    return Feedback(True, "The hook on y doubled the gradient on its way back, so w.grad = 2 * x = 6.")


@_exercise(
    "train_with_sgd", "A training loop that learns",
    "Fit w and b so that w * x + b matches the data (made with y = 2x + 1) using optim.SGD: "
    "complete the loop so the loss goes down, and return the list of losses (numbers, one per step).",
    "Lesson 08: a step is zero the gradients, compute the loss, backward(), optimizer.step(). "
    "Use loss.item() to get a plain number.",
    "a list of numbers", "08")
def _judge_train_with_sgd(run: Run) -> Feedback:
    v = run.value
    if not isinstance(v, (list, tuple)):
        return Feedback(False, f"Your function returned {_describe(v)}; it should return the list of "
                               "losses, one number per step.")
    if len(v) < 2:
        return Feedback(False, f"Your list has {len(v)} loss(es); record the loss at every step.")
    losses = [_number(x) for x in v]
    if any(x is None for x in losses):
        bad = v[losses.index(None)]
        return Feedback(False, f"Your list holds {_describe(bad)}; store plain numbers (loss.item()).")
    if any(not math.isfinite(x) for x in losses):
        return Feedback(False, "The loss became inf or nan: the steps overshoot. Check the zeroing first, "
                               "then the learning rate.")
    steps = [e for e in run.events("backward") if e.call == "backward"]
    zeros = run.events("zero")
    if len(steps) >= 2 and not zeros:
        return Feedback(False, f"The gradients were never cleared: each of the {len(steps)} steps added "
                               f"its gradient to all the earlier ones, and the loss went from "
                               f"{losses[0]:.3g} to {losses[-1]:.3g}. Clear them at every step.")
    if len(zeros) < len(steps) - 1 and len(steps) >= 2:
        return Feedback(False, f"The gradients were cleared {len(zeros)} time(s) in {len(steps)} steps; "
                               "clear them at every step.")
    if losses[-1] >= losses[0]:
        return Feedback(False, f"The loss did not go down ({losses[0]:.3g} -> {losses[-1]:.3g}). Does "
                               "every step call backward() and then optimizer.step()?")
    if losses[-1] > 0.05:
        return Feedback(False, f"The loss goes down ({losses[0]:.3g} -> {losses[-1]:.3g}) but stays above "
                               "0.05: train for more steps.")
    return Feedback(True, f"The loss fell from {losses[0]:.3g} to {losses[-1]:.3g} in {len(losses)} steps.")


def check(name: str, answer: Callable, hint: bool = False, timeout: float = TIMEOUT) -> Feedback:
    """Run ``answer()`` for exercise ``name`` and say what is right or wrong (``hint=True``: a hint too)."""
    ex = EXERCISES.get(name)
    if ex is None:
        return Feedback(False, f"There is no exercise called {name!r}; the exercises are: "
                               + ", ".join(EXERCISES) + ".")
    hint_text = ex.hint if hint else None
    if not callable(answer):
        return Feedback(False, f"check() needs your function itself: `check({name!r}, answer)` with no "
                               f"parentheses after `answer` (you passed {_describe(answer)}).", hint_text)
    run = run_answer(answer, timeout)
    if run.timed_out:
        return Feedback(False, f"Your function was still running after {timeout:g} s, so it was stopped. "
                               "Is there a loop that never ends (a `while` whose condition stays true)?",
                        hint_text)
    if run.error is not None:
        for start, words in ex.on_error.items():
            if start in str(run.error):
                where = f" ({run.where})" if run.where else ""
                return Feedback(False, f"Your function raised {type(run.error).__name__}{where}: {words}",
                                hint_text)
        return Feedback(False, explain_error(run), hint_text)
    try:
        verdict = ex.judge(run)
    except Exception as exc:  # noqa: BLE001 - an odd answer must still get words, not a traceback
        verdict = Feedback(False, f"Your function returned {_describe(run.value)}, which this exercise "
                                  f"cannot read ({type(exc).__name__}); it should return {ex.returns}.")
    if hint and not verdict.ok:
        verdict.hint = ex.hint
    return verdict


def hint(name: str) -> str:
    """The hint of exercise ``name`` (a nudge, never the answer)."""
    ex = EXERCISES.get(name)
    return ex.hint if ex is not None else f"There is no exercise called {name!r}."


# ---------------------------------------------------------------------------------------
# Predict-then-reveal: the student types a prediction, gets feedback, the player shows the step.

_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_YES = {"yes", "y", "true", "raises", "it raises", "error", "an error", "fails"}
_NO = {"no", "n", "false", "runs", "it runs", "works", "no error", "fine"}


def _norm(text: str) -> str:
    return re.sub(r"[\s<>()'\"`]|object at 0x[0-9a-f]+", "", str(text)).lower()


class Predict:
    """A predict-then-reveal question; ``submit(text)`` and ``give_up()`` return the feedback text.

    ``answer``: a number (w.grad's value), True/False ("does the next call raise?") or a string
    (a node name); ``choices`` turns the text box into a drop-down. ``wrong`` maps tempting
    wrong answers to what they mean.

    ``trace``: a ``Player`` of it is shown under the question (or pass your own ``player``).
    ``reveal``: the player frame that shows the answer, or an event of the trace as
    ``(kind, name, n)``, e.g. ``("accumulate", "w", 2)``: the second gradient added into w.grad
    (see ``event_index``). The player waits at ``before`` (a frame or an event; default: the
    frame before ``reveal``) and moves to ``reveal`` once the answer is right or given up.
    In a notebook the object shows as a widget (question, input, Check, Hint, Show me, the player)::

        with lab.trace() as t:
            ...
        Predict("What is w.grad after the second backward?", answer=6, trace=t,
                reveal=("accumulate", "w", 2))
    """

    def __init__(self, question: str, answer, *, choices: list[str] | None = None, explain: str = "",
                 hint: str | None = None, wrong: dict | None = None, trace=None, player=None,
                 reveal: int | tuple | None = None, before: int | tuple | None = None):
        self.question = question
        self.answer = answer
        self.choices = list(choices) if choices else None
        self.explain = explain
        self.hint_text = hint
        self.wrong = {_norm(k): v for k, v in (wrong or {}).items()}
        if player is None and trace is not None:
            from ..view.player import Player
            player = Player(trace)
        self.player = player
        reveal, before = (self._frame(spec, trace, player) for spec in (reveal, before))
        self.reveal = reveal
        self.attempts = 0
        self.solved = False
        self.revealed = False
        self.feedback = ""
        self._widget = None
        self._last_submitted = None
        if player is not None and reveal is not None:
            start = reveal - 1 if before is None else before
            player.seek(max(0, start))

    @staticmethod
    def _frame(spec, trace, player) -> int | None:
        """A frame number from an int, or from an event given as ``(kind, name, n)``."""
        if not isinstance(spec, tuple):
            return spec
        if trace is None or player is None:
            raise TypeError("reveal=(kind, name, n) names an event of a trace: pass it, Predict(..., trace=t)")
        event = event_index(trace, *spec)
        finder = getattr(player, "frame_of_event", None)
        return finder(event) if finder is not None else event

    # ----------------------------------------------------------------- the logic
    def _matches(self, text: str) -> bool | None:
        """True/False, or None when ``text`` cannot be read as an answer of the right kind."""
        a = self.answer
        if isinstance(a, bool):
            t = text.strip().lower().rstrip(".!")
            if t in _YES or t.startswith("yes"):
                return a is True
            if t in _NO or t.startswith("no"):
                return a is False
            return None
        if isinstance(a, (int, float)):
            found = _NUMBER.findall(text)
            if len(found) != 1:
                return None
            return math.isclose(float(found[0]), float(a), rel_tol=1e-6, abs_tol=1e-6)
        return _norm(text) == _norm(a)

    def _what_to_type(self) -> str:
        if self.choices:
            return "Pick one of the choices."
        if isinstance(self.answer, bool):
            return "Answer yes or no."
        if isinstance(self.answer, (int, float)):
            return "Type one number, like 3 or 6.0."
        return "Type a name, like MulBackward0."

    def submit(self, text) -> str:
        """Check a prediction; on a right one the player reveals the step. Returns the feedback."""
        text = "" if text is None else str(text)
        if not text.strip():
            return self._say(f"Type your prediction first. {self._what_to_type()}")
        if self.solved or self.revealed:
            ok = self._matches(text)
            return self._say(("✓ Yes. " if ok else "The answer was shown above. ") + self.explain)
        verdict = self._matches(text)
        if verdict is None:
            return self._say(f"I cannot read {text.strip()!r} as an answer. {self._what_to_type()}")
        self.attempts += 1
        if verdict:
            self.solved = True
            self._show_step()
            return self._say(f"✓ Right! {self.explain}".strip())
        specific = self.wrong.get(_norm(text))
        if specific is None and isinstance(self.answer, (int, float)):
            found = _NUMBER.findall(text)
            specific = self.wrong.get(_norm(found[0])) if found else None
            if specific is None and found:
                specific = self.wrong.get(_norm(_fmt(float(found[0]))))
        more = " Try again, ask for a hint, or click Show me." if self.attempts >= 2 else " Try again."
        return self._say(f"✗ Not quite. {specific or ''}{more}".replace("  ", " "))

    def give_up(self) -> str:
        """Show the answer and the step."""
        self.revealed = True
        self._show_step()
        answer = self.answer
        if isinstance(answer, bool):
            answer = "yes, it raises" if answer else "no, it runs"
        return self._say(f"The answer: {answer}. {self.explain}".strip())

    def hint(self) -> str:
        return self._say(f"Hint: {self.hint_text}" if self.hint_text else "No hint for this one: "
                         "look at the player's current frame.")

    def _show_step(self) -> None:
        if self.player is not None and self.reveal is not None:
            self.player.seek(self.reveal)


    def _submit_once(self, text) -> None:
        """From the widget: clicking Check right after typing sends the same text twice (the box's
        value arrives on leaving it, then the click); check it once."""
        if text != self._last_submitted:
            self._last_submitted = text
            self.submit(text)

    def _say(self, text: str) -> str:
        self.feedback = text
        if self._widget is not None:
            self._feedback_label.value = f"<span>{html.escape(text)}</span>"
        return text

    # ----------------------------------------------------------------- the widget
    @property
    def widget(self):
        """The ipywidgets VBox (built on first use)."""
        if self._widget is None:
            self._widget = self._build()
        return self._widget

    def _build(self):
        import ipywidgets as widgets

        question = widgets.HTML(f"<b>Predict:</b> {html.escape(self.question)}")
        if self.choices:
            self._input = widgets.Dropdown(options=[("choose...", "")] + [(c, c) for c in self.choices],
                                           value="", layout=widgets.Layout(width="auto"))
        else:
            self._input = widgets.Text(placeholder="your prediction", continuous_update=False,
                                       layout=widgets.Layout(width="14em"))
        check_button = widgets.Button(description="Check", button_style="primary")
        hint_button = widgets.Button(description="Hint")
        show_button = widgets.Button(description="Show me")
        self._feedback_label = widgets.HTML("")
        for w, cls in [(self._input, "alab-predict-input"), (check_button, "alab-predict-check"),
                       (hint_button, "alab-predict-hint"), (show_button, "alab-predict-reveal"),
                       (self._feedback_label, "alab-predict-feedback")]:
            w.add_class(cls)

        # --- wiring
        check_button.on_click(lambda _: self._submit_once(self._input.value))
        hint_button.on_click(lambda _: self.hint())
        show_button.on_click(lambda _: self.give_up())
        if not self.choices:  # Enter (or leaving the box) checks too
            self._input.observe(lambda change: self._submit_once(change["new"]) if change["new"] else None, "value")

        children = [question, widgets.HBox([self._input, check_button, hint_button, show_button]),
                    self._feedback_label]
        if self.player is not None:
            children.append(self.player)
        box = widgets.VBox(children)
        box.add_class("alab-predict")
        return box

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return f"<Predict: {self.question!r}>"


def event_index(trace, kind: str, name: str | int | None = None, nth: int = 1) -> int:
    """The index in ``trace.events`` of the ``nth`` event of ``kind`` about ``name`` (a variable name,
    a node name such as ``"AddBackward0"``, an error type, or a backward call such as ``"backward"``).
    ``event_index(t, "backward", 2)``: without a name, the second number is ``nth``."""
    if isinstance(name, int):
        name, nth = None, name
    names = trace.names
    seen = 0
    for e in trace.events:
        if e.kind != kind:
            continue
        if name is not None:
            about = {names.get(getattr(e, f, None)) for f in ("tensor", "output")}
            about |= {getattr(e, f, None) for f in ("name", "node_name", "error", "call", "which")}
            if name not in about:
                continue
        seen += 1
        if seen == nth:
            return e.index
    what = f"{kind} event" + (f" about {name!r}" if name else "")
    raise LookupError(f"the trace has {seen} {what}(s), not {nth}")


# ---------------------------------------------------------------------------------------
# The closing cell of every lesson: the same lines in autograd_lab and in real PyTorch.

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


@dataclass
class Parity:
    """The outputs of one snippet in autograd_lab and in PyTorch, line by line."""

    ours: list[str]
    theirs: list[str] | None
    torch_version: str | None = None

    @property
    def skipped(self) -> bool:
        return self.theirs is None

    @property
    def rows(self) -> list[tuple[str, str, bool]]:
        if self.theirs is None:
            return []
        n = max(len(self.ours), len(self.theirs))
        a = self.ours + [""] * (n - len(self.ours))
        b = self.theirs + [""] * (n - len(self.theirs))
        return [(x, y, _ADDRESS.sub(" at 0x...", x) == _ADDRESS.sub(" at 0x...", y)) for x, y in zip(a, b)]

    @property
    def ok(self) -> bool:
        return all(same for _, _, same in self.rows)

    def summary(self) -> str:
        if self.skipped:
            return ("PyTorch is not installed here, so this comparison is skipped (the lesson lines ran "
                    "in autograd_lab above). With `pip install torch` this cell shows both side by side.")
        n = len(self.rows)
        if self.ok:
            return f"✓ All {n} printed lines are the same in autograd_lab and PyTorch {self.torch_version}."
        bad = sum(not same for _, _, same in self.rows)
        return f"✗ {bad} of {n} printed lines differ between autograd_lab and PyTorch {self.torch_version}."

    def __str__(self) -> str:
        lines = [self.summary()]
        if not self.skipped:
            width = min(max([len(r[0]) for r in self.rows] + [12]), 48)
            lines.append(f"  {'autograd_lab':<{width}} | PyTorch {self.torch_version}")
            for x, y, same in self.rows:
                lines.append(f"{'✓' if same else '✗'} {x:<{width}} | {y}")
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        head = "<p><b>{}</b></p>".format(re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(self.summary())))
        if self.skipped:
            return head
        cell = "<td style='font-family:monospace;text-align:left;white-space:pre-wrap'>{}</td>"
        rows = "".join("<tr><td>{}</td>{}{}</tr>".format("✓" if same else "✗", cell.format(html.escape(x)),
                                                         cell.format(html.escape(y)))
                       for x, y, same in self.rows)
        return (f"{head}<table><tr><th></th><th style='text-align:left'>autograd_lab</th>"
                f"<th style='text-align:left'>PyTorch {html.escape(self.torch_version or '')}</th></tr>"
                f"{rows}</table>")


def _run_snippet(source: str, module) -> list[str]:
    """Run ``source`` with ``torch`` bound to ``module``; the printed lines (an error ends them)."""
    out = io.StringIO()
    namespace = {"torch": module, "__name__": "__lesson__"}
    with contextlib.redirect_stdout(out), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            exec(compile(source, "<lesson>", "exec"), namespace)  # the lesson's own text, not a student's
        except Exception as exc:  # noqa: BLE001 - an error is part of what is compared
            print(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
    return out.getvalue().splitlines()


def same_in_pytorch(source: str, torch_module: str = "torch") -> Parity:
    """Run the lesson lines ``source`` with ``torch`` = autograd_lab, then = real PyTorch, and compare
    what they print. Without PyTorch installed the comparison says so and passes."""
    import autograd_lab
    ours = _run_snippet(source, autograd_lab)
    try:
        real = importlib.import_module(torch_module)
    except ImportError:
        return Parity(ours, None)
    return Parity(ours, _run_snippet(source, real), getattr(real, "__version__", "?").split("+")[0])


# ---------------------------------------------------------------------------------------
# Cells run out of order.

_LESSON_HINT = ("This cell uses `{name}`, which an earlier cell of this notebook makes. Run the cells "
                "above this one first (Run > Run All Above Selected Cell), or the whole notebook "
                "from the top (Run > Run All Cells). If no earlier cell makes `{name}`, check the spelling.")


def _name_error_handler(shell, etype, value, tb, tb_offset=None):
    """IPython's custom-exception hook: a two-line error output instead of a traceback."""
    name = getattr(value, "name", None) or str(value)
    short = [f"NameError: name '{name}' is not defined", _LESSON_HINT.format(name=name)]
    shell._showtraceback(etype, value, short)  # an ordinary error output: Run All still stops here
    return None


def start_lesson() -> None:
    """In a notebook: a NameError (a cell run before the one that makes its variables) gets a
    short explanation of what to run first instead of a traceback. Outside IPython: nothing."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        shell.set_custom_exc((NameError,), _name_error_handler)
