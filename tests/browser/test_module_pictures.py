"""The three nn models of a first lesson (tests/support/examples.py) at 840 px: real torch's
Sequential, small CNN and transformer block, and the Sequential in autograd_lab.nn, in the static page
and in JupyterLab with its file browser open. At the first step and the last: the picture is complete
(tests/support/picture.py), no picture text is under 9 px on the screen, the modules' boxes carry the
names the code gives them, the page does not scroll sideways, the narration is at most 400 characters,
the page (the static HTML file, the widget's state) is at most 5 MB; in English and Chinese. Screenshots:
test-artifacts/modules-<model>-<lang>-first.png / -last.png (static), modules-lab-<model>-first.png / -last.png
(and modules-lab-zh-... for Chinese)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import autograd_lab as lab
from autograd_lab.narration import say
from autograd_lab.view.player import Player
from tests.browser.conftest import screenshot, wait_still, write_notebook
from tests.support.examples import sequential_mlp, small_cnn, transformer_block
from tests.support.picture import MOUNT_WATCH, PICTURE_CHECK, problems
from tests.support.requirements import require_torch

WIDTH = 840
# the texts of the picture a student sees in the frame (a box not built yet shows its name too)
# (drawn: in the frame, or beside it where the camera follows the step of a graph too big to fit readably)
BOX_LABELS = """(root) => {
  const fr = root.querySelector('.alab-frame').getBoundingClientRect();
  const drawn = [...root.querySelectorAll('.alab-svg text')].filter((t) =>
    t.checkVisibility({checkOpacity: true, checkVisibilityCSS: true}) && t.getBoundingClientRect().width > 0);
  const inFrame = drawn.filter((t) => {
    const r = t.getBoundingClientRect();
    return r.right > fr.left && r.left < fr.right && r.bottom > fr.top && r.top < fr.bottom;
  });
  return [drawn.map((t) => t.textContent), inFrame.map((t) => t.textContent)];
}"""

MODELS = {
    "sequential": (lambda: sequential_mlp(), ["net[0]", "net[1]", "net[2]"]),
    "sequential-core": (lambda: sequential_mlp(lab), ["net[0]", "net[1]", "net[2]"]),
    "cnn": (small_cnn, ["conv", "head"]),
    "transformer": (transformer_block, ["block.ln1", "block.attn", "block.ln2", "block.mlp"]),
}


MAX_NARRATION = 400           # characters of one step's narration
MAX_PAGE = 5 * 1024 * 1024    # bytes of the static page and of the widget's state


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("model", list(MODELS))
def test_nn_model_is_readable_at_840px_with_its_modules_named(browser_page, tmp_path, model, lang):
    require_torch()
    make, names = MODELS[model]
    page = browser_page
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_init_script(MOUNT_WATCH)
    page.set_viewport_size({"width": WIDTH + 32, "height": 1000})
    player = Player(make(), lang=lang)
    state = len(json.dumps(player.get_state()).encode())
    html = player.save_html(tmp_path / f"{model}.html")
    assert html.stat().st_size <= MAX_PAGE and state <= MAX_PAGE, (html.stat().st_size, state)
    page.goto(html.as_uri())
    page.locator(".alab-player .alab-svg").wait_for()
    root = page.locator(".alab-player").element_handle()
    n = page.evaluate("() => window.alabPlayer.n")
    for at, i in (("first", 0), ("last", n - 1)):
        page.evaluate("(i) => window.alabPlayer.show(i)", i)
        wait_still(root)
        report = page.evaluate(PICTURE_CHECK, root)
        screenshot(page.locator(".alab-player"), f"modules-{model}-{lang}-{at}")
        said = page.evaluate("(r) => r.querySelector('.alab-text').textContent", root)
        assert 0 < len(said) <= MAX_NARRATION, (at, len(said), said)
        assert not problems(report), (at, problems(report), report["minTextPx"])
        assert report["minTextPx"] is None or report["minTextPx"] >= 9, (at, report["minTextPx"])
        texts, seen = page.evaluate(BOX_LABELS, root)
        for name in names:
            assert name in texts, (at, name, sorted(set(texts))[:40])
        assert set(names) & set(seen), (at, sorted(set(seen))[:40])  # one at least on the screen
        assert page.evaluate("() => document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth + 1")
    assert not errors, errors


LAB_CELLS = {
    "sequential": "from tests.support.examples import sequential_mlp\nlab.Player(sequential_mlp(){lang})",
    "sequential-core": "from tests.support.examples import sequential_mlp\nlab.Player(sequential_mlp(lab){lang})",
    "cnn": "from tests.support.examples import small_cnn\nlab.Player(small_cnn(){lang})",
    "transformer": "from tests.support.examples import transformer_block\nlab.Player(transformer_block(){lang})",
    "loop": "from tests.support.examples import nn_training_loop\nlab.Player(nn_training_loop(){lang})",
}
# the texts the picture must hold (a loop: its open first and last iterations' frames, named by their start)
def lab_names(model: str, lang: str, at: str = "first") -> list[str]:
    if model != "loop":
        return MODELS[model][1]
    # (at the last step, the camera on the last iteration: its frame and a closed box; the first
    # iteration's frame label may give way to what lies at its spot in that view)
    return [say("loop.iteration", lang, i=i, n=20) + " ·" for i in ((1, 20, 2) if at == "first" else (20, 2))]
SHOW_LAST = """(root) => {
  const s = root.querySelector('.alab-slider');
  s.value = s.max;
  s.dispatchEvent(new Event('input', {bubbles: true}));
  return +s.max;
}"""


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_nn_models_in_jupyterlab_at_840px(jupyterlab_server, browser_page, lang):
    """The same in JupyterLab, its file browser open and outputs 840 px wide (one notebook, a cell a model),
    and a 20-iteration training loop of nn.Linear with optim.SGD: its iteration boxes, the first and the last
    framed with their labels."""
    from tests.browser.test_lessons import OUTPUT_WIDTH, _open_at_840

    require_torch()
    page = browser_page
    page.add_init_script(MOUNT_WATCH)
    arg = ', lang="zh"' if lang == "zh" else ""
    root = str(Path(__file__).resolve().parents[2])  # the kernel runs in the server's folder: find tests/
    write_notebook(jupyterlab_server.root_dir / f"nn_models_{lang}.ipynb",
                   f"import sys; sys.path.insert(0, {root!r})\nimport torch\nimport autograd_lab as lab",
                   *(c.replace("{lang}", arg) for c in LAB_CELLS.values()))
    _open_at_840(jupyterlab_server, page, f"nn_models_{lang}.ipynb")
    jupyterlab_server.run_all(page)
    roots = page.locator(".alab-player")
    assert roots.count() == len(LAB_CELLS)
    tag = "" if lang == "en" else "zh-"
    for k, model in enumerate(LAB_CELLS):
        names = lab_names(model, lang)
        root = roots.nth(k).element_handle()
        for at in ("first", "last"):
            if at == "last":
                page.evaluate(SHOW_LAST, root)
            root.evaluate("(r) => r.querySelector('.alab-frame').scrollIntoView({block: 'center'})")
            wait_still(root)  # (JupyterLab draws the cells brought into view, the player fits its width)
            report = page.evaluate(PICTURE_CHECK, root)
            screenshot(roots.nth(k), f"modules-lab-{tag}{model}-{at}")
            assert not problems(report), (model, at, problems(report))
            assert report["minTextPx"] is None or report["minTextPx"] >= 9, (model, at, report["minTextPx"])
            assert report["frame"][0] <= OUTPUT_WIDTH + 2, report["frame"]
            said = page.evaluate("(r) => r.querySelector('.alab-text').textContent", root)
            assert 0 < len(said) <= MAX_NARRATION, (model, at, len(said), said)
            texts, seen = page.evaluate(BOX_LABELS, root)
            for name in lab_names(model, lang, at):
                assert any(t == name or name.endswith("·") and t.startswith(name) for t in texts), (model, at, name)
            # (a loop: its boxes are drawn, but at 840 px the camera reads the step, the leaves at the left,
            # and the iterations' boxes and frames lie beside the frame's view)
            if model != "loop":
                assert any(t == n or n.endswith("·") and t.startswith(n) for t in seen for n in names), \
                    (model, at, sorted(set(seen))[:40])
        assert page.evaluate("() => document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth + 1")
    state = page.evaluate("""() => [...document.querySelectorAll('.alab-player')].map((r) =>
        JSON.stringify(r.alab.scene).length)""")
    assert max(state) <= MAX_PAGE, state   # each widget's scene (its state but the front end's code)
