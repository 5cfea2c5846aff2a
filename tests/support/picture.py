"""Is every player's picture complete? The check the browser tests evaluate in the page.

``PICTURE_CHECK`` is a JavaScript function ``(root) => report`` for one player root (an element
with ``root.alab = {scene, step}``, which ``mount()`` in app.js sets): it compares what the scene
says exists at the step shown with what is painted on the screen, without asking the player::

    report = page.evaluate(PICTURE_CHECK, player.element_handle())
    assert not report["missing"], report

What the scene says (``expected``): the scene's ``initial`` state and each step's changes replayed
up to ``root.alab.step()`` (``replay``, the one place that knows the scene's state format); of
the nodes shown then, each is drawn as itself or, inside a closed group box, as that box: before
any box is opened, the first picture of a grouped graph shows its collapsed top-level groups as
boxes; once the student opened some (each drawn as a frame with a close control), a node inside
a collapsed group not opened is drawn as the outermost such box. Edges likewise: one drawn
itself, one between two boxes or a box and a node drawn as the box's edge, one inside a box not
at all.

What is painted (``painted``): the ``g[data-k]`` nodes, boxes and edges of the picture without
the ``hid`` class, with a non-empty bounding box, displayed and not transparent (with every
ancestor), overlapping the frame's visible area. ``missing`` / ``extra`` are the differences
(``offscreen``: nodes painted outside the frame's visible area, the camera looking elsewhere: a
problem, except in the default view's "follow" mode, ``mode``, where the camera shows the active step
of a graph too big to fit readably; ``activeOffscreen``, what the step is about painted outside it,
is a problem in every mode);
``stale`` lists painted tensors and boxes whose drawn state (status class, value) is not the
state at the step; ``blank`` painted nodes with no text while the picture's texts are drawn.

Also measured: the smallest picture text on the screen (``minTextPx``: its font size times the
picture's scale on the screen, for every text with content in a painted node, box, label or
frame, including texts the player hides as too small to draw), ``smallTexts`` the texts under
``MIN_TEXT_PX``; ``overflow``: the player, its frame or its SVG reaching past the right edge of
the output area, or the notebook scrolling sideways.

``MOUNT_WATCH`` is an init script (``page.add_init_script``) that records, on each player root,
whether the page held it when the player was drawn (``root.__alabDrawnAttached``), and counts the
players drawn (``window.__alabMounts``): the tests use it to prove they covered pictures drawn off
the page, and to wait for a new player.
"""
from __future__ import annotations

MIN_TEXT_PX = 9  # the smallest picture text a student reads on a laptop screen

MOUNT_WATCH = """(() => {
  // mount() ends with root.alab = {...}: at that moment, is the root in the page?
  Object.defineProperty(Element.prototype, 'alab', {
    configurable: true,
    set(v) {
      Object.defineProperty(this, 'alab', {value: v, writable: true, configurable: true});
      this.__alabDrawnAttached = this.isConnected;
      window.__alabMounts = (window.__alabMounts || 0) + 1;
    },
    get() { return undefined; },
  });
})();"""

