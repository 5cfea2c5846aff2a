"""The player (autograd_lab.view.player): stepping state, the widget without a browser, static export."""
from __future__ import annotations

import json
import re

import pytest

import autograd_lab as lab
from autograd_lab.view.player import Player, PlayerState, static_html
from tests.support.examples import classic, everything, regression


@pytest.fixture(scope="module")
def trace():
    return classic()


@pytest.fixture
def player(trace):
    return Player(trace)


def test_state_steps_back_and_seeks():
    s = PlayerState(lab.graph.build(classic()))
    assert (s.index, s.n_frames) == (0, 22)
    assert s.step() == 1 and s.step() == 2 and s.back() == 1
    assert s.seek(100) == 21 and s.step() == 21
    assert s.seek(-1) == 21 and s.seek(-22) == 0 and s.back() == 0
    s.seek(9)
    assert s.narration.endswith("\nAccumulateGrad sets w.grad to 3 (w.grad was None, so there is nothing to add to).")
    assert s.narration.startswith("line ") and "z.backward(retain_graph=True)" in s.narration


def test_player_api(player):
    assert (player.index, player.n_frames) == (0, 22)
    assert player.step() == 1 and player.index == 1
    assert player.back() == 0
    assert player.seek(16) == 16 and "3 + 3 = 6" in player.narration
    assert player.seek(-1) == 21 and "(RuntimeError: Trying to backward through the graph" in player.narration
    assert repr(player) == "<Player: step 22 of 22>"


def test_player_is_the_front_end_widget_with_the_scene_sent_once(player):
    from autograd_lab.view import webplayer

    assert isinstance(player, webplayer.WebPlayer)
    assert player._esm == webplayer.app_js()  # the source files of view/static/src/, joined
    assert player._css == webplayer.APP_CSS.read_text(encoding="utf-8")
    state = player.get_state()
    assert {"scene", "index"} <= set(player.keys)
    scene = json.loads(json.dumps(state["scene"]))  # what the comm sends: JSON
    assert len(scene["steps"]) == 22 and scene["steps"][9]["text"].startswith("AccumulateGrad sets w.grad to 3")
    labels = {n["label"] for n in scene["nodes"]}
    assert {"w", "x", "b", "y", "z", "MulBackward0", "AddBackward0", "AccumulateGrad"} <= labels
    # matplotlib is not on the player's path any more
    assert "matplotlib" not in json.dumps(scene)


def test_the_page_moves_python_and_python_moves_the_page(monkeypatch):
    import comm

    sent = []

    class RecordingComm(comm.DummyComm):
        """Stands in for the kernel's comm: keeps the messages the widget sends, as JSON."""

        def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
            sent.append(json.loads(json.dumps(data or {})))

    monkeypatch.setattr(comm, "create_comm", RecordingComm)
    player = Player(classic())
    player.set_state({"index": 9})  # what a click on "next" or the slider in the page sends
    assert player.index == 9 and "AccumulateGrad sets w.grad to 3" in player.narration
    assert player.step() == 10 and player.index == 10
    assert {"method": "update", "state": {"index": 10}, "buffer_paths": []} in sent, sent[-3:]
    player.seek(-1)
    assert player.index == 21 and "(RuntimeError: Trying to backward through the graph" in player.narration
    player.set_state({"index": 500})  # out of range from anywhere is clamped
    assert player.index == 21


def test_jumps_and_speed(player):
    second = next(i for label, i in player.jumps if label.startswith("backward #2"))
    assert second == 11 and player._scene["jumps"] == [[label, i] for label, i in player.graph.jumps]
    assert Player(classic(), speed=2.0)._scene["speed"] == 2.0
    assert Player(classic(), speed=3.0)._scene["speed"] == 1.0  # not a speed of the menu


def test_trace_play_and_lazy_import(trace):
    p = trace.play(start=5)
    assert isinstance(p, Player) and p.index == 5 and p._scene["start"] == 5
    assert lab.Player is Player


def test_seek_event_maps_trace_events_to_steps():
    t = everything()
    p = Player(t)
    hidden = next(e.index for e in t.events if e.kind == "op" and e.node is None)
    step = p.frame_of_event(hidden)
    assert p.graph.steps[step].event > hidden
    last_acc = max(e.index for e in t.events if e.kind == "accumulate")
    assert p.seek_event(last_acc) == p.index and p.graph.steps[p.index].event == last_acc


def test_empty_trace_shows_a_friendly_message():
    with lab.trace() as t:
        pass
    p = Player(t)
    assert p.n_frames == 0 and p.index == 0
    assert p.narration.startswith("Nothing was recorded: put your code inside `with lab.trace() as t:`")
    assert p._scene["notice"] == p.narration and p._scene["steps"] == []
    assert p.step() == 0 and p.back() == 0 and p.seek(5) == 0


def test_huge_trace_degrades_with_a_notice():
    p = Player(regression(300), max_nodes=150)
    assert len(p.graph.nodes) <= 150 and "This trace is large" in p._scene["notice"]
    p.seek(-1)
    assert "backward() finished: " in p.narration


