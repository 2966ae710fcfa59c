"""What each page shows, as SQL on the published snapshot. Values are always bound parameters; the only
identifiers put into SQL text come from fixed mappings (filters.SORTS) or from the snapshot's own catalog."""

from __future__ import annotations

import functools
from datetime import date

import pandas as pd

from dashboard.filters import ALL, SORTS, Allowed, Filters
from dashboard.snapshot import Snapshot
from radar.months import add_months

TECH = "numerique"  # perimeter key of the overview and signals pages: the territory's default sector set
MAP_POINT_LIMIT = 4000  # above this, the map shows grid cells instead of points
OPTIONAL_SOURCES = {  # snapshot table -> what loads it (shown when the table is absent)
    "notice": "BODACC",
    "company_in_difficulty": "BODACC",
    "company_enrichment": "API Recherche d'entreprises",
    "article": "presse",
    "article_mention": "presse",
    "introduction": "mises en relation (rapport)",
}
EVENT_LABELS = {
    "creation": "Création", "closure": "Fermeture", "move_in": "Arrivée", "move_out": "Départ",
    "headcount_change": "Changement de tranche d'effectif", "sector_change": "Changement d'activité",
}


def per_snapshot(query):
    """Remember `query(s, *args)` for the published version `s` reads (Snapshot.cached): navigating between
    pages, reruns and other sessions reuse it; a new snapshot starts afresh. Frames are handed out as copies,
    since pages add display columns to them."""
    @functools.wraps(query)
    def cached(s: Snapshot, *args, **kwargs):
        value = s.cached((query.__name__, args, tuple(sorted(kwargs.items()))), lambda: query(s, *args, **kwargs))
        return value.copy() if isinstance(value, pd.DataFrame) else value
    return cached


@per_snapshot
def allowed_values(s: Snapshot) -> Allowed:
    one = lambda sql: frozenset(r[0] for r in s.con.execute(sql).fetchall() if r[0] is not None)
    return Allowed(
        communes=one("SELECT code FROM ref_commune"),
        sectors=one("SELECT DISTINCT set_name FROM ref_sector"),
        naf=one("SELECT code FROM ref_naf"),
        bands=one("SELECT code FROM ref_headcount_band"),
        months=tuple(months(s)),
    )


@per_snapshot
def months(s: Snapshot) -> list[date]:
    return [r[0] for r in s.con.execute("SELECT DISTINCT month FROM territory_monthly ORDER BY month").fetchall()]


@per_snapshot
def communes(s: Snapshot) -> pd.DataFrame:
    return s.df("SELECT code, name FROM ref_commune ORDER BY name")


@per_snapshot
def sector_sets(s: Snapshot) -> pd.DataFrame:
    return s.df("SELECT set_name, any_value(set_label) AS set_label, bool_or(is_default) AS is_default "
                "FROM ref_sector GROUP BY set_name ORDER BY NOT bool_or(is_default), set_name")


@per_snapshot
def bands(s: Snapshot) -> pd.DataFrame:
    return s.df("SELECT code, label FROM ref_headcount_band ORDER BY rank")


@per_snapshot
def naf_codes(s: Snapshot) -> pd.DataFrame:
    """NAF codes present in the territory (an allowlist of 700 codes is too long to choose from)."""
    return s.df("SELECT DISTINCT e.naf_code AS code, n.label FROM establishment e JOIN ref_naf n ON n.code = e.naf_code "
                "WHERE e.in_territory ORDER BY 1")


@per_snapshot
def snapshot_info(s: Snapshot) -> dict:
    rows = s.rows("SELECT published_at, latest_month, first_month, months_loaded, territory FROM snapshot_info")
    return rows[0] if rows else {}


# --- Vue d'ensemble -------------------------------------------------------------------------------------------

FIGURES = ("companies", "establishments", "creations", "closures", "move_ins", "move_outs", "net_change")


@per_snapshot
def month_figures(s: Snapshot, month: date, scope: str) -> dict[str, dict | None]:
    """The month's row of territory_monthly, the previous month's and the same month a year before."""
    out = {}
    for key, m in (("current", month), ("previous", add_months(month, -1)), ("year_ago", add_months(month, -12))):
        rows = s.rows(f"SELECT month, is_first_month, {', '.join(FIGURES)} FROM territory_monthly "
                      "WHERE month = ? AND scope = ?", [m, scope])
        out[key] = rows[0] if rows else None
    return out


