"""Graph -> scene (autograd_lab.view.scene): what the front end gets, once; and the static page around it.

The picture itself is drawn in the browser (view/static/app.js): tests/browser/test_front.py and
tests/browser/test_player_static.py look at it in Chromium.
"""
from __future__ import annotations

import json
import re

import autograd_lab as lab
from autograd_lab.core.messages import FREED_MESSAGE
from autograd_lab.view import graph, scene, webplayer
from tests.browser.test_front import _torch_expect, scene_of
from tests.conftest import require_torch
from tests.test_graph import everything, issue_example


def test_accumulategrad_name_matches_pytorch():
    torch = require_torch()
    w = torch.tensor(2.0, requires_grad=True)
    assert (w * 3).grad_fn.next_functions[0][0].name() == scene._DEFAULT_NAME["acc"]
    assert _torch_expect()[3] == FREED_MESSAGE


def test_scene_is_json_and_steps_only_carry_changes():
    t = issue_example()
    g = graph.build(t)
    s = scene.scene(g, trace=t)
    assert json.loads(json.dumps(s)) == s
    assert len(s["steps"]) == len(g.steps) == 22
    for i, step in enumerate(s["steps"]):
        assert set(step["c"]) == set(g.steps[i].changes)
        assert step["t"] == g.steps[i].text
    # replaying the changes gives graph.state_at at every step
    state = dict(s["initial"])
    for i, step in enumerate(s["steps"]):
        state.update(step["c"])
        want = {k: list(st) for k, st in g.state_at(i).items()}
        assert state == want, i
    mul = next(n for n in s["nodes"] if n["label"] == "MulBackward0")
    assert [slot[1] for slot in mul["next"]] == ["AccumulateGrad", "None"]
    assert mul["saved"] == [["_saved_other", "x", next(n["k"] for n in s["nodes"] if n["label"] == "x")]]


def test_static_page_inlines_the_module_and_escapes_the_scene(tmp_path):
    with lab.trace() as t:
        a = lab.tensor(1.0, requires_grad=True)
        (a * 2).backward()
    s = scene_of(t)
    s["notice"] = "</script><script>alert(1)</script>"
    text = webplayer.page_html(s)
    assert not re.search(r"^export ", text, re.M)
    assert text.count("</script>") == 2
    assert "http://" not in text.replace("http://www.w3.org/2000/svg", "") and "https://" not in text


def test_next_functions_from_the_graph_alone_match_the_trace():
    t = issue_example()
    g = graph.build(t)
    with_trace, alone = scene.scene(g, trace=t), scene.scene(g)
    assert [n.get("next") for n in with_trace["nodes"]] == [n.get("next") for n in alone["nodes"]]


def test_words_come_from_the_catalogue(monkeypatch):
    from autograd_lab.narration import catalogue

    words = scene.words()
    assert set(words) == set(scene.WORD_IDS) and words["next"] == "next ▶"
    assert all(isinstance(w, str) for w in words.values())  # texts, sent to the page as they are
    monkeypatch.setitem(catalogue().MESSAGES, "player.next", "weiter ▶")
    assert scene.words()["next"] == "weiter ▶"
    assert scene.scene(graph.build(issue_example()))["words"]["next"] == "weiter ▶"
    # the placeholders app.js fills are the catalogue's
    assert words["step_of"] == "Step {i} of {n}" and words["speed_label"] == "{factor}×"
    assert "{error}" in words["saved_freed"] and "{grad}" in words["grad_of"]


def test_hooks_and_where_each_node_was_made():
    t = everything()
    s = scene.scene(graph.build(t), trace=t)
    hooked = [n for n in s["nodes"] if n.get("hooks")]
    texts = [s["steps"][i]["t"] for n in hooked for i in n["hooks"]]
    assert [n["label"] for n in hooked] == ["y"] and len(texts) == 2, texts  # retain_grad() is a hook too
    assert texts[0].startswith("The hook <lambda> registered on y runs") and "y.retain_grad()" in texts[1]
    for n in s["nodes"]:
        assert n["made"] >= 0 and s["steps"][n["made"]]["c"][n["k"]][0] is True


def test_an_empty_trace_has_a_scene_too():
    with lab.trace() as t:
        pass
    s = scene.scene(graph.build(t), trace=t)
    assert s["steps"] == [] and s["nodes"] == [] and s["notice"].startswith("Nothing was recorded")
    assert json.loads(json.dumps(s)) == s


def test_a_grouped_graph_tells_each_step_its_box_and_each_run_what_it_did():
    """Stepping by group in the page (app.js stepAfter/stepBefore) follows graph.step_after/step_before:
    the scene gives each step the box it happens in (``u``, an index into ``groups``) and the last step
    of a run in one box what the run did (``sum``, graph.summary)."""
    from tests.front_traces import mlp

    t = mlp((3, 4, 4, 1))
    g = graph.build(t)
    s = scene.scene(g, trace=t)
    assert s["groups"] and s["groups"][0] == g.groups[g.unit(0)].label == "lines 39–40 ×4"
    units = [st.get("u") for st in s["steps"]]
    keys = list(dict.fromkeys(g.unit(i) for i in range(len(g)) if g.unit(i) is not None))  # first seen first
    assert s["groups"] == [g.groups[k].label for k in keys]
    assert units == [None if g.unit(i) is None else keys.index(g.unit(i)) for i in range(len(g))]

    def after(i):  # as app.js does it, from the scene alone
        j = min(i + 1, len(units) - 1)
        while units[j] is not None and j + 1 < len(units) and units[j + 1] == units[j] and j != i:
            j += 1
        return j

    i, visited = 0, []
    while i < len(g) - 1:
        j = after(i)
        assert j == g.step_after(i, by="group"), i
        if j - i > 1:
            assert s["steps"][j]["sum"] == g.summary(i + 1, j), (i, j)
        visited.append(j)
        i = j
    assert 1 < len(visited) < len(g) // 4  # a few clicks, not one per step
    # a small graph has no boxes: no groups, no 'u'
    small = scene.scene(graph.build(issue_example()))
    assert small["groups"] == [] and not any("u" in st for st in small["steps"])
