"""Deployments (crons, time zone, concurrency), the monthly report flow with its artifacts, alerts on failure, and
`radar backfill` over dated stock files."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest
from click.testing import CliRunner

from flows.schedules import DEFAULT_CRONS, TIMEZONE, build_deployments, schedule_config
from radar.config import DEFAULT_TERRITORY, ConfigError, Workdir, load_territory
from tests.builders import territory_text_with
from tests.warehouse.months import write_months

pytestmark = pytest.mark.flow


@pytest.fixture
def territory_file(tmp_path):
    path = tmp_path / "t.toml"
    path.write_text(territory_text_with("""
[report]
recipients = ["economie@agence.example"]
alerts = ["data@agence.example"]

[schedule]
news = "15 8 * * *"
"""), encoding="utf-8")
    return path


def test_deployments_have_the_intended_crons_zone_and_limits(territory_file, tmp_path):
    deployments = {d.name: d for d in build_deployments(str(tmp_path / "wd"), str(territory_file))}
    assert set(deployments) == {"news", "api-daily", "api-weekly", "monthly"}
    expected = {**DEFAULT_CRONS, "news": "15 8 * * *"}  # the territory file overrides one schedule
    for name, d in deployments.items():
        (schedule,) = d.schedules
        assert (schedule.schedule.cron, schedule.schedule.timezone) == (expected[name], "Europe/Paris"), name
        assert d.concurrency_limit == 1 and d.concurrency_options.collision_strategy.value == "ENQUEUE", name
        assert d.parameters["workdir"] == str(tmp_path / "wd") and "writer" in d.tags
    assert deployments["monthly"].flow_name == "scheduled-monthly"
    assert deployments["api-daily"].parameters["sources"] == ["insee", "bodacc"]
    assert deployments["api-weekly"].parameters["sources"] == ["recherche"]
    assert TIMEZONE == "Europe/Paris" and DEFAULT_CRONS["monthly"] == "0 9 2-7 * *"


def test_schedule_configuration_is_checked(tmp_path):
    assert schedule_config(load_territory())[0] == "Europe/Paris"
    bad = load_territory(DEFAULT_TERRITORY)
    with pytest.raises(ConfigError, match="unknown deployment"):
        schedule_config(type(bad)(**{**bad.__dict__, "raw": {"schedule": {"nightly": "0 1 * * *"}}}))


def test_monthly_report_flow_leaves_artifacts(prefect_harness, tmp_path, territory_file, monkeypatch):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from flows.report import monthly_report
    from flows.sirene_month import sirene_month

    monkeypatch.delenv("RADAR_SMTP_HOST", raising=False)
    stock = write_months(tmp_path)
    wd = tmp_path / "wd"
    for month in sorted(stock):
        sirene_month(etablissements=str(stock[month][0]), unites_legales=str(stock[month][1]), month=month,
                       workdir=str(wd))
    result = monthly_report(workdir=str(wd), territory_file=str(territory_file))
    assert result["sent"]["transport"] == "outbox" and (wd / "outbox" / f"rapport-{result['month']}.eml").is_file()
    again = monthly_report(workdir=str(wd), territory_file=str(territory_file))
    assert "already sent" in again["sent"]["skipped"]  # a scheduled re-run never sends twice
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(
            any_=["monthly-report-summary", "monthly-report-counts"])))
    kinds = {a.key: a for a in found}
    assert set(kinds) == {"monthly-report-summary", "monthly-report-counts"}
    assert "Rapport" in kinds["monthly-report-summary"].data


def test_failed_run_alerts_the_engineers_and_is_failed(prefect_harness, tmp_path, territory_file, monkeypatch):
    from flows.schedules import scheduled_monthly

    monkeypatch.delenv("RADAR_SMTP_HOST", raising=False)
    wd = tmp_path / "wd"
    state = scheduled_monthly(workdir=str(wd), territory_file=str(territory_file),
                              etablissements=str(tmp_path / "missing-etab.csv"),
                              unites_legales=str(tmp_path / "missing-ul.csv"), return_state=True)
    assert state.is_failed()
    (alert,) = (wd / "outbox").glob("alerte-*.eml")
    msg = message_from_bytes(alert.read_bytes(), policy=policy.default)
    assert msg["To"] == "data@agence.example" and "échec du flux monthly" in msg["Subject"]
    assert "missing-etab" in msg.get_body(("plain",)).get_content()


def test_backfill_loads_each_dated_month(prefect_harness, tmp_path, territory_file):
    from cli.backfill import command as backfill

    stock = write_months(tmp_path)
    months = sorted(stock)
    wd = tmp_path / "wd"
    result = CliRunner().invoke(backfill, [
        "--from", months[0], "--to", "2025-02", "--workdir", str(wd), "--territory", str(territory_file),
        "--etablissements", str(tmp_path / "stock" / "{month}" / "StockEtablissement_utf8.csv"),
        "--unites-legales", str(tmp_path / "stock" / "{month}" / "StockUniteLegale_utf8.csv"), "--no-reports"])
    assert result.exit_code == 0, result.output
    for month in months:
        assert f"{month}: loaded" in result.output
    assert Workdir(wd).published.is_file()
    assert "2025-02: skipped, stock files not found" in result.output
    assert not (wd / "outbox").exists()  # a backfill never e-mails


def test_late_stock_alerts_and_renders_nothing(prefect_harness, tmp_path, territory_file, monkeypatch):
    from flows.schedules import scheduled_monthly
    from steps.schedules import expected_month

    monkeypatch.delenv("RADAR_SMTP_HOST", raising=False)
    stock = write_months(tmp_path)
    wd = tmp_path / "wd"
    result = scheduled_monthly(workdir=str(wd), territory_file=str(territory_file),
                               etablissements=str(stock["2024-10"][0]), unites_legales=str(stock["2024-10"][1]))
    assert result["load"]["status"] == "loaded" and result["report"] is None
    assert result["late"] == expected_month(__import__("datetime").date.today())  # the stock of 2024-10 is old
    (alert,) = (wd / "outbox").glob("alerte-*.eml")
    assert "en retard" in message_from_bytes(alert.read_bytes(), policy=policy.default)["Subject"]
    assert not (Workdir(wd).reports / "2024-10").exists()


def test_backfill_reconstructs_the_months_before_the_first_stock(prefect_harness, tmp_path, territory_file):
    import duckdb

    from cli.backfill import command as backfill
    from tests.builders import write_stock
    from tests.warehouse.history_months import first_stock, write_history_file

    write_stock(tmp_path / "stock" / "2024-10", *first_stock(), fmt="parquet")
    history = write_history_file(tmp_path, "parquet")
    wd = tmp_path / "wd"
    args = ["--from", "2024-07", "--to", "2024-10", "--workdir", str(wd), "--territory", str(territory_file),
            "--etablissements", str(tmp_path / "stock" / "{month}" / "StockEtablissement_utf8.parquet"),
            "--unites-legales", str(tmp_path / "stock" / "{month}" / "StockUniteLegale_utf8.parquet"),
            "--historique", str(history)]
    result = CliRunner().invoke(backfill, args)
    assert result.exit_code == 0, result.output
    assert "2024-10: loaded" in result.output
    for month in ("2024-07", "2024-08", "2024-09"):
        assert f"{month}: reconstructed from the historical file (based on 2024-10)" in result.output
        assert "Mois reconstitué" in (Workdir(wd).reports / month / "report.html").read_text(encoding="utf-8")
    assert "skipped" not in result.output
    con = duckdb.connect(str(Workdir(wd).published), read_only=True)
    try:
        assert con.execute("SELECT strftime(month, '%Y-%m'), source FROM stock_month ORDER BY month").fetchall() == [
            ("2024-07", "historique"), ("2024-08", "historique"), ("2024-09", "historique"), ("2024-10", "stock")]
    finally:
        con.close()
    again = CliRunner().invoke(backfill, args + ["--no-reports"])
    assert again.exit_code == 0, again.output
    assert "2024-10: unchanged" in again.output and "2024-08: unchanged from the historical file" in again.output


def test_backfill_historique_without_any_stock_is_a_clear_error(prefect_harness, tmp_path, territory_file):
    from cli.backfill import command as backfill
    from tests.warehouse.history_months import write_history_file

    result = CliRunner().invoke(backfill, [
        "--from", "2024-07", "--to", "2024-09", "--workdir", str(tmp_path / "wd"), "--territory",
        str(territory_file), "--historique", str(write_history_file(tmp_path)), "--no-reports"])
    assert result.exit_code == 1
    assert "no stock month is loaded yet" in result.output and "Traceback" not in result.output
