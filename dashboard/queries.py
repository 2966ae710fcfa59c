"""What each page shows, as SQL on the published snapshot. Values are always bound parameters; the only
identifiers put into SQL text come from fixed mappings (filters.SORTS). Every statement is a constant of this
module or of dashboard/company_queries.py (tests/reports/test_contract.py prepares each one against a real
snapshot). Names are `company.display_name`, the one rule of every output."""

from __future__ import annotations

import functools
from datetime import date

import pandas as pd

from dashboard.filters import ALL, SORTS, Allowed, Filters
from dashboard.snapshot import Snapshot
from radar.months import add_months

TECH = "numerique"  # perimeter key of the overview and signals pages: the territory's default sector set
MAP_POINT_LIMIT = 4000  # above this, the map shows grid cells instead of points
UNDISCLOSED = "(nom non diffusible)"


def per_snapshot(query):
    """Remember `query(s, *args)` for the published version `s` reads (Snapshot.cached): navigating between
    pages, reruns and other sessions reuse it; a new snapshot starts afresh. Frames are handed out as copies,
    since pages add display columns to them."""
    @functools.wraps(query)
    def cached(s: Snapshot, *args, **kwargs):
        value = s.cached((query.__name__, args, tuple(sorted(kwargs.items()))), lambda: query(s, *args, **kwargs))
        return value.copy() if isinstance(value, pd.DataFrame) else value
    return cached


COMMUNE_CODES_SQL = "SELECT code FROM ref_commune"
SECTOR_NAMES_SQL = "SELECT DISTINCT set_name FROM ref_sector"
NAF_CODES_SQL = "SELECT code FROM ref_naf"
BAND_CODES_SQL = "SELECT code FROM ref_headcount_band"
MONTHS_SQL = "SELECT DISTINCT month FROM territory_monthly ORDER BY month"
COMMUNES_SQL = "SELECT code, name FROM ref_commune ORDER BY name"
SECTOR_SETS_SQL = """
    SELECT set_name, any_value(set_label) AS set_label, bool_or(is_default) AS is_default
    FROM ref_sector GROUP BY set_name ORDER BY NOT bool_or(is_default), set_name"""
BANDS_SQL = "SELECT code, label, short_label FROM ref_headcount_band ORDER BY rank"
# NAF codes present in the territory (an allowlist of 700 codes is too long to choose from).
TERRITORY_NAF_SQL = """
    SELECT DISTINCT e.naf_code AS code, n.label FROM establishment e JOIN ref_naf n ON n.code = e.naf_code
    WHERE e.in_territory ORDER BY 1"""
SNAPSHOT_SQL = "SELECT published_at, latest_month, first_month, months_loaded, territory FROM snapshot_info"


@per_snapshot
def allowed_values(s: Snapshot) -> Allowed:
    one = lambda sql: frozenset(r[0] for r in s.con.execute(sql).fetchall() if r[0] is not None)
    return Allowed(communes=one(COMMUNE_CODES_SQL), sectors=one(SECTOR_NAMES_SQL), naf=one(NAF_CODES_SQL),
                   bands=one(BAND_CODES_SQL), months=tuple(months(s)))


@per_snapshot
def months(s: Snapshot) -> list[date]:
    return [r[0] for r in s.con.execute(MONTHS_SQL).fetchall()]


@per_snapshot
def communes(s: Snapshot) -> pd.DataFrame:
    return s.df(COMMUNES_SQL)


@per_snapshot
def sector_sets(s: Snapshot) -> pd.DataFrame:
    return s.df(SECTOR_SETS_SQL)


@per_snapshot
def bands(s: Snapshot) -> pd.DataFrame:
    return s.df(BANDS_SQL)


@per_snapshot
def naf_codes(s: Snapshot) -> pd.DataFrame:
    return s.df(TERRITORY_NAF_SQL)


@per_snapshot
def snapshot_info(s: Snapshot) -> dict:
    rows = s.rows(SNAPSHOT_SQL)
    return rows[0] if rows else {}


