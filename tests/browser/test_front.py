"""The browser front end (view/static/src/) in Chromium: the static page and the anywidget in JupyterLab.

At an 840 px output width, lesson 2's DAG and a micrograd-style MLP 3->4->4->1 fit at their last
step with no two texts overlapping (measured from the texts' bounding boxes in the page); zoom,
pan, fit, whole graph and click-to-inspect work; what the inspector shows is checked against
PyTorch 2.13. Screenshots go to test-artifacts/.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from autograd_lab.view import graph, scene, webplayer
from tests.browser.conftest import resize_until, screenshot, settle, wait_still, wait_until, write_notebook
from tests.support.requirements import require_torch
from tests.support.examples import lesson2_dag, mlp  # noqa: F401 (the JupyterLab cells import them from here)
from tests.support.examples import classic as issue_example

OUTPUT_WIDTH = 840


def scene_of(trace) -> dict:
    return scene.scene(graph.build(trace, max_nodes=5000, max_frames=100_000), trace=trace)


# Every visible text of the picture: its string and its box on the screen; the pairs that overlap
# (by more than half a pixel both ways) and the texts or shapes that stick out of the frame.
MEASURE_JS = """(root) => {
  const frame = root.querySelector('.alab-frame').getBoundingClientRect();
  const own = (t) => [...t.childNodes].filter((c) => c.nodeType === 3).map((c) => c.data).join('');
  const all = [...root.querySelectorAll('.alab-svg text')]
    .filter((t) => !t.closest('.hid') && own(t).trim() && t.getClientRects().length);
  const texts = all.map((t) => { const r = t.getBoundingClientRect(); return [own(t), r.left, r.top, r.right, r.bottom]; });
  const groupTexts = all.filter((t) => t.classList.contains('glabel')).length;
  const overlaps = [];
  for (let i = 0; i < texts.length; i++)
    for (let j = i + 1; j < texts.length; j++) {
      const a = texts[i], b = texts[j];
      const w = Math.min(a[3], b[3]) - Math.max(a[1], b[1]), h = Math.min(a[4], b[4]) - Math.max(a[2], b[2]);
      if (w > 0.5 && h > 0.5) overlaps.push([a[0], b[0], w, h]);
    }
  const shapes = [...root.querySelectorAll('.alab-svg g.alab-node:not(.hid) .shape')]
    .map((s) => s.getBoundingClientRect());
  const out = (r) => r.left < frame.left - 1 || r.right > frame.right + 1 || r.top < frame.top - 1 || r.bottom > frame.bottom + 1;
  return {texts: texts.length, group_texts: groupTexts, shapes: shapes.length,
          boxes: root.querySelectorAll('.alab-svg g.k-group:not(.hid)').length, overlaps: overlaps.slice(0, 10), n_overlaps: overlaps.length,
          outside: texts.filter((t) => out({left: t[1], top: t[2], right: t[3], bottom: t[4]})).map((t) => t[0]).slice(0, 10),
          shapes_outside: shapes.filter(out).length, frame_width: frame.width,
          root_overflow: root.scrollWidth - root.clientWidth};
}"""

# The labels of boxes and frames are placed again on the next animation frame after the scale changes
# (camera.js): a measure right after a click must wait for it (``settle``, tests/browser/conftest.py), or it
# races the browser.


CAM_JS = """(root) => {
  const m = /translate\\(([-\\d.]+),([-\\d.]+)\\) scale\\(([-\\d.]+)\\)/.exec(root.querySelector('.alab-cam').getAttribute('transform'));
  return {x: +m[1], y: +m[2], s: +m[3], mode: root.dataset.mode};
}"""


def assert_fits_without_overlaps(root, what: str) -> dict:
    """The picture fits the frame (every shape and text inside it, nothing wider than the output) and
    no two texts overlap. Texts too small to read are not drawn (class alab-tiny): then the overlap
    check is made after zooming in until they are drawn, and the picture is fitted again after."""
    settle(root)
    m = root.evaluate(MEASURE_JS)
    assert m["shapes"] > 0 and m["shapes_outside"] == 0, (what, m)
    assert m["root_overflow"] <= 0 and m["frame_width"] <= OUTPUT_WIDTH + 1, (what, m)
    if root.locator(".alab-svg.alab-tiny").count() == 0:
        assert m["texts"] > 0 and m["n_overlaps"] == 0 and not m["outside"], (what, m)
        return m
    # too small to read: only the labels of boxes and frames are drawn (they keep their size on the screen)
    assert m["texts"] == m["group_texts"] and m["n_overlaps"] == 0, (what, m)
    for _ in range(20):
        root.locator(".alab-zoom-in").click()
        if root.locator(".alab-svg.alab-tiny").count() == 0:
            break
    settle(root)
    zoomed = root.evaluate(MEASURE_JS)
    assert zoomed["texts"] > 0 and zoomed["n_overlaps"] == 0, (what, "zoomed in", zoomed)
    root.locator(".alab-fit").click()
    settle(root)
    assert root.evaluate(MEASURE_JS) == m
    return m


def open_static(page, path):
    requests, errors = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.set_viewport_size({"width": OUTPUT_WIDTH + 32, "height": 900})  # body margin 16 px each side
    page.goto(path.as_uri())
    page.locator(".alab-player .alab-svg").wait_for()
    return requests, errors


def seek(page, i: int) -> None:
    page.evaluate("(i) => window.alabPlayer.show(i < 0 ? window.alabPlayer.n + i : i)", i)


@pytest.mark.browser
@pytest.mark.parametrize("name", ["lesson2", "mlp"])
def test_static_page_fits_without_overlapping_texts(browser_page, tmp_path, name):
    from playwright.sync_api import expect

    trace = lesson2_dag() if name == "lesson2" else mlp()
    s = scene_of(trace)
    page = browser_page
    requests, errors = open_static(page, webplayer.write_page(tmp_path / f"{name}.html", s))
    root = page.locator(".alab-player")
    n = len(s["steps"])
    expect(root.locator(".alab-narration")).to_contain_text(f"Step 1 of {n}")
    for i in (0, n // 3, 2 * n // 3, n - 1):  # at every stage, not only the last
        seek(page, i)
        expect(root.locator(".alab-narration")).to_contain_text(f"Step {i + 1} of {n}")
        m = assert_fits_without_overlaps(root, f"{name} step {i + 1}")
    if s["overview"]:  # a grouped graph: the first picture's boxes and nodes, all of them in the frame
        assert m["shapes"] == len(s["overview"]["nodes"]) and m["boxes"] >= 3, m
    else:  # the last step shows the whole graph, all of it in the frame
        assert m["shapes"] == len(s["nodes"])
    screenshot(page, f"front-static-{name}-last")
    seek(page, 0)
    screenshot(page, f"front-static-{name}-first")
    assert all(u.startswith("file://") for u in requests), requests
    assert not errors, errors


@pytest.mark.browser
def test_static_page_refits_after_a_resize(browser_page, tmp_path):
    page = browser_page
    open_static(page, webplayer.write_page(tmp_path / "dag.html", scene_of(lesson2_dag())))
    root = page.locator(".alab-player")
    seek(page, -1)
    wide = root.evaluate(CAM_JS)
    page.set_viewport_size({"width": 520, "height": 900})
    page.wait_for_function("(s) => document.querySelector('.alab-cam').getAttribute('transform').indexOf(s) < 0",
                           arg=f"scale({wide['s']:.5f})")
    wait_still(root)
    narrow = root.evaluate(CAM_JS)
    # 520 px is too narrow for this graph at 9 px texts: the camera now shows the step at a readable scale
    assert wide["mode"] == "auto" and narrow["mode"] == "follow" and narrow["s"] == pytest.approx(9.5 / 10.5, abs=1e-4)
    m = root.evaluate(MEASURE_JS)
    assert m["n_overlaps"] == 0, m
    screenshot(page, "front-static-narrow")
    page.set_viewport_size({"width": OUTPUT_WIDTH + 32, "height": 900})  # and wide again: fitted again
    page.wait_for_function("(s) => document.querySelector('.alab-cam').getAttribute('transform').endsWith(s)",
                           arg=f"scale({wide['s']:.5f})")
    wait_still(root)
    assert root.evaluate(CAM_JS) == pytest.approx(wide)


@pytest.mark.browser
def test_zoom_pan_fit_and_whole_graph(browser_page, tmp_path):
    page = browser_page
    s = scene_of(mlp())
    open_static(page, webplayer.write_page(tmp_path / "mlp.html", s))
    root = page.locator(".alab-player")
    frame = root.locator(".alab-frame")
    seek(page, -1)
    default = root.evaluate(CAM_JS)
    # the default view of a graph that fits readably: the whole layout fitted
    assert default["mode"] == "auto" and default["s"] * 10.5 >= 9
    root.locator(".alab-fit").click()
    fitted = root.evaluate(CAM_JS)
    assert fitted["mode"] == "fit" and default["s"] <= fitted["s"] <= 1  # the built part: the whole graph's nodes
    # buttons: "+" and "-" zoom about the active step (its centre stays put on the screen), not the frame's centre
    centre = """(root) => { const p = window.alabPlayer, a = p._activeRect();
                 return [((a[0] + a[2]) / 2) * p.cam.s + p.cam.x, ((a[1] + a[3]) / 2) * p.cam.s + p.cam.y]; }"""
    before_zoom = root.evaluate(centre)
    root.locator(".alab-zoom-in").click()
    zoomed = root.evaluate(CAM_JS)
    assert zoomed["mode"] == "user" and zoomed["s"] == pytest.approx(fitted["s"] * 1.25, rel=1e-3)
    assert root.evaluate(centre) == pytest.approx(before_zoom, abs=1.0)
    root.locator(".alab-zoom-out").click()
    assert root.evaluate(CAM_JS)["s"] == pytest.approx(fitted["s"], rel=1e-3)
    # the wheel zooms about the pointer: the point under it stays put
    box = frame.bounding_box()
    px, py = box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.5
    page.mouse.move(px, py)
    before = root.evaluate(CAM_JS)
    page.mouse.wheel(0, -400)
    page.wait_for_function("(s) => !document.querySelector('.alab-cam').getAttribute('transform').endsWith(s)",
                           arg=f"scale({before['s']:.5f})")
    wait_still(root)  # (the whole wheel turn, not the first of its events)
    after = root.evaluate(CAM_JS)
    assert after["s"] > before["s"] * 1.5
    svg = root.locator(".alab-svg").bounding_box()
    gx = (px - svg["x"] - before["x"]) / before["s"]
    assert (px - svg["x"] - after["x"]) / after["s"] == pytest.approx(gx, abs=1.0)
    # drag pans by the distance dragged
    page.mouse.move(px, py)
    page.mouse.down()
    page.mouse.move(px + 60, py + 25, steps=5)
    page.mouse.up()
    wait_still(root)
    dragged = root.evaluate(CAM_JS)
    assert (dragged["x"] - after["x"], dragged["y"] - after["y"]) == pytest.approx((60, 25), abs=1.0)
    assert dragged["s"] == after["s"]
    screenshot(root, "front-zoomed")
    # fit brings the whole built graph back into the frame
    root.locator(".alab-fit").click()
    assert root.evaluate(CAM_JS) == pytest.approx(fitted)
    assert_fits_without_overlaps(root, "after fit")
    # whole graph at the first step: everything fitted (not enlarged), where "fit" shows only what exists
    seek(page, 0)
    first_fit = root.evaluate(CAM_JS)
    root.locator(".alab-whole").click()
    whole = root.evaluate(CAM_JS)
    assert whole["mode"] == "whole" and whole["s"] < first_fit["s"] and whole["s"] <= 1
    W, H = (s["overview"]["w"], s["overview"]["h"]) if s["overview"] else (s["width"], s["height"])
    assert W * whole["s"] <= box["width"] + 1 and H * whole["s"] <= box["height"] + 1
    screenshot(root, "front-whole-at-first-step")


def _torch_expect():
    """What PyTorch 2.13 shows for y = w * x after backward(): next_functions and the freed error."""
    torch = require_torch()
    w = torch.tensor(2.0, requires_grad=True)
    x = torch.tensor(3.0)
    y = w * x
    nf = re.sub(r" object at 0x[0-9a-f]+", "", str(y.grad_fn.next_functions))
    saved = y.grad_fn._saved_other
    z = y + 1
    z.backward()
    with pytest.raises(RuntimeError) as err:
        y.grad_fn._saved_other  # noqa: B018
    return y.grad_fn.name(), nf, str(saved.item()), str(err.value), w.grad_fn


@pytest.mark.browser
def test_click_a_node_to_inspect_it_as_pytorch_shows_it(browser_page, tmp_path):
    from playwright.sync_api import expect

    name, next_functions, saved, freed_error, _ = _torch_expect()
    page = browser_page
    s = scene_of(issue_example())
    open_static(page, webplayer.write_page(tmp_path / "issue.html", s))
    root = page.locator(".alab-player")
    inspect = root.locator(".alab-inspect")
    expect(inspect).to_be_hidden()
    seek(page, 4)  # the forward pass is built
    root.locator('g.alab-node[data-k] >> text="MulBackward0"').click()
    expect(inspect).to_be_visible()
    expect(inspect).to_contain_text(f"name()'{name}'")
    assert next_functions == "((<AccumulateGrad>, 0), (None, 0))"
    expect(inspect).to_contain_text(f"next_functions{next_functions}")
    expect(inspect).to_contain_text("_saved_otherholds x = 3.")
    assert saved == "3.0"
    expect(inspect).to_contain_text(re.compile(r"made atline \d+: y = w \* x"))
    screenshot(root, "front-inspect-mul")
    # after a backward without retain_graph the saved values are freed: reading them raises PyTorch's error
    seek(page, 15)
    expect(root.locator(".alab-narration")).to_contain_text("MulBackward0 frees its saved values")
    expect(inspect).to_contain_text("_saved_otherfreed")
    expect(inspect).to_contain_text("Reading a freed value now raises RuntimeError: " + freed_error)
    # a leaf: .grad before and after the step that accumulates into it
    seek(page, 9)
    root.locator('g.alab-node[data-k] >> text="w = 2."').click()
    expect(inspect).to_contain_text(".grad before this stepNone")
    expect(inspect).to_contain_text(".grad after this step3.")
    expect(inspect).to_contain_text("is_leafTrue")
    expect(inspect).to_contain_text("grad_fnNone")
    # AccumulateGrad: name() as PyTorch spells it, and its variable
    root.locator('g.alab-node[data-k] >> text="▶ AccumulateGrad"').click()
    expect(inspect).to_contain_text("name()'torch::autograd::AccumulateGrad'")
    expect(inspect).to_contain_text("variablew")
    # links in the inspector go to the node they name; close hides it
    inspect.locator("a.alab-link", has_text="w").click()
    expect(inspect).to_contain_text("requires_gradTrue")
    inspect.locator(".alab-inspect-close").click()
    expect(inspect).to_be_hidden()


# ---------------------------------------------------------------------------------------- JupyterLab
KERNEL_JS = """async (code) => {
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  const future = kernel.requestExecute({code});
  let out = '';
  future.onIOPub = (msg) => {
    if (msg.header.msg_type === 'stream') out += msg.content.text;
    if (msg.header.msg_type === 'error') out += msg.content.ename + ': ' + msg.content.evalue;
  };
  await future.done;
  return out;
}"""


def lab_cell(trace_fn: str) -> str:
    root = str(Path(__file__).resolve().parents[2])  # the kernel runs in the server's folder: find tests/
    return (f"import sys; sys.path.insert(0, {root!r})\n"
            f"from tests.browser.test_front import {trace_fn}, scene_of\n"
            "from autograd_lab.view.webplayer import WebPlayer\n"
            f"wp = WebPlayer(scene=scene_of({trace_fn}()))\nwp")


def open_in_lab(server, page, name: str, trace_fn: str):
    from playwright.sync_api import expect

    write_notebook(server.root_dir / name, lab_cell(trace_fn))
    server.open_notebook(page, name)
    server.run_all(page)
    root = page.locator(".jp-OutputArea-output .alab-player")
    expect(root).to_be_visible()
    # make the output area 840 px wide, with the file browser open
    page.evaluate("() => window.jupyterapp.commands.execute('filebrowser:activate')")
    width = resize_until(page, "() => document.querySelector('.jp-OutputArea-output').clientWidth", OUTPUT_WIDTH)
    assert abs(width - OUTPUT_WIDTH) <= 2, width
    assert page.locator(".jp-FileBrowser").first.is_visible()
    return root


@pytest.mark.browser
@pytest.mark.parametrize("trace_fn", ["lesson2_dag", "mlp"])
def test_jupyterlab_at_840px_fits_and_syncs_the_index(jupyterlab_server, browser_page, trace_fn):
    from playwright.sync_api import expect

    page = browser_page
    root = open_in_lab(jupyterlab_server, page, f"front_{trace_fn}.ipynb", trace_fn)
    narration = root.locator(".alab-narration")
    expect(narration).to_contain_text("Step 1 of ")
    n = int(re.search(r"Step 1 of (\d+)", narration.inner_text()).group(1))
    # Python moves the picture ...
    assert page.evaluate(KERNEL_JS, f"wp.index = {n - 1}") == ""
    expect(narration).to_contain_text(f"Step {n} of {n}")
    wait_still(root)  # the ResizeObserver's fit after the sidebar opened and the window was resized
    assert_fits_without_overlaps(root, f"{trace_fn} in JupyterLab at its last step")
    screenshot(page, f"front-lab-{trace_fn}-last")
    # ... and the controls move Python's index
    root.locator(".alab-prev").click()
    root.locator(".alab-prev").click()
    expect(narration).to_contain_text(f"Step {n - 2} of {n}")
    index = wait_until(lambda: page.evaluate(KERNEL_JS, "print(wp.index)").strip(), str(n - 3))  # (a comm message)
    assert index == str(n - 3)
    if trace_fn == "mlp":  # a grouped graph: the first picture is its boxes; one opens on click, and Python knows
        first = root.evaluate(GROUPS_JS)
        assert len(first["boxes"]) == 3 and first["nodes"] <= 6, first
        root.locator('g.k-group[data-k="g6"]').click()
        opened = wait_until(lambda: page.evaluate(KERNEL_JS, "print(wp.opened)").strip(), "['g6']")
        assert opened == "['g6']"
        settle(root)
        m = root.evaluate(MEASURE_JS)
        assert m["n_overlaps"] == 0 and m["root_overflow"] <= 0, m
        screenshot(root, "front-lab-mlp-layer-open")
        root.locator('.alab-close').first.click()
        assert len(root.evaluate(GROUPS_JS)["boxes"]) == 3
        opened = wait_until(lambda: page.evaluate(KERNEL_JS, "print(wp.opened)").strip(), "[]")
        assert opened == "[]"
        root.locator('.alab-by-group').check()  # the label is in the row, fully visible
        lb, rb = root.locator('.alab-by-group-label').bounding_box(), root.locator('.alab-controls').bounding_box()
        assert rb["x"] <= lb["x"] and lb["x"] + lb["width"] <= rb["x"] + rb["width"], (lb, rb)
        return
    # click to inspect works in the widget too
    root.locator("g.alab-node.k-op:not(.hid)").first.click()
    expect(root.locator(".alab-inspect")).to_contain_text("next_functions")
    screenshot(root, f"front-lab-{trace_fn}-inspect")


@pytest.mark.browser
def test_controls_and_the_table_in_the_static_page(browser_page, tmp_path):
    from playwright.sync_api import expect

    from tests.support.examples import regression

    page = browser_page
    s = scene_of(regression(9))
    n = len(s["steps"])
    requests, errors = open_static(page, webplayer.write_page(tmp_path / "regression.html", s))
    root = page.locator(".alab-player")
    narration, table = root.locator(".alab-narration"), root.locator(".alab-table")
    expect(narration).to_contain_text(f"Step 1 of {n}")
    root.locator(".alab-next").click()
    expect(narration).to_contain_text(f"Step 2 of {n}")
    root.locator(".alab-prev").click()
    expect(narration).to_contain_text(f"Step 1 of {n}")
    assert root.locator(".alab-prev").is_disabled()
    page.press(".alab-player", "ArrowRight")
    expect(narration).to_contain_text(f"Step 2 of {n}")
    root.locator(".alab-slider").evaluate("(s) => { s.value = 40; s.dispatchEvent(new Event('input')); }")
    expect(narration).to_contain_text(f"Step 41 of {n}")
    jump = root.locator(".alab-jump")
    jump.select_option(label=next(o for o in jump.locator("option").all_inner_texts() if o.startswith("backward #1")))
    backward = next(i for label, i in s["jumps"] if label.startswith("backward #1"))
    expect(narration).to_contain_text(f"Step {backward + 1} of {n}")
    # rebound names are told apart (record/names.py): the loop rebinds x, err and loss; the first is plain x
    seek(page, backward)
    names = [name.removeprefix("▶ ") for name in table.locator("tbody tr:not([hidden]) td:first-child").all_inner_texts()]
    assert {"x", "x #2", "x #9", "err #9", "loss #10"} <= set(names), names
    assert len(set(names)) == len(names), names
    # the current row (backward starts at the last loss, the table's last row) is scrolled into view
    active = table.locator("tr.alab-row-active")
    expect(active).to_have_count(1)
    expect(active).to_contain_text("loss #10")
    settle(root)  # the scroll happens in the next animation frame
    box, row = table.bounding_box(), active.bounding_box()
    assert table.evaluate("(t) => t.scrollTop") > 0
    assert box["y"] - 1 <= row["y"] and row["y"] + row["height"] <= box["y"] + box["height"] + 1, (box, row)
    # filter by name
    root.locator(".alab-filter").fill("loss")
    names = table.locator("tbody tr:not([hidden]) td:first-child").all_inner_texts()
    assert names and all("loss" in name for name in names), names
    root.locator(".alab-filter").fill("")
    # play at 4x from near the end stops at the last step
    seek(page, n - 6)
    root.locator(".alab-speed").select_option(label="4×")
    root.locator(".alab-play").click()
    expect(root.locator(".alab-play")).to_have_text(s["words"]["pause"])
    expect(narration).to_contain_text(f"Step {n} of {n}", timeout=10_000)
    expect(root.locator(".alab-play")).to_have_text(s["words"]["play"])
    assert root.locator(".alab-next").is_disabled()
    screenshot(root, "front-static-regression-end")
    assert all(u.startswith("file://") for u in requests) and not errors, (requests, errors)


@pytest.mark.browser
def test_by_group_runs_a_whole_box_per_click_and_attach_links_are_drawn(browser_page, tmp_path):
    """A grouped graph (the MLP 3->4->4->1) gets a "by group" box: next and back then go where
    graph.step_after / step_before say, and a jump over a box says what the box did. Every tensor
    hangs off its grad_fn / AccumulateGrad by a headless dotted 'attach' link."""
    from playwright.sync_api import expect

    page = browser_page
    t = mlp((3, 4, 4, 1))
    g = graph.build(t, max_nodes=5000, max_frames=100_000)
    s = scene.scene(g, trace=t)
    n = len(s["steps"])
    requests, errors = open_static(page, webplayer.write_page(tmp_path / "mlp-groups.html", s))
    root = page.locator(".alab-player")
    narration = root.locator(".alab-narration")
    box = root.locator(".alab-by-group")
    expect(box).to_have_count(1)
    root.locator(".alab-next").click()
    expect(narration).to_contain_text(f"Step 2 of {n}")
    root.locator(".alab-prev").click()
    box.check()
    j = g.step_after(0, by="group")
    root.locator(".alab-next").click()
    expect(narration).to_contain_text(f"Step {j + 1} of {n}")
    expect(root.locator(".alab-text")).to_have_text(g.summary(1, j))
    k = g.step_after(j, by="group")
    page.press(".alab-player", "ArrowRight")
    expect(narration).to_contain_text(f"Step {k + 1} of {n}")
    root.locator(".alab-prev").click()
    expect(narration).to_contain_text(f"Step {g.step_before(k, by='group') + 1} of {n}")
    seek(page, -1)
    page.evaluate("() => { const P = window.alabPlayer; for (const g of P.groups) P.openGroup(g.i); }")  # every box open
    attach = page.evaluate("""() => [...document.querySelectorAll('.alab-svg g.alab-edge.e-attach')].map((g) =>
        [g.querySelectorAll('path.head').length, getComputedStyle(g.querySelector('path.line')).strokeDasharray])""")
    assert len(attach) == sum(e.kind == "attach" for e in g.edges.values()) > 0
    assert {head for head, _ in attach} == {0} and all(dash != "none" for _, dash in attach), attach[:3]
    screenshot(root, "front-static-mlp-by-group")
    assert not errors, errors
    # a small graph has no boxes: no "by group"
    open_static(page, webplayer.write_page(tmp_path / "lesson2.html", scene_of(lesson2_dag())))
    expect(page.locator(".alab-player .alab-by-group")).to_have_count(0)


# ------------------------------------------------------------------------------------- grouped graphs
GROUPS_JS = """(root) => ({
  boxes: [...root.querySelectorAll('.alab-svg g.k-group:not(.hid)')].map((g) => g.dataset.k),
  nodes: root.querySelectorAll('.alab-svg g.alab-node:not(.k-group)').length,
  frames: [...root.querySelectorAll('.alab-svg .alab-gframes g.alab-gframe')].map((g) => g.dataset.gi),
  lit: [...root.querySelectorAll('.alab-svg g.k-group.s-active')].map((g) => g.dataset.k),
  lit_edges: root.querySelectorAll('.alab-svg .alab-aggs g.alab-edge.s-active').length,
})"""


@pytest.mark.browser
@pytest.mark.parametrize("sizes", [(3, 4, 4, 1), (3, 16, 16, 1)])
def test_a_grouped_graph_first_shows_its_boxes_that_open_and_close_in_place(browser_page, tmp_path, sizes):
    """The first picture of a micrograd MLP is a few boxes (a layer each), not hundreds of nodes; a click
    opens a box in place (its neurons appear as boxes inside its frame), stepping by group then runs one
    neuron, the step's box is lit, fit and whole graph keep the boxes, and the frame's control closes it."""
    from playwright.sync_api import expect

    t = mlp(sizes)
    g = graph.build(t, max_nodes=5000, max_frames=100_000)
    s = scene.scene(g, trace=t)
    n = len(s["steps"])
    page = browser_page
    requests, errors = open_static(page, webplayer.write_page(tmp_path / "mlp.html", s))
    root = page.locator(".alab-player")
    narration, text = root.locator(".alab-narration"), root.locator(".alab-text")
    tops = [k for k in s["overview"]["nodes"] if k in g.groups]
    assert len(tops) == 3
    seek(page, -1)
    first = root.evaluate(GROUPS_JS)
    assert sorted(first["boxes"]) == sorted(tops) and first["nodes"] <= 6, first  # a few boxes, not hundreds of nodes
    assert_fits_without_overlaps(root, f"MLP {sizes} first picture, last step")
    screenshot(root, f"front-groups-{len(g.nodes)}-closed")
    # a step in a closed box lights the box, and the overview's edges light with their members
    back_start = next(i for label, i in s["jumps"] if label.startswith("backward"))
    seek(page, back_start + 2)
    lit = root.evaluate(GROUPS_JS)
    assert lit["lit"] == [g.unit(back_start + 2)], lit
    # by group: one click runs the loss's box, the next one the whole last layer
    seek(page, back_start)
    root.locator(".alab-by-group").check()
    j = g.step_after(back_start, by="group")
    root.locator(".alab-next").click()
    expect(narration).to_contain_text(f"Step {j + 1} of {n}")
    expect(text).to_have_text(g.summary(back_start + 1, j))
    layer = g.unit(g.step_after(j, by="group"))
    assert g.groups[layer].children
    # click the layer's box: it opens in place, its neurons are boxes inside its frame
    root.locator(f'g.k-group[data-k="{layer}"]').click()
    settle(root)
    opened = root.evaluate(GROUPS_JS)
    kids = set(g.groups[layer].children)
    assert kids <= set(opened["boxes"]) and layer not in opened["boxes"], opened
    assert str(list(g.groups).index(layer)) in opened["frames"]
    boxes = {k: root.locator(f'g.k-group[data-k="{k}"] .shape').bounding_box() for k in opened["boxes"]}
    frame_box = root.locator(".alab-frame").bounding_box()
    m = root.evaluate(MEASURE_JS)
    assert m["n_overlaps"] == 0, m
    screenshot(root, f"front-groups-{len(g.nodes)}-layer-open")
    # stepping by group now runs one neuron of the layer
    k = g.step_after(j, by="group", opened=(layer,))
    assert k < g.step_after(j, by="group")
    root.locator(".alab-next").click()
    expect(narration).to_contain_text(f"Step {k + 1} of {n}")
    expect(text).to_have_text(g.summary(j + 1, k))
    neuron = g.unit(k, opened=(layer,))
    assert neuron in kids
    # open that neuron: its nodes appear inside its box's rectangle, the other boxes do not move
    def centre(key, cam):  # where a box's centre is in the graph's own units
        r, svg = root.locator(f'g.k-group[data-k="{key}"] .shape').bounding_box(), root.locator(".alab-svg").bounding_box()
        return ((r["x"] + r["width"] / 2 - svg["x"] - cam["x"]) / cam["s"],
                (r["y"] + r["height"] / 2 - svg["y"] - cam["y"]) / cam["s"])

    cam_b = root.evaluate(CAM_JS)
    before = {b: centre(b, cam_b) for b in opened["boxes"] if b != neuron}
    root.locator(f'g.k-group[data-k="{neuron}"]').click()
    settle(root)
    inside = root.evaluate(GROUPS_JS)
    assert neuron not in inside["boxes"] and inside["nodes"] >= len(g.groups[neuron].members)
    cam_a = root.evaluate(CAM_JS)
    x0, y0, x1, y1 = g.groups[neuron].box
    for key in g.groups[neuron].members[:5]:
        nb = root.locator(f'g.alab-node[data-k="{key}"] .shape').bounding_box()
        svg = root.locator(".alab-svg").bounding_box()
        gx, gy = (nb["x"] - svg["x"] - cam_a["x"]) / cam_a["s"], (nb["y"] - svg["y"] - cam_a["y"]) / cam_a["s"]
        assert x0 - 1 <= gx <= x1 + 1 and y0 - 1 <= gy <= y1 + 1, (key, gx, gy, g.groups[neuron].box)
    for b, c in before.items():  # the camera moved (it frames the neuron): the other boxes keep their place in the graph
        assert centre(b, cam_a) == pytest.approx(c, abs=2.0), b
    m = root.evaluate(MEASURE_JS)
    assert m["n_overlaps"] == 0, m
    screenshot(root, f"front-groups-{len(g.nodes)}-neuron-open")
    # ... and stepping by group goes node by node inside it
    root.locator(".alab-next").click()
    expect(narration).to_contain_text(f"Step {g.step_after(k, by='group', opened=(layer, neuron)) + 1} of {n}")
    # fit and whole graph keep the open boxes open
    root.locator(".alab-fit").click()
    assert root.evaluate(GROUPS_JS)["boxes"] == inside["boxes"]
    assert_fits_without_overlaps(root, f"MLP {sizes} with a neuron open, fitted")
    root.locator(".alab-whole").click()
    whole = root.evaluate(CAM_JS)
    assert whole["mode"] == "whole" and s["width"] * whole["s"] <= frame_box["width"] + 1
    assert root.evaluate(GROUPS_JS)["boxes"] == inside["boxes"]
    # the control on the layer's frame closes it (and the neuron in it): the first picture again
    root.locator(f'.alab-close[data-gi="{list(g.groups).index(layer)}"]').click()
    closed = root.evaluate(GROUPS_JS)
    assert sorted(closed["boxes"]) == sorted(tops) and closed["nodes"] <= 6 and closed["frames"] == [], closed
    assert_fits_without_overlaps(root, f"MLP {sizes} closed again")
    assert boxes and all(u.startswith("file://") for u in requests) and not errors, errors


GHOSTS_JS = """(root) => {
  const svg = root.querySelector('.alab-svg');
  const faint = [...svg.querySelectorAll('g.alab-node.hid')].filter((g) => getComputedStyle(g).display !== 'none');
  return {ghosts: svg.classList.contains('alab-ghosts'), faint: faint.length,
          strong: svg.querySelectorAll('g.alab-node:not(.hid)').length};
}"""


@pytest.mark.browser
def test_the_first_picture_shows_the_whole_graph_faintly_unless_the_scene_opts_out(browser_page, tmp_path):
    page = browser_page
    s = scene_of(lesson2_dag())
    open_static(page, webplayer.write_page(tmp_path / "dag.html", s))
    root = page.locator(".alab-player")
    first = root.evaluate(GHOSTS_JS)
    # step 1: one node strong, the rest of the graph faint (what is coming), the camera on the whole graph
    assert first["ghosts"] and first["strong"] >= 1 and first["strong"] + first["faint"] == len(s["nodes"]), first
    cam = root.evaluate(CAM_JS)
    seek(page, -1)  # the camera stays still while the graph is built: step 1 is framed as the last step
    assert root.evaluate(CAM_JS) == pytest.approx(cam)
    seek(page, 0)
    root.locator(".alab-fit").click()  # "fit": only what is built, no faint preview
    assert not root.evaluate(GHOSTS_JS)["ghosts"]
    screenshot(page, "front-first-picture-faint")
    # a Predict's scene before its answer (preview: false): nothing faint, whatever the mode
    open_static(page, webplayer.write_page(tmp_path / "predict.html", dict(s, preview=False)))
    opted = root.evaluate(GHOSTS_JS)
    assert not opted["ghosts"] and opted["faint"] == 0 and opted["strong"] == first["strong"], opted


# What the step is about is in view: inside the frame, or, wider or taller than it, across it.
ACTIVE_IN_VIEW_JS = """() => {
  const p = window.alabPlayer, a = p._activeRect(), w = p._width(), h = +p.svg.getAttribute('height');
  if (!a) return true;
  const x0 = a[0] * p.cam.s + p.cam.x, x1 = a[2] * p.cam.s + p.cam.x, y0 = a[1] * p.cam.s + p.cam.y, y1 = a[3] * p.cam.s + p.cam.y;
  const inX = x1 - x0 > w ? x0 < w && x1 > 0 : x0 >= -1 && x1 <= w + 1;
  const inY = y1 - y0 > h ? y0 < h && y1 > 0 : y0 >= -1 && y1 <= h + 1;
  return inX && inY;
}"""


@pytest.mark.browser
def test_lesson_8s_mlp_opened_box_is_readable_and_plus_zooms_about_it(browser_page, tmp_path):
    page = browser_page
    s = scene_of(mlp())
    open_static(page, webplayer.write_page(tmp_path / "mlp.html", s))
    root = page.locator(".alab-player")
    text_px = """() => { let min = Infinity; for (const t of document.querySelectorAll('.alab-svg text')) {
        if (!t.textContent.trim() || t.closest('.hid')) continue; const m = t.getScreenCTM(); if (!m) continue;
        min = Math.min(min, parseFloat(t.getAttribute('font-size') || getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b)); }
      return min; }"""
    i = next(j for j, st in enumerate(s["steps"]) if st.get("group") is not None and s["groups"][st["group"]]["parent"] is not None)
    neuron = s["steps"][i]["group"]
    page.evaluate("([i, g, p]) => { const pl = window.alabPlayer; pl.show(i); pl.openGroup(p); pl.openGroup(g); }",
                  [i, neuron, s["groups"][neuron]["parent"]])
    settle(root)
    h = int(root.locator(".alab-svg").get_attribute("height"))
    assert h == round(min(900 * 0.62, s["height"] * 9.5 / 10.5)), h  # the frame does not collapse (it was 215-280 px)
    assert page.evaluate(text_px) >= 9, "an opened neuron is drawn readably (it was about 5 px)"
    assert not root.locator(".alab-svg.alab-tiny").count()
    for _ in range(6):  # node by node: still readable, and the step in view
        root.locator(".alab-next").click()
        settle(root)
        assert page.evaluate(text_px) >= 9
        assert page.evaluate(ACTIVE_IN_VIEW_JS), page.evaluate("() => [window.alabPlayer._activeRect(), window.alabPlayer.cam]")
    screenshot(page, "front-mlp-neuron-open")
    # "+" zooms about the opened box or the step in it, not the frame's centre: the step stays in view
    root.locator(".alab-zoom-in").click()
    settle(root)
    assert page.evaluate(ACTIVE_IN_VIEW_JS)
    # "fit" does what it says, and the frame keeps its height
    root.locator(".alab-fit").click()
    assert int(root.locator(".alab-svg").get_attribute("height")) == h
