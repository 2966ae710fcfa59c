"""Publish the read-only snapshot: a new DuckDB file built from the masked `pub` views only, then renamed
over the previous one, so a reader holding the old file is never disturbed."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from radar import CONTRACT_VERSION, __version__
from warehouse import faults
from warehouse.dictionary import comment_statements

# Analysts open the snapshot with the DuckDB they have: write a storage format that older versions read.
SNAPSHOT_STORAGE_VERSION = "v1.1.0"


def pub_views(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "SELECT view_name FROM duckdb_views() WHERE schema_name = 'pub' AND NOT internal ORDER BY view_name"
    ).fetchall()
    return [r[0] for r in rows]


def publish_snapshot(con: duckdb.DuckDBPyConnection, target: Path, *, territory_name: str) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        leftover.unlink(missing_ok=True)
    con.execute(f"ATTACH '{tmp}' AS snap (STORAGE_VERSION '{SNAPSHOT_STORAGE_VERSION}')")
    try:
        for view in pub_views(con):
            con.execute(f"CREATE TABLE snap.main.{view} AS SELECT * FROM pub.{view}")
            for stmt in comment_statements("snap.main", view):
                con.execute(stmt)
        _write_snapshot_info(con, territory_name)
        faults.checkpoint("publish_copy")
    finally:
        con.execute("DETACH snap")
    os.replace(tmp, target)
    return target


def _write_snapshot_info(con: duckdb.DuckDBPyConnection, territory_name: str) -> None:
    files = con.execute(
        "SELECT strftime(month, '%Y-%m'), etablissements_file, etablissements_sha256, etablissements_bytes, "
        "unites_legales_file, unites_legales_sha256, unites_legales_bytes FROM meta.stock_month ORDER BY month"
    ).fetchall()
    source_files = [
        {"month": m, "etablissements": {"file": ef, "sha256": eh, "bytes": eb},
         "unites_legales": {"file": uf, "sha256": uh, "bytes": ub}}
        for m, ef, eh, eb, uf, uh, ub in files
    ]
    con.execute(
        """CREATE TABLE snap.main.snapshot_info AS SELECT
            ?::TIMESTAMPTZ AS published_at,
            (SELECT max(month) FROM meta.stock_month) AS latest_month,
            (SELECT min(month) FROM meta.stock_month) AS first_month,
            (SELECT count(*) FROM meta.stock_month) AS months_loaded,
            ?::JSON AS source_files, ? AS contract_version, ? AS radar_version, ? AS territory""",
        [datetime.now(timezone.utc), json.dumps(source_files), CONTRACT_VERSION, __version__, territory_name],
    )
    for stmt in comment_statements("snap.main", "snapshot_info"):
        con.execute(stmt)
