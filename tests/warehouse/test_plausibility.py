"""The plausibility gate (T37): a 0-row, truncated or other territory's stock, or one whose column types drifted
beyond what converts safely, is refused before COMMIT with one clear line; the warehouse and the snapshot stay as
they were. Drift that converts safely (integer identifiers, TIMESTAMP dates) is converted first."""

from __future__ import annotations

import duckdb
import pytest

from extractors.sirene_stock import StockFormatError
from radar.config import ConfigError, Workdir, load_territory
from tests.builders import etab_row, siren, siret, territory_text_with, ul_row, write_stock
from tests.oracles import ledger, table_hashes
from tests.warehouse.months import base_month, head, load, next_month, write_months
from warehouse.plausibility import ImplausibleStock, thresholds

# Tables whose rows name the run or the time of loading, not the data.
SKIP = ("meta.run", "meta.stock_month", "meta.schema_migrations", "quarantine.sirene")
EXTRA = 20  # companies added to the hand-made months, so that a cut file loses a visible share


def bigger(build):
    """A hand-made month with EXTRA more tech companies in Issy, first in the file."""
    def month():
        etabs, units = build()
        sirens = [siren(100 + i) for i in range(EXTRA)]
        return ([etab_row(siret(s)) for s in sirens] + etabs,
                [ul_row(s, name=f"SOCIETE {i}", head_nic=head(s)) for i, s in enumerate(sirens)] + units)
    return month


@pytest.fixture
def loaded(tmp_path):
    """October loaded (26 active establishments in the territory) and published."""
    stock = write_months(tmp_path, months={"2024-10": bigger(base_month), "2024-11": bigger(next_month)})
    wd = Workdir(tmp_path / "wd")
    load(wd, *stock["2024-10"], "2024-10")
    return wd, stock


def refused(wd: Workdir, etab, ul, month: str, match: str, **kw) -> str:
    """Load, expect a refusal, and check that nothing changed: warehouse, snapshot, a failed ledger row."""
    before, snapshot, runs = table_hashes(wd.warehouse), wd.published.read_bytes(), len(ledger(wd.warehouse))
    with pytest.raises((ImplausibleStock, StockFormatError), match=match) as caught:
        load(wd, etab, ul, month, **kw)
    assert table_hashes(wd.warehouse) == before
    assert wd.published.read_bytes() == snapshot
    assert [s for s, *_ in ledger(wd.warehouse)[runs:]] == ["failed"]
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_a_zero_row_stock_is_refused_not_published_as_closures(loaded, tmp_path):
    wd, _ = loaded
    empty = write_stock(tmp_path / "stock" / "empty", [], [], month="2024-11")
    message = refused(wd, *empty, "2024-11", "refused")
    assert "0 active establishments in the territory against 26 in 2024-10" in message
    assert "drop of 100%" in message and "--accept-drop" in message


def test_a_zero_row_first_load_is_refused(tmp_path):
    wd = Workdir(tmp_path / "wd")
    empty = write_stock(tmp_path / "stock" / "2024-10", [], [])
    with pytest.raises(ImplausibleStock, match="no active establishment in the territory"):
        load(wd, *empty, "2024-10")
    con = duckdb.connect(str(wd.warehouse), read_only=True)
    assert con.execute("SELECT count(*) FROM core.establishment_monthly").fetchone() == (0,)
    con.close()
    assert not wd.published.exists()


def test_a_file_cut_at_a_line_boundary_is_refused(loaded):
    wd, stock = loaded
    etab, ul = stock["2024-11"]
    lines = etab.read_text(encoding="utf-8").splitlines(keepends=True)
    etab.write_text("".join(lines[:6]), encoding="utf-8")  # the header and 5 rows of 30
    message = refused(wd, etab, ul, "2024-11", "refused")
    assert "5 active establishments in the territory against 26 in 2024-10" in message


