"""Example programs the Playground offers in its menu, each a short lesson in autograd.

`EXAMPLES` maps a title to a program that runs in the playground; `DEFAULT_EXAMPLE` is the
one in the code box when a Playground opens. "retain_graph" and the five "Error: ..." examples end in
an autograd error, on purpose: the lesson is the error (its last step says why, and the fix). `examples(lang)` gives the
same programs for the menu of a Playground speaking ``lang``: in Chinese, the titles and the
comments are translated and the code is the same.

    >>> print(EXAMPLES[DEFAULT_EXAMPLE].splitlines()[0])
    w = tensor(2.0, requires_grad=True)
"""
from __future__ import annotations

EXAMPLES: dict[str, str] = {
    "The classic example": """\
w = tensor(2.0, requires_grad=True)
x = tensor(3.0)
b = tensor(1.0, requires_grad=True)
y = w * x          # MulBackward0
z = y + b          # AddBackward0
z.backward()
print(w.grad, b.grad)
""",
    "Gradients accumulate": """\
w = tensor(2.0, requires_grad=True)
x = tensor(3.0)
b = tensor(1.0, requires_grad=True)
z = w * x + b
z.backward()
print(w.grad, b.grad)   # 3 and 1
z = w * x + b           # a new graph, the same leaves
z.backward()
print(w.grad, b.grad)   # 6 and 2: added, not replaced
w.grad.zero_()
b.grad.zero_()
""",
    "retain_graph": """\
w = tensor(2.0, requires_grad=True)
x = tensor(3.0)
z = w * x
z.backward(retain_graph=True)
z.backward()            # works: the graph was kept
print(w.grad)           # 6
z.backward()            # fails: the graph is freed now
""",
    "Hooks and retain_grad": """\
w = tensor(2.0, requires_grad=True)
x = tensor(3.0)
y = w * x
y.retain_grad()
h = y.register_hook(lambda g: g * 2)   # doubles the gradient flowing back
z = y + 1
z.backward()
print(y.grad, w.grad)
""",
    "autograd.grad": """\
w = tensor(2.0, requires_grad=True)
x = tensor(3.0)
y = w * x
z = y ** 2
dz_dy, dz_dw = autograd.grad(z, [y, w])
print(dz_dy, dz_dw)
print(w.grad)           # None: autograd.grad does not touch .grad
""",
    "A training step": """\
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
    print(f"step {i}: loss {loss.item():.4f}")
print(w, b)
""",
    # autograd's most-asked errors (lesson 09): each ends in the error, whose last step says why and how to fix it
    "Error: a saved tensor changed in place": """\
a = tensor(1.0, requires_grad=True)
c = a.exp()          # ExpBackward0 saves its result c
c.mul_(3)            # changes c in place: version 0 -> 1
print(c)
c.backward()         # fails: the value ExpBackward0 saved was changed
""",
    "Error: no grad_fn": """\
w = tensor(2.0, requires_grad=True)
with no_grad():
    y = w * 3        # no graph is recorded here
print(y.grad_fn)
y.backward()         # fails: y has no grad_fn
""",
    "Error: a hidden state across iterations": """\
w = tensor(0.5, requires_grad=True)
h = tensor(1.0)
for i in range(2):
    h = h * w          # builds on the last iteration's h
    print(h)
    h.backward()       # fails the second time; h = h.detach() first fixes it
""",
    "Error: backward() of a non-scalar": """\
w = tensor([1.0, 2.0], requires_grad=True)
y = w * w
print(y)
y.backward()         # fails: y is not a scalar; y.sum().backward() works
""",
    "Error: a leaf changed in place": """\
w = tensor([1.0, 2.0], requires_grad=True)
loss = (w * w).sum()
loss.backward()
print(w.grad)
w -= 0.1 * w.grad    # fails; under no_grad() it works, as optimizers do
""",
}
DEFAULT_EXAMPLE = "The classic example"

# Chinese: each example's title, and its comments (the code itself is the same).
_TITLES_ZH = {
    "The classic example": "经典例子",
    "Gradients accumulate": "梯度会累加",
    "retain_graph": "保留计算图：retain_graph",
    "Hooks and retain_grad": "钩子函数与 retain_grad",
    "autograd.grad": "直接返回梯度：autograd.grad",
    "A training step": "训练步",
    "Error: a saved tensor changed in place": "错误：保存的张量被原地修改",
    "Error: no grad_fn": "错误：没有 grad_fn",
    "Error: a hidden state across iterations": "错误：跨迭代的隐藏状态",
    "Error: backward() of a non-scalar": "错误：对非标量调用 backward()",
    "Error: a leaf changed in place": "错误：原地修改叶子张量",
}
_COMMENTS_ZH = {
    "# 3 and 1": "# 3 和 1",
    "# a new graph, the same leaves": "# 新的计算图，同样的叶子张量",
    "# 6 and 2: added, not replaced": "# 6 和 2：梯度累加，而不是替换",
    "# works: the graph was kept": "# 能运行：计算图保留了下来",
    "# fails: the graph is freed now": "# 抛出错误：计算图这时已经释放",
    "# doubles the gradient flowing back": "# 把反向传回的梯度翻倍",
    "# None: autograd.grad does not touch .grad": "# None：autograd.grad 不会改动 .grad",
    "# ExpBackward0 saves its result c": "# ExpBackward0 保存了它的结果 c",
    "# changes c in place: version 0 -> 1": "# 原地修改 c：版本 0 -> 1",
    "# fails: the value ExpBackward0 saved was changed": "# 抛出错误：ExpBackward0 保存的张量被修改了",
    "# no graph is recorded here": "# 这里不记录计算图",
    "# fails: y has no grad_fn": "# 抛出错误：y 没有 grad_fn",
    "# builds on the last iteration's h": "# 在上一轮迭代的 h 上继续计算",
    "# fails the second time; h = h.detach() first fixes it": "# 第二次抛出错误；先写 h = h.detach() 就能改正",
    "# fails: y is not a scalar; y.sum().backward() works": "# 抛出错误：y 不是标量；y.sum().backward() 可以运行",
    "# fails; under no_grad() it works, as optimizers do": "# 抛出错误；像优化器那样在 no_grad() 下更新就能运行",
}


def examples(lang: str | None = None) -> dict[str, str]:
    """The menu of a Playground speaking ``lang`` (default: the language in force): title -> program.
    English is `EXAMPLES` itself."""
    from ..narration import get_language

    if (lang or get_language()) != "zh":
        return EXAMPLES
    programs = {}
    for title, program in EXAMPLES.items():
        for english, chinese in _COMMENTS_ZH.items():
            program = program.replace(english, chinese)
        programs[_TITLES_ZH[title]] = program
    return programs
