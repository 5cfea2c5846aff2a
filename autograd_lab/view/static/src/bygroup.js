// Stepping "by group": with the box checked, next and back run a whole closed box of a grouped graph (as
// view/graph.py's unit, step_after, step_before). Pure: `steps` and `groups` as the scene has them (a group's
// `parent` and `collapsed`), `opened` the set of indices of the collapsed groups the student opened.

// The box step i runs in: its outermost collapsed group not opened (-1: none).
export function unitOf(steps, groups, opened, i) {
  let out = -1;
  for (let q = steps[i].group; q != null; q = groups[q].parent) if (groups[q].collapsed && !opened.has(q)) out = q;
  return out;
}

// Where "next" goes from step i: one step, or by group the last step of the box the next step runs in.
export function stepAfter(steps, groups, opened, byGroup, i) {
  const n = steps.length;
  let j = Math.min(Math.max(i + 1, 0), Math.max(n - 1, 0));
  if (!byGroup || j === i) return j;
  const u = unitOf(steps, groups, opened, j);
  while (u >= 0 && j + 1 < n && unitOf(steps, groups, opened, j + 1) === u) j++;
  return j;
}

// Where "back" goes from step i: one step, or by group the step before the box step i runs in.
export function stepBefore(steps, groups, opened, byGroup, i) {
  if (!byGroup || i <= 0) return Math.max(0, i - 1);
  const u = unitOf(steps, groups, opened, i);
  let s = i;
  while (u >= 0 && s > 0 && unitOf(steps, groups, opened, s - 1) === u) s--;
  return Math.max(0, s - 1);
}

// What steps from + 1 to i did, when they are one run of a box (graph.summary; the scene's group runs), else "".
export function runSummary(steps, groups, opened, from, i) {
  if (i - from < 2) return "";
  const u = unitOf(steps, groups, opened, i);
  if (u < 0) return "";
  const run = (groups[u].runs || []).find((r) => r[0] === from + 1 && r[1] === i);
  return run ? run[2] : "";
}
