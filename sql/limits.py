"""What keeps one analyst's statement from taking the machine down (T41): a time limit and Ctrl-C, both by
interrupting DuckDB, which has no statement timeout of its own. Memory is bounded by the connection's limit
(`connect_snapshot(memory_limit=...)`) and by streaming results instead of fetching them whole."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

import duckdb

from radar.errors import RadarError


class StatementStopped(RadarError):
    """A statement interrupted by its time limit or by Ctrl-C."""


@contextlib.contextmanager
def limited(con: duckdb.DuckDBPyConnection, timeout: float | None) -> Iterator[list[str]]:
    """Run the block's statements with `con.interrupt()` after `timeout` seconds (None or 0: no limit) and on
    Ctrl-C (from the main thread only, where signals are delivered). Yields the list the reason is appended to,
    so that a writer between two fetches can stop too; an interrupted statement raises StatementStopped."""
    reasons: list[str] = []

    def stop(reason: str) -> None:
        reasons.append(reason)
        con.interrupt()

    timer = threading.Timer(timeout, stop, ["timeout"]) if timeout else None
    if timer:
        timer.daemon = True
        timer.start()
    on_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, lambda *_: stop("ctrl-c")) if on_main else None
    try:
        yield reasons
    except duckdb.InterruptException:
        if not reasons:
            raise
    finally:
        if timer:
            timer.cancel()
        if on_main:
            signal.signal(signal.SIGINT, previous)
    if reasons:
        raise StatementStopped(f"statement stopped after {timeout:g} s (--timeout; 0 for no limit)"
                               if reasons[0] == "timeout" else "statement cancelled (Ctrl-C)")
