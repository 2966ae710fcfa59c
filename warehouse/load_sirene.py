"""Load one month of the SIRENE stock into the warehouse in ONE transaction: monthly states, current state,
events of that month and of the next loaded one, quarantine, stock-file provenance and the run ledger."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from collections.abc import Callable
from importlib import resources

import duckdb
import pandas as pd
import pyarrow as pa

from radar.config import Territory
from warehouse import faults
from warehouse.db import ROW_GROUP_SIZE, transaction
from warehouse.reference import load_reference

_EVENTS_SQL = resources.files("warehouse.sql").joinpath("events_sirene.sql").read_text(encoding="utf-8")
# Months reconstructed from StockEtablissementHistorique have no addresses nor headcounts of their own.
_HISTORY_EVENTS_SQL = resources.files("warehouse.sql").joinpath("events_historique.sql").read_text(encoding="utf-8")


@dataclass(frozen=True)
class StockProvenance:
    etablissements_file: str
    etablissements_sha256: str
    etablissements_bytes: int
    unites_legales_file: str
    unites_legales_sha256: str
    unites_legales_bytes: int


def month_date(month: str) -> date:
    year, mon = month.split("-")
    return date(int(year), int(mon), 1)


def create_views(con: duckdb.DuckDBPyConnection) -> None:
    """views.sql first, then each source's views_<source>.sql (they may build on the registry views)."""
    files = sorted((f for f in resources.files("warehouse.sql").iterdir()
                    if f.name.startswith("views") and f.name.endswith(".sql")), key=lambda f: (f.name != "views.sql", f.name))
    for f in files:
        con.execute(f.read_text(encoding="utf-8"))


def loaded_stock(con: duckdb.DuckDBPyConnection, month: str) -> StockProvenance | None:
    """The stock files the month was loaded from, or None if it is not loaded from a stock (a month
    reconstructed from the historical file is not)."""
    row = con.execute(
        "SELECT etablissements_file, etablissements_sha256, etablissements_bytes, unites_legales_file, "
        "unites_legales_sha256, unites_legales_bytes FROM meta.stock_month WHERE month = ? AND source = 'stock'",
        [month_date(month)],
    ).fetchone()
    return StockProvenance(*row) if row else None


def _insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame | pa.Table,
                  **constants) -> None:
    """Insert a pandas frame or an Arrow table by column name, with `constants` as extra columns."""
    extra = "".join(f", ? AS {name}" for name in constants)
    if isinstance(frame, pa.Table):
        # One batch per row group: DuckDB then compresses and writes them from parallel threads.
        frame = pa.Table.from_batches(frame.combine_chunks().to_batches(max_chunksize=ROW_GROUP_SIZE),
                                      frame.schema)
    con.register("_batch", frame)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT *{extra} FROM _batch", list(constants.values()))
    finally:
        con.unregister("_batch")


def _target_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    schema, name = table.split(".")
    return [r[0] for r in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? ORDER BY column_index",
        [schema, name]).fetchall()]


def refresh_current_state(con: duckdb.DuckDBPyConnection) -> None:
    """Latest loaded month wins for every SIRET ever in the territory and for their companies, whatever the
    order in which months were loaded. INSEE deltas newer than it are applied afterwards (apply_insee_deltas).

    The current state is rebuilt whole (it is what the monthly rows say): the latest month of each key is found
    on the key columns alone, then its row is joined back, rather than sorting every column in a window."""
    cols = ", ".join(f'"{c}"' for c in _target_columns(con, "core.establishment"))
    con.execute("DELETE FROM core.establishment")
    con.execute(f"""
        INSERT INTO core.establishment ({cols})
        SELECT {cols} FROM (
            SELECT m.*, m.month AS last_seen_month, 'sirene' AS state_source, latest.first_seen_month
            FROM core.establishment_monthly m
            JOIN (SELECT siret, max(month) AS month, min(month) FILTER (WHERE in_territory) AS first_seen_month
                  FROM core.establishment_monthly GROUP BY siret HAVING bool_or(in_territory)) latest
              USING (siret, month)
        )""")
    cols = ", ".join(f'"{c}"' for c in _target_columns(con, "core.company"))
    con.execute("DELETE FROM core.company")
    con.execute(f"""
        INSERT INTO core.company ({cols})
        SELECT {cols} FROM (
            SELECT m.*, m.month AS last_seen_month, 'sirene' AS state_source
            FROM core.company_monthly m
            JOIN (SELECT siren, max(month) AS month FROM core.company_monthly
                  WHERE siren IN (SELECT siren FROM core.establishment) GROUP BY siren) latest
              USING (siren, month)
        )""")


def derive_events(con: duckdb.DuckDBPyConnection, *changed: date) -> list[date]:
    """Re-derive the registry events of the `changed` months and of the loaded month after each (its comparison
    base changed). Reconstructed months (meta.stock_month.source = 'historique', written before this is called)
    get the reduced comparison, creations, closures, activity changes, all in one statement."""
    months = [r[0] for r in con.execute(
        "SELECT DISTINCT month FROM core.establishment_monthly ORDER BY month").fetchall()]
    reconstructed = {r[0] for r in con.execute(
        "SELECT month FROM meta.stock_month WHERE source = 'historique'").fetchall()}
    targets = set(changed)
    for month in changed:
        targets.update([m for m in months if m > month][:1])
    targets = sorted(targets)
    con.execute("DELETE FROM core.event WHERE source = 'sirene' AND month IN (SELECT unnest(?::DATE[]))", [targets])
    pairs = [(max(earlier), cur) for cur in targets if (earlier := [m for m in months if m < cur])]
    rebuilt = [(prev, cur) for prev, cur in pairs if cur in reconstructed]
    if rebuilt:
        con.execute(_HISTORY_EVENTS_SQL, {"prev": [p for p, _ in rebuilt], "cur": [c for _, c in rebuilt]})
    for prev, cur in pairs:
        if cur not in reconstructed:
            con.execute(_EVENTS_SQL, {"prev": prev, "cur": cur})
    return targets


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
) -> dict:
    """Replace `month` by this data; everything commits together or nothing does. `provenance` is called once
    the monthly rows and the current state are written (the files' hashes may still be being computed until
    then)."""
    m = month_date(month)
    with transaction(con):
        load_reference(con, territory)
        create_views(con)
        con.execute("DELETE FROM core.establishment_monthly WHERE month = ?", [m])
        _insert_frame(con, "core.establishment_monthly", establishments, month=m)
        con.execute("DELETE FROM core.company_monthly WHERE month = ?", [m])
        _insert_frame(con, "core.company_monthly", companies, month=m)
        faults.checkpoint("mid_load")
        con.execute("DELETE FROM quarantine.sirene WHERE month = ?", [m])
        if len(quarantine):
            _insert_frame(con, "quarantine.sirene", quarantine, month=m, run_id=run_id)
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
        from warehouse.load_api import apply_insee_deltas

        apply_insee_deltas(con)
        record_run(con, run_id, "sirene_month", started_at, "success", month=month, counts=counts)
        faults.checkpoint("before_commit")
    faults.checkpoint("after_commit")
    return counts


def record_run(con: duckdb.DuckDBPyConnection, run_id: str, flow: str, started_at, status: str, *,
               month: str | None = None, counts: dict | None = None, message: str | None = None) -> None:
    con.execute(
        "INSERT INTO meta.run VALUES (?, ?, ?, now(), ?, ?, ?, ?)",
        [run_id, flow, started_at, status, month_date(month) if month else None,
         json.dumps(counts) if counts is not None else None, message],
    )

