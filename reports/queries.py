"""What the monthly report shows, read from the published snapshot only.

Each function takes a read-only snapshot connection and a month (first day of the month, `datetime.date`) and
returns plain dicts and lists. Events are counted by `month` (the month whose stock first showed them), as in
`territory_monthly`; every value is passed as a `?` parameter.
"""

from __future__ import annotations

import json
from datetime import date

import duckdb

from radar.months import add_months

FLOWS = ("creations", "closures", "move_ins", "move_outs", "net_change", "headcount_ups")
STOCKS = ("companies", "establishments")
EVENT_KINDS = ("creation", "closure", "move_in", "move_out", "headcount_up")


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def loaded_months(con: duckdb.DuckDBPyConnection) -> list[date]:
    return [r[0] for r in con.execute("SELECT DISTINCT month FROM territory_monthly ORDER BY month").fetchall()]


def reconstructed_months(con: duckdb.DuckDBPyConnection) -> set[date]:
    """Months rebuilt from INSEE's historical establishment file (no moves, no headcounts); none in a snapshot
    older than contract 1.2."""
    if "source" not in relation_columns(con, "stock_month"):
        return set()
    return {r[0] for r in con.execute("SELECT month FROM stock_month WHERE source = 'historique'").fetchall()}


def snapshot_info(con: duckdb.DuckDBPyConnection) -> dict:
    rows = _rows(con, "SELECT published_at, latest_month, first_month, months_loaded, contract_version, "
                      "radar_version, territory FROM snapshot_info")
    return rows[0] if rows else {}


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
    rows = _rows(con, f"SELECT is_first_month, {', '.join(STOCKS + FLOWS)} FROM territory_monthly "
                      "WHERE month = ? AND scope = ?", [month, scope])
    if not rows:
        return None
    row = rows[0]
    if row.pop("is_first_month"):
        row.update(dict.fromkeys(FLOWS))
    return row


def headline(con: duckdb.DuckDBPyConnection, month: date) -> dict:
    months = comparison_months(con, month)
    figures = {scope: {which: territory_figures(con, m, scope) for which, m in months.items()}
               for scope in ("tech", "all")}
    return {"months": months, **figures}


def by_commune(con: duckdb.DuckDBPyConnection, month: date, previous: date | None) -> list[dict]:
    """Tech figures for every commune of the territory, including those with nothing this month."""
    return _rows(con, """
        SELECT rc.code AS commune_code, rc.name AS commune_name,
               coalesce(c.establishments, 0) AS establishments,
               CASE WHEN ?::DATE IS NULL THEN NULL ELSE coalesce(p.establishments, 0) END AS previous_establishments,
               coalesce(c.creations, 0) AS creations, coalesce(c.closures, 0) AS closures,
               coalesce(c.move_ins, 0) AS move_ins, coalesce(c.move_outs, 0) AS move_outs,
               coalesce(c.creations, 0) + coalesce(c.move_ins, 0) - coalesce(c.closures, 0)
                   - coalesce(c.move_outs, 0) AS net_change
        FROM ref_commune rc
        LEFT JOIN territory_monthly_by_commune c ON c.commune_code = rc.code AND c.month = ? AND c.is_tech
        LEFT JOIN territory_monthly_by_commune p ON p.commune_code = rc.code AND p.month = ? AND p.is_tech
        ORDER BY establishments DESC, rc.name""", [previous, month, previous])


def by_sector(con: duckdb.DuckDBPyConnection, month: date, previous: date | None) -> list[dict]:
    """Tech activity codes with any establishment or event this month (or last month), with their labels."""
    return _rows(con, """
        WITH codes AS (SELECT DISTINCT naf_code FROM ref_sector WHERE is_default AND nomenclature = 'NAFRev2')
        SELECT codes.naf_code, n.label AS naf_label,
               coalesce(c.establishments, 0) AS establishments,
               CASE WHEN ?::DATE IS NULL THEN NULL ELSE coalesce(p.establishments, 0) END AS previous_establishments,
               coalesce(c.creations, 0) AS creations, coalesce(c.closures, 0) AS closures,
               coalesce(c.move_ins, 0) AS move_ins, coalesce(c.move_outs, 0) AS move_outs,
               coalesce(c.creations, 0) + coalesce(c.move_ins, 0) - coalesce(c.closures, 0)
                   - coalesce(c.move_outs, 0) AS net_change
        FROM codes
        LEFT JOIN ref_naf n ON n.code = codes.naf_code
        LEFT JOIN territory_monthly_by_activity c ON c.naf_code = codes.naf_code AND c.month = ? AND c.is_tech
        LEFT JOIN territory_monthly_by_activity p ON p.naf_code = codes.naf_code AND p.month = ? AND p.is_tech
        WHERE coalesce(c.establishments, 0) + coalesce(p.establishments, 0)
              + coalesce(c.creations + c.closures + c.move_ins + c.move_outs, 0) > 0
        ORDER BY establishments DESC, codes.naf_code""", [previous, month, previous])


