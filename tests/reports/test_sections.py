"""Sections 4 (companies in difficulty), 5 (press) and 6 (introductions): rendered from the other sources' tables
when the snapshot has them, « source non chargée » otherwise; untrusted text stays inert (T31)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from reports.render import render_report
from tests.builders import siren
from tests.reports.monthly_data import BAKERY, MONTH, MUSTACHE, P_SECRETS, PERSON
from tests.reports.source_tables import with_sources, without_sources

AT = datetime(2024, 12, 10, tzinfo=UTC)
TROUBLED, OPEN, LATER = siren(10_000), siren(10_001), siren(10_002)
XSS_TITLES = ('<script>alert("x")</script> Levée de fonds', '<img src=x onerror=alert(1)> Rachat',
              '<svg onload=alert(1)> Salon', MUSTACHE + " au salon")


def _press_rows():
    a = lambda i, title, when, url: {"article_id": f"a{i}", "canonical_url": url, "title": title,
                                     "published_at": when, "source_name": "Le Journal <b>du Net</b>",
                                     "description": "…"}
    articles = [
        a(1, XSS_TITLES[0], "2024-11-20 09:00:00+00", "https://example.org/levee"),
        a(2, XSS_TITLES[1], "2024-11-05 09:00:00+00", "javascript:alert(1)"),
        a(3, XSS_TITLES[2], "2024-11-06 09:00:00+00", "data:text/html,<script>alert(1)</script>"),
        a(4, XSS_TITLES[3], "2024-11-07 09:00:00+00", "http://example.org/salon"),
        a(5, "Article du mois précédent", "2024-10-30 09:00:00+00", "https://example.org/old"),
        a(6, "Article sans entreprise du territoire", "2024-11-08 09:00:00+00", "https://example.org/none"),
    ]
    m = lambda art, s, c=0.9: {"article_id": art, "siren": s, "method": "name", "confidence": c}
    mentions = [m("a1", TROUBLED), m("a1", OPEN), m("a2", TROUBLED), m("a3", OPEN), m("a4", OPEN),
                m("a5", TROUBLED), m("a6", "999999999"), m("a4", PERSON)]
    return articles, mentions


def _difficulties():
    d = lambda s, name, when, tech=True: {"siren": s, "name": name, "commune_code": "92040",
                                          "naf_code": "62.01Z", "is_tech": tech, "procedure": "Redressement judiciaire",
                                          "judgment_nature": "Jugement d'ouverture", "judgment_date": when,
                                          "notice_id": f"n-{s}-{when}", "url": "https://www.bodacc.fr/annonce/1"}
    return [d(TROUBLED, "BODACC NAME", "2024-11-12"), d(OPEN, "BODACC OPEN", "2024-06-03"),
            d(LATER, "BODACC LATER", "2024-12-03"), d(BAKERY, "BOULANGERIE", "2024-11-04", tech=False),
            d(PERSON, "JEANNOTSECRET MARTINEZSECRET", "2024-11-15")]


@pytest.fixture(scope="module")
def with_tables(monthly, tmp_path_factory):
    root = tmp_path_factory.mktemp("sections")
    articles, mentions = _press_rows()
    snap = with_sources(monthly.snapshot, root / "snap.duckdb", difficulties=_difficulties(), articles=articles,
                        mentions=mentions)
    html = render_report(snap, MONTH, root / "out", generated_at=AT).read_text(encoding="utf-8")
    return html, HTMLParser(html)


@pytest.fixture(scope="module")
def without_tables(monthly, tmp_path_factory):
    root = tmp_path_factory.mktemp("plain")
    out = render_report(without_sources(monthly.snapshot, root / "snap.duckdb"), MONTH, root, generated_at=AT)
    return HTMLParser(out.read_text(encoding="utf-8"))


def _rows(tree, kind):
    return [" ".join(tr.text().split()) for tr in tree.css(f'table[data-kind="{kind}"] tbody tr')]


def test_missing_sources_are_said_not_loaded(without_tables):
    for section in ("difficultes", "presse", "relations"):
        node = without_tables.css_first(f"#{section}")
        assert node.css_first('[data-status="source-missing"]') is not None, section
        assert node.css_first("table") is None
    assert "source non chargée" in without_tables.css_first("#difficultes").text()
    assert "source non chargée" in without_tables.css_first("#presse").text()


def test_difficulty_lists_the_month_then_open_procedures(with_tables):
    _, tree = with_tables
    rows = _rows(tree, "difficulty")
    assert len(rows) == 3  # not the bakery (not tech), not the judgment after the month
    assert "(nom non diffusible)" in rows[0] and "15 novembre 2024" in rows[0]  # newest judgment first
    assert "ENTREPRISE 0000" in rows[1] and "ce mois-ci" in rows[1]  # the registry's name, not BODACC's
    assert "ENTREPRISE 0001" in rows[2] and "ce mois-ci" not in rows[2] and "3 juin 2024" in rows[2]
    assert "BODACC NAME" not in tree.html and "BOULANGERIE" not in tree.css_first("#difficultes").text()


def test_press_lists_the_month_stories_richest_first(with_tables):
    _, tree = with_tables
    rows = _rows(tree, "press")
    assert len(rows) == 4  # a5 is from October, a6 names no company of the territory
    assert "Levée de fonds" in rows[0] and "ENTREPRISE 0000, ENTREPRISE 0001" in rows[0]
    assert "Article du mois précédent" not in tree.html
    links = [a.attributes["href"] for a in tree.css("#presse a")]
    assert links == ["https://example.org/levee", "http://example.org/salon"]
    assert "MARTINEZSECRET" not in tree.css_first("#presse").text()


def test_untrusted_text_stays_inert(with_tables):
    """T31: no script, no event handler, no link outside http/https/mailto (or the page's own anchors)."""
    html, tree = with_tables
    assert tree.css("script") == [] and tree.css("img") == [] and tree.css("#presse svg") == []
    for node in tree.css("*"):
        for attr, value in node.attributes.items():
            assert not attr.lower().startswith("on"), (node.tag, attr)
            if attr.lower().endswith(("href", "src")):
                assert value.startswith(("#", "http://", "https://", "mailto:")), (node.tag, attr, value)
    assert MUSTACHE in tree.css_first("#presse").text() and "49 au salon" not in html
    assert 'href="javascript' not in html and 'href="data' not in html


def test_no_personal_fields_in_sections(with_tables):
    html, tree = with_tables
    for table in tree.css("table"):  # the new tables are accessible too
        assert table.css_first("caption") is not None
        assert all(th.attributes.get("scope") in ("col", "row") for th in table.css("th"))
    for secret in P_SECRETS:
        assert secret not in html
