// The camera: fit the built part, fit the whole graph, zoom, follow the action, focus on a box.
import { Player } from "./player.js";
import { SIZE } from "./text.js";

const MIN_SCALE = 0.02, MAX_SCALE = 8;
const TINY = 4;              // px: below this on-screen size texts are not drawn (hover and the table have them)

Object.assign(Player.prototype, {
  _bounds(all) {
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
    if (all) {   // the whole graph: the layout's whole extent too (a group's frame can reach past its nodes)
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
    const [x0, y0, x1, y1] = this._bounds(this.mode === "whole");
    const bw = x1 - x0, bh = y1 - y0;
    const s = Math.min(1, cw / bw, fh / bh);
    this.cam = { s, x: (cw - bw * s) / 2 - x0 * s, y: (fh - bh * s) / 2 - y0 * s };
    this._applyCam();
  },

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
  },

  zoomBy(f, cx, cy) {
    const cw = this._width(), fh = +this.svg.getAttribute("height") || 300;
    if (cx == null) { cx = cw / 2; cy = fh / 2; }
    const s = Math.max(MIN_SCALE, Math.min(MAX_SCALE, this.cam.s * f)), r = s / this.cam.s;
    this.mode = "user";
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
    this.root.dataset.mode = this.mode;
    this.svg.classList.toggle("alab-ghosts", this.mode === "whole");   // what is not built yet, faintly
    this.fitBtn.classList.toggle("alab-on", this.mode === "fit");
    this.wholeBtn.classList.toggle("alab-on", this.mode === "whole");
  },

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
  },
});