@per_snapshot
def trends(s: Snapshot, month: date, scope: str) -> pd.DataFrame:
    return s.df(f"SELECT month, {', '.join(FIGURES)} FROM territory_monthly WHERE scope = ? AND month <= ? "
                "AND month > ? AND NOT is_first_month ORDER BY month",
                [scope, month, add_months(month, -24)])


@per_snapshot
def by_commune(s: Snapshot, month: date, scope: str) -> pd.DataFrame:
    return s.df("SELECT commune_name AS commune, sum(establishments)::BIGINT AS establishments, "
                "sum(creations)::BIGINT AS creations, sum(closures)::BIGINT AS closures, "
                "sum(move_ins)::BIGINT AS move_ins, sum(move_outs)::BIGINT AS move_outs "
                "FROM territory_monthly_by_commune WHERE month = ? AND (? = 'all' OR is_tech) "
                "GROUP BY commune_name ORDER BY establishments DESC, commune", [month, scope])


@per_snapshot
def by_sector(s: Snapshot, month: date, scope: str) -> pd.DataFrame:
    """By NAF division for the tech perimeter, by NAF section for all activities."""
    group = "coalesce(naf_label, naf_code)" if scope != "all" else "coalesce(n.section_label, 'Non classé')"
    return s.df(f"SELECT {group} AS sector, sum(a.establishments)::BIGINT AS establishments, "
                "sum(a.creations)::BIGINT AS creations, sum(a.closures)::BIGINT AS closures "
                "FROM territory_monthly_by_activity a LEFT JOIN ref_naf n ON n.code = a.naf_code "
                "WHERE a.month = ? AND (? = 'all' OR a.is_tech) GROUP BY ALL HAVING sum(a.establishments) > 0 "
                "ORDER BY establishments DESC, sector", [month, scope])


# --- Entreprises ----------------------------------------------------------------------------------------------

_COMPANY_BASE = """
WITH places AS (
    SELECT siren, list(DISTINCT commune_code) AS communes,
           arg_max(commune_name, is_head_office::INT * 2 + (state = 'A')::INT) AS commune_name
    FROM establishment WHERE in_territory GROUP BY siren
)
SELECT c.siren, c.name, lower(coalesce(c.name, '')) AS name_lower, p.commune_name, p.communes, c.naf_code,
       c.naf_label, c.headcount_band, c.headcount_label, hb.rank AS headcount_order, c.state, c.created_on, c.is_tech
FROM company c
JOIN places p USING (siren)
LEFT JOIN ref_headcount_band hb ON hb.code = c.headcount_band
"""


def company_where(f: Filters) -> tuple[str, list]:
    clauses, params = [], []
    if f.q:
        clauses.append("(contains(c.name_lower, lower(?)) OR starts_with(c.siren, ?))")
        params += [f.q, f.q.replace(" ", "")]
    if f.communes:
        clauses.append("list_has_any(c.communes, ?::VARCHAR[])")
        params.append(list(f.communes))
    if f.secteur != ALL:
        clauses.append("c.naf_code IN (SELECT naf_code FROM ref_sector WHERE set_name = ? AND nomenclature = 'NAFRev2')")
        params.append(f.secteur)
    if f.naf:
        clauses.append("list_contains(?::VARCHAR[], c.naf_code)")
        params.append(list(f.naf))
    if f.tailles:
        clauses.append("list_contains(?::VARCHAR[], c.headcount_band)")
        params.append(list(f.tailles))
    if f.cree_du:
        clauses.append("c.created_on >= ?")
        params.append(f.cree_du)
    if f.cree_au:
        clauses.append("c.created_on <= ?")
        params.append(f.cree_au)
    if f.etat != ALL:
        clauses.append("c.state = ?")
        params.append(f.etat)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def company_list(s: Snapshot) -> str:
    """The companies of the territory with their display commune: one table per snapshot version."""
    return s.materialize("company_list", _COMPANY_BASE)


