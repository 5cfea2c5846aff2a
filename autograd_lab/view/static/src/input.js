// The player's input: buttons, slider, menus, keys, the table's and the inspector's links, and in the
// picture wheel zoom, pinch, drag to pan, click to inspect or to open and close a box.
import { Player } from "./player.js";

// The arrow keys step whenever the focus is in the player (its root, the picture, the buttons, the "by group"
// box, the inspector's links), except where they already mean something: the table's filter (the caret), the
// slider (it moves itself, and so steps) and the menus (jump, speed: they pick an option). With a modifier
// (Alt+Left is the browser's back) they are left to the browser.
export function arrowsStep(e) {
  if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return false;
  const t = e.target, tag = t && t.tagName ? t.tagName.toLowerCase() : "";
  if (tag === "select" || tag === "textarea" || (t && t.isContentEditable)) return false;
  if (tag === "input") return t.type === "checkbox" || t.type === "button";
  return true;
}

Object.assign(Player.prototype, {
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
      if (!arrowsStep(e)) return;
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
  },

  _pinchStart(pointers) {
    const [a, b] = [...pointers.values()];
    return { d: Math.hypot(a[0] - b[0], a[1] - b[1]) || 1 };
  },
});