# --- Vue d'ensemble -------------------------------------------------------------------------------------------

FIGURES_SQL = """
    SELECT month, is_first_month, is_reconstructed, companies, establishments, establishments_before, creations,
           closures, move_ins, move_outs, sector_entries, sector_exits, other_changes, net_change
    FROM territory_monthly WHERE month = ? AND scope = ?"""
TRENDS_SQL = """
    SELECT month, companies, establishments, creations, closures, move_ins, move_outs, sector_entries, sector_exits
    FROM territory_monthly WHERE scope = ? AND month <= ? AND month > ? AND NOT is_first_month ORDER BY month"""
BALANCE_COLUMNS = """establishments_before, creations, closures, move_ins, move_outs, sector_entries, sector_exits,
    other_changes, establishments"""
BY_COMMUNE_SQL = f"""
    SELECT commune_name AS commune, {BALANCE_COLUMNS}
    FROM territory_monthly_by_commune WHERE month = ? AND is_tech ORDER BY establishments DESC, commune"""
BY_COMMUNE_ALL_SQL = """
    SELECT commune_name AS commune, sum(establishments_before)::BIGINT AS establishments_before,
           sum(creations)::BIGINT AS creations, sum(closures)::BIGINT AS closures, sum(move_ins)::BIGINT AS move_ins,
           sum(move_outs)::BIGINT AS move_outs, 0 AS sector_entries, 0 AS sector_exits,
           sum(other_changes)::BIGINT AS other_changes, sum(establishments)::BIGINT AS establishments
    FROM territory_monthly_by_commune WHERE month = ? GROUP BY commune_name ORDER BY establishments DESC, commune"""
BY_SECTOR_SQL = f"""
    SELECT naf_code || ' ' || coalesce(naf_short_label, '') AS sector, {BALANCE_COLUMNS}
    FROM territory_monthly_by_activity WHERE month = ? AND is_tech ORDER BY establishments DESC, naf_code"""
# All activities: by NAF section; activity changes within a section are no entry or exit of it.
BY_SECTION_SQL = """
    SELECT coalesce(n.section_label, 'Non classé') AS sector, sum(a.establishments_before)::BIGINT AS
           establishments_before, sum(a.creations)::BIGINT AS creations, sum(a.closures)::BIGINT AS closures,
           sum(a.move_ins)::BIGINT AS move_ins, sum(a.move_outs)::BIGINT AS move_outs,
           sum(a.sector_entries)::BIGINT AS sector_entries, sum(a.sector_exits)::BIGINT AS sector_exits,
           sum(a.other_changes)::BIGINT AS other_changes, sum(a.establishments)::BIGINT AS establishments
    FROM territory_monthly_by_activity a LEFT JOIN ref_naf n ON n.code = a.naf_code
    WHERE a.month = ? GROUP BY ALL HAVING sum(a.establishments) + sum(a.establishments_before) > 0
    ORDER BY establishments DESC, sector"""


@per_snapshot
def month_figures(s: Snapshot, month: date, scope: str) -> dict[str, dict | None]:
    """The month's row of territory_monthly, the previous month's and the same month a year before."""
    out = {}
    for key, m in (("current", month), ("previous", add_months(month, -1)), ("year_ago", add_months(month, -12))):
        rows = s.rows(FIGURES_SQL, [m, scope])
        out[key] = rows[0] if rows else None
    return out


@per_snapshot
def trends(s: Snapshot, month: date, scope: str) -> pd.DataFrame:
    return s.df(TRENDS_SQL, [scope, month, add_months(month, -24)])


@per_snapshot
def by_commune(s: Snapshot, month: date, scope: str) -> pd.DataFrame:
    return s.df(BY_COMMUNE_SQL if scope == "tech" else BY_COMMUNE_ALL_SQL, [month])


