"""Safe reading (T18, T19, T33): the dashboard's reader follows publications without a restart, a request in
flight keeps its version, the working warehouse is never opened, and the connection is sandboxed."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import duckdb
import pytest

from dashboard.snapshot import SnapshotReader, open_snapshot
from warehouse.db import connect_writer


def publish(path: Path, rows: int) -> None:
    """What warehouse.publish does: write a new file beside the old one, then rename it over."""
    tmp = path.with_name(path.name + ".tmp")
    con = duckdb.connect(str(tmp))
    con.execute("CREATE TABLE company AS SELECT range::VARCHAR AS siren FROM range(?)", [rows])
    con.close()
    os.replace(tmp, path)


def count(reader: SnapshotReader) -> int:
    with open_snapshot(reader) as snap:
        return snap.scalar("SELECT count(*) FROM company")


def test_new_publication_is_picked_up_and_a_request_in_flight_keeps_its_version(tmp_path):
    path = tmp_path / "published" / "radar.duckdb"
    path.parent.mkdir()
    publish(path, 10)
    reader = SnapshotReader(path)
    assert count(reader) == 10
    with open_snapshot(reader) as during:  # a page being drawn while the flow publishes
        publish(path, 20)
        assert during.scalar("SELECT count(*) FROM company") == 10
        assert count(reader) == 10  # the old version is still lent out: no mixture within the process
    assert count(reader) == 20  # next request: the new snapshot, no restart
    publish(path, 30)
    assert count(reader) == 30
    reader.close()


def test_cached_results_belong_to_their_version(tmp_path):
    """Page queries are remembered per published version: reused until a new snapshot is published, never
    carried over to it; frames are handed out as copies (pages add display columns)."""
    from dashboard.queries import per_snapshot

    calls = []

    @per_snapshot
    def sirens(s, limit):
        calls.append(limit)
        return s.df("SELECT siren FROM company ORDER BY siren::INT LIMIT ?", [limit])

    path = tmp_path / "radar.duckdb"
    publish(path, 10)
    reader = SnapshotReader(path)
    with open_snapshot(reader) as snap:
        first = sirens(snap, 100)
        first["added by a page"] = 1
    with open_snapshot(reader) as snap:
        again = sirens(snap, 100)
        assert len(again) == 10 and list(again.columns) == ["siren"] and calls == [100]
        assert len(sirens(snap, 5)) == 5 and calls == [100, 5]  # other parameters: another result
    publish(path, 20)
    with open_snapshot(reader) as snap:
        assert len(sirens(snap, 100)) == 20 and calls == [100, 5, 100]  # a new snapshot: computed afresh
    reader.close()


def test_readers_in_threads_only_see_complete_versions(tmp_path):
    path = tmp_path / "radar.duckdb"
    publish(path, 1000)
    reader, seen, errors, stop = SnapshotReader(path), set(), [], threading.Event()

    def loop():
        while not stop.is_set():
            try:
                seen.add(count(reader))
            except Exception as exc:  # noqa: BLE001 - any failure of a reader is what we look for
                errors.append(exc)

    threads = [threading.Thread(target=loop) for _ in range(3)]
    for t in threads:
        t.start()
    for rows in (2000, 3000, 4000):
        publish(path, rows)
    stop.set()
    for t in threads:
        t.join()
    assert not errors and seen <= {1000, 2000, 3000, 4000}
    assert count(reader) == 4000
    reader.close()


def test_the_writer_is_never_blocked_by_the_dashboard(tmp_path):
    """T19 from the dashboard's side: it holds the snapshot, never the warehouse, so a load opens at once."""
    published = tmp_path / "published" / "radar.duckdb"
    published.parent.mkdir()
    publish(published, 5)
    reader = SnapshotReader(published)
    with open_snapshot(reader):
        with connect_writer(tmp_path / "warehouse.duckdb", lock_timeout=0.5) as con:
            con.execute("CREATE TABLE t AS SELECT 1")
    reader.close()
    source = "\n".join(p.read_text() for p in (Path(__file__).parents[2] / "dashboard").rglob("*.py"))
    assert "connect_writer" not in source and "warehouse.duckdb" not in source and "duckdb.connect(" not in source


@pytest.mark.parametrize("statement", [
    "SELECT * FROM read_csv('/etc/passwd')",
    "ATTACH '/tmp/x.db' AS x",
    "INSTALL httpfs",
    "COPY company TO '/tmp/leak.csv'",
    "DROP TABLE company",
    "SET enable_external_access = true",
])
def test_the_dashboard_connection_is_sandboxed(tmp_path, statement):
    """T33: on the dashboard's connection, file reads, ATTACH, INSTALL, writes and unlocking are refused."""
    path = tmp_path / "radar.duckdb"
    publish(path, 3)
    reader = SnapshotReader(path)
    with open_snapshot(reader) as snap:
        with pytest.raises(duckdb.Error):
            snap.con.execute(statement)
        assert snap.scalar("SELECT count(*) FROM company") == 3
    reader.close()
    assert not Path("/tmp/leak.csv").exists()
