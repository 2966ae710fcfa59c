"""Connections to the working warehouse (one writer) and to the published snapshot (many read-only readers)."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

from radar.errors import RadarError

LOCK_TIMEOUT_ENV, DEFAULT_LOCK_TIMEOUT = "RADAR_WRITER_LOCK_TIMEOUT", 30.0
_LOCK_HOLDER = re.compile(r"PID (\d+)")
_WAL = re.compile(r"\bWAL\b")


class WarehouseLocked(RadarError, RuntimeError):
    """Another process holds the warehouse file."""


class SnapshotMissing(RadarError, FileNotFoundError):
    """No snapshot has been published yet in this working directory."""


class WarehouseDamaged(RadarError):
    """The warehouse cannot be opened: its write-ahead log is damaged (T16b)."""


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
def connect_writer(path: Path, *, lock_timeout: float | None = None,
                   memory_limit: str = "4GB") -> Iterator[duckdb.DuckDBPyConnection]:
    """The single read-write connection, opened per operation and closed promptly.

    DuckDB allows one writing process per file; while another holds it we retry with backoff for `lock_timeout`
    seconds (default: $RADAR_WRITER_LOCK_TIMEOUT, else 30), then fail with a message naming the holder, so
    overlapping runs never corrupt anything (T17, T19).
    """
    if lock_timeout is None:
        lock_timeout = float(os.environ.get(LOCK_TIMEOUT_ENV, DEFAULT_LOCK_TIMEOUT))
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + lock_timeout
    delay = 0.2
    while True:
        try:
            con = _open_warehouse(path, memory_limit)
            break
        except duckdb.Error as exc:
            if _WAL.search(str(exc)):
                raise _damaged(path, exc) from None
            if not isinstance(exc, duckdb.IOException) or "lock" not in str(exc).lower():
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


def _damaged(path: Path, exc: duckdb.Error) -> WarehouseDamaged:
    """Copies of the warehouse and its WAL set aside (once per damaged WAL; the WAL itself is never touched),
    and the error that says what happened and how to recover."""
    wal = path.with_name(path.name + ".wal")
    stamp = wal.stat() if wal.exists() else path.stat()
    aside = path.parent / "quarantine" / f"warehouse-{time.strftime('%Y%m%dT%H%M%S', time.gmtime(stamp.st_mtime))}" \
        f"-{stamp.st_size}"
    if not aside.is_dir():
        partial = aside.with_name(aside.name + ".copying")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        for f in (path, wal):
            if f.exists():
                shutil.copy2(f, partial / f.name)
        os.replace(partial, aside)
    cause = str(exc).strip().splitlines()[0]
    return WarehouseDamaged(
        f"warehouse {path} cannot be opened: its write-ahead log is damaged ({cause}). Nothing was loaded or "
        f"published. Copies of the warehouse and its WAL are in {aside}. To recover: keep those copies; move "
        f"{wal.name} out of the warehouse's folder (the warehouse then opens as of its last checkpoint, without the "
        f"loads the WAL held); run again: the loads the WAL held are named as lost, run them again")


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Everything inside commits together or, on any exception (even a KeyboardInterrupt), not at all."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        try:
            con.execute("ROLLBACK")
        except duckdb.Error:  # a write that failed (a full disk) may have ended the transaction: the error is the cause
            pass
        raise
    con.execute("COMMIT")


def reader_temp_dir() -> Path:
    """Where this process's snapshot readers spill a query too big for memory: a folder of its own in the system's
    temporary space. By default DuckDB spills beside the database, into `radar.duckdb.tmp/` in published/, a name
    the publisher's partial file once had; a reader never writes beside the snapshot (T40)."""
    return Path(tempfile.gettempdir()) / f"radar-reader-{os.getpid()}"


def connect_snapshot(path: Path, *, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """A sandboxed read-only connection to the published snapshot: no file, network or extension access, its
    spills in its own temporary folder, `memory_limit` if given (only the first connection of a process to that
    snapshot sets it: DuckDB hands later ones the same database)."""
    if not path.is_file():
        raise SnapshotMissing(f"no published snapshot at {path}: run 'radar demo' or 'radar run' first")
    con = duckdb.connect(
        str(path),
        read_only=True,
        config={
            "enable_external_access": False,
            "autoload_known_extensions": False,
            "autoinstall_known_extensions": False,
            "temp_directory": str(reader_temp_dir()),
        },
    )
    if con.execute("SELECT current_setting('lock_configuration')").fetchone()[0]:
        # This process already opened the file: DuckDB hands back the same, already sandboxed database.
        return con
    con.execute("SET TimeZone = 'UTC'")
    if memory_limit:
        con.execute("SET memory_limit = ?", [memory_limit])
    con.execute("SET lock_configuration = true")
    return con
