"""The dashboard's snapshots (the session's demo snapshot comes from tests/conftest.py): a copy salted with hostile
text and the optional source tables, and a copy without them (builders in tests/snapshots.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.snapshots import salt_snapshot, strip_optional_tables


@pytest.fixture(autouse=True)
def restore_main_module():
    """Streamlit's AppTest installs the page it runs as __main__; spawned worker processes (the feed parser's)
    re-import __main__, so later tests in this process would fail to start one."""
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main


@pytest.fixture(scope="session")
def bare(demo_snapshot, tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("bare") / "published" / "radar.duckdb"
    strip_optional_tables(demo_snapshot, dest)
    return dest


@pytest.fixture(scope="session")
def salted(demo_snapshot, tmp_path_factory) -> tuple[Path, dict]:
    dest = tmp_path_factory.mktemp("salted") / "published" / "radar.duckdb"
    return dest, salt_snapshot(demo_snapshot, dest)
