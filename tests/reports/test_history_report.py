"""The report of a month reconstructed from INSEE's historical file says what it cannot know, in French, and shows
« n.d. » rather than 0 for arrivals and departures."""

import re

import pytest

from radar.config import Workdir
from reports.render import render_report
from tests.builders import write_stock
from tests.warehouse.history_months import first_stock, reconstruct, write_history_file
from tests.warehouse.months import load

NOTE = ("Mois reconstitué à partir du fichier historique de l'INSEE : les transferts (arrivées, départs) et les "
        "effectifs ne sont pas disponibles")


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    root = tmp_path_factory.mktemp("history-report")
    wd = Workdir(root / "wd")
    load(wd, *write_stock(root / "stock" / "2024-10", *first_stock()), "2024-10")
    reconstruct(wd, write_history_file(root), ["2024-06", "2024-07", "2024-08", "2024-09"])
    return wd.published, root


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")


def section(html: str, ident: str) -> str:
    start = html.index(f'<section id="{ident}"')
    return html[start:html.index("</section>", start)]


def test_a_reconstructed_month_says_so_near_the_figures_and_in_the_method(snapshot):
    published, root = snapshot
    html = render_report(published, "2024-08", root / "r-2024-08").read_text(encoding="utf-8")
    summary, method = text(section(html, "en-bref")), text(section(html, "methode"))
    assert NOTE in summary and NOTE in method
    # The arrivals and departures cards, and the trend table's rows of reconstructed months: n.d., never 0.
    for metric in ("move_ins", "move_outs", "change"):  # "change": the stock's change card
        card = re.search(rf'data-metric="{metric}">.*?<p class="value">(.*?)</p>', html, re.S).group(1)
        assert card == "n.d."
    trend_rows = re.findall(r'<tr data-reconstructed="true">(.*?)</tr>', html, re.S)
    assert len(trend_rows) == 3  # June (the first loaded month: "—"), July, August
    # Arrivals, departures, sector entries, sector exits, other: the registry's history tells no transfer.
    assert all(text(r).split()[-5:-3] + text(r).split()[-1:] == ["n.d."] * 3 for r in trend_rows[1:])
    # Creations are known: two in August (H, and J's new head office).
    creations = re.search(r'data-metric="creations">.*?<p class="value">(.*?)</p>', html, re.S).group(1)
    assert creations == "2"
    lists = text(section(html, "listes"))
    assert lists.count("Non disponible : mois reconstitué") == 3  # arrivals, departures, headcount ups
    assert ("Mois reconstitués à partir du fichier historique de l'INSEE (sans transferts ni effectifs) : juin 2024, "
            "juillet 2024, août 2024, septembre 2024.") in method


def test_a_stock_month_after_reconstructed_ones_is_not_marked(snapshot):
    published, root = snapshot
    html = render_report(published, "2024-10", root / "r-2024-10").read_text(encoding="utf-8")
    assert NOTE not in text(section(html, "en-bref"))
    card = re.search(r'data-metric="move_ins">.*?<p class="value">(.*?)</p>', html, re.S).group(1)
    assert card == "0"
    # Its comparison month is reconstructed: the previous-month column of the key figures says n.d.
    row = re.search(r'<table class="figures numbers">.*?<tr data-metric="move_ins">(.*?)</tr>', html,
                    re.S).group(1)
    assert re.findall(r"<td>(.*?)</td>", row)[:2] == ["0", "n.d."]  # tech: the month, the previous month
    assert re.findall(r"<td>(.*?)</td>", row)[3:5] == ["0", "n.d."]  # all activities
