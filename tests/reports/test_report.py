"""The monthly report, rendered from a snapshot built by the real pipeline steps on hand-made months."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest
from babel.numbers import format_decimal
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from radar.months import MonthError
from reports.formats import date_long, month_long
from reports.render import ReportError, latest_month, render_report
from tests.builders import siret
from tests.reports.monthly_data import MONTH, MUSTACHE, P_SECRETS, PERSON, PREVIOUS, XSS, YEAR_AGO

GENERATED_AT = datetime(2024, 12, 10, 8, 30, tzinfo=UTC)


@dataclass
class Built:
    snapshot: Path
    stocks: dict[str, Path]
    out: Path


@pytest.fixture(scope="module")
def built(monthly) -> Built:
    out = render_report(monthly.snapshot, MONTH, monthly.workdir.root.parent / "out", generated_at=GENERATED_AT)
    return Built(monthly.snapshot, monthly.stocks, out)


@pytest.fixture(scope="module")
def html(built) -> str:
    return built.out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def tree(html) -> HTMLParser:
    return HTMLParser(html)


@pytest.fixture(scope="module")
def expected(built) -> dict:
    """Headline figures computed here, from the base tables, not through the report's queries."""
    con = duckdb.connect(str(built.snapshot), read_only=True)
    try:
        figures = {}
        for key, month in (("current", MONTH), ("previous", PREVIOUS), ("year_ago", YEAR_AGO)):
            m = date.fromisoformat(month + "-01")
            establishments, companies = con.execute(
                "SELECT count(*), count(DISTINCT siren) FROM establishment_monthly "
                "WHERE month = ? AND is_tech AND state = 'A'", [m]).fetchone()
            kinds = dict(con.execute(
                "SELECT kind, count(*) FROM event WHERE month = ? AND source = 'sirene' AND is_tech GROUP BY kind",
                [m]).fetchall())
            flows = {k: kinds.get(kind, 0) for k, kind in
                     (("creations", "creation"), ("closures", "closure"), ("move_ins", "move_in"),
                      ("move_outs", "move_out"))}
            flows["net_change"] = flows["creations"] + flows["move_ins"] - flows["closures"] - flows["move_outs"]
            figures[key] = {"establishments": establishments, "companies": companies, **flows}
        return figures
    finally:
        con.close()


def _fr(n: int) -> str:
    return format_decimal(n, locale="fr_FR")


def _signed(n: int) -> str:
    return ("+" if n > 0 else "−" if n < 0 else "") + _fr(abs(n))


def _card(tree: HTMLParser, metric: str):
    return tree.css_first(f'.card[data-metric="{metric}"]')


def _text(node) -> str:
    return re.sub(r"[ \t\r\n]+", " ", node.text()).strip()  # not str.split(): it would eat U+202F


def _list_names(tree: HTMLParser, kind: str) -> list[str]:
    table = tree.css_first(f'table[data-kind="{kind}"]')
    return [] if table is None else [_text(th) for th in table.css("tbody th")]


def test_headline_numbers_match_the_snapshot(tree, expected):
    for metric in ("companies", "establishments", "creations", "closures", "move_ins", "move_outs"):
        assert _card(tree, metric).css_first(".value").text(strip=True) == _fr(expected["current"][metric]), metric
    est = expected["current"]["establishments"]
    change = _card(tree, "change")
    assert change.css_first(".value").text(strip=True) == _signed(est - expected["previous"]["establishments"])
    assert _text(change.css_first(".cmp")) == "créations, transferts : " + _signed(expected["current"]["net_change"])
    comparisons = [_text(p) for p in _card(tree, "establishments").css(".cmp")]
    assert comparisons[0].startswith("vs mois préc. : " + _signed(est - expected["previous"]["establishments"]))
    assert comparisons[1].startswith("vs un an : " + _signed(est - expected["year_ago"]["establishments"]))
    balance = _text(tree.css_first('[data-balance="tech"]'))
    assert balance.startswith(f"Le numérique passe de {_fr(expected['previous']['establishments'])} à {_fr(est)}")
    assert expected["current"]["creations"] == 4 and expected["current"]["move_ins"] == 1


def test_numbers_and_dates_are_french(tree, built):
    share = _text(tree.css_first("#en-bref"))
    assert re.search(r"représente \d+,\d\u202f% des établissements", share)  # 47,1 %, never 47.1%
    title = "Radar de l'écosystème numérique — Grand Paris Seine Ouest — novembre 2024"
    assert tree.css_first("h1").text() == title
    assert date_long(date(2026, 11, 1)) == "1er novembre 2026" and month_long(date(2026, 11, 1)) == "novembre 2026"


