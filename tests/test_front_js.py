"""The front end's own tests, run by Node's test runner (tests/js/*.test.mjs), and how its files are joined.

The Node tests check the page's pure code against Python on the shared example traces
(tests/support/front_fixtures.py writes what Python says): the timeline gives graph.state_at at every
step however it is reached, stepping by group goes where graph.step_after / step_before go, texts are
shortened and labels placed without overlaps, and the joined module loads. Running them from pytest
keeps one test command (``python -m pytest``, ``scripts/test``) and pytest's summary as its last line.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from autograd_lab.view import webplayer
from tests.support import front_fixtures

JS_TESTS = sorted((Path(__file__).parent / "js").glob("*.test.mjs"))


def _node() -> str:
    node = shutil.which("node")
    assert node, "Node.js (20 or newer) is needed for the front end's tests: apt-get install nodejs"
    return node


def test_the_front_ends_node_tests_pass_on_every_step_of_the_examples(tmp_path):
    fixtures = front_fixtures.write(tmp_path)
    assert len(fixtures) >= 6 and len(JS_TESTS) >= 5
    proc = subprocess.run([_node(), "--test", *map(str, JS_TESTS)], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "ALAB_FRONT_FIXTURES": str(tmp_path)})
    out = proc.stdout + proc.stderr
    failed = [line for line in out.splitlines() if line.startswith("not ok")]
    assert proc.returncode == 0, "\n".join(failed) + "\n" + out[-6000:]
    passed = int(re.search(r"^# pass (\d+)$", out, re.M).group(1))
    assert passed >= 30 and re.search(r"^# fail 0$", out, re.M), out[-2000:]
    # every step of every example trace was compared with Python's state (the timeline test says how many)
    checked = re.search(r"# timeline: (\d+) states checked against Python in (\d+) traces", out)
    assert checked and int(checked.group(2)) == len(fixtures), out[-2000:]


def test_the_joined_module_keeps_the_written_order_and_each_source_file_is_joined_once():
    js = webplayer.app_js()
    heads = re.findall(r"^// ---- (\S+)$", js, re.M)
    assert heads == [f"{name}.js" for name in webplayer.SOURCES]
    assert sorted(p.stem for p in webplayer.SRC.glob("*.js")) == sorted(webplayer.SOURCES)  # no file left out
    assert not re.search(r"^import ", js, re.M)
    assert re.findall(r"^export .*$", js, re.M) == ["export function mount(root, scene, opts = {}) {",
                                                   "export default { render };"]
    for name in webplayer.SOURCES:  # each file one concern, small enough to read
        assert len((webplayer.SRC / f"{name}.js").read_text(encoding="utf-8").splitlines()) < 400, name


@pytest.mark.parametrize("files, error", [
    ({"a": 'import { b } from "./b.js";\nexport const a = 1;\n', "b": "export const b = 2;\n"},
     "b.js, which is not joined before it"),
    ({"a": "export const a = 1;\n", "b": 'import { a, c } from "./a.js";\n'}, r"\['c'\] from a.js"),
    ({"a": "export const a = 1;\n", "b": "import {\n  a } from './a.js';\n"}, "an import app_js"),
    ({"a": "export { x };\n", "b": ""}, "an export app_js"),
])
def test_joining_refuses_an_order_or_an_import_it_cannot_keep(tmp_path, files, error):
    for name, text in files.items():
        (tmp_path / f"{name}.js").write_text(text, encoding="utf-8")
    with pytest.raises(RuntimeError, match=error):
        webplayer._join(tuple(files), tmp_path)
