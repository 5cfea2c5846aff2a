"""Graph state -> picture: one SVG drawn once per trace by matplotlib, then cheap frames.

``Picture(graph)`` draws the whole final graph once (``svg.fonttype='none'``, so labels stay
text) and turns the SVG into a template whose slots are the class of every node and edge and
the text of every label. A frame is a *view*: a dict from slot key to string (``'t1'`` ->
``'s-active'``, ``'t1:g'`` -> ``'grad 3.'``). ``picture.svg(i)`` fills the template (well under a
millisecond at 100 nodes); ``picture.payload()`` gives the first view and per-frame changes
for the static HTML page, whose script fills the same slots. No widgets here::

    pic = Picture(graph.build(t))
    pic.svg(9)            # '<svg class="alab-svg" ...>' with w.grad = 3. and AccumulateGrad running
    pic.table_html(9)     # the tensors at step 9

State is never shown by colour alone: a running node gets a thick outline and '▶', a node that
ran '✓', an error '✖' and a hatch, freed saved values a dashed outline and 'freed:'. Colours
are Okabe-Ito (colour-blind safe).
"""
from __future__ import annotations

import hashlib
import html
import io
import re
import warnings

from ..narration import say
from .graph import FONT, Node, TraceGraph, text_width

__all__ = ["CSS", "legend_html", "Picture"]

# Okabe-Ito: orange, sky blue, bluish green, yellow, blue, vermillion, reddish purple.
ORANGE, SKY, GREEN, YELLOW, BLUE, VERMILLION, PURPLE = (
    "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7")
STYLE = {  # kind -> (fill, outline) of the shape when nothing is happening to it
    "tensor": ("#DDEFFB", BLUE),
    "op": ("#FDEBC8", "#B77B00"),
    "acc": ("#D4F0E6", GREEN),
    "const": ("#F0F0F0", "#8C8C8C"),
}
EDGE_COLOUR = {"grad": "#4D4D4D", "data": "#9A9A9A", "attach": "#B0B0B0"}
FIT_WIDTH = 860.0       # px: JupyterLab's default cell output width, about
VIEW_HEIGHT = 600.0     # px: the tallest the picture gets before a camera window follows the action
MIN_SCALE = 0.78        # below this a window follows the action instead of shrinking the picture further
PREFIX = {"running": "▶ ", "done": "✓ ", "error": "✖ "}

