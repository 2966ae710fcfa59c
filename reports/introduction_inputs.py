"""Read the inputs of the « mises en relation » rules from masked, publishable relations only.

`schema` is 'pub' on the writer's warehouse connection (the masked views) or 'main' on a snapshot (the
tables built from those views): the same names either way. Sources of other issues (BODACC companies in
difficulty, press mentions) are used when present, ignored otherwise.
"""

from __future__ import annotations

from datetime import date

import duckdb

from radar.months import add_months
from reports.introductions import Firm, IntroductionConfig, Mention
from reports.queries import PRESS_COLUMNS, has_relation

_FIRM_COLUMNS = """
    e.siren, e.name, e.naf_code, n.label AS naf_label, e.commune_code, rc.name AS commune_name,
    e.latitude, e.longitude, coalesce(hb.rank, 0) AS headcount_rank"""


def _firms(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[Firm]:
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [Firm(**dict(zip(names, row))) for row in cur.fetchall()]


def _one_per_company(p: str, where: str) -> str:
    """Active establishments of the month in the territory, one per company (head office first)."""
    return f"""
        SELECT {_FIRM_COLUMNS}
        FROM {p}establishment_monthly e
        LEFT JOIN {p}ref_naf n ON n.code = e.naf_code
        LEFT JOIN {p}ref_commune rc ON rc.code = e.commune_code
        LEFT JOIN {p}ref_headcount_band hb ON hb.code = e.headcount_band
        WHERE e.month = ? AND e.state = 'A' AND e.name IS NOT NULL AND {where}
        QUALIFY row_number() OVER (PARTITION BY e.siren ORDER BY e.is_head_office DESC, e.siret) = 1
        ORDER BY e.siren"""


def gather(con: duckdb.DuckDBPyConnection, month: date, cfg: IntroductionConfig, schema: str = "pub") -> dict:
    p = f"{schema}."
    firms = _firms(con, _one_per_company(p, "true"), [month])
    established_before = add_months(month, -cfg.established_min_months)
    established = _firms(con, _one_per_company(p, "e.created_on IS NOT NULL AND e.created_on < ?"),
                         [month, established_before])
    new = _firms(con, _one_per_company(p, f"""e.siret IN (SELECT siret FROM {p}event
                 WHERE month = ? AND source = 'sirene' AND kind = 'creation')"""), [month, month])
    return {"firms": {f.siren: f for f in firms}, "established": established, "new": new,
            "in_difficulty": _in_difficulty(con, month, cfg, p, schema),
            "mentions": _mentions(con, month, p, schema)}


def _in_difficulty(con, month: date, cfg: IntroductionConfig, p: str, schema: str) -> list[Firm]:
    if not has_relation(con, "company_in_difficulty", {"siren", "procedure", "judgment_date"}, schema):
        return []
    sql = _one_per_company(p, f"""e.siren IN (SELECT siren FROM {p}company_in_difficulty
              WHERE judgment_date < ? AND judgment_date >= ?)""")
    firms = _firms(con, sql, [month, add_months(month, 1), add_months(month, -cfg.open_procedure_months)])
    procedures = dict(con.execute(f"""
        SELECT siren, arg_max(procedure, judgment_date) FROM {p}company_in_difficulty
        WHERE judgment_date < ? GROUP BY siren""", [add_months(month, 1)]).fetchall())
    return [Firm(**{**f.__dict__, "procedure": procedures.get(f.siren)}) for f in firms]


def _mentions(con, month: date, p: str, schema: str) -> list[Mention]:
    if not all(has_relation(con, t, cols, schema) for t, cols in PRESS_COLUMNS.items()):
        return []
    rows = con.execute(f"""
        SELECT a.article_id, a.title, a.source_name, m.siren, max(m.confidence)
        FROM {p}article a JOIN {p}article_mention m USING (article_id)
        WHERE a.published_at >= ? AND a.published_at < ? AND a.title IS NOT NULL
        GROUP BY ALL ORDER BY a.article_id, m.siren""", [month, add_months(month, 1)]).fetchall()
    return [Mention(a, t, s, siren, float(c if c is not None else 1.0)) for a, t, s, siren, c in rows]
