"""Shared fixtures. Only tests marked `flow` start Prefect (one session-scoped harness)."""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

import duckdb
import pytest

os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_UI_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_SERVER_LEVEL", "CRITICAL")
os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")


@pytest.fixture
def fake_server():
    """A scripted loopback HTTP server (tests/fakes/http_server.py), closed after the test."""
    from tests.fakes.http_server import FakeServer

    with FakeServer() as srv:
        yield srv


@pytest.fixture(scope="session")
def prefect_harness(tmp_path_factory):
    os.environ.setdefault("PREFECT_HOME", str(tmp_path_factory.mktemp("prefect-home")))
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


def table_hashes(db_path: Path, *, skip: tuple[str, ...] = ("meta.run",)) -> dict[str, tuple[int, str]]:
    """The 'warehouse unchanged' oracle: row count and a hash of the ordered rows of every table."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        tables = con.execute(
            "SELECT schema_name || '.' || table_name FROM duckdb_tables() WHERE NOT internal ORDER BY 1"
        ).fetchall()
        out = {}
        for (name,) in tables:
            if name in skip:
                continue
            rows = con.execute(f"SELECT * FROM {name} ORDER BY ALL").fetchall()
            out[name] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
        return out
    finally:
        con.close()


def ledger(db_path: Path) -> list[tuple]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute("SELECT status, strftime(month, '%Y-%m'), flow FROM meta.run ORDER BY started_at").fetchall()
    finally:
        con.close()


@pytest.fixture
def fresh_log_redaction(monkeypatch):
    """The log redaction as in a new process: not installed yet. Whatever the test installs is undone afterwards."""
    from extractors.http import redaction

    loggers = [logging.getLogger(name) for name in redaction._REDACTED_LOGGERS]
    saved = [(logger, list(logger.filters)) for logger in loggers]
    factory = logging.getLogRecordFactory()
    monkeypatch.setattr(redaction, "_redaction_installed", False)
    for logger in loggers:
        logger.filters = [f for f in logger.filters if not isinstance(f, redaction.RedactingFilter)]
    yield
    logging.setLogRecordFactory(factory)
    for logger, filters in saved:
        logger.filters = filters
