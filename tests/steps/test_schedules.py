"""The steps of the scheduled runs: the ledger's counts table, quarantine spikes, the month a stock is expected."""

from __future__ import annotations

from datetime import date

from steps.common import counts_table
from steps.schedules import expected_month, quarantine_spikes


def test_the_stock_published_in_a_month_describes_the_month_before():
    assert expected_month(date(2027, 1, 3)) == "2026-12"
    assert expected_month(date(2026, 11, 2)) == "2026-10"


def test_counts_table_and_quarantine_spikes():
    runs = [{"flow": "sirene_month", "status": "success", "month": "2026-10", "counts": json_counts()},
            {"flow": "news", "status": "success", "month": None, "counts": {"fetched": 40, "loaded": 30}}]
    table = counts_table(runs)
    assert table[0] == {"source": "sirene_month/establishments", "status": "success", "month": "2026-10",
                        "fetched": 100, "loaded": 90, "quarantined": 8, "deduplicated": 2}
    assert table[-1]["source"] == "news" and table[-1]["quarantined"] is None
    assert quarantine_spikes(table, 0.05) == ["sirene_month/establishments: 8 of 98 rows quarantined (8.2% > 5%)"]
    assert quarantine_spikes(table, 0.10) == []


def json_counts() -> str:
    return ('{"establishments": {"rows_in": 100, "loaded": 90, "quarantined": 8, "deduplicated": 2}, '
            '"companies": {"rows_in": 50, "loaded": 50, "quarantined": 0, "deduplicated": 0}, "in_territory": 7}')
