"""Each page's logic, headless with Streamlit's AppTest, on the demo snapshot: numbers equal SQL written here,
filters come from the URL, hostile input never reaches SQL, source text is shown literally."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.numbers import format_decimal
from streamlit.testing.v1 import AppTest

from tests.hostile import IMG, MD_LINK, MUSTACHE, XSS
from warehouse.db import connect_snapshot

PAGES = Path(__file__).resolve().parents[2] / "dashboard" / "views"
INJECTIONS = ("x'); DROP TABLE company; --", "' OR 1=1 --")


def fr(n: int) -> str:
    return format_decimal(n, locale="fr_FR")


def sql(snapshot: Path, query: str, params=None):
    con = connect_snapshot(snapshot)  # same configuration as the dashboard's reader, in the same process
    try:
        return con.execute(query, params or []).fetchall()
    finally:
        con.close()


def release_snapshot() -> None:
    """Close the dashboard's cached reader: DuckDB refuses a second, differently-locked connection to the same
    file in one process, and the test's own SQL opens one."""
    import streamlit as st

    from dashboard import ui

    for reader in list(ui.open_readers()):
        reader.close()
    st.cache_resource.clear()


def run(at: AppTest) -> AppTest:
    at.run()
    release_snapshot()
    assert not at.exception, [e.value for e in at.exception]
    return at


