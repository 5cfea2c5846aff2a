// The fixtures Python writes (tests/support/front_fixtures.py) for these tests: ALAB_FRONT_FIXTURES names their
// directory (tests/test_front_js.py sets it; by hand: python -m tests.support.front_fixtures DIR).
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

export const DIR = process.env.ALAB_FRONT_FIXTURES;
if (!DIR) throw new Error("ALAB_FRONT_FIXTURES is not set: run python -m tests.support.front_fixtures DIR first");

// Every fixture: { name, scene, states, by_group? }, in name order.
export function fixtures() {
  const names = readdirSync(DIR).filter((f) => f.endsWith(".json")).sort();
  if (!names.length) throw new Error(`no fixture in ${DIR}`);
  return names.map((f) => JSON.parse(readFileSync(join(DIR, f), "utf-8")));
}

export const SRC = new URL("../../autograd_lab/view/static/src/", import.meta.url);
