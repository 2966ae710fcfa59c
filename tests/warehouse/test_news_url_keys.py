"""URLs as published, keys apart, and one story per event: against a real DuckDB file, with four real-shaped feeds
telling one funding round (WordPress, Atom, Arc XP, Google News) served on loopback (tests/news_site.py)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from extractors.feeds import FeedParserPool
from radar.config import Workdir, load_territory
from steps import common
from steps import news as steps
from tests.builders import siren
from tests.fakes.http_server import FakeServer
from tests.news_site import COMPANIES, SITE, google_news_id, serve
from warehouse.db import connect_writer
from warehouse.load_news import event_id
from warehouse.migrate import migrate

LEGACY = SITE / "legacy_warehouse.json"


@pytest.fixture(scope="module")
def pool():
    with FeedParserPool() as p:
        yield p


def add_companies(con) -> None:
    for i, (name, commune) in enumerate(COMPANIES, start=1):
        s = siren(3000 + i)
        con.execute("INSERT INTO core.company (siren, denomination, legal_form, statut_diffusion, state, naf_code, "
                    "head_office_nic, last_seen_month) VALUES (?, ?, '5710', 'O', 'A', '62.01Z', '00012', "
                    "DATE '2026-10-01')", [s, name])
        con.execute("INSERT INTO core.establishment (siret, siren, nic, commune_code, in_territory, statut_diffusion, "
                    "state, first_seen_month, last_seen_month) VALUES (?, ?, '00012', ?, true, 'O', 'A', "
                    "DATE '2026-10-01', DATE '2026-10-01')", [s + "00012", s, commune])


def read_feeds(wd: Workdir, srv: FakeServer, pool) -> dict:
    fetched = steps.fetch_news(wd, serve(srv), allow_hosts=("127.0.0.1",), politeness_seconds=0.001, pool=pool)
    transformed = steps.transform_news(wd, load_territory(), fetched)
    return steps.load_news_run(wd, transformed, common.new_run_id(), datetime.now(UTC))


def q(path: Path, sql: str):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_one_round_told_by_four_feeds_is_one_story_with_one_event(tmp_path, pool):
    wd = Workdir(tmp_path / "wd")
    common.prepare_warehouse(wd)
    with connect_writer(wd.warehouse) as con:
        add_companies(con)
    with FakeServer() as srv:
        counts = read_feeds(wd, srv, pool)
        base = srv.base_url
    wh = wd.warehouse
    assert counts["items"] == 7 and counts["new_stories"] == 4  # round, hiring plan, another company's round, city
    rounds = q(wh, "SELECT a.article_id, count(DISTINCT p.feed_name), count(DISTINCT p.url_key) FROM core.news_article a "
                   "JOIN core.news_appearance p USING (article_id) WHERE a.title ILIKE '%Issy Data Labs%12%' GROUP BY 1")
    assert len(rounds) == 1 and rounds[0][1:] == (4, 3)  # four feeds, three sites (Google News points to one)
    events = q(wh, "SELECT c.denomination, e.kind, e.details->>'amount_eur' FROM core.event e JOIN core.company c "
                   "USING (siren) WHERE e.kind <> 'press_mention' ORDER BY ALL")
    assert events == [("BILLANCOURT CLOUD", "press_funding", "12000000"),
                      ("ISSY DATA LABS", "press_funding", "12000000"), ("ISSY DATA LABS", "press_hiring", None)]
    # Stored as the publishers show them: the permalink GUID, not the link with ?ts=; the page's rel=canonical;
    # the article a Google News link points to. Keys apart, without tracking parameters.
    shown = dict(q(wh, f"SELECT feed_name, canonical_url FROM core.news_appearance WHERE article_id = '{rounds[0][0]}'"))
    assert shown["Start-up Hebdo"] == f"{base}/wp/2026/10/06/issy-data-labs-leve-12-millions/"
    assert shown["Tech Ouest"] == f"{base}/atom/articles/issy-data-labs-12-millions/"
    assert shown["Google News Issy Data Labs"] == shown["Le Quotidien 92"]
    keys = [k for (k,) in q(wh, "SELECT url_key FROM core.news_appearance")]
    assert not any("ts=" in k or "utm_" in k or k.endswith("/") for k in keys)
    assert q(wh, "SELECT count(*) FROM core.news_appearance WHERE url LIKE '%news.google.com%'") == [(1,)]


def test_a_warehouse_of_the_old_code_migrated_then_reread_gets_no_new_story_nor_event(tmp_path, pool):
    """legacy_warehouse.json is what the code before URL keys stored from these feeds (make_legacy.py)."""
    legacy = json.loads(LEGACY.read_text(encoding="utf-8"))
    wd = Workdir(tmp_path / "wd")
    wd.ensure()
    with FakeServer() as srv:
        base = srv.base_url

        def address(value: str) -> str:
            for path in _gn_paths(legacy):
                value = value.replace("{{GN:" + path + "}}", google_news_id(base + path))
            return value.replace("{{BASE}}", base)

        # The old code's story id: the SHA-1 of the URL it stored.
        ids = {name: hashlib.sha1(address(url).encode()).hexdigest()[:20] for name, url in legacy["stories"].items()}

        def render(value):
            if not isinstance(value, str):
                return value
            for name, story_id in ids.items():
                value = value.replace("{{" + name + "}}", story_id)
            return address(value)

        with connect_writer(wd.warehouse) as con:
            migrate(con, before="0008")
            add_companies(con)
            for table in ("core.news_article", "core.news_appearance", "core.news_mention", "core.event"):
                for row in legacy[table]:
                    row = {k: render(v) for k, v in row.items()}
                    if table == "core.event":  # its id hashes the story id, which hashes the server's address
                        row["event_id"] = event_id(row["kind"], json.loads(row["details"])["article_id"], row["siren"])
                    con.execute(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                                list(row.values()))
        before = {t: q(wd.warehouse, f"SELECT count(*) FROM {t}")[0][0] for t in ("core.news_article", "core.event")}
        assert before == {"core.news_article": 7, "core.event": 12}  # the old code: the round was four stories
        common.prepare_warehouse(wd)  # applies 0008_news_url_keys.sql
        counts = read_feeds(wd, srv, pool)
    assert counts["known_urls"] == counts["articles"]  # every article found again by its migrated key
    assert counts["new_stories"] == 0 and counts["events"] == {}
    assert {t: q(wd.warehouse, f"SELECT count(*) FROM {t}")[0][0] for t in before} == before
    assert q(wd.warehouse, "SELECT count(*) FROM core.news_appearance WHERE url_key IS NULL") == [(0,)]


def _gn_paths(legacy: dict) -> set[str]:
    import re

    return set(re.findall(r"\{\{GN:([^}]+)\}\}", json.dumps(legacy)))