_EVENT_SQL = """
    WITH band AS (
        SELECT siret, arg_max(headcount_band, month) AS headcount_band
        FROM establishment_monthly WHERE month <= ? GROUP BY siret
    )
    SELECT ev.siren, ev.siret, coalesce(e.name, c.name) AS name, ev.is_head_office, ev.event_date,
           ev.commune_code, rc.name AS commune_name, ev.naf_code, n.label AS naf_label,
           hb.label AS headcount_label,
           ev.details ->> 'from_commune' AS from_commune, fc.name AS from_commune_name,
           ev.details ->> 'to_commune' AS to_commune, tc.name AS to_commune_name,
           fb.label AS from_band_label, tb.label AS to_band_label
    FROM event ev
    LEFT JOIN establishment e ON e.siret = ev.siret
    LEFT JOIN company c ON c.siren = ev.siren
    LEFT JOIN ref_commune rc ON rc.code = ev.commune_code
    LEFT JOIN ref_commune fc ON fc.code = ev.details ->> 'from_commune'
    LEFT JOIN ref_commune tc ON tc.code = ev.details ->> 'to_commune'
    LEFT JOIN ref_naf n ON n.code = ev.naf_code
    LEFT JOIN band ON band.siret = ev.siret
    LEFT JOIN ref_headcount_band hb ON hb.code = band.headcount_band
    LEFT JOIN ref_headcount_band fb ON fb.code = ev.details ->> 'from_band'
    LEFT JOIN ref_headcount_band tb ON tb.code = ev.details ->> 'to_band'
    WHERE ev.month = ? AND ev.source = 'sirene' AND ev.is_tech AND ev.kind = ?
      AND (?::VARCHAR IS NULL OR ev.details ->> 'direction' = ?)
    ORDER BY coalesce(e.name, c.name) IS NULL, lower(strip_accents(coalesce(e.name, c.name))), ev.siret"""


def events(con: duckdb.DuckDBPyConnection, month: date, kind: str) -> list[dict]:
    """The tech events behind one headline number; kind 'headcount_up' is a headcount_change going up."""
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown event kind {kind!r}: expected one of {', '.join(EVENT_KINDS)}")
    db_kind, direction = ("headcount_change", "up") if kind == "headcount_up" else (kind, None)
    return _rows(con, _EVENT_SQL, [month, month, db_kind, direction, direction])


def event_lists(con: duckdb.DuckDBPyConnection, month: date) -> dict[str, list[dict]]:
    return {kind: events(con, month, kind) for kind in EVENT_KINDS}


def trend(con: duckdb.DuckDBPyConnection, month: date, months: int = 24) -> list[dict]:
    """Tech figures of the loaded months among the `months` months ending with `month` (absent months omitted)."""
    rows = _rows(con, f"""
        SELECT month, is_first_month, {', '.join(STOCKS + FLOWS)} FROM territory_monthly
        WHERE scope = 'tech' AND month BETWEEN ? AND ? ORDER BY month""", [add_months(month, 1 - months), month])
    reconstructed = reconstructed_months(con)
    for row in rows:
        if row.pop("is_first_month"):
            row.update(dict.fromkeys(FLOWS))
        row["is_reconstructed"] = row["month"] in reconstructed
    return rows


def quarantine(con: duckdb.DuckDBPyConnection, month: date) -> list[dict]:
    return _rows(con, """
        SELECT entity, rule, sum(rows)::BIGINT AS rows FROM quarantine_summary
        WHERE month = ? GROUP BY entity, rule ORDER BY entity DESC, rule""", [month])


def sources(con: duckdb.DuckDBPyConnection, first: date, last: date) -> list[dict]:
    """The stock files of the loaded months between `first` and `last`."""
    rows = _rows(con, """
        SELECT month, loaded_at, etablissements_file, etablissements_sha256, etablissements_bytes,
               unites_legales_file, unites_legales_sha256, unites_legales_bytes, counts
        FROM stock_month WHERE month BETWEEN ? AND ? ORDER BY month""", [first, last])
    reconstructed = reconstructed_months(con)
    for row in rows:
        row["is_reconstructed"] = row["month"] in reconstructed
        row["counts"] = json.loads(row["counts"]) if isinstance(row["counts"], str) else row["counts"]
    return rows


def tech_perimeter(con: duckdb.DuckDBPyConnection) -> dict:
    rows = _rows(con, """
        SELECT s.set_label, s.naf_code, n.label AS naf_label FROM ref_sector s
        LEFT JOIN ref_naf n ON n.code = s.naf_code
        WHERE s.is_default AND s.nomenclature = 'NAFRev2' ORDER BY s.naf_code""")
    return {"label": rows[0]["set_label"] if rows else None,
            "codes": [{"code": r["naf_code"], "label": r["naf_label"]} for r in rows]}


# --- sections fed by other sources, shown only when their tables are in the snapshot ------------------------------

