"""Graph -> scene (autograd_lab.view.scene): what the front end gets, once; and the static page around it.

The picture itself is drawn in the browser (view/static/src/, joined by webplayer.app_js()):
tests/browser/test_front.py and tests/browser/test_player_static.py look at it in Chromium, and the
front end's pure parts (the timeline, stepping by group, texts, label placement) are checked against
Python by Node's test runner (tests/js/, run by tests/test_front_js.py).
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
        assert set(step["changes"]) == set(g.steps[i].changes)
        assert step["text"] == g.steps[i].text
    # replaying the changes gives graph.state_at at every step
    state = dict(s["initial"])
    for i, step in enumerate(s["steps"]):
        state.update(step["changes"])
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
    # the placeholders the front end fills are the catalogue's
    assert words["step_of"] == "Step {i} of {n}" and words["speed_label"] == "{factor}×"
    assert "{error}" in words["saved_freed_error"] and "{error}" not in words["saved_freed"] and "{grad}" in words["grad_of"]


def test_hooks_and_where_each_node_was_made():
    t = everything()
    s = scene.scene(graph.build(t), trace=t)
    hooked = [n for n in s["nodes"] if n.get("hooks")]
    texts = [s["steps"][i]["text"] for n in hooked for i in n["hooks"]]
    assert [n["label"] for n in hooked] == ["y"] and len(texts) == 2, texts  # retain_grad() is a hook too
    assert texts[0].startswith("The hook <lambda> registered on y runs") and "y.retain_grad()" in texts[1]
    for n in s["nodes"]:
        table = s["fields"]["tensor" if n["kind"] == "tensor" else "box"]
        assert n["made"] >= 0 and s["steps"][n["made"]]["changes"][n["k"]][table.index("shown")] is True


def test_an_empty_trace_has_a_scene_too():
    with lab.trace() as t:
        pass
    s = scene.scene(graph.build(t), trace=t)
    assert s["steps"] == [] and s["nodes"] == [] and s["notice"].startswith("Nothing was recorded")
    assert json.loads(json.dumps(s)) == s


def test_a_grouped_graph_tells_each_step_its_group_and_each_run_what_it_did():
    """What stepping by group in the page needs (static/src/bygroup.js; tests/js/bygroup.test.mjs checks
    it against graph.step_after / step_before / summary): the scene gives each step and node its innermost
    group (``group``, an index into ``groups``), each group its parent, whether it is drawn collapsed
    and its box, each collapsed group its runs of steps with what each did (graph.summary), and the
    first picture (``overview``)."""
    from tests.support.examples import mlp

    t = mlp((3, 4, 4, 1))
    g = graph.build(t)
    s = scene.scene(g, trace=t)
    keys = list(g.groups)
    assert [d["k"] for d in s["groups"]] == keys
    for d in s["groups"]:
        grp = g.groups[d["k"]]
        assert d["label"] == grp.label and d["collapsed"] == int(grp.collapsed)
        assert d["parent"] == (None if grp.parent is None else keys.index(grp.parent))
        assert d["box"] == pytest.approx(list(grp.box), abs=0.06)
    assert s["groups"][0]["label"] == "layers[0] ×4"
    assert [st.get("group") for st in s["steps"]] == [None if st.group is None else keys.index(st.group) for st in g.steps]
    assert {n["k"]: n.get("group") for n in s["nodes"]} == {
        k: (keys.index(g.group_of[k]) if k in g.group_of else None) for k in g.nodes}
    # the first picture: the collapsed top-level groups as boxes, each edge with the edges it stands for
    ov = s["overview"]
    assert set(ov["nodes"]) == set(g.overview["nodes"]) and {"g1", "g6", "g11"} <= set(ov["nodes"])
    assert sorted(m for e in ov["edges"] for m in e["members"]) == sorted(m for e in g.overview["edges"] for m in e["members"])

    for d in s["groups"]:  # each collapsed group's runs: [first, last, what graph.summary says]
        for first, last, said in d.get("runs", ()):
            assert said == (g.summary(first, last) if last > first else "")
    # a small graph has no groups, no 'g', no first picture of its own
    small = scene.scene(graph.build(issue_example()))
    assert small["groups"] == [] and small["overview"] == {} and not any("group" in st for st in small["steps"])


def test_each_scene_key_means_one_thing_and_states_are_read_through_the_field_tables():
    """The scene's states are lists in the order of states.py's namedtuples, whose names it sends once
    (``fields``); a step, a node, a group and an edge of the first picture use only the keys the module
    docstring names."""
    from autograd_lab.view.states import EdgeState, OpState, TensorState
    from tests.support.examples import mlp

    t = mlp((3, 4, 4, 1))
    g = graph.build(t)
    s = scene.scene(g, trace=t)
    assert s["fields"] == {"tensor": list(TensorState._fields), "box": list(OpState._fields),
                           "edge": list(EdgeState._fields)}
    assert "tag" in s["fields"]["tensor"] and "tag" in s["fields"]["box"]  # one name, wherever its place
    table = {n["k"]: s["fields"]["tensor" if n["kind"] == "tensor" else "box"] for n in s["nodes"]}
    table.update({e["k"]: s["fields"]["edge"] for e in s["edges"]})
    for states in [s["initial"]] + [st["changes"] for st in s["steps"]]:
        for k, st in states.items():
            assert len(st) == len(table[k]), k  # every state is a node's or an edge's, in its table's length
    assert set().union(*(st.keys() for st in s["steps"])) == {"changes", "text", "group", "source", "active"}
    assert set().union(*(d.keys() for d in s["groups"])) == {"k", "label", "parent", "collapsed", "box", "runs"}
    assert set().union(*(e.keys() for e in s["overview"]["edges"])) == {"k", "src", "dst", "kind", "pts", "members"}
    assert "group" in set().union(*(n.keys() for n in s["nodes"]))
    assert "error" in scene.scene(graph.build(issue_example()))["steps"][-1]  # the third backward fails
