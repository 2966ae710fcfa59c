"""Read the published snapshot safely: sandboxed read-only connections, refreshed when a new file is published.

DuckDB caches database instances by path inside a process: while any connection to the old file is open, a new
`connect()` to the same path returns the OLD instance, even after the file was replaced. So the reader keeps one
connection per published version, lends it out, and only swaps to the new file once the old one is not in use.
A request that started on the old version finishes on it (its inode stays readable after the rename).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from warehouse.db import connect_snapshot

RESULTS_PER_VERSION = 512  # cached query results kept per published version (least recently used dropped)


def file_stamp(path: Path) -> tuple[int, int, int]:
    """Identity of the published version: a new publication is a new inode (os.replace)."""
    st = os.stat(path)
    return st.st_ino, st.st_mtime_ns, st.st_size


@dataclass
class _Version:
    stamp: tuple[int, int, int]
    con: duckdb.DuckDBPyConnection
    leases: int = 0
    memo: dict = field(default_factory=dict)  # derived tables of this version (Arrow), computed once
    memo_lock: threading.Lock = field(default_factory=threading.Lock)
    results: OrderedDict = field(default_factory=OrderedDict)  # query results of this version, most recent last


class SnapshotReader:
    def __init__(self, path: Path, warm: Callable[[Snapshot], object] | None = None):
        """`warm` runs in a background thread on each newly opened version (to precompute its derived tables),
        so that the first visitor after a publication does not wait for it."""
        self.path = Path(path)
        self._lock = threading.Lock()
        self._current: _Version | None = None
        self._warm = warm

    def _warm_up(self, version: _Version) -> None:
        cur = version.con.cursor()
        try:
            self._warm(Snapshot(cur, version.stamp, version))
        except duckdb.Error:
            pass  # the page that needs it will compute it, and show the error if there is one
        finally:
            cur.close()
            self._release(version)

    def stamp(self) -> tuple[int, int, int]:
        with self._lock:
            return self._current.stamp if self._current else file_stamp(self.path)

    def _acquire(self) -> _Version:
        with self._lock:
            cur = self._current
            on_disk = file_stamp(self.path) if self.path.exists() else None
            if cur is None or (on_disk is not None and on_disk != cur.stamp and cur.leases == 0):
                if cur is not None:
                    cur.con.close()
                    self._current = None
                stamp = file_stamp(self.path)
                self._current = cur = _Version(stamp, connect_snapshot(self.path))
                if self._warm is not None:
                    cur.leases += 1
                    threading.Thread(target=self._warm_up, args=(cur,), daemon=True, name="snapshot-warm").start()
            cur.leases += 1
            return cur

    def _release(self, version: _Version) -> None:
        with self._lock:
            version.leases -= 1

    @contextlib.contextmanager
    def cursor(self) -> Iterator[tuple[duckdb.DuckDBPyConnection, _Version]]:
        """A cursor on the current version (thread-safe: one cursor per caller) and that version."""
        version = self._acquire()
        cur = version.con.cursor()
        try:
            yield cur, version
        finally:
            cur.close()
            self._release(version)

    def close(self) -> None:
        with self._lock:
            if self._current is not None:
                self._current.con.close()
                self._current = None


class Snapshot:
    """What pages use: parameterised queries on one published version (a request sees one version only)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, stamp: tuple[int, int, int], version: _Version | None = None):
        self.con = con
        self.stamp = stamp
        self._version = version
        self._registered: set[str] = set()
        self._tables: frozenset[str] | None = None
        self._columns: dict[str, tuple[str, ...]] = {}

    def df(self, sql: str, params: list | tuple | None = None) -> pd.DataFrame:
        return self.con.execute(sql, list(params or [])).df()

    def rows(self, sql: str, params: list | tuple | None = None) -> list[dict]:
        cur = self.con.execute(sql, list(params or []))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]

    def scalar(self, sql: str, params: list | tuple | None = None):
        rows = self.con.execute(sql, list(params or [])).fetchall()  # fetch all: no result left open
        return rows[0][0] if rows else None

    def materialize(self, name: str, sql: str) -> str:
        """Register `name` as the result of `sql`, computed once per published version and kept in memory (Arrow),
        so that filtering and sorting a Paris-size table stays interactive. Returns `name`."""
        version = self._version
        if version is None:
            self.con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {sql}")
            return name
        with version.memo_lock:
            if name not in version.memo:
                version.memo[name] = self.con.sql(sql).to_arrow_table()
        if name not in self._registered:
            self.con.register(name, version.memo[name])
            self._registered.add(name)
        return name

    def cached(self, key: tuple, compute: Callable[[], object]):
        """`compute()`, remembered for this published version under `key` (a page's query and its parameters):
        every session and rerun reuses it until a new snapshot is published, which starts with an empty cache,
        so a result is always the snapshot's own. Results are shared: callers must not modify them."""
        version = self._version
        if version is None:
            return compute()
        with version.memo_lock:
            if key in version.results:
                version.results.move_to_end(key)
                return version.results[key]
        value = compute()  # outside the lock: two sessions may compute the same thing once, never block each other
        with version.memo_lock:
            version.results[key] = value
            while len(version.results) > RESULTS_PER_VERSION:
                version.results.popitem(last=False)
        return value

    def tables(self) -> frozenset[str]:
        if self._tables is None:
            self._tables = frozenset(r[0] for r in self.con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall())
        return self._tables

    def has(self, table: str) -> bool:
        return table in self.tables()

    def columns(self, table: str) -> tuple[str, ...]:
        if table not in self._columns:
            self._columns[table] = tuple(r[0] for r in self.con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = ? "
                "ORDER BY column_index", [table]).fetchall())
        return self._columns[table]


@contextlib.contextmanager
def open_snapshot(reader: SnapshotReader) -> Iterator[Snapshot]:
    with reader.cursor() as (cur, version):
        yield Snapshot(cur, version.stamp, version)
