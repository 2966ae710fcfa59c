"""What every flow's steps share: run ids, the warehouse made ready, the outcome of a run that did not load, the
snapshot published, small JSON files written atomically."""

from __future__ import annotations

import json
import os
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

from radar.config import Territory, Workdir
from radar.errors import RadarError
from warehouse.db import connect_writer
from warehouse.ledger import record_run, runs_since
from warehouse.migrate import migrate
from warehouse.publish import publish_snapshot

# A scan in progress lands here first; a folder left by a killed run is removed by the next one.
SCANNING_PREFIX = ".scanning-"


class InputError(RadarError, ValueError):
    """A problem the user can fix (missing file, bad month): reported as one line."""


def new_run_id() -> str:
    """Time first (runs sort by it), then a random suffix: two runs never share an id or a landing folder."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:8]


def prepare_warehouse(workdir: Workdir) -> list[str]:
    """The working directory made, a killed run's leftovers removed, pending migrations applied."""
    workdir.ensure()
    cleanup_tmp_files(workdir)
    with connect_writer(workdir.warehouse) as con:
        return migrate(con)


def cleanup_tmp_files(workdir: Workdir) -> None:
    """Leftovers of a run killed while writing: never a final name, always `*.tmp` or a scan folder."""
    for tmp in list(workdir.landing.rglob("*.tmp")) + list(workdir.published.parent.glob("*.tmp*")):
        tmp.unlink(missing_ok=True)
    for scanning in (workdir.landing / "sirene").glob(f"{SCANNING_PREFIX}*"):
        shutil.rmtree(scanning, ignore_errors=True)


def publish(workdir: Workdir, territory: Territory) -> str:
    with connect_writer(workdir.warehouse) as con:
        return str(publish_snapshot(con, workdir.published, territory_name=territory.name))


def record_outcome(workdir: Workdir, run_id: str, flow: str, started_at: datetime, status: str, *,
                   month: str | None = None, counts: dict | None = None, message: str | None = None) -> None:
    """Ledger rows for runs that did not load (unchanged input, failure): in their own small transaction, after
    any failed load was rolled back."""
    with connect_writer(workdir.warehouse) as con:
        record_run(con, run_id, flow, started_at, status, month=month, counts=counts, message=message)


def write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, default=str))
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
