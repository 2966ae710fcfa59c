import csv
import json
import zipfile
from datetime import UTC
from pathlib import Path

import duckdb
import pytest

from extractors.sirene_stock import StockFormatError
from radar.config import Workdir
from steps import common
from tests.builders import etab_row, siret, write_stock
from tests.oracles import ledger, table_hashes
from tests.warehouse.months import A, B, C, D, F, G, base_month, load, next_month, write_months

# Tables whose rows name the run or the time of loading, not the data.
SKIP = ("meta.run", "meta.stock_month", "meta.schema_migrations", "quarantine.sirene")


@pytest.fixture
def stock(tmp_path):
    return write_months(tmp_path)


@pytest.fixture
def workdir(tmp_path):
    return Workdir(tmp_path / "wd")


def write_csv(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def tolerant_territory(tmp_path, ratio=0.5):
    """The default territory with a quarantine limit for hand-made months that are bad on purpose."""
    from radar.config import load_territory
    from tests.builders import territory_text_with

    path = tmp_path / "tolerant.toml"
    path.write_text(territory_text_with(f"[plausibility]\nmax_quarantine_ratio = {ratio}\n"), encoding="utf-8")
    return load_territory(path)


def load_all(workdir, stock, order=None):
    for month in order or sorted(stock):
        load(workdir, *stock[month], month)


def events(workdir):
    con = duckdb.connect(str(workdir.warehouse), read_only=True)
    try:
        return con.execute(
            "SELECT strftime(month, '%Y-%m'), kind, siret, CAST(event_date AS VARCHAR), details "
            "FROM core.event ORDER BY 1, 2, 3").fetchall()
    finally:
        con.close()


def test_events_between_consecutive_months(workdir, stock):
    load_all(workdir, stock)
    got = {(m, kind, s): (d, json.loads(det)) for m, kind, s, d, det in events(workdir)}
    assert set(got) == {
        ("2024-11", "closure", siret(B, 1)),
        ("2024-11", "headcount_change", siret(C, 1)),
        ("2024-11", "creation", siret(D, 1)),
        ("2024-11", "sector_change", siret(A, 1)),
        ("2024-11", "move_in", siret(F, 2)),
        ("2024-12", "move_out", siret(A, 1)),
    }
    # A late registration: shown by the November stock, dated in September.
    assert got[("2024-11", "creation", siret(D, 1))][0] == "2024-09-12"
    assert got[("2024-11", "closure", siret(B, 1))][0] == "2024-11-10"
    assert got[("2024-11", "headcount_change", siret(C, 1))][1]["direction"] == "up"
    assert got[("2024-12", "move_out", siret(A, 1))][1]["to_commune"] == "75115"
    assert got[("2024-12", "move_out", siret(A, 1))][1]["new_siret"] == siret(A, 2)
    # F's old head office (Paris) is in the same stock, closed when the new one opened.
    assert got[("2024-11", "move_in", siret(F, 2))][1]["from_commune"] == "75115"
    # G moved its head office within the territory: neither a closure nor a creation.
    assert not [k for k in got if k[2].startswith(G)]


def test_first_month_has_no_events_and_counts_reconcile(workdir, stock):
    result = load(workdir, *stock["2024-10"], "2024-10")
    assert events(workdir) == []
    e = result["counts"]["establishments"]
    assert e["rows_in"] == e["loaded"] + e["quarantined"] + e["deduplicated"]
    assert result["counts"]["in_territory"] == 6  # Paris (75115) is filtered out


def test_rerun_with_identical_files_changes_no_data_table(workdir, stock):
    load_all(workdir, stock)
    before = table_hashes(workdir.warehouse)
    results = [load(workdir, *stock[m], m) for m in sorted(stock)]
    assert [r["status"] for r in results] == ["unchanged"] * 3
    assert table_hashes(workdir.warehouse) == before
    assert [s for s, *_ in ledger(workdir.warehouse)] == ["success"] * 3 + ["unchanged"] * 3


def test_out_of_order_loading_derives_the_same_events(tmp_path, stock):
    in_order, shuffled = Workdir(tmp_path / "a"), Workdir(tmp_path / "b")
    load_all(in_order, stock)
    load_all(shuffled, stock, order=["2024-12", "2024-10", "2024-11"])
    assert events(shuffled) == events(in_order)
    assert table_hashes(shuffled.warehouse, skip=SKIP) == \
        table_hashes(in_order.warehouse, skip=SKIP)


def test_reloading_a_month_with_another_file_replaces_it_and_rederives_the_next(tmp_path, workdir, stock):
    load_all(workdir, stock)
    etabs, units = next_month()
    etabs = [e for e in etabs if e["siret"] != siret(D, 1)]  # corrected file: D was not there after all
    units = [u for u in units if u["siren"] != D]
    fixed = write_stock(tmp_path / "fixed", etabs, units, month="2024-11")
    assert load(workdir, *fixed, "2024-11")["status"] == "loaded"
    kinds = {(m, k, s) for m, k, s, *_ in events(workdir)}
    assert ("2024-11", "creation", siret(D, 1)) not in kinds
    # December now sees D for the first time: its creation moves to December.
    assert ("2024-12", "creation", siret(D, 1)) in kinds


@pytest.mark.parametrize("point", ["mid_load", "before_commit"])
def test_a_failure_inside_the_load_leaves_the_warehouse_unchanged(workdir, stock, monkeypatch, point):
    load(workdir, *stock["2024-10"], "2024-10")
    before = table_hashes(workdir.warehouse)
    monkeypatch.setenv("RADAR_FAIL_AT", point)
    with pytest.raises(Exception, match="injected failure"):
        load(workdir, *stock["2024-11"], "2024-11")
    monkeypatch.delenv("RADAR_FAIL_AT")
    assert table_hashes(workdir.warehouse) == before
    assert [s for s, *_ in ledger(workdir.warehouse)] == ["success", "failed"]
    # And the next normal run converges.
    assert load(workdir, *stock["2024-11"], "2024-11")["status"] == "loaded"


def test_missing_required_column_names_file_and_column(tmp_path, workdir, stock):
    load(workdir, *stock["2024-10"], "2024-10")
    before = table_hashes(workdir.warehouse)
    etabs, units = next_month()
    for row in etabs:
        del row["etatAdministratifEtablissement"]
    path = tmp_path / "broken" / "StockEtablissement_utf8.csv"
    write_csv(path, etabs)
    with pytest.raises(StockFormatError, match=r"StockEtablissement_utf8.csv: missing required column "
                                               r"'etatAdministratifEtablissement'"):
        load(workdir, path, stock["2024-11"][1], "2024-11")
    assert table_hashes(workdir.warehouse) == before


def test_columns_may_be_reordered_and_new_ones_appear(tmp_path, workdir):
    etabs, units = base_month()
    _, ul_path = write_stock(tmp_path / "odd", etabs, units)
    etabs = [{"colonneNouvelle": "x", **dict(reversed(list(e.items())))} for e in etabs]
    path = tmp_path / "odd" / "StockEtablissement_utf8.csv"
    write_csv(path, etabs)
    result = load(workdir, path, ul_path, "2024-10")
    assert result["counts"]["in_territory"] == 6


@pytest.mark.parametrize("fmt", ["parquet", "zip"])
def test_every_accepted_format_loads_the_same_data(tmp_path, fmt):
    ref_wd, wd = Workdir(tmp_path / "csv"), Workdir(tmp_path / fmt)
    csv_paths = write_months(tmp_path / "csvstock", months={"2024-10": base_month})["2024-10"]
    load(ref_wd, *csv_paths, "2024-10")
    if fmt == "zip":
        paths = []
        for p in csv_paths:
            z = p.with_suffix(".zip")
            with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
                zf.write(p, p.name)
            paths.append(z)
    else:
        paths = write_months(tmp_path / "pq", fmt="parquet", months={"2024-10": base_month})["2024-10"]
    load(wd, *paths, "2024-10")
    skip = SKIP
    assert table_hashes(wd.warehouse, skip=skip) == table_hashes(ref_wd.warehouse, skip=skip)


def test_typed_parquet_dates_and_booleans_are_accepted(tmp_path, workdir):
    csv_paths = write_months(tmp_path / "s", months={"2024-10": base_month})["2024-10"]
    typed = []
    con = duckdb.connect()
    for p in csv_paths:
        out = p.with_suffix(".parquet")
        present = con.execute(f"DESCRIBE SELECT * FROM read_csv('{p}')").df()['column_name'].tolist()
        date_cols = [c for c in ("dateCreationEtablissement", "dateCreationUniteLegale", "dateDebut") if c in present]
        con.execute(f"""COPY (SELECT * REPLACE ({', '.join(f"TRY_CAST({c} AS DATE) AS {c}" for c in date_cols)}
            {", etablissementSiege = 'true' AS etablissementSiege" if 'Etablissement' in p.name else ''})
            FROM read_csv('{p}', all_varchar = true)) TO '{out}' (FORMAT parquet)""")
        typed.append(out)
    con.close()
    result = load(workdir, *typed, "2024-10")
    assert result["counts"]["establishments"]["quarantined"] == 0
    con = duckdb.connect(str(workdir.warehouse), read_only=True)
    assert con.execute("SELECT count(*) FROM core.establishment WHERE is_head_office").fetchone()[0] == 5
    con.close()


def test_month_is_inferred_from_the_folder_name(workdir, stock):
    result = load(workdir, *stock["2024-11"], None)
    assert result["month"] == "2024-11"


def test_excluded_sirens_are_never_loaded(tmp_path, workdir, stock):
    import tomllib

    from radar.config import load_territory, parse_territory
    data = tomllib.loads(load_territory().source_file.read_text())
    data["exclusions"] = {"sirens": [C]}
    territory = parse_territory(data)
    load(workdir, *stock["2024-10"], "2024-10", territory=territory)
    con = duckdb.connect(str(workdir.warehouse), read_only=True)
    found = con.execute("SELECT count(*) FROM core.establishment_monthly WHERE siren = ?", [C]).fetchone()[0]
    con.close()
    assert found == 0
    assert C not in workdir.published.read_bytes().decode("latin-1")


def test_invalid_rows_are_quarantined_with_their_rule(tmp_path, workdir):
    etabs, units = base_month()
    etabs.append(etab_row(siret(A, 3)[:-1] + str((int(siret(A, 3)[-1]) + 1) % 10)))
    etabs.append(etab_row(siret(A, 4), naf="62.99Q"))
    etabs.append(etab_row(siret(A, 5), created="2025-02-30"))
    paths = write_stock(tmp_path / "bad", etabs, units, month="2024-10")
    # A third of this tiny month is bad on purpose: past the plausibility gate's default limit (5 %).
    result = load(workdir, *paths, "2024-10", territory=tolerant_territory(tmp_path))
    con = duckdb.connect(str(workdir.warehouse), read_only=True)
    rules = sorted(r[0] for r in con.execute("SELECT rule FROM quarantine.sirene").fetchall())
    con.close()
    assert rules == ["invalid_date", "invalid_siret", "unknown_naf_code"]
    e = result["counts"]["establishments"]
    # Every row but Paris's FOXTROT (a company with no establishment in the territory) is read.
    assert (e["rows_in"], e["quarantined"]) == (len(etabs) - 1, 3)
    assert e["rows_in"] == e["loaded"] + e["quarantined"] + e["deduplicated"]


def test_the_no_op_check_hashes_only_files_that_could_be_the_loaded_ones(tmp_path, workdir, stock):
    """A national file takes seconds to hash: it is hashed during the scan, and before it only when its size
    matches the month already loaded."""
    from extractors.sirene_stock import cached_sha256
    from steps import sirene_month as steps

    etab, ul = stock["2024-10"]
    load(workdir, etab, ul, "2024-10")
    cache = workdir.cache / "hashes.json"

    def unhashed(path):  # what resolve_stock gives before the background hash is done
        return {"path": str(path), "kind": "x", "fmt": "parquet", "sha256": None, "size": path.stat().st_size}

    copies = tmp_path / "copies"
    copies.mkdir()
    other_size = copies / "other-size.parquet"
    other_size.write_bytes(etab.read_bytes() + b"\0")
    assert not steps.check_unchanged(workdir, "2024-10", unhashed(other_size), unhashed(ul))
    assert cached_sha256(other_size, cache) is None

    same_size = copies / "same-size.parquet"
    data = bytearray(etab.read_bytes())
    data[len(data) // 2] ^= 0xFF
    same_size.write_bytes(bytes(data))
    assert not steps.check_unchanged(workdir, "2024-10", unhashed(same_size), unhashed(ul))
    assert cached_sha256(same_size, cache) is not None

    identical = copies / "identical.parquet"
    identical.write_bytes(etab.read_bytes())
    assert steps.check_unchanged(workdir, "2024-10", unhashed(identical), unhashed(ul))


def test_the_hash_computed_in_the_background_is_the_files_sha256_and_completes_the_manifest(workdir, stock):
    import hashlib
    import json
    from datetime import datetime

    from radar.config import load_territory
    from steps import sirene_month as steps

    etab, ul = stock["2024-11"]
    common.prepare_warehouse(workdir)
    e = steps.resolve_stock(str(etab), "etablissements", workdir)
    u = steps.resolve_stock(str(ul), "unites_legales", workdir)
    landing = steps.land_month(workdir, load_territory(), e, u, "2024-11")
    assert Path(landing["dir"]).parent.name == "2024-11"
    assert not list((workdir.landing / "sirene").glob(f"{steps.SCANNING_PREFIX}*"))
    staged = steps.transform_month(landing, load_territory())
    steps.load_month(workdir, load_territory(), staged, landing["etablissements"], landing["unites_legales"],
                     common.new_run_id(), datetime.now(UTC))
    expected = (hashlib.sha256(etab.read_bytes()).hexdigest(), hashlib.sha256(ul.read_bytes()).hexdigest())
    manifest = json.loads((Path(landing["dir"]) / "manifest.json").read_text())
    assert (manifest["etablissements"]["sha256"], manifest["unites_legales"]["sha256"]) == expected
    with duckdb.connect(str(workdir.warehouse), read_only=True) as con:
        assert con.execute("SELECT etablissements_sha256, unites_legales_sha256 FROM meta.stock_month "
                           "WHERE month = DATE '2024-11-01'").fetchone() == expected


def test_a_scan_folder_left_by_a_killed_run_is_removed(workdir, stock):
    from steps import sirene_month as steps
    leftover = workdir.landing / "sirene" / f"{steps.SCANNING_PREFIX}deadbeef"
    leftover.mkdir(parents=True)
    (leftover / "etablissements.parquet.tmp").write_bytes(b"partial")
    load(workdir, *stock["2024-10"], "2024-10")
    assert not leftover.exists()
