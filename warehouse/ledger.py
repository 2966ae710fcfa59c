"""The run ledger (meta.run): one row per run of any flow, with its status, month, counts and message."""

from __future__ import annotations

import json
from datetime import datetime

import duckdb

from radar.months import month_date


def record_run(con: duckdb.DuckDBPyConnection, run_id: str, flow: str, started_at, status: str, *,
               month: str | None = None, counts: dict | None = None, message: str | None = None) -> None:
    con.execute(
        "INSERT INTO meta.run VALUES (?, ?, ?, now(), ?, ?, ?, ?)",
        [run_id, flow, started_at, status, month_date(month) if month else None,
         json.dumps(counts) if counts is not None else None, message],
    )


def runs_since(con: duckdb.DuckDBPyConnection, started: datetime) -> list[dict]:
    """Ledger rows written since `started`: this run's loads, whatever flow wrote them."""
    cur = con.execute("SELECT flow, status, strftime(month, '%Y-%m') AS month, counts FROM meta.run "
                      "WHERE started_at >= ? ORDER BY started_at", [started])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]
