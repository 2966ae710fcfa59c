"""Prefect settings for our runs, applied before Prefect is imported (its settings are read at import)."""

from __future__ import annotations

import os
from contextlib import ExitStack
from pathlib import Path

QUIET_DEFAULTS = {
    # The ephemeral API server needs 10-30 s to start on a small machine; its default timeout is too short.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_UI_ENABLED": "false",
    # Successful runs otherwise end with the server's shutdown tracebacks ("Error flushing events").
    "PREFECT_LOGGING_SERVER_LEVEL": "CRITICAL",
    "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW": "ignore",
    "PREFECT_RESULTS_PERSIST_BY_DEFAULT": "false",
}


# The flow and task run engines log every exception with its traceback (65-81 lines for one missing file) before
# the command line prints its one line (T42): they speak only under --verbose.
ENGINE_LOGGERS = ("PREFECT_LOGGING_LOGGERS_PREFECT_FLOW_RUNS_LEVEL", "PREFECT_LOGGING_LOGGERS_PREFECT_TASK_RUNS_LEVEL")


def configure_prefect(workdir: Path, *, verbose: bool = False) -> None:
    """Defaults only: anything the user set (a real server's PREFECT_API_URL, a profile) wins."""
    for key, value in QUIET_DEFAULTS.items():
        os.environ.setdefault(key, value)
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO" if verbose else "WARNING")
    if not verbose:
        for key in ENGINE_LOGGERS:
            os.environ.setdefault(key, "CRITICAL")
    if "PREFECT_API_URL" not in os.environ and "PREFECT_HOME" not in os.environ:
        home = (workdir / ".prefect").resolve()
        home.mkdir(parents=True, exist_ok=True)
        os.environ["PREFECT_HOME"] = str(home)


_FOR_THE_PROCESS = ExitStack()  # settings a command keeps until it exits


def without_heartbeats() -> None:
    """No flow run heartbeats, unless the user set their frequency. They only serve a server automation that marks
    silent runs as crashed (infrastructure run by workers); a command would wait for the heartbeat thread's next
    tick, 0.5 s on average, at the end of every flow run."""
    if {"PREFECT_FLOWS_HEARTBEAT_FREQUENCY", "PREFECT_RUNNER_HEARTBEAT_FREQUENCY"} & set(os.environ):
        return
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    _FOR_THE_PROCESS.enter_context(temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}))
