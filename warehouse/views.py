"""The views every reader goes through (pub.*, marts), rebuilt by each load from the SQL files."""

from __future__ import annotations

from importlib import resources

import duckdb

from warehouse.dictionary import comment_statements
from warehouse.sql import read_sql


def view_files() -> list[str]:
    """views.sql first, then each source's views_<source>.sql (they may build on the registry views)."""
    names = [f.name for f in resources.files("warehouse.sql").iterdir()
             if f.name.startswith("views") and f.name.endswith(".sql")]
    return sorted(names, key=lambda name: (name != "views.sql", name))


def create_views(con: duckdb.DuckDBPyConnection) -> None:
    """Every view, and the data dictionary's comments on the published ones (a view recreated loses them)."""
    for name in view_files():
        con.execute(read_sql(name))
    for (view,) in con.execute("SELECT view_name FROM duckdb_views() WHERE schema_name = 'pub' AND NOT internal"
                               ).fetchall():
        for statement in comment_statements("pub", view):
            con.execute(statement)
