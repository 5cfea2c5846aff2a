// The camera's decisions, pure: how tall the frame is, and where the camera looks at a step.
//
// The rule: fit what the picture shows into the frame, as long as its smallest text stays at least
// MIN_TEXT px on the screen. When fitting would make text smaller than that, show the active step at
// READABLE_TEXT px for the smallest text instead, and follow it: the camera moves only when what the
// step is about is not already in view with MARGIN px around it (calm), and then centres it.
export const MIN_TEXT = 9;          // px on the screen: the smallest picture text a student reads
export const READABLE_TEXT = 9.5;   // px: the smallest text's size when the camera zooms in to read
export const MARGIN = 24;           // px: what the step is about stays this far inside the frame
export const FRAME_MIN = 120;       // px: the flattest frame
export const FRAME_MAX = 620;       // px (and at most 62 % of the window's height)

// The scale at which the smallest font (px in the layout) is READABLE_TEXT px on the screen (never enlarged).
export function readableScale(minFont) {
  return Math.min(1, READABLE_TEXT / minFont);
}

// The scale at which rectangle [x0, y0, x1, y1] fits into w x h (not enlarged).
export function fitScale([x0, y0, x1, y1], w, h) {
  return Math.min(1, w / Math.max(1, x1 - x0), h / Math.max(1, y1 - y0));
}

export function readable(s, minFont) {
  return s * minFont >= MIN_TEXT - 1e-9;
}

// Is a picture whose layout is extentW x extentH too big to be fitted readably into a frame `width` px wide
// (and at most maxFrame(windowHeight) tall)? Decided once per layout, so that a player does not switch
// between fitting and following as its graph grows.
export function tooBig({ extentW, extentH, width, minFont, windowHeight = 800 }) {
  const s = Math.min(1, width / Math.max(1, extentW), maxFrame(windowHeight) / Math.max(1, extentH));
  return !readable(s, minFont);
}

export function maxFrame(windowHeight = 800) {
  return Math.max(220, Math.min(FRAME_MAX, windowHeight * 0.62));
}

// The frame's height for a picture whose layout is extentW x extentH, in a frame `width` px wide:
// as tall as the fitted picture when that is readable; else as tall as the picture at the readable scale
// (a frame that shows the graph's whole height when it can, instead of a strip of the graph shrunk to
// fit); clamped to [FRAME_MIN, maxH].
// `inner`: the sizes [w, h] of the innermost opened boxes (the frame has room for one as wide as it).
export function frameHeight({ extentW, extentH, width, minFont, windowHeight = 800, inner = [] }) {
  const W = Math.max(1, extentW), H = Math.max(1, extentH), maxH = maxFrame(windowHeight);
  if (!tooBig({ extentW, extentH, width, minFont, windowHeight })) {
    let h = H * Math.min(1, width / W);
    for (const [bw, bh] of inner) h = Math.max(h, (bh + 40) * Math.min(1, width / (bw + 40)));
    return Math.round(Math.max(FRAME_MIN, Math.min(maxH, h)));
  }
  const r = readableScale(minFont);
  let h = H * r;
  for (const [, bh] of inner) h = Math.max(h, bh * r + 52);
  return Math.round(Math.max(FRAME_MIN, Math.min(maxH, h)));
}

// Where the camera looks: {s, x, y, follow} (screen = layout * s + (x, y)).
//   bounds: [x0, y0, x1, y1] of what the view shows; active: the rectangle of what the step is about (or
//   null); width, height: the frame's; minFont: the picture's smallest font; cam: the camera now (or null);
//   big: the picture is too big to fit readably (tooBig; by default, decided from the bounds).
// Not big: the bounds fitted (follow: false). Big: the readable scale, with the active rectangle in view:
// the camera stays where it is if it already shows it with MARGIN around (at this scale; or with nothing
// active), else centres it; the first time with nothing active, it looks at the start (left, top) of the
// bounds. Never past the bounds' edges when the bounds are larger than the frame.
export function chooseCamera({ bounds, active, width, height, minFont, cam, big }) {
  const [x0, y0, x1, y1] = bounds, bw = x1 - x0, bh = y1 - y0;
  const f = fitScale(bounds, width, height);
  if (big === undefined) big = !readable(f, minFont);
  if (!big)
    return { s: f, x: (width - bw * f) / 2 - x0 * f, y: (height - bh * f) / 2 - y0 * f, follow: false };
  const s = readableScale(minFont);
  if (cam && Math.abs(cam.s - s) < 1e-9 && (!active || inView(active, cam, width, height, MARGIN)))
    return { s, x: cam.x, y: cam.y, follow: true };
  let cx, cy;
  if (active) { cx = (active[0] + active[2]) / 2; cy = (active[1] + active[3]) / 2; }
  else { cx = x0 + width / (2 * s); cy = y0 + height / (2 * s); }
  let x = width / 2 - cx * s, y = height / 2 - cy * s;
  // keep the frame on the picture: no empty band where the picture could be
  if (bw * s > width) x = Math.min(-x0 * s, Math.max(width - x1 * s, x)); else x = (width - bw * s) / 2 - x0 * s;
  if (bh * s > height) y = Math.min(-y0 * s, Math.max(height - y1 * s, y)); else y = (height - bh * s) / 2 - y0 * s;
  // ... unless that would push the active rectangle out of the frame (bigger than the frame: its start)
  if (active) {
    x = shiftInto(x, active[0] * s, active[2] * s, width);
    y = shiftInto(y, active[1] * s, active[3] * s, height);
  }
  return { s, x, y, follow: true };
}

// Is the rectangle r (layout) in view of camera cam in a w x h frame, `margin` px inside its edges?
export function inView(r, cam, w, h, margin = 0) {
  const m = Math.min(margin, w / 4, h / 4);
  return r[0] * cam.s + cam.x >= m && r[2] * cam.s + cam.x <= w - m &&
         r[1] * cam.s + cam.y >= m && r[3] * cam.s + cam.y <= h - m;
}

// The offset t moved as little as possible so that [a + t, b + t] lies in [0, size] (its start when it is larger).
function shiftInto(t, a, b, size) {
  if (b - a > size) return -a + Math.min(MARGIN, size / 8);
  if (a + t < 0) return -a;
  if (b + t > size) return size - b;
  return t;
}

// The rectangle around rectangles [[x0, y0, x1, y1], ...] (null for none).
export function union(rects) {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const r of rects) {
    x0 = Math.min(x0, r[0]); y0 = Math.min(y0, r[1]); x1 = Math.max(x1, r[2]); y1 = Math.max(y1, r[3]);
  }
  return x0 === Infinity ? null : [x0, y0, x1, y1];
}

// "+" and "-": the point of the frame to zoom about: the centre of `focus` (layout rectangle) on the screen,
// kept inside the frame; the frame's centre without one.
export function zoomCentre(focus, cam, w, h) {
  if (!focus) return [w / 2, h / 2];
  const cx = ((focus[0] + focus[2]) / 2) * cam.s + cam.x, cy = ((focus[1] + focus[3]) / 2) * cam.s + cam.y;
  return [Math.max(0, Math.min(w, cx)), Math.max(0, Math.min(h, cy))];
}
