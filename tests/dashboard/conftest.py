"""The dashboard's snapshots (the session's demo comes from tests/conftest.py): a copy salted with hostile text, and
the snapshot of the same demo as a registry-only pipeline publishes it (builders in tests/snapshots.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.snapshots import salt_snapshot


@pytest.fixture(autouse=True)
def restore_main_module():
    """Streamlit's AppTest installs the page it runs as __main__; spawned worker processes (the feed parser's)
    re-import __main__, so later tests in this process would fail to start one."""
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main


@pytest.fixture(scope="session")
def bare(demo) -> Path:
    return demo.registry_only


@pytest.fixture(scope="session")
def salted(demo_snapshot, tmp_path_factory) -> tuple[Path, dict]:
    dest = tmp_path_factory.mktemp("salted") / "published" / "radar.duckdb"
    return dest, salt_snapshot(demo_snapshot, dest)