CSS = """
/* JupyterLab's UI font first; then CJK fonts for Chinese text (no tofu boxes). */
.alab-player { font-family: var(--jp-ui-font-family, system-ui, sans-serif), "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif; }
.alab-player .alab-frame { overflow: auto; max-height: 660px; background: #fff; border: 1px solid #d9d9d9;
  border-radius: 4px; }
.alab-svg { display: block; margin: 0 auto; max-width: 100%; height: auto; }
.alab-svg.alab-whole { max-width: none; }
.alab-player .alab-legend, .alab-player .alab-where, .alab-player .alab-text, .alab-player .alab-notice,
.alab-player .alab-table table { line-height: 1.4; }
.alab-svg text { font-family: "DejaVu Sans", Verdana, "Segoe UI", Arial,
  "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif; fill: #1a1a1a; }
.alab-svg .hid { display: none; }
.alab-svg g.shape.s-new > path, .alab-svg g.shape.s-active > path, .alab-svg g.shape.s-running > path {
  stroke: #000 !important; stroke-width: 2.8px !important; fill: #FFF4B8 !important; }
.alab-svg g.shape.s-error > path { fill: url(#alab-hatch) !important; stroke: #D55E00 !important;
  stroke-width: 3px !important; }
.alab-svg g.shape.freed > path { stroke-dasharray: 5 3 !important; }
.alab-svg g.shape.k-tensor.nrg > path { fill: #F4F4F4 !important; stroke: #8C8C8C !important; }
.alab-svg g.shape.k-tensor.nrg.s-new > path, .alab-svg g.shape.k-tensor.nrg.s-active > path {
  fill: #FFF4B8 !important; stroke: #000 !important; }
.alab-svg g.lbl.s-running text, .alab-svg g.lbl.s-error text, .alab-svg g.val.s-new text { font-weight: bold; }
.alab-svg g.grad.nrg text { fill: #808080; font-style: italic; }
.alab-svg g.grad.s-active text { font-weight: bold; }
.alab-svg g.info text { fill: #5a5a5a; font-style: italic; }
.alab-svg g.info.freed text { fill: #A33F00; }
.alab-svg g.info.s-running text { fill: #000; font-weight: bold; font-style: normal; }
.alab-svg g.tag text, .alab-svg g.elabel text { paint-order: stroke; stroke: #fff; stroke-width: 4px;
  stroke-linejoin: round; }
.alab-svg g.tag text { font-weight: bold; fill: #000; }
.alab-svg g.edge.s-new > path { stroke: #000 !important; stroke-width: 2.2px !important; }
.alab-svg g.edge.s-new > path + path { fill: #000 !important; }
.alab-svg g.edge > path + path { stroke-dasharray: none !important; }
.alab-svg g.edge.s-active > path { stroke: #0072B2 !important; stroke-width: 3.2px !important; }
.alab-svg g.edge.s-active > path + path { fill: #0072B2 !important; }
.alab-svg g.edge.s-passed > path { stroke: #56B4E9 !important; stroke-width: 2px !important; }
.alab-svg g.edge.s-passed > path + path { fill: #56B4E9 !important; }
.alab-svg g.elabel text { fill: #0B5D91; }
.alab-svg g.elabel.s-active text { font-weight: bold; fill: #0072B2; }
.alab-player .alab-legend { font-size: 11.5px; color: #444; background: #fff; padding: 2px 6px 4px;
  display: flex; flex-wrap: wrap; gap: 2px 14px; }
.alab-player .alab-legend span { white-space: nowrap; display: inline-flex; align-items: center; gap: 4px; }
.alab-player .alab-narration { font-size: 14px; line-height: 1.45; padding: 6px 10px; min-height: 4.4em;
  border-left: 4px solid #0072B2; background: rgba(86, 180, 233, 0.09); }
.alab-player .alab-narration.alab-err, .alab-player .alab-narration .alab-err { border-left-color: #D55E00; }
.alab-player .alab-where { font-size: 12px; opacity: 0.8; margin-bottom: 2px; }
.alab-player .alab-where code, .alab-player .alab-narration code { font-size: 12px; }
.alab-player .alab-notice { font-size: 13px; padding: 4px 8px; margin-bottom: 4px; border: 1px dashed #B77B00;
  background: rgba(230, 159, 0, 0.10); }
.alab-player .alab-errtext { color: #8F3700; }
.alab-player .alab-errtext b { font-weight: 700; }
.alab-player .alab-table { max-height: 230px; overflow: auto; }
.alab-player .alab-table table { border-collapse: collapse; font-size: 12.5px; }
.alab-player .alab-table th, .alab-player .alab-table td { padding: 2px 10px; text-align: left;
  border-bottom: 1px solid rgba(128, 128, 128, 0.25); font-family: var(--jp-code-font-family, monospace); }
.alab-player .alab-table th { font-family: inherit; font-weight: 600; }
.alab-player .alab-table tr.alab-row-active td { font-weight: bold; background: rgba(240, 228, 66, 0.25); }
"""

_HATCH = ('<defs><pattern id="alab-hatch" width="7" height="7" patternUnits="userSpaceOnUse" '
          'patternTransform="rotate(45)"><rect width="7" height="7" fill="#FBE3D3"/>'
          '<line x1="0" y1="0" x2="0" y2="7" stroke="#D55E00" stroke-width="3"/></pattern></defs>')


