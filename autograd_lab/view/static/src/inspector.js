// Click to inspect: what a node is (PyTorch's names: requires_grad, grad_fn, name(), next_functions, the
// _saved_* attributes, hooks, where it was made) at the step shown.
import { Player } from "./player.js";
import { el } from "./dom.js";
import { fill } from "./text.js";

Object.assign(Player.prototype, {
  inspectNode(k) {
    this.inspected = k && this.nodes.has(k) ? k : null;
    for (const g of this.nodeG.querySelectorAll("g.alab-node.inspected")) g.classList.remove("inspected");
    if (this.inspected) {
      this._reveal(k);
      const g = this.nodeEls.get(k);
      if (g) g.classList.add("inspected");
    }
    this._inspect();
  },

  // A node inside closed boxes (clicked in the table or the inspector): open the boxes around it.
  _reveal(k) {
    const G = this.groups, n = this.nodes.get(k);
    if (!n || n.group == null || this.item.get(k) === k) return;
    let inner = null;
    for (let q = n.group; q != null; q = G[q].parent) if (G[q].collapsed && !this.opened.has(q)) { this.opened.add(q); inner = inner ?? q; }
    if (inner == null) return;
    this._regroup();
    this._focus(G[inner].box);
  },

  _inspect() {
    const box = this.inspect, W = this.words, k = this.inspected;
    if (!k) { box.hidden = true; box.replaceChildren(); return; }
    const n = this.nodes.get(k), st = this.cur[k], before = this._before()[k];
    const rows = [];
    const code = (t) => el("code", { text: t });
    const link = (key, t) => (key ? el("a", { "data-k": key, href: "#", text: t, class: "alab-link" }) : code(t));
    const row = (label, ...vals) => rows.push(el("div", { class: "alab-irow" }, el("span", { class: "alab-ilabel", text: label }), ...vals));
    const title = n.kind === "tensor" ? this.names.get(k) : n.label;
    const head = el("div", { class: "alab-ihead" }, el("b", { text: title }),
                    el("button", { class: "alab-inspect-close", type: "button", title: W.inspect_close, text: "×" }));
    if (!st || !st.shown) {
      row(W.not_yet);
    } else if (n.kind === "tensor") {
      row("requires_grad", code(st.rg ? "True" : "False"));
      row("is_leaf", code(n.leaf ? "True" : "False"));
      const fn = n.fn && this.nodes.get(n.fn);
      row("grad_fn", fn ? link(n.fn, `<${fn.label}>`) : code("None"));
      // a big value: its shape and range, then its values as repr(tensor) prints them (scene.full)
      const shown = (text, full) => (full ? el("span", {}, code(text), el("pre", { class: "alab-full", text: full })) : code(text));
      const [vf, gf] = this._full(k, this.idx), [, bf] = this._full(k, this.idx - 1);
      row(`${title} =`, shown(st.value, vf));
      if (n.version != null) row("_version", code(String(n.version)));   // changed in place: torch's version counter
      if (st.rg) {
        row(W.grad_before, before && before.shown ? shown(before.grad, bf) : code("None"));
        row(W.grad_after, shown(st.grad, gf));
      }
    } else {
      row("name()", code(`'${n.name}'`));
      if (n.kind === "acc") {
        const v = n.var && this.nodes.get(n.var);
        row(W.variable, v ? link(n.var, this.names.get(n.var)) : code("None"));
        row("next_functions", code("()"));
      } else if (n.kind === "op") {
        const parts = [code("(")];
        (n.next || []).forEach(([key, label, nr], j) => {
          if (j) parts.push(code(", "));
          parts.push(code("("), key ? link(key, `<${label}>`) : code("None"), code(`, ${nr})`));
        });
        if ((n.next || []).length === 1) parts.push(code(","));
        parts.push(code(")"));
        row("next_functions", el("span", {}, ...parts));
        for (const [attr, holder, hk] of n.saved || []) {
          const hs = hk ? this.cur[hk] : null;
          if (st.freed) row(attr, el("span", { class: "alab-freed", text: W.saved_freed }));
          else if (hs) row(attr, link(hk, fill(W.saved_holds, { name: this.names.get(hk), value: hs.value })));
          else row(attr, code(holder));   // not drawn: the holder as the narration names it ("a number")
        }
        // PyTorch's error for reading a freed value is the same for every field: said once, under them
        if (st.freed && (n.saved || []).length)
          rows.push(el("div", { class: "alab-irow alab-freed alab-freed-error" },
                       fill(W.saved_freed_error, { error: this.scene.freed_error })));
        this._chainRows(k, n, row, code);
      }
      if (st.info) row("", el("i", { text: st.info }));
    }
    const hooks = (n.hooks || []).filter((j) => j <= this.idx);
    if (n.hooks) row(W.hooks, hooks.length ? el("span", {}, ...hooks.map((j) => el("div", { text: this.scene.steps[j].text }))) : code(W.no_hooks));
    if (n.made != null && n.made >= 0 && this.scene.steps[n.made].source) row(W.made_at, code(this.scene.steps[n.made].source));
    box.replaceChildren(head, ...rows);
    box.hidden = false;
  },

  // An arrow's tooltip: the gradient on it, and how that gradient is made: the rule of its grad_fn's last run
  // (numbers and the student's names), or before it ran the formula declared for its slot.
  _edgeTitle(k, st) {
    const e = this.edges.get(k), full = this._full(k)[0], out = st.grad ? [full || st.grad] : [];
    if (st.rule) out.push(st.rule);
    else if (e && e.slot != null) {
      const src = this.nodes.get(e.src), decl = src && (this.scene.formulas || {})[src.name];
      const variadic = Array.isArray(decl) && decl.length === 1 && decl[0][0].endsWith("[i]");
      const got = Array.isArray(decl) ? (variadic ? [decl[0][0].replace("[i]", `[${e.slot}]`), decl[0][1]] : decl[e.slot]) : null;
      if (got && got[1] != null) out.push(fill(this.words.edge_rule, { input: got[0], formula: got[1] }));
    }
    return out.join("\n");
  },

  // The node's chain rule as declared (PyTorch's input names), and at its last run up to this step the
  // rule on each arrow it leaves, with the student's names and numbers (view/chain.py, scene.formulas).
  _chainRows(k, n, row, code) {
    const W = this.words, decl = (this.scene.formulas || {})[n.name];
    const lines = (texts) => el("span", {}, ...texts.map((t) => el("div", {}, code(t))));
    if (Array.isArray(decl)) row(W.chain, lines(decl.filter(([, f]) => f != null).map(([input, f]) => `${input}: ${f}`)));
    else row(W.chain, el("i", { text: decl || W.chain_none }));
    const ran = [...this.edges.values()].filter((e) => e.src === k && e.slot != null && this.cur[e.k] && this.cur[e.k].rule)
      .sort((a, b) => a.slot - b.slot).map((e) => this.cur[e.k].rule);
    if (ran.length) row(W.chain_run, lines(ran));
  },
});
