"""Source state (cursors, ETags): read and written inside the load's transaction, so it never runs ahead of the
data it describes."""

from __future__ import annotations

import duckdb


def get_state(con: duckdb.DuckDBPyConnection, source: str, key: str) -> str | None:
    row = con.execute("SELECT value FROM meta.source_state WHERE source = ? AND key = ?", [source, key]).fetchone()
    return row[0] if row else None


def set_state(con: duckdb.DuckDBPyConnection, source: str, key: str, value: str | None) -> None:
    """An unchanged value is left as it is (with its time), so a run that learnt nothing changes nothing."""
    if value is None or get_state(con, source, key) == value:
        return
    con.execute("DELETE FROM meta.source_state WHERE source = ? AND key = ?", [source, key])
    con.execute("INSERT INTO meta.source_state VALUES (?, ?, ?, now())", [source, key, value])