class Picture:
    """A TraceGraph drawn once as an SVG template, with one view (slot values) per step."""

    KEYFRAME = 32

    def __init__(self, graph: TraceGraph):
        self.graph = graph
        self.lang = graph.lang
        self._grad_label = say("player.picture.grad", self.lang, grad="\0").partition("\0")
        self._no_grad = say("player.picture.no_grad", self.lang)
        self._aria = html.escape(say("player.picture.aria", self.lang))
        self._slots: list[tuple[str, str]] = []   # (role classes, class key, text key) per drawn artist
        self._chunks: list[str] = []
        self._keys: list[str] = []
        self._text_slot: list[bool] = []
        self.scale = 1.0
        self.size = (0.0, 0.0)
        self.offset = 0.0
        self.window = (0.0, 0.0)
        self._draw()
        self._build_views()

    # ------------------------------------------------------------------ views
    @property
    def n_frames(self) -> int:
        return len(self.graph.steps)

    def _view_of(self, key: str, st, view: dict) -> None:
        """Write the slot values of one node or edge in state ``st`` into ``view``."""
        if key.startswith("e"):
            cls = "hid" if not st.shown else f"s-{st.status}"
            view[key] = cls
            view[key + ":g"] = _clip(st.grad, 20) if st.status in ("active", "passed") else ""
            return
        n = self.graph.nodes[key]
        if n.kind == "tensor":
            cls = "hid" if not st.shown else f"s-{st.status}" + ("" if st.rg else " nrg")
            view[key] = cls
            view[key + ":v"] = f"{n.label} = {st.value}"
            before, _, after = self._grad_label
            view[key + ":g"] = before + st.grad + after if st.rg else self._no_grad
            view[key + ":tag"] = _clip(st.tag, 34)
            view["row:" + key] = self._row(n, st) if st.shown else ""
        else:
            cls = "hid" if not st.shown else f"s-{st.status}" + (" freed" if st.freed else "")
            view[key] = cls
            view[key + ":l"] = PREFIX.get(st.status, "") + n.label
            view[key + ":i"] = _clip(st.info, 30)
            view[key + ":tag"] = _clip(st.tag, 34)

    def _row(self, n: Node, st) -> str:
        g = self.graph
        fn = g.nodes.get(n.grad_fn) if n.grad_fn else None
        grad_fn = f"&lt;{fn.label}&gt;" if fn is not None else "None"
        active = st.status != "idle"
        cells = [("▶ " if active else "") + n.label, st.value, st.grad, str(bool(st.rg)),
                 str(n.is_leaf), None]
        tds = "".join(f"<td>{html.escape(c)}</td>" for c in cells[:-1]) + f"<td>{grad_fn}</td>"
        return f'<tr class="alab-row-active">{tds}</tr>' if active else f"<tr>{tds}</tr>"

    def _build_views(self) -> None:
        g = self.graph
        base: dict = {}
        for k, st in g.initial.items():
            self._view_of(k, st, base)
        cams = self._cameras()
        if cams:
            base["cam"] = cams[0]
        self.base = base
        self.deltas: list[dict] = []
        self._keyframes: dict[int, dict] = {}
        view = dict(base)
        for i, step in enumerate(g.steps):
            new: dict = {}
            for k, st in step.changes.items():
                self._view_of(k, st, new)
            if cams:
                new["cam"] = cams[i]
            delta = {k: v for k, v in new.items() if view.get(k) != v}
            view.update(delta)
            self.deltas.append(delta)
            if i % self.KEYFRAME == 0:
                self._keyframes[i] = dict(view)
        self.row_keys = ["row:" + k for k, n in sorted(g.nodes.items(), key=lambda kv: kv[1].order)
                         if n.kind == "tensor"]

    def _cameras(self) -> list[str] | None:
        """Per step, the top-left corner of a window that keeps what the step is about in sight
        (None when the whole graph fits). The window moves only when the action leaves it."""
        g, (W, H) = self.graph, self.size
        vw, vh = FIT_WIDTH / self.scale, VIEW_HEIGHT / self.scale
        if W <= vw + 1 and H <= vh + 1:
            self.window = (W, H)
            return None
        vw, vh = min(vw, W), min(vh, H)
        self.window = (vw, vh)
        dx, margin = self.offset, 40.0
        x0 = y0 = None
        cams = []
        for step in g.steps:
            boxes = []
            for k in step.active:
                n = g.nodes.get(k)
                if n is not None:
                    boxes.append((n.x + dx - n.w / 2, n.y - n.h / 2 - 16, n.x + dx + n.w / 2, n.y + n.h / 2 + 16))
                elif k in g.edges and g.edges[k].points:
                    (hx, hy), (lx, ly) = g.edges[k].points[-1], g.edges[k].label_at
                    boxes.append((min(hx, lx) + dx - 20, min(hy, ly) - 12, max(hx, lx) + dx + 20, max(hy, ly) + 8))
            if boxes:
                bx0, by0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
                bx1, by1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
                if bx1 - bx0 + 2 * margin > vw or by1 - by0 + 2 * margin > vh:  # too big: centre on the first
                    bx0, by0, bx1, by1 = boxes[0]
                if x0 is None or not x0 + margin <= bx0 <= bx1 <= x0 + vw - margin:
                    x0 = (bx0 + bx1 - vw) / 2  # out of sight: centre on it, so the next steps stay in view
                if y0 is None or not y0 + margin <= by0 <= by1 <= y0 + vh - margin:
                    y0 = (by0 + by1 - vh) / 2
            x0 = min(max(x0 or 0.0, 0.0), W - vw)
            y0 = min(max(y0 or 0.0, 0.0), H - vh)
            cams.append(f"{x0:.0f} {y0:.0f}")
        return cams

    def view(self, i: int) -> dict:
        """Every slot's value at step ``i``."""
        if not self.deltas:
            return dict(self.base)
        i = max(0, min(i, len(self.deltas) - 1))
        k = i - i % self.KEYFRAME
        view = dict(self._keyframes[k])
        for j in range(k + 1, i + 1):
            view.update(self.deltas[j])
        return view

    # ------------------------------------------------------------------ outputs
    def svg(self, i: int = 0, view: dict | None = None, whole: bool = False) -> str:
        """The picture at step ``i`` as an inline SVG element.

        A graph too big for the cell is shown through a window that follows the action
        (``view['cam']``); ``whole=True`` gives the whole graph instead (to scroll around)."""
        view = self.view(i) if view is None else view
        W, H = self.size
        cam = view.get("cam") if not whole else None
        if cam:
            x0, y0 = cam.split()
            vw, vh = self.window
            box = f"{x0} {y0} {vw:.0f} {vh:.0f}"
            w, h = round(vw * self.scale), round(vh * self.scale)
        else:
            box = f"0 0 {W:.0f} {H:.0f}"
            w, h = round(W * self.scale), round(H * self.scale)
        cls = "alab-svg alab-whole" if whole and "cam" in view else "alab-svg"
        out = [f'<svg class="{cls}" xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
               f'viewBox="{box}" role="img" aria-label="{self._aria}">',
               self._chunks[0]]
        esc = html.escape
        for key, is_text, chunk in zip(self._keys, self._text_slot, self._chunks[1:]):
            v = view.get(key, "")
            out.append(esc(v, quote=False) if is_text else v)
            out.append(chunk)
        return "".join(out)

    def table_html(self, i: int = 0, view: dict | None = None) -> str:
        view = self.view(i) if view is None else view
        rows = "".join(view.get(k, "") for k in self.row_keys)
        if not rows:
            return f'<div class="alab-table-empty">{html.escape(say("player.table.empty", self.lang))}</div>'
        return f"<table><thead><tr>{self._table_head()}</tr></thead><tbody>{rows}</tbody></table>"

    def _table_head(self) -> str:
        return "".join(f"<th>{html.escape(say(c, self.lang))}</th>" for c in (
            "player.table.name", "player.table.value", "player.table.grad", "player.table.requires_grad",
            "player.table.is_leaf", "player.table.grad_fn"))

    def narration_html(self, i: int = 0) -> str:
        g = self.graph
        notice = f'<div class="alab-notice">{_code(g.notice)}</div>' if g.notice else ""
        if not g.steps:
            return notice
        i = max(0, min(i, len(g.steps) - 1))
        s = g.steps[i]
        where = html.escape(say("player.where", self.lang, i=i + 1, n=len(g.steps)))
        if s.source:
            where += f" · <code>{html.escape(s.source)}</code>"
        text = html.escape(s.text)
        if s.error:
            head, sep, rest = text.partition(": ")
            text = f'<span class="alab-errtext"><b>✖ {head}{sep}</b>{rest}</span>'
        return f'{notice}<div class="alab-where">{where}</div><div class="alab-text">{text}</div>'

    def payload(self) -> dict:
        """What the static page needs: first view, per-step changes, narrations, table row order."""
        return {"base": self.view(0), "deltas": [{}] + self.deltas[1:], "rows": self.row_keys,
                "narration": [self.narration_html(i) for i in range(max(1, self.n_frames))],
                "errors": [s.error for s in self.graph.steps]}

    # ------------------------------------------------------------------ drawing (once)
    def _gid(self, role: str, ckey: str, tkey: str | None = None) -> str:
        self._slots.append((role, ckey, tkey))
        return f"alabslot{len(self._slots) - 1}"

    def _draw(self) -> None:
        import matplotlib
        from matplotlib.figure import Figure
        from matplotlib.patches import Ellipse, FancyArrowPatch, FancyBboxPatch
        from matplotlib.path import Path

        g = self.graph
        W, H = max(g.width, 1.0), max(g.height, 1.0)
        fig = Figure(figsize=(W / 72.0, H / 72.0), dpi=72)
        fig.patch.set_visible(False)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, W)
        ax.set_ylim(H, 0)
        ax.set_axis_off()
        dx = 0.0

        def text(x, y, s, key, tkey, role, size, **kw):
            ax.text(x + dx, y, s or "·", fontsize=size, ha="center", gid=self._gid(role, key, tkey),
                    clip_on=False, **kw)

        for ek, ed in sorted(g.edges.items(), key=lambda kv: kv[1].order):
            pts = [(x + dx, y) for x, y in ed.points]
            verts, codes = [pts[0]], [Path.MOVETO]
            for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
                mx = (x0 + x1) / 2
                verts += [(mx, y0), (mx, y1), (x1, y1)]
                codes += [Path.CURVE4] * 3
            attach = ed.kind == "attach"  # a tensor hanging off its box: a thin dotted line, no head
            arrow = FancyArrowPatch(path=Path(verts, codes),
                                    arrowstyle="-" if attach else "-|>,head_length=7,head_width=3.6",
                                    mutation_scale=1, lw=1.0 if attach else 1.3, color=EDGE_COLOUR[ed.kind],
                                    linestyle=":" if attach else "--" if ed.kind == "data" else "-", gid=self._gid(
                                        f"edge e-{ed.kind}", ek))
            ax.add_patch(arrow)
        for ek, ed in sorted(g.edges.items(), key=lambda kv: kv[1].order):
            if ed.kind == "grad":
                x, y = ed.label_at
                text(x, y, "0", ek, ek + ":g", "elabel", FONT["edge"], va="baseline")
        for key, n in sorted(g.nodes.items(), key=lambda kv: kv[1].order):
            fill, line = STYLE[n.kind]
            x, y = n.x + dx, n.y
            gid = self._gid(f"shape k-{n.kind}", key)
            if n.kind == "tensor":
                ax.add_patch(Ellipse((x, y), n.w, n.h, fc=fill, ec=line, lw=1.4, gid=gid))
                text(n.x, y - 5.5, n.label, key, key + ":v", "val", FONT["value"], va="baseline")
                text(n.x, y + 12.5, "grad", key, key + ":g", "grad", FONT["grad"], va="baseline")
            else:
                ax.add_patch(FancyBboxPatch((x - n.w / 2, y - n.h / 2), n.w, n.h, fc=fill, ec=line, lw=1.4,
                                            boxstyle="round,pad=0,rounding_size=6", gid=gid))
                text(n.x, y + 4.3, n.label, key, key + ":l", "lbl", FONT["label"], va="baseline")
                text(n.x, y + n.h / 2 + 12.5, "·", key, key + ":i", "info", FONT["info"], va="baseline")
            tw = max((text_width(t, FONT["tag"]) for t in g.values.get(key + ":tag", ())), default=0.0) / 2 + 4
            tx = min(max(n.x + dx, tw), W - tw) - dx  # a long tag at the edge stays inside the picture
            text(tx, y - n.h / 2 - 5.0, "·", key, key + ":tag", "tag", FONT["tag"], va="baseline")
        buf = io.StringIO()
        with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "alab", "svg.id": None}), \
                warnings.catch_warnings():
            # The browser draws the text (svg.fonttype none, CSS font stack with CJK fonts); matplotlib
            # only measures it, and warns about 汉字 its DejaVu Sans lacks: not the student's concern.
            warnings.filterwarnings("ignore", r"Glyph \d+ .* missing from font", UserWarning)
            fig.savefig(buf, format="svg")
        self.scale = 1.0 if W <= FIT_WIDTH else max(MIN_SCALE, FIT_WIDTH / W)
        self.size = (W, H)
        self.offset = dx
        self._template(buf.getvalue(), W, H)

    def _template(self, svg: str, W: float, H: float) -> None:
        """Cut matplotlib's SVG into literal chunks around the slots; make it small and portable."""
        svg = svg[svg.index("<svg"):]
        svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
        svg = re.sub(r' clip-path="url\(#[^)]*\)"', "", svg)
        svg = re.sub(r"<defs>\s*<clipPath.*?</defs>\s*", "", svg, flags=re.S)
        svg = re.sub(r"font-family: [^;\"]*;? ?", "", svg)
        svg = re.sub(r"(\d+\.\d)\d+", r"\1", svg)
        svg = re.sub(r'transform="rotate\(-0 [^)]*\)"', "", svg)
        svg = re.sub(r"\n\s*", "\n", svg)
        # The same few inline styles repeat on every path and text: name each by its content.
        rules = {}

        def to_class(m):
            style = m.group(1).strip().rstrip(";")
            name = "m" + hashlib.md5(style.encode()).hexdigest()[:6]
            rules[name] = style
            return f'class="{name}"'

        svg = re.sub(r'style="([^"]*)"', to_class, svg)
        css = "".join(f".alab-svg .{k}{{{v}}}" for k, v in sorted(rules.items()))
        svg = re.sub(r"<defs>\s*<style[^>]*>.*?</style>\s*</defs>", f"<style>{css}</style>", svg, count=1, flags=re.S)
        svg = _HATCH + svg[svg.index(">") + 1:]  # svg() writes the root tag: its size and window vary
        chunks, keys, is_text = [], [], []
        pos = 0
        for m in re.finditer(r'<g id="alabslot(\d+)">', svg):
            role, ckey, tkey = self._slots[int(m.group(1))]
            data = f' data-c="{ckey}" data-r="{role}"' + (f' data-t="{tkey}"' if tkey else "")
            chunks.append(svg[pos:m.start()] + f'<g{data} class="{role} ')
            keys.append(ckey)
            is_text.append(False)
            pos = m.end()
            if tkey:
                t0 = svg.index("<text", pos)
                t1 = svg.index(">", t0) + 1
                t2 = svg.index("</text>", t1)
                chunks.append('">' + svg[pos:t1])
                keys.append(tkey)
                is_text.append(True)
                pos = t2
            else:
                chunks.append('">')
                keys.append("")
                is_text.append(True)
        chunks.append(svg[pos:])
        # chunks alternate literal / slot: merge empty slots back into literals
        self._chunks, self._keys, self._text_slot = [chunks[0]], [], []
        for key, text_slot, chunk in zip(keys, is_text, chunks[1:]):
            if key == "":
                self._chunks[-1] += chunk
            else:
                self._keys.append(key)
                self._text_slot.append(text_slot)
                self._chunks.append(chunk)


