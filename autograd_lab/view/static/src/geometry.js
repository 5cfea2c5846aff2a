// Geometry in graph units: overlap tests, the room inside an ellipse, points along a drawn edge, and where a
// text can go without covering another (pure: the caller gives the measure of a text).
import { LINE, shortenWith } from "./text.js";

// A spatial hash of boxes [x0, y0, x1, y1] (graph units), to test overlaps quickly.
export class Boxes {
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
export function chord(n, dy) {
  const r = Math.min(1, dy / (n.h / 2));
  return n.w * Math.sqrt(1 - r * r) - 6;
}

// Points along an edge as drawn (cubic pieces with horizontal tangents between the layout's points).
export function curvePoint(p0, p1, t) {
  const mx = (p0[0] + p1[0]) / 2, u = 1 - t;
  const x = u * u * u * p0[0] + 3 * u * u * t * mx + 3 * u * t * t * mx + t * t * t * p1[0];
  const y = u * u * u * p0[1] + 3 * u * u * t * p0[1] + 3 * u * t * t * p1[1] + t * t * t * p1[1];
  return [x, y];
}

// Where the label `it` goes: { id, text, size, and node {x, y, w, h} or edge {points} }. The first candidate
// spot where its box hits nothing in `placed` (a Boxes, which then holds it too), with its whole text, else
// shortened to about half (at most 60 px): { x, y, text }, or null when no spot is free.
export function placeLabel(it, placed, measure) {
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
  const short = shortenWith(measure, it.text, it.size, Math.min(measure(it.text, it.size) / 2, 60));
  if (short && short !== it.text) texts.push(short);
  for (const text of texts) {
    const w = measure(text, it.size);
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
