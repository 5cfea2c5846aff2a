// Texts: the font and sizes the picture draws with, measuring a text, shortening it to a width,
// filling a message's {placeholders}. Only textWidth touches the page (a canvas, made on first use).
export const FONT = '"DejaVu Sans", "Noto Sans", "Segoe UI", Roboto, Helvetica, Arial, "Noto Sans CJK SC", ' +
  '"Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif';
export const SIZE = { value: 12.5, grad: 11, label: 12, info: 10.5, tag: 10.5, edge: 11 };
export const LINE = 1.2;            // a text's box height, in font sizes (what the overlap checks use)

export function fill(template, params) {
  return template.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));
}

let _ctx = null;
const _widths = new Map();
export function textWidth(s, size, style = "") {   // style: "600" (bold), "italic", as CSS draws the text
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

// The longest prefix of s (with "…") that is at most `width` px wide at `size` as `measure`(text, size, style)
// measures it; "" when not even "x…" fits.
export function shortenWith(measure, s, size, width, style = "") {
  if (measure(s, size, style) <= width) return s;
  let lo = 0, hi = s.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (measure(s.slice(0, mid) + "…", size, style) <= width) lo = mid; else hi = mid - 1;
  }
  return lo >= 1 ? s.slice(0, lo).trimEnd() + "…" : "";
}

// A closed box's label (its parts joined by " · ": "iteration 2 of 20 · loss 2.4 · max |grad| 6.2") in a
// box of `w` x `h` screen px: the most parts that fit whole, at the largest of `sizes` (screen px) whose
// line fits the box's height; else its first part shortened with "…". {text, size}; text "" when nothing fits.
export function boxLabelWith(measure, label, w, h, sizes = [SIZE.label, 11, 10], style = "600") {
  const parts = label.split(" · "), room = w - 12;
  const tall = sizes.filter((px) => px * LINE <= h - 3);
  for (let n = parts.length; n >= 1; n--) {
    const text = parts.slice(0, n).join(" · ");
    for (const px of tall) if (measure(text, px, style) <= room) return { text, size: px };
  }
  if (!tall.length) return { text: "", size: sizes[0] };
  return { text: shortenWith(measure, parts[0], tall[0], room, style), size: tall[0] };
}

// shortenWith, measured as the page draws.
export function shorten(s, size, width, style = "") {
  return shortenWith(textWidth, s, size, width, style);
}

// boxLabelWith, measured as the page draws.
export function boxLabel(label, w, h) {
  return boxLabelWith(textWidth, label, w, h);
}
