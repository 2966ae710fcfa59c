"""Flows under one session-scoped Prefect harness, and `radar demo` as a user runs it (a real process)."""

import os
import subprocess
import sys

import duckdb
import pytest
from click.testing import CliRunner

from cli.main import main
from radar.config import Workdir
from tests.oracles import ledger, table_hashes
from tests.warehouse.months import write_months

pytestmark = pytest.mark.flow


def test_sirene_monthly_flow_loads_publishes_and_is_idempotent(prefect_harness, tmp_path, capsys):
    from flows.sirene_month import sirene_month

    stock = write_months(tmp_path)
    wd = tmp_path / "wd"
    for month in sorted(stock):
        result = sirene_month(etablissements=str(stock[month][0]), unites_legales=str(stock[month][1]),
                                month=month, workdir=str(wd), progress=True)
        assert result["status"] == "loaded"
        # The CSV scan's progress reaches the terminal, not the flow's log (flows log what is printed).
        said = capsys.readouterr().err.splitlines()
        assert any(line.startswith("StockEtablissement_utf8.csv: finding the territory's companies") for line in said)
    before = table_hashes(Workdir(wd).warehouse)
    again = sirene_month(etablissements=str(stock["2024-11"][0]), unites_legales=str(stock["2024-11"][1]),
                           workdir=str(wd))  # month inferred from the folder
    assert again["status"] == "unchanged" and again["month"] == "2024-11"
    assert table_hashes(Workdir(wd).warehouse) == before
    assert [s for s, *_ in ledger(Workdir(wd).warehouse)] == ["success"] * 3 + ["unchanged"]


def test_flow_failure_is_recorded_and_leaves_data_unchanged(prefect_harness, tmp_path, monkeypatch):
    from flows.sirene_month import sirene_month

    stock = write_months(tmp_path)
    wd = tmp_path / "wd"
    sirene_month(etablissements=str(stock["2024-10"][0]), unites_legales=str(stock["2024-10"][1]),
                   month="2024-10", workdir=str(wd))
    before = table_hashes(Workdir(wd).warehouse)
    monkeypatch.setenv("RADAR_FAIL_AT", "before_commit")
    with pytest.raises(Exception, match="injected failure at before_commit"):
        sirene_month(etablissements=str(stock["2024-11"][0]), unites_legales=str(stock["2024-11"][1]),
                       month="2024-11", workdir=str(wd))
    assert table_hashes(Workdir(wd).warehouse) == before
    assert ledger(Workdir(wd).warehouse)[-1][0] == "failed"


def test_demo_command_in_process_twice(prefect_harness, tmp_path):
    wd = tmp_path / "demo"
    first = CliRunner().invoke(main, ["demo", "--workdir", str(wd), "--months", "3"])
    assert first.exit_code == 0, first.output
    assert "radar demo: 3 month(s) loaded" in first.output
    w = Workdir(wd)
    assert w.warehouse.is_file() and w.published.is_file()
    assert (w.reports / "2025-01" / "report.html").is_file()
    assert (wd / "outbox").is_dir() and list((wd / "outbox").glob("*.eml"))
    # Ledgers (runs, renderings) record the second run; no data table changes.
    ledgers = ("meta.run", "meta.report_delivery")
    before = table_hashes(w.warehouse, skip=ledgers)
    second = CliRunner().invoke(main, ["demo", "--workdir", str(wd), "--months", "3"])
    assert second.exit_code == 0, second.output
    assert "0 month(s) loaded, 3 unchanged" in second.output
    assert table_hashes(w.warehouse, skip=ledgers) == before
    statuses = [s for s, _, flow in ledger(w.warehouse) if flow == "sirene_month"]
    assert statuses == ["success"] * 3 + ["unchanged"] * 3
    con = duckdb.connect(str(w.published), read_only=True)
    assert con.execute("SELECT count(*) FROM event").fetchone()[0] > 0
    con.close()


def test_demo_as_a_user_runs_it_prints_no_traceback_or_warning(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    proc = subprocess.run([sys.executable, "-m", "cli.main", "demo", "--workdir", str(tmp_path / "wd"),
                           "--months", "2"], capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    output = proc.stdout + proc.stderr
    for noise in ("Traceback", "Warning", "WARNING", "ERROR", "CancelledError"):
        assert noise not in output, output[-3000:]
    assert "months loaded:     2 (2024-11 to 2024-12)" in proc.stdout