DIFFICULTY_COLUMNS = {"siren", "name", "commune_code", "naf_code", "is_tech", "procedure", "judgment_nature",
                      "judgment_date", "url"}
PRESS_COLUMNS = {"article": {"article_id", "canonical_url", "title", "published_at", "source_name"},
                 "article_mention": {"article_id", "siren", "confidence"}}
INTRODUCTION_COLUMNS = {"month", "rank", "siren_a", "siren_b", "rule", "reason", "score"}


def relation_columns(con: duckdb.DuckDBPyConnection, name: str, schema: str = "main") -> set[str]:
    """Columns of a table or view of the snapshot (schema 'main') or of the warehouse (schema 'pub'); empty if absent."""
    rows = con.execute("SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ?",
                       [schema, name]).fetchall()
    return {r[0] for r in rows}


def has_relation(con: duckdb.DuckDBPyConnection, name: str, needed: set[str], schema: str = "main") -> bool:
    return needed <= relation_columns(con, name, schema)


def difficulty(con: duckdb.DuckDBPyConnection, month: date) -> dict:
    """Tech companies of the territory under an insolvency judgment: those of the month, then the open ones.

    The name shown is the registry's published (masked) name when the company is known, never BODACC's list of
    persons; judgments after the month are left out so a past month's report stays reproducible.
    """
    if not has_relation(con, "company_in_difficulty", DIFFICULTY_COLUMNS):
        return {"loaded": False, "rows": []}
    rows = _rows(con, """
        SELECT d.siren, coalesce(c.name, CASE WHEN c.siren IS NULL THEN d.name END) AS name,
               d.commune_code, rc.name AS commune_name, d.naf_code, n.label AS naf_label,
               d.procedure, d.judgment_nature, d.judgment_date, d.url,
               d.judgment_date >= ? AS is_this_month
        FROM company_in_difficulty d
        LEFT JOIN company c ON c.siren = d.siren
        LEFT JOIN ref_commune rc ON rc.code = d.commune_code
        LEFT JOIN ref_naf n ON n.code = d.naf_code
        WHERE d.is_tech AND (d.judgment_date IS NULL OR d.judgment_date < ?)
        QUALIFY row_number() OVER (PARTITION BY d.siren ORDER BY d.judgment_date DESC NULLS LAST) = 1
        ORDER BY is_this_month DESC, d.judgment_date DESC NULLS LAST, d.siren""", [month, add_months(month, 1)])
    return {"loaded": True, "rows": rows}


def press(con: duckdb.DuckDBPyConnection, month: date, limit: int = 20) -> dict:
    """The month's stories that mention companies of the territory: most companies first, then the newest."""
    if not all(has_relation(con, t, cols) for t, cols in PRESS_COLUMNS.items()):
        return {"loaded": False, "rows": [], "total": 0}
    rows = _rows(con, """
        WITH mentioned AS (
            SELECT m.article_id, m.siren, max(m.confidence) AS confidence, any_value(c.name) AS name
            FROM article_mention m JOIN company c ON c.siren = m.siren
            WHERE c.name IS NOT NULL
            GROUP BY m.article_id, m.siren
        )
        SELECT a.article_id, a.title, a.source_name, a.published_at, a.canonical_url AS url,
               count(*) AS company_count, max(m.confidence) AS confidence,
               string_agg(m.name, ', ' ORDER BY m.confidence DESC, m.name) AS companies
        FROM article a JOIN mentioned m USING (article_id)
        WHERE a.published_at >= ? AND a.published_at < ?
        GROUP BY ALL
        ORDER BY company_count DESC, confidence DESC NULLS LAST, a.published_at DESC, a.article_id""",
        [month, add_months(month, 1)])
    return {"loaded": True, "rows": rows[:limit], "total": len(rows)}


def introductions(con: duckdb.DuckDBPyConnection, month: date) -> dict:
    if not has_relation(con, "introduction", INTRODUCTION_COLUMNS):
        return {"loaded": False, "rows": []}
    rows = _rows(con, """
        SELECT i.rank, i.siren_a, a.name AS name_a, i.siren_b, b.name AS name_b, i.rule, i.reason, i.score
        FROM introduction i
        LEFT JOIN company a ON a.siren = i.siren_a
        LEFT JOIN company b ON b.siren = i.siren_b
        WHERE i.month = ? ORDER BY i.rank""", [month])
    return {"loaded": True, "rows": rows}


def headcount_bands(con: duckdb.DuckDBPyConnection, month: date) -> list[dict]:
    """Active tech establishments of the month by headcount band (unknown band last)."""
    return _rows(con, """
        SELECT coalesce(hb.label, 'Tranche non renseignée') AS label, hb.rank, count(*) AS establishments
        FROM establishment_monthly e
        LEFT JOIN ref_headcount_band hb ON hb.code = e.headcount_band
        WHERE e.month = ? AND e.is_tech AND e.state = 'A'
        GROUP BY ALL ORDER BY hb.rank NULLS LAST""", [month])
