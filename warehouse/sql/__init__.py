"""The warehouse's SQL files: events, views, the big transforms, and the data checks (checks/)."""

from __future__ import annotations

from functools import cache
from importlib import resources

import duckdb


@cache
def read_sql(name: str) -> str:
    """The text of `warehouse/sql/<name>` (e.g. 'events_sirene.sql', 'checks/unique_siret_per_month.sql')."""
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")


def execute_sql(con: duckdb.DuckDBPyConnection, name: str, **params) -> duckdb.DuckDBPyConnection:
    """Run every statement of the file, each with the named parameters (`$name`) it uses; returns the cursor of
    the last one."""
    for statement in duckdb.extract_statements(read_sql(name)):
        cursor = con.execute(statement, {k: v for k, v in params.items() if k in statement.named_parameters})
    return cursor
