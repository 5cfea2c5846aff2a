"""The five most-asked autograd errors, explained on the graph (view/explain.py): the last step of the
player names the culprit by the student's variable, the line that caused it (not only the line that
raised) and the fix, in English and Chinese, and highlights the culprit in the scene; for the core and
for real torch recorded by ``lab.trace()`` (``import torch`` inside the traced program)."""
from __future__ import annotations

import json
import linecache

import pytest
import torch  # noqa: F401  (imported: lab.trace() records real torch too)

import autograd_lab as lab
from autograd_lab.narration import text
from autograd_lab.view.graph import build
from autograd_lab.view.scene import scene

CORE, TORCH = "import autograd_lab as torch\n", "import torch\n"


def run(program: str, first_line: str):
    """The trace of ``program`` (after ``first_line``, which chooses the core or real torch), its lines
    readable as a file's: line 1 is the import, the program's first line is line 2."""
    src = first_line + program
    name = f"<errors {abs(hash(src))}>"
    linecache.cache[name] = (len(src), None, src.splitlines(True), name)
    ns: dict = {}
    with lab.trace(catch_errors=True, namespace=ns) as t:
        exec(compile(src, name, "exec"), ns)
    assert t.error is not None, "the program must raise"
    return t


# program -> (message id, [words the English sentence has], [the Chinese one's], the culprits: (kind, label) of
# the scene's nodes the last step must highlight)
CASES = {
    "version": ("a = torch.tensor([1.0, 2.0], requires_grad=True)\n"
                "b = a * 2\n"
                "c = b.exp()\n"
                "c.mul_(3)\n"
                "c.sum().backward()\n",
                "step.explain.version",
                ["c was saved by ExpBackward0 (line 4: c = b.exp())", "changed in place by line 5: c.mul_(3)",
                 "version 0 → 1", "Fix: compute it out of place (c = c.mul(3)), or change a clone() of it."],
                ["第 4 行（c = b.exp()）创建的 ExpBackward0 为反向传播保存了 c", "之后第 5 行（c.mul_(3)）又原地修改了它",
                 "版本 0 → 1", "改用非原地运算（c = c.mul(3)）", "clone()"],
                [("tensor", "c"), ("op", "MulBackward0"), ("op", "ExpBackward0")]),
    "version of an input": ("x = torch.tensor(2.0, requires_grad=True)\n"
                            "y = x * 1\n"
                            "z = y * y\n"
                            "y += 1\n"
                            "z.backward()\n",
                            "step.explain.version",
                            ["y was saved by MulBackward0 (line 4: z = y * y)", "line 5: y += 1", "(y = y + 1)"],
                            ["第 4 行（z = y * y）创建的 MulBackward0 为反向传播保存了 y", "之后第 5 行（y += 1）",
                             "（y = y + 1）"],
                            [("tensor", "y"), ("op", "AddBackward0")]),
    "freed": ("w = torch.tensor(2.0, requires_grad=True)\n"
              "z = w * w\n"
              "z.backward()\n"
              "z.backward()\n",
              "step.explain.freed",
              ["MulBackward0 (z.grad_fn), made at line 3: z = w * w, freed", "the earlier backward() at line 4: z.backward()",
               "Fix: keep them in that call: z.backward(retain_graph=True)."],
              ["第 3 行（z = w * w）创建的 MulBackward0（即 z.grad_fn），它保存的张量", "之前第 4 行（z.backward()）的 backward() 里释放",
               "z.backward(retain_graph=True)"],
              [("op", "MulBackward0")]),
    "freed in a loop": ("w = torch.tensor(0.5, requires_grad=True)\n"
                        "h = torch.zeros(1)\n"
                        "for x in [1.0, 2.0]:\n"
                        "    h = torch.tanh(w * h + x)\n"
                        "    h.sum().backward()\n",
                        "step.explain.freed_loop",
                        ["comes from an earlier iteration", "the backward() at line 6: h.sum().backward()",
                         "line 5: h = torch.tanh(w * h + x) builds on it", "Fix: detach it each iteration: "
                         "h = h.detach()."],
                        ["来自之前的一轮迭代", "第 6 行（h.sum().backward()）的 backward()", "TanhBackward0",
                         "而第 5 行（h = torch.tanh(w * h + x)）又在它上面继续计算", "h = h.detach()"],
                        [("tensor", "h #2"), ("op", "TanhBackward0")]),
    "no grad_fn: no leaf requires grad": ("x = torch.tensor([1.0, 2.0])\n"
                                          "y = (x * 2).sum()\n"
                                          "y.backward()\n",
                                          "step.explain.no_grad_fn.leaves",
                                          ["y has no grad_fn", "(x; x is made at line 2: x = torch.tensor([1.0, 2.0]))",
                                           "Fix: create x with requires_grad=True."],
                                          ["y 没有 grad_fn", "x 创建于第 2 行（x = torch.tensor([1.0, 2.0])）",
                                           "创建 x 时传入 requires_grad=True"],
                                          [("tensor", "x"), ("tensor", "y")]),
    "no grad_fn: no_grad()": ("w = torch.tensor(2.0, requires_grad=True)\n"
                              "with torch.no_grad():\n"
                              "    y = w * 3\n"
                              "y.backward()\n",
                              "step.explain.no_grad_fn.grad_mode_off",
                              ["y has no grad_fn: line 4: y = w * 3 ran with grad mode off", "though w requires grad",
                               "Fix: compute it outside the no_grad() block."],
                              ["y 没有 grad_fn：第 4 行（y = w * 3）运行时梯度模式是关闭的", "虽然 w 需要梯度",
                               "在 no_grad() 块外面计算它"],
                              [("const", "mul"), ("tensor", "y")]),
    "no grad_fn: detach()": ("w = torch.tensor(2.0, requires_grad=True)\n"
                             "y = (w * 3).detach()\n"
                             "z = y * 2\n"
                             "z.backward()\n",
                             "step.explain.no_grad_fn.detached",
                             ["z has no grad_fn: it comes from the detach() at line 3: y = (w * 3).detach()",
                              "Fix: compute it from the tensor before detach()."],
                             ["z 没有 grad_fn：它来自第 3 行（y = (w * 3).detach()）的 detach()",
                              "用 detach() 之前的张量来计算"],
                             [("tensor", "y"), ("tensor", "z")]),
    "not a scalar": ("w = torch.tensor([1.0, 2.0], requires_grad=True)\n"
                     "z = w * 2\n"
                     "z.backward()\n",
                     "step.explain.not_scalar",
                     ["z (line 3: z = w * 2) has shape torch.Size([2])", "z.sum().backward() or .mean()",
                      "z.backward(gradient=torch.ones_like(z))"],
                     ["第 3 行（z = w * 2）创建的 z 的形状是 torch.Size([2])", "z.sum().backward() 或 .mean()",
                      "z.backward(gradient=torch.ones_like(z))"],
                     [("tensor", "z")]),
    "leaf in place": ("w = torch.tensor([1.0, 2.0], requires_grad=True)\n"
                      "w -= 0.1\n",
                      "step.explain.leaf_inplace",
                      ["w is a leaf that requires grad (line 2: w = torch.tensor([1.0, 2.0], requires_grad=True))",
                       "line 3: w -= 0.1 changes it in place", "with torch.no_grad(): w -= 0.1"],
                      ["第 2 行（w = torch.tensor([1.0, 2.0], requires_grad=True)）创建的 w 是需要梯度的叶子张量",
                       "第 3 行（w -= 0.1）却原地修改了它", "with torch.no_grad(): w -= 0.1"],
                      [("tensor", "w")]),
}


