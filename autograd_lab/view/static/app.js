// autograd_lab's player front end: one ES module for the notebook widget (anywidget) and the static page.
//
// The scene (view/scene.py) arrives once: nodes with their layout, edges, the state of everything
// before the first step and what each step changes. Stepping, zoom, pan, fitting and inspecting all
// happen here, in the page, with no kernel round trip.
//   anywidget:    export default { render({ model, el }) }   (traits: scene, index)
//   static page:  mount(el, scene)                            (webplayer.page_html inlines this file)
// Every word shown comes from scene.words (the Python side fills them from the catalogue).

const SVGNS = "http://www.w3.org/2000/svg";
const FONT = '"DejaVu Sans", "Noto Sans", "Segoe UI", Roboto, Helvetica, Arial, "Noto Sans CJK SC", ' +
  '"Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif';
const SIZE = { value: 12.5, grad: 11, label: 12, info: 10.5, tag: 10.5, edge: 11 };
const LINE = 1.2;            // a text's box height, in font sizes (what the overlap checks use)
const BASE_INTERVAL = 900;   // ms per step at 1x
const SPEEDS = [0.5, 1, 2, 4];
const KEYFRAME = 32;
const PREFIX = { running: "▶ ", done: "✓ ", error: "✖ " };
const MAX_ROWS = 200;
const MIN_SCALE = 0.02, MAX_SCALE = 8;
const RANK = { idle: 0, passed: 1, new: 2, active: 3 };   // an edge to a box shows its brightest edge's state
const STATUS = ["idle", "passed", "new", "active"];
const TINY = 4;              // px: below this on-screen size texts are not drawn (hover and the table have them)

// ------------------------------------------------------------------------------------ helpers
function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v; else if (k === "text") e.textContent = v; else e.setAttribute(k, v);
  }
  for (const kid of kids) if (kid != null) e.append(kid);
  return e;
}

function sv(tag, attrs = {}) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

function fill(template, params) {
  return template.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));
}

let _ctx = null;
const _widths = new Map();
function textWidth(s, size, style = "") {   // style: "600" (bold), "italic", as CSS draws the text
  const key = size + style + "|" + s;
  let w = _widths.get(key);
  if (w === undefined) {
    if (!_ctx) _ctx = document.createElement("canvas").getContext("2d");
    _ctx.font = `${style ? style + " " : ""}${size}px ${FONT}`;
    w = _ctx.measureText(s).width;
    if (_widths.size > 50000) _widths.clear();
    _widths.set(key, w);
  }
  return w;
}

// The longest prefix of s (with "…") that is at most `width` px wide at `size`; "" when not even "x…" fits.
function shorten(s, size, width, style = "") {
  if (textWidth(s, size, style) <= width) return s;
  let lo = 0, hi = s.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (textWidth(s.slice(0, mid) + "…", size, style) <= width) lo = mid; else hi = mid - 1;
  }
  return lo >= 1 ? s.slice(0, lo).trimEnd() + "…" : "";
}

