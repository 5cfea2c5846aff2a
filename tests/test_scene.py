"""Graph -> scene (autograd_lab.view.scene): what the front end gets, once; and the static page around it.

The picture itself is drawn in the browser (view/static/app.js): tests/browser/test_front.py and
tests/browser/test_player_static.py look at it in Chromium.
"""
from __future__ import annotations

import json
import re

import pytest

import autograd_lab as lab
from autograd_lab.core.messages import FREED_MESSAGE
from autograd_lab.view import graph, scene, webplayer
from tests.browser.test_front import _torch_expect, scene_of
from tests.support.requirements import require_torch
from tests.support.examples import classic as issue_example, everything


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


def test_a_grouped_graph_tells_each_step_its_group_and_each_run_what_it_did():
    """Stepping by group in the page (app.js unit/stepAfter/stepBefore) follows graph.step_after /
    step_before for any set of opened boxes: the scene gives each step and node its innermost group
    (``g``, an index into ``groups``), each group its parent, whether it is drawn collapsed and its box,
    each collapsed group its runs of steps with what each did (graph.summary), and the first picture
    (``overview``)."""
    from tests.support.examples import mlp

    t = mlp((3, 4, 4, 1))
    g = graph.build(t)
    s = scene.scene(g, trace=t)
    keys = list(g.groups)
    assert [d["k"] for d in s["groups"]] == keys
    for d in s["groups"]:
        grp = g.groups[d["k"]]
        assert d["label"] == grp.label and d["c"] == int(grp.collapsed)
        assert d["parent"] == (None if grp.parent is None else keys.index(grp.parent))
        assert d["box"] == pytest.approx(list(grp.box), abs=0.06)
    assert s["groups"][0]["label"] == "layers[0] ×4"
    assert [st.get("g") for st in s["steps"]] == [None if st.group is None else keys.index(st.group) for st in g.steps]
    assert {n["k"]: n.get("g") for n in s["nodes"]} == {
        k: (keys.index(g.group_of[k]) if k in g.group_of else None) for k in g.nodes}
    # the first picture: the collapsed top-level groups as boxes, each edge with the edges it stands for
    ov = s["overview"]
    assert set(ov["nodes"]) == set(g.overview["nodes"]) and {"g1", "g6", "g11"} <= set(ov["nodes"])
    assert sorted(m for e in ov["edges"] for m in e["m"]) == sorted(m for e in g.overview["edges"] for m in e["members"])

    G = s["groups"]

    def unit(i, opened):  # as app.js does it, from the scene alone
        out, q = None, s["steps"][i].get("g")
        while q is not None:
            if G[q]["c"] and G[q]["k"] not in opened:
                out = q
            q = G[q]["parent"]
        return out

    def after(i, opened):
        j = min(i + 1, len(g) - 1)
        if j == i:
            return j
        u = unit(j, opened)
        while u is not None and j + 1 < len(g) and unit(j + 1, opened) == u:
            j += 1
        return j

    for opened in ((), ("g6",), ("g6", "g8"), ("g1", "g6", "g11")):
        i, visited = 0, []
        while i < len(g) - 1:
            j = after(i, opened)
            assert j == g.step_after(i, by="group", opened=opened), (opened, i)
            if j - i > 1:  # the page says what the box did: the run from i + 1 to j is one of the group's runs
                u = unit(j, opened)
                run = [r for r in G[u]["runs"] if r[:2] == [i + 1, j]]
                assert run and run[0][2] == g.summary(i + 1, j), (opened, i, j)
            visited.append(j)
            i = j
        if not opened:
            assert 1 < len(visited) < len(g) // 4  # a few clicks, not one per step
    # a small graph has no groups, no 'g', no first picture of its own
    small = scene.scene(graph.build(issue_example()))
    assert small["groups"] == [] and small["overview"] == {} and not any("g" in st for st in small["steps"])