@pytest.mark.parametrize("first_line", [CORE, TORCH], ids=["core", "torch"])
@pytest.mark.parametrize("case", list(CASES))
def test_the_last_step_names_the_culprit_the_causing_line_and_the_fix(case, first_line):
    program, msg_id, en_words, zh_words, culprits = CASES[case]
    t = run(program, first_line)
    for lang, words in (("en", en_words), ("zh", zh_words)):
        g = build(t, lang=lang)
        last = g.steps[-1]
        assert last.kind == "error" and last.error and last.message.id == "step.error.explained"
        why = last.message.params["why"]
        assert why.id == msg_id
        said = text(why, lang)
        assert [w for w in words if w not in said] == [], said
        assert len(said) <= 320, (len(said), said)
        assert last.text.startswith(said) and str(t.error) in last.text  # then PyTorch's message, verbatim
        # the culprits are highlighted in the scene the front end draws, and tagged or marked in its picture
        sc = scene(g, t, lang=lang)
        step = sc["steps"][-1]
        nodes = {n["k"]: n for n in sc["nodes"]}
        lit = {(nodes[k]["kind"], nodes[k]["label"]) for k in step["active"] if k in nodes}
        assert [c for c in culprits if c not in lit] == [], (lit, step["active"])
        fields = sc["fields"]
        for k in step["active"]:
            if k in nodes:
                state = dict(zip(fields["tensor" if nodes[k]["kind"] == "tensor" else "box"], step["changes"][k]))
                assert state["status"] in ("active", "error"), (k, state)


