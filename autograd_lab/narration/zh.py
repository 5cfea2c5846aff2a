"""中文目录（Chinese catalogue）：学生读到的每一句话，按消息 id 排列（见 narration/__init__）。

PyTorch 自己的文字（节点名、repr、错误信息）保持 PyTorch 打印的原样，学生在真正的 PyTorch
里才认得出；错误旁边另附一句中文解释。术语与 docs/glossary-zh.md 一致。
"""
from __future__ import annotations

import re

from . import en as _en

HTML_LANG = "zh-CN"  # <html lang> of the static page


def join(items: list) -> str:
    """'a'、'a 和 b'、'a、b 和 c'（“和”两边的空格只留在西文旁边）。"""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    left, right = "、".join(items[:-1]), items[-1]
    return left + (" " if _latin_end(left) else "") + "和" + (" " if _latin_start(right) else "") + right


def _latin_end(text: str) -> bool:
    return bool(text) and (text[-1].isascii() and not text[-1].isspace())


def _latin_start(text: str) -> bool:
    return bool(text) and (text[0].isascii() and not text[0].isspace())


def number(v) -> str:
    """句子里的数值，写法与英文相同（1、0.5、[1, 2]）；大张量说形状和取值范围。"""
    big = _en.tensor_summary(v)
    if big is not None:  # 超过 SMALL 个数值：说形状和取值范围
        return f"{big[0]} 个值（{number(big[1])} 到 {number(big[2])}）"
    return _en.number(v)


def _op(expr, name, node, nexts, saved, inplace=False, view=False):
    text = (f"{expr} 原地修改了 {name} 的一个视图：新值写进了 {name} 的内存，{name} 新的 grad_fn 是 {node}，"
            f"它对梯度中属于这个视图的部分执行该运算自己的反向计算" if view
            else f"{expr} 原地修改了 {name}，它新的 grad_fn 是 {node}" if inplace
            else f"{expr} 创建了 {node}（即 {name}.grad_fn）")
    if nexts:
        text += f"，它的 next_functions 指向 {nexts}"
    text += "。"
    if saved:
        text += f"它为反向传播保存了 {saved}。"
    return _tidy(text)


def _node_runs(name, grad, sends):
    # sends is a list of clauses ("把 6 传给 …", "不给 x 传梯度"): said one after another, with commas
    if not sends:
        return _tidy(f"{name} 执行：它收到 {grad}，没有需要继续传递的梯度。")
    sends = re.sub(r"\s?[、和]\s?(?=把|不给)", "，", sends)
    return _tidy(f"{name} 执行：它收到 {grad}，{sends}。")


_CJK = "\u3400-\u9fff\uf900-\ufaff"


def _mix(text: str) -> str:
    """Put a space where Chinese meets Latin letters, digits or code (`), as Chinese technical text does."""
    text = re.sub(rf"([{_CJK}])([A-Za-z0-9`(\[])", r"\1 \2", text)
    return re.sub(rf"([A-Za-z0-9`)\]])([{_CJK}])", r"\1 \2", text)


_FW = "，。：；？！、（）“”"


def _tidy(text: str) -> str:
    """Chinese spacing for a sentence put together from parts: no space between Chinese characters
    or full-width punctuation, one space where Chinese meets Latin letters, digits or code."""
    text = re.sub(rf"(?<=[{_CJK}])[ \t]+(?=[{_CJK}])", "", text)
    text = re.sub(rf"(?<=[{_FW}])[ \t]+|[ \t]+(?=[{_FW}])", "", text)
    return _mix(text)


def _quoted(text) -> str:
    """A name or an answer the student typed, in Chinese quotation marks (not Python's repr quotes)."""
    text = str(text)
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1]
    return f"“{text}”"


def _times(n: int) -> str:
    return f"{n} 次"


# PyTorch 的错误信息保持原文；认得出的几种，在原文后面加一句中文解释。
_EXPLAIN = (
    ("Trying to backward through the graph a second time",
     "之前有一次 backward() 调用没有传入 retain_graph=True，它已经释放了这张计算图中保存的张量，"
     "所以不能再沿这张计算图反向传播；如果之后还要再反向传播，那次调用必须传入 retain_graph=True。"),
    ("does not require grad and does not have a grad_fn",
     "这个张量没有 grad_fn，没有被记录进计算图：要么它的输入都不需要梯度，要么它是在 torch.no_grad() 里"
     "计算出来的（或者由 detach() 得到），所以梯度无法从它开始反向传播。"),
    ("grad can be implicitly created only for scalar outputs",
     "不带参数的 backward() 只能从标量开始；先用 .sum() 或 .mean() 把它变成标量，或者传入 gradient 参数。"),
    ("a leaf Variable that requires grad",
     "需要梯度的叶子张量不能被原地修改；优化器是在 no_grad() 里更新参数的。"),
    ("appears to not have been used in the graph",
     "传给 autograd.grad 的某个输入没有参与计算输出；传入 allow_unused=True 可以让它得到 None。"),
    ("cannot register a hook on a tensor that doesn't require gradient",
     "只能在需要梯度的张量上注册钩子函数。"),
    ("does not require grad",
     "这个张量不需要梯度，所以自动求导不会为它计算梯度。"),
)


def explain(message) -> str:
    """“（中文解释：……）” after a PyTorch error message this catalogue recognises ("" otherwise):
    the player's narration and the playground's error box put it after PyTorch's own words."""
    for pattern, zh in _EXPLAIN:
        if pattern in str(message):
            return f"（中文解释：{zh}）"
    return ""


_explain = explain


