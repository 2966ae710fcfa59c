"""The monthly report, rendered from a snapshot built by the real pipeline steps on hand-made months."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb
import pytest
from babel.numbers import format_decimal
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from radar import sirene_month as steps
from radar.config import Workdir, load_territory
from reports.render import ReportError, date_long, latest_month, month_long, render_report
from tests.builders import etab_row, siren, siret, ul_row, write_stock

YEAR_AGO, PREVIOUS, MONTH = "2023-11", "2024-10", "2024-11"
GENERATED_AT = datetime(2024, 12, 10, 8, 30, tzinfo=timezone.utc)
COMMUNES = ("92012", "92022", "92040", "92047", "92048", "92072", "92075", "92077")
TECH_NAF = ("62.01Z", "62.02A", "63.11Z", "58.29C", "26.20Z")
FILLERS = 40  # a few tech establishments in every commune, for the charts
P_SECRETS = ("MARTINEZSECRET", "JEANNOTSECRET", "ENSEIGNESECRETE")
XSS, MUSTACHE = "<script>alert(1)</script>", "{{ 7*7 }}"

NEW, CLOSED, OUT, IN, UP, PERSON, SCRIPT, CURLY, BAKERY = (siren(i) for i in range(1, 10))


def _head(siret_: str) -> str:
    return siret_[9:]


def _fillers(count: int) -> tuple[list[dict], list[dict]]:
    etabs, units = [], []
    for i in range(count):
        s = siren(10_000 + i)
        naf = TECH_NAF[i % len(TECH_NAF)]
        etabs.append(etab_row(siret(s), commune=COMMUNES[i % len(COMMUNES)], naf=naf))
        units.append(ul_row(s, name=f"ENTREPRISE {i:04d}", naf=naf, head_nic=_head(siret(s))))
    etabs.append(etab_row(siret(siren(20_000)), naf="47.11F"))
    units.append(ul_row(siren(20_000), name="SUPERMARCHE", naf="47.11F", head_nic=_head(siret(siren(20_000)))))
    return etabs, units


def _month_rows(month: str) -> tuple[list[dict], list[dict]]:
    """Stocks of the three months: the story of each named company is told by its rows."""
    etabs, units = _fillers(FILLERS - 8 if month == YEAR_AGO else FILLERS)
    current = month == MONTH
    etabs += [
        etab_row(siret(CLOSED), commune="92072", state="F" if current else "A",
                 period_start="2024-11-10" if current else None),
        etab_row(siret(OUT), commune="92040", state="F" if current else "A",
                 period_start="2024-11-05" if current else None),
        etab_row(siret(IN, 2), commune="92048", head=False),
        etab_row(siret(UP), commune="92075", band="11" if current else "01"),
    ]
    units += [
        ul_row(CLOSED, name="FERMETURE DEFINITIVE", head_nic=_head(siret(CLOSED))),
        ul_row(OUT, name="DEPART VERS PARIS", head_nic=_head(siret(OUT, 2) if current else siret(OUT))),
        ul_row(IN, name="ARRIVEE DE PARIS", head_nic=_head(siret(IN, 3) if current else siret(IN))),
        ul_row(UP, name="CROISSANCE RAPIDE", head_nic=_head(siret(UP))),
    ]
    etabs.append(etab_row(siret(IN), commune="75115", state="F" if current else "A",
                          period_start="2024-11-05" if current else None))
    if current:
        etabs += [
            etab_row(siret(OUT, 2), commune="75115", created="2024-11-05"),
            etab_row(siret(IN, 3), commune="92012", created="2024-11-05"),
            etab_row(siret(NEW), commune="92012", created="2024-11-03"),
            etab_row(siret(PERSON), commune="92022", naf="62.02A", created="2024-10-20", status="P",
                     street="[ND]", x="[ND]", y="[ND]", enseigne1Etablissement="ENSEIGNESECRETE"),
            etab_row(siret(SCRIPT), commune="92040", created="2024-11-02"),
            etab_row(siret(CURLY), commune="92040", created="2024-11-02"),
            etab_row(siret(BAKERY), commune="92040", naf="10.71C", created="2024-11-02"),
            etab_row("12345678901234"),  # broken identifier: quarantined
        ]
        units += [
            ul_row(NEW, name="NOUVELLE POUSSE", created="2024-11-03", head_nic=_head(siret(NEW))),
            ul_row(PERSON, legal_form="1000", status="P", naf="62.02A", created="2024-10-20",
                   nomUniteLegale="MARTINEZSECRET", prenom1UniteLegale="JEANNOTSECRET",
                   head_nic=_head(siret(PERSON))),
            ul_row(SCRIPT, name=XSS, created="2024-11-02", head_nic=_head(siret(SCRIPT))),
            ul_row(CURLY, name=MUSTACHE, created="2024-11-02", head_nic=_head(siret(CURLY))),
            ul_row(BAKERY, name="BOULANGERIE DU COIN", naf="10.71C", created="2024-11-02",
                   head_nic=_head(siret(BAKERY))),
        ]
    return etabs, units


@dataclass
class Built:
    snapshot: Path
    stocks: dict[str, Path]
    out: Path


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    root = tmp_path_factory.mktemp("report")
    workdir, territory = Workdir(root / "wd"), load_territory()
    steps.prepare_warehouse(workdir)
    stocks = {}
    for month in (YEAR_AGO, PREVIOUS, MONTH):
        etab_path, ul_path = write_stock(root / "stocks" / month, *_month_rows(month))
        stocks[month] = etab_path
        etab = steps.resolve_stock(str(etab_path), "etablissements", workdir)
        ul = steps.resolve_stock(str(ul_path), "unites_legales", workdir)
        staged = steps.transform_month(steps.land_month(workdir, territory, etab, ul, month), territory)
        steps.load_month(workdir, territory, staged, etab, ul, steps.new_run_id(), datetime.now(timezone.utc))
    snapshot = Path(steps.publish(workdir, territory))
    out = render_report(snapshot, MONTH, root / "out", generated_at=GENERATED_AT)
    return Built(snapshot, stocks, out)


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
    assert _card(tree, "net_change").css_first(".value").text(strip=True) == _signed(expected["current"]["net_change"])
    est = expected["current"]["establishments"]
    comparisons = [_text(li) for li in _card(tree, "establishments").css(".cmp li")]
    assert comparisons[0].startswith("vs mois précédent : " + _signed(est - expected["previous"]["establishments"]))
    assert comparisons[1].startswith("vs il y a un an : " + _signed(est - expected["year_ago"]["establishments"]))
    assert expected["current"]["creations"] == 4 and expected["current"]["move_ins"] == 1


def test_numbers_and_dates_are_french(tree, built):
    size = built.stocks[MONTH].stat().st_size  # the stock files are a few kB: a number >= 1 000
    assert size >= 1000
    shown = format_decimal(size, locale="fr_FR")
    assert "\u202f" in shown and f"{shown} octets" in _text(tree.css_first("#methode"))
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
        assert name in row.text() and "75115" in row.text(), kind  # outside the territory: the code, no name
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
    assert [h.text() for h in tree.css("h2")][0] == "1. En bref" and len(tree.css("h2")) == 6
    for table in tree.css("table"):
        assert table.css_first("caption") is not None
        assert all(th.attributes.get("scope") in ("col", "row") for th in table.css("th"))
    ids = [node.attributes["id"] for node in tree.css("[id]")]
    assert len(ids) == len(set(ids))  # several inline SVGs share one id space
    for svg in tree.css("svg"):
        assert svg.attributes.get("role") == "img" and svg.css_first("title").text() and svg.css_first("desc").text()


def test_method_and_sources(tree, built):
    method = tree.css_first("#methode").text()
    digest = hashlib.sha256(built.stocks[MONTH].read_bytes()).hexdigest()
    assert digest[:12] in method
    assert "SIRET invalide" in method or "SIREN invalide" in method
    assert "radar report --month 2024-11" in method and "event_date" in method


def test_missing_month_is_a_clear_error(built, tmp_path):
    with pytest.raises(ReportError, match=r"no data for month 2025-06 in the snapshot "
                                          r"\(loaded months: 2023-11 … 2024-11\)"):
        render_report(built.snapshot, "2025-06", tmp_path)
    with pytest.raises(ReportError, match="bad month"):
        render_report(built.snapshot, "2024-13", tmp_path)
    assert not (tmp_path / "report.html").exists()
    assert latest_month(built.snapshot) == MONTH


def test_same_inputs_give_the_same_bytes(built, html, tmp_path):
    again = render_report(built.snapshot, MONTH, tmp_path / "a", generated_at=GENERATED_AT)
    assert again.read_text(encoding="utf-8") == html
    later = render_report(built.snapshot, MONTH, tmp_path / "b", generated_at=datetime(2025, 1, 1, tzinfo=timezone.utc))
    changed = [(a, b) for a, b in zip(html.splitlines(), later.read_text(encoding="utf-8").splitlines()) if a != b]
    assert len(changed) == 1 and "Généré le" in changed[0][0]
    assert list(tmp_path.glob("*/*.tmp")) == []
