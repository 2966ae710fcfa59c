"""Load one month of the SIRENE stock into the warehouse in ONE transaction: monthly states, current state,
events of that month and of the next loaded one, quarantine, stock-file provenance and the run ledger."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import pandas as pd
import pyarrow as pa

from radar.config import Territory
from radar.months import month_date
from warehouse import faults
from warehouse.checks import run_checks
from warehouse.current_state import apply_insee_deltas, refresh_current_state
from warehouse.db import transaction
from warehouse.events import derive_events
from warehouse.frames import insert_frame
from warehouse.journal import record_commit
from warehouse.ledger import record_run
from warehouse.plausibility import check_plausible, thresholds
from warehouse.reference import load_reference
from warehouse.views import create_views


@dataclass(frozen=True)
class StockProvenance:
    etablissements_file: str
    etablissements_sha256: str
    etablissements_bytes: int
    unites_legales_file: str
    unites_legales_sha256: str
    unites_legales_bytes: int


def _as_arrow(frame: pd.DataFrame | pa.Table) -> pa.Table:
    return frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame, preserve_index=False)


def loaded_stock(con: duckdb.DuckDBPyConnection, month: str) -> StockProvenance | None:
    """The stock files the month was loaded from, or None if it is not loaded from a stock (a month
    reconstructed from the historical file is not)."""
    row = con.execute(
        "SELECT etablissements_file, etablissements_sha256, etablissements_bytes, unites_legales_file, "
        "unites_legales_sha256, unites_legales_bytes FROM meta.stock_month WHERE month = ? AND source = 'stock'",
        [month_date(month)],
    ).fetchone()
    return StockProvenance(*row) if row else None


def load_stock_month(
    con: duckdb.DuckDBPyConnection,
    *,
    month: str,
    run_id: str,
    started_at,
    territory: Territory,
    establishments: pd.DataFrame | pa.Table,
    companies: pd.DataFrame | pa.Table,
    quarantine: pd.DataFrame | pa.Table,
    provenance: Callable[[], StockProvenance],
    counts: dict,
    accept_drop: bool = False,
    notes: list[str] = (),
) -> dict:
    """Replace `month` by this data; everything commits together or nothing does. The plausibility gate runs
    first, before anything is written. `provenance` is called once the monthly rows and the current state are
    written (the files' hashes may still be being computed until then). `notes` (a forced month, an accepted drop)
    go to the ledger's message."""
    m = month_date(month)
    with transaction(con):
        accepted = check_plausible(con, m, counts, _as_arrow(quarantine), thresholds(territory),
                                   accept_drop=accept_drop)
        notes = [*notes, *([accepted] if accepted else [])]
        load_reference(con, territory)
        create_views(con)
        con.execute("DELETE FROM core.establishment_monthly WHERE month = ?", [m])
        insert_frame(con, "core.establishment_monthly", establishments, month=m)
        con.execute("DELETE FROM core.company_monthly WHERE month = ?", [m])
        insert_frame(con, "core.company_monthly", companies, month=m)
        faults.checkpoint("mid_load")
        con.execute("DELETE FROM quarantine.sirene WHERE month = ?", [m])
        if len(quarantine):
            insert_frame(con, "quarantine.sirene", quarantine, month=m, run_id=run_id)
        refresh_current_state(con)
        # Provenance first: it also tells derive_events that this month (maybe reconstructed until now) is a stock.
        provenance = provenance()
        con.execute("DELETE FROM meta.stock_month WHERE month = ?", [m])
        con.execute(
            """INSERT INTO meta.stock_month (month, run_id, loaded_at, etablissements_file, etablissements_sha256,
                   etablissements_bytes, unites_legales_file, unites_legales_sha256, unites_legales_bytes, counts,
                   source) VALUES (?, ?, now(), ?, ?, ?, ?, ?, ?, ?, 'stock')""",
            [m, run_id, provenance.etablissements_file, provenance.etablissements_sha256,
             provenance.etablissements_bytes, provenance.unites_legales_file, provenance.unites_legales_sha256,
             provenance.unites_legales_bytes, json.dumps(counts)],
        )
        derive_events(con, m)
        # INSEE deltas the new stock now covers stop counting as provisional events.
        apply_insee_deltas(con)
        record_run(con, run_id, "sirene_month", started_at, "success", month=month, counts=counts,
                   message="; ".join(notes) or None)
        run_checks(con)
        faults.checkpoint("before_commit")
    record_commit(con, run_id, "sirene_month", month)
    return counts


