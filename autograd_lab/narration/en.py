"""The English catalogue: every sentence a student reads, by message id (see narration/__init__)."""
from __future__ import annotations

import math
import numbers

from . import SMALL


def join(items: list) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def number(v) -> str:
    """A value inside a sentence, written plainly: 1, 0.5, -2.25, [1, 2], not PyTorch's '1.' or '0.5000'."""
    if type(v) is float:  # the common case, before the checks against the numbers ABCs (slow)
        return _float(v)
    if v is None:
        return "None"
    if isinstance(v, bool):
        return str(v)
    big = tensor_summary(v)
    if big is not None:  # more than SMALL numbers: its shape and range
        return f"{big[0]} values ({number(big[1])} to {number(big[2])})"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(number(x) for x in v) + "]"
    if isinstance(v, numbers.Integral):
        return str(int(v))
    if isinstance(v, numbers.Real):
        return _float(float(v))
    return str(v)


def tensor_summary(v):
    """(shape text, min, max) of a value of more than SMALL numbers (nested lists, or the recorder's
    summary dict of a bigger one), else None (it is written out whole)."""
    if isinstance(v, dict):
        return "×".join(map(str, v.get("shape", []))), float(v.get("min", 0.0)), float(v.get("max", 0.0))
    if not isinstance(v, (list, tuple)):
        return None
    flat, shape, level = [], [], v
    while isinstance(level, (list, tuple)):
        shape.append(len(level))
        level = level[0] if level else None
    todo = [v]
    while todo:
        x = todo.pop()
        if isinstance(x, (list, tuple)):
            todo.extend(x)
        else:
            flat.append(x)
    if len(flat) <= SMALL or not all(isinstance(x, numbers.Real) for x in flat):
        return None
    return "×".join(map(str, shape)), min(flat), max(flat)


def _float(v: float) -> str:
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v != 0 and (abs(v) >= 1e6 or abs(v) < 1e-4):
        return f"{v:.4g}"
    text = f"{round(v, 4):.10g}"
    return "0" if text == "-0" else text


def _op(expr, name, node, nexts, saved, inplace=False, view=False):
    text = (f"{expr} changes a view of {name} in place: the new values are written into {name}'s memory, and "
            f"{name}'s new grad_fn is {node}, which runs the op's own backward on the view's part of the gradient"
            if view else f"{expr} changes {name} in place; its new grad_fn is {node}" if inplace
            else f"{expr} creates {node} ({name}.grad_fn)")
    if nexts:
        text += f"; its next_functions lead to {nexts}"
    text += "."
    if saved:
        text += f" It saves {saved} for the backward pass."
    return text


def _requires(n) -> str:
    return "requires" if int(n) == 1 else "require"


def _node_runs(name, grad, sends):
    return (f"{name} runs: it receives {grad} and " + (f"sends {sends}." if sends else "has nothing to send further."))


def _count(n: int, one: str, many: str) -> str:
    """'1 loss', '2 losses'."""
    return f"{n} {one if n == 1 else many}"


def _article(noun: str) -> str:
    """'a tensor', 'an optimizer'."""
    return "an" if noun[:1].lower() in "aeiou" else "a"


def _times(n: int) -> str:
    """'once', 'twice', '3 times'."""
    return {0: "0 times", 1: "once", 2: "twice"}.get(n, f"{n} times")


