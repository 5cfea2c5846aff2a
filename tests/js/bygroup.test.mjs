// Stepping "by group" in the page goes where Python's graph.step_after / step_before go, for several sets of
// opened boxes, from every step; a click over a whole box says what graph.summary says.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fixtures } from "./fixtures.mjs";
import { unitOf, stepAfter, stepBefore, runSummary } from "../../autograd_lab/view/static/src/bygroup.js";

const GROUPED = fixtures().filter((fx) => fx.by_group);

test("there is a grouped example with closed boxes to step through", () => {
  assert.ok(GROUPED.length >= 1);
  for (const fx of GROUPED) assert.ok(fx.scene.groups.some((g) => g.collapsed));
});

for (const fx of GROUPED) {
  const steps = fx.scene.steps, groups = fx.scene.groups, n = steps.length;
  for (const py of fx.by_group) {
    const opened = new Set(py.opened), what = `${fx.name}, opened ${JSON.stringify(py.opened)}`;
    test(`${what}: next and back by group from every step`, () => {
      for (let i = 0; i < n; i++) {
        assert.equal(unitOf(steps, groups, opened, i), py.unit[i] ?? -1, `${what}: the box of step ${i}`);
        assert.equal(stepAfter(steps, groups, opened, true, i), py.after[i], `${what}: next from ${i}`);
        assert.equal(stepBefore(steps, groups, opened, true, i), py.before[i], `${what}: back from ${i}`);
        // one step at a time when "by group" is off
        assert.equal(stepAfter(steps, groups, opened, false, i), Math.min(i + 1, n - 1));
        assert.equal(stepBefore(steps, groups, opened, false, i), Math.max(0, i - 1));
      }
    });
    test(`${what}: clicking next from the first step, a click over a whole box says what it did`, () => {
      let said = 0;
      for (const [i, j, summary] of py.clicks) {
        assert.equal(stepAfter(steps, groups, opened, true, i), j);
        assert.equal(runSummary(steps, groups, opened, i, j), summary, `${what}: from ${i} to ${j}`);
        if (summary) said++;
      }
      if (!py.opened.length) assert.ok(said > 1 && py.clicks.length < n / 4, "closed boxes: a few clicks run whole boxes");
    });
  }
}
