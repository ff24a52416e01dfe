"""The stages' import rules (pyproject.toml, [tool.importlinter]) hold, and a broken rule is caught
by name; the package's top level holds only the entry points."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LINT = shutil.which("lint-imports") or shutil.which("lint-imports", path=sysconfig.get_path("scripts"))
pytestmark = pytest.mark.skipif(LINT is None, reason="import-linter is not installed (pip install -e '.[test]')")


def lint(cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run([str(LINT), "--config", str(REPO / "pyproject.toml"), "--no-cache"], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_import_contracts_hold():
    run = lint(REPO)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


@pytest.mark.parametrize(("module", "line", "contract"), [
    ("judge/rules.py", "import cv2", "Judging is pure"),
    ("judge/holds.py", "from formcheck.report import overlay", "each layer imports only the layers below it"),
    ("media/frame.py", "from formcheck.pose import base", "each layer imports only the layers below it"),
    ("report/plots.py", "from formcheck import cli", "Nothing imports the command line"),
    ("report/plots.py", "from formcheck.history import store", "each layer imports only the layers below it"),
    ("run/score.py", "from formcheck.synth import render", "never imports the mannequin renderer"),
])
def test_a_broken_rule_fails_by_name(tmp_path, module, line, contract):
    shutil.copytree(REPO / "formcheck", tmp_path / "formcheck", ignore=shutil.ignore_patterns("__pycache__"))
    target = tmp_path / "formcheck" / module
    target.write_text(target.read_text() + f"\n{line}  # added by the test\n")
    run = lint(tmp_path)
    assert run.returncode != 0
    broken = [ln for ln in run.stdout.splitlines() if ln.endswith("BROKEN")]
    assert any(contract in ln for ln in broken), run.stdout


def test_top_level_holds_only_entry_points():
    top = {p.name for p in (REPO / "formcheck").glob("*.py")}
    assert top == {"__init__.py", "__main__.py", "cli.py", "errors.py"}
    stages = {p.name for p in (REPO / "formcheck").iterdir() if (p / "__init__.py").exists()}
    assert stages == {"media", "pose", "judge", "exercises", "routines", "report", "history", "run", "synth"}
    for stage in stages:
        doc = (REPO / "formcheck" / stage / "__init__.py").read_text()
        assert doc.startswith('"""'), f"{stage}/__init__.py has no docstring saying what the stage takes and gives"


def test_python_m_formcheck_still_works():
    run = subprocess.run([sys.executable, "-m", "formcheck", "exercises"], capture_output=True, text=True,
                         timeout=60, cwd=REPO)
    assert run.returncode == 0, run.stderr
    assert "kneeling-hip-flexor" in run.stdout