MESSAGES: dict = {
    # -- player: controls, labels, notices ------------------------------------------------
    # controls (widget and static page)
    "player.title": "autograd_lab player",
    "player.jump_to": "jump to…",
    "player.back": "◀ back",
    "player.back.tip_key": "previous step (←)",
    "player.next": "next ▶",
    "player.next.tip_key": "next step (→)",
    "player.by_group": "by group",
    "player.by_group.tip": "next and back run a whole box of the graph (a neuron, a layer) at once",
    "player.group.open": "{label}: click to open this box",
    "player.group.close": "close this box: {label}",
    "player.play": "▶ play",
    "player.pause": "❚❚ pause",
    "player.play.tip": "play / pause",
    "player.speed": "{factor}×",
    "player.speed.aria": "speed",
    "player.slider.aria": "step",
    "player.jump.aria": "jump to",
    "player.whole": "whole graph",
    "player.whole.tip": "show the whole graph fitted, with what is not built yet drawn faintly",
    "player.zoom_in": "+",
    "player.zoom_in.tip": "zoom in (or the mouse wheel, or a pinch)",
    "player.zoom_out": "−",
    "player.zoom_out.tip": "zoom out",
    "player.fit": "fit",
    "player.fit.tip": "fit the picture to the width (drag to move it around)",
    "player.picture.aria": "computation graph",
    "player.repr": "<Player: step {i} of {n}>",
    # where a step is
    "player.where": "Step {i} of {n}",
    "player.source": "line {line}: {code}",
    "player.source_line": "line {line}",
    # jump menu
    "player.jump.forward": "forward pass",
    "player.jump.forward_again": "forward again",
    "player.jump.backward": "backward #{n}",
    "player.jump.grad": "autograd.grad #{n}",
    "player.jump.error": "error",
    "player.jump.optimizer_step": "optimizer.step()",
    "player.jump.zero_grad": "zero_grad()",
    "player.jump.grad_zero_": "{name}.grad.zero_()",
    "player.jump.data_zero_": "{name}.zero_()",
    "player.jump.set_grad": "{name}.grad = …",
    "player.jump.where": " (line {line}: {code})",
    "player.jump.where_line": " (line {line})",
    # jump menu inside a training loop (view/loops.py): four entries per iteration
    "player.jump.loop.forward": "iteration {n}: forward",
    "player.jump.loop.backward": "iteration {n}: backward",
    "player.jump.loop.optimizer_step": "iteration {n}: optimizer.step()",
    "player.jump.loop.manual_step": "iteration {n}: update the parameters (no_grad)",
    "player.jump.loop.zero_grad": "iteration {n}: zero_grad()",
    "player.jump.loop.reset_grad": "iteration {n}: reset .grad",
    # a training loop's boxes and notice (view/loops.py)
    "loop.iteration": "iteration {i} of {n}",
    "loop.loss": "loss {value}",
    "loop.largest_grad": "max |grad| {value}",
    "loop.not_kept": "values not kept",
    "loop.notice.folded": ("The loop at line {line} ran {n} iterations: 1–{head} and {tail}–{n} are shown step by step, "
                           "{a}–{b} as a summary{losses}."),
    "loop.notice.summaries": ("The loop at line {line} ran {n} iterations: {whole} are shown step by step, {folded} as a "
                              "summary{losses}; to keep recording cheap, {only} were recorded as summaries only "
                              "(their loss and largest gradient)."),
    "loop.notice.losses": " (loss {first} → {last})",
    # notices above the narration
    "player.notice.empty": "Nothing was recorded: put your code inside `with lab.trace() as t:`, then `lab.Player(t)`.",
    "player.notice.no_graph": ("No tensor here requires grad, so autograd recorded no graph (no grad_fn). "
                               "Create a leaf with requires_grad=True to see one."),
    "player.notice.grad_mode_off": lambda names, n: (
        f"Autograd recorded no graph (no grad_fn) although {names} {_requires(n)} grad: grad mode was off "
        f"(inside `torch.no_grad()` or `torch.inference_mode()`)."),
    "player.notice.large": ("This trace is large ({steps} steps, {nodes} graph nodes): showing its last "
                            "{shown_steps} steps and the {shown_nodes} nodes they involve. "
                            "Player(t, max_nodes=..., max_frames=...) shows more, more slowly."),
    # legend
    "player.legend.tensor": "tensor",
    "player.legend.grad_fn": "grad_fn",
    "player.legend.acc": "AccumulateGrad",
    "player.legend.next_functions": "next_functions: grad_fn → grad_fn (gradient path)",
    "player.legend.attach": "tensor and its grad_fn / AccumulateGrad",
    "player.legend.data": "data, no gradient",
    "player.legend.moving": "gradient moving now",
    "player.legend.marks": "▶ running · ✓ ran · ✖ error · dashed box: saved values freed",
    # table of tensors
    "player.table.name": "name",
    "player.table.value": "value",
    "player.table.grad": "grad",
    "player.table.requires_grad": "requires_grad",
    "player.table.is_leaf": "is_leaf",
    "player.table.grad_fn": "grad_fn",
    "player.table.empty": "No tensors yet.",
    "player.table.filter": "filter by name",
    "player.table.more": "{n} more rows: filter by name to see them",
    "player.table.rebound": "{name} #{n}",
    # what a click on a node shows (the rest is PyTorch's own names: name(), next_functions, ...)
    "player.inspect.close": "close",
    "player.inspect.made_at": "made at",
    "player.inspect.not_yet": "not built yet at this step",
    "player.inspect.holds": "holds {name} = {value}",
    "player.inspect.freed": "freed",
    "player.inspect.freed_error": "Reading a freed value now raises RuntimeError: {error}",
    "player.inspect.hooks": "hooks that ran",
    "player.inspect.no_hooks": "none ran so far",
    "player.inspect.grad_before": ".grad before this step",
    "player.inspect.grad_after": ".grad after this step",
    "player.inspect.variable": "variable",
    "player.inspect.chain": "chain rule",
    "player.inspect.chain_run": "its last run",
    "player.inspect.chain_none": "no chain-rule formula in autograd_lab's table",
    "player.edge.rule": "chain rule for {input}: {formula}",
    # labels drawn in the picture (values as PyTorch prints them)
    "player.picture.grad": "grad {grad}",
    "player.picture.no_grad": "no grad",
    "player.info.no_grad_fn": "no grad_fn",
    "player.info.saved": "saved: {names}",
    "player.info.freed": "freed: {names}",
    "player.info.grad_set": "grad = {value}",
    "player.info.grad_add": "{before} + {added} = {after}",
    "player.tag.requires_grad_on": "requires_grad_()",
    "player.tag.requires_grad_off": "requires_grad_(False)",
    "player.tag.start": "start: grad {grad}",
    "player.tag.retain_grad": "retain_grad()",
    "player.tag.hook": "hook {fn}",
    "player.tag.prehook": "pre-hook {fn}",
    "player.tag.hook_replaces": "hook: {grad_in} → {grad_out}",
    "player.tag.post_accumulate": "post-accumulate hook {fn}",
    "player.tag.grad_result": "autograd.grad → {value}",
    "player.tag.error": "✖ {error}",
    "player.tag.saved_version": "saved at version {version}",
    "player.tag.version": "now version {version}",
    "player.tag.carried": "from an earlier iteration",
    "player.tag.grad_mode_off": "grad mode off",
    "player.tag.detached": "detach()",
    "player.tag.no_requires_grad": "requires_grad=False",
    "player.tag.shape": "shape {shape}",
    "player.tag.grad_none": "grad = None",
    "player.tag.grad_set": "grad = {value}",
    "player.tag.zero_": "zero_()",
    "player.tag.grad_zero_": "grad.zero_()",
    "player.tag.update": "{before} → {after}",
    "player.edge.hook_replaced": "{before} → hook → {after}",

    # -- step narration -------------------------------------------------------------------
    # small parts
    "step.a_number": "a number",
    "step.an_input": "an input",
    "step.a_hook": "a hook",
    "step.a_node": "a node",
    "step.nothing": "nothing",
    "step.fn_of": "{fn} ({tensor}.grad_fn)",
    "step.acc_for": "AccumulateGrad (for {leaf})",
    # groups of a big graph (labels of their boxes) and what a step through a group says
    "step.group.series": "{lines} ×{n}",
    "step.group.iteration": "{lines} ({i} of {n})",
    "step.group.lines": "{lines}",
    "step.group.line": "line {line}",
    "step.group.line_range": "lines {first}–{last}",
    "step.group.named": "{name} ×{n}",
    "step.group.no_line": "code without a source line",
    "name.module_output": "{module} output",  # a tensor an nn.Module call returned (net[0] output)
    # a tensor appears; {value} says what it holds (narration.held)
    "value.held.one": "value {v}",
    "value.held.many": "{shape} values from {lo} to {hi}",
    "step.tensor.leaf_requires_grad": ("{name} is a leaf tensor ({value}) with requires_grad=True: backward() "
                                       "will compute the gradient with respect to {name} and store it in {name}.grad."),
    "step.tensor.leaf": ("{name} is a leaf tensor ({value}) that does not require grad: autograd will not "
                         "compute a gradient for it."),
    "step.tensor.existing": "{name} ({value}), a tensor made before the trace started, is used here.",
    "step.tensor.optimizer_reads": ("The optimizer's step() starts: it reads {name} ({value}), the gradient it will "
                                    "use to update the parameter."),
    "step.tensor.requires_grad_non_leaf": ("{name}.requires_grad_() changes nothing: {plain} is not a leaf (it has a "
                                           "grad_fn), so it already requires grad. backward() will not fill "
                                           "{name}.grad either: it stays None unless {name}.retain_grad() is "
                                           "called first."),
    "step.tensor.detach": ("{name} comes from detach() ({value}): a new tensor that shares its storage with the "
                           "original but is cut off from the graph (no grad_fn, requires_grad=False), so it is a "
                           "leaf."),
    "step.tensor.requires_grad_on": ("{name}.requires_grad_() switches autograd on for {name}: operations on {name} "
                                     "now record a graph, and backward() will fill {name}.grad."),
    "step.tensor.requires_grad_off": ("{name}.requires_grad_(False) switches autograd off for {name}: operations on "
                                      "{name} alone no longer record a graph, and backward() will not compute a "
                                      "gradient for it."),
    # an operation
    "step.op.creates": _op,
    "step.op.inplace": lambda **p: _op(inplace=True, **p),
    "step.op.inplace_view": lambda **p: _op(view=True, **p),
    "step.op.next_fn": "{fn} (for {input})",
    "step.op.next_none": "None (for {input})",
    "step.op.next_many": "{n} nodes",
    "step.op.saved_item": "{holder} ({attr})",
    "step.op.no_graph": ("{expr} computes {name} = {value} without recording a graph: none of its inputs requires "
                         "grad, so {name} has no grad_fn."),
    "step.op.grad_mode_off": lambda expr, name, value, inputs, n: (
        f"{expr} computes {name} = {value} without recording a graph although {inputs} {_requires(n)} grad: grad "
        f"mode is off here (torch.no_grad() or inference_mode()), so {name} has no grad_fn."),
    # backward() and autograd.grad
    "step.retain": "retain_graph=True: the saved values are kept for another backward.",
    "step.no_retain": "Without retain_graph=True, each node frees its saved values once it has run.",
    "step.backward.start": "backward() starts at {roots} with gradient {seeds}. {retain}",
    "step.grad.start": ("autograd.grad starts at {roots} with gradient {seeds}; it will return the gradient with "
                        "respect to {inputs} instead of accumulating it into their .grad. {retain}"),
    "step.node.runs": _node_runs,
    "step.node.runs_many": "{name} runs: it receives {grad} and sends gradients to {n} nodes (the picture shows them).",
    "step.node.send": "{grad} to {to}",
    "step.node.send_nothing": "nothing to {to}",
    "step.node.send_no_grad": "nothing to {name} (it does not require grad)",
    "step.accumulate.set": ("AccumulateGrad sets {name}.grad to {value} ({name}.grad was None, so there is nothing "
                            "to add to)."),
    "step.accumulate.add": "AccumulateGrad adds into {name}.grad: {before} + {added} = {after}.",
    "step.accumulate.again": ("AccumulateGrad adds into {name}.grad: {before} + {added} = {after} (gradients "
                              "accumulate: {name}.grad was not zeroed since the last backward)."),
    "step.hook.same": "leaves the gradient unchanged",
    "step.hook.replaces": "returns {grad}, which replaces the gradient",
    "step.hook.tensor": "The hook {fn} registered on {name} runs: it receives {grad} and {effect}.",
    "step.hook.post_accumulate": "The post-accumulate-grad hook {fn} of {name} runs after {name}.grad was updated.",
    "step.hook.prehook": "The pre-hook {fn} of {owner} runs: it receives {grad} and {effect}.",
    "step.hook.node": "The hook {fn} of {owner} runs: it receives {grad} and {effect}.",
    "step.hook.retain_grad": ("{name}.retain_grad() keeps the gradient of the non-leaf tensor {name}: "
                              "{name}.grad = {value}."),
    "step.release": ("{name} frees its saved values ({saved}) because retain_graph is False: another backward that "
                     "reaches {name} would fail (nodes that saved nothing can run again)."),
    "step.release.item": "{attr} = {holder}",
    "step.release.its_values": "its saved values",
    "step.backward.done": "backward() finished: {grads}.",
    "step.backward.done_nothing": "backward() finished.",
    "step.backward.done_item": "{name}.grad = {value}",
    "step.backward.done_many": ("backward() finished: {n} gradients arrived; the largest in magnitude, {value}, is {name}.grad "
                                "(the table has the rest)."),
    "step.grad.done": ("autograd.grad finished: it returns {results}. No leaf's .grad changed (only tensors with "
                       "retain_grad() get a .grad from it)."),
    "step.grad.done_item": "{value} for {name}",
    "step.grad.done_many": ("autograd.grad finished: it returns {n} gradients; the largest in magnitude, {value}, is the one for "
                            "{name} (the table has the rest). No leaf's .grad changed."),
    # a step by group: what the steps inside the group did
    "step.summary.backward": lambda where, nodes, grads, value, name: (
        f"{where}: {nodes} {'node' if nodes == 1 else 'nodes'} ran and {grads} "
        f"{'gradient' if grads == 1 else 'gradients'} arrived; the largest in magnitude, {value}, at {name} "
        f"(the table has the rest)."),
    "step.summary.ran": lambda where, nodes: f"{where}: {nodes} {'node' if nodes == 1 else 'nodes'} ran.",
    "step.summary.forward": lambda where, ops, fns: (
        f"{where}: {ops} {'operation' if ops == 1 else 'operations'} recorded their grad_fn nodes ({fns})."),
    "step.summary.count": lambda name, n: name if n == 1 else f"{n} × {name}",
    "step.summary.tensors": lambda where, n: (
        f"{where}: {n} {'tensor' if n == 1 else 'tensors'} appeared (the table lists them)."),
    "step.summary.steps": lambda where, n: f"{where}: {n} {'step' if n == 1 else 'steps'}.",
    "step.summary.these_steps": "steps {first} to {last}",
    "step.error": "{error}: {message}",
    "step.error.at": "{error} at {node}: {message}",
    # an error explained on the graph (view/explain.py): the cause, its line and the fix, then PyTorch's text
    "step.error.explained": "{why} ({error}: {message})",
    "step.explain.unknown_line": "a line before the trace",
    "step.explain.line": "line {line}: {code}",
    "step.explain.line_only": "line {line}",
    "step.explain.version": ("{name} was saved by {node} ({made}) for the backward pass, then changed in place by "
                             "{changed} (version {expected} → {version}): backward() cannot use the saved value. "
                             "Fix: compute it out of place ({suggest}), or change a clone() of it."),
    "step.explain.freed": ("{node}, made at {made}, freed its saved tensors in the earlier backward() at {first}; this "
                           "backward() needs them again. Fix: keep them in that call: {fixed}."),
    "step.explain.freed_loop": ("{carried} comes from an earlier iteration and still carries that iteration's graph: "
                                "the backward() at {first} freed its saved tensors ({node}), and {use} builds on it "
                                "again. Fix: detach it each iteration: {base} = {base}.detach()."),
    "step.explain.no_grad_fn.leaves": ("{name} has no grad_fn: no leaf it comes from requires grad ({leaves}; {leaf} "
                                       "is made at {made}). Fix: create {leaf} with requires_grad=True."),
    "step.explain.no_grad_fn.grad_mode_off": ("{name} has no grad_fn: {at} ran with grad mode off (inside "
                                              "torch.no_grad()), so no graph was recorded, though {input} requires "
                                              "grad. Fix: compute it outside the no_grad() block."),
    "step.explain.no_grad_fn.detached": ("{name} has no grad_fn: it comes from the detach() at {at}, which cuts the "
                                         "graph. Fix: compute it from the tensor before detach()."),
    "step.explain.not_scalar": ("{name} ({made}) has shape {shape}: backward() without a gradient starts only from a "
                                "scalar. Fix: reduce it first ({base}.sum().backward() or .mean()), or pass gradient= "
                                "of that shape: {base}.backward(gradient=torch.ones_like({base}))."),
    "step.explain.leaf_inplace": ("{name} is a leaf that requires grad ({made}); {at} changes it in place, which "
                                  "autograd allows only with grad mode off. Fix: update it under torch.no_grad(), as "
                                  "optimizers do: with torch.no_grad(): {code}"),
    # zeroing and updates
    "step.zero.set_to_none": ("zero_grad() sets {name}.grad to None (it was {before}): the next backward sets "
                              "{name}.grad afresh."),
    "step.zero.data": "{name}.zero_() sets the values of {name} to zero in place.",
    "step.set_grad.tensor": ("{name}.grad is set to {after} (it was {before}): the next backward adds its gradient "
                             "onto this value."),
    "step.set_grad.none": ("{name}.grad is set to None (it was {before}): the next backward sets {name}.grad afresh "
                           "instead of adding onto it."),
    "step.set_grad.zero_grad": ("zero_grad() sets {name}.grad to None (it was {before}): the next backward sets "
                                "{name}.grad afresh."),
    "step.zero.grad": ("{name}.grad.zero_() sets {name}.grad to zero in place ({before} → {after}), so the next "
                       "backward does not add onto an old gradient."),
    "step.update.optimizer": ("The optimizer's step() updates {name} in place: {name} -= lr * {name}.grad, "
                              "{before} → {after} (no graph is recorded for the update)."),
    "step.update.inplace": "{call} changes {name} in place: {before} → {after}.",
    "step.other": "{kind} event.",

    # -- lessons: Predict, exercises, the parity cell -------------------------------------
    # Feedback chrome. A verdict is carried by words and colour; the sign only decorates.
    "lessons.verdict.pass": "Correct",
    "lessons.verdict.fail": "Not yet",
    "lessons.feedback.text": "{verdict}: {message}",
    "lessons.feedback.hint": "Hint: {hint}",
    # Errors of an answer. PyTorch's message is matched, and said in the lessons' words.
    "lessons.where.line": "line {line}",
    "lessons.where.line_code": "line {line}: `{code}`",
    "lessons.raised": "Your function raised {error}: {meaning}",
    "lessons.raised_at": "Your function raised {error} ({where}): {meaning}",
    "lessons.error.name": "`{name}` is not defined. Create it inside your function (or check the spelling).",
    "lessons.error.second_backward":
        "the first backward() freed the values a node of this graph had saved, so a second backward() "
        "through that node cannot run (lesson 06).",
    "lessons.error.no_grad_fn":
        "backward() was called on a tensor no gradient can flow from: nothing it was computed from "
        "has requires_grad=True (lesson 01).",
    "lessons.error.no_grad_fn_grad_mode":
        "backward() was called on a tensor that has no grad_fn: it was computed while grad mode was "
        "off (inside `with torch.no_grad():`), so autograd recorded no graph for it, although its "
        "inputs require grad (lesson 01).",
    "lessons.error.not_scalar":
        "backward() without an argument needs a single number to start from; this tensor holds "
        "several (reduce it with .sum() or .mean() first).",
    "lessons.error.input_no_grad": "autograd.grad(outputs, inputs): every input must require grad (lesson 07).",
    "lessons.error.unused_input":
        "one of the inputs given to autograd.grad was not used to compute the output (pass "
        "allow_unused=True to get None for it instead).",
    "lessons.error.leaf_inplace": "a leaf that requires grad was changed in place; optimizers do that under no_grad().",
    "lessons.error.hook_no_grad": "a hook can only go on a tensor that requires grad (or is computed from one).",
    "lessons.error.none":
        "something was None where a tensor was expected. A .grad is None until a backward() "
        "reaches that tensor, and again after zero_grad() or `.grad = None`.",
    # What an answer returned.
    "lessons.describe.ellipsis": "`...`, the placeholder (replace it with your answer)",
    "lessons.describe.real_torch":
        "a real PyTorch tensor; these checkers read autograd_lab tensors, so keep "
        "`import autograd_lab as torch` at the top of the notebook",
    "lessons.what.the_tensor": "the tensor",
    "lessons.what.dz_dy": "the gradient dz/dy",
    "lessons.returned.ellipsis": "Your function still returns `...`, the placeholder: write your answer and return {what}.",
    "lessons.returned.none": "Your function returned None. End it with `return {what}` (it should return {what}, a tensor).",
    "lessons.returned.other": "Your function returned {value}; it should return {what}, a tensor.",
    # check() and hint()
    "lessons.check.unknown": "There is no exercise called {name}; the exercises are: {names}.",
    "lessons.check.no_such": "There is no exercise called {name}.",
    "lessons.check.not_callable":
        "check() needs your function itself: `check({name}, answer)` with no parentheses after "
        "`answer` (you passed {value}).",
    "lessons.check.timeout":
        "Your function was still running after {seconds} s, so it was stopped. Is there a loop that "
        "never ends (a `while` whose condition stays true)?",
    "lessons.check.unreadable":
        "Your function returned {value}, which this exercise cannot read ({error}); it should return {returns}.",
    # Exercise make_leaf (lesson 01)
    "lessons.make_leaf.title": "A leaf that requires grad",
    "lessons.make_leaf.task":
        "`data = torch.tensor([1.0, 2.0, 3.0])` was made without requires_grad. Without typing "
        "requires_grad=True in torch.tensor(...), return a tensor holding the same numbers that is a "
        "leaf AND requires grad.",
    "lessons.make_leaf.hint":
        "Lesson 01: a tensor has a method that switches requires_grad on in place (its name ends with "
        "an underscore), and it works while the tensor is still a leaf.",
    "lessons.make_leaf.returns": "a tensor",
    "lessons.make_leaf.numbers": "Your tensor holds {numbers}, not the numbers of `data` [1.0, 2.0, 3.0].",
    "lessons.make_leaf.not_leaf":
        "Your tensor has grad_fn={node}: it is the result of an operation, so it is not a leaf. "
        "Switch gradients on for a tensor that was never computed from anything.",
    "lessons.make_leaf.no_grad":
        "Your tensor is a leaf, but v.requires_grad is False: autograd would not compute a gradient for it.",
    "lessons.make_leaf.at_creation":
        "That works, but requires_grad=True was passed when the tensor was made; the exercise asks "
        "you to switch it on afterwards.",
    "lessons.make_leaf.ok": "A leaf (grad_fn is None) that requires grad: backward() will fill its .grad.",
    # Exercise zero_between (lesson 05)
    "lessons.zero_between.title": "One backward's worth of gradient",
    "lessons.zero_between.task":
        "Run the forward and backward twice on the same w and b, and make b.grad equal 1 (not 2) "
        "after the second backward. Return b.",
    "lessons.zero_between.hint":
        "Lesson 05: AccumulateGrad ADDS into b.grad. Something has to happen to b.grad between the two "
        "backward() calls, the way every training step starts.",
    "lessons.zero_between.returns": "b",
    "lessons.zero_between.too_few": lambda n: (
        f"backward() ran {_times(n)}; the exercise needs two backward calls, so that the second one "
        "would accumulate onto the first."),
    "lessons.zero_between.not_leaf": "The b you returned is not a leaf that requires grad, so it gets no .grad.",
    "lessons.zero_between.none":
        "b.grad is None: its gradient was cleared after the last backward() (or no backward reached "
        "it). Clear it *between* the two calls.",
    "lessons.zero_between.new_b": lambda grad, n: (
        f"b.grad is {grad}, but only {_count(n, 'backward', 'backwards')} reached this b: a new b was "
        "made in between (or a backward skipped it). Keep the same b and clear its gradient between the calls."),
    "lessons.zero_between.added":
        "b.grad is {grad}: the second backward ADDED its {added} to the {before} the first one left "
        "(that is AccumulateGrad's job). Clear b.grad between the two calls.",
    "lessons.zero_between.wrong": "b.grad is {grad}, not 1. With z = w * x + b, one backward gives b a gradient of 1.",
    "lessons.zero_between.ok":
        "b.grad is 1: the gradient was cleared between the steps, so it holds one backward's worth, "
        "as in every training loop.",
    # Exercise second_backward (lesson 06)
    "lessons.second_backward.title": "Backward twice through one graph",
    "lessons.second_backward.task":
        "Build z = w * x + b once, then call z.backward() twice on that same z (no new forward in "
        "between) without an error. Return w: its .grad should then be 6.",
    "lessons.second_backward.hint":
        "Lesson 06: backward() frees the values the graph's nodes saved (MulBackward0 saved x), unless "
        "the first call is told to keep them. Look at the arguments of backward().",
    "lessons.second_backward.returns": "w",
    "lessons.second_backward.freed":
        "the first backward() freed the graph's saved values (MulBackward0 saved x to compute w's "
        "gradient), so the second cannot run. The first call has to keep them.",
    "lessons.second_backward.too_few": lambda n: (
        f"backward() ran {_times(n)}; the exercise needs two calls on the same z."),
    "lessons.second_backward.different":
        "The two backward() calls started from different tensors: a new z was built in between. "
        "Call backward() twice on the same z.",
    "lessons.second_backward.wrong":
        "Both calls ran, but w.grad is {grad}, not 6 = 3 + 3. Was it cleared, or did you return another w?",
    "lessons.second_backward.ok":
        "Two backward passes through one graph: the first kept the saved values, and w.grad "
        "accumulated 3 + 3 = 6.",
    # Exercise fix_inplace (lesson 09)
    "lessons.fix_inplace.title": "Fix the in-place change of a saved tensor",
    "lessons.fix_inplace.task":
        "c = b.exp() saves c, and the next line changes c in place, so backward() raises. Change that line "
        "so that c is still multiplied by 3 and c.sum().backward() runs. Return a: its .grad should be 6·e².",
    "lessons.fix_inplace.hint":
        "Lesson 09: ExpBackward0 needs c as it was saved. Compute c times 3 as a new tensor instead of "
        "changing the saved one.",
    "lessons.fix_inplace.returns": "a",
    "lessons.fix_inplace.inplace":
        "c is still changed in place after ExpBackward0 saved it (its version went from 0 to 1), so "
        "backward() cannot use it. Make the multiplication out of place.",
    "lessons.fix_inplace.none": "a.grad is None: did backward() run, and did you return the a it ran for?",
    "lessons.fix_inplace.dropped":
        "a.grad is {grad}: the error is gone, but so is the multiplication by 3. Keep it, out of place.",
    "lessons.fix_inplace.wrong": "a.grad is {grad}, not 6·e² ≈ 44.33. Is c still exp(2a) times 3?",
    "lessons.fix_inplace.ok":
        "a.grad is {grad} = 6·e²: the multiplication made a new tensor, and ExpBackward0 found c as it "
        "saved it.",
    # Exercise rnn_loop (lesson 09)
    "lessons.rnn_loop.title": "An RNN-style loop that trains",
    "lessons.rnn_loop.task":
        "The loop carries h from one iteration to the next and calls backward() in each, so the second "
        "backward() raises. Make it run all three iterations, each backward() going through its own "
        "iteration only. Return w.",
    "lessons.rnn_loop.hint":
        "Lesson 09: the new h is built on the old h, which still holds the last iteration's (freed) graph. "
        "Keep h's value but cut it off that graph at the start of each iteration.",
    "lessons.rnn_loop.returns": "w",
    "lessons.rnn_loop.freed":
        "the second backward() goes back into the first iteration's graph through h, and the first "
        "backward() freed it. Cut h off the old graph in each iteration.",
    "lessons.rnn_loop.retain":
        "retain_graph=True hides the error, but every backward() then goes through all the earlier "
        "iterations again (and keeps their graphs in memory). Cut h off the old graph instead.",
    "lessons.rnn_loop.too_few": lambda n: (
        f"backward() ran {_times(n)}; the loop should call it once in each of its three iterations."),
    "lessons.rnn_loop.wrong":
        "w.grad is {grad}: each iteration's backward() should reach w through that iteration only. Did "
        "you change the formulas or the loop?",
    "lessons.rnn_loop.ok":
        "All three iterations ran: h kept its value, each backward() went through its own iteration, "
        "and w.grad added up their gradients.",
    # Exercise grad_without_storing (lesson 07)
    "lessons.grad_without_storing.title": "The gradient of y, not stored in y.grad",
    "lessons.grad_without_storing.task":
        "With y = w * x and z = y * y + b (w=2, x=3, b=1), get dz/dy without storing it in y.grad, "
        "and return it.",
    "lessons.grad_without_storing.hint":
        "Lesson 07: one function of torch.autograd returns gradients instead of putting them in .grad. "
        "Tell it the output and the tensor you want the gradient for.",
    "lessons.grad_without_storing.returns": "the gradient",
    "lessons.grad_without_storing.tuple_of_one":
        "You returned a tuple holding one tensor. autograd.grad returns one gradient per input, in a "
        "tuple: return the gradient itself.",
    "lessons.grad_without_storing.tuple": "You returned a tuple of {n} items; return one gradient (a tensor).",
    "lessons.grad_without_storing.not_a_number": "Your gradient is {value}; dz/dy is a single number here.",
    "lessons.grad_without_storing.dz_dw":
        "36 is dz/dw (= 2*y*x): the gradient for the leaf w. The exercise asks for the gradient with respect to y.",
    "lessons.grad_without_storing.dz_db": "1 is dz/db, or the gradient z starts with. dz/dy is the gradient that reaches y.",
    "lessons.grad_without_storing.wrong": "Your gradient is {value}. With z = y * y + b and y = 6, dz/dy = 2 * y.",
    "lessons.grad_without_storing.retain_grad":
        "12 is right, but retain_grad() stored it in y.grad. Get it without storing anything in y.grad.",
    "lessons.grad_without_storing.ok_grad": "12 = 2 * y, returned by autograd.grad; y.grad stays None.",
    "lessons.grad_without_storing.ok_hook": "12 = 2 * y, read by a hook on the way past y, with y.grad left empty.",
    # Exercise double_with_hook (lesson 07)
    "lessons.double_with_hook.title": "A hook that doubles a gradient",
    "lessons.double_with_hook.task":
        "With y = w * x and z = y + b (w=2, x=3, b=1), register a hook on y so that the gradient "
        "flowing back through y is doubled: after z.backward(), w.grad is 6 instead of 3. "
        "Do not change the formulas. Return w.",
    "lessons.double_with_hook.hint":
        "Lesson 07: y.register_hook(fn) calls fn with the gradient arriving at y; whatever fn "
        "returns (if not None) travels on instead.",
    "lessons.double_with_hook.returns": "w",
    "lessons.double_with_hook.none": "w.grad is None: no backward() reached w.",
    "lessons.double_with_hook.set_by_hand":
        "w.grad is {grad}, but backward() left {left} in it: w.grad was set afterwards, by your own "
        "code. The exercise asks for a hook on y that doubles the gradient while backward() runs.",
    "lessons.double_with_hook.six_without_hook":
        "w.grad is 6, but no hook ran: the formula or the number of backward calls changed instead. "
        "Leave them, and let a hook on y do it.",
    "lessons.double_with_hook.no_hook":
        "w.grad is {grad} and no hook ran during backward(). Register the hook on y before calling z.backward().",
    "lessons.double_with_hook.on_leaf":
        "Your hook is on a leaf (w or b), not on y. Put it on y, the tensor in the middle, so the "
        "gradient *flowing through* y changes.",
    "lessons.double_with_hook.unchanged":
        "Your hook on y ran, but the gradient went on unchanged (w.grad is 3): a hook changes the "
        "gradient only by returning a new one.",
    "lessons.double_with_hook.wrong":
        "Your hook on y ran, and w.grad is {grad}, not 6: it should double the gradient it receives.",
    "lessons.double_with_hook.ok": "The hook on y doubled the gradient on its way back, so w.grad = 2 * x = 6.",
    # Exercise train_with_sgd (lesson 08)
    "lessons.train_with_sgd.title": "A training loop that learns",
    "lessons.train_with_sgd.task":
        "Fit w and b so that w * x + b matches the data (made with y = 2x + 1) using optim.SGD: "
        "complete the loop so the loss goes down, and return the list of losses (numbers, one per step).",
    "lessons.train_with_sgd.hint":
        "Lesson 08: a step is zero the gradients, compute the loss, backward(), optimizer.step(). "
        "Use loss.item() to get a plain number.",
    "lessons.train_with_sgd.returns": "a list of numbers",
    "lessons.train_with_sgd.not_a_list":
        "Your function returned {value}; it should return the list of losses, one number per step.",
    "lessons.train_with_sgd.too_short": lambda n: (
        f"Your list has {_count(n, 'loss', 'losses')}; record the loss at every step."),
    "lessons.train_with_sgd.tensors":
        "Your list holds tensors ({value}), not numbers: store loss.item(), a plain Python number. "
        "(A loss tensor also keeps its whole graph alive.)",
    "lessons.train_with_sgd.not_numbers": "Your list holds {value}; store plain numbers (loss.item()).",
    "lessons.train_with_sgd.not_finite":
        "The loss became inf or nan: the steps overshoot. Check the zeroing first, then the learning rate.",
    "lessons.train_with_sgd.never_cleared":
        "The gradients were never cleared: each of the {n} steps added its gradient to all the earlier "
        "ones, and the loss went from {first} to {last}. Clear them at every step.",
    "lessons.train_with_sgd.cleared_before_step":
        "The loss did not go down ({first} -> {last}): the gradients were cleared after backward() and "
        "before optimizer.step() used them, so step() found no gradient and changed nothing. Clear them "
        "at the start of a step (or after step()), not between backward() and step().",
    "lessons.train_with_sgd.cleared_sometimes": lambda zeros, n: (
        f"The gradients were cleared {_times(zeros)} in {n} steps; clear them at every step."),
    "lessons.train_with_sgd.no_step":
        "The loss did not go down ({first} -> {last}) and no parameter changed: call optimizer.step() "
        "after backward() at every step.",
    "lessons.train_with_sgd.flat":
        "The loss did not go down ({first} -> {last}). Check the learning rate, and that the loss is "
        "computed from the parameters the optimizer holds.",
    "lessons.train_with_sgd.more_steps":
        "The loss goes down ({first} -> {last}) but stays above 0.05: train for more steps.",
    "lessons.train_with_sgd.ok": "The loss fell from {first} to {last} in {n} steps.",
    # Predict: chrome, verdicts, hints
    "lessons.predict.label": "Predict:",
    "lessons.predict.placeholder": "your prediction",
    "lessons.predict.choose": "choose...",
    "lessons.predict.check": "Check",
    "lessons.predict.hint_button": "Hint",
    "lessons.predict.show": "Show me",
    "lessons.predict.type_choice": "Pick one of the choices.",
    "lessons.predict.type_yes_no": "Answer yes or no.",
    "lessons.predict.type_number": "Type one number, in digits (a decimal point is fine).",
    "lessons.predict.type_name": "Type a name, spelled as the picture writes it.",
    "lessons.predict.empty": "Type your prediction first. {what}",
    "lessons.predict.unreadable": "I cannot read {text} as an answer. {what}",
    "lessons.predict.right": "Right! {explain}",
    "lessons.predict.wrong": "Not quite. {specific} {more}",
    "lessons.predict.try_again": "Try again.",
    "lessons.predict.try_more": "Try again, ask for a hint, or click Show me.",
    "lessons.predict.after_yes": "✓ Yes. {explain}",
    "lessons.predict.after_shown": "The answer was shown above. {explain}",
    "lessons.predict.shown": "The answer: {answer}. {explain}",
    "lessons.predict.answer_raises": "yes, it raises",
    "lessons.predict.answer_runs": "no, it runs",
    "lessons.predict.hint": "Hint: {hint}",
    "lessons.predict.no_hint": "No hint for this one: look at the player's current frame.",
    "lessons.predict.needs_trace": "reveal=(kind, name, n) names an event of a trace: pass it, Predict(..., trace=t)",
    "lessons.predict.no_event": lambda seen, kind, name, nth: (
        f"the trace has {seen} {kind} event" + (f" about {name!r}" if name else "") + f"(s), not {nth}"),
    "lessons.predict.unknown_question": "there is no Predict question {qid!r}; the questions are: {known}",
    # The lessons' Predict questions (lessons/questions.py): kept out of the notebooks
    "predict.01.x_grad.question": "After y.backward(), what is x.grad? (x was made without requires_grad)",
    "predict.01.x_grad.choice.none": "None",
    "predict.01.x_grad.choice.two": "tensor(2.)",
    "predict.01.x_grad.choice.three": "tensor(3.)",
    "predict.01.x_grad.wrong.two": "2 would be dy/dx, the value of w. Does backward compute it at all?",
    "predict.01.x_grad.hint": "Look at how x was made. For which tensors does backward() compute a gradient?",
    "predict.01.x_grad.explain":
        "x did not ask for a gradient, so backward never computes one for it: x.grad stays None. "
        "w.grad is 3, the value of x.",
    "predict.03.y_is_leaf.question": "Is y = w * x a leaf? (what will y.is_leaf print?)",
    "predict.03.y_is_leaf.choice.true": "True",
    "predict.03.y_is_leaf.choice.false": "False",
    "predict.03.y_is_leaf.hint":
        "A leaf is a tensor you created yourself. A tensor computed by an operation on a tensor "
        "that requires grad gets a grad_fn. How was y made?",
    "predict.03.y_is_leaf.explain":
        "y is the result of an operation on w, which requires grad, so y has a grad_fn "
        "(MulBackward0) and is not a leaf.",
    "predict.04.first_node.question": "z.backward() starts. Which node runs first?",
    "predict.04.first_node.choice.mul": "MulBackward0",
    "predict.04.first_node.choice.add": "AddBackward0",
    "predict.04.first_node.choice.acc": "AccumulateGrad",
    "predict.04.first_node.wrong.mul": "MulBackward0 made y, the first operation. Backward goes the other way.",
    "predict.04.first_node.hint":
        "backward() starts at the tensor it is called on and walks from the output back towards the "
        "inputs. Which node is z's grad_fn?",
    "predict.04.first_node.explain":
        "Backward starts at z.grad_fn, the node of the last operation (z = y + b): AddBackward0. "
        "It passes 1 to each of its inputs.",
    "predict.05.next_node.question": "AddBackward0 has just run. Which node runs next?",
    "predict.05.next_node.choice.mul": "MulBackward0",
    "predict.05.next_node.choice.acc_b": "AccumulateGrad of b",
    "predict.05.next_node.choice.acc_w": "AccumulateGrad of w",
    "predict.05.next_node.wrong.acc_w":
        "w's AccumulateGrad gets its gradient from MulBackward0, which has not run yet.",
    "predict.05.next_node.hint":
        "Only the nodes AddBackward0 has just sent a gradient to (its next_functions) are ready. "
        "When more than one is ready, does the engine follow the order of the forward pass?",
    "predict.05.next_node.explain":
        "Both MulBackward0 and b's AccumulateGrad are ready; the engine runs AccumulateGrad "
        "nodes first, so b.grad becomes 1 before MulBackward0 sends 3 towards w.",
    "predict.05.mul_sends.question":
        "AddBackward0 sends 1 to MulBackward0 (y = w * x, with w = 2 and x = 3). "
        "What does MulBackward0 send to w's AccumulateGrad?",
    "predict.05.mul_sends.wrong.1":
        "1 is what MulBackward0 receives. A multiplication does not pass it on unchanged: "
        "it multiplies it by the derivative of w * x with respect to w.",
    "predict.05.mul_sends.wrong.2": "2 is w itself. The derivative of w * x with respect to w is x, not w.",
    "predict.05.mul_sends.wrong.6":
        "6 is y = w * x, the value of the forward pass. Backward sends a gradient: "
        "the gradient received times the derivative of w * x with respect to w.",
    "predict.05.mul_sends.hint":
        "The derivative of w * x with respect to w is x. Multiply it by the gradient MulBackward0 receives.",
    "predict.05.mul_sends.explain":
        "MulBackward0 multiplies the gradient it receives, 1, by its local derivative with respect to w, "
        "which is x = 3: it sends 3. The player's step shows the formula it uses, with this run's numbers.",
    "predict.05.twice.question": "After the first backward, w.grad is 3. What is w.grad after the second backward?",
    "predict.05.twice.wrong.3": "3 is what ONE backward gives. What does AccumulateGrad do with a second 3?",
    "predict.05.twice.wrong.9": "The second backward computes the same gradient, 3, not 6.",
    "predict.05.twice.hint": "Look at the frame where AccumulateGrad adds into w.grad: it shows before + added = after.",
    "predict.05.twice.explain":
        "AccumulateGrad adds the new 3 to the 3 already in w.grad: 3 + 3 = 6 (and b.grad is 1 + 1 = 2).",
    "predict.06.second_backward.question": "z.backward() has run once. Does the second z.backward() raise an error?",
    "predict.06.second_backward.choice.yes": "yes, it raises",
    "predict.06.second_backward.choice.no": "no, it runs",
    "predict.06.second_backward.hint":
        "Watch the frames right after MulBackward0 runs in the first backward: what happens to its saved values?",
    "predict.06.second_backward.explain":
        "The first backward freed what MulBackward0 saved (x), so the second one cannot "
        "compute w's gradient: RuntimeError, 'Trying to backward through the graph a second time'.",
    "predict.09.inplace.question": ("c = a.exp() saved its result c; then c.mul_(3) changed c in place. What does "
                                    "c.backward() do?"),
    "predict.09.inplace.choice.none": "it runs: a.grad is computed",
    "predict.09.inplace.choice.version": "it raises: a saved tensor was modified by an inplace operation",
    "predict.09.inplace.choice.freed": "it raises: the graph was freed (a second backward)",
    "predict.09.inplace.wrong.none": ("ExpBackward0 computes its gradient from the value it saved. Is that value still "
                                      "the one it saved?"),
    "predict.09.inplace.wrong.freed": "This is the first backward: nothing has been freed yet. What changed c?",
    "predict.09.inplace.hint": "Look at the frame of c.mul_(3): which tensor does it change, and who saved it?",
    "predict.09.inplace.explain": ("ExpBackward0 saved c at version 0; c.mul_(3) made it version 1. The backward pass "
                                   "checks the version and raises 'one of the variables needed for gradient "
                                   "computation has been modified by an inplace operation'."),
    "predict.07.hook.question": "The hook on y returns g * 2. What is w.grad after z.backward()?",
    "predict.07.hook.wrong.3": "3 is w.grad without the hook. The hook's return value travels on.",
    "predict.07.hook.wrong.2": "2 is the gradient the hook sends to MulBackward0. What does MulBackward0 do with it?",
    "predict.07.hook.hint":
        "Follow the gradient from z down to w in three steps: what arrives at y, what the hook "
        "turns it into, and what MulBackward0 multiplies that by.",
    "predict.07.hook.explain":
        "The gradient arriving at y is 1; the hook sends 2 on instead, and MulBackward0 "
        "multiplies it by x = 3: w.grad = 6. b.grad is still 1 (the hook is on y's path only).",
    "predict.ex01.how_many.question": "How many of w, x, b, y, z have a .grad after z.backward()?",
    "predict.ex01.how_many.wrong.5": "Gradients pass through y and z, but only leaves keep them.",
    "predict.ex01.how_many.wrong.3": "x is a leaf, but did it ask for a gradient?",
    "predict.ex01.how_many.wrong.4": "y and z are not leaves: their gradients are not kept.",
    "predict.ex01.how_many.hint":
        "Ask two questions of each of the five tensors: is it a leaf, and did it ask for a gradient?",
    "predict.ex01.how_many.explain":
        "Only the leaves that require grad: w (3) and b (1). x asked for none; y and z are not leaves.",
    # The teachers' answer sheet (solutions/predict_answers.md)
    "predict.sheet.title": "The lessons' Predict questions: answers",
    "predict.sheet.intro":
        "For teachers. Each lesson's Predict cell names its question (for example "
        "`Predict(\"05.twice\", trace=t)`); the answers live in `autograd_lab/lessons/questions.py` "
        "and the catalogues, so students cannot read them in the notebook.",
    "predict.sheet.answer": "Answer:",
    "predict.sheet.hint": "Hint:",
    "predict.sheet.explain": "Why:",
    # The parity cell
    "lessons.parity.skipped":
        "PyTorch is not installed here, so this comparison is skipped (the lesson lines ran in "
        "autograd_lab above). With `pip install torch` this cell shows both side by side.",
    "lessons.parity.same": "All {n} printed lines are the same in autograd_lab and PyTorch {version}.",
    "lessons.parity.differ": "{bad} of {n} printed lines differ between autograd_lab and PyTorch {version}.",
    "lessons.parity.row_same": "same",
    "lessons.parity.row_differs": "differs",
    "lessons.parity.watch": "Watch it in real PyTorch {version}: the same lines, recorded from torch itself.",
    # Cells run out of order (plain text in an error output: quotes, not backticks)
    "lessons.order.first_cell":
        "'{name}' is made by the first cell of an autograd_lab lesson ({line}), which has not run in "
        "this kernel yet. Run that cell first (click it and press Shift+Enter), or run the whole "
        "notebook from the top (Run > Run All Cells).",
    "lessons.order.earlier_cell":
        "This cell uses '{name}', which an earlier cell of this notebook makes. Run the cells above "
        "this one first (Run > Run All Above Selected Cell), or the whole notebook from the top "
        "(Run > Run All Cells). If no earlier cell makes '{name}', check the spelling.",


    # -- playground -----------------------------------------------------------------------
    # The widget
    "playground.run": "Run",
    "playground.examples": "Load an example...",
    "playground.line": "line {line}",
    "playground.rejected_at": "line {line}: {message}",
    "playground.no_player": "The player could not be loaded ({error}); the program recorded {n} events.",
    "playground.error_hint.not_scalar":
        "backward() starts from one number, and this tensor holds several: call `.sum()` first, as in "
        "`y.sum().backward()`, or pass the gradient to start from, as in "
        "`y.backward(gradient=ones_like(y))`.",
    # Reading the program
    "playground.not_str": "run() takes the program as a str, not {type}",
    "playground.too_long": "the program is {n:,} characters long; the playground runs programs of at most {limit:,} characters",
    "playground.syntax": "Python cannot read this: {msg}",
    "playground.unreadable": "Python cannot read this program ({error})",
    "playground.nested": "this is nested more than {limit} levels deep; split it into several lines",
    # What is not available ("{what} is not available in the playground.")
    "playground.unavailable": "{what} is not available in the playground.",
    "playground.construct.Import": "`import`",
    "playground.construct.ImportFrom": "`from ... import`",
    "playground.construct.FunctionDef": "defining a function with `def`",
    "playground.construct.AsyncFunctionDef": "defining a function",
    "playground.construct.ClassDef": "defining a class",
    "playground.construct.While": "a `while` loop",
    "playground.construct.Try": "`try`",
    "playground.construct.TryStar": "`try`",
    "playground.construct.Raise": "`raise`",
    "playground.construct.Assert": "`assert`",
    "playground.construct.Delete": "`del`",
    "playground.construct.Global": "`global`",
    "playground.construct.Nonlocal": "`nonlocal`",
    "playground.construct.Return": "`return`",
    "playground.construct.Break": "`break`",
    "playground.construct.Continue": "`continue`",
    "playground.construct.AsyncFor": "`async for`",
    "playground.construct.AsyncWith": "`async with`",
    "playground.construct.Match": "`match`",
    "playground.construct.AnnAssign": "an annotated assignment",
    "playground.construct.ListComp": "a list comprehension",
    "playground.construct.SetComp": "a set comprehension",
    "playground.construct.DictComp": "a dict comprehension",
    "playground.construct.GeneratorExp": "a generator expression",
    "playground.construct.Dict": "a dictionary",
    "playground.construct.Set": "a set",
    "playground.construct.Starred": "`*` unpacking",
    "playground.construct.NamedExpr": "`:=`",
    "playground.construct.IfExp": "a `... if ... else ...` expression",
    "playground.construct.Yield": "`yield`",
    "playground.construct.YieldFrom": "`yield from`",
    "playground.construct.Await": "`await`",
    "playground.construct.Slice": "a slice like `a[1:3]`",
    "playground.construct.Lambda": "a lambda outside register_hook()",
    "playground.construct.JoinedStr": "an f-string outside print()",
    "playground.construct.other": "`{name}`",
    "playground.construct.item_assign": "assigning to an item (`a[0] = ...`)",
    "playground.construct.for_else": "`for ... else`",
    "playground.construct.kwargs": "`**` unpacking",
    "playground.construct.value": "the value `{value}`",
    # Names
    "playground.name.private_bind":
        "`{name}`: names starting with an underscore are private in the playground; choose a name like `w` or `loss`",
    "playground.name.ascii": "`{name}`: use plain ASCII letters, digits and _ for names",
    "playground.name.toolbox": "`{name}` is part of the playground's toolbox and cannot be replaced; choose another name",
    "playground.name.toolbox_attr": "`{name}` is part of the playground's toolbox and cannot be changed",
    "playground.name.dunder": "`{name}`: names with double underscores are Python internals, not available in the playground.",
    "playground.name.private": "`{name}`: names starting with an underscore are private, not available in the playground",
    "playground.name.not_defined": "`{name}` is not defined: assign it first, as in `{name} = tensor(1.0)`.",
    "playground.name.did_you_mean": "`{name}` is not defined. Did you mean `{suggestion}`?",
    "playground.attr.dunder": "`.{name}`: names with double underscores are Python internals, not available in the playground.",
    "playground.attr.private": "`.{name}`: names starting with an underscore are private; the only ones available are grad_fn's `_saved_*` attributes",
    "playground.attr.unavailable": "`.{name}` is not available in the playground.",
    "playground.attr.did_you_mean": "`.{name}` is not available in the playground. Did you mean `.{suggestion}`?",
    "playground.module.unavailable": "`{module}.{name}` is not available in the playground.",
    "playground.module.did_you_mean": "`{module}.{name}` is not available in the playground. Did you mean `{module}.{suggestion}`?",
    "playground.attr.not_settable": "`.{name}` cannot be assigned in the playground; you can set {settable} on a tensor",
    "playground.kw.private": "`{name}=`: names starting with an underscore are private",
    # Statements and expressions
    "playground.string_statement": "strings can only be printed, as in `print(\"text\")`",
    "playground.string_value": "strings can only be printed, as in `print(\"loss\", loss)`",
    "playground.import.module":
        "`{code}` is not available in the playground: it imports only torch (or autograd_lab) "
        "and its autograd, nn, nn.functional and optim.",
    "playground.import.what":
        "`import torch`, `import torch.nn as nn`, `import torch.nn.functional as F`, `from torch import nn, optim` "
        "and `from torch.autograd import grad` work (and are not needed: tensor, zeros, ones, autograd, optim, nn "
        "and no_grad are already there).",
    "playground.import.star": "`from {module} import *` is not available in the playground: name what you use, as in "
                              "`from torch import tensor, zeros`.",
    "playground.import.name": "`from {module} import {name}`: the playground's {module} has no `{name}`.",
    "playground.import.did_you_mean": "Did you mean `{suggestion}`?",
    "playground.import.rebound": "`{name}` names {path} (imported on line {line}); give your variable another name",
    "playground.import.clash": ("`{name}` already names part of the playground, so it cannot name {path}; import "
                                "{path} under another name"),
    "playground.import.nested": "imports go at the top of the program, not inside `if` or `for`",
    "playground.more": "(The examples menu shows what the playground runs.)",
    "playground.unpack_names": "unpack into plain names, as in `a, b = ...`",
    "playground.for_range": "`for` loops run over range(), as in `for i in range(10):`",
    "playground.loop_var": "the loop variable must be a plain name, as in `for i in range(10):`",
    "playground.loop_too_long": "this loop has {steps:,} steps; a loop in the playground can have at most {limit}",
    "playground.with_only": "`with` works only as `with no_grad():` or `with enable_grad():`",
    "playground.operator":
        "the `{op}` operator is not available in the playground; you can use + - * / // % ** @, comparisons, and, or, not",
    "playground.number_size": "numbers in the playground are at most {limit:.0e} in size",
    "playground.number_larger": "numbers in the playground are at most {limit:.0e} in size; this one is larger",
    "playground.print_call": "print can only be called, as in `print(w.grad)`",
    "playground.range_for": "range() works only in `for i in range(n):`",
    "playground.print_args": "print() takes values, and sep=\"...\" or end=\"...\" with a plain string; nothing else",
    "playground.fstring_format": "in f-strings, use simple formats like `{loss:.3f}` or `{x:8.2f}` (widths up to 99)",
    "playground.lambda_params": "a hook lambda takes plain parameters, as in `lambda g: g * 2`",
    "playground.hook_lambda": "register_hook takes a lambda here, for example `w.register_hook(lambda g: g * 2)`",
    # What is allowed (the hints under a refusal)
    "playground.allowed":
        "The playground runs assignments, numbers, lists of numbers, + - * / // % ** @ and comparisons, "
        "{functions}, `with no_grad():`, the methods and attributes of tensors and grad_fn nodes, print(), "
        "`if`, lambdas as hooks, and `for i in range(n):`.",
    "playground.offers": "In the playground, {parts}.",  # parts joined by "; "
    "playground.offers.torch": "torch (or lab) offers {functions}",
    "playground.offers.kind": lambda kind, members: f"{_article(kind)} {kind} offers {members}",
    "playground.kind.tensor": "tensor",
    "playground.kind.grad_fn node": "grad_fn node",
    "playground.kind.hook handle": "hook handle",
    "playground.kind.optimizer": "optimizer",
    "playground.kind.module": "module",
    # Limits
    "playground.limit.seconds": "the program ran for more than {limit:g} seconds; make the loops shorter",
    "playground.limit.operations": "the program did more than {limit} operations on tensors; make it smaller",
    "playground.limit.events": "the trace has more than {limit:,} events; make the program smaller",
    "playground.limit.statements": "the program ran more than {limit:,} statements; make the loops shorter",
    "playground.limit.printed": "the program printed more than {limit:,} characters; print less",
    "playground.limit.hook_depth": "hooks ran inside hooks more than {limit} deep (does a hook call backward()?)",
    "playground.limit.list_depth": "lists can be nested at most {limit} deep",
    "playground.limit.numbers": "a tensor or list can hold at most {limit:,} numbers",
    "playground.limit.layers": "a model can run at most {limit} layers, each use of a layer counted; this one would run more",
    "playground.limit.dims": "tensors can have at most {limit} dimensions; {what} would have {n}",
    "playground.limit.size": "tensors can hold at most {limit:,} numbers; {what} would have shape {shape}",
    "playground.limit.matmul": "tensors can hold at most {limit:,} numbers; {a} @ {b} would have {size:,}",
    "playground.limit.exponent": "exponents can be at most {limit:g} in size; this one is {exponent:g}",
    "playground.what.this_tensor": "this tensor",
    "playground.what.this_one": "this one",
    "playground.what.weight": "this layer's weight",
    "playground.what.broadcast": "{a} with {b}",
    # At run time
    "playground.run.node_unavailable": "{node} is not available in the playground",
    "playground.run.assignment": "this assignment is not available in the playground",
    "playground.run.cannot_set": "`.{name}` cannot be set on {value}",
    "playground.run.ns_member": "`{module}.{name}` is not available in the playground; {module} offers {members}",
    "playground.run.has_no_attr": "{value} has no `.{name}` in the playground.",
    "playground.run.has_no_attr_did_you_mean": "{value} has no `.{name}` in the playground. Did you mean `.{suggestion}`?",
    "playground.run.indexing": "indexing with [...] works on lists, tuples and tensors, not on {value}",
    "playground.run.index_whole": "indexes must be whole numbers, as in `next_functions[0][0]`",
    "playground.run.node_call": "a grad_fn node cannot be called in the playground; use backward() or autograd.grad() to run the backward pass",
    "playground.run.not_callable": "{value} cannot be called in the playground",
    "playground.run.arithmetic": "arithmetic works on numbers and tensors, not on {value}; wrap a list in tensor(...) first",
    # Describing a value ("a tensor", "a list", ...)
    "playground.value.kind": lambda kind: f"{_article(kind)} {kind}",
    "playground.value.bool": "a bool",
    "playground.value.number": "a number",
    "playground.value.list": "a list",
    "playground.value.tuple": "a tuple",
    "playground.value.string": "a string",
    "playground.value.dict": "a dict",
    "playground.value.array": "a numpy array",
    # The chain rule at a node's step (view/chain.py): each input's formula, in the student's names, then the numbers
    "step.chain.step": "{step} By the chain rule: {rules}.",
    "step.chain.rule": "to {to}: {formula} = {numbers} = {result}",
    "step.chain.rule_formula": "to {to}: {formula} = {result}",
    "step.chain.rule_shapes": "to {to}: {formula} → {shape}",
    "step.chain.summed": "{rule}, summed back to {to}'s shape {shape} (it was broadcast)",
    "step.chain.more": "{n} more",
    "step.more_items": "{n} more",
    "step.chain.unknown": "{step} ({node} has no chain-rule formula in autograd_lab's table.)",
}
