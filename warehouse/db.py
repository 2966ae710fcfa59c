"""Connections to the working warehouse (one writer) and to the published snapshot (many read-only readers)."""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

from radar.errors import RadarError

_LOCK_HOLDER = re.compile(r"PID (\d+)")


class WarehouseLocked(RadarError, RuntimeError):
    """Another process holds the warehouse file."""


class SnapshotMissing(RadarError, FileNotFoundError):
    """No snapshot has been published yet in this working directory."""


def _configure(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("SET TimeZone = 'UTC'")


# For the warehouse and the snapshot. Smaller than DuckDB's default (122,880 rows): a month of a territory then
# fills several row groups, which DuckDB compresses and writes from parallel threads as they fill, instead of
# leaving it all to one single-threaded checkpoint at commit.
ROW_GROUP_SIZE = 8192


def _open_warehouse(path: Path, memory_limit: str) -> duckdb.DuckDBPyConnection:
    """The warehouse attached under its usual name (the file's stem), since the row group size is an ATTACH
    option."""
    con = duckdb.connect(config={"memory_limit": memory_limit})
    try:
        name = path.stem.replace('"', '""')
        con.execute(f"""ATTACH '{str(path).replace("'", "''")}' AS "{name}" """
                    f"(ROW_GROUP_SIZE {ROW_GROUP_SIZE})")
        con.execute(f'USE "{name}"')
    except BaseException:
        con.close()
        raise
    return con


def sibling_cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Another connection to the same open databases (for work in parallel threads), with the same default
    catalog and settings as `con`."""
    catalog = con.execute("SELECT current_database()").fetchone()[0].replace('"', '""')
    cursor = con.cursor()
    cursor.execute(f'USE "{catalog}"')
    _configure(cursor)
    return cursor


@contextlib.contextmanager
def connect_writer(path: Path, *, lock_timeout: float = 30.0, memory_limit: str = "4GB") -> Iterator[duckdb.DuckDBPyConnection]:
    """The single read-write connection, opened per operation and closed promptly.

    DuckDB allows one writing process per file; while another holds it we retry with backoff, then fail
    with a message naming the holder, so overlapping runs never corrupt anything.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + lock_timeout
    delay = 0.2
    while True:
        try:
            con = _open_warehouse(path, memory_limit)
            break
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            if time.monotonic() >= deadline:
                holder = _LOCK_HOLDER.search(str(exc))
                who = f"PID {holder.group(1)}" if holder else "another process"
                raise WarehouseLocked(
                    f"warehouse {path} is locked by {who}; another run or a client holds it "
                    f"(waited {lock_timeout:.0f} s). Close it or wait for the run to finish."
                ) from None
            time.sleep(delay)
            delay = min(delay * 2, 2.0)
    try:
        _configure(con)
        yield con
    finally:
        con.close()


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Everything inside commits together or, on any exception (even a KeyboardInterrupt), not at all."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def connect_snapshot(path: Path) -> duckdb.DuckDBPyConnection:
    """A sandboxed read-only connection to the published snapshot: no file, network or extension access."""
    if not path.is_file():
        raise SnapshotMissing(f"no published snapshot at {path}: run 'radar demo' or 'radar run' first")
    con = duckdb.connect(
        str(path),
        read_only=True,
        config={
            "enable_external_access": False,
            "autoload_known_extensions": False,
            "autoinstall_known_extensions": False,
        },
    )
    if con.execute("SELECT current_setting('lock_configuration')").fetchone()[0]:
        # This process already opened the file: DuckDB hands back the same, already sandboxed database.
        return con
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET lock_configuration = true")
    return con