def _clip(s: str, n: int) -> str:
    """Long texts (matrices) are cut in the picture; the narration and the table have them whole."""
    return s if len(s) <= n else s[:n - 1] + "…"


def _code(s: str) -> str:
    """Escape ``s`` and show `back-quoted` parts as code."""
    parts = html.escape(s).split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))


def _icon(body: str, w: int = 28) -> str:
    return f'<svg width="{w}" height="14" viewBox="0 0 {w} 14" aria-hidden="true">{body}</svg>'


def _arrow(colour: str, width: float = 1.4, dash: str = "", right: bool = False) -> str:
    """An arrow icon pointing left (as gradient arrows run: from outputs back to inputs) or right
    (as the dashed data arrows run: from inputs forward into an operation)."""
    dash = f' stroke-dasharray="{dash}"' if dash else ""
    if right:
        return _icon(f'<line x1="1" y1="7" x2="21" y2="7" stroke="{colour}" stroke-width="{width}"{dash}/>'
                     f'<path d="M27 7 L20 3.5 L20 10.5 Z" fill="{colour}"/>')
    return _icon(f'<line x1="27" y1="7" x2="7" y2="7" stroke="{colour}" stroke-width="{width}"{dash}/>'
                 f'<path d="M1 7 L8 3.5 L8 10.5 Z" fill="{colour}"/>')


