"""Reconstruct months before the first stock from INSEE's historical establishment file, in ONE transaction.

A reconstructed month holds, for every SIRET of the stock month it is based on (the earliest loaded stock), the
period of StockEtablissementHistorique in effect at the month's end: state, activity, signs, employer flag.
What that file does not keep comes from the base stock: the address and territory membership (a SIRET never
moves: a move is a new SIRET), the creation date, the diffusion status; headcounts are unknown (NULL), so no
headcount event is ever derived from or against such a month. The legal units are the base stock's, their state
derived from their establishments, their head office the base one when it already existed, else the
establishment that closed last (the usual trace of a head office transfer).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import duckdb

from radar.config import Territory
from radar.months import month_date

# The stock's own rule: NAF rev. 2 codes against the official list, older nomenclatures (NAFRev1, NAF1993, NAP)
# by shape only.
from transforms.sirene import OLD_NAF_SHAPE
from warehouse import faults
from warehouse.checks import run_checks
from warehouse.db import transaction
from warehouse.journal import record_commit
from warehouse.load_sirene import create_views, derive_events, record_run, refresh_current_state
from warehouse.reference import load_reference
from warehouse.sql import execute_sql

QUARANTINE_ENTITY = "establishment_period"
_EMPTY_MONTH = {"establishments": 0, "active_in_territory": 0, "without_history": 0}


@dataclass(frozen=True)
class HistoryProvenance:
    history_file: str
    history_sha256: str
    history_bytes: int
    base_month: date
    unites_legales_file: str
    unites_legales_sha256: str
    unites_legales_bytes: int


def first_stock_month(con: duckdb.DuckDBPyConnection) -> date | None:
    return con.execute("SELECT min(month) FROM meta.stock_month WHERE source = 'stock'").fetchone()[0]


def base_provenance(con: duckdb.DuckDBPyConnection, base: date) -> dict:
    row = con.execute("""SELECT unites_legales_file, unites_legales_sha256, unites_legales_bytes, loaded_at
                         FROM meta.stock_month WHERE month = ? AND source = 'stock'""", [base]).fetchone()
    return {"file": row[0], "sha256": row[1], "bytes": row[2], "loaded_at": row[3]}


def followed_sirets(con: duckdb.DuckDBPyConnection, base: date) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT DISTINCT siret FROM core.establishment_monthly WHERE month = ? ORDER BY siret", [base]).fetchall()]


def history_unchanged(con: duckdb.DuckDBPyConnection, months: list[str], history_sha256: str) -> bool:
    """Every month already reconstructed from this very file, on the current base stock, after it was loaded."""
    base = first_stock_month(con)
    if base is None:
        return False
    rows = con.execute("""
        SELECT count(*) FROM meta.stock_month h, meta.stock_month b
        WHERE h.month IN (SELECT unnest(?::DATE[])) AND h.source = 'historique' AND h.etablissements_sha256 = ?
          AND h.based_on_month = ? AND b.month = h.based_on_month AND b.source = 'stock'
          AND h.unites_legales_sha256 = b.unites_legales_sha256 AND h.loaded_at >= b.loaded_at""",
        [[month_date(m) for m in months], history_sha256, base]).fetchone()[0]
    return rows == len(months)


def _stage_periods(con: duckdb.DuckDBPyConnection, periods_path: str, base: date) -> dict:
    """Periods as typed rows (temp table hist_period); the invalid ones in hist_checked with the rule broken."""
    execute_sql(con, "history_stage.sql", periods_path=periods_path, base=base, old_naf_shape=OLD_NAF_SHAPE.pattern)
    counts = con.execute("""
        SELECT count(*), count(*) FILTER (WHERE rule IS NOT NULL),
               count(DISTINCT trim(siret)) FILTER (WHERE rule IS NULL)
        FROM hist_checked""").fetchone()
    return {"periods_in": counts[0], "quarantined": counts[1], "sirets_with_history": counts[2]}


def _quarantine(con: duckdb.DuckDBPyConnection, run_id: str, month: date) -> None:
    execute_sql(con, "history_quarantine.sql", run_id=run_id, month=month, entity=QUARANTINE_ENTITY)


def _build_months(con: duckdb.DuckDBPyConnection, months: list[date], base: date) -> None:
    """All the reconstructed months at once: the base stock's SIRETs times the months, each with its period in
    effect at the month's end."""
    execute_sql(con, "history_months.sql", months=months, base=base)


def load_history_months(
    con: duckdb.DuckDBPyConnection,
    *,
    months: list[str],
    periods_path: str,
    provenance: HistoryProvenance,
    run_id: str,
    started_at,
    territory: Territory,
) -> dict:
    """Replace `months` (all before the first stock month) by their reconstruction; all or nothing."""
    dates = sorted(month_date(m) for m in months)
    base = provenance.base_month
    if not dates or dates[-1] >= base:
        raise ValueError(f"months to reconstruct must all precede the first stock month {base:%Y-%m}")
    with transaction(con):
        load_reference(con, territory)
        create_views(con)
        counts = _stage_periods(con, periods_path, base)
        for table in ("core.establishment_monthly", "core.company_monthly", "quarantine.sirene", "meta.stock_month"):
            con.execute(f"DELETE FROM {table} WHERE month IN (SELECT unnest(?::DATE[]))", [dates])
        _quarantine(con, run_id, dates[0])
        _build_months(con, dates, base)
        faults.checkpoint("mid_load_history")
        built = {d: {"establishments": n, "active_in_territory": active, "without_history": bare}
                 for d, n, active, bare in con.execute("""
                     SELECT month, count(*), count(*) FILTER (WHERE in_territory AND state = 'A'),
                            count(*) FILTER (WHERE NOT has_history)
                     FROM rec_month GROUP BY month""").fetchall()}
        per_month = {f"{d:%Y-%m}": built.get(d, dict(_EMPTY_MONTH)) for d in dates}
        con.executemany(
            """INSERT INTO meta.stock_month (month, run_id, loaded_at, etablissements_file, etablissements_sha256,
                   etablissements_bytes, unites_legales_file, unites_legales_sha256, unites_legales_bytes, counts,
                   source, based_on_month)
               VALUES (?, ?, now(), ?, ?, ?, ?, ?, ?, ?, 'historique', ?)""",
            [[d, run_id, provenance.history_file, provenance.history_sha256, provenance.history_bytes,
              provenance.unites_legales_file, provenance.unites_legales_sha256, provenance.unites_legales_bytes,
              json.dumps(dict(counts, **per_month[f"{d:%Y-%m}"])), base] for d in dates])
        refresh_current_state(con)
        derive_events(con, *dates)
        counts["months"] = per_month
        record_run(con, run_id, "sirene_historique", started_at, "success", month=f"{dates[-1]:%Y-%m}",
                   counts=counts)
        run_checks(con)
        faults.checkpoint("before_commit")
    record_commit(con, run_id, "sirene_historique", f"{dates[-1]:%Y-%m}")
    return counts
