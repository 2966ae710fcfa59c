"""The warehouse's data checks (warehouse/sql/checks/*.sql): each a query returning the rows that break its rule,
run inside every load's transaction before it commits, so a load that breaks one is rolled back whole and the
previous snapshot stays published."""

from __future__ import annotations

from importlib import resources

import duckdb

from radar.errors import RadarError
from warehouse.sql import read_sql

_SHOWN_ROWS = 3


class DataCheckFailed(RadarError):
    """A load would have left the warehouse breaking one of its rules; nothing was committed."""


def check_names() -> list[str]:
    return sorted(f.name[:-4] for f in resources.files("warehouse.sql").joinpath("checks").iterdir()
                  if f.name.endswith(".sql"))


def failed_checks(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """Each broken check with its first offending rows (empty when every rule holds)."""
    failed = {}
    for name in check_names():
        rows = con.execute(read_sql(f"checks/{name}.sql")).fetchmany(_SHOWN_ROWS)
        if rows:
            failed[name] = rows
    return failed


def run_checks(con: duckdb.DuckDBPyConnection) -> None:
    """Raise DataCheckFailed naming every broken rule and a few of its rows; call it before COMMIT."""
    failed = failed_checks(con)
    if failed:
        detail = "; ".join(f"{name}: {', '.join(map(str, rows))}" for name, rows in failed.items())
        raise DataCheckFailed(f"data check failed, load rolled back, snapshot unchanged: {detail}")