@per_snapshot
def count_companies(s: Snapshot, f: Filters) -> int:
    where, params = company_where(f)
    return int(s.scalar(f"SELECT count(*) FROM {company_list(s)} c {where}", params))


def companies(s: Snapshot, f: Filters, *, limit: int | None = 500, offset: int = 0) -> pd.DataFrame:
    where, params = company_where(f)
    order = SORTS[f.tri]  # KeyError on anything else: the filter parser already fell back to the default
    direction = "DESC" if f.desc else "ASC"
    sql = (f"SELECT * EXCLUDE (name_lower, communes) FROM {company_list(s)} c {where} "
           f"ORDER BY {order} {direction} NULLS LAST, c.siren")
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params = params + [limit, offset]
    return s.df(sql, params)


EXPORT_COLUMNS = {"siren": "SIREN", "name": "Dénomination", "commune_name": "Commune", "naf_code": "Code NAF",
                  "naf_label": "Activité", "headcount_label": "Tranche d'effectif", "state": "État",
                  "created_on": "Date de création"}


def export_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df[list(EXPORT_COLUMNS)].rename(columns=EXPORT_COLUMNS)
    out["État"] = out["État"].map({"A": "Active", "C": "Cessée"})
    out["Dénomination"] = out["Dénomination"].fillna("(nom non diffusible)")
    return out


# --- Carte ----------------------------------------------------------------------------------------------------

def establishment_where(f: Filters) -> tuple[str, list]:
    clauses = ["e.in_territory", "e.state = 'A'", "e.latitude IS NOT NULL", "e.longitude IS NOT NULL"]
    params: list = []
    if f.communes:
        clauses.append("list_contains(?::VARCHAR[], e.commune_code)")
        params.append(list(f.communes))
    if f.secteur != ALL:
        clauses.append("e.naf_code IN (SELECT naf_code FROM ref_sector WHERE set_name = ? AND nomenclature = 'NAFRev2')")
        params.append(f.secteur)
    if f.naf:
        clauses.append("list_contains(?::VARCHAR[], e.naf_code)")
        params.append(list(f.naf))
    if f.tailles:
        clauses.append("list_contains(?::VARCHAR[], e.headcount_band)")
        params.append(list(f.tailles))
    return " WHERE " + " AND ".join(clauses), params


def count_map_points(s: Snapshot, f: Filters) -> int:
    where, params = establishment_where(f)
    return int(s.scalar(f"SELECT count(*) FROM establishment e {where}", params))


@per_snapshot
def map_points(s: Snapshot, f: Filters) -> tuple[pd.DataFrame, bool]:
    """(frame, aggregated): one row per establishment, or per grid cell (about 200 m) when there are too many."""
    where, params = establishment_where(f)
    total = count_map_points(s, f)
    sector = "coalesce(n.section_label, 'Non classé')"
    if total <= MAP_POINT_LIMIT:
        return s.df(f"SELECT e.latitude, e.longitude, e.name, e.commune_name, {sector} AS secteur, "
                    "coalesce(hb.rank, 0) AS taille, coalesce(hb.label, 'Non renseignée') AS tranche, "
                    "1 AS etablissements FROM establishment e LEFT JOIN ref_naf n ON n.code = e.naf_code "
                    f"LEFT JOIN ref_headcount_band hb ON hb.code = e.headcount_band {where}", params), False
    return s.df(f"SELECT round(avg(e.latitude), 5) AS latitude, round(avg(e.longitude), 5) AS longitude, "
                f"mode({sector}) AS secteur, count(*) AS etablissements "
                "FROM establishment e LEFT JOIN ref_naf n ON n.code = e.naf_code "
                f"{where} GROUP BY round(e.latitude / 0.002), round(e.longitude / 0.003)", params), True


@per_snapshot
def commune_centres(s: Snapshot) -> pd.DataFrame:
    return s.df("SELECT commune_name AS commune, avg(latitude) AS latitude, avg(longitude) AS longitude "
                "FROM establishment WHERE in_territory AND latitude IS NOT NULL GROUP BY commune_name")


# --- Fiche entreprise -----------------------------------------------------------------------------------------

