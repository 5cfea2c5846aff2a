"""The browser front end's two hosts: the notebook widget (anywidget) and the self-contained page.

Both load the same ES module (``app_js()``: the source files of ``static/src/`` joined, and
``static/app.css``) and the same scene (``scene.scene(graph)``), sent once: stepping, zoom, pan and
click-to-inspect run in the page, so the two views cannot drift apart::

    from autograd_lab.view import graph, scene, webplayer
    s = scene.scene(graph.build(t), trace=t)
    w = webplayer.WebPlayer(scene=s)     # in a notebook: the player; w.index follows the clicks
    w.index = 5                          # ... and moves the picture
    webplayer.write_page("player.html", s)   # the same player with no kernel and no network

The front end is written as small ES modules by concern in ``static/src/`` (``SOURCES``, in the order
they are joined: each file imports only from files before it). ``app_js()`` joins them into one module
with no bundler: it drops the ``import`` lines (every name is then in the one module's scope) and the
``export`` keywords, except ``host.js``'s ``export function mount`` and ``export default { render }``.
Node's test runner imports the same files as they are (tests/js/).
"""
from __future__ import annotations

import functools
import html
import json
import re
from pathlib import Path

import anywidget
import traitlets

__all__ = ["WebPlayer", "page_html", "write_page", "app_js", "SOURCES", "APP_CSS"]

STATIC = Path(__file__).with_name("static")
SRC = STATIC / "src"
APP_CSS = STATIC / "app.css"
# The front end's source files (static/src/<name>.js), in the order app_js() joins them (an import from a
# later file is an error).
SOURCES = ("dom", "text", "geometry", "timeline", "bygroup", "framing",       # pure helpers (no page but dom and textWidth)
           "player",                                                 # the Player class: its DOM, show, paint
           "groups", "labels", "camera", "inspector", "table", "input",  # its other methods, by concern
           "host")                                                   # mount (static page), render (anywidget)

_IMPORT = re.compile(r'^import (?:\{([^}]*)\} from )?"\./(\w+)\.js";$')
_EXPORT = re.compile(r"^export (?=(?:function|class|const|let) )", re.M)
_EXPORTED = re.compile(r"^export (?:function|class|const|let) (\w+)|^export const (\w+)", re.M)


def _join(sources=SOURCES, src: Path = SRC) -> str:
    """The files ``<name>.js`` of ``src`` for each name of ``sources``, as one ES module (see the module docstring)."""
    exported: dict[str, set] = {}
    parts = ["// autograd_lab's player front end: one ES module joined from view/static/src/ by view/webplayer.py.\n"
             "// Do not edit the joined module: edit the source files.\n"]
    for name in sources:
        text = (src / f"{name}.js").read_text(encoding="utf-8")
        body = []
        for line in text.split("\n"):
            if not line.startswith("import "):
                body.append(line)
                continue
            m = _IMPORT.match(line)
            if m is None:
                raise RuntimeError(f"{name}.js: an import app_js() cannot join (one line, from \"./file.js\"): {line}")
            names, dep = m.group(1), m.group(2)
            if dep not in exported:
                raise RuntimeError(f"{name}.js imports {dep}.js, which is not joined before it (webplayer.SOURCES)")
            missing = {n.strip() for n in (names or "").split(",") if n.strip()} - exported[dep]
            if missing:
                raise RuntimeError(f"{name}.js imports {sorted(missing)} from {dep}.js, which does not export them")
        text = "\n".join(body)
        exported[name] = {a or b for a, b in _EXPORTED.findall(text)}
        if name != "host":
            text = _EXPORT.sub("", text)
            if re.search(r"^export\b", text, re.M):
                raise RuntimeError(f"{name}.js: an export app_js() does not know how to join")
        parts.append(f"// ---- {name}.js\n{text.strip()}\n")
    return "\n".join(parts)


@functools.lru_cache(maxsize=1)
def _app_js(stamp) -> str:
    return _join()


def app_js() -> str:
    """The front end as one ES module (``export default { render }`` for anywidget, ``export function mount``);
    joined again when a source file changed."""
    return _app_js(tuple((SRC / f"{n}.js").stat().st_mtime_ns for n in SOURCES))


class WebPlayer(anywidget.AnyWidget):
    """The player in a notebook: the scene is sent once; ``index`` is synced both ways."""

    _esm = app_js()
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
# import a module from itself; the exports are host.js's, by convention).
_EXPORTS = re.compile(r"^export (function|default|\{)", re.M)


def _inline_js() -> str:
    js = app_js()
    js = js.replace("export function mount(", "function mount(")
    js = re.sub(r"^export default \{ render \};\s*$", "", js, flags=re.M)
    if _EXPORTS.search(js):
        raise RuntimeError("the front end has an export the static page does not know how to inline")
    return js


def page_html(scene: dict, title: str | None = None) -> str:
    """One HTML page (no CDN, no network) with the player of ``scene``: the front end (app_js()) and app.css inlined
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
