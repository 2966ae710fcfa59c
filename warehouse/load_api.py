"""Load one API source in ONE transaction: its rows (upserted on their key), its quarantine, its events, its
cursor in meta.source_state and the run ledger. A failure leaves the warehouse unchanged; a re-run is idempotent."""

from __future__ import annotations

import duckdb
import pandas as pd

from warehouse import faults
from warehouse.checks import run_checks
from warehouse.current_state import apply_insee_deltas
from warehouse.db import transaction
from warehouse.frames import insert_frame, registered
from warehouse.journal import record_commit
from warehouse.ledger import record_run
from warehouse.sql import execute_sql
from warehouse.state import get_state, set_state
from warehouse.upsert import upsert
from warehouse.views import create_views


def _quarantine(con: duckdb.DuckDBPyConnection, run_id: str, frame: pd.DataFrame) -> None:
    """The latest rejection of a (source, entity, key, rule) replaces an earlier one: re-runs stay idempotent."""
    if len(frame):
        with registered(con, "_q", frame):
            con.execute("""DELETE FROM quarantine.api q USING _q
                           WHERE q.source = _q.source AND q.entity = _q.entity AND q.rule = _q.rule
                             AND q.key IS NOT DISTINCT FROM _q.key""")
        insert_frame(con, "quarantine.api", frame, run_id=run_id)


def _transaction(con: duckdb.DuckDBPyConnection, run_id: str, flow: str, started_at, counts: dict, body) -> dict:
    with transaction(con):
        create_views(con)
        body()
        faults.checkpoint("mid_load")
        record_run(con, run_id, flow, started_at, "success", counts=counts)
        run_checks(con)
        faults.checkpoint("before_commit")
    record_commit(con, run_id, flow)
    return counts


def load_recherche(con: duckdb.DuckDBPyConnection, *, run_id: str, started_at, enrichment: pd.DataFrame,
                   quarantine: pd.DataFrame, counts: dict, fetched_at) -> dict:
    def body():
        upsert(con, "api.company_enrichment", "siren", enrichment, fetched_at=fetched_at, run_id=run_id)
        _quarantine(con, run_id, quarantine)  # when it last ran is in the ledger (meta.run)

    return _transaction(con, run_id, "api_recherche", started_at, counts, body)


def load_insee(con: duckdb.DuckDBPyConnection, *, run_id: str, started_at, deltas: pd.DataFrame,
               quarantine: pd.DataFrame, cursor: str | None, counts: dict,
               companies: pd.DataFrame | None = None) -> dict:
    """Deltas upserted on SIRET and their legal unit blocks on SIREN, then events and current state."""
    def body():
        upsert(con, "api.insee_establishment_delta", "siret", deltas, newer_only=True, run_id=run_id)
        upsert(con, "api.insee_company_delta", "siren", companies, newer_only=True, run_id=run_id)
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
        upsert(con, "api.bodacc_notice", "notice_id", notices, run_id=run_id)
        _quarantine(con, run_id, quarantine)
        con.execute("""
            UPDATE api.bodacc_notice SET is_cancelled = notice_type = 'annulation' OR notice_id IN (
                SELECT previous_notice_id FROM api.bodacc_notice
                WHERE notice_type IN ('rectificatif', 'annulation') AND previous_notice_id IS NOT NULL)""")
        execute_sql(con, "events_bodacc.sql")
        latest = con.execute("SELECT max(published_on) FROM api.bodacc_notice").fetchone()[0]
        set_state(con, "bodacc", "cursor", latest.isoformat() if latest else None)

    return _transaction(con, run_id, "api_bodacc", started_at, counts, body)

