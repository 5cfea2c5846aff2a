"""The English catalogue: every sentence a student reads, by message id (see narration/__init__)."""
from __future__ import annotations

import math
import numbers


def join(items: list) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def number(v) -> str:
    """A value inside a sentence, written plainly: 1, 0.5, -2.25, [1, 2], not PyTorch's '1.' or '0.5000'."""
    if v is None:
        return "None"
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, dict):  # a large tensor's summary
        shape = "×".join(map(str, v.get("shape", [])))
        return f"{shape} values with mean {number(float(v.get('mean', 0.0)))}"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(number(x) for x in v) + "]"
    if isinstance(v, numbers.Integral):
        return str(int(v))
    if isinstance(v, numbers.Real):
        v = float(v)
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        if v != 0 and (abs(v) >= 1e6 or abs(v) < 1e-4):
            return f"{v:.4g}"
        text = f"{round(v, 4):.10g}"
        return "0" if text == "-0" else text
    return str(v)


def _op(expr, name, node, nexts, saved, inplace=False):
    text = (f"{expr} changes {name} in place; its new grad_fn is {node}" if inplace
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


MESSAGES: dict = {
    # -- player: controls, labels, notices ------------------------------------------------
    # controls (widget and static page)
    "player.title": "autograd_lab player",
    "player.jump_to": "jump to…",
    "player.back": "◀ back",
    "player.back.tip_key": "previous step (←)",
    "player.next": "next ▶",
    "player.next.tip_key": "next step (→)",
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
    "player.jump.where": " (line {line}: {code})",
    "player.jump.where_line": " (line {line})",
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
    "player.legend.next_functions": "next_functions (gradient path)",
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
    "player.table.rebound": "{name} ({n})",
    # what a click on a node shows (the rest is PyTorch's own names: name(), next_functions, ...)
    "player.inspect.close": "close",
    "player.inspect.made_at": "made at",
    "player.inspect.not_yet": "not built yet at this step",
    "player.inspect.holds": "holds {name} = {value}",
    "player.inspect.freed": "freed; reading it raises RuntimeError: {error}",
    "player.inspect.hooks": "hooks that ran",
    "player.inspect.no_hooks": "none ran so far",
    "player.inspect.grad_before": ".grad before this step",
    "player.inspect.grad_after": ".grad after this step",
    "player.inspect.variable": "variable",
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
    "player.tag.grad_none": "grad = None",
    "player.tag.zero_": "zero_()",
    "player.tag.grad_zero_": "grad.zero_()",
    "player.tag.update": "{before} → {after}",

    # -- step narration -------------------------------------------------------------------
    # small parts
    "step.a_number": "a number",
    "step.an_input": "an input",
    "step.a_hook": "a hook",
    "step.a_node": "a node",
    "step.nothing": "nothing",
    "step.via_tensor": "{tensor} (on to {fn})",
    "step.acc_for": "AccumulateGrad (for {leaf})",
    # a tensor appears
    "step.tensor.leaf_requires_grad": ("{name} is a leaf tensor (value {value}) with requires_grad=True: backward() "
                                       "will compute the gradient with respect to {name} and store it in {name}.grad."),
    "step.tensor.leaf": ("{name} is a leaf tensor (value {value}) that does not require grad: autograd will not "
                         "compute a gradient for it."),
    "step.tensor.existing": "{name} (value {value}), a tensor made before the trace started, is used here.",
    "step.tensor.detach": ("{name} comes from detach() (value {value}): a new tensor that shares its storage with the "
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
    "step.op.next_fn": "{fn} (for {input})",
    "step.op.next_none": "None (for {input})",
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
    "step.grad.done": ("autograd.grad finished: it returns {results}. No leaf's .grad changed (only tensors with "
                       "retain_grad() get a .grad from it)."),
    "step.grad.done_item": "{value} for {name}",
    "step.error": "{error}: {message}",
    "step.error.at": "{error} at {node}: {message}",
    # zeroing and updates
    "step.zero.set_to_none": ("zero_grad() sets {name}.grad to None (it was {before}): the next backward sets "
                              "{name}.grad afresh."),
    "step.zero.data": "{name}.zero_() sets the values of {name} to zero in place.",
    "step.zero.grad": ("{name}.grad.zero_() sets {name}.grad to zero in place ({before} → {after}), so the next "
                       "backward does not add onto an old gradient."),
    "step.update.optimizer": ("The optimizer's step() updates {name} in place: {name} -= lr * {name}.grad, "
                              "{before} → {after} (no graph is recorded for the update)."),
    "step.update.inplace": "{name}.{op}(…) changes {name} in place: {before} → {after}.",
    "step.other": "{kind} event.",

    # -- lessons: Predict, exercises, the parity cell -------------------------------------

    # -- playground -----------------------------------------------------------------------
}
