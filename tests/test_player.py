"""The player (autograd_lab.view.player): stepping state, the widget without a browser, static export."""
from __future__ import annotations

import json
import re

import pytest

import autograd_lab as lab
from autograd_lab.view.player import Player, PlayerState, static_html
from tests.test_graph import everything, issue_example, regression


@pytest.fixture(scope="module")
def trace():
    return issue_example()


@pytest.fixture
def player(trace):
    return Player(trace)


def test_state_steps_back_and_seeks():
    s = PlayerState(lab.graph.build(issue_example()))
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
    assert player.seek(-1) == 21 and "RuntimeError at MulBackward0" in player.narration
    assert repr(player) == "<Player: step 22 of 22>"


def test_widget_has_the_css_classes_of_the_issue(player):
    assert "alab-player" in player._dom_classes
    for name, cls in [("_prev", "alab-prev"), ("_next", "alab-next"), ("_slider", "alab-slider"),
                      ("_frame", "alab-frame"), ("_narration", "alab-narration"), ("_play", "alab-play"),
                      ("_table", "alab-table"), ("_jump", "alab-jump")]:
        assert cls in getattr(player, name)._dom_classes


def test_buttons_and_slider_update_the_views(player):
    frame, text = player._frame.value, player._narration.value
    player._next.click()
    assert player.index == 1 and player._slider.value == 1
    assert player._frame.value != frame and player._narration.value != text
    assert "x is a leaf tensor" in player._narration.value
    player._slider.value = 9  # what the front end does when the slider (or Play, jslinked) moves
    assert player.index == 9 and "grad = 3." in player._frame.value
    assert "<td>▶ w</td><td>2.</td><td>3.</td>" in player._table.value
    player._prev.click()
    assert player.index == 8
    player.seek(0)
    assert player._prev.disabled and not player._next.disabled
    player.seek(-1)
    assert player._next.disabled and "✖ MulBackward0" in player._frame.value


def test_jumps_and_speed(player):
    options = dict(player._jump.options)
    assert options["jump to…"] == -1
    second = next(i for label, i in player._jump.options if label.startswith("backward #2"))
    player._jump.value = second
    assert player.index == second == 11 and player._jump.value == -1
    assert "backward() starts at z" in player.narration
    player._speed.value = 2.0
    assert player._play.interval == 450 and player._play.max == 21


def test_trace_play_and_lazy_import(trace):
    p = trace.play(start=5)
    assert isinstance(p, Player) and p.index == 5 and p._slider.value == 5
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
    assert "<code>with lab.trace() as t:</code>" in p._narration.value
    assert p._next.disabled and p._slider.disabled
    assert p.step() == 0 and p.back() == 0 and p.seek(5) == 0


def test_huge_trace_degrades_with_a_notice():
    p = Player(regression(300), max_nodes=150)
    assert len(p.graph.nodes) <= 150 and "This trace is large" in p._narration.value
    p.seek(-1)
    assert "backward() finished: " in p.narration


# ---------------------------------------------------------------------------- static export
def test_save_html_is_self_contained(player, tmp_path):
    path = player.save_html(tmp_path / "player.html")
    page = path.read_text(encoding="utf-8")
    for cls in ("alab-player", "alab-prev", "alab-next", "alab-slider", "alab-frame", "alab-narration", "alab-play"):
        assert f'class="{cls}' in page
    assert "<script src" not in page and "<link" not in page and "require(" not in page and "requirejs" not in page
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", page))
    assert urls <= {"http://www.w3.org/2000/svg"}, urls
    data = json.loads(re.search(r'<script type="application/json" class="alab-data">(.*?)</script>', page,
                                re.S).group(1))
    assert len(data["narration"]) == 22 and len(data["deltas"]) == 22
    assert "grad = 3." in data["deltas"][9].values()


def test_static_page_size_for_100_steps_and_100_nodes():
    t = regression(9)
    p = Player(t, max_frames=100)
    assert p.n_frames == 100 and len(p.graph.nodes) >= 95
    size = len(static_html(p.picture).encode())
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
    htmls = [m["state"]["value"] for m in state.values() if m["model_name"] == "HTMLModel"]
    assert any("<svg" in v and "w = 2." in v for v in htmls)
