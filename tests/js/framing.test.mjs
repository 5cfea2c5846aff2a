// The camera's rule: fitted when the smallest text stays >= 9 px on the screen, else the active step at a
// readable scale, followed calmly; the frame's height never collapses; "+" zooms about the focus.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  MIN_TEXT, READABLE_TEXT, MARGIN, FRAME_MIN, chooseCamera, frameHeight, readableScale, fitScale, inView, union,
  zoomCentre, tooBig,
} from "../../autograd_lab/view/static/src/framing.js";

const FONT = 10.5;   // the picture's smallest font (text.js SIZE.info / SIZE.tag)
const screen = (cam, [x, y]) => [x * cam.s + cam.x, y * cam.s + cam.y];

test("a graph that fits readably is fitted and centred, as before", () => {
  const c = chooseCamera({ bounds: [0, 0, 600, 300], active: [0, 0, 50, 30], width: 840, height: 400, minFont: FONT });
  assert.equal(c.follow, false);
  assert.equal(c.s, 1);                       // never enlarged
  assert.deepEqual(screen(c, [300, 150]), [420, 200]);
  const d = chooseCamera({ bounds: [0, 0, 960, 300], active: null, width: 840, height: 400, minFont: FONT });
  assert.equal(d.follow, false);
  assert.equal(d.s, 840 / 960);               // 0.875: its smallest text at 9.19 px, readable
  assert.ok(d.s * FONT >= MIN_TEXT);
});

test("a graph too big to fit readably: the active step at the readable scale, in view", () => {
  const bounds = [0, 0, 4000, 900], active = [2000, 400, 2100, 450];
  const c = chooseCamera({ bounds, active, width: 840, height: 400, minFont: FONT });
  assert.equal(c.follow, true);
  assert.equal(c.s, READABLE_TEXT / FONT);
  assert.ok(Math.abs(c.s * FONT - 9.5) < 1e-9 && c.s * FONT >= MIN_TEXT);
  assert.ok(inView(active, c, 840, 400, MARGIN));
  const [cx, cy] = screen(c, [2050, 425]);    // centred on it
  assert.ok(Math.abs(cx - 420) < 1e-6 && Math.abs(cy - 200) < 1e-6, [cx, cy]);
});

test("following is calm: no move while the active step is in view with a margin, a move when it leaves", () => {
  const bounds = [0, 0, 4000, 900], base = { width: 840, height: 400, minFont: FONT, bounds };
  const first = chooseCamera({ ...base, active: [1000, 400, 1100, 450] });
  const near = chooseCamera({ ...base, active: [1150, 400, 1250, 450], cam: first });   // still well inside
  assert.deepEqual([near.x, near.y, near.s], [first.x, first.y, first.s]);
  const far = chooseCamera({ ...base, active: [3000, 400, 3100, 450], cam: first });
  assert.notEqual(far.x, first.x);
  assert.ok(inView([3000, 400, 3100, 450], far, 840, 400, MARGIN));
  // at the frame's edge (inside, but not by the margin): it moves
  const s = first.s, edgeX = (840 - first.x - 10) / s;   // 10 px from the right edge on the screen
  const edge = chooseCamera({ ...base, active: [edgeX - 50, 400, edgeX, 450], cam: first });
  assert.notEqual(edge.x, first.x);
  // nothing active: it stays
  const none = chooseCamera({ ...base, active: null, cam: first });
  assert.deepEqual([none.x, none.y], [first.x, first.y]);
});

test("following keeps the frame on the picture: no empty band at the graph's edges", () => {
  const bounds = [0, 0, 4000, 900];
  const c = chooseCamera({ bounds, active: [0, 0, 60, 40], width: 840, height: 400, minFont: FONT });
  assert.ok(Math.abs(c.x) < 1e-9 && Math.abs(c.y) < 1e-9, c);   // the graph's corner at the frame's, not centred on the node
  const e = chooseCamera({ bounds, active: [3940, 860, 4000, 900], width: 840, height: 400, minFont: FONT });
  assert.ok(Math.abs(4000 * e.s + e.x - 840) < 1e-6 && Math.abs(900 * e.s + e.y - 400) < 1e-6);
  // a graph wide but low: centred vertically
  const low = chooseCamera({ bounds: [0, 0, 4000, 200], active: [100, 0, 160, 40], width: 840, height: 400, minFont: FONT });
  assert.ok(Math.abs(100 * low.s + low.y - 200) < 1e-6);
  // with nothing active at first: the graph's start
  const start = chooseCamera({ bounds, active: null, width: 840, height: 400, minFont: FONT });
  assert.ok(Math.abs(start.x) < 1e-9 && Math.abs(start.y) < 1e-9, start);
});

