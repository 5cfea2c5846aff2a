"""Running a student's function: a time limit, a trace around it, and its error in the lessons' words.

``run_answer(fn)`` calls ``fn()`` inside ``trace()`` under a time limit (a timer signal in the main
thread, a watched thread elsewhere) and returns a ``Run``: what it returned, raised or looped on,
and the trace of what it did. It never raises (except KeyboardInterrupt). ``explain_error(run)``
says what a common autograd error means; PyTorch's own message is matched, never rewritten.

    >>> run = run_answer(lambda: 1 / 0)
    >>> run.error
    ZeroDivisionError('division by zero')
    >>> explain_error(run)   # 'Your function raised ZeroDivisionError (line 1: ...): division by zero'
"""
from __future__ import annotations

import contextlib
import linecache
import signal
import threading
import traceback
import warnings
from dataclasses import dataclass
from typing import Any, Callable

from ..narration import say
from ..record import events as _events

__all__ = ["TIMEOUT", "Run", "run_answer", "explain_error"]

TIMEOUT = 3.0  # seconds an answer may run; the lessons' answers take milliseconds


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
            found = say("lessons.where.line_code" if text else "lessons.where.line", line=frame.lineno, code=text)
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


# What common errors mean, in the lessons' words: (start of PyTorch's message, message id).
# A "{...}" in the start is a PyTorch placeholder (an index): it matches any digits.
_ERRORS = [
    ("Trying to backward through the graph a second time", "lessons.error.second_backward"),
    ("element 0 of tensors does not require grad", "lessons.error.no_grad_fn"),
    ("grad can be implicitly created only for scalar outputs", "lessons.error.not_scalar"),
    ("One of the differentiated Tensors does not require grad", "lessons.error.input_no_grad"),
    ("appears to not have been used in the graph", "lessons.error.unused_input"),
    ("a leaf Variable that requires grad is being used in an in-place operation", "lessons.error.leaf_inplace"),
    ("cannot register a hook on a tensor that doesn't require gradient", "lessons.error.hook_no_grad"),
    ("'NoneType' object has no attribute", "lessons.error.none"),
]


def _grad_mode_was_off(run: Run) -> bool:
    """Did an op of the answer take a tensor that requires grad and record no graph (no_grad)?"""
    wants = {e.tensor for e in run.events("tensor") if e.requires_grad}
    for e in run.events("op"):
        if e.requires_grad:
            wants.add(e.output)
        elif any(i in wants for i in e.inputs if i is not None):
            return True
    return False


def error_meaning(run: Run) -> str | None:
    """The lessons' words for ``run.error`` when it is a common one, else None."""
    msg = str(run.error)
    for start, msg_id in _ERRORS:
        if start in msg:
            if msg_id == "lessons.error.no_grad_fn" and _grad_mode_was_off(run):
                msg_id = "lessons.error.no_grad_fn_grad_mode"
            return say(msg_id)
    return None


def raised(run: Run, meaning: str) -> str:
    """'Your function raised RuntimeError (line 4: ...): meaning'."""
    if run.where:
        return say("lessons.raised_at", error=type(run.error).__name__, where=run.where, meaning=meaning)
    return say("lessons.raised", error=type(run.error).__name__, meaning=meaning)


def explain_error(run: Run) -> str:
    """One or two sentences about ``run.error`` in the lessons' words."""
    exc = run.error
    if isinstance(exc, NameError):
        name = getattr(exc, "name", None) or str(exc)
        return raised(run, say("lessons.error.name", name=name))
    meaning = error_meaning(run)
    if meaning is not None:
        return raised(run, meaning)
    msg = str(exc)
    return raised(run, msg.splitlines()[0] if msg else "")