def test_a_file_cut_inside_a_line_names_the_file_and_the_line(loaded):
    wd, stock = loaded
    etab, ul = stock["2024-11"]
    etab_rows, _ = bigger(next_month)()
    # A file longer than DuckDB's sniffing sample, so that the cut line is read as data, not sniffed.
    outside = [etab_row(siret(siren(1000 + i)), commune="75115") for i in range(21_000)]
    big = write_stock(etab.parent / "big", etab_rows + outside, [], month="2024-11")[0]
    text = big.read_text(encoding="utf-8")
    big.write_text(text[: len(text) - 200], encoding="utf-8")
    message = refused(wd, big, ul, "2024-11", "cannot be read as a SIRENE stock")
    assert str(big) in message and "CSV Error on Line: 21030 Expected Number of Columns: 54 Found: 2)" in message
    assert "RUE DU TEST" not in message  # the line's content is not repeated (it may be a person's)


def test_a_truncated_parquet_file_names_the_file(loaded, tmp_path):
    wd, _ = loaded
    etab, ul = write_months(tmp_path / "pq", fmt="parquet", months={"2024-11": bigger(next_month)})["2024-11"]
    data = etab.read_bytes()
    etab.write_bytes(data[: len(data) // 2])
    refused(wd, etab, ul, "2024-11", rf"{etab}: cannot be read as a SIRENE stock \(.*magic bytes")


def test_another_territorys_file_is_refused(loaded, tmp_path):
    wd, _ = loaded
    etabs, units = bigger(next_month)()
    elsewhere = [{**e, "codeCommuneEtablissement": "69123"} for e in etabs]  # Lyon
    paths = write_stock(tmp_path / "stock" / "lyon", elsewhere, units, month="2024-11")
    message = refused(wd, *paths, "2024-11", "refused")
    assert "0 active establishments in the territory against 26" in message


def test_the_previous_loaded_month_is_the_one_just_before_whatever_the_load_order(tmp_path):
    months = {m: bigger(b) for m, b in (("2024-10", base_month), ("2024-11", next_month))}
    stock = write_months(tmp_path, months=months)
    wd = Workdir(tmp_path / "wd")
    load(wd, *stock["2024-11"], "2024-11")  # November first: nothing before it
    load(wd, *stock["2024-10"], "2024-10")  # then October: nothing before it either
    empty = write_stock(tmp_path / "stock" / "empty", [], [], month="2024-12")
    message = refused(wd, *empty, "2024-12", "refused")
    assert "in 2024-11 (the previous loaded month)" in message
    # A month replaced is compared with the one before it, not with itself.
    message = refused(wd, *write_stock(tmp_path / "stock" / "empty-11", [], [], month="2024-11"), "2024-11",
                      "refused")
    assert "in 2024-10 (the previous loaded month)" in message


def test_accept_drop_loads_a_real_collapse_and_says_so_in_the_ledger(loaded, tmp_path):
    wd, _ = loaded
    etabs, units = bigger(next_month)()
    closed = [{**e, "etatAdministratifEtablissement": "F", "dateDebut": "2024-11-15"} if i < 15 else e
              for i, e in enumerate(etabs)]
    paths = write_stock(tmp_path / "stock" / "collapse", closed, units, month="2024-11")
    refused(wd, *paths, "2024-11", "a drop of 58%")
    assert load(wd, *paths, "2024-11", accept_drop=True)["status"] == "loaded"
    con = duckdb.connect(str(wd.warehouse), read_only=True)
    status, message = con.execute("SELECT status, message FROM meta.run ORDER BY started_at DESC LIMIT 1").fetchone()
    closures = con.execute("SELECT count(*) FROM core.event WHERE kind = 'closure'").fetchone()[0]
    con.close()
    assert status == "success" and message.startswith("drop accepted with --accept-drop: 11 active establishments")
    assert closures >= 15


def drifted_parquet(csv_path, out, replace: str):
    """The CSV stock file as Parquet with some columns retyped (`replace`: a SELECT * REPLACE list)."""
    con = duckdb.connect()
    con.execute(f"COPY (SELECT * REPLACE ({replace}) FROM read_csv('{csv_path}', all_varchar = true)) "
                f"TO '{out}' (FORMAT parquet)")
    con.close()
    return out


def test_integer_identifiers_and_timestamp_dates_are_converted_not_quarantined(tmp_path):
    csv_etab, csv_ul = write_months(tmp_path / "csv", months={"2024-10": bigger(base_month)})["2024-10"]
    folder = tmp_path / "typed" / "2024-10"
    folder.mkdir(parents=True)
    etab = drifted_parquet(csv_etab, folder / "StockEtablissement_utf8.parquet",
                           "CAST(siren AS BIGINT) AS siren, CAST(siret AS BIGINT) AS siret, CAST(nic AS INTEGER) AS nic, "
                           "CAST(dateCreationEtablissement AS TIMESTAMP) AS dateCreationEtablissement, "
                           "CAST(dateDebut AS TIMESTAMP) AS dateDebut, CAST(codeCommuneEtablissement AS INTEGER) AS "
                           "codeCommuneEtablissement, CAST(dateDernierTraitementEtablissement AS TIMESTAMP) AS "
                           "dateDernierTraitementEtablissement")
    ul = drifted_parquet(csv_ul, folder / "StockUniteLegale_utf8.parquet",
                         "CAST(siren AS BIGINT) AS siren, CAST(dateCreationUniteLegale AS TIMESTAMP) AS "
                         "dateCreationUniteLegale, CAST(nicSiegeUniteLegale AS INTEGER) AS nicSiegeUniteLegale")
    assert siren(1).startswith("0")  # the leading zeros an integer loses
    typed, plain = Workdir(tmp_path / "typed-wd"), Workdir(tmp_path / "csv-wd")
    result = load(typed, etab, ul, "2024-10")
    load(plain, csv_etab, csv_ul, "2024-10")
    assert result["counts"]["establishments"]["quarantined"] == 0
    assert result["counts"]["companies"]["quarantined"] == 0
    assert table_hashes(typed.warehouse, skip=SKIP) == table_hashes(plain.warehouse, skip=SKIP)


def test_drift_that_cannot_be_converted_is_refused_by_the_quarantine_ratio(loaded, tmp_path):
    wd, _ = loaded
    csv_etab, csv_ul = write_months(tmp_path / "csv", months={"2024-11": bigger(next_month)})["2024-11"]
    folder = tmp_path / "drift" / "2024-11"
    folder.mkdir(parents=True)
    # Dates now written day first: no safe reading of 03/04/2020.
    etab = drifted_parquet(csv_etab, folder / "StockEtablissement_utf8.parquet",
                           "strftime(CAST(dateCreationEtablissement AS DATE), '%d/%m/%Y') AS dateCreationEtablissement")
    ul = drifted_parquet(csv_ul, folder / "StockUniteLegale_utf8.parquet", "siren AS siren")
    message = refused(wd, etab, ul, "2024-11", "quarantined")
    assert "establishment rows in the territory's scan are quarantined (100.0%, the limit is 5%)" in message
    assert "rules: invalid_date 29" in message


def test_thresholds_come_from_the_territory_file(tmp_path):
    assert thresholds(load_territory()).max_drop == 0.30
    path = tmp_path / "t.toml"
    path.write_text(territory_text_with("[plausibility]\nmax_drop = 0.5\nmax_quarantine_ratio = 0.2\n"))
    limits = thresholds(load_territory(path))
    assert (limits.max_drop, limits.max_quarantine_ratio) == (0.5, 0.2)
    for bad in ("max_drop = 30", "max_drop = 'high'", "max_dorp = 0.3"):
        path.write_text(territory_text_with(f"[plausibility]\n{bad}\n"))
        with pytest.raises(ConfigError, match=rf"{path}: \[plausibility\]"):
            thresholds(load_territory(path))
