"""The commit journal (T16a): after a load's COMMIT, and before the run reports success, one line naming the run is
appended to `warehouse.duckdb.commits` and synced to disk.

DuckDB opens a warehouse whose write-ahead log was cut without a word, and without the batches the cut part held.
The journal is the record of what was reported committed, outside the database: a run it names that the ledger
(meta.run) does not hold was lost. The journal also tells a failure after COMMIT (the batch is safe) from one
before it (nothing was written)."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from warehouse import faults

KEPT_LINES = 1000  # a WAL only ever holds the latest loads: older lines can go


def journal_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".commits")


def _warehouse_of(con: duckdb.DuckDBPyConnection) -> Path:
    path = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()[0]
    return Path(path)


def record_commit(con: duckdb.DuckDBPyConnection, run_id: str, flow: str, month: str | None = None) -> None:
    """Call right after COMMIT. The `after_commit` fault point follows it: a failure there is after the commit."""
    entry = {"run_id": run_id, "flow": flow, "month": month, "committed_at": datetime.now(UTC).isoformat()}
    with open(journal_path(_warehouse_of(con)), "a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    faults.checkpoint("after_commit")


def _entries(warehouse: Path) -> list[dict]:
    try:
        lines = journal_path(warehouse).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    entries = []
    for line in lines:
        try:
            entries.append(json.loads(line))
        except ValueError:  # a line cut by a crash while it was appended: its run never reported success
            continue
    return entries


def was_committed(warehouse: Path, run_id: str) -> bool:
    return any(e.get("run_id") == run_id for e in _entries(warehouse))


def lost_runs(con: duckdb.DuckDBPyConnection, warehouse: Path) -> list[dict]:
    """Runs the journal says were committed and the ledger does not hold."""
    entries = _entries(warehouse)
    if not entries:
        return []
    held = {r for (r,) in con.execute("SELECT run_id FROM meta.run WHERE status = 'success' AND run_id IN "
                                      "(SELECT unnest(?::VARCHAR[]))", [[e["run_id"] for e in entries]]).fetchall()}
    return [e for e in entries if e["run_id"] not in held]


def forget(warehouse: Path, run_ids: set[str]) -> None:
    """The journal without these runs (once the ledger records their loss), and without its oldest lines."""
    kept = [e for e in _entries(warehouse) if e.get("run_id") not in run_ids][-KEPT_LINES:]
    path = journal_path(warehouse)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("".join(json.dumps(e) + "\n" for e in kept), encoding="utf-8")
    os.replace(tmp, path)
