// The timeline: which state every node and edge is in at step i. Pure (no page): the player and the Node
// tests (tests/js/) use it alike.
//
// The scene sends states as arrays and, once, the names of their places (scene.fields: a tensor's, a box's
// (grad_fn, AccumulateGrad, an op with no graph) and an edge's, in the order of view/states.py's
// namedtuples). The timeline gives them back as objects read by name: st.shown, st.status, st.tag, ...
export const KEYFRAME = 32;   // a copy of the whole state every KEYFRAME steps keeps a jump cheap

// key -> the field table of its state ("tensor", "box" or "edge"), for the nodes and edges of `scene`.
function tablesByKey(scene) {
  const F = scene.fields, out = new Map();
  for (const n of scene.nodes) out.set(n.k, n.kind === "tensor" ? F.tensor : F.box);
  for (const e of scene.edges) out.set(e.k, F.edge);
  return out;
}

// {key: [v0, v1, ...]} -> {key: {name0: v0, name1: v1, ...}}
function decode(states, tables) {
  const out = {};
  for (const k in states) {
    const names = tables.get(k), st = states[k], o = {};
    if (!names) throw new Error(`the scene has a state for ${k}, which is no node or edge`);
    for (let f = 0; f < names.length; f++) o[names[f]] = st[f];
    out[k] = o;
  }
  return out;
}

// What a click shows of a big value (scene.full: [[step, text, ...], ...], one entry per change): the entry in
// force after step i (the last at or before it), or null.
export function fullAt(entries, i) {
  let got = null;
  if (entries) for (const e of entries) { if (e[0] > i) break; got = e; }
  return got;
}

export function sameState(a, b) {
  if (a === b) return true;
  if (!a || !b) return false;
  for (const f in a) if (a[f] !== b[f]) return false;
  return true;
}

export class Timeline {
  constructor(scene) {
    const tables = tablesByKey(scene);
    this.n = scene.steps.length;
    this.initial = decode(scene.initial, tables);                    // before the first step
    this.changes = scene.steps.map((s) => decode(s.changes, tables)); // what step j changes (only that)
    this.keyframes = new Map();
  }

  // The state after step i (a fresh object; i < 0: before the first step).
  stateAt(i) {
    if (i < 0 || !this.n) return Object.assign({}, this.initial);
    i = Math.min(i, this.n - 1);
    const k = i - (i % KEYFRAME);
    let base = this.keyframes.get(k);
    if (!base) {
      let start = -1;
      for (const j of this.keyframes.keys()) if (j < k && j > start) start = j;
      base = Object.assign({}, start < 0 ? this.initial : this.keyframes.get(start));
      for (let j = start < 0 ? 0 : start + 1; j <= k; j++) Object.assign(base, this.changes[j]);
      this.keyframes.set(k, base);
    }
    const s = Object.assign({}, base);
    for (let j = k + 1; j <= i; j++) Object.assign(s, this.changes[j]);
    return s;
  }

  // A few steps forward from `cur`, the state after step `from`, to step `to` > from: the state after `to`,
  // the state before it (after to - 1) and the keys the steps touched (what may need painting again).
  replay(cur, from, to) {
    const state = Object.assign({}, cur), touched = new Set();
    let before = null;
    for (let j = from + 1; j <= to; j++) {
      if (j === to) before = Object.assign({}, state);
      const c = this.changes[j];
      for (const k in c) { state[k] = c[k]; touched.add(k); }
    }
    return { state, before, touched };
  }
}
