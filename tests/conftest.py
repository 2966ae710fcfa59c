"""Fixtures shared by several test folders. Only tests marked `flow` start Prefect (one session-scoped harness).
Helpers live in ordinary modules (tests/oracles.py, tests/snapshots.py, tests/hostile.py, tests/fakes/)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

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


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """The demo built once per test session by the pipeline's own steps (tests/snapshots.py): every source, the
    latest month's introductions, published. Shared by the report, dashboard, docs and compatibility tests."""
    from tests.snapshots import build_demo

    return build_demo(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="session")
def demo_snapshot(demo) -> Path:
    return demo.snapshot


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


@pytest.fixture(scope="session")
def consent(tmp_path_factory):
    """A unit named in November's introductions withdraws its consent in December (tests/consent.py, T39)."""
    from tests.consent import build_consent

    return build_consent(tmp_path_factory.mktemp("consent"))