def test_lists_name_the_companies_behind_the_numbers(tree, expected):
    creations = _list_names(tree, "creation")
    assert len(creations) == expected["current"]["creations"]
    assert {"NOUVELLE POUSSE", XSS, MUSTACHE, "(nom non diffusible)"} <= {n.removesuffix(" siège") for n in creations}
    assert any("FERMETURE DEFINITIVE" in n for n in _list_names(tree, "closure"))
    assert any("CROISSANCE RAPIDE" in n for n in _list_names(tree, "headcount_up"))
    for kind, name in (("move_in", "ARRIVEE DE PARIS"), ("move_out", "DEPART VERS PARIS")):
        row = tree.css_first(f'table[data-kind="{kind}"] tbody tr')
        # Outside the territory: the stock rows' commune label, in usual case, never the code.
        assert name in row.text() and "Paris 15" in row.text() and "75115" not in row.text(), kind
    all_listed = " ".join(n for kind in ("creation", "closure", "move_in", "move_out", "headcount_up")
                          for n in _list_names(tree, kind))
    assert "BOULANGERIE" not in all_listed  # not a tech activity


def test_personal_fields_never_appear(tree, html):
    for secret in P_SECRETS:
        assert secret not in html
    assert "[ND]" not in html
    person = next(tr for tr in tree.css('table[data-kind="creation"] tbody tr') if siret(PERSON) in tr.text())
    assert "(nom non diffusible)" in person.text()


def test_untrusted_names_are_escaped(tree, html):
    assert tree.css("script") == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and MUSTACHE in html
    names = _list_names(tree, "creation")
    assert any(n.startswith(MUSTACHE) for n in names) and not any(n.startswith("49") for n in names)


def test_self_contained_with_a_restrictive_csp(tree):
    csp = tree.css_first('meta[http-equiv="Content-Security-Policy"]').attributes["content"]
    assert "default-src 'none'" in csp and "script-src" not in csp
    assert tree.css("link") == [] and tree.css("iframe") == [] and tree.css("img") == []
    for node in tree.css("*"):
        for attr, value in node.attributes.items():
            if attr.endswith("href") or attr.endswith("src"):
                assert value and (value.startswith("#") or value.startswith("data:")), (node.tag, attr, value)
    assert "url(http" not in tree.html and "@import" not in tree.html


def test_accessible_structure(tree):
    assert len(tree.css("h1")) == 1
    assert [h.text() for h in tree.css("h2")] == [
        "1. En bref", "2. Par commune et par secteur", "3. Les listes", "4. Entreprises en difficulté : à contacter",
        "5. Dans la presse", "6. Mises en relation", "7. Méthode et sources"]
    for table in tree.css("table"):
        assert table.css_first("caption") is not None
        assert all(th.attributes.get("scope") in ("col", "colgroup", "row") for th in table.css("th"))
    ids = [node.attributes["id"] for node in tree.css("[id]")]
    assert len(ids) == len(set(ids))  # several inline SVGs share one id space
    for svg in tree.css("svg"):
        assert svg.attributes.get("role") == "img" and svg.css_first("title").text() and svg.css_first("desc").text()


def test_method_and_sources(tree, built):
    method = tree.css_first("#methode").text()
    digest = hashlib.sha256(built.stocks[MONTH].read_bytes()).hexdigest()
    assert digest[:12] in method
    assert "SIRET invalide" in method or "SIREN invalide" in method
    assert "radar report --month 2024-11" in method and "annexe-sources.csv" in method


def test_missing_month_is_a_clear_error(built, tmp_path):
    with pytest.raises(ReportError, match=r"no data for month 2025-06 in the snapshot "
                                          r"\(loaded months: 2023-11 … 2024-11\)"):
        render_report(built.snapshot, "2025-06", tmp_path)
    with pytest.raises(MonthError, match="bad month"):
        render_report(built.snapshot, "2024-13", tmp_path)
    assert not (tmp_path / "report.html").exists()
    assert latest_month(built.snapshot) == MONTH


def test_same_inputs_give_the_same_bytes(built, html, tmp_path):
    again = render_report(built.snapshot, MONTH, tmp_path / "a", generated_at=GENERATED_AT)
    assert again.read_text(encoding="utf-8") == html
    later = render_report(built.snapshot, MONTH, tmp_path / "b", generated_at=datetime(2025, 1, 1, tzinfo=UTC))
    changed = [(a, b) for a, b in zip(html.splitlines(), later.read_text(encoding="utf-8").splitlines()) if a != b]
    assert len(changed) == 1 and "Généré le" in changed[0][0]
    assert list(tmp_path.glob("*/*.tmp")) == []