MESSAGES: dict = {
    # -- 播放器：控件、标签、提示 ------------------------------------------------------------
    "player.title": "autograd_lab 播放器",
    "player.jump_to": "跳转到…",
    "player.back": "◀ 上一步",
    "player.back.tip_key": "上一步（←）",
    "player.next": "下一步 ▶",
    "player.next.tip_key": "下一步（→）",
    "player.play": "▶ 播放",
    "player.pause": "❚❚ 暂停",
    "player.play.tip": "播放 / 暂停",
    "player.speed": "{factor}×",
    "player.speed.aria": "速度",
    "player.slider.aria": "步骤",
    "player.jump.aria": "跳转到",
    "player.whole": "整张计算图",
    "player.whole.tip": "显示缩放到合适大小的整张计算图，尚未构建的部分以淡色显示",
    "player.by_group": "按组",
    "player.by_group.tip": "“下一步”和“上一步”一次走完图中的一整个方框（一个神经元、一层）",
    "player.group.open": "{label}：点击展开这个方框",
    "player.group.close": "收起这个方框：{label}",
    "player.zoom_in": "+",
    "player.zoom_in.tip": "放大（也可以用鼠标滚轮或双指缩放）",
    "player.zoom_out": "−",
    "player.zoom_out.tip": "缩小",
    "player.fit": "适应宽度",
    "player.fit.tip": "把图缩放到适合宽度（拖动可以移动画面）",
    "player.table.filter": "按名称筛选",
    "player.table.more": "还有 {n} 行：按名称筛选即可看到",
    "player.table.rebound": "{name} #{n}",
    "player.inspect.close": "关闭",
    "player.inspect.made_at": "创建于",
    "player.inspect.not_yet": "在这一步还没有构建",
    "player.inspect.holds": "保存了 {name} = {value}",
    "player.inspect.freed": "已释放",
    "player.inspect.freed_error": "现在读取已释放的值会抛出 RuntimeError：{error}",
    "player.inspect.hooks": "已运行的钩子函数",
    "player.inspect.no_hooks": "到目前为止还没有钩子函数运行",
    "player.inspect.grad_before": "这一步之前的 .grad",
    "player.inspect.grad_after": "这一步之后的 .grad",
    "player.inspect.variable": "variable",
    "player.inspect.chain": "链式法则",
    "player.inspect.chain_run": "最近一次运行",
    "player.inspect.chain_none": "autograd_lab 的公式表里没有它的链式法则公式",
    "player.edge.rule": "{input} 的链式法则：{formula}",
    "player.picture.aria": "计算图",
    "player.repr": "<Player：第 {i} 步，共 {n} 步>",
    "player.where": "第 {i} 步，共 {n} 步",
    "player.source": "第 {line} 行：{code}",
    "player.source_line": "第 {line} 行",
    "player.jump.forward": "前向传播",
    "player.jump.forward_again": "再次前向传播",
    "player.jump.backward": "第 {n} 次反向传播",
    "player.jump.grad": "第 {n} 次 autograd.grad",
    "player.jump.error": "错误",
    "player.jump.optimizer_step": "optimizer.step()",
    "player.jump.zero_grad": "zero_grad()",
    "player.jump.grad_zero_": "{name}.grad.zero_()",
    "player.jump.data_zero_": "{name}.zero_()",
    "player.jump.set_grad": "{name}.grad = …",
    "player.jump.where": "（第 {line} 行：{code}）",
    "player.jump.where_line": "（第 {line} 行）",
    "player.jump.loop.forward": "第 {n} 次迭代：前向传播",
    "player.jump.loop.backward": "第 {n} 次迭代：反向传播",
    "player.jump.loop.optimizer_step": "第 {n} 次迭代：optimizer.step()",
    "player.jump.loop.manual_step": "第 {n} 次迭代：更新参数（no_grad）",
    "player.jump.loop.zero_grad": "第 {n} 次迭代：zero_grad()",
    "player.jump.loop.reset_grad": "第 {n} 次迭代：重置 .grad",
    "loop.iteration": "第 {i} 次迭代（共 {n} 次）",
    "loop.loss": "损失 {value}",
    "loop.largest_grad": "绝对值最大的梯度 {value}",
    "loop.not_kept": "数值没有保留",
    "loop.notice.folded": ("第 {line} 行的循环运行了 {n} 次迭代：第 1–{head} 次和第 {tail}–{n} 次逐步显示，"
                           "第 {a}–{b} 次只显示摘要{losses}。"),
    "loop.notice.summaries": ("第 {line} 行的循环运行了 {n} 次迭代：第 {whole} 次逐步显示，第 {folded} 次只显示摘要{losses}；"
                              "为了让记录保持便宜，第 {only} 次只记录了摘要（损失和绝对值最大的梯度）。"),
    "loop.notice.losses": "（损失 {first} → {last}）",
    "player.notice.empty": "什么也没有记录下来：把代码放进 `with lab.trace() as t:` 里，然后调用 `lab.Player(t)`。",
    "player.notice.no_graph": ("这里没有任何张量需要梯度，所以自动求导没有记录计算图（没有 grad_fn）。"
                               "用 requires_grad=True 创建一个叶子张量，就能看到计算图。"),
    "player.notice.grad_mode_off": lambda names, n: (
        f"虽然 {names} 需要梯度，但当时梯度模式是关闭的（在 `torch.no_grad()` 或 `torch.inference_mode()` 里面），"
        f"所以自动求导没有记录计算图（没有 grad_fn）。"),
    "player.notice.large": ("这段记录很大（{steps} 步，计算图有 {nodes} 个节点）：这里只显示最后 "
                            "{shown_steps} 步，以及它们涉及的 {shown_nodes} 个节点。"
                            "Player(t, max_nodes=..., max_frames=...) 可以显示更多，但会更慢。"),
    "player.legend.tensor": "张量",
    "player.legend.grad_fn": "grad_fn",
    "player.legend.acc": "AccumulateGrad",
    "player.legend.next_functions": "next_functions：grad_fn → grad_fn（梯度路径）",
    "player.legend.data": "数据，不需要梯度",
    "player.legend.moving": "正在传递的梯度",
    "player.legend.marks": "▶ 正在执行 · ✓ 已执行 · ✖ 抛出错误 · 虚线框：保存的张量已释放",
    "player.table.name": "名称",
    "player.table.value": "值",
    "player.table.grad": "grad",
    "player.table.requires_grad": "requires_grad",
    "player.table.is_leaf": "is_leaf",
    "player.table.grad_fn": "grad_fn",
    "player.table.empty": "还没有张量。",
    "player.picture.grad": "grad {grad}",
    "player.picture.no_grad": "不需要梯度",
    "player.info.no_grad_fn": "无 grad_fn",
    "player.info.saved": "保存：{names}",
    "player.info.freed": "已释放：{names}",
    "player.info.grad_set": "grad = {value}",
    "player.info.grad_add": "{before} + {added} = {after}",
    "player.tag.requires_grad_on": "requires_grad_()",
    "player.tag.requires_grad_off": "requires_grad_(False)",
    "player.tag.start": "起点：grad {grad}",
    "player.tag.retain_grad": "retain_grad()",
    "player.tag.hook": "钩子 {fn}",
    "player.tag.prehook": "前置钩子 {fn}",
    "player.tag.hook_replaces": "钩子：{grad_in} → {grad_out}",
    "player.tag.post_accumulate": "累加后钩子 {fn}",
    "player.tag.grad_result": "autograd.grad → {value}",
    "player.tag.error": "✖ {error}",
    "player.tag.saved_version": "保存时版本 {version}",
    "player.tag.version": "现在版本 {version}",
    "player.tag.carried": "来自之前的迭代",
    "player.tag.grad_mode_off": "梯度模式关闭",
    "player.tag.detached": "detach()",
    "player.tag.no_requires_grad": "requires_grad=False",
    "player.tag.shape": "形状 {shape}",
    "player.tag.grad_none": "grad = None",
    "player.tag.grad_set": "grad = {value}",
    "player.tag.zero_": "zero_()",
    "player.tag.grad_zero_": "grad.zero_()",
    "player.tag.update": "{before} → {after}",
    "player.edge.hook_replaced": "{before} → 钩子 → {after}",

    # -- 每一步的讲解 ---------------------------------------------------------------------
    "step.a_number": "“常数”",
    "step.an_input": "一个输入",
    "step.a_hook": "一个钩子函数",
    "step.a_node": "一个节点",
    "step.nothing": "无",
    "step.acc_for": "{leaf} 的 AccumulateGrad",
    "value.held.one": "值为 {v}",
    "value.held.many": "{shape} 个值，从 {lo} 到 {hi}",
    "step.tensor.leaf_requires_grad": ("{name} 是一个叶子张量（{value}），requires_grad=True：backward() "
                                       "会计算关于 {name} 的梯度，并存进 {name}.grad。"),
    "step.tensor.leaf": "{name} 是一个叶子张量（{value}），不需要梯度：自动求导不会为它计算梯度。",
    "step.tensor.existing": "这里用到了 {name}（{value}），它是在开始记录之前创建的张量。",
    "step.tensor.optimizer_reads": "优化器的 step() 开始执行：它读取 {name}（{value}），用这个梯度来更新参数。",
    "step.tensor.requires_grad_non_leaf": ("{name}.requires_grad_() 没有改变任何东西：{plain} 不是叶子张量（它有 "
                                           "grad_fn），本来就需要梯度。backward() 也不会填充 {name}.grad：除非先调用 "
                                           "{name}.retain_grad()，否则它一直是 None。"),
    "step.tensor.detach": ("{name} 来自 detach()（{value}）：这是一个与原张量共享存储、但与计算图断开的新张量"
                           "（没有 grad_fn，requires_grad=False），所以它是叶子张量。"),
    "step.tensor.requires_grad_on": ("{name}.requires_grad_() 为 {name} 打开了自动求导：对 {name} 的运算从此会记录"
                                     "计算图，backward() 会写入 {name}.grad。"),
    "step.tensor.requires_grad_off": ("{name}.requires_grad_(False) 为 {name} 关闭了自动求导：只涉及 {name} 的运算"
                                      "不再记录计算图，backward() 也不会为它计算梯度。"),
    "step.op.creates": _op,
    "step.op.inplace": lambda **p: _op(inplace=True, **p),
    "step.op.inplace_view": lambda **p: _op(view=True, **p),
    "step.op.next_fn": lambda fn, input: _tidy(f"{input} 的 {fn}" if fn == "AccumulateGrad" else f"{fn}（对应 {input}）"),
    "step.op.next_none": lambda input: _tidy(f"None（对应 {input}）"),
    "step.op.saved_item": "{holder}（{attr}）",
    "step.op.no_graph": lambda expr, name, value: _tidy(
        f"{expr} 计算出 {name} = {value}，但没有记录计算图：它的输入都不需要梯度，所以 {name} 没有 grad_fn。"),
    "step.op.grad_mode_off": lambda expr, name, value, inputs, n: _tidy(
        f"虽然 {inputs} 需要梯度，但这里梯度模式是关闭的（torch.no_grad() 或 inference_mode()），"
        f"所以 {expr} 计算出 {name} = {value} 时没有记录计算图，{name} 也没有 grad_fn。"),
    "step.retain": "retain_graph=True：保存的张量会保留下来，供下一次反向传播使用。",
    "step.no_retain": "没有 retain_graph=True 时，每个节点执行完就会释放它保存的张量。",
    "step.backward.start": "backward() 从 {roots} 开始反向传播，初始梯度为 {seeds}。{retain}",
    "step.grad.start": ("autograd.grad 从 {roots} 开始，初始梯度为 {seeds}；它会直接返回关于 {inputs} 的梯度，"
                        "而不是累加到 .grad 里。{retain}"),
    "step.node.runs": _node_runs,
    "step.node.send": lambda grad, to: _tidy(f"把 {grad} 传给 {to}"),
    "step.node.send_nothing": lambda to: _tidy(f"不给 {to} 传任何梯度"),
    "step.node.send_no_grad": "不给 {name} 传梯度（它不需要梯度）",
    "step.accumulate.set": "AccumulateGrad 把 {name}.grad 设为 {value}（{name}.grad 原来是 None，没有可累加的）。",
    "step.accumulate.add": "AccumulateGrad 把梯度累加进 {name}.grad：{before} + {added} = {after}。",
    "step.accumulate.again": ("AccumulateGrad 把梯度累加进 {name}.grad：{before} + {added} = {after}"
                              "（梯度累加：上次反向传播之后 {name}.grad 没有清零）。"),
    "step.hook.same": "梯度保持不变",
    "step.hook.replaces": "返回 {grad}，替换掉原来的梯度",
    "step.hook.tensor": "注册在 {name} 上的钩子函数 {fn} 执行：它收到 {grad}，{effect}。",
    "step.hook.post_accumulate": "{name} 的累加后钩子 {fn} 执行：此时 {name}.grad 已经更新。",
    "step.hook.prehook": "{owner} 的前置钩子 {fn} 执行：它收到 {grad}，{effect}。",
    "step.hook.node": "{owner} 的钩子函数 {fn} 执行：它收到 {grad}，{effect}。",
    "step.hook.retain_grad": "{name}.retain_grad() 保留了非叶子张量 {name} 的梯度：{name}.grad = {value}。",
    "step.release": ("retain_graph 为 False，{name} 执行完就释放了它保存的张量（{saved}）。之后再有反向传播经过 {name}，"
                     "就会抛出错误；没有保存任何张量的节点则可以再次执行。"),
    "step.release.item": "{attr} = {holder}",
    "step.release.its_values": "它保存的张量",
    "step.backward.done": lambda grads: "backward() 结束：" + re.sub(r"\s?[、和]\s?(?=\S+\.grad = )", "，", grads) + "。",
    "step.backward.done_nothing": "backward() 结束。",
    "step.backward.done_item": "{name}.grad = {value}",
    "step.grad.done": ("autograd.grad 结束：返回{results}。所有叶子张量的 .grad 都没有改变"
                       "（只有调用过 retain_grad() 的张量会从中得到 .grad）。"),
    "step.grad.done_item": "关于 {name} 的梯度 {value}",
    "step.error": lambda error, message: f"{error}: {message}{_explain(message)}",
    "step.error.at": lambda error, node, message: f"{node} 处抛出 {error}: {message}{_explain(message)}",
    # 在计算图上解释的错误（view/explain.py）：原因、它所在的行和改法，后面是 PyTorch 的原文
    "step.error.explained": "{why}（{error}: {message}）",
    "step.explain.unknown_line": "记录开始之前的某一行",
    "step.explain.line": "第 {line} 行（{code}）",
    "step.explain.line_only": "第 {line} 行",
    "step.explain.version": ("{made}创建的 {node} 为反向传播保存了 {name}，之后{changed}又原地修改了它（版本 "
                             "{expected} → {version}），所以 backward() 无法使用保存的张量。改法：改用非原地运算"
                             "（{suggest}），或者修改它的 clone()。"),
    "step.explain.freed": ("{made}创建的 {node}，它保存的张量已经在之前{first}的 backward() 里释放了，这次 "
                           "backward() 又要用到它们。改法：在那次调用时保留计算图：{fixed}。"),
    "step.explain.freed_loop": ("{carried} 来自之前的一轮迭代，仍然连着那一轮的计算图；{first}的 backward() 已经释放了"
                                "其中 {node} 保存的张量，而{use}又在它上面继续计算。改法：每轮迭代都切断它："
                                "{base} = {base}.detach()。"),
    "step.explain.no_grad_fn.leaves": ("{name} 没有 grad_fn：它来自的叶子张量都不需要梯度（{leaves}），{leaf} 创建于"
                                       "{made}。改法：创建 {leaf} 时传入 requires_grad=True。"),
    "step.explain.no_grad_fn.grad_mode_off": ("{name} 没有 grad_fn：{at}运行时梯度模式是关闭的（在 torch.no_grad() "
                                              "里），所以虽然 {input} 需要梯度，也没有记录计算图。改法：在 no_grad() "
                                              "块外面计算它。"),
    "step.explain.no_grad_fn.detached": ("{name} 没有 grad_fn：它来自{at}的 detach()，detach() 切断了计算图。"
                                         "改法：用 detach() 之前的张量来计算。"),
    "step.explain.not_scalar": ("{made}创建的 {name} 的形状是 {shape}，而不带 gradient 参数的 backward() 只能从标量"
                                "开始。改法：先把它变成标量（{base}.sum().backward() 或 .mean()），或者传入同样形状"
                                "的 gradient：{base}.backward(gradient=torch.ones_like({base}))。"),
    "step.explain.leaf_inplace": ("{made}创建的 {name} 是需要梯度的叶子张量，{at}却原地修改了它；只有在梯度模式关闭时"
                                  "才允许这样做。改法：像优化器那样在 torch.no_grad() 下更新：with torch.no_grad(): "
                                  "{code}"),
    "step.zero.set_to_none": ("zero_grad() 把 {name}.grad 设为 None（原来是 {before}）：下一次反向传播会重新设置 "
                              "{name}.grad。"),
    "step.zero.data": "{name}.zero_() 原地把 {name} 的值全部置零。",
    "step.set_grad.tensor": "{name}.grad 被设为 {after}（原来是 {before}）：下一次反向传播会把梯度累加到这个值上。",
    "step.set_grad.none": ("{name}.grad 被设为 None（原来是 {before}）：下一次反向传播会重新设置 {name}.grad，"
                           "而不是在旧梯度上累加。"),
    "step.set_grad.zero_grad": ("zero_grad() 把 {name}.grad 设为 None（原来是 {before}）：下一次反向传播会重新设置 "
                                "{name}.grad。"),
    "step.zero.grad": ("{name}.grad.zero_() 原地把 {name}.grad 清零（{before} → {after}），这样下一次反向传播"
                       "不会在旧梯度上累加。"),
    "step.update.optimizer": ("优化器的 step() 原地更新 {name}：{name} -= lr * {name}.grad，{before} → {after}"
                              "（这次更新不记录计算图）。"),
    "step.update.inplace": "{call} 原地修改了 {name}：{before} → {after}。",
    "step.other": "{kind} 事件。",

    # -- 课程：Predict、练习、对照单元格 -------------------------------------------------------
    "lessons.verdict.pass": "正确",
    "lessons.verdict.fail": "还不对",
    "lessons.feedback.text": "{verdict}：{message}",
    "lessons.feedback.hint": "提示：{hint}",
    "lessons.where.line": "第 {line} 行",
    "lessons.where.line_code": "第 {line} 行：`{code}`",
    "lessons.raised": "你的函数抛出了 {error}：{meaning}",
    "lessons.raised_at": "你的函数抛出了 {error}（{where}）：{meaning}",
    "lessons.error.name": "`{name}` 没有定义。请在函数里面创建它（或者检查拼写）。",
    "lessons.error.second_backward":
        "之前某次没有传入 retain_graph=True 的 backward() 释放了这张计算图中某个节点保存的张量，"
        "所以这次 backward() 无法再经过这个节点（第 6 课）。",
    "lessons.error.no_grad_fn":
        "对一个没有 grad_fn 的张量调用了 backward()：计算它的张量里没有一个是 requires_grad=True（第 1 课）。",
    "lessons.error.no_grad_fn_grad_mode":
        "对一个没有 grad_fn 的张量调用了 backward()：它是在梯度模式关闭时（`with torch.no_grad():` 里面）"
        "计算的，所以尽管它的输入需要梯度，自动求导也没有为它记录计算图（第 1 课）。",
    "lessons.error.not_scalar":
        "不带参数的 backward() 需要从标量开始；这个张量有多个值（先用 .sum() 或 .mean() 把它归约成标量）。",
    "lessons.error.input_no_grad": "autograd.grad(outputs, inputs)：inputs 里的每个张量都必须 requires_grad=True（第 7 课）。",
    "lessons.error.unused_input":
        "传给 autograd.grad 的某个输入没有参与计算输出（传入 allow_unused=True，它的梯度就会是 None）。",
    "lessons.error.leaf_inplace": "一个需要梯度的叶子张量被原地修改了；优化器是在 no_grad() 里做这件事的。",
    "lessons.error.hook_no_grad": "钩子函数只能注册在需要梯度的张量上（或由这样的张量计算出来的张量上）。",
    "lessons.error.none":
        "本该是张量的地方出现了 None。在 backward() 到达一个张量之前，它的 .grad 都是 None；"
        "zero_grad() 或 `.grad = None` 之后也会变回 None。",
    "lessons.describe.ellipsis": "`...`，也就是占位符（把它换成你的答案）",
    "lessons.describe.real_torch":
        "一个真正的 PyTorch 张量；这些检查读取的是 autograd_lab 的张量，所以请保留笔记本开头的 "
        "`import autograd_lab as torch`",
    "lessons.what.the_tensor": "这个张量",
    "lessons.what.dz_dy": "梯度 dz/dy",
    "lessons.returned.ellipsis": lambda what: _tidy(f"你的函数仍然返回占位符 `...`：请写下你的答案，并返回{what}。"),
    "lessons.returned.none": lambda what: _tidy(f"你的函数返回了 None。请在函数末尾用 return 返回{what}。"),
    "lessons.returned.other": lambda value, what: _tidy(f"你的函数返回了 {value}，但它应当返回{what}。"),
    "lessons.check.unknown": lambda name, names: f"没有叫{_quoted(name)}的练习；现有的练习是：{names}。",
    "lessons.check.no_such": lambda name: f"没有叫{_quoted(name)}的练习。",
    "lessons.check.not_callable":
        "check() 需要的是函数本身：写成 `check({name}, answer)`，`answer` 后面不要加括号（你传入的是 {value}）。",
    "lessons.check.timeout":
        "你的函数运行了 {seconds} 秒还没有结束，所以被停止了。是不是有一个永远不会结束的循环"
        "（条件一直为真的 `while`）？",
    "lessons.check.unreadable":
        "你的函数返回了 {value}，这个练习无法读取它（{error}）；它应当返回{returns}。",
    "lessons.make_leaf.title": "一个需要梯度的叶子张量",
    "lessons.make_leaf.task":
        "`data = torch.tensor([1.0, 2.0, 3.0])` 创建时没有设置 requires_grad。不要在 torch.tensor(...) 里写 "
        "requires_grad=True，返回一个数值相同、既是叶子张量又需要梯度的张量。",
    "lessons.make_leaf.hint":
        "第 1 课：张量有一个方法可以原地打开 requires_grad（方法名以下划线结尾），只要张量还是叶子张量就能用。",
    "lessons.make_leaf.returns": "一个张量",
    "lessons.make_leaf.numbers": "你的张量里是 {numbers}，而不是 `data` 的数值 [1.0, 2.0, 3.0]。",
    "lessons.make_leaf.not_leaf":
        "你的张量 grad_fn={node}：它是某个运算的结果，所以不是叶子张量。"
        "请在一个不是由运算得到的张量（比如直接用 torch.tensor 创建的张量）上打开 requires_grad。",
    "lessons.make_leaf.no_grad": "你的张量是叶子张量，但 v.requires_grad 是 False：自动求导不会为它计算梯度。",
    "lessons.make_leaf.at_creation":
        "这样也行，但 requires_grad=True 是在创建张量时传入的；这个练习要求你在创建之后再打开它。",
    "lessons.make_leaf.ok": "一个需要梯度的叶子张量（grad_fn 为 None）：backward() 会写入它的 .grad。",
    "lessons.zero_between.title": "只保留一次反向传播的梯度",
    "lessons.zero_between.task":
        "对同一个 w 和 b 做两次前向传播和反向传播，并让第二次反向传播之后 b.grad 等于 1（而不是 2）。返回 b。",
    "lessons.zero_between.hint":
        "第 5 课：AccumulateGrad 会把梯度累加进 b.grad。两次 backward() 之间，b.grad 需要经历一件事，"
        "就像每个训练步开始时那样。",
    "lessons.zero_between.returns": "b",
    "lessons.zero_between.too_few": lambda n: (
        f"backward() 执行了 {_times(n)}；这个练习需要调用两次 backward()，第二次才会在第一次的基础上累加。"),
    "lessons.zero_between.not_leaf": "你返回的 b 不是需要梯度的叶子张量，所以它得不到 .grad。",
    "lessons.zero_between.none":
        "b.grad 是 None：它的梯度在最后一次 backward() 之后被清掉了（或者没有反向传播到达它）。"
        "请在两次调用之间梯度清零。",
    "lessons.zero_between.new_b": lambda grad, n: (
        f"b.grad 是 {grad}，但只有 {n} 次反向传播到达了这个 b：中间创建了一个新的 b（或者某次反向传播跳过了它）。"
        "请保留同一个 b，并在两次调用之间把它的梯度清零。"),
    "lessons.zero_between.added":
        "b.grad 是 {grad}：第二次反向传播把它的 {added} 加到了第一次留下的 {before} 上"
        "（这正是 AccumulateGrad 的工作）。请在两次调用之间把 b.grad 清零。",
    "lessons.zero_between.wrong": "b.grad 是 {grad}，不是 1。对于 z = w * x + b，一次反向传播给 b 的梯度是 1。",
    "lessons.zero_between.ok":
        "b.grad 是 1：两步之间做了梯度清零，所以它只保存一次反向传播的梯度，和每个训练循环一样。",
    "lessons.second_backward.title": "沿同一张计算图反向传播两次",
    "lessons.second_backward.task":
        "只构建一次 z = w * x + b，然后对同一个 z 调用两次 z.backward()（中间不做新的前向传播），且不能抛出错误。"
        "返回 w：它的 .grad 应当是 6。",
    "lessons.second_backward.hint":
        "第 6 课：backward() 会释放计算图节点保存的张量（MulBackward0 保存了 x），除非第一次调用时"
        "让它保留。看看 backward() 的参数。",
    "lessons.second_backward.returns": "w",
    "lessons.second_backward.freed":
        "第一次 backward() 释放了计算图保存的张量（MulBackward0 保存了 x，用来计算 w 的梯度），"
        "所以第二次无法执行。第一次调用必须保留计算图。",
    "lessons.second_backward.too_few": lambda n: (
        f"backward() 执行了 {_times(n)}；这个练习需要对同一个 z 调用两次。"),
    "lessons.second_backward.different":
        "两次 backward() 是从不同的张量开始的：中间重新构建了一个 z。请对同一个 z 调用两次 backward()。",
    "lessons.second_backward.wrong":
        "两次调用都执行了，但 w.grad 是 {grad}，不是 6 = 3 + 3。是不是被清零了，或者你返回了另一个 w？",
    "lessons.second_backward.ok":
        "沿同一张计算图反向传播了两次：第一次调用保留了计算图，w.grad 累加为 3 + 3 = 6。",
    "lessons.fix_inplace.title": "改正对保存的张量的原地修改",
    "lessons.fix_inplace.task":
        "c = b.exp() 保存了 c，下一行又原地修改了 c，所以 backward() 会抛出错误。改写那一行，让 c 仍然乘以 3，"
        "并且 c.sum().backward() 能够运行。返回 a：它的 .grad 应当是 6·e²。",
    "lessons.fix_inplace.hint":
        "第 9 课：ExpBackward0 需要的是保存时的 c。把 c 乘以 3 的结果算成一个新张量，而不是修改保存的那个。",
    "lessons.fix_inplace.returns": "a",
    "lessons.fix_inplace.inplace":
        "ExpBackward0 保存 c 之后，c 仍然被原地修改了（版本从 0 变成 1），所以 backward() 无法使用它。"
        "请改用非原地的乘法。",
    "lessons.fix_inplace.none": "a.grad 是 None：backward() 执行了吗？你返回的是参与计算的那个 a 吗？",
    "lessons.fix_inplace.dropped": "a.grad 是 {grad}：错误没有了，但乘以 3 也没有了。请保留它，改成非原地运算。",
    "lessons.fix_inplace.wrong": "a.grad 是 {grad}，不是 6·e² ≈ 44.33。c 还是 exp(2a) 乘以 3 吗？",
    "lessons.fix_inplace.ok": "a.grad 是 {grad} = 6·e²：乘法得到了一个新张量，ExpBackward0 找到的 c 还是保存时的值。",
    "lessons.rnn_loop.title": "能训练的 RNN 式循环",
    "lessons.rnn_loop.task":
        "这个循环把 h 从这一轮带到下一轮，并且每一轮都调用 backward()，所以第二次 backward() 会抛出错误。"
        "让三轮迭代都能运行，每次 backward() 只经过它自己那一轮。返回 w。",
    "lessons.rnn_loop.hint":
        "第 9 课：新的 h 是在旧的 h 上算出来的，而旧的 h 仍然连着上一轮（已经释放的）计算图。"
        "在每轮迭代开始时，保留 h 的值，但把它从那张计算图上切断。",
    "lessons.rnn_loop.returns": "w",
    "lessons.rnn_loop.freed":
        "第二次 backward() 通过 h 回到了第一轮的计算图里，而第一次 backward() 已经释放了它。"
        "请在每轮迭代中把 h 从旧的计算图上切断。",
    "lessons.rnn_loop.retain":
        "retain_graph=True 能让错误消失，但这样每次 backward() 都会把之前的每一轮再经过一遍（还会把它们的计算图"
        "一直留在内存里）。请改为把 h 从旧的计算图上切断。",
    "lessons.rnn_loop.too_few": lambda n: (
        f"backward() 执行了 {_times(n)}；循环的三轮迭代里应当各调用一次。"),
    "lessons.rnn_loop.wrong":
        "w.grad 是 {grad}：每一轮的 backward() 应当只经过这一轮到达 w。你是不是改动了公式或循环？",
    "lessons.rnn_loop.ok":
        "三轮迭代都运行了：h 保留了它的值，每次 backward() 只经过它自己那一轮，w.grad 把各轮的梯度累加了起来。",
    "lessons.grad_without_storing.title": "求 y 的梯度，但不存进 y.grad",
    "lessons.grad_without_storing.task":
        "已知 y = w * x，z = y * y + b（w=2，x=3，b=1），求出 dz/dy 并返回它，但不要把它存进 y.grad。",
    "lessons.grad_without_storing.hint":
        "第 7 课：torch.autograd 里有一个函数会直接返回梯度，而不是把梯度放进 .grad。"
        "告诉它输出，以及你想求梯度的那个张量。",
    "lessons.grad_without_storing.returns": "这个梯度",
    "lessons.grad_without_storing.tuple_of_one":
        "你返回的是只含一个张量的元组。autograd.grad 对每个输入返回一个梯度，放在元组里：请返回梯度本身。",
    "lessons.grad_without_storing.tuple": "你返回的是含 {n} 项的元组；请返回一个梯度（一个张量）。",
    "lessons.grad_without_storing.not_a_number": "你的梯度是 {value}；这里的 dz/dy 是一个标量。",
    "lessons.grad_without_storing.dz_dw":
        "36 是 dz/dw（= 2*y*x），即叶子张量 w 的梯度。这个练习要的是关于 y 的梯度。",
    "lessons.grad_without_storing.dz_db": "1 是 dz/db，也就是 z 开始时的梯度。dz/dy 是到达 y 的梯度。",
    "lessons.grad_without_storing.wrong": "你的梯度是 {value}。对于 z = y * y + b 且 y = 6，dz/dy = 2 * y。",
    "lessons.grad_without_storing.retain_grad":
        "12 是对的，但 retain_grad() 把它存进了 y.grad。请在不往 y.grad 里存任何东西的情况下得到它。",
    "lessons.grad_without_storing.ok_grad": "12 = 2 * y，由 autograd.grad 返回；y.grad 仍然是 None。",
    "lessons.grad_without_storing.ok_hook": "12 = 2 * y，由 y 上的钩子函数在梯度经过时读出；y.grad 仍然是 None。",
    "lessons.double_with_hook.title": "让梯度翻倍的钩子函数",
    "lessons.double_with_hook.task":
        "已知 y = w * x，z = y + b（w=2，x=3，b=1），在 y 上注册一个钩子函数，让经过 y 反向传播的梯度翻倍："
        "z.backward() 之后 w.grad 是 6 而不是 3。不要修改公式。返回 w。",
    "lessons.double_with_hook.hint":
        "第 7 课：y.register_hook(fn) 会用到达 y 的梯度调用 fn；fn 的返回值（如果不是 None）会代替原梯度继续传递。",
    "lessons.double_with_hook.returns": "w",
    "lessons.double_with_hook.none": "w.grad 是 None：没有反向传播到达 w。",
    "lessons.double_with_hook.set_by_hand":
        "w.grad 是 {grad}，但 backward() 留下的是 {left}：w.grad 是之后被你自己的代码设置的。"
        "这个练习要求在 y 上注册钩子函数，在 backward() 执行时让梯度翻倍。",
    "lessons.double_with_hook.six_without_hook":
        "w.grad 是 6，但没有钩子函数执行：改变的是公式或者反向传播的次数。请保持它们不变，让 y 上的钩子函数来完成。",
    "lessons.double_with_hook.no_hook":
        "w.grad 是 {grad}，而且 backward() 期间没有钩子函数执行。请在调用 z.backward() 之前在 y 上注册钩子函数。",
    "lessons.double_with_hook.on_leaf":
        "你的钩子函数注册在叶子张量（w 或 b）上，而不是 y 上。请把它注册在非叶子张量 y 上，"
        "这样经过 y 反向传播的梯度才会改变。",
    "lessons.double_with_hook.unchanged":
        "y 上的钩子函数执行了，但梯度没有变化（w.grad 是 3）：钩子函数只有返回一个新梯度才能改变梯度。",
    "lessons.double_with_hook.wrong":
        "y 上的钩子函数执行了，但 w.grad 是 {grad}，不是 6：它应当把收到的梯度翻倍。",
    "lessons.double_with_hook.ok": "y 上的钩子函数在梯度回传时把它翻了倍，所以 w.grad = 2 * x = 6。",
    "lessons.train_with_sgd.title": "一个会学习的训练循环",
    "lessons.train_with_sgd.task":
        "用 optim.SGD 训练 w 和 b，使 w * x + b 拟合由 y = 2x + 1 生成的数据：补全循环，让损失下降，"
        "并返回损失值的列表（每步一个数值）。",
    "lessons.train_with_sgd.hint":
        "第 8 课：每一步依次是梯度清零、计算损失、backward()、optimizer.step()。"
        "用 loss.item() 取得一个普通的 Python 数值。",
    "lessons.train_with_sgd.returns": "由数值组成的列表",
    "lessons.train_with_sgd.not_a_list": "你的函数返回了 {value}；它应当返回损失值的列表，每步一个数值。",
    "lessons.train_with_sgd.too_short": lambda n: f"你的列表只有 {n} 个损失值；请在每一步都记录损失。",
    "lessons.train_with_sgd.tensors":
        "你的列表里是张量（{value}），不是数值：请保存 loss.item()（一个普通的 Python 数值）。"
        "（损失张量还会让整张计算图一直留在内存里。）",
    "lessons.train_with_sgd.not_numbers": "你的列表里是 {value}；请保存普通的数值（loss.item()）。",
    "lessons.train_with_sgd.not_finite":
        "损失变成了 inf 或 nan：参数更新的步长过大，训练发散了。先检查梯度清零，再检查学习率。",
    "lessons.train_with_sgd.never_cleared":
        "梯度从来没有清零：{n} 步里每一步都把梯度加到了之前所有的梯度上，损失从 {first} 变成了 {last}。"
        "请在每一步都梯度清零。",
    "lessons.train_with_sgd.cleared_before_step":
        "损失没有下降（{first} -> {last}）：梯度在 backward() 之后、optimizer.step() 使用之前就被清零了，"
        "所以 step() 找不到梯度，什么也没改变。请在每一步开始时（或 step() 之后）清零，"
        "而不是在 backward() 和 step() 之间。",
    "lessons.train_with_sgd.cleared_sometimes": lambda zeros, n: (
        f"{n} 步里梯度只清零了 {_times(zeros)}；请在每一步都梯度清零。"),
    "lessons.train_with_sgd.no_step":
        "损失没有下降（{first} -> {last}），而且没有参数发生变化：请在每一步 backward() 之后调用 optimizer.step()。",
    "lessons.train_with_sgd.flat":
        "损失没有下降（{first} -> {last}）。检查学习率，以及损失是否由优化器持有的参数计算出来。",
    "lessons.train_with_sgd.more_steps":
        "损失在下降（{first} -> {last}），但仍高于 0.05：请多训练几步。",
    "lessons.train_with_sgd.ok": "{n} 步之内，损失从 {first} 降到了 {last}。",
    "lessons.predict.label": "预测：",
    "lessons.predict.placeholder": "你的预测",
    "lessons.predict.choose": "请选择…",
    "lessons.predict.check": "检查",
    "lessons.predict.hint_button": "提示",
    "lessons.predict.show": "显示答案",
    "lessons.predict.type_choice": "请从选项中选一个。",
    "lessons.predict.type_yes_no": "请回答“是”或“否”（yes 或 no）。",
    "lessons.predict.type_number": "请输入一个数值（用阿拉伯数字，可以带小数点）。",
    "lessons.predict.type_name": "请输入一个名字，写法和图中一样。",
    "lessons.predict.empty": "请先输入你的预测。{what}",
    "lessons.predict.unreadable": lambda text, what: f"无法把{_quoted(text)}当作答案。{what}",
    "lessons.predict.right": "对了！{explain}",
    "lessons.predict.wrong": lambda specific, more: _tidy(f"还不太对。{specific} {more}"),
    "lessons.predict.try_again": "再试一次。",
    "lessons.predict.try_more": "再试一次，或者看看提示，或者点击“显示答案”。",
    "lessons.predict.after_yes": "✓ 是的。{explain}",
    "lessons.predict.after_shown": "答案已在上方显示。{explain}",
    "lessons.predict.shown": "答案：{answer}。{explain}",
    "lessons.predict.answer_raises": "是，会抛出错误",
    "lessons.predict.answer_runs": "否，能正常运行",
    "lessons.predict.hint": "提示：{hint}",
    "lessons.predict.no_hint": "这道题没有提示：看看播放器当前这一帧。",
    "lessons.predict.needs_trace": "reveal=(kind, name, n) 指的是一段记录里的事件：请传入它，Predict(..., trace=t)",
    "lessons.predict.no_event": lambda seen, kind, name, nth: _mix(
        "这段记录里" + (f"关于{_quoted(name)}的" if name else "") + f"{kind} 事件有 {seen} 个，没有第 {nth} 个"),
    "lessons.predict.unknown_question": "没有名为 {qid!r} 的预测题；现有的预测题是：{known}",
    # 课程里的预测题（lessons/questions.py）：答案不写在笔记本里
    "predict.01.x_grad.question": "y.backward() 之后，x.grad 是什么？（x 创建时没有设置 requires_grad）",
    "predict.01.x_grad.choice.none": "None",
    "predict.01.x_grad.choice.two": "tensor(2.)",
    "predict.01.x_grad.choice.three": "tensor(3.)",
    "predict.01.x_grad.wrong.two": "2 是 dy/dx，也就是 w 的值。可是反向传播会计算它吗？",
    "predict.01.x_grad.hint": "看看 x 是怎么创建的。backward() 会为哪些张量计算梯度？",
    "predict.01.x_grad.explain":
        "x 没有要求梯度，所以反向传播根本不会为它计算梯度：x.grad 仍然是 None。"
        "w.grad 是 3，也就是 x 的值。",
    "predict.03.y_is_leaf.question": "y = w * x 是叶子张量吗？（y.is_leaf 会打印什么？）",
    "predict.03.y_is_leaf.choice.true": "True",
    "predict.03.y_is_leaf.choice.false": "False",
    "predict.03.y_is_leaf.hint":
        "叶子张量是你自己创建的张量。对需要梯度的张量做运算得到的结果会带上 grad_fn。y 是怎么来的？",
    "predict.03.y_is_leaf.explain":
        "y 是对 w 做运算的结果，而 w 需要梯度，所以 y 有 grad_fn（MulBackward0），不是叶子张量。",
    "predict.04.first_node.question": "z.backward() 开始了。哪个节点最先执行？",
    "predict.04.first_node.choice.mul": "MulBackward0",
    "predict.04.first_node.choice.add": "AddBackward0",
    "predict.04.first_node.choice.acc": "AccumulateGrad",
    "predict.04.first_node.wrong.mul": "MulBackward0 产生了 y，是第一个运算。反向传播的方向正好相反。",
    "predict.04.first_node.hint": "backward() 从调用它的那个张量出发，从输出往输入方向走。z 的 grad_fn 是哪个节点？",
    "predict.04.first_node.explain":
        "反向传播从 z.grad_fn 开始，也就是最后一个运算（z = y + b）的节点：AddBackward0。"
        "它把 1 传给它的每个输入。",
    "predict.05.next_node.question": "AddBackward0 刚刚执行完。下一个执行的是哪个节点？",
    "predict.05.next_node.choice.mul": "MulBackward0",
    "predict.05.next_node.choice.acc_b": "b 的 AccumulateGrad",
    "predict.05.next_node.choice.acc_w": "w 的 AccumulateGrad",
    "predict.05.next_node.wrong.acc_w": "w 的 AccumulateGrad 要从 MulBackward0 拿到梯度，而 MulBackward0 还没有执行。",
    "predict.05.next_node.hint":
        "只有刚从 AddBackward0 收到梯度的节点（它的 next_functions）才已就绪。"
        "有不止一个节点就绪时，引擎是按前向传播的顺序来执行的吗？",
    "predict.05.next_node.explain":
        "MulBackward0 和 b 的 AccumulateGrad 都已就绪；引擎优先执行 AccumulateGrad 节点，"
        "所以在 MulBackward0 把 3 传向 w 之前，b.grad 就变成了 1。",
    "predict.05.mul_sends.question":
        "AddBackward0 把 1 传给 MulBackward0（y = w * x，其中 w = 2，x = 3）。"
        "MulBackward0 传给 w 的 AccumulateGrad 的是多少？",
    "predict.05.mul_sends.wrong.1":
        "1 是 MulBackward0 收到的梯度。乘法不会原样传下去：它要乘上 w * x 对 w 的导数。",
    "predict.05.mul_sends.wrong.2": "2 是 w 本身。w * x 对 w 的导数是 x，而不是 w。",
    "predict.05.mul_sends.wrong.6":
        "6 是 y = w * x，是前向传播的值。反向传播传的是梯度：收到的梯度乘以 w * x 对 w 的导数。",
    "predict.05.mul_sends.hint": "w * x 对 w 的导数是 x。用它乘以 MulBackward0 收到的梯度。",
    "predict.05.mul_sends.explain":
        "MulBackward0 把收到的梯度 1 乘以它对 w 的局部导数，也就是 x = 3：它传出 3。"
        "播放器的这一步写出了它用的公式，并代入了这次运行的数值。",
    "predict.05.twice.question": "第一次反向传播之后，w.grad 是 3。第二次反向传播之后，w.grad 是多少？",
    "predict.05.twice.wrong.3": "3 是一次反向传播得到的梯度。AccumulateGrad 拿到第二个 3 时会怎么做？",
    "predict.05.twice.wrong.9": "第二次反向传播算出的梯度和第一次一样，是 3，而不是 6。",
    "predict.05.twice.hint": "看 AccumulateGrad 往 w.grad 里累加的那一帧：它显示“原来的值 + 新加的值 = 结果”。",
    "predict.05.twice.explain": "AccumulateGrad 把新的 3 加到 w.grad 里已有的 3 上：3 + 3 = 6（b.grad 则是 1 + 1 = 2）。",
    "predict.06.second_backward.question": "z.backward() 已经执行过一次。第二次 z.backward() 会抛出错误吗？",
    "predict.06.second_backward.choice.yes": "是，会抛出错误",
    "predict.06.second_backward.choice.no": "否，能正常运行",
    "predict.06.second_backward.hint": "看第一次反向传播中 MulBackward0 执行之后的那几帧：它保存的张量怎么样了？",
    "predict.06.second_backward.explain":
        "第一次反向传播释放了 MulBackward0 保存的张量（x），所以第二次无法计算 w 的梯度，"
        "会抛出 RuntimeError：“Trying to backward through the graph a second time”。",
    "predict.09.inplace.question": "c = a.exp() 保存了它的结果 c；随后 c.mul_(3) 原地修改了 c。c.backward() 会怎样？",
    "predict.09.inplace.choice.none": "能正常运行，算出 a.grad",
    "predict.09.inplace.choice.version": "抛出错误：保存的张量被原地运算修改了",
    "predict.09.inplace.choice.freed": "抛出错误：计算图已经被释放（第二次反向传播）",
    "predict.09.inplace.wrong.none": "ExpBackward0 要用它保存的张量来计算梯度。这个张量还是保存时的那个值吗？",
    "predict.09.inplace.wrong.freed": "这是第一次反向传播，还没有释放任何东西。是什么改变了 c？",
    "predict.09.inplace.hint": "看 c.mul_(3) 那一帧：它修改的是哪个张量？是谁保存了这个张量？",
    "predict.09.inplace.explain": ("ExpBackward0 保存 c 时它的版本是 0；c.mul_(3) 让它变成了版本 1。反向传播会检查"
                                   "版本，于是抛出 RuntimeError：“one of the variables needed for gradient "
                                   "computation has been modified by an inplace operation”。"),
    "predict.07.hook.question": "y 上的钩子函数返回 g * 2。z.backward() 之后，w.grad 是多少？",
    "predict.07.hook.wrong.3": "3 是没有钩子函数时的 w.grad。继续传递的是钩子函数的返回值。",
    "predict.07.hook.wrong.2": "2 是钩子函数传给 MulBackward0 的梯度。MulBackward0 会拿它做什么？",
    "predict.07.hook.hint":
        "沿着梯度从 z 往下走到 w，分三步想：到达 y 的梯度是多少，钩子函数把它变成了多少，"
        "MulBackward0 又把它乘以多少？",
    "predict.07.hook.explain":
        "到达 y 的梯度是 1；钩子函数改为传出 2，MulBackward0 再把它乘以 x = 3：w.grad = 6。"
        "b.grad 仍然是 1（钩子函数只在 y 这条路径上）。",
    "predict.ex01.how_many.question": "z.backward() 之后，w、x、b、y、z 中有几个张量的 .grad 不是 None？",
    "predict.ex01.how_many.wrong.5": "梯度会经过 y 和 z，但只有叶子张量会保留梯度。",
    "predict.ex01.how_many.wrong.3": "x 是叶子张量，可是它要求梯度了吗？",
    "predict.ex01.how_many.wrong.4": "y 和 z 不是叶子张量：它们的梯度不会被保留。",
    "predict.ex01.how_many.hint": "对这五个张量逐个问两个问题：它是叶子张量吗？它要求梯度了吗？",
    "predict.ex01.how_many.explain": "只有需要梯度的叶子张量才有：w（3）和 b（1）。x 没有要求梯度；y 和 z 不是叶子张量。",
    # 教师用的答案表（solutions/predict_answers.md）
    "predict.sheet.title": "课程预测题：答案",
    "predict.sheet.intro":
        "供教师使用。每课的预测单元格只写题目编号（例如 `Predict(\"05.twice\", trace=t)`）；"
        "答案放在 `autograd_lab/lessons/questions.py` 和文字目录里，学生在笔记本里看不到。",
    "predict.sheet.answer": "答案：",
    "predict.sheet.hint": "提示：",
    "predict.sheet.explain": "解释：",
    "lessons.parity.skipped":
        "这里没有安装 PyTorch，所以跳过这个对照（课程代码已经在上面用 autograd_lab 运行过了）。"
        "执行 `pip install torch` 之后，这个单元格会把两者并排显示。",
    "lessons.parity.same": "autograd_lab 和 PyTorch {version} 打印的 {n} 行全部相同。",
    "lessons.parity.differ": "autograd_lab 和 PyTorch {version} 打印的 {n} 行中有 {bad} 行不同。",
    "lessons.parity.row_same": "相同",
    "lessons.parity.row_differs": "不同",
    "lessons.parity.watch": "在真正的 PyTorch {version} 中观看：同样的代码，由 torch 自己的自动求导引擎记录。",
    "lessons.order.first_cell":
        "“{name}”是由 autograd_lab 课程的第一个单元格（{line}）创建的，而这个单元格还没有在当前内核中运行。"
        "请先运行那个单元格（点击它，然后按 Shift+Enter），或者从头运行整个笔记本（Run ▸ Run All Cells）。",
    "lessons.order.earlier_cell":
        "这个单元格用到了“{name}”，它由本笔记本前面的某个单元格创建。请先运行上面的单元格"
        "（Run ▸ Run All Above Selected Cell），或者从头运行整个笔记本（Run ▸ Run All Cells）。"
        "如果前面没有单元格创建“{name}”，请检查拼写。",

    # -- 演练场 ---------------------------------------------------------------------------
    "playground.run": "运行",
    "playground.examples": "加载示例…",
    "playground.line": "第 {line} 行",
    "playground.rejected_at": "第 {line} 行：{message}",
    "playground.no_player": "播放器无法加载（{error}）；程序记录了 {n} 个事件。",
    "playground.error_hint.not_scalar":
        "backward() 要从标量开始，而这个张量有多个值：先调用 `.sum()`，例如 `y.sum().backward()`；"
        "或者传入起始梯度，例如 `y.backward(gradient=ones_like(y))`。",
    "playground.not_str": "run() 接受字符串形式的程序，而不是 {type}",
    "playground.too_long": "程序有 {n:,} 个字符；演练场只运行不超过 {limit:,} 个字符的程序",
    "playground.syntax": "语法错误：{msg}",
    "playground.unreadable": "Python 无法读懂这段程序（{error}）",
    "playground.nested": "嵌套超过了 {limit} 层；请拆成几行",
    "playground.unavailable": lambda what: _mix(f"{what}在演练场里不可用。"),
    "playground.construct.Import": "`import`",
    "playground.construct.ImportFrom": "`from ... import`",
    "playground.construct.FunctionDef": "用 `def` 定义函数",
    "playground.construct.AsyncFunctionDef": "定义函数",
    "playground.construct.ClassDef": "定义类",
    "playground.construct.While": "`while` 循环",
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
    "playground.construct.AnnAssign": "带类型注解的赋值",
    "playground.construct.ListComp": "列表推导式",
    "playground.construct.SetComp": "集合推导式",
    "playground.construct.DictComp": "字典推导式",
    "playground.construct.GeneratorExp": "生成器表达式",
    "playground.construct.Dict": "字典",
    "playground.construct.Set": "集合",
    "playground.construct.Starred": "`*` 解包",
    "playground.construct.NamedExpr": "`:=`",
    "playground.construct.IfExp": "`... if ... else ...` 表达式",
    "playground.construct.Yield": "`yield`",
    "playground.construct.YieldFrom": "`yield from`",
    "playground.construct.Await": "`await`",
    "playground.construct.Slice": "切片（如 `a[1:3]`）",
    "playground.construct.Lambda": "register_hook() 之外的 lambda",
    "playground.construct.JoinedStr": "print() 之外的 f-string",
    "playground.construct.other": "`{name}`",
    "playground.construct.item_assign": "给元素赋值（`a[0] = ...`）",
    "playground.construct.for_else": "`for ... else`",
    "playground.construct.kwargs": "`**` 解包",
    "playground.construct.value": "值 `{value}`",
    "playground.name.private_bind":
        "`{name}`：演练场里以下划线开头的名字是私有的；请换一个名字，例如 `w` 或 `loss`",
    "playground.name.ascii": "`{name}`：名字只能用 ASCII 字母、数字和 _",
    "playground.name.toolbox": "`{name}` 是演练场工具箱的一部分，不能被替换；请换一个名字",
    "playground.name.toolbox_attr": "`{name}` 是演练场工具箱的一部分，不能被修改",
    "playground.name.dunder": "`{name}`：带双下划线的名字是 Python 的内部机制，演练场里不能使用。",
    "playground.name.private": "`{name}`：以下划线开头的名字是私有的，演练场里不能使用",
    "playground.name.not_defined": "`{name}` 没有定义：先给它赋值，例如 `{name} = tensor(1.0)`。",
    "playground.name.did_you_mean": "`{name}` 没有定义。你是不是想写 `{suggestion}`？",
    "playground.attr.dunder": "`.{name}`：带双下划线的名字是 Python 的内部机制，演练场里不能使用。",
    "playground.attr.private": "`.{name}`：以下划线开头的名字是私有的；唯一可用的是 grad_fn 的 `_saved_*` 属性",
    "playground.attr.unavailable": "演练场里不能使用 `.{name}`。",
    "playground.attr.did_you_mean": "演练场里不能使用 `.{name}`。你是不是想写 `.{suggestion}`？",
    "playground.module.unavailable": "演练场里不能使用 `{module}.{name}`。",
    "playground.module.did_you_mean": "演练场里不能使用 `{module}.{name}`。你是不是想写 `{module}.{suggestion}`？",
    "playground.attr.not_settable": "演练场里不能给 `.{name}` 赋值；张量上可以设置的是 {settable}",
    "playground.kw.private": "`{name}=`：以下划线开头的名字是私有的",
    "playground.string_statement": "字符串只能打印，例如 `print(\"text\")`",
    "playground.string_value": "字符串只能打印，例如 `print(\"loss\", loss)`",
    "playground.import.module": "演练场里不能使用 `{code}`：只能导入 `torch`（或 `autograd_lab`）及其 `autograd`、`nn`、`nn.functional` 和 `optim`。",
    "playground.import.what":
        "可以写 `import torch`、`import torch.nn as nn`、`import torch.nn.functional as F`、`from torch import nn, optim` "
        "和 `from torch.autograd import grad`（其实也不需要：`tensor`、`zeros`、`ones`、`autograd`、`optim`、`nn` 和 `no_grad` 已经在了）。",
    "playground.import.star": "演练场里不能使用 `from {module} import *`：请写出你要用的名字，例如 `from torch import tensor, zeros`。",
    "playground.import.name": "`from {module} import {name}`：演练场里的 {module} 没有 `{name}`。",
    "playground.import.did_you_mean": "你是不是想写 `{suggestion}`？",
    "playground.import.rebound": "`{name}` 指的是 {path}（第 {line} 行导入的）；请给你的变量换一个名字",
    "playground.import.clash": "`{name}` 已经是演练场里的一个名字，不能再指 {path}；请用另一个名字导入 {path}",
    "playground.import.nested": "导入语句要写在程序的最前面，不能写在 `if` 或 `for` 里面",
    "playground.more": "（示例菜单里可以看到演练场能运行的代码。）",
    "playground.unpack_names": "请解包到普通的名字，例如 `a, b = ...`",
    "playground.for_range": "`for` 循环只能遍历 range()，例如 `for i in range(10):`",
    "playground.loop_var": "循环变量必须是一个普通的名字，例如 `for i in range(10):`",
    "playground.loop_too_long": "这个循环有 {steps:,} 步；演练场里的循环最多 {limit} 步",
    "playground.with_only": "`with` 只能写成 `with no_grad():` 或 `with enable_grad():`",
    "playground.operator":
        "演练场里不能使用 `{op}` 运算符；可以使用 + - * / // % ** @、比较运算符，以及 and、or、not",
    "playground.number_size": "演练场里数值的绝对值不能超过 {limit:.0e}",
    "playground.number_larger": "演练场里数值的绝对值不能超过 {limit:.0e}；这个数值更大",
    "playground.print_call": "print 只能被调用，例如 `print(w.grad)`",
    "playground.range_for": "range() 只能用在 `for i in range(n):` 里",
    "playground.print_args": "print() 接受要打印的值，以及值为普通字符串的 `sep=\"...\"` 或 `end=\"...\"`；不支持其他参数",
    "playground.fstring_format": "f-string 里请使用简单的格式，例如 `{loss:.3f}` 或 `{x:8.2f}`（宽度最多 99）",
    "playground.lambda_params": "钩子函数的 lambda 只接受普通参数，例如 `lambda g: g * 2`",
    "playground.hook_lambda": "这里 register_hook 接受一个 lambda，例如 `w.register_hook(lambda g: g * 2)`",
    "playground.allowed": lambda functions: (
        "演练场可以运行：赋值、数值、数值的列表、+ - * / // % ** @ 和比较运算，"
        + functions.replace(", ", "、") + "、`with no_grad():`、"
        "张量和 grad_fn 节点的方法与属性、print()、`if`、作为钩子函数的 lambda，以及 `for i in range(n):`。"),
    "playground.offers": lambda parts: f"在演练场里，{parts.replace('; ', '；')}。",
    "playground.offers.torch": "torch（或 lab）提供 {functions}",
    "playground.offers.kind": lambda kind, members: _mix(f"{kind}提供 {members}"),
    "playground.kind.tensor": "张量",
    "playground.kind.grad_fn node": "grad_fn 节点",
    "playground.kind.hook handle": "钩子句柄",
    "playground.kind.optimizer": "优化器",
    "playground.kind.module": "模块",
    "playground.limit.seconds": "程序运行超过了 {limit:g} 秒；请把循环改短一些",
    "playground.limit.operations": "程序对张量做了超过 {limit} 次运算；请把程序改小一些",
    "playground.limit.events": "记录里的事件超过了 {limit:,} 个；请把程序改小一些",
    "playground.limit.statements": "程序执行了超过 {limit:,} 条语句；请把循环改短一些",
    "playground.limit.printed": "程序打印了超过 {limit:,} 个字符；请少打印一些",
    "playground.limit.hook_depth": "钩子函数里又触发钩子函数，嵌套超过了 {limit} 层（是不是有钩子函数调用了 backward()？）",
    "playground.limit.list_depth": "列表最多只能嵌套 {limit} 层",
    "playground.limit.numbers": "一个张量或列表最多只能有 {limit:,} 个元素",
    "playground.limit.layers": "一个模型最多只能运行 {limit} 层（同一层每用一次都算一层）；这个模型会运行更多层",
    "playground.limit.dims": lambda limit, what, n: _mix(f"张量最多只能有 {limit} 个维度；{what}会有 {n} 个"),
    "playground.limit.size": lambda limit, what, shape: _mix(f"张量最多只能有 {limit:,} 个元素；{what}的形状会是 {shape}"),
    "playground.limit.matmul": "张量最多只能有 {limit:,} 个元素；{a} @ {b} 会有 {size:,} 个",
    "playground.limit.exponent": "指数最大为 {limit:g}，这里是 {exponent:g}",
    "playground.what.this_tensor": "这个张量",
    "playground.what.this_one": "这个",
    "playground.what.weight": "这一层的权重",
    "playground.what.broadcast": "{a} 与 {b} 广播",
    "playground.run.node_unavailable": "演练场里不能使用 {node}",
    "playground.run.assignment": "演练场里不能使用这种赋值",
    "playground.run.cannot_set": lambda name, value: _mix(f"不能在{value}上设置 `.{name}`"),
    "playground.run.ns_member": "演练场里不能使用 `{module}.{name}`；{module} 提供 {members}",
    "playground.run.has_no_attr": lambda value, name: _mix(f"演练场里，{value}没有 `.{name}`。"),
    "playground.run.has_no_attr_did_you_mean": lambda value, name, suggestion: _mix(
        f"演练场里，{value}没有 `.{name}`。你是不是想写 `.{suggestion}`？"),
    "playground.run.indexing": lambda value: _mix(f"用 [...] 取下标只适用于列表、元组和张量，不适用于{value}"),
    "playground.run.index_whole": "下标必须是整数，例如 `next_functions[0][0]`",
    "playground.run.node_call": "演练场里不能调用 grad_fn 节点；请用 backward() 或 autograd.grad() 运行反向传播",
    "playground.run.not_callable": lambda value: _mix(f"演练场里不能调用{value}"),
    "playground.run.arithmetic": lambda value: _mix(f"算术运算只适用于数值和张量，不适用于{value}；请先用 tensor(...) 把列表包起来"),
    "playground.value.kind": lambda kind: kind,
    "playground.value.bool": "布尔值",
    "playground.value.number": "数值",
    "playground.value.list": "列表",
    "playground.value.tuple": "元组",
    "playground.value.string": "字符串",
    "playground.value.dict": "字典",
    "playground.value.array": "numpy 数组",

    # -- keys that appeared on main while this catalogue was written (big-graph summaries) --------
    "player.legend.attach": "张量及其 grad_fn / AccumulateGrad",
    "step.fn_of": "{fn}（即 {tensor}.grad_fn）",
    "step.op.next_many": "{n} 个节点",
    "step.node.runs_many": "{name} 执行：它收到 {grad}，把梯度传给 {n} 个节点（图中可以看到它们）。",
    "step.backward.done_many": "backward() 结束：{n} 个梯度到达；绝对值最大的是 {name}.grad，为 {value}（其余的见表格）。",
    "step.grad.done_many": ("autograd.grad 结束：返回 {n} 个梯度；绝对值最大的是关于 {name} 的梯度，为 {value}"
                            "（其余的见表格）。所有叶子张量的 .grad 都没有改变。"),
    "step.group.iteration": "{lines}（第 {i} 次，共 {n} 次）",
    "step.group.line": "第 {line} 行",
    "step.group.line_range": "第 {first}–{last} 行",
    "name.module_output": "{module} 的输出",
    "step.group.lines": "{lines}",
    "step.group.named": "{name} ×{n}",
    "step.group.no_line": "没有对应源代码行的代码",
    "step.group.series": "{lines} ×{n}",
    "step.summary.backward": lambda where, nodes, grads, value, name: (
        f"{where}：{nodes} 个节点执行，{grads} 个梯度到达；绝对值最大的是 {name} 处的 {value}（其余的见表格）。"),
    "step.summary.count": lambda name, n: name if n == 1 else f"{n} × {name}",
    "step.summary.forward": lambda where, ops, fns: f"{where}：{ops} 个运算记录了它们的 grad_fn 节点（{fns}）。",
    "step.summary.ran": lambda where, nodes: f"{where}：{nodes} 个节点执行了。",
    "step.summary.steps": lambda where, n: f"{where}：共 {n} 步。",
    "step.summary.tensors": lambda where, n: f"{where}：出现了 {n} 个张量（表格里列出了它们）。",
    "step.summary.these_steps": "第 {first} 步到第 {last} 步",
    # 节点这一步的链式法则（view/chain.py）：每个输入的公式，先用学生的名字，再代入数值
    "step.chain.step": lambda step, rules: f"{step}按链式法则：{_RULE_SEP.sub('；', rules)}。",
    "step.chain.rule": "给 {to}：{formula} = {numbers} = {result}",
    "step.chain.rule_formula": "给 {to}：{formula} = {result}",
    "step.chain.rule_shapes": "给 {to}：{formula} → {shape}",
    "step.chain.summed": "{rule}，再按 {to} 的形状 {shape} 求和（它被广播过）",
    "step.chain.more": "另外 {n} 个",
    "step.more_items": "另外 {n} 个",
    "step.chain.unknown": "{step}（autograd_lab 的公式表里没有 {node} 的链式法则公式。）",
}

_RULE_SEP = re.compile(r"\s?[、和]\s?(?=给 |另外 )")  # step.chain.step's clauses: one after another, with semicolons
