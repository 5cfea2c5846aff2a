"""Graph state -> picture (autograd_lab.view.render): the SVG drawn once, frames that only change slots."""
from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET

import pytest

from autograd_lab.view import graph, render
from tests.test_graph import everything, issue_example, regression

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def pic():
    return render.Picture(graph.build(issue_example()))


def texts(svg: str) -> list[str]:
    """The label texts of the visible elements of a frame."""
    root = ET.fromstring(svg)
    out = []

    def walk(el, hidden):
        hidden = hidden or "hid" in (el.get("class") or "").split()
        if el.tag == SVG + "text" and not hidden:
            out.append(el.text or "")
        for child in el:
            walk(child, hidden)

    walk(root, False)
    return out


def test_frames_are_well_formed_svg_that_fit_the_cell(pic):
    for i in range(pic.n_frames):
        root = ET.fromstring(pic.svg(i))
        assert root.tag == SVG + "svg"
        assert float(root.get("width")) <= render.FIT_WIDTH
    assert "<script" not in pic.svg(0) and "http" not in pic.svg(0).replace("http://www.w3.org/2000/svg", "")


def test_picture_labels_at_given_steps(pic):
    first = texts(pic.svg(0))
    assert "w = 2." in first and "grad None" in first and "x = 3." not in first
    forward = texts(pic.svg(4))
    for label in ("w = 2.", "x = 3.", "no grad", "y = 6.", "z = 7.", "MulBackward0", "AddBackward0",
                  "AccumulateGrad", "saved: x"):
        assert label in forward
    acc = texts(pic.svg(9))
    assert "▶ AccumulateGrad" in acc and "grad = 3." in acc and "grad 3." in acc
    assert "✓ AddBackward0" in acc and "✓ MulBackward0" in acc
    assert "3. + 3. = 6." in texts(pic.svg(16)) and "grad 6." in texts(pic.svg(16))
    assert "freed: x" in texts(pic.svg(15)) and "saved: x" not in texts(pic.svg(15))
    last = texts(pic.svg(pic.n_frames - 1))
    assert "✖ MulBackward0" in last and "✖ RuntimeError" in last


def test_state_is_not_carried_by_colour_alone(pic):
    """Running: thick outline + '▶'; freed: dashed outline + 'freed:'; error: hatch + '✖'."""
    svg = pic.svg(15)
    assert re.search(r'data-c="(n\d+)" data-r="shape k-op" class="shape k-op s-active freed"', svg)
    assert ".freed > path { stroke-dasharray" in render.CSS
    assert "s-running > path" in render.CSS and "stroke-width: 2.8px" in render.CSS
    assert "url(#alab-hatch)" in render.CSS and 'id="alab-hatch"' in svg


def test_nodes_never_move_between_frames(pic):
    def shapes(svg):
        return re.findall(r'data-r="shape[^"]*" class="[^"]*">\s*<path d="([^"]+)"', svg)

    first = shapes(pic.svg(0))
    assert len(first) == len(pic.graph.nodes)
    assert all(shapes(pic.svg(i)) == first for i in range(pic.n_frames))


def test_frames_rebuilt_from_changes_match(pic):
    payload = pic.payload()
    view = dict(payload["base"])
    for i in range(pic.n_frames):
        if i:
            view.update(payload["deltas"][i])
        assert view == pic.view(i)
        assert pic.svg(view=view) == pic.svg(i)


def test_text_is_escaped():
    pic = render.Picture(graph.build(everything()))
    svgs = "".join(pic.svg(i) for i in range(pic.n_frames))
    assert "hook: 1. → 2." in svgs
    narr = "".join(pic.narration_html(i) for i in range(pic.n_frames))
    assert "&lt;lambda&gt;" in narr and "<lambda>" not in narr
    for i in range(pic.n_frames):
        ET.fromstring(pic.svg(i))


def test_table_lists_the_tensors_of_the_step(pic):
    table = pic.table_html(9)
    assert table.count("<tr") == 6  # header + w x b y z
    assert '<tr class="alab-row-active"><td>▶ w</td><td>2.</td><td>3.</td><td>True</td><td>True</td>' in table
    assert "<td>y</td><td>6.</td><td>None</td><td>True</td><td>False</td><td>&lt;MulBackward0&gt;</td>" in table
    assert "No tensors yet" in render.Picture(graph.build([])).table_html(0)


def test_narration_html_has_the_step_and_source(pic):
    html = pic.narration_html(9)
    assert "Step 10 of 22" in html and "z.backward(retain_graph=True)</code>" in html
    assert "AccumulateGrad sets w.grad to 3 (w.grad was None, so there is nothing to add to)." in html
    assert "alab-errtext" in pic.narration_html(pic.n_frames - 1)


def test_big_graph_gets_a_window_that_follows_the_action():
    pic = render.Picture(graph.build(regression(9)))
    assert pic.scale == render.MIN_SCALE and "cam" in pic.base
    cams = {pic.view(i)["cam"] for i in range(pic.n_frames)}
    assert len(cams) > 3
    root = ET.fromstring(pic.svg(40))
    assert float(root.get("width")) <= render.FIT_WIDTH + 1
    whole = ET.fromstring(pic.svg(40, whole=True))
    assert float(whole.get("width")) > 2 * render.FIT_WIDTH
    for i in range(0, pic.n_frames, 7):  # whatever a step is about lies inside its window
        x0, y0 = map(float, pic.view(i)["cam"].split())
        for k in pic.graph.steps[i].active:
            n = pic.graph.nodes.get(k)
            if n is not None:
                assert x0 <= n.x <= x0 + pic.window[0] and y0 <= n.y <= y0 + pic.window[1]


def test_a_frame_costs_well_under_a_millisecond():
    pic = render.Picture(graph.build(regression(9)))  # about 100 nodes
    start = time.perf_counter()
    for i in range(pic.n_frames):
        pic.svg(i)
    per_frame = (time.perf_counter() - start) / pic.n_frames
    assert per_frame < 0.005, per_frame  # generous: the benchmark measures the real number
