"""The current state (core.establishment, core.company): what the latest loaded month says, then the INSEE deltas
newer than it. Called inside the transaction of every load that changes either."""

from __future__ import annotations

import duckdb

from warehouse.sql import execute_sql


def refresh_current_state(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuilt whole from the monthly rows (current_state.sql), whatever the order in which months were loaded."""
    execute_sql(con, "current_state.sql")


def apply_insee_deltas(con: duckdb.DuckDBPyConnection) -> None:
    """Provisional 'insee' events and current-state updates from the deltas the latest stock does not know yet.
    Idempotent; call it inside the transaction of every INSEE load and of every stock load."""
    execute_sql(con, "events_insee.sql")
