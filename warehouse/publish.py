"""Publish the read-only snapshot: a new DuckDB file built from the masked `pub` views only, then renamed
over the previous one, so a reader holding the old file is never disturbed."""

from __future__ import annotations

import json
import os
import queue
import shutil
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from radar import CONTRACT_VERSION, __version__
from warehouse import faults
from warehouse.db import ROW_GROUP_SIZE, sibling_cursor, transaction
from warehouse.dictionary import comment_statements

# Analysts open the snapshot with the DuckDB they have: write a storage format that older versions read.
SNAPSHOT_STORAGE_VERSION = "v1.1.0"
_COPY_WORKERS = 4
# Copied first: month by month tables grow with every month loaded.
_BIGGEST_VIEWS = ("establishment_monthly", "company_monthly", "establishment", "company", "event")


def pub_views(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "SELECT view_name FROM duckdb_views() WHERE schema_name = 'pub' AND NOT internal ORDER BY view_name"
    ).fetchall()
    return [r[0] for r in rows]


def partial_path(target: Path) -> Path:
    """Where the next snapshot is built. Not `<snapshot>.tmp`: that is where DuckDB spills a reader's query by
    default (an analyst's CLI), and a folder of that name once made every publication fail (T40)."""
    return target.with_name(target.name + ".publishing.tmp")


def remove_partial(target: Path) -> None:
    """A publication's leftovers (killed, or failed), files or folders alike."""
    partial, legacy = partial_path(target), target.with_name(target.name + ".tmp")
    if legacy.is_file():  # the partial file of a version that still built it under that name
        for leftover in (legacy, legacy.with_name(legacy.name + ".wal")):
            leftover.unlink(missing_ok=True)
    for leftover in (partial, partial.with_name(partial.name + ".wal")):
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)


def publish_snapshot(con: duckdb.DuckDBPyConnection, target: Path, *, territory_name: str) -> Path:
    """Build the snapshot beside `target`, then rename it over `target`; a failure removes what it built and
    leaves the previous snapshot published."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = partial_path(target)
    remove_partial(target)
    try:
        # Small row groups are also scanned in parallel by analysts' queries; DuckDB 1.1 reads them.
        con.execute(f"ATTACH '{tmp}' AS snap (STORAGE_VERSION '{SNAPSHOT_STORAGE_VERSION}', "
                    f"ROW_GROUP_SIZE {ROW_GROUP_SIZE})")
        try:
            views = pub_views(con)
            _copy_views(con, views)
            with transaction(con):
                for view in views:
                    for stmt in comment_statements("snap.main", view):
                        con.execute(stmt)
                _write_snapshot_info(con, territory_name)
            faults.checkpoint("publish_copy")
        finally:
            con.execute("DETACH snap")
        os.replace(tmp, target)
    except BaseException:
        remove_partial(target)
        raise
    return target


def _copy_views(con: duckdb.DuckDBPyConnection, views: list[str]) -> None:
    """Materialise the views into the snapshot from parallel cursors, biggest first.

    A territory's tables are smaller than one of DuckDB's parallel scan units, so each copy runs on one core;
    row groups of ROW_GROUP_SIZE are compressed and written by the cursor that fills them, so the copies and
    their compression share the cores, and little is left for the final checkpoint."""
    rank = {view: i for i, view in enumerate(_BIGGEST_VIEWS)}
    pending = queue.SimpleQueue()
    for view in sorted(views, key=lambda v: (rank.get(v, len(rank)), v)):
        pending.put(view)

    def work(cursor: duckdb.DuckDBPyConnection) -> None:
        try:
            with transaction(cursor):
                while True:
                    try:
                        view = pending.get_nowait()
                    except queue.Empty:
                        return
                    cursor.execute(f"CREATE TABLE snap.main.{view} AS SELECT * FROM pub.{view}")
        finally:
            cursor.close()

    workers = max(1, min(_COPY_WORKERS, int(con.execute("SELECT current_setting('threads')").fetchone()[0])))
    # Made here: `con` refuses a second call while a thread uses it.
    cursors = [sibling_cursor(con) for _ in range(workers)]
    with ThreadPoolExecutor(workers, thread_name_prefix="publish") as pool:
        for done in [pool.submit(work, cursor) for cursor in cursors]:
            done.result()


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
        [datetime.now(UTC), json.dumps(source_files), CONTRACT_VERSION, __version__, territory_name],
    )
    for stmt in comment_statements("snap.main", "snapshot_info"):
        con.execute(stmt)
