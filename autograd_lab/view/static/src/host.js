// The two hosts of the player: mount(el, scene) for the static page (webplayer.page_html), and anywidget's
// render({ model, el }) for the notebook widget (traits: scene, index, opened, note).
import { Player } from "./player.js";
// groups.js, labels.js, camera.js, inspector.js, table.js and input.js add the rest of Player's methods
import "./groups.js";
import "./labels.js";
import "./camera.js";
import "./inspector.js";
import "./table.js";
import "./input.js";

export function mount(root, scene, opts = {}) {
  const player = new Player(root, scene, opts);
  // What the scene says, for the browser tests (they compare it with what is painted, read from the page):
  // the scene itself and the step shown now.
  root.alab = { scene, step: () => player.idx };
  return player;
}

function render({ model, el: root }) {
  let player = null;
  const make = () => {
    if (player) player.destroy();
    player = mount(root, model.get("scene"), {
      index: model.get("index"),
      onIndex: (i) => { if (model.get("index") !== i) { model.set("index", i); model.save_changes(); } },
      onOpened: (keys) => { model.set("opened", keys); model.save_changes(); },
    });
  };
  const onIndex = () => {
    if (!player || model.get("index") === player.idx) return;
    const note = model.get("note") || [];
    if (note[1] && note[0] === model.get("index")) player.note = note;   // a step by group from Python says what it did
    player.show(model.get("index"), { silent: true });
  };
  make();
  model.on("change:index", onIndex);
  model.on("change:scene", make);
  return () => {
    model.off("change:index", onIndex);
    model.off("change:scene", make);
    if (player) player.destroy();
  };
}

export default { render };
