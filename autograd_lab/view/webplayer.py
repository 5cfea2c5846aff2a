"""The browser front end's two hosts: the notebook widget (anywidget) and the self-contained page.

Both load the same ES module (``static/app.js`` + ``static/app.css``) and the same scene
(``scene.scene(graph)``), sent once: stepping, zoom, pan and click-to-inspect run in the page,
so the two views cannot drift apart::

    from autograd_lab.view import graph, scene, webplayer
    s = scene.scene(graph.build(t), trace=t)
    w = webplayer.WebPlayer(scene=s)     # in a notebook: the player; w.index follows the clicks
    w.index = 5                          # ... and moves the picture
    webplayer.write_page("player.html", s)   # the same player with no kernel and no network
"""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

import anywidget
import traitlets

__all__ = ["WebPlayer", "page_html", "write_page", "APP_JS", "APP_CSS"]

STATIC = Path(__file__).with_name("static")
APP_JS = STATIC / "app.js"
APP_CSS = STATIC / "app.css"


class WebPlayer(anywidget.AnyWidget):
    """The player in a notebook: the scene is sent once; ``index`` is synced both ways."""

    _esm = APP_JS
    _css = APP_CSS

    scene = traitlets.Dict(help="the trace's scene (scene.scene(graph)); sent once").tag(sync=True)
    index = traitlets.Int(0, help="the step shown; set from Python or by the controls in the page").tag(sync=True)
    opened = traitlets.List(traitlets.Unicode(), help="keys of the boxes the student opened in the page (graph.unit)"
                            ).tag(sync=True)
    note = traitlets.List(help="[step, text]: what a step by group from Python did, shown at that step").tag(sync=True)

    @traitlets.validate("index")
    def _validate_index(self, proposal):
        n = len(self.scene.get("steps", ()))
        return max(0, min(int(proposal["value"]), n - 1)) if n else 0


# The module's exports become plain names in the page's classic script (a file:// page cannot
# import a module from itself; the exports are the last lines of app.js, by convention).
_EXPORTS = re.compile(r"^export (function|default|\{)", re.M)


def _inline_js() -> str:
    js = APP_JS.read_text(encoding="utf-8")
    js = js.replace("export function mount(", "function mount(")
    js = re.sub(r"^export default \{ render \};\s*$", "", js, flags=re.M)
    if _EXPORTS.search(js):
        raise RuntimeError("app.js has an export the static page does not know how to inline")
    return js


def page_html(scene: dict, title: str | None = None) -> str:
    """One HTML page (no CDN, no network) with the player of ``scene``: app.js and app.css inlined
    (``title`` defaults to the scene's words' title)."""
    if title is None:
        title = scene.get("words", {}).get("title", "autograd_lab")
    data = json.dumps(scene, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    css = APP_CSS.read_text(encoding="utf-8")
    js = _inline_js().replace("</script", "<\\/script")
    return f"""<!DOCTYPE html>
<html lang="{html.escape(scene.get('lang', 'en'))}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{html.escape(title)}</title>
<style>body {{ margin: 16px; background: #fff; }} .alab-host {{ max-width: 1100px; }}
{css}</style></head>
<body>
<div class="alab-host"><div class="alab-player"></div></div>
<script type="application/json" id="alab-scene">{data}</script>
<script>
"use strict";
(function () {{
{js}
window.alabMount = mount;
window.alabPlayer = mount(document.querySelector(".alab-player"),
                          JSON.parse(document.getElementById("alab-scene").textContent));
}})();
</script>
</body></html>
"""


def write_page(path, scene: dict, title: str | None = None) -> Path:
    """Write ``page_html(scene)`` to ``path``; returns the path."""
    path = Path(path)
    path.write_text(page_html(scene, title), encoding="utf-8")
    return path
