// The player: the page it builds once (controls, picture, legend, narration, table), showing step i
// (repainting only what changed) and playing. Its other methods come from the files by concern
// (groups.js, labels.js, camera.js, inspector.js, table.js, input.js: Object.assign(Player.prototype, ...)).
import { el, sv } from "./dom.js";
import { SIZE, LINE, fill, shorten } from "./text.js";
import { chord } from "./geometry.js";
import { KEYFRAME, Timeline, fullAt, sameState } from "./timeline.js";
import { stepAfter, stepBefore, runSummary } from "./bygroup.js";

const BASE_INTERVAL = 900;   // ms per step at 1x
const SPEEDS = [0.5, 1, 2, 4];
const PREFIX = { running: "▶ ", done: "✓ ", error: "✖ " };

export class Player {
  constructor(root, scene, opts = {}) {
    this.root = root;
    this.scene = scene;
    this.words = scene.words || {};
    this.onIndex = opts.onIndex || null;
    this.onOpened = opts.onOpened || null;
    this.n = scene.steps.length;
    this.nodes = new Map(scene.nodes.map((n) => [n.k, n]));
    this.edges = new Map(scene.edges.map((e) => [e.k, e]));
    this.timeline = new Timeline(scene);   // the state of every node and edge at each step, read by name
    this.cur = this.timeline.stateAt(-1);
    this.curIndex = -1;           // the step this.cur is the state after (-1: before the first)
    this.idx = 0;
    this.timer = null;
    this.mode = "auto";           // auto: fitted when readable, else following the step (camera.js); fit: the built
                                  // part fitted; whole: everything fitted; user: zoomed or dragged
    this.following = false;       // auto, zoomed in to read: the camera follows the active step
    this.cam = { s: 1, x: 0, y: 0 };
    this.inspected = null;
    this.filter = "";
    this.names = this._rowNames();
    this._groupsInit();
    this._build();
    this.show(opts.index != null ? opts.index : (scene.start || 0), { silent: true, first: true });
  }

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
    const byGroup = this.groups.some((g) => g.collapsed) && !disabled
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

  // [value's, grad's] (an edge: [grad's]) texts of what a click shows of key k's big values at step i
  // (default: the step painted), "" where a value is printed whole (scene.full).
  _full(k, i = this.paintIdx ?? this.idx) {
    const got = fullAt((this.scene.full || {})[k], i);
    return got ? got.slice(1) : ["", ""];
  }

  destroy() {
    this.stop();
    if (this.resizer) this.resizer.disconnect();
  }

  // The state after step i (a fresh object; -1: before the first step), as the timeline has it.
  stateAt(i) {
    return this.timeline.stateAt(i);
  }

  // "next" / "back": one step, or with "by group" checked the run of steps in one closed box (bygroup.js)
  stepAfter(i) {
    return stepAfter(this.scene.steps, this.groups, this.opened, this.byGroup.checked, i);
  }

  stepBefore(i) {
    return stepBefore(this.scene.steps, this.groups, this.opened, this.byGroup.checked, i);
  }

  // What steps from + 1 to i did, when they are one run of a box (graph.summary), else "".
  summaryOf(from, i) {
    return runSummary(this.scene.steps, this.groups, this.opened, from, i);
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
    this.paintIdx = n ? i : -1;   // the step whose states are painted (what _full reads)
    let next, before = null;
    if (n && i > this.curIndex && i - this.curIndex <= KEYFRAME && !opts.first) {
      // a few steps forward: replay them on the current state and repaint only what they change
      let touched;
      ({ state: next, before, touched } = this.timeline.replay(this.cur, this.curIndex, i));
      for (const k of touched) if (!sameState(next[k], this.cur[k])) this._paint(k, next[k]);
    } else {
      next = this.timeline.stateAt(n ? i : -1);
      for (const k in next) if (opts.first || !sameState(next[k], this.cur[k])) this._paint(k, next[k]);
    }
    this.prevState = before || (i > 0 ? null : undefined);   // the state before step i: on demand
    this.cur = next;
    this.curIndex = n ? i : -1;
    this.idx = i;
    this.active = new Set(n ? (this.scene.steps[i].active || []) : []);
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

  _paint(k, st) {
    const W = this.words;
    const e = this.edgeEls.get(k);
    if (e) {
      const { shown, status } = st;
      e.setAttribute("class", `alab-edge e-${this.edges.get(k).kind} s-${status}${shown ? "" : " hid"}`);
      e.lastChild.textContent = this._edgeTitle(k, st);   // its gradient and chain rule (inspector.js)
      return;
    }
    const g = this.nodeEls.get(k);
    if (!g) return;
    if (!g.parentNode) { g._stale = true; return; }   // inside a closed box: painted when it is shown again
    g._stale = false;
    const node = this.nodes.get(k);
    if (node.kind === "tensor") {
      const { shown, status, value, grad, rg } = st;
      g.setAttribute("class", `alab-node k-tensor s-${status}${rg ? "" : " nrg"}${shown ? "" : " hid"}${k === this.inspected ? " inspected" : ""}`);
      const v = `${node.label} = ${value}`, gr = rg ? fill(W.grad_of, { grad }) : W.no_grad;
      g.children[1].textContent = shorten(v, SIZE.value, chord(node, 7.5 + SIZE.value * LINE / 4));
      g.children[2].textContent = shorten(gr, SIZE.grad, chord(node, 8.5 + SIZE.grad * LINE / 4));
      const [vf, gf] = this._full(k);   // a big value: its tooltip has the values (values.py's Shown.full)
      g.lastChild.textContent = `${vf ? `${node.label} =\n${vf}` : v}\n${gf ? `${fill(W.grad_of, { grad: "" })}\n${gf}` : gr}`;
    } else {
      const { shown, status, freed, info } = st;
      g.setAttribute("class", `alab-node k-${node.kind} s-${status}${freed ? " freed" : ""}${shown ? "" : " hid"}${k === this.inspected ? " inspected" : ""}`);
      const l = (PREFIX[status] || "") + node.label;
      g.children[1].textContent = shorten(l, SIZE.label, node.w - 8);
      g.lastChild.textContent = info ? `${node.label}\n${info}` : node.label;
    }
  }
}