# ---------------------------------------------------------------------------- static export
def test_save_html_is_self_contained(player, tmp_path):
    player.seek(9)
    path = player.save_html(tmp_path / "player.html")
    page = path.read_text(encoding="utf-8")
    assert 'class="alab-player"' in page
    for cls in ("alab-prev", "alab-next", "alab-play", "alab-slider", "alab-speed", "alab-jump", "alab-frame",
                "alab-narration", "alab-table"):
        assert f'class: "{cls}"' in page  # made by the inlined front end (the browser tests click them)
    assert "<script src" not in page and "<link" not in page and "require(" not in page and "requirejs" not in page
    assert not re.search(r"^export ", page, re.M)
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", page))
    assert urls <= {"http://www.w3.org/2000/svg"}, urls
    data = json.loads(re.search(r'<script type="application/json" id="alab-scene">(.*?)</script>', page,
                                re.S).group(1))
    assert len(data["steps"]) == 22 and data["start"] == 9
    info = data["fields"]["box"].index("info")
    assert "grad = 3." in [st[info] for st in data["steps"][9]["changes"].values() if len(st) == 5]
    assert json.loads(json.dumps(player._scene)) == {**data, "start": player._scene["start"]}


def test_static_page_size_for_100_steps_and_100_nodes():
    t = regression(9)
    p = Player(t, max_frames=100)
    assert p.n_frames == 100 and len(p.graph.nodes) >= 95
    size = len(static_html(p).encode())
    assert size < 3_000_000, size


@pytest.mark.slow
def test_notebook_shows_a_player(tmp_path):
    """Notebooks are tests: a kernel runs the issue's example and displays a player widget."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import autograd_lab as lab\n"
        "with lab.trace(catch_errors=True) as t:\n"
        "    w = lab.tensor(2.0, requires_grad=True)\n"
        "    x = lab.tensor(3.0)\n"
        "    b = lab.tensor(1.0, requires_grad=True)\n"
        "    y = w * x\n"
        "    z = y + b\n"
        "    z.backward(retain_graph=True)\n"
        "    z.backward()\n"
        "    z.backward()\n"
        "p = lab.Player(t)\n"
        "p")])
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3", store_widget_state=True).execute()
    outputs = nb.cells[0].outputs
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs), outputs
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    players = [m["state"] for m in state.values() if "scene" in m["state"]]
    assert len(players) == 1 and players[0]["index"] == 0
    assert [n["label"] for n in players[0]["scene"]["nodes"] if n["kind"] == "tensor"] == ["w", "x", "b", "y", "z"]


def test_step_and_back_by_group_run_a_whole_box():
    """PlayerState.step(by="group") / back(by="group") go where graph.step_after / step_before say;
    by node they are one step; a bad ``by`` is told in plain words."""
    from autograd_lab.view import graph
    from tests.support.examples import mlp

    g = graph.build(mlp((3, 4, 4, 1)))
    st = PlayerState(g)
    path = [st.index]
    while st.index < len(g) - 1:
        before = st.index
        assert st.step(by="group") == g.step_after(before, by="group") > before
        path.append(st.index)
    assert 2 < len(path) < len(g) // 4
    assert st.step(by="group") == len(g) - 1  # stays at the end
    while st.index > 0:
        before = st.index
        assert st.back(by="group") == g.step_before(before, by="group") < before
    st.seek(10)
    assert st.step() == 11 and st.back() == 10
    with pytest.raises(ValueError, match="by must be 'node'"):
        st.step(by="layer")
    p = Player(mlp((3, 4, 4, 1)))
    assert p.step(by="group") == g.step_after(0, by="group") and p.back(by="group") == 0


def test_a_step_by_group_says_what_the_box_did(monkeypatch):
    """Player.step(by="group") / back(by="group") tell what the run of steps did (graph.summary, a few
    words, never a list of every gradient), in ``summary`` and ``narration``, and send it to the page with
    the step in one message; the boxes opened in the page (``opened``) count as open, so a step then runs
    a neuron instead of a layer; any other move says the step's own narration again."""
    import comm

    from autograd_lab.view import graph
    from tests.support.examples import mlp

    sent = []

    class RecordingComm(comm.DummyComm):
        def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
            sent.append(json.loads(json.dumps(data or {})))

    monkeypatch.setattr(comm, "create_comm", RecordingComm)
    t = mlp((3, 4, 4, 1))
    g = graph.build(t)
    p = Player(t)
    back_start = next(i for label, i in p.jumps if label.startswith("backward"))
    p.seek(back_start)
    assert p.summary == ""
    j = p.step(by="group")
    assert j == g.step_after(back_start, by="group") and j - back_start > 1
    assert p.summary == g.summary(back_start + 1, j) and 0 < len(p.summary) <= 500
    assert "gradients arrived" in p.summary and p.narration.endswith(p.summary)
    assert p.summary != g.steps[j].text
    assert {"method": "update", "state": {"note": [j, p.summary], "index": j}, "buffer_paths": []} in sent, sent[-2:]
    # a layer's box opened in the page: a step by group runs one neuron of it
    p.seek(back_start)
    layer = next(k for k, grp in g.groups.items() if grp.parent is None and grp.children
                 and g.unit(g.step_after(j, by="group")) == k)
    p.seek(j)
    whole_layer = g.step_after(j, by="group")
    p.set_state({"opened": [layer]})
    k = p.step(by="group")
    assert k == g.step_after(j, by="group", opened=(layer,)) < whole_layer
    assert p.summary == g.summary(j + 1, k)
    back = p.back(by="group")
    assert back == j and p.summary == g.summary(j + 1, k)
    p.step()  # one step: its own words
    assert p.summary == "" and p.narration.endswith(g.steps[j + 1].text)
    # a move from the page forgets the summary too
    p.seek(back_start)
    p.step(by="group")
    p.set_state({"index": 3})
    assert p.summary == "" and p.narration.endswith(g.steps[3].text)
