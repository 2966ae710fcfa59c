"""Read the inputs of the « mises en relation » rules from masked, publishable relations only.

The queries name the published tables (`establishment_monthly`, `company_in_difficulty`...): on a snapshot they
are its tables; on the writer's warehouse connection the names resolve to the masked `pub` views (schema 'pub' put
first on the search path for the duration of the read). Same SQL either way.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date

import duckdb

from radar.months import add_months
from reports.introductions import Firm, IntroductionConfig, Mention

# Active establishments of the month in the territory, one per company (head office first), filtered below.
_FIRMS_SQL = """
    SELECT e.siren, c.display_name AS name, e.naf_code, n.label AS naf_label, e.commune_code,
           rc.name AS commune_name, e.latitude, e.longitude, coalesce(hb.rank, 0) AS headcount_rank
    FROM establishment_monthly e
    JOIN company c ON c.siren = e.siren
    LEFT JOIN ref_naf n ON n.code = e.naf_code
    LEFT JOIN ref_commune rc ON rc.code = e.commune_code
    LEFT JOIN ref_headcount_band hb ON hb.code = e.headcount_band
    WHERE e.month = $month AND e.state = 'A' AND c.name IS NOT NULL AND {where}
    QUALIFY row_number() OVER (PARTITION BY e.siren ORDER BY e.is_head_office DESC, e.siret) = 1
    ORDER BY e.siren"""
FIRMS_SQL = {name: _FIRMS_SQL.format(where=where) for name, where in {
    "every": "true",
    "established": "e.created_on IS NOT NULL AND e.created_on < $established_before",
    "new": "e.siret IN (SELECT siret FROM event WHERE month = $month AND source = 'sirene' AND kind = 'creation')",
    "in_difficulty": """e.siren IN (SELECT siren FROM company_in_difficulty
                                    WHERE judgment_date < $month_end AND judgment_date >= $open_since)""",
}.items()}
PROCEDURES_SQL = """
    SELECT siren, arg_max(procedure, judgment_date) FROM company_in_difficulty
    WHERE judgment_date < $month_end GROUP BY siren"""
MENTIONS_SQL = """
    SELECT m.article_id, m.siren, max(m.confidence) AS confidence
    FROM article_mention m JOIN article a USING (article_id)
    WHERE a.month = $month
    GROUP BY ALL ORDER BY m.article_id, m.siren"""


@contextlib.contextmanager
def published_names(con: duckdb.DuckDBPyConnection, schema: str) -> Iterator[None]:
    """Unqualified table names resolve to `schema` ('pub' on the warehouse, 'main' on a snapshot) in the block."""
    if schema != "pub":
        yield
        return
    # USE, not SET search_path: the writer's connection has the warehouse attached and USEd, and resetting the
    # search path would drop that.
    database = con.execute("SELECT current_database()").fetchone()[0].replace('"', '""')
    con.execute(f'USE "{database}".pub')
    try:
        yield
    finally:
        con.execute(f'USE "{database}".main')


def _firms(con: duckdb.DuckDBPyConnection, which: str, params: dict) -> list[Firm]:
    cur = con.execute(FIRMS_SQL[which], params)
    names = [d[0] for d in cur.description]
    return [Firm(**dict(zip(names, row))) for row in cur.fetchall()]


def gather(con: duckdb.DuckDBPyConnection, month: date, cfg: IntroductionConfig, schema: str = "pub") -> dict:
    with published_names(con, schema):
        firms = _firms(con, "every", {"month": month})
        established = _firms(con, "established", {
            "month": month, "established_before": add_months(month, -cfg.established_min_months)})
        new = _firms(con, "new", {"month": month})
        return {"firms": {f.siren: f for f in firms}, "established": established, "new": new,
                "in_difficulty": _in_difficulty(con, month, cfg), "mentions": _mentions(con, month)}


def _in_difficulty(con: duckdb.DuckDBPyConnection, month: date, cfg: IntroductionConfig) -> list[Firm]:
    month_end = add_months(month, 1)
    firms = _firms(con, "in_difficulty", {"month": month, "month_end": month_end,
                                        "open_since": add_months(month, -cfg.open_procedure_months)})
    procedures = dict(con.execute(PROCEDURES_SQL, {"month_end": month_end}).fetchall())
    return [Firm(**{**f.__dict__, "procedure": procedures.get(f.siren)}) for f in firms]


def _mentions(con: duckdb.DuckDBPyConnection, month: date) -> list[Mention]:
    rows = con.execute(MENTIONS_SQL, {"month": month}).fetchall()
    return [Mention(a, siren, float(c if c is not None else 1.0)) for a, siren, c in rows]
