// The narration (step i of n, the source line, what happens) and the table of tensors below the picture.
import { Player } from "./player.js";
import { el } from "./dom.js";
import { fill } from "./text.js";

const MAX_ROWS = 200;

Object.assign(Player.prototype, {
  _narrate() {
    const W = this.words;
    if (!this.n) {
      this.where.textContent = "";
      this.text.textContent = this.scene.notice || "";
      return;
    }
    const s = this.scene.steps[this.idx];
    this.where.replaceChildren(fill(W.step_of, { i: this.idx + 1, n: this.n }));
    if (s.source) this.where.append(" · ", el("code", { text: s.source }));
    this.narration.classList.toggle("alab-err", !!s.error);
    this.text.textContent = this.note && this.note[0] === this.idx ? this.note[1] : s.text;
  },

  _rowNames() {
    // Labels that are still the same told apart as record/names.py does: the second tensor called y is "y #2".
    const count = new Map(), seen = new Map(), names = new Map();
    const tensors = this.scene.nodes.filter((n) => n.kind === "tensor");
    for (const n of tensors) count.set(n.label, (count.get(n.label) || 0) + 1);
    for (const n of tensors) {
      const j = (seen.get(n.label) || 0) + 1;
      seen.set(n.label, j);
      names.set(n.k, count.get(n.label) > 1 ? fill(this.words.rebound, { name: n.label, n: j }) : n.label);
    }
    return names;
  },

  _before() {
    if (this.prevState === null) this.prevState = this.stateAt(this.idx - 1);
    return this.prevState || this.timeline.initial;
  },

  _buildTable() {
    // One row per tensor, made once; a step only changes the cells, classes and visibility that differ.
    const W = this.words, head = el("tr");
    for (const c of ["col_name", "col_value", "col_grad", "col_rg", "col_leaf", "col_grad_fn"])
      head.append(el("th", { text: W[c] }));
    this.tbody = el("tbody");
    this.rows = [];
    for (const n of this.scene.nodes) {
      if (n.kind !== "tensor") continue;
      const tr = el("tr", { "data-k": n.k });
      tr.hidden = true;
      const cells = [];
      for (let c = 0; c < 6; c++) { const td = el("td"); cells.push(td); tr.append(td); }
      const fn = n.fn ? this.nodes.get(n.fn) : null;
      cells[4].textContent = n.leaf ? "True" : "False";
      cells[5].textContent = cells[5].title = fn ? `<${fn.label}>` : "None";
      this.tbody.append(tr);
      this.rows.push({ n, tr, cells, text: ["", "", "", ""], tips: ["", "", ""], cls: "" });
    }
    this.tableEl = el("table", {}, el("thead", {}, head), this.tbody);
    this.tableEmpty = el("div", { class: "alab-table-empty", text: W.no_tensors });
    this.tableMore = el("div", { class: "alab-table-more" });
    this.table.replaceChildren(this.tableEl, this.tableEmpty, this.tableMore);
  },

  _table() {
    if (!this.rows) this._buildTable();
    const cur = this.cur, before = this._before();
    let shown = 0, hidden = 0, first = null;
    for (const r of this.rows) {
      const n = r.n, st = cur[n.k];
      const name = this.names.get(n.k);
      let visible = !!(st && st.shown) && (!this.filter || name.toLowerCase().includes(this.filter));
      const current = visible && (st.status !== "idle" || this.active.has(n.k));
      if (visible && shown >= MAX_ROWS && !current) { visible = false; hidden++; }
      if (r.tr.hidden === visible) r.tr.hidden = !visible;
      if (!visible) continue;
      shown++;
      const b = before[n.k];
      const changed = !b || !b.shown || b.value !== st.value || b.grad !== st.grad;
      const cls = current ? "alab-row-active" : changed ? "alab-row-changed" : "";
      if (cls !== r.cls) r.tr.className = r.cls = cls;
      const text = [(current ? "▶ " : "") + name, st.value, st.grad, st.rg ? "True" : "False"];
      const [vf, gf] = this._full(n.k, this.idx), tips = [name, vf || st.value, gf || st.grad];
      for (let c = 0; c < 4; c++) {
        if (text[c] !== r.text[c]) r.cells[c].textContent = r.text[c] = text[c];
        // a long cell is cut short or wrapped (app.css): its tooltip has it whole, a big value's values too
        if (c < 3 && tips[c] !== r.tips[c]) r.cells[c].title = r.tips[c] = tips[c];
      }
      if (current && !first) first = r.tr;
    }
    this.tableEl.hidden = !shown;
    this.tableEmpty.hidden = !!shown;
    this.tableMore.hidden = !hidden;
    if (hidden) this.tableMore.textContent = fill(this.words.rows_hidden, { n: hidden });
    if (first) {  // keep the current rows in view, scrolling the table only (never the page)
      const box = this.table, table = this.tableEl;   // measured in the next frame, when the browser lays out anyway
      requestAnimationFrame(() => {
        if (first.hidden) return;
        const top = first.offsetTop - table.tHead.offsetHeight;
        if (top < box.scrollTop || top + first.offsetHeight > box.scrollTop + box.clientHeight)
          box.scrollTop = Math.max(0, top - 4);
      });
    }
  },
});
