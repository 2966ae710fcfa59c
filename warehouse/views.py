"""The views every reader goes through (pub.*, marts), rebuilt by each load from the SQL files."""

from __future__ import annotations

from importlib import resources

import duckdb

from warehouse.sql import read_sql


def view_files() -> list[str]:
    """views.sql first, then each source's views_<source>.sql (they may build on the registry views)."""
    names = [f.name for f in resources.files("warehouse.sql").iterdir()
             if f.name.startswith("views") and f.name.endswith(".sql")]
    return sorted(names, key=lambda name: (name != "views.sql", name))


def create_views(con: duckdb.DuckDBPyConnection) -> None:
    for name in view_files():
        con.execute(read_sql(name))