function sameState(a, b) {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// A spatial hash of boxes [x0, y0, x1, y1] (graph units), to test overlaps quickly.
class Boxes {
  constructor(cell = 64) { this.cell = cell; this.grid = new Map(); }
  add(b) {
    const c = this.cell;
    for (let i = Math.floor(b[0] / c), i1 = Math.floor(b[2] / c); i <= i1; i++)
      for (let j = Math.floor(b[1] / c), j1 = Math.floor(b[3] / c); j <= j1; j++) {
        const k = i * 1048576 + j;
        let l = this.grid.get(k);
        if (!l) this.grid.set(k, (l = []));
        l.push(b);
      }
  }
  hits(b) {
    const c = this.cell;
    for (let i = Math.floor(b[0] / c), i1 = Math.floor(b[2] / c); i <= i1; i++)
      for (let j = Math.floor(b[1] / c), j1 = Math.floor(b[3] / c); j <= j1; j++) {
        const l = this.grid.get(i * 1048576 + j);
        if (l) for (const o of l) if (b[0] < o[2] && o[0] < b[2] && b[1] < o[3] && o[1] < b[3]) return true;
      }
    return false;
  }
}

// The width available to a text line at `dy` from the centre of a tensor's ellipse.
function chord(n, dy) {
  const r = Math.min(1, dy / (n.h / 2));
  return n.w * Math.sqrt(1 - r * r) - 6;
}

// Points along an edge as drawn (cubic pieces with horizontal tangents between the layout's points).
function curvePoint(p0, p1, t) {
  const mx = (p0[0] + p1[0]) / 2, u = 1 - t;
  const x = u * u * u * p0[0] + 3 * u * u * t * mx + 3 * u * t * t * mx + t * t * t * p1[0];
  const y = u * u * u * p0[1] + 3 * u * u * t * p0[1] + 3 * u * t * t * p1[1] + t * t * t * p1[1];
  return [x, y];
}

// ------------------------------------------------------------------------------------ the player
class Player {
  constructor(root, scene, opts = {}) {
    this.root = root;
    this.scene = scene;
    this.words = scene.words || {};
    this.onIndex = opts.onIndex || null;
    this.onOpened = opts.onOpened || null;
    this.n = scene.steps.length;
    this.nodes = new Map(scene.nodes.map((n) => [n.k, n]));
    this.edges = new Map(scene.edges.map((e) => [e.k, e]));
    this.keyframes = new Map();
    this.cur = Object.assign({}, scene.initial);
    this.curIndex = -1;           // the step this.cur is the state after (-1: before the first)
    this.idx = 0;
    this.timer = null;
    this.mode = "fit";            // fit: the built part fitted to the width; whole: everything fitted; user
    this.cam = { s: 1, x: 0, y: 0 };
    this.inspected = null;
    this.filter = "";
    this.names = this._rowNames();
    this._groupsInit();
    this._build();
    this.show(opts.index != null ? opts.index : (scene.start || 0), { silent: true, first: true });
  }

  // -- the DOM, built once ---------------------------------------------------------------------
  _build() {
    const W = this.words, root = this.root;
    root.classList.add("alab-player");
    root.tabIndex = 0;
    root.replaceChildren();
    const disabled = this.n <= 1;
    if (this.scene.notice && this.n) root.append(el("div", { class: "alab-notice", text: this.scene.notice }));
    // controls
    this.jump = el("select", { class: "alab-jump", "aria-label": W.jump_aria });
    this.jump.append(el("option", { value: "-1", text: W.jump }));
    for (const [label, i] of this.scene.jumps) this.jump.append(el("option", { value: String(i), text: label }));
    this.prev = el("button", { class: "alab-prev", title: W.back_tip, text: W.back, type: "button" });
    this.play = el("button", { class: "alab-play", title: W.play_tip, text: W.play, type: "button" });
    this.next = el("button", { class: "alab-next", title: W.next_tip, text: W.next, type: "button" });
    this.slider = el("input", { class: "alab-slider", type: "range", min: "0", max: String(Math.max(0, this.n - 1)),
                                value: "0", "aria-label": W.step });
    this.speed = el("select", { class: "alab-speed", "aria-label": W.speed, title: W.speed });
    for (const v of SPEEDS) {
      const o = el("option", { value: String(v), text: fill(W.speed_label, { factor: v }) });
      if (v === (this.scene.speed || 1)) o.selected = true;
      this.speed.append(o);
    }
    for (const c of [this.jump, this.play, this.slider, this.speed]) c.disabled = disabled;
    // a grouped graph: "by group" makes next and back run a whole box (graph.step_after / step_before); it sits
    // by the buttons it changes, and the slider takes what is left of the row
    this.byGroup = el("input", { class: "alab-by-group", type: "checkbox" });
    const byGroup = this.groups.some((g) => g.c) && !disabled
      ? el("label", { class: "alab-by-group-label", title: W.by_group_tip }, this.byGroup, " " + W.by_group) : null;
    const controls = el("div", { class: "alab-controls" }, this.jump, this.prev, this.play, this.next, byGroup,
                        this.slider, this.speed);
    // picture
    this.svg = sv("svg", { class: "alab-svg", role: "img", "aria-label": W.picture });
    this.svg.innerHTML = '<defs><pattern id="alab-hatch" width="7" height="7" patternUnits="userSpaceOnUse" ' +
      'patternTransform="rotate(45)"><rect width="7" height="7" fill="#FBE3D3"/>' +
      '<line x1="0" y1="0" x2="0" y2="7" stroke="#D55E00" stroke-width="3"/></pattern></defs>';
    this.camG = sv("g", { class: "alab-cam" });
    this.frameG = sv("g", { class: "alab-gframes" });   // open groups' frames, behind everything
    this.edgeG = sv("g", { class: "alab-edges" });
    this.aggG = sv("g", { class: "alab-edges alab-aggs" });   // edges to and from closed boxes
    this.nodeG = sv("g", { class: "alab-nodes" });
    this.boxG = sv("g", { class: "alab-boxes" });      // closed groups, each one box
    this.frameTopG = sv("g", { class: "alab-gframes-top" });   // open groups' labels and close controls
    this.labelG = sv("g", { class: "alab-labels" });
    this.camG.append(this.frameG, this.edgeG, this.aggG, this.nodeG, this.boxG, this.frameTopG, this.labelG);
    this.svg.append(this.camG);
    const btn = (cls, text, tip) => el("button", { class: cls, text, title: tip, type: "button" });
    this.zoomIn = btn("alab-zoom-in", W.zoom_in, W.zoom_in_tip);
    this.zoomOut = btn("alab-zoom-out", W.zoom_out, W.zoom_out_tip);
    this.fitBtn = btn("alab-fit", W.fit, W.fit_tip);
    this.wholeBtn = btn("alab-whole", W.whole, W.whole_tip);
    const viewControls = el("div", { class: "alab-view-controls" }, this.zoomIn, this.zoomOut, this.fitBtn,
                            this.wholeBtn);
    this.inspect = el("div", { class: "alab-inspect", hidden: "" });
    this.frame = el("div", { class: "alab-frame" }, this.svg, viewControls);
    // narration, legend, table
    this.where = el("div", { class: "alab-where" });
    this.text = el("div", { class: "alab-text" });
    this.narration = el("div", { class: "alab-narration", "aria-live": "polite" }, this.where, this.text);
    this.filterBox = el("input", { class: "alab-filter", type: "search", placeholder: W.filter,
                                   "aria-label": W.filter });
    this.table = el("div", { class: "alab-table" });
    const tableBox = el("div", { class: "alab-tablebox" }, this.filterBox, this.table);
    root.append(controls, this.frame, this.inspect, this._legend(), this.narration, tableBox);
    this._drawGraph();
    this._wire();
  }

  _legend() {
    const W = this.words;
    const icon = (body) => `<svg width="28" height="14" viewBox="0 0 28 14" aria-hidden="true">${body}</svg>`;
    // as drawn: gradients flow right to left (outputs are on the right), data flows forward, left to right
    const arrow = (cls, forward) => icon(forward
      ? `<g class="${cls}"><line x1="1" y1="7" x2="21" y2="7"/><path d="M27 7 L20 3.5 L20 10.5 Z"/></g>`
      : `<g class="${cls}"><line x1="27" y1="7" x2="7" y2="7"/><path d="M1 7 L8 3.5 L8 10.5 Z"/></g>`);
    const items = [
      [icon('<ellipse class="lg-tensor" cx="14" cy="7" rx="13" ry="6"/>'), W.tensor],
      [icon('<rect class="lg-op" x="1" y="1" width="26" height="12" rx="3"/>'), W.grad_fn],
      [icon('<rect class="lg-acc" x="1" y="1" width="26" height="12" rx="3"/>'), W.acc],
      [arrow("lg-edge e-grad"), W.legend_grad],
      [arrow("lg-edge e-data", true), W.legend_data],
      [icon('<g class="lg-edge e-attach"><line x1="1" y1="7" x2="27" y2="7"/></g>'), W.legend_attach],
      [arrow("lg-edge s-active"), W.legend_now],
      ["", W.legend_marks],
    ];
    const legend = el("div", { class: "alab-legend" });
    for (const [svg, label] of items) {
      const span = el("span");
      span.innerHTML = svg;
      span.append(" " + label);
      legend.append(span);
    }
    return legend;
  }

  _drawGraph() {
    // Elements are made when first shown (a node inside a closed box may never be): see _relayout.
    this.nodeEls = new Map();
    this.edgeEls = new Map();
    for (const e of this.scene.edges) {
      const p = e.pts, pts = [];
      for (let i = 0; i + 1 < p.length; i += 2) pts.push([p[i], p[i + 1]]);
      e.points = pts;
    }
    this.labelEls = new Map();   // "tag:k" / "info:k" / "edge:k" -> <text>
    this._relayout();
  }

  _edgeEl(k, kind, pts) {
    let d = `M${pts[0][0]},${pts[0][1]}`;
    for (let i = 1; i < pts.length; i++) {
      const [x0, y0] = pts[i - 1], [x1, y1] = pts[i], mx = (x0 + x1) / 2;
      d += ` C${mx},${y0} ${mx},${y1} ${x1},${y1}`;
    }
    const [hx, hy] = pts[pts.length - 1], dir = Math.sign(hx - pts[pts.length - 2][0]) || 1;
    const head = `M${hx},${hy} L${hx - 7 * dir},${hy - 3.6} L${hx - 7 * dir},${hy + 3.6} Z`;
    const g = sv("g", { class: `alab-edge e-${kind} hid`, "data-k": k });
    // 'attach': a tensor hanging off its grad_fn / AccumulateGrad carries no gradient: no head
    if (kind === "attach") g.append(sv("path", { class: "line", d }), sv("title"));
    else g.append(sv("path", { class: "line", d }), sv("path", { class: "head", d: head }), sv("title"));
    return g;
  }

  _nodeEl(n) {
    const g = sv("g", { class: `alab-node k-${n.kind} hid`, "data-k": n.k });
    if (n.kind === "tensor") {
      g.append(sv("ellipse", { class: "shape", cx: n.x, cy: n.y, rx: n.w / 2, ry: n.h / 2 }));
      g.append(sv("text", { class: "v", x: n.x, y: n.y - 7.5, "font-size": SIZE.value }));
      g.append(sv("text", { class: "g", x: n.x, y: n.y + 8.5, "font-size": SIZE.grad }));
    } else {
      g.append(sv("rect", { class: "shape", x: n.x - n.w / 2, y: n.y - n.h / 2, width: n.w, height: n.h, rx: 6 }));
      g.append(sv("text", { class: "l", x: n.x, y: n.y, "font-size": SIZE.label }));
    }
    g.append(sv("title"));
    return g;
  }

  // -- groups: closed boxes, open frames, the first picture of a grouped graph -------------------------
  _groupsInit() {
    const G = this.groups = (this.scene.groups || []).map((g, i) => Object.assign({}, g, { i, nodes: [], edges: [] }));
    this.gByKey = new Map(G.map((g) => [g.k, g]));
    this.opened = new Set();       // indices of collapsed groups the student opened
    const ov = this.scene.overview;
    this.ov = G.some((g) => g.c) && ov && ov.nodes ? ov : null;
    for (const n of this.scene.nodes)
      for (let q = n.g; q != null; q = G[q].parent) G[q].nodes.push(n.k);
    for (const e of this.scene.edges) {   // an edge belongs to the groups its head is in (a gradient arriving)
      const d = this.nodes.get(e.dst);
      if (d) for (let q = d.g; q != null; q = G[q].parent) G[q].edges.push(e.k);
    }
  }

  // What stands for node n in the picture: itself, or the key of the closed box it is inside.
  _itemOf(n) {
    const G = this.groups;
    if (n.g == null) return n.k;
    if (this.ovMode) {   // the first picture: a collapsed top-level group is one box
      let q = n.g;
      while (G[q].parent != null) q = G[q].parent;
      return G[q].c ? G[q].k : n.k;
    }
    let out = n.k;
    for (let q = n.g; q != null; q = G[q].parent) if (G[q].c && !this.opened.has(q)) out = G[q].k;
    return out;
  }

  // The box a step runs in when "by group" is on: its outermost collapsed group not opened (graph.unit).
  unit(i) {
    const G = this.groups;
    let out = -1;
    for (let q = this.scene.steps[i].g; q != null; q = G[q].parent) if (G[q].c && !this.opened.has(q)) out = q;
    return out;
  }

  // Where an item is drawn, [x, y, w, h] (centre, size): a node, or a group's box.
  _rect(k) {
    if (this.ovMode) return this.ov.nodes[k];
    const g = this.gByKey.get(k);
    if (g) { const [x0, y0, x1, y1] = g.box; return [(x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0]; }
    const n = this.nodes.get(k);
    return [n.x, n.y, n.w, n.h];
  }

  _npos(n) {
    if (!this.ovMode) return n;
    const r = this.ov.nodes[n.k];
    return { k: n.k, kind: n.kind, x: r[0], y: r[1], w: r[2], h: r[3] };
  }

  // An edge between two items of which one at least is a closed box: out of the side of the one, into the
  // facing side of the other, bending half way (as layout.py draws edges between groups).
  _connect(u, v) {
    const [ux, uy, uw] = this._rect(u), [vx, vy, vw] = this._rect(v);
    const right = ux <= vx;
    const x0 = right ? ux + uw / 2 : ux - uw / 2, x1 = right ? vx - vw / 2 : vx + vw / 2, mx = (x0 + x1) / 2;
    return [[x0, uy], [mx, uy], [mx, vy], [x1, vy]];
  }

  _framed(g) {
    for (let q = g.i; q != null; q = this.groups[q].parent)
      if (this.groups[q].c && !this.opened.has(q)) return false;
    return true;
  }

  // Which nodes, edges, boxes and frames the picture has, for the groups opened now. Elements not in the
  // picture are taken out of the page (and painted again when they come back), so a big graph with its
  // boxes closed is a small picture.
  _relayout() {
    const G = this.groups, W = this.words;
    this.ovMode = !!this.ov && this.opened.size === 0;
    const item = this.item = new Map();
    for (const n of this.scene.nodes) item.set(n.k, this._itemOf(n));
    const nfrag = document.createDocumentFragment(), efrag = document.createDocumentFragment();
    this.visNodes = [];
    this._pending = [];
    for (const n of this.scene.nodes) {
      let g = this.nodeEls.get(n.k);
      if (item.get(n.k) !== n.k) { if (g && g.parentNode) g.remove(); continue; }
      this.visNodes.push(n);
      if (!g) {
        this.nodeEls.set(n.k, (g = this._nodeEl(n)));
        if (this.cur[n.k]) this._paint(n.k, this.cur[n.k]);
        if (this.inspected === n.k) g.classList.add("inspected");
      }
      const r = this.ovMode ? this.ov.nodes[n.k] : null;
      const t = r ? `translate(${(r[0] - n.x).toFixed(2)},${(r[1] - n.y).toFixed(2)})` : "";
      if (g._t !== t) { if (t) g.setAttribute("transform", t); else g.removeAttribute("transform"); g._t = t; }
      if (!g.parentNode) {
        nfrag.append(g);
        if (g._stale && this.cur[n.k]) { g._stale = false; this._pending.push(n.k); }
      }
    }
    this.visEdges = [];
    for (const e of this.scene.edges) {
      let g = this.edgeEls.get(e.k);
      if (this.ovMode || e.points.length < 2 || item.get(e.src) !== e.src || item.get(e.dst) !== e.dst) {
        if (g && g.parentNode) g.remove();
        continue;
      }
      this.visEdges.push(e);
      if (!g) {
        this.edgeEls.set(e.k, (g = this._edgeEl(e.k, e.kind, e.points)));
        if (this.cur[e.k]) this._paint(e.k, this.cur[e.k]);
      }
      if (!g.parentNode) efrag.append(g);
    }
    this.nodeG.append(nfrag);
    this.edgeG.append(efrag);
    for (const k of this._pending.splice(0)) this._paint(k, this.cur[k]);
    // edges to and from closed boxes: one per pair of items (and kind), lit when one of its edges is
    this.aggs = [];
    if (this.ovMode) {
      for (const a of this.ov.edges) {
        const pts = [];
        for (let i = 0; i + 1 < a.pts.length; i += 2) pts.push([a.pts[i], a.pts[i + 1]]);
        if (pts.length >= 2) this.aggs.push({ k: "v:" + a.k, kind: a.kind, points: pts, m: a.m });
      }
    } else if (G.length) {
      const by = new Map();
      for (const e of this.scene.edges) {
        const u = item.get(e.src), v = item.get(e.dst);
        if (u === undefined || v === undefined || u === v || (u === e.src && v === e.dst)) continue;
        const key = `${u}>${v}>${e.kind}`;
        let a = by.get(key);
        if (!a) by.set(key, (a = { k: "c:" + key, kind: e.kind, u, v, m: [] }));
        a.m.push(e.k);
      }
      for (const a of by.values()) { a.points = this._connect(a.u, a.v); this.aggs.push(a); }
    }
    const afrag = document.createDocumentFragment();
    for (const a of this.aggs) { a.el = this._edgeEl(a.k, a.kind, a.points); a.cls = ""; afrag.append(a.el); }
    this.aggG.replaceChildren(afrag);
    // closed boxes and open frames
    this.boxes = [];
    this.frames = [];
    const bfrag = document.createDocumentFragment(), ffrag = document.createDocumentFragment(),
          tfrag = document.createDocumentFragment();
    const boxKeys = new Set();
    for (const v of item.values()) if (this.gByKey.has(v)) boxKeys.add(v);
    for (const k of boxKeys) {
      const gr = this.gByKey.get(k), r = this._rect(k);
      const el = sv("g", { class: "alab-node k-group hid", "data-k": k, "data-gi": gr.i });
      el.append(sv("rect", { class: "shape", x: r[0] - r[2] / 2, y: r[1] - r[3] / 2, width: r[2], height: r[3], rx: 8 }),
                sv("text", { class: "glabel", x: r[0], y: r[1] }), sv("title"));
      el.lastChild.textContent = fill(W.group_open || "{label}", { label: gr.label });
      this.boxes.push({ gr, el, r, cls: "" });
      bfrag.append(el);
    }
    if (!this.ovMode) for (const gr of G) {
      if (!this._framed(gr)) continue;
      const [x0, y0, x1, y1] = gr.box;
      const el = sv("g", { class: "alab-gframe hid", "data-gi": gr.i });
      el.append(sv("rect", { class: "gshape", x: x0, y: y0, width: x1 - x0, height: y1 - y0, rx: 8 }), sv("title"));
      el.lastChild.textContent = gr.label;
      const top = sv("g", { class: "alab-gframe hid", "data-gi": gr.i }), text = sv("text", { class: "glabel" });
      top.append(text);
      let close = null;
      if (gr.c) {   // an opened box closes again from the control at its frame's top left
        close = sv("g", { class: "alab-close", "data-gi": gr.i });
        close.append(sv("rect", { width: 14, height: 14, rx: 3 }), sv("path", { d: "M4,4 L10,10 M10,4 L4,10" }), sv("title"));
        close.lastChild.textContent = `${W.group_close || "close"}: ${gr.label}`;
        top.append(close);
      }
      this.frames.push({ gr, el, top, text, close, cls: "" });
      ffrag.append(el);
      tfrag.append(top);
    }
    this.boxG.replaceChildren(bfrag);
    this.frameG.replaceChildren(ffrag);
    this.frameTopG.replaceChildren(tfrag);
    this._k = null;   // the group labels are placed again
  }

  // The state of each box, frame and edge to a box, from the state of what it stands for.
  _groupStates() {
    const cur = this.cur, G = this.groups;
    const chain = new Set();
    if (this.n) for (let q = this.scene.steps[this.idx].g; q != null; q = G[q].parent) chain.add(q);
    const shownIn = (gr) => { for (const k of gr.nodes) { const s = cur[k]; if (s && s[0]) return true; } return false; };
    for (const b of this.boxes) {
      const gr = b.gr;
      let passed = false;
      for (const k of gr.edges) { const s = cur[k]; if (s && (s[1] === "passed" || s[1] === "active")) { passed = true; break; } }
      b.shown = shownIn(gr);
      const cls = `alab-node k-group ${chain.has(gr.i) ? "s-active" : passed ? "s-passed" : "s-idle"}${b.shown ? "" : " hid"}`;
      if (b.cls !== cls) b.el.setAttribute("class", (b.cls = cls));
    }
    for (const f of this.frames) {
      const cls = `alab-gframe${chain.has(f.gr.i) ? " s-active" : ""}${shownIn(f.gr) ? "" : " hid"}`;
      if (f.cls !== cls) { f.el.setAttribute("class", (f.cls = cls)); f.top.setAttribute("class", cls); }
    }
    for (const a of this.aggs) {
      let shown = false, rank = 0;
      for (const m of a.m) {
        const s = cur[m];
        if (!s) continue;
        if (s[0]) shown = true;
        const r = RANK[s[1]] || 0;
        if (r > rank) rank = r;
      }
      a.grad = a.m.length === 1 && cur[a.m[0]] ? cur[a.m[0]][2] : "";
      a.status = STATUS[rank];
      a.shown = shown;
      const cls = `alab-edge e-${a.kind} s-${a.status}${shown ? "" : " hid"}`;
      if (a.cls !== cls) a.el.setAttribute("class", (a.cls = cls));
      if (a.el.lastChild.textContent !== a.grad) a.el.lastChild.textContent = a.grad;
    }
  }

  // Labels of boxes and frames, at a size that stays readable however far the picture is zoomed out;
  // never on top of another text or a node.
  _groupLabels() {
    const k = Math.max(1, 1 / this.cam.s), size = SIZE.label * k, lh = size * LINE;
    this._k = k;
    this.groupRects = [];
    for (const b of this.boxes) {
      const [x, y, w, h] = b.r, t = b.el.children[1];
      const text = lh <= h - 4 * k ? shorten(b.gr.label, SIZE.label, (w - 12 * k) / k, "600") : "";
      if (t._size !== size) t.setAttribute("font-size", (t._size = size));
      if (t.textContent !== text) t.textContent = text;
      if (text) {
        const tw = textWidth(text, SIZE.label, "600") * k, pad = 3 * k;   // (bold, as drawn; and a margin)
        this.groupRects.push([x - tw / 2 - pad, y - lh / 2, x + tw / 2 + pad, y + lh / 2]);
      }
    }
    if (!this.frames.length) return;
    const placed = new Boxes();
    for (const r of this.groupRects) placed.add(r);
    for (const n of this.visNodes) {
      const st = this.cur[n.k];
      if (st && st[0]) placed.add([n.x - n.w / 2, n.y - n.h / 2, n.x + n.w / 2, n.y + n.h / 2]);
    }
    for (const f of this.frames) {
      const [x0, y0, x1] = f.gr.box, t = f.text, c = f.close;
      let cw = 0;
      if (c) {
        cw = 18 * k;
        const cx = x0 + 4 * k, cy = y0 + 3 * k;
        c.setAttribute("transform", `translate(${cx.toFixed(2)},${cy.toFixed(2)}) scale(${k.toFixed(4)})`);
        const r = [cx, cy, cx + 14 * k, cy + 14 * k];
        placed.add(r);
        this.groupRects.push(r);
      }
      const tx = x0 + 4 * k + cw, text = shorten(f.gr.label, SIZE.label, (x1 - tx - 4 * k) / k, "italic");
      let spot = null;
      if (text) {
        const tw = textWidth(text, SIZE.label, "italic") * k;   // (italic, as drawn)
        for (const y of [y0 + 3 * k + 7 * k, y0 - 2 * k - lh / 2]) {   // inside the frame's top, else above it
          const r = [tx, y - lh / 2, tx + tw + 3 * k, y + lh / 2];
          if (!placed.hits(r)) { placed.add(r); this.groupRects.push(r); spot = [tx, y]; break; }
        }
      }
      if (t._size !== size) t.setAttribute("font-size", (t._size = size));
      if (spot) { t.setAttribute("x", spot[0]); t.setAttribute("y", spot[1]); }
      const shown = spot ? text : "";
      if (t.textContent !== shown) t.textContent = shown;
    }
  }

  openGroup(gi) {
    const g = this.groups[gi];
    if (!g || !g.c || this.opened.has(gi)) return;
    this.opened.add(gi);
    this._regroup();
    this._focus(g.box);
  }

  closeGroup(gi) {
    if (!this.opened.has(gi)) return;
    const G = this.groups;
    for (const q of [...this.opened]) {   // its opened boxes inside close with it
      for (let p = q; p != null; p = G[p].parent) if (p === gi) { this.opened.delete(q); break; }
    }
    this._regroup();
    this.mode = "fit";
    this.fit();
    this._relabel();
  }

  _regroup() {
    this._relayout();
    this._groupStates();
    if (this.onOpened) this.onOpened([...this.opened].map((q) => this.groups[q].k));
  }

  // Show the rectangle [x0, y0, x1, y1] of the full layout as large as the frame allows (not enlarged).
  _focus([x0, y0, x1, y1]) {
    this.mode = "user";
    this.fit();   // the frame's size for this picture
    const cw = this._width(), fh = +this.svg.getAttribute("height") || 300;
    // room above the box for its label when the label does not fit inside
    const s = Math.max(MIN_SCALE, Math.min(1, (cw - 24) / (x1 - x0), (fh - 52) / (y1 - y0)));
    this.cam = { s, x: cw / 2 - ((x0 + x1) / 2) * s, y: fh / 2 + 12 - ((y0 + y1) / 2) * s };
    this._applyCam();
    this._relabel();
  }

  _relabel() {
    this._groupLabels();
    this.labelsDue = true;
    if (!this.tiny) this._labels();
  }

  _wire() {
    const stopThen = (f) => () => { this.stop(); f(); };
    this.prev.onclick = stopThen(() => this.show(this.stepBefore(this.idx)));
    this.next.onclick = stopThen(() => this.showStep(this.stepAfter(this.idx)));
    this.play.onclick = () => (this.timer ? this.stop() : this.start());
    this.slider.oninput = stopThen(() => this.show(+this.slider.value));
    this.speed.onchange = () => { if (this.timer) { this.stop(); this.start(); } };
    this.jump.onchange = () => {
      const i = +this.jump.value;
      this.jump.selectedIndex = 0;
      if (i >= 0) { this.stop(); this.show(i); }
    };
    this.root.addEventListener("keydown", (e) => {
      if (e.target !== this.root && e.target.tagName !== "svg" && e.target !== this.frame) return;
      if (e.key === "ArrowRight") { this.stop(); this.showStep(this.stepAfter(this.idx)); e.preventDefault(); }
      else if (e.key === "ArrowLeft") { this.stop(); this.show(this.stepBefore(this.idx)); e.preventDefault(); }
    });
    this.zoomIn.onclick = () => this.zoomBy(1.25);
    this.zoomOut.onclick = () => this.zoomBy(0.8);
    this.fitBtn.onclick = () => { this.mode = "fit"; this.fit(); };
    this.wholeBtn.onclick = () => { this.mode = "whole"; this.fit(); };
    this.filterBox.oninput = () => { this.filter = this.filterBox.value.trim().toLowerCase(); this._table(); };
    this.table.addEventListener("click", (e) => {
      const tr = e.target.closest("tr[data-k]");
      if (tr) this.inspectNode(tr.dataset.k);
    });
    this.inspect.addEventListener("click", (e) => {
      const a = e.target.closest("[data-k]");
      if (a) this.inspectNode(a.dataset.k);
      else if (e.target.closest(".alab-inspect-close")) this.inspectNode(null);
    });
    // zoom (wheel, pinch), pan (drag), click to inspect
    const frame = this.frame, pointers = new Map();
    let drag = null;
    frame.addEventListener("wheel", (e) => {
      if (!e.ctrlKey && !e.metaKey && !e.altKey && this.mode !== "user" && Math.abs(e.deltaX) > Math.abs(e.deltaY)) return;
      e.preventDefault();
      const r = this.svg.getBoundingClientRect();
      const f = Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.002));
      this.zoomBy(f, e.clientX - r.left, e.clientY - r.top);
    }, { passive: false });
    frame.addEventListener("pointerdown", (e) => {
      if (e.target.closest("button, .alab-inspect") || e.button !== 0) return;
      pointers.set(e.pointerId, [e.clientX, e.clientY]);
      frame.setPointerCapture(e.pointerId);
      drag = { x: e.clientX, y: e.clientY, cx: this.cam.x, cy: this.cam.y, moved: false, target: e.target,
               pinch: pointers.size === 2 ? this._pinchStart(pointers) : null };
    });
    frame.addEventListener("pointermove", (e) => {
      if (!drag || !pointers.has(e.pointerId)) return;
      pointers.set(e.pointerId, [e.clientX, e.clientY]);
      if (drag.pinch && pointers.size === 2) {
        const [a, b] = [...pointers.values()], d = Math.hypot(a[0] - b[0], a[1] - b[1]);
        const r = this.svg.getBoundingClientRect(), mx = (a[0] + b[0]) / 2 - r.left, my = (a[1] + b[1]) / 2 - r.top;
        this.zoomBy(d / drag.pinch.d, mx, my);
        drag.pinch.d = d;
        drag.moved = true;
        return;
      }
      const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (!drag.moved && Math.hypot(dx, dy) < 4) return;
      drag.moved = true;
      frame.classList.add("alab-dragging");
      this.mode = "user";
      this.cam.x = drag.cx + dx;
      this.cam.y = drag.cy + dy;
      this._applyCam();
    });
    const up = (e) => {
      if (!drag) return;
      pointers.delete(e.pointerId);
      if (pointers.size > 0) return;
      frame.classList.remove("alab-dragging");
      if (!drag.moved && e.type === "pointerup" && drag.target.closest) {
        const close = drag.target.closest(".alab-close");
        const g = drag.target.closest("g.alab-node");
        if (close) this.closeGroup(+close.dataset.gi);
        else if (g && g.classList.contains("k-group")) this.openGroup(+g.dataset.gi);
        else if (g) this.inspectNode(g.dataset.k);
      }
      drag = null;
    };
    frame.addEventListener("pointerup", up);
    frame.addEventListener("pointercancel", up);
    if (typeof ResizeObserver !== "undefined") {
      this.resizer = new ResizeObserver((entries) => {
        const w = Math.floor(entries[entries.length - 1].contentRect.width);
        if (w !== this.width) { this.width = w; this.fit(); }
      });
      this.resizer.observe(this.frame);
    } else {
      window.addEventListener("resize", () => { this.width = 0; this.fit(); });
    }
  }

  _pinchStart(pointers) {
    const [a, b] = [...pointers.values()];
    return { d: Math.hypot(a[0] - b[0], a[1] - b[1]) || 1 };
  }

  destroy() {
    this.stop();
    if (this.resizer) this.resizer.disconnect();
  }

  // -- stepping ---------------------------------------------------------------------------------
  stateAt(i) {
    // The state after step i (a fresh object); keyframes every KEYFRAME steps keep it cheap.
    if (i < 0 || !this.n) return Object.assign({}, this.scene.initial);
    const steps = this.scene.steps, k = i - (i % KEYFRAME);
    let base = this.keyframes.get(k);
    if (!base) {
      let start = -1;
      for (const j of this.keyframes.keys()) if (j < k && j > start) start = j;
      base = Object.assign({}, start < 0 ? this.scene.initial : this.keyframes.get(start));
      for (let j = start < 0 ? 0 : start + 1; j <= k; j++) Object.assign(base, steps[j].c);
      this.keyframes.set(k, base);
    }
    const s = Object.assign({}, base);
    for (let j = k + 1; j <= i; j++) Object.assign(s, steps[j].c);
    return s;
  }

  // "next" / "back": one step, or with "by group" checked the run of steps in one closed box (as graph.py's
  // step_after / step_before with the boxes opened here)
  stepAfter(i) {
    const n = this.n;
    let j = Math.min(Math.max(i + 1, 0), Math.max(n - 1, 0));
    if (!this.byGroup.checked || j === i) return j;
    const u = this.unit(j);
    while (u >= 0 && j + 1 < n && this.unit(j + 1) === u) j++;
    return j;
  }

  stepBefore(i) {
    if (!this.byGroup.checked || i <= 0) return Math.max(0, i - 1);
    const u = this.unit(i);
    let s = i;
    while (u >= 0 && s > 0 && this.unit(s - 1) === u) s--;
    return Math.max(0, s - 1);
  }

  // What steps from + 1 to i did, when they are one run of a box (graph.summary), else "".
  summaryOf(from, i) {
    if (i - from < 2) return "";
    const u = this.unit(i);
    if (u < 0) return "";
    const run = (this.groups[u].runs || []).find((r) => r[0] === from + 1 && r[1] === i);
    return run ? run[2] : "";
  }

  showStep(j) {   // next: a jump over a whole box is told by what the box did (said again when back at that step)
    const from = this.idx, to = Math.max(0, Math.min(this.n - 1, j | 0));
    const sum = this.byGroup.checked ? this.summaryOf(from, to) : "";
    if (sum) this.note = [to, sum];
    return this.show(to);
  }

  show(i, opts = {}) {
    const n = this.n;
    i = n ? Math.max(0, Math.min(n - 1, i | 0)) : 0;
    let next, before = null;
    if (n && i > this.curIndex && i - this.curIndex <= KEYFRAME && !opts.first) {
      // a few steps forward: replay them on the current state and repaint only what they change
      next = Object.assign({}, this.cur);
      const touched = new Set();
      for (let j = this.curIndex + 1; j <= i; j++) {
        if (j === i) before = Object.assign({}, next);
        const c = this.scene.steps[j].c;
        for (const k in c) { next[k] = c[k]; touched.add(k); }
      }
      for (const k of touched) if (!sameState(next[k], this.cur[k])) this._paint(k, next[k]);
    } else {
      next = n ? this.stateAt(i) : Object.assign({}, this.scene.initial);
      for (const k in next) if (opts.first || !sameState(next[k], this.cur[k])) this._paint(k, next[k]);
    }
    this.prevState = before || (i > 0 ? null : undefined);   // the state before step i: on demand
    this.cur = next;
    this.curIndex = n ? i : -1;
    this.idx = i;
    this.active = new Set(n ? (this.scene.steps[i].a || []) : []);
    this._inShow = true;
    if (this.groups.length) this._groupStates();
    if (opts.first) this.fit(); else this._follow();
    this._inShow = false;
    this._groupLabels();
    this.labelsDue = true;
    if (!this.tiny) this._labels();
    this._narrate();
    this._table();
    if (this.inspected) this._inspect();
    this.slider.value = String(i);
    this.prev.disabled = i <= 0;
    this.next.disabled = i >= n - 1;
    if (!opts.silent && this.onIndex) this.onIndex(i);
    return i;
  }

  start() {
    if (this.idx >= this.n - 1) this.show(0);
    this.play.textContent = this.words.pause;
    this.timer = setInterval(() => {
      if (this.idx >= this.n - 1) this.stop(); else this.show(this.idx + 1);
    }, BASE_INTERVAL / parseFloat(this.speed.value));
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.play.textContent = this.words.play;
  }

  // -- painting one node or edge ------------------------------------------------------------------
  _paint(k, st) {
    const W = this.words;
    const e = this.edgeEls.get(k);
    if (e) {
      const [shown, status, grad] = st;
      e.setAttribute("class", `alab-edge e-${this.edges.get(k).kind} s-${status}${shown ? "" : " hid"}`);
      e.lastChild.textContent = grad || "";
      return;
    }
    const g = this.nodeEls.get(k);
    if (!g) return;
    if (!g.parentNode) { g._stale = true; return; }   // inside a closed box: painted when it is shown again
    g._stale = false;
    const node = this.nodes.get(k);
    if (node.kind === "tensor") {
      const [shown, status, value, grad, rg] = st;
      g.setAttribute("class", `alab-node k-tensor s-${status}${rg ? "" : " nrg"}${shown ? "" : " hid"}${k === this.inspected ? " inspected" : ""}`);
      const v = `${node.label} = ${value}`, gr = rg ? fill(W.grad_of, { grad }) : W.no_grad;
      g.children[1].textContent = shorten(v, SIZE.value, chord(node, 7.5 + SIZE.value * LINE / 4));
      g.children[2].textContent = shorten(gr, SIZE.grad, chord(node, 8.5 + SIZE.grad * LINE / 4));
      g.lastChild.textContent = `${v}\n${gr}`;
    } else {
      const [shown, status, freed, info] = st;
      g.setAttribute("class", `alab-node k-${node.kind} s-${status}${freed ? " freed" : ""}${shown ? "" : " hid"}${k === this.inspected ? " inspected" : ""}`);
      const l = (PREFIX[status] || "") + node.label;
      g.children[1].textContent = shorten(l, SIZE.label, node.w - 8);
      g.lastChild.textContent = info ? `${node.label}\n${info}` : node.label;
    }
  }

  // -- texts outside the shapes: tags, info, gradients on edges; never two on top of each other ---
  _labels() {
    this.labelsDue = false;
    const placed = new Boxes();
    const items = [];
    const cur = this.cur, active = this.active;
    for (const r of this.groupRects || []) placed.add(r);
    for (const node of this.visNodes) {
      const st = cur[node.k];
      if (!st || !st[0]) continue;
      const n = this._npos(node);
      placed.add([n.x - n.w / 2, n.y - n.h / 2, n.x + n.w / 2, n.y + n.h / 2]);
      const tag = n.kind === "tensor" ? st[5] : st[4];
      if (tag) items.push({ id: "tag:" + n.k, text: tag, size: SIZE.tag, cls: "tag", node: n, pri: 0 });
      if (n.kind !== "tensor" && st[3])
        items.push({ id: "info:" + n.k, text: st[3], size: SIZE.info, cls: `info s-${st[1]}${st[2] ? " freed" : ""}`,
                     node: n, pri: active.has(n.k) ? 0 : 1 });
    }
    for (const e of this.visEdges) {
      const st = cur[e.k];
      if (!st || !st[0] || !st[2] || e.kind !== "grad" || !(st[1] === "active" || st[1] === "passed")) continue;
      items.push({ id: "edge:" + e.k, text: st[2], size: SIZE.edge, cls: `elabel s-${st[1]}`, edge: e,
                   pri: st[1] === "active" ? 0 : 2 });
    }
    for (const a of this.aggs) {   // an edge to a box that stands for one edge: its gradient
      if (!a.shown || !a.grad || a.kind !== "grad" || !(a.status === "active" || a.status === "passed")) continue;
      items.push({ id: "edge:" + a.k, text: a.grad, size: SIZE.edge, cls: `elabel s-${a.status}`, edge: a,
                   pri: a.status === "active" ? 0 : 2 });
    }
    items.sort((a, b) => a.pri - b.pri);
    const keep = new Set();
    this.labelBoxes = [];
    for (const it of items) {
      const spot = this._place(it, placed);
      if (!spot) continue;
      keep.add(it.id);
      let t = this.labelEls.get(it.id);
      if (!t) {
        t = sv("text", { "font-size": it.size });
        t.append(document.createTextNode(""), sv("title"));
        this.labelEls.set(it.id, t);
      }
      if (!t.parentNode) this.labelG.append(t);
      if (t._cls !== it.cls) t.setAttribute("class", (t._cls = it.cls));
      if (t._x !== spot.x) t.setAttribute("x", (t._x = spot.x));
      if (t._y !== spot.y) t.setAttribute("y", (t._y = spot.y));
      if (t.firstChild.data !== spot.text) t.firstChild.data = spot.text;
      if (t._full !== it.text) t.lastChild.textContent = (t._full = it.text);
      const w = textWidth(spot.text, it.size);
      this.labelBoxes.push([spot.x - w / 2, spot.y - 8, spot.x + w / 2, spot.y + 8]);
    }
    for (const [id, t] of this.labelEls) if (!keep.has(id) && t.parentNode) t.remove();
  }

  _place(it, placed) {
    const h = it.size * LINE, pad = 1.5;
    const candidates = [];
    if (it.node) {
      const n = it.node;
      if (it.id.startsWith("info:")) {
        candidates.push([n.x, n.y + n.h / 2 + h / 2 + 2], [n.x, n.y - n.h / 2 - h / 2 - 2]);
      } else {
        candidates.push([n.x, n.y - n.h / 2 - h / 2 - 2], [n.x, n.y + n.h / 2 + h / 2 + 2]);
        for (const dx of [-0.35, 0.35]) candidates.push([n.x + dx * n.w, n.y - n.h / 2 - h / 2 - 2]);
      }
    } else {
      // along the piece by the arrow's head first, then by its tail, then the middle one
      const pts = it.edge.points, last = pts.length - 1;
      const pieces = [...new Set([last, 1, (last + 1) >> 1])];
      for (const t of [0.5, 0.3, 0.7, 0.15, 0.85]) {
        for (const i of pieces) {
          const [x, y] = curvePoint(pts[i - 1], pts[i], t);
          candidates.push([x, y - h / 2 - 1], [x, y + h / 2 + 1], [x, y]);
        }
      }
    }
    const texts = [it.text];
    const short = shorten(it.text, it.size, Math.min(textWidth(it.text, it.size) / 2, 60));
    if (short && short !== it.text) texts.push(short);
    for (const text of texts) {
      const w = textWidth(text, it.size);
      for (const [x, y] of candidates) {
        const box = [x - w / 2 - pad, y - h / 2, x + w / 2 + pad, y + h / 2];
        if (!placed.hits(box)) {
          placed.add(box);
          return { x, y, text };
        }
      }
    }
    return null;
  }

  // -- narration, table ---------------------------------------------------------------------------
  _narrate() {
    const W = this.words;
    if (!this.n) {
      this.where.textContent = "";
      this.text.textContent = this.scene.notice || "";
      return;
    }
    const s = this.scene.steps[this.idx];
    this.where.replaceChildren(fill(W.step_of, { i: this.idx + 1, n: this.n }));
    if (s.s) this.where.append(" · ", el("code", { text: s.s }));
    this.narration.classList.toggle("alab-err", !!s.err);
    this.text.textContent = this.note && this.note[0] === this.idx ? this.note[1] : s.t;
  }

  _rowNames() {
    // Rebound names told apart: the second tensor called y is "y (2)".
    const count = new Map(), seen = new Map(), names = new Map();
    const tensors = this.scene.nodes.filter((n) => n.kind === "tensor");
    for (const n of tensors) count.set(n.label, (count.get(n.label) || 0) + 1);
    for (const n of tensors) {
      const j = (seen.get(n.label) || 0) + 1;
      seen.set(n.label, j);
      names.set(n.k, count.get(n.label) > 1 ? fill(this.words.rebound, { name: n.label, n: j }) : n.label);
    }
    return names;
  }

  _before() {
    if (this.prevState === null) this.prevState = this.stateAt(this.idx - 1);
    return this.prevState || this.scene.initial;
  }

  _buildTable() {
    // One row per tensor, made once; a step only changes the cells, classes and visibility that differ.
    const W = this.words, head = el("tr");
    for (const c of ["col_name", "col_value", "col_grad", "col_rg", "col_leaf", "col_grad_fn"])
      head.append(el("th", { text: W[c] }));
    this.tbody = el("tbody");
    this.rows = [];
    for (const n of this.scene.nodes) {
      if (n.kind !== "tensor") continue;
      const tr = el("tr", { "data-k": n.k });
      tr.hidden = true;
      const cells = [];
      for (let c = 0; c < 6; c++) { const td = el("td"); cells.push(td); tr.append(td); }
      const fn = n.fn ? this.nodes.get(n.fn) : null;
      cells[4].textContent = n.leaf ? "True" : "False";
      cells[5].textContent = fn ? `<${fn.label}>` : "None";
      this.tbody.append(tr);
      this.rows.push({ n, tr, cells, text: ["", "", "", ""], cls: "" });
    }
    this.tableEl = el("table", {}, el("thead", {}, head), this.tbody);
    this.tableEmpty = el("div", { class: "alab-table-empty", text: W.no_tensors });
    this.tableMore = el("div", { class: "alab-table-more" });
    this.table.replaceChildren(this.tableEl, this.tableEmpty, this.tableMore);
  }

  _table() {
    if (!this.rows) this._buildTable();
    const cur = this.cur, before = this._before();
    let shown = 0, hidden = 0, first = null;
    for (const r of this.rows) {
      const n = r.n, st = cur[n.k];
      const name = this.names.get(n.k);
      let visible = !!(st && st[0]) && (!this.filter || name.toLowerCase().includes(this.filter));
      const current = visible && (st[1] !== "idle" || this.active.has(n.k));
      if (visible && shown >= MAX_ROWS && !current) { visible = false; hidden++; }
      if (r.tr.hidden === visible) r.tr.hidden = !visible;
      if (!visible) continue;
      shown++;
      const b = before[n.k];
      const changed = !b || !b[0] || b[2] !== st[2] || b[3] !== st[3];
      const cls = current ? "alab-row-active" : changed ? "alab-row-changed" : "";
      if (cls !== r.cls) r.tr.className = r.cls = cls;
      const text = [(current ? "▶ " : "") + name, st[2], st[3], st[4] ? "True" : "False"];
      for (let c = 0; c < 4; c++) if (text[c] !== r.text[c]) r.cells[c].textContent = r.text[c] = text[c];
      if (current && !first) first = r.tr;
    }
    this.tableEl.hidden = !shown;
    this.tableEmpty.hidden = !!shown;
    this.tableMore.hidden = !hidden;
    if (hidden) this.tableMore.textContent = fill(this.words.rows_hidden, { n: hidden });
    if (first) {  // keep the current rows in view, scrolling the table only (never the page)
      const box = this.table, table = this.tableEl;   // measured in the next frame, when the browser lays out anyway
      requestAnimationFrame(() => {
        if (first.hidden) return;
        const top = first.offsetTop - table.tHead.offsetHeight;
        if (top < box.scrollTop || top + first.offsetHeight > box.scrollTop + box.clientHeight)
          box.scrollTop = Math.max(0, top - 4);
      });
    }
  }

  // -- click to inspect -------------------------------------------------------------------------
  inspectNode(k) {
    this.inspected = k && this.nodes.has(k) ? k : null;
    for (const g of this.nodeG.querySelectorAll("g.alab-node.inspected")) g.classList.remove("inspected");
    if (this.inspected) {
      this._reveal(k);
      const g = this.nodeEls.get(k);
      if (g) g.classList.add("inspected");
    }
    this._inspect();
  }

  // A node inside closed boxes (clicked in the table or the inspector): open the boxes around it.
  _reveal(k) {
    const G = this.groups, n = this.nodes.get(k);
    if (!n || n.g == null || this.item.get(k) === k) return;
    let inner = null;
    for (let q = n.g; q != null; q = G[q].parent) if (G[q].c && !this.opened.has(q)) { this.opened.add(q); inner = inner ?? q; }
    if (inner == null) return;
    this._regroup();
    this._focus(G[inner].box);
  }

  _inspect() {
    const box = this.inspect, W = this.words, k = this.inspected;
    if (!k) { box.hidden = true; box.replaceChildren(); return; }
    const n = this.nodes.get(k), st = this.cur[k], before = this._before()[k];
    const rows = [];
    const code = (t) => el("code", { text: t });
    const link = (key, t) => (key ? el("a", { "data-k": key, href: "#", text: t, class: "alab-link" }) : code(t));
    const row = (label, ...vals) => rows.push(el("div", { class: "alab-irow" }, el("span", { class: "alab-ilabel", text: label }), ...vals));
    const title = n.kind === "tensor" ? this.names.get(k) : n.label;
    const head = el("div", { class: "alab-ihead" }, el("b", { text: title }),
                    el("button", { class: "alab-inspect-close", type: "button", title: W.inspect_close, text: "×" }));
    if (!st || !st[0]) {
      row(W.not_yet);
    } else if (n.kind === "tensor") {
      row("requires_grad", code(st[4] ? "True" : "False"));
      row("is_leaf", code(n.leaf ? "True" : "False"));
      const fn = n.fn && this.nodes.get(n.fn);
      row("grad_fn", fn ? link(n.fn, `<${fn.label}>`) : code("None"));
      row(`${title} =`, code(st[2]));
      if (st[4]) {
        row(W.grad_before, code(before && before[0] ? before[3] : "None"));
        row(W.grad_after, code(st[3]));
      }
    } else {
      row("name()", code(`'${n.name}'`));
      if (n.kind === "acc") {
        const v = n.var && this.nodes.get(n.var);
        row(W.variable, v ? link(n.var, this.names.get(n.var)) : code("None"));
        row("next_functions", code("()"));
      } else if (n.kind === "op") {
        const parts = [code("(")];
        (n.next || []).forEach(([key, label, nr], j) => {
          if (j) parts.push(code(", "));
          parts.push(code("("), key ? link(key, `<${label}>`) : code("None"), code(`, ${nr})`));
        });
        if ((n.next || []).length === 1) parts.push(code(","));
        parts.push(code(")"));
        row("next_functions", el("span", {}, ...parts));
        for (const [attr, holder, hk] of n.saved || []) {
          const hs = hk ? this.cur[hk] : null;
          if (st[2]) row(attr, el("span", { class: "alab-freed" }, fill(W.saved_freed, { error: this.scene.freed_error })));
          else if (hs) row(attr, link(hk, fill(W.saved_holds, { name: this.names.get(hk), value: hs[2] })));
          else row(attr, code(holder));   // not drawn: the holder as the narration names it ("a number")
        }
      }
      if (st[3]) row("", el("i", { text: st[3] }));
    }
    const hooks = (n.hooks || []).filter((j) => j <= this.idx);
    if (n.hooks) row(W.hooks, hooks.length ? el("span", {}, ...hooks.map((j) => el("div", { text: this.scene.steps[j].t }))) : code(W.no_hooks));
    if (n.made != null && n.made >= 0 && this.scene.steps[n.made].s) row(W.made_at, code(this.scene.steps[n.made].s));
    box.replaceChildren(head, ...rows);
    box.hidden = false;
  }

  // -- camera: fit, whole graph, zoom, pan, follow the action ---------------------------------------
  _bounds(all) {
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    const add = (x, y, w, h) => {
      x0 = Math.min(x0, x - w / 2); x1 = Math.max(x1, x + w / 2);
      y0 = Math.min(y0, y - h / 2 - 16); y1 = Math.max(y1, y + h / 2 + 16);
    };
    for (const node of this.visNodes) {
      const st = this.cur[node.k];
      if (!all && !(st && st[0])) continue;
      const n = this._npos(node);
      add(n.x, n.y, n.w, n.h);
    }
    for (const b of this.boxes) if (all || b.shown) add(...b.r);
    const [W, H] = this._extent();
    if (x0 === Infinity) return [0, 0, W || 1, H || 1];
    if (all) {   // the whole graph: the layout's whole extent too (a group's frame can reach past its nodes)
      x0 = Math.min(x0, 0); y0 = Math.min(y0, 0);
      x1 = Math.max(x1, W || 0); y1 = Math.max(y1, H || 0);
    }
    // A margin for the texts placed around the shapes (they are placed inside the layout's gaps);
    // the nodes alone decide the camera, so that it stays still while gradients are written.
    const m = 8;
    return [x0 - m, y0 - m, x1 + m, y1 + m];
  }

  _extent() {   // the size of the picture's layout: the first picture's, or the whole graph's
    return this.ovMode ? [this.ov.w, this.ov.h] : [this.scene.width, this.scene.height];
  }

  _frameHeight(width) {
    const [EW, EH] = this._extent(), W = Math.max(1, EW), H = Math.max(1, EH);
    const maxH = Math.max(220, Math.min(620, (window.innerHeight || 800) * 0.62));
    let h = H * Math.min(1, width / W);
    const inner = new Set(this.opened);   // the innermost opened boxes: the frame has room for one as wide as it
    for (const q of this.opened) if (this.groups[q].parent != null) inner.delete(this.groups[q].parent);
    if (!this.ovMode) for (const q of inner) {
      const [x0, y0, x1, y1] = this.groups[q].box;
      h = Math.max(h, (y1 - y0 + 40) * Math.min(1, width / (x1 - x0 + 40)));
    }
    return Math.round(Math.max(120, Math.min(maxH, h)));
  }

  _width() {
    // The frame's width, kept by the ResizeObserver: reading clientWidth on every step would make the
    // browser lay out the page in the middle of each step.
    if (!this.width) this.width = this.frame.clientWidth;
    return this.width;
  }

  fit() {
    const cw = this._width();
    if (!cw) return;
    const fh = this._frameHeight(cw);
    if (this._size !== cw + "x" + fh) {
      this._size = cw + "x" + fh;
      this.svg.setAttribute("width", cw);
      this.svg.setAttribute("height", fh);
    }
    if (this.mode === "user") { this._applyCam(); return; }
    const [x0, y0, x1, y1] = this._bounds(this.mode === "whole");
    const bw = x1 - x0, bh = y1 - y0;
    const s = Math.min(1, cw / bw, fh / bh);
    this.cam = { s, x: (cw - bw * s) / 2 - x0 * s, y: (fh - bh * s) / 2 - y0 * s };
    this._applyCam();
  }

  _follow() {
    if (this.mode !== "user") { this.fit(); return; }
    // keep what this step is about in sight, at the zoom the student chose
    const keys = [...this.active].filter((k) => this.nodes.has(k));
    if (!keys.length) return;
    const { s } = this.cam, cw = this._width(), fh = +this.svg.getAttribute("height");
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const k of keys) {
      const [x, y, w, h] = this._rect(this.item.get(k) || k);
      x0 = Math.min(x0, x - w / 2); x1 = Math.max(x1, x + w / 2);
      y0 = Math.min(y0, y - h / 2); y1 = Math.max(y1, y + h / 2);
    }
    const sx0 = x0 * s + this.cam.x, sx1 = x1 * s + this.cam.x, sy0 = y0 * s + this.cam.y, sy1 = y1 * s + this.cam.y;
    if (sx0 >= 0 && sx1 <= cw && sy0 >= 0 && sy1 <= fh) return;
    this.cam.x = cw / 2 - ((x0 + x1) / 2) * s;
    this.cam.y = fh / 2 - ((y0 + y1) / 2) * s;
    this._applyCam();
  }

  zoomBy(f, cx, cy) {
    const cw = this._width(), fh = +this.svg.getAttribute("height") || 300;
    if (cx == null) { cx = cw / 2; cy = fh / 2; }
    const s = Math.max(MIN_SCALE, Math.min(MAX_SCALE, this.cam.s * f)), r = s / this.cam.s;
    this.mode = "user";
    this.cam = { s, x: cx - (cx - this.cam.x) * r, y: cy - (cy - this.cam.y) * r };
    this._applyCam();
  }

  _applyCam() {
    const { s, x, y } = this.cam;
    const t = `translate(${x.toFixed(2)},${y.toFixed(2)}) scale(${s.toFixed(5)})`;
    // Only when it moves: a new transform makes the browser lay out every text of the picture again.
    if (t !== this._transform) this.camG.setAttribute("transform", (this._transform = t));
    // The labels of boxes and frames keep their size on the screen: placed again when the scale changes.
    if (!this._inShow && (this.boxes.length || this.frames.length) && Math.max(1, 1 / s) !== this._k && !this._relabelDue) {
      this._relabelDue = true;
      requestAnimationFrame(() => { this._relabelDue = false; this._relabel(); });
    }
    // Level of detail: texts too small to read are not drawn (nor placed) until the student zooms in.
    const tiny = s * SIZE.label < TINY;
    if (tiny !== this.tiny) {
      this.tiny = tiny;
      this.svg.classList.toggle("alab-tiny", tiny);
      if (!tiny && this.labelsDue) this._labels();
    }
    this.root.dataset.mode = this.mode;
    this.svg.classList.toggle("alab-ghosts", this.mode === "whole");   // what is not built yet, faintly
    this.fitBtn.classList.toggle("alab-on", this.mode === "fit");
    this.wholeBtn.classList.toggle("alab-on", this.mode === "whole");
  }
}

export function mount(root, scene, opts = {}) {
  const player = new Player(root, scene, opts);
  // What the scene says, for the browser tests (they compare it with what is painted, read from the page):
  // the scene itself and the step shown now.
  root.alab = { scene, step: () => player.idx };
  return player;
}

function render({ model, el: root }) {
  let player = null;
  const make = () => {
    if (player) player.destroy();
    player = mount(root, model.get("scene"), {
      index: model.get("index"),
      onIndex: (i) => { if (model.get("index") !== i) { model.set("index", i); model.save_changes(); } },
      onOpened: (keys) => { model.set("opened", keys); model.save_changes(); },
    });
  };
  const onIndex = () => {
    if (!player || model.get("index") === player.idx) return;
    const note = model.get("note") || [];
    if (note[1] && note[0] === model.get("index")) player.note = note;   // a step by group from Python says what it did
    player.show(model.get("index"), { silent: true });
  };
  make();
  model.on("change:index", onIndex);
  model.on("change:scene", make);
  return () => {
    model.off("change:index", onIndex);
    model.off("change:scene", make);
    if (player) player.destroy();
  };
}

export default { render };
