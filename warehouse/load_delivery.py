"""What the delivery of the monthly report writes to the warehouse: renderings and sendings (meta.report_delivery)
and the month's « mises en relation » (core.introduction). Every function takes the writer's connection."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime

import duckdb

from radar.months import add_months
from warehouse.db import transaction
from warehouse.sql import execute_sql


def ensure_delivery_views(con: duckdb.DuckDBPyConnection) -> None:
    """Our pub views, also when no load has run since this module was installed (loads recreate them anyway)."""
    execute_sql(con, "views_delivery.sql")


def record_delivery(con: duckdb.DuckDBPyConnection, *, month: date, kind: str, status: str,
                    recipients_count: int | None = None, transport: str | None = None,
                    files: dict[str, str] | None = None, message: str | None = None) -> str:
    if kind not in ("rendered", "sent") or status not in ("success", "failed"):
        raise ValueError(f"bad delivery record kind={kind!r} status={status!r}")
    files = files or {}
    delivery_id = uuid.uuid4().hex
    con.execute(
        "INSERT INTO meta.report_delivery VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [delivery_id, month, kind, status, datetime.now(UTC), recipients_count, transport,
         files.get("report.html"), files.get("report.pdf"), json.dumps(files, sort_keys=True),
         (message or None) and message[:2000]])
    return delivery_id


def was_sent(con: duckdb.DuckDBPyConnection, month: date) -> bool:
    return con.execute("SELECT count(*) FROM meta.report_delivery WHERE month = ? AND kind = 'sent' "
                       "AND status = 'success'", [month]).fetchone()[0] > 0


def deliveries(con: duckdb.DuckDBPyConnection, month: date) -> list[dict]:
    cur = con.execute("SELECT * FROM meta.report_delivery WHERE month = ? ORDER BY recorded_at", [month])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def recent_pairs(con: duckdb.DuckDBPyConnection, month: date, months: int) -> set[tuple[str, str]]:
    """Pairs suggested in the `months` months before `month` (not `month` itself, which may be recomputed)."""
    rows = con.execute("SELECT siren_a, siren_b FROM core.introduction WHERE month >= ? AND month < ?",
                       [add_months(month, -months), month]).fetchall()
    return {(a, b) for a, b in rows}


def has_introductions(con: duckdb.DuckDBPyConnection, month: date) -> bool:
    return con.execute("SELECT count(*) FROM core.introduction WHERE month = ?", [month]).fetchone()[0] > 0


def record_introductions(con: duckdb.DuckDBPyConnection, month: date, pairs: list) -> int:
    """Replace the month's pairs, in one transaction: SIRENs, rule, facts and score; never a name (the published
    view writes the reason from the masked names)."""
    now = datetime.now(UTC)
    with transaction(con):
        con.execute("DELETE FROM core.introduction WHERE month = ?", [month])
        for rank, p in enumerate(pairs, start=1):
            con.execute("INSERT INTO core.introduction (month, rank, siren_a, siren_b, rule, facts, score, created_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [month, rank, p.siren_a, p.siren_b, p.rule, json.dumps(p.facts, sort_keys=True), p.score, now])
    return len(pairs)