def legend_html(lang: str | None = None) -> str:
    """The key to the picture's shapes and arrows, in ``lang``."""
    def label(k):
        return html.escape(say(k, lang))
    items = [
        (_icon(f'<ellipse cx="14" cy="7" rx="13" ry="6" fill="{STYLE["tensor"][0]}" stroke="{BLUE}"/>'),
         "player.legend.tensor"),
        (_icon(f'<rect x="1" y="1" width="26" height="12" rx="3" fill="{STYLE["op"][0]}" '
               f'stroke="{STYLE["op"][1]}"/>'), "player.legend.grad_fn"),
        (_icon(f'<rect x="1" y="1" width="26" height="12" rx="3" fill="{STYLE["acc"][0]}" stroke="{GREEN}"/>'),
         "player.legend.acc"),
        (_arrow(EDGE_COLOUR["grad"]), "player.legend.next_functions"),
        (_arrow(EDGE_COLOUR["data"], dash="4 2", right=True), "player.legend.data"),
        (_icon(f'<line x1="1" y1="7" x2="27" y2="7" stroke="{EDGE_COLOUR["attach"]}" stroke-dasharray="1.5 2"/>'),
         "player.legend.attach"),
        (_arrow(BLUE, 3.0), "player.legend.moving"),
        ("", "player.legend.marks"),
    ]
    return '<div class="alab-legend">' + "".join(f"<span>{icon} {label(k)}</span>" for icon, k in items) + "</div>"
