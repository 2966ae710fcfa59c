"""The session's demo, built by the pipeline itself: the bundled demo months loaded by the real steps (no Prefect),
the API sources against their emulators on loopback (recorded responses), the demo's news site read, fetched,
linked and loaded, the month's « mises en relation » computed, then published. Also kept: the snapshot as a
registry-only pipeline publishes it (before any other source ran), and a copy salted with hostile text."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from demo.api.build import read_recorded, serve_demo_apis
from demo.news import demo_feeds, serve_demo_news
from radar.config import Workdir, load_territory
from steps import api_sources, common
from steps import news as news_steps
from steps import report as report_steps
from steps import sirene_month as steps
from steps.demo import ensure_demo_data
from tests.hostile import DATA_LINK, IMG, JS_LINK, MD_LINK, MUSTACHE, SVG, XSS

DEMO_MONTH = "2026-10"  # the latest demo month: the news site's stories and the API responses are of that month


@dataclass(frozen=True)
class DemoBuild:
    workdir: Workdir
    registry_only: Path  # the snapshot published after the monthly loads alone

    @property
    def snapshot(self) -> Path:
        return self.workdir.published


def build_demo(root: Path) -> DemoBuild:
    workdir, territory = Workdir(root / "wd"), load_territory()
    common.prepare_warehouse(workdir)
    for f in ensure_demo_data(root / "stocks"):
        steps.load_files(workdir, territory, f["etablissements"], f["unites_legales"], f["month"])
    registry_only = root / "registry-only" / "published" / "radar.duckdb"
    registry_only.parent.mkdir(parents=True)
    shutil.copyfile(common.publish(workdir, territory), registry_only)
    with serve_demo_apis(read_recorded()) as apis:
        for source in api_sources.SOURCES:
            options = {"key_optional": True} if source == "insee" else {}
            done = api_sources.run_source(workdir, territory, source, endpoints=apis["endpoints"],
                                          policies=apis["policies"], since="2024-11-01", **options)
            assert done["status"] == "loaded", done
    with serve_demo_news() as base:
        run_id, started = common.new_run_id(), datetime.now(UTC)
        fetched = news_steps.fetch_news(workdir, demo_feeds(base), allow_hosts=("127.0.0.1",),
                                        politeness_seconds=0.01)
        news_steps.load_news_run(workdir, news_steps.transform_news(workdir, territory, fetched), run_id, started)
    report_steps.prepare_introductions(workdir, territory, DEMO_MONTH)
    common.publish(workdir, territory)
    return DemoBuild(workdir, registry_only)


def copy_workdir(source: Workdir, target: Path) -> Workdir:
    """A private copy (warehouse and snapshot) for a test that writes."""
    wd = Workdir(target)
    wd.ensure()
    shutil.copy2(source.warehouse, wd.warehouse)
    shutil.copy2(source.published, wd.published)
    return wd


def salt_snapshot(src: Path, dest: Path) -> dict:
    """Copy the snapshot and put hostile names and links into its real tables. Returns the SIRENs used."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest)
    con = duckdb.connect(str(dest))
    try:
        sirens = [r[0] for r in con.execute(
            "SELECT siren FROM company WHERE name IS NOT NULL AND is_tech AND state = 'A' AND siren IN "
            "(SELECT siren FROM establishment WHERE in_territory) AND siren NOT IN "
            "(SELECT siren FROM company_in_difficulty) ORDER BY siren LIMIT 4").fetchall()]
        hostile, curly, partner, troubled = sirens
        person = con.execute("SELECT siren FROM company WHERE statut_diffusion = 'P' AND is_individual "
                             "ORDER BY siren LIMIT 1").fetchone()[0]
        for siren, name in ((hostile, XSS + " " + IMG), (curly, MUSTACHE + " " + MD_LINK)):
            con.execute("UPDATE company SET name = ?, display_name = ? WHERE siren = ?", [name, name, siren])
            con.execute("UPDATE establishment SET company_display_name = ? WHERE siren = ?", [name, siren])
        con.execute("UPDATE establishment SET name = ? WHERE siren = ?", [SVG, hostile])
        for i, (link, kind) in enumerate(((JS_LINK, "press_mention"), (DATA_LINK, "bodacc_notice"),
                                          ("https://example.org/preuve", "bodacc_notice"))):
            con.execute("INSERT INTO event (event_id, month, event_date, kind, siren, source, details, is_tech, "
                        "is_head_office, evidence) SELECT ?, max(month), max(month), ?, ?, 'test', '{}', true, true, ? "
                        "FROM territory_monthly", [f"hostile{i}", kind, hostile, link])
        con.execute("INSERT INTO notice BY NAME SELECT 'n1' AS notice_id, ? AS siren, DATE '2026-10-02' AS published_on, "
                    "'collective' AS family, ? AS procedure, ? AS url", [hostile, IMG, JS_LINK])
        con.execute("INSERT INTO company_in_difficulty BY NAME SELECT * FROM (VALUES "
                    "(?, ?, 'redressement', DATE '2026-10-02', 'n2', 'https://www.bodacc.fr/n1', true), "
                    "(?, ?, ?, DATE '2026-10-12', NULL, ?, true)) "
                    "t(siren, display_name, procedure, judgment_date, notice_id, url, is_tech)",
                    [troubled, "TROUBLED", hostile, XSS, XSS, JS_LINK])
        con.execute("INSERT INTO article BY NAME SELECT * FROM (VALUES "
                    "('a1', ?, ?, TIMESTAMPTZ '2026-10-03 08:00:00+00', DATE '2026-10-01'), "
                    "('a2', ?, 'https://presse.example/levee', TIMESTAMPTZ '2026-10-04 08:00:00+00', DATE '2026-10-01')) "
                    "t(article_id, title, canonical_url, published_at, month)", [XSS, JS_LINK, MUSTACHE])
        con.execute("INSERT INTO article_mention BY NAME SELECT * FROM (VALUES ('a1', ?, 'name', 0.9), "
                    "('a2', ?, 'siren', 1.0)) t(article_id, siren, method, confidence)", [hostile, hostile])
        con.execute("INSERT INTO introduction BY NAME SELECT DATE '2026-10-01' AS month, 99 AS rank, ? AS siren_a, "
                    "? AS siren_b, 'same_story' AS rule, ? AS reason, 0.8 AS score", [hostile, partner,
                                                                                      SVG + " même activité"])
        con.execute("UPDATE company_enrichment SET chiffre_affaires = 1250000, finances_year = 2024, "
                    "resultat_net = -35000 WHERE siren = ?", [hostile])
        if not con.execute("SELECT count(*) FROM company_enrichment WHERE siren = ?", [hostile]).fetchone()[0]:
            con.execute("INSERT INTO company_enrichment BY NAME SELECT ? AS siren, 1250000 AS chiffre_affaires, "
                        "2024 AS finances_year, -35000 AS resultat_net", [hostile])
    finally:
        con.close()
    return {"hostile": hostile, "curly": curly, "partner": partner, "troubled": troubled, "person": person}
