"""The news load against a real DuckDB file, fed by the bundled demo feeds served on loopback."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from demo.news import demo_feeds, serve_demo_news
from extractors.feeds import FeedParserPool
from radar.config import Workdir, load_territory
from steps import common
from steps import news as steps
from tests.builders import siren
from tests.oracles import table_hashes
from warehouse.db import connect_snapshot, connect_writer
from warehouse.faults import InjectedFailure
from warehouse.journal import was_committed

COMPANIES = [
    ("ISSY DATA LABS", None, "92040"), ("BILLANCOURT CLOUD", None, "92012"), ("TELECOM HORIZON FRANCE", "THF", "92040"),
    ("SEINE OUEST NUMERIQUE", "SON", "92040"), ("VANVES SOFTWARE FACTORY", None, "92075"),
    ("ATLAS MEDIA LOGICIELS", None, "92012"), ("MEUDON SYSTEMES EMBARQUES", "MSE", "92048"), ("ORANGE", None, "92040"),
]


@pytest.fixture
def workdir(tmp_path) -> Workdir:
    wd = Workdir(tmp_path / "wd")
    common.prepare_warehouse(wd)
    with connect_writer(wd.warehouse) as con:
        for i, (name, sigle, commune) in enumerate(COMPANIES, start=1):
            s = siren(1000 + i)
            con.execute("INSERT INTO core.company (siren, denomination, sigle, legal_form, statut_diffusion, state, "
                        "naf_code, head_office_nic, last_seen_month) VALUES (?, ?, ?, '5710', 'O', 'A', '62.01Z', "
                        "'00012', DATE '2026-10-01')", [s, name, sigle])
            con.execute("INSERT INTO core.establishment (siret, siren, nic, commune_code, in_territory, "
                        "statut_diffusion, state, first_seen_month, last_seen_month) VALUES (?, ?, '00012', ?, true, "
                        "'O', 'A', DATE '2026-10-01', DATE '2026-10-01')", [s + "00012", s, commune])
        # A natural person whose surname is also a company-like word: never linked.
        con.execute("INSERT INTO core.company (siren, last_name, legal_form, statut_diffusion, state, last_seen_month)"
                    " VALUES (?, 'CLOUD', '1000', 'P', 'A', DATE '2026-10-01')", [siren(2001)])
    return wd


@pytest.fixture(scope="module")
def pool():
    with FeedParserPool() as p:
        yield p


def run(wd: Workdir, pool, *, fail_at: str | None = None, monkeypatch=None) -> dict:
    territory = load_territory()
    with serve_demo_news() as base:
        fetched = steps.fetch_news(wd, demo_feeds(base), allow_hosts=("127.0.0.1",), politeness_seconds=0.01,
                                   pool=pool)
    transformed = steps.transform_news(wd, territory, fetched)
    if fail_at and monkeypatch:
        monkeypatch.setenv("RADAR_FAIL_AT", fail_at)
    try:
        counts = steps.load_news_run(wd, transformed, common.new_run_id(), datetime.now(UTC))
    finally:
        if monkeypatch:
            monkeypatch.delenv("RADAR_FAIL_AT", raising=False)
    return {"fetched": fetched, "counts": counts}


def q(path: Path, sql: str):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_load_links_dedupes_and_records_state(workdir, pool):
    result = run(workdir, pool)
    counts = result["counts"]
    assert counts["feeds"] == {"ok": 5, "not_modified": 0, "error": 0}
    assert counts["items"] == counts["articles"] + counts["duplicates"] + counts["quarantined"]
    wh = workdir.warehouse
    # One story, one row: the Issy Data Labs dispatch appears in 3 feeds under 2 canonical URLs.
    idl = q(wh, "SELECT a.article_id, count(*) FROM core.news_article a JOIN core.news_appearance p USING (article_id)"
                " WHERE a.title LIKE '%Issy Data Labs%' GROUP BY ALL")
    assert len(idl) == 1 and idl[0][1] == 3
    linked = dict(q(wh, "SELECT c.denomination, count(*) FROM core.news_mention m JOIN core.company c USING (siren) "
                        "WHERE m.is_confident GROUP BY ALL"))
    assert set(linked) == {"ISSY DATA LABS", "BILLANCOURT CLOUD", "TELECOM HORIZON FRANCE", "SEINE OUEST NUMERIQUE",
                           "VANVES SOFTWARE FACTORY", "ATLAS MEDIA LOGICIELS", "MEUDON SYSTEMES EMBARQUES"}
    assert "ORANGE" not in linked  # "vigilance orange", "les oranges du marché"
    kinds = dict(q(wh, "SELECT kind, count(*) FROM core.event WHERE source = 'press' GROUP BY kind"))
    assert kinds == {"press_mention": 7, "press_funding": 1, "press_acquisition": 1, "press_hiring": 2,
                     "press_closure": 1}
    amount = q(wh, "SELECT details->>'amount_eur', evidence FROM core.event WHERE kind = 'press_funding'")[0]
    assert amount[0] == "12000000" and amount[1].startswith("http://127.0.0.1:")
    assert q(wh, "SELECT rule FROM quarantine.news") == [("invalid_url",)]
    assert q(wh, "SELECT count(*) FROM meta.source_state WHERE source = 'news'") == [(5,)]
    assert q(wh, "SELECT status, flow FROM meta.run") == [("success", "news")]
    # robots.txt: /private/ was never requested, but the feed item itself is kept.
    assert result["fetched"]["pages"]["robots_disallowed"] == 1
    # T31: nothing stored as markup.
    assert q(wh, "SELECT count(*) FROM core.news_article WHERE regexp_matches(title || coalesce(description, '') || "
                 "coalesce(body_text, ''), '<[a-zA-Z/]')") == [(0,)]


def test_second_run_is_conditional_and_changes_nothing(workdir, pool):
    run(workdir, pool)
    before = table_hashes(workdir.warehouse, skip=("meta.run",))
    again = run(workdir, pool)
    assert again["counts"]["feeds"] == {"ok": 0, "not_modified": 5, "error": 0}
    assert again["counts"]["items"] == 0
    assert table_hashes(workdir.warehouse, skip=("meta.run",)) == before


def test_rereading_feeds_without_validators_creates_no_second_row(workdir, pool):
    run(workdir, pool)
    stories = q(workdir.warehouse, "SELECT count(*) FROM core.news_article")[0][0]
    appearances = q(workdir.warehouse, "SELECT count(*) FROM core.news_appearance")[0][0]
    events = q(workdir.warehouse, "SELECT count(*) FROM core.event")[0][0]
    with connect_writer(workdir.warehouse) as con:
        con.execute("DELETE FROM meta.source_state WHERE source = 'news'")  # force a full re-read
    again = run(workdir, pool)
    assert again["counts"]["feeds"]["ok"] == 5 and again["counts"]["new_stories"] == 0
    assert q(workdir.warehouse, "SELECT count(*) FROM core.news_article")[0][0] == stories
    assert q(workdir.warehouse, "SELECT count(*) FROM core.news_appearance")[0][0] == appearances
    assert q(workdir.warehouse, "SELECT count(*) FROM core.event")[0][0] == events


def test_failure_leaves_the_warehouse_unchanged(workdir, pool, monkeypatch):
    before = table_hashes(workdir.warehouse)
    with pytest.raises(InjectedFailure):
        run(workdir, pool, fail_at="before_commit", monkeypatch=monkeypatch)
    assert table_hashes(workdir.warehouse) == before
    assert run(workdir, pool)["counts"]["new_stories"] > 0


def test_a_failure_after_the_news_commit_says_the_stories_are_safe_and_a_rerun_adds_nothing(workdir, pool,
                                                                                          monkeypatch):
    with pytest.raises(common.CommittedButUnfinished, match="the news load is loaded and committed"):
        run(workdir, pool, fail_at="after_commit", monkeypatch=monkeypatch)
    stories = q(workdir.warehouse, "SELECT count(*) FROM core.news_article")[0][0]
    [(run_id, status)] = q(workdir.warehouse, "SELECT run_id, status FROM meta.run WHERE flow = 'news'")
    assert stories > 0 and status == "success" and was_committed(workdir.warehouse, run_id)
    assert run(workdir, pool)["counts"]["new_stories"] == 0


def test_snapshot_publishes_only_public_news(workdir, pool):
    run(workdir, pool)
    snapshot = Path(common.publish(workdir, load_territory()))
    con = connect_snapshot(snapshot)
    try:
        cols = {t: [c[0] for c in con.execute(f"DESCRIBE {t}").fetchall()] for t in ("article", "article_mention")}
        assert "author" not in cols["article"] and "body_text" not in cols["article"]
        assert "signature" not in cols["article"]
        rows = con.execute("SELECT company_name, method, confidence, event_kinds FROM article_mention "
                           "ORDER BY company_name").fetchall()
        assert len(rows) == 7 and all(r[2] >= 0.8 for r in rows)
        assert ("ISSY DATA LABS", "name", 0.95, ["press_funding"]) in rows
        documented = con.execute("SELECT table_name, column_name, comment FROM duckdb_columns() "
                                 "WHERE table_name IN ('article', 'article_mention')").fetchall()
        assert documented and all(c for *_, c in documented)
        top = con.execute("SELECT title, appearance_count FROM article ORDER BY appearance_count DESC LIMIT 1").fetchone()
        assert "Issy Data Labs" in top[0] and top[1] == 3
    finally:
        con.close()


def test_feeds_from_territory_validates(tmp_path):
    import tomllib

    from radar.config import ConfigError, parse_territory

    base = tomllib.loads(Path("territories/gpso.toml").read_text(encoding="utf-8"))
    ok = parse_territory({**base, "feeds": [{"name": "Maddyness", "url": "https://www.maddyness.com/feed/",
                                            "kind": "national"}]})
    assert [f.url for f in steps.feeds_from_territory(ok)] == ["https://www.maddyness.com/feed/"]
    watched = steps.feeds_from_territory(parse_territory({**base, "feeds": [],
                                                         "news": {"watch": ["Issy Data Labs"]}}))
    assert [(f.url, f.kind) for f in watched] == [
        ("https://news.google.com/rss/search?q=%22Issy+Data+Labs%22&hl=fr&gl=FR&ceid=FR:fr", "search")]
    for bad in ({"name": "x", "url": "file:///etc/passwd"}, {"name": "x", "url": "/etc/passwd"},
                {"name": "x", "url": "https://e.fr", "kind": "blog"}, {"url": "https://e.fr"}):
        with pytest.raises(ConfigError):
            steps.feeds_from_territory(parse_territory({**base, "feeds": [bad]}))