def company(s: Snapshot, siren: str) -> dict | None:
    rows = s.rows("SELECT siren, name, sigle, legal_form_label, is_individual, naf_code, naf_label, is_tech, "
                  "headcount_label, category, state, created_on, closed_on, head_office_siret, "
                  "head_office_in_territory, is_ess, is_mission_company FROM company WHERE siren = ?", [siren])
    return rows[0] if rows else None


def establishments_of(s: Snapshot, siren: str) -> pd.DataFrame:
    return s.df("SELECT siret, name, street_address, postcode, commune_name, naf_label, headcount_label, "
                "is_head_office, state, created_on, closed_on FROM establishment "
                "WHERE siren = ? AND in_territory ORDER BY is_head_office DESC, state, siret", [siren])


def timeline(s: Snapshot, siren: str) -> pd.DataFrame:
    """Every dated fact about the company, from every source, newest first."""
    return s.df("SELECT event_date, month, kind, source, siret, commune_code, evidence, details "
                "FROM event WHERE siren = ? ORDER BY event_date DESC NULLS LAST, kind", [siren])


def optional_rows(s: Snapshot, table: str, siren: str, *, siren_columns: tuple[str, ...] = ("siren",),
                  limit: int = 200) -> pd.DataFrame | None:
    """Rows of an optional source table about one company; None when the table is not in this snapshot.
    The table and column names come from the snapshot's catalog, never from the user."""
    if not s.has(table):
        return None
    cols = [c for c in siren_columns if c in s.columns(table)]
    if not cols:
        return None
    cond = " OR ".join(f'"{c}" = ?' for c in cols)
    return s.df(f'SELECT * FROM "{table}" WHERE {cond} LIMIT {int(limit)}', [siren] * len(cols))


def articles_of(s: Snapshot, siren: str) -> pd.DataFrame | None:
    if not (s.has("article") and s.has("article_mention")):
        return None
    acols, mcols = s.columns("article"), s.columns("article_mention")
    if "siren" not in mcols or "article_id" not in acols or "article_id" not in mcols:
        return None
    wanted = [c for c in ("published_at", "title") if c in acols]
    link = next((c for c in ("canonical_url", "url") if c in acols), None)
    select = [f'a."{c}"' for c in wanted] + ([f'a."{link}" AS url'] if link else [])
    select += [f'm."{c}"' for c in ("method", "confidence") if c in mcols]
    order = ' ORDER BY a."published_at" DESC NULLS LAST' if "published_at" in acols else ""
    return s.df(f'SELECT {", ".join(select)} FROM article_mention m JOIN article a USING (article_id) '
                f"WHERE m.siren = ?{order} LIMIT 200", [siren])


def introductions_of(s: Snapshot, siren: str) -> pd.DataFrame | None:
    if not s.has("introduction"):
        return None
    cols = s.columns("introduction")
    if not {"siren_a", "siren_b"} <= set(cols):
        return None
    extra = ", ".join(f'i."{c}"' for c in ("reason", "score") if c in cols) or "NULL AS reason"
    order = ' ORDER BY i."score" DESC NULLS LAST' if "score" in cols else ""
    return s.df("SELECT CASE WHEN i.siren_a = ? THEN i.siren_b ELSE i.siren_a END AS siren, c.name, "
                f"c.naf_label, {extra} FROM introduction i "
                "LEFT JOIN company c ON c.siren = CASE WHEN i.siren_a = ? THEN i.siren_b ELSE i.siren_a END "
                f"WHERE i.siren_a = ? OR i.siren_b = ?{order} LIMIT 50", [siren] * 4)


# --- Signaux --------------------------------------------------------------------------------------------------

@per_snapshot
def difficulties(s: Snapshot, scope: str) -> pd.DataFrame | None:
    if not s.has("company_in_difficulty") or "siren" not in s.columns("company_in_difficulty"):
        return None
    shown = ("procedure", "judgment_nature", "judgment_date", "since", "url")
    cols = [c for c in shown if c in s.columns("company_in_difficulty")]
    select = ", ".join(f'd."{c}"' for c in cols)
    return s.df(f"SELECT d.siren, c.name, c.naf_label{', ' + select if select else ''} "
                "FROM company_in_difficulty d LEFT JOIN company c USING (siren) "
                "WHERE (? = 'all' OR coalesce(c.is_tech, false)) ORDER BY c.name NULLS LAST, d.siren", [scope])


