"""Fixtures for the front end's Node tests (tests/js/): what Python says about the shared example traces.

    python -m tests.support.front_fixtures OUT_DIR      # or write(OUT_DIR) from a test

For each trace of ``examples.EXAMPLES``, and lesson 8's MLP 3->4->4->1 (a grouped graph with closed boxes),
``OUT_DIR/<name>.json`` holds:

- ``scene``: ``scene.scene(graph.build(t), trace=t)``, what the page gets;
- ``states``: Python's own state of every node and edge before the first step and after each step
  (``graph.initial``, then ``graph.state_at(i)``: the namedtuples of view/states.py, by name), which
  the front end's timeline must give back at every step, however it is reached;
- ``by_group``: for a grouped graph, for a few sets of opened boxes, where "next" and "back" go from
  each step by group (``graph.step_after`` / ``step_before``), the box each step runs in (``graph.unit``,
  as an index into the scene's groups) and, clicking "next" from the first step, where each click lands
  and what a click over a whole box says (``graph.summary``).

``OUT_DIR/app.js`` is the joined front end (``webplayer.app_js()``), which the tests load as a module.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from autograd_lab.view import graph, scene, webplayer

from .examples import EXAMPLES, mlp

GROUPED = {"mlp_3_4_4_1": lambda: mlp((3, 4, 4, 1))}
# sets of opened boxes (group keys) the by-group stepping is checked with, for each grouped trace
OPENED = {"mlp_3_4_4_1": [[], ["g6"], ["g6", "g8"], ["g1", "g6", "g11"]]}


def _named(states: dict) -> dict:
    return {k: st._asdict() for k, st in states.items()}


def _by_group(g, s: dict, opened_sets: list) -> list:
    keys = [d["k"] for d in s["groups"]]
    out = []
    n = len(g.steps)
    for opened in opened_sets:
        missing = set(opened) - set(keys)
        if missing:
            raise ValueError(f"no group {sorted(missing)} in this graph")
        after = [g.step_after(i, by="group", opened=opened) for i in range(n)]
        # clicking "next" by group from the first step: where each click lands, and what a click over
        # a whole box says (the front end tells it from the scene's runs)
        path, i = [], 0
        while i < n - 1:
            j = after[i]
            path.append([i, j, g.summary(i + 1, j) if j - i > 1 else ""])
            i = j
        out.append({
            "opened": [keys.index(k) for k in opened],
            "unit": [None if (u := g.unit(i, opened)) is None else keys.index(u) for i in range(n)],
            "after": after,
            "before": [g.step_before(i, by="group", opened=opened) for i in range(n)],
            "clicks": path,
        })
    return out


def fixture(name: str, make) -> dict:
    """The fixture of one trace (see the module docstring)."""
    t = make()
    g = graph.build(t)
    s = scene.scene(g, trace=t)
    out = {"name": name, "scene": s,
           "states": [_named(g.initial)] + [_named(g.state_at(i)) for i in range(len(g.steps))]}
    if name in OPENED:
        out["by_group"] = _by_group(g, s, OPENED[name])
    return out


def write(out_dir) -> list[Path]:
    """Write every fixture and the joined front end into ``out_dir``; returns the fixtures' paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "app.js").write_text(webplayer.app_js(), encoding="utf-8")
    paths = []
    for name, make in {**EXAMPLES, **GROUPED}.items():
        path = out_dir / f"{name}.json"
        path.write_text(json.dumps(fixture(name, make), ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    for p in write(sys.argv[1]):
        print(p)
