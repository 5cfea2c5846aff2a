// The static page's player (save_html): fills the SVG's slots for each step; data in script.alab-data.
(function () {
  const root = document.currentScript.parentElement, q = (s) => root.querySelector(s);
  const D = JSON.parse(q("script.alab-data").textContent), n = D.narration.length;
  const els = {};
  root.querySelectorAll("[data-c]").forEach((g) => {
    (els[g.dataset.c] = els[g.dataset.c] || []).push(g);
    if (g.dataset.t) els[g.dataset.t] = [g.querySelector("text")];
  });
  const prev = q(".alab-prev"), next = q(".alab-next"), play = q(".alab-play"), slider = q(".alab-slider");
  const frame = q(".alab-frame");
  let shown = Object.assign({}, D.base), idx = 0, timer = null, first = true;
  function viewAt(i) {
    const v = Object.assign({}, D.base);
    for (let j = 1; j <= i; j++) Object.assign(v, D.deltas[j]);
    return v;
  }
  function show(i) {
    i = Math.max(0, Math.min(n - 1, i | 0));
    const v = viewAt(i);
    let rows = false;
    for (const k in v) {
      if (v[k] === shown[k]) continue;
      if (k.startsWith("row:")) { rows = true; continue; }
      for (const el of els[k] || []) {
        if (el.tagName === "text") el.textContent = v[k];
        else el.setAttribute("class", el.dataset.r + " " + v[k]);
      }
    }
    if (rows) q(".alab-table").innerHTML = D.thead + D.rows.map((k) => v[k] || "").join("") + D.tfoot;
    if (v.cam && (v.cam !== shown.cam || first)) {  // keep what this step is about in sight
      const [x, y] = v.cam.split(" ").map(Number);
      frame.scrollTo({left: x * D.scale, top: y * D.scale, behavior: first ? "auto" : "smooth"});
    }
    shown = v; idx = i; first = false;
    q(".alab-narration").innerHTML = D.narration[i];
    slider.value = i; prev.disabled = i <= 0; next.disabled = i >= n - 1;
  }
  function stop() { clearInterval(timer); timer = null; play.textContent = D.labels.play; }
  function start() {
    if (idx >= n - 1) show(0);
    play.textContent = D.labels.pause;
    timer = setInterval(() => { if (idx >= n - 1) stop(); else show(idx + 1); },
                        D.interval / parseFloat(q(".alab-speed").value));
  }
  prev.onclick = () => { stop(); show(idx - 1); };
  next.onclick = () => { stop(); show(idx + 1); };
  play.onclick = () => (timer ? stop() : start());
  slider.oninput = () => { stop(); show(+slider.value); };
  q(".alab-speed").onchange = () => { if (timer) { stop(); start(); } };
  q(".alab-jump").onchange = (e) => { const i = +e.target.value; e.target.selectedIndex = 0;
                                      if (i >= 0) { stop(); show(i); } };
  root.addEventListener("keydown", (e) => {
    if (e.key === "ArrowRight") { stop(); show(idx + 1); } else if (e.key === "ArrowLeft") { stop(); show(idx - 1); }
  });
  show(D.start);
})();
