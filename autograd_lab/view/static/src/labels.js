// Texts outside the shapes: tags, info, gradients on edges, the labels of boxes and frames; never two on top
// of each other, nor on a node.
import { Player } from "./player.js";
import { SIZE, LINE, boxLabel, shorten, textWidth } from "./text.js";
import { Boxes, placeLabel } from "./geometry.js";

Object.assign(Player.prototype, {
  // Labels of boxes and frames, at a size that stays readable however far the picture is zoomed out;
  // never on top of another text or a node.
  _groupLabels() {
    const k = Math.max(1, 1 / this.cam.s), size = SIZE.label * k, lh = size * LINE;
    this._k = k;
    this.groupRects = [];
    for (const b of this.boxes) {   // (in screen px: its size / k; zoomed out, the label gives up parts, then size)
      const [x, y, w, h] = b.r, t = b.el.children[1];
      const { text, size: px } = boxLabel(b.gr.label, w / k, h / k);
      const fs = px * k, blh = fs * LINE;
      if (t._size !== fs) t.setAttribute("font-size", (t._size = fs));
      if (t.textContent !== text) t.textContent = text;
      if (text) {
        const tw = textWidth(text, px, "600") * k, pad = 3 * k;   // (bold, as drawn; and a margin)
        this.groupRects.push([x - tw / 2 - pad, y - blh / 2, x + tw / 2 + pad, y + blh / 2]);
      }
    }
    if (!this.frames.length) return;
    const placed = new Boxes();
    for (const r of this.groupRects) placed.add(r);
    for (const n of this.visNodes) {
      const st = this.cur[n.k];
      if (st && st.shown) placed.add([n.x - n.w / 2, n.y - n.h / 2, n.x + n.w / 2, n.y + n.h / 2]);
    }
    for (const b of this.boxes) {   // the closed boxes (a neighbour's label must not cover them)
      const [x, y, w, h] = b.r;
      if (b.shown) placed.add([x - w / 2, y - h / 2, x + w / 2, y + h / 2]);
    }
    const G = this.groups, shownFrames = this.frames.filter((f) => !f.cls.includes("hid"));
    // a frame's label may lie inside its own frame and its parents', not inside another frame
    const inOther = (f, r) => shownFrames.some((o) => {
      if (o === f) return false;
      for (let q = f.gr.parent; q != null; q = G[q].parent) if (q === o.gr.i) return false;
      const [a0, b0, a1, b1] = o.box;
      return r[0] < a1 && r[2] > a0 && r[1] < b1 && r[3] > b0;
    });
    for (const f of this.frames) {
      const [x0, y0, x1] = f.box, t = f.text, c = f.close;
      let cw = 0;
      if (c) {
        cw = 18 * k;
        const cx = x0 + 4 * k, cy = y0 + 3 * k;
        c.setAttribute("transform", `translate(${cx.toFixed(2)},${cy.toFixed(2)}) scale(${k.toFixed(4)})`);
        const r = [cx, cy, cx + 14 * k, cy + 14 * k];
        placed.add(r);
        this.groupRects.push(r);
      }
      const tx = x0 + 4 * k + cw, room = (x1 - tx - 4 * k) / k;
      let spot = null, text = "";
      // inside the frame's top, else above it; shortened (…) when only a shorter label fits (the frame's
      // tooltip has it whole)
      for (const width of [room, room / 2, room / 4]) {
        text = shorten(f.gr.label, SIZE.label, width, "italic");
        if (!text) break;
        const tw = textWidth(text, SIZE.label, "italic") * k;   // (italic, as drawn)
        for (const y of [y0 + 3 * k + 7 * k, y0 - 2 * k - lh / 2]) {
          const r = [tx, y - lh / 2, tx + tw + 3 * k, y + lh / 2];
          if (!placed.hits(r) && !inOther(f, r)) { placed.add(r); this.groupRects.push(r); spot = [tx, y]; break; }
        }
        if (spot) break;
      }
      if (t._size !== size) t.setAttribute("font-size", (t._size = size));
      if (spot) { t.setAttribute("x", spot[0]); t.setAttribute("y", spot[1]); }
      const shown = spot ? text : "";
      if (t.textContent !== shown) t.textContent = shown;
    }
  },

  _relabel() {
    this._groupLabels();
    this.labelsDue = true;
    if (!this.tiny) this._labels();
  },

  _labels() {
    this.labelsDue = false;
    const placed = new Boxes();
    const items = [];
    const cur = this.cur, active = this.active;
    for (const r of this.groupRects || []) placed.add(r);
    for (const node of this.visNodes) {
      const st = cur[node.k];
      if (!st || !st.shown) continue;
      const n = this._npos(node);
      placed.add([n.x - n.w / 2, n.y - n.h / 2, n.x + n.w / 2, n.y + n.h / 2]);
      if (st.tag) items.push({ id: "tag:" + n.k, text: st.tag, size: SIZE.tag, cls: "tag", node: n, pri: 0 });
      if (n.kind !== "tensor" && st.info)
        items.push({ id: "info:" + n.k, text: st.info, size: SIZE.info, cls: `info s-${st.status}${st.freed ? " freed" : ""}`,
                     node: n, pri: active.has(n.k) ? 0 : 1 });
    }
    for (const e of this.visEdges) {
      const st = cur[e.k];
      if (!st || !st.shown || !st.grad || e.kind !== "grad" || !(st.status === "active" || st.status === "passed")) continue;
      items.push({ id: "edge:" + e.k, text: st.grad, size: SIZE.edge, cls: `elabel s-${st.status}`, edge: e,
                   pri: st.status === "active" ? 0 : 2 });
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
  },

  _place(it, placed) {
    return placeLabel(it, placed, textWidth);
  },
});
