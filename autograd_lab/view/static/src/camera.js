// The camera: the default view (framing.js decides: fitted when readable, else the active step at a
// readable scale, followed), fit the built part, fit the whole graph, zoom, follow the action, focus on a box.
//   mode "auto": the default; "fit" / "whole": the buttons (fitted, however small); "user": zoomed or dragged.
import { Player } from "./player.js";
import { SIZE } from "./text.js";
import { chooseCamera, fitScale, frameHeight, inView, readable, tooBig, union, zoomCentre } from "./framing.js";

const MIN_SCALE = 0.02, MAX_SCALE = 8;
const TINY = 4;              // px: below this on-screen size texts are not drawn (hover and the table have them)
const MIN_FONT = Math.min(...Object.values(SIZE));   // the picture's smallest font (the labels of boxes keep their size)

Object.assign(Player.prototype, {
  // all: every node and box, built or not; extent: also the layout's whole extent ("whole graph")
  _bounds(all, extent = all) {
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    const add = (x, y, w, h) => {
      x0 = Math.min(x0, x - w / 2); x1 = Math.max(x1, x + w / 2);
      y0 = Math.min(y0, y - h / 2 - 16); y1 = Math.max(y1, y + h / 2 + 16);
    };
    for (const node of this.visNodes) {
      const st = this.cur[node.k];
      if (!all && !(st && st.shown)) continue;
      const n = this._npos(node);
      add(n.x, n.y, n.w, n.h);
    }
    for (const b of this.boxes) if (all || b.shown) add(...b.r);
    const [W, H] = this._extent();
    if (x0 === Infinity) return [0, 0, W || 1, H || 1];
    if (extent) {   // the whole graph: the layout's whole extent too (a group's frame can reach past its nodes)
      x0 = Math.min(x0, 0); y0 = Math.min(y0, 0);
      x1 = Math.max(x1, W || 0); y1 = Math.max(y1, H || 0);
    }
    // A margin for the texts placed around the shapes (they are placed inside the layout's gaps);
    // the nodes alone decide the camera, so that it stays still while gradients are written.
    const m = 8;
    return [x0 - m, y0 - m, x1 + m, y1 + m];
  },

  _extent() {   // the size of the picture's layout: the first picture's, or the whole graph's
    return this.ovMode ? [this.ov.w, this.ov.h] : [this.scene.width, this.scene.height];
  },

  _frameHeight(width) {
    const [EW, EH] = this._extent(), inner = [];
    if (!this.ovMode) {
      const q = new Set(this.opened);   // the innermost opened boxes: the frame has room for one as wide as it
      for (const o of this.opened) if (this.groups[o].parent != null) q.delete(this.groups[o].parent);
      for (const o of q) { const [x0, y0, x1, y1] = this.groups[o].box; inner.push([x1 - x0, y1 - y0]); }
    }
    return frameHeight({ extentW: EW, extentH: EH, width, minFont: MIN_FONT,
                         windowHeight: window.innerHeight || 800, inner });
  },

  // A faint preview of what is not built yet (the scene may opt out: a Predict's player before its answer).
  _preview() {
    return this.scene.preview !== false;
  },

  // The rectangle [x0, y0, x1, y1] of what the step shown is about (its active nodes; with none, the ends of
  // its active edges), as drawn now; null when nothing is.
  _activeRect() {
    const keys = new Set(), ends = new Set();
    for (const k of this.active || []) {
      if (this.nodes.has(k)) keys.add(k);
      else { const e = this.edges.get(k); if (e) { ends.add(e.src); ends.add(e.dst); } }
    }
    if (!keys.size) for (const k of ends) keys.add(k);
    const rects = [];
    for (const k of keys) {
      const it = this.item ? this.item.get(k) || k : k;
      const r = this._rect(it);
      if (r) rects.push([r[0] - r[2] / 2, r[1] - r[3] / 2, r[0] + r[2] / 2, r[1] + r[3] / 2]);
    }
    return union(rects);
  },

  // What "+" and "-" zoom about: the inspected node, else the active step when it is in view, else the box
  // opened last, else the active step.
  _zoomFocus() {
    const k = this.inspected;
    if (k && this.nodes.has(k)) {
      const r = this._rect(this.item.get(k) || k);
      return [r[0] - r[2] / 2, r[1] - r[3] / 2, r[0] + r[2] / 2, r[1] + r[3] / 2];
    }
    const a = this._activeRect();
    if (a && inView(a, this.cam, this._width(), +this.svg.getAttribute("height") || 300)) return a;
    if (this.lastOpened != null && this.opened.has(this.lastOpened)) return this.groups[this.lastOpened].box;
    return a;
  },

  _width() {
    // The frame's width, kept by the ResizeObserver: reading clientWidth on every step would make the
    // browser lay out the page in the middle of each step.
    if (!this.width) this.width = this.frame.clientWidth;
    return this.width;
  },

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
    // the default view previews the whole graph: every node, built or not (at the last step, what "fit" shows)
    const whole = this.mode === "whole", ahead = whole || (this.mode === "auto" && this._preview());
    const [x0, y0, x1, y1] = this._bounds(ahead, whole);
    if (this.mode === "auto") {   // fitted if readable, else the active step at a readable scale (framing.js)
      const [EW, EH] = this._extent();
      const big = tooBig({ extentW: EW, extentH: EH, width: cw, minFont: MIN_FONT, windowHeight: window.innerHeight || 800 });
      const c = chooseCamera({ bounds: [x0, y0, x1, y1], active: this._activeRect(), width: cw, height: fh,
                               minFont: MIN_FONT, cam: this.following ? this.cam : null, big });
      this.following = c.follow;
      this.cam = { s: c.s, x: c.x, y: c.y };
    } else {
      const bw = x1 - x0, bh = y1 - y0;
      const s = fitScale([x0, y0, x1, y1], cw, fh);
      this.following = false;
      this.cam = { s, x: (cw - bw * s) / 2 - x0 * s, y: (fh - bh * s) / 2 - y0 * s };
    }
    this._applyCam();
  },

  _follow() {
    if (this.mode !== "user") { this.fit(); return; }
    // keep what this step is about in sight, at the zoom the student chose (calm: no move while it is in view)
    const a = this._activeRect();
    if (!a) return;
    const cw = this._width(), fh = +this.svg.getAttribute("height");
    if (inView(a, this.cam, cw, fh)) return;
    const { s } = this.cam;
    this.cam = { s, x: cw / 2 - ((a[0] + a[2]) / 2) * s, y: fh / 2 - ((a[1] + a[3]) / 2) * s };
    this._applyCam();
  },

  zoomBy(f, cx, cy) {
    const cw = this._width(), fh = +this.svg.getAttribute("height") || 300;
    if (cx == null) [cx, cy] = zoomCentre(this._zoomFocus(), this.cam, cw, fh);
    const s = Math.max(MIN_SCALE, Math.min(MAX_SCALE, this.cam.s * f)), r = s / this.cam.s;
    this.mode = "user";
    this.following = false;
    this.cam = { s, x: cx - (cx - this.cam.x) * r, y: cy - (cy - this.cam.y) * r };
    this._applyCam();
  },

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
    // "follow": the default view zoomed in to read, following the active step
    this.root.dataset.mode = this.mode === "auto" && this.following ? "follow" : this.mode;
    // what is not built yet, faintly: in "whole", and in the default view unless the scene opts out
    this.svg.classList.toggle("alab-ghosts", this.mode === "whole" || (this.mode !== "fit" && this._preview()));
    this.fitBtn.classList.toggle("alab-on", this.mode === "fit");
    this.wholeBtn.classList.toggle("alab-on", this.mode === "whole");
  },

  // Show the rectangle [x0, y0, x1, y1] of the full layout as large as the frame allows (not enlarged), or,
  // when that would make its texts too small to read, at a readable scale from its start (or its active step).
  _focus([x0, y0, x1, y1]) {
    this.mode = "user";
    this.following = false;
    this.fit();   // the frame's size for this picture
    const cw = this._width(), fh = +this.svg.getAttribute("height") || 300;
    // room above the box for its label when the label does not fit inside
    const s = Math.max(MIN_SCALE, Math.min(1, (cw - 24) / (x1 - x0), (fh - 52) / (y1 - y0)));
    // its texts: the nodes drawn as themselves inside it (the labels of closed boxes keep their size on the screen)
    const texts = this.visNodes.some((n) => n.x > x0 && n.x < x1 && n.y > y0 && n.y < y1);
    if (!texts || readable(s, MIN_FONT)) this.cam = { s, x: cw / 2 - ((x0 + x1) / 2) * s, y: fh / 2 + 12 - ((y0 + y1) / 2) * s };
    else {
      const a = this._activeRect(), inside = a && a[0] < x1 && a[2] > x0 && a[1] < y1 && a[3] > y0;
      const c = chooseCamera({ bounds: [x0 - 8, y0 - 30, x1 + 8, y1 + 8], active: inside ? a : null,
                               width: cw, height: fh, minFont: MIN_FONT, cam: null });
      this.cam = { s: c.s, x: c.x, y: c.y };
    }
    this._applyCam();
    this._relabel();
  },
});
