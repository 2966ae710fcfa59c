"""Load one API source in ONE transaction: its rows (upserted on their key), its quarantine, its events, its
cursor in meta.source_state and the run ledger. A failure leaves the warehouse unchanged; a re-run is idempotent."""

from __future__ import annotations

import json
from importlib import resources

import duckdb
import pandas as pd

from warehouse import faults
from warehouse.db import transaction
from warehouse.state import get_state, set_state
from warehouse.load_sirene import _insert_frame, create_views, record_run

_BODACC_EVENTS_SQL = resources.files("warehouse.sql").joinpath("events_bodacc.sql").read_text(encoding="utf-8")
_INSEE_EVENTS_SQL = resources.files("warehouse.sql").joinpath("events_insee.sql").read_text(encoding="utf-8")


def apply_insee_deltas(con: duckdb.DuckDBPyConnection) -> None:
    """Provisional 'insee' events and current-state updates from the deltas the latest stock does not know yet.
    Idempotent; call it inside the transaction of every INSEE load and of every stock load."""
    con.execute(_INSEE_EVENTS_SQL)


def _upsert(con: duckdb.DuckDBPyConnection, table: str, key: str, frame: pd.DataFrame, **constants) -> int:
    """Replace the rows whose key is in the batch and whose content changed (the batch is already one row per
    key): an unchanged row keeps its run_id, so a re-run makes no net change. Returns the rows written."""
    if frame.empty:
        return 0
    cols = ", ".join(f'"{c}"' for c in frame.columns)
    con.register("_batch", frame)
    try:
        changed = con.execute(f"SELECT {key} FROM (SELECT {cols} FROM _batch EXCEPT SELECT {cols} FROM {table})"
                              ).fetchall()
    finally:
        con.unregister("_batch")
    frame = frame[frame[key].isin({r[0] for r in changed})]
    if frame.empty:
        return 0
    con.register("_keys", frame[[key]])
    try:
        con.execute(f"DELETE FROM {table} WHERE {key} IN (SELECT {key} FROM _keys)")
    finally:
        con.unregister("_keys")
    _insert_frame(con, table, frame, **constants)
    return len(frame)


def _quarantine(con: duckdb.DuckDBPyConnection, run_id: str, frame: pd.DataFrame) -> None:
    """The latest rejection of a (source, entity, key, rule) replaces an earlier one: re-runs stay idempotent."""
    if len(frame):
        con.register("_q", frame)
        try:
            con.execute("""DELETE FROM quarantine.api q USING _q
                           WHERE q.source = _q.source AND q.entity = _q.entity AND q.rule = _q.rule
                             AND q.key IS NOT DISTINCT FROM _q.key""")
        finally:
            con.unregister("_q")
        _insert_frame(con, "quarantine.api", frame, run_id=run_id)


def _transaction(con: duckdb.DuckDBPyConnection, run_id: str, flow: str, started_at, counts: dict, body) -> dict:
    with transaction(con):
        create_views(con)
        body()
        faults.checkpoint("mid_load")
        record_run(con, run_id, flow, started_at, "success", counts=counts)
        faults.checkpoint("before_commit")
    return counts


def load_recherche(con: duckdb.DuckDBPyConnection, *, run_id: str, started_at, enrichment: pd.DataFrame,
                   quarantine: pd.DataFrame, counts: dict, fetched_at) -> dict:
    def body():
        _upsert(con, "api.company_enrichment", "siren", enrichment, fetched_at=fetched_at, run_id=run_id)
        _quarantine(con, run_id, quarantine)  # when it last ran is in the ledger (meta.run)

    return _transaction(con, run_id, "api_recherche", started_at, counts, body)


def _upsert_newer(con: duckdb.DuckDBPyConnection, table: str, key: str, frame: pd.DataFrame, run_id: str) -> None:
    """Upsert on `key`, an older version never replacing a newer one (a late page of an old run)."""
    if frame is None or frame.empty:
        return
    con.register("_d", frame)
    try:
        fresh = con.execute(f"""SELECT d.{key} FROM _d d LEFT JOIN {table} t USING ({key})
                                WHERE t.{key} IS NULL OR t.last_processed_at IS NULL
                                   OR t.last_processed_at <= d.last_processed_at""").df()[key]
    finally:
        con.unregister("_d")
    _upsert(con, table, key, frame[frame[key].isin(set(fresh))], run_id=run_id)


def load_insee(con: duckdb.DuckDBPyConnection, *, run_id: str, started_at, deltas: pd.DataFrame,
               quarantine: pd.DataFrame, cursor: str | None, counts: dict,
               companies: pd.DataFrame | None = None) -> dict:
    """Deltas upserted on SIRET and their legal unit blocks on SIREN, then events and current state."""
    def body():
        _upsert_newer(con, "api.insee_establishment_delta", "siret", deltas, run_id)
        _upsert_newer(con, "api.insee_company_delta", "siren", companies, run_id)
        _quarantine(con, run_id, quarantine)
        apply_insee_deltas(con)
        previous = get_state(con, "insee", "cursor")
        set_state(con, "insee", "cursor", max(filter(None, [previous, cursor]), default=None))

    return _transaction(con, run_id, "api_insee", started_at, counts, body)


def load_bodacc(con: duckdb.DuckDBPyConnection, *, run_id: str, started_at, notices: pd.DataFrame,
                quarantine: pd.DataFrame, counts: dict) -> dict:
    """Notices upserted; cancellations and events recomputed over every notice (a rectificatif may arrive
    runs after the notice it corrects); the cursor is the latest publication date loaded."""
    def body():
        _upsert(con, "api.bodacc_notice", "notice_id", notices, run_id=run_id)
        _quarantine(con, run_id, quarantine)
        con.execute("""
            UPDATE api.bodacc_notice SET is_cancelled = notice_type = 'annulation' OR notice_id IN (
                SELECT previous_notice_id FROM api.bodacc_notice
                WHERE notice_type IN ('rectificatif', 'annulation') AND previous_notice_id IS NOT NULL)""")
        con.execute(_BODACC_EVENTS_SQL)
        latest = con.execute("SELECT max(published_on) FROM api.bodacc_notice").fetchone()[0]
        set_state(con, "bodacc", "cursor", latest.isoformat() if latest else None)

    return _transaction(con, run_id, "api_bodacc", started_at, counts, body)


def record_source_failure(con: duckdb.DuckDBPyConnection, run_id: str, flow: str, started_at, message: str,
                          counts: dict | None = None) -> None:
    record_run(con, run_id, flow, started_at, "failed", counts=counts, message=message[:2000])


def source_counts(con: duckdb.DuckDBPyConnection) -> dict:
    return {t: con.execute(f"SELECT count(*) FROM api.{t}").fetchone()[0]
            for t in ("company_enrichment", "insee_establishment_delta", "bodacc_notice")} | {
        "quarantine": con.execute("SELECT count(*) FROM quarantine.api").fetchone()[0],
        "bodacc_events": json.loads(json.dumps(dict(con.execute(
            "SELECT kind, count(*) FROM core.event WHERE source = 'bodacc' GROUP BY 1 ORDER BY 1").fetchall())))}
