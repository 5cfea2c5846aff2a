// Which keydowns step the player (input.js's arrowsStep): anywhere in the player, buttons included, but not in
// the filter box, the slider or the menus (the arrows mean something there), nor with a modifier.
import { test } from "node:test";
import assert from "node:assert/strict";
import { arrowsStep } from "../../autograd_lab/view/static/src/input.js";

const key = (target, mods = {}) => ({ key: "ArrowRight", target, altKey: false, ctrlKey: false, metaKey: false,
                                      shiftKey: false, ...mods });
const elem = (tagName, type) => ({ tagName, type, isContentEditable: false });

test("the arrows step with the focus on the player, its picture or any of its buttons", () => {
  for (const t of [elem("DIV"), elem("svg"), elem("BUTTON"), elem("A"), elem("INPUT", "checkbox")])
    assert.equal(arrowsStep(key(t)), true, t.tagName);
});

test("the arrows keep their own meaning in the filter box, the slider and the menus", () => {
  for (const t of [elem("INPUT", "search"), elem("INPUT", "text"), elem("INPUT", "range"), elem("SELECT"),
                   elem("TEXTAREA"), { tagName: "DIV", isContentEditable: true }])
    assert.equal(arrowsStep(key(t)), false, `${t.tagName} ${t.type || ""}`);
});

test("with a modifier the key is the browser's (Alt+Left is back)", () => {
  for (const m of ["altKey", "ctrlKey", "metaKey", "shiftKey"])
    assert.equal(arrowsStep(key(elem("BUTTON"), { [m]: true })), false, m);
});
