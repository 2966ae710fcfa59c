"""The overview page on a snapshot with months reconstructed from INSEE's historical file: it says so, shows no
arrival or departure for them, and a stock month compared with a reconstructed one a year before still renders."""

from __future__ import annotations

import pytest

from radar.config import Workdir
from tests.builders import write_stock
from tests.dashboard.test_pages import metric, run_page
from tests.warehouse.history_months import first_stock, reconstruct, write_history_file
from tests.warehouse.months import load

MONTHS = [f"{y}-{m:02d}" for y in (2023, 2024) for m in range(1, 13) if "2023-10" <= f"{y}-{m:02d}" < "2024-10"]


@pytest.fixture(scope="module")
def history_snapshot(tmp_path_factory):
    root = tmp_path_factory.mktemp("history-dashboard")
    wd = Workdir(root / "wd")
    load(wd, *write_stock(root / "stock" / "2024-10", *first_stock()), "2024-10")
    reconstruct(wd, write_history_file(root), MONTHS)
    return wd.published


def test_a_reconstructed_month_is_announced_and_has_no_moves(monkeypatch, history_snapshot):
    at = run_page(monkeypatch, history_snapshot, "overview", mois="2024-08")
    assert any("Mois reconstitué à partir du fichier historique" in i.value for i in at.info)
    assert metric(at, "Créations") == "2"
    assert metric(at, "Arrivées") == "–" and metric(at, "Départs") == "–"


def test_a_stock_month_a_year_after_a_reconstructed_one_renders(monkeypatch, history_snapshot):
    at = run_page(monkeypatch, history_snapshot, "overview", mois="2024-10")
    assert not any("Mois reconstitué" in i.value for i in at.info)
    assert metric(at, "Arrivées") == "0"
