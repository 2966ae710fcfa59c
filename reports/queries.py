"""The registry's figures of the monthly report, read from the published snapshot only.

Each function takes a read-only snapshot connection and a month (first day of the month, `datetime.date`) and
returns plain dicts and lists. Events are counted by `month` (the month whose stock first showed them), as in
`territory_monthly`. Every statement is a constant of this module (tests/reports/test_contract.py prepares each one
against a real snapshot), every value a `$name` parameter. Names are `company.display_name`, the one rule of every
output.
"""

from __future__ import annotations

from datetime import date

import duckdb

from radar.months import add_months

# Figures of territory_monthly the report shows; flows are None for the first loaded month (no comparison base).
STOCKS = ("companies", "establishments")
FLOWS = ("creations", "closures", "move_ins", "move_outs", "sector_entries", "sector_exits", "other_changes",
         "net_change", "headcount_ups")
BALANCE = ("establishments_before", "creations", "closures", "move_ins", "move_outs", "sector_entries",
           "sector_exits", "other_changes", "establishments")
LIST_KINDS = ("creation", "closure", "move_in", "move_out", "sector_entry", "sector_exit", "headcount_up")

LOADED_MONTHS_SQL = "SELECT DISTINCT month FROM territory_monthly ORDER BY month"
RECONSTRUCTED_SQL = "SELECT month FROM stock_month WHERE source = 'historique'"
SNAPSHOT_SQL = """
    SELECT published_at, latest_month, first_month, months_loaded, contract_version, radar_version, territory
    FROM snapshot_info"""
FIGURES_SQL = """
    SELECT is_first_month, companies, establishments, establishments_before, creations, closures, move_ins,
           move_outs, sector_entries, sector_exits, other_changes, net_change, headcount_ups
    FROM territory_monthly WHERE month = $month AND scope = $scope"""
TREND_SQL = """
    SELECT month, is_first_month, is_reconstructed, companies, establishments, establishments_before, creations,
           closures, move_ins, move_outs, sector_entries, sector_exits, other_changes, net_change, headcount_ups
    FROM territory_monthly
    WHERE scope = 'tech' AND month BETWEEN $first AND $month ORDER BY month"""
BY_COMMUNE_SQL = """
    SELECT commune_code, commune_name AS label, establishments_before, creations, closures, move_ins, move_outs,
           sector_entries, sector_exits, other_changes, establishments
    FROM territory_monthly_by_commune
    WHERE month = $month AND is_tech
    ORDER BY establishments DESC, commune_name"""
BY_SECTOR_SQL = """
    SELECT naf_code, coalesce(naf_short_label, naf_code) AS label, naf_label, establishments_before, creations,
           closures, move_ins, move_outs, sector_entries, sector_exits, other_changes, establishments
    FROM territory_monthly_by_activity
    WHERE month = $month AND is_tech
    ORDER BY establishments DESC, naf_code"""
HEADCOUNT_SQL = """
    SELECT coalesce(hb.short_label, 'Non renseignée') AS label, hb.rank, count(*) AS establishments
    FROM establishment_monthly e
    LEFT JOIN ref_headcount_band hb ON hb.code = e.headcount_band
    WHERE e.month = $month AND e.is_tech AND e.state = 'A'
    GROUP BY ALL ORDER BY hb.rank NULLS LAST"""
# The tech establishments behind each figure of the month. A sector change is an entry when the establishment's
# new activity is tech and its old one was not, an exit the other way round.
EVENTS_SQL = """
    WITH band AS (
        SELECT siret, arg_max(headcount_band, month) AS headcount_band
        FROM establishment_monthly WHERE month <= $month GROUP BY siret
    ),
    listed AS (
        SELECT ev.*, CASE
                WHEN ev.kind = 'headcount_change' AND ev.details ->> 'direction' = 'up' AND ev.is_tech
                     THEN 'headcount_up'
                WHEN ev.kind = 'sector_change' AND ev.is_tech
                     AND NOT coalesce(CAST(ev.details ->> 'was_tech' AS BOOLEAN), false) THEN 'sector_entry'
                WHEN ev.kind = 'sector_change' AND NOT ev.is_tech
                     AND coalesce(CAST(ev.details ->> 'was_tech' AS BOOLEAN), false) THEN 'sector_exit'
                WHEN ev.kind IN ('creation', 'closure', 'move_in', 'move_out') AND ev.is_tech THEN ev.kind
            END AS list
        FROM event ev
        WHERE ev.month = $month AND ev.source = 'sirene'
    )
    SELECT ev.list, ev.siren, ev.siret, c.display_name AS name, ev.is_head_office, ev.event_date,
           ev.commune_code, ev.commune_name, ev.naf_code, coalesce(n.short_label, ev.naf_code) AS activity,
           n.label AS naf_label, ev.details ->> 'from_naf' AS from_naf,
           coalesce(fn.short_label, ev.details ->> 'from_naf') AS from_activity,
           hb.short_label AS headcount_label,
           ev.from_commune, coalesce(ev.from_commune_name, ev.from_commune) AS from_commune_name,
           ev.to_commune, coalesce(ev.to_commune_name, ev.to_commune) AS to_commune_name,
           fb.short_label AS from_band_label, tb.short_label AS to_band_label
    FROM listed ev
    JOIN company c ON c.siren = ev.siren
    LEFT JOIN ref_naf n ON n.code = ev.naf_code
    LEFT JOIN ref_naf fn ON fn.code = ev.details ->> 'from_naf'
    LEFT JOIN band ON band.siret = ev.siret
    LEFT JOIN ref_headcount_band hb ON hb.code = band.headcount_band
    LEFT JOIN ref_headcount_band fb ON fb.code = ev.details ->> 'from_band'
    LEFT JOIN ref_headcount_band tb ON tb.code = ev.details ->> 'to_band'
    WHERE ev.list IS NOT NULL
    ORDER BY ev.list, c.display_name = '(nom non diffusible)', lower(strip_accents(c.display_name)), ev.siret"""