def test_the_version_error_tags_the_saved_value_and_the_changed_one_with_their_versions():
    t = run(CASES["version"][0], TORCH)
    for lang, saved, now in (("en", "saved at version 0", "now version 1"), ("zh", "保存时版本 0", "现在版本 1")):
        g = build(t, lang=lang)
        last = g.steps[-1]
        tags = {g.nodes[k].label + ":" + k: g.state_at(last.index)[k].tag for k in last.active
                if g.nodes[k].kind == "tensor"}
        assert sorted(tags.values()) == sorted([saved, now]), tags


@pytest.mark.parametrize("first_line", [CORE, TORCH], ids=["core", "torch"])
def test_error_events_name_the_tensor_they_are_about(first_line):
    for case, name in (("not a scalar", "z"), ("leaf in place", "w"), ("no grad_fn: no leaf requires grad", "y")):
        t = run(CASES[case][0], first_line)
        err = t.events[-1]
        assert err.kind == "error" and t.display_name(err.tensor) == name, (case, err)
    t = run(CASES["freed"][0], first_line)
    assert t.events[-1].tensor is None and t.events[-1].name == "MulBackward0"


def test_an_error_it_cannot_explain_keeps_pytorchs_words():
    with lab.trace(catch_errors=True) as t:
        w = lab.tensor(2.0, requires_grad=True)
        x = lab.tensor(3.0, requires_grad=True)
        lab.autograd.grad(w * 2, [w, x])
    last = build(t, lang="en").steps[-1]
    assert last.message.id == "step.error" and last.text == f"RuntimeError: {t.error}"


def test_a_trace_saved_before_error_events_named_a_tensor_still_loads_and_explains():
    t = run(CASES["freed"][0], CORE)
    data = json.loads(t.to_json())
    for e in data["events"]:
        if e["kind"] == "error":
            del e["tensor"]
    back = lab.Trace.from_json(json.dumps(data))
    assert back.events[-1].tensor is None
    assert build(back, lang="en").steps[-1].message.params["why"].id == "step.explain.freed"


@pytest.mark.parametrize("first_line", [CORE, TORCH], ids=["core", "torch"])
def test_the_chinese_explanations_follow_the_glossary_and_its_typography(first_line):
    from tests.test_zh_text import forbidden, typography
    bad = []
    for case, (program, *_) in CASES.items():
        t = run(program, first_line)
        # (PyTorch's message, quoted verbatim at the end, is English: the glossary leaves it as it is)
        said = build(t, lang="zh").steps[-1].text.replace(f"{type(t.error).__name__}: {t.error}", "PyTorch")
        problems = typography(said, holes=False) + forbidden(said)
        if problems:
            bad.append((case, said, problems))
    assert bad == []


def test_the_scene_gives_the_inspector_torchs_versions_of_a_tensor_changed_in_place():
    src = TORCH + CASES["version"][0]
    linecache.cache["<versions>"] = (len(src), None, src.splitlines(True), "<versions>")
    ns: dict = {}
    with lab.trace(catch_errors=True, namespace=ns) as t:
        exec(compile(src, "<versions>", "exec"), ns)
    sc = scene(build(t), t)
    versions = {n["k"]: n["version"] for n in sc["nodes"] if n["label"] == "c" and "version" in n}
    assert sorted(versions.values()) == [0, ns["c"]._version] == [0, 1], versions
    assert not [n for n in sc["nodes"] if n["label"] in ("a", "b") and "version" in n]  # never changed in place


SETITEM = ("x = torch.tensor([1.0, 2.0], requires_grad=True)\n"
           "y = x.sigmoid()\n"
           "y[0] = 5.0\n"
           "y.sum().backward()\n")


def test_an_assignment_into_a_saved_tensor_is_named_in_the_core():
    last = build(run(SETITEM, CORE), lang="en").steps[-1]
    said = text(last.message.params["why"], "en")
    assert said.startswith("y was saved by SigmoidBackward0 (line 3: y = x.sigmoid())") and \
        "changed in place by line 4: y[0] = 5.0 (version 0 → 1)" in said, said


def test_real_torchs_assignment_is_seen_too_late_to_be_named_so_pytorchs_words_stay():
    """The real-torch recorder shows ``y[0] = 5.0`` as a copyslices op on the backward line (it meets the
    CopySlices node there): naming that line as the cause would be wrong, so the step keeps PyTorch's text."""
    t = run(SETITEM, TORCH)
    last = build(t, lang="en").steps[-1]
    assert last.message.id == "step.error.at" and last.text == f"RuntimeError at SigmoidBackward0: {t.error}"
