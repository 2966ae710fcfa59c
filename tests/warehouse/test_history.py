"""Months before the first stock, reconstructed from StockEtablissementHistorique (real DuckDB files, no Prefect)."""

import duckdb
import pytest

from extractors.sirene_stock import StockFormatError
from radar.config import Workdir
from steps.common import InputError
from tests.builders import history_row, siren, siret, write_stock
from tests.oracles import ledger, table_hashes
from tests.warehouse.history_months import (
    H,
    I,
    J,
    K,
    contents,
    first_stock,
    history_rows,
    reconstruct,
    second_stock,
    write_history_file,
)
from tests.warehouse.months import A, B, C, F, G, load

RANGE = ["2024-06", "2024-07", "2024-08", "2024-09", "2024-10"]


@pytest.fixture
def workdir(tmp_path):
    return Workdir(tmp_path / "wd")


@pytest.fixture
def stocks(tmp_path):
    return {"2024-10": write_stock(tmp_path / "stock" / "2024-10", *first_stock()),
            "2024-11": write_stock(tmp_path / "stock" / "2024-11", *second_stock())}


def query(workdir, sql, params=None):
    con = duckdb.connect(str(workdir.warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def events(workdir, source="sirene"):
    return set(query(workdir, """SELECT strftime(month, '%Y-%m'), kind, siret, CAST(event_date AS VARCHAR)
                                 FROM core.event WHERE source = ?""", [source]))


def test_reconstructs_creations_closures_and_activity_changes_in_their_months(tmp_path, workdir, stocks):
    load(workdir, *stocks["2024-10"], "2024-10")
    result = reconstruct(workdir, write_history_file(tmp_path), RANGE)
    assert result["status"] == "reconstructed"
    assert result["months"] == RANGE[:-1] and result["base_month"] == "2024-10"
    assert events(workdir) == {
        ("2024-07", "closure", siret(I, 1), "2024-07-10"),
        ("2024-07", "sector_change", siret(A, 1), "2024-07-20"),
        ("2024-08", "creation", siret(H, 1), "2024-08-05"),
        # J's head office transfer from Paris: the historical file has no address, so a creation, not a move.
        ("2024-08", "creation", siret(J, 2), "2024-08-01"),
        # The first stock's own event, against the reconstructed September.
        ("2024-10", "creation", siret(K, 1), "2024-10-03"),
    }
    (details,) = query(workdir, "SELECT details FROM core.event WHERE kind = 'sector_change'")[0]
    assert '"from_naf":"62.02A"' in details and '"reconstructed":true' in details
    assert query(workdir, """SELECT strftime(month, '%Y-%m'), source, strftime(based_on_month, '%Y-%m')
                             FROM meta.stock_month ORDER BY month""") == [
        (m, "historique", "2024-10") for m in RANGE[:-1]] + [("2024-10", "stock", None)]
    # The September rows: H exists and is active, I closed in July, J's Paris establishment closed in August.
    rows = dict(query(workdir, "SELECT siret, state FROM core.establishment_monthly WHERE month = '2024-09-01'"))
    assert rows[siret(H, 1)] == "A" and rows[siret(I, 1)] == "F" and rows[siret(J, 1)] == "F"
    june = dict(query(workdir, "SELECT siret, is_head_office FROM core.establishment_monthly "
                               "WHERE month = '2024-06-01' AND siren = ?", [J]))
    # Before its new head office existed, J's head office is the establishment that closed when it opened.
    assert june == {siret(J, 1): True}


def test_reconstructed_months_never_have_moves_nor_headcounts(tmp_path, workdir, stocks):
    load(workdir, *stocks["2024-10"], "2024-10")
    reconstruct(workdir, write_history_file(tmp_path), RANGE)
    kinds = query(workdir, """SELECT DISTINCT kind FROM core.event
                              WHERE month IN (SELECT month FROM meta.stock_month WHERE source = 'historique')""")
    assert {k for (k,) in kinds} <= {"creation", "closure", "sector_change"}
    assert query(workdir, """SELECT count(*) FROM core.establishment_monthly m JOIN meta.stock_month s USING (month)
                             WHERE s.source = 'historique' AND m.headcount_band IS NOT NULL""") == [(0,)]
    assert query(workdir, """SELECT count(*) FROM core.company_monthly m JOIN meta.stock_month s USING (month)
                             WHERE s.source = 'historique' AND m.headcount_band IS NOT NULL""") == [(0,)]
    # Published: moves, net change and headcount flows are "not available", not 0, and so are the headcount
    # flows of the first stock month, whose comparison base has no headcounts.
    con = duckdb.connect(str(workdir.published), read_only=True)
    try:
        rows = con.execute("""SELECT strftime(month, '%Y-%m'), is_reconstructed, creations, move_ins, move_outs,
                                     net_change, headcount_ups FROM territory_monthly WHERE scope = 'tech'
                              ORDER BY month""").fetchall()
    finally:
        con.close()
    assert rows == [("2024-06", True, 0, None, None, None, None), ("2024-07", True, 0, None, None, None, None),
                    ("2024-08", True, 2, None, None, None, None), ("2024-09", True, 0, None, None, None, None),
                    ("2024-10", False, 1, 0, 0, 1, None)]


def test_the_boundary_with_the_first_stock_adds_no_event(tmp_path, workdir, stocks):
    """With or without the reconstruction, the later stock months derive exactly the same events."""
    plain = Workdir(tmp_path / "plain")
    for wd in (workdir, plain):
        load(wd, *stocks["2024-10"], "2024-10")
        load(wd, *stocks["2024-11"], "2024-11")
    reconstruct(workdir, write_history_file(tmp_path), RANGE)
    later = {e for e in events(workdir) if e[0] >= "2024-11"}
    assert later == events(plain) and later  # B closes, C grows, D created, F moves in... as before
    assert ("2024-11", "headcount_change", siret(C, 1), "2024-11-01") in later
    # The first stock month only has its own creation: no headcount change from unknown bands, no closure,
    # creation or activity change from the switch of source.
    assert {e for e in events(workdir) if e[0] == "2024-10"} == {("2024-10", "creation", siret(K, 1), "2024-10-03")}


def test_rerun_with_the_same_file_is_a_no_op_and_a_new_file_rebuilds(tmp_path, workdir, stocks):
    load(workdir, *stocks["2024-10"], "2024-10")
    path = write_history_file(tmp_path)
    reconstruct(workdir, path, RANGE)
    before = table_hashes(workdir.warehouse)
    assert reconstruct(workdir, path, RANGE)["status"] == "unchanged"
    assert table_hashes(workdir.warehouse) == before
    assert [s for s, *_ in ledger(workdir.warehouse)][-2:] == ["success", "unchanged"]
    # A newer historical file (I's closure corrected to mid-August) replaces the reconstructed months.
    rows = [r for r in history_rows() if r["siret"] != siret(I, 1)] + [
        history_row(siret(I, 1), "2019-05-01", "2024-08-14"), history_row(siret(I, 1), "2024-08-15", state="F")]
    newer = write_history_file(tmp_path / "newer", rows=rows)
    assert reconstruct(workdir, newer, RANGE)["status"] == "reconstructed"
    closures = {e for e in events(workdir) if e[1] == "closure"}
    assert closures == {("2024-08", "closure", siret(I, 1), "2024-08-15")}


@pytest.mark.parametrize("point", ["mid_load_history", "before_commit"])
def test_a_failure_inside_the_reconstruction_leaves_the_warehouse_unchanged(tmp_path, workdir, stocks,
                                                                             monkeypatch, point):
    load(workdir, *stocks["2024-10"], "2024-10")
    path = write_history_file(tmp_path)
    before = table_hashes(workdir.warehouse)
    monkeypatch.setenv("RADAR_FAIL_AT", point)
    with pytest.raises(Exception, match="injected failure"):
        reconstruct(workdir, path, RANGE)
    monkeypatch.delenv("RADAR_FAIL_AT")
    assert table_hashes(workdir.warehouse) == before
    assert [s for s, *_ in ledger(workdir.warehouse)] == ["success", "failed"]
    assert reconstruct(workdir, path, RANGE)["status"] == "reconstructed"


@pytest.mark.parametrize("fmt", ["csv", "zip", "parquet"])
def test_csv_zip_and_parquet_give_the_same_months(tmp_path, stocks, fmt):
    wd = Workdir(tmp_path / f"wd-{fmt}")
    load(wd, *stocks["2024-10"], "2024-10")
    path = write_history_file(tmp_path / fmt, fmt)
    assert path.suffix == "." + fmt
    reconstruct(wd, path, RANGE)
    assert ("2024-08", "creation", siret(H, 1), "2024-08-05") in events(wd)
    assert len(events(wd)) == 5
    # Only the followed SIRETs' periods are landed: not F's (a company outside the territory), not a stranger's.
    (landed,) = (wd.landing / "sirene").glob("historique-2024-10/*/periods.parquet")
    con = duckdb.connect()
    landed_sirets = {r[0] for r in con.execute("SELECT siret FROM read_parquet(?)", [str(landed)]).fetchall()}
    assert landed_sirets == {r["siret"] for r in history_rows()} - {siret(F, 1), siret(siren(99), 1)}


def test_an_old_nafrev1_period_is_valid_and_never_a_sector_change(tmp_path, workdir, stocks):
    load(workdir, *stocks["2024-10"], "2024-10")
    reconstruct(workdir, write_history_file(tmp_path), ["2007-11", "2007-12", "2008-01"])
    rows = query(workdir, """SELECT strftime(month, '%Y-%m'), naf_code, naf_nomenclature
                             FROM core.establishment_monthly WHERE siret = ? ORDER BY month""", [siret(B, 1)])
    assert rows[:3] == [("2007-11", "52.1A", "NAFRev1"), ("2007-12", "52.1A", "NAFRev1"),
                        ("2008-01", "47.11F", "NAFRev2")]
    assert not [e for e in events(workdir) if e[2] == siret(B, 1)]
    # Only the unreadable date was set aside, with its rule.
    assert query(workdir, "SELECT entity, rule, key, detail FROM quarantine.sirene") == [
        ("establishment_period", "invalid_date", siret(G, 1), "dateDebut")]


def test_a_withheld_establishments_signs_stay_masked_in_the_quarantine(tmp_path, workdir, stocks):
    from tests.warehouse.months import P

    load(workdir, *stocks["2024-10"], "2024-10")
    rows = history_rows() + [history_row(siret(P, 1), "not a date", sign="MME DUPONT")]
    reconstruct(workdir, write_history_file(tmp_path, rows=rows), RANGE)
    raws = [r for (r,) in query(workdir, "SELECT raw FROM quarantine.sirene WHERE key = ?", [siret(P, 1)])]
    assert raws and all("DUPONT" not in r for r in raws)


def test_no_stock_month_loaded_is_a_clear_error(tmp_path, workdir):
    with pytest.raises(InputError, match="no stock month is loaded yet"):
        reconstruct(workdir, write_history_file(tmp_path), RANGE)


def test_missing_required_column_names_the_file_and_changes_nothing(tmp_path, workdir, stocks):
    load(workdir, *stocks["2024-10"], "2024-10")
    before = table_hashes(workdir.warehouse)
    rows = [{k: v for k, v in r.items() if k != "dateDebut"} for r in history_rows()]
    path = tmp_path / "bad" / "StockEtablissementHistorique_utf8.csv"
    path.parent.mkdir()
    import csv
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(StockFormatError, match="missing required column 'dateDebut'"):
        reconstruct(workdir, path, RANGE)
    assert table_hashes(workdir.warehouse) == before


def test_a_later_real_stock_replaces_a_reconstructed_month(tmp_path, workdir, stocks):
    load(workdir, *stocks["2024-10"], "2024-10")
    path = write_history_file(tmp_path)
    reconstruct(workdir, path, RANGE)
    etabs, units = first_stock()
    september = write_stock(tmp_path / "stock" / "2024-09", [e for e in etabs if e["siren"] != K],
                            [u for u in units if u["siren"] != K])
    assert load(workdir, *september, "2024-09")["status"] == "loaded"
    assert query(workdir, "SELECT source FROM meta.stock_month WHERE month = '2024-09-01'") == [("stock",)]
    assert query(workdir, "SELECT count(*) FROM core.establishment_monthly "
                          "WHERE month = '2024-09-01' AND headcount_band IS NOT NULL") != [(0,)]
    # The real September against the reconstructed August: nothing happened in between.
    assert {e for e in events(workdir) if e[0] in ("2024-09", "2024-10")} == {
        ("2024-10", "creation", siret(K, 1), "2024-10-03")}
    # The reconstruction now starts from September, the first stock: August and before are rebuilt on it.
    result = reconstruct(workdir, path, RANGE)
    assert result["base_month"] == "2024-09" and result["months"] == RANGE[:3]
    assert result["status"] == "reconstructed"
    assert query(workdir, "SELECT source FROM meta.stock_month WHERE month = '2024-09-01'") == [("stock",)]


def test_the_historical_file_by_url_goes_through_the_download_cache(tmp_path, workdir, stocks):
    from tests.fakes.http_server import FakeServer, Reply, StaticFile

    load(workdir, *stocks["2024-10"], "2024-10")
    body = write_history_file(tmp_path, "zip").read_bytes()
    with FakeServer() as server:
        server.route("/datasets/r/historique", Reply.redirect("/files/StockEtablissementHistorique_utf8.zip"))
        server.route("/files/StockEtablissementHistorique_utf8.zip", StaticFile(body))
        url = server.url("/datasets/r/historique")
        assert reconstruct(workdir, url, RANGE)["status"] == "reconstructed"
        assert reconstruct(workdir, url, RANGE)["status"] == "unchanged"
    cached = list((workdir.cache / "downloads").rglob("StockEtablissementHistorique_utf8.zip"))
    assert len(cached) == 1 and cached[0].read_bytes() == body
    assert ("2024-08", "creation", siret(H, 1), "2024-08-05") in events(workdir)


def test_all_months_in_one_statement_equal_a_month_by_month_reconstruction(tmp_path, stocks):
    """One run over non-contiguous months against one run per month (each deriving its events against the month
    before it); and the period chosen for every SIRET and month against a plain Python reading of the periods."""
    months = ["2007-12", "2008-01", "2019-04", "2020-01", "2024-06", "2024-07", "2024-08", "2024-09"]
    # More periods than the shared file: a start after the creation date (the first period then applies), a NAF
    # change back and forth, a closure reopened.
    rows = [r for r in history_rows() if r["siret"] != siret(G, 1)] + [
        history_row(siret(G, 1), "2020-03-01", "2020-12-31", naf="62.02A"),
        history_row(siret(G, 1), "2021-01-01", "2024-06-30", naf="62.01Z", state="F"),
        history_row(siret(G, 1), "2024-07-01", "2024-07-31", naf="62.02A"),
        history_row(siret(G, 1), "2024-08-01", naf="62.01Z"),
    ]
    path = write_history_file(tmp_path, rows=rows)
    at_once, month_by_month = Workdir(tmp_path / "at-once"), Workdir(tmp_path / "month-by-month")
    for wd in (at_once, month_by_month):
        load(wd, *stocks["2024-10"], "2024-10")
    assert reconstruct(at_once, path, months)["status"] == "reconstructed"
    for m in months:
        assert reconstruct(month_by_month, path, [m])["status"] == "reconstructed"
    # The quarantine is per run (filed under its first month), so it differs by construction; all else is equal.
    once, each = contents(at_once.warehouse), contents(month_by_month.warehouse)
    assert {t: h for t, h in once.items() if t != "quarantine.sirene"} == \
        {t: h for t, h in each.items() if t != "quarantine.sirene"}
    assert events(at_once) and events(at_once) == events(month_by_month)

    periods = {}
    for r in rows:
        start = r["dateDebut"] if r["dateDebut"] not in ("", "1900-01-01") else "0001-01-01"
        if len(start) == 10 and start[5:7] <= "12":
            periods.setdefault(r["siret"], []).append((start, r["etatAdministratifEtablissement"],
                                                       r["activitePrincipaleEtablissement"]))
    built = query(at_once, """SELECT siret, CAST(last_day(month) AS VARCHAR), state, naf_code
                              FROM core.establishment_monthly e JOIN meta.stock_month s USING (month)
                              WHERE s.source = 'historique'""")
    checked = 0
    for s, eom, state, naf in built:
        if s not in periods:
            continue
        started = [p for p in periods[s] if p[0] <= eom]
        expected = max(started) if started else min(periods[s])
        assert (state, naf) == expected[1:], (s, eom)
        checked += 1
    assert checked > 20  # most of the followed SIRETs have a history
