"""Sections 4 (companies in difficulty), 5 (press) and 6 (introductions) of the demo's report: read from the tables
the pipeline published (BODACC, news feeds, introductions), checked against SQL written here; a pipeline that has
not run a source says so in words; untrusted text stays inert (T31)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from reports.render import render_report
from tests.snapshots import DEMO_MONTH
from warehouse.db import connect_snapshot

MONTH = date.fromisoformat(DEMO_MONTH + "-01")
AT = datetime(2026, 11, 10, tzinfo=UTC)


def sql(snapshot, query, params=None):
    con = connect_snapshot(snapshot)
    try:
        return con.execute(query, params or []).fetchall()
    finally:
        con.close()


def text(node) -> str:
    return re.sub(r"\s+", " ", node.text()).strip()


@pytest.fixture(scope="module")
def tree(demo_report) -> HTMLParser:
    return HTMLParser(demo_report.html.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def registry_only(demo, tmp_path_factory) -> HTMLParser:
    out = render_report(demo.registry_only, DEMO_MONTH, tmp_path_factory.mktemp("registry-only"), generated_at=AT)
    return HTMLParser(out.read_text(encoding="utf-8"))


def test_press_shows_the_months_stories_with_their_companies_and_how_they_were_linked(tree, demo_snapshot):
    stories = sql(demo_snapshot, """
        SELECT a.article_id, a.title, array_to_string(a.sources, ', ') FROM article a
        WHERE a.month = ? AND a.article_id IN (SELECT article_id FROM article_mention) ORDER BY a.article_id""",
                  [MONTH])
    assert len(stories) >= 5  # the demo site's stories name companies of the territory
    shown = {node.attributes["data-article"]: node for node in tree.css("#presse article.story")}
    assert set(shown) == {s[0] for s in stories}
    for article_id, title, sources in stories:
        node = shown[article_id]
        assert text(node.css_first("h3")) == " ".join(title.split())  # the full title, never cut
        assert sources and sources in text(node)
        for name, siren, method in sql(demo_snapshot, """
                SELECT c.display_name, m.siren, m.method FROM article_mention m JOIN company c USING (siren)
                WHERE m.article_id = ?""", [article_id]):
            line = next(li for li in node.css("li") if siren in li.text())
            assert name in text(line) and "reconnue par" in text(line), (article_id, siren, method)
    (total,), = sql(demo_snapshot, "SELECT count(*) FROM article WHERE month = ?", [MONTH])
    assert f"{len(stories)} sur {total} articles collectés" in text(tree.css_first("#presse"))
    assert "non chargée" not in tree.html


def test_difficulty_lists_the_registry_names_of_the_months_then_open_procedures(tree, demo_snapshot):
    expected = sql(demo_snapshot, """
        SELECT siren, display_name, judgment_date >= ? FROM company_in_difficulty
        WHERE is_tech AND (judgment_date IS NULL OR judgment_date < ?)
        ORDER BY judgment_date >= ? DESC, judgment_date DESC NULLS LAST, siren""",
                   [MONTH, date(2026, 11, 1), MONTH])
    rows = tree.css('table[data-kind="difficulty"] tbody tr')
    assert len(rows) == len(expected) > 10
    for row, (siren, name, this_month) in zip(rows, expected):
        assert siren in row.text() and name in text(row.css_first("th"))
        assert ("ce mois-ci" in row.text()) == this_month
    assert len([r for r in rows if "beyond" not in r.attributes.get("class", "")]) == 10  # printed; the rest in CSV


def test_introductions_read_their_reasons_from_the_published_view(tree, demo_snapshot):
    expected = sql(demo_snapshot, "SELECT rank, reason, siren_a, siren_b FROM introduction WHERE month = ? "
                                  "ORDER BY rank", [MONTH])
    rows = tree.css('table[data-kind="introduction"] tbody tr')
    assert len(rows) == len(expected) > 0
    for row, (rank, reason, a, b) in zip(rows, expected):
        cells = row.css("td")
        assert text(row.css_first("th")) == str(rank) and a in cells[0].text() and b in cells[0].text()
        assert text(cells[1]) == " ".join(reason.split())
    # No story of the demo names two companies of the territory: the press introductions say exactly that.
    assert "Aucun article du mois ne cite deux entreprises du territoire" in text(tree.css_first("#presse"))


def test_a_pipeline_without_the_other_sources_says_they_were_never_collected(registry_only):
    for section, words in (("difficultes", "Annonces du BODACC : aucune collecte n'a encore eu lieu"),
                           ("presse", "Presse : aucune collecte n'a encore eu lieu")):
        node = registry_only.css_first(f"#{section}")
        assert words in text(node), section
        assert node.css_first("table") is None and node.css_first("article") is None
    assert "non chargée" not in registry_only.html


def test_untrusted_text_stays_inert(tree):
    """T31: no script, no event handler, no link outside http/https/mailto (or the page's own anchors); a title
    with template syntax from the demo's feeds is shown as typed."""
    assert tree.css("script") == [] and tree.css("img") == [] and tree.css("#presse svg") == []
    for node in tree.css("*"):
        for attr, value in node.attributes.items():
            assert not attr.lower().startswith("on"), (node.tag, attr)
            if attr.lower().endswith(("href", "src")):
                assert value.startswith(("#", "http://", "https://", "mailto:")), (node.tag, attr, value)
    assert "{{ 7*7 }}" in text(tree.css_first("#presse")) and "développeurs 49" not in tree.html
