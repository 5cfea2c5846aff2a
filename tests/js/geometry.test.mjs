// Where texts go: never on top of what is placed already; nearer spots first; shortened when only that fits.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Boxes, placeLabel, curvePoint, chord } from "../../autograd_lab/view/static/src/geometry.js";

const mono = (s, size) => [...s].length * size / 2;
const node = { x: 100, y: 100, w: 60, h: 30 };
const nodeBox = [70, 85, 130, 115];

test("Boxes: overlaps across grid cells, touching is no overlap", () => {
  const b = new Boxes(64);
  b.add([0, 0, 100, 10]);
  assert.ok(b.hits([90, 5, 200, 6]));
  assert.ok(!b.hits([100, 0, 120, 10]));    // touching edges
  assert.ok(!b.hits([0, 10, 100, 20]));
  assert.ok(b.hits([-500, -500, 500, 500]));
});

test("a tag goes above its node, else below, else above to the side; info goes below first", () => {
  const placed = new Boxes();
  placed.add(nodeBox);
  const tag = { id: "tag:t1", text: "retains grad", size: 10, node };
  const a = placeLabel(tag, placed, mono);
  assert.ok(a.y < node.y - node.h / 2 && a.x === node.x && a.text === tag.text);
  const b = placeLabel(tag, placed, mono);   // the spot above is taken now
  assert.ok(b.y > node.y + node.h / 2 && b.x === node.x);
  const info = { id: "info:n1", text: "x", size: 10, node: { x: 300, y: 100, w: 60, h: 30 } };
  assert.ok(placeLabel(info, new Boxes(), mono).y > 115);
});

test("a placed label's box is added, so no two labels overlap", () => {
  const placed = new Boxes(), boxes = [];
  for (let i = 0; i < 12; i++) {
    const spot = placeLabel({ id: `tag:t${i}`, text: "1", size: 10, node }, placed, mono);
    if (!spot) continue;
    const w = mono(spot.text, 10), h = 12;
    const box = [spot.x - w / 2 - 1.5, spot.y - h / 2, spot.x + w / 2 + 1.5, spot.y + h / 2];
    for (const o of boxes) assert.ok(!(box[0] < o[2] && o[0] < box[2] && box[1] < o[3] && o[1] < box[3]));
    boxes.push(box);
  }
  assert.equal(boxes.length, 4);   // four spots around a node (above, below, above left and right), then none
});

test("a long label is shortened when only the short form fits; null when nothing does", () => {
  const placed = new Boxes();
  const text = "a gradient of 0.000123456789 arrives";
  const edge = { points: [[0, 0], [120, 0]] };
  // leave a gap along the edge too narrow for the whole text
  placed.add([-1000, -1000, 1000, -7]);
  placed.add([-1000, 7, 1000, 1000]);
  placed.add([-1000, -7, 30, 7]);
  placed.add([95, -7, 1000, 7]);
  const spot = placeLabel({ id: "edge:e1", text, size: 10, edge }, placed, mono);
  assert.ok(spot && spot.text.endsWith("…") && spot.text.length < text.length);
  assert.equal(placeLabel({ id: "edge:e1", text, size: 10, edge }, placed, mono), null);
});

test("curvePoint runs from one point to the next; chord narrows towards an ellipse's top", () => {
  assert.deepEqual(curvePoint([0, 0], [10, 20], 0), [0, 0]);
  assert.deepEqual(curvePoint([0, 0], [10, 20], 1), [10, 20]);
  assert.deepEqual(curvePoint([0, 0], [10, 20], 0.5), [5, 10]);
  assert.equal(chord(node, 0), node.w - 6);
  assert.ok(chord(node, 10) < chord(node, 5));
});