PICTURE_CHECK = """(root) => {
  const MIN_TEXT_PX = %(min_text)s;
  const scene = root.alab.scene, step = root.alab.step();

  // -- what the scene says --------------------------------------------------------------------
  // The state of every node and edge after step i: initial, then each step's changes in order.
  // (The one place that reads the scene's state format: a state is a list whose places scene.fields names.)
  function replay(scene, i) {
    const state = Object.assign({}, scene.initial);
    for (let j = 0; j <= Math.min(i, scene.steps.length - 1); j++) Object.assign(state, scene.steps[j].changes);
    return state;
  }
  const F = scene.fields, T = F.tensor, B = F.box, E = F.edge;
  const fieldsOf = (k) => (edgeKeys.has(k) ? E : (nodeKind.get(k) === 'tensor' ? T : B));
  const field = (state, k, f) => state[k] && state[k][fieldsOf(k).indexOf(f)];
  const shownIn = (state, k) => !!field(state, k, 'shown');
  const statusIn = (state, k) => field(state, k, 'status');
  const valueIn = (state, k) => field(state, k, 'value');
  const edgeKeys = new Set(scene.edges.map((e) => e.k));
  const nodeKind = new Map(scene.nodes.map((n) => [n.k, n.kind]));

  const state = replay(scene, step);
  const groups = scene.groups || [];
  // the boxes the student opened: each is drawn as a frame with a close control
  const opened = new Set([...root.querySelectorAll('svg.alab-svg .alab-close[data-gi]')].map((e) => +e.dataset.gi));
  const ov = groups.some((g) => g.collapsed) && scene.overview && scene.overview.nodes && !opened.size ? scene.overview : null;
  const itemOf = (n) => {   // what stands for node n: itself or the closed box it is in
    if (n.group == null) return n.k;
    if (ov) {   // the first picture: the collapsed top-level groups are boxes
      let q = n.group;
      while (groups[q].parent != null) q = groups[q].parent;
      return groups[q].collapsed ? groups[q].k : n.k;
    }
    let out = n.k;   // else the outermost collapsed group not opened
    for (let q = n.group; q != null; q = groups[q].parent) if (groups[q].collapsed && !opened.has(q)) out = groups[q].k;
    return out;
  };
  const nodeBy = new Map(scene.nodes.map((n) => [n.k, n]));
  const item = new Map(scene.nodes.map((n) => [n.k, itemOf(n)]));
  const name = new Map(scene.nodes.map((n) => [n.k, n.label]));
  for (const g of groups) name.set(g.k, '[' + g.label + ']');
  const expectedNodes = new Set();
  for (const n of scene.nodes) if (shownIn(state, n.k)) expectedNodes.add(item.get(n.k));
  const expectedEdges = new Set();
  if (ov) {
    for (const a of scene.overview.edges || [])
      if (a.pts.length >= 4 && a.members.some((m) => shownIn(state, m))) expectedEdges.add('v:' + a.k);
  } else {
    for (const e of scene.edges) {
      if (!shownIn(state, e.k)) continue;
      const u = item.get(e.src), v = item.get(e.dst);
      if (u === undefined || v === undefined || u === v) continue;
      if (u === e.src && v === e.dst) { if (e.pts.length >= 4) expectedEdges.add(e.k); }
      else expectedEdges.add('c:' + u + '>' + v + '>' + e.kind);
    }
  }

  // -- what is painted -------------------------------------------------------------------------
  const svg = root.querySelector('svg.alab-svg'), frame = root.querySelector('.alab-frame');
  const fr = frame.getBoundingClientRect(), sr = svg.getBoundingClientRect();
  const view = [Math.max(fr.left, sr.left), Math.max(fr.top, sr.top), Math.min(fr.right, sr.right),
                Math.min(fr.bottom, sr.bottom)];
  const displayed = (el) => {
    for (let e = el; e && e !== root; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.display === 'none' || cs.visibility === 'hidden' || cs.visibility === 'collapse'
          || parseFloat(cs.opacity) < 0.5) return false;
    }
    return true;
  };
  const offscreen = [];
  const painted = (g, area) => {
    if (g.classList.contains('hid')) return false;
    const r = g.getBoundingClientRect();
    if (area ? !(r.width > 0 && r.height > 0) : !(r.width > 0 || r.height > 0)) return false;
    if (!displayed(g)) return false;
    if (!(r.right > view[0] && r.left < view[2] && r.bottom > view[1] && r.top < view[3])) {
      offscreen.push(g.dataset.k);
      return false;
    }
    return true;
  };
  const paintedNodes = new Map(), paintedEdges = new Set();
  for (const g of svg.querySelectorAll('g.alab-node[data-k]')) if (painted(g, true)) paintedNodes.set(g.dataset.k, g);
  for (const g of svg.querySelectorAll('g.alab-edge[data-k]')) if (painted(g, false)) paintedEdges.add(g.dataset.k);

  const tiny = svg.classList.contains('alab-tiny');
  const off = new Set(offscreen);   // painted, but outside the frame's visible area (the camera looks elsewhere)
  const missing = [...expectedNodes].filter((k) => !paintedNodes.has(k) && !off.has(k)).map((k) => name.get(k) + ' (' + k + ')');
  const extra = [...paintedNodes.keys()].filter((k) => !expectedNodes.has(k)).map((k) => (name.get(k) || '?') + ' (' + k + ')');
  const stale = [], blank = [];
  for (const [k, g] of paintedNodes) {
    const n = nodeBy.get(k);
    if (!n || !expectedNodes.has(k)) continue;
    const texts = [...g.querySelectorAll('text')].map((t) => t.textContent).join('');
    if (!tiny && !texts.trim()) blank.push(n.label + ' (' + k + ')');
    if (!g.classList.contains('s-' + statusIn(state, k))) stale.push(n.label + ' (' + k + '): not s-' + statusIn(state, k));
    else if (n.kind === 'tensor') {
      const title = g.querySelector(':scope > title').textContent;
      // a big value (scene.full: [[step, values, ...], ...]) has its values in the tooltip, the shape in the picture
      let full = null;
      for (const e of (scene.full || {})[k] || []) { if (e[0] > step) break; full = e; }
      const want = full && full[1] ? n.label + ' =\\n' + full[1] : n.label + ' = ' + valueIn(state, k);
      if (!title.startsWith(want))
        stale.push(n.label + ' (' + k + '): ' + title.split('\\n')[0]);
    }
  }

  // -- text size on the screen -----------------------------------------------------------------
  let minTextPx = Infinity, minText = '';
  const smallTexts = [];
  for (const t of svg.querySelectorAll('text')) {
    const s = t.textContent.trim();
    if (!s) continue;
    const owner = t.closest('g.alab-node, g.alab-edge, g.alab-gframe');
    if (owner && owner.classList.contains('hid')) continue;
    if (owner && owner.matches('g.alab-node[data-k]') && !paintedNodes.has(owner.dataset.k)) continue;
    const m = t.getScreenCTM() || t.parentNode.getScreenCTM();
    if (!m) continue;
    const size = parseFloat(t.getAttribute('font-size') || getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
    if (size < minTextPx) { minTextPx = size; minText = s; }
    if (size < MIN_TEXT_PX) smallTexts.push(s.slice(0, 30) + ' @' + size.toFixed(1) + 'px');
  }

  // -- nothing past the output's right edge ----------------------------------------------------
  const out = root.closest('.jp-OutputArea-output, .widget-vbox, body') || root.parentElement;
  const or = out.getBoundingClientRect(), rr = root.getBoundingClientRect();
  const overflow = [];
  for (const [what, r] of [['player', rr], ['frame', fr], ['svg', sr]])
    if (r.right > or.right + 1) overflow.push(what + ' right ' + r.right.toFixed(0) + ' > output ' + or.right.toFixed(0));
  for (let e = root.parentElement; e; e = e.parentElement) {
    const cs = getComputedStyle(e);
    if ((cs.overflowX === 'auto' || cs.overflowX === 'scroll') && e.scrollWidth > e.clientWidth + 1)
      overflow.push((e.className || e.tagName).toString().split(' ')[0] + ' scrolls sideways: ' + e.scrollWidth + ' > ' + e.clientWidth);
  }
  const page = document.scrollingElement;
  if (page && page.scrollWidth > page.clientWidth + 1) overflow.push('the page scrolls sideways');

  return {
    step, steps: scene.steps.length, overview: !!ov, opened: [...opened], tiny, mode: root.dataset.mode || '',
    drawnAttached: root.__alabDrawnAttached === undefined ? null : root.__alabDrawnAttached,
    expected: expectedNodes.size, painted: paintedNodes.size, missing, extra, stale, blank,
    expectedEdges: expectedEdges.size, paintedEdges: paintedEdges.size,
    missingEdges: [...expectedEdges].filter((k) => !paintedEdges.has(k) && !off.has(k)),
    offscreen: [...expectedNodes].filter((k) => off.has(k)).map((k) => name.get(k) + ' (' + k + ')'),
    activeOffscreen: ((scene.steps[step] || {}).active || []).filter((k) => off.has(k)).map((k) => (name.get(k) || k) + ' (' + k + ')'),
    extraEdges: [...paintedEdges].filter((k) => !expectedEdges.has(k)),
    minTextPx: minTextPx === Infinity ? null : Math.round(minTextPx * 10) / 10, minText, smallTexts,
    overflow, frame: [Math.round(fr.width), Math.round(fr.height)],
    first: scene.steps.length ? (scene.steps[0].text || '').slice(0, 60) : '',
  };
}""" % {"min_text": MIN_TEXT_PX}


def problems(report: dict, min_text: bool = True) -> list[str]:
    """What is wrong with one player's picture, from its ``PICTURE_CHECK`` report (empty: complete)."""
    out = []
    # "follow": the player's default view of a graph too big to fit readably shows the active step at a
    # readable scale (camera.js), so nodes painted outside the frame are expected there (and nowhere else)
    keys = ("missing", "extra", "stale", "blank", "missingEdges", "extraEdges", "overflow", "activeOffscreen")
    for key in keys if report.get("mode") == "follow" else ("offscreen",) + keys:
        if report[key]:
            out.append(f"{key}: {report[key][:8]}{' ...' if len(report[key]) > 8 else ''} ({len(report[key])})")
    if min_text and report["smallTexts"]:
        out.append(f"text under {MIN_TEXT_PX} px: {report['smallTexts'][:5]} ({len(report['smallTexts'])})")
    return out