QUARANTINE_SQL = """
    SELECT entity, rule, sum(rows)::BIGINT AS rows FROM quarantine_summary
    WHERE month = $month GROUP BY entity, rule ORDER BY entity DESC, rule"""
SOURCES_SQL = """
    SELECT s.month, s.source, s.loaded_at, s.etablissements_file, s.etablissements_sha256, s.etablissements_bytes,
           s.unites_legales_file, s.unites_legales_sha256, s.unites_legales_bytes,
           (SELECT r.run_id FROM run r WHERE r.month = s.month AND r.status = 'success'
            ORDER BY r.started_at DESC LIMIT 1) AS run_id
    FROM stock_month s WHERE s.month BETWEEN $first AND $month ORDER BY s.month"""
PERIMETER_SQL = """
    SELECT s.set_label, s.naf_code, n.label AS naf_label FROM ref_sector s
    LEFT JOIN ref_naf n ON n.code = s.naf_code
    WHERE s.is_default AND s.nomenclature = 'NAFRev2' ORDER BY s.naf_code"""


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> list[dict]:
    cur = con.execute(sql, params or {})
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def loaded_months(con: duckdb.DuckDBPyConnection) -> list[date]:
    return [r[0] for r in con.execute(LOADED_MONTHS_SQL).fetchall()]


def reconstructed_months(con: duckdb.DuckDBPyConnection) -> set[date]:
    """Months rebuilt from INSEE's historical establishment file (no moves, no headcounts)."""
    return {r[0] for r in con.execute(RECONSTRUCTED_SQL).fetchall()}


def snapshot_info(con: duckdb.DuckDBPyConnection) -> dict:
    found = rows(con, SNAPSHOT_SQL)
    return found[0] if found else {}


def comparison_months(con: duckdb.DuckDBPyConnection, month: date) -> dict:
    """The month, the previous loaded month and the same month a year before (None when not loaded)."""
    months = loaded_months(con)
    earlier = [m for m in months if m < month]
    year_ago = add_months(month, -12)
    return {"current": month, "previous": earlier[-1] if earlier else None,
            "year_ago": year_ago if year_ago in months else None}


def territory_figures(con: duckdb.DuckDBPyConnection, month: date | None, scope: str) -> dict | None:
    """One row of `territory_monthly`; flows are None for the first loaded month, which has no comparison base."""
    if month is None:
        return None
    found = rows(con, FIGURES_SQL, {"month": month, "scope": scope})
    if not found:
        return None
    row = found[0]
    if row.pop("is_first_month"):
        row.update(dict.fromkeys(FLOWS + ("establishments_before",)))
    return row


def headline(con: duckdb.DuckDBPyConnection, month: date) -> dict:
    months = comparison_months(con, month)
    figures = {scope: {which: territory_figures(con, m, scope) for which, m in months.items()}
               for scope in ("tech", "all")}
    return {"months": months, **figures}


def by_commune(con: duckdb.DuckDBPyConnection, month: date) -> list[dict]:
    """Tech figures of every commune of the territory, those with nothing this month included."""
    return rows(con, BY_COMMUNE_SQL, {"month": month})


def by_sector(con: duckdb.DuckDBPyConnection, month: date) -> list[dict]:
    """Tech activity codes with establishments or movements this month (or establishments last month)."""
    return rows(con, BY_SECTOR_SQL, {"month": month})


def event_lists(con: duckdb.DuckDBPyConnection, month: date) -> dict[str, list[dict]]:
    """The tech establishments behind each figure of the month, by list (LIST_KINDS), names in order."""
    found = {kind: [] for kind in LIST_KINDS}
    for row in rows(con, EVENTS_SQL, {"month": month}):
        found[row.pop("list")].append(row)
    return found


def trend(con: duckdb.DuckDBPyConnection, month: date, months: int = 24) -> list[dict]:
    """Tech figures of the loaded months among the `months` months ending with `month` (absent months omitted)."""
    found = rows(con, TREND_SQL, {"first": add_months(month, 1 - months), "month": month})
    for row in found:
        if row.pop("is_first_month"):
            row.update(dict.fromkeys(FLOWS + ("establishments_before",)))
    return found


def headcount_bands(con: duckdb.DuckDBPyConnection, month: date) -> list[dict]:
    """Active tech establishments of the month by headcount band (unknown band last)."""
    return rows(con, HEADCOUNT_SQL, {"month": month})


def quarantine(con: duckdb.DuckDBPyConnection, month: date) -> list[dict]:
    return rows(con, QUARANTINE_SQL, {"month": month})


def sources(con: duckdb.DuckDBPyConnection, first: date, last: date) -> list[dict]:
    """The stock files of the loaded months between `first` and `last`, with the run that loaded each."""
    return rows(con, SOURCES_SQL, {"first": first, "month": last})


def tech_perimeter(con: duckdb.DuckDBPyConnection) -> dict:
    found = rows(con, PERIMETER_SQL)
    return {"label": found[0]["set_label"] if found else None,
            "codes": [{"code": r["naf_code"], "label": r["naf_label"]} for r in found]}
