"""save_html gives the same bytes for the same trace, whatever PYTHONHASHSEED is (teachers regenerate slides)."""
import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = """
import sys
import autograd_lab as lab
with lab.trace(catch_errors=True) as t:
    w = lab.tensor(2.0, requires_grad=True)
    x = lab.tensor(3.0)
    b = lab.tensor(1.0, requires_grad=True)
    y = w * x
    y.retain_grad()
    z = y + b
    z.backward(retain_graph=True)
    z.backward()
    z.backward()
lab.Player(t).save_html(sys.argv[1])
"""


def _export(tmp_path: Path, seed: str) -> str:
    out = tmp_path / f"seed{seed}.html"
    env = dict(os.environ, PYTHONHASHSEED=seed, MPLBACKEND="Agg")
    subprocess.run([sys.executable, "-c", SCRIPT, str(out)], check=True, cwd=ROOT, env=env, timeout=120)
    return hashlib.sha256(out.read_bytes()).hexdigest()


def test_save_html_is_byte_stable_across_hash_seeds(tmp_path):
    digests = {_export(tmp_path, seed) for seed in ("1", "2", "3")}
    assert len(digests) == 1