def run_page(monkeypatch, snapshot: Path, page: str, **params) -> AppTest:
    monkeypatch.setenv("RADAR_DASHBOARD_SNAPSHOT", str(snapshot))
    at = AppTest.from_file(str(PAGES / f"{page}.py"), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    return run(at)


def metric(at: AppTest, label: str) -> str:
    found = [m.value for m in at.metric if m.label == label]
    assert found, f"no metric {label!r} in {[m.label for m in at.metric]}"
    return found[0]


def all_text(at: AppTest) -> str:
    parts = [e.value for e in at.markdown] + [e.value for e in at.header] + [e.value for e in at.title]
    parts += [e.value for e in at.caption] + [e.value for e in at.info] + [e.value for e in at.warning]
    parts += [e.value for e in at.subheader]
    return "\n".join(str(p) for p in parts)


def tables_text(at: AppTest) -> str:
    return "\n".join(df.value.astype("string").fillna("").to_csv() for df in at.dataframe)


def param(at: AppTest, key: str) -> list[str]:
    value = at.query_params.get(key, [])
    return [value] if isinstance(value, str) else list(value)


def latest(snapshot: Path):
    return sql(snapshot, "SELECT max(month) FROM establishment_monthly")[0][0]


def test_overview_figures_equal_sql(monkeypatch, demo_snapshot):
    at = run_page(monkeypatch, demo_snapshot, "overview")
    month = latest(demo_snapshot)
    (companies, establishments), = sql(demo_snapshot, "SELECT count(DISTINCT siren), count(*) FROM establishment_monthly "
                                                      "WHERE month = ? AND state = 'A' AND is_tech", [month])
    (creations,), = sql(demo_snapshot, "SELECT count(*) FROM event WHERE source = 'sirene' AND kind = 'creation' "
                                       "AND is_tech AND month = ?", [month])
    assert metric(at, "Entreprises") == fr(companies)
    assert metric(at, "Établissements") == fr(establishments)
    assert metric(at, "Créations") == fr(creations)
    # All activities, a year before the latest month: the month and perimeter come from the URL.
    year_ago = month.replace(year=month.year - 1)
    at = run_page(monkeypatch, demo_snapshot, "overview", mois=year_ago.strftime("%Y-%m"), perimetre="tous")
    (companies,), = sql(demo_snapshot, "SELECT count(DISTINCT siren) FROM establishment_monthly WHERE month = ? "
                                       "AND state = 'A'", [year_ago])
    assert metric(at, "Entreprises") == fr(companies)
    assert param(at, "mois") == [year_ago.strftime("%Y-%m")]


COMPANY_COUNT = """
SELECT count(*) FROM company c WHERE EXISTS (
    SELECT 1 FROM establishment e WHERE e.siren = c.siren AND e.in_territory AND e.commune_code = ?)
  AND c.naf_code IN (SELECT naf_code FROM ref_sector WHERE set_name = 'numerique') AND c.state = ?"""


def test_companies_filters_from_the_url_equal_sql(monkeypatch, demo_snapshot):
    at = run_page(monkeypatch, demo_snapshot, "companies", commune="92040", secteur="numerique", etat="A")
    (expected,), = sql(demo_snapshot, COMPANY_COUNT, ["92040", "A"])
    assert expected > 0
    assert metric(at, "Entreprises correspondant aux filtres") == fr(expected)
    assert len(at.dataframe[0].value) == min(expected, 500)
    assert set(at.dataframe[0].value["Commune"]) and set(at.dataframe[0].value["État"]) == {"Active"}
    # Changing a widget rewrites the URL, so the view can be shared.
    at.radio(key="etat").set_value("C")
    run(at)
    (closed,), = sql(demo_snapshot, COMPANY_COUNT, ["92040", "C"])
    assert metric(at, "Entreprises correspondant aux filtres") == fr(closed)
    assert param(at, "etat") == ["C"] and param(at, "commune") == ["92040"]


def test_search_and_sort(monkeypatch, demo_snapshot):
    name, siren = sql(demo_snapshot, "SELECT name, siren FROM company WHERE name IS NOT NULL AND siren IN "
                                     "(SELECT siren FROM establishment) ORDER BY siren LIMIT 1")[0]
    at = run_page(monkeypatch, demo_snapshot, "companies", q=name.lower(), tri="creation", ordre="desc")
    assert siren in set(at.dataframe[0].value["SIREN"])
    dates = list(at.dataframe[0].value["Date de création"].dropna())
    assert dates == sorted(dates, reverse=True)
    at = run_page(monkeypatch, demo_snapshot, "companies", q=siren)
    assert list(at.dataframe[0].value["SIREN"]) == [siren]


@pytest.mark.parametrize("ordre", ["asc", "desc"])
def test_by_name_the_units_without_a_name_come_last_and_bands_are_short(monkeypatch, demo_snapshot, ordre):
    at = run_page(monkeypatch, demo_snapshot, "companies", commune="92040", secteur="numerique", tri="nom",
                  ordre=ordre)
    names = list(at.dataframe[0].value["Nom"])
    masked = [n == "(nom non diffusible)" for n in names]
    assert any(masked) and not all(masked), names[-5:]
    assert masked == sorted(masked)  # every named unit first
    named = [n for n in names if n != "(nom non diffusible)"]
    assert named == sorted(named, reverse=ordre == "desc")
    shorts = {r for (r,) in sql(demo_snapshot, "SELECT short_label FROM ref_headcount_band")}
    assert set(at.dataframe[0].value["Tranche d'effectif"].dropna()) <= shorts


@pytest.mark.parametrize("hostile", INJECTIONS)
def test_injection_attempts_are_values_never_sql(monkeypatch, demo_snapshot, hostile):
    """T33: typed text is a bound parameter; URL values outside the allowlists are dropped; tables intact."""
    before = sql(demo_snapshot, "SELECT count(*) FROM company")[0][0]
    at = run_page(monkeypatch, demo_snapshot, "companies", q=hostile, commune=hostile, naf=hostile, taille=hostile,
                  secteur=hostile, etat=hostile, tri="name; DROP TABLE company; --", mois=hostile)
    assert metric(at, "Entreprises correspondant aux filtres") == "0"  # nobody is named like that
    warning = " ".join(w.value for w in at.warning).replace("\\", "")
    assert "tri=name" in warning and "commune=" in warning
    assert param(at, "q") == [hostile] and not param(at, "tri") and not param(at, "commune")
    at = run_page(monkeypatch, demo_snapshot, "companies", commune=hostile)
    (everyone,), = sql(demo_snapshot, "SELECT count(DISTINCT siren) FROM establishment WHERE in_territory")
    assert metric(at, "Entreprises correspondant aux filtres") == fr(everyone)
    assert sql(demo_snapshot, "SELECT count(*) FROM company")[0][0] == before


def test_map_counts_and_aggregates(monkeypatch, demo_snapshot):
    at = run_page(monkeypatch, demo_snapshot, "map", commune="92012", taille=["NN", "00"])
    (expected,), = sql(demo_snapshot, "SELECT count(*) FROM establishment WHERE in_territory AND state = 'A' AND "
                                      "latitude IS NOT NULL AND commune_code = '92012' AND headcount_band IN ('NN', '00')")
    assert metric(at, "Établissements actifs localisés") == fr(expected)
    from dashboard import queries
    from dashboard.filters import Filters
    from dashboard.snapshot import Snapshot

    con = connect_snapshot(demo_snapshot)
    try:
        monkeypatch.setattr(queries, "MAP_POINT_LIMIT", 10)
        cells, aggregated = queries.map_points(Snapshot(con, (0, 0, 0)), Filters())
    finally:
        con.close()
    (total,), = sql(demo_snapshot, "SELECT count(*) FROM establishment WHERE in_territory AND state = 'A' "
                                   "AND latitude IS NOT NULL")
    assert aggregated and len(cells) < total and cells["etablissements"].sum() == total


def test_company_sheet_escapes_source_text(monkeypatch, salted):
    """T31: names, notices, articles and links from sources are shown as text; only http(s) links survive."""
    snapshot, sirens = salted
    at = run_page(monkeypatch, snapshot, "company", siren=sirens["hostile"])
    header = at.header[0].value
    assert "<" not in header.replace("\\<", "") and "script" in header
    text = all_text(at)
    for element in at.markdown:
        assert "javascript:" not in element.value and "<script" not in element.value
    timeline = at.dataframe[1].value
    evidence = set(timeline["evidence"].dropna())  # the salted links, beside the unit's real BODACC notices
    assert "https://example.org/preuve" in evidence and all(e.startswith("https://") for e in evidence), evidence
    shown = tables_text(at)
    assert XSS in header.replace("\\", "") and IMG in shown
    assert "javascript:" not in shown and "data:text/html" not in shown
    assert fr(1250000) in shown and sirens["partner"] in shown  # finances and suggested contacts
    assert "reconnue par son nom" in shown and "reconnue par son SIREN" in shown  # words, never `name`
    assert "reconnue par name" not in shown
    assert "non chargée" not in text
    at = run_page(monkeypatch, snapshot, "company", siren=sirens["curly"])
    assert MUSTACHE.replace("{", "\\{").replace("}", "\\}").replace("*", "\\*") in at.header[0].value
    assert "](" not in at.header[0].value.replace("\\](", "").replace("\\]\\(", "")
    assert MD_LINK  # the Markdown link in the name is escaped above: no clickable javascript: link


def test_partially_diffusible_units_show_no_personal_fields(monkeypatch, salted):
    """T35: a 'P' individual has no name, address or coordinates; '[ND]' is never rendered."""
    snapshot, sirens = salted
    at = run_page(monkeypatch, snapshot, "company", siren=sirens["person"])
    assert "(nom non diffusible)" in at.header[0].value.replace("\\", "")
    est = at.dataframe[0].value
    assert est["street_address"].isna().all()
    assert "[ND]" not in all_text(at) + tables_text(at)
    at = run_page(monkeypatch, snapshot, "companies", q=sirens["person"])
    assert list(at.dataframe[0].value["Nom"]) == ["(nom non diffusible)"]


def test_signals_and_optional_sources(monkeypatch, salted, bare):
    snapshot, sirens = salted
    at = run_page(monkeypatch, snapshot, "signals", perimetre="tous")
    (troubled,), = sql(snapshot, "SELECT count(DISTINCT siren) FROM company_in_difficulty")
    assert metric(at, "Entreprises en difficulté") == fr(troubled) and troubled > 2  # the demo's BODACC, salted
    links = [v for df in at.dataframe for c in df.value.columns if c == "url" for v in df.value[c].dropna()]
    assert "https://www.bodacc.fr/n1" in links and all(v.startswith("https://") for v in links)
    assert len(links) == troubled - 1  # the salted javascript: link is dropped
    month = latest(snapshot)
    for label, kind in (("Créations", "creation"), ("Arrivées", "move_in"), ("Départs", "move_out")):
        (n,), = sql(snapshot, "SELECT count(*) FROM event WHERE source = 'sirene' AND kind = ? AND month = ?",
                    [kind, month])
        assert metric(at, label) == fr(n)
    (ups,), = sql(snapshot, "SELECT count(*) FROM event WHERE kind = 'headcount_change' AND month = ? AND "
                            "json_extract_string(details, '$.direction') = 'up'", [month])
    assert metric(at, "Passages à une tranche supérieure") == fr(ups)
    # A pipeline without BODACC, press, API or introductions: the pages say so and keep working.
    at = run_page(monkeypatch, bare, "signals")
    never = "aucune collecte n'a encore eu lieu"
    assert never in all_text(at) and "non chargée" not in all_text(at)
    bare_sheet = run_page(monkeypatch, bare, "company", siren=sirens["hostile"])
    assert all_text(bare_sheet).count(never) == 3  # BODACC, press, API Recherche d'entreprises
    assert "Aucune mise en relation suggérée pour cette entreprise." in all_text(bare_sheet)


def test_quality_page(monkeypatch, demo_snapshot):
    at = run_page(monkeypatch, demo_snapshot, "quality")
    (quarantined,), = sql(demo_snapshot, "SELECT sum(rows) FROM quarantine_summary")
    assert metric(at, "Lignes en quarantaine (tous mois)") == fr(quarantined)
    (failed,), = sql(demo_snapshot, "SELECT count(*) FILTER (WHERE status <> 'success') FROM "
                                    "(SELECT status FROM run ORDER BY started_at DESC LIMIT 30)")
    assert metric(at, "Échecs parmi les 30 dernières exécutions") == fr(failed)
    fresh = at.dataframe[0].value
    (latest_stock,), = sql(demo_snapshot, "SELECT max(month) FROM stock_month")
    assert fresh.iloc[0]["latest"] == latest_stock.strftime("%m/%Y")


def test_navigation_app_runs(monkeypatch, demo_snapshot):
    monkeypatch.setenv("RADAR_DASHBOARD_SNAPSHOT", str(demo_snapshot))
    at = AppTest.from_file(str(PAGES.parent / "app.py"), default_timeout=60)
    run(at)
    assert at.title[0].value == "Vue d'ensemble"


def test_missing_snapshot_is_a_clear_message(monkeypatch, tmp_path):
    at = run_page(monkeypatch, tmp_path / "nothing.duckdb", "overview")
    assert "Aucun instantané" in at.error[0].value
