// Texts: shortening to a width (with "…"), filling a message's placeholders.
import { test } from "node:test";
import assert from "node:assert/strict";
import { boxLabelWith, shortenWith, fill, LINE } from "../../autograd_lab/view/static/src/text.js";

// A monospaced font: every character size / 2 px wide, bold ("600") one px more.
const mono = (s, size, style = "") => [...s].length * (size / 2 + (style === "600" ? 1 : 0));

test("a text that fits is kept whole", () => {
  assert.equal(shortenWith(mono, "w = 2.", 10, 30), "w = 2.");
  assert.equal(shortenWith(mono, "", 10, 0), "");
});

test("a text too wide keeps its longest prefix that fits with …", () => {
  const s = "grad = 0.123456789";
  for (let width = 10; width < mono(s, 10); width += 5) {
    const out = shortenWith(mono, s, 10, width);
    if (!out) { assert.ok(mono("g…", 10) > width); continue; }
    assert.ok(out.endsWith("…") && mono(out, 10) <= width, `${width}: ${out}`);
    const kept = out.slice(0, -1);
    assert.ok(s.startsWith(kept.trimEnd()));
    // one character more would not fit (unless what was cut was a space)
    const longer = s.slice(0, s.indexOf(kept) + kept.length + 1);
    if (!longer.endsWith(" ")) assert.ok(mono(longer + "…", 10) > width, `${width}: ${longer}`);
  }
});

test("shortening never ends on a space before the …, and gives up when not even one letter fits", () => {
  assert.equal(shortenWith(mono, "ab cdef", 10, 20), "ab…");   // "ab …" would be 20 px: trimmed to "ab…"
  assert.equal(shortenWith(mono, "abcdef", 10, 9), "");
});

test("the style is measured too (bold labels shorten sooner)", () => {
  const label = "layers[0] ×4";
  assert.equal(shortenWith(mono, label, 10, 65), label);
  assert.notEqual(shortenWith(mono, label, 10, 65, "600"), label);
});

test("fill puts the parameters in and leaves unknown placeholders", () => {
  assert.equal(fill("step {i} of {n}", { i: 3, n: 22 }), "step 3 of 22");
  assert.equal(fill("{name} ({n})", { name: "y" }), "y ({n})");
});

test("a closed box's label gives up its last parts, then its size, then shortens its first part", () => {
  const label = "iteration 2 of 20 · loss 2.4 · max |grad| 6.2";
  const whole = mono(label, 12, "600");
  assert.deepEqual(boxLabelWith(mono, label, whole + 12, 40), { text: label, size: 12 });
  // a box too narrow for the whole label: the most parts that fit, at the largest size
  const two = "iteration 2 of 20 · loss 2.4";
  assert.deepEqual(boxLabelWith(mono, label, mono(two, 12, "600") + 12, 40), { text: two, size: 12 });
  // a smaller size keeps more parts where 12 px would drop one
  assert.deepEqual(boxLabelWith(mono, label, mono(two, 10, "600") + 12, 40), { text: two, size: 10 });
  // a box too low for 12 px (LINE * 12 + 3 > h) but tall enough for 10 px
  const h = 10 * LINE + 3;
  assert.deepEqual(boxLabelWith(mono, label, 1000, h), { text: label, size: 10 });
  // too low for any size: nothing
  assert.equal(boxLabelWith(mono, label, 1000, 10 * LINE + 2).text, "");
  // too narrow for the first part: it is shortened with …, never below what fits
  const out = boxLabelWith(mono, label, 60, 40);
  assert.ok(out.text.endsWith("…") && mono(out.text, out.size, "600") <= 48, out.text);
  // a label of one part is one part
  assert.deepEqual(boxLabelWith(mono, "net[0]", 200, 40), { text: "net[0]", size: 12 });
});
