"""Oracles over a warehouse file: 'nothing changed' (a hash of every table) and the run ledger."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb


def table_hashes(db_path: Path, *, skip: tuple[str, ...] = ("meta.run",)) -> dict[str, tuple[int, str]]:
    """The 'warehouse unchanged' oracle: row count and a hash of the ordered rows of every table."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        tables = con.execute(
            "SELECT schema_name || '.' || table_name FROM duckdb_tables() WHERE NOT internal ORDER BY 1"
        ).fetchall()
        out = {}
        for (name,) in tables:
            if name in skip:
                continue
            rows = con.execute(f"SELECT * FROM {name} ORDER BY ALL").fetchall()
            out[name] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
        return out
    finally:
        con.close()


def ledger(db_path: Path) -> list[tuple]:
    """The run ledger in order: (status, 'YYYY-MM', flow) per run."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute("SELECT status, strftime(month, '%Y-%m'), flow FROM meta.run ORDER BY started_at").fetchall()
    finally:
        con.close()
