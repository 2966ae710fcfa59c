"""What every flow's steps share: run ids, the warehouse made ready, the outcome of a run that did not load, the
snapshot published, small JSON files written atomically."""

from __future__ import annotations

import json
import os
import shutil
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

from radar.config import Territory, Workdir
from radar.errors import RadarError
from warehouse import faults
from warehouse.db import connect_writer
from warehouse.disk import check_free_space
from warehouse.journal import forget, lost_runs, was_committed
from warehouse.ledger import record_run, runs_since
from warehouse.migrate import migrate
from warehouse.publish import publish_snapshot, remove_partial

# A scan in progress lands here first; a folder left by a killed run is removed by the next one.
SCANNING_PREFIX = ".scanning-"


class InputError(RadarError, ValueError):
    """A problem the user can fix (missing file, bad month): reported as one line."""


class CommittedButUnfinished(RadarError):
    """A load committed (the ledger says success), then something failed: the data is safe, what follows was not
    done. Never recorded as a failed run."""


class SnapshotNotRefreshed(RadarError):
    """The warehouse is as the run left it, but the new snapshot could not be published."""


def new_run_id() -> str:
    """Time first (runs sort by it), then a random suffix: two runs never share an id or a landing folder."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:8]


def prepare_warehouse(workdir: Workdir) -> list[str]:
    """The working directory made, a killed run's leftovers removed, enough free space, pending migrations
    applied, and loads reported committed but missing from the warehouse named (a cut WAL, T16a)."""
    workdir.ensure()
    cleanup_tmp_files(workdir)
    check_free_space(workdir.root)
    with connect_writer(workdir.warehouse) as con:
        applied = migrate(con)
        report_lost_runs(con, workdir)
    return applied


def report_lost_runs(con, workdir: Workdir) -> None:
    """Each load the commit journal names and the ledger lacks: said on stderr and recorded in the ledger as
    `lost` (published with the runs), then forgotten by the journal. Running the same load again brings the data
    back: a stock month is not loaded any more, an API source's cursor went back with its data."""
    lost = lost_runs(con, workdir.warehouse)
    for run in lost:
        what = f"{run['flow']}" + (f" of {run['month']}" if run.get("month") else "")
        message = (f"the warehouse lost a committed load: {what} (run {run['run_id']}, committed at "
                   f"{run['committed_at']}); its write-ahead log was cut. Run that load again")
        record_run(con, run["run_id"], run["flow"], datetime.now(UTC), "lost", month=run.get("month"),
                   message=message)
        print(f"radar: warning: {message}", file=sys.stderr, flush=True)
    if lost:
        forget(workdir.warehouse, {r["run_id"] for r in lost})


def cleanup_tmp_files(workdir: Workdir) -> None:
    """Leftovers of a run killed while writing: never a final name, always `*.tmp` (a file, or a folder) or a
    scan folder. Beside the snapshot, only the publisher's own: a reader's spill folder is the reader's."""
    for tmp in workdir.landing.rglob("*.tmp"):
        if tmp.is_dir() and not tmp.is_symlink():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)
    remove_partial(workdir.published)
    for scanning in (workdir.landing / "sirene").glob(f"{SCANNING_PREFIX}*"):
        shutil.rmtree(scanning, ignore_errors=True)


def publish(workdir: Workdir, territory: Territory) -> str:
    """The new snapshot, or SnapshotNotRefreshed saying that what the run committed stays committed."""
    try:
        with connect_writer(workdir.warehouse) as con:
            return str(publish_snapshot(con, workdir.published, territory_name=territory.name))
    except Exception as exc:
        raise SnapshotNotRefreshed(
            f"the snapshot was not refreshed ({cause_of(exc)}); what this run committed stays in the warehouse and the "
            f"previous snapshot stays published. Fix the cause and run the same command again: committed loads are "
            f"not repeated, and the snapshot is published") from exc


def cause_of(exc: BaseException) -> str:
    """An error on one line: a user's error as it is, anything else with its type (DuckDB's span several lines)."""
    text = " ".join(str(exc).split())
    return text if isinstance(exc, RadarError) else f"{type(exc).__name__}: {text}"


def committed_but_unfinished(workdir: Workdir, run_id: str, what: str, exc: BaseException) -> Exception:
    """`exc` as it is when it happened before the run's COMMIT; else the error that says the data is safe."""
    if isinstance(exc, CommittedButUnfinished) or not was_committed(workdir.warehouse, run_id):
        return exc
    return CommittedButUnfinished(
        f"{what} is loaded and committed (the ledger says success), but then: {cause_of(exc)}. The snapshot was not "
        f"refreshed. To finish, fix the cause (free disk space) and run the same command again: the load is "
        f"recognised as done and the snapshot is published")


def record_failure(workdir: Workdir, run_id: str, flow: str, started_at: datetime, exc: BaseException, *,
                   month: str | None = None) -> None:
    """The failed run in the ledger, unless its load committed; never raises over the error it records (a full
    disk, a damaged warehouse: then the ledger cannot be written, and the error says why)."""
    if isinstance(exc, CommittedButUnfinished):
        return
    try:
        record_outcome(workdir, run_id, flow, started_at, "failed", month=month,
                       message=f"{type(exc).__name__}: {exc}"[:2000])
    except Exception:  # noqa: BLE001 - the original error is the one to report
        pass


def record_outcome(workdir: Workdir, run_id: str, flow: str, started_at: datetime, status: str, *,
                   month: str | None = None, counts: dict | None = None, message: str | None = None) -> None:
    """Ledger rows for runs that did not load (unchanged input, failure): in their own small transaction, after
    any failed load was rolled back."""
    with connect_writer(workdir.warehouse) as con:
        record_run(con, run_id, flow, started_at, status, month=month, counts=counts, message=message)


def write_json(path: Path, data: dict) -> None:
    write_atomic(path, json.dumps(data, indent=2, default=str).encode())


def write_atomic(path: Path, data: bytes, *, fault_point: str = "landing_write") -> None:
    """A landing file is whole under its final name or absent: a kill leaves only `*.tmp`, which the next run's
    `cleanup_tmp_files` removes."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    faults.checkpoint(fault_point)
    os.replace(tmp, path)


# The four counts of a ledger row, whatever each source calls them.
COUNT_KEYS = {"fetched": ("fetched", "rows_in", "items"), "loaded": ("loaded", "inserted"),
              "quarantined": ("quarantined",), "deduplicated": ("deduplicated", "duplicates")}


def counts_table(runs: list[dict]) -> list[dict]:
    """One row per source (flow / entity) of the run ledger, with the four counts when the source reports them."""
    table = []
    for run in runs:
        counts = run.get("counts") or {}
        counts = json.loads(counts) if isinstance(counts, str) else counts
        entities = {k: v for k, v in counts.items() if isinstance(v, dict)} or {"": counts}
        for entity, values in entities.items():
            row = {"source": f"{run['flow']}/{entity}".rstrip("/"), "status": run["status"],
                   "month": run.get("month") or ""}
            for column, keys in COUNT_KEYS.items():
                row[column] = next((values[k] for k in keys if isinstance(values.get(k), int)), None)
            table.append(row)
    return table


def ledger_counts(workdir: Workdir, started: datetime) -> list[dict]:
    """The counts table of the runs recorded since `started`, whatever flow wrote them."""
    with connect_writer(workdir.warehouse) as con:
        return counts_table(runs_since(con, started))
