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
# The stock's own rule: NAF rev. 2 codes against the official list, older nomenclatures (NAFRev1, NAF1993, NAP)
# by shape only.
from transforms.sirene import OLD_NAF_SHAPE
from warehouse import faults
from warehouse.db import transaction
from warehouse.load_sirene import create_views, derive_events, month_date, record_run, refresh_current_state
from warehouse.reference import load_reference

QUARANTINE_ENTITY = "establishment_period"
_NO_DATE = "DATE '0001-01-01'"
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
    """Periods as typed rows (temp table hist_period); the invalid ones in hist_rejected with the rule broken."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE hist_raw AS
        SELECT *, row_number() OVER () AS row_no FROM read_parquet(?)""", [periods_path])
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE hist_checked AS
        SELECT r.*,
            CASE
                WHEN nullif(trim(r.siret), '') IS NULL THEN 'missing_identifier'
                WHEN nullif(trim(r.dateDebut), '') IS NOT NULL
                     AND try_strptime(trim(r.dateDebut), '%Y-%m-%d') IS NULL THEN 'invalid_date:dateDebut'
                WHEN nullif(trim(r.dateFin), '') IS NOT NULL
                     AND try_strptime(trim(r.dateFin), '%Y-%m-%d') IS NULL THEN 'invalid_date:dateFin'
                WHEN nullif(trim(r.etatAdministratifEtablissement), '') NOT IN ('A', 'F') THEN 'unknown_state'
                WHEN nullif(trim(r.activitePrincipaleEtablissement), '') IS NOT NULL AND (
                     (coalesce(nullif(trim(r.nomenclatureActivitePrincipaleEtablissement), ''), 'NAFRev2') = 'NAFRev2'
                      AND trim(r.activitePrincipaleEtablissement) NOT IN (SELECT code FROM ref.naf))
                  OR (coalesce(nullif(trim(r.nomenclatureActivitePrincipaleEtablissement), ''), 'NAFRev2') <> 'NAFRev2'
                      AND NOT regexp_full_match(trim(r.activitePrincipaleEtablissement), '{OLD_NAF_SHAPE.pattern}')))
                    THEN 'unknown_naf_code'
            END AS rule,
            b.statut_diffusion
        FROM hist_raw r
        LEFT JOIN (SELECT siret, any_value(statut_diffusion) AS statut_diffusion FROM core.establishment_monthly
                   WHERE month = ? GROUP BY siret) b ON b.siret = trim(r.siret)""", [base])
    # A missing date is empty or 1900-01-01 (INSEE's marker); a period without a start is "since always".
    con.execute("""
        CREATE OR REPLACE TEMP TABLE hist_period AS
        SELECT trim(siret) AS siret,
               nullif(try_strptime(nullif(trim(dateDebut), ''), '%Y-%m-%d')::DATE, DATE '1900-01-01') AS start,
               nullif(try_strptime(nullif(trim(dateFin), ''), '%Y-%m-%d')::DATE, DATE '1900-01-01') AS finish,
               nullif(trim(etatAdministratifEtablissement), '') AS state,
               nullif(trim(enseigne1Etablissement), '') AS sign1,
               nullif(trim(enseigne2Etablissement), '') AS sign2,
               nullif(trim(enseigne3Etablissement), '') AS sign3,
               nullif(trim(denominationUsuelleEtablissement), '') AS usual_name,
               nullif(trim(activitePrincipaleEtablissement), '') AS naf_code,
               nullif(trim(nomenclatureActivitePrincipaleEtablissement), '') AS naf_nomenclature,
               nullif(trim(caractereEmployeurEtablissement), '') AS is_employer
        FROM hist_checked WHERE rule IS NULL
        -- The same start twice (a correction): keep one, deterministically.
        QUALIFY row_number() OVER (PARTITION BY trim(siret), start ORDER BY finish NULLS FIRST, row_no DESC) = 1""")
    counts = con.execute("""
        SELECT count(*), count(*) FILTER (WHERE rule IS NOT NULL),
               count(DISTINCT trim(siret)) FILTER (WHERE rule IS NULL)
        FROM hist_checked""").fetchone()
    return {"periods_in": counts[0], "quarantined": counts[1], "sirets_with_history": counts[2]}


def _quarantine(con: duckdb.DuckDBPyConnection, run_id: str, month: date) -> None:
    # Signs and usual names are personal for a withheld (P) establishment: masked even in the quarantine.
    con.execute("""
        INSERT INTO quarantine.sirene
        SELECT ?, ?, ?, split_part(rule, ':', 1), nullif(trim(siret), ''), nullif(split_part(rule, ':', 2), ''),
               to_json(CASE WHEN statut_diffusion = 'P'
                            THEN struct_pack(siret, dateDebut, dateFin, etatAdministratifEtablissement,
                                             activitePrincipaleEtablissement,
                                             nomenclatureActivitePrincipaleEtablissement,
                                             enseigne1Etablissement := '[ND]', enseigne2Etablissement := '[ND]',
                                             enseigne3Etablissement := '[ND]',
                                             denominationUsuelleEtablissement := '[ND]')
                            ELSE struct_pack(siret, dateDebut, dateFin, etatAdministratifEtablissement,
                                             activitePrincipaleEtablissement,
                                             nomenclatureActivitePrincipaleEtablissement, enseigne1Etablissement,
                                             enseigne2Etablissement, enseigne3Etablissement,
                                             denominationUsuelleEtablissement) END)
        FROM hist_checked WHERE rule IS NOT NULL""", [run_id, month, QUARANTINE_ENTITY])


def _build_months(con: duckdb.DuckDBPyConnection, months: list[date], base: date) -> None:
    """All the reconstructed months at once (temp table rec_month, then the monthly tables): the base stock's
    SIRETs times the months, each with its period in effect at the month's end."""
    con.execute("CREATE OR REPLACE TEMP TABLE hist_month AS SELECT unnest(?::DATE[]) AS month", [months])
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE rec_month AS
        WITH base AS (SELECT * FROM core.establishment_monthly WHERE month = $base),
        months AS (SELECT month, last_day(month) AS eom FROM hist_month),
        periods AS (SELECT *, coalesce(start, {_NO_DATE}) AS since FROM hist_period),
        firsts AS (SELECT siret, min(since) AS first_start FROM periods GROUP BY siret),
        -- The period in effect at the month's end: the last one started by then; when the registry says the SIRET
        -- existed but its first period starts later (dates of different variables are not always consistent),
        -- that first period.
        at_eom AS (
            SELECT g.siret, g.month, coalesce(p.since, g.first_start) AS since
            FROM (SELECT f.siret, f.first_start, m.month, m.eom FROM firsts f, months m) g
            ASOF LEFT JOIN periods p ON p.siret = g.siret AND p.since <= g.eom
        ),
        chosen AS (SELECT a.month, p.* EXCLUDE (since) FROM at_eom a JOIN periods p USING (siret, since))
        SELECT b.* EXCLUDE (month, headcount_band, headcount_year, last_processed_at, period_count, period_start,
                            state, sign1, sign2, sign3, usual_name, naf_code, naf_nomenclature, is_employer,
                            naf25_code, is_head_office),
               mo.month,
               CAST(NULL AS VARCHAR) AS headcount_band, CAST(NULL AS INTEGER) AS headcount_year,
               CAST(NULL AS TIMESTAMP) AS last_processed_at, CAST(NULL AS INTEGER) AS period_count,
               CAST(NULL AS VARCHAR) AS naf25_code,
               CASE WHEN c.siret IS NULL THEN b.period_start ELSE c.start END AS period_start,
               -- No history for this SIRET: its stock state, unless that state began after the month (then open).
               CASE WHEN c.siret IS NOT NULL THEN coalesce(c.state, 'A')
                    WHEN b.state = 'F' AND b.period_start > mo.eom THEN 'A'
                    ELSE b.state END AS state,
               CASE WHEN c.siret IS NULL THEN b.sign1 ELSE c.sign1 END AS sign1,
               CASE WHEN c.siret IS NULL THEN b.sign2 ELSE c.sign2 END AS sign2,
               CASE WHEN c.siret IS NULL THEN b.sign3 ELSE c.sign3 END AS sign3,
               CASE WHEN c.siret IS NULL THEN b.usual_name ELSE c.usual_name END AS usual_name,
               CASE WHEN c.siret IS NULL THEN b.naf_code ELSE c.naf_code END AS naf_code,
               CASE WHEN c.siret IS NULL THEN b.naf_nomenclature ELSE c.naf_nomenclature END AS naf_nomenclature,
               CASE WHEN c.siret IS NULL THEN b.is_employer ELSE c.is_employer END AS is_employer,
               b.is_head_office AS base_is_head_office,
               CASE WHEN b.state = 'F' THEN b.period_start END AS base_closed_on,
               c.siret IS NOT NULL AS has_history
        FROM base b
        CROSS JOIN months mo
        LEFT JOIN firsts f ON f.siret = b.siret
        LEFT JOIN chosen c ON c.siret = b.siret AND c.month = mo.month
        WHERE coalesce(coalesce(b.created_on, f.first_start) <= mo.eom, true)""", {"base": base})
    con.execute("""
        CREATE OR REPLACE TEMP TABLE rec_head_office AS
        SELECT r.month, r.siren,
               coalesce(any_value(r.siret) FILTER (WHERE r.siret = r.siren || c.head_office_nic),
                        arg_min(r.siret, (r.state <> 'A', r.base_closed_on IS NULL,
                                          coalesce(r.base_closed_on, DATE '9999-12-31'),
                                          NOT r.base_is_head_office, r.siret))) AS siret
        FROM rec_month r
        LEFT JOIN core.company_monthly c ON c.siren = r.siren AND c.month = $base
        GROUP BY r.month, r.siren""", {"base": base})
    con.execute("""
        INSERT INTO core.establishment_monthly BY NAME
        SELECT r.* EXCLUDE (base_is_head_office, base_closed_on, has_history),
               coalesce(r.siret = h.siret, false) AS is_head_office
        FROM rec_month r LEFT JOIN rec_head_office h USING (month, siren)""")
    con.execute("""
        INSERT INTO core.company_monthly BY NAME
        SELECT c.* EXCLUDE (month, headcount_band, headcount_year, last_processed_at, period_count, category,
                            category_year, period_start, state, head_office_nic, naf25_code),
               s.month,
               CAST(NULL AS VARCHAR) AS headcount_band, CAST(NULL AS INTEGER) AS headcount_year,
               CAST(NULL AS TIMESTAMP) AS last_processed_at, CAST(NULL AS INTEGER) AS period_count,
               CAST(NULL AS VARCHAR) AS category, CAST(NULL AS INTEGER) AS category_year,
               CAST(NULL AS DATE) AS period_start, CAST(NULL AS VARCHAR) AS naf25_code,
               CASE WHEN s.any_open THEN 'A' ELSE 'C' END AS state,
               substr(h.siret, 10) AS head_office_nic
        FROM core.company_monthly c
        JOIN (SELECT month, siren, bool_or(state = 'A') AS any_open FROM rec_month GROUP BY month, siren) s
            USING (siren)
        LEFT JOIN rec_head_office h ON h.siren = s.siren AND h.month = s.month
        WHERE c.month = $base""", {"base": base})


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
        faults.checkpoint("before_commit")
    faults.checkpoint("after_commit")
    return counts
