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
function textWidth(s, size) {
  const key = size + "|" + s;
  let w = _widths.get(key);
  if (w === undefined) {
    if (!_ctx) _ctx = document.createElement("canvas").getContext("2d");
    _ctx.font = `${size}px ${FONT}`;
    w = _ctx.measureText(s).width;
    if (_widths.size > 50000) _widths.clear();
    _widths.set(key, w);
  }
  return w;
}

// The longest prefix of s (with "…") that is at most `width` px wide at `size`; "" when not even "x…" fits.
function shorten(s, size, width) {
  if (textWidth(s, size) <= width) return s;
  let lo = 0, hi = s.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (textWidth(s.slice(0, mid) + "…", size) <= width) lo = mid; else hi = mid - 1;
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
    const controls = el("div", { class: "alab-controls" }, this.jump, this.prev, this.play, this.next,
                        this.slider, this.speed);
    // a grouped graph: "by group" makes next and back run a whole box (graph.step_after / step_before)
    this.byGroup = el("input", { class: "alab-by-group", type: "checkbox" });
    if ((this.scene.groups || []).length && !disabled)
      controls.append(el("label", { class: "alab-by-group-label", title: W.by_group_tip }, this.byGroup,
                         " " + W.by_group));
    // picture
    this.svg = sv("svg", { class: "alab-svg", role: "img", "aria-label": W.picture });
    this.svg.innerHTML = '<defs><pattern id="alab-hatch" width="7" height="7" patternUnits="userSpaceOnUse" ' +
      'patternTransform="rotate(45)"><rect width="7" height="7" fill="#FBE3D3"/>' +
      '<line x1="0" y1="0" x2="0" y2="7" stroke="#D55E00" stroke-width="3"/></pattern></defs>';
    this.camG = sv("g", { class: "alab-cam" });
    this.edgeG = sv("g", { class: "alab-edges" });
    this.nodeG = sv("g", { class: "alab-nodes" });
    this.labelG = sv("g", { class: "alab-labels" });
    this.camG.append(this.edgeG, this.nodeG, this.labelG);
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
    this.nodeEls = new Map();
    this.edgeEls = new Map();
    const eFrag = document.createDocumentFragment(), nFrag = document.createDocumentFragment();
    for (const e of this.scene.edges) {
      const p = e.pts, pts = [];
      for (let i = 0; i + 1 < p.length; i += 2) pts.push([p[i], p[i + 1]]);
      e.points = pts;
      if (pts.length < 2) continue;
      let d = `M${pts[0][0]},${pts[0][1]}`;
      for (let i = 1; i < pts.length; i++) {
        const [x0, y0] = pts[i - 1], [x1, y1] = pts[i], mx = (x0 + x1) / 2;
        d += ` C${mx},${y0} ${mx},${y1} ${x1},${y1}`;
      }
      const [hx, hy] = pts[pts.length - 1], dir = Math.sign(hx - pts[pts.length - 2][0]) || 1;
      const head = `M${hx},${hy} L${hx - 7 * dir},${hy - 3.6} L${hx - 7 * dir},${hy + 3.6} Z`;
      const g = sv("g", { class: `alab-edge e-${e.kind} hid`, "data-k": e.k });
      // 'attach': a tensor hanging off its grad_fn / AccumulateGrad carries no gradient: no head
      if (e.kind === "attach") g.append(sv("path", { class: "line", d }), sv("title"));
      else g.append(sv("path", { class: "line", d }), sv("path", { class: "head", d: head }), sv("title"));
      eFrag.append(g);
      this.edgeEls.set(e.k, g);
    }
    for (const n of this.scene.nodes) {
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
      nFrag.append(g);
      this.nodeEls.set(n.k, g);
    }
    this.edgeG.append(eFrag);
    this.nodeG.append(nFrag);
    this.labelEls = new Map();   // "tag:k" / "info:k" / "edge:k" -> <text>
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
      if (!drag.moved && e.type === "pointerup") {
        const g = drag.target.closest && drag.target.closest("g.alab-node");
        if (g) this.inspectNode(g.dataset.k);
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

  // "next" / "back": one step, or with "by group" checked the run of steps in one box (as graph.py's
  // step_after / step_before with nothing opened)
  stepAfter(i) {
    const steps = this.scene.steps, n = this.n;
    let j = Math.min(Math.max(i + 1, 0), Math.max(n - 1, 0));
    if (!this.byGroup.checked || j === i) return j;
    const u = steps[j].u;
    while (u !== undefined && j + 1 < n && steps[j + 1].u === u) j++;
    return j;
  }

  stepBefore(i) {
    const steps = this.scene.steps;
    if (!this.byGroup.checked || i <= 0) return Math.max(0, i - 1);
    const u = steps[i].u;
    let s = i;
    while (u !== undefined && s > 0 && steps[s - 1].u === u) s--;
    return Math.max(0, s - 1);
  }

  showStep(j) {   // next: a jump over a whole box is told by what the box did
    const from = this.idx, i = this.show(j);
    if (this.byGroup.checked && i - from > 1 && this.scene.steps[i].sum) this.text.textContent = this.scene.steps[i].sum;
    return i;
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
    this.labelsDue = true;
    if (!this.tiny) this._labels();
    this._narrate();
    this._table();
    if (this.inspected) this._inspect();
    this.slider.value = String(i);
    this.prev.disabled = i <= 0;
    this.next.disabled = i >= n - 1;
    if (opts.first) this.fit(); else this._follow();
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
    const node = this.nodes.get(k);
    if (node.kind === "tensor") {
      const [shown, status, value, grad, rg] = st;
      g.setAttribute("class", `alab-node k-tensor s-${status}${rg ? "" : " nrg"}${shown ? "" : " hid"}`);
      const v = `${node.label} = ${value}`, gr = rg ? fill(W.grad_of, { grad }) : W.no_grad;
      g.children[1].textContent = shorten(v, SIZE.value, chord(node, 7.5 + SIZE.value * LINE / 4));
      g.children[2].textContent = shorten(gr, SIZE.grad, chord(node, 8.5 + SIZE.grad * LINE / 4));
      g.lastChild.textContent = `${v}\n${gr}`;
    } else {
      const [shown, status, freed, info] = st;
      g.setAttribute("class", `alab-node k-${node.kind} s-${status}${freed ? " freed" : ""}${shown ? "" : " hid"}`);
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
    for (const n of this.scene.nodes) {
      const st = cur[n.k];
      if (!st || !st[0]) continue;
      placed.add([n.x - n.w / 2, n.y - n.h / 2, n.x + n.w / 2, n.y + n.h / 2]);
      const tag = n.kind === "tensor" ? st[5] : st[4];
      if (tag) items.push({ id: "tag:" + n.k, text: tag, size: SIZE.tag, cls: "tag", node: n, pri: 0 });
      if (n.kind !== "tensor" && st[3])
        items.push({ id: "info:" + n.k, text: st[3], size: SIZE.info, cls: `info s-${st[1]}${st[2] ? " freed" : ""}`,
                     node: n, pri: active.has(n.k) ? 0 : 1 });
    }
    for (const e of this.scene.edges) {
      const st = cur[e.k];
      if (!st || !st[0] || !st[2] || e.kind !== "grad" || !(st[1] === "active" || st[1] === "passed")) continue;
      items.push({ id: "edge:" + e.k, text: st[2], size: SIZE.edge, cls: `elabel s-${st[1]}`, edge: e,
                   pri: st[1] === "active" ? 0 : 2 });
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
      if (!t.isConnected) this.labelG.append(t);
      if (t._cls !== it.cls) t.setAttribute("class", (t._cls = it.cls));
      if (t._x !== spot.x) t.setAttribute("x", (t._x = spot.x));
      if (t._y !== spot.y) t.setAttribute("y", (t._y = spot.y));
      if (t.firstChild.data !== spot.text) t.firstChild.data = spot.text;
      if (t._full !== it.text) t.lastChild.textContent = (t._full = it.text);
      const w = textWidth(spot.text, it.size);
      this.labelBoxes.push([spot.x - w / 2, spot.y - 8, spot.x + w / 2, spot.y + 8]);
    }
    for (const [id, t] of this.labelEls) if (!keep.has(id) && t.isConnected) t.remove();
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
    this.text.textContent = s.t;
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
    if (this.inspected) this.nodeEls.get(k).classList.add("inspected");
    this._inspect();
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
    for (const n of this.scene.nodes) {
      const st = this.cur[n.k];
      if (!all && !(st && st[0])) continue;
      x0 = Math.min(x0, n.x - n.w / 2); x1 = Math.max(x1, n.x + n.w / 2);
      y0 = Math.min(y0, n.y - n.h / 2 - 16); y1 = Math.max(y1, n.y + n.h / 2 + 16);
    }
    if (x0 === Infinity) return [0, 0, this.scene.width || 1, this.scene.height || 1];
    if (all) {   // the whole graph: the layout's whole extent too (a group's frame can reach past its nodes)
      x0 = Math.min(x0, 0); y0 = Math.min(y0, 0);
      x1 = Math.max(x1, this.scene.width || 0); y1 = Math.max(y1, this.scene.height || 0);
    }
    // A margin for the texts placed around the shapes (they are placed inside the layout's gaps);
    // the nodes alone decide the camera, so that it stays still while gradients are written.
    const m = 8;
    return [x0 - m, y0 - m, x1 + m, y1 + m];
  }

  _frameHeight(width) {
    const W = Math.max(1, this.scene.width), H = Math.max(1, this.scene.height);
    const maxH = Math.max(220, Math.min(620, (window.innerHeight || 800) * 0.62));
    return Math.round(Math.max(120, Math.min(maxH, H * Math.min(1, width / W))));
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
      const n = this.nodes.get(k);
      x0 = Math.min(x0, n.x - n.w / 2); x1 = Math.max(x1, n.x + n.w / 2);
      y0 = Math.min(y0, n.y - n.h / 2); y1 = Math.max(y1, n.y + n.h / 2);
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
  return new Player(root, scene, opts);
}

function render({ model, el: root }) {
  let player = null;
  const make = () => {
    if (player) player.destroy();
    player = mount(root, model.get("scene"), {
      index: model.get("index"),
      onIndex: (i) => { if (model.get("index") !== i) { model.set("index", i); model.save_changes(); } },
    });
  };
  const onIndex = () => { if (player && model.get("index") !== player.idx) player.show(model.get("index"), { silent: true }); };
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
