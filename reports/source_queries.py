"""The report's sections fed by other sources (BODACC, press) and by the report itself (« mises en relation »).

Every published table exists in every snapshot of contract 1.1 or later, empty when its source has not run: a
section says why it has nothing to show from the run ledger (`run`), never from the absence of a table. Every
statement is a constant (tests/reports/test_contract.py prepares each one against a real snapshot).
"""

from __future__ import annotations

from datetime import date

import duckdb

from radar.labels import MENTION_METHODS
from radar.months import add_months
from reports.queries import rows

# Flows of the run ledger that bring each source.
SOURCE_FLOWS = {"bodacc": "api_bodacc", "press": "news"}

SOURCE_RUNS_SQL = """
    SELECT count(*) FILTER (WHERE status = 'success') AS successes, max(ended_at) FILTER (WHERE status = 'success')
           AS last_success, count(*) FILTER (WHERE status = 'failed') AS failures
    FROM run WHERE flow = $flow"""
# Tech companies of the territory under an insolvency judgment: the month's first, then the open ones. The name is
# the registry's display name, never BODACC's list of persons; judgments after the month are left out, so a past
# month's report stays reproducible.
DIFFICULTY_SQL = """
    SELECT d.siren, d.display_name AS name, d.commune_code, rc.name AS commune_name, d.naf_code,
           coalesce(n.short_label, d.naf_code) AS activity, d.procedure, d.judgment_nature, d.judgment_date, d.url,
           d.judgment_date >= $month AS is_this_month
    FROM company_in_difficulty d
    LEFT JOIN ref_commune rc ON rc.code = d.commune_code
    LEFT JOIN ref_naf n ON n.code = d.naf_code
    WHERE d.is_tech AND (d.judgment_date IS NULL OR d.judgment_date < $month_end)
    ORDER BY is_this_month DESC, d.judgment_date DESC NULLS LAST, d.siren"""
# The month's stories, those naming a company of the territory first; each with the companies it names and how
# each link was made.
STORIES_SQL = """
    SELECT a.article_id, a.title, array_to_string(a.sources, ', ') AS sources, a.published_at,
           a.canonical_url AS url, a.appearance_count
    FROM article a WHERE a.month = $month
    ORDER BY a.published_at DESC NULLS LAST, a.article_id"""
MENTIONS_SQL = """
    SELECT m.article_id, m.siren, c.display_name AS name, m.method, m.confidence, m.event_kinds
    FROM article_mention m JOIN company c ON c.siren = m.siren
    WHERE m.month = $month
    ORDER BY m.article_id, m.confidence DESC, c.display_name"""
# Words of each link, when the snapshot has them (article_mention.evidence, published by the press source's
# next version): run only then, and prepared by the contract test only then.
EVIDENCE_SQL = """
    SELECT article_id, siren, evidence FROM article_mention WHERE month = $month"""
OPTIONAL_STATEMENTS = {EVIDENCE_SQL: ("article_mention", "evidence")}
INTRODUCTIONS_SQL = """
    SELECT i.rank, i.siren_a, a.display_name AS name_a, i.siren_b, b.display_name AS name_b, i.rule, i.reason,
           i.score, i.facts ->> 'article_id' AS article_id
    FROM introduction i
    JOIN company a ON a.siren = i.siren_a
    JOIN company b ON b.siren = i.siren_b
    WHERE i.month = $month ORDER BY i.rank"""
HAS_COLUMN_SQL = """
    SELECT count(*) > 0 FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = $table
    AND column_name = $column"""
METHODS = MENTION_METHODS


def source_runs(con: duckdb.DuckDBPyConnection, source: str) -> dict:
    return rows(con, SOURCE_RUNS_SQL, {"flow": SOURCE_FLOWS[source]})[0]


def difficulty(con: duckdb.DuckDBPyConnection, month: date) -> dict:
    return {"runs": source_runs(con, "bodacc"),
            "rows": rows(con, DIFFICULTY_SQL, {"month": month, "month_end": add_months(month, 1)})}


def _evidence(con: duckdb.DuckDBPyConnection, month: date) -> dict[tuple[str, str], str]:
    if not con.execute(HAS_COLUMN_SQL, {"table": "article_mention", "column": "evidence"}).fetchone()[0]:
        return {}
    return {(a, s): e for a, s, e in con.execute(EVIDENCE_SQL, {"month": month}).fetchall() if e}


def press(con: duckdb.DuckDBPyConnection, month: date) -> dict:
    """The month's stories that name companies of the territory, each with its linked companies, and the count
    of the month's other stories."""
    evidence = _evidence(con, month)
    linked: dict[str, list[dict]] = {}
    for m in rows(con, MENTIONS_SQL, {"month": month}):
        m["how"] = METHODS.get(m["method"], m["method"])
        m["evidence"] = evidence.get((m["article_id"], m["siren"]))
        linked.setdefault(m["article_id"], []).append(m)
    stories = rows(con, STORIES_SQL, {"month": month})
    named = [dict(s, companies=linked[s["article_id"]]) for s in stories if s["article_id"] in linked]
    return {"runs": source_runs(con, "press"), "stories": named, "month_total": len(stories)}


def introductions(con: duckdb.DuckDBPyConnection, month: date) -> list[dict]:
    return rows(con, INTRODUCTIONS_SQL, {"month": month})
