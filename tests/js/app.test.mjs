// The joined front end (webplayer.app_js(), written beside the fixtures) is one ES module that loads: every
// top-level name once, anywidget's default export { render } and the static page's mount.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { DIR } from "./fixtures.mjs";

test("the joined module loads and exports render and mount", async () => {
  const m = await import(pathToFileURL(join(DIR, "app.js")).href);
  assert.deepEqual(Object.keys(m).sort(), ["default", "mount"]);
  assert.equal(typeof m.default.render, "function");
  assert.equal(typeof m.mount, "function");
});
