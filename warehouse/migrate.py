"""Versioned schema migrations: each pending SQL file runs in one transaction with its bookkeeping row."""

from __future__ import annotations

from importlib import resources

import duckdb

from warehouse.db import transaction

MIGRATIONS_PACKAGE = "warehouse.migrations"


def list_migrations() -> list[tuple[str, str]]:
    files = resources.files(MIGRATIONS_PACKAGE)
    return sorted((f.name, f.read_text(encoding="utf-8")) for f in files.iterdir() if f.name.endswith(".sql"))


def applied_migrations(con: duckdb.DuckDBPyConnection) -> set[str]:
    con.execute("CREATE SCHEMA IF NOT EXISTS meta")
    con.execute(
        "CREATE TABLE IF NOT EXISTS meta.schema_migrations (name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL)"
    )
    return {r[0] for r in con.execute("SELECT name FROM meta.schema_migrations").fetchall()}


def migrate(con: duckdb.DuckDBPyConnection, *, before: str | None = None) -> list[str]:
    """Apply pending migrations in name order; returns the names applied. Safe to call on every run. `before`
    stops at the first migration whose name sorts from it (a warehouse as an older version left it)."""
    done = applied_migrations(con)
    applied = []
    for name, sql in list_migrations():
        if before is not None and name >= before:
            break
        if name in done:
            continue
        with transaction(con):
            con.execute(sql)
            con.execute("INSERT INTO meta.schema_migrations VALUES (?, now())", [name])
        applied.append(name)
    return applied
