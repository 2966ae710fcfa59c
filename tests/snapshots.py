"""Demo snapshots for the dashboard, docs and compatibility tests: one built by the real pipeline steps (no
Prefect) on generated months, a copy salted with hostile text and the optional source tables (BODACC, press,
enrichment, introductions), and a copy without them."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from demo.generator import generate_demo
from radar.config import Workdir, load_territory
from steps import common
from steps import sirene_month as steps
from tests.hostile import DATA_LINK, IMG, JS_LINK, MD_LINK, MUSTACHE, SVG, XSS

DEMO_MONTHS, DEMO_COMPANIES = 14, 400


def build_demo_snapshot(root: Path, months: int = DEMO_MONTHS, companies: int = DEMO_COMPANIES) -> Path:
    """Generated months loaded by the real pipeline steps under `root`, then published: the snapshot's path."""
    workdir, territory = Workdir(root / "wd"), load_territory()
    common.prepare_warehouse(workdir)
    for f in generate_demo(root / "stocks", months=months, companies=companies):
        steps.load_files(workdir, territory, f["etablissements"], f["unites_legales"], f["month"])
    return Path(common.publish(workdir, territory))


def salt_snapshot(src: Path, dest: Path) -> dict:
    """Copy the snapshot and add hostile names, links and the optional tables. Returns the SIRENs used."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest)
    con = duckdb.connect(str(dest))
    try:
        sirens = [r[0] for r in con.execute(
            "SELECT siren FROM company WHERE name IS NOT NULL AND is_tech AND state = 'A' AND siren IN "
            "(SELECT siren FROM establishment WHERE in_territory) ORDER BY siren LIMIT 4").fetchall()]
        hostile, curly, partner, troubled = sirens
        person = con.execute("SELECT siren FROM company WHERE statut_diffusion = 'P' AND is_individual "
                             "ORDER BY siren LIMIT 1").fetchone()[0]
        con.execute("UPDATE company SET name = ? WHERE siren = ?", [XSS + " " + IMG, hostile])
        con.execute("UPDATE company SET name = ? WHERE siren = ?", [MUSTACHE + " " + MD_LINK, curly])
        con.execute("UPDATE establishment SET name = ? WHERE siren = ?", [SVG, hostile])
        for i, (link, kind) in enumerate(((JS_LINK, "press_mention"), (DATA_LINK, "bodacc_notice"),
                                          ("https://example.org/preuve", "bodacc_notice"))):
            con.execute("INSERT INTO event (event_id, month, event_date, kind, siren, source, details, is_tech, "
                        "is_head_office, evidence) SELECT ?, max(month), max(month), ?, ?, 'test', '{}', true, true, ? "
                        "FROM territory_monthly", [f"hostile{i}", kind, hostile, link])
        tables = {
            "notice": "notice_id VARCHAR, siren VARCHAR, published_on DATE, family VARCHAR, procedure VARCHAR, url VARCHAR",
            "company_in_difficulty": "siren VARCHAR, procedure VARCHAR, judgment_date DATE, notice_id VARCHAR, url VARCHAR",
            "article": "article_id VARCHAR, title VARCHAR, canonical_url VARCHAR, published_at TIMESTAMPTZ",
            "article_mention": "article_id VARCHAR, siren VARCHAR, method VARCHAR, confidence DOUBLE",
            "introduction": "siren_a VARCHAR, siren_b VARCHAR, reason VARCHAR, score DOUBLE",
            "company_enrichment": "siren VARCHAR, chiffre_affaires BIGINT, finances_year INTEGER, resultat_net BIGINT",
        }
        for table, columns in tables.items():  # the real tables when the sources' views are in this tree
            con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({columns})")
        con.execute("INSERT INTO notice BY NAME SELECT 'n1' AS notice_id, ? AS siren, DATE '2025-10-02' AS published_on, "
                    "'collective' AS family, ? AS procedure, ? AS url", [hostile, IMG, JS_LINK])
        con.execute("INSERT INTO company_in_difficulty BY NAME SELECT * FROM (VALUES "
                    "(?, 'redressement judiciaire', DATE '2025-10-02', 'n1', 'https://www.bodacc.fr/n1'), "
                    "(?, ?, DATE '2025-11-12', NULL, ?)) t(siren, procedure, judgment_date, notice_id, url)",
                    [troubled, hostile, XSS, JS_LINK])
        con.execute("INSERT INTO article BY NAME SELECT * FROM (VALUES "
                    "('a1', ?, ?, TIMESTAMPTZ '2025-10-03 08:00:00+00'), "
                    "('a2', ?, 'https://presse.example/levee', TIMESTAMPTZ '2025-10-04 08:00:00+00')) "
                    "t(article_id, title, canonical_url, published_at)", [XSS, JS_LINK, MUSTACHE])
        con.execute("INSERT INTO article_mention BY NAME SELECT * FROM (VALUES ('a1', ?, 'name', 0.9), "
                    "('a2', ?, 'siren', 1.0)) t(article_id, siren, method, confidence)", [hostile, hostile])
        con.execute("INSERT INTO introduction BY NAME SELECT ? AS siren_a, ? AS siren_b, ? AS reason, 0.8 AS score",
                    [hostile, partner, SVG + " même activité"])
        con.execute("INSERT INTO company_enrichment BY NAME SELECT ? AS siren, 1250000 AS chiffre_affaires, "
                    "2024 AS finances_year, -35000 AS resultat_net", [hostile])
    finally:
        con.close()
    return {"hostile": hostile, "curly": curly, "partner": partner, "troubled": troubled, "person": person}


OPTIONAL = ("notice", "company_in_difficulty", "company_enrichment", "article", "article_mention", "introduction")


def strip_optional_tables(src: Path, dest: Path) -> None:
    """A snapshot from a pipeline without the BODACC, press, API and introduction sources."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest)
    con = duckdb.connect(str(dest))
    try:
        for table in OPTIONAL:
            con.execute(f"DROP TABLE IF EXISTS {table}")
    finally:
        con.close()

