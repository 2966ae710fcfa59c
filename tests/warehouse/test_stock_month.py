"""The declared month must match the files (T38): October's files declared as January are refused unless
--force-month, whatever the names say; a month is exactly YYYY-MM; the demo's generated months pass."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from extractors.stock_month import MonthEvidence, MonthMismatch, check_month, gather_evidence, months_in_names
from radar.config import Workdir
from radar.months import MonthError, validate_month
from tests.builders import etab_row, siren, siret, write_stock
from tests.oracles import ledger, table_hashes
from tests.warehouse.months import base_month, load, next_month


@pytest.fixture
def january(tmp_path):
    """January 2026 loaded from its own files."""
    wd = Workdir(tmp_path / "wd")
    jan = write_stock(tmp_path / "stock" / "2026-01", *next_month())
    load(wd, *jan, "2026-01")
    return wd


def test_octobers_files_declared_as_january_are_refused(january, tmp_path):
    october = write_stock(tmp_path / "incoming", *base_month(), month="2025-10")  # no date in the names
    before = table_hashes(january.warehouse)
    with pytest.raises(MonthMismatch, match=r"--month 2026-01 but the latest processing date in the territory's "
                                            r"rows is 2025-10-20 .*look like the files of 2025-10.*--force-month"):
        load(january, *october, "2026-01")
    assert table_hashes(january.warehouse) == before  # January was not replaced
    assert [s for s, *_ in ledger(january.warehouse)] == ["success", "failed"]


def test_force_month_keeps_the_declared_month_and_says_so_in_the_ledger(january, tmp_path):
    october = write_stock(tmp_path / "incoming", *base_month(), month="2025-10")
    assert load(january, *october, "2026-01", force_month=True)["status"] == "loaded"
    con = duckdb.connect(str(january.warehouse), read_only=True)
    status, message = con.execute("SELECT status, message FROM meta.run ORDER BY started_at DESC LIMIT 1").fetchone()
    con.close()
    assert status == "success" and message.startswith("month forced with --force-month (--month 2026-01 but")


def test_a_folder_or_a_publication_date_in_the_name_must_agree(january, tmp_path):
    folder = write_stock(tmp_path / "stock" / "2025-10", *base_month())
    with pytest.raises(MonthMismatch, match=r"--month 2026-01 but the folder 2025-10 says 2025-10"):
        load(january, *folder, "2026-01")
    etab, ul = write_stock(tmp_path / "published", *base_month(), month="2025-10")
    named = etab.rename(etab.with_name("StockEtablissement_utf8_20251101.csv"))
    with pytest.raises(MonthMismatch, match=r"publication date in file name StockEtablissement_utf8_20251101.csv "
                                            r"says 2025-10"):
        load(january, named, ul, "2026-01")


def test_a_corrected_stock_of_the_same_month_still_replaces_it(january, tmp_path):
    etabs, units = next_month()
    fixed = write_stock(tmp_path / "fixed", etabs[:-1], units, month="2026-01")
    assert load(january, *fixed, "2026-01")["status"] == "loaded"


def test_without_month_the_names_or_else_the_data_give_it(tmp_path):
    wd = Workdir(tmp_path / "wd")
    assert load(wd, *write_stock(tmp_path / "stock" / "2024-10", *base_month()), None)["month"] == "2024-10"
    assert load(wd, *write_stock(tmp_path / "x", *next_month(), month="2024-11"), None)["month"] == "2024-11"
    # A folder that contradicts the data is refused even when no month was given.
    wrong = write_stock(tmp_path / "stock" / "2024-12", *next_month(), month="2024-06")
    with pytest.raises(MonthMismatch, match=r"the files' names say 2024-12 but .* 2024-06-20"):
        load(wd, *wrong, None)


def test_the_national_files_statistics_are_the_evidence_when_they_have_them(tmp_path):
    """A small territory's rows may all have been processed weeks before the month's end; the national
    Parquet file's statistics (its footer, no scan) still show the month."""
    etabs, units = base_month()
    quiet = [{**e, "dateDernierTraitementEtablissement": "2024-08-02T10:00:00"} for e in etabs]
    elsewhere = etab_row(siret(siren(500)), commune="69123", processed="2024-10-30T22:00:00")
    units = [{**u, "dateDernierTraitementUniteLegale": "2024-08-02T10:00:00"} for u in units]
    for fmt in ("parquet", "csv"):
        etab, ul = write_stock(tmp_path / fmt / "files", quiet + [elsewhere], units, fmt=fmt)
        wd = Workdir(tmp_path / f"wd-{fmt}")
        if fmt == "parquet":
            assert load(wd, etab, ul, "2024-10")["status"] == "loaded"
        else:  # CSV has no statistics: the territory's rows are all the evidence there is
            with pytest.raises(MonthMismatch, match="in the territory's rows is 2024-08-02"):
                load(wd, etab, ul, "2024-10")


@pytest.mark.parametrize("latest, ok", [("2024-10-01", True), ("2024-10-31", True), ("2024-11-07", True),
                                        ("2024-11-08", False), ("2024-09-30", False)])
def test_the_latest_processing_date_falls_in_the_month_or_the_first_days_of_the_next(latest, ok):
    evidence = MonthEvidence({}, date.fromisoformat(latest), "the territory's rows")
    if ok:
        check_month("2024-10", evidence, declared=True)
    else:
        with pytest.raises(MonthMismatch):
            check_month("2024-10", evidence, declared=True)


@pytest.mark.parametrize("text", ["2026-1", "2026-13", "26-01", "2026/01", " 2026-01", "2026-01-15", "janvier"])
def test_a_month_is_exactly_yyyy_mm(text):
    with pytest.raises(MonthError, match="expected YYYY-MM"):
        validate_month(text)


def test_names_say_a_month_only_in_the_file_or_its_folder(tmp_path):
    assert months_in_names(tmp_path / "2024-11" / "StockEtablissement_utf8.parquet") == {"2024-11": "folder 2024-11"}
    assert months_in_names(tmp_path / "backup-2023-01" / "x" / "StockEtablissement_utf8.csv") == {}
    assert months_in_names(tmp_path / "StockEtablissement_utf8_20261101.zip") == {
        "2026-10": "publication date in file name StockEtablissement_utf8_20261101.zip"}
    assert months_in_names(tmp_path / "a3520241105b" / "Stock.csv") == {}  # a hash is no date


def test_the_demos_generated_months_pass_the_check(tmp_path):
    from demo.generator import generate_demo

    for f in generate_demo(tmp_path, start="2024-11", months=3, seed=7, companies=200):
        sources = {"etablissements": (f["etablissements"], "parquet"), "unites_legales": (f["unites_legales"], "parquet")}
        evidence = gather_evidence(sources, {})
        assert evidence.processed_where == "the national files' statistics"
        check_month(f["month"], evidence, declared=True)