@per_snapshot
def by_sector(s: Snapshot, month: date, scope: str) -> pd.DataFrame:
    """By activity code for the tech perimeter, by NAF section for all activities."""
    return s.df(BY_SECTOR_SQL if scope == "tech" else BY_SECTION_SQL, [month])


# --- Entreprises ----------------------------------------------------------------------------------------------

COMPANY_BASE_SQL = """
WITH places AS (
    SELECT siren, list(DISTINCT commune_code) AS communes,
           arg_max(commune_name, is_head_office::INT * 2 + (state = 'A')::INT) AS commune_name
    FROM establishment WHERE in_territory GROUP BY siren
)
SELECT c.siren, c.display_name AS name, lower(c.display_name) AS name_lower, p.commune_name, p.communes,
       c.naf_code, c.naf_label, c.headcount_band, c.headcount_label, hb.short_label AS headcount_short,
       hb.rank AS headcount_order, c.state, c.created_on, c.is_tech,
       c.display_name = '(nom non diffusible)' AS is_masked
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
    return s.materialize("company_list", COMPANY_BASE_SQL)


@per_snapshot
def count_companies(s: Snapshot, f: Filters) -> int:
    where, params = company_where(f)
    return int(s.scalar(f"SELECT count(*) FROM {company_list(s)} c {where}", params))


def companies(s: Snapshot, f: Filters, *, limit: int | None = 500, offset: int = 0) -> pd.DataFrame:
    where, params = company_where(f)
    order = SORTS[f.tri]  # KeyError on anything else: the filter parser already fell back to the default
    direction = "DESC" if f.desc else "ASC"
    # Units without a name to sort on come after the named ones, whichever the direction.
    masked_last = "c.is_masked, " if f.tri == "nom" else ""
    sql = (f"SELECT * EXCLUDE (name_lower, communes) FROM {company_list(s)} c {where} "
           f"ORDER BY {masked_last}{order} {direction} NULLS LAST, c.siren")
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params = params + [limit, offset]
    return s.df(sql, params)


EXPORT_COLUMNS = {"siren": "SIREN", "name": "Nom", "commune_name": "Commune", "naf_code": "Code NAF",
                  "naf_label": "Activité", "headcount_label": "Tranche d'effectif", "state": "État",
                  "created_on": "Date de création"}


def export_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df[list(EXPORT_COLUMNS)].rename(columns=EXPORT_COLUMNS)
    out["État"] = out["État"].map({"A": "Active", "C": "Cessée"})
    return out


# --- Carte ----------------------------------------------------------------------------------------------------

# Colours a reader can tell apart: the digital sector in six families, every other activity in six broad groups
# (the 21 NAF sections would need 21 colours).
MAP_GROUP_SQL = """
    CASE WHEN e.is_tech THEN CASE
            WHEN e.naf_code LIKE '58.2%' OR e.naf_code = '62.01Z' THEN 'Numérique : logiciels et programmation'
            WHEN e.naf_code LIKE '62.0%' THEN 'Numérique : conseil et services informatiques'
            WHEN e.naf_code LIKE '63.1%' THEN 'Numérique : données, hébergement, portails'
            WHEN e.naf_code LIKE '61.%' THEN 'Numérique : télécommunications'
            WHEN e.naf_code LIKE '26.%' THEN 'Numérique : fabrication électronique'
            ELSE 'Numérique : commerce et réparation' END
         WHEN n.section IN ('A', 'B', 'C', 'D', 'E', 'F') THEN 'Industrie, énergie, construction'
         WHEN n.section IN ('G', 'H', 'I') THEN 'Commerce, transport, hébergement'
         WHEN n.section IN ('J', 'K', 'L') THEN 'Information, finance, immobilier'
         WHEN n.section IN ('M', 'N') THEN 'Services aux entreprises'
         WHEN n.section IN ('O', 'P', 'Q') THEN 'Administration, enseignement, santé'
         ELSE 'Autres services' END"""
MAP_GROUPS = ("Numérique : logiciels et programmation", "Numérique : conseil et services informatiques",
              "Numérique : données, hébergement, portails", "Numérique : télécommunications",
              "Numérique : fabrication électronique", "Numérique : commerce et réparation",
              "Industrie, énergie, construction", "Commerce, transport, hébergement",
              "Information, finance, immobilier", "Services aux entreprises", "Administration, enseignement, santé",
              "Autres services")
MAP_POINTS_SQL = f"""
    SELECT e.latitude, e.longitude, e.company_display_name AS name, e.commune_name, {MAP_GROUP_SQL} AS groupe,
           coalesce(hb.rank, 0) AS taille, coalesce(hb.short_label, 'Non renseignée') AS tranche,
           1 AS etablissements
    FROM establishment e LEFT JOIN ref_naf n ON n.code = e.naf_code
    LEFT JOIN ref_headcount_band hb ON hb.code = e.headcount_band"""
MAP_CELLS_SQL = f"""
    SELECT round(avg(e.latitude), 5) AS latitude, round(avg(e.longitude), 5) AS longitude,
           mode({MAP_GROUP_SQL}) AS groupe, count(*) AS etablissements
    FROM establishment e LEFT JOIN ref_naf n ON n.code = e.naf_code"""
COMMUNE_CENTRES_SQL = """
    SELECT commune_name AS commune, avg(latitude) AS latitude, avg(longitude) AS longitude
    FROM establishment WHERE in_territory AND latitude IS NOT NULL GROUP BY commune_name"""


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
    if count_map_points(s, f) <= MAP_POINT_LIMIT:
        return s.df(MAP_POINTS_SQL + where, params), False
    return s.df(MAP_CELLS_SQL + where + " GROUP BY round(e.latitude / 0.002), round(e.longitude / 0.003)",
                params), True


@per_snapshot
def commune_centres(s: Snapshot) -> pd.DataFrame:
    return s.df(COMMUNE_CENTRES_SQL)


# --- Signaux --------------------------------------------------------------------------------------------------

DIFFICULTIES_SQL = """
    SELECT d.siren, d.display_name AS name, c.naf_label, d.procedure, d.judgment_nature, d.judgment_date, d.url
    FROM company_in_difficulty d JOIN company c USING (siren)
    WHERE (? = 'all' OR d.is_tech) ORDER BY d.judgment_date DESC NULLS LAST, d.display_name, d.siren"""
MONTH_EVENTS_SQL = """
    SELECT ev.event_date, ev.kind, ev.siren, c.display_name AS name, ev.commune_name AS commune,
           n.short_label AS activite, coalesce(ev.from_commune_name, ev.from_commune) AS from_commune,
           coalesce(ev.to_commune_name, ev.to_commune) AS to_commune,
           coalesce(CAST(ev.details ->> 'was_tech' AS BOOLEAN), false) AS was_tech, ev.is_tech,
           fn.short_label AS from_activity
    FROM event ev JOIN company c USING (siren)
    LEFT JOIN ref_naf n ON n.code = ev.naf_code
    LEFT JOIN ref_naf fn ON fn.code = ev.details ->> 'from_naf'
    WHERE ev.source = 'sirene' AND ev.month = ? AND list_contains(?::VARCHAR[], ev.kind)
      AND (? = 'all' OR ev.is_tech OR coalesce(CAST(ev.details ->> 'was_tech' AS BOOLEAN), false))
    ORDER BY ev.kind, ev.event_date, c.display_name, ev.siren"""
BAND_UPS_SQL = """
    SELECT ev.event_date, ev.siren, c.display_name AS name, ev.commune_name AS commune, fb.short_label AS de,
           tb.short_label AS vers
    FROM event ev JOIN company c USING (siren)
    LEFT JOIN ref_headcount_band fb ON fb.code = ev.details ->> 'from_band'
    LEFT JOIN ref_headcount_band tb ON tb.code = ev.details ->> 'to_band'
    WHERE ev.source = 'sirene' AND ev.kind = 'headcount_change' AND ev.details ->> 'direction' = 'up'
      AND ev.month = ? AND (? = 'all' OR ev.is_tech) ORDER BY tb.rank DESC, c.display_name, ev.siren"""


@per_snapshot
def difficulties(s: Snapshot, scope: str) -> pd.DataFrame:
    return s.df(DIFFICULTIES_SQL, [scope])


@per_snapshot
def month_events(s: Snapshot, month: date, scope: str, kinds: tuple[str, ...]) -> pd.DataFrame:
    return s.df(MONTH_EVENTS_SQL, [month, list(kinds), scope])


@per_snapshot
def band_ups(s: Snapshot, month: date, scope: str) -> pd.DataFrame:
    return s.df(BAND_UPS_SQL, [month, scope])


# --- Qualité des données --------------------------------------------------------------------------------------

RECENT_RUNS_SQL = """
    SELECT started_at, ended_at, flow, status, month, message FROM run ORDER BY started_at DESC LIMIT ?"""
QUARANTINE_SQL = """
    SELECT entity, rule, sum(rows)::BIGINT AS rows, count(DISTINCT month) AS months, max(month) AS last_month
    FROM quarantine_summary GROUP BY entity, rule ORDER BY rows DESC, entity, rule"""
LEGAL_FORMS_SQL = """
    SELECT legal_form_status, legal_form, any_value(legal_form_label) AS label, count(*) AS companies
    FROM company WHERE legal_form_status IN ('retired', 'unknown') GROUP BY ALL ORDER BY companies DESC, legal_form"""
# One row per source: the latest data it brought, when it last ran successfully, how many rows it holds.
FRESHNESS_SQL = """
    WITH runs AS (SELECT flow, max(ended_at) FILTER (WHERE status = 'success') AS last_success FROM run GROUP BY flow)
    SELECT 'SIRENE (stock mensuel)' AS source, strftime(max(month), '%m/%Y') AS latest,
           (SELECT last_success FROM runs WHERE flow = 'sirene_month') AS loaded_at, count(*) AS units
    FROM stock_month
    UNION ALL
    SELECT 'Annonces BODACC', strftime(max(published_on), '%d/%m/%Y'),
           (SELECT last_success FROM runs WHERE flow = 'api_bodacc'), count(*) FROM notice
    UNION ALL
    SELECT 'API Recherche d''entreprises', strftime(max(fetched_at), '%d/%m/%Y'),
           (SELECT last_success FROM runs WHERE flow = 'api_recherche'), count(*) FROM company_enrichment
    UNION ALL
    SELECT 'Presse', strftime(max(published_at), '%d/%m/%Y'),
           (SELECT last_success FROM runs WHERE flow = 'news'), count(*) FROM article
    UNION ALL
    SELECT 'Mises en relation', strftime(max(month), '%m/%Y'), max(created_at), count(*) FROM introduction"""


def recent_runs(s: Snapshot, limit: int = 30) -> pd.DataFrame:
    return s.df(RECENT_RUNS_SQL, [limit])


@per_snapshot
def quarantine_by_rule(s: Snapshot) -> pd.DataFrame:
    return s.df(QUARANTINE_SQL)


@per_snapshot
def unlabelled_legal_forms(s: Snapshot) -> pd.DataFrame:
    return s.df(LEGAL_FORMS_SQL)


@per_snapshot
def freshness(s: Snapshot) -> pd.DataFrame:
    return s.df(FRESHNESS_SQL)


RUN_COUNTS_SQL = "SELECT flow, count(*) FILTER (WHERE status = 'success') FROM run GROUP BY flow"


@per_snapshot
def successful_runs(s: Snapshot) -> dict[str, int]:
    """flow -> successful runs: whether a source was ever collected here (an empty table may mean either)."""
    return dict(s.con.execute(RUN_COUNTS_SQL).fetchall())