test("an active rectangle larger than the frame shows its start", () => {
  const active = [500, 0, 3500, 100];
  const c = chooseCamera({ bounds: [0, 0, 4000, 900], active, width: 840, height: 400, minFont: FONT });
  const [x0] = screen(c, [500, 0]);
  assert.ok(x0 >= 0 && x0 <= MARGIN, x0);
});

test("the frame's height: as fitted when readable; else the picture's at the readable scale, not a strip", () => {
  // a lesson's graph: as today (the fitted picture's height)
  assert.equal(frameHeight({ extentW: 600, extentH: 250, width: 840, minFont: FONT }), 250);
  assert.equal(frameHeight({ extentW: 900, extentH: 300, width: 840, minFont: FONT }), 280);
  assert.equal(frameHeight({ extentW: 300, extentH: 60, width: 840, minFont: FONT }), 120);
  // lesson 8's MLP: fitted, 215 px; now the readable picture's height, at most 62 % of the window (800 px: 496)
  assert.equal(frameHeight({ extentW: 3000, extentH: 770, width: 840, minFont: FONT }), 496);
  assert.equal(frameHeight({ extentW: 3000, extentH: 400, width: 840, minFont: FONT }),
               Math.round(400 * readableScale(FONT)));
  assert.equal(frameHeight({ extentW: 3000, extentH: 240, width: 840, minFont: FONT }), Math.round(240 * readableScale(FONT)));
  assert.equal(frameHeight({ extentW: 3000, extentH: 100, width: 840, minFont: FONT }), FRAME_MIN);
  // a short window: at most 62 % of it
  assert.equal(frameHeight({ extentW: 3000, extentH: 2000, width: 840, minFont: FONT, windowHeight: 500 }), 310);
  // an opened box taller than the rest: room for it
  assert.equal(frameHeight({ extentW: 3000, extentH: 300, width: 840, minFont: FONT, inner: [[800, 400]] }),
               Math.round(400 * readableScale(FONT) + 52));
});

test("readable scale and fit scale", () => {
  assert.equal(readableScale(10.5), 9.5 / 10.5);
  assert.equal(readableScale(8), 1);          // never enlarged
  assert.equal(fitScale([0, 0, 200, 100], 840, 400), 1);
  assert.equal(fitScale([0, 0, 1680, 100], 840, 400), 0.5);
});

test("+ and - zoom about the focus (kept inside the frame), else the frame's centre", () => {
  const cam = { s: 0.5, x: 10, y: 20 };
  assert.deepEqual(zoomCentre([100, 100, 300, 200], cam, 840, 400), [110, 95]);
  assert.deepEqual(zoomCentre([4000, 100, 4200, 200], cam, 840, 400), [840, 95]);
  assert.deepEqual(zoomCentre(null, cam, 840, 400), [420, 200]);
  assert.deepEqual(union([[0, 5, 10, 20], [-5, 8, 3, 30]]), [-5, 5, 10, 30]);
  assert.equal(union([]), null);
});

test("too big is decided once from the layout's extent: a lesson's graph a little wider than the frame fits", () => {
  // lesson 2's graph, 974 px wide, in 838 px: 0.86, its smallest text at 9.03 px: fitted
  assert.equal(tooBig({ extentW: 974, extentH: 248, width: 838, minFont: FONT }), false);
  // ... even when the bounds with their margins (990 px: 8.9 px) would not be: the player does not switch
  const c = chooseCamera({ bounds: [-8, -8, 982, 256], active: null, width: 838, height: 213, minFont: FONT, big: false });
  assert.equal(c.follow, false);
  assert.equal(tooBig({ extentW: 3000, extentH: 770, width: 840, minFont: FONT }), true);
  assert.equal(tooBig({ extentW: 700, extentH: 2000, width: 840, minFont: FONT }), true);   // too tall
});