@per_snapshot
def month_events(s: Snapshot, month: date, scope: str, kinds: tuple[str, ...]) -> pd.DataFrame:
    return s.df("SELECT ev.event_date, ev.kind, ev.siren, c.name, rc.name AS commune, n.label AS activite, "
                "ev.details ->> 'from_commune' AS from_commune, ev.details ->> 'to_commune' AS to_commune, "
                "ev.details ->> 'from_band' AS from_band, ev.details ->> 'to_band' AS to_band "
                "FROM event ev LEFT JOIN company c USING (siren) LEFT JOIN ref_commune rc ON rc.code = ev.commune_code "
                "LEFT JOIN ref_naf n ON n.code = ev.naf_code "
                "WHERE ev.source = 'sirene' AND ev.month = ? AND list_contains(?::VARCHAR[], ev.kind) "
                "AND (? = 'all' OR ev.is_tech) ORDER BY ev.kind, ev.event_date, c.name NULLS LAST, ev.siren",
                [month, list(kinds), scope])


@per_snapshot
def band_ups(s: Snapshot, month: date, scope: str) -> pd.DataFrame:
    return s.df("SELECT ev.event_date, ev.siren, c.name, rc.name AS commune, fb.label AS de, tb.label AS vers "
                "FROM event ev LEFT JOIN company c USING (siren) LEFT JOIN ref_commune rc ON rc.code = ev.commune_code "
                "LEFT JOIN ref_headcount_band fb ON fb.code = ev.details ->> 'from_band' "
                "LEFT JOIN ref_headcount_band tb ON tb.code = ev.details ->> 'to_band' "
                "WHERE ev.source = 'sirene' AND ev.kind = 'headcount_change' AND ev.details ->> 'direction' = 'up' "
                "AND ev.month = ? AND (? = 'all' OR ev.is_tech) ORDER BY tb.rank DESC, c.name NULLS LAST, ev.siren",
                [month, scope])


# --- Qualité des données --------------------------------------------------------------------------------------

def recent_runs(s: Snapshot, limit: int = 30) -> pd.DataFrame:
    return s.df("SELECT started_at, ended_at, flow, status, month, message FROM run "
                "ORDER BY started_at DESC LIMIT ?", [limit])


@per_snapshot
def quarantine_by_rule(s: Snapshot) -> pd.DataFrame:
    return s.df("SELECT entity, rule, sum(rows)::BIGINT AS rows, count(DISTINCT month) AS months, max(month) AS last_month "
                "FROM quarantine_summary GROUP BY entity, rule ORDER BY rows DESC, entity, rule")


@per_snapshot
def freshness(s: Snapshot) -> pd.DataFrame:
    """One row per source: the latest data it brought and when it was last loaded."""
    rows = s.rows("SELECT 'SIRENE (stock mensuel)' AS source, max(month) AS latest, max(loaded_at) AS loaded_at, "
                  "count(*) AS units FROM stock_month")
    rows += s.rows("SELECT 'Événements : ' || source AS source, max(event_date) AS latest, NULL AS loaded_at, "
                   "count(*) AS units FROM event WHERE source <> 'sirene' GROUP BY source ORDER BY source")
    for table, label in OPTIONAL_SOURCES.items():
        if s.has(table):
            cols = s.columns(table)
            latest = next((c for c in ("published_on", "published_at", "judgment_date", "month") if c in cols), None)
            loaded = next((c for c in ("fetched_at", "first_seen_at", "created_at") if c in cols), None)
            # Column names come from the snapshot's catalog (checked above), not from the user.
            latest_sql = f'max(CAST("{latest}" AS DATE))' if latest else "NULL"
            loaded_sql = f'max("{loaded}")' if loaded else "NULL"
            n, last, at = s.con.execute(f'SELECT count(*), {latest_sql}, {loaded_sql} FROM "{table}"').fetchall()[0]
            rows.append({"source": f"{label} ({table})", "latest": last, "loaded_at": at, "units": n})
        else:
            rows.append({"source": f"{label} ({table})", "latest": None, "loaded_at": None, "units": None})
    return pd.DataFrame(rows, columns=["source", "latest", "loaded_at", "units"])
