// Groups of a big graph: closed boxes, open frames, the first picture (the collapsed top-level groups as
// boxes), edges to and from closed boxes, what stands for a node, opening and closing a box.
import { Player } from "./player.js";
import { sv } from "./dom.js";
import { fill } from "./text.js";
import { unitOf } from "./bygroup.js";

const RANK = { idle: 0, passed: 1, new: 2, active: 3 };   // an edge to a box shows its brightest edge's state
const STATUS = ["idle", "passed", "new", "active"];

Object.assign(Player.prototype, {
  _groupsInit() {
    const G = this.groups = (this.scene.groups || []).map((g, i) => Object.assign({}, g, { i, nodes: [], edges: [] }));
    this.gByKey = new Map(G.map((g) => [g.k, g]));
    this.opened = new Set();       // indices of collapsed groups the student opened
    const ov = this.scene.overview;
    this.ov = G.some((g) => g.collapsed) && ov && ov.nodes ? ov : null;
    for (const n of this.scene.nodes)
      for (let q = n.group; q != null; q = G[q].parent) G[q].nodes.push(n.k);
    for (const e of this.scene.edges) {   // an edge belongs to the groups its head is in (a gradient arriving)
      const d = this.nodes.get(e.dst);
      if (d) for (let q = d.group; q != null; q = G[q].parent) G[q].edges.push(e.k);
    }
  },

  // What stands for node n in the picture: itself, or the key of the closed box it is inside.
  _itemOf(n) {
    const G = this.groups;
    if (n.group == null) return n.k;
    if (this.ovMode) {   // the first picture: a collapsed top-level group is one box
      let q = n.group;
      while (G[q].parent != null) q = G[q].parent;
      return G[q].collapsed ? G[q].k : n.k;
    }
    let out = n.k;
    for (let q = n.group; q != null; q = G[q].parent) if (G[q].collapsed && !this.opened.has(q)) out = G[q].k;
    return out;
  },

  // The box a step runs in when "by group" is on: its outermost collapsed group not opened (graph.unit).
  unit(i) {
    return unitOf(this.scene.steps, this.groups, this.opened, i);
  },

  // Where an item is drawn, [x, y, w, h] (centre, size): a node, or a group's box.
  _rect(k) {
    if (this.ovMode) return this.ov.nodes[k];
    const g = this.gByKey.get(k);
    if (g) { const [x0, y0, x1, y1] = g.box; return [(x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0]; }
    const n = this.nodes.get(k);
    return [n.x, n.y, n.w, n.h];
  },

  _npos(n) {
    if (!this.ovMode) return n;
    const r = this.ov.nodes[n.k];
    return { k: n.k, kind: n.kind, x: r[0], y: r[1], w: r[2], h: r[3] };
  },

  // An edge between two items of which one at least is a closed box: out of the side of the one, into the
  // facing side of the other, bending half way (as layout.py draws edges between groups).
  _connect(u, v) {
    const [ux, uy, uw] = this._rect(u), [vx, vy, vw] = this._rect(v);
    const right = ux <= vx;
    const x0 = right ? ux + uw / 2 : ux - uw / 2, x1 = right ? vx - vw / 2 : vx + vw / 2, mx = (x0 + x1) / 2;
    return [[x0, uy], [mx, uy], [mx, vy], [x1, vy]];
  },

  _framed(g) {
    for (let q = g.i; q != null; q = this.groups[q].parent)
      if (this.groups[q].collapsed && !this.opened.has(q)) return false;
    return true;
  },

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
        if (pts.length >= 2) this.aggs.push({ k: "v:" + a.k, kind: a.kind, points: pts, m: a.members });
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
    // (in the first picture: the open top-level groups, each laid out as one block of the overview)
    for (const gr of G) {
      const box = this.ovMode ? (this.ov.frames || {})[gr.k] : this._framed(gr) && gr.box;
      if (!box) continue;
      const [x0, y0, x1, y1] = box;
      const el = sv("g", { class: "alab-gframe hid", "data-gi": gr.i });
      el.append(sv("rect", { class: "gshape", x: x0, y: y0, width: x1 - x0, height: y1 - y0, rx: 8 }), sv("title"));
      el.lastChild.textContent = gr.label;
      const top = sv("g", { class: "alab-gframe hid", "data-gi": gr.i }), text = sv("text", { class: "glabel" });
      top.append(text);
      let close = null;
      if (gr.collapsed) {   // an opened box closes again from the control at its frame's top left
        close = sv("g", { class: "alab-close", "data-gi": gr.i });
        close.append(sv("rect", { width: 14, height: 14, rx: 3 }), sv("path", { d: "M4,4 L10,10 M10,4 L4,10" }), sv("title"));
        close.lastChild.textContent = fill(W.group_close || "{label}", { label: gr.label });
        top.append(close);
      }
      this.frames.push({ gr, box, el, top, text, close, cls: "" });
      ffrag.append(el);
      tfrag.append(top);
    }
    this.boxG.replaceChildren(bfrag);
    this.frameG.replaceChildren(ffrag);
    this.frameTopG.replaceChildren(tfrag);
    this._k = null;   // the group labels are placed again
  },

  // The state of each box, frame and edge to a box, from the state of what it stands for.
  _groupStates() {
    const cur = this.cur, G = this.groups;
    const chain = new Set();
    if (this.n) for (let q = this.scene.steps[this.idx].group; q != null; q = G[q].parent) chain.add(q);
    const shownIn = (gr) => { for (const k of gr.nodes) { const s = cur[k]; if (s && s.shown) return true; } return false; };
    for (const b of this.boxes) {
      const gr = b.gr;
      let passed = false;
      for (const k of gr.edges) { const s = cur[k]; if (s && (s.status === "passed" || s.status === "active")) { passed = true; break; } }
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
        if (s.shown) shown = true;
        const r = RANK[s.status] || 0;
        if (r > rank) rank = r;
      }
      a.grad = a.m.length === 1 && cur[a.m[0]] ? cur[a.m[0]].grad : "";
      a.status = STATUS[rank];
      a.shown = shown;
      const cls = `alab-edge e-${a.kind} s-${a.status}${shown ? "" : " hid"}`;
      if (a.cls !== cls) a.el.setAttribute("class", (a.cls = cls));
      if (a.el.lastChild.textContent !== a.grad) a.el.lastChild.textContent = a.grad;
    }
  },

  openGroup(gi) {
    const g = this.groups[gi];
    if (!g || !g.collapsed || this.opened.has(gi)) return;
    this.opened.add(gi);
    this.lastOpened = gi;   // "+" and "-" zoom about it
    this._regroup();
    this._focus(g.box);
  },

  closeGroup(gi) {
    if (!this.opened.has(gi)) return;
    const G = this.groups;
    for (const q of [...this.opened]) {   // its opened boxes inside close with it
      for (let p = q; p != null; p = G[p].parent) if (p === gi) { this.opened.delete(q); break; }
    }
    this._regroup();
    this.mode = "auto";
    this.following = false;
    this.fit();
    this._relabel();
  },

  _regroup() {
    this._relayout();
    this._groupStates();
    if (this.onOpened) this.onOpened([...this.opened].map((q) => this.groups[q].k));
  },
});
