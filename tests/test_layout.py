"""The house rules the test command enforces: layers without cycles (import-linter's contract in pyproject.toml,
lazy imports included), ruff's checks, and no product module over 600 lines."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("radar", "extractors", "transforms", "warehouse", "sql", "reports", "dashboard", "demo", "steps", "flows",
           "cli")
# Data generators of the demo: long tables of names and rules, not logic.
GENERATORS = {"demo/generator.py", "demo/news/build_bundle.py"}


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return found


def test_layers_have_no_upward_import():
    proc = subprocess.run([_tool("lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]


def test_ruff_finds_nothing():
    proc = subprocess.run([_tool("ruff"), "check", "--no-cache", "."], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]


def test_no_product_module_over_600_lines():
    long = {str(p.relative_to(ROOT)): n for pkg in PRODUCT for p in (ROOT / pkg).rglob("*.py")
            if str(p.relative_to(ROOT)) not in GENERATORS and (n := len(p.read_text(encoding="utf-8").splitlines())) > 600}
    assert not long, f"split these modules: {long}"
