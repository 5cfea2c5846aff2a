// The front end's timeline gives Python's state of every node and edge at every step of the example traces,
// however the step is reached: in order, backwards, by replaying a few steps forward (as the player does
// for "next"), and by jumps in any order (the slider, the jump menu).
import { test } from "node:test";
import assert from "node:assert/strict";
import { fixtures } from "./fixtures.mjs";
import { Timeline, KEYFRAME, fullAt, sameState } from "../../autograd_lab/view/static/src/timeline.js";

const ALL = fixtures();

// Python's state after step i (i = -1: before the first step).
const python = (fx, i) => fx.states[i + 1];

// Equal by name, field by field (fast); assert.deepEqual only to tell a difference.
function equal(a, b) {
  const ka = Object.keys(a), kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of kb) {
    const x = a[k], y = b[k];
    if (!x) return false;
    const fx = Object.keys(x), fy = Object.keys(y);
    if (fx.length !== fy.length) return false;
    for (const f of fy) if (x[f] !== y[f]) return false;
  }
  return true;
}

function checkAt(fx, state, i, how) {
  if (!equal(state, python(fx, i))) assert.deepEqual(state, python(fx, i), `${fx.name}: the state after step ${i} (${how})`);
}

let checked = 0;
for (const fx of ALL) {
  const n = fx.scene.steps.length;

  test(`${fx.name}: every step, in order and backwards`, () => {
    assert.ok(n > 0 && fx.states.length === n + 1);
    const forward = new Timeline(fx.scene);
    for (let i = -1; i < n; i++) checkAt(fx, forward.stateAt(i), i, "in order");
    const backward = new Timeline(fx.scene);   // keyframes made from the end first
    for (let i = n - 1; i >= -1; i--) checkAt(fx, backward.stateAt(i), i, "backwards");
    checked += n + 1;
  });

  test(`${fx.name}: a few steps forward replayed on the state shown`, () => {
    const tl = new Timeline(fx.scene);
    for (let from = -1; from < n - 1; from++) {
      const cur = tl.stateAt(from);
      for (const ahead of [1, 2, 5, KEYFRAME]) {   // "next", and a few steps as playing or the slider go
        const to = from + ahead;
        if (to >= n) break;
        const { state, before, touched } = tl.replay(cur, from, to);
        checkAt(fx, state, to, `replayed from ${from}`);
        checkAt(fx, before, to - 1, `before, replayed from ${from}`);
        // what changed is among what the steps touched (the player repaints only those)
        for (const k in state) if (!sameState(state[k], cur[k])) assert.ok(touched.has(k), `${fx.name}: ${k} ${from}->${to}`);
      }
      checkAt(fx, cur, from, "replaying leaves the state it started from as it was");
    }
  });

  test(`${fx.name}: jumps in any order, as the player seeks`, () => {
    const tl = new Timeline(fx.scene);
    let seed = 12345, cur = tl.stateAt(-1), at = -1;
    const rnd = (m) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % m; };
    for (let j = 0; j < 4 * n + 40; j++) {
      const kind = rnd(4);
      const to = kind === 0 ? rnd(n) : kind === 1 ? Math.min(n - 1, at + 1 + rnd(3)) : kind === 2 ? Math.max(0, at - 1) : n - 1 - rnd(Math.min(n, 5));
      // the player's rule (Player.show): a few steps forward are replayed, anything else is looked up
      if (to > at && to - at <= KEYFRAME) ({ state: cur } = tl.replay(cur, at, to));
      else cur = tl.stateAt(to);
      at = to;
      checkAt(fx, cur, at, `jump #${j}`);
    }
  });
}

test("the states are read by name, with the scene's field tables", () => {
  const fx = ALL.find((f) => f.name === "classic");
  const tl = new Timeline(fx.scene);
  const s = tl.stateAt(fx.scene.steps.length - 1);
  const tensor = fx.scene.nodes.find((nd) => nd.kind === "tensor" && nd.label === "w");
  assert.deepEqual(Object.keys(s[tensor.k]), fx.scene.fields.tensor);
  assert.equal(s[tensor.k].grad, "6.");   // two backwards: 3 + 3
  const edge = fx.scene.edges[0];
  assert.deepEqual(Object.keys(s[edge.k]), fx.scene.fields.edge);
});

test("a state for a key that is no node or edge is an error, not a silent miss", () => {
  const fx = ALL[0];
  const bad = { ...fx.scene, initial: { ...fx.scene.initial, nowhere: [true, "idle", ""] } };
  assert.throws(() => new Timeline(bad), /nowhere/);
});

test("what a click shows of a big value is the entry in force at the step (scene.full)", () => {
  const entries = [[-1, "", ""], [3, "tensor([1., 2.])", ""], [9, "tensor([1., 2.])", "tensor([0., 5.])"], [12, "", ""]];
  assert.equal(fullAt(entries, -1), entries[0]);
  assert.equal(fullAt(entries, 2), entries[0]);
  assert.equal(fullAt(entries, 3), entries[1]);
  assert.equal(fullAt(entries, 11), entries[2]);
  assert.equal(fullAt(entries, 40), entries[3]);
  assert.equal(fullAt([[4, "x", ""]], 3), null);   // not made yet
  assert.equal(fullAt(undefined, 3), null);        // a key that never shows a big value
});

test("every step of every example was checked", () => {
  const total = ALL.reduce((a, fx) => a + fx.scene.steps.length + 1, 0);
  assert.equal(checked, total);
  console.log(`# timeline: ${total} states checked against Python in ${ALL.length} traces`);
});
